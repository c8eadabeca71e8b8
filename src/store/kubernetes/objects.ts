/**
 * Converting between the port's objects and the API server's JSON, and merging chunked lists.
 * Pure functions, no client: what the adapter sends, and what it keeps of what it receives.
 */
import { isDeepStrictEqual } from 'node:util';
import { isPlainRecord } from '../labelSelector.js';
import {
  API_VERSION,
  type ObjectKind,
  type ObjectList,
  type ObjectMeta,
  type StoredObject,
  StoreError,
} from '../types.js';

/** The request body: only the fields the port carries (the server owns uid, timestamps, …). */
export function toBody(object: StoredObject): Record<string, unknown> {
  const { name, namespace, labels, annotations, resourceVersion } = object.metadata;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, namespace, labels, annotations, resourceVersion },
    spec: object.spec,
    status: object.status,
  };
}

/**
 * A server object in the port's shape: a fresh copy without managedFields, generation, finalizers
 * and the rest of what the port does not carry. Throws Unavailable when it is not an object at all.
 */
export function toStoredObject(value: unknown, kind: ObjectKind, what: string): StoredObject {
  const metadata = isPlainRecord(value) ? value.metadata : undefined;
  if (!isPlainRecord(value) || !isPlainRecord(metadata) || typeof metadata.name !== 'string') {
    throw new StoreError('Unavailable', `${what}: the API server answered with something that is not an object`);
  }
  const meta: ObjectMeta = { name: metadata.name, namespace: String(metadata.namespace ?? '') };
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (isPlainRecord(map) && Object.keys(map).length > 0) meta[field] = { ...(map as Record<string, string>) };
  }
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp'] as const) {
    const text = metadata[field];
    if (typeof text === 'string') meta[field] = text;
  }
  const object: StoredObject = {
    apiVersion: typeof value.apiVersion === 'string' ? value.apiVersion : API_VERSION,
    kind: typeof value.kind === 'string' ? (value.kind as ObjectKind) : kind,
    metadata: meta,
  };
  if (isPlainRecord(value.spec)) object.spec = value.spec;
  if (isPlainRecord(value.status)) object.status = value.status;
  return object;
}

interface ListPage {
  items: StoredObject[];
  resourceVersion: string | undefined;
  continue: string | undefined;
}

export function parseList(value: unknown, kind: ObjectKind, what: string): ListPage {
  const metadata = isPlainRecord(value) ? value.metadata : undefined;
  const items = isPlainRecord(value) ? (value.items ?? []) : undefined;
  if (!Array.isArray(items)) {
    throw new StoreError('Unavailable', `${what}: the API server answered with something that is not a list`);
  }
  const field = (name: string): string | undefined => {
    const text = isPlainRecord(metadata) ? metadata[name] : undefined;
    return typeof text === 'string' && text !== '' ? text : undefined;
  };
  return {
    items: items.map((item: unknown) => toStoredObject(item, kind, what)),
    resourceVersion: field('resourceVersion'),
    continue: field('continue'),
  };
}

/**
 * Merges the lists of a chunked selector: deduplicated by namespace/name, in the API server's
 * order (namespace, then name). Each chunk is a consistent snapshot at its own resourceVersion,
 * but together they are not one snapshot. The merged list reports the smallest of those versions:
 * a watch started from it replays every change after the oldest snapshot, so it misses nothing any
 * chunk missed (at worst it re-delivers a change a later chunk already showed, which a consumer
 * applying events by resourceVersion absorbs). The largest would skip changes made in between.
 */
export function mergeLists(lists: ObjectList[]): ObjectList {
  const byKey = new Map<string, StoredObject>();
  for (const item of lists.flatMap((list) => list.items)) {
    const key = `${item.metadata.namespace}/${item.metadata.name}`;
    if (!byKey.has(key)) byKey.set(key, item);
  }
  const items = [...byKey.values()].sort(
    (a, b) => compareText(a.metadata.namespace, b.metadata.namespace) || compareText(a.metadata.name, b.metadata.name),
  );
  const versions = lists.map((list) => list.resourceVersion);
  const resourceVersion = versions.reduce((smallest, version) =>
    compareVersions(version, smallest) < 0 ? version : smallest,
  );
  return { items, resourceVersion };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** resourceVersions are opaque, but etcd's are integers; compare them as such when they are. */
function compareVersions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareText(a, b);
}

/** Kubernetes omits empty maps; `{}` and absent are the same content. */
export const sameMap = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean =>
  isDeepStrictEqual(a ?? {}, b ?? {});

/** What apply may change: equal content is 'unchanged' and is not written. */
export const sameContent = (a: StoredObject, b: StoredObject): boolean =>
  sameMap(a.metadata.labels, b.metadata.labels) &&
  sameMap(a.metadata.annotations, b.metadata.annotations) &&
  sameMap(a.spec, b.spec) &&
  sameMap(a.status, b.status);
