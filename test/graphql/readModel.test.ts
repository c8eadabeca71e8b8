import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectGraphQLErrors, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import { allocation, organization, project, quota, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const Catalogue = graphql(`
  query Catalogue {
    quotaKinds { name displayName description default }
    gpus: quotaKind(name: "gpus") { name default }
    missing: quotaKind(name: "tpus") { name }
  }
`);

const OrganizationQuota = graphql(`
  query OrganizationQuota($id: ID!) {
    organization(id: $id) {
      id
      name
      quota {
        organization { id }
        isDefault
        resourceVersion
        items { kind { name displayName } quantity isDefault committed reserved used free utilization }
        servers: item(kind: "servers") { quantity used }
        nothing: item(kind: "tpus") { quantity }
        problems { code kind message }
      }
    }
  }
`);

const Projects = graphql(`
  query Projects($id: ID!) {
    organization(id: $id) {
      projects { id name organization { id name } usage { kind { name } committed reserved used } }
    }
  }
`);

const catalogue = [
  quotaMetadata('clusters', 5, 'Kubernetes clusters'),
  quotaMetadata('servers', 20, 'Servers'),
  quotaMetadata('gpus', '4', 'GPUs'),
  quotaMetadata('storage', '1Ti', 'Block storage'),
];

describe.each(Object.keys(storeFactories))('read model (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;
  const seed = async (...objects: Parameters<typeof createTestGateway>[1]) => {
    gateway = await createTestGateway(testStore, [...catalogue, ...objects]);
  };

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
  });
  afterEach(() => testStore.cleanup());

  it('serves the catalogue sorted by name, with exact binary quantities', async () => {
    await seed();
    const data = expectNoGraphQLErrors(await gateway.execute(Catalogue));
    expect(data.quotaKinds.map((k) => k.name)).toEqual(['clusters', 'gpus', 'servers', 'storage']);
    expect(data.quotaKinds[0]).toEqual({
      name: 'clusters',
      displayName: 'Kubernetes clusters',
      description: 'One clusters.',
      default: 5,
    });
    expect(data.quotaKinds[3]!.default).toBe(1099511627776);
    expect(data.gpus).toEqual({ name: 'gpus', default: 4 });
    expect(data.missing).toBeNull();
  });

  it('gives an organization without a Quota object the catalogue defaults, with usage from every project', async () => {
    await seed(
      organization('globex', 'Globex'),
      project('globex', 'web'),
      project('globex', 'ml'),
      allocation('globex', 'web', 'a1', {
        servers: { committed: 3, reserved: 1 },
        clusters: { committed: 1, reserved: 0 },
      }),
      allocation('globex', 'ml', 'a2', { servers: { committed: 2, reserved: '2' } }),
    );
    const org = expectNoGraphQLErrors(await gateway.execute(OrganizationQuota, { id: 'globex' })).organization!;
    expect(org.name).toBe('Globex');
    expect(org.quota.isDefault).toBe(true);
    expect(org.quota.resourceVersion).toBeNull();
    expect(org.quota.organization.id).toBe('globex');
    expect(org.quota.problems).toEqual([]);
    expect(org.quota.items.map((i) => i.kind.name)).toEqual(['clusters', 'gpus', 'servers', 'storage']);
    expect(org.quota.items.find((i) => i.kind.name === 'servers')).toEqual({
      kind: { name: 'servers', displayName: 'Servers' },
      quantity: 20,
      isDefault: true,
      committed: 5,
      reserved: 3,
      used: 8,
      free: 12,
      utilization: 0.4,
    });
    expect(org.quota.items.find((i) => i.kind.name === 'gpus')).toMatchObject({ quantity: 4, used: 0, utilization: 0 });
    expect(org.quota.servers).toEqual({ quantity: 20, used: 8 });
    expect(org.quota.nothing).toBeNull();
  });

  it('lets a stored Quota override per kind while unlisted kinds follow the catalogue', async () => {
    await seed(organization('acme'), quota('acme', { clusters: 10, servers: '50' }));
    const q = expectNoGraphQLErrors(await gateway.execute(OrganizationQuota, { id: 'acme' })).organization!.quota;
    expect(q.isDefault).toBe(false);
    expect(q.resourceVersion).toMatch(/^\d+$/);
    expect(q.items.map((i) => [i.kind.name, i.quantity, i.isDefault])).toEqual([
      ['clusters', 10, false],
      ['gpus', 4, true],
      ['servers', 50, false],
      ['storage', 1099511627776, true],
    ]);
  });

  it('reports every kind of drift as problems instead of failing the read', async () => {
    await seed(
      organization('initech'),
      project('initech', 'legacy'),
      quota('initech', { servers: 10, tpus: 2, gpus: 'lots' }),
      allocation('initech', 'legacy', 'a1', {
        servers: { committed: 12, reserved: 2 },
        loadbalancers: { committed: 3, reserved: 0 },
      }),
      allocation('initech', 'legacy', 'a2', { clusters: { committed: 'x', reserved: 1 } }),
    );
    const q = expectNoGraphQLErrors(await gateway.execute(OrganizationQuota, { id: 'initech' })).organization!.quota;
    const codes = q.problems.map((p) => [p.code, p.kind]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['UNCATALOGUED_QUOTA_KIND', 'tpus'],
        ['UNCATALOGUED_ALLOCATION_KIND', 'loadbalancers'],
        ['OVERCOMMITTED', 'servers'],
        ['INVALID_STORED_QUANTITY', 'gpus'],
        ['INVALID_STORED_QUANTITY', 'clusters'],
      ]),
    );
    expect(q.problems).toHaveLength(5);
    for (const problem of q.problems) expect(problem.message.length).toBeGreaterThan(10);
    const servers = q.items.find((i) => i.kind.name === 'servers')!;
    expect(servers).toMatchObject({ quantity: 10, used: 14, free: -4, utilization: 1.4 });
    // An unreadable stored quantity proves no capacity: it reads as 0 (the safe direction).
    expect(q.items.find((i) => i.kind.name === 'gpus')).toMatchObject({ quantity: 0, utilization: null });
    // The unreadable allocation value counts as 0; its readable part still counts.
    expect(q.items.find((i) => i.kind.name === 'clusters')).toMatchObject({ committed: 0, reserved: 1 });
  });

  it('ignores a Quota or Project labelled for an organization but outside its namespace', async () => {
    await seed(organization('acme'), organization('evil'), quota('acme', { servers: 99 }, { namespace: 'org-evil' }), {
      ...project('acme', 'stray'),
      metadata: { ...project('acme', 'stray').metadata, namespace: 'org-evil' },
    });
    const q = expectNoGraphQLErrors(await gateway.execute(OrganizationQuota, { id: 'acme' })).organization!.quota;
    expect(q.isDefault).toBe(true);
    expect(q.items.find((i) => i.kind.name === 'servers')!.quantity).toBe(20);
    const projects = expectNoGraphQLErrors(await gateway.execute(Projects, { id: 'acme' })).organization!.projects;
    expect(projects).toEqual([]);
  });

  it('answers null for a missing organization and BAD_USER_INPUT naming a malformed id', async () => {
    await seed(organization('acme'));
    expect(expectNoGraphQLErrors(await gateway.execute(OrganizationQuota, { id: 'nope' })).organization).toBeNull();
    const [error] = expectGraphQLErrors(await gateway.execute(OrganizationQuota, { id: 'Not An ID' }));
    expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error!.message).toContain('"Not An ID"');
  });

  it('lists projects sorted by id with their own usage and organization', async () => {
    await seed(
      organization('acme', 'Acme'),
      project('acme', 'web', 'web-shop'),
      project('acme', 'ml'),
      allocation('acme', 'web', 'a1', { servers: { committed: 3, reserved: 1 } }),
      allocation('acme', 'ml', 'a2', { servers: { committed: 5, reserved: 0 }, gpus: { committed: 2, reserved: 2 } }),
    );
    const projects = expectNoGraphQLErrors(await gateway.execute(Projects, { id: 'acme' })).organization!.projects;
    expect(projects.map((p) => [p.id, p.name])).toEqual([
      ['ml', 'ml'],
      ['web', 'web-shop'],
    ]);
    expect(projects[1]!.organization).toEqual({ id: 'acme', name: 'Acme' });
    expect(projects[0]!.usage.map((u) => [u.kind.name, u.committed, u.reserved, u.used])).toEqual([
      ['clusters', 0, 0, 0],
      ['gpus', 2, 2, 4],
      ['servers', 5, 0, 5],
      ['storage', 0, 0, 0],
    ]);
    expect(projects[1]!.usage.find((u) => u.kind.name === 'servers')!.used).toBe(4);
  });
});
