import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredObject } from '../../src/store/types.js';
import type {
  CreateFencedAllocationMutation,
  CreateFencedAllocationMutationVariables,
  SetProjectQuotaMutation,
  SetProjectQuotaMutationVariables,
  SetQuotaWithFencesMutation,
  SetQuotaWithFencesMutationVariables,
  UpdateFencedAllocationMutation,
  UpdateFencedAllocationMutationVariables,
} from '../gql/graphql.js';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectGraphQLErrors, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import { allocation, organization, orgNamespace, project, quota, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const ReadPartition = graphql(`
  query ReadPartition($id: ID!) {
    organization(id: $id) {
      quota {
        resourceVersion
        items { kind { name } quantity used free ringFenced sharedQuantity sharedUsed sharedFree }
      }
      projects {
        id
        quota { kind { name } guaranteed limit committed reserved used guaranteedFree available }
      }
    }
  }
`);

const SetProjectQuota = graphql(`
  mutation SetProjectQuota($input: SetProjectQuotaInput!) {
    setProjectQuota(input: $input) {
      __typename
      ... on Error { message }
      ... on SetProjectQuotaSuccess {
        project {
          id
          quota { kind { name } guaranteed limit used guaranteedFree available }
          organization { quota { resourceVersion item(kind: "gpus") { ringFenced sharedQuantity sharedUsed sharedFree } } }
        }
      }
      ... on RingFenceExceedsQuotaError { violations { kind project requested quantity otherFences } }
      ... on ProjectLimitBelowUsageError { violations { kind project limit used } }
      ... on SharedPoolExhaustedError { violations { kind sharedQuantity sharedUsed } }
      ... on UnknownQuotaKindError { kinds }
      ... on NotFoundError { id }
      ... on ConflictError { currentResourceVersion }
    }
  }
`);

const SetQuotaWithFences = graphql(`
  mutation SetQuotaWithFences($input: SetQuotaInput!) {
    setQuota(input: $input) {
      __typename
      ... on Error { message }
      ... on SetQuotaSuccess { quota { items { kind { name } quantity ringFenced sharedQuantity sharedFree } } }
      ... on QuotaBelowRingFencesError { violations { kind requested ringFenced sharedUsed } }
      ... on QuotaBelowUsageError { violations { kind requested committed reserved } }
    }
  }
`);

const CreateFencedAllocation = graphql(`
  mutation CreateFencedAllocation($input: CreateAllocationInput!) {
    createAllocation(input: $input) {
      __typename
      ... on Error { message }
      ... on CreateAllocationSuccess { allocation { id state } }
      ... on QuotaExceededError { violations { kind scope project { id organization { id } } requested used quantity } }
    }
  }
`);

const UpdateFencedAllocation = graphql(`
  mutation UpdateFencedAllocation($input: UpdateAllocationInput!) {
    updateAllocation(input: $input) {
      __typename
      ... on Error { message }
      ... on UpdateAllocationSuccess { allocation { id items { kind { name } committed reserved } } }
      ... on QuotaExceededError { violations { kind scope project { id } requested used quantity } }
    }
  }
`);

type Outcome =
  | SetProjectQuotaMutation['setProjectQuota']
  | SetQuotaWithFencesMutation['setQuota']
  | CreateFencedAllocationMutation['createAllocation']
  | UpdateFencedAllocationMutation['updateAllocation'];

const as = <O extends Outcome, T extends O['__typename']>(outcome: O, typename: T) => {
  expect(outcome.__typename, 'message' in outcome ? outcome.message : undefined).toBe(typename);
  return outcome as Extract<O, { __typename: T }>;
};

type FenceSpec = { kind: string; guaranteed?: number | string; limit?: number | string };

/** A Quota with ring-fences in spec.projects, as an operator would apply it. */
function fencedQuota(
  org: string,
  entries: Record<string, number | string>,
  projects: { project: string; quotas: FenceSpec[] }[],
): StoredObject {
  const base = quota(org, entries);
  return { ...base, spec: { ...base.spec, projects } };
}

const gpus = (committed: number, reserved = 0) => ({ kind: 'gpus', committed, reserved });

// acme: gpus Q=10 with ml guaranteed 4 (so capped at 4), web limited to 3, batch unfenced.
// Usage: ml 3 (2 + 1 reserved), web 2, batch 1. So ringFenced 4, sharedQuantity 6,
// sharedUsed 0 (ml is within its guarantee) + 2 + 1 = 3, sharedFree 3, and available =
// min(L − U, max(0, G − U) + sharedFree): ml min(1, 1 + 3) = 1, web min(1, 3) = 1, batch 3.
describe.each(Object.keys(storeFactories))('project ring-fences (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;

  const read = async (id = 'acme') => expectNoGraphQLErrors(await gateway.execute(ReadPartition, { id })).organization!;
  const item = async (kind: string) => (await read()).quota.items.find((i) => i.kind.name === kind)!;
  const projectItem = async (projectId: string, kind: string) =>
    (await read()).projects.find((p) => p.id === projectId)!.quota.find((i) => i.kind.name === kind)!;
  const setProjectQuota = async (input: SetProjectQuotaMutationVariables['input']) =>
    expectNoGraphQLErrors(await gateway.execute(SetProjectQuota, { input })).setProjectQuota;
  const fence = (projectId: string, quotas: SetProjectQuotaMutationVariables['input']['quotas']) =>
    setProjectQuota({ organizationId: 'acme', projectId, quotas });
  const setQuota = async (input: SetQuotaWithFencesMutationVariables['input']) =>
    expectNoGraphQLErrors(await gateway.execute(SetQuotaWithFences, { input })).setQuota;
  const create = async (projectId: string, resourceId: string, items: ReturnType<typeof gpus>[]) =>
    expectNoGraphQLErrors(
      await gateway.execute(CreateFencedAllocation, {
        input: {
          organizationId: 'acme',
          projectId,
          resourceKind: 'cluster',
          resourceId,
          items,
        } satisfies CreateFencedAllocationMutationVariables['input'],
      }),
    ).createAllocation;
  const update = async (input: UpdateFencedAllocationMutationVariables['input']) =>
    expectNoGraphQLErrors(await gateway.execute(UpdateFencedAllocation, { input })).updateAllocation;
  const storedQuota = async () => {
    const [stored] = (await testStore.store.list('Quota', { namespace: orgNamespace('acme') })).items;
    return stored!;
  };

  /** Asserts a refusal wrote nothing: the stored Quota and the whole read model are as before. */
  const expectUnchanged = async (refusal: () => Promise<unknown>) => {
    const [storedBefore, before] = [await storedQuota(), await read()];
    await refusal();
    expect(await storedQuota()).toEqual(storedBefore);
    expect(await read()).toEqual(before);
  };

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    gateway = await createTestGateway(testStore, [
      quotaMetadata('clusters', 5),
      quotaMetadata('servers', 20),
      quotaMetadata('gpus', 4),
      organization('acme'),
      organization('globex'),
      project('acme', 'ml'),
      project('acme', 'web'),
      project('acme', 'batch'),
      project('globex', 'app'),
      fencedQuota('acme', { gpus: 10, servers: 50 }, [
        { project: 'ml', quotas: [{ kind: 'gpus', guaranteed: 4 }] },
        { project: 'web', quotas: [{ kind: 'gpus', limit: 3 }] },
      ]),
      allocation('acme', 'ml', 'm1', { gpus: { committed: 2, reserved: 1 } }),
      allocation('acme', 'web', 'w1', { gpus: { committed: 2, reserved: 0 } }),
      allocation('acme', 'batch', 'b1', { gpus: { committed: 1, reserved: 0 } }),
    ]);
  });
  afterEach(() => testStore.cleanup());

  describe('the read model', () => {
    it('shows the shared pool per kind and every project’s share with exact numbers', async () => {
      const org = await read();
      expect(org.quota.items).toEqual([
        {
          kind: { name: 'clusters' },
          quantity: 5,
          used: 0,
          free: 5,
          ringFenced: 0,
          sharedQuantity: 5,
          sharedUsed: 0,
          sharedFree: 5,
        },
        {
          kind: { name: 'gpus' },
          quantity: 10,
          used: 6,
          free: 4,
          ringFenced: 4,
          sharedQuantity: 6,
          sharedUsed: 3,
          sharedFree: 3,
        },
        {
          kind: { name: 'servers' },
          quantity: 50,
          used: 0,
          free: 50,
          ringFenced: 0,
          sharedQuantity: 50,
          sharedUsed: 0,
          sharedFree: 50,
        },
      ]);
      const unfenced = (kind: string, available: number) => ({
        kind: { name: kind },
        guaranteed: null,
        limit: null,
        committed: 0,
        reserved: 0,
        used: 0,
        guaranteedFree: 0,
        available,
      });
      expect(org.projects).toEqual([
        {
          id: 'batch',
          quota: [
            unfenced('clusters', 5),
            {
              kind: { name: 'gpus' },
              guaranteed: null,
              limit: null,
              committed: 1,
              reserved: 0,
              used: 1,
              guaranteedFree: 0,
              available: 3,
            },
            unfenced('servers', 50),
          ],
        },
        {
          id: 'ml',
          quota: [
            unfenced('clusters', 5),
            // Only a guarantee: it is also the limit (a hard budget).
            {
              kind: { name: 'gpus' },
              guaranteed: 4,
              limit: 4,
              committed: 2,
              reserved: 1,
              used: 3,
              guaranteedFree: 1,
              available: 1,
            },
            unfenced('servers', 50),
          ],
        },
        {
          id: 'web',
          quota: [
            unfenced('clusters', 5),
            {
              kind: { name: 'gpus' },
              guaranteed: null,
              limit: 3,
              committed: 2,
              reserved: 0,
              used: 2,
              guaranteedFree: 0,
              available: 1,
            },
            unfenced('servers', 50),
          ],
        },
      ]);
    });

    it('bounds `available` by the shared pool: once it is full only what is left of a guarantee is available', async () => {
      as(await create('batch', 'b2', [gpus(3)]), 'CreateAllocationSuccess');
      expect(await item('gpus')).toMatchObject({ used: 9, free: 1, sharedUsed: 6, sharedFree: 0 });
      const org = await read();
      const available = Object.fromEntries(
        org.projects.map((p) => [p.id, p.quota.find((i) => i.kind.name === 'gpus')!.available]),
      );
      expect(available).toEqual({ batch: 0, ml: 1, web: 0 });
    });

    it('a project with a guarantee and a larger limit can overflow into the shared pool', async () => {
      as(await fence('ml', [{ kind: 'gpus', guaranteed: 4, limit: 9 }]), 'SetProjectQuotaSuccess');
      // min(9 − 3, (4 − 3) + 3) = 4
      expect(await projectItem('ml', 'gpus')).toMatchObject({
        guaranteed: 4,
        limit: 9,
        guaranteedFree: 1,
        available: 4,
      });
      as(await create('ml', 'm2', [gpus(3)]), 'CreateAllocationSuccess');
      // ml uses 6: 4 in its guarantee, 2 from the shared pool.
      expect(await item('gpus')).toMatchObject({
        used: 9,
        ringFenced: 4,
        sharedQuantity: 6,
        sharedUsed: 5,
        sharedFree: 1,
      });
      expect(await projectItem('ml', 'gpus')).toMatchObject({ used: 6, guaranteedFree: 0, available: 1 });
    });
  });

  describe('setProjectQuota', () => {
    it('stores a fence, merging per kind, and answers the project with its new share', async () => {
      const success = as(await fence('batch', [{ kind: 'gpus', guaranteed: 2, limit: '5' }]), 'SetProjectQuotaSuccess');
      expect(success.project.id).toBe('batch');
      expect(success.project.quota.find((i) => i.kind.name === 'gpus')).toEqual({
        kind: { name: 'gpus' },
        guaranteed: 2,
        limit: 5,
        used: 1,
        guaranteedFree: 1,
        // ringFenced 6, sharedQuantity 4, sharedUsed 0 + 2 + 0 = 2: min(5 − 1, 1 + 2) = 3
        available: 3,
      });
      expect(success.project.organization.quota.item).toEqual({
        ringFenced: 6,
        sharedQuantity: 4,
        sharedUsed: 2,
        sharedFree: 2,
      });
      expect(success.project.organization.quota.resourceVersion).toBe((await storedQuota()).metadata.resourceVersion);

      // Another kind of the same project: gpus keeps its fence.
      as(await fence('batch', [{ kind: 'servers', limit: 10 }]), 'SetProjectQuotaSuccess');
      const batch = (await read()).projects.find((p) => p.id === 'batch')!.quota;
      expect(batch.map((i) => [i.kind.name, i.guaranteed, i.limit, i.available])).toEqual([
        ['clusters', null, null, 5],
        ['gpus', 2, 5, 3],
        ['servers', null, 10, 10],
      ]);
      // The organization's quantities and the other projects' fences are untouched.
      const stored = await storedQuota();
      expect(stored.spec?.quotas).toEqual([
        { kind: 'gpus', quantity: 10 },
        { kind: 'servers', quantity: 50 },
      ]);
      expect(await projectItem('ml', 'gpus')).toMatchObject({ guaranteed: 4, limit: 4 });
      expect(await projectItem('web', 'gpus')).toMatchObject({ guaranteed: null, limit: 3 });
    });

    it('an entry with both null removes that kind’s fence', async () => {
      as(await fence('ml', [{ kind: 'gpus', guaranteed: null, limit: null }]), 'SetProjectQuotaSuccess');
      expect(await projectItem('ml', 'gpus')).toMatchObject({
        guaranteed: null,
        limit: null,
        used: 3,
        guaranteedFree: 0,
        available: 4,
      });
      expect(await item('gpus')).toMatchObject({ ringFenced: 0, sharedQuantity: 10, sharedUsed: 6, sharedFree: 4 });
      const projects = (await storedQuota()).spec?.projects as { project: string; quotas: unknown[] }[];
      expect(projects.filter((p) => p.quotas.length > 0).map((p) => p.project)).toEqual(['web']);
      // Omitted fields are null too.
      as(await fence('web', [{ kind: 'gpus' }]), 'SetProjectQuotaSuccess');
      expect(await item('gpus')).toMatchObject({ ringFenced: 0, sharedUsed: 6, sharedFree: 4 });
      expect(await projectItem('web', 'gpus')).toMatchObject({ limit: null, available: 4 });
    });

    it('I1: refuses guarantees that add up to more than the quantity (exactly equal is fine), writing nothing', async () => {
      as(await fence('ml', [{ kind: 'servers', guaranteed: 30 }]), 'SetProjectQuotaSuccess');
      as(await fence('web', [{ kind: 'servers', guaranteed: 20 }]), 'SetProjectQuotaSuccess');
      expect(await item('servers')).toMatchObject({ ringFenced: 50, sharedQuantity: 0, sharedFree: 0 });
      await expectUnchanged(async () => {
        const error = as(await fence('batch', [{ kind: 'servers', guaranteed: 1 }]), 'RingFenceExceedsQuotaError');
        expect(error.violations).toEqual([
          { kind: 'servers', project: 'batch', requested: 1, quantity: 50, otherFences: 50 },
        ]);
        expect(error.message).toContain('servers');
      });
      await expectUnchanged(async () => {
        const error = as(await fence('web', [{ kind: 'gpus', guaranteed: 7 }]), 'RingFenceExceedsQuotaError');
        expect(error.violations).toEqual([
          { kind: 'gpus', project: 'web', requested: 7, quantity: 10, otherFences: 4 },
        ]);
      });
    });

    it('I3: refuses a limit below the project’s usage (exactly its usage is fine), writing nothing', async () => {
      await expectUnchanged(async () => {
        const error = as(await fence('web', [{ kind: 'gpus', limit: 1 }]), 'ProjectLimitBelowUsageError');
        expect(error.violations).toEqual([{ kind: 'gpus', project: 'web', limit: 1, used: 2 }]);
        expect(error.message).toContain('web');
      });
      // A guarantee alone is also the limit: ml uses 3.
      await expectUnchanged(async () => {
        const error = as(await fence('ml', [{ kind: 'gpus', guaranteed: 2 }]), 'ProjectLimitBelowUsageError');
        expect(error.violations).toEqual([{ kind: 'gpus', project: 'ml', limit: 2, used: 3 }]);
      });
      as(await fence('web', [{ kind: 'gpus', limit: 2 }]), 'SetProjectQuotaSuccess');
      expect(await projectItem('web', 'gpus')).toMatchObject({ limit: 2, used: 2, available: 0 });
    });

    it('I2: refuses raising a guarantee that squeezes the others’ overflow out of the shared pool, writing nothing', async () => {
      // ml 8: ringFenced 8, shared pool 2, but web and batch already use 3 of it.
      await expectUnchanged(async () => {
        const error = as(await fence('ml', [{ kind: 'gpus', guaranteed: 8 }]), 'SharedPoolExhaustedError');
        expect(error.violations).toEqual([{ kind: 'gpus', sharedQuantity: 2, sharedUsed: 3 }]);
        expect(error.message).toContain('gpus');
      });
      // ml 7: the shared pool of 3 holds exactly the 3 in use.
      as(await fence('ml', [{ kind: 'gpus', guaranteed: 7 }]), 'SetProjectQuotaSuccess');
      expect(await item('gpus')).toMatchObject({ ringFenced: 7, sharedQuantity: 3, sharedUsed: 3, sharedFree: 0 });
    });

    it('refuses uncatalogued kinds, unknown projects and organizations, writing nothing', async () => {
      await expectUnchanged(async () => {
        const error = as(
          await fence('ml', [
            { kind: 'tpus', guaranteed: 1 },
            { kind: 'gpus', guaranteed: 1 },
            { kind: 'fpgas', limit: 1 },
          ]),
          'UnknownQuotaKindError',
        );
        expect(error.kinds).toEqual(['fpgas', 'tpus']);
      });
      await expectUnchanged(async () => {
        expect(as(await fence('nope', [{ kind: 'gpus', guaranteed: 1 }]), 'NotFoundError').id).toBe('nope');
        // A project of another organization is not one of acme's.
        expect(as(await fence('app', [{ kind: 'gpus', guaranteed: 1 }]), 'NotFoundError').id).toBe('app');
      });
      const org = as(
        await setProjectQuota({ organizationId: 'nope', projectId: 'ml', quotas: [{ kind: 'gpus', guaranteed: 1 }] }),
        'NotFoundError',
      );
      expect(org.id).toBe('nope');
      expect((await testStore.store.list('Quota', { namespace: orgNamespace('globex') })).items).toEqual([]);
    });

    it('honours expectedResourceVersion: stale is a ConflictError carrying the current version', async () => {
      const version = (await read()).quota.resourceVersion!;
      const first = as(
        await setProjectQuota({
          organizationId: 'acme',
          projectId: 'batch',
          quotas: [{ kind: 'gpus', limit: 6 }],
          expectedResourceVersion: version,
        }),
        'SetProjectQuotaSuccess',
      );
      const current = first.project.organization.quota.resourceVersion;
      expect(current).not.toBe(version);
      await expectUnchanged(async () => {
        const stale = as(
          await setProjectQuota({
            organizationId: 'acme',
            projectId: 'batch',
            quotas: [{ kind: 'gpus', limit: 7 }],
            expectedResourceVersion: version,
          }),
          'ConflictError',
        );
        expect(stale.currentResourceVersion).toBe(current);
      });
      expect(await projectItem('batch', 'gpus')).toMatchObject({ limit: 6 });
    });
  });

  describe('allocations against fences', () => {
    it('I4: admits a fenced project up to its guarantee even when the shared pool is full', async () => {
      as(await create('batch', 'b2', [gpus(3)]), 'CreateAllocationSuccess');
      expect(await item('gpus')).toMatchObject({ sharedFree: 0 });
      as(await create('ml', 'm2', [gpus(0, 1)]), 'CreateAllocationSuccess');
      expect(await item('gpus')).toMatchObject({ used: 10, free: 0, sharedUsed: 6, sharedFree: 0 });
      expect(await projectItem('ml', 'gpus')).toMatchObject({ used: 4, guaranteedFree: 0, available: 0 });
    });

    it('I4 for updates: an update that keeps the project within its guarantee is admitted when the pool is full', async () => {
      as(await create('batch', 'b2', [gpus(3)]), 'CreateAllocationSuccess');
      const updated = as(
        await update({ organizationId: 'acme', projectId: 'ml', id: 'm1', items: [gpus(3, 1)] }),
        'UpdateAllocationSuccess',
      );
      expect(updated.allocation.items).toEqual([{ kind: { name: 'gpus' }, committed: 3, reserved: 1 }]);
      // One more would break both ml's budget (4) and the full shared pool.
      const error = as(
        await update({ organizationId: 'acme', projectId: 'ml', id: 'm1', items: [gpus(5)] }),
        'QuotaExceededError',
      );
      expect(error.violations).toEqual([
        { kind: 'gpus', scope: 'PROJECT_LIMIT', project: { id: 'ml' }, requested: 5, used: 0, quantity: 4 },
        { kind: 'gpus', scope: 'SHARED_POOL', project: { id: 'ml' }, requested: 5, used: 6, quantity: 6 },
      ]);
    });

    it('beyond its guarantee, a project’s overflow must fit the shared pool (SHARED_POOL, naming the project)', async () => {
      as(await fence('ml', [{ kind: 'gpus', guaranteed: 4, limit: 9 }]), 'SetProjectQuotaSuccess');
      as(await create('ml', 'm2', [gpus(4)]), 'CreateAllocationSuccess'); // 1 in the guarantee, 3 overflow: full
      expect(await item('gpus')).toMatchObject({ used: 10, sharedUsed: 6, sharedFree: 0 });
      await expectUnchanged(async () => {
        const error = as(await create('ml', 'm3', [gpus(1)]), 'QuotaExceededError');
        expect(error.violations).toEqual([
          {
            kind: 'gpus',
            scope: 'SHARED_POOL',
            project: { id: 'ml', organization: { id: 'acme' } },
            requested: 1,
            used: 6,
            quantity: 6,
          },
        ]);
        expect(error.message).toContain('gpus');
      });
    });

    it('a project without a guarantee draws only on the shared pool (SHARED_POOL, used = the pool in use before)', async () => {
      as(await create('batch', 'b2', [gpus(3)]), 'CreateAllocationSuccess'); // the pool is full: 6 of 6
      await expectUnchanged(async () => {
        const error = as(await create('web', 'w2', [gpus(1)]), 'QuotaExceededError');
        expect(error.violations).toEqual([
          {
            kind: 'gpus',
            scope: 'SHARED_POOL',
            project: { id: 'web', organization: { id: 'acme' } },
            requested: 1,
            used: 6,
            quantity: 6,
          },
        ]);
      });
    });

    it('beyond its limit a project is refused (PROJECT_LIMIT) though the shared pool has room', async () => {
      as(await create('web', 'w2', [gpus(1)]), 'CreateAllocationSuccess'); // exactly its limit of 3
      expect(await projectItem('web', 'gpus')).toMatchObject({ used: 3, available: 0 });
      await expectUnchanged(async () => {
        const error = as(await create('web', 'w3', [gpus(1)]), 'QuotaExceededError');
        expect(error.violations).toEqual([
          {
            kind: 'gpus',
            scope: 'PROJECT_LIMIT',
            project: { id: 'web', organization: { id: 'acme' } },
            requested: 1,
            used: 3,
            quantity: 3,
          },
        ]);
        expect(error.message).toContain('gpus');
      });
    });

    it('a kind without fences is bounded by the organization’s quota (ORGANIZATION, no project)', async () => {
      const error = as(
        await create('batch', 'b2', [{ kind: 'servers', committed: 51, reserved: 0 }]),
        'QuotaExceededError',
      );
      expect(error.violations).toEqual([
        { kind: 'servers', scope: 'ORGANIZATION', project: null, requested: 51, used: 0, quantity: 50 },
      ]);
    });
  });

  describe('setQuota with fences', () => {
    it('refuses a quantity below ringFenced + sharedUsed with QuotaBelowRingFencesError, writing nothing', async () => {
      as(await fence('ml', [{ kind: 'servers', guaranteed: 30 }]), 'SetProjectQuotaSuccess');
      await expectUnchanged(async () => {
        const error = as(
          await setQuota({
            organizationId: 'acme',
            quotas: [
              { kind: 'servers', quantity: 29 }, // below the guarantees, though nothing is in use
              { kind: 'gpus', quantity: 6 }, // holds the 6 in use, but not the 3 used beyond guarantees
            ],
          }),
          'QuotaBelowRingFencesError',
        );
        expect(error.violations).toEqual([
          { kind: 'gpus', requested: 6, ringFenced: 4, sharedUsed: 3 },
          { kind: 'servers', requested: 29, ringFenced: 30, sharedUsed: 0 },
        ]);
        expect(error.message).toContain('gpus');
      });
      const success = as(
        await setQuota({
          organizationId: 'acme',
          quotas: [
            { kind: 'servers', quantity: 30 },
            { kind: 'gpus', quantity: 7 },
          ],
        }),
        'SetQuotaSuccess',
      );
      expect(success.quota.items.filter((i) => i.kind.name !== 'clusters')).toEqual([
        { kind: { name: 'gpus' }, quantity: 7, ringFenced: 4, sharedQuantity: 3, sharedFree: 0 },
        { kind: { name: 'servers' }, quantity: 30, ringFenced: 30, sharedQuantity: 0, sharedFree: 0 },
      ]);
    });
  });

  describe('setQuota below usage on a fenced kind', () => {
    it('is QuotaBelowUsageError when the quantity is below the usage itself, fences or not', async () => {
      // gpus: 6 in use (committed 5, reserved 1); ringFenced 4 + sharedUsed 3 = 7.
      await expectUnchanged(async () => {
        const error = as(
          await setQuota({ organizationId: 'acme', quotas: [{ kind: 'gpus', quantity: 5 }] }),
          'QuotaBelowUsageError',
        );
        expect(error.violations).toEqual([{ kind: 'gpus', requested: 5, committed: 5, reserved: 1 }]);
      });
    });

    it('with limits only (ringFenced 0), below usage is QuotaBelowUsageError', async () => {
      await testStore.seed([allocation('acme', 'batch', 'b2', { servers: { committed: 4, reserved: 0 } })]);
      as(await fence('web', [{ kind: 'servers', limit: 10 }]), 'SetProjectQuotaSuccess');
      const error = as(
        await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 3 }] }),
        'QuotaBelowUsageError',
      );
      expect(error.violations).toEqual([{ kind: 'servers', requested: 3, committed: 4, reserved: 0 }]);
    });
  });

  describe('malformed input is BAD_USER_INPUT naming the value, and writes nothing', () => {
    it.each([
      [{ organizationId: 'Acme Corp' }, 'organizationId "Acme Corp"'],
      [{ projectId: 'ML' }, 'projectId "ML"'],
      [{ quotas: [{ kind: 'Gpus!', guaranteed: 1 }] }, 'quotas.kind "Gpus!"'],
      [
        {
          quotas: [
            { kind: 'gpus', guaranteed: 1 },
            { kind: 'gpus', limit: 2 },
          ],
        },
        'kind "gpus" more than once',
      ],
      [{ quotas: [{ kind: 'gpus', guaranteed: 4, limit: 3 }] }, 'limit 3 is below guaranteed 4'],
      [{ quotas: [{ kind: 'gpus', guaranteed: '2k', limit: '1500' }] }, 'limit 1500 is below guaranteed 2000'],
      [{ quotas: [{ kind: 'gpus', guaranteed: '1.5' }] }, '"1.5"'],
      [{ quotas: [{ kind: 'gpus', limit: -1 }] }, '-1'],
      [{ quotas: [{ kind: 'gpus', limit: '500m' }] }, '"500m"'],
    ])('%j', async (change, named) => {
      await expectUnchanged(async () => {
        const [error] = expectGraphQLErrors(
          await gateway.execute(SetProjectQuota, {
            input: {
              organizationId: 'acme',
              projectId: 'ml',
              quotas: [{ kind: 'gpus', guaranteed: 1 }],
              ...change,
            } as SetProjectQuotaMutationVariables['input'],
          }),
        );
        expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error!.message).toContain(named);
      });
    });
  });
});
