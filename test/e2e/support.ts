/**
 * Process-level helpers: the real `quotagraph` command (bin/quotagraph.js) as a child process.
 *
 * Every child and temp directory made here is tracked; call {@link cleanup} in `afterEach` so a
 * failing test never leaves a server running or a database behind.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_DIR = join(REPO_ROOT, 'demo');

/** How long a server may take to print its "listening on" line (tsx compiles the sources first). */
export const START_TIMEOUT_MS = 20_000;
/** How long a command that should finish by itself (apply, a bad config, a stopped server) may take. */
export const EXIT_TIMEOUT_MS = 20_000;

/** Variables the CLI reads; removed from the inherited environment so the host's settings cannot leak in. */
const CLI_ENV_VARS = [
  'PORT',
  'HOST',
  'QUOTAGRAPH_STORE',
  'QUOTAGRAPH_NAMESPACE',
  'QUOTAGRAPH_SEED',
  'QUOTAGRAPH_KUBE_CONTEXT',
  'QUOTAGRAPH_PENDING_TTL',
  'QUOTAGRAPH_JANITOR_INTERVAL',
  'QUOTAGRAPH_ADMISSION',
  'KUBECONFIG',
];

type Child = ChildProcessByStdio<null, Readable, Readable>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** One JSON log line of the server's stderr. */
export interface LogRecord {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  [field: string]: unknown;
}

const children = new Set<Child>();
const tempDirs = new Set<string>();

/** A fresh temp directory, removed by {@link cleanup}. */
export function makeTempDir(prefix = 'quotagraph-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Kills every child still running (SIGKILL) and removes every temp directory. For `afterEach`. */
export async function cleanup(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (!isRunning(child)) return;
      const exited = exitOf(child);
      child.kill('SIGKILL');
      await exited;
    }),
  );
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** The inherited environment without the CLI's own variables, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLI_ENV_VARS) delete env[name];
  return { ...env, ...extra };
}

interface SpawnedCli {
  child: Child;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): SpawnedCli {
  const child = spawn(process.execPath, ['bin/quotagraph.js', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = exitOf(child);
  const forget = () => children.delete(child);
  void exited.then(forget, forget);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function isRunning(child: Child): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves once the process has exited and its output pipes are drained ('close'). */
function exitOf(child: Child): Promise<Exit> {
  if (!isRunning(child) && child.stdout.closed && child.stderr.closed) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/** `promise`, or a rejection with `message()` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `quotagraph <args>` to completion (apply, help, a bad configuration). A command still
 * running after `timeoutMs` is killed and the call rejects with what it printed.
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const started = performance.now();
  const cli = spawnCli(args, cliEnv(options.env));
  const timeoutMs = options.timeoutMs ?? EXIT_TIMEOUT_MS;
  try {
    const exit = await within(
      cli.exited,
      timeoutMs,
      () => `quotagraph ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr:\n${cli.stderr()}`,
    );
    return { ...exit, stdout: cli.stdout(), stderr: cli.stderr(), durationMs: performance.now() - started };
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
}

/** The stderr lines of a command, without the trailing empty line. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(line === '' && i === all.length - 1));
}

export interface ServeOptions {
  /** The sqlite database file (`--store sqlite:<db>`); or give `store`. */
  db?: string;
  /** `--store`, when it is not a sqlite file (e.g. `kubernetes`). */
  store?: string;
  /** `--seed`; default `demo`. */
  seed?: string;
  /** More flags, after the defaults. */
  args?: string[];
  env?: Record<string, string>;
}

export interface RunningCli {
  /** The GraphQL endpoint, from the "listening on" log line: `http://127.0.0.1:PORT/graphql`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  pid: number;
  stderr(): string;
  /** The JSON log records printed so far (non-JSON lines are skipped). */
  logs(): LogRecord[];
  /** Resolves with the first log record (already printed or yet to come) whose message is or matches `message`. */
  waitForLog(message: string | RegExp, timeoutMs?: number): Promise<LogRecord>;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Sends `signal` (SIGTERM by default) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

const LISTENING = /quotagraph listening on (http:\/\/\S+\/graphql)$/;

/**
 * Starts `quotagraph serve --port 0 --host 127.0.0.1 --store sqlite:<db> --seed <seed>` and
 * resolves once it logs where it listens. Rejects, with everything it printed, when the process
 * exits first or does not listen within {@link START_TIMEOUT_MS}.
 */
export async function startServe(options: ServeOptions): Promise<RunningCli> {
  const args = [
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--store',
    options.store ?? `sqlite:${options.db}`,
    '--seed',
    options.seed ?? 'demo',
    ...(options.args ?? []),
  ];
  const cli = spawnCli(args, cliEnv(options.env));
  const logs = () => parseLogs(cli.stderr());

  const waitForLog = (message: string | RegExp, timeoutMs = EXIT_TIMEOUT_MS) => {
    const matches = (record: LogRecord) =>
      typeof message === 'string' ? record.message === message : message.test(record.message);
    const found = () => logs().find(matches);
    return within(
      new Promise<LogRecord>((resolve, reject) => {
        const check = () => {
          const record = found();
          if (record) {
            cli.child.stderr.off('data', check);
            resolve(record);
          }
        };
        cli.child.stderr.on('data', check);
        void cli.exited.then(() => {
          // Any last output is in by 'close'.
          const record = found();
          if (record) resolve(record);
          else reject(new Error(`quotagraph exited before logging "${message}"; stderr:\n${cli.stderr()}`));
        });
        check();
      }),
      timeoutMs,
      () => `quotagraph did not log "${message}" within ${timeoutMs} ms; stderr:\n${cli.stderr()}`,
    );
  };

  let listening: LogRecord;
  try {
    listening = await waitForLog(LISTENING, START_TIMEOUT_MS);
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
  const url = LISTENING.exec(listening.message)![1]!;
  const { origin, port } = new URL(url);

  return {
    url,
    origin,
    port: Number(port),
    pid: cli.child.pid!,
    stderr: cli.stderr,
    logs,
    waitForLog,
    exited: cli.exited,
    async stop(signal = 'SIGTERM', timeoutMs = EXIT_TIMEOUT_MS) {
      if (isRunning(cli.child)) cli.child.kill(signal);
      return within(
        cli.exited,
        timeoutMs,
        () => `quotagraph did not exit within ${timeoutMs} ms of ${signal}; stderr:\n${cli.stderr()}`,
      );
    },
  };
}

function parseLogs(stderr: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string') {
        records.push(value as LogRecord);
      }
    } catch {
      // A line still being written, or not a log record.
    }
  }
  return records;
}

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** POSTs a GraphQL operation (a plain string) to `url` and returns the parsed response. */
export async function postGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as Pick<GraphQLResponse<T>, 'data' | 'errors'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** The data of a response that must have no errors; the errors are the failure message otherwise. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors || response.data == null) {
    throw new Error(`GraphQL errors (HTTP ${response.status}): ${JSON.stringify(response.errors ?? response)}`);
  }
  return response.data;
}
