import type { QuotaItemView, QuotaProblem as QuotaProblemView } from '../domain/quotaView.js';
import { type QuotaParent, quotaKind } from '../resolvers/quota.js';
import { builder } from './builder.js';
import { Organization } from './organization.js';
import { QuotaKind } from './quotaKind.js';

const QuotaProblemCode = builder.enumType('QuotaProblemCode', {
  description: 'How the catalogue, the stored quota and the allocations disagree.',
  values: {
    UNCATALOGUED_QUOTA_KIND: { description: 'The stored quota sets a kind that is not in the catalogue.' },
    UNCATALOGUED_ALLOCATION_KIND: {
      description: 'Allocations use a kind that is not in the catalogue (the usage still counts).',
    },
    OVERCOMMITTED: { description: 'committed + reserved exceeds the quota.' },
    INVALID_STORED_QUANTITY: { description: 'A stored quantity cannot be read; it is treated as 0.' },
  } as const,
});

const QuotaProblem = builder.objectRef<QuotaProblemView>('QuotaProblem').implement({
  description: 'Drift between the catalogue, the stored quota and the allocations. Reads never fail on drift.',
  fields: (t) => ({
    code: t.field({ type: QuotaProblemCode, description: 'What kind of drift.', resolve: (p) => p.code }),
    kind: t.exposeID('kind', { description: 'The quota kind concerned.' }),
    message: t.exposeString('message', { description: 'The details, with the numbers.' }),
  }),
});

const QuotaItem = builder.objectRef<QuotaItemView>('QuotaItem').implement({
  description: 'One kind of an organization’s quota with its usage.',
  fields: (t) => ({
    kind: t.field({ type: QuotaKind, description: 'The quota kind.', resolve: (i, _a, ctx) => quotaKind(ctx, i.kind) }),
    quantity: t.expose('quantity', { type: 'SafeInt', description: 'The quota: stored, or the catalogue default.' }),
    isDefault: t.exposeBoolean('isDefault', { description: 'True when the quantity is the catalogue default.' }),
    committed: t.expose('committed', { type: 'SafeInt', description: 'Committed by allocations.' }),
    reserved: t.expose('reserved', { type: 'SafeInt', description: 'Reserved by allocations.' }),
    used: t.expose('used', { type: 'SafeInt', description: 'committed + reserved.' }),
    pending: t.expose('pending', {
      type: 'SafeInt',
      description:
        'The part of `used` held by allocations whose admission is still being decided (they count as usage).',
    }),
    free: t.expose('free', { type: 'SafeInt', description: 'quantity − used; negative when overcommitted.' }),
    utilization: t.float({
      nullable: true,
      description: 'used / quantity (1.0 is full); null when the quantity is 0.',
      resolve: (i) => i.utilization,
    }),
    ringFenced: t.expose('ringFenced', {
      type: 'SafeInt',
      description: 'The sum of the projects’ guarantees: capacity reserved for those projects alone.',
    }),
    sharedQuantity: t.expose('sharedQuantity', {
      type: 'SafeInt',
      description: 'The shared pool: quantity − ringFenced. Every project’s usage beyond its guarantee comes from it.',
    }),
    sharedUsed: t.expose('sharedUsed', {
      type: 'SafeInt',
      description: 'What projects use beyond their guarantees (a project without one: all it uses).',
    }),
    sharedFree: t.expose('sharedFree', {
      type: 'SafeInt',
      description: 'sharedQuantity − sharedUsed; negative when overcommitted.',
    }),
  }),
});

export const Quota = builder.objectRef<QuotaParent>('Quota').implement({
  description: 'An organization’s quota: every catalogued kind, with usage and drift problems.',
  authScopes: (quota) => ({ viewOrganization: quota.organization.id }),
  fields: (t) => ({
    organization: t.field({ type: Organization, description: 'The organization.', resolve: (q) => q.organization }),
    isDefault: t.boolean({
      description:
        'True when no kind is set: the organization has no Quota object, or its Quota sets no quotas. Every kind ' +
        'then follows the catalogue.',
      resolve: (q) => q.view.isDefault,
    }),
    resourceVersion: t.string({
      nullable: true,
      description:
        'The stored Quota’s version, for `expectedResourceVersion` (also when it sets no quotas); null when there is ' +
        'no Quota object.',
      resolve: (q) => q.view.resourceVersion,
    }),
    items: t.field({
      type: [QuotaItem],
      description: 'One item per catalogued kind, sorted by kind.',
      resolve: (q) => q.view.items,
    }),
    item: t.field({
      type: QuotaItem,
      nullable: true,
      description: 'The item for one kind, or null when the kind is not catalogued.',
      args: { kind: t.arg.id({ description: 'The quota kind.' }) },
      resolve: (q, args) => q.view.items.find((i) => i.kind === String(args.kind)) ?? null,
    }),
    problems: t.field({
      type: [QuotaProblem],
      description: 'Drift found while reading; empty when consistent.',
      resolve: (q) => q.view.problems,
    }),
  }),
});
