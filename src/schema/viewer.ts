import type { Principal } from '../auth/principal.js';
import { canAllocate, canSetProjectQuota, canSetQuota } from '../auth/principal.js';
import { type MembershipView, memberships } from '../resolvers/viewer.js';
import { builder } from './builder.js';
import { Organization } from './organization.js';

const OrganizationRole = builder.enumType('OrganizationRole', {
  description: 'A role in one organization, granted by the token’s organizations claim.',
  values: {
    VIEWER: { value: 'viewer', description: 'Reads the organization and everything under it.' },
    ADMIN: { value: 'admin', description: 'A viewer who also sets the projects’ ring-fences (setProjectQuota).' },
    ALLOCATOR: {
      value: 'allocator',
      description: 'A viewer who also creates, updates and deletes allocations (provisioning services).',
    },
  } as const,
});

const Membership = builder.objectRef<MembershipView>('Membership').implement({
  description: 'The caller’s role in one organization.',
  fields: (t) => ({
    organization: t.field({ type: Organization, description: 'The organization.', resolve: (m) => m.organization }),
    role: t.field({ type: OrganizationRole, description: 'The caller’s role in it.', resolve: (m) => m.role }),
  }),
});

const Viewer = builder.objectRef<Principal>('Viewer').implement({
  description: 'Who the caller is, as the gateway authenticated them.',
  fields: (t) => ({
    subject: t.exposeString('subject', { description: 'The token’s subject (`local` without authentication).' }),
    isPlatformAdmin: t.exposeBoolean('isPlatformAdmin', {
      description: 'True when the caller has every right in every organization.',
    }),
    memberships: t.field({
      type: [Membership],
      description:
        'The caller’s roles in organizations that exist, sorted by organization id. Platform admins need none.',
      resolve: (principal, _args, ctx) => memberships(ctx, principal),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'The caller: who they are and their roles.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.principal,
  }),
);

// What a dashboard needs to show or hide its buttons; the same rules the mutations enforce.
builder.objectFields(Organization, (t) => ({
  viewerCanSetQuota: t.boolean({
    description: 'True when the caller may change this organization’s quota (setQuota).',
    resolve: (org, _args, ctx) => canSetQuota(ctx.principal, org.id),
  }),
  viewerCanSetProjectQuota: t.boolean({
    description: 'True when the caller may change this organization’s ring-fences (setProjectQuota).',
    resolve: (org, _args, ctx) => canSetProjectQuota(ctx.principal, org.id),
  }),
  viewerCanAllocate: t.boolean({
    description: 'True when the caller may create, update and delete this organization’s allocations.',
    resolve: (org, _args, ctx) => canAllocate(ctx.principal, org.id),
  }),
}));
