/**
 * The ObjectStore port on a Kubernetes API server (CustomObjectsApi of client-node 1.x).
 *
 * Everything Kubernetes already guarantees is left to it: resourceVersions, compare-and-swap on
 * replace, AlreadyExists, delete preconditions, watch ordering and selector semantics. This class
 * adds what the port promises beyond a single call: local validation (the same as sqlite's), a
 * timeout on every call, selectors too long for a URL, paging, the status subresource, and
 * apply's create-or-replace. Only StoreError leaves it.
 */
import { setMaxListeners } from 'node:events';
import { type ConfigurationOptions, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parseLabelSelector } from '../labelSelector.js';
import {
  API_GROUP,
  API_VERSION,
  type ApplyOutcome,
  type DeleteOptions,
  isStoreError,
  type ListOptions,
  OBJECT_KINDS,
  type ObjectKind,
  type ObjectList,
  type ObjectStore,
  type StoredObject,
  StoreError,
  type WatchEvent,
  type WatchOptions,
} from '../types.js';
import { validateObject } from '../validate.js';
import { type ErrorContext, toStoreError } from './errors.js';
import { mergeLists, parseList, sameContent, sameMap, toBody, toStoredObject } from './objects.js';
import { signalOptions, withDeadline } from './request.js';
import { chunkSelector } from './selector.js';
import { watchObjects } from './watch.js';

const GROUP = API_GROUP;
const VERSION = 'v1alpha1';
const PLURALS: Record<ObjectKind, string> = {
  Organization: 'organizations',
  Project: 'projects',
  QuotaMetadata: 'quotametadata',
  Quota: 'quotas',
  Allocation: 'allocations',
};

/** Items per list request: a huge list arrives in pages rather than as one response. */
const PAGE_SIZE = 500;
/** What servers and proxies reliably accept for a whole request URL. */
const MAX_URL_LENGTH = 4_096;
/** The rest of a list URL besides the selector: limit, a continue token (a few hundred bytes). */
const QUERY_RESERVE = 768;
/** Apply retries a create-or-replace this often when another writer got in between. */
const APPLY_ATTEMPTS = 3;

export class KubernetesObjectStore implements ObjectStore {
  private readonly api: CustomObjectsApi;
  private readonly server: string;
  /** Aborted by close(): ends watches and in-flight calls. */
  private readonly closing = new AbortController();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly timeoutMs: number,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    // Every in-flight call and watch listens on it (and stops listening when done): no leak, no limit.
    setMaxListeners(0, this.closing.signal);
    this.server = kubeConfig.getCurrentCluster()?.server ?? '';
  }

  async get(kind: ObjectKind, namespace: string, name: string): Promise<StoredObject> {
    const what = `get ${describe(kind, namespace, name)}`;
    const key = { group: GROUP, version: VERSION, plural: pluralOf(kind, what), ...checkKey(namespace, name, what) };
    const object = await this.call(what, (options) => this.api.getNamespacedCustomObject(key, options));
    return toStoredObject(object, kind, what);
  }

  async list(kind: ObjectKind, options: ListOptions = {}): Promise<ObjectList> {
    const namespace = options.namespace || undefined;
    const what = `list ${kind}${namespace === undefined ? '' : ` in ${namespace}`}`;
    const plural = pluralOf(kind, what);
    const budget = MAX_URL_LENGTH - QUERY_RESERVE - (this.server + collectionPath(plural, namespace)).length;
    const selectors = withContext(what, () => chunkSelector(options.labelSelector ?? '', Math.max(budget, 256)));
    const lists = await Promise.all(
      selectors.map((selector) => this.listAll(kind, plural, namespace, selector || undefined, what)),
    );
    return lists.length === 1 ? lists[0]! : mergeLists(lists);
  }

  async create(object: StoredObject): Promise<StoredObject> {
    const input = validateObject(object);
    const what = `create ${describeObject(input)}`;
    if (input.metadata.resourceVersion) {
      throw new StoreError('Invalid', `${what}: metadata.resourceVersion must not be set on create`);
    }
    const { namespace } = input.metadata;
    const plural = PLURALS[input.kind];
    const created = await this.call(what, (options) =>
      this.api.createNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural, body: toBody(input) },
        options,
      ),
    );
    return this.writeStatus(toStoredObject(created, input.kind, what), input.status, what);
  }

  async update(object: StoredObject): Promise<StoredObject> {
    const input = validateObject(object);
    const what = `update ${describeObject(input)}`;
    if (!input.metadata.resourceVersion) {
      // Kubernetes would take a replace without resourceVersion as an unconditional write.
      throw new StoreError('Invalid', `${what}: metadata.resourceVersion is required for an update (compare-and-swap)`);
    }
    const { namespace, name } = input.metadata;
    const key = { group: GROUP, version: VERSION, namespace, plural: PLURALS[input.kind], name };
    const replaced = await this.call(what, (options) =>
      this.api.replaceNamespacedCustomObject({ ...key, body: toBody(input) }, options),
    );
    return this.writeStatus(toStoredObject(replaced, input.kind, what), input.status, what);
  }

  async delete(kind: ObjectKind, namespace: string, name: string, options: DeleteOptions = {}): Promise<void> {
    const what = `delete ${describe(kind, namespace, name)}`;
    const key = { group: GROUP, version: VERSION, plural: pluralOf(kind, what), ...checkKey(namespace, name, what) };
    const body = options.resourceVersion ? { preconditions: { resourceVersion: options.resourceVersion } } : undefined;
    await this.call(what, (callOptions) => this.api.deleteNamespacedCustomObject({ ...key, body }, callOptions));
  }

  /**
   * Kubernetes has no multi-object transaction, so apply validates every object before writing
   * any (an invalid one writes nothing), then creates or replaces them one by one, in order. A
   * failure part-way leaves the earlier objects applied; applying again converges.
   */
  async apply(objects: StoredObject[]): Promise<ApplyOutcome[]> {
    if (!Array.isArray(objects)) {
      throw new StoreError('Invalid', 'apply expects an array of objects');
    }
    const inputs = objects.map((object, index) => validateObject(object, `object ${index}`));
    const outcomes: ApplyOutcome[] = [];
    for (const input of inputs) {
      outcomes.push(await this.applyOne(input));
    }
    return outcomes;
  }

  watch(kind: ObjectKind, fromResourceVersion: string, options: WatchOptions = {}): AsyncIterable<WatchEvent> {
    return this.watchEvents(kind, fromResourceVersion, options);
  }

  async ping(): Promise<void> {
    const what = `reach the API group ${API_VERSION}`;
    try {
      await this.call(what, (options) => this.api.getAPIResources({ group: GROUP, version: VERSION }, options), {
        collection: true,
      });
    } catch (error) {
      // Whatever went wrong (even a 400 from a confused proxy), the store is not usable.
      if (isStoreError(error) && error.reason !== 'Unavailable') {
        throw new StoreError('Unavailable', error.message, { cause: error });
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closing.abort(new Error('the kubernetes store was closed'));
  }

  // --- internals ---

  /** One API call with the request timeout; any failure becomes a StoreError naming `what`. */
  private async call(
    what: string,
    send: (options: ConfigurationOptions) => Promise<unknown>,
    context?: ErrorContext,
  ): Promise<unknown> {
    try {
      this.closing.signal.throwIfAborted();
      return await withDeadline(this.timeoutMs, this.closing.signal, (signal) => send(signalOptions(signal)));
    } catch (error) {
      throw toStoreError(error, what, context);
    }
  }

  /**
   * unikorn's CRDs enable the status subresource, so the API server ignores .status in a create or
   * a replace of the object and accepts it only through /status. When the status the caller wants
   * differs from the one the server kept, a replace of /status follows, at the resourceVersion the
   * first write returned. That is two writes, not one: if the second fails (a Conflict when someone
   * wrote in between, or an outage) the first stays applied. Against a CRD without the subresource
   * the first write already stored the status, the two agree and no second write is made.
   */
  private async writeStatus(
    current: StoredObject,
    status: Record<string, unknown> | undefined,
    what: string,
  ): Promise<StoredObject> {
    if (sameMap(current.status, status)) {
      return current;
    }
    const { namespace, name } = current.metadata;
    const body = toBody({ ...current, status });
    const key = { group: GROUP, version: VERSION, namespace, plural: PLURALS[current.kind], name };
    const updated = await this.call(`${what} (status)`, (options) =>
      this.api.replaceNamespacedCustomObjectStatus({ ...key, body }, options),
    );
    return toStoredObject(updated, current.kind, what);
  }

  private async applyOne(input: StoredObject): Promise<ApplyOutcome> {
    const { kind, metadata } = input;
    const outcome = (action: ApplyOutcome['action']): ApplyOutcome => ({
      kind,
      namespace: metadata.namespace,
      name: metadata.name,
      action,
    });
    for (let attempt = 1; ; attempt += 1) {
      const retry = attempt < APPLY_ATTEMPTS;
      const current = await this.get(kind, metadata.namespace, metadata.name).catch((error: unknown) => {
        if (isStoreError(error, 'NotFound')) return undefined;
        throw error;
      });
      try {
        if (current === undefined) {
          await this.create({ ...input, metadata: { ...metadata, resourceVersion: undefined } });
          return outcome('created');
        }
        if (sameContent(current, input)) {
          return outcome('unchanged');
        }
        // Like `kubectl apply` without a precondition: replace whatever version is stored now.
        const resourceVersion = current.metadata.resourceVersion;
        const written = await this.update({ ...input, metadata: { ...metadata, resourceVersion } });
        // The server may default fields the input leaves out; then the replace changed nothing.
        return outcome(written.metadata.resourceVersion === resourceVersion ? 'unchanged' : 'configured');
      } catch (error) {
        // Another writer created, changed or deleted the object between the get and the write.
        const raced =
          isStoreError(error, 'Conflict') || isStoreError(error, 'AlreadyExists') || isStoreError(error, 'NotFound');
        if (!(raced && retry)) throw error;
      }
    }
  }

  /** A list of one selector, read page by page; restarted once when its continue token expires. */
  private async listAll(
    kind: ObjectKind,
    plural: string,
    namespace: string | undefined,
    labelSelector: string | undefined,
    what: string,
  ): Promise<ObjectList> {
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const list = await this.readPages(kind, plural, namespace, labelSelector, what);
      if (list !== 'continue-expired') return list;
    }
    throw new StoreError(
      'Expired',
      `${what}: the list changed faster than it could be read page by page (its continue token expired twice)`,
    );
  }

  /**
   * Without `resourceVersion` the API server serves the list from etcd with a quorum read: the most
   * recent state, never a stale cache. The following pages (`continue`) come from the first page's
   * snapshot, so the pages together are one consistent list at the first page's resourceVersion.
   */
  private async readPages(
    kind: ObjectKind,
    plural: string,
    namespace: string | undefined,
    labelSelector: string | undefined,
    what: string,
  ): Promise<ObjectList | 'continue-expired'> {
    const items: StoredObject[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    do {
      const query = { group: GROUP, version: VERSION, plural, labelSelector, limit: PAGE_SIZE, _continue: token };
      let raw: unknown;
      try {
        raw = await this.call(
          what,
          (options) =>
            namespace === undefined
              ? this.api.listClusterCustomObject(query, options)
              : this.api.listNamespacedCustomObject({ ...query, namespace }, options),
          { collection: true },
        );
      } catch (error) {
        // A continue token expires (410) once its snapshot is compacted away; the list restarts.
        if (token !== undefined && isStoreError(error, 'Expired')) return 'continue-expired';
        throw error;
      }
      const page = parseList(raw, kind, what);
      items.push(...page.items);
      resourceVersion ??= page.resourceVersion;
      token = page.continue;
    } while (token !== undefined);
    return { items, resourceVersion: resourceVersion ?? '' };
  }

  private async *watchEvents(
    kind: ObjectKind,
    fromResourceVersion: string,
    options: WatchOptions,
  ): AsyncGenerator<WatchEvent> {
    const namespace = options.namespace || undefined;
    const what = `watch ${kind}${namespace === undefined ? '' : ` in ${namespace}`}`;
    const plural = pluralOf(kind, what);
    if (typeof fromResourceVersion !== 'string' || fromResourceVersion === '') {
      throw new StoreError('Invalid', `${what}: a resourceVersion to start from is required (the one of a list)`);
    }
    const labelSelector = options.labelSelector || undefined;
    withContext(what, () => parseLabelSelector(labelSelector ?? ''));
    if (this.closing.signal.aborted) {
      throw new StoreError('Unavailable', `${what}: the kubernetes store was closed`);
    }
    yield* watchObjects({
      kubeConfig: this.kubeConfig,
      path: collectionPath(plural, namespace),
      labelSelector,
      fromResourceVersion,
      signal: options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal,
      connectTimeoutMs: this.timeoutMs,
      what,
      toObject: (value) => toStoredObject(value, kind, what),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const collectionPath = (plural: string, namespace: string | undefined): string =>
  namespace === undefined
    ? `/apis/${GROUP}/${VERSION}/${plural}`
    : `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${plural}`;

const describe = (kind: string, namespace: string, name: string): string => `${kind} ${namespace}/${name}`;
const describeObject = (object: StoredObject): string =>
  describe(object.kind, object.metadata.namespace, object.metadata.name);

function pluralOf(kind: ObjectKind, what: string): string {
  if (!OBJECT_KINDS.includes(kind)) {
    throw new StoreError('Invalid', `${what}: unknown kind; expected one of ${OBJECT_KINDS.join(', ')}`);
  }
  return PLURALS[kind];
}

/** The client refuses empty path parameters with an error of its own; refuse them as the port does. */
function checkKey(namespace: string, name: string, what: string): { namespace: string; name: string } {
  if (typeof namespace !== 'string' || namespace === '' || typeof name !== 'string' || name === '') {
    throw new StoreError('Invalid', `${what}: namespace and name must be non-empty strings`);
  }
  return { namespace, name };
}

/** Runs a local check (selector parsing), prefixing its StoreError message with `what`. */
function withContext<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw error instanceof StoreError ? new StoreError(error.reason, `${what}: ${error.message}`) : error;
  }
}
