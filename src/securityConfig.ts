/**
 * The security part of `serve`'s configuration: how callers authenticate (`--auth`) and the
 * abuse limits. Pure, like config.ts, which calls it.
 */
import { isIP } from 'node:net';
import { DEFAULT_CLAIMS, validateJwksUrl } from './auth/tokens.js';
import { ConfigError, type Setting, type SettingLookup } from './configError.js';
import { DEFAULT_LIMITS, type Limits } from './limits/index.js';

export type AuthConfig =
  | { type: 'none' }
  | {
      type: 'jwt';
      /** Exactly one of the two key sources. */
      jwksUrl?: string;
      publicKeyFile?: string;
      issuer: string;
      audience: string;
      claims: { subject: string; roles: string; organizations: string };
    };

export const AUTH_FLAGS = [
  '--auth',
  '--jwks-url',
  '--jwt-public-key-file',
  '--jwt-issuer',
  '--jwt-audience',
  '--jwt-subject-claim',
  '--jwt-roles-claim',
  '--jwt-organizations-claim',
] as const;

/** Each limit: its flag, environment variable and accepted range. */
const LIMIT_SETTINGS: Record<keyof Limits, { flag: string; env: string; min: number; max: number }> = {
  maxDepth: { flag: '--max-depth', env: 'QUOTAGRAPH_MAX_DEPTH', min: 2, max: 100 },
  maxAliases: { flag: '--max-aliases', env: 'QUOTAGRAPH_MAX_ALIASES', min: 0, max: 10_000 },
  maxTokens: { flag: '--max-tokens', env: 'QUOTAGRAPH_MAX_TOKENS', min: 100, max: 1_000_000 },
  maxCost: { flag: '--max-cost', env: 'QUOTAGRAPH_MAX_COST', min: 1, max: 10_000_000 },
  maxBodyBytes: { flag: '--max-body-bytes', env: 'QUOTAGRAPH_MAX_BODY_BYTES', min: 1024, max: 16 * 1024 * 1024 },
};

export const LIMIT_FLAGS = Object.values(LIMIT_SETTINGS).map((s) => s.flag);

/**
 * `--auth`: `jwt` verifies bearer tokens; `none` lets every request act as the local platform
 * admin and is refused on any address but loopback. The default is `none` only for the embedded
 * store (a laptop); a Kubernetes store is a shared installation and defaults to `jwt`.
 */
export function parseAuth(
  setting: SettingLookup,
  context: { host: string; store: 'sqlite' | 'kubernetes' },
): AuthConfig {
  const chosen = setting('--auth', 'QUOTAGRAPH_AUTH');
  const type = chosen ? parseAuthType(chosen) : context.store === 'kubernetes' ? 'jwt' : 'none';
  const jwks = setting('--jwks-url', 'QUOTAGRAPH_JWKS_URL');
  const keyFile = setting('--jwt-public-key-file', 'QUOTAGRAPH_JWT_PUBLIC_KEY_FILE');
  const issuer = setting('--jwt-issuer', 'QUOTAGRAPH_JWT_ISSUER');
  const audience = setting('--jwt-audience', 'QUOTAGRAPH_JWT_AUDIENCE');
  const claimSettings = {
    subject: setting('--jwt-subject-claim', 'QUOTAGRAPH_JWT_SUBJECT_CLAIM'),
    roles: setting('--jwt-roles-claim', 'QUOTAGRAPH_JWT_ROLES_CLAIM'),
    organizations: setting('--jwt-organizations-claim', 'QUOTAGRAPH_JWT_ORGANIZATIONS_CLAIM'),
  };

  if (type === 'none') {
    const stray = [jwks, keyFile, issuer, audience, ...Object.values(claimSettings)].find((s) => s !== undefined);
    if (stray) throw new ConfigError(stray.option, `${stray.option} only applies with --auth jwt`);
    if (!isLoopback(context.host)) {
      throw new ConfigError(
        chosen?.option ?? '--auth',
        `--auth none makes every caller a platform admin, so it only listens on loopback; refusing --host ` +
          `"${context.host}" (use --auth jwt, or --host 127.0.0.1)`,
      );
    }
    return { type };
  }

  const why = chosen ? '--auth jwt' : '--auth jwt (the default with --store kubernetes)';
  if (jwks && keyFile) {
    throw new ConfigError(keyFile.option, `${jwks.option} and ${keyFile.option} are alternatives; set one`);
  }
  if (!jwks && !keyFile) {
    throw new ConfigError(
      'QUOTAGRAPH_JWKS_URL',
      `${why} needs the token keys: set QUOTAGRAPH_JWKS_URL (--jwks-url) or QUOTAGRAPH_JWT_PUBLIC_KEY_FILE ` +
        '(--jwt-public-key-file)',
    );
  }
  if (jwks) {
    const problem = validateJwksUrl(jwks.value);
    if (problem) throw new ConfigError(jwks.option, `invalid ${jwks.option} "${jwks.value}": ${problem}`);
  }
  if (keyFile && keyFile.value.trim() === '') throw new ConfigError(keyFile.option, `empty ${keyFile.option}`);
  return {
    type,
    ...(jwks ? { jwksUrl: jwks.value } : { publicKeyFile: keyFile!.value }),
    issuer: required(issuer, 'QUOTAGRAPH_JWT_ISSUER', '--jwt-issuer', why),
    audience: required(audience, 'QUOTAGRAPH_JWT_AUDIENCE', '--jwt-audience', why),
    claims: {
      subject: claimSettings.subject ? claimName(claimSettings.subject) : DEFAULT_CLAIMS.subject,
      roles: claimSettings.roles ? claimName(claimSettings.roles) : DEFAULT_CLAIMS.roles,
      organizations: claimSettings.organizations
        ? claimName(claimSettings.organizations)
        : DEFAULT_CLAIMS.organizations,
    },
  };
}

export function parseLimits(setting: SettingLookup): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, { flag, env, min, max }] of Object.entries(LIMIT_SETTINGS) as [
    keyof Limits,
    (typeof LIMIT_SETTINGS)[keyof Limits],
  ][]) {
    const given = setting(flag, env);
    if (!given) continue;
    const value = /^\d{1,9}$/.test(given.value) ? Number(given.value) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw new ConfigError(
        given.option,
        `invalid ${given.option} "${given.value}": expected a whole number from ${min} to ${max}`,
      );
    }
    limits[name] = value;
  }
  return limits;
}

function parseAuthType({ option, value }: Setting): 'jwt' | 'none' {
  if (value === 'jwt' || value === 'none') return value;
  throw new ConfigError(option, `invalid ${option} "${value}": expected jwt or none`);
}

function required(given: Setting | undefined, env: string, flag: string, why: string): string {
  if (!given) throw new ConfigError(env, `${why} needs ${env} (${flag})`);
  if (given.value.trim() === '') throw new ConfigError(given.option, `empty ${given.option}`);
  return given.value;
}

function claimName({ option, value }: Setting): string {
  if (value.trim() === '' || value.length > 256) {
    throw new ConfigError(option, `invalid ${option} "${value}": expected a claim name`);
  }
  return value;
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}
