/**
 * Bad configuration is the operator's to fix: the command exits non-zero at once with exactly one
 * line, `quotagraph: <problem>`, and never starts listening (DESIGN §8).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, cleanup, lines, makeTempDir, runCli } from './support.js';

let occupied: Server | undefined;
afterEach(async () => {
  await cleanup();
  await new Promise<void>((resolve) => (occupied ? occupied.close(() => resolve()) : resolve()));
  occupied = undefined;
});

/** Well under the 20 s a hung command gets before runCli kills it; startup through tsx takes ~1-3 s. */
const QUICKLY_MS = 10_000;

/** The one stderr line of a failed command, after checking the shape every failure must have. */
function expectOneLineFailure(result: CliResult, code: number): string {
  const stderr = lines(result.stderr);
  expect(stderr, result.stderr).toHaveLength(1);
  expect(stderr[0]).toMatch(/^quotagraph: \S/);
  expect(result.stderr).not.toContain('listening on');
  expect(result.stdout).toBe('');
  expect(result.signal).toBeNull();
  expect(result.code).toBe(code);
  expect(result.durationMs).toBeLessThan(QUICKLY_MS);
  return stderr[0]!;
}

function tempDb(): string {
  return join(makeTempDir(), 'q.db');
}

/** Exit codes of src/main.ts: 2 for a configuration error, 1 for a store or listen failure. */
const CONFIG = 2;
const RUNTIME = 1;

describe('quotagraph serve with a bad configuration', () => {
  it('--auth none on an address other machines can reach', async () => {
    const line = expectOneLineFailure(
      await runCli(['serve', '--port', '0', '--host', '0.0.0.0', '--store', `sqlite:${tempDb()}`]),
      CONFIG,
    );
    expect(line).toContain('--auth none makes every caller a platform admin, so it only listens on loopback');
    expect(line).toContain('"0.0.0.0"');
  });

  it('the kubernetes store without token settings (it defaults to --auth jwt)', async () => {
    const line = expectOneLineFailure(await runCli(['serve', '--port', '0', '--store', 'kubernetes']), CONFIG);
    expect(line).toContain('needs the token keys: set QUOTAGRAPH_JWKS_URL');
  });

  it('a JWT public key file that is missing or is not a public key', async () => {
    const jwt = ['--auth', 'jwt', '--jwt-issuer', 'https://issuer.example', '--jwt-audience', 'quotagraph'];
    const store = ['--store', `sqlite:${tempDb()}`, '--seed', 'none'];
    const missing = join(makeTempDir(), 'nope.pem');
    const missingLine = expectOneLineFailure(
      await runCli(['serve', '--port', '0', ...store, ...jwt, '--jwt-public-key-file', missing]),
      RUNTIME,
    );
    expect(missingLine).toContain(missing);
    const garbage = join(makeTempDir(), 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    const garbageLine = expectOneLineFailure(
      await runCli(['serve', '--port', '0', ...store, ...jwt, '--jwt-public-key-file', garbage]),
      RUNTIME,
    );
    expect(garbageLine).toContain(garbage);
  });

  it('an unknown store scheme', async () => {
    const line = expectOneLineFailure(await runCli(['serve', '--port', '0', '--store', 'postgres://x']), CONFIG);
    expect(line).toContain('unknown store scheme');
    expect(line).toContain('--store "postgres://x"');
  });

  it('a store path under /proc, which cannot hold directories', async () => {
    const line = expectOneLineFailure(
      await runCli(['serve', '--port', '0', '--store', 'sqlite:/proc/quotagraph-forbidden/q.db']),
      RUNTIME,
    );
    expect(line).toContain('cannot open the sqlite store at "/proc/quotagraph-forbidden/q.db"');
  });

  it('a store path under a regular file', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'file'), 'not a directory');
    const path = join(dir, 'file', 'q.db');
    const line = expectOneLineFailure(await runCli(['serve', '--port', '0', '--store', `sqlite:${path}`]), RUNTIME);
    expect(line).toContain(`cannot open the sqlite store at "${path}"`);
  });

  it.each([
    ['70000', 'out of range'],
    ['abc', 'not a number'],
    ['-1', 'negative'],
  ])('--port %s (%s)', async (port) => {
    const line = expectOneLineFailure(await runCli(['serve', '--port', port, '--store', `sqlite:${tempDb()}`]), CONFIG);
    expect(line).toContain(`invalid --port "${port}"`);
  });

  it('PORT=abc in the environment names the variable', async () => {
    const result = await runCli(['serve', '--store', `sqlite:${tempDb()}`], { env: { PORT: 'abc' } });
    expect(expectOneLineFailure(result, CONFIG)).toContain('invalid PORT "abc"');
  });

  it('a port already in use', async () => {
    occupied = createServer();
    const server = occupied;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');

    const line = expectOneLineFailure(
      await runCli(['serve', '--host', '127.0.0.1', '--port', String(address.port), '--store', `sqlite:${tempDb()}`]),
      RUNTIME,
    );
    expect(line).toContain('cannot listen');
    expect(line).toContain('EADDRINUSE');
    expect(line).toContain(String(address.port));
  });

  it('an unknown flag', async () => {
    const line = expectOneLineFailure(
      await runCli(['serve', '--port', '0', '--verbose', '--store', `sqlite:${tempDb()}`]),
      CONFIG,
    );
    expect(line).toContain('unknown flag --verbose');
  });

  it('an unknown command', async () => {
    expect(expectOneLineFailure(await runCli(['serv']), CONFIG)).toContain('unknown command "serv"');
  });
});

describe('quotagraph --help', () => {
  it('exits 0 with the usage on stdout and nothing on stderr', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^quotagraph — GraphQL gateway for organization quotas\n/);
    expect(result.stdout).toContain('quotagraph serve [--port N]');
    expect(result.stdout).toContain('quotagraph apply -f <file|dir>');
  });

  it('wins over a bad flag on the same line', async () => {
    const result = await runCli(['serve', '--port', 'abc', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage:');
  });
});
