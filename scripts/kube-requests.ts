import { authenticateAsLocal } from '../src/auth/plugin.js';
// Prints how many Kubernetes API requests the gateway makes for a one-organization dashboard and
// for a 50-organization report, for a growing number of organizations. The figures must stay the
// same small constants however many organizations exist: every loader batch is one list call.
//
//   npm run kube:requests
import { silentLogger } from '../src/log.js';
import { createGateway } from '../src/server.js';
import { kubernetesStoreFromConfig } from '../src/store/kubernetes.js';
import type { StoredObject } from '../src/store/types.js';
import { startKubeApiServer } from '../test/support/kubeApiServer.js';
import {
  allocation,
  IDENTITY_NAMESPACE,
  organization,
  project,
  quota,
  quotaMetadata,
} from '../test/support/objects.js';
import { namespacesOf } from '../test/support/stores.js';

const DASHBOARD = `{ organization(id: "org-0001") {
  quota { items { kind { name displayName } quantity committed reserved used free } problems { code } }
  projects { id usage { kind { name } used } } } }`;
const REPORT = `{ organizations(first: 50) { totalCount edges { node { id name
  quota { items { kind { name } quantity used free } problems { code } } } } } }`;

function world(count: number): StoredObject[] {
  const objects: StoredObject[] = [
    quotaMetadata('clusters', 5),
    quotaMetadata('servers', 20),
    quotaMetadata('gpus', 4),
  ];
  for (let i = 0; i < count; i++) {
    const id = `org-${String(i).padStart(4, '0')}`;
    objects.push(organization(id), quota(id, { servers: 50 }), project(id, 'web'));
    objects.push(allocation(id, 'web', 'a1', { servers: { committed: 2, reserved: 1 } }));
  }
  return objects;
}

async function measure(organizations: number) {
  const apiServer = await startKubeApiServer();
  const store = kubernetesStoreFromConfig({ server: apiServer.url });
  try {
    const objects = world(organizations);
    for (const namespace of namespacesOf(objects)) apiServer.createNamespace(namespace);
    await store.apply(objects);
    const yoga = createGateway({
      store,
      identityNamespace: IDENTITY_NAMESPACE,
      log: silentLogger,
      authenticate: authenticateAsLocal,
    });
    const requestsFor = async (query: string) => {
      apiServer.clearRequests();
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return apiServer.requests.map((r) => `${r.method} ${r.path}`);
    };
    return { dashboard: await requestsFor(DASHBOARD), report: await requestsFor(REPORT) };
  } finally {
    await store.close();
    await apiServer.close();
  }
}

const rows: string[][] = [['organizations', 'dashboard requests', 'organizations(first: 50) requests']];
let last: Awaited<ReturnType<typeof measure>> | undefined;
for (const count of [10, 100, 400]) {
  last = await measure(count);
  rows.push([String(count), String(last.dashboard.length), String(last.report.length)]);
}
for (const row of rows)
  console.log(
    row
      .map((cell) => cell.padEnd(36))
      .join('')
      .trimEnd(),
  );
console.log('\nrequests for one dashboard:');
for (const line of last!.dashboard) console.log(`  ${line}`);
console.log('requests for organizations(first: 50) with quotas:');
for (const line of last!.report) console.log(`  ${line}`);
