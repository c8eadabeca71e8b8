/**
 * A child process of test/store/multiprocess.test.ts: increments the counter Quota
 * `<namespace>/counter` `<count>` times with read-modify-write and retry on Conflict, then prints
 * `{"versions": [...], "conflicts": n}` (the resourceVersion of each of its successful updates).
 *
 * Usage: node --import tsx test/support/storeCasWorker.ts <db path> <namespace> <count>
 */
import { openSqliteStore } from '../../src/store/sqlite.js';
import { isStoreError, type StoredObject } from '../../src/store/types.js';

const [path, namespace, countArgument] = process.argv.slice(2);
if (path === undefined || namespace === undefined || countArgument === undefined) {
  throw new Error('usage: storeCasWorker.ts <db path> <namespace> <count>');
}

const quantityOf = (object: StoredObject): number =>
  (object.spec as { quotas: { quantity: number }[] }).quotas[0]!.quantity;

const store = openSqliteStore(path, { busyTimeoutMs: 20_000 });
const versions: string[] = [];
let conflicts = 0;

for (let i = 0; i < Number(countArgument); i++) {
  for (;;) {
    const current = await store.get('Quota', namespace, 'counter');
    try {
      const updated = await store.update({
        ...current,
        spec: { quotas: [{ kind: 'servers', quantity: quantityOf(current) + 1 }] },
      });
      versions.push(updated.metadata.resourceVersion!);
      break;
    } catch (error) {
      if (!isStoreError(error, 'Conflict')) throw error;
      conflicts += 1;
    }
  }
}

await store.close();
process.stdout.write(JSON.stringify({ versions, conflicts }));
