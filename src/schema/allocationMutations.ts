import {
  ConflictError,
  DuplicateAllocationError,
  NotFoundError,
  QuotaExceededError,
  UnknownQuotaKindError,
} from '../domain/errors.js';
import type { AllocationRecord } from '../domain/model.js';
import * as resolvers from '../resolvers/allocations.js';
import { Allocation } from './allocation.js';
import { builder } from './builder.js';

const AllocationItemInput = builder.inputType('AllocationItemInput', {
  description: 'What an allocation holds of one kind.',
  fields: (t) => ({
    kind: t.id({ description: 'A catalogued quota kind.' }),
    committed: t.field({ type: 'Quantity', description: 'Committed (in use), e.g. `2` or `"10Gi"`.' }),
    reserved: t.field({ type: 'Quantity', description: 'Reserved (held, not yet in use), e.g. `0`.' }),
  }),
});

const CreateAllocationInput = builder.inputType('CreateAllocationInput', {
  description: 'A new allocation for one resource.',
  fields: (t) => ({
    organizationId: t.id({ description: 'The organization whose quota it counts against.' }),
    projectId: t.id({ description: 'The organization’s project that holds it.' }),
    resourceKind: t.string({
      description: 'The kind of resource, e.g. `cluster`: a Kubernetes label value (at most 63 characters).',
    }),
    resourceId: t.string({ description: 'The resource: a Kubernetes label value (at most 63 characters).' }),
    items: t.field({ type: [AllocationItemInput], description: 'What it holds, each kind at most once; not empty.' }),
  }),
});

const UpdateAllocationInput = builder.inputType('UpdateAllocationInput', {
  description: 'New items for an existing allocation; they replace the stored items.',
  fields: (t) => ({
    organizationId: t.id({ description: 'The organization.' }),
    projectId: t.id({ description: 'The project that holds the allocation.' }),
    id: t.id({ description: 'The allocation ID.' }),
    items: t.field({ type: [AllocationItemInput], description: 'The new items, each kind at most once; not empty.' }),
    expectedResourceVersion: t.string({
      required: false,
      description:
        'Refuse with ConflictError unless the allocation is still at this version (from `Allocation.resourceVersion`).',
    }),
  }),
});

const DeleteAllocationInput = builder.inputType('DeleteAllocationInput', {
  description: 'The allocation to delete.',
  fields: (t) => ({
    organizationId: t.id({ description: 'The organization.' }),
    projectId: t.id({ description: 'The project that holds the allocation.' }),
    id: t.id({ description: 'The allocation ID.' }),
  }),
});

const CreateAllocationSuccess = builder
  .objectRef<{ allocation: AllocationRecord }>('CreateAllocationSuccess')
  .implement({
    description: 'The allocation was admitted and stored (or it already was: a retried identical create).',
    fields: (t) => ({
      allocation: t.field({
        type: Allocation,
        description: 'The allocation as stored now.',
        resolve: (s) => s.allocation,
      }),
    }),
  });

const UpdateAllocationSuccess = builder
  .objectRef<{ allocation: AllocationRecord }>('UpdateAllocationSuccess')
  .implement({
    description: 'The new items were admitted and stored.',
    fields: (t) => ({
      allocation: t.field({
        type: Allocation,
        description: 'The allocation as stored now.',
        resolve: (s) => s.allocation,
      }),
    }),
  });

const DeleteAllocationSuccess = builder.objectRef<{ id: string }>('DeleteAllocationSuccess').implement({
  description: 'The allocation was deleted; its capacity is free again.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The deleted allocation’s ID.' }),
  }),
});

const itemsOf = (items: { kind: string | number; committed: bigint; reserved: bigint }[]) =>
  items.map((item) => ({ kind: String(item.kind), committed: item.committed, reserved: item.reserved }));

builder.mutationFields((t) => ({
  createAllocation: t.field({
    type: CreateAllocationSuccess,
    description:
      'Allocate capacity for one resource in a project. Admitted only if it fits the organization’s quota; refused, ' +
      'with nothing written, otherwise. Retrying an identical create answers the same allocation.',
    args: { input: t.arg({ type: CreateAllocationInput, description: 'What to allocate.' }) },
    authScopes: (_root, { input }) => ({ allocate: String(input.organizationId) }),
    errors: {
      types: [QuotaExceededError, DuplicateAllocationError, UnknownQuotaKindError, NotFoundError, ConflictError],
      directResult: true,
      union: { name: 'CreateAllocationResult', description: 'The stored allocation, or why nothing was stored.' },
    },
    resolve: (_root, { input }, ctx) =>
      resolvers.createAllocation(ctx, {
        organizationId: String(input.organizationId),
        projectId: String(input.projectId),
        resourceKind: input.resourceKind,
        resourceId: input.resourceId,
        items: itemsOf(input.items),
      }),
  }),
  updateAllocation: t.field({
    type: UpdateAllocationSuccess,
    description:
      'Replace an allocation’s items. An increase is admitted only if it fits the quota; a decrease always is. ' +
      'Refused, with the allocation unchanged, otherwise.',
    args: { input: t.arg({ type: UpdateAllocationInput, description: 'What to change.' }) },
    authScopes: (_root, { input }) => ({ allocate: String(input.organizationId) }),
    errors: {
      types: [QuotaExceededError, UnknownQuotaKindError, NotFoundError, ConflictError],
      directResult: true,
      union: { name: 'UpdateAllocationResult', description: 'The stored allocation, or why nothing changed.' },
    },
    resolve: (_root, { input }, ctx) =>
      resolvers.updateAllocation(ctx, {
        organizationId: String(input.organizationId),
        projectId: String(input.projectId),
        id: String(input.id),
        items: itemsOf(input.items),
        expectedResourceVersion: input.expectedResourceVersion,
      }),
  }),
  deleteAllocation: t.field({
    type: DeleteAllocationSuccess,
    description: 'Delete an allocation, freeing its capacity.',
    args: { input: t.arg({ type: DeleteAllocationInput, description: 'What to delete.' }) },
    authScopes: (_root, { input }) => ({ allocate: String(input.organizationId) }),
    errors: {
      types: [NotFoundError, ConflictError],
      directResult: true,
      union: { name: 'DeleteAllocationResult', description: 'The deleted allocation’s ID, or why nothing changed.' },
    },
    resolve: (_root, { input }, ctx) =>
      resolvers.deleteAllocation(ctx, {
        organizationId: String(input.organizationId),
        projectId: String(input.projectId),
        id: String(input.id),
      }),
  }),
}));
