/**
 * Domain refusals. They are values a caller can act on, not crashes: the GraphQL layer registers
 * each class as a typed error result, so one concept lives in one place.
 */
import type { QuotaViolation } from './quotaRules.js';

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly id: string,
    message = `organization "${id}" not found`,
  ) {
    super(message);
  }
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    readonly currentResourceVersion: string | null,
    message = `the quota changed concurrently; its current resourceVersion is ${currentResourceVersion ?? 'none (no Quota object)'}`,
  ) {
    super(message);
  }
}

export class UnknownQuotaKindError extends Error {
  override readonly name = 'UnknownQuotaKindError';
  constructor(readonly kinds: string[]) {
    super(`not in the quota catalogue: ${kinds.map((k) => `"${k}"`).join(', ')}`);
  }
}

export class QuotaBelowUsageError extends Error {
  override readonly name = 'QuotaBelowUsageError';
  constructor(readonly violations: QuotaViolation[]) {
    super(
      `quota would drop below committed + reserved usage: ${violations
        .map((v) => `${v.kind} requested ${v.requested}, in use ${v.committed + v.reserved}`)
        .join('; ')}`,
    );
  }
}

export interface QuotaExceededViolation {
  kind: string;
  /** What the allocation asks for of this kind (committed + reserved). */
  requested: bigint;
  /** What the organization's other admitted allocations already use. */
  used: bigint;
  quantity: bigint;
}

export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(readonly violations: QuotaExceededViolation[]) {
    super(
      `the allocation does not fit the quota: ${violations
        .map((v) => `${v.kind} requested ${v.requested} with ${v.used} of ${v.quantity} already used`)
        .join('; ')}`,
    );
  }
}

export class DuplicateAllocationError extends Error {
  override readonly name = 'DuplicateAllocationError';
  constructor(
    readonly resourceKind: string,
    readonly resourceId: string,
    /** The allocation that already holds this resource. */
    readonly existingId: string,
  ) {
    super(`resource ${resourceKind}/${resourceId} already has allocation "${existingId}" in this organization`);
  }
}
