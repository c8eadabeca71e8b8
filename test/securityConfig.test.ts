/** `--auth` and the abuse limits, as `serve` reads them (src/securityConfig.ts through parseConfig). */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { isLoopback } from '../src/loopback.js';
import { expectConfigError } from './support/configError.js';

const serve = (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
  const config = parseConfig(['serve', ...args], env);
  if (config.command !== 'serve') throw new Error(`expected serve, got ${config.command}`);
  return config;
};

/** Everything `--auth jwt` needs, as flags. */
const JWT = [
  '--auth',
  'jwt',
  '--jwks-url',
  'https://issuer.example/jwks.json',
  '--jwt-issuer',
  'https://issuer.example',
  '--jwt-audience',
  'quotagraph',
];

describe('--auth: defaults', () => {
  it('is none on the embedded store (a laptop), on loopback', () => {
    expect(serve().auth).toEqual({ type: 'none' });
  });

  it('is jwt on the kubernetes store, and refuses to start without its settings', () => {
    expectConfigError(
      () => serve(['--store', 'kubernetes']),
      'QUOTAGRAPH_JWKS_URL',
      '--auth jwt (the default with --store kubernetes) needs the token keys',
    );
  });

  it('reads every jwt setting from flags or the environment, with the default claim names', () => {
    const expected = {
      type: 'jwt',
      jwksUrl: 'https://issuer.example/jwks.json',
      issuer: 'https://issuer.example',
      audience: 'quotagraph',
      claims: { subject: 'sub', roles: 'roles', organizations: 'organizations' },
    };
    expect(serve(JWT).auth).toEqual(expected);
    expect(
      serve(['--store', 'kubernetes'], {
        QUOTAGRAPH_JWKS_URL: 'https://issuer.example/jwks.json',
        QUOTAGRAPH_JWT_ISSUER: 'https://issuer.example',
        QUOTAGRAPH_JWT_AUDIENCE: 'quotagraph',
      }).auth,
    ).toEqual(expected);
  });

  it('takes a public key file instead of a JWKS URL, and custom claim names', () => {
    const auth = serve(
      [
        '--auth=jwt',
        '--jwt-public-key-file',
        '/etc/quotagraph/key.pem',
        '--jwt-issuer=iss',
        '--jwt-audience=aud',
        '--jwt-roles-claim',
        'https://example.com/roles',
      ],
      { QUOTAGRAPH_JWT_ORGANIZATIONS_CLAIM: 'orgs', QUOTAGRAPH_JWT_SUBJECT_CLAIM: 'email' },
    ).auth;
    expect(auth).toEqual({
      type: 'jwt',
      publicKeyFile: '/etc/quotagraph/key.pem',
      issuer: 'iss',
      audience: 'aud',
      claims: { subject: 'email', roles: 'https://example.com/roles', organizations: 'orgs' },
    });
  });
});

describe('--auth: wrong values', () => {
  it('names an unknown mode', () => {
    expectConfigError(() => serve(['--auth', 'basic']), '--auth', '"basic"', 'expected jwt or none');
    expectConfigError(() => serve([], { QUOTAGRAPH_AUTH: 'JWT' }), 'QUOTAGRAPH_AUTH', '"JWT"');
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '[::]'])(
    'refuses --auth none on the non-loopback address %s',
    (host) => {
      expectConfigError(() => serve(['--host', host]), '--auth', 'only listens on loopback', `"${host}"`);
      expectConfigError(() => serve(['--host', host, '--auth', 'none']), '--auth', 'only listens on loopback');
    },
  );

  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])('allows --auth none on loopback %s', (host) => {
    expect(serve(['--host', host]).auth).toEqual({ type: 'none' });
  });

  it('refuses jwt settings with --auth none (they would silently mean nothing)', () => {
    expectConfigError(() => serve(['--jwt-issuer', 'x']), '--jwt-issuer', 'only applies with --auth jwt');
    expectConfigError(() => serve([], { QUOTAGRAPH_JWKS_URL: 'https://x' }), 'QUOTAGRAPH_JWKS_URL', 'only applies');
  });

  it('needs exactly one key source', () => {
    expectConfigError(
      () => serve(['--auth', 'jwt', '--jwt-issuer', 'i', '--jwt-audience', 'a']),
      'QUOTAGRAPH_JWKS_URL',
    );
    expectConfigError(
      () => serve([...JWT, '--jwt-public-key-file', 'k.pem']),
      '--jwt-public-key-file',
      'are alternatives; set one',
    );
  });

  it('needs an issuer and an audience', () => {
    const withoutIssuer = JWT.filter((_, i) => i !== 4 && i !== 5);
    const withoutAudience = JWT.filter((_, i) => i !== 6 && i !== 7);
    expectConfigError(
      () => serve(withoutIssuer),
      'QUOTAGRAPH_JWT_ISSUER',
      'needs QUOTAGRAPH_JWT_ISSUER (--jwt-issuer)',
    );
    expectConfigError(() => serve(withoutAudience), 'QUOTAGRAPH_JWT_AUDIENCE', 'needs QUOTAGRAPH_JWT_AUDIENCE');
  });

  it.each([
    ['http://issuer.example/jwks', 'https'],
    ['not a url', ''],
    ['ftp://issuer.example/jwks', ''],
  ])('refuses the JWKS URL %s', (url, fragment) => {
    expectConfigError(
      () => serve([...JWT.slice(0, 2), '--jwks-url', url, ...JWT.slice(4)]),
      '--jwks-url',
      `"${url}"`,
      fragment,
    );
  });

  it('accepts a plain-http JWKS URL on loopback (a local issuer)', () => {
    const auth = serve([...JWT.slice(0, 2), '--jwks-url', 'http://127.0.0.1:8080/jwks', ...JWT.slice(4)]).auth;
    expect(auth).toMatchObject({ jwksUrl: 'http://127.0.0.1:8080/jwks' });
  });

  it('refuses blank values', () => {
    expectConfigError(() => serve([...JWT, '--jwt-roles-claim', ' ']), '--jwt-roles-claim', 'expected a claim name');
    expectConfigError(() => serve([...JWT.slice(0, 6), '--jwt-audience', ' ']), '--jwt-audience', 'empty');
  });
});

describe('limits', () => {
  it('have defaults, and each can be set by flag or environment', () => {
    const defaults = serve().limits;
    expect(Object.keys(defaults).sort()).toEqual(['maxAliases', 'maxBodyBytes', 'maxCost', 'maxDepth', 'maxTokens']);
    expect(serve(['--max-depth', '7']).limits).toEqual({ ...defaults, maxDepth: 7 });
    expect(serve([], { QUOTAGRAPH_MAX_COST: '100' }).limits).toEqual({ ...defaults, maxCost: 100 });
    expect(serve(['--max-aliases=0', '--max-tokens', '500', '--max-body-bytes', '2048']).limits).toEqual({
      ...defaults,
      maxAliases: 0,
      maxTokens: 500,
      maxBodyBytes: 2048,
    });
  });

  it.each([
    ['--max-depth', '1', 'from 2 to 100'],
    ['--max-depth', '101', 'from 2 to 100'],
    ['--max-cost', '0', 'from 1 to'],
    ['--max-cost', '-5', ''],
    ['--max-tokens', '1e3', ''],
    ['--max-body-bytes', '100', 'from 1024 to'],
    ['--max-aliases', 'many', ''],
  ])('refuses %s %s', (flag, value, fragment) => {
    expectConfigError(() => serve([flag, value]), flag, `"${value}"`, 'expected a whole number', fragment);
  });
});

describe('isLoopback', () => {
  it('knows loopback from everything else', () => {
    expect(['127.0.0.1', '127.255.0.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '128.0.0.1', 'localhost.example.com', '::2', ''].some(isLoopback)).toBe(false);
  });
});
