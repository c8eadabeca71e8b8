import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { silentLogger } from '../../src/log.js';
import { createGateway } from '../../src/server.js';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import type { ObjectStore } from '../../src/store/types.js';
import { type KubeApiServer, startKubeApiServer } from '../support/kubeApiServer.js';
import { allocation, IDENTITY_NAMESPACE, organization, project, quotaMetadata } from '../support/objects.js';
import { namespacesOf } from '../support/stores.js';

// deploy/clusterrole.yaml must allow every request the gateway makes, so a deployment never meets
// a 403 in production: drive every operation and check each request against the rules.

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const rules = (
  parse(readFileSync(new URL('../../deploy/clusterrole.yaml', import.meta.url), 'utf8')) as { rules: Rule[] }
).rules;

/** The RBAC verb and resource of a request, as the API server's authorizer derives them. */
function authorizationOf(
  method: string,
  path: string,
  query: string,
): { group: string; resource: string; verb: string } {
  const match = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/[^/]+\/)?([^/]+)(\/[^/]+)?(\/status)?$/.exec(path);
  if (!match) throw new Error(`not a custom resource request: ${method} ${path}`);
  const [, group, plural, item, status] = match;
  const collection = item === undefined;
  const watching = /(^|&)watch=(true|1)/.test(query);
  const verb =
    method === 'GET'
      ? collection
        ? watching
          ? 'watch'
          : 'list'
        : 'get'
      : ({ POST: 'create', PUT: 'update', DELETE: 'delete', PATCH: 'patch' } as Record<string, string>)[method]!;
  return { group: group!, resource: status ? `${plural}/status` : plural!, verb };
}

const allowed = ({ group, resource, verb }: ReturnType<typeof authorizationOf>) =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

describe('deploy/clusterrole.yaml covers every request the gateway makes', () => {
  let apiServer: KubeApiServer;
  let store: ObjectStore;

  beforeAll(async () => {
    apiServer = await startKubeApiServer();
    const objects = [
      quotaMetadata('servers', 20),
      organization('acme'),
      organization('globex'),
      project('acme', 'web'),
      allocation('acme', 'web', 'a1', { servers: { committed: 1, reserved: 1 } }),
    ];
    for (const namespace of namespacesOf(objects)) apiServer.createNamespace(namespace);
    // Seeding is an operator's job (`quotagraph apply` with an admin kubeconfig): not counted.
    await kubernetesStoreFromConfig({ server: apiServer.url }).apply(objects);
    store = kubernetesStoreFromConfig({ server: apiServer.url });
  });
  afterAll(async () => {
    await store.close();
    await apiServer.close();
  });

  it('for reads, reports and both kinds of quota write', async () => {
    const yoga = createGateway({ store, identityNamespace: IDENTITY_NAMESPACE, log: silentLogger });
    apiServer.clearRequests();
    for (const query of [
      '{ quotaKinds { name } quotaKind(name: "servers") { name } }',
      '{ organization(id: "acme") { quota { items { used } problems { code } } projects { usage { used } organization { id } } } }',
      '{ organizations(first: 10) { edges { node { quota { items { used } } projects { id } } } } }',
      // The first write creates the Quota, the second updates it.
      'mutation { setQuota(input: { organizationId: "acme", quotas: [{ kind: "servers", quantity: 30 }] }) { __typename } }',
      'mutation { setQuota(input: { organizationId: "acme", quotas: [{ kind: "servers", quantity: 31 }] }) { __typename } }',
    ]) {
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(await response.json()).not.toHaveProperty('errors');
    }
    const requests = apiServer.requests.filter((r) => r.path.startsWith('/apis/identity.'));
    const used = requests.map((r) => authorizationOf(r.method, r.path, r.query));
    expect(used.filter((request) => !allowed(request))).toEqual([]);
    // And the writes really happened through this path (the check above is not vacuous).
    expect(used.map((u) => `${u.verb} ${u.resource}`)).toEqual(
      expect.arrayContaining(['create quotas', 'update quotas']),
    );
  });
});
