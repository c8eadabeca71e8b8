/**
 * The ring-fence invariants I1–I3 (DESIGN §6) read straight from stored objects, for audits: the
 * property test of the domain services and the stress run. The fences and the usage are parsed
 * here, independently of the domain's own readers (fencesOf, usageByProject), so that a bug in
 * those is caught rather than repeated; the rules themselves are partition.ts's checkPartition.
 */
import type { Catalogue } from '../../src/domain/catalogue.js';
import type { AllocationRecord, QuotaRecord } from '../../src/domain/model.js';
import { checkPartition, type Fence, type PartitionViolation } from '../../src/domain/partition.js';
import { tryParseQuantity } from '../../src/domain/quantity.js';
import { buildQuotaView } from '../../src/domain/quotaView.js';

/** One kind of an organization as stored: its quantity in force, the fences and each project's usage. */
export interface StoredKind {
  quantity: bigint;
  fences: Map<string, Fence>;
  /** committed + reserved by project, pending allocations included (as the protocol counts them). */
  usage: Map<string, bigint>;
}

/** An amount written by the gateway: it must parse (anything else is a finding in itself). */
function amount(raw: unknown, what: string): bigint {
  const parsed = tryParseQuantity(raw);
  if (!parsed.ok) throw new Error(`stored ${what} ${JSON.stringify(raw)} does not parse: ${parsed.error.message}`);
  return parsed.value;
}

/** spec.projects by kind then project; the last entry of a (project, kind) wins, one with neither amount is none. */
export function storedFences(quota: QuotaRecord | null): Map<string, Map<string, Fence>> {
  const byKind = new Map<string, Map<string, Fence>>();
  for (const entry of quota?.fences ?? []) {
    const what = `fence of ${entry.project}/${entry.kind}`;
    const guaranteed = entry.guaranteed == null ? null : amount(entry.guaranteed, `guarantee of ${what}`);
    const limit = entry.limit == null ? null : amount(entry.limit, `limit of ${what}`);
    const fences = byKind.get(entry.kind) ?? new Map<string, Fence>();
    if (guaranteed === null && limit === null) fences.delete(entry.project);
    else fences.set(entry.project, { guaranteed, limit });
    byKind.set(entry.kind, fences);
  }
  return byKind;
}

/**
 * committed + reserved by kind then project. A pending update counts per kind as the larger of its
 * new and previous items (one of them stands), like every usage sum of the protocol.
 */
export function storedUsage(allocations: AllocationRecord[]): Map<string, Map<string, bigint>> {
  const byKind = new Map<string, Map<string, bigint>>();
  for (const allocation of allocations) {
    const sum = (items: AllocationRecord['items']) => {
      const own = new Map<string, bigint>();
      for (const item of items) {
        const what = `amount of ${allocation.namespace}/${allocation.id} ${item.kind}`;
        own.set(
          item.kind,
          (own.get(item.kind) ?? 0n) +
            amount(item.committed, `committed ${what}`) +
            amount(item.reserved, `reserved ${what}`),
        );
      }
      return own;
    };
    const now = sum(allocation.items);
    const previous = sum(allocation.previousItems ?? []);
    for (const kind of new Set([...now.keys(), ...previous.keys()])) {
      const used = max(now.get(kind) ?? 0n, previous.get(kind) ?? 0n);
      const projects = byKind.get(kind) ?? new Map<string, bigint>();
      projects.set(allocation.projectId, (projects.get(allocation.projectId) ?? 0n) + used);
      byKind.set(kind, projects);
    }
  }
  return byKind;
}

/** Per catalogued kind, what the organization's stored objects say. */
export function storedKinds(input: {
  organizationId: string;
  catalogue: Catalogue;
  quota: QuotaRecord | null;
  allocations: AllocationRecord[];
}): Map<string, StoredKind> {
  const quantities = buildQuotaView({ ...input, allocations: [] }).items;
  const fences = storedFences(input.quota);
  const usage = storedUsage(input.allocations);
  return new Map(
    quantities.map((item) => [
      item.kind,
      {
        quantity: item.quantity,
        fences: fences.get(item.kind) ?? new Map(),
        usage: usage.get(item.kind) ?? new Map(),
      },
    ]),
  );
}

/** Every rule of I1–I3 the stored state breaks, over every catalogued kind. */
export function storedPartitionViolations(input: Parameters<typeof storedKinds>[0]): PartitionViolation[] {
  return [...storedKinds(input)].flatMap(([kind, { quantity, fences, usage }]) =>
    checkPartition(kind, quantity, fences, usage),
  );
}

/** A violation in one line, for messages and reports. */
export function describeViolation(v: PartitionViolation): string {
  switch (v.rule) {
    case 'I1':
      return `I1 ${v.kind}: guarantees ${v.requested} (${v.project}) + ${v.otherFences} > quantity ${v.quantity}`;
    case 'I2':
      return `I2 ${v.kind}: shared pool used ${v.sharedUsed} > ${v.sharedQuantity}`;
    case 'I3':
      return `I3 ${v.kind}: ${v.project} uses ${v.used} > limit ${v.limit}`;
  }
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * The allocations as admitted: a pending create does not count (it may yet be rolled back), a
 * pending update counts as its previous items. What I1–I3 must hold for at every moment; pending
 * changes only over-count until they are decided.
 */
export function admittedOnly(allocations: AllocationRecord[]): AllocationRecord[] {
  return allocations.flatMap((a) => {
    if (!a.pending) return [a];
    if (a.previousItems === null) return [];
    return [{ ...a, items: a.previousItems, previousItems: null, pending: false, pendingSince: null }];
  });
}
