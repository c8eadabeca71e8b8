import { canViewOrganization, type OrganizationRole, type Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import type { OrganizationRecord } from '../domain/model.js';

export interface MembershipView {
  organization: OrganizationRecord;
  role: OrganizationRole;
}

/**
 * The caller's roles, sorted by organization id. A grant for an organization that does not exist
 * (yet, or any more) is left out: there is nothing to show for it.
 */
export async function memberships(ctx: Context, principal: Principal): Promise<MembershipView[]> {
  const granted = [...principal.memberships].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const organizations = await ctx.loaders.organizations.loadMany(granted.map(([id]) => id));
  return granted.flatMap(([, role], i) => {
    const organization = organizations[i];
    return organization && !(organization instanceof Error) ? [{ organization, role }] : [];
  });
}

/** Only what the caller may see, filtered before paging so counts and cursors reveal nothing else. */
export function visibleOrganizations(ctx: Context, organizations: readonly OrganizationRecord[]) {
  return organizations.filter((org) => canViewOrganization(ctx.principal, org.id));
}
