/**
 * The stress benchmark's core (DESIGN §5), shared by `npm run stress` (scripts/stress.ts) and the
 * short run in the test suite (test/e2e/stress.test.ts).
 *
 * One run: N real gateway processes (`node bin/quotagraph.js serve`) share ONE store — a SQLite
 * file, or the in-process Kubernetes-API test server through a kubeconfig — seeded with a small
 * catalogue and organizations with small quotas, so that contention is real. Two of the
 * organizations partition their quotas among projects (DESIGN §6): before the load starts, their
 * projects get guarantees and limits through the setProjectQuota mutation. Many concurrent HTTP
 * clients send random createAllocation / updateAllocation / deleteAllocation / setQuota, and in the
 * fenced organizations setProjectQuota, for the duration (only creates and updates in the last
 * quarter, so the end state is full), and every answer is recorded. Then the clients stop, the
 * gateways stop, the janitor runs once in-process with TTL 0 (so nothing pending remains), and the
 * store is AUDITED directly:
 *
 * - per organization and kind, committed + reserved ≤ quantity (a violation otherwise);
 * - per organization and fenced kind, the ring-fence invariants I1–I3 (partition.ts checkPartition
 *   on the stored quantity, fences and per-project usage), reported apart from the quantity
 *   violations (without fences, I2 is the quantity check itself);
 * - every success answer is what is stored, unless a later success on the same allocation
 *   replaced it (per allocation, the last successful write is what must be stored);
 * - nothing refused is stored; no allocation is left pending; no resource is allocated twice.
 *
 * Loopback only, bounded in time: every request has a timeout and every child is killed at the end.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Admission } from '../../src/domain/admission.js';
import { allocationName } from '../../src/domain/allocations.js';
import { buildCatalogue } from '../../src/domain/catalogue.js';
import { type JanitorRound, runJanitorOnce } from '../../src/domain/janitor.js';
import { LABEL_ADMISSION } from '../../src/domain/labels.js';
import { type AllocationItems, readAllocation, readOrganization, readQuota } from '../../src/domain/model.js';
import { pickQuota } from '../../src/domain/ownership.js';
import { checkPartition, type PartitionViolation } from '../../src/domain/partition.js';
import { tryParseQuantity } from '../../src/domain/quantity.js';
import { buildQuotaView } from '../../src/domain/quotaView.js';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ObjectStore, StoredObject } from '../../src/store/types.js';
import { type KubeApiServer, startKubeApiServer } from './kubeApiServer.js';
import { writeKubeconfig } from './kubeconfig.js';
import { IDENTITY_NAMESPACE, organization, project, quota, quotaMetadata } from './objects.js';
import { admittedOnly, describeViolation, storedKinds } from './partitionAudit.js';
import { namespacesOf } from './stores.js';

export type StressStore = 'sqlite' | 'kubernetes';
export type StressAlgorithm = 'protocol' | 'naive';

export interface StressOptions {
  store: StressStore;
  algorithm: StressAlgorithm;
  durationMs: number;
  processes: number;
  clients: number;
  /** Seed of the operation mix (the interleaving itself is up to the machine). */
  seed?: number;
  /** Progress lines (startup, stop, janitor); silent when not given. */
  progress?: (line: string) => void;
}

export interface Violation {
  organizationId: string;
  kind: string;
  used: bigint;
  quantity: bigint;
}

/** A ring-fence invariant (I1–I3, DESIGN §6) that an organization's stored state breaks after the run. */
export interface PartitionFinding {
  organizationId: string;
  rule: PartitionViolation['rule'];
  kind: string;
  detail: string;
}

/** A stored state that no success answer explains, or a success answer the store does not hold. */
export interface Mismatch {
  key: string;
  problem: string;
}

export interface StressReport {
  store: StressStore;
  algorithm: StressAlgorithm;
  processes: number;
  clients: number;
  /** How long the clients ran. */
  durationMs: number;
  /** Every answered request (and every failed one). */
  operations: number;
  /** Answers by operation and `__typename` (or `error:<code>` / `error:network`). */
  answers: Record<string, Record<string, number>>;
  /** createAllocation and updateAllocation successes. */
  admitted: number;
  deleted: number;
  quotaChanges: number;
  /** setProjectQuota successes during the load (the initial fences not included). */
  fenceChanges: number;
  /** Organizations whose projects have fences (set through setProjectQuota before the load). */
  fencedOrganizations: string[];
  /** QuotaExceededError answers by the scopes they name (ORGANIZATION, SHARED_POOL, PROJECT_LIMIT). */
  quotaExceededByScope: Record<string, number>;
  /** Typed refusals by type, over every operation (ConflictError is counted in `conflicts`). */
  refused: Record<string, number>;
  conflicts: number;
  /** Requests without a typed answer: GraphQL errors, HTTP failures, timeouts. */
  errors: number;
  /**
   * Pending writes beyond one per create request (POSTs of Allocations on the API server minus
   * createAllocation requests): the gateways' retries after contention. Null where it cannot be
   * counted from outside (SQLite).
   */
  retries: number | null;
  /** Kinds over quota after the run, per organization. */
  violations: Violation[];
  /** Ring-fence invariants I1–I3 broken after the run, per organization and kind. */
  partitionViolations: PartitionFinding[];
  mismatches: Mismatch[];
  /** Allocations of a resource stored more than once in an organization. */
  duplicates: string[];
  /** Allocation keys whose outcome cannot be checked (a request on them had no answer). */
  unverifiable: number;
  /** Pending allocations found after the gateways stopped, before the janitor ran. */
  pendingBeforeJanitor: number;
  janitor: JanitorRound;
  /** Pending allocations after the janitor (must be 0). */
  pendingLeft: number;
  /** Stored allocations at the end. */
  stored: number;
  /** Successful admissions per second. */
  throughput: number;
  /** warn/error log lines of the gateways, and the last few of them. */
  gatewayLog: { warn: number; error: number; last: string[] };
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REQUEST_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// The data: small quotas, so that the clients fight over them.

const KINDS = ['servers', 'gpus'] as const;
const ORGANIZATIONS = ['alpha', 'beta', 'gamma', 'delta'];
const PROJECTS = ['web', 'ml', 'batch'];
const RESOURCE_KINDS = ['server', 'cluster'];
const RESOURCES_PER_KIND = 8;

function fixture(): StoredObject[] {
  return [
    quotaMetadata('servers', 6, 'Servers'),
    quotaMetadata('gpus', 2, 'GPUs'),
    ...ORGANIZATIONS.map((id) => organization(id)),
    quota('alpha', { servers: 8, gpus: 3 }),
    quota('beta', { servers: 5 }),
    // gamma has no Quota object: it follows the catalogue defaults until someone sets one.
    quota('delta', { servers: 10, gpus: 4 }),
    ...ORGANIZATIONS.flatMap((org) => PROJECTS.map((id) => project(org, id))),
  ];
}

/**
 * The fences set before the load, through the API: a hard budget, a guarantee with a higher
 * limit, a cap without a guarantee, and an unfenced project (batch) in each organization.
 */
const INITIAL_FENCES: { organizationId: string; projectId: string; quotas: FenceInput[] }[] = [
  {
    organizationId: 'alpha',
    projectId: 'web',
    quotas: [{ kind: 'servers', guaranteed: 3, limit: null }],
  },
  { organizationId: 'alpha', projectId: 'ml', quotas: [{ kind: 'gpus', guaranteed: 1, limit: 2 }] },
  {
    organizationId: 'delta',
    projectId: 'web',
    quotas: [
      { kind: 'servers', guaranteed: 4, limit: 6 },
      { kind: 'gpus', guaranteed: 1, limit: null },
    ],
  },
  { organizationId: 'delta', projectId: 'ml', quotas: [{ kind: 'servers', guaranteed: null, limit: 3 }] },
];
const FENCED_ORGANIZATIONS = [...new Set(INITIAL_FENCES.map((f) => f.organizationId))];

interface FenceInput {
  kind: string;
  guaranteed: number | null;
  limit: number | null;
}

// ---------------------------------------------------------------------------------------------
// Operations and answers.

type OperationName = 'createAllocation' | 'updateAllocation' | 'deleteAllocation' | 'setQuota' | 'setProjectQuota';

interface ItemInput {
  kind: string;
  committed: number;
  reserved: number;
}

interface Answer {
  operation: OperationName;
  /** organization/project/allocation id, for allocation operations. */
  key: string | null;
  /** `__typename`, or `error:<code>` for a GraphQL error, or `error:network`. */
  type: string;
  /** What a create or update asked for. */
  items: ItemInput[] | null;
  /** The resourceVersion of a create/update success. */
  resourceVersion: string | null;
  /** The scopes a QuotaExceededError names. */
  scopes: string[];
  started: number;
  ended: number;
}

const SUCCESS = new Set(['CreateAllocationSuccess', 'UpdateAllocationSuccess', 'DeleteAllocationSuccess']);

const CREATE = `mutation($input: CreateAllocationInput!) { createAllocation(input: $input) { __typename
  ... on CreateAllocationSuccess { allocation { id state resourceVersion } }
  ... on QuotaExceededError { violations { scope } } } }`;
const UPDATE = `mutation($input: UpdateAllocationInput!) { updateAllocation(input: $input) { __typename
  ... on UpdateAllocationSuccess { allocation { id state resourceVersion } }
  ... on QuotaExceededError { violations { scope } } } }`;
const DELETE = `mutation($input: DeleteAllocationInput!) { deleteAllocation(input: $input) { __typename
  ... on DeleteAllocationSuccess { id } } }`;
const SET_QUOTA = `mutation($input: SetQuotaInput!) { setQuota(input: $input) { __typename } }`;
const SET_PROJECT_QUOTA = `mutation($input: SetProjectQuotaInput!) { setProjectQuota(input: $input) { __typename } }`;

/** mulberry32: a small seeded PRNG, so an operation mix can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Known {
  organizationId: string;
  projectId: string;
  id: string;
  resourceVersion: string;
}

/** Allocations the clients know of (from success answers), to update and delete. Shared by all clients. */
class KnownAllocations {
  private readonly byKey = new Map<string, Known>();

  remember(known: Known): void {
    this.byKey.set(keyOf(known.organizationId, known.projectId, known.id), known);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  pick(random: () => number, organizationId: string): Known | undefined {
    const candidates = [...this.byKey.values()].filter((k) => k.organizationId === organizationId);
    return candidates[Math.floor(random() * candidates.length)];
  }
}

const keyOf = (organizationId: string, projectId: string, id: string) => `${organizationId}/${projectId}/${id}`;

/**
 * Share of the run, at the end, in which clients only create and update: the end state is then
 * full to the brim, so an oversubscription that happens late is still there for the audit to see
 * (earlier ones may be hidden again by deletes and raised quotas).
 */
const FILL_SHARE = 0.25;
/** Share of creates sent as a burst of {@link BURST_SIZE} concurrent creates in one organization. */
const BURST_SHARE = 0.3;
const BURST_SIZE = 3;

async function client(
  gateways: string[],
  deadline: number,
  fillFrom: number,
  random: () => number,
  known: KnownAllocations,
  answers: Answer[],
): Promise<void> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const items = (): ItemInput[] => {
    const list: ItemInput[] = [{ kind: 'servers', committed: int(1, 2), reserved: int(0, 1) }];
    if (random() < 0.4) list.push({ kind: 'gpus', committed: int(0, 1), reserved: int(0, 1) });
    // Now and then a kind nobody catalogued: refused before anything is written.
    if (random() < 0.02) list.push({ kind: 'tpus', committed: 1, reserved: 0 });
    return list;
  };

  const fenceChange = (): FenceInput[] => {
    const kinds = KINDS.filter(() => random() < 0.6);
    return (kinds.length > 0 ? kinds : [pick(KINDS)]).map((kind) => {
      if (random() < 0.15) return { kind, guaranteed: null, limit: null }; // removes the fence
      const guaranteed = random() < 0.3 ? null : int(0, kind === 'servers' ? 4 : 1);
      const limit = random() < 0.4 ? null : (guaranteed ?? 1) + int(0, 3); // never below the guarantee
      return { kind, guaranteed, limit };
    });
  };

  while (Date.now() < deadline) {
    const url = pick(gateways);
    const organizationId = pick(ORGANIZATIONS);
    const roll = Date.now() >= fillFrom ? random() * 0.7 : random();
    const existing = roll >= 0.45 && roll < 0.85 ? known.pick(random, organizationId) : undefined;

    if (existing && roll < 0.7) {
      const input = {
        organizationId,
        projectId: existing.projectId,
        id: existing.id,
        items: items(),
        expectedResourceVersion: random() < 0.3 ? existing.resourceVersion : null,
      };
      const key = keyOf(organizationId, existing.projectId, existing.id);
      const answer = await send(url, 'updateAllocation', UPDATE, input, key, input.items);
      answers.push(answer);
      if (answer.type === 'UpdateAllocationSuccess') {
        known.remember({ ...existing, resourceVersion: answer.resourceVersion! });
      } else if (answer.type === 'NotFoundError') {
        known.forget(key);
      }
    } else if (existing) {
      const input = { organizationId, projectId: existing.projectId, id: existing.id };
      const key = keyOf(organizationId, existing.projectId, existing.id);
      const answer = await send(url, 'deleteAllocation', DELETE, input, key, null);
      answers.push(answer);
      if (answer.type === 'DeleteAllocationSuccess' || answer.type === 'NotFoundError') known.forget(key);
    } else if (roll >= 0.9 && FENCED_ORGANIZATIONS.includes(organizationId)) {
      // Fences move too: guarantees and limits up and down, now and then removed. Refused when the
      // guarantees would exceed the quantity (I1), the shared pool would not hold the overflow
      // (I2), or a limit would fall below its project's usage (I3).
      const input = { organizationId, projectId: pick(PROJECTS), quotas: fenceChange() };
      answers.push(await send(url, 'setProjectQuota', SET_PROJECT_QUOTA, input, null, null));
    } else if (roll >= 0.85) {
      // Quotas move up and down; lowering one below its usage is refused (QuotaBelowUsageError), or
      // below the fences in a fenced organization (QuotaBelowRingFencesError).
      const kind = pick(KINDS);
      const quantity = kind === 'servers' ? int(3, 10) : int(1, 4);
      const input = { organizationId, quotas: [{ kind, quantity }] };
      answers.push(await send(url, 'setQuota', SET_QUOTA, input, null, null));
    } else {
      // Now and then a burst: several creates in one organization at once, through different
      // gateways (an autoscaler adding servers), which is where check-then-write breaks.
      const burst = random() < BURST_SHARE ? BURST_SIZE : 1;
      const first = gateways.indexOf(url);
      await Promise.all(
        Array.from({ length: burst }, async (_, i) => {
          const projectId = pick(PROJECTS);
          const resourceKind = pick(RESOURCE_KINDS);
          const resourceId = `r${int(1, RESOURCES_PER_KIND)}`;
          const input = { organizationId, projectId, resourceKind, resourceId, items: items() };
          const id = allocationName(resourceKind, resourceId);
          const key = keyOf(organizationId, projectId, id);
          const target = gateways[(first + i) % gateways.length]!;
          const answer = await send(target, 'createAllocation', CREATE, input, key, input.items);
          answers.push(answer);
          if (answer.type === 'CreateAllocationSuccess') {
            known.remember({ organizationId, projectId, id, resourceVersion: answer.resourceVersion! });
          }
        }),
      );
    }
  }
}

async function send(
  url: string,
  operation: OperationName,
  query: string,
  input: unknown,
  key: string | null,
  items: ItemInput[] | null,
): Promise<Answer> {
  const started = performance.now();
  const answer = (type: string, resourceVersion: string | null = null, scopes: string[] = []): Answer => ({
    operation,
    key,
    type,
    items,
    resourceVersion,
    scopes,
    started,
    ended: performance.now(),
  });
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables: { input } }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await response.json()) as {
      data?: Record<
        string,
        {
          __typename: string;
          allocation?: { resourceVersion: string };
          violations?: { scope: string }[];
        } | null
      > | null;
      errors?: { extensions?: { code?: string } }[];
    };
    const result = body.data?.[operation];
    if (!result) return answer(`error:${body.errors?.[0]?.extensions?.code ?? `HTTP ${response.status}`}`);
    return answer(
      result.__typename,
      result.allocation?.resourceVersion ?? null,
      [...new Set((result.violations ?? []).map((v) => v.scope))].sort(),
    );
  } catch {
    return answer('error:network');
  }
}

// ---------------------------------------------------------------------------------------------
// Gateways: real processes.

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Gateway {
  url: string;
  child: Child;
  exited: Promise<void>;
}

interface GatewayLog {
  warn: number;
  error: number;
  last: string[];
}

/** The inherited environment without the CLI's own variables (the host's settings must not leak in). */
function gatewayEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('QUOTAGRAPH_') || ['PORT', 'HOST', 'KUBECONFIG'].includes(name)) delete env[name];
  }
  return { ...env, ...extra };
}

function startGateway(args: string[], env: NodeJS.ProcessEnv, log: GatewayLog, children: Set<Child>): Promise<Gateway> {
  const child = spawn(process.execPath, ['bin/quotagraph.js', 'serve', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => children.delete(child));
  child.stdout.resume();

  return new Promise<Gateway>((resolve, reject) => {
    let pending = '';
    let url: string | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a gateway did not start within ${START_TIMEOUT_MS} ms:\n${log.last.join('\n')}`));
    }, START_TIMEOUT_MS);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const level = /"level":"(warn|error)"/.exec(line)?.[1] as 'warn' | 'error' | undefined;
        if (level) {
          log[level]++;
          log.last = [...log.last.slice(-9), line.slice(0, level === 'error' ? 4000 : 400)];
        }
        const listening = /quotagraph listening on (http:\/\/\S+\/graphql)"/.exec(line);
        if (listening && url === null) {
          url = listening[1]!;
          clearTimeout(timer);
          resolve({ url, child, exited });
        }
        if (!line.startsWith('{')) log.last = [...log.last.slice(-9), line.slice(0, 400)];
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      if (url === null) reject(new Error(`a gateway exited before listening:\n${log.last.join('\n')}`));
    });
  });
}

async function stopGateway(gateway: Gateway): Promise<void> {
  gateway.child.kill('SIGTERM');
  const timer = setTimeout(() => gateway.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await gateway.exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// The run.

export async function runStress(options: StressOptions): Promise<StressReport> {
  const progress = options.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'quotagraph-stress-'));
  const children = new Set<Child>();
  let apiServer: KubeApiServer | undefined;
  let store: ObjectStore | undefined;
  const gatewayLog: GatewayLog = { warn: 0, error: 0, last: [] };

  try {
    // 1. One store, seeded once.
    let storeArgs: string[];
    let env: NodeJS.ProcessEnv;
    const openInProcess = (): ObjectStore =>
      apiServer
        ? kubernetesStoreFromConfig({ server: apiServer.url }, { requestTimeoutMs: REQUEST_TIMEOUT_MS })
        : openSqliteStore(join(dir, 'store.db'));
    if (options.store === 'kubernetes') {
      apiServer = await startKubeApiServer();
      for (const namespace of namespacesOf(fixture())) apiServer.createNamespace(namespace);
      // Admission is under test, not authentication: every client is the local platform admin.
      storeArgs = ['--store', 'kubernetes', '--auth', 'none'];
      env = gatewayEnv({ KUBECONFIG: writeKubeconfig(dir, apiServer.url) });
    } else {
      storeArgs = ['--store', `sqlite:${join(dir, 'store.db')}`];
      env = gatewayEnv({});
    }
    const seeding = openInProcess();
    await seeding.apply(fixture());
    await seeding.close();

    // 2. The gateways, all at once.
    progress(`${options.store}/${options.algorithm}: starting ${options.processes} gateways`);
    const args = [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      ...storeArgs,
      '--seed',
      'none',
      '--admission',
      options.algorithm,
    ];
    const gateways = await Promise.all(
      Array.from({ length: options.processes }, () => startGateway(args, env, gatewayLog, children)),
    );

    // 3. The fences, through the API like any client would set them.
    for (const fence of INITIAL_FENCES) {
      const answer = await send(gateways[0]!.url, 'setProjectQuota', SET_PROJECT_QUOTA, fence, null, null);
      if (answer.type !== 'SetProjectQuotaSuccess') {
        throw new Error(`setting the initial fences of ${fence.organizationId}/${fence.projectId}: ${answer.type}`);
      }
    }

    // 4. The load.
    progress(`${options.store}/${options.algorithm}: ${options.clients} clients for ${options.durationMs} ms`);
    apiServer?.clearRequests();
    const answers: Answer[] = [];
    const known = new KnownAllocations();
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    const started = performance.now();
    const deadline = Date.now() + options.durationMs;
    const fillFrom = deadline - options.durationMs * FILL_SHARE;
    await Promise.all(
      Array.from({ length: options.clients }, (_, i) =>
        client(
          gateways.map((g) => g.url),
          deadline,
          fillFrom,
          prng(seed + i),
          known,
          answers,
        ),
      ),
    );
    const durationMs = performance.now() - started;
    const allocationPosts =
      apiServer?.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/allocations')).length ?? null;

    // 5. Stop everything, then resolve whatever is still pending, as a janitor would after its TTL.
    progress(`${options.store}/${options.algorithm}: ${answers.length} operations; stopping the gateways`);
    await Promise.all(gateways.map(stopGateway));
    store = openInProcess();
    const pendingBeforeJanitor = (await store.list('Allocation', { labelSelector: LABEL_ADMISSION })).items.length;
    const janitor = await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: 0 });

    // 6. The audit, from the store itself.
    const audit = await auditStore(store, answers);
    const creates = answers.filter((a) => a.operation === 'createAllocation').length;
    return {
      store: options.store,
      algorithm: options.algorithm,
      processes: options.processes,
      clients: options.clients,
      durationMs,
      fencedOrganizations: FENCED_ORGANIZATIONS,
      janitor,
      pendingBeforeJanitor,
      retries: allocationPosts === null ? null : Math.max(0, allocationPosts - creates),
      gatewayLog,
      ...tally(answers, durationMs),
      ...audit,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await store?.close().catch(() => {});
    await apiServer?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function tally(answers: Answer[], durationMs: number) {
  const byOperation: Record<string, Record<string, number>> = {};
  const refused: Record<string, number> = {};
  let admitted = 0;
  let deleted = 0;
  let quotaChanges = 0;
  let fenceChanges = 0;
  const quotaExceededByScope: Record<string, number> = {};
  let conflicts = 0;
  let errors = 0;
  for (const answer of answers) {
    const counts = byOperation[answer.operation] ?? {};
    byOperation[answer.operation] = counts;
    counts[answer.type] = (counts[answer.type] ?? 0) + 1;
    if (answer.type === 'CreateAllocationSuccess' || answer.type === 'UpdateAllocationSuccess') admitted++;
    else if (answer.type === 'DeleteAllocationSuccess') deleted++;
    else if (answer.type === 'SetQuotaSuccess') quotaChanges++;
    else if (answer.type === 'SetProjectQuotaSuccess') fenceChanges++;
    else if (answer.type === 'ConflictError') conflicts++;
    else if (answer.type.startsWith('error:')) errors++;
    else refused[answer.type] = (refused[answer.type] ?? 0) + 1;
    for (const scope of answer.scopes) quotaExceededByScope[scope] = (quotaExceededByScope[scope] ?? 0) + 1;
  }
  return {
    operations: answers.length,
    answers: byOperation,
    admitted,
    deleted,
    quotaChanges,
    fenceChanges,
    quotaExceededByScope,
    refused,
    conflicts,
    errors,
    throughput: admitted / (durationMs / 1000),
  };
}

// ---------------------------------------------------------------------------------------------
// The audit.

async function auditStore(store: ObjectStore, answers: Answer[]) {
  const [organizations, metadata, quotas, allocationObjects] = await Promise.all([
    store.list('Organization', { namespace: IDENTITY_NAMESPACE }),
    store.list('QuotaMetadata', { namespace: IDENTITY_NAMESPACE }),
    store.list('Quota'),
    store.list('Allocation'),
  ]);
  const catalogue = buildCatalogue(metadata.items);
  const allocations = allocationObjects.items.map(readAllocation);

  // Capacity: per organization and kind, committed + reserved ≤ quantity; and the ring-fences.
  const violations: Violation[] = [];
  const partitionViolations: PartitionFinding[] = [];
  for (const object of organizations.items) {
    const org = readOrganization(object);
    const quotaObject = pickQuota(
      org.namespace,
      quotas.items.filter((q) => q.metadata.namespace === org.namespace),
    );
    const quotaRecord = quotaObject ? readQuota(quotaObject) : null;
    const own = allocations.filter((a) => a.organizationId === org.id);
    const view = buildQuotaView({ organizationId: org.id, catalogue, quota: quotaRecord, allocations: own });
    for (const item of view.items) {
      if (item.used > item.quantity) {
        violations.push({ organizationId: org.id, kind: item.kind, used: item.used, quantity: item.quantity });
      }
    }
    // I1–I3 hold for what is admitted (after the janitor nothing should be pending anyway). Only
    // kinds with fences: without any, I2 is Σ used ≤ quantity, the check above.
    const kinds = storedKinds({
      organizationId: org.id,
      catalogue,
      quota: quotaRecord,
      allocations: admittedOnly(own),
    });
    for (const [kind, { quantity, fences, usage }] of kinds) {
      if (fences.size === 0) continue;
      for (const v of checkPartition(kind, quantity, fences, usage)) {
        partitionViolations.push({ organizationId: org.id, rule: v.rule, kind, detail: describeViolation(v) });
      }
    }
  }

  // One allocation per resource and organization.
  const resources = new Map<string, number>();
  for (const a of allocations) {
    const resource = `${a.organizationId}: ${a.resourceKind}/${a.resourceId}`;
    resources.set(resource, (resources.get(resource) ?? 0) + 1);
  }
  const duplicates = [...resources].filter(([, count]) => count > 1).map(([resource]) => resource);

  // Every success answer against what is stored, per allocation.
  const stored = new Map(allocations.map((a) => [keyOf(a.organizationId, a.projectId, a.id), a]));
  const byKey = new Map<string, Answer[]>();
  for (const answer of answers) {
    if (answer.key !== null) byKey.set(answer.key, [...(byKey.get(answer.key) ?? []), answer]);
  }
  const mismatches: Mismatch[] = [];
  let unverifiable = 0;
  for (const key of new Set([...byKey.keys(), ...stored.keys()])) {
    const history = byKey.get(key) ?? [];
    if (history.some((a) => a.type.startsWith('error:'))) {
      unverifiable++;
      continue;
    }
    const problem = checkKey(history, stored.get(key)?.items ?? null);
    if (problem) mismatches.push({ key, problem });
  }

  return {
    violations,
    partitionViolations,
    duplicates,
    mismatches,
    unverifiable,
    pendingLeft: allocations.filter((a) => a.pending).length,
    stored: allocations.length,
  };
}

/**
 * What is stored must be what the last successful write left: the successes that no other
 * success followed (started after they ended) are the candidates; among concurrent creates and
 * updates the one with the highest resourceVersion was written last. Without any success, nothing
 * may be stored (every refusal leaves nothing behind).
 */
function checkKey(history: Answer[], storedItems: AllocationItems | null): string | null {
  const successes = history.filter((a) => SUCCESS.has(a.type));
  if (successes.length === 0) {
    if (storedItems === null) return null;
    const refusals = [...new Set(history.map((a) => a.type))].join(', ') || 'no request at all';
    return `stored (${describeItems(storedItems)}) without any success answer (answers: ${refusals})`;
  }
  const last = successes.filter((s) => !successes.some((t) => t !== s && t.started > s.ended));
  const writes = last.filter((s) => s.operation !== 'deleteAllocation');
  const deleted = writes.length < last.length;
  if (storedItems === null) {
    return deleted ? null : `a ${writes[0]!.type} answer (${describeInput(writes[0]!.items)}) but nothing is stored`;
  }
  if (deleted) {
    return writes.some((w) => sameItems(w.items!, storedItems))
      ? null
      : `a DeleteAllocationSuccess answer but ${describeItems(storedItems)} is stored`;
  }
  const newest = writes.reduce((a, b) => (BigInt(b.resourceVersion ?? 0) > BigInt(a.resourceVersion ?? 0) ? b : a));
  return sameItems(newest.items!, storedItems)
    ? null
    : `the last ${newest.type} answer (rv ${newest.resourceVersion}) was ${describeInput(newest.items)} but ${describeItems(storedItems)} is stored`;
}

function sameItems(sent: ItemInput[], stored: AllocationItems): boolean {
  const normalize = (items: { kind: string; committed: unknown; reserved: unknown }[]) =>
    items
      .map((i) => {
        const amount = (raw: unknown) => {
          const parsed = tryParseQuantity(raw);
          return parsed.ok ? parsed.value.toString() : `invalid:${String(raw)}`;
        };
        return `${i.kind}=${amount(i.committed)}+${amount(i.reserved)}`;
      })
      .sort()
      .join(',');
  return normalize(sent) === normalize(stored);
}

const describeInput = (items: ItemInput[] | null) =>
  (items ?? []).map((i) => `${i.kind} ${i.committed}+${i.reserved}`).join(', ');
const describeItems = (items: AllocationItems) =>
  items.map((i) => `${i.kind} ${String(i.committed)}+${String(i.reserved)}`).join(', ');

// ---------------------------------------------------------------------------------------------
// Printing.

/** The report as a table, one row per run. */
export function formatReports(reports: StressReport[]): string {
  const header = [
    'store',
    'algorithm',
    'operations',
    'admitted',
    'refused (by type)',
    'conflicts',
    '≈retries',
    'errors',
    'violations',
    'I1/I2/I3',
    'fence changes',
    'mismatches',
    'pending left',
    'admissions/s',
  ];
  const short: Record<string, string> = {
    QuotaExceededError: 'quota',
    DuplicateAllocationError: 'dup',
    NotFoundError: 'notfound',
    UnknownQuotaKindError: 'unknownkind',
    QuotaBelowUsageError: 'belowusage',
    QuotaBelowRingFencesError: 'belowfences',
    RingFenceExceedsQuotaError: 'ringfence',
    SharedPoolExhaustedError: 'sharedpool',
    ProjectLimitBelowUsageError: 'limitbelowusage',
  };
  const scopes: Record<string, string> = { ORGANIZATION: 'org', SHARED_POOL: 'shared', PROJECT_LIMIT: 'limit' };
  const rule = (r: StressReport, name: PartitionViolation['rule']) =>
    String(r.partitionViolations.filter((v) => v.rule === name).length);
  const rows = reports.map((r) => [
    r.store,
    r.algorithm,
    String(r.operations),
    String(r.admitted),
    `${sum(Object.values(r.refused))} (${Object.entries(r.refused)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([type, n]) => {
        if (type !== 'QuotaExceededError') return `${short[type] ?? type} ${n}`;
        const byScope = Object.entries(r.quotaExceededByScope)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([scope, count]) => `${scopes[scope] ?? scope} ${count}`);
        return `quota ${n}${byScope.length > 0 ? ` [${byScope.join(', ')}]` : ''}`;
      })
      .join(', ')})`,
    String(r.conflicts),
    r.retries === null ? 'n/a' : String(r.retries),
    String(r.errors),
    String(r.violations.length),
    `${rule(r, 'I1')}/${rule(r, 'I2')}/${rule(r, 'I3')}`,
    String(r.fenceChanges),
    String(r.mismatches.length + r.duplicates.length),
    String(r.pendingLeft),
    r.throughput.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** What went wrong in one run, for people: violations, mismatches, duplicates, log lines. */
export function formatFindings(report: StressReport, limit = 10): string {
  const lines: string[] = [];
  const run = `${report.store}/${report.algorithm}`;
  for (const v of report.violations.slice(0, limit)) {
    lines.push(`${run}: VIOLATION ${v.organizationId} ${v.kind}: ${v.used} used of ${v.quantity}`);
  }
  for (const v of report.partitionViolations.slice(0, limit)) {
    lines.push(`${run}: VIOLATION ${v.organizationId} ${v.detail}`);
  }
  for (const m of report.mismatches.slice(0, limit)) lines.push(`${run}: MISMATCH ${m.key}: ${m.problem}`);
  for (const d of report.duplicates.slice(0, limit)) lines.push(`${run}: DUPLICATE ${d}`);
  lines.push(
    `${run}: ${report.deleted} deleted, ${report.quotaChanges} quota changes, ${report.fenceChanges} fence changes ` +
      `(fenced: ${report.fencedOrganizations.join(', ')}), ${report.stored} stored at the end; ` +
      `pending after the gateways stopped: ${report.pendingBeforeJanitor} (janitor: ${report.janitor.admitted} admitted, ` +
      `${report.janitor.rolledBack} rolled back, ${report.janitor.left} left); ${report.unverifiable} allocations unverifiable ` +
      `(a request on them got no answer); gateway log: ${report.gatewayLog.warn} warn, ${report.gatewayLog.error} error`,
  );
  if (report.gatewayLog.error > 0) lines.push(...report.gatewayLog.last.map((l) => `${run}: log: ${l}`));
  return lines.join('\n');
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
