// `npm run test:cluster`: the store contract suite against the real cluster of the current
// kubeconfig (KUBECONFIG or ~/.kube/config; QUOTAGRAPH_KUBE_CONTEXT picks a context). It installs
// deploy/crds, works in two temporary namespaces it creates, and removes them afterwards. With no
// reachable cluster the suite is skipped with a message saying why.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, describe, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadKubeConfig } from '../../src/store/kubernetes/config.js';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import { OBJECT_KINDS, type ObjectStore } from '../../src/store/types.js';
import { describeStoreContract } from '../store/contract.js';

const CRD_DIR = fileURLToPath(new URL('../../deploy/crds/', import.meta.url));
const suffix = randomBytes(3).toString('hex');
const NAMESPACES: [string, string] = [`quotagraph-contract-a-${suffix}`, `quotagraph-contract-b-${suffix}`];

const cluster = await findCluster();

if ('skip' in cluster) {
  console.warn(`test:cluster skipped: ${cluster.skip}`);
  describe.skip(`store contract on a real cluster (${cluster.skip})`, () => {
    it('needs a cluster', () => {});
  });
} else {
  const { kubeConfig } = cluster;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let prepared: Promise<void> | undefined;
  const stores = new Set<ObjectStore>();

  afterAll(async () => {
    for (const store of stores) await store.close();
    await Promise.all(NAMESPACES.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  });

  describeStoreContract(`kubernetes cluster "${kubeConfig.getCurrentContext()}"`, async () => {
    prepared ??= prepare(kubeConfig, core);
    await prepared;
    const store = kubernetesStoreFromConfig(kubeConfig);
    stores.add(store);
    return {
      store,
      namespaces: NAMESPACES,
      // The namespaces are shared by the whole run; each test leaves them empty again.
      cleanup: async () => {
        await emptyNamespaces(store);
        stores.delete(store);
        await store.close();
      },
    };
  });
}

async function findCluster(): Promise<{ kubeConfig: KubeConfig } | { skip: string }> {
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig({ context: process.env.QUOTAGRAPH_KUBE_CONTEXT || undefined });
  } catch (error) {
    return { skip: error instanceof Error ? error.message : String(error) };
  }
  try {
    await kubeConfig.makeApiClient(CoreV1Api).listNamespace({ limit: 1 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skip: `the cluster of context "${kubeConfig.getCurrentContext()}" did not answer: ${reason}` };
  }
  return { kubeConfig };
}

/** Installs (or updates) deploy/crds, waits until they are served, and creates the namespaces. */
async function prepare(kubeConfig: KubeConfig, core: CoreV1Api): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const file of readdirSync(CRD_DIR).filter((f) => f.startsWith('identity.'))) {
    for (const document of parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8'))) {
      const crd = document.toJS() as V1CustomResourceDefinition;
      const name = crd.metadata!.name!;
      try {
        const current = await api.readCustomResourceDefinition({ name });
        crd.metadata!.resourceVersion = current.metadata?.resourceVersion;
        await api.replaceCustomResourceDefinition({ name, body: crd });
      } catch {
        await api.createCustomResourceDefinition({ body: crd });
      }
      await waitUntilEstablished(api, name);
    }
  }
  for (const name of NAMESPACES) {
    await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  }
}

async function waitUntilEstablished(api: ApiextensionsV1Api, name: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`CRD ${name} was not established within 30 s`);
}

async function emptyNamespaces(store: ObjectStore): Promise<void> {
  for (const kind of OBJECT_KINDS) {
    for (const namespace of NAMESPACES) {
      const { items } = await store.list(kind, { namespace });
      await Promise.all(items.map((o) => store.delete(kind, namespace, o.metadata.name).catch(() => undefined)));
    }
  }
}
