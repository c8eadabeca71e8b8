import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationsPageQuery } from '../gql/graphql.js';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectGraphQLErrors, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import { organization, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const Page = graphql(`
  query OrganizationsPage($first: Int, $after: String) {
    organizations(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id name } }
    }
  }
`);

describe.each(Object.keys(storeFactories))('organizations connection (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;
  const ids = Array.from({ length: 25 }, (_, i) => `org-${String(i).padStart(2, '0')}`);

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    gateway = await createTestGateway(testStore, [
      quotaMetadata('servers', 1),
      ...ids.toReversed().map((id) => organization(id)),
    ]);
  });
  afterEach(() => testStore.cleanup());

  it('pages forward through every organization in id order, with a stable total', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const connection: OrganizationsPageQuery['organizations'] = expectNoGraphQLErrors(
        await gateway.execute(Page, { first: 10, after }),
      ).organizations;
      expect(connection.totalCount).toBe(25);
      seen.push(...connection.edges.map((e) => e.node.id));
      expect(connection.pageInfo.hasNextPage).toBe(page < 2);
      expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor);
      after = connection.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(ids);
  });

  it('keeps its place when an organization before the cursor is deleted', async () => {
    const first = expectNoGraphQLErrors(await gateway.execute(Page, { first: 5 })).organizations;
    await testStore.store.delete('Organization', 'unikorn-identity', 'org-00');
    const next = expectNoGraphQLErrors(await gateway.execute(Page, { first: 5, after: first.pageInfo.endCursor }));
    expect(next.organizations.edges[0]!.node.id).toBe('org-05');
    expect(next.organizations.totalCount).toBe(24);
  });

  it('defaults to 20 and accepts 0', async () => {
    expect(expectNoGraphQLErrors(await gateway.execute(Page, {})).organizations.edges).toHaveLength(20);
    const empty = expectNoGraphQLErrors(await gateway.execute(Page, { first: 0 })).organizations;
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    [{ first: 101 }, 'first must be between 0 and 100, got 101'],
    [{ first: -1 }, 'got -1'],
    [{ first: 5, after: 'bm90LWEtY3Vyc29y' }, '"bm90LWEtY3Vyc29y" is not a cursor'],
  ])('refuses %j with BAD_USER_INPUT', async (variables, message) => {
    const [error] = expectGraphQLErrors(await gateway.execute(Page, variables));
    expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error!.message).toContain(message);
  });
});
