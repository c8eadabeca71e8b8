import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LABEL_ORGANIZATION } from '../../src/domain/labels.js';
import type { SetQuotaMutation, SetQuotaMutationVariables } from '../gql/graphql.js';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectGraphQLErrors, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import { allocation, organization, orgNamespace, project, quota, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const SetQuota = graphql(`
  mutation SetQuota($input: SetQuotaInput!) {
    setQuota(input: $input) {
      __typename
      ... on Error { message }
      ... on SetQuotaSuccess {
        quota {
          organization { id }
          isDefault
          resourceVersion
          items { kind { name } quantity isDefault used free }
          problems { code kind }
        }
      }
      ... on QuotaBelowUsageError { violations { kind requested committed reserved } }
      ... on UnknownQuotaKindError { kinds }
      ... on ConflictError { currentResourceVersion }
      ... on NotFoundError { id }
    }
  }
`);

const SetServersLiteral = graphql(`
  mutation SetServersLiteral {
    setQuota(input: { organizationId: "acme", quotas: [{ kind: "servers", quantity: "500m" }] }) { __typename }
  }
`);

const ReadQuota = graphql(`
  query ReadQuota($id: ID!) {
    organization(id: $id) { quota { isDefault resourceVersion items { kind { name } quantity isDefault } } }
  }
`);

type Outcome = SetQuotaMutation['setQuota'];
const as = <T extends Outcome['__typename']>(outcome: Outcome, typename: T) => {
  expect(outcome.__typename, 'message' in outcome ? outcome.message : undefined).toBe(typename);
  return outcome as Extract<Outcome, { __typename: T }>;
};

describe.each(Object.keys(storeFactories))('setQuota (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;

  const setQuota = async (input: SetQuotaMutationVariables['input']) =>
    expectNoGraphQLErrors(await gateway.execute(SetQuota, { input })).setQuota;
  const read = async (id: string) =>
    expectNoGraphQLErrors(await gateway.execute(ReadQuota, { id })).organization!.quota;
  const storedQuota = async (org: string) =>
    (
      await testStore.store.list('Quota', {
        namespace: orgNamespace(org),
        labelSelector: `${LABEL_ORGANIZATION}=${org}`,
      })
    ).items;

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    gateway = await createTestGateway(testStore, [
      quotaMetadata('clusters', 5),
      quotaMetadata('servers', 20),
      quotaMetadata('gpus', 4),
      quotaMetadata('storage', '1Ti'),
      organization('acme'),
      organization('globex'),
      project('acme', 'web'),
      allocation('acme', 'web', 'a1', { servers: { committed: 6, reserved: 2 }, gpus: { committed: 1, reserved: 0 } }),
    ]);
  });
  afterEach(() => testStore.cleanup());

  it('stores only the requested kinds on the first write of a default quota', async () => {
    const success = as(
      await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 40 }] }),
      'SetQuotaSuccess',
    );
    expect(success.quota.isDefault).toBe(false);
    expect(success.quota.organization.id).toBe('acme');
    expect(success.quota.items.map((i) => [i.kind.name, i.quantity, i.isDefault])).toEqual([
      ['clusters', 5, true],
      ['gpus', 4, true],
      ['servers', 40, false],
      ['storage', 1099511627776, true],
    ]);
    const [stored] = await storedQuota('acme');
    expect(stored!.spec).toEqual({ quotas: [{ kind: 'servers', quantity: '40' }] });
    expect(stored!.metadata.labels).toEqual({ [LABEL_ORGANIZATION]: 'acme' });
  });

  it('merges: listed kinds change, the others keep their stored value, and Kubernetes quantities are exact', async () => {
    as(
      await setQuota({
        organizationId: 'acme',
        quotas: [
          { kind: 'servers', quantity: 40 },
          { kind: 'clusters', quantity: '2k' },
        ],
      }),
      'SetQuotaSuccess',
    );
    const success = as(
      await setQuota({ organizationId: 'acme', quotas: [{ kind: 'storage', quantity: '10Gi' }] }),
      'SetQuotaSuccess',
    );
    expect(success.quota.items.map((i) => [i.kind.name, i.quantity, i.isDefault])).toEqual([
      ['clusters', 2000, false],
      ['gpus', 4, true],
      ['servers', 40, false],
      ['storage', 10737418240, false],
    ]);
    expect(await read('acme')).toEqual({
      isDefault: false,
      resourceVersion: success.quota.resourceVersion,
      items: success.quota.items.map(({ kind, quantity, isDefault }) => ({ kind, quantity, isDefault })),
    });
  });

  it('keeps stored entries it does not understand (uncatalogued kinds, unreadable values) when merging', async () => {
    await testStore.seed([quota('globex', { tpus: 3, gpus: 'lots' })]);
    as(await setQuota({ organizationId: 'globex', quotas: [{ kind: 'servers', quantity: 7 }] }), 'SetQuotaSuccess');
    const [stored] = await storedQuota('globex');
    expect(stored!.spec?.quotas).toEqual([
      { kind: 'gpus', quantity: 'lots' },
      { kind: 'servers', quantity: '7' },
      { kind: 'tpus', quantity: '3' }, // the same Kubernetes quantity, as text
    ]);
  });

  it('allows exactly committed + reserved and refuses one below, listing the numbers and writing nothing', async () => {
    as(await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 8 }] }), 'SetQuotaSuccess');
    const before = await read('acme');
    const error = as(
      await setQuota({
        organizationId: 'acme',
        quotas: [
          { kind: 'servers', quantity: 7 },
          { kind: 'gpus', quantity: 0 },
          { kind: 'clusters', quantity: 0 },
        ],
      }),
      'QuotaBelowUsageError',
    );
    expect(error.violations).toEqual([
      { kind: 'gpus', requested: 0, committed: 1, reserved: 0 },
      { kind: 'servers', requested: 7, committed: 6, reserved: 2 },
    ]);
    expect(error.message).toContain('servers');
    expect(await read('acme')).toEqual(before);
  });

  it('checks the first write of a default quota like any other', async () => {
    as(await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 1 }] }), 'QuotaBelowUsageError');
    expect(await storedQuota('acme')).toEqual([]);
    expect((await read('acme')).isDefault).toBe(true);
  });

  it('does not let drift on one kind block changes to another, and lets an overcommitted kind be raised', async () => {
    await testStore.seed([quota('acme', { servers: 5 })]); // 8 in use: overcommitted by drift
    as(await setQuota({ organizationId: 'acme', quotas: [{ kind: 'clusters', quantity: 1 }] }), 'SetQuotaSuccess');
    as(await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 6 }] }), 'SetQuotaSuccess');
    as(await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 5 }] }), 'QuotaBelowUsageError');
  });

  it('refuses uncatalogued kinds, listing them all, before anything else', async () => {
    const error = as(
      await setQuota({
        organizationId: 'acme',
        quotas: [
          { kind: 'tpus', quantity: 1 },
          { kind: 'servers', quantity: 1 },
          { kind: 'fpgas', quantity: 1 },
        ],
      }),
      'UnknownQuotaKindError',
    );
    expect(error.kinds).toEqual(['fpgas', 'tpus']);
    expect(await storedQuota('acme')).toEqual([]);
  });

  it('answers NotFoundError for an unknown organization', async () => {
    const error = as(
      await setQuota({ organizationId: 'nope', quotas: [{ kind: 'servers', quantity: 1 }] }),
      'NotFoundError',
    );
    expect(error.id).toBe('nope');
    expect(error.message).toContain('"nope"');
  });

  it('honours expectedResourceVersion: stale is a ConflictError carrying the current version, current succeeds', async () => {
    const first = as(
      await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 30 }] }),
      'SetQuotaSuccess',
    );
    const version = first.quota.resourceVersion!;
    const second = as(
      await setQuota({
        organizationId: 'acme',
        quotas: [{ kind: 'servers', quantity: 31 }],
        expectedResourceVersion: version,
      }),
      'SetQuotaSuccess',
    );
    const stale = as(
      await setQuota({
        organizationId: 'acme',
        quotas: [{ kind: 'servers', quantity: 99 }],
        expectedResourceVersion: version,
      }),
      'ConflictError',
    );
    expect(stale.currentResourceVersion).toBe(second.quota.resourceVersion);
    expect((await read('acme')).items.find((i) => i.kind.name === 'servers')!.quantity).toBe(31);
  });

  it('answers ConflictError with a null version when a version is expected but no Quota exists', async () => {
    const error = as(
      await setQuota({
        organizationId: 'globex',
        quotas: [{ kind: 'servers', quantity: 3 }],
        expectedResourceVersion: '12',
      }),
      'ConflictError',
    );
    expect(error.currentResourceVersion).toBeNull();
    expect(await storedQuota('globex')).toEqual([]);
  });

  it('lets exactly one of many concurrent writers with the same expected version win', async () => {
    const base = as(
      await setQuota({ organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 30 }] }),
      'SetQuotaSuccess',
    );
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        setQuota({
          organizationId: 'acme',
          quotas: [{ kind: 'servers', quantity: 40 + i }],
          expectedResourceVersion: base.quota.resourceVersion,
        }),
      ),
    );
    const winners = outcomes.filter((o) => o.__typename === 'SetQuotaSuccess');
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o.__typename === 'ConflictError')).toHaveLength(7);
    const won = as(winners[0]!, 'SetQuotaSuccess').quota.items.find((i) => i.kind.name === 'servers')!.quantity;
    expect((await read('acme')).items.find((i) => i.kind.name === 'servers')!.quantity).toBe(won);
  });

  it('loses no concurrent merge: writers of different kinds all land', async () => {
    const kinds = ['clusters', 'servers', 'gpus', 'storage'];
    const outcomes = await Promise.all(
      kinds.map((kind, i) => setQuota({ organizationId: 'globex', quotas: [{ kind, quantity: 100 + i }] })),
    );
    for (const outcome of outcomes) as(outcome, 'SetQuotaSuccess');
    expect((await read('globex')).items.map((i) => [i.kind.name, i.quantity, i.isDefault])).toEqual([
      ['clusters', 100, false],
      ['gpus', 102, false],
      ['servers', 101, false],
      ['storage', 103, false],
    ]);
  });

  describe('malformed input is BAD_USER_INPUT naming the value, and writes nothing', () => {
    it.each([
      ['-1', '"-1"'],
      ['1.5', '"1.5"'],
      ['500m', '"500m"'],
      ['10Xi', '"10Xi"'],
      ['lots', '"lots"'],
      ['9007199254740992', '"9007199254740992"'],
      [1.5, '1.5'],
      [-3, '-3'],
      [true, 'true'],
    ])('quantity %j', async (quantity, named) => {
      const result = await gateway.execute(SetQuota, {
        input: { organizationId: 'acme', quotas: [{ kind: 'servers', quantity: quantity as string }] },
      });
      const [error] = expectGraphQLErrors(result);
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain(named);
      expect(await storedQuota('acme')).toEqual([]);
    });

    it('an invalid literal quantity in the document', async () => {
      const [error] = expectGraphQLErrors(await gateway.execute(SetServersLiteral));
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain('"500m"');
      expect(await storedQuota('acme')).toEqual([]);
    });

    it.each([
      [{ organizationId: 'Acme Corp', quotas: [{ kind: 'servers', quantity: 1 }] }, 'organizationId "Acme Corp"'],
      [{ organizationId: 'acme', quotas: [{ kind: 'Servers!', quantity: 1 }] }, 'quotas.kind "Servers!"'],
      [
        {
          organizationId: 'acme',
          quotas: [
            { kind: 'servers', quantity: 9 },
            { kind: 'servers', quantity: 10 },
          ],
        },
        'more than once',
      ],
    ])('%j', async (input, named) => {
      const [error] = expectGraphQLErrors(await gateway.execute(SetQuota, { input }));
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toContain(named);
      expect(await storedQuota('acme')).toEqual([]);
    });
  });
});
