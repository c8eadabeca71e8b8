/**
 * The fake Kubernetes API server, tested over plain HTTP (fetch): every behaviour the Kubernetes
 * adapter's tests rely on, with the status codes and Status bodies a real apiserver answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUP, GROUP_VERSION, type KubeApiServer, startKubeApiServer } from './support/kubeApiServer.js';

// ---------------------------------------------------------------------------------------------
// Shapes of the answers (asserted by the tests; the casts only name them).

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [field: string]: unknown;
}

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface List {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Obj[];
}

interface StatusBody {
  kind: string;
  apiVersion: string;
  metadata: { continue?: string };
  status: string;
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason: string; message: string; field: string }[];
    retryAfterSeconds?: number;
  };
  code?: number;
}

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

interface WatchEvent {
  type: string;
  object: Obj & StatusBody;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const BASE = `/apis/${GROUP_VERSION}`;
const ORG = 'unikorn-cloud.org/organization';
const TIER = 'test.quotagraph.dev/tier';

let server: KubeApiServer;

beforeEach(async () => {
  server = await startKubeApiServer({ namespaces: ['ns1', 'ns2'], bookmarkIntervalMs: 100 });
});

afterEach(async () => {
  await server.close();
});

const collection = (namespace: string, plural = 'quotas') => `${BASE}/namespaces/${namespace}/${plural}`;
const item = (namespace: string, name: string, plural = 'quotas') => `${collection(namespace, plural)}/${name}`;

async function call<T = Obj>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
    headers: response.headers,
  };
}

const get = <T = Obj>(path: string) => call<T>('GET', path);
const list = (path: string) => call<List>('GET', path);
const failure = (method: string, path: string, body?: unknown) => call<StatusBody>(method, path, body);

function quota(namespace: string | undefined, name: string, labels: Record<string, string> = {}, quantity = 0): Obj {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'Quota',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }), labels } as Meta,
    spec: { quotas: [{ kind: 'servers', quantity }] },
  };
}

async function create(namespace: string, name: string, labels: Record<string, string> = {}, quantity = 0) {
  const answer = await call('POST', collection(namespace), quota(namespace, name, labels, quantity));
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

async function replace(object: Obj, subresource = ''): Promise<Answer<Obj>> {
  const path = item(object.metadata.namespace!, object.metadata.name) + subresource;
  return call('PUT', path, object);
}

const withQuantity = (object: Obj, quantity: number): Obj => ({
  ...structuredClone(object),
  spec: { quotas: [{ kind: 'servers', quantity }] },
});

const quantityOf = (object: Obj) => (object.spec as { quotas: { quantity: number }[] }).quotas[0]!.quantity;
const names = (objects: Obj[]) => objects.map((object) => object.metadata.name);
const rv = (object: Obj) => Number(object.metadata.resourceVersion);
const currentRv = async () => (await list(collection('ns1'))).body.metadata.resourceVersion;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A watch stream read line by line; `next()` waits for the following event. */
class WatchReader {
  private readonly events: WatchEvent[] = [];
  private end: 'clean' | 'broken' | undefined;
  private wake: () => void = () => {};

  private constructor(
    private readonly controller: AbortController,
    body: ReadableStream<Uint8Array>,
  ) {
    void this.pump(body.getReader());
  }

  static async open(path: string): Promise<WatchReader> {
    const controller = new AbortController();
    const response = await fetch(server.url + path, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    return new WatchReader(controller, response.body!);
  }

  /** The next event; undefined when the stream ended; fails after `timeoutMs`. */
  async next(timeoutMs = 3000): Promise<WatchEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0 && this.end === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no watch event arrived in time');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, left);
      });
    }
    return this.events.shift();
  }

  async take(count: number, timeoutMs = 3000): Promise<WatchEvent[]> {
    const taken: WatchEvent[] = [];
    while (taken.length < count) {
      const event = await this.next(timeoutMs);
      if (event === undefined) break;
      taken.push(event);
    }
    return taken;
  }

  /** Resolves with how the stream ended (after the remaining events were read or not). */
  async ended(timeoutMs = 3000): Promise<'clean' | 'broken' | 'open'> {
    const deadline = Date.now() + timeoutMs;
    while (this.end === undefined && Date.now() < deadline) await sleep(20);
    return this.end ?? 'open';
  }

  /** Nothing (but bookmarks, when `ignoreBookmarks`) arrives for `ms`. */
  async quiet(ms: number, ignoreBookmarks = false): Promise<WatchEvent[]> {
    await sleep(ms);
    const seen = this.events.splice(0);
    return ignoreBookmarks ? seen.filter((event) => event.type !== 'BOOKMARK') : seen;
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() !== '') this.events.push(JSON.parse(line) as WatchEvent);
        }
        this.wake();
      }
      this.end = 'clean';
    } catch {
      this.end = 'broken';
    }
    this.wake();
  }
}

const watchers: WatchReader[] = [];
afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
});

async function watch(path: string): Promise<WatchReader> {
  const watcher = await WatchReader.open(path);
  watchers.push(watcher);
  return watcher;
}

const summary = (events: WatchEvent[]) =>
  events.map((event) => [event.type, event.object.metadata.name, event.object.metadata.resourceVersion]);

// ---------------------------------------------------------------------------------------------

describe('discovery', () => {
  it('serves /api, /apis, the group and /version', async () => {
    expect((await get('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = await get<{ kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] }>(
      '/apis',
    );
    expect(groups.body.kind).toBe('APIGroupList');
    expect(groups.body.groups).toContainEqual(
      expect.objectContaining({ name: GROUP, preferredVersion: { groupVersion: GROUP_VERSION, version: 'v1alpha1' } }),
    );
    expect((await get(`/apis/${GROUP}`)).body).toMatchObject({ kind: 'APIGroup', name: GROUP });
    expect((await get<{ gitVersion: string }>('/version')).body.gitVersion).toMatch(/^v1\.\d+\./);
    expect((await get('/api/v1')).body).toMatchObject({
      kind: 'APIResourceList',
      resources: [expect.objectContaining({ name: 'namespaces', namespaced: false, kind: 'Namespace' })],
    });
  });

  it('lists each resource with its status subresource', async () => {
    interface Resource {
      name: string;
      singularName: string;
      namespaced: boolean;
      kind: string;
      verbs: string[];
    }
    const { body } = await get<{ kind: string; groupVersion: string; resources: Resource[] }>(BASE);
    expect(body).toMatchObject({ kind: 'APIResourceList', groupVersion: GROUP_VERSION });
    const expected: [string, string, string][] = [
      ['organizations', 'organization', 'Organization'],
      ['projects', 'project', 'Project'],
      ['quotametadata', 'quotametadata', 'QuotaMetadata'],
      ['quotas', 'quota', 'Quota'],
      ['allocations', 'allocation', 'Allocation'],
    ];
    for (const [plural, singular, kind] of expected) {
      const main = body.resources.find((resource) => resource.name === plural);
      expect(main, plural).toMatchObject({ singularName: singular, namespaced: true, kind });
      expect(main!.verbs).toEqual(expect.arrayContaining(['create', 'delete', 'get', 'list', 'update', 'watch']));
      const status = body.resources.find((resource) => resource.name === `${plural}/status`);
      expect(status, `${plural}/status`).toMatchObject({ namespaced: true, kind, verbs: ['get', 'update'] });
    }
  });

  it('answers 404 NotFound Status for paths it does not serve', async () => {
    for (const path of [
      '/apis/other.example.com/v1',
      `${BASE}/namespaces/ns1/pods`,
      `/apis/${GROUP}/v1/namespaces/ns1/quotas`,
      `${item('ns1', 'acme')}/scale`,
      '/healthz/nope',
    ]) {
      const { status, body } = await get<StatusBody>(path);
      expect(status, path).toBe(404);
      expect(body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    }
  });

  it('answers 405 MethodNotAllowed for a method a path does not support', async () => {
    await create('ns1', 'acme');
    const attempts: [string, string][] = [
      ['POST', '/apis'],
      ['PATCH', item('ns1', 'acme')],
      ['POST', item('ns1', 'acme')],
      ['POST', `${BASE}/quotas`],
      ['DELETE', `${item('ns1', 'acme')}/status`],
    ];
    for (const [method, path] of attempts) {
      const { status, body } = await failure(method, path, method === 'GET' ? undefined : {});
      expect(status, `${method} ${path}`).toBe(405);
      expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
    }
  });
});

/** A Namespace manifest, as `kubectl create namespace` sends it. */
const namespaceManifest = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('namespaces', () => {
  it('creates, reads and lists namespaces', async () => {
    const created = await call('POST', '/api/v1/namespaces', namespaceManifest('fresh'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'fresh', labels: { 'kubernetes.io/metadata.name': 'fresh' } },
      status: { phase: 'Active' },
    });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get('/api/v1/namespaces/fresh')).body).toEqual(created.body);
    const all = await list('/api/v1/namespaces');
    expect(all.body.kind).toBe('NamespaceList');
    expect(names(all.body.items)).toEqual(['fresh', 'ns1', 'ns2']);
  });

  it('refuses invalid and duplicate names and answers 404 for a missing one', async () => {
    const bad = await failure('POST', '/api/v1/namespaces', namespaceManifest('Bad.NS'));
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ reason: 'Invalid', details: { name: 'Bad.NS', kind: 'Namespace' } });
    expect(bad.body.details!.causes![0]).toMatchObject({ field: 'metadata.name', reason: 'FieldValueInvalid' });
    expect(bad.body.message).toContain('a lowercase RFC 1123 label must consist of');

    const duplicate = await failure('POST', '/api/v1/namespaces', namespaceManifest('ns1'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ reason: 'AlreadyExists', message: 'namespaces "ns1" already exists' });

    const missing = await get<StatusBody>('/api/v1/namespaces/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      reason: 'NotFound',
      message: 'namespaces "nope" not found',
      details: { name: 'nope', kind: 'namespaces' },
    });
  });

  it('createNamespace makes a namespace usable and is idempotent', async () => {
    expect((await failure('POST', collection('later'), quota('later', 'a'))).status).toBe(404);
    server.createNamespace('later');
    server.createNamespace('later');
    await create('later', 'a');
    expect(() => server.createNamespace('Not Valid')).toThrow();
  });

  it('deleting a namespace answers it Terminating and removes its objects, with watch events', async () => {
    const a = await create('ns1', 'a');
    await create('ns2', 'b');
    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);

    const deleted = await call('DELETE', '/api/v1/namespaces/ns1');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      kind: 'Namespace',
      metadata: { name: 'ns1' },
      status: { phase: 'Terminating' },
    });
    expect(deleted.body.metadata.deletionTimestamp).toEqual(expect.any(String));

    expect((await get(item('ns1', 'a'))).status).toBe(404);
    expect((await get('/api/v1/namespaces/ns1')).status).toBe(404);
    expect((await get(item('ns2', 'b'))).status).toBe(200);
    expect((await failure('POST', collection('ns1'), quota('ns1', 'c'))).status).toBe(404);
    const [event] = await watcher.take(1);
    expect(event).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'a' } } });
  });
});

describe('create', () => {
  it('answers 201 with the stored object: uid, creationTimestamp, resourceVersion, generation 1', async () => {
    const body = quota(undefined, 'acme', { [ORG]: 'acme' }, 40);
    const { status, body: created } = await call('POST', collection('ns1'), body);
    expect(status).toBe(201);
    expect(created).toMatchObject({
      apiVersion: GROUP_VERSION,
      kind: 'Quota',
      metadata: { name: 'acme', namespace: 'ns1', labels: { [ORG]: 'acme' }, generation: 1 },
      spec: { quotas: [{ kind: 'servers', quantity: 40 }] },
    });
    expect(created.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(created.metadata.creationTimestamp) - Date.now())).toBeLessThan(60_000);
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    expect((await get(item('ns1', 'acme'))).body).toEqual(created);
  });

  it('generates a name from generateName with 5 random characters', async () => {
    const body = { ...quota('ns1', ''), metadata: { generateName: 'quota-', namespace: 'ns1' } };
    const first = await call('POST', collection('ns1'), body);
    const second = await call('POST', collection('ns1'), body);
    expect(first.status).toBe(201);
    expect(first.body.metadata.name).toMatch(/^quota-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(first.body.metadata.generateName).toBe('quota-');
    expect(second.body.metadata.name).not.toBe(first.body.metadata.name);
    expect((await get(item('ns1', first.body.metadata.name))).status).toBe(200);
  });

  it('refuses a taken name with 409 AlreadyExists, keeping the original', async () => {
    const original = await create('ns1', 'acme', {}, 1);
    const { status, body } = await failure('POST', collection('ns1'), quota('ns1', 'acme', {}, 2));
    expect(status).toBe(409);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `quotas.${GROUP} "acme" already exists`,
      reason: 'AlreadyExists',
      details: { name: 'acme', group: GROUP, kind: 'quotas' },
      code: 409,
    });
    expect((await get(item('ns1', 'acme'))).body).toEqual(original);
  });

  it('answers 404 when the namespace does not exist', async () => {
    const { status, body } = await failure('POST', collection('ghost'), quota('ghost', 'acme'));
    expect(status).toBe(404);
    expect(body).toMatchObject({
      reason: 'NotFound',
      message: 'namespaces "ghost" not found',
      details: { name: 'ghost', kind: 'namespaces' },
      code: 404,
    });
  });

  it('answers 422 Invalid with causes for a bad or missing name and bad labels', async () => {
    const badName = await failure('POST', collection('ns1'), quota('ns1', 'Not_A_Name'));
    expect(badName.status).toBe(422);
    expect(badName.body.message).toMatch(
      /^Quota\.identity\.unikorn-cloud\.org "Not_A_Name" is invalid: metadata\.name: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain must consist of/,
    );
    expect(badName.body.details).toMatchObject({ name: 'Not_A_Name', group: GROUP, kind: 'Quota' });
    expect(badName.body.details!.causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name' }),
    ]);

    const tooLong = await failure('POST', collection('ns1'), quota('ns1', 'a'.repeat(254)));
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.message).toContain('must be no more than 253 characters');

    const noName = await failure('POST', collection('ns1'), { ...quota('ns1', ''), metadata: {} });
    expect(noName.status).toBe(422);
    expect(noName.body.details!.causes).toEqual([
      {
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      },
    ]);

    const badLabels = await failure(
      'POST',
      collection('ns1'),
      quota('ns1', 'fine', { 'bad key': 'x', [ORG]: 'not ok' }),
    );
    expect(badLabels.status).toBe(422);
    expect(badLabels.body.details!.causes!.map((cause) => cause.field)).toEqual(['metadata.labels', 'metadata.labels']);
    expect(badLabels.body.message).toMatch(
      /is invalid: \[metadata\.labels: Invalid value: "bad key": name part must consist/,
    );
    expect(badLabels.body.message).toContain('Invalid value: "not ok": a valid label must be an empty string');
    expect((await list(collection('ns1'))).body.items).toEqual([]);
  });

  it('refuses a body of another kind (422), another apiVersion or no kind (400)', async () => {
    const otherKind = await failure('POST', collection('ns1'), { ...quota('ns1', 'a'), kind: 'Allocation' });
    expect(otherKind.status).toBe(422);
    expect(otherKind.body.message).toBe(
      `Quota.${GROUP} "a" is invalid: kind: Invalid value: "Allocation": must be Quota`,
    );

    const otherVersion = await failure('POST', collection('ns1'), { ...quota('ns1', 'a'), apiVersion: 'v1' });
    expect(otherVersion.status).toBe(400);
    expect(otherVersion.body).toMatchObject({
      reason: 'BadRequest',
      message: `the API version in the data (v1) does not match the expected API version (${GROUP_VERSION})`,
    });

    const { kind: _kind, ...kindless } = quota('ns1', 'a');
    const noKind = await failure('POST', collection('ns1'), kindless);
    expect(noKind.status).toBe(400);
    expect(noKind.body.message).toMatch(/^Object 'Kind' is missing in/);
  });

  it('refuses a namespace in the body that is not the URL namespace with 400', async () => {
    const { status, body } = await failure('POST', collection('ns1'), quota('ns2', 'a'));
    expect(status).toBe(400);
    expect(body).toMatchObject({
      reason: 'BadRequest',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
      code: 400,
    });
    expect((await get(item('ns2', 'a'))).status).toBe(404);
  });

  it('refuses a resourceVersion on create as etcd3 does: 500 with no reason', async () => {
    const body = quota('ns1', 'acme');
    body.metadata.resourceVersion = '1';
    const { status, body: answer } = await failure('POST', collection('ns1'), body);
    expect(status).toBe(500);
    expect(answer).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'resourceVersion should not be set on objects to be created',
      code: 500,
    });
    expect((await get(item('ns1', 'acme'))).status).toBe(404);
  });

  it('drops status, system fields from the body, unknown metadata and empty maps', async () => {
    const body = {
      ...quota('ns1', 'acme'),
      metadata: {
        name: 'acme',
        labels: {},
        annotations: {},
        finalizers: [],
        uid: 'chosen-by-client',
        creationTimestamp: '2000-01-01T00:00:00Z',
        generation: 7,
        invented: 'field',
      },
      status: { namespace: 'somewhere' },
    };
    const { body: created } = await call('POST', collection('ns1'), body);
    expect(created.status).toBeUndefined();
    expect(Object.keys(created.metadata).sort()).toEqual(
      ['creationTimestamp', 'generation', 'name', 'namespace', 'resourceVersion', 'uid'].sort(),
    );
    expect(created.metadata.uid).not.toBe('chosen-by-client');
    expect(created.metadata.creationTimestamp).not.toBe('2000-01-01T00:00:00Z');
    expect(created.metadata.generation).toBe(1);
  });

  it('answers 400 for malformed JSON or metadata and 415 for another media type', async () => {
    expect((await failure('POST', collection('ns1'), '{not json')).status).toBe(400);
    const labels = { ...quota('ns1', 'a'), metadata: { name: 'a', labels: { x: 1 } } };
    expect((await failure('POST', collection('ns1'), labels)).status).toBe(400);
    const yaml = await call<StatusBody>('POST', collection('ns1'), 'kind: Quota', {
      'Content-Type': 'application/yaml',
    });
    expect(yaml.status).toBe(415);
    expect(yaml.body.reason).toBe('UnsupportedMediaType');
  });
});

describe('replace (PUT)', () => {
  it('writes with the current resourceVersion: new version, same uid and timestamp, generation bumped', async () => {
    const created = await create('ns1', 'acme', { [ORG]: 'acme' }, 1);
    const { status, body: updated } = await replace(withQuantity(created, 2));
    expect(status).toBe(200);
    expect(rv(updated)).toBeGreaterThan(rv(created));
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
    expect(updated.metadata.generation).toBe(2);
    expect(quantityOf(updated)).toBe(2);
    expect((await get(item('ns1', 'acme'))).body).toEqual(updated);
  });

  it('keeps the generation when only metadata changes, and replaces labels and annotations', async () => {
    const created = await create('ns1', 'acme', { [ORG]: 'acme', [TIER]: 'gold' });
    const changed = structuredClone(created);
    changed.metadata.labels = { [ORG]: 'acme' };
    changed.metadata.annotations = { note: 'x' };
    const { body: updated } = await replace(changed);
    expect(rv(updated)).toBeGreaterThan(rv(created));
    expect(updated.metadata.generation).toBe(1);
    expect(updated.metadata.labels).toEqual({ [ORG]: 'acme' });
    expect(updated.metadata.annotations).toEqual({ note: 'x' });
  });

  it('does not write an update that changes nothing: same resourceVersion, no watch event', async () => {
    const created = await create('ns1', 'acme', { [ORG]: 'acme' }, 1);
    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${created.metadata.resourceVersion}`);
    const again = await replace(structuredClone(created));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created);
    expect(await currentRv()).toBe(created.metadata.resourceVersion);

    const marker = await create('ns1', 'marker');
    expect(summary(await watcher.take(1))).toEqual([['ADDED', 'marker', marker.metadata.resourceVersion]]);
  });

  it('answers 409 Conflict for a stale resourceVersion, leaving the object as it was', async () => {
    const created = await create('ns1', 'acme', {}, 1);
    const { body: current } = await replace(withQuantity(created, 2));
    const { status, body } = await call<StatusBody>('PUT', item('ns1', 'acme'), withQuantity(created, 3));
    expect(status).toBe(409);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Operation cannot be fulfilled on quotas.${GROUP} "acme": the object has been modified; please apply your changes to the latest version and try again`,
      reason: 'Conflict',
      details: { name: 'acme', group: GROUP, kind: 'quotas' },
      code: 409,
    });
    expect((await get(item('ns1', 'acme'))).body).toEqual(current);
  });

  it('requires a resourceVersion: 422 Invalid, naming the resource', async () => {
    const created = await create('ns1', 'acme', {}, 1);
    const { status, body } = await call<StatusBody>('PUT', item('ns1', 'acme'), quota('ns1', 'acme', {}, 9));
    expect(status).toBe(422);
    expect(body.message).toBe(
      `quotas.${GROUP} "acme" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
    );
    expect(body.details).toMatchObject({ name: 'acme', group: GROUP, kind: 'quotas' });
    expect((await get(item('ns1', 'acme'))).body).toEqual(created);
  });

  it('answers 404 for a missing object, but 409 when the body carries the uid of a deleted one', async () => {
    const missing = await call<StatusBody>('PUT', item('ns1', 'ghost'), {
      ...quota('ns1', 'ghost'),
      metadata: { name: 'ghost', resourceVersion: '5' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      reason: 'NotFound',
      message: `quotas.${GROUP} "ghost" not found`,
      details: { name: 'ghost', group: GROUP, kind: 'quotas' },
    });

    // registry.Store.Update turns a uid in the body into a storage precondition, which a gone
    // object fails: the apiserver answers Conflict, not NotFound.
    const created = await create('ns1', 'acme');
    await call('DELETE', item('ns1', 'acme'));
    const gone = await call<StatusBody>('PUT', item('ns1', 'acme'), withQuantity(created, 5));
    expect(gone.status).toBe(409);
    expect(gone.body.message).toBe(
      `Operation cannot be fulfilled on quotas.${GROUP} "acme": Precondition failed: UID in precondition: ${created.metadata.uid}, UID in object meta: `,
    );
    const { uid: _uid, ...withoutUid } = created.metadata;
    expect((await call('PUT', item('ns1', 'acme'), { ...created, metadata: withoutUid })).status).toBe(404);
  });

  it('answers 400 when the body names another object or namespace', async () => {
    const created = await create('ns1', 'acme');
    const otherName = await call<StatusBody>('PUT', item('ns1', 'other'), created);
    expect(otherName.status).toBe(400);
    expect(otherName.body.message).toBe('the name of the object (acme) does not match the name on the URL (other)');
    const otherNamespace = await call<StatusBody>('PUT', item('ns1', 'acme'), {
      ...created,
      metadata: { ...created.metadata, namespace: 'ns2' },
    });
    expect(otherNamespace.status).toBe(400);
    expect(otherNamespace.body.message).toBe(
      'the namespace of the object (ns2) does not match the namespace on the request (ns1)',
    );
  });

  it('validates labels on update (422), leaving the object unchanged', async () => {
    const created = await create('ns1', 'acme', { [ORG]: 'acme' });
    const bad = structuredClone(created);
    bad.metadata.labels = { [ORG]: 'no spaces' };
    const { status, body } = await call<StatusBody>('PUT', item('ns1', 'acme'), bad);
    expect(status).toBe(422);
    expect(body.details!.causes![0]!.field).toBe('metadata.labels');
    expect((await get(item('ns1', 'acme'))).body).toEqual(created);
  });
});

describe('status subresource', () => {
  it('ignores status on the main resource: a status-only change is a no-op', async () => {
    const created = await create('ns1', 'acme');
    const { body } = await replace({ ...created, status: { namespace: 'org-ns' } });
    expect(body.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(body.status).toBeUndefined();
  });

  it('PUT /status changes only the status, requires a current version, and keeps the generation', async () => {
    const created = await create('ns1', 'acme', { [ORG]: 'acme' }, 1);
    const attempt = { ...withQuantity(created, 99), status: { namespace: 'org-ns' } };
    attempt.metadata.labels = { [ORG]: 'changed' };

    const { status, body: updated } = await replace(attempt, '/status');
    expect(status).toBe(200);
    expect(updated.status).toEqual({ namespace: 'org-ns' });
    expect(quantityOf(updated)).toBe(1);
    expect(updated.metadata.labels).toEqual({ [ORG]: 'acme' });
    expect(updated.metadata.generation).toBe(1);
    expect(rv(updated)).toBeGreaterThan(rv(created));
    expect((await get(`${item('ns1', 'acme')}/status`)).body).toEqual(updated);

    expect((await replace({ ...created, status: { namespace: 'x' } }, '/status')).status).toBe(409);
    const { resourceVersion: _rv, ...noVersion } = updated.metadata;
    expect((await replace({ ...updated, metadata: noVersion as Meta }, '/status')).status).toBe(422);

    // Later main-resource updates keep the status.
    const { body: respec } = await replace(withQuantity(updated, 5));
    expect(respec.status).toEqual({ namespace: 'org-ns' });
    expect(respec.metadata.generation).toBe(2);
  });
});

describe('delete', () => {
  it('answers 200 with a Success Status naming the object, then 404', async () => {
    const created = await create('ns1', 'acme');
    const { status, body } = await call<StatusBody>('DELETE', item('ns1', 'acme'));
    expect(status).toBe(200);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'acme', group: GROUP, kind: 'quotas', uid: created.metadata.uid },
    });
    expect((await get(item('ns1', 'acme'))).status).toBe(404);
    const again = await call<StatusBody>('DELETE', item('ns1', 'acme'));
    expect(again.status).toBe(404);
    expect(again.body.message).toBe(`quotas.${GROUP} "acme" not found`);
  });

  it('honours DeleteOptions preconditions on resourceVersion and uid with 409 Conflict', async () => {
    const created = await create('ns1', 'acme', {}, 1);
    const { body: updated } = await replace(withQuantity(created, 2));

    const stale = await call<StatusBody>('DELETE', item('ns1', 'acme'), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { resourceVersion: created.metadata.resourceVersion },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on Quota.${GROUP} "acme": the ResourceVersion in the precondition (${created.metadata.resourceVersion}) does not match the ResourceVersion in record (${updated.metadata.resourceVersion}). The object might have been modified`,
      details: { name: 'acme', group: GROUP, kind: 'Quota' },
    });

    const otherUid = await call<StatusBody>('DELETE', item('ns1', 'acme'), { preconditions: { uid: 'someone-else' } });
    expect(otherUid.status).toBe(409);
    expect(otherUid.body.message).toContain(
      'the UID in the precondition (someone-else) does not match the UID in record',
    );
    expect((await get(item('ns1', 'acme'))).body).toEqual(updated);

    const matching = await call('DELETE', item('ns1', 'acme'), {
      preconditions: { resourceVersion: updated.metadata.resourceVersion, uid: updated.metadata.uid },
    });
    expect(matching.status).toBe(200);
    expect((await get(item('ns1', 'acme'))).status).toBe(404);
  });

  it('only marks an object with finalizers; removing the last finalizer deletes it', async () => {
    const body = quota('ns1', 'held');
    body.metadata.finalizers = ['test.quotagraph.dev/hold'];
    const { body: created } = await call('POST', collection('ns1'), body);
    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${created.metadata.resourceVersion}`);

    const first = await call('DELETE', item('ns1', 'held'));
    expect(first.status).toBe(200);
    expect(first.body.kind).toBe('Quota');
    expect(first.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(first.body.metadata.generation).toBe(2);
    expect((await get(item('ns1', 'held'))).body).toEqual(first.body);
    expect((await call('DELETE', item('ns1', 'held'))).body).toEqual(first.body);

    const addFinalizer = structuredClone(first.body);
    addFinalizer.metadata.finalizers = ['test.quotagraph.dev/hold', 'test.quotagraph.dev/more'];
    expect((await replace(addFinalizer)).status).toBe(422);

    const release = structuredClone(first.body);
    delete release.metadata.finalizers;
    const released = await replace(release);
    expect(released.status).toBe(200);
    expect((await get(item('ns1', 'held'))).status).toBe(404);
    expect(summary(await watcher.take(2)).map(([type]) => type)).toEqual(['MODIFIED', 'DELETED']);
  });
});

describe('list', () => {
  it('lists one namespace or all, sorted by namespace then name, as <Kind>List', async () => {
    await create('ns2', 'b');
    await create('ns1', 'c');
    await create('ns1', 'a');
    const last = await create('ns2', 'a');
    await call('POST', collection('ns1', 'allocations'), { ...quota('ns1', 'z'), kind: 'Allocation' });

    const one = await list(collection('ns1'));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ apiVersion: GROUP_VERSION, kind: 'QuotaList' });
    expect(names(one.body.items)).toEqual(['a', 'c']);
    expect(Number(one.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(rv(last) + 1);
    expect(one.body.metadata.continue).toBeUndefined();

    const all = await list(`${BASE}/quotas`);
    expect(all.body.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ns1/a',
      'ns1/c',
      'ns2/a',
      'ns2/b',
    ]);
    expect((await list(collection('empty-ns'))).body.items).toEqual([]);
  });

  it('filters by label selector with every operator, in one namespace and cluster-wide', async () => {
    await create('ns1', 'a', { [ORG]: 'o1', [TIER]: 'gold' });
    await create('ns1', 'b', { [ORG]: 'o2', [TIER]: 'silver' });
    await create('ns1', 'c', { [ORG]: 'o3' });
    await create('ns1', 'd');
    await create('ns2', 'e', { [ORG]: 'o1' });
    const cases: [string, string[]][] = [
      [`${ORG}=o1`, ['a']],
      [`${ORG}==o1`, ['a']],
      [`${ORG}!=o1`, ['b', 'c', 'd']],
      [`${ORG} in (o1,o2)`, ['a', 'b']],
      [`${ORG} notin (o1,o2)`, ['c', 'd']],
      [TIER, ['a', 'b']],
      [`!${TIER}`, ['c', 'd']],
      [`${ORG} in (o1,o3),${TIER}!=gold`, ['c']],
    ];
    for (const [selector, expected] of cases) {
      const answer = await list(`${collection('ns1')}?labelSelector=${encodeURIComponent(selector)}`);
      expect(names(answer.body.items), selector).toEqual(expected);
    }
    const everywhere = await list(`${BASE}/quotas?labelSelector=${encodeURIComponent(`${ORG}=o1`)}`);
    expect(names(everywhere.body.items)).toEqual(['a', 'e']);
  });

  it('answers 400 BadRequest for a malformed label selector', async () => {
    for (const selector of [`${ORG} in (o1`, 'Bad Key=1', `${ORG}=-bad`, 'a/b/c=1']) {
      const { status, body } = await get<StatusBody>(
        `${collection('ns1')}?labelSelector=${encodeURIComponent(selector)}`,
      );
      expect(status, selector).toBe(400);
      expect(body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    }
  });

  it('filters by field selector on metadata.name and metadata.namespace only', async () => {
    await create('ns1', 'a');
    await create('ns1', 'b');
    await create('ns2', 'b');
    expect(names((await list(`${collection('ns1')}?fieldSelector=metadata.name%3Db`)).body.items)).toEqual(['b']);
    const notInNs1 = await list(`${BASE}/quotas?fieldSelector=metadata.namespace!%3Dns1`);
    expect(notInNs1.body.items.map((o) => o.metadata.namespace)).toEqual(['ns2']);
    const unsupported = await get<StatusBody>(`${collection('ns1')}?fieldSelector=spec.x%3D1`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.message).toBe('field label not supported: spec.x');
  });

  it('pages with limit and continue over one consistent snapshot', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await create('ns1', name);
    const first = await list(`${collection('ns1')}?limit=2`);
    expect(names(first.body.items)).toEqual(['a', 'b']);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    const token = first.body.metadata.continue!;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);

    // Writes after the first page are not visible in the following ones.
    await create('ns1', 'bb');
    await call('DELETE', item('ns1', 'd'));

    const second = await list(`${collection('ns1')}?limit=2&continue=${token}`);
    expect(names(second.body.items)).toEqual(['c', 'd']);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect(second.body.metadata.remainingItemCount).toBe(1);
    const third = await list(`${collection('ns1')}?limit=2&continue=${second.body.metadata.continue}`);
    expect(names(third.body.items)).toEqual(['e']);
    expect(third.body.metadata.continue).toBeUndefined();

    const selected = await list(`${collection('ns1')}?limit=1&labelSelector=${encodeURIComponent(`!${TIER}`)}`);
    expect(selected.body.metadata.continue).toBeDefined();
    expect(selected.body.metadata.remainingItemCount).toBeUndefined();
  });

  it('answers 410 Expired for a continue token older than the history, with a token that goes on', async () => {
    for (const name of ['a', 'b', 'c']) await create('ns1', name);
    const first = await list(`${collection('ns1')}?limit=1`);
    await create('ns1', 'bb');
    server.compact();

    const { status, body } = await get<StatusBody>(
      `${collection('ns1')}?limit=1&continue=${first.body.metadata.continue}`,
    );
    expect(status).toBe(410);
    expect(body).toMatchObject({ status: 'Failure', reason: 'Expired', code: 410 });
    expect(body.message).toMatch(/^The provided continue parameter is too old to display a consistent list result/);
    const rest = await list(`${collection('ns1')}?continue=${body.metadata.continue}`);
    expect(rest.status).toBe(200);
    expect(names(rest.body.items)).toEqual(['b', 'bb', 'c']);
  });

  it('refuses malformed continue tokens, and resourceVersion together with continue', async () => {
    const malformed = await get<StatusBody>(`${collection('ns1')}?continue=not-a-token`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^invalid continue token: continue key is not valid/);
    for (const name of ['a', 'b']) await create('ns1', name);
    const first = await list(`${collection('ns1')}?limit=1`);
    const both = await get<StatusBody>(
      `${collection('ns1')}?continue=${first.body.metadata.continue}&resourceVersion=3`,
    );
    expect(both.status).toBe(400);
    expect(both.body.message).toBe('specifying resource version is not allowed when using continue');
  });

  it('reads an exact older resourceVersion from history until it is compacted', async () => {
    const a = await create('ns1', 'a', {}, 1);
    const before = await list(collection('ns1'));
    await replace(withQuantity(a, 2));
    await create('ns1', 'b');

    const exact = await list(
      `${collection('ns1')}?resourceVersion=${before.body.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    expect(exact.body.metadata.resourceVersion).toBe(before.body.metadata.resourceVersion);
    expect(exact.body.items).toEqual(before.body.items);
    // The legacy rule: a resourceVersion with a limit is an exact read too.
    const legacy = await list(`${collection('ns1')}?resourceVersion=${before.body.metadata.resourceVersion}&limit=10`);
    expect(legacy.body.items).toEqual(before.body.items);
    // Without a match or limit it means "not older than": the latest state.
    const notOlder = await list(`${collection('ns1')}?resourceVersion=${before.body.metadata.resourceVersion}`);
    expect(names(notOlder.body.items)).toEqual(['a', 'b']);
    expect(quantityOf(notOlder.body.items[0]!)).toBe(2);

    server.compact();
    const gone = await get<StatusBody>(
      `${collection('ns1')}?resourceVersion=${before.body.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({
      reason: 'Expired',
      message: 'The resourceVersion for the provided list is too old.',
    });
    expect((await list(`${collection('ns1')}?resourceVersion=0`)).body.items).toHaveLength(2);
  });

  it('answers 504 for a future resourceVersion, 400 for a malformed one, 422 for bad option combinations', async () => {
    const future = Number(await currentRv()) + 100;
    const tooLarge = await get<StatusBody>(`${collection('ns1')}?resourceVersion=${future}`);
    expect(tooLarge.status).toBe(504);
    expect(tooLarge.body).toMatchObject({ reason: 'Timeout', details: { retryAfterSeconds: 1 } });
    expect(tooLarge.body.message).toMatch(/^Too large resource version: \d+, current: \d+$/);

    const malformed = await get<StatusBody>(`${collection('ns1')}?resourceVersion=abc`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^invalid resource version/);

    const matchAlone = await get<StatusBody>(`${collection('ns1')}?resourceVersionMatch=Exact`);
    expect(matchAlone.status).toBe(422);
    expect(matchAlone.body).toMatchObject({
      reason: 'Invalid',
      details: { group: 'meta.k8s.io', kind: 'ListOptions' },
    });
    expect(matchAlone.body.message).toContain('resourceVersionMatch is forbidden unless resourceVersion is provided');
  });

  it('hands out strictly increasing resourceVersions across kinds and namespaces', async () => {
    const versions = [
      rv(await create('ns1', 'a')),
      rv(await create('ns2', 'b')),
      rv((await call('POST', collection('ns1', 'allocations'), { ...quota('ns1', 'c'), kind: 'Allocation' })).body),
    ];
    await call('DELETE', item('ns2', 'b'));
    versions.push(Number(await currentRv()));
    versions.push(rv(await create('ns2', 'd')));
    for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThan(versions[i - 1]!);
    expect(server.currentResourceVersion()).toBe(String(versions.at(-1)));
  });
});

describe('watch', () => {
  it('replays ADDED, MODIFIED and DELETED after a resourceVersion, in order, with their versions', async () => {
    const from = await currentRv();
    const a = await create('ns1', 'a', {}, 1);
    const { body: a2 } = await replace(withQuantity(a, 2));
    const b = await create('ns1', 'b');
    await call('DELETE', item('ns1', 'a'));
    const deletedAt = await currentRv();

    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${from}`);
    const events = await watcher.take(4);
    expect(summary(events)).toEqual([
      ['ADDED', 'a', a.metadata.resourceVersion],
      ['MODIFIED', 'a', a2.metadata.resourceVersion],
      ['ADDED', 'b', b.metadata.resourceVersion],
      ['DELETED', 'a', deletedAt],
    ]);
    // DELETED carries the last state of the object.
    expect(quantityOf(events[3]!.object)).toBe(2);
    expect(events[3]!.object.metadata.uid).toBe(a.metadata.uid);
    expect(await watcher.quiet(150)).toEqual([]);
  });

  it('starts strictly after the given version and then delivers live events', async () => {
    const a = await create('ns1', 'a');
    const watcher = await watch(`${collection('ns1')}?watch=1&resourceVersion=${a.metadata.resourceVersion}`);
    await sleep(50);
    const b = await create('ns1', 'b');
    const { body: b2 } = await replace(withQuantity(b, 5));
    expect(summary(await watcher.take(2))).toEqual([
      ['ADDED', 'b', b.metadata.resourceVersion],
      ['MODIFIED', 'b', b2.metadata.resourceVersion],
    ]);
  });

  it('begins with synthetic ADDED events for the current state when resourceVersion is unset or "0"', async () => {
    const b = await create('ns1', 'b');
    const a = await create('ns1', 'a');
    for (const query of ['watch=true', 'watch=true&resourceVersion=0']) {
      const watcher = await watch(`${collection('ns1')}?${query}`);
      expect(summary(await watcher.take(2)), query).toEqual([
        ['ADDED', 'a', a.metadata.resourceVersion],
        ['ADDED', 'b', b.metadata.resourceVersion],
      ]);
      watcher.close();
    }
    const watcher = await watch(`${collection('ns1')}?watch=true`);
    await watcher.take(2);
    const c = await create('ns1', 'c');
    expect(summary(await watcher.take(1))).toEqual([['ADDED', 'c', c.metadata.resourceVersion]]);
  });

  it('is scoped to its kind and namespace; the cluster-wide watch sees every namespace', async () => {
    const from = await currentRv();
    await create('ns2', 'elsewhere');
    await call('POST', collection('ns1', 'allocations'), { ...quota('ns1', 'other-kind'), kind: 'Allocation' });
    await create('ns1', 'mine');

    const namespaced = await watch(`${collection('ns1')}?watch=true&resourceVersion=${from}`);
    expect(summary(await namespaced.take(1)).map(([, name]) => name)).toEqual(['mine']);
    expect(await namespaced.quiet(100)).toEqual([]);
    const everywhere = await watch(`${BASE}/quotas?watch=true&resourceVersion=${from}`);
    expect(summary(await everywhere.take(2)).map(([, name]) => name)).toEqual(['elsewhere', 'mine']);
  });

  it('turns selector transitions into ADDED and DELETED events', async () => {
    const from = await currentRv();
    const x = await create('ns1', 'x', { [ORG]: 'o1' });
    await create('ns1', 'y', { [ORG]: 'o2' });
    const { body: away } = await replace({ ...x, metadata: { ...x.metadata, labels: { [ORG]: 'o2' } } });
    const { body: back } = await replace({ ...away, metadata: { ...away.metadata, labels: { [ORG]: 'o1' } } });
    const { body: modified } = await replace(withQuantity(back, 3));

    const watcher = await watch(
      `${collection('ns1')}?watch=true&resourceVersion=${from}&labelSelector=${encodeURIComponent(`${ORG}=o1`)}`,
    );
    const events = await watcher.take(4);
    expect(summary(events)).toEqual([
      ['ADDED', 'x', x.metadata.resourceVersion],
      ['DELETED', 'x', away.metadata.resourceVersion],
      ['ADDED', 'x', back.metadata.resourceVersion],
      ['MODIFIED', 'x', modified.metadata.resourceVersion],
    ]);
    // Leaving the selection: the previous content (still matching) at the change's version.
    expect(events[1]!.object.metadata.labels).toEqual({ [ORG]: 'o1' });
  });

  it('filters by field selector (a watch on one object)', async () => {
    const from = await currentRv();
    await create('ns1', 'a');
    const b = await create('ns1', 'b');
    const watcher = await watch(
      `${collection('ns1')}?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Db`,
    );
    expect(summary(await watcher.take(1))).toEqual([['ADDED', 'b', b.metadata.resourceVersion]]);
  });

  it('sends BOOKMARK events only when allowed, carrying just the kind and a current resourceVersion', async () => {
    const from = await currentRv();
    const silent = await watch(`${collection('ns1')}?watch=true&resourceVersion=${from}`);
    const bookmarked = await watch(`${collection('ns1')}?watch=true&resourceVersion=${from}&allowWatchBookmarks=true`);
    const a = await create('ns1', 'a');

    const [added, bookmark] = await bookmarked.take(2);
    expect(added!.type).toBe('ADDED');
    expect(bookmark).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'Quota', apiVersion: GROUP_VERSION, metadata: { resourceVersion: a.metadata.resourceVersion } },
    });
    await create('ns2', 'elsewhere');
    const later = (await bookmarked.quiet(250)).filter((event) => event.type === 'BOOKMARK');
    expect(later.length).toBeGreaterThan(0);
    expect(later.at(-1)!.object.metadata.resourceVersion).toBe(await currentRv());

    expect(summary(await silent.take(1)).map(([type]) => type)).toEqual(['ADDED']);
    expect(await silent.quiet(250)).toEqual([]);
  });

  it('sends the initial-events-end bookmark after the initial state with sendInitialEvents', async () => {
    const a = await create('ns1', 'a');
    const watcher = await watch(
      `${collection('ns1')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    const [added, end] = await watcher.take(2);
    expect(added).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    expect(end).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'Quota',
        apiVersion: GROUP_VERSION,
        metadata: { resourceVersion: a.metadata.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
      },
    });
    const refused = await get<StatusBody>(`${collection('ns1')}?watch=true&sendInitialEvents=true`);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  });

  it('reports a compacted resourceVersion as an ERROR event (410 Expired) and ends the stream', async () => {
    const from = await currentRv();
    await create('ns1', 'a');
    server.compact();
    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${from}`);
    const [event] = await watcher.take(1);
    expect(event).toEqual({
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${from} (${await currentRv()})`,
        reason: 'Expired',
        code: 410,
      },
    });
    expect(await watcher.ended()).toBe('clean');
    // Watching from the compaction point works.
    const fresh = await watch(`${collection('ns1')}?watch=true&resourceVersion=${await currentRv()}`);
    const b = await create('ns1', 'b');
    expect(summary(await fresh.take(1))).toEqual([['ADDED', 'b', b.metadata.resourceVersion]]);
  });

  it('answers 422 for a malformed resourceVersion before streaming', async () => {
    const { status, body } = await get<StatusBody>(`${collection('ns1')}?watch=true&resourceVersion=abc`);
    expect(status).toBe(422);
    expect(body).toMatchObject({ reason: 'Invalid', details: { kind: 'quotas' } });
  });

  it('ends the stream cleanly after timeoutSeconds', async () => {
    const started = Date.now();
    const watcher = await watch(
      `${collection('ns1')}?watch=true&timeoutSeconds=1&resourceVersion=${await currentRv()}`,
    );
    expect(await watcher.ended(3000)).toBe('clean');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('ends open streams when the server closes', async () => {
    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${await currentRv()}`);
    await server.close();
    expect(await watcher.ended()).toBe('clean');
    server = await startKubeApiServer();
  });
});

describe('faults', () => {
  it('adds latency before every answer', async () => {
    server.faults.latencyMs = 150;
    const started = Date.now();
    expect((await get('/version')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('failNext answers the next requests with a Status of the code, discovery included', async () => {
    server.faults.failNext(2);
    const first = await get<StatusBody>('/apis');
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
    });
    expect((await get(collection('ns1'))).status).toBe(500);
    expect((await get(collection('ns1'))).status).toBe(200);

    server.faults.failNext(1, 429);
    const throttled = await get<StatusBody>(collection('ns1'));
    expect(throttled.status).toBe(429);
    expect(throttled.body).toMatchObject({ reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 1 } });
    expect(throttled.headers.get('retry-after')).toBe('1');
  });

  it('a failed write is not applied', async () => {
    server.faults.failNext(1, 503);
    expect((await call('POST', collection('ns1'), quota('ns1', 'a'))).status).toBe(503);
    expect((await get(item('ns1', 'a'))).status).toBe(404);
  });

  it('dropNext destroys the connection without an answer', async () => {
    server.faults.dropNext(1);
    await expect(fetch(`${server.url}${collection('ns1')}`)).rejects.toThrow();
    expect((await get(collection('ns1'))).status).toBe(200);
  });

  it('conflictStorm answers PUTs 409 even with the current resourceVersion', async () => {
    const created = await create('ns1', 'acme', {}, 1);
    server.faults.conflictStorm(2);
    for (let i = 0; i < 2; i++) {
      const { status, body } = await call<StatusBody>('PUT', item('ns1', 'acme'), withQuantity(created, 2));
      expect(status).toBe(409);
      expect(body).toMatchObject({ reason: 'Conflict', details: { name: 'acme', kind: 'quotas' } });
    }
    expect((await get(item('ns1', 'acme'))).body).toEqual(created);
    expect((await replace(withQuantity(created, 2))).status).toBe(200);
  });

  it('down answers 503 to everything and cuts open watches until up', async () => {
    const watcher = await watch(`${collection('ns1')}?watch=true&resourceVersion=${await currentRv()}`);
    server.faults.down();
    expect(await watcher.ended()).toBe('broken');
    for (const path of ['/version', collection('ns1')]) {
      const { status, body, headers } = await get<StatusBody>(path);
      expect(status).toBe(503);
      expect(body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
      expect(headers.get('retry-after')).toBe('1');
    }
    server.faults.up();
    expect((await get(collection('ns1'))).status).toBe(200);
  });

  it('reset clears latency, scheduled faults and an outage', async () => {
    server.faults.latencyMs = 5_000;
    server.faults.failNext(3);
    server.faults.dropNext(3);
    server.faults.conflictStorm(3);
    server.faults.down();
    server.faults.reset();
    const created = await create('ns1', 'acme');
    expect((await replace(withQuantity(created, 1))).status).toBe(200);
  });

  it('logs every request (method, path, query) and can clear the log', async () => {
    server.clearRequests();
    await get(`${collection('ns1')}?labelSelector=a%3Db`);
    server.faults.dropNext(1);
    await fetch(`${server.url}/version`).catch(() => undefined);
    expect(server.requests).toEqual([
      { method: 'GET', path: collection('ns1'), query: 'labelSelector=a%3Db' },
      { method: 'GET', path: '/version', query: '' },
    ]);
    server.clearRequests();
    expect(server.requests).toEqual([]);
  });
});
