import { openSqliteStore } from './sqlite.js';
import { type ObjectStore, StoreError } from './types.js';

export type StoreSpec = { type: 'sqlite'; path: string } | { type: 'kubernetes' };

/** Opens the adapter the configuration names. Throws StoreError('Unavailable') with one clear line. */
export async function openStore(spec: StoreSpec): Promise<ObjectStore> {
  switch (spec.type) {
    case 'sqlite':
      return openSqliteStore(spec.path);
    case 'kubernetes':
      throw new StoreError('Unavailable', 'the kubernetes store is not available in this build yet');
  }
}
