/**
 * Test-side token minting: key pairs, signed (and deliberately broken) tokens, key files, and a real
 * JWKS HTTP server. Shared by the token unit tests and the GraphQL/e2e tests that run with `--auth jwt`.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  base64url,
  type CryptoKey,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { DEFAULT_CLAIMS, type TokenSettings } from '../../src/auth/tokens.js';

export const TEST_ISSUER = 'https://issuer.quotagraph.test';
export const TEST_AUDIENCE = 'quotagraph';

export type TestAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface TestKey {
  alg: string;
  /** The kid tokens carry by default and the public JWK is published under. */
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

let keyCounter = 0;

export async function generateTestKey(alg: TestAlgorithm = 'ES256', kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  keyCounter += 1;
  return { alg, kid: kid ?? `${alg.toLowerCase()}-${keyCounter}`, privateKey, publicKey };
}

let defaultKey: Promise<TestKey> | undefined;

/** One ES256 key per test file, for tests that need "a valid token" and nothing special. */
export function defaultTestKey(): Promise<TestKey> {
  defaultKey ??= generateTestKey('ES256', 'quotagraph-test');
  return defaultKey;
}

/** The public JWK as an identity provider would publish it (kid, alg, use). */
export async function publicJwk(key: TestKey, withMetadata = true): Promise<JWK> {
  const jwk = await exportJWK(key.publicKey);
  return withMetadata ? { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' } : jwk;
}

export async function publicJwks(keys: TestKey[]): Promise<{ keys: JWK[] }> {
  return { keys: await Promise.all(keys.map((key) => publicJwk(key))) };
}

export async function publicPem(key: TestKey): Promise<string> {
  return exportSPKI(key.publicKey);
}

export async function privatePem(key: TestKey): Promise<string> {
  return exportPKCS8(key.privateKey);
}

export interface SignOptions {
  key?: TestKey;
  /** Sign with HMAC instead (with `alg: 'HS256'`), for algorithm-confusion tests. */
  secret?: Uint8Array;
  alg?: string;
  /** null: no kid header. */
  kid?: string | null;
  /** null: no iss claim. */
  issuer?: string | null;
  /** null: no aud claim. */
  audience?: string | string[] | null;
  /** Seconds from now; negative means already expired; null: no exp claim. Default 300. */
  expiresIn?: number | null;
  /** Seconds from now for nbf; omitted by default. */
  notBefore?: number;
  /** Seconds from now for iat; default 0. */
  issuedAt?: number;
  /** Extra or replacement protected header parameters. */
  header?: Record<string, unknown>;
}

/** A compact JWS over `claims` plus the standard claims (iss, aud, iat, exp) unless told otherwise. */
export async function signToken(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const key = options.key ?? (options.secret ? undefined : await defaultTestKey());
  const alg = options.alg ?? key?.alg ?? 'HS256';
  const kid = options.kid === undefined ? key?.kid : options.kid;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, ...(kid === null || kid === undefined ? {} : { kid }), typ: 'JWT', ...options.header })
    .setIssuedAt(now + (options.issuedAt ?? 0));
  const issuer = options.issuer === undefined ? TEST_ISSUER : options.issuer;
  if (issuer !== null) jwt.setIssuer(issuer);
  const audience = options.audience === undefined ? TEST_AUDIENCE : options.audience;
  if (audience !== null) jwt.setAudience(audience);
  const expiresIn = options.expiresIn === undefined ? 300 : options.expiresIn;
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn);
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(options.secret ?? key!.privateKey);
}

/** An `alg: none` token, built by hand (jose will not sign one). */
export function unsignedToken(claims: JWTPayload): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 300, ...claims };
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

export interface TokenFor {
  subject?: string;
  roles?: string[];
  organizations?: Record<string, string>;
}

/** A valid token (default key, default claim names) for a caller with these grants. */
export async function tokenFor(grants: TokenFor = {}, options: SignOptions = {}): Promise<string> {
  const claims: JWTPayload = { sub: grants.subject ?? 'user-1' };
  if (grants.roles) claims.roles = grants.roles;
  if (grants.organizations) claims.organizations = grants.organizations;
  return signToken(claims, options);
}

/** Settings for a key file and the test issuer/audience. */
export function testTokenSettings(overrides: Partial<TokenSettings> = {}): TokenSettings {
  return { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, claims: { ...DEFAULT_CLAIMS }, ...overrides };
}

export interface KeyDir {
  dir: string;
  /** Writes `content` (a string, or JSON for anything else) to `name`; returns the path. */
  write(name: string, content: unknown): Promise<string>;
  pem(key: TestKey, name?: string): Promise<string>;
  jwk(key: TestKey, name?: string): Promise<string>;
  jwks(keys: TestKey[], name?: string): Promise<string>;
  remove(): Promise<void>;
}

/** A temporary directory for key files. Call remove() in afterAll. */
export async function createKeyDir(): Promise<KeyDir> {
  const dir = await mkdtemp(join(tmpdir(), 'quotagraph-keys-'));
  const write = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  return {
    dir,
    write,
    pem: async (key, name = `${key.kid}.pem`) => write(name, await publicPem(key)),
    jwk: async (key, name = `${key.kid}.jwk.json`) => write(name, await publicJwk(key)),
    jwks: async (keys, name = 'jwks.json') => write(name, await publicJwks(keys)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export type JwksFailure = 'error' | 'hang' | 'garbage' | null;

export interface JwksServer {
  /** http://127.0.0.1:<port>/.well-known/jwks.json */
  url: string;
  /** How many requests the server has received (including failed ones). */
  readonly requests: number;
  /** Replaces the published key set (key rotation). */
  setKeys(keys: TestKey[]): Promise<void>;
  /** 'error': answer 500; 'hang': never answer; 'garbage': 200 with a non-JSON body; null: serve normally. */
  fail(mode: JwksFailure): void;
  close(): Promise<void>;
}

/** A real JWKS endpoint on 127.0.0.1 with an ephemeral port. */
export async function startJwksServer(keys: TestKey[]): Promise<JwksServer> {
  let body = JSON.stringify(await publicJwks(keys));
  let requests = 0;
  let failure: JwksFailure = null;
  const server = createServer((_request, response) => {
    requests += 1;
    if (failure === 'hang') return;
    if (failure === 'error') {
      response.writeHead(500).end('internal error');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(failure === 'garbage' ? '<html>not a key set</html>' : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    async setKeys(next) {
      body = JSON.stringify(await publicJwks(next));
    },
    fail(mode) {
      failure = mode;
    },
    close() {
      // Hanging requests would keep close() waiting forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * A self-signed X.509 certificate (CN=quotagraph-test-issuer, EC P-256, valid until 2126) and its
 * private key, generated once with openssl for tests only. Node cannot create certificates, and a
 * fixture keeps the tests free of an openssl dependency. Verification uses only the certificate's
 * public key; validity dates and chains are not checked.
 */
export const TEST_CERTIFICATE_PEM = `-----BEGIN CERTIFICATE-----
MIIBmjCCAT+gAwIBAgIUBSvEBudiPa/S1JqSpd4AV3LlYzowCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWcXVvdGFncmFwaC10ZXN0LWlzc3VlcjAgFw0yNjEyMDMyMDA2
MzdaGA8yMTI2MTEwOTIwMDYzN1owITEfMB0GA1UEAwwWcXVvdGFncmFwaC10ZXN0
LWlzc3VlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNPQmC8N9FFsvKEUP5/F
mkmCfvms9iVI8ueElsUhKgKPgJHqa8+Auk4xTubKIwZkZAsXBGwWBfU5yCWqjsQl
jY+jUzBRMB0GA1UdDgQWBBSE+pwauwdpfizhDEdTUuzygZyTgjAfBgNVHSMEGDAW
gBSE+pwauwdpfizhDEdTUuzygZyTgjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0kAMEYCIQCTzyxyyudgXZsdzBr4gO+EMaY2vQ6pRlLqWCoVF82MtgIhAJYI
rdXpRLz6/U/8NCQRM8yO3VHBLcF9OgcAxGyTscy8
-----END CERTIFICATE-----
`;

const TEST_CERTIFICATE_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDyEQ2xcWACRDFS7F
s32XfY1+wWg8TOwzR+vwgBHDKr2hRANCAATT0JgvDfRRbLyhFD+fxZpJgn75rPYl
SPLnhJbFISoCj4CR6mvPgLpOMU7myiMGZGQLFwRsFgX1Ocglqo7EJY2P
-----END PRIVATE KEY-----
`;

/** The key pair behind TEST_CERTIFICATE_PEM (ES256; the public half is read from the certificate). */
export async function certificateTestKey(kid = 'certificate'): Promise<TestKey> {
  const privateKey = await importPKCS8(TEST_CERTIFICATE_PRIVATE_KEY, 'ES256', { extractable: true });
  const spki = createPublicKey(TEST_CERTIFICATE_PEM).export({ type: 'spki', format: 'pem' }).toString();
  return { alg: 'ES256', kid, privateKey, publicKey: await importSPKI(spki, 'ES256', { extractable: true }) };
}
