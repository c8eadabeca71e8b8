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

/** Which rule an allocation would break: the organization's quota, the shared pool, or its project's limit. */
export type QuotaScope = 'ORGANIZATION' | 'SHARED_POOL' | 'PROJECT_LIMIT';

export interface QuotaExceededViolation {
  kind: string;
  scope: QuotaScope;
  /** The project whose pool or limit is exceeded; null for the organization's quota. */
  project: string | null;
  /** What the allocation asks for of this kind (committed + reserved). */
  requested: bigint;
  /** What the other admitted allocations in that scope already use. */
  used: bigint;
  /** The capacity of that scope: the organization's quantity, the shared pool, or the project's limit. */
  quantity: bigint;
}

const describeScope = (v: QuotaExceededViolation): string =>
  v.scope === 'ORGANIZATION'
    ? "the organization's quota"
    : v.scope === 'SHARED_POOL'
      ? `the shared pool, for project "${v.project}"`
      : `the limit of project "${v.project}"`;

export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(readonly violations: QuotaExceededViolation[]) {
    super(
      `the allocation does not fit: ${violations
        .map(
          (v) =>
            `${v.kind} requested ${v.requested} with ${v.used} of ${v.quantity} already used (${describeScope(v)})`,
        )
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

export class QuotaBelowRingFencesError extends Error {
  override readonly name = 'QuotaBelowRingFencesError';
  constructor(readonly violations: { kind: string; requested: bigint; ringFenced: bigint; sharedUsed: bigint }[]) {
    super(
      `quota would not hold the projects' ring-fences and the shared usage: ${violations
        .map(
          (v) => `${v.kind} requested ${v.requested}, ring-fenced ${v.ringFenced}, shared pool in use ${v.sharedUsed}`,
        )
        .join('; ')}`,
    );
  }
}

export class RingFenceExceedsQuotaError extends Error {
  override readonly name = 'RingFenceExceedsQuotaError';
  constructor(
    readonly violations: { kind: string; project: string; requested: bigint; quantity: bigint; otherFences: bigint }[],
  ) {
    super(
      `ring-fences would exceed the organization's quota: ${violations
        .map((v) => `${v.kind}: ${v.requested} for ${v.project} + ${v.otherFences} for other projects > ${v.quantity}`)
        .join('; ')}`,
    );
  }
}

export class ProjectLimitBelowUsageError extends Error {
  override readonly name = 'ProjectLimitBelowUsageError';
  constructor(readonly violations: { kind: string; project: string; limit: bigint; used: bigint }[]) {
    super(
      `project limit would be below its usage: ${violations
        .map((v) => `${v.kind}: limit ${v.limit} for ${v.project}, which uses ${v.used}`)
        .join('; ')}`,
    );
  }
}

export class SharedPoolExhaustedError extends Error {
  override readonly name = 'SharedPoolExhaustedError';
  constructor(readonly violations: { kind: string; sharedQuantity: bigint; sharedUsed: bigint }[]) {
    super(
      `the shared pool would not hold the projects' usage beyond their guarantees: ${violations
        .map((v) => `${v.kind}: ${v.sharedUsed} in use of a shared pool of ${v.sharedQuantity}`)
        .join('; ')}`,
    );
  }
}
