import { describe, expect, it } from 'vitest';
import { type Config, parseConfig, USAGE } from '../src/config.js';
import { DEFAULT_LIMITS } from '../src/limits/index.js';
import { expectConfigError } from './support/configError.js';

const serve = (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
  const config = parseConfig(['serve', ...args], env);
  if (config.command !== 'serve') throw new Error(`expected serve, got ${config.command}`);
  return config;
};

/** `--auth jwt` with its settings: what a non-loopback host or the kubernetes store needs (src/securityConfig.ts). */
const JWT_ENV = {
  QUOTAGRAPH_AUTH: 'jwt',
  QUOTAGRAPH_JWKS_URL: 'https://issuer.example/jwks.json',
  QUOTAGRAPH_JWT_ISSUER: 'https://issuer.example',
  QUOTAGRAPH_JWT_AUDIENCE: 'quotagraph',
};

const apply = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const config = parseConfig(['apply', ...args], env);
  if (config.command !== 'apply') throw new Error(`expected apply, got ${config.command}`);
  return config;
};

describe('parseConfig: serve defaults', () => {
  it('uses the documented defaults, seeding the demo data into the default store', () => {
    expect(parseConfig(['serve'], {})).toEqual<Config>({
      command: 'serve',
      port: 4000,
      host: '127.0.0.1',
      store: { type: 'sqlite', path: './data/quotagraph.db' },
      namespace: 'unikorn-identity',
      seed: { type: 'demo' },
      pendingTtlSeconds: 30,
      janitorIntervalSeconds: 10,
      admission: 'protocol',
      auth: { type: 'none' },
      limits: DEFAULT_LIMITS,
    });
  });

  it('ignores empty environment variables', () => {
    const config = serve([], {
      PORT: '',
      HOST: '',
      QUOTAGRAPH_STORE: '',
      QUOTAGRAPH_NAMESPACE: '',
      QUOTAGRAPH_SEED: '',
      QUOTAGRAPH_PENDING_TTL: '',
      QUOTAGRAPH_JANITOR_INTERVAL: '',
      QUOTAGRAPH_ADMISSION: '',
    });
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      namespace: 'unikorn-identity',
      seed: { type: 'demo' },
      pendingTtlSeconds: 30,
      janitorIntervalSeconds: 10,
      admission: 'protocol',
    });
  });
});

describe('parseConfig: flags and environment', () => {
  it.each([
    ['--port', 'PORT', '8080', { port: 8080 }],
    ['--host', 'HOST', '0.0.0.0', { host: '0.0.0.0' }],
    ['--store', 'QUOTAGRAPH_STORE', 'kubernetes', { store: { type: 'kubernetes' } }],
    ['--store', 'QUOTAGRAPH_STORE', 'sqlite:/tmp/q.db', { store: { type: 'sqlite', path: '/tmp/q.db' } }],
    ['--namespace', 'QUOTAGRAPH_NAMESPACE', 'identity', { namespace: 'identity' }],
    ['--seed', 'QUOTAGRAPH_SEED', 'none', { seed: { type: 'none' } }],
    ['--seed', 'QUOTAGRAPH_SEED', 'demo', { seed: { type: 'demo' } }],
    ['--seed', 'QUOTAGRAPH_SEED', 'a.yaml, dir/', { seed: { type: 'paths', paths: ['a.yaml', 'dir/'] } }],
    ['--pending-ttl', 'QUOTAGRAPH_PENDING_TTL', '5', { pendingTtlSeconds: 5 }],
    ['--pending-ttl', 'QUOTAGRAPH_PENDING_TTL', '86400', { pendingTtlSeconds: 86400 }],
    ['--janitor-interval', 'QUOTAGRAPH_JANITOR_INTERVAL', '1', { janitorIntervalSeconds: 1 }],
    ['--admission', 'QUOTAGRAPH_ADMISSION', 'protocol', { admission: 'protocol' }],
    ['--admission', 'QUOTAGRAPH_ADMISSION', 'naive', { admission: 'naive' }],
  ])('%s / %s = %s', (flag, envName, value, expected) => {
    expect(serve([flag, value], JWT_ENV)).toMatchObject(expected);
    expect(serve([`${flag}=${value}`], JWT_ENV)).toMatchObject(expected);
    expect(serve([], { ...JWT_ENV, [envName]: value })).toMatchObject(expected);
  });

  it('accepts port 0 (any free port) and 65535', () => {
    expect(serve(['--port', '0']).port).toBe(0);
    expect(serve(['--port=65535']).port).toBe(65535);
  });

  it('prefers a flag over its environment variable', () => {
    const env = {
      ...JWT_ENV,
      PORT: '1',
      HOST: 'env-host',
      QUOTAGRAPH_STORE: 'kubernetes',
      QUOTAGRAPH_NAMESPACE: 'from-env',
      QUOTAGRAPH_SEED: 'none',
      QUOTAGRAPH_PENDING_TTL: '7',
      QUOTAGRAPH_JANITOR_INTERVAL: '8',
      QUOTAGRAPH_ADMISSION: 'naive',
    };
    const config = serve(
      [
        '--port',
        '2',
        '--host',
        'flag-host',
        '--store',
        'sqlite:x.db',
        '--namespace',
        'from-flag',
        '--seed',
        'demo',
        '--pending-ttl',
        '3',
        '--janitor-interval',
        '4',
        '--admission',
        'protocol',
      ],
      env,
    );
    expect(config).toMatchObject({
      port: 2,
      host: 'flag-host',
      store: { type: 'sqlite', path: 'x.db' },
      namespace: 'from-flag',
      seed: { type: 'demo' },
      pendingTtlSeconds: 3,
      janitorIntervalSeconds: 4,
      admission: 'protocol',
    });
  });

  it('does not validate an environment variable that a flag overrides', () => {
    expect(serve(['--port', '5'], { PORT: 'nonsense' }).port).toBe(5);
  });

  it('keeps "=" inside a value', () => {
    expect(serve(['--store=sqlite:./a=b.db']).store).toEqual({ type: 'sqlite', path: './a=b.db' });
  });
});

describe('parseConfig: the seed default', () => {
  it('is demo for the default sqlite path, however it is spelled', () => {
    expect(serve(['--store', 'sqlite:./data/quotagraph.db']).seed).toEqual({ type: 'demo' });
    expect(serve([], { QUOTAGRAPH_STORE: 'sqlite:data/quotagraph.db' }).seed).toEqual({ type: 'demo' });
  });

  it('is none for any other store, so demo data never lands in a real one', () => {
    expect(serve(['--store', 'sqlite:./other.db']).seed).toEqual({ type: 'none' });
    expect(serve([], { ...JWT_ENV, QUOTAGRAPH_STORE: 'kubernetes' }).seed).toEqual({ type: 'none' });
  });

  it('can still be set explicitly for any store', () => {
    expect(serve(['--store', 'kubernetes', '--seed', 'demo'], JWT_ENV).seed).toEqual({ type: 'demo' });
  });
});

describe('parseConfig: apply', () => {
  it('collects every -f / --filename in order', () => {
    expect(apply(['-f', 'a.yaml', '--filename=dir', '-f=b.yml', '--filename', 'c.json'])).toEqual<Config>({
      command: 'apply',
      files: ['a.yaml', 'dir', 'b.yml', 'c.json'],
      store: { type: 'sqlite', path: './data/quotagraph.db' },
      namespace: 'unikorn-identity',
    });
  });

  it('takes --store and --namespace from flags or the environment', () => {
    expect(apply(['-f', 'x', '--store', 'kubernetes', '--namespace', 'ns'])).toMatchObject({
      store: { type: 'kubernetes' },
      namespace: 'ns',
    });
    expect(apply(['-f', 'x'], { QUOTAGRAPH_STORE: 'sqlite:y.db', QUOTAGRAPH_NAMESPACE: 'ns2' })).toMatchObject({
      store: { type: 'sqlite', path: 'y.db' },
      namespace: 'ns2',
    });
  });

  it('ignores the serve-only environment variables', () => {
    expect(() =>
      apply(['-f', 'x'], {
        PORT: 'bad',
        HOST: ' ',
        QUOTAGRAPH_SEED: ',',
        QUOTAGRAPH_PENDING_TTL: '0',
        QUOTAGRAPH_JANITOR_INTERVAL: 'x',
        QUOTAGRAPH_ADMISSION: 'fast',
      }),
    ).not.toThrow();
  });

  it('needs at least one file', () => {
    expectConfigError(() => parseConfig(['apply'], {}), '--filename', 'at least one');
    expectConfigError(() => parseConfig(['apply', '--store', 'kubernetes'], {}), '--filename');
  });

  it('refuses serve-only flags and bare paths', () => {
    expectConfigError(() => apply(['-f', 'x', '--port', '1']), '--port', 'unknown flag --port for apply');
    expectConfigError(() => apply(['-f', 'x', '--pending-ttl', '5']), '--pending-ttl', 'unknown flag');
    expectConfigError(() => apply(['-f', 'x', '--janitor-interval=5']), '--janitor-interval', 'unknown flag');
    expectConfigError(() => apply(['-f', 'x', '--admission', 'naive']), '--admission', 'unknown flag');
    expectConfigError(() => apply(['demo/']), 'command', '"demo/"', '-f');
    expectConfigError(() => apply(['-f', '']), '-f', 'empty path');
  });
});

describe('parseConfig: help', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']], [['serve', '--help']], [['apply', '--port', 'x', '-h']]])(
    '%j → help',
    (argv) => {
      expect(parseConfig(argv, { PORT: 'bad' })).toEqual({ command: 'help' });
    },
  );

  it('lists every command, flag and environment variable with its default', () => {
    for (const word of [
      'serve',
      'apply',
      '--port',
      'PORT',
      '4000',
      '--host',
      'HOST',
      '127.0.0.1',
      '--store',
      'QUOTAGRAPH_STORE',
      'sqlite:./data/quotagraph.db',
      'kubernetes',
      '--kube-context',
      'QUOTAGRAPH_KUBE_CONTEXT',
      '--namespace',
      'QUOTAGRAPH_NAMESPACE',
      'unikorn-identity',
      '--seed',
      'QUOTAGRAPH_SEED',
      'demo',
      'none',
      '-f',
      '--filename',
      '--help',
      '--pending-ttl',
      'QUOTAGRAPH_PENDING_TTL',
      'Default 30',
      '--janitor-interval',
      'QUOTAGRAPH_JANITOR_INTERVAL',
      'Default 10',
      '--admission',
      'QUOTAGRAPH_ADMISSION',
      'protocol',
      'naive',
      'never in production',
    ]) {
      expect(USAGE).toContain(word);
    }
  });
});

describe('parseConfig: bad configuration', () => {
  it.each(['abc', '-1', '65536', '1.5', '1e3', '', ' 80', '0x10', '99999999'])('port %j', (value) => {
    expectConfigError(() => serve(['--port', value]), '--port', `"${value}"`, '0 to 65535');
    if (value !== '') expectConfigError(() => serve([], { PORT: value }), 'PORT', `"${value}"`);
  });

  it.each(['', ' ', 'two words'])('host %j', (value) => {
    expectConfigError(() => serve([`--host=${value}`]), '--host', `"${value}"`);
  });

  it('names the environment variable for a bad host', () => {
    expectConfigError(() => serve([], { HOST: 'a b' }), 'HOST', '"a b"');
  });

  it.each(['postgres://x', 'sqlite', 'memory:', 'Kubernetes', 'sqlite-x'])('store %j', (value) => {
    expectConfigError(() => serve(['--store', value]), '--store', 'unknown store scheme', `"${value}"`);
    expectConfigError(() => serve([], { QUOTAGRAPH_STORE: value }), 'QUOTAGRAPH_STORE', 'unknown store scheme');
  });

  it('store sqlite: without a path', () => {
    expectConfigError(() => serve(['--store=sqlite:']), '--store', '"sqlite:"', 'path');
    expectConfigError(() => apply(['-f', 'x'], { QUOTAGRAPH_STORE: 'sqlite:' }), 'QUOTAGRAPH_STORE');
  });

  it.each(['Unikorn', 'has_underscore', '-leading', 'trailing-', 'a.b', 'x'.repeat(64), ''])(
    'namespace %j',
    (value) => {
      expectConfigError(() => serve([`--namespace=${value}`]), '--namespace', `"${value}"`, 'DNS-1123 label');
    },
  );

  it('names the environment variable for a bad namespace, also for apply', () => {
    expectConfigError(() => apply(['-f', 'x'], { QUOTAGRAPH_NAMESPACE: 'Bad' }), 'QUOTAGRAPH_NAMESPACE', '"Bad"');
  });

  it.each([',', 'a.yaml,', 'a,,b', ''])('seed %j', (value) => {
    expectConfigError(() => serve(['--seed', value]), '--seed', `"${value}"`, 'empty');
  });

  it('names the environment variable for a bad seed', () => {
    expectConfigError(() => serve([], { QUOTAGRAPH_SEED: 'a,' }), 'QUOTAGRAPH_SEED', '"a,"');
  });

  it.each(['0', '-1', '1.5', 'abc', '', ' 5', '1e3', '86401', '9999999', '30s'])('pending TTL %j', (value) => {
    expectConfigError(() => serve([`--pending-ttl=${value}`]), '--pending-ttl', `"${value}"`, 'from 1 to 86400');
    if (value !== '') {
      expectConfigError(() => serve([], { QUOTAGRAPH_PENDING_TTL: value }), 'QUOTAGRAPH_PENDING_TTL', `"${value}"`);
    }
  });

  it.each(['0', '2.5', 'ten', '100000'])('janitor interval %j', (value) => {
    expectConfigError(() => serve(['--janitor-interval', value]), '--janitor-interval', `"${value}"`, 'seconds');
    expectConfigError(
      () => serve([], { QUOTAGRAPH_JANITOR_INTERVAL: value }),
      'QUOTAGRAPH_JANITOR_INTERVAL',
      `"${value}"`,
    );
  });

  it.each(['Naive', 'unsafe', 'protocol,naive', ' '])('admission %j', (value) => {
    expectConfigError(() => serve([`--admission=${value}`]), '--admission', `"${value}"`, 'protocol or naive');
    expectConfigError(() => serve([], { QUOTAGRAPH_ADMISSION: value }), 'QUOTAGRAPH_ADMISSION', `"${value}"`);
  });

  it('unknown command', () => {
    expectConfigError(() => parseConfig(['start'], {}), 'command', '"start"', 'serve, apply or help');
    expectConfigError(() => parseConfig(['--port', '1'], {}), 'command', 'the command comes first');
  });

  it('unknown flag', () => {
    expectConfigError(() => serve(['--prot', '1']), '--prot', 'unknown flag --prot for serve');
    expectConfigError(() => serve(['-p', '1']), '-p', 'unknown flag');
    expectConfigError(() => serve(['-f', 'x']), '-f', 'unknown flag -f for serve');
  });

  it('unexpected positional argument', () => {
    expectConfigError(() => serve(['extra']), 'command', '"extra"');
  });

  it('missing value', () => {
    expectConfigError(() => serve(['--port']), '--port', 'missing value for --port');
    expectConfigError(() => serve(['--host', '--port', '1']), '--host', 'missing value for --host');
    expectConfigError(() => apply(['-f']), '-f', 'missing value for -f');
    expectConfigError(() => apply(['-f', 'x', '--filename']), '--filename', 'missing value');
  });

  it('repeated scalar flag', () => {
    expectConfigError(() => serve(['--port', '1', '--port=2']), '--port', 'more than once');
    expectConfigError(
      () => apply(['-f', 'x', '--store', 'kubernetes', '--store', 'kubernetes']),
      '--store',
      'more than once',
    );
  });
});

describe('parseConfig: --kube-context', () => {
  it('selects a kubeconfig context for the kubernetes store, from the flag or the environment', () => {
    expect(serve(['--store', 'kubernetes', '--kube-context', 'kind-dev'], JWT_ENV).store).toEqual({
      type: 'kubernetes',
      context: 'kind-dev',
    });
    expect(apply(['-f', 'x', '--store=kubernetes'], { QUOTAGRAPH_KUBE_CONTEXT: 'prod' }).store).toEqual({
      type: 'kubernetes',
      context: 'prod',
    });
    expect(serve(['--store', 'kubernetes'], JWT_ENV).store).toEqual({ type: 'kubernetes' });
  });

  it('is refused with the sqlite store, where it would silently mean nothing', () => {
    expectConfigError(
      () => serve(['--kube-context', 'kind-dev']),
      '--kube-context',
      'only applies with --store kubernetes',
    );
    expectConfigError(
      () => serve([], { QUOTAGRAPH_KUBE_CONTEXT: 'x' }),
      'QUOTAGRAPH_KUBE_CONTEXT',
      'only applies with --store kubernetes',
    );
  });

  it('refuses a blank context', () => {
    expectConfigError(
      () => serve(['--store', 'kubernetes', '--kube-context', 'a b'], JWT_ENV),
      '--kube-context',
      '"a b"',
    );
  });
});
