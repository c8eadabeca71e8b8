import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateAsLocal } from '../../src/auth/plugin.js';
import { createLogger } from '../../src/log.js';
import { createGateway } from '../../src/server.js';
import { type ObjectStore, StoreError } from '../../src/store/types.js';
import { organization, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

const query = '{ quotaKind(name: "servers") { name } organization(id: "acme") { id } }';

describe('unexpected failures are masked and logged with the request id', () => {
  let testStore: TestStore;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    testStore = await storeFactories.sqlite!();
    await testStore.seed([quotaMetadata('servers', 1), organization('acme')]);
    lines = [];
  });
  afterEach(() => testStore.cleanup());

  /** The real store, except that listing the catalogue fails with `error`. */
  const gatewayFailingWith = (error: Error) => {
    const store: ObjectStore = {
      ...testStore.store,
      get: testStore.store.get.bind(testStore.store),
      list: (kind, options) => (kind === 'QuotaMetadata' ? Promise.reject(error) : testStore.store.list(kind, options)),
    };
    const log = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
    return createGateway({ store, identityNamespace: 'unikorn-identity', log, authenticate: authenticateAsLocal });
  };

  const post = (gateway: ReturnType<typeof gatewayFailingWith>) =>
    gateway.fetch('http://quotagraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });

  it('hides an internal error from the client but logs its detail', async () => {
    const response = await post(gatewayFailingWith(new Error('secret connection string postgres://u:p@db')));
    const body = await response.json();
    expect(body.data.organization).toEqual({ id: 'acme' }); // the rest of the query still answers
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toBe('Unexpected error.');
    expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(body)).not.toContain('secret');
    const logged = lines.find((l) => l.message === 'unexpected error');
    expect(logged?.error).toContain('secret connection string');
    expect(logged?.path).toEqual(['quotaKind']);
  });

  it('answers UNAVAILABLE when the store cannot be reached', async () => {
    const response = await post(gatewayFailingWith(new StoreError('Unavailable', 'database is locked')));
    const body = await response.json();
    expect(body.errors[0]).toMatchObject({
      message: 'The object store is unavailable; try again.',
      extensions: { code: 'UNAVAILABLE' },
    });
    expect(lines.some((l) => l.message === 'store unavailable' && l.error === 'database is locked')).toBe(true);
  });
});

describe('the viewer during a store outage', () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await storeFactories.sqlite!();
    await testStore.seed([organization('acme')]);
  });
  afterEach(() => testStore.cleanup());

  it('answers UNAVAILABLE for memberships it cannot read, not an empty list', async () => {
    const store: ObjectStore = {
      ...testStore.store,
      list: testStore.store.list.bind(testStore.store),
      get: () => Promise.reject(new StoreError('Unavailable', 'connection refused')),
    };
    const gateway = createGateway({
      store,
      identityNamespace: 'unikorn-identity',
      log: createLogger({ write: () => {} }),
      authenticate: async () => ({
        subject: 'vera',
        isPlatformAdmin: false,
        memberships: new Map([['acme', 'viewer']]),
      }),
    });
    const response = await gateway.fetch('http://quotagraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { subject memberships { role } } }' }),
    });
    const body = await response.json();
    expect(body.data).toBeNull();
    expect(body.errors).toMatchObject([{ path: ['viewer', 'memberships'], extensions: { code: 'UNAVAILABLE' } }]);
  });
});

describe('variables that cannot be coerced to their type', () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await storeFactories.sqlite!();
  });
  afterEach(() => testStore.cleanup());

  const mutation = 'mutation($input: SetQuotaInput!) { setQuota(input: $input) { __typename } }';

  it.each([
    ['a missing variable', {}, 'of required type "SetQuotaInput!" was not provided'],
    ['a null variable', { input: null }, 'must not be null'],
    ['a missing required field', { input: { organizationId: 'acme' } }, 'Field "quotas" of required type'],
    ['a list for an ID', { input: { organizationId: ['acme'], quotas: [] } }, 'ID cannot represent'],
    ['an unknown field', { input: { organizationId: 'acme', quotas: [], extra: 1 } }, 'Field "extra" is not defined'],
    ['a bad Quantity', { input: { organizationId: 'acme', quotas: [{ kind: 'x', quantity: '1.5.5' }] } }, '"1.5.5"'],
  ])('%s: HTTP 400, BAD_USER_INPUT naming the value, nothing written', async (_case, variables, named) => {
    const gateway = createGateway({
      store: testStore.store,
      identityNamespace: 'unikorn-identity',
      log: createLogger({ write: () => {} }),
      authenticate: authenticateAsLocal,
    });
    const response = await gateway.fetch('http://quotagraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: mutation, variables }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(body.errors[0].message).toContain(named);
    expect((await testStore.store.list('Quota')).items).toEqual([]);
  });
});
