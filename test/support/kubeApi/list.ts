/**
 * GET on a collection without watch: a consistent list, optionally paged with `limit` and
 * `continue`, read at the revision the `resourceVersion` semantics ask for
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-get-and-list).
 */
import { posix } from 'node:path';
import type { ListOptions } from './listOptions.js';
import { parseListRevision } from './listOptions.js';
import { matchesFilter, type ObjectFilter } from './selectors.js';
import { badRequest, expired, tooLargeResourceVersion } from './status.js';
import type { Storage } from './storage.js';
import { apiVersionOf, type JsonObject, type ResourceType } from './types.js';

/** etcd3 store's message when a continue token's revision was compacted (interpretListError). */
export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export interface ListScope {
  resource: ResourceType;
  /** undefined for a cluster-wide list. */
  namespace: string | undefined;
  filter: ObjectFilter;
}

export function listObjects(storage: Storage, scope: ListScope, options: ListOptions): JsonObject {
  const prefix = scope.namespace === undefined || !scope.resource.namespaced ? '' : `${scope.namespace}/`;
  const { revision, startKey } = readPosition(storage, prefix, options);
  const entries = storage
    .snapshot(scope.resource.plural, revision)
    .filter(([key, object]) => key >= startKey && matchesFilter(scope.filter, object));
  const page = options.limit > 0 ? entries.slice(0, options.limit) : entries;

  const metadata: JsonObject = { resourceVersion: String(revision) };
  if (page.length < entries.length) {
    const lastKey = page[page.length - 1]![0];
    metadata.continue = encodeContinue(`${lastKey.slice(prefix.length)}\u0000`, revision);
    // etcd counts every remaining key, so the apiserver only reports the count without selectors.
    if (scope.filter.unselective) metadata.remainingItemCount = entries.length - page.length;
  }
  return {
    apiVersion: apiVersionOf(scope.resource),
    kind: `${scope.resource.kind}List`,
    metadata,
    items: page.map(([, object]) => object),
  };
}

/** The revision to read and the first key to return. */
function readPosition(storage: Storage, prefix: string, options: ListOptions): { revision: number; startKey: string } {
  if (options.continue === '') {
    return { revision: listRevision(storage, options), startKey: prefix };
  }
  const token = decodeContinue(options.continue);
  if (options.resourceVersion !== '' && options.resourceVersion !== '0') {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  if (token.rv > 0 && token.rv < storage.compactedRevision) {
    // The answer carries a token that continues, inconsistently, at the latest revision (rv -1).
    throw expired(CONTINUE_EXPIRED_MESSAGE, encodeContinue(token.start, -1));
  }
  if (token.rv > storage.revision) throw tooLargeResourceVersion(token.rv, storage.revision);
  return { revision: token.rv > 0 ? token.rv : storage.revision, startKey: prefix + token.start };
}

/**
 * unset → most recent; "0" → any (this server always has the most recent); otherwise Exact when
 * resourceVersionMatch=Exact or (legacy) when a limit is set, else NotOlderThan.
 */
function listRevision(storage: Storage, options: ListOptions): number {
  const requested = parseListRevision(options.resourceVersion);
  if (requested === undefined || requested === 0) return storage.revision;
  if (requested > storage.revision) throw tooLargeResourceVersion(requested, storage.revision);
  const exact = options.resourceVersionMatch === 'Exact' || (options.resourceVersionMatch === '' && options.limit > 0);
  if (!exact) return storage.revision;
  if (requested < storage.compactedRevision) throw expired('The resourceVersion for the provided list is too old.');
  return requested;
}

// ---------------------------------------------------------------------------------------------
// Continue tokens: storage.EncodeContinue / DecodeContinue (apiserver/pkg/storage/continue.go).

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

export const encodeContinue = (start: string, rv: number): string =>
  Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv, start } satisfies ContinueToken)).toString('base64url');

function decodeContinue(encoded: string): ContinueToken {
  const invalidToken = (reason: string) => badRequest(`invalid continue token: continue key is not valid: ${reason}`);
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw invalidToken('illegal base64 data');
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalidToken((error as Error).message);
  }
  const { v, rv, start } = (token ?? {}) as Partial<ContinueToken>;
  if (v !== TOKEN_VERSION) throw invalidToken('server does not recognize this encoded version');
  if (typeof rv !== 'number' || rv === 0) {
    throw invalidToken(`incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  }
  if (typeof start !== 'string' || start === '') throw invalidToken('encoded start key empty');
  if (posix.normalize(`/${start}`) !== `/${start}`) throw invalidToken(start);
  return { v, rv, start };
}
