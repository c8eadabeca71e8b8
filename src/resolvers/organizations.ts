import type { Context } from '../context.js';
import type { OrganizationRecord } from '../domain/model.js';
import { type PageArgs, paginate } from './connection.js';
import { requireId } from './ids.js';
import { visibleOrganizations } from './viewer.js';

export function organization(ctx: Context, id: string): Promise<OrganizationRecord | null> {
  return ctx.loaders.organizations.load(requireId('id', id));
}

export async function organizations(ctx: Context, args: PageArgs) {
  return paginate(visibleOrganizations(ctx, await ctx.loaders.allOrganizations()), (org) => org.id, args);
}
