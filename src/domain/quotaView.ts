/**
 * The read model of an organization's quota (DESIGN §4): per catalogued kind the quantity in
 * force, the usage summed over the organization's allocations, and everything that does not add
 * up reported as a problem. Drift never throws and is never silently dropped.
 */
import type { Catalogue, QuotaKindRecord } from './catalogue.js';
import { type AllocationRecord, compareStrings, type QuotaRecord } from './model.js';
import { available, effectiveLimit, fencesOf, type Partition, partition, usageByProject } from './partition.js';
import { describe, tryParseQuantity } from './quantity.js';

export type QuotaProblemCode =
  | 'UNCATALOGUED_QUOTA_KIND'
  | 'UNCATALOGUED_ALLOCATION_KIND'
  | 'OVERCOMMITTED'
  | 'INVALID_STORED_QUANTITY';

export interface QuotaProblem {
  code: QuotaProblemCode;
  kind: string;
  message: string;
}

export interface Usage {
  committed: bigint;
  reserved: bigint;
}

export interface QuotaItemView {
  kind: string;
  quantity: bigint;
  isDefault: boolean;
  committed: bigint;
  reserved: bigint;
  used: bigint;
  /** The part of `used` held by allocations whose admission is still being decided. */
  pending: bigint;
  /** Negative when overcommitted. */
  free: bigint;
  /** used / quantity; null when quantity is 0 (no meaningful ratio). */
  utilization: number | null;
  /** Project ring-fences (DESIGN §6): the sum of guarantees, and the pool every project shares. */
  ringFenced: bigint;
  sharedQuantity: bigint;
  sharedUsed: bigint;
  sharedFree: bigint;
}

export interface QuotaView {
  organizationId: string;
  /**
   * True when no kind is set: the organization has no Quota object, or one whose spec sets no
   * quotas (an allocation decision creates an empty one), so every kind follows the catalogue.
   */
  isDefault: boolean;
  /** The stored Quota object's version (even when it sets no quotas); null when there is none. */
  resourceVersion: string | null;
  /** One per catalogued kind, sorted by kind. */
  items: QuotaItemView[];
  /** Sorted by kind, then code, then message. */
  problems: QuotaProblem[];
}

/**
 * Sums committed and reserved per kind over the allocations, catalogued or not. A value that does
 * not parse counts as 0 and is reported as INVALID_STORED_QUANTITY naming the allocation.
 */
export function sumUsage(allocations: AllocationRecord[]): { byKind: Map<string, Usage>; problems: QuotaProblem[] } {
  const byKind = new Map<string, Usage>();
  const problems: QuotaProblem[] = [];
  const amount = (allocation: AllocationRecord, kind: string, field: keyof Usage, raw: unknown): bigint => {
    const parsed = tryParseQuantity(raw);
    if (parsed.ok) return parsed.value;
    problems.push({
      code: 'INVALID_STORED_QUANTITY',
      kind,
      message:
        `allocation ${allocationName(allocation)} holds an invalid ${field} quantity ${quoted(raw)} for kind "${kind}" ` +
        `(${parsed.error.reason}); it counts as 0`,
    });
    return 0n;
  };
  for (const allocation of allocations) {
    const own = new Map<string, Usage>();
    for (const item of allocation.items) {
      const listed = own.get(item.kind) ?? { committed: 0n, reserved: 0n };
      own.set(item.kind, {
        committed: listed.committed + amount(allocation, item.kind, 'committed', item.committed),
        reserved: listed.reserved + amount(allocation, item.kind, 'reserved', item.reserved),
      });
    }
    // A pending update may still be rolled back to its previous items, so until it is decided it
    // counts, per kind, as whichever of the two stands for more: one of them will stand, so usage
    // is never under-stated while a decision runs (and never over-stated beyond that).
    const previous = new Map<string, Usage>();
    for (const item of allocation.previousItems ?? []) {
      const listed = previous.get(item.kind) ?? { committed: 0n, reserved: 0n };
      const committed = tryParseQuantity(item.committed);
      const reserved = tryParseQuantity(item.reserved);
      previous.set(item.kind, {
        committed: listed.committed + (committed.ok ? committed.value : 0n),
        reserved: listed.reserved + (reserved.ok ? reserved.value : 0n),
      });
    }
    for (const [kind, before] of previous) {
      const after = own.get(kind) ?? { committed: 0n, reserved: 0n };
      if (before.committed + before.reserved > after.committed + after.reserved) own.set(kind, before);
    }
    for (const [kind, { committed, reserved }] of own) {
      const usage = byKind.get(kind) ?? { committed: 0n, reserved: 0n };
      byKind.set(kind, { committed: usage.committed + committed, reserved: usage.reserved + reserved });
    }
  }
  return { byKind, problems };
}

/**
 * Per kind, the part of the usage ({@link sumUsage}) held by pending allocations: those whose
 * admission is still being decided. They count as usage like any other; this only says how much.
 */
export function pendingUsage(allocations: AllocationRecord[]): Map<string, bigint> {
  const { byKind } = sumUsage(allocations.filter((allocation) => allocation.pending));
  return new Map([...byKind].map(([kind, { committed, reserved }]) => [kind, committed + reserved]));
}

/**
 * The stored entries of a quota by kind. When a kind is listed more than once the LAST entry wins,
 * as it would when the list is decoded into a map (and as for duplicate keys in JSON and YAML).
 */
export function storedQuantities(quota: QuotaRecord | null): Map<string, unknown> {
  const byKind = new Map<string, unknown>();
  for (const entry of quota?.entries ?? []) byKind.set(entry.kind, entry.quantity);
  return byKind;
}

export interface EffectiveQuantity {
  quantity: bigint;
  /** True when no entry is stored for the kind and the catalogue default applies. */
  isDefault: boolean;
  /** Set when the value in force does not parse (then quantity is 0n). */
  problem: QuotaProblem | null;
}

/**
 * The quantity in force for a catalogued kind: the stored entry if there is one, else the catalogue
 * default. A value that does not parse counts as 0: no capacity can be proven from it, and
 * understating a limit can only refuse allocations, never admit more than the owner intended.
 * The same rule serves the read model and the setQuota check (one concept, one place).
 */
export function effectiveQuantity(
  organizationId: string,
  kind: QuotaKindRecord,
  quota: QuotaRecord | null,
  stored: Map<string, unknown>,
): EffectiveQuantity {
  if (stored.has(kind.name)) {
    const raw = stored.get(kind.name);
    const parsed = tryParseQuantity(raw);
    if (parsed.ok) return { quantity: parsed.value, isDefault: false, problem: null };
    const message =
      `${quotaName(organizationId, quota)} sets kind "${kind.name}" to ${quoted(raw)}, which is invalid ` +
      `(${parsed.error.reason}); its quantity counts as 0 until corrected`;
    return { quantity: 0n, isDefault: false, problem: { code: 'INVALID_STORED_QUANTITY', kind: kind.name, message } };
  }
  if (kind.defaultIsValid) return { quantity: kind.default, isDefault: true, problem: null };
  // Reported only where the broken default is actually in force: elsewhere it changes nothing.
  const message =
    `the catalogue default of kind "${kind.name}" is ${quoted(kind.rawDefault)}, which is invalid ` +
    `(${invalidReason(kind.rawDefault)}); organization "${organizationId}" sets no quantity for it, so it counts as 0`;
  return { quantity: 0n, isDefault: true, problem: { code: 'INVALID_STORED_QUANTITY', kind: kind.name, message } };
}

export function buildQuotaView(input: {
  organizationId: string;
  catalogue: Catalogue;
  quota: QuotaRecord | null;
  allocations: AllocationRecord[];
}): QuotaView {
  const { organizationId, catalogue, quota } = input;
  const stored = storedQuantities(quota);
  const usage = sumUsage(input.allocations);
  const pending = pendingUsage(input.allocations);
  const fences = fencesOf(quota);
  const byProject = usageByProject(input.allocations);
  const problems = [...usage.problems];

  const items = catalogue.kinds.map((kind): QuotaItemView => {
    const effective = effectiveQuantity(organizationId, kind, quota, stored);
    if (effective.problem) problems.push(effective.problem);
    const { committed, reserved } = usage.byKind.get(kind.name) ?? { committed: 0n, reserved: 0n };
    const used = committed + reserved;
    const { quantity } = effective;
    if (used > quantity) {
      const source = effective.isDefault ? ' (the catalogue default)' : '';
      problems.push({
        code: 'OVERCOMMITTED',
        kind: kind.name,
        message:
          `organization "${organizationId}" uses ${used} of kind "${kind.name}" (committed ${committed}, ` +
          `reserved ${reserved}) but its quantity is ${quantity}${source}: overcommitted by ${used - quantity}`,
      });
    }
    return {
      kind: kind.name,
      quantity,
      isDefault: effective.isDefault,
      committed,
      reserved,
      used,
      pending: pending.get(kind.name) ?? 0n,
      free: quantity - used,
      utilization: quantity === 0n ? null : Number(used) / Number(quantity),
      ...sharedPool(partition(quantity, fences.get(kind.name) ?? new Map(), byProject.get(kind.name) ?? new Map())),
    };
  });

  for (const [kind, raw] of stored) {
    if (catalogue.has(kind)) continue;
    problems.push({
      code: 'UNCATALOGUED_QUOTA_KIND',
      kind,
      message:
        `${quotaName(organizationId, quota)} sets kind "${kind}" to ${quoted(raw)}, but no QuotaMetadata ` +
        `catalogues that kind; the entry is ignored`,
    });
  }

  for (const [kind, { committed, reserved }] of usage.byKind) {
    if (catalogue.has(kind)) continue;
    problems.push({
      code: 'UNCATALOGUED_ALLOCATION_KIND',
      kind,
      message:
        `allocations in organization "${organizationId}" use ${committed + reserved} of kind "${kind}" ` +
        `(committed ${committed}, reserved ${reserved}), but no QuotaMetadata catalogues that kind; ` +
        `the usage counts but no quota covers it`,
    });
  }

  return {
    organizationId,
    isDefault: quota === null || quota.entries.length === 0,
    resourceVersion: quota?.resourceVersion ?? null,
    items,
    problems: problems.sort(compareProblems),
  };
}

export interface ProjectUsageView {
  kind: string;
  committed: bigint;
  reserved: bigint;
  used: bigint;
  /** The part of `used` held by allocations whose admission is still being decided. */
  pending: bigint;
}

/** Usage of one project (its allocations) per catalogued kind, sorted by kind: Project.usage. */
export function projectUsage(allocations: AllocationRecord[], catalogue: Catalogue): ProjectUsageView[] {
  const { byKind } = sumUsage(allocations);
  const pending = pendingUsage(allocations);
  return catalogue.kinds.map(({ name }) => {
    const { committed, reserved } = byKind.get(name) ?? { committed: 0n, reserved: 0n };
    return { kind: name, committed, reserved, used: committed + reserved, pending: pending.get(name) ?? 0n };
  });
}

function compareProblems(a: QuotaProblem, b: QuotaProblem): number {
  return compareStrings(a.kind, b.kind) || compareStrings(a.code, b.code) || compareStrings(a.message, b.message);
}

function quotaName(organizationId: string, quota: QuotaRecord | null): string {
  const where = quota ? ` (Quota ${quota.namespace}/${quota.name})` : '';
  return `the quota of organization "${organizationId}"${where}`;
}

function allocationName(allocation: AllocationRecord): string {
  return (
    `${allocation.namespace}/${allocation.id} (project "${allocation.projectId}", ` +
    `resource ${allocation.resourceKind}/${allocation.resourceId})`
  );
}

/**
 * Strings are quoted and other raw values shown as JSON, so `"40"` and `40` read differently;
 * long values are cut so that a pathological stored value cannot flood a response.
 */
function quoted(raw: unknown): string {
  const text = typeof raw === 'string' ? JSON.stringify(raw) : describe(raw);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Why a raw value was refused (the catalogue keeps the raw default, not the error). */
function invalidReason(raw: unknown): string {
  const parsed = tryParseQuantity(raw);
  return parsed.ok ? 'unexpectedly valid' : parsed.error.reason;
}

function sharedPool(pool: Partition) {
  const { ringFenced, sharedQuantity, sharedUsed, sharedFree } = pool;
  return { ringFenced, sharedQuantity, sharedUsed, sharedFree };
}

export interface ProjectQuotaItemView {
  kind: string;
  /** Reserved for the project alone; null when it has none. */
  guaranteed: bigint | null;
  /** The cap in force: the explicit limit, else the guarantee; null when neither. */
  limit: bigint | null;
  committed: bigint;
  reserved: bigint;
  used: bigint;
  /** What is left of the guarantee: max(0, guaranteed − used). */
  guaranteedFree: bigint;
  /** How much more the project may use now: min(limit − used, guaranteedFree + sharedFree). */
  available: bigint;
}

/** A project's share of its organization's quota, one item per catalogued kind (DESIGN §6). */
export function projectQuotaView(input: {
  catalogue: Catalogue;
  quota: QuotaRecord | null;
  allocations: AllocationRecord[];
  projectId: string;
  organizationId?: string;
}): ProjectQuotaItemView[] {
  const view = buildQuotaView({ ...input, organizationId: input.organizationId ?? input.quota?.organizationId ?? '' });
  const fences = fencesOf(input.quota);
  const byProject = usageByProject(input.allocations);
  const own = sumUsage(input.allocations.filter((a) => a.projectId === input.projectId)).byKind;
  return view.items.map((item) => {
    const fence = fences.get(item.kind)?.get(input.projectId);
    const { committed, reserved } = own.get(item.kind) ?? { committed: 0n, reserved: 0n };
    const used = committed + reserved;
    const guaranteed = fence?.guaranteed ?? null;
    const pool = partition(item.quantity, fences.get(item.kind) ?? new Map(), byProject.get(item.kind) ?? new Map());
    return {
      kind: item.kind,
      guaranteed,
      limit: effectiveLimit(fence),
      committed,
      reserved,
      used,
      guaranteedFree: guaranteed !== null && guaranteed > used ? guaranteed - used : 0n,
      available: available(pool, fence, used),
    };
  });
}
