import type { QuotaKindRecord } from '../domain/catalogue.js';
import { findQuotaKind } from '../resolvers/quota.js';
import { builder } from './builder.js';

export const QuotaKind = builder.objectRef<QuotaKindRecord>('QuotaKind').implement({
  description: 'A kind of capacity in the catalogue (a QuotaMetadata object): what it means and its default quota.',
  fields: (t) => ({
    name: t.exposeID('name', { description: 'The kind, e.g. `clusters`; the key used in quotas and allocations.' }),
    displayName: t.exposeString('displayName', { description: 'A human-readable name for dashboards.' }),
    description: t.exposeString('description', { description: 'What one unit of this kind is.' }),
    default: t.expose('default', {
      type: 'SafeInt',
      description: 'The quota an organization gets for this kind when its Quota does not set one.',
    }),
  }),
});

builder.queryFields((t) => ({
  quotaKinds: t.field({
    type: [QuotaKind],
    description: 'The whole quota catalogue, sorted by name.',
    // The catalogue says what kinds mean; it holds nothing of any organization.
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => [...(await ctx.loaders.catalogue()).kinds],
  }),
  quotaKind: t.field({
    type: QuotaKind,
    nullable: true,
    description: 'One catalogued kind, or null when it is not in the catalogue.',
    authScopes: { authenticated: true },
    args: { name: t.arg.id({ description: 'The kind, e.g. `gpus`.' }) },
    resolve: (_root, args, ctx) => findQuotaKind(ctx, String(args.name)),
  }),
}));
