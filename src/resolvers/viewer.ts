import { canViewOrganization, type OrganizationRole, type Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import { compareStrings, type OrganizationRecord } from '../domain/model.js';

export interface MembershipView {
  organization: OrganizationRecord;
  role: OrganizationRole;
}

/**
 * The caller's roles, sorted by organization id. A grant for an organization that does not exist
 * (yet, or any more) is left out: there is nothing to show for it. A store that cannot answer is
 * an error, not an empty list: the caller would read it as having lost its roles.
 */
export async function memberships(ctx: Context, principal: Principal): Promise<MembershipView[]> {
  const granted = [...principal.memberships].sort(([a], [b]) => compareStrings(a, b));
  const organizations = await ctx.loaders.organizations.loadMany(granted.map(([id]) => id));
  return granted.flatMap(([, role], i) => {
    const organization = organizations[i];
    if (organization instanceof Error) throw organization;
    return organization ? [{ organization, role }] : [];
  });
}

/** Only what the caller may see, filtered before paging so counts and cursors reveal nothing else. */
export function visibleOrganizations(ctx: Context, organizations: readonly OrganizationRecord[]) {
  return organizations.filter((org) => canViewOrganization(ctx.principal, org.id));
}
