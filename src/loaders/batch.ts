import type { ObjectKind, ObjectStore, StoredObject } from '../store/types.js';

/**
 * Label values per `in (…)` selector. Keeps every request URL bounded on the Kubernetes backend
 * (63-character IDs × 50 ≈ 3 KiB) while a page of up to 50 organizations is still one call.
 */
export const SELECTOR_CHUNK_SIZE = 50;

/** One list call per chunk of values: all objects of `kind` whose `label` is one of `values`. */
export async function listByLabel(
  store: ObjectStore,
  kind: ObjectKind,
  label: string,
  values: readonly string[],
): Promise<StoredObject[]> {
  const unique = [...new Set(values)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += SELECTOR_CHUNK_SIZE) chunks.push(unique.slice(i, i + SELECTOR_CHUNK_SIZE));
  const lists = await Promise.all(
    chunks.map((chunk) => store.list(kind, { labelSelector: `${label} in (${chunk.join(',')})` })),
  );
  return lists.flatMap((list) => list.items);
}

/** Groups records by a key, in the order of `keys`, with an empty list for keys without records. */
export function groupBy<T>(keys: readonly string[], records: T[], keyOf: (record: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const record of records) groups.get(keyOf(record))?.push(record);
  return keys.map((key) => groups.get(key) ?? []);
}
