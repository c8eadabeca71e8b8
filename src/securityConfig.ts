/**
 * The security part of `serve`'s configuration: how callers authenticate (`--auth`) and the
 * abuse limits. Pure, like config.ts, which calls it.
 */
import { DEFAULT_CLAIMS, type TokenClaimNames, type TokenSettings, validateJwksUrl } from './auth/tokens.js';
import { ConfigError, type Setting, type SettingLookup } from './configError.js';
import { DEFAULT_LIMITS, LIMIT_OPTIONS, type Limits } from './limits/index.js';
import { isLoopback } from './loopback.js';

/** `none`, or `jwt` with what the token verifier needs (exactly one of the two key sources). */
export type AuthConfig = { type: 'none' } | ({ type: 'jwt' } & TokenSettings);

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

/** Each limit: its flag and accepted range (its environment variable is the one refusals name). */
const LIMIT_SETTINGS: Record<keyof Limits, { flag: string; min: number; max: number }> = {
  maxDepth: { flag: '--max-depth', min: 2, max: 100 },
  maxAliases: { flag: '--max-aliases', min: 0, max: 10_000 },
  maxTokens: { flag: '--max-tokens', min: 100, max: 1_000_000 },
  maxCost: { flag: '--max-cost', min: 1, max: 10_000_000 },
  maxBodyBytes: { flag: '--max-body-bytes', min: 1024, max: 16 * 1024 * 1024 },
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
  const claimSettings: Record<keyof TokenClaimNames, Setting | undefined> = {
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
      subject: claimName(claimSettings.subject) ?? DEFAULT_CLAIMS.subject,
      roles: claimName(claimSettings.roles) ?? DEFAULT_CLAIMS.roles,
      organizations: claimName(claimSettings.organizations) ?? DEFAULT_CLAIMS.organizations,
    },
  };
}

export function parseLimits(setting: SettingLookup): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, { flag, min, max }] of Object.entries(LIMIT_SETTINGS) as [
    keyof Limits,
    (typeof LIMIT_SETTINGS)[keyof Limits],
  ][]) {
    const given = setting(flag, LIMIT_OPTIONS[name]);
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

/** The configured claim name; undefined when not set (the default applies). */
function claimName(given: Setting | undefined): string | undefined {
  if (!given) return undefined;
  const { option, value } = given;
  if (value.trim() === '' || value.length > 256) {
    throw new ConfigError(option, `invalid ${option} "${value}": expected a claim name`);
  }
  return value;
}
