/**
 * Ring-fences under random workloads (DESIGN §6), through the REAL domain services on a real SQLite
 * store: random sequences of fence changes (setProjectQuota), quota changes (setQuota) and
 * allocation creates / updates / deletes, over one organization with three projects and two kinds.
 * Now and then a writer "crashes" after step 1 of the protocol, leaving a pending create or update
 * behind, and now and then the janitor runs (TTL 0) and decides whatever is pending.
 *
 * After every step the store is read back and
 * - I1–I3 hold for every kind (partition.ts checkPartition on the stored state, as admitted: a
 *   pending create does not count yet, a pending update counts as its previous items), and the
 *   services left nothing pending of their own;
 * - while nothing is pending, the answer is the one the model predicts: a change is admitted
 *   exactly when the state it leads to keeps I1–I3, and a refusal has the error type of a rule the
 *   change would break (with pending changes around, contention may refuse more: any typed answer);
 * - a success stored exactly what was asked, a refusal left the store as it was;
 * - every refused allocation (QuotaExceededError) would have put its project above its guarantee
 *   (I4), and its violations name exactly the scopes that are really exceeded.
 *
 * RUNS runs (PARTITION_PROPERTY_RUNS overrides it; FC_SEED replays a seed) of 1–40 steps each
 * (20 on average; short sequences let a failure shrink to its few relevant steps), every run on a
 * fresh store.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/domain/admission.js';
import {
  allocationName,
  allocationObject,
  createAllocation,
  deleteAllocation,
  formatItems,
  updateAllocation,
} from '../../src/domain/allocations.js';
import { buildCatalogue } from '../../src/domain/catalogue.js';
import { QuotaExceededError } from '../../src/domain/errors.js';
import { runJanitorOnce } from '../../src/domain/janitor.js';
import {
  ADMISSION_PENDING,
  ANNOTATION_PENDING_SINCE,
  ANNOTATION_PREVIOUS_SPEC,
  LABEL_ADMISSION,
  LABEL_ORGANIZATION,
} from '../../src/domain/labels.js';
import {
  type AllocationItems,
  readAllocation,
  readOrganization,
  readProject,
  readQuota,
} from '../../src/domain/model.js';
import { pickQuota } from '../../src/domain/ownership.js';
import {
  checkPartition,
  effectiveLimit,
  type Fence,
  type PartitionViolation,
  partition,
} from '../../src/domain/partition.js';
import { setProjectQuota } from '../../src/domain/projectQuota.js';
import { tryParseQuantity } from '../../src/domain/quantity.js';
import { setQuota } from '../../src/domain/setQuota.js';
import type { ObjectStore, StoredObject } from '../../src/store/types.js';
import {
  IDENTITY_NAMESPACE,
  organization,
  orgNamespace,
  project,
  projectNamespace,
  quota,
  quotaMetadata,
} from '../support/objects.js';
import { admittedOnly, describeViolation, storedFences, storedPartitionViolations } from '../support/partitionAudit.js';
import { propertyRuns, propertySeed } from '../support/propertyRuns.js';
import { storeFactories } from '../support/stores.js';

const RUNS = propertyRuns('PARTITION_PROPERTY_RUNS', 200);
const SEED = propertySeed();

const ORG = 'acme';
const PROJECTS = ['batch', 'ml', 'web'] as const;
const KINDS = ['gpus', 'servers'] as const;
type Project = (typeof PROJECTS)[number];
type Kind = (typeof KINDS)[number];
/** Catalogue defaults, and the ranges the generators draw from: small, so that the rules bite. */
const DEFAULT: Record<Kind, bigint> = { gpus: 4n, servers: 10n };
const MAX_QUANTITY: Record<Kind, bigint> = { gpus: 6n, servers: 14n };
const MAX_GUARANTEE: Record<Kind, bigint> = { gpus: 3n, servers: 6n };
const MAX_LIMIT: Record<Kind, bigint> = { gpus: 4n, servers: 9n };
const MAX_AMOUNT: Record<Kind, [committed: bigint, reserved: bigint]> = { gpus: [2n, 1n], servers: [3n, 2n] };
const RESOURCES = 6;

// ---------------------------------------------------------------------------------------------
// Steps.

interface Item {
  kind: Kind;
  committed: bigint;
  reserved: bigint;
}
interface FenceEntry {
  kind: Kind;
  guaranteed: bigint | null;
  limit: bigint | null;
}
type Step =
  | { op: 'fence'; project: Project; quotas: FenceEntry[] }
  | { op: 'quota'; quotas: { kind: Kind; quantity: bigint }[] }
  | { op: 'create'; project: Project; resource: number; items: Item[] }
  | { op: 'update'; pick: number; items: Item[] }
  | { op: 'delete'; pick: number }
  /** A writer that died after writing its pending create (step 1), before deciding. */
  | { op: 'crashCreate'; project: Project; resource: number; items: Item[] }
  /** A writer that died after marking an update pending. */
  | { op: 'crashUpdate'; pick: number; items: Item[] }
  | { op: 'janitor' };

const kindsArb = fc.subarray([...KINDS], { minLength: 1 });
const perKind = <T>(arb: (kind: Kind) => fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
  kindsArb.chain((kinds) => fc.tuple(...kinds.map(arb)));
const amount = (max: bigint) => fc.bigInt({ min: 0n, max });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 3 });

const itemsOf = (scale: bigint) =>
  perKind((kind) =>
    fc.record({
      kind: fc.constant(kind),
      committed: amount(MAX_AMOUNT[kind][0] * scale),
      reserved: amount(MAX_AMOUNT[kind][1]),
    }),
  );
const itemsArb = itemsOf(1n);
/** A crashed writer's change is often one that would not have fitted: the case where its over-count matters. */
const crashItemsArb = itemsOf(3n);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('fence' as const),
      project: fc.constantFrom(...PROJECTS),
      quotas: perKind((kind) =>
        fc.record({
          kind: fc.constant(kind),
          guaranteed: maybe(amount(MAX_GUARANTEE[kind])),
          limit: maybe(amount(MAX_LIMIT[kind])),
        }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('quota' as const),
      quotas: perKind((kind) => fc.record({ kind: fc.constant(kind), quantity: amount(MAX_QUANTITY[kind]) })),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      project: fc.constantFrom(...PROJECTS),
      resource: fc.integer({ min: 0, max: RESOURCES - 1 }),
      items: itemsArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('update' as const), pick: fc.nat(), items: itemsArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('crashCreate' as const),
      project: fc.constantFrom(...PROJECTS),
      resource: fc.integer({ min: 0, max: RESOURCES - 1 }),
      items: crashItemsArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('crashUpdate' as const), pick: fc.nat(), items: crashItemsArb }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'janitor' as const }) },
);
/** The organization's Quota object at the start, or none (it follows the catalogue defaults). */
const initialArb = fc.option(fc.record({ gpus: amount(MAX_QUANTITY.gpus), servers: amount(MAX_QUANTITY.servers) }), {
  nil: null,
});

// ---------------------------------------------------------------------------------------------
// The state, as read from the store, and as the model predicts it.

interface StoredAllocation {
  project: Project;
  id: string;
  resourceId: string;
  items: Item[];
  /** Left pending by a crashed writer: a create (previous null) or an update from `previous`. */
  pending: boolean;
  previous: Item[] | null;
}
interface State {
  quantity: Map<Kind, bigint>;
  fences: Map<Kind, Map<string, Fence>>;
  /** By `project/id`. */
  allocations: Map<string, StoredAllocation>;
}

async function observe(store: ObjectStore): Promise<{ state: State; violations: PartitionViolation[] }> {
  const namespace = orgNamespace(ORG);
  const [metadata, quotas, allocationList] = await Promise.all([
    store.list('QuotaMetadata', { namespace: IDENTITY_NAMESPACE }),
    store.list('Quota', { namespace, labelSelector: `${LABEL_ORGANIZATION}=${ORG}` }),
    store.list('Allocation', { labelSelector: `${LABEL_ORGANIZATION}=${ORG}` }),
  ]);
  const catalogue = buildCatalogue(metadata.items);
  const quotaObject = pickQuota(namespace, quotas.items);
  const quotaRecord = quotaObject ? readQuota(quotaObject) : null;
  const records = allocationList.items.map(readAllocation);
  // I1–I3 as admitted: pending changes are not decided yet (they only over-count meanwhile).
  const violations = storedPartitionViolations({
    organizationId: ORG,
    catalogue,
    quota: quotaRecord,
    allocations: admittedOnly(records),
  });

  const parse = (raw: unknown) => {
    const parsed = tryParseQuantity(raw);
    if (!parsed.ok) throw new Error(`stored amount ${JSON.stringify(raw)} does not parse`);
    return parsed.value;
  };
  const items = (list: AllocationItems): Item[] =>
    list.map((i) => ({ kind: i.kind as Kind, committed: parse(i.committed), reserved: parse(i.reserved) }));
  const fences = storedFences(quotaRecord);
  const quantity = new Map<Kind, bigint>();
  for (const kind of KINDS) {
    const stored = quotaRecord?.entries.filter((e) => e.kind === kind).at(-1);
    quantity.set(kind, stored ? parse(stored.quantity) : DEFAULT[kind]);
  }
  const allocations = new Map<string, StoredAllocation>();
  for (const record of records) {
    allocations.set(`${record.projectId}/${record.id}`, {
      project: record.projectId as Project,
      id: record.id,
      resourceId: record.resourceId,
      items: items(record.items),
      pending: record.pending,
      previous: record.previousItems === null ? null : items(record.previousItems),
    });
  }
  return {
    state: { quantity, fences: new Map(KINDS.map((kind) => [kind, fences.get(kind) ?? new Map()])), allocations },
    violations,
  };
}

/** committed + reserved of one kind by project, as admitted (a pending create not at all, a pending update as before). */
function usage(state: State, kind: Kind): Map<string, bigint> {
  const byProject = new Map<string, bigint>();
  for (const allocation of state.allocations.values()) {
    const items = allocation.pending ? (allocation.previous ?? []) : allocation.items;
    for (const item of items.filter((i) => i.kind === kind)) {
      byProject.set(allocation.project, (byProject.get(allocation.project) ?? 0n) + item.committed + item.reserved);
    }
  }
  return byProject;
}

const total = (state: State, kind: Kind): bigint => [...usage(state, kind).values()].reduce((a, b) => a + b, 0n);

const ringFenced = (state: State, kind: Kind): bigint =>
  [...state.fences.get(kind)!.values()].reduce((sum, f) => sum + (f.guaranteed ?? 0n), 0n);

const violationsOf = (state: State): PartitionViolation[] =>
  KINDS.flatMap((kind) => checkPartition(kind, state.quantity.get(kind)!, state.fences.get(kind)!, usage(state, kind)));

const anyPending = (state: State) => [...state.allocations.values()].some((a) => a.pending);

/** A comparable form of a state: quantities, fences and allocations, each sorted. */
function canon(state: State): string {
  const fence = (f: Fence) => `${f.guaranteed ?? '-'}/${f.limit ?? '-'}`;
  return JSON.stringify({
    quantity: KINDS.map((kind) => `${kind}=${state.quantity.get(kind)}`),
    fences: KINDS.flatMap((kind) =>
      [...state.fences.get(kind)!].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, f]) => `${kind}:${p}=${fence(f)}`),
    ),
    allocations: [...state.allocations]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(
        ([key, a]) =>
          `${key}@${a.resourceId}: ${describeItems(a.items)}` +
          (a.pending ? ` (pending, from ${a.previous ? describeItems(a.previous) : 'nothing'})` : ''),
      ),
  });
}

const describeItems = (items: Item[]) =>
  [...items]
    .sort((a, b) => (a.kind < b.kind ? -1 : 1))
    .map((i) => `${i.kind} ${i.committed}+${i.reserved}`)
    .join(', ');

const clone = (state: State): State => ({
  quantity: new Map(state.quantity),
  fences: new Map([...state.fences].map(([kind, fences]) => [kind, new Map(fences)])),
  allocations: new Map(state.allocations),
});

/** The allocation a step acts on: the `pick`-th in key order (of those `eligible`), or none. */
function picked(
  state: State,
  pick: number,
  eligible: (a: StoredAllocation) => boolean = () => true,
): StoredAllocation | undefined {
  const keys = [...state.allocations.keys()].filter((key) => eligible(state.allocations.get(key)!)).sort();
  return keys.length === 0 ? undefined : state.allocations.get(keys[pick % keys.length]!);
}

/** The allocation an update, delete or crashed update acts on (a crashed update marks a settled one). */
function target(state: State, step: Step): StoredAllocation | undefined {
  if (step.op === 'update' || step.op === 'delete') return picked(state, step.pick);
  if (step.op === 'crashUpdate') return picked(state, step.pick, (a) => !a.pending);
  return undefined;
}

/** Whether a step can run at all from `state` (nothing to update, or a crashed create's resource is taken). */
function applicable(state: State, step: Step): boolean {
  if (step.op === 'update' || step.op === 'delete' || step.op === 'crashUpdate')
    return target(state, step) !== undefined;
  if (step.op === 'crashCreate') {
    return ![...state.allocations.values()].some((a) => a.resourceId === `r${step.resource}`);
  }
  return true;
}

/** In `allowed`: any typed refusal is fine (what contention with pending changes may answer). */
const ANY_REFUSAL = 'any refusal';

const ERROR_OF_RULE = {
  I1: 'RingFenceExceedsQuotaError',
  I2: 'SharedPoolExhaustedError',
  I3: 'ProjectLimitBelowUsageError',
} as const;

/**
 * What the step should do from `before`: the state it leads to when admitted, and the answers
 * allowed (`ok` or error names). A change is admitted exactly when its state keeps I1–I3 (the
 * state before always does: every step checks it). With pending changes of crashed writers around,
 * contention may refuse anything: then only the invariants, I4 and the refusals' reasons are checked.
 */
function predict(before: State, step: Step): { after: State; allowed: Set<string> } {
  const after = clone(before);
  const judge = (refusals: (broken: PartitionViolation[]) => string[]) => {
    const broken = violationsOf(after);
    const allowed = new Set(broken.length === 0 ? ['ok'] : refusals(broken));
    if (anyPending(before)) allowed.add(ANY_REFUSAL);
    return allowed;
  };
  switch (step.op) {
    case 'fence': {
      for (const { kind, guaranteed, limit } of step.quotas) {
        if (guaranteed === null && limit === null) after.fences.get(kind)!.delete(step.project);
        else after.fences.get(kind)!.set(step.project, { guaranteed, limit });
      }
      const allowed = judge((broken) => broken.map((v) => ERROR_OF_RULE[v.rule]));
      // A limit below the guarantee contradicts I4 (the API refuses it as bad input): the domain may
      // refuse it with any typed error, or store it and keep the limit hard (checked after every step).
      if (step.quotas.some((q) => q.guaranteed !== null && q.limit !== null && q.limit < q.guaranteed)) {
        allowed.add(ANY_REFUSAL);
      }
      return { after, allowed };
    }
    case 'quota': {
      for (const { kind, quantity } of step.quotas) after.quantity.set(kind, quantity);
      // Below the kind's usage is QuotaBelowUsageError; holding the usage but not the fences and
      // the overflow beyond them is QuotaBelowRingFencesError.
      const allowed = judge((broken) =>
        broken.map((v) =>
          total(after, v.kind as Kind) > after.quantity.get(v.kind as Kind)!
            ? 'QuotaBelowUsageError'
            : 'QuotaBelowRingFencesError',
        ),
      );
      return { after, allowed };
    }
    case 'create': {
      const resourceId = `r${step.resource}`;
      const id = allocationName('server', resourceId);
      const holders = [...before.allocations.values()].filter((a) => a.resourceId === resourceId);
      // A crashed writer's pending create under the same name: this one is in flight.
      if (holders.some((a) => a.project === step.project && a.pending)) {
        return { after, allowed: new Set(['ConflictError']) };
      }
      const holder = holders.find((a) => !a.pending);
      if (holder) {
        // The same request again is answered with what is stored; anything else is a duplicate.
        const same = holder.project === step.project && describeItems(holder.items) === describeItems(step.items);
        return { after, allowed: new Set([same ? 'ok' : 'DuplicateAllocationError']) };
      }
      // A pending create of the resource in another project: the older of the two wins (ties
      // broken by namespace), so this one may be admitted, or contended (any refusal, see judge).
      const allocation = { project: step.project, id, resourceId, items: step.items, pending: false, previous: null };
      after.allocations.set(`${step.project}/${id}`, allocation);
      return { after, allowed: judge(() => ['QuotaExceededError']) };
    }
    case 'update': {
      const allocation = target(before, step)!;
      after.allocations.set(`${allocation.project}/${allocation.id}`, { ...allocation, items: step.items });
      if (allocation.pending) return { after, allowed: new Set(['ConflictError']) }; // another change is in flight
      return { after, allowed: judge(() => ['QuotaExceededError']) };
    }
    case 'delete': {
      const allocation = target(before, step)!;
      after.allocations.delete(`${allocation.project}/${allocation.id}`);
      return { after, allowed: new Set([allocation.pending ? 'ConflictError' : 'ok']) };
    }
    case 'crashCreate': {
      const resourceId = `r${step.resource}`;
      const id = allocationName('server', resourceId);
      const allocation = { project: step.project, id, resourceId, items: step.items, pending: true, previous: null };
      after.allocations.set(`${step.project}/${id}`, allocation);
      return { after, allowed: new Set(['ok']) };
    }
    case 'crashUpdate': {
      const allocation = target(before, step)!;
      const marked = { ...allocation, items: step.items, pending: true, previous: allocation.items };
      after.allocations.set(`${allocation.project}/${allocation.id}`, marked);
      return { after, allowed: new Set(['ok']) };
    }
    case 'janitor':
      // Each pending change is admitted if it fits, else rolled back: the invariants say whether it judged right.
      return { after, allowed: new Set(['ok']) };
  }
}

/** Runs the step through the domain service; the answer's error name, or 'ok'. */
async function apply(
  admission: Admission,
  before: State,
  step: Step,
): Promise<{ answer: string; error?: Error; janitor?: string }> {
  const store = admission.store;
  try {
    switch (step.op) {
      case 'fence':
        await setProjectQuota(admission, { organizationId: ORG, projectId: step.project, quotas: step.quotas });
        break;
      case 'quota':
        await setQuota(admission, { organizationId: ORG, quotas: step.quotas });
        break;
      case 'create':
        await createAllocation(admission, {
          organizationId: ORG,
          projectId: step.project,
          resourceKind: 'server',
          resourceId: `r${step.resource}`,
          items: step.items,
        });
        break;
      case 'update': {
        const allocation = target(before, step)!;
        await updateAllocation(admission, {
          organizationId: ORG,
          projectId: allocation.project,
          id: allocation.id,
          items: step.items,
        });
        break;
      }
      case 'delete': {
        const allocation = target(before, step)!;
        await deleteAllocation(admission, { organizationId: ORG, projectId: allocation.project, id: allocation.id });
        break;
      }
      case 'crashCreate': {
        // What step 1 of a createAllocation writes, left behind by a writer that died.
        const resourceId = `r${step.resource}`;
        const ref = { namespace: projectNamespace(ORG, step.project), id: allocationName('server', resourceId) };
        const object = allocationObject(
          readOrganization(organization(ORG)),
          readProject(project(ORG, step.project)),
          { resourceKind: 'server', resourceId },
          ref,
          { allocations: formatItems(step.items) },
          { [LABEL_ADMISSION]: ADMISSION_PENDING },
        );
        object.metadata.annotations = { [ANNOTATION_PENDING_SINCE]: LONG_AGO };
        await store.create(object);
        break;
      }
      case 'crashUpdate': {
        // What step 1 of an updateAllocation writes: the new items, marked, with the spec they replace.
        const allocation = target(before, step)!;
        const current = await store.get('Allocation', projectNamespace(ORG, allocation.project), allocation.id);
        await store.update({
          ...current,
          metadata: {
            ...current.metadata,
            labels: { ...current.metadata.labels, [LABEL_ADMISSION]: ADMISSION_PENDING },
            annotations: {
              ...current.metadata.annotations,
              [ANNOTATION_PENDING_SINCE]: LONG_AGO,
              [ANNOTATION_PREVIOUS_SPEC]: JSON.stringify(current.spec ?? {}),
            },
          },
          spec: { ...current.spec, allocations: formatItems(step.items) },
        });
        break;
      }
      case 'janitor': {
        const round = await runJanitorOnce(admission, { ttlMs: 0 });
        return { answer: 'ok', janitor: `${round.admitted} admitted, ${round.rolledBack} rolled back` };
      }
    }
    return { answer: 'ok' };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { answer: error.name, error };
  }
}

const LONG_AGO = '2000-01-01T00:00:00.000Z';

function describeStep(step: Step, before: State): string {
  const amount = (n: bigint | null) => (n === null ? 'null' : String(n));
  const on = () => {
    const allocation = target(before, step);
    return `${allocation?.project}/${allocation?.resourceId}`;
  };
  switch (step.op) {
    case 'fence':
      return `setProjectQuota ${step.project} ${step.quotas.map((q) => `${q.kind} G=${amount(q.guaranteed)} L=${amount(q.limit)}`).join(', ')}`;
    case 'quota':
      return `setQuota ${step.quotas.map((q) => `${q.kind}=${q.quantity}`).join(', ')}`;
    case 'create':
      return `createAllocation ${step.project} r${step.resource}: ${describeItems(step.items)}`;
    case 'update':
      return `updateAllocation ${on()}: ${describeItems(step.items)}`;
    case 'delete':
      return `deleteAllocation ${on()}`;
    case 'crashCreate':
      return `(a writer dies after writing its pending create) ${step.project} r${step.resource}: ${describeItems(step.items)}`;
    case 'crashUpdate':
      return `(a writer dies after marking its update pending) ${on()}: ${describeItems(step.items)}`;
    case 'janitor':
      return 'janitor round (TTL 0)';
  }
}

function describeState(state: State): string {
  const perKind = KINDS.map((kind) => {
    const used = usage(state, kind);
    const projects = PROJECTS.map((p) => {
      const f = state.fences.get(kind)!.get(p);
      return `${p} ${used.get(p) ?? 0n}${f ? ` [G ${f.guaranteed ?? '-'} L ${f.limit ?? '-'}]` : ''}`;
    });
    return `${kind} Q=${state.quantity.get(kind)}: ${projects.join(', ')}`;
  });
  const pending = [...state.allocations.values()]
    .filter((a) => a.pending)
    .map((a) => `${a.project}/${a.resourceId} → ${describeItems(a.items)}`);
  return `${perKind.join('; ')}${pending.length > 0 ? `; pending: ${pending.join(', ')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The property.

/** What the runs did, to check that they exercised every rule (a property that never refuses proves little). */
const seen = new Map<string, number>();
const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

function fixture(initial: { gpus: bigint; servers: bigint } | null): StoredObject[] {
  return [
    quotaMetadata('gpus', Number(DEFAULT.gpus)),
    quotaMetadata('servers', Number(DEFAULT.servers)),
    organization(ORG),
    ...(initial ? [quota(ORG, { gpus: String(initial.gpus), servers: String(initial.servers) })] : []),
    ...PROJECTS.map((id) => project(ORG, id)),
  ];
}

async function runSequence(initial: { gpus: bigint; servers: bigint } | null, steps: Step[]): Promise<void> {
  const testStore = await storeFactories.sqlite!();
  try {
    await testStore.seed(fixture(initial));
    const store = testStore.store;
    // One writer: whatever it is refused, only the crashed writers' pending changes contend with it.
    const admission = new Admission(store, IDENTITY_NAMESPACE, {
      // Contention is not what this test is about: give up on it quickly.
      maxAttempts: 3,
      backoff: { baseMs: 1, maxMs: 1 },
      random: () => 0,
    });
    let { state: before, violations } = await observe(store);
    expect(violations.map(describeViolation), 'the seed').toEqual([]);
    const history: string[] = [`start: ${describeState(before)}`];

    for (const step of steps) {
      if (!applicable(before, step)) continue;
      const what = describeStep(step, before);
      const expected = predict(before, step);
      const { answer, error, janitor } = await apply(admission, before, step);
      const observed = await observe(store);
      const after = observed.state;
      history.push(`${what} → ${janitor ?? answer}${error ? ` (${error.message})` : ''}`);
      history.push(`  now: ${describeState(after)}`);
      const context = `\n${history.join('\n')}\n`;

      // I1–I3 hold after every step, read from the store.
      expect(observed.violations.map(describeViolation), `I1–I3 after: ${context}`).toEqual([]);

      // I4: a refused allocation would have put its project above its guarantee (within its limit).
      if (error instanceof QuotaExceededError) {
        const projectId = step.op === 'create' ? step.project : target(before, step)!.project;
        const beyondGuarantee = KINDS.some((kind) => {
          const was = usage(before, kind).get(projectId) ?? 0n;
          const would = usage(expected.after, kind).get(projectId) ?? 0n;
          const fence = before.fences.get(kind)!.get(projectId);
          const guaranteed = fence?.guaranteed ?? 0n;
          const limit = effectiveLimit(fence);
          const protectedUpTo = limit !== null && limit < guaranteed ? limit : guaranteed;
          return would > was && would > protectedUpTo;
        });
        expect(beyondGuarantee, `I4: refused within the project's guarantee: ${context}`).toBe(true);
        checkScopes(error, projectId, expected.after, context);
        count(`refused ${step.op} ${[...new Set(error.violations.map((v) => v.scope))].sort().join('+')}`);
      }

      // The verdict is the model's, and the store shows it.
      const anyRefusal = expected.allowed.has(ANY_REFUSAL) && answer !== 'ok';
      if (!anyRefusal) expect([...expected.allowed], `the answer to ${what}: ${context}`).toContain(answer);
      if (step.op === 'janitor') {
        expect(anyPending(after), `pending after the janitor: ${context}`).toBe(false);
      } else if (answer === 'ok') {
        expect(canon(after), `stored after ${what}: ${context}`).toBe(canon(expected.after));
      } else {
        expect(canon(after), `a refused ${what} changed the store: ${context}`).toBe(canon(before));
      }
      count(`${step.op} ${answer}${anyPending(before) && step.op !== 'janitor' ? ' (pending around)' : ''}`);
      if (answer === 'ok' && (step.op === 'create' || step.op === 'update')) countI4(step, before, expected.after);
      before = after;
    }
  } finally {
    await testStore.cleanup();
  }
}

/**
 * The violations of a QuotaExceededError are exactly the rules the allocation would break, each in
 * its scope: I3 is the project's limit; I2 is the shared pool, which is the organization's whole
 * quota when nothing is ring-fenced (no fences, or limits only).
 */
function checkScopes(error: QuotaExceededError, projectId: string, would: State, context: string): void {
  const scopeOf = (v: PartitionViolation) =>
    v.rule === 'I3' ? 'PROJECT_LIMIT' : ringFenced(would, v.kind as Kind) > 0n ? 'SHARED_POOL' : 'ORGANIZATION';
  const broken = violationsOf(would).map((v) => ({
    kind: v.kind,
    scope: scopeOf(v),
    project: scopeOf(v) === 'ORGANIZATION' ? null : projectId,
  }));
  const reported = error.violations.map(({ kind, scope, project }) => ({ kind, scope, project }));
  const order = (list: typeof broken) =>
    [...list].sort((a, b) => (`${a.kind}${a.scope}` < `${b.kind}${b.scope}` ? -1 : 1));
  expect(order(reported), `the scopes of a QuotaExceededError: ${context}`).toEqual(order(broken));
}

/** Counts admissions that only I4 explains: within the guarantee while the shared pool could not have held them. */
function countI4(step: Step & { op: 'create' | 'update' }, before: State, after: State): void {
  const projectId = step.op === 'create' ? step.project : target(before, step)!.project;
  for (const kind of KINDS) {
    const fence = before.fences.get(kind)!.get(projectId);
    const would = usage(after, kind).get(projectId) ?? 0n;
    const was = usage(before, kind).get(projectId) ?? 0n;
    if (fence?.guaranteed == null || would <= was || would > fence.guaranteed) continue;
    const pool = partition(before.quantity.get(kind)!, before.fences.get(kind)!, usage(before, kind));
    if (would - was > pool.sharedFree) count('admitted by I4 beyond the shared pool');
  }
}

describe('ring-fences: random workloads through the domain services (SQLite)', () => {
  it(`keep I1–I3 after every step and I4 for every refusal (${RUNS} runs)`, {
    timeout: Math.max(180_000, RUNS * 1_000),
  }, async () => {
    const started = performance.now();
    seen.clear();
    await fc.assert(
      fc.asyncProperty(initialArb, fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'max' }), runSequence),
      { numRuns: RUNS, seed: SEED },
    );
    const summary = [...seen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([what, n]) => `${what}: ${n}`);
    // The runs reached every rule, so passing means something.
    for (const outcome of [
      'fence ok',
      'fence RingFenceExceedsQuotaError',
      'fence ProjectLimitBelowUsageError',
      'fence SharedPoolExhaustedError',
      'quota ok',
      'quota QuotaBelowRingFencesError',
      'quota QuotaBelowUsageError',
      'create ok',
      'create QuotaExceededError',
      'create DuplicateAllocationError',
      'update ok',
      'update QuotaExceededError',
      'delete ok',
      'admitted by I4 beyond the shared pool',
      'crashCreate ok',
      'crashUpdate ok',
      'janitor ok',
      'create ConflictError (pending around)',
    ]) {
      expect(seen.get(outcome) ?? 0, `${outcome} never happened:\n${summary.join('\n')}`).toBeGreaterThan(0);
    }
    for (const scope of ['ORGANIZATION', 'SHARED_POOL', 'PROJECT_LIMIT']) {
      expect(
        [...seen.keys()].some((k) => k.startsWith('refused') && k.includes(scope)),
        `no refusal in scope ${scope}:\n${summary.join('\n')}`,
      ).toBe(true);
    }
    if (process.env.PARTITION_PROPERTY_REPORT) {
      const steps = [...seen].filter(([k]) => !k.startsWith('refused') && !k.startsWith('admitted by'));
      process.stderr.write(
        `partition property: ${RUNS} runs, ${steps.reduce((n, [, c]) => n + c, 0)} steps, ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s\n${summary.join('\n')}\n`,
      );
    }
  });
});

/**
 * Sequences the property found (shrunk), kept as examples: each must keep I1–I3 like any other.
 * A random run finds the second only now and then, so it is spelled out here.
 */
describe('ring-fences: sequences the property found (SQLite)', () => {
  const servers = (committed: bigint, reserved = 0n): Item[] => [{ kind: 'servers', committed, reserved }];

  it('a limit below the guarantee still caps the project (I3 before I4)', async () => {
    await runSequence(null, [
      { op: 'fence', project: 'batch', quotas: [{ kind: 'servers', guaranteed: 1n, limit: 0n }] },
      { op: 'create', project: 'batch', resource: 0, items: servers(1n) },
    ]);
  });

  it('a fence change is not excused by an undecided pending allocation that over-counts', async () => {
    // 3 servers; batch holds 1. A writer of ml died after writing a pending create of 3, so the
    // usage counted (pending included) is 4 > 3: I2 "already broken". Ring-fencing all 3 for ml
    // leaves no shared pool for batch's 1, and the pending create is rolled back later.
    await runSequence({ gpus: 0n, servers: 3n }, [
      { op: 'create', project: 'batch', resource: 0, items: servers(0n, 1n) },
      { op: 'crashCreate', project: 'ml', resource: 1, items: servers(1n, 2n) },
      { op: 'fence', project: 'ml', quotas: [{ kind: 'servers', guaranteed: 3n, limit: null }] },
      { op: 'janitor' },
    ]);
  });

  it('nor when the change makes the over-counted breach larger', async () => {
    await runSequence({ gpus: 4n, servers: 10n }, [
      { op: 'create', project: 'ml', resource: 0, items: servers(6n) },
      { op: 'crashCreate', project: 'ml', resource: 1, items: servers(5n) },
      { op: 'fence', project: 'web', quotas: [{ kind: 'servers', guaranteed: 5n, limit: null }] },
      { op: 'janitor' },
    ]);
  });
});
