/**
 * Verification keys: the algorithms we accept, and loading a key file (QUOTAGRAPH_JWT_PUBLIC_KEY_FILE)
 * into a jose key resolver. Everything a file may hold (PEM key, X.509 certificate, JWK, JWKS) is
 * normalised through node:crypto into public JWKs, so one code path (jose's local JWKS) selects keys
 * and private or symmetric material never reaches verification.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';

/**
 * Asymmetric signature algorithms only. No HS* (a shared secret would let anyone holding the
 * verification key mint tokens, and it invites algorithm confusion) and never `none`.
 */
export const ACCEPTED_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** The key file is missing, unreadable or holds no usable public key. Startup fails with the message. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/** Far bigger than any real key set; refusing larger files keeps a wrong path from eating memory. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;
const EC_CURVES = new Set(['P-256', 'P-384', 'P-521']);

/** Reads and parses the key file; throws KeyFileError naming the file and the problem. */
export async function loadKeyFile(file: string): Promise<JSONWebKeySet> {
  const fail = (problem: string): never => {
    throw new KeyFileError(`JWT public key file ${file} ${problem}`);
  };
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) fail('is not a regular file');
    if (info.size > MAX_KEY_FILE_BYTES) fail(`is larger than ${MAX_KEY_FILE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`);
  }
  const trimmed = text.trim();
  const keys = trimmed.startsWith('{') ? fromJson(trimmed, fail) : fromPem(trimmed, fail);
  if (keys.length === 0) fail('contains no public signing key for an accepted algorithm');
  return { keys };
}

function fromPem(text: string, fail: (problem: string) => never): JWK[] {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) return fail('is not a PEM key or certificate, a JWK or a JWKS');
  // A certificate chain lists the leaf first; the other certificates are CAs, not signing keys.
  const allCertificates = blocks.every((block) => block[1] === 'CERTIFICATE');
  if (blocks.length > 1 && !allCertificates) {
    return fail(`contains ${blocks.length} PEM blocks; put several keys in a JWKS instead`);
  }
  let key: KeyObject;
  try {
    // Accepts SPKI and PKCS#1 public keys, certificates, and private keys (only the public half is kept).
    key = createPublicKey(blocks[0]![0]);
  } catch {
    return fail(`has a ${blocks[0]![1]} PEM block that is not a valid (unencrypted) key or certificate`);
  }
  return [toPublicJwk(key, {}, fail)].filter((jwk): jwk is JWK => jwk !== null);
}

function fromJson(text: string, fail: (problem: string) => never): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('is not valid JSON');
  }
  if (!isObject(parsed)) return fail('is not a JWK or a JWKS');
  const list = 'keys' in parsed ? parsed.keys : [parsed];
  if (!Array.isArray(list)) return fail('has a "keys" member that is not an array');
  return list.flatMap((member, index) => {
    const where = 'keys' in parsed ? `key #${index + 1}` : 'the JWK';
    if (!isObject(member) || typeof member.kty !== 'string') return fail(`has ${where} without a "kty"`);
    if (member.kty === 'oct') return fail(`has a symmetric (oct) key in ${where}; only public keys are accepted`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: member as JsonWebKey, format: 'jwk' });
    } catch {
      return fail(`has ${where} that is not a valid RSA, EC or OKP key`);
    }
    const jwk = toPublicJwk(key, member, fail);
    return jwk ? [jwk] : [];
  });
}

/**
 * The public JWK for a key, keeping the source's kid/alg/use. Returns null for keys that are not
 * for us (encryption keys, algorithms we do not accept) so a JWKS copied from an identity provider
 * can carry them; refuses key types we could never verify with.
 */
function toPublicJwk(key: KeyObject, source: Record<string, unknown>, fail: (problem: string) => never): JWK | null {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) fail(`has an RSA key of ${bits} bits; at least 2048 are required`);
  } else if (type !== 'ec' && type !== 'ed25519') {
    fail(`has an unsupported key type (${type}); use RSA, EC (P-256, P-384, P-521) or Ed25519`);
  }
  const jwk = key.export({ format: 'jwk' }) as JWK;
  if (type === 'ec' && !EC_CURVES.has(jwk.crv ?? '')) fail(`has an EC key on an unsupported curve (${jwk.crv})`);
  if (source.use !== undefined && source.use !== 'sig') return null;
  if (source.alg !== undefined && !ACCEPTED_ALGORITHMS.includes(String(source.alg))) return null;
  if (typeof source.kid === 'string') jwk.kid = source.kid;
  if (typeof source.alg === 'string') jwk.alg = source.alg;
  return jwk;
}

/**
 * A resolver over a fixed key set. Keys with a kid answer only tokens naming that kid; a key without
 * a kid (a PEM file, a bare JWK) answers any token, whatever kid it names, because the operator
 * chose exactly that key. jose alone would refuse a kid-bearing token against a kid-less key.
 */
export function fixedKeyResolver(jwks: JSONWebKeySet): JWTVerifyGetKey {
  const all = createLocalJWKSet(jwks);
  const named = jwks.keys.filter((key) => key.kid !== undefined);
  const unnamed = jwks.keys.filter((key) => key.kid === undefined);
  const namedSet = named.length > 0 ? createLocalJWKSet({ keys: named }) : null;
  const unnamedSet = unnamed.length > 0 ? createLocalJWKSet({ keys: unnamed }) : null;
  return async (header, token) => {
    if (header.kid === undefined) return all(header, token);
    if (namedSet) {
      try {
        return await namedSet(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || !unnamedSet) throw error;
      }
    }
    if (!unnamedSet) throw new errors.JWKSNoMatchingKey();
    return unnamedSet({ ...header, kid: undefined }, token);
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
