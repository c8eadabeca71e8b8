import { openKubernetesStore } from './kubernetes.js';
import { openSqliteStore } from './sqlite.js';
import type { ObjectStore } from './types.js';

export type StoreSpec = { type: 'sqlite'; path: string } | { type: 'kubernetes'; context?: string };

/** Opens the adapter the configuration names. Throws StoreError('Unavailable') with one clear line. */
export async function openStore(spec: StoreSpec): Promise<ObjectStore> {
  switch (spec.type) {
    case 'sqlite':
      return openSqliteStore(spec.path);
    case 'kubernetes':
      return openKubernetesStore({ context: spec.context });
  }
}
