import type { ProjectRecord } from '../domain/model.js';
import type { ProjectUsageView } from '../domain/quotaView.js';
import { projectUsageOf, quotaKind } from '../resolvers/quota.js';
import { builder } from './builder.js';
import { Organization } from './organization.js';
import { QuotaKind } from './quotaKind.js';

const QuotaUsage = builder.objectRef<ProjectUsageView>('QuotaUsage').implement({
  description: 'How much of one kind a project’s allocations hold.',
  fields: (t) => ({
    kind: t.field({ type: QuotaKind, description: 'The quota kind.', resolve: (u, _a, ctx) => quotaKind(ctx, u.kind) }),
    committed: t.field({ type: 'SafeInt', description: 'Committed (in use).', resolve: (u) => u.committed }),
    reserved: t.field({ type: 'SafeInt', description: 'Reserved (held, not yet in use).', resolve: (u) => u.reserved }),
    used: t.field({ type: 'SafeInt', description: 'committed + reserved.', resolve: (u) => u.used }),
    pending: t.field({
      type: 'SafeInt',
      description:
        'The part of `used` held by allocations whose admission is still being decided (they count as usage).',
      resolve: (u) => u.pending,
    }),
  }),
});

export const Project = builder.objectRef<ProjectRecord>('Project').implement({
  description: 'A project inside an organization; allocations are made per project.',
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
  }),
});
