import type { Context } from '../context.js';
import type { AllocationItemInput } from '../domain/allocations.js';
import { QuotaExceededError, type QuotaExceededViolation } from '../domain/errors.js';
import type { AllocationRecord, ProjectRecord } from '../domain/model.js';
import { pickAllocations } from '../domain/ownership.js';
import { tryParseQuantity } from '../domain/quantity.js';
import { badUserInput } from '../schema/inputErrors.js';
import { type PageArgs, paginate } from './connection.js';
import { requireId, requireLabelValue } from './ids.js';

/** One item of an allocation as GraphQL shows it. */
export interface AllocationItemView {
  kind: string;
  committed: bigint;
  reserved: bigint;
}

export interface CreateAllocationArgs {
  organizationId: string;
  projectId: string;
  resourceKind: string;
  resourceId: string;
  items: AllocationItemInput[];
}

export interface UpdateAllocationArgs {
  organizationId: string;
  projectId: string;
  id: string;
  items: AllocationItemInput[];
  expectedResourceVersion?: string | null;
}

export interface DeleteAllocationArgs {
  organizationId: string;
  projectId: string;
  id: string;
}

/**
 * The organization's allocations, sorted by (project id, allocation id), through the request's
 * loaders: a page of organizations costs one list per object type, not one per organization.
 */
async function allocationsOf(ctx: Context, organizationId: string): Promise<AllocationRecord[]> {
  const [projects, allocations] = await Promise.all([
    ctx.loaders.projects.load(organizationId),
    ctx.loaders.allocations.load(organizationId),
  ]);
  return pickAllocations(projects, allocations);
}

/** The cursor key; it sorts like (project id, allocation id) since names have no character below " ". */
const allocationKey = (allocation: AllocationRecord) => `${allocation.projectId} ${allocation.id}`;

export async function organizationAllocations(
  ctx: Context,
  organizationId: string,
  args: PageArgs & { projectId?: string | null },
) {
  const projectId = args.projectId == null ? null : requireId('projectId', args.projectId);
  const allocations = await allocationsOf(ctx, organizationId);
  const selected = projectId === null ? allocations : allocations.filter((a) => a.projectId === projectId);
  return paginate(selected, allocationKey, args);
}

export async function projectAllocations(ctx: Context, project: ProjectRecord, args: PageArgs) {
  const allocations = await allocationsOf(ctx, project.organizationId);
  return paginate(
    allocations.filter((a) => a.projectId === project.id),
    allocationKey,
    args,
  );
}

/** The project an allocation names; it is one of the organization's (listings only show those). */
export async function allocationProject(ctx: Context, allocation: AllocationRecord): Promise<ProjectRecord> {
  const project = (await ctx.loaders.projects.load(allocation.organizationId)).find(
    (p) => p.id === allocation.projectId,
  );
  if (!project) {
    throw new Error(
      `allocation ${allocation.namespace}/${allocation.id} names unknown project "${allocation.projectId}"`,
    );
  }
  return project;
}

/**
 * The stored items with exact quantities. A stored value that does not parse shows as 0, as it
 * counts in usage; the quota's `problems` name it (INVALID_STORED_QUANTITY).
 */
export function allocationItems(allocation: AllocationRecord): AllocationItemView[] {
  const amount = (raw: unknown) => {
    const parsed = tryParseQuantity(raw);
    return parsed.ok ? parsed.value : 0n;
  };
  return allocation.items.map((item) => ({
    kind: item.kind,
    committed: amount(item.committed),
    reserved: amount(item.reserved),
  }));
}

export async function createAllocation(ctx: Context, input: CreateAllocationArgs) {
  requireId('organizationId', input.organizationId);
  requireId('projectId', input.projectId);
  requireLabelValue('resourceKind', input.resourceKind);
  requireLabelValue('resourceId', input.resourceId);
  requireItems(input.items);
  const allocation = await afterWrite(ctx, input.organizationId, () =>
    ctx.allocationWrites.create(ctx.admission, input),
  );
  return { allocation };
}

export async function updateAllocation(ctx: Context, input: UpdateAllocationArgs) {
  requireId('organizationId', input.organizationId);
  requireId('projectId', input.projectId);
  requireId('id', input.id);
  requireItems(input.items);
  const allocation = await afterWrite(ctx, input.organizationId, () =>
    ctx.allocationWrites.update(ctx.admission, input),
  );
  return { allocation };
}

export async function deleteAllocation(ctx: Context, input: DeleteAllocationArgs) {
  requireId('organizationId', input.organizationId);
  requireId('projectId', input.projectId);
  requireId('id', input.id);
  const id = await afterWrite(ctx, input.organizationId, () => ctx.allocationWrites.delete(ctx.admission, input));
  return { id };
}

/** Items must name each kind once, and at least one. */
function requireItems(items: AllocationItemInput[]): void {
  if (items.length === 0) throw badUserInput('items must list at least one kind');
  const seen = new Set<string>();
  for (const item of items) {
    requireId('items.kind', item.kind);
    if (seen.has(item.kind)) throw badUserInput(`items lists kind ${JSON.stringify(item.kind)} more than once`);
    seen.add(item.kind);
  }
}

/**
 * Runs a write, then drops what this request's loaders hold for the organization, whatever the
 * outcome: a nested re-read (its quota, its allocations) shows what is stored now. A decision
 * bumps the Quota's fence (or creates an empty Quota), so the quota is dropped with the allocations.
 */
async function afterWrite<T>(ctx: Context, organizationId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof QuotaExceededError) {
      for (const violation of error.violations) violationOrganization.set(violation, organizationId);
    }
    throw error;
  } finally {
    ctx.loaders.allocations.clear(organizationId);
    ctx.loaders.quotas.clear(organizationId);
  }
}

/**
 * The organization of each refused allocation's violations: a violation names its project by id
 * only, and project ids are unique within an organization, not across them.
 */
const violationOrganization = new WeakMap<QuotaExceededViolation, string>();

/** The project a QuotaExceededError violation concerns, through the request's loaders; null for ORGANIZATION. */
export async function violationProject(ctx: Context, violation: QuotaExceededViolation): Promise<ProjectRecord | null> {
  const organizationId = violationOrganization.get(violation);
  if (violation.project === null || organizationId === undefined) return null;
  return (await ctx.loaders.projects.load(organizationId)).find((p) => p.id === violation.project) ?? null;
}
