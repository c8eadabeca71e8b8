import type { ProjectRecord } from '../domain/model.js';
import type { ProjectQuotaItemView, ProjectUsageView } from '../domain/quotaView.js';
import { projectQuotaOf, projectUsageOf, quotaKind } from '../resolvers/quota.js';
import { builder } from './builder.js';
import { Organization } from './organization.js';
import { QuotaKind } from './quotaKind.js';

const QuotaUsage = builder.objectRef<ProjectUsageView>('QuotaUsage').implement({
  description: 'How much of one kind a project’s allocations hold.',
  fields: (t) => ({
    kind: t.field({ type: QuotaKind, description: 'The quota kind.', resolve: (u, _a, ctx) => quotaKind(ctx, u.kind) }),
    committed: t.expose('committed', { type: 'SafeInt', description: 'Committed (in use).' }),
    reserved: t.expose('reserved', { type: 'SafeInt', description: 'Reserved (held, not yet in use).' }),
    used: t.expose('used', { type: 'SafeInt', description: 'committed + reserved.' }),
    pending: t.expose('pending', {
      type: 'SafeInt',
      description:
        'The part of `used` held by allocations whose admission is still being decided (they count as usage).',
    }),
  }),
});

const ProjectQuotaItem = builder.objectRef<ProjectQuotaItemView>('ProjectQuotaItem').implement({
  description:
    'One kind of a project’s share of its organization’s quota: its ring-fence (guarantee and limit), its usage and ' +
    'how much more it may use now.',
  fields: (t) => ({
    kind: t.field({ type: QuotaKind, description: 'The quota kind.', resolve: (i, _a, ctx) => quotaKind(ctx, i.kind) }),
    guaranteed: t.expose('guaranteed', {
      type: 'SafeInt',
      nullable: true,
      description: 'Reserved for this project alone; null when none.',
    }),
    limit: t.expose('limit', {
      type: 'SafeInt',
      nullable: true,
      description:
        'The hard cap on the project’s usage: its explicit limit, else its guarantee (a hard budget); null when none.',
    }),
    committed: t.expose('committed', { type: 'SafeInt', description: 'Committed (in use).' }),
    reserved: t.expose('reserved', { type: 'SafeInt', description: 'Reserved (held, not yet in use).' }),
    used: t.expose('used', { type: 'SafeInt', description: 'committed + reserved.' }),
    guaranteedFree: t.expose('guaranteedFree', {
      type: 'SafeInt',
      description: 'What is left of the guarantee: max(0, guaranteed − used); 0 without a guarantee.',
    }),
    available: t.expose('available', {
      type: 'SafeInt',
      description:
        'How much more the project may use now: min(limit − used, guaranteedFree + the organization’s sharedFree), ' +
        'never negative (without a limit, the second term).',
    }),
  }),
});

export const Project = builder.objectRef<ProjectRecord>('Project').implement({
  description: 'A project inside an organization; allocations are made per project.',
  authScopes: (project) => ({ viewOrganization: project.organizationId }),
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The project ID (its Kubernetes object name).' }),
    name: t.exposeString('name', { description: 'The display name.' }),
    organization: t.field({
      type: Organization,
      description: 'The organization the project belongs to.',
      resolve: (project) => project.organizationId,
    }),
    usage: t.field({
      type: [QuotaUsage],
      description: 'The project’s usage of every catalogued kind, sorted by kind.',
      resolve: (project, _args, ctx) => projectUsageOf(ctx, project),
    }),
    quota: t.field({
      type: [ProjectQuotaItem],
      description: 'The project’s share of the organization’s quota for every catalogued kind, sorted by kind.',
      resolve: (project, _args, ctx) => projectQuotaOf(ctx, project),
    }),
  }),
});
