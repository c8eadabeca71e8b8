import type { Context } from '../context.js';
import type { QuotaKindRecord } from '../domain/catalogue.js';
import type { OrganizationRecord, ProjectRecord } from '../domain/model.js';
import { buildQuotaView, projectQuotaView, projectUsage, type QuotaView } from '../domain/quotaView.js';
import { requireId } from './ids.js';

/** What the GraphQL `Quota` type resolves from: the view plus the organization it belongs to. */
export interface QuotaParent {
  organization: OrganizationRecord;
  view: QuotaView;
}

export async function quotaOf(ctx: Context, organization: OrganizationRecord): Promise<QuotaParent> {
  const [catalogue, quota, allocations] = await Promise.all([
    ctx.loaders.catalogue(),
    ctx.loaders.quotas.load(organization.id),
    ctx.loaders.allocations.load(organization.id),
  ]);
  return { organization, view: buildQuotaView({ organizationId: organization.id, catalogue, quota, allocations }) };
}

export async function projectUsageOf(ctx: Context, project: ProjectRecord) {
  const [catalogue, allocations] = await Promise.all([
    ctx.loaders.catalogue(),
    ctx.loaders.allocations.load(project.organizationId),
  ]);
  return projectUsage(
    allocations.filter((a) => a.projectId === project.id),
    catalogue,
  );
}

/** The project's share of its organization's quota (ring-fence, usage, what it may still use), per kind. */
export async function projectQuotaOf(ctx: Context, project: ProjectRecord) {
  const [catalogue, quota, allocations] = await Promise.all([
    ctx.loaders.catalogue(),
    ctx.loaders.quotas.load(project.organizationId),
    ctx.loaders.allocations.load(project.organizationId),
  ]);
  return projectQuotaView({
    catalogue,
    quota,
    allocations,
    projectId: project.id,
    organizationId: project.organizationId,
  });
}

/**
 * The catalogue record for a kind. Views only carry kinds that are catalogued, so a miss means
 * the catalogue changed within the request; the name alone is still a usable answer.
 */
export async function quotaKind(ctx: Context, name: string): Promise<QuotaKindRecord> {
  return (await ctx.loaders.catalogue()).get(name) ?? uncatalogued(name);
}

export async function findQuotaKind(ctx: Context, name: string): Promise<QuotaKindRecord | null> {
  return (await ctx.loaders.catalogue()).get(requireId('name', name)) ?? null;
}

function uncatalogued(name: string): QuotaKindRecord {
  return { name, displayName: name, description: '', default: 0n, defaultIsValid: false, rawDefault: undefined };
}
