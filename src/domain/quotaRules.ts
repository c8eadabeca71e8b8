/**
 * The setQuota rules of DESIGN §5, as a pure decision: given the catalogue, the stored quota and
 * the organization's usage, either the complete list of entries to write or a typed refusal.
 */
import type { Catalogue } from './catalogue.js';
import { compareStrings, type QuotaRecord } from './model.js';
import { fencesOf, partition } from './partition.js';
import { describe, formatQuantity } from './quantity.js';
import { effectiveQuantity, storedQuantities, type Usage } from './quotaView.js';

export interface QuotaEntry {
  kind: string;
  quantity: bigint;
}

export interface QuotaViolation {
  kind: string;
  requested: bigint;
  committed: bigint;
  reserved: bigint;
}

export interface RingFenceViolation {
  kind: string;
  requested: bigint;
  ringFenced: bigint;
  sharedUsed: bigint;
}

export type SetQuotaDecision =
  | { ok: true; entries: { kind: string; quantity: string }[] }
  | { ok: false; reason: 'QuotaBelowRingFences'; violations: RingFenceViolation[] }
  | { ok: false; reason: 'UnknownQuotaKind'; kinds: string[] }
  | { ok: false; reason: 'QuotaBelowUsage'; violations: QuotaViolation[] };

/**
 * Decides a setQuota request. Refusals come in a fixed order: unknown kinds first (nothing else
 * is meaningful for a kind without metadata), then every requested kind that would be lowered
 * below its usage.
 *
 * On success `entries` is the new spec.quotas, sorted by kind (a stable sort, so duplicates keep
 * their relative order and the last one stays effective):
 * - each requested kind once, written as plain decimal;
 * - every other stored entry verbatim, even one that does not parse or is not catalogued: the
 *   gateway must not destroy data it does not own, and dropping an entry would silently switch
 *   the kind to its catalogue default;
 * - nothing else: a kind never set keeps following its default (the first write of a default
 *   quota stores only the requested kinds).
 *
 * Throws (a programming error, not a decision) on duplicate requested kinds, which the API layer
 * rejects as bad input, and on a requested quantity outside [0, 2^53−1].
 */
export function decideSetQuota(input: {
  catalogue: Catalogue;
  stored: QuotaRecord | null;
  usage: Map<string, Usage>;
  requested: QuotaEntry[];
  /** committed + reserved by kind then project, for the ring-fence rules (DESIGN §6). */
  projectUsage?: Map<string, Map<string, bigint>>;
}): SetQuotaDecision {
  const { catalogue, stored, usage, requested } = input;
  const fences = fencesOf(stored);

  const written = new Map<string, string>();
  for (const { kind, quantity } of requested) {
    if (written.has(kind)) throw new Error(`setQuota: kind "${kind}" is requested more than once`);
    written.set(kind, formatQuantity(quantity));
  }

  const unknown = requested.map((entry) => entry.kind).filter((kind) => !catalogue.has(kind));
  if (unknown.length > 0) return { ok: false, reason: 'UnknownQuotaKind', kinds: unknown.sort(compareStrings) };

  // Only a decrease can break the invariant, so a kind already overcommitted by drift may be raised
  // or left as it is while still below its usage, and drift on kinds not requested never blocks.
  const storedByKind = storedQuantities(stored);
  const violations: QuotaViolation[] = [];
  const fenceViolations: RingFenceViolation[] = [];
  for (const entry of requested) {
    const kind = catalogue.get(entry.kind)!;
    const { committed, reserved } = usage.get(entry.kind) ?? { committed: 0n, reserved: 0n };
    const current = effectiveQuantity(stored?.organizationId ?? '', kind, stored, storedByKind).quantity;
    if (entry.quantity >= current) continue;
    if (entry.quantity < committed + reserved) {
      violations.push({ kind: entry.kind, requested: entry.quantity, committed, reserved });
      continue;
    }
    // With ring-fences the quantity must also hold every guarantee and the overflow beyond them.
    const kindFences = fences.get(entry.kind);
    if (!kindFences || kindFences.size === 0) continue;
    const pool = partition(entry.quantity, kindFences, input.projectUsage?.get(entry.kind) ?? new Map());
    if (pool.sharedFree < 0n) {
      fenceViolations.push({
        kind: entry.kind,
        requested: entry.quantity,
        ringFenced: pool.ringFenced,
        sharedUsed: pool.sharedUsed,
      });
    }
  }
  // Below usage is the plainer refusal, so it is reported first.
  if (violations.length === 0 && fenceViolations.length > 0) {
    return {
      ok: false,
      reason: 'QuotaBelowRingFences',
      violations: fenceViolations.sort((a, b) => compareStrings(a.kind, b.kind)),
    };
  }
  if (violations.length > 0) {
    return {
      ok: false,
      reason: 'QuotaBelowUsage',
      violations: violations.sort((a, b) => compareStrings(a.kind, b.kind)),
    };
  }

  const kept = (stored?.entries ?? [])
    .filter((entry) => !written.has(entry.kind))
    .map((entry) => ({ kind: entry.kind, quantity: storedQuantityText(entry.quantity) }));
  const changed = [...written].map(([kind, quantity]) => ({ kind, quantity }));
  return { ok: true, entries: [...kept, ...changed].sort((a, b) => compareStrings(a.kind, b.kind)) };
}

/**
 * A kept entry's quantity as text. Strings (the normal case, valid or not) are kept exactly; a
 * JSON number becomes its decimal text, the same Kubernetes quantity. Values the CRD schema would
 * never admit (null, booleans, objects, a missing quantity) become text that still fails to parse,
 * so the entry stays visible as INVALID_STORED_QUANTITY instead of vanishing.
 */
function storedQuantityText(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  return describe(raw);
}
