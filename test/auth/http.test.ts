/**
 * Authentication as a client meets it: over HTTP, before anything is parsed. A request without a
 * valid token gets 401 UNAUTHENTICATED (introspection included) and costs no store call; keys that
 * cannot be fetched are a 503 the client may retry, not a 401 it would take as final.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthUnavailableError, createJwtAuthenticator } from '../../src/auth/tokens.js';
import { createTestGateway, type TestGateway } from '../support/gateway.js';
import { organization, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';
import {
  createKeyDir,
  defaultTestKey,
  generateTestKey,
  type KeyDir,
  testTokenSettings,
  tokenFor,
  unsignedToken,
} from '../support/tokens.js';

const INTROSPECTION = '{ __schema { queryType { name } types { name } } }';
const READ = '{ quotaKinds { name } organization(id: "acme") { id } }';

let keys: KeyDir;
let testStore: TestStore;
let gateway: TestGateway;

beforeAll(async () => {
  keys = await createKeyDir();
  const authenticator = await createJwtAuthenticator(
    testTokenSettings({ publicKeyFile: await keys.pem(await defaultTestKey()) }),
  );
  testStore = await storeFactories.sqlite!();
  gateway = await createTestGateway(testStore, [quotaMetadata('servers', 1), organization('acme')], {
    authenticate: (header) => authenticator.authenticate(header),
  });
});
afterAll(async () => {
  await testStore.cleanup();
  await keys.remove();
});
beforeEach(() => gateway.store.calls.clear());

const post = (query: string, authorization?: string) =>
  gateway.fetch({ query }, { headers: authorization ? { authorization } : {} });

async function expectUnauthenticated(response: Response, reason: RegExp) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="quotagraph", error="invalid_token"');
  expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
  const body = await response.json();
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
  expect(body.errors[0].message).toMatch(reason);
  expect(gateway.store.total(), 'store calls of an unauthenticated request').toBe(0);
}

describe('without a valid token, nothing is answered', () => {
  it('no Authorization header', async () => {
    await expectUnauthenticated(await post(READ), /^missing bearer token$/);
  });

  it('introspection without a token (the schema is for authenticated callers only)', async () => {
    await expectUnauthenticated(await post(INTROSPECTION), /^missing bearer token$/);
  });

  it('an unsigned token (alg none)', async () => {
    await expectUnauthenticated(
      await post(READ, `Bearer ${unsignedToken({ sub: 'mallory' })}`),
      /^token algorithm none is not accepted$/,
    );
  });

  it('a token signed by a key the gateway does not trust', async () => {
    const stranger = await generateTestKey('ES256', (await defaultTestKey()).kid);
    await expectUnauthenticated(
      await post(READ, `Bearer ${await tokenFor({}, { key: stranger })}`),
      /^token signature is invalid$/,
    );
  });

  it('an expired token', async () => {
    const token = await tokenFor({ subject: 'vera' }, { expiresIn: -3600 });
    await expectUnauthenticated(await post(READ, `Bearer ${token}`), /^token expired$/);
  });
});

describe('with a valid token', () => {
  it('introspection is answered', async () => {
    const response = await post(INTROSPECTION, `Bearer ${await tokenFor({ subject: 'vera' })}`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.queryType).toEqual({ name: 'Query' });
  });

  it('a caller with no role reads the catalogue and not the organization', async () => {
    const response = await post(READ, `Bearer ${await tokenFor({ subject: 'nemo' })}`);
    expect(response.status).toBe(200);
    expect((await response.json()).data).toEqual({ quotaKinds: [{ name: 'servers' }], organization: null });
  });
});

describe('when the keys cannot be fetched', () => {
  it('answers 503 UNAVAILABLE with Retry-After, and calls no store', async () => {
    const unavailableStore = await storeFactories.sqlite!();
    try {
      const unavailable = await createTestGateway(unavailableStore, [], {
        authenticate: async () => {
          throw new AuthUnavailableError('JWKS https://issuer.example/jwks: connection refused');
        },
      });
      const response = await unavailable.fetch({ query: READ }, { headers: { authorization: 'Bearer x.y.z' } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const body = await response.json();
      expect(body.errors).toEqual([
        { message: 'Tokens cannot be verified right now; try again.', extensions: { code: 'UNAVAILABLE' } },
      ]);
      expect(JSON.stringify(body)).not.toContain('issuer.example');
      expect(unavailable.store.total()).toBe(0);
    } finally {
      await unavailableStore.cleanup();
    }
  });
});
