import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ObjectStore } from '../../src/store/types.js';

/** A store for one test, and how to dispose of it. */
export interface TestStore {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

/**
 * Every adapter the GraphQL suites run against, by name. The suites are parameterized over this
 * list so each adapter passes the very same tests.
 */
export const storeFactories: Record<string, () => Promise<TestStore>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotagraph-test-'));
    const store = openSqliteStore(join(dir, 'store.db'));
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
