import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ObjectStore, StoredObject } from '../../src/store/types.js';
import { type KubeApiServer, startKubeApiServer } from './kubeApiServer.js';

/** A store for one test, and how to fill and dispose of it. */
export interface TestStore {
  store: ObjectStore;
  /** Writes `objects` as `quotagraph apply` would, creating whatever namespaces the backend needs first. */
  seed(objects: StoredObject[]): Promise<void>;
  /** The Kubernetes-API test server behind the store, when there is one (for fault injection). */
  apiServer?: KubeApiServer;
  cleanup(): Promise<void>;
}

/**
 * Every adapter the suites run against, by name. The GraphQL suites are parameterized over this
 * list (`describe.each(Object.keys(storeFactories))`), so each adapter passes the very same tests.
 */
export const storeFactories: Record<string, () => Promise<TestStore>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotagraph-test-'));
    const store = openSqliteStore(join(dir, 'store.db'));
    return {
      store,
      seed: async (objects) => void (await store.apply(objects)),
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  kubernetes: async () => {
    const apiServer = await startKubeApiServer();
    const store = kubernetesStoreFromConfig({ server: apiServer.url }, { requestTimeoutMs: 5_000 });
    return {
      store,
      apiServer,
      // A real API server refuses objects in a namespace that does not exist. unikorn's controllers
      // create the namespaces that Organizations and Projects record in status.namespace, so the
      // test does what they would have done.
      seed: async (objects) => {
        for (const namespace of namespacesOf(objects)) apiServer.createNamespace(namespace);
        await store.apply(objects);
      },
      cleanup: async () => {
        await store.close();
        await apiServer.close();
      },
    };
  },
};

/** The namespaces `objects` live in or record in status.namespace: what unikorn would have created. */
export function namespacesOf(objects: StoredObject[]): Set<string> {
  const namespaces = new Set<string>();
  for (const object of objects) {
    namespaces.add(object.metadata.namespace);
    const recorded = object.status?.namespace;
    if (typeof recorded === 'string') namespaces.add(recorded);
  }
  return namespaces;
}
