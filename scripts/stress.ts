/**
 * `npm run stress [-- --duration 20 --processes 3 --clients 24 --store sqlite|kubernetes|both
 *                     --algorithm protocol|naive|both --seed N]`
 *
 * Real gateway processes sharing one store under many concurrent clients, then an audit of the
 * store (test/support/stress.ts). Two organizations have ring-fenced projects (DESIGN §6) whose fences
 * the clients change too. Prints one row per store × algorithm, quota violations and ring-fence
 * violations (I1/I2/I3) in their own columns, and exits non-zero when the protocol shows any
 * violation, mismatch, duplicate or pending leftover. The naive algorithm (the
 * original check-then-write) is expected to oversubscribe; its findings are printed, not fatal.
 */
import {
  formatFindings,
  formatReports,
  runStress,
  type StressAlgorithm,
  type StressStore,
} from '../test/support/stress.js';

interface Flags {
  duration: number;
  processes: number;
  clients: number;
  stores: StressStore[];
  algorithms: StressAlgorithm[];
  seed: number | undefined;
}

const USAGE = `usage: npm run stress -- [--duration SECONDS] [--processes N] [--clients N]
                         [--store sqlite|kubernetes|both] [--algorithm protocol|naive|both] [--seed N]
defaults: --duration 20 --processes 3 --clients 24 --store both --algorithm both`;

function parseFlags(argv: string[]): Flags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--help' || token === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const [flag, inline] = token.includes('=')
      ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)]
      : [token, undefined];
    const value = inline ?? argv[++i];
    if (
      !['--duration', '--processes', '--clients', '--store', '--algorithm', '--seed'].includes(flag) ||
      value === undefined
    ) {
      fail(`bad argument "${token}"`);
    }
    values.set(flag, value!);
  }
  const integer = (flag: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) fail(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const choice = <T extends string>(flag: string, options: readonly T[]): T[] => {
    const raw = values.get(flag) ?? 'both';
    if (raw === 'both') return [...options];
    if (!(options as readonly string[]).includes(raw))
      fail(`${flag} must be ${options.join(', ')} or both, got "${raw}"`);
    return [raw as T];
  };
  return {
    duration: integer('--duration', 20, 1, 600),
    processes: integer('--processes', 3, 1, 16),
    clients: integer('--clients', 24, 1, 256),
    stores: choice('--store', ['sqlite', 'kubernetes'] as const),
    algorithms: choice('--algorithm', ['protocol', 'naive'] as const),
    seed: values.has('--seed') ? integer('--seed', 0, 0, 2 ** 32 - 1) : undefined,
  };
}

function fail(message: string): never {
  process.stderr.write(`stress: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 32);
  process.stderr.write(
    `stress: ${flags.processes} gateway processes, ${flags.clients} clients, ${flags.duration} s per run, seed ${seed}\n`,
  );
  const reports = [];
  for (const store of flags.stores) {
    for (const algorithm of flags.algorithms) {
      const report = await runStress({
        store,
        algorithm,
        durationMs: flags.duration * 1000,
        processes: flags.processes,
        clients: flags.clients,
        seed,
        progress: (line) => process.stderr.write(`stress: ${line}\n`),
      });
      reports.push(report);
      process.stderr.write(`${formatFindings(report)}\n`);
    }
  }
  process.stdout.write(`\n${formatReports(reports)}\n`);

  const broken = reports.filter(
    (r) =>
      r.algorithm === 'protocol' &&
      (r.violations.length > 0 ||
        r.partitionViolations.length > 0 ||
        r.mismatches.length > 0 ||
        r.duplicates.length > 0 ||
        r.pendingLeft > 0),
  );
  for (const r of reports.filter((r) => r.algorithm === 'naive')) {
    process.stdout.write(
      `naive on ${r.store}: ${r.violations.length} kinds over quota, ${r.partitionViolations.length} ring-fence violations` +
        `${r.violations.length + r.partitionViolations.length === 0 ? ' (this time; it is probabilistic)' : ''}\n`,
    );
  }
  if (broken.length > 0) {
    process.stdout.write(`FAIL: the protocol broke an invariant on ${broken.map((r) => r.store).join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write('OK: no violation under the protocol (quotas and ring-fences I1–I3)\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`stress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
