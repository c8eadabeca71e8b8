import type { ObjectRef } from '@pothos/core';
import {
  ConflictError,
  DuplicateAllocationError,
  NotFoundError,
  ProjectLimitBelowUsageError,
  QuotaBelowRingFencesError,
  QuotaBelowUsageError,
  QuotaExceededError,
  type QuotaExceededViolation,
  RingFenceExceedsQuotaError,
  SharedPoolExhaustedError,
  UnknownQuotaKindError,
} from '../domain/errors.js';
import type { QuotaViolation } from '../domain/quotaRules.js';
import { violationProject } from '../resolvers/allocations.js';
import { builder, type Types } from './builder.js';
import { Project } from './project.js';

/** Every typed refusal implements this, so clients can always fall back to `... on Error { message }`. */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A refusal a client can act on. Specific error types add the details.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What was refused and why, for people.' }),
  }),
});

/**
 * The one field of a refusal whose details are its violations: one object per refused kind (or
 * project) with the numbers that broke the rule.
 */
function violationsField<S extends { violations: readonly V[] }, V>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, S>,
  violation: ObjectRef<Types, V>,
  description = 'Every refused kind with its numbers.',
) {
  return { violations: t.field({ type: [violation], description, resolve: (error) => [...error.violations] }) };
}

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
    requested: t.expose('requested', { type: 'SafeInt', description: 'The quantity that was asked for.' }),
    committed: t.expose('committed', { type: 'SafeInt', description: 'Committed by allocations now.' }),
    reserved: t.expose('reserved', { type: 'SafeInt', description: 'Reserved by allocations now.' }),
  }),
});

builder.objectType(QuotaBelowUsageError, {
  name: 'QuotaBelowUsageError',
  description: 'The change would lower a quota below committed + reserved usage. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => violationsField(t, QuotaViolationRef),
});

const QuotaScope = builder.enumType('QuotaScope', {
  description: 'Which budget an allocation does not fit (DESIGN §6).',
  values: {
    ORGANIZATION: { description: 'The organization’s quota for the kind.' },
    SHARED_POOL: {
      description:
        'The organization’s shared pool: the quota minus every project’s guarantee, which holds what projects use ' +
        'beyond their guarantees.',
    },
    PROJECT_LIMIT: { description: 'The project’s limit for the kind (its explicit limit, else its guarantee).' },
  } as const,
});

const QuotaExceededViolationRef = builder.objectRef<QuotaExceededViolation>('QuotaExceededViolation').implement({
  description: 'A kind the allocation asks for more of than a budget (see `scope`) has left.',
  fields: (t) => ({
    kind: t.exposeID('kind', { description: 'The quota kind.' }),
    scope: t.field({
      type: QuotaScope,
      description: 'The budget that is exceeded; `used` and `quantity` are that budget’s numbers.',
      resolve: (v) => v.scope,
    }),
    project: t.field({
      type: Project,
      nullable: true,
      description: 'The project whose share is exceeded (SHARED_POOL, PROJECT_LIMIT); null for ORGANIZATION.',
      resolve: (v, _args, ctx) => violationProject(ctx, v),
    }),
    requested: t.expose('requested', {
      type: 'SafeInt',
      description: 'What the allocation asks for of this kind (committed + reserved).',
    }),
    used: t.expose('used', {
      type: 'SafeInt',
      description: 'What is already used of the budget, without this allocation.',
    }),
    quantity: t.expose('quantity', {
      type: 'SafeInt',
      description: 'The budget: the organization’s quota, the shared pool, or the project’s limit.',
    }),
  }),
});

builder.objectType(QuotaExceededError, {
  name: 'QuotaExceededError',
  description: 'The allocation does not fit: used + requested would exceed the quota. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) =>
    violationsField(t, QuotaExceededViolationRef, 'Every kind that does not fit, with its numbers, sorted by kind.'),
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

const QuotaBelowRingFencesViolationRef = builder
  .objectRef<QuotaBelowRingFencesError['violations'][number]>('QuotaBelowRingFencesViolation')
  .implement({
    description:
      'A kind whose requested quantity leaves too little for its ring-fences: below the sum of the guarantees, or a ' +
      'shared pool smaller than what projects already use beyond their guarantees.',
    fields: (t) => ({
      kind: t.exposeID('kind', { description: 'The quota kind.' }),
      requested: t.expose('requested', { type: 'SafeInt', description: 'The quantity that was asked for.' }),
      ringFenced: t.expose('ringFenced', {
        type: 'SafeInt',
        description: 'The sum of the projects’ guarantees for this kind.',
      }),
      sharedUsed: t.expose('sharedUsed', {
        type: 'SafeInt',
        description: 'What projects use beyond their guarantees now: the least the shared pool must hold.',
      }),
    }),
  });

builder.objectType(QuotaBelowRingFencesError, {
  name: 'QuotaBelowRingFencesError',
  description:
    'The change would leave a kind’s quantity below ringFenced + sharedUsed: the guarantees would overbook it, or ' +
    'what projects use beyond their guarantees would no longer fit the shared pool. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => violationsField(t, QuotaBelowRingFencesViolationRef),
});

const RingFenceExceedsQuotaViolationRef = builder
  .objectRef<RingFenceExceedsQuotaError['violations'][number]>('RingFenceExceedsQuotaViolation')
  .implement({
    description: 'A guarantee that, with the other projects’ guarantees, exceeds the organization’s quantity.',
    fields: (t) => ({
      kind: t.exposeID('kind', { description: 'The quota kind.' }),
      project: t.exposeID('project', { description: 'The project whose guarantee was asked for.' }),
      requested: t.expose('requested', { type: 'SafeInt', description: 'The guarantee that was asked for.' }),
      quantity: t.expose('quantity', { type: 'SafeInt', description: 'The organization’s quantity for this kind.' }),
      otherFences: t.expose('otherFences', {
        type: 'SafeInt',
        description: 'The sum of the other projects’ guarantees for this kind.',
      }),
    }),
  });

builder.objectType(RingFenceExceedsQuotaError, {
  name: 'RingFenceExceedsQuotaError',
  description:
    'The guarantees would add up to more than the organization’s quantity (fences partition a quota, they never ' +
    'overbook it). Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => violationsField(t, RingFenceExceedsQuotaViolationRef),
});

const ProjectLimitBelowUsageViolationRef = builder
  .objectRef<ProjectLimitBelowUsageError['violations'][number]>('ProjectLimitBelowUsageViolation')
  .implement({
    description: 'A project limit below what the project already uses.',
    fields: (t) => ({
      kind: t.exposeID('kind', { description: 'The quota kind.' }),
      project: t.exposeID('project', { description: 'The project.' }),
      limit: t.expose('limit', {
        type: 'SafeInt',
        description: 'The limit that would apply: the explicit one, else the guarantee.',
      }),
      used: t.expose('used', {
        type: 'SafeInt',
        description: 'What the project’s allocations use now (committed + reserved).',
      }),
    }),
  });

builder.objectType(ProjectLimitBelowUsageError, {
  name: 'ProjectLimitBelowUsageError',
  description: 'The change would set a project’s limit below its committed + reserved usage. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => violationsField(t, ProjectLimitBelowUsageViolationRef),
});

const SharedPoolExhaustedViolationRef = builder
  .objectRef<SharedPoolExhaustedError['violations'][number]>('SharedPoolExhaustedViolation')
  .implement({
    description: 'A kind whose shared pool would be smaller than what projects use beyond their guarantees.',
    fields: (t) => ({
      kind: t.exposeID('kind', { description: 'The quota kind.' }),
      sharedQuantity: t.expose('sharedQuantity', {
        type: 'SafeInt',
        description: 'The shared pool the change would leave: the quantity minus every guarantee.',
      }),
      sharedUsed: t.expose('sharedUsed', {
        type: 'SafeInt',
        description: 'What projects would use beyond their guarantees.',
      }),
    }),
  });

builder.objectType(SharedPoolExhaustedError, {
  name: 'SharedPoolExhaustedError',
  description:
    'The change would squeeze what projects use beyond their guarantees out of the shared pool (a guarantee raised ' +
    'over capacity others already use). Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => violationsField(t, SharedPoolExhaustedViolationRef),
});
