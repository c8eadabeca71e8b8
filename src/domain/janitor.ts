/**
 * The janitor of the admission protocol (DESIGN §5). A gateway that dies between writing an
 * allocation pending (step 1) and clearing the mark (step 5) leaves it pending: it over-counts,
 * which is the safe direction, but it must not do so for ever. After a TTL the janitor re-decides
 * it with the same steps 2–5 every writer uses — read the Quota, list, {@link allocationVerdict},
 * compare-and-swap the Quota — then admits it (clears the mark) or rolls it back.
 *
 * Every replica runs one, at the same time as the others: every write here is a compare-and-swap
 * at the version that was decided, so a lost race (another janitor, or the writer itself, got
 * there first) is not an error, and nothing is ever done to a version that was not decided.
 */
import { describeError, type Logger } from '../log.js';
import { isStoreError, type ObjectStore, type StoredObject } from '../store/types.js';
import type { Admission, DecisionState } from './admission.js';
import { type AllocationRef, allocationVerdict, clearMarks } from './allocations.js';
import { NotFoundError } from './errors.js';
import { ADMISSION_PENDING, ANNOTATION_PREVIOUS_SPEC, LABEL_ADMISSION } from './labels.js';
import { type AllocationRecord, compareStrings, type OrganizationRecord, readAllocation } from './model.js';

export interface JanitorRoundOptions {
  /** A pending allocation is the janitor's once its mark is older than this. */
  ttlMs: number;
  /** Where an organization that could not be handled is reported; silent when not given. */
  log?: Logger;
}

/**
 * What a round did. `left`: stale pending allocations still pending after the round (contended,
 * their organization is gone or unprovisioned, or it failed), for the next round. A race lost to
 * another janitor or to the allocation's writer counts in none of them.
 */
export interface JanitorRound {
  admitted: number;
  rolledBack: number;
  left: number;
}

/** Re-decides every pending allocation whose mark is older than `ttlMs`, organization by organization. */
export async function runJanitorOnce(admission: Admission, options: JanitorRoundOptions): Promise<JanitorRound> {
  const round: JanitorRound = { admitted: 0, rolledBack: 0, left: 0 };
  const now = admission.now().getTime();
  // Cluster-wide: pending allocations live in every project namespace.
  const listed = await admission.store.list('Allocation', { labelSelector: `${LABEL_ADMISSION}=${ADMISSION_PENDING}` });
  const byOrganization = new Map<string, AllocationRecord[]>();
  for (const object of listed.items) {
    const record = readAllocation(object);
    if (!record.pending || !isStale(record, now, options.ttlMs)) continue;
    byOrganization.set(record.organizationId, [...(byOrganization.get(record.organizationId) ?? []), record]);
  }

  for (const [organizationId, stale] of [...byOrganization].sort(([a], [b]) => compareStrings(a, b))) {
    let organization: OrganizationRecord;
    try {
      organization = await admission.organization(organizationId);
    } catch (error) {
      round.left += stale.length;
      report(options.log, error, 'janitor: pending allocations of an organization that cannot be read', {
        organizationId,
        allocations: stale.map(refOf),
      });
      continue;
    }
    const outcome = await cleanOrganization(admission, organization, stale.sort(byAge), now, options);
    round.admitted += outcome.admitted;
    round.rolledBack += outcome.rolledBack;
    round.left += outcome.left;
  }
  return round;
}

export interface JanitorOptions {
  ttlMs: number;
  /** Mean time between rounds; each wait is drawn uniformly from 0.5× to 1.5× of it. */
  intervalMs: number;
  log: Logger;
  random?: () => number;
}

export interface RunningJanitor {
  /** No round starts after this; resolves once the round in progress (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs {@link runJanitorOnce} forever, with jitter so that replicas do not move in step. A round
 * that did something is logged; a failed round (the store is unreachable…) is logged and the next
 * one tries again: the janitor never takes the process down.
 */
export function startJanitor(admission: Admission, options: JanitorOptions): RunningJanitor {
  const random = options.random ?? Math.random;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (stopped) return;
    const wait = Math.round(options.intervalMs * (0.5 + random()));
    timer = setTimeout(() => {
      running = round().finally(schedule);
    }, wait);
    // The janitor alone never keeps the process alive.
    timer.unref();
  };

  const round = async () => {
    const started = performance.now();
    try {
      const result = await runJanitorOnce(admission, { ttlMs: options.ttlMs, log: options.log });
      if (result.admitted + result.rolledBack + result.left > 0) {
        options.log[result.left > 0 ? 'warn' : 'info']('janitor round', {
          ...result,
          durationMs: Math.round(performance.now() - started),
        });
      }
    } catch (error) {
      options.log.error('janitor round failed; retrying next round', describeError(error));
    }
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * When the mark was written: pending-since, else (missing or unreadable) the object's creation
 * time; -Infinity when neither can be read (nobody can tell how old it is, so it counts as old).
 */
export function markedAt(record: AllocationRecord): number {
  const since = Date.parse(record.pendingSince ?? '');
  const from = Number.isNaN(since) ? Date.parse(record.creationTimestamp) : since;
  return Number.isNaN(from) ? Number.NEGATIVE_INFINITY : from;
}

const isStale = (record: AllocationRecord, now: number, ttlMs: number) => now - markedAt(record) >= ttlMs;

type Outcome = 'admitted' | 'rolled-back' | 'contended' | 'lost' | 'left';

interface Decided {
  outcome: Outcome;
  /** For a contended allocation: whether every other pending allocation it competes with is stale too. */
  onlyStaleRivals: boolean;
  record: AllocationRecord | undefined;
}

async function cleanOrganization(
  admission: Admission,
  organization: OrganizationRecord,
  stale: AllocationRecord[],
  now: number,
  options: JanitorRoundOptions,
): Promise<JanitorRound> {
  const result: JanitorRound = { admitted: 0, rolledBack: 0, left: 0 };
  let remaining = stale;
  // Each pass resolves at least one allocation or stops, so this ends.
  while (remaining.length > 0) {
    const contended: Decided[] = [];
    let progress = false;
    for (const record of remaining) {
      let decided: Decided;
      try {
        decided = await admission.serialize(organization.id, () =>
          resolve(admission, organization, record, now, options.ttlMs),
        );
      } catch (error) {
        // One allocation's trouble (too much contention, an unreadable previous spec, the store)
        // never stops the others; it stays pending, over-counting, for the next round.
        report(options.log, error, 'janitor: could not resolve a pending allocation', {
          organizationId: organization.id,
          allocation: refOf(record),
        });
        decided = { outcome: 'left', onlyStaleRivals: false, record };
      }
      if (decided.outcome === 'admitted') result.admitted++;
      if (decided.outcome === 'rolled-back') result.rolledBack++;
      if (decided.outcome === 'left') result.left++;
      if (decided.outcome === 'contended') contended.push(decided);
      else progress = true;
    }
    if (contended.length === 0) break;
    if (progress) {
      // What was admitted or rolled back may be what the others were waiting for.
      remaining = contended.map((d) => d.record!);
      continue;
    }
    // Stale allocations that are each other's only rivals would wait for each other for ever: no
    // writer is left to roll any of them back. Undo the youngest (a decrease needs no decision,
    // and nobody was told it was admitted) and let the others be decided again.
    const deadlocked = contended.filter((d) => d.onlyStaleRivals).map((d) => d.record!);
    const youngest = deadlocked.sort(byAge).at(-1);
    if (!youngest) {
      result.left += contended.length;
      break;
    }
    try {
      if (await rollBackExactly(admission.store, youngest)) result.rolledBack++;
    } catch (error) {
      report(options.log, error, 'janitor: could not roll back a deadlocked pending allocation', {
        organizationId: organization.id,
        allocation: refOf(youngest),
      });
      result.left += contended.length;
      break;
    }
    remaining = contended.map((d) => d.record!).filter((r) => r !== youngest);
  }
  return result;
}

/** Steps 2–5 for one stale pending allocation, acting only on the version that was decided. */
async function resolve(
  admission: Admission,
  organization: OrganizationRecord,
  listed: AllocationRecord,
  now: number,
  ttlMs: number,
): Promise<Decided> {
  const ref: AllocationRef = { namespace: listed.namespace, id: listed.id };
  let seen: AllocationRecord | undefined;
  let onlyStaleRivals = false;
  const result = await admission.decide(organization, (state: DecisionState) => {
    seen = state.allocations.find((a) => a.namespace === ref.namespace && a.id === ref.id);
    // Settled, rolled back or re-marked by someone else since it was listed: not ours any more.
    if (!seen?.pending || !isStale(seen, now, ttlMs)) return { type: 'refuse', error: NOT_OURS };
    onlyStaleRivals = state.allocations.every((a) => a === seen || !a.pending || isStale(a, now, ttlMs));
    return allocationVerdict(state, ref);
  });
  if (result.type === 'refused' && result.error === NOT_OURS) return { outcome: 'lost', onlyStaleRivals, record: seen };
  if (!seen) return { outcome: 'lost', onlyStaleRivals, record: seen };
  if (result.type === 'contended') return { outcome: 'contended', onlyStaleRivals, record: seen };
  if (result.type === 'committed') {
    const settled = await settleExactly(admission.store, seen);
    return { outcome: settled ? 'admitted' : 'lost', onlyStaleRivals, record: seen };
  }
  const rolledBack = await rollBackExactly(admission.store, seen);
  return { outcome: rolledBack ? 'rolled-back' : 'lost', onlyStaleRivals, record: seen };
}

const NOT_OURS = new Error('the allocation is no longer a stale pending one');

/**
 * Clears the pending mark of exactly the version that was decided; false when it changed since.
 * (allocations.ts's settle() retries on a newer version, which is right for the writer that owns
 * the allocation but would let the janitor admit a newer pending change that nobody decided.)
 */
async function settleExactly(store: ObjectStore, decided: AllocationRecord): Promise<boolean> {
  const current = await currentAt(store, decided);
  if (!current) return false;
  return swapped(() => store.update(clearMarks(current)));
}

/** Rolls back exactly the version that was decided (delete a create, restore an update); false when it changed. */
async function rollBackExactly(store: ObjectStore, decided: AllocationRecord): Promise<boolean> {
  const current = await currentAt(store, decided);
  if (!current) return false;
  const previous = current.metadata.annotations?.[ANNOTATION_PREVIOUS_SPEC];
  if (previous === undefined) {
    return swapped(() =>
      store.delete('Allocation', decided.namespace, decided.id, { resourceVersion: decided.resourceVersion }),
    );
  }
  // Throws on an annotation damaged by hand: the allocation stays pending (over-counting) and the
  // round reports it, rather than guessing what it held before.
  const spec = JSON.parse(previous) as Record<string, unknown>;
  return swapped(() => store.update({ ...clearMarks(current), spec }));
}

async function currentAt(store: ObjectStore, decided: AllocationRecord): Promise<StoredObject | null> {
  try {
    const current = await store.get('Allocation', decided.namespace, decided.id);
    return current.metadata.resourceVersion === decided.resourceVersion ? current : null;
  } catch (error) {
    if (isStoreError(error, 'NotFound')) return null;
    throw error;
  }
}

/** Runs a compare-and-swap write; false when it lost (Conflict, or the object is gone). */
async function swapped(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isStoreError(error, 'Conflict') || isStoreError(error, 'NotFound')) return false;
    throw error;
  }
}

/** Oldest mark first; ties by namespace and name, the same order in every replica. */
function byAge(a: AllocationRecord, b: AllocationRecord): number {
  const [x, y] = [markedAt(a), markedAt(b)];
  if (x !== y) return x < y ? -1 : 1;
  return compareStrings(`${a.namespace}\n${a.id}`, `${b.namespace}\n${b.id}`);
}

const refOf = (record: AllocationRecord) => `${record.namespace}/${record.id}`;

function report(log: Logger | undefined, error: unknown, message: string, fields: Record<string, unknown>): void {
  // A missing organization (or one without a namespace) is data to fix, not a failure of the janitor.
  log?.[error instanceof NotFoundError ? 'warn' : 'error'](message, { ...fields, ...describeError(error) });
}
