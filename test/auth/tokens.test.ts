/**
 * Token verification for `--auth jwt`: every way a token can be wrong gets its own exact answer,
 * and only a token that is right in every respect becomes a Principal.
 */
import { generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  type Authenticator,
  AuthUnavailableError,
  createJwtAuthenticator,
  KeyFileError,
  type TokenSettings,
  validateJwksUrl,
} from '../../src/auth/tokens.js';
import {
  certificateTestKey,
  createKeyDir,
  generateTestKey,
  type JwksServer,
  type KeyDir,
  privatePem,
  publicJwk,
  publicPem,
  signToken,
  startJwksServer,
  TEST_CERTIFICATE_PEM,
  type TestKey,
  testTokenSettings,
  tokenFor,
  unsignedToken,
} from '../support/tokens.js';

const bearer = (token: string) => `Bearer ${token}`;

/** The error a promise rejects with (failing the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got a principal');
}

async function expectRefused(authenticator: Authenticator, header: string | null | undefined, message: string) {
  const error = await rejection(authenticator.authenticate(header));
  expect(error).toBeInstanceOf(AuthenticationError);
  expect(error.message).toBe(message);
}

let dir: KeyDir;
let rsa: TestKey;
let es: TestKey;
let ed: TestKey;
/** Trusted by nobody, but publishes under es's kid: its signatures must not pass as es's. */
let impostor: TestKey;
/** Verifies against a JWKS file holding rsa, es and ed. */
let auth: Authenticator;

beforeAll(async () => {
  dir = await createKeyDir();
  [rsa, es, ed] = await Promise.all([generateTestKey('RS256'), generateTestKey('ES256'), generateTestKey('EdDSA')]);
  impostor = { ...(await generateTestKey('ES256')), kid: es.kid };
  auth = await createJwtAuthenticator(testTokenSettings({ publicKeyFile: await dir.jwks([rsa, es, ed]) }));
});

afterAll(async () => {
  await dir.remove();
});

describe('valid tokens become principals', () => {
  it.each([
    ['RS256', () => rsa],
    ['ES256', () => es],
    ['EdDSA', () => ed],
  ])('accepts %s', async (_alg, key) => {
    const token = await tokenFor(
      { subject: 'alice', roles: ['platform-admin'], organizations: { acme: 'admin', globex: 'viewer' } },
      { key: key() },
    );
    const principal = await auth.authenticate(bearer(token));
    expect(principal.subject).toBe('alice');
    expect(principal.isPlatformAdmin).toBe(true);
    expect([...principal.memberships]).toEqual([
      ['acme', 'admin'],
      ['globex', 'viewer'],
    ]);
  });

  it('a token without roles or organizations is a plain member of nothing', async () => {
    const principal = await auth.authenticate(bearer(await tokenFor({ subject: 'bob' }, { key: es })));
    expect(principal).toEqual({ subject: 'bob', isPlatformAdmin: false, memberships: new Map() });
  });

  it('ignores unknown roles and grants platform admin only for platform-admin', async () => {
    const token = await tokenFor({ roles: ['billing', 'admin'], organizations: { acme: 'allocator' } }, { key: es });
    const principal = await auth.authenticate(bearer(token));
    expect(principal.isPlatformAdmin).toBe(false);
    expect(principal.memberships.get('acme')).toBe('allocator');
  });

  it('accepts the scheme in any case', async () => {
    const principal = await auth.authenticate(`bEaReR ${await tokenFor({}, { key: es })}`);
    expect(principal.subject).toBe('user-1');
  });

  it('accepts an audience array that contains ours', async () => {
    const token = await tokenFor({}, { key: es, audience: ['other-service', 'quotagraph'] });
    expect((await auth.authenticate(bearer(token))).subject).toBe('user-1');
  });
});

describe('the Authorization header', () => {
  it.each([undefined, null, '', '   '])('refuses a missing header (%j)', async (header) => {
    await expectRefused(auth, header, 'missing bearer token');
  });

  it('refuses another scheme', async () => {
    await expectRefused(auth, 'Basic dXNlcjpwYXNz', 'authorization scheme must be Bearer');
  });

  it('refuses Bearer without a token', async () => {
    await expectRefused(auth, 'Bearer', 'missing bearer token');
    await expectRefused(auth, 'Bearer ', 'missing bearer token');
  });

  it('refuses a token over 8 KiB before parsing it', async () => {
    const token = await signToken({ sub: 'user-1', padding: 'x'.repeat(9 * 1024) }, { key: es });
    await expectRefused(auth, bearer(token), 'token too large');
    // Not even a JWT: the size check comes first.
    await expectRefused(auth, bearer('a'.repeat(8 * 1024 + 1)), 'token too large');
  });
});

describe('malformed tokens', () => {
  it('refuses a token that is not three parts', async () => {
    const [header, payload] = (await tokenFor({}, { key: es })).split('.');
    await expectRefused(auth, bearer(`${header}.${payload}`), 'token is malformed');
    await expectRefused(auth, bearer('just-one-part'), 'token is malformed');
  });

  it('refuses characters outside base64url', async () => {
    const [header, payload, signature] = (await tokenFor({}, { key: es })).split('.');
    await expectRefused(auth, bearer(`${header}.${payload}+/=.${signature}`), 'token is malformed');
    await expectRefused(auth, bearer(`${header}.${payload}. ${signature}`), 'token is malformed');
  });

  it('refuses a header that is not base64url JSON', async () => {
    await expectRefused(auth, bearer('abc.def.ghi'), 'token is malformed');
  });

  it('refuses a correctly signed payload that is not JSON', async () => {
    const token = await new CompactSign(new TextEncoder().encode('not json'))
      .setProtectedHeader({ alg: 'ES256', kid: es.kid })
      .sign(es.privateKey);
    await expectRefused(auth, bearer(token), 'token is malformed');
  });
});

describe('signatures and algorithms', () => {
  it('refuses a signature by another key under a trusted kid', async () => {
    await expectRefused(auth, bearer(await tokenFor({}, { key: impostor })), 'token signature is invalid');
  });

  it('refuses a token whose signature was cut from another token', async () => {
    const [header, payload] = (await tokenFor({ subject: 'mallory' }, { key: es })).split('.');
    const signature = (await tokenFor({}, { key: es })).split('.')[2];
    await expectRefused(auth, bearer(`${header}.${payload}.${signature}`), 'token signature is invalid');
  });

  it('refuses alg none', async () => {
    await expectRefused(auth, bearer(unsignedToken({ sub: 'mallory' })), 'token algorithm none is not accepted');
  });

  it('refuses HS256 signed with the public key PEM as the secret (algorithm confusion)', async () => {
    const pemAuth = await createJwtAuthenticator(testTokenSettings({ publicKeyFile: await dir.pem(rsa) }));
    const secret = new TextEncoder().encode(await publicPem(rsa));
    const token = await signToken({ sub: 'mallory' }, { secret, alg: 'HS256', kid: rsa.kid });
    await expectRefused(pemAuth, bearer(token), 'token algorithm HS256 is not accepted');
  });

  it('does not echo an absurd algorithm name', async () => {
    const [, payload, signature] = (await tokenFor({}, { key: es })).split('.');
    const header = Buffer.from(JSON.stringify({ alg: '<script>'.repeat(5) })).toString('base64url');
    await expectRefused(auth, bearer(`${header}.${payload}.${signature}`), 'token algorithm is not accepted');
  });

  it('refuses a kid the key set does not have', async () => {
    await expectRefused(auth, bearer(await tokenFor({}, { key: es, kid: 'nobody' })), 'token key id is unknown');
  });

  it('tries every key when a token names no kid', async () => {
    const [first, second] = await Promise.all([generateTestKey('ES256'), generateTestKey('ES256')]);
    const twoKeys = await createJwtAuthenticator(testTokenSettings({ publicKeyFile: await dir.jwks([first, second]) }));
    const principal = await twoKeys.authenticate(bearer(await tokenFor({ subject: 'x' }, { key: second, kid: null })));
    expect(principal.subject).toBe('x');
    await expectRefused(twoKeys, bearer(await tokenFor({}, { key: es, kid: null })), 'token signature is invalid');
  });

  it('refuses an algorithm for which no key of the right type exists', async () => {
    const esOnly = await createJwtAuthenticator(testTokenSettings({ publicKeyFile: await dir.pem(es) }));
    await expectRefused(
      esOnly,
      bearer(await tokenFor({}, { key: rsa, kid: null })),
      'no accepted key matches the token',
    );
  });
});

describe('time', () => {
  it('refuses a token expired beyond the 60 s skew', async () => {
    await expectRefused(auth, bearer(await tokenFor({}, { key: es, expiresIn: -120 })), 'token expired');
  });

  it('accepts a token expired 30 s ago (clock skew)', async () => {
    expect((await auth.authenticate(bearer(await tokenFor({}, { key: es, expiresIn: -30 })))).subject).toBe('user-1');
  });

  it('accepts a token valid from 30 s ahead (clock skew)', async () => {
    expect((await auth.authenticate(bearer(await tokenFor({}, { key: es, notBefore: 30 })))).subject).toBe('user-1');
  });

  it('refuses a token valid only from 120 s ahead', async () => {
    await expectRefused(auth, bearer(await tokenFor({}, { key: es, notBefore: 120 })), 'token is not yet valid');
  });

  it('refuses a token issued in the future beyond the skew', async () => {
    await expectRefused(auth, bearer(await tokenFor({}, { key: es, issuedAt: 300 })), 'token is not yet valid');
  });

  it('refuses a token without exp', async () => {
    await expectRefused(
      auth,
      bearer(await tokenFor({}, { key: es, expiresIn: null })),
      'token has no expiry (exp claim)',
    );
  });

  it('refuses a non-numeric exp', async () => {
    const token = await signToken({ sub: 'user-1', exp: 'tomorrow' } as never, { key: es, expiresIn: null });
    await expectRefused(auth, bearer(token), 'claim exp must be a number');
  });
});

describe('issuer and audience', () => {
  it('refuses another issuer', async () => {
    const token = await tokenFor({}, { key: es, issuer: 'https://evil.example' });
    await expectRefused(auth, bearer(token), 'token issuer is not accepted');
  });

  it('refuses a token without an issuer', async () => {
    await expectRefused(auth, bearer(await tokenFor({}, { key: es, issuer: null })), 'token issuer is not accepted');
  });

  it('refuses another audience', async () => {
    const token = await tokenFor({}, { key: es, audience: 'another-service' });
    await expectRefused(auth, bearer(token), 'token audience is not accepted');
  });

  it('refuses a token without an audience', async () => {
    await expectRefused(
      auth,
      bearer(await tokenFor({}, { key: es, audience: null })),
      'token audience is not accepted',
    );
  });
});

describe('claims', () => {
  const organizationsMessage = 'claim organizations must map organization IDs to viewer, admin or allocator';

  it('refuses a token without a subject', async () => {
    const token = await signToken({ roles: ['platform-admin'] }, { key: es });
    await expectRefused(auth, bearer(token), 'claim sub must be a non-empty string of at most 256 characters');
  });

  it.each([[42], [''], ['x'.repeat(257)], [['alice']]])('refuses subject %j', async (sub) => {
    const token = await signToken({ sub } as never, { key: es });
    await expectRefused(auth, bearer(token), 'claim sub must be a non-empty string of at most 256 characters');
  });

  it.each([['platform-admin'], [{ 0: 'platform-admin' }], [['platform-admin', 7]], [null]])(
    'refuses roles %j',
    async (roles) => {
      const token = await signToken({ sub: 'user-1', roles } as never, { key: es });
      await expectRefused(auth, bearer(token), 'claim roles must be an array of strings');
    },
  );

  it.each([
    ['a string', 'acme'],
    ['an array', [{ acme: 'admin' }]],
    ['null', null],
    ['an unknown role', { acme: 'owner' }],
    ['a role list', { acme: ['admin'] }],
    ['a role in another case', { acme: 'Admin' }],
    ['an empty organization ID', { '': 'viewer' }],
    ['an organization ID over 253 characters', { ['o'.repeat(254)]: 'viewer' }],
  ])('refuses organizations as %s', async (_what, organizations) => {
    const token = await signToken({ sub: 'user-1', organizations } as never, { key: es });
    await expectRefused(auth, bearer(token), organizationsMessage);
  });

  it('fails closed: one bad grant refuses the token, not just that grant', async () => {
    const token = await tokenFor({ organizations: { acme: 'admin', globex: 'superuser' } }, { key: es });
    await expectRefused(auth, bearer(token), organizationsMessage);
  });

  it('reads configured claim names as literal keys', async () => {
    const custom = await createJwtAuthenticator(
      testTokenSettings({
        publicKeyFile: await dir.pem(es, 'custom.pem'),
        claims: {
          subject: 'email',
          roles: 'https://quotagraph.test/roles',
          organizations: 'https://quotagraph.test/organizations',
        },
      }),
    );
    const token = await signToken(
      {
        sub: 'ignored',
        email: 'alice@example.com',
        roles: ['platform-admin'],
        'https://quotagraph.test/roles': ['reader'],
        'https://quotagraph.test/organizations': { acme: 'viewer' },
      },
      { key: es },
    );
    const principal = await custom.authenticate(bearer(token));
    expect(principal.subject).toBe('alice@example.com');
    expect(principal.isPlatformAdmin).toBe(false);
    expect([...principal.memberships]).toEqual([['acme', 'viewer']]);
    // A bad value under a configured name is named in the message.
    const bad = await signToken({ email: 'a@b', 'https://quotagraph.test/roles': 'x' }, { key: es });
    await expectRefused(custom, bearer(bad), 'claim https://quotagraph.test/roles must be an array of strings');
  });

  it('never reads a claim name from the prototype', async () => {
    const custom = await createJwtAuthenticator(
      testTokenSettings({
        publicKeyFile: await dir.pem(es, 'proto.pem'),
        claims: { subject: 'sub', roles: 'constructor', organizations: 'toString' },
      }),
    );
    const principal = await custom.authenticate(bearer(await tokenFor({}, { key: es })));
    expect(principal).toEqual({ subject: 'user-1', isPlatformAdmin: false, memberships: new Map() });
  });
});

describe('key files', () => {
  async function accepts(file: string, key: TestKey, kid?: string | null) {
    const fileAuth = await createJwtAuthenticator(testTokenSettings({ publicKeyFile: file }));
    const principal = await fileAuth.authenticate(bearer(await tokenFor({ subject: 'k' }, { key, kid })));
    expect(principal.subject).toBe('k');
    return fileAuth;
  }

  it('reads an SPKI PEM public key, whatever kid the token names', async () => {
    const file = await dir.pem(rsa, 'rsa.pem');
    await accepts(file, rsa);
    await accepts(file, rsa, null);
    await accepts(file, rsa, 'some-other-kid');
  });

  it('accepts PS256 from an RSA key', async () => {
    const ps = await generateTestKey('PS256');
    await accepts(await dir.pem(ps, 'rsa-ps.pem'), ps);
  });

  it('reads an X.509 certificate PEM', async () => {
    await accepts(await dir.write('certificate.pem', TEST_CERTIFICATE_PEM), await certificateTestKey());
  });

  it('reads a single JWK', async () => {
    await accepts(await dir.jwk(ed, 'ed.jwk.json'), ed);
  });

  it('reads a JWK without kid or alg', async () => {
    await accepts(await dir.write('bare.jwk.json', await publicJwk(es, false)), es, 'any');
  });

  it('reads a JWKS and selects by kid', async () => {
    const file = await dir.jwks([rsa, es], 'pair.jwks.json');
    await accepts(file, rsa);
    const fileAuth = await accepts(file, es);
    await expectRefused(fileAuth, bearer(await tokenFor({}, { key: ed })), 'token key id is unknown');
  });

  it('keeps only the public half of a private key file', async () => {
    await accepts(await dir.write('private.pem', await privatePem(es)), es);
  });

  it('skips encryption keys in a JWKS', async () => {
    const jwks = { keys: [{ ...(await publicJwk(rsa)), use: 'enc', alg: 'RSA-OAEP' }, await publicJwk(es)] };
    const fileAuth = await accepts(await dir.write('mixed.jwks.json', jwks), es);
    await expectRefused(fileAuth, bearer(await tokenFor({}, { key: rsa })), 'token key id is unknown');
  });

  describe('refuses at startup, naming the file', () => {
    async function expectKeyFileError(file: string, problem: string) {
      const error = await rejection(createJwtAuthenticator(testTokenSettings({ publicKeyFile: file })));
      expect(error).toBeInstanceOf(KeyFileError);
      expect(error.message).toBe(`JWT public key file ${file} ${problem}`);
    }

    it('a missing file', async () => {
      await expectKeyFileError(`${dir.dir}/absent.pem`, 'does not exist');
    });

    it('a directory', async () => {
      await expectKeyFileError(dir.dir, 'is not a regular file');
    });

    it('garbage', async () => {
      await expectKeyFileError(
        await dir.write('garbage.pem', 'hello'),
        'is not a PEM key or certificate, a JWK or a JWKS',
      );
    });

    it('a corrupt PEM block', async () => {
      const file = await dir.write('corrupt.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
      await expectKeyFileError(file, 'has a PUBLIC KEY PEM block that is not a valid (unencrypted) key or certificate');
    });

    it('several PEM keys', async () => {
      const file = await dir.write('two.pem', `${await publicPem(es)}\n${await publicPem(rsa)}`);
      await expectKeyFileError(file, 'contains 2 PEM blocks; put several keys in a JWKS instead');
    });

    it('invalid JSON', async () => {
      await expectKeyFileError(await dir.write('broken.json', '{"keys": ['), 'is not valid JSON');
    });

    it('a symmetric (oct) JWK', async () => {
      const file = await dir.write('oct.jwk.json', { kty: 'oct', k: 'c2VjcmV0' });
      await expectKeyFileError(file, 'has a symmetric (oct) key in the JWK; only public keys are accepted');
    });

    it('a JWKS with a symmetric key among public ones', async () => {
      const file = await dir.write('oct.jwks.json', { keys: [await publicJwk(es), { kty: 'oct', k: 'c2VjcmV0' }] });
      await expectKeyFileError(file, 'has a symmetric (oct) key in key #2; only public keys are accepted');
    });

    it('an empty JWKS', async () => {
      const file = await dir.write('empty.jwks.json', { keys: [] });
      await expectKeyFileError(file, 'contains no public signing key for an accepted algorithm');
    });

    it('an invalid JWK', async () => {
      const file = await dir.write('invalid.jwk.json', { kty: 'EC', crv: 'P-256', x: 'nope' });
      await expectKeyFileError(file, 'has the JWK that is not a valid RSA, EC or OKP key');
    });

    it('an RSA key under 2048 bits', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const file = await dir.write('small.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString());
      await expectKeyFileError(file, 'has an RSA key of 1024 bits; at least 2048 are required');
    });
  });
});

describe('remote JWKS', () => {
  let server: JwksServer;
  const fast = { timeoutMs: 300, cooldownMs: 0 };
  const remote = (tuning = fast, overrides: Partial<TokenSettings> = {}) =>
    createJwtAuthenticator(testTokenSettings({ jwksUrl: server.url, ...overrides }), tuning);

  beforeAll(async () => {
    server = await startJwksServer([es, rsa]);
  });
  afterEach(() => server.fail(null));
  afterAll(async () => {
    await server.close();
  });

  it('fetches lazily, once, and caches', async () => {
    const before = server.requests;
    const remoteAuth = await remote();
    expect(server.requests).toBe(before);
    expect((await remoteAuth.authenticate(bearer(await tokenFor({ subject: 'r' }, { key: es })))).subject).toBe('r');
    expect((await remoteAuth.authenticate(bearer(await tokenFor({ subject: 'r' }, { key: rsa })))).subject).toBe('r');
    expect(server.requests).toBe(before + 1);
  });

  it('refetches once for an unknown kid, then refuses it', async () => {
    const remoteAuth = await remote();
    await remoteAuth.authenticate(bearer(await tokenFor({}, { key: es })));
    const before = server.requests;
    await expectRefused(remoteAuth, bearer(await tokenFor({}, { key: ed })), 'token key id is unknown');
    expect(server.requests).toBe(before + 1);
  });

  it('does not refetch for unknown kids within the cooldown', async () => {
    const remoteAuth = await remote({ timeoutMs: 300, cooldownMs: 60_000 });
    await remoteAuth.authenticate(bearer(await tokenFor({}, { key: es })));
    const before = server.requests;
    for (const kid of ['made-up-1', 'made-up-2', 'made-up-3']) {
      await expectRefused(remoteAuth, bearer(await tokenFor({}, { key: es, kid })), 'token key id is unknown');
    }
    expect(server.requests).toBe(before);
  });

  it('picks up a rotated key on the refetch its new kid triggers', async () => {
    const rotated = await startJwksServer([es]);
    try {
      const remoteAuth = await createJwtAuthenticator(testTokenSettings({ jwksUrl: rotated.url }), fast);
      await remoteAuth.authenticate(bearer(await tokenFor({}, { key: es })));
      expect(rotated.requests).toBe(1);
      const next = await generateTestKey('ES256', 'rotated-key');
      await rotated.setKeys([next]);
      const principal = await remoteAuth.authenticate(bearer(await tokenFor({ subject: 'after' }, { key: next })));
      expect(principal.subject).toBe('after');
      expect(rotated.requests).toBe(2);
      // The old key is gone from the set now: its tokens are refused.
      await expectRefused(remoteAuth, bearer(await tokenFor({}, { key: es })), 'token key id is unknown');
    } finally {
      await rotated.close();
    }
  });

  it.each(['error', 'hang', 'garbage'] as const)(
    'is unavailable, not unauthenticated, when the server fails (%s)',
    async (mode) => {
      server.fail(mode);
      const error = await rejection((await remote()).authenticate(bearer(await tokenFor({}, { key: es }))));
      expect(error).toBeInstanceOf(AuthUnavailableError);
      expect(error).not.toBeInstanceOf(AuthenticationError);
    },
  );

  it('is unavailable when nothing listens', async () => {
    const gone = await startJwksServer([es]);
    await gone.close();
    const remoteAuth = await createJwtAuthenticator(testTokenSettings({ jwksUrl: gone.url }), fast);
    const error = await rejection(remoteAuth.authenticate(bearer(await tokenFor({}, { key: es }))));
    expect(error).toBeInstanceOf(AuthUnavailableError);
  });

  it('still refuses bad tokens without fetching', async () => {
    const before = server.requests;
    const remoteAuth = await remote();
    await expectRefused(remoteAuth, bearer(unsignedToken({ sub: 'x' })), 'token algorithm none is not accepted');
    await expectRefused(remoteAuth, 'Basic abc', 'authorization scheme must be Bearer');
    expect(server.requests).toBe(before);
  });
});

describe('configuration', () => {
  it.each([
    ['https://idp.example/jwks', null],
    ['http://127.0.0.1:8080/jwks', null],
    ['http://localhost/jwks', null],
    ['http://[::1]:9000/jwks', null],
    [
      'http://idp.example/jwks',
      'JWKS URL must use https (plain http is allowed only on loopback: localhost, 127.0.0.0/8, ::1)',
    ],
    [
      'http://127.0.0.1.evil.example/jwks',
      'JWKS URL must use https (plain http is allowed only on loopback: localhost, 127.0.0.0/8, ::1)',
    ],
    ['ftp://idp.example/jwks', 'JWKS URL must use https'],
    ['not a url', 'JWKS URL is not a valid absolute URL'],
  ])('validateJwksUrl(%s)', (url, expected) => {
    expect(validateJwksUrl(url)).toBe(expected);
  });

  it('refuses a plain-http remote JWKS at creation', async () => {
    const error = await rejection(createJwtAuthenticator(testTokenSettings({ jwksUrl: 'http://idp.example/jwks' })));
    expect(error.message).toMatch(/must use https/);
  });

  it('requires exactly one key source', async () => {
    const both = testTokenSettings({ jwksUrl: 'https://idp.example/jwks', publicKeyFile: '/x.pem' });
    expect((await rejection(createJwtAuthenticator(both))).message).toBe(
      'exactly one of a JWKS URL or a JWT public key file must be configured',
    );
    expect((await rejection(createJwtAuthenticator(testTokenSettings()))).message).toBe(
      'exactly one of a JWKS URL or a JWT public key file must be configured',
    );
  });
});
