/**
 * Who is asking, and what that lets them do. Pure: no GraphQL, no tokens, no store. The schema's
 * auth scopes, the `viewerCan…` fields and the organization listing all ask these functions, so
 * each right is decided in exactly one place.
 */

/** A role in one organization, as granted by the token's organizations claim. */
export type OrganizationRole = 'viewer' | 'admin' | 'allocator';

export const ORGANIZATION_ROLES: readonly OrganizationRole[] = ['viewer', 'admin', 'allocator'];

/** The role name in the token's roles claim that grants everything, in every organization. */
export const PLATFORM_ADMIN_ROLE = 'platform-admin';

export interface Principal {
  /** The token's subject (or `local` with `--auth none`). */
  readonly subject: string;
  /** `platform-admin` in the roles claim: every right in every organization. */
  readonly isPlatformAdmin: boolean;
  /** Organization ID → this caller's role in it. */
  readonly memberships: ReadonlyMap<string, OrganizationRole>;
}

/** What every request acts as with `--auth none` (local use only). */
export const LOCAL_PRINCIPAL: Principal = { subject: 'local', isPlatformAdmin: true, memberships: new Map() };

/** Platform admins and any role in the organization: it and everything under it. */
export function canViewOrganization(principal: Principal, organizationId: string): boolean {
  return principal.isPlatformAdmin || principal.memberships.has(organizationId);
}

/** Organization quotas are the capacity contract: platform admins only. */
export function canSetQuota(principal: Principal, _organizationId: string): boolean {
  return principal.isPlatformAdmin;
}

/** Ring-fences split the organization's own quota: platform admins and the organization's admins. */
export function canSetProjectQuota(principal: Principal, organizationId: string): boolean {
  return principal.isPlatformAdmin || principal.memberships.get(organizationId) === 'admin';
}

/** Allocation writes come from provisioning services: platform admins and the organization's allocators. */
export function canAllocate(principal: Principal, organizationId: string): boolean {
  return principal.isPlatformAdmin || principal.memberships.get(organizationId) === 'allocator';
}
