import type { OrganizationRecord } from '../domain/model.js';
import * as resolvers from '../resolvers/organizations.js';
import { quotaOf } from '../resolvers/quota.js';
import { builder } from './builder.js';
import { Project } from './project.js';
import { Quota } from './quota.js';

export const Organization = builder.loadableObjectRef<OrganizationRecord, string>('Organization', {
  // Resolvers may return an organization's id; the plugin batches those through the request's
  // loader, and `sort` turns ids without an organization into null.
  load: async (ids, ctx) =>
    (await ctx.loaders.organizations.loadMany(ids)).filter((org): org is OrganizationRecord => org !== null),
  sort: (org) => org.id,
});

Organization.implement({
  description: 'A tenant with a capacity contract: its quota, usage, projects and allocations.',
  // The backstop: whatever path hands a caller an organization, it is checked here.
  authScopes: (org) => ({ viewOrganization: org.id }),
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The organization ID (its Kubernetes object name).' }),
    name: t.exposeString('name', { description: 'The display name.' }),
    quota: t.field({
      type: Quota,
      description: 'The quota for every catalogued kind, with usage and any drift problems.',
      resolve: (org, _args, ctx) => quotaOf(ctx, org),
    }),
    projects: t.field({
      type: [Project],
      description: 'The organization’s projects, sorted by id.',
      resolve: (org, _args, ctx) => ctx.loaders.projects.load(org.id),
    }),
  }),
});

const OrganizationConnection = builder.connectionObject(
  { type: Organization, name: 'OrganizationConnection', description: 'A page of organizations.' },
  { name: 'OrganizationEdge', description: 'An organization in a page.' },
);

builder.queryFields((t) => ({
  organization: t.field({
    type: Organization,
    nullable: true,
    description: 'One organization, or null when it does not exist or the caller may not see it.',
    args: { id: t.arg.id({ description: 'The organization ID.' }) },
    // A hidden organization reads exactly like a missing one: null, no error.
    authScopes: (_root, args) => ({ viewOrganization: String(args.id) }),
    unauthorizedResolver: () => null,
    resolve: (_root, args, ctx) => resolvers.organization(ctx, String(args.id)),
  }),
  organizations: t.field({
    type: OrganizationConnection,
    description: 'Every organization the caller may see, sorted by id, a page at a time.',
    // Filtered in the resolver, before paging and counting, so `totalCount` leaks nothing either.
    authScopes: { authenticated: true },
    // Forward pagination only (the contract's `first`/`after`), so the connection is declared here
    // rather than with t.connection, which would add `last`/`before` as well.
    args: {
      first: t.arg.int({ required: false, description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({ required: false, description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (_root, args, ctx) => resolvers.organizations(ctx, args),
  }),
}));

builder.globalConnectionField('totalCount', (t) =>
  t.int({ description: 'How many items there are in all pages.', resolve: (connection) => connection.totalCount }),
);
