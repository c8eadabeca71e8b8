import type { AllocationRecord } from '../domain/model.js';
import {
  type AllocationItemView,
  allocationItems,
  allocationProject,
  organizationAllocations,
  projectAllocations,
} from '../resolvers/allocations.js';
import { quotaKind } from '../resolvers/quota.js';
import { builder } from './builder.js';
import { Organization } from './organization.js';
import { Project } from './project.js';
import { QuotaKind } from './quotaKind.js';

const AllocationState = builder.enumType('AllocationState', {
  description: 'Where an allocation is in admission.',
  values: {
    ADMITTED: { description: 'Admitted: it fits the quota.' },
    PENDING: {
      description:
        'Its admission is being decided (or its writer stopped mid-way and it awaits the janitor). It already ' +
        'counts as usage.',
    },
  } as const,
});

const AllocationItem = builder.objectRef<AllocationItemView>('AllocationItem').implement({
  description: 'How much of one kind an allocation holds.',
  fields: (t) => ({
    kind: t.field({ type: QuotaKind, description: 'The quota kind.', resolve: (i, _a, ctx) => quotaKind(ctx, i.kind) }),
    committed: t.field({ type: 'SafeInt', description: 'Committed (in use).', resolve: (i) => i.committed }),
    reserved: t.field({ type: 'SafeInt', description: 'Reserved (held, not yet in use).', resolve: (i) => i.reserved }),
  }),
});

export const Allocation = builder.objectRef<AllocationRecord>('Allocation').implement({
  description:
    'Capacity a project holds for one resource (an Allocation object). Unique per organization by resource kind ' +
    'and id.',
  authScopes: (allocation) => ({ viewOrganization: allocation.organizationId }),
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The allocation ID (its Kubernetes object name).' }),
    organization: t.field({
      type: Organization,
      description: 'The organization the allocation counts against.',
      resolve: (allocation) => allocation.organizationId,
    }),
    project: t.field({
      type: Project,
      description: 'The project that holds the allocation.',
      resolve: (allocation, _args, ctx) => allocationProject(ctx, allocation),
    }),
    resourceKind: t.exposeString('resourceKind', {
      description: 'The kind of resource the capacity is for, e.g. `cluster`.',
    }),
    resourceId: t.exposeString('resourceId', { description: 'The resource the capacity is for.' }),
    state: t.field({
      type: AllocationState,
      description: 'ADMITTED, or PENDING while its admission is being decided.',
      resolve: (allocation) => (allocation.pending ? 'PENDING' : 'ADMITTED'),
    }),
    items: t.field({
      type: [AllocationItem],
      description: 'What it holds of each kind, as stored (an unreadable stored value shows as 0).',
      resolve: (allocation) => allocationItems(allocation),
    }),
    resourceVersion: t.exposeString('resourceVersion', {
      description: 'The stored version, for `expectedResourceVersion` in updateAllocation.',
    }),
  }),
});

const AllocationConnection = builder.connectionObject(
  { type: Allocation, name: 'AllocationConnection', description: 'A page of allocations.' },
  { name: 'AllocationEdge', description: 'An allocation in a page.' },
);

// Forward pagination only (the contract's `first`/`after`), as for `Query.organizations`.
builder.objectFields(Organization, (t) => ({
  allocations: t.field({
    type: AllocationConnection,
    description: 'The organization’s allocations, sorted by project id, then allocation id, a page at a time.',
    args: {
      projectId: t.arg.id({ required: false, description: 'Only this project’s allocations.' }),
      first: t.arg.int({ required: false, description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({ required: false, description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (org, args, ctx) =>
      organizationAllocations(ctx, org.id, {
        projectId: args.projectId == null ? null : String(args.projectId),
        first: args.first,
        after: args.after,
      }),
  }),
}));

builder.objectFields(Project, (t) => ({
  allocations: t.field({
    type: AllocationConnection,
    description: 'The project’s allocations, sorted by id, a page at a time.',
    args: {
      first: t.arg.int({ required: false, description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({ required: false, description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (project, args, ctx) => projectAllocations(ctx, project, args),
  }),
}));
