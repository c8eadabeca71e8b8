/**
 * Bearer-token verification for `--auth jwt`: an Authorization header in, a Principal out.
 *
 * Two error classes, because the server must answer them differently:
 * - AuthenticationError: the caller's token is missing or not acceptable (401). Its message is one
 *   sentence safe to show the client; it never echoes the token.
 * - AuthUnavailableError: we could not check the token because the remote JWKS could not be fetched
 *   (unreachable, timeout, non-200, not a key set). That is our fault, not the caller's: 503
 *   UNAVAILABLE, and the cause is kept for the log.
 * Startup problems with a key file are KeyFileError (see keys.ts).
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { isLoopback } from '../loopback.js';
import { ACCEPTED_ALGORITHMS, fixedKeyResolver, loadKeyFile } from './keys.js';
import { ORGANIZATION_ROLES, type OrganizationRole, PLATFORM_ADMIN_ROLE, type Principal } from './principal.js';

export { ACCEPTED_ALGORITHMS, KeyFileError } from './keys.js';

export interface TokenClaimNames {
  subject: string;
  roles: string;
  organizations: string;
}

export interface TokenSettings {
  /** Exactly one of jwksUrl / publicKeyFile. QUOTAGRAPH_JWKS_URL: remote JWKS, cached, refetched for an unknown kid. */
  jwksUrl?: string;
  /** QUOTAGRAPH_JWT_PUBLIC_KEY_FILE: PEM (public key, certificate), a single JWK, or a JWKS. */
  publicKeyFile?: string;
  issuer: string;
  audience: string;
  /** Claim names, used as literal top-level keys (`https://example.com/roles` is one key, not a path). */
  claims: TokenClaimNames;
}

/** Remote JWKS timing. The defaults suit production; tests shorten them. */
export interface JwksTuning {
  /** Abort a JWKS fetch after this long (and answer AuthUnavailableError). Default 5 s. */
  timeoutMs?: number;
  /**
   * After a fetch, an unknown kid does not trigger another fetch for this long, so a stream of
   * tokens naming made-up kids cannot turn into a stream of requests to the identity provider. Default 30 s.
   */
  cooldownMs?: number;
  /** Refetch the key set when it is older than this, so removed keys stop being trusted. Default 10 min. */
  cacheMaxAgeMs?: number;
}

export const DEFAULT_CLAIMS: Readonly<TokenClaimNames> = {
  subject: 'sub',
  roles: 'roles',
  organizations: 'organizations',
};

/** Real tokens are a few hundred bytes to a few KiB; anything bigger is refused before any parsing or crypto. */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** Allowed clock skew between us and the issuer, for exp, nbf and iat. */
export const CLOCK_TOLERANCE_SECONDS = 60;
const MAX_SUBJECT_LENGTH = 256;
/** The longest DNS name; organization IDs are Kubernetes names, which are shorter still. */
const MAX_ORGANIZATION_ID_LENGTH = 253;
/** header.payload.signature in base64url; the signature may be empty only so `alg: none` gets its own message. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

export class AuthUnavailableError extends Error {
  override name = 'AuthUnavailableError';
}

export interface Authenticator {
  authenticate(authorizationHeader: string | null | undefined): Promise<Principal>;
}

/**
 * Why a JWKS URL is unacceptable, or null. Keys fetched over plain http could be swapped by anyone
 * on the path, so http is allowed only for loopback (local development, tests).
 */
export function validateJwksUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'JWKS URL is not a valid absolute URL';
  }
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol !== 'http:') return 'JWKS URL must use https';
  return isLoopback(parsed.hostname)
    ? null
    : 'JWKS URL must use https (plain http is allowed only on loopback: localhost, 127.0.0.0/8, ::1)';
}

/**
 * Builds the verifier. A key file is read and checked now (KeyFileError); a remote JWKS is fetched
 * lazily on the first token, so the gateway starts even while the identity provider is down.
 */
export async function createJwtAuthenticator(settings: TokenSettings, tuning: JwksTuning = {}): Promise<Authenticator> {
  if ((settings.jwksUrl === undefined) === (settings.publicKeyFile === undefined)) {
    throw new Error('exactly one of a JWKS URL or a JWT public key file must be configured');
  }
  if (!settings.issuer || !settings.audience) throw new Error('a JWT issuer and audience must be configured');
  const getKey =
    settings.jwksUrl !== undefined
      ? remoteKeyResolver(settings.jwksUrl, tuning)
      : fixedKeyResolver(await loadKeyFile(settings.publicKeyFile!));
  const options: JWTVerifyOptions = {
    algorithms: [...ACCEPTED_ALGORITHMS],
    issuer: settings.issuer,
    audience: settings.audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // A token without exp would be valid forever.
    requiredClaims: ['exp'],
  };
  return {
    async authenticate(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      let payload: JWTPayload;
      try {
        payload = await verify(token, getKey, options);
      } catch (error) {
        throw translate(error, token);
      }
      // jose checks iat in the future only together with maxTokenAge; a token from the future is a forgery or a broken clock.
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
        throw new AuthenticationError('token is not yet valid');
      }
      return principalFrom(payload, settings.claims);
    },
  };
}

function bearerToken(header: string | null | undefined): string {
  if (header == null || header.trim() === '') throw new AuthenticationError('missing bearer token');
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw new AuthenticationError('authorization scheme must be Bearer');
  const token = space === -1 ? '' : header.slice(space + 1);
  if (token === '') throw new AuthenticationError('missing bearer token');
  if (token.length > MAX_TOKEN_BYTES) throw new AuthenticationError('token too large');
  if (!COMPACT_JWS.test(token)) throw new AuthenticationError('token is malformed');
  return token;
}

function remoteKeyResolver(url: string, tuning: JwksTuning): JWTVerifyGetKey {
  const problem = validateJwksUrl(url);
  if (problem) throw new Error(problem);
  const remote = createRemoteJWKSet(new URL(url), {
    timeoutDuration: tuning.timeoutMs ?? 5_000,
    cooldownDuration: tuning.cooldownMs ?? 30_000,
    cacheMaxAge: tuning.cacheMaxAgeMs ?? 600_000,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      // Key selection outcomes are about the token; anything else is the fetch failing.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new AuthUnavailableError('token keys could not be fetched; try again later', { cause: error });
    }
  };
}

/**
 * jwtVerify, plus what jose 6 leaves to the caller: when several keys match (no kid, or a shared
 * kid) it throws JWKSMultipleMatchingKeys carrying the candidates, and each must be tried.
 */
async function verify(token: string, getKey: JWTVerifyGetKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, getKey, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (attempt) {
        // The signature matched this key, so its claim errors are the real answer.
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/**
 * jose's errors → one client-safe sentence. Client-facing errors carry no cause: jose's claim errors
 * hold the whole claims set. Errors that are not jose's are bugs or misconfiguration on our side and
 * are rethrown unchanged, so they surface as server errors rather than as a caller's 401.
 */
function translate(error: unknown, token: string): Error {
  if (error instanceof AuthenticationError || error instanceof AuthUnavailableError) return error;
  const refuse = (message: string) => new AuthenticationError(message);
  if (error instanceof errors.JWTExpired) return refuse('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) return refuse(claimFailure(error));
  if (error instanceof errors.JOSEAlgNotAllowed) {
    const alg = headerOf(token).alg;
    const shown = typeof alg === 'string' && /^[A-Za-z0-9+_-]{1,16}$/.test(alg) ? ` ${alg}` : '';
    return refuse(`token algorithm${shown} is not accepted`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return refuse('token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse(headerOf(token).kid === undefined ? 'no accepted key matches the token' : 'token key id is unknown');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return refuse('token is malformed');
  if (error instanceof errors.JOSEError) return refuse('token could not be verified');
  return error instanceof Error ? error : new Error(String(error));
}

function claimFailure(error: InstanceType<typeof errors.JWTClaimValidationFailed>): string {
  if (error.reason === 'invalid') return `claim ${error.claim} must be a number`;
  switch (error.claim) {
    case 'iss':
      return 'token issuer is not accepted';
    case 'aud':
      return 'token audience is not accepted';
    case 'exp':
      return 'token has no expiry (exp claim)';
    case 'nbf':
    case 'iat':
      return 'token is not yet valid';
    default:
      return 'token claims are not accepted';
  }
}

function headerOf(token: string): Record<string, unknown> {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Claims → Principal. A malformed grant fails the whole token (fail closed): a half-applied
 * organizations claim could hand out a role the issuer never meant.
 */
function principalFrom(payload: JWTPayload, names: TokenClaimNames): Principal {
  const subject = claim(payload, names.subject);
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw new AuthenticationError(
      `claim ${names.subject} must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`,
    );
  }
  const roles = claim(payload, names.roles);
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw new AuthenticationError(`claim ${names.roles} must be an array of strings`);
  }
  const organizations = claim(payload, names.organizations);
  const memberships = new Map<string, OrganizationRole>();
  if (organizations !== undefined) {
    const malformed = new AuthenticationError(
      `claim ${names.organizations} must map organization IDs to viewer, admin or allocator`,
    );
    if (!isPlainObject(organizations)) throw malformed;
    for (const [id, role] of Object.entries(organizations)) {
      if (id.length === 0 || id.length > MAX_ORGANIZATION_ID_LENGTH || !isOrganizationRole(role)) throw malformed;
      memberships.set(id, role);
    }
  }
  // Unknown roles are ignored: the issuer may grant roles meant for other services.
  const isPlatformAdmin = Array.isArray(roles) && roles.includes(PLATFORM_ADMIN_ROLE);
  return { subject, isPlatformAdmin, memberships };
}

/** Own properties only, so a claim named `constructor` or `__proto__` never reads the prototype. */
function claim(payload: JWTPayload, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isOrganizationRole(value: unknown): value is OrganizationRole {
  return typeof value === 'string' && (ORGANIZATION_ROLES as readonly string[]).includes(value);
}
