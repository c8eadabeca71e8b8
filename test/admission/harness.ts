/**
 * A harness for deterministic interleavings of admission decisions.
 *
 * Each writer is its own Admission over the SAME store, as two gateway replicas would be (each
 * has its own per-organization queue, so they really race). A test arms a pause at a named step of
 * one writer; when the writer reaches it, `reached` resolves and the writer waits until the test
 * releases it. Meanwhile the test runs other writers to completion, then releases the first one.
 */
import { expect } from 'vitest';
import { Admission, type AdmissionStep, type StepInfo } from '../../src/domain/admission.js';
import {
  type AllocationItemInput,
  allocationName,
  type CreateAllocationRequest,
} from '../../src/domain/allocations.js';
import { buildCatalogue } from '../../src/domain/catalogue.js';
import { ADMISSION_PENDING, LABEL_ADMISSION, LABEL_ORGANIZATION } from '../../src/domain/labels.js';
import { type AllocationRecord, readAllocation, readQuota } from '../../src/domain/model.js';
import { pickQuota } from '../../src/domain/ownership.js';
import { buildQuotaView } from '../../src/domain/quotaView.js';
import { isStoreError, type ObjectStore } from '../../src/store/types.js';
import { IDENTITY_NAMESPACE, orgNamespace, projectNamespace } from '../support/objects.js';

/** How long a test waits for a writer to reach a pause before failing (instead of hanging). */
const REACH_TIMEOUT_MS = 10_000;

export interface Pause {
  /** Resolves when the writer stops at the step; rejects if it does not get there in time. */
  readonly reached: Promise<StepInfo>;
  release(): void;
}

/** What a writer could see at a step: the organization's allocations read right then. */
export interface Snapshot {
  step: AdmissionStep;
  attempt: number;
  allocations: AllocationRecord[];
}

export interface Writer {
  readonly name: string;
  readonly admission: Admission;
  /** Every step the writer reported, in order. */
  readonly trace: { step: AdmissionStep; attempt: number }[];
  /** Taken at the steps given in `snapshotAt` (see {@link Interleaving.writer}). */
  readonly snapshots: Snapshot[];
  /** Arms a one-shot pause at the next `step` (on `attempt` only, when given). */
  pauseAt(step: AdmissionStep, attempt?: number): Pause;
}

export interface WriterOptions {
  /**
   * Steps at which to read the organization's allocations, before any pause there. While every
   * other writer is paused or done, that read shows exactly what the writer's own list saw.
   */
  snapshotAt?: AdmissionStep[];
  organizationId?: string;
}

export class Interleaving {
  private readonly releases: (() => void)[] = [];

  constructor(readonly store: ObjectStore) {}

  writer(name: string, options: WriterOptions = {}): Writer {
    const armed: { step: AdmissionStep; attempt?: number; reach: (info: StepInfo) => void; gate: Promise<void> }[] = [];
    const trace: Writer['trace'] = [];
    const snapshots: Snapshot[] = [];
    const store = this.store;
    const admission = new Admission(store, IDENTITY_NAMESPACE, {
      // Contention retries must be quick, and the same on every run.
      backoff: { baseMs: 1, maxMs: 2 },
      random: () => 0.5,
      hook: async (step, info) => {
        trace.push({ step, attempt: info.attempt });
        if (options.snapshotAt?.includes(step)) {
          snapshots.push({
            step,
            attempt: info.attempt,
            allocations: await listAllocations(store, options.organizationId ?? info.organizationId),
          });
        }
        const index = armed.findIndex(
          (a) => a.step === step && (a.attempt === undefined || a.attempt === info.attempt),
        );
        if (index < 0) return;
        const [pause] = armed.splice(index, 1);
        pause!.reach(info);
        await pause!.gate;
      },
    });
    const releases = this.releases;
    return {
      name,
      admission,
      trace,
      snapshots,
      pauseAt(step, attempt) {
        let reach!: (info: StepInfo) => void;
        let fail!: (error: Error) => void;
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const reached = new Promise<StepInfo>((resolve, reject) => {
          reach = resolve;
          fail = reject;
        });
        const timer = setTimeout(
          () => fail(new Error(`writer ${name} never reached step '${step}'`)),
          REACH_TIMEOUT_MS,
        );
        timer.unref();
        reached.then(
          () => clearTimeout(timer),
          () => {},
        );
        armed.push({ step, attempt, reach, gate });
        releases.push(release);
        return { reached, release };
      },
    };
  }

  /** Lets every paused writer go (after a failed test, so that nothing hangs). */
  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Starts nothing: wraps a started operation so that its failure is a value, not an unhandled rejection. */
export function outcome<T>(operation: Promise<T>): Promise<Outcome<T>> {
  return operation.then(
    (value) => ({ ok: true, value }),
    (error: Error) => ({ ok: false, error }),
  );
}

/** The error's class name, or 'ok' for a success: the shape most assertions want. */
export const verdictOf = (result: Outcome<unknown>): string => (result.ok ? 'ok' : result.error.name);

/** The error of a failed outcome, checked to be a `type`. */
export function errorOf<E extends Error>(result: Outcome<unknown>, type: new (...args: never[]) => E): E {
  expect(verdictOf(result)).toBe(type.name);
  const { error } = result as { error: Error };
  expect(error).toBeInstanceOf(type);
  return error as E;
}

export async function listAllocations(store: ObjectStore, organizationId: string): Promise<AllocationRecord[]> {
  const list = await store.list('Allocation', { labelSelector: `${LABEL_ORGANIZATION}=${organizationId}` });
  return list.items.map(readAllocation);
}

/** Per catalogued kind, the quantity in force and the usage stored now (pending included), from the read model. */
export async function usageOf(
  store: ObjectStore,
  organizationId: string,
): Promise<Map<string, { quantity: bigint; used: bigint; over: bigint }>> {
  const namespace = orgNamespace(organizationId);
  const [metadata, quotas, allocations] = await Promise.all([
    store.list('QuotaMetadata', { namespace: IDENTITY_NAMESPACE }),
    store.list('Quota', { namespace, labelSelector: `${LABEL_ORGANIZATION}=${organizationId}` }),
    listAllocations(store, organizationId),
  ]);
  const quotaObject = pickQuota(namespace, quotas.items);
  const view = buildQuotaView({
    organizationId,
    catalogue: buildCatalogue(metadata.items),
    quota: quotaObject ? readQuota(quotaObject) : null,
    allocations,
  });
  return new Map(
    view.items.map((item) => [
      item.kind,
      { quantity: item.quantity, used: item.used, over: item.used > item.quantity ? item.used - item.quantity : 0n },
    ]),
  );
}

/** How far the organization is over its quota in `kind` (0n when within it). */
export async function oversubscription(store: ObjectStore, organizationId: string, kind: string): Promise<bigint> {
  return (await usageOf(store, organizationId)).get(kind)!.over;
}

/** An allocation write and what it answered, for {@link expectProtocolEnd}. */
export type Write =
  | { op: 'create'; request: CreateAllocationRequest; result: Outcome<AllocationRecord> }
  | {
      op: 'update';
      request: { projectId: string; id: string; items: AllocationItemInput[] };
      /** The allocation's items before the write. */
      before: AllocationRecord['items'];
      result: Outcome<AllocationRecord>;
    }
  | { op: 'delete'; request: { projectId: string; id: string }; result: Outcome<string> };

/**
 * What every protocol interleaving must end with: nothing left pending, usage within the quota for
 * every kind, every success stored exactly as answered, and every refusal left no trace.
 */
export async function expectProtocolEnd(store: ObjectStore, organizationId: string, writes: Write[]): Promise<void> {
  const pending = await store.list('Allocation', { labelSelector: `${LABEL_ADMISSION}=${ADMISSION_PENDING}` });
  expect(
    pending.items.map((o) => o.metadata.name),
    'allocations left pending',
  ).toEqual([]);
  const allocations = await listAllocations(store, organizationId);
  expect(allocations.filter((a) => a.pending || a.previousItems !== null)).toEqual([]);

  for (const [kind, { quantity, used }] of await usageOf(store, organizationId)) {
    expect(used, `${kind}: used ${used} of ${quantity}`).toBeLessThanOrEqual(quantity);
  }

  const stored = async (projectId: string, id: string) => {
    try {
      return readAllocation(await store.get('Allocation', projectNamespace(organizationId, projectId), id));
    } catch (error) {
      if (isStoreError(error, 'NotFound')) return null;
      throw error;
    }
  };
  for (const write of writes) {
    if (write.op === 'create') {
      const { projectId, resourceKind, resourceId } = write.request;
      const found = await stored(projectId, allocationName(resourceKind, resourceId));
      if (write.result.ok) {
        expect(found, `admitted ${resourceKind}/${resourceId} is stored`).not.toBeNull();
        expect(found!.items).toEqual(write.result.value.items);
        expect(found!.resourceVersion).toBe(write.result.value.resourceVersion);
        expect(write.result.value.pending).toBe(false);
      } else {
        expect(found, `refused ${resourceKind}/${resourceId} (${write.result.error.name}) is not stored`).toBeNull();
      }
    } else if (write.op === 'update') {
      const found = await stored(write.request.projectId, write.request.id);
      expect(found, `updated ${write.request.id} is still stored`).not.toBeNull();
      if (write.result.ok) {
        expect(found!.items).toEqual(write.result.value.items);
        expect(found!.resourceVersion).toBe(write.result.value.resourceVersion);
        expect(write.result.value.pending).toBe(false);
      } else {
        expect(found!.items, `refused update of ${write.request.id} is rolled back`).toEqual(write.before);
      }
    } else {
      const found = await stored(write.request.projectId, write.request.id);
      if (write.result.ok) expect(found, `deleted ${write.request.id} is gone`).toBeNull();
      else expect(found, `refused delete of ${write.request.id} left it`).not.toBeNull();
    }
  }
}
