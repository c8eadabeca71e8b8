import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import { startKubeApiServer } from '../support/kubeApiServer.js';
import { describeStoreContract } from './contract.js';

// The very same contract as the SQLite store, through @kubernetes/client-node over real HTTP to
// the Kubernetes-API-compatible test server (test/support/kubeApiServer.ts).
describeStoreContract('kubernetes', async () => {
  const apiServer = await startKubeApiServer({ namespaces: ['contract-a', 'contract-b'], bookmarkIntervalMs: 200 });
  const store = kubernetesStoreFromConfig({ server: apiServer.url }, { requestTimeoutMs: 5_000 });
  return {
    store,
    namespaces: ['contract-a', 'contract-b'],
    cleanup: async () => {
      await store.close();
      await apiServer.close();
    },
    expireHistory: async () => apiServer.compact(),
  };
});
