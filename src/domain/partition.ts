/**
 * Project partitioning of an organization's quota (DESIGN §6), per kind, pure.
 *
 * A project p may have a guarantee G_p (capacity reserved for it alone) and a limit L_p (a hard
 * cap on its usage; it defaults to G_p when only G_p is set: a hard internal budget). Projects
 * use their guarantee first; what they use beyond it (their overflow) comes from the shared pool,
 * which is the quantity minus every guarantee. With Q the organization's quantity and U_p a
 * project's usage:
 *   I1  Σ G_p ≤ Q                                  (fences partition the quota, never overbook it)
 *   I2  Σ max(0, U_p − G_p) ≤ Q − Σ G_p            (overflow fits the shared pool; so Σ U_p ≤ Q)
 *   I3  U_p ≤ L_p                                  (the budget is hard)
 *   I4  a change that keeps U_p ≤ G_p is always admitted, whatever the other projects do.
 */

import type { AllocationRecord, QuotaRecord } from './model.js';
import { tryParseQuantity } from './quantity.js';
import { sumUsage } from './quotaView.js';

export interface Fence {
  /** Reserved for the project alone; null when none. */
  guaranteed: bigint | null;
  /** Hard cap on the project's usage as stored; null when none (see {@link effectiveLimit}). */
  limit: bigint | null;
}

/** The limit that applies: the explicit one, else the guarantee (a hard budget), else none. */
export const effectiveLimit = (fence: Fence | undefined): bigint | null => fence?.limit ?? fence?.guaranteed ?? null;

const guaranteeOf = (fence: Fence | undefined): bigint => fence?.guaranteed ?? 0n;

export interface Partition {
  quantity: bigint;
  ringFenced: bigint;
  sharedQuantity: bigint;
  sharedUsed: bigint;
  sharedFree: bigint;
}

/** The shared pool of one kind, from the quantity, the fences and each project's usage. */
export function partition(quantity: bigint, fences: Map<string, Fence>, usage: Map<string, bigint>): Partition {
  let ringFenced = 0n;
  for (const fence of fences.values()) ringFenced += guaranteeOf(fence);
  let sharedUsed = 0n;
  for (const [project, used] of usage) sharedUsed += overflow(used, fences.get(project));
  const sharedQuantity = quantity - ringFenced;
  return { quantity, ringFenced, sharedQuantity, sharedUsed, sharedFree: sharedQuantity - sharedUsed };
}

/** What a project uses beyond its guarantee: the part drawn on the shared pool. */
export const overflow = (used: bigint, fence: Fence | undefined): bigint => {
  const beyond = used - guaranteeOf(fence);
  return beyond > 0n ? beyond : 0n;
};

/** How much more the project may use now: min(L_p − U_p, max(0, G_p − U_p) + sharedFree). */
export function available(pool: Partition, fence: Fence | undefined, used: bigint): bigint {
  const guaranteedFree = guaranteeOf(fence) - used > 0n ? guaranteeOf(fence) - used : 0n;
  const fromPools = guaranteedFree + (pool.sharedFree > 0n ? pool.sharedFree : 0n);
  const limit = effectiveLimit(fence);
  const room = limit === null ? fromPools : min(limit - used, fromPools);
  return room > 0n ? room : 0n;
}

export type PartitionViolation =
  | { rule: 'I1'; kind: string; project: string; requested: bigint; quantity: bigint; otherFences: bigint }
  | { rule: 'I2'; kind: string; sharedQuantity: bigint; sharedUsed: bigint }
  | { rule: 'I3'; kind: string; project: string; limit: bigint; used: bigint };

/**
 * Every rule of I1–I3 that one kind breaks, with its numbers. `subject` names the project whose
 * fence changed (I1 is reported for it; without one, for the project with the largest guarantee).
 */
export function checkPartition(
  kind: string,
  quantity: bigint,
  fences: Map<string, Fence>,
  usage: Map<string, bigint>,
  subject?: string,
): PartitionViolation[] {
  const violations: PartitionViolation[] = [];
  const pool = partition(quantity, fences, usage);
  if (pool.ringFenced > quantity) {
    const project = subject ?? largestGuarantee(fences);
    const requested = guaranteeOf(fences.get(project));
    violations.push({ rule: 'I1', kind, project, requested, quantity, otherFences: pool.ringFenced - requested });
  } else if (pool.sharedUsed > pool.sharedQuantity) {
    violations.push({ rule: 'I2', kind, sharedQuantity: pool.sharedQuantity, sharedUsed: pool.sharedUsed });
  }
  for (const [project, fence] of [...fences].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const limit = effectiveLimit(fence);
    const used = usage.get(project) ?? 0n;
    if (limit !== null && used > limit) violations.push({ rule: 'I3', kind, project, limit, used });
  }
  return violations;
}

function largestGuarantee(fences: Map<string, Fence>): string {
  let best = '';
  let most = -1n;
  for (const [project, fence] of fences) {
    if (guaranteeOf(fence) > most) {
      best = project;
      most = guaranteeOf(fence);
    }
  }
  return best;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * The fences of a Quota, by kind then project. A stored guarantee that cannot be read counts as
 * none and an unreadable limit as 0: neither can grant capacity it cannot prove. A guarantee is
 * also the cap when no limit is set, so losing it to a bad value must not uncap the project: it is
 * then capped at 0.
 */
export function fencesOf(quota: QuotaRecord | null): Map<string, Map<string, Fence>> {
  const byKind = new Map<string, Map<string, Fence>>();
  for (const entry of quota?.fences ?? []) {
    const guaranteed = readAmount(entry.guaranteed, null);
    const unreadableGuarantee = guaranteed === null && entry.guaranteed !== undefined && entry.guaranteed !== null;
    const limit = readAmount(entry.limit, 0n) ?? (unreadableGuarantee ? 0n : null);
    const fence: Fence = { guaranteed, limit };
    if (fence.guaranteed === null && fence.limit === null) continue;
    const fences = byKind.get(entry.kind) ?? new Map<string, Fence>();
    fences.set(entry.project, fence);
    byKind.set(entry.kind, fences);
  }
  return byKind;
}

function readAmount(raw: unknown, unreadable: bigint | null): bigint | null {
  if (raw === undefined || raw === null) return null;
  const parsed = tryParseQuantity(raw);
  return parsed.ok ? parsed.value : unreadable;
}

/** committed + reserved by kind then project, counted like every usage sum (pending included). */
export function usageByProject(allocations: AllocationRecord[]): Map<string, Map<string, bigint>> {
  const byProject = new Map<string, AllocationRecord[]>();
  for (const allocation of allocations) {
    byProject.set(allocation.projectId, [...(byProject.get(allocation.projectId) ?? []), allocation]);
  }
  const byKind = new Map<string, Map<string, bigint>>();
  for (const [project, own] of byProject) {
    for (const [kind, usage] of sumUsage(own).byKind) {
      const projects = byKind.get(kind) ?? new Map<string, bigint>();
      projects.set(project, usage.committed + usage.reserved);
      byKind.set(kind, projects);
    }
  }
  return byKind;
}
