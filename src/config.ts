/**
 * Command line + environment → one validated {@link Config} (DESIGN §8).
 *
 * Pure: reads only its arguments and never touches the filesystem (opening the store does that),
 * so every rule here is unit-testable. A flag wins over its environment variable.
 */
import { normalize } from 'node:path';
import { ConfigError, type Setting } from './configError.js';
import { DEFAULT_LIMITS, type Limits } from './limits/index.js';
import { AUTH_FLAGS, type AuthConfig, LIMIT_FLAGS, parseAuth, parseLimits } from './securityConfig.js';

export { ConfigError } from './configError.js';
export type { AuthConfig } from './securityConfig.js';

export type StoreConfig = { type: 'sqlite'; path: string } | { type: 'kubernetes'; context?: string };
export type SeedConfig = { type: 'demo' } | { type: 'none' } | { type: 'paths'; paths: string[] };

/**
 * How allocation writes are decided: the admission protocol (DESIGN §5), or the original unsafe
 * check-then-write, kept only so the stress benchmark can show what the protocol prevents.
 */
export type AdmissionAlgorithm = 'protocol' | 'naive';

export type Config =
  | {
      command: 'serve';
      port: number;
      host: string;
      store: StoreConfig;
      namespace: string;
      seed: SeedConfig;
      /** A pending allocation older than this is re-decided by the janitor. */
      pendingTtlSeconds: number;
      /** Mean time between janitor rounds (each wait is jittered ±50%). */
      janitorIntervalSeconds: number;
      admission: AdmissionAlgorithm;
      /** How callers authenticate (`--auth`). */
      auth: AuthConfig;
      /** Query and request size limits. */
      limits: Limits;
    }
  | { command: 'apply'; files: string[]; store: StoreConfig; namespace: string }
  | { command: 'help' };

const DEFAULT_PORT = 4000;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_SQLITE_PATH = './data/quotagraph.db';
const DEFAULT_STORE = `sqlite:${DEFAULT_SQLITE_PATH}`;
const DEFAULT_NAMESPACE = 'unikorn-identity';
const DEFAULT_PENDING_TTL_SECONDS = 30;
const DEFAULT_JANITOR_INTERVAL_SECONDS = 10;
/** A day: longer would say "never", and Node timers overflow past 24.8 days anyway. */
const MAX_SECONDS = 86_400;

export const USAGE = `quotagraph — GraphQL gateway for organization quotas

Usage:
  quotagraph serve [--port N] [--host H] [--store S] [--kube-context C] [--namespace NS] [--seed SEED]
                   [--pending-ttl SECONDS] [--janitor-interval SECONDS] [--admission protocol|naive]
                   [--auth jwt|none] [--jwks-url URL | --jwt-public-key-file PATH] [--jwt-issuer ISS]
                   [--jwt-audience AUD] [--jwt-*-claim NAME] [--max-depth N] [--max-aliases N]
                   [--max-tokens N] [--max-cost N] [--max-body-bytes N]
  quotagraph apply -f <file|dir> [-f <file|dir> ...] [--store S] [--kube-context C] [--namespace NS]
  quotagraph help | --help | -h

Commands:
  serve    Serve GraphQL at /graphql (GraphiQL in a browser), /healthz and /readyz.
  apply    Load Kubernetes YAML/JSON manifests (multi-document; directories: *.yaml, *.yml,
           *.json, non-recursive) into the store, like kubectl apply. All documents are
           validated first; nothing is written if any is bad.

Options (a flag wins over its environment variable; --flag value and --flag=value both work):
  --port N            PORT                  Port to listen on, 0-65535; 0 picks a free port. Default ${DEFAULT_PORT}.
  --host H            HOST                  Address to listen on. Default ${DEFAULT_HOST}.
  --store S           QUOTAGRAPH_STORE      sqlite:<path> or kubernetes (kubeconfig or in-cluster).
                                            Default ${DEFAULT_STORE}.
  --kube-context C   QUOTAGRAPH_KUBE_CONTEXT
                                            With --store kubernetes: the kubeconfig context to use.
                                            Default: the kubeconfig's current context. The kubeconfig
                                            is KUBECONFIG, else ~/.kube/config, else in-cluster.
  --namespace NS      QUOTAGRAPH_NAMESPACE  Identity namespace holding Organizations and QuotaMetadata.
                                            Default ${DEFAULT_NAMESPACE}.
  --seed SEED         QUOTAGRAPH_SEED       Manifests applied by serve when the store is empty:
                                            demo (the bundled demo data), none, or comma-separated
                                            file/directory paths. Default demo with the default
                                            store, none otherwise.
  --pending-ttl S     QUOTAGRAPH_PENDING_TTL
                                            (serve) Seconds after which the janitor re-decides an
                                            allocation left pending (a gateway died mid-decision):
                                            admits it if it fits, else rolls it back. Default ${DEFAULT_PENDING_TTL_SECONDS}.
  --janitor-interval S
                      QUOTAGRAPH_JANITOR_INTERVAL
                                            (serve) Mean seconds between janitor rounds (jittered).
                                            Default ${DEFAULT_JANITOR_INTERVAL_SECONDS}.
  --admission A       QUOTAGRAPH_ADMISSION  (serve) protocol (default): allocation writes go through
                                            the admission protocol. naive: benchmarking only: the
                                            original unsafe check-then-write; never in production.
  --auth A            QUOTAGRAPH_AUTH       (serve) jwt: every request needs a bearer token (below).
                                            none: every request acts as the platform admin "local";
                                            refused unless --host is loopback. Default none with the
                                            sqlite store, jwt with --store kubernetes.
  --jwks-url URL      QUOTAGRAPH_JWKS_URL   (jwt) The issuer's JWKS (https, or http on loopback);
                                            cached, refetched when a token names an unknown key id.
  --jwt-public-key-file P
                      QUOTAGRAPH_JWT_PUBLIC_KEY_FILE
                                            (jwt) Instead of a JWKS URL: a PEM public key, a JWK or a
                                            JWKS file.
  --jwt-issuer ISS    QUOTAGRAPH_JWT_ISSUER (jwt, required) The accepted "iss".
  --jwt-audience AUD  QUOTAGRAPH_JWT_AUDIENCE
                                            (jwt, required) The accepted "aud".
  --jwt-subject-claim, --jwt-roles-claim, --jwt-organizations-claim NAME
                      QUOTAGRAPH_JWT_SUBJECT_CLAIM, _ROLES_CLAIM, _ORGANIZATIONS_CLAIM
                                            (jwt) Claim names. Default sub, roles, organizations.
  --max-depth N       QUOTAGRAPH_MAX_DEPTH  (serve) Deepest field nesting. Default ${DEFAULT_LIMITS.maxDepth}.
  --max-aliases N     QUOTAGRAPH_MAX_ALIASES
                                            (serve) Aliased fields per document. Default ${DEFAULT_LIMITS.maxAliases}.
  --max-tokens N      QUOTAGRAPH_MAX_TOKENS (serve) Parser tokens per document. Default ${DEFAULT_LIMITS.maxTokens}.
  --max-cost N        QUOTAGRAPH_MAX_COST   (serve) Query cost: fields, multiplied by page sizes.
                                            Default ${DEFAULT_LIMITS.maxCost}.
  --max-body-bytes N  QUOTAGRAPH_MAX_BODY_BYTES
                                            (serve) Largest request body. Default ${DEFAULT_LIMITS.maxBodyBytes}.
  -f, --filename P    (apply only)          Manifest file or directory; repeatable, at least one.
  -h, --help                                Show this help.
`;

const COMMAND_FLAGS = {
  serve: [
    '--port',
    '--host',
    '--store',
    '--kube-context',
    '--namespace',
    '--seed',
    '--pending-ttl',
    '--janitor-interval',
    '--admission',
    ...AUTH_FLAGS,
    ...LIMIT_FLAGS,
  ],
  apply: ['--filename', '--store', '--kube-context', '--namespace'],
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  // Help wins over everything else on the line, so `quotagraph serve --port x --help` still helps.
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) return { command: 'help' };

  const [command, ...rest] = argv as [string, ...string[]];
  if (command === 'help') return { command: 'help' };
  if (command !== 'serve' && command !== 'apply') {
    const hint = command.startsWith('-') ? ' (the command comes first: serve or apply)' : '';
    throw new ConfigError('command', `unknown command "${command}"${hint}; expected serve, apply or help`);
  }

  const { scalars, files } = parseFlags(command, rest);

  // Only an explicit setting is validated; defaults are known-good.
  const setting = (flag: string, envName: string): Setting | undefined => {
    const fromFlag = scalars.get(flag);
    if (fromFlag !== undefined) return { option: flag, value: fromFlag };
    // An empty variable (`PORT=`) counts as unset, as shells and compose files produce them.
    const fromEnv = env[envName];
    return fromEnv ? { option: envName, value: fromEnv } : undefined;
  };

  const storeSetting = setting('--store', 'QUOTAGRAPH_STORE');
  const store = parseStore(storeSetting ?? { option: '--store', value: DEFAULT_STORE });
  const contextSetting = setting('--kube-context', 'QUOTAGRAPH_KUBE_CONTEXT');
  if (contextSetting) {
    if (store.type !== 'kubernetes') {
      throw new ConfigError(contextSetting.option, `${contextSetting.option} only applies with --store kubernetes`);
    }
    store.context = parseContext(contextSetting);
  }
  const nsSetting = setting('--namespace', 'QUOTAGRAPH_NAMESPACE');
  const namespace = nsSetting ? parseNamespace(nsSetting) : DEFAULT_NAMESPACE;

  if (command === 'apply') {
    if (files.length === 0) throw new ConfigError('--filename', 'apply needs at least one -f <file|dir>');
    return { command, files, store, namespace };
  }

  const portSetting = setting('--port', 'PORT');
  const hostSetting = setting('--host', 'HOST');
  const seedSetting = setting('--seed', 'QUOTAGRAPH_SEED');
  const ttlSetting = setting('--pending-ttl', 'QUOTAGRAPH_PENDING_TTL');
  const intervalSetting = setting('--janitor-interval', 'QUOTAGRAPH_JANITOR_INTERVAL');
  const admissionSetting = setting('--admission', 'QUOTAGRAPH_ADMISSION');
  const host = hostSetting ? parseHost(hostSetting) : DEFAULT_HOST;
  return {
    command,
    port: portSetting ? parsePort(portSetting) : DEFAULT_PORT,
    host,
    store,
    namespace,
    // Demo data only where it cannot land in someone's real store: the default local file.
    seed: seedSetting ? parseSeed(seedSetting) : { type: isDefaultStore(store) ? 'demo' : 'none' },
    pendingTtlSeconds: ttlSetting ? parseSeconds(ttlSetting) : DEFAULT_PENDING_TTL_SECONDS,
    janitorIntervalSeconds: intervalSetting ? parseSeconds(intervalSetting) : DEFAULT_JANITOR_INTERVAL_SECONDS,
    admission: admissionSetting ? parseAdmission(admissionSetting) : 'protocol',
    auth: parseAuth(setting, { host, store: store.type }),
    limits: parseLimits(setting),
  };
}

/** Splits `--flag value` / `--flag=value` / `-f value` tokens into scalar flags and the repeatable -f list. */
function parseFlags(command: keyof typeof COMMAND_FLAGS, args: string[]) {
  const allowed: readonly string[] = COMMAND_FLAGS[command];
  const scalars = new Map<string, string>();
  const files: string[] = [];

  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (!token.startsWith('-') || token === '-') {
      throw new ConfigError(
        'command',
        `unexpected argument "${token}" for ${command}${command === 'apply' ? ' (use -f <file|dir>)' : ''}`,
      );
    }
    const eq = token.indexOf('=');
    const typed = eq === -1 ? token : token.slice(0, eq);
    const flag = typed === '-f' ? '--filename' : typed;
    if (!allowed.includes(flag)) throw new ConfigError(typed, `unknown flag ${typed} for ${command}`);

    let value: string | undefined;
    if (eq !== -1) {
      value = token.slice(eq + 1);
    } else {
      const next = args[i + 1];
      // A following flag means the value was forgotten; `-1` is still a (bad) value worth naming.
      if (next !== undefined && !/^--?[a-z]/i.test(next)) {
        value = next;
        i++;
      }
    }
    if (value === undefined) throw new ConfigError(typed, `missing value for ${typed}`);

    if (flag === '--filename') {
      if (value === '') throw new ConfigError(typed, `empty path for ${typed}`);
      files.push(value);
    } else {
      if (scalars.has(flag)) throw new ConfigError(typed, `${typed} given more than once`);
      scalars.set(flag, value);
    }
  }
  return { scalars, files };
}

function parsePort({ option, value }: Setting): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError(option, `invalid ${option} "${value}": expected an integer from 0 to 65535`);
  }
  return port;
}

function parseHost({ option, value }: Setting): string {
  if (value.trim() === '' || /\s/.test(value)) {
    throw new ConfigError(option, `invalid ${option} "${value}": expected a host name or IP address`);
  }
  return value;
}

function parseStore({ option, value }: Setting): StoreConfig {
  if (value === 'kubernetes') return { type: 'kubernetes' };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '') throw new ConfigError(option, `invalid ${option} "${value}": sqlite needs a path (sqlite:<path>)`);
    return { type: 'sqlite', path };
  }
  throw new ConfigError(option, `unknown store scheme in ${option} "${value}": expected sqlite:<path> or kubernetes`);
}

function parseContext({ option, value }: Setting): string {
  if (value.trim() === '' || /\s/.test(value)) throw new ConfigError(option, `invalid ${option} "${value}"`);
  return value;
}

function parseNamespace({ option, value }: Setting): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new ConfigError(
      option,
      `invalid ${option} "${value}": not a DNS-1123 label (lowercase a-z, 0-9 and -, at most 63)`,
    );
  }
  return value;
}

function parseSeed({ option, value }: Setting): SeedConfig {
  if (value === 'demo' || value === 'none') return { type: value };
  const paths = value.split(',').map((p) => p.trim());
  if (paths.some((p) => p === '')) {
    throw new ConfigError(
      option,
      `invalid ${option} "${value}": expected demo, none or comma-separated paths without empty entries`,
    );
  }
  return { type: 'paths', paths };
}

function parseSeconds({ option, value }: Setting): number {
  const seconds = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_SECONDS)) {
    throw new ConfigError(
      option,
      `invalid ${option} "${value}": expected a whole number of seconds from 1 to ${MAX_SECONDS}`,
    );
  }
  return seconds;
}

function parseAdmission({ option, value }: Setting): AdmissionAlgorithm {
  if (value === 'protocol' || value === 'naive') return value;
  throw new ConfigError(
    option,
    `invalid ${option} "${value}": expected protocol or naive (naive is for benchmarking only)`,
  );
}

function isDefaultStore(store: StoreConfig): boolean {
  return store.type === 'sqlite' && normalize(store.path) === normalize(DEFAULT_SQLITE_PATH);
}
