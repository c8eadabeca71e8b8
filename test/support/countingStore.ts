import type { ObjectStore } from '../../src/store/types.js';

/**
 * Wraps a real store and counts calls per `method:kind`, so batching tests assert how many store
 * round trips a query costs without mocking anything away.
 */
export function countingStore(inner: ObjectStore): ObjectStore & { calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>();
  const counted = <T>(key: string, call: () => T): T => {
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return call();
  };
  return {
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    get: (kind, namespace, name) => counted(`get:${kind}`, () => inner.get(kind, namespace, name)),
    list: (kind, options) => counted(`list:${kind}`, () => inner.list(kind, options)),
    create: (object) => counted(`create:${object.kind}`, () => inner.create(object)),
    update: (object) => counted(`update:${object.kind}`, () => inner.update(object)),
    delete: (kind, namespace, name, options) =>
      counted(`delete:${kind}`, () => inner.delete(kind, namespace, name, options)),
    watch: (kind, from, options) => counted(`watch:${kind}`, () => inner.watch(kind, from, options)),
    apply: (objects) => counted('apply', () => inner.apply(objects)),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
