import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { authenticateAsLocal } from '../../src/auth/plugin.js';
import { Admission } from '../../src/domain/admission.js';
import { allocationName } from '../../src/domain/allocations.js';
import { runJanitorOnce } from '../../src/domain/janitor.js';
import { ADMISSION_PENDING, ANNOTATION_PENDING_SINCE, LABEL_ADMISSION } from '../../src/domain/labels.js';
import { silentLogger } from '../../src/log.js';
import { createGateway } from '../../src/server.js';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import type { ObjectStore, StoredObject } from '../../src/store/types.js';
import { type KubeApiServer, startKubeApiServer } from '../support/kubeApiServer.js';
import { allocation, IDENTITY_NAMESPACE, organization, project, quotaMetadata } from '../support/objects.js';
import { namespacesOf } from '../support/stores.js';

/** An allocation left pending by a writer that died long ago. */
function pendingAllocation(name: string, items: Parameters<typeof allocation>[3]): StoredObject {
  const object = allocation('acme', 'web', name, items);
  object.metadata.labels![LABEL_ADMISSION] = ADMISSION_PENDING;
  object.metadata.annotations = { [ANNOTATION_PENDING_SINCE]: '2020-01-01T00:00:00Z' };
  return object;
}

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
  /** What an operator (not the gateway's service account) uses to seed the cluster. */
  let operator: ObjectStore;

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
    operator = kubernetesStoreFromConfig({ server: apiServer.url });
    await operator.apply(objects);
    store = kubernetesStoreFromConfig({ server: apiServer.url });
  });
  afterAll(async () => {
    await operator.close();
    await store.close();
    await apiServer.close();
  });

  it('for reads, reports, quota writes, allocation writes and the janitor', async () => {
    const yoga = createGateway({
      store,
      identityNamespace: IDENTITY_NAMESPACE,
      log: silentLogger,
      authenticate: authenticateAsLocal,
    });
    apiServer.clearRequests();
    for (const query of [
      '{ quotaKinds { name } quotaKind(name: "servers") { name } }',
      '{ organization(id: "acme") { quota { items { used } problems { code } } projects { usage { used } organization { id } } } }',
      '{ organizations(first: 10) { edges { node { quota { items { used } } projects { id } } } } }',
      // The first write creates the Quota, the second updates it.
      'mutation { setQuota(input: { organizationId: "acme", quotas: [{ kind: "servers", quantity: 30 }] }) { __typename } }',
      'mutation { setQuota(input: { organizationId: "acme", quotas: [{ kind: "servers", quantity: 31 }] }) { __typename } }',
      `mutation { setProjectQuota(input: { organizationId: "acme", projectId: "web",
         quotas: [{ kind: "servers", guaranteed: 4, limit: 10 }] }) { __typename } }`,
      '{ organization(id: "acme") { projects { quota { available } } } }',
      `mutation { createAllocation(input: { organizationId: "acme", projectId: "web", resourceKind: "server", resourceId: "s1",
         items: [{ kind: "servers", committed: 2, reserved: 0 }] }) { __typename } }`,
      `mutation { updateAllocation(input: { organizationId: "acme", projectId: "web", id: "${allocationName('server', 's1')}",
         items: [{ kind: "servers", committed: 3, reserved: 0 }] }) { __typename } }`,
      // Refused: written pending, then rolled back (a delete).
      `mutation { createAllocation(input: { organizationId: "acme", projectId: "web", resourceKind: "server", resourceId: "big",
         items: [{ kind: "servers", committed: 100, reserved: 0 }] }) { __typename } }`,
      `mutation { deleteAllocation(input: { organizationId: "acme", projectId: "web", id: "${allocationName('server', 's1')}" }) {
         __typename } }`,
    ]) {
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(await response.json()).not.toHaveProperty('errors');
    }
    // A writer that crashed left these pending; the janitor admits one and rolls the other back.
    await operator.apply([
      pendingAllocation('fits', { servers: { committed: 1, reserved: 0 } }),
      pendingAllocation('too-big', { servers: { committed: 500, reserved: 0 } }),
    ]);
    const round = await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: 0 });
    expect(round).toMatchObject({ admitted: 1, rolledBack: 1 });

    const requests = apiServer.requests.filter((r) => r.path.startsWith('/apis/identity.'));
    const used = requests.map((r) => authorizationOf(r.method, r.path, r.query));
    expect(used.filter((request) => !allowed(request))).toEqual([]);
    // And the writes really happened through this path (the check above is not vacuous).
    expect(used.map((u) => `${u.verb} ${u.resource}`)).toEqual(
      expect.arrayContaining(['create quotas', 'update quotas']),
    );
  });
});
