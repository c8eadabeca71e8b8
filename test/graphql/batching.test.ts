import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SELECTOR_CHUNK_SIZE } from '../../src/loaders/batch.js';
import type { StoredObject } from '../../src/store/types.js';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import { allocation, organization, project, quota, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const Dashboard = graphql(`
  query BatchDashboard($id: ID!) {
    organization(id: $id) {
      quota { items { kind { name displayName } quantity used free } problems { code } }
      projects { id organization { id name } usage { kind { name } used } }
    }
  }
`);

const Report = graphql(`
  query BatchReport($first: Int) {
    organizations(first: $first) {
      totalCount
      edges { node { id name quota { items { kind { name } quantity used free } problems { code } } } }
    }
  }
`);

const AllocationReport = graphql(`
  query BatchAllocationReport($first: Int) {
    organizations(first: $first) {
      edges {
        node {
          # 5, not 100: a page of 100 inside a page of 50 is the cost bomb the limits refuse.
          allocations(first: 5) {
            totalCount
            edges { node { id project { id } items { kind { name } committed } } }
          }
        }
      }
    }
  }
`);

/** `count` organizations, each with a Quota, two projects and an allocation per project. */
function world(count: number): StoredObject[] {
  const objects: StoredObject[] = [
    quotaMetadata('servers', 20),
    quotaMetadata('gpus', 4),
    quotaMetadata('clusters', 5),
  ];
  for (let i = 0; i < count; i++) {
    const id = `org-${String(i).padStart(3, '0')}`;
    objects.push(organization(id), quota(id, { servers: 10 + i }));
    for (const p of ['web', 'ml']) {
      objects.push(project(id, p), allocation(id, p, `${p}-1`, { servers: { committed: 1, reserved: 1 } }));
    }
  }
  return objects;
}

describe.each(Object.keys(storeFactories))('batching (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    gateway = await createTestGateway(testStore, world(120));
  });
  afterEach(() => testStore.cleanup());

  /**
   * Store calls per `method:kind` while `run` runs. Behind the Kubernetes adapter each call must
   * also be exactly one HTTP request (no hidden fan-out), which is checked here as well.
   */
  const callsFor = async (run: () => Promise<unknown>) => {
    gateway.store.calls.clear();
    testStore.apiServer?.clearRequests();
    await run();
    if (testStore.apiServer) expect(testStore.apiServer.requests).toHaveLength(gateway.store.total());
    return Object.fromEntries([...gateway.store.calls].sort());
  };

  it('answers a one-organization dashboard in one call per object type', async () => {
    const calls = await callsFor(async () => {
      const data = expectNoGraphQLErrors(await gateway.execute(Dashboard, { id: 'org-007' }));
      expect(data.organization!.projects).toHaveLength(2);
      expect(data.organization!.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({
        quantity: 17,
        used: 4,
      });
    });
    expect(calls).toEqual({
      'get:Organization': 1,
      'list:Allocation': 1,
      'list:Project': 1,
      'list:Quota': 1,
      'list:QuotaMetadata': 1,
    });
  });

  it('answers a report over 50 organizations with the same constant as over 5', async () => {
    const five = await callsFor(async () => {
      expect(expectNoGraphQLErrors(await gateway.execute(Report, { first: 5 })).organizations.edges).toHaveLength(5);
    });
    const fifty = await callsFor(async () => {
      const data = expectNoGraphQLErrors(await gateway.execute(Report, { first: 50 }));
      expect(data.organizations.edges).toHaveLength(50);
      expect(data.organizations.edges[49]!.node.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({
        quantity: 59,
        used: 4,
      });
    });
    expect(fifty).toEqual({ 'list:Allocation': 1, 'list:Organization': 1, 'list:Quota': 1, 'list:QuotaMetadata': 1 });
    expect(five).toEqual(fifty);
  });

  it('chunks a page larger than one selector holds: 100 organizations cost two calls per labelled type', async () => {
    expect(SELECTOR_CHUNK_SIZE).toBe(50);
    const hundred = await callsFor(async () => {
      expect(expectNoGraphQLErrors(await gateway.execute(Report, { first: 100 })).organizations.edges).toHaveLength(
        100,
      );
    });
    expect(hundred).toEqual({ 'list:Allocation': 2, 'list:Organization': 1, 'list:Quota': 2, 'list:QuotaMetadata': 1 });
  });

  it('lists every organization’s allocations, with their projects and kinds, in a constant number of calls', async () => {
    const report = async (first: number) =>
      callsFor(async () => {
        const data = expectNoGraphQLErrors(await gateway.execute(AllocationReport, { first }));
        expect(data.organizations.edges).toHaveLength(first);
        expect(data.organizations.edges.at(-1)!.node.allocations).toEqual({
          totalCount: 2,
          edges: [
            { node: { id: 'ml-1', project: { id: 'ml' }, items: [{ kind: { name: 'servers' }, committed: 1 }] } },
            { node: { id: 'web-1', project: { id: 'web' }, items: [{ kind: { name: 'servers' }, committed: 1 }] } },
          ],
        });
      });
    const fifty = await report(50);
    expect(fifty).toEqual({
      'list:Allocation': 1,
      'list:Organization': 1,
      'list:Project': 1,
      'list:QuotaMetadata': 1,
    });
    expect(await report(5)).toEqual(fifty);
  });

  it('never shares a cache between requests: a second request sees a write made in between', async () => {
    const read = async () =>
      expectNoGraphQLErrors(await gateway.execute(Dashboard, { id: 'org-001' })).organization!.quota.items.find(
        (i) => i.kind.name === 'servers',
      )!.quantity;
    expect(await read()).toBe(11);
    await testStore.seed([quota('org-001', { servers: 12 })]);
    expect(await read()).toBe(12);
  });
});
