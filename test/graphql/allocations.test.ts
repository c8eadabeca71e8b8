import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMISSION_PENDING,
  ANNOTATION_PENDING_SINCE,
  LABEL_ADMISSION,
  LABEL_ORGANIZATION,
  LABEL_PROJECT,
  LABEL_RESOURCE_ID,
  LABEL_RESOURCE_KIND,
} from '../../src/domain/labels.js';
import type { StoredObject } from '../../src/store/types.js';
import type {
  CreateAllocationMutation,
  CreateAllocationMutationVariables,
  DeleteAllocationMutation,
  DeleteAllocationMutationVariables,
  UpdateAllocationMutation,
  UpdateAllocationMutationVariables,
} from '../gql/graphql.js';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectGraphQLErrors, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import {
  allocation,
  organization,
  orgNamespace,
  project,
  projectNamespace,
  quota,
  quotaMetadata,
} from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const CreateAllocation = graphql(`
  mutation CreateAllocation($input: CreateAllocationInput!) {
    createAllocation(input: $input) {
      __typename
      ... on Error { message }
      ... on CreateAllocationSuccess {
        allocation {
          id
          organization { id }
          project { id }
          resourceKind
          resourceId
          state
          resourceVersion
          items { kind { name } committed reserved }
        }
      }
      ... on QuotaExceededError { violations { kind requested used quantity } }
      ... on DuplicateAllocationError { resourceKind resourceId existingId }
      ... on UnknownQuotaKindError { kinds }
      ... on NotFoundError { id }
      ... on ConflictError { currentResourceVersion }
    }
  }
`);

const UpdateAllocation = graphql(`
  mutation UpdateAllocation($input: UpdateAllocationInput!) {
    updateAllocation(input: $input) {
      __typename
      ... on Error { message }
      ... on UpdateAllocationSuccess {
        allocation { id state resourceVersion items { kind { name } committed reserved } }
      }
      ... on QuotaExceededError { violations { kind requested used quantity } }
      ... on UnknownQuotaKindError { kinds }
      ... on NotFoundError { id }
      ... on ConflictError { currentResourceVersion }
    }
  }
`);

const DeleteAllocation = graphql(`
  mutation DeleteAllocation($input: DeleteAllocationInput!) {
    deleteAllocation(input: $input) {
      __typename
      ... on Error { message }
      ... on DeleteAllocationSuccess { id }
      ... on NotFoundError { id }
      ... on ConflictError { currentResourceVersion }
    }
  }
`);

const ReadAllocations = graphql(`
  query ReadAllocations($id: ID!, $projectId: ID, $first: Int, $after: String) {
    organization(id: $id) {
      quota { isDefault resourceVersion items { kind { name } quantity used pending free } }
      allocations(projectId: $projectId, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges {
          cursor
          node {
            id
            organization { id }
            project { id }
            resourceKind
            resourceId
            state
            resourceVersion
            items { kind { name } committed reserved }
          }
        }
      }
      projects {
        id
        usage { kind { name } used pending }
        allocations { totalCount edges { node { id state } } }
      }
    }
  }
`);

const ProjectAllocationsPage = graphql(`
  query ProjectAllocationsPage($id: ID!, $first: Int, $after: String) {
    organization(id: $id) {
      projects {
        id
        allocations(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { id } }
        }
      }
    }
  }
`);

/** Two creates in one document: the second's nested re-read must see both. */
const CreateTwice = graphql(`
  mutation CreateTwice($first: CreateAllocationInput!, $second: CreateAllocationInput!) {
    first: createAllocation(input: $first) {
      __typename
      ... on CreateAllocationSuccess {
        allocation { organization { quota { item(kind: "servers") { used } } allocations { totalCount } } }
      }
    }
    second: createAllocation(input: $second) {
      __typename
      ... on CreateAllocationSuccess {
        allocation { organization { quota { item(kind: "servers") { used } } allocations { totalCount } } }
      }
    }
  }
`);

type Created = CreateAllocationMutation['createAllocation'];
type Updated = UpdateAllocationMutation['updateAllocation'];
type Deleted = DeleteAllocationMutation['deleteAllocation'];
type Outcome = Created | Updated | Deleted;

const as = <O extends Outcome, T extends O['__typename']>(outcome: O, typename: T) => {
  expect(outcome.__typename, 'message' in outcome ? outcome.message : undefined).toBe(typename);
  return outcome as Extract<O, { __typename: T }>;
};

/** An allocation marked pending, as a writer leaves it while its admission is decided. */
function pendingAllocation(...args: Parameters<typeof allocation>): StoredObject {
  const base = allocation(...args);
  return {
    ...base,
    metadata: {
      ...base.metadata,
      labels: { ...base.metadata.labels, [LABEL_ADMISSION]: ADMISSION_PENDING },
      annotations: { [ANNOTATION_PENDING_SINCE]: new Date().toISOString() },
    },
  };
}

const servers = (committed: number | string, reserved: number | string = 0) => ({
  kind: 'servers',
  committed,
  reserved,
});

describe.each(Object.keys(storeFactories))('allocations (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;

  const create = async (input: Partial<CreateAllocationMutationVariables['input']>) =>
    expectNoGraphQLErrors(
      await gateway.execute(CreateAllocation, {
        input: {
          organizationId: 'acme',
          projectId: 'web',
          resourceKind: 'cluster',
          resourceId: 'c1',
          items: [servers(1)],
          ...input,
        },
      }),
    ).createAllocation;
  const update = async (input: UpdateAllocationMutationVariables['input']) =>
    expectNoGraphQLErrors(await gateway.execute(UpdateAllocation, { input })).updateAllocation;
  const remove = async (input: DeleteAllocationMutationVariables['input']) =>
    expectNoGraphQLErrors(await gateway.execute(DeleteAllocation, { input })).deleteAllocation;
  const read = async (id = 'acme', page: { projectId?: string; first?: number; after?: string } = {}) =>
    expectNoGraphQLErrors(await gateway.execute(ReadAllocations, { id, first: 100, ...page })).organization!;
  const serversItem = async (id = 'acme') => (await read(id)).quota.items.find((i) => i.kind.name === 'servers')!;
  const stored = async (org = 'acme') =>
    (await testStore.store.list('Allocation', { labelSelector: `${LABEL_ORGANIZATION}=${org}` })).items.sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : 1,
    );
  const storedQuota = async (org: string) =>
    (await testStore.store.list('Quota', { namespace: orgNamespace(org) })).items;

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    gateway = await createTestGateway(testStore, [
      quotaMetadata('clusters', 5),
      quotaMetadata('servers', 20),
      quotaMetadata('gpus', 4),
      organization('acme'),
      organization('globex'),
      project('acme', 'web'),
      project('acme', 'ml'),
      project('globex', 'app'),
      quota('acme', { servers: 10, gpus: 4 }),
      // 4 servers in use: room for 6.
      allocation('acme', 'web', 'a1', { servers: { committed: 3, reserved: 1 } }),
    ]);
  });
  afterEach(() => testStore.cleanup());

  describe('createAllocation', () => {
    it('admits an allocation that fits, labelled for its organization, project and resource', async () => {
      const { allocation: created } = as(
        await create({
          resourceKind: 'cluster',
          resourceId: 'Cluster_7.eu',
          items: [servers(2, 1), { kind: 'gpus', committed: '1', reserved: 0 }],
        }),
        'CreateAllocationSuccess',
      );
      expect(created).toMatchObject({
        organization: { id: 'acme' },
        project: { id: 'web' },
        resourceKind: 'cluster',
        resourceId: 'Cluster_7.eu',
        state: 'ADMITTED',
        items: [
          { kind: { name: 'gpus' }, committed: 1, reserved: 0 },
          { kind: { name: 'servers' }, committed: 2, reserved: 1 },
        ],
      });

      const object = (await stored()).find((o) => o.metadata.name === created.id)!;
      expect(object.metadata.namespace).toBe(projectNamespace('acme', 'web'));
      expect(object.metadata.resourceVersion).toBe(created.resourceVersion);
      expect(object.metadata.labels).toEqual({
        [LABEL_ORGANIZATION]: 'acme',
        [LABEL_PROJECT]: 'web',
        [LABEL_RESOURCE_KIND]: 'cluster',
        [LABEL_RESOURCE_ID]: 'Cluster_7.eu',
      });
      expect(object.metadata.annotations ?? {}).toEqual({});
      expect(object.spec).toEqual({
        allocations: [
          { kind: 'gpus', committed: '1', reserved: '0' },
          { kind: 'servers', committed: '2', reserved: '1' },
        ],
      });

      const org = await read();
      const node = org.allocations.edges.find((e) => e.node.id === created.id)!.node;
      expect(node).toEqual(created);
      expect(org.allocations.totalCount).toBe(2);
      expect(org.projects.find((p) => p.id === 'web')!.allocations.edges.map((e) => e.node)).toEqual(
        [
          { id: 'a1', state: 'ADMITTED' },
          { id: created.id, state: 'ADMITTED' },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
      expect(org.projects.find((p) => p.id === 'ml')!.allocations).toEqual({ totalCount: 0, edges: [] });
      expect(org.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({ used: 7, pending: 0, free: 3 });
    });

    it('answers a retried identical create with the same allocation, and a different one for the resource with DuplicateAllocationError', async () => {
      const first = as(await create({ items: [servers(2)] }), 'CreateAllocationSuccess');
      const again = as(await create({ items: [servers(2)] }), 'CreateAllocationSuccess');
      expect(again.allocation).toEqual(first.allocation);
      expect(await stored()).toHaveLength(2);

      const different = as(await create({ items: [servers(3)] }), 'DuplicateAllocationError');
      expect(different).toMatchObject({ resourceKind: 'cluster', resourceId: 'c1', existingId: first.allocation.id });
      expect((await serversItem()).used).toBe(6);
    });

    it('refuses the same resource in another project with DuplicateAllocationError and stores nothing there', async () => {
      const first = as(await create({ projectId: 'web' }), 'CreateAllocationSuccess');
      const duplicate = as(await create({ projectId: 'ml' }), 'DuplicateAllocationError');
      expect(duplicate).toMatchObject({ resourceKind: 'cluster', resourceId: 'c1', existingId: first.allocation.id });
      expect(duplicate.message).toContain('cluster/c1');
      expect((await stored()).map((o) => o.metadata.namespace)).toEqual([
        projectNamespace('acme', 'web'),
        projectNamespace('acme', 'web'),
      ]);
      // A seeded allocation holds its resource too (resource kind `server`, id = its name).
      const seeded = as(
        await create({ projectId: 'ml', resourceKind: 'server', resourceId: 'a1' }),
        'DuplicateAllocationError',
      );
      expect(seeded.existingId).toBe('a1');
      expect(await stored()).toHaveLength(2);
    });

    it('refuses what does not fit with QuotaExceededError, the exact numbers, and nothing stored', async () => {
      const before = await read();
      const storedBefore = await stored();
      const error = as(
        await create({
          items: [
            servers(5, 2),
            { kind: 'gpus', committed: 3, reserved: 2 },
            { kind: 'clusters', committed: 1, reserved: 0 },
          ],
        }),
        'QuotaExceededError',
      );
      expect(error.violations).toEqual([
        { kind: 'gpus', requested: 5, used: 0, quantity: 4 },
        { kind: 'servers', requested: 7, used: 4, quantity: 10 },
      ]);
      expect(error.message).toContain('servers');
      expect(await read()).toEqual(before);
      expect(await stored()).toEqual(storedBefore);
    });

    it('admits an allocation that fills the quota exactly, and refuses one more', async () => {
      as(await create({ items: [servers(4, 2)] }), 'CreateAllocationSuccess');
      expect(await serversItem()).toMatchObject({ quantity: 10, used: 10, free: 0 });
      const error = as(await create({ resourceId: 'c2', items: [servers(0, 1)] }), 'QuotaExceededError');
      expect(error.violations).toEqual([{ kind: 'servers', requested: 1, used: 10, quantity: 10 }]);
    });

    it('counts against catalogue defaults when the organization has no Quota, which stays the default quota', async () => {
      const created = as(
        await create({ organizationId: 'globex', projectId: 'app', items: [servers(20)] }),
        'CreateAllocationSuccess',
      );
      expect(created.allocation.organization.id).toBe('globex');
      const globex = await read('globex');
      // The decision went through the organization's Quota: an empty one now exists, still the default.
      expect(globex.quota.isDefault).toBe(true);
      expect(globex.quota.resourceVersion).toBe((await storedQuota('globex'))[0]!.metadata.resourceVersion);
      expect(globex.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({ quantity: 20, free: 0 });
      as(
        await create({ organizationId: 'globex', projectId: 'app', resourceId: 'c2', items: [servers(1)] }),
        'QuotaExceededError',
      );
    });

    it('refuses uncatalogued kinds with UnknownQuotaKindError listing them, and stores nothing', async () => {
      const error = as(
        await create({
          items: [
            { kind: 'tpus', committed: 1, reserved: 0 },
            servers(1),
            { kind: 'fpgas', committed: 1, reserved: 0 },
          ],
        }),
        'UnknownQuotaKindError',
      );
      expect(error.kinds).toEqual(['fpgas', 'tpus']);
      expect(await stored()).toHaveLength(1);
    });

    it('answers NotFoundError for an unknown organization or project, or a project of another organization', async () => {
      expect(as(await create({ organizationId: 'nope' }), 'NotFoundError').id).toBe('nope');
      const project = as(await create({ projectId: 'nope' }), 'NotFoundError');
      expect(project.id).toBe('nope');
      expect(project.message).toContain('"acme"');
      expect(as(await create({ projectId: 'app' }), 'NotFoundError').id).toBe('app');
      expect(await stored()).toHaveLength(1);
      expect(await stored('globex')).toHaveLength(0);
    });

    it('shows what a write stored in the nested re-read of a later mutation in the same document', async () => {
      const input = {
        organizationId: 'acme',
        projectId: 'web',
        resourceKind: 'cluster',
        items: [{ kind: 'servers', committed: 1, reserved: 0 }],
      };
      const data = expectNoGraphQLErrors(
        await gateway.execute(CreateTwice, {
          first: { ...input, resourceId: 'c1' },
          second: { ...input, resourceId: 'c2' },
        }),
      );
      const org = (outcome: (typeof data)['first']) => {
        expect(outcome.__typename).toBe('CreateAllocationSuccess');
        return outcome.__typename === 'CreateAllocationSuccess' ? outcome.allocation.organization : null;
      };
      expect(org(data.first)).toEqual({ quota: { item: { used: 5 } }, allocations: { totalCount: 2 } });
      expect(org(data.second)).toEqual({ quota: { item: { used: 6 } }, allocations: { totalCount: 3 } });
    });
  });

  describe('updateAllocation', () => {
    let id: string;
    let version: string;
    beforeEach(async () => {
      const created = as(await create({ items: [servers(2)] }), 'CreateAllocationSuccess');
      id = created.allocation.id;
      version = created.allocation.resourceVersion;
    });
    const target = { organizationId: 'acme', projectId: 'web' };

    it('admits an increase that fits, replacing the items', async () => {
      const updated = as(
        await update({ ...target, id, items: [servers(3, 3)], expectedResourceVersion: version }),
        'UpdateAllocationSuccess',
      );
      expect(updated.allocation).toMatchObject({
        id,
        state: 'ADMITTED',
        items: [{ kind: { name: 'servers' }, committed: 3, reserved: 3 }],
      });
      expect(updated.allocation.resourceVersion).not.toBe(version);
      expect(await serversItem()).toMatchObject({ used: 10, free: 0, pending: 0 });
      const object = (await stored()).find((o) => o.metadata.name === id)!;
      expect(object.metadata.labels?.[LABEL_ADMISSION]).toBeUndefined();
      expect(object.metadata.annotations ?? {}).toEqual({});
    });

    it('refuses an increase that does not fit with QuotaExceededError and leaves the allocation as it was', async () => {
      const error = as(await update({ ...target, id, items: [servers(5, 2)] }), 'QuotaExceededError');
      expect(error.violations).toEqual([{ kind: 'servers', requested: 7, used: 4, quantity: 10 }]);
      const org = await read();
      const node = org.allocations.edges.find((e) => e.node.id === id)!.node;
      expect(node).toMatchObject({
        state: 'ADMITTED',
        items: [{ kind: { name: 'servers' }, committed: 2, reserved: 0 }],
      });
      expect(org.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({ used: 6, pending: 0 });
      const object = (await stored()).find((o) => o.metadata.name === id)!;
      expect(object.spec).toEqual({ allocations: [{ kind: 'servers', committed: '2', reserved: '0' }] });
      expect(object.metadata.labels?.[LABEL_ADMISSION]).toBeUndefined();
      expect(object.metadata.annotations ?? {}).toEqual({});
    });

    it('always allows a decrease, even while the organization is overcommitted by drift', async () => {
      await testStore.seed([allocation('acme', 'ml', 'drift', { servers: { committed: 9, reserved: 0 } })]);
      expect(await serversItem()).toMatchObject({ used: 15, free: -5 });
      as(await update({ ...target, id, items: [servers(1)] }), 'UpdateAllocationSuccess');
      // Another kind that fits may grow while servers stay overcommitted.
      as(
        await update({
          organizationId: 'acme',
          projectId: 'ml',
          id: 'drift',
          items: [servers(8), { kind: 'gpus', committed: 1, reserved: 0 }],
        }),
        'UpdateAllocationSuccess',
      );
      expect(await serversItem()).toMatchObject({ used: 13, free: -3 });
      as(await update({ ...target, id, items: [servers(2)] }), 'QuotaExceededError');
    });

    it('answers ConflictError with the current version for a stale expectedResourceVersion, and changes nothing', async () => {
      const current = as(await update({ ...target, id, items: [servers(1)] }), 'UpdateAllocationSuccess');
      const stale = as(
        await update({ ...target, id, items: [servers(3)], expectedResourceVersion: version }),
        'ConflictError',
      );
      expect(stale.currentResourceVersion).toBe(current.allocation.resourceVersion);
      expect((await serversItem()).used).toBe(5);
    });

    it('refuses uncatalogued kinds and answers NotFoundError for an unknown allocation or one in another project', async () => {
      expect(
        as(
          await update({ ...target, id, items: [{ kind: 'tpus', committed: 1, reserved: 0 }] }),
          'UnknownQuotaKindError',
        ).kinds,
      ).toEqual(['tpus']);
      expect(as(await update({ ...target, id: 'nope', items: [servers(1)] }), 'NotFoundError').id).toBe('nope');
      expect(as(await update({ ...target, projectId: 'ml', id, items: [servers(1)] }), 'NotFoundError').id).toBe(id);
      expect(
        as(await update({ ...target, organizationId: 'globex', id, items: [servers(1)] }), 'NotFoundError').id,
      ).toBe('web');
      expect((await serversItem()).used).toBe(6);
    });
  });

  describe('deleteAllocation', () => {
    it('deletes, frees the capacity, and a second delete is NotFoundError', async () => {
      const { allocation: created } = as(await create({ items: [servers(6)] }), 'CreateAllocationSuccess');
      expect((await serversItem()).free).toBe(0);
      const deleted = as(
        await remove({ organizationId: 'acme', projectId: 'web', id: created.id }),
        'DeleteAllocationSuccess',
      );
      expect(deleted.id).toBe(created.id);
      const org = await read();
      expect(org.allocations.edges.map((e) => e.node.id)).toEqual(['a1']);
      expect(org.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({ used: 4, free: 6 });
      expect(await stored()).toHaveLength(1);
      expect(as(await remove({ organizationId: 'acme', projectId: 'web', id: created.id }), 'NotFoundError').id).toBe(
        created.id,
      );
    });

    it('answers NotFoundError for an unknown allocation, project or organization', async () => {
      expect(as(await remove({ organizationId: 'acme', projectId: 'web', id: 'nope' }), 'NotFoundError').id).toBe(
        'nope',
      );
      expect(as(await remove({ organizationId: 'acme', projectId: 'ml', id: 'a1' }), 'NotFoundError').id).toBe('a1');
      expect(as(await remove({ organizationId: 'nope', projectId: 'web', id: 'a1' }), 'NotFoundError').id).toBe('nope');
      expect(await stored()).toHaveLength(1);
    });
  });

  describe('malformed input is BAD_USER_INPUT naming the value, and writes nothing', () => {
    const valid = {
      organizationId: 'acme',
      projectId: 'web',
      resourceKind: 'cluster',
      resourceId: 'c1',
      items: [{ kind: 'servers', committed: 1, reserved: 0 }],
    };
    it.each([
      [{ items: [{ kind: 'servers', committed: '1.5', reserved: 0 }] }, '"1.5"'],
      [{ items: [{ kind: 'servers', committed: 1, reserved: -1 }] }, '-1'],
      [{ items: [{ kind: 'servers', committed: '500m', reserved: 0 }] }, '"500m"'],
      [{ organizationId: 'Acme Corp' }, 'organizationId "Acme Corp"'],
      [{ projectId: 'web/x' }, 'projectId "web/x"'],
      [{ items: [{ kind: 'Servers!', committed: 1, reserved: 0 }] }, 'items.kind "Servers!"'],
      [{ resourceKind: 'a cluster' }, 'resourceKind "a cluster"'],
      [{ resourceKind: '' }, 'resourceKind ""'],
      [{ resourceId: '-c1' }, 'resourceId "-c1"'],
      [{ resourceId: 'x'.repeat(64) }, `resourceId "${'x'.repeat(64)}"`],
      [
        {
          items: [
            { kind: 'servers', committed: 1, reserved: 0 },
            { kind: 'servers', committed: 2, reserved: 0 },
          ],
        },
        'kind "servers" more than once',
      ],
      [{ items: [] }, 'at least one kind'],
    ])('create %j', async (change, named) => {
      const [error] = expectGraphQLErrors(
        await gateway.execute(CreateAllocation, {
          input: { ...valid, ...change } as CreateAllocationMutationVariables['input'],
        }),
      );
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain(named);
      expect(await stored()).toHaveLength(1);
      expect(await storedQuota('acme')).toHaveLength(1);
    });

    it.each([
      [{ id: 'A1' }, 'id "A1"'],
      [{ items: [] }, 'at least one kind'],
      [{ items: [{ kind: 'servers', committed: '10Xi', reserved: 0 }] }, '"10Xi"'],
    ])('update %j', async (change, named) => {
      const before = await stored();
      const [error] = expectGraphQLErrors(
        await gateway.execute(UpdateAllocation, {
          input: { organizationId: 'acme', projectId: 'web', id: 'a1', items: [servers(1)], ...change },
        }),
      );
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain(named);
      expect(await stored()).toEqual(before);
    });

    it('delete with a malformed id', async () => {
      const [error] = expectGraphQLErrors(
        await gateway.execute(DeleteAllocation, { input: { organizationId: 'acme', projectId: 'web', id: 'a_1' } }),
      );
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain('id "a_1"');
      expect(await stored()).toHaveLength(1);
    });
  });

  describe('a pending allocation', () => {
    beforeEach(async () => {
      // 4 + 3 pending: room for 3 if it is admitted, for 6 if it is rolled back.
      await testStore.seed([pendingAllocation('acme', 'ml', 'p1', { servers: { committed: 2, reserved: 1 } })]);
    });

    it('shows as PENDING and counts as usage, shown as pending, in the quota and its project', async () => {
      const org = await read();
      expect(org.allocations.edges.map((e) => [e.node.id, e.node.state])).toEqual([
        ['p1', 'PENDING'],
        ['a1', 'ADMITTED'],
      ]);
      expect(org.quota.items.find((i) => i.kind.name === 'servers')).toMatchObject({ used: 7, pending: 3, free: 3 });
      const usage = (p: string) => org.projects.find((x) => x.id === p)!.usage.find((u) => u.kind.name === 'servers');
      expect(usage('ml')).toMatchObject({ used: 3, pending: 3 });
      expect(usage('web')).toMatchObject({ used: 4, pending: 0 });
    });

    it('blocks a create that only fits without it: contention, so ConflictError after the retries, and nothing stored', async () => {
      const before = await stored();
      as(await create({ items: [servers(5)] }), 'ConflictError');
      expect(await stored()).toEqual(before);
      // What fits alongside it is admitted; what does not fit even without it is a verdict.
      as(await create({ resourceId: 'c2', items: [servers(3)] }), 'CreateAllocationSuccess');
      const error = as(await create({ resourceId: 'c3', items: [servers(4)] }), 'QuotaExceededError');
      expect(error.violations).toEqual([{ kind: 'servers', requested: 4, used: 7, quantity: 10 }]);
    });

    it('makes an update or delete of itself answer ConflictError with its version, changing nothing', async () => {
      const [object] = (await stored()).filter((o) => o.metadata.name === 'p1');
      const version = object!.metadata.resourceVersion;
      const updated = as(
        await update({ organizationId: 'acme', projectId: 'ml', id: 'p1', items: [servers(1)] }),
        'ConflictError',
      );
      expect(updated.currentResourceVersion).toBe(version);
      const deleted = as(await remove({ organizationId: 'acme', projectId: 'ml', id: 'p1' }), 'ConflictError');
      expect(deleted.currentResourceVersion).toBe(version);
      expect((await stored()).find((o) => o.metadata.name === 'p1')).toEqual(object);
    });
  });

  describe('concurrency', () => {
    const creates = (gateways: TestGateway[], count: number) =>
      Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const result = await gateways[i % gateways.length]!.execute(CreateAllocation, {
            input: {
              organizationId: 'acme',
              projectId: i % 2 === 0 ? 'web' : 'ml',
              resourceKind: 'cluster',
              resourceId: `c${i}`,
              items: [servers(1)],
            },
          });
          return expectNoGraphQLErrors(result).createAllocation.__typename;
        }),
      );

    it('admits exactly what fits of 10 concurrent creates with room for 6', async () => {
      const outcomes = await creates([gateway], 10);
      expect(outcomes.filter((o) => o === 'CreateAllocationSuccess')).toHaveLength(6);
      expect(
        outcomes
          .filter((o) => o !== 'CreateAllocationSuccess')
          .every((o) => o === 'QuotaExceededError' || o === 'ConflictError'),
      ).toBe(true);
      expect(await stored()).toHaveLength(7);
      expect(await serversItem()).toMatchObject({ used: 10, pending: 0, free: 0 });
    });

    it('never admits more than the quota across two gateway replicas sharing the store', async () => {
      const replica = await createTestGateway(testStore, []);
      const outcomes = await creates([gateway, replica], 10);
      const admitted = outcomes.filter((o) => o === 'CreateAllocationSuccess').length;
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThanOrEqual(6);
      expect(
        outcomes
          .filter((o) => o !== 'CreateAllocationSuccess')
          .every((o) => o === 'QuotaExceededError' || o === 'ConflictError'),
      ).toBe(true);
      expect(await stored()).toHaveLength(1 + admitted);
      const item = await serversItem();
      expect(item).toMatchObject({ used: 4 + admitted, pending: 0 });
      expect(item.used).toBeLessThanOrEqual(item.quantity);
    });
  });

  describe('connections', () => {
    beforeEach(async () => {
      await testStore.seed([
        allocation('acme', 'web', 'a2', { gpus: { committed: 1, reserved: 0 } }),
        allocation('acme', 'ml', 'm2', { gpus: { committed: 1, reserved: 0 } }),
        allocation('acme', 'ml', 'm1', { gpus: { committed: 1, reserved: 0 } }),
        allocation('acme', 'web', 'a3', { gpus: { committed: 1, reserved: 0 } }),
      ]);
    });

    it('pages through (project id, allocation id) order with first/after and totalCount', async () => {
      const ids: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 3; page++) {
        const { allocations } = await read('acme', { first: 2, ...(after ? { after } : {}) });
        expect(allocations.totalCount).toBe(5);
        expect(allocations.pageInfo.hasPreviousPage).toBe(page > 0);
        expect(allocations.pageInfo.hasNextPage).toBe(page < 2);
        ids.push(...allocations.edges.map((e) => `${e.node.project.id}/${e.node.id}`));
        after = allocations.pageInfo.endCursor!;
      }
      expect(ids).toEqual(['ml/m1', 'ml/m2', 'web/a1', 'web/a2', 'web/a3']);
      const { allocations: rest } = await read('acme', { first: 2, after: after! });
      expect(rest).toMatchObject({ totalCount: 5, edges: [], pageInfo: { hasNextPage: false } });
    });

    it('filters by project, and Project.allocations pages the same way', async () => {
      const { allocations } = await read('acme', { projectId: 'web' });
      expect(allocations.totalCount).toBe(3);
      expect(allocations.edges.map((e) => e.node.id)).toEqual(['a1', 'a2', 'a3']);
      expect((await read('acme', { projectId: 'nope' })).allocations).toMatchObject({ totalCount: 0, edges: [] });

      const page = async (after?: string) =>
        expectNoGraphQLErrors(
          await gateway.execute(ProjectAllocationsPage, { id: 'acme', first: 2, after }),
        ).organization!.projects.find((p) => p.id === 'web')!.allocations;
      const first = await page();
      expect(first).toMatchObject({
        totalCount: 3,
        pageInfo: { hasNextPage: true },
        edges: [{ node: { id: 'a1' } }, { node: { id: 'a2' } }],
      });
      const second = await page(first.pageInfo.endCursor!);
      expect(second).toMatchObject({
        totalCount: 3,
        pageInfo: { hasNextPage: false },
        edges: [{ node: { id: 'a3' } }],
      });
    });

    it('lists only allocations in their project’s namespace, though every labelled one counts as usage', async () => {
      const stray = allocation('acme', 'web', 'stray', { servers: { committed: 1, reserved: 0 } });
      await testStore.seed([{ ...stray, metadata: { ...stray.metadata, namespace: projectNamespace('acme', 'ml') } }]);
      const org = await read();
      expect(org.allocations.edges.map((e) => e.node.id)).not.toContain('stray');
      expect(org.quota.items.find((i) => i.kind.name === 'servers')!.used).toBe(5);
    });

    it.each([
      [{ first: 101 }, 'first must be between 0 and 100, got 101'],
      [{ first: -1 }, 'got -1'],
      [{ after: 'bogus' }, 'after "bogus"'],
      [{ projectId: 'Web' }, 'projectId "Web"'],
    ])('%j is BAD_USER_INPUT', async (page, named) => {
      const [error] = expectGraphQLErrors(await gateway.execute(ReadAllocations, { id: 'acme', ...page }));
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain(named);
    });
  });
});
