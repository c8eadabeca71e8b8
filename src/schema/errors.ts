import {
  ConflictError,
  DuplicateAllocationError,
  NotFoundError,
  QuotaBelowUsageError,
  QuotaExceededError,
  type QuotaExceededViolation,
  UnknownQuotaKindError,
} from '../domain/errors.js';
import type { QuotaViolation } from '../domain/quotaRules.js';
import { builder } from './builder.js';

/** Every typed refusal implements this, so clients can always fall back to `... on Error { message }`. */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A refusal a client can act on. Specific error types add the details.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What was refused and why, for people.' }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object does not exist, or the caller may not see it.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The ID that was looked up.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description:
    'The object changed since the caller read it (its `expectedResourceVersion` is stale), or concurrent writers ' +
    'kept winning. Re-read and retry.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentResourceVersion: t.exposeString('currentResourceVersion', {
      nullable: true,
      description: 'The version now stored; null when there is no object yet.',
    }),
  }),
});

builder.objectType(UnknownQuotaKindError, {
  name: 'UnknownQuotaKindError',
  description: 'The request names kinds that are not in the quota catalogue (QuotaMetadata).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    kinds: t.exposeIDList('kinds', { description: 'The uncatalogued kinds, sorted.' }),
  }),
});

const QuotaViolationRef = builder.objectRef<QuotaViolation>('QuotaViolation').implement({
  description: 'A kind whose requested quantity is below what is already committed plus reserved.',
  fields: (t) => ({
    kind: t.exposeID('kind', { description: 'The quota kind.' }),
    requested: t.field({
      type: 'SafeInt',
      description: 'The quantity that was asked for.',
      resolve: (v) => v.requested,
    }),
    committed: t.field({ type: 'SafeInt', description: 'Committed by allocations now.', resolve: (v) => v.committed }),
    reserved: t.field({ type: 'SafeInt', description: 'Reserved by allocations now.', resolve: (v) => v.reserved }),
  }),
});

builder.objectType(QuotaBelowUsageError, {
  name: 'QuotaBelowUsageError',
  description: 'The change would lower a quota below committed + reserved usage. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    violations: t.field({
      type: [QuotaViolationRef],
      description: 'Every refused kind with its numbers.',
      resolve: (error) => error.violations,
    }),
  }),
});

const QuotaExceededViolationRef = builder.objectRef<QuotaExceededViolation>('QuotaExceededViolation').implement({
  description: 'A kind the allocation asks for more of than the quota has left.',
  fields: (t) => ({
    kind: t.exposeID('kind', { description: 'The quota kind.' }),
    requested: t.field({
      type: 'SafeInt',
      description: 'What the allocation asks for of this kind (committed + reserved).',
      resolve: (v) => v.requested,
    }),
    used: t.field({
      type: 'SafeInt',
      description: 'What the organization’s other admitted allocations already use of this kind.',
      resolve: (v) => v.used,
    }),
    quantity: t.field({
      type: 'SafeInt',
      description: 'The organization’s quota for this kind.',
      resolve: (v) => v.quantity,
    }),
  }),
});

builder.objectType(QuotaExceededError, {
  name: 'QuotaExceededError',
  description: 'The allocation does not fit: used + requested would exceed the quota. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    violations: t.field({
      type: [QuotaExceededViolationRef],
      description: 'Every kind that does not fit, with its numbers, sorted by kind.',
      resolve: (error) => error.violations,
    }),
  }),
});

builder.objectType(DuplicateAllocationError, {
  name: 'DuplicateAllocationError',
  description:
    'The resource already has an allocation in this organization (allocations are unique per organization by ' +
    'resource kind and id). Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resourceKind: t.exposeString('resourceKind', { description: 'The resource kind asked for.' }),
    resourceId: t.exposeString('resourceId', { description: 'The resource id asked for.' }),
    existingId: t.exposeID('existingId', { description: 'The allocation that already holds this resource.' }),
  }),
});
