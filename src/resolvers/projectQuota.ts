import type { Context } from '../context.js';
import { setProjectQuota as setProjectQuotaInDomain } from '../domain/projectQuota.js';
import { badUserInput } from '../schema/inputErrors.js';
import { requireId } from './ids.js';

export interface SetProjectQuotaArgs {
  organizationId: string;
  projectId: string;
  quotas: { kind: string; guaranteed: bigint | null; limit: bigint | null }[];
  expectedResourceVersion?: string | null;
}

/**
 * Validates what the scalars cannot (IDs, duplicates, a limit below its own guarantee), hands off
 * to the domain, and drops what the request's loaders hold for the organization so that the
 * answer's `Project.quota` shows what is stored now.
 */
export async function setProjectQuota(ctx: Context, input: SetProjectQuotaArgs) {
  requireId('organizationId', input.organizationId);
  requireId('projectId', input.projectId);
  const seen = new Set<string>();
  for (const entry of input.quotas) {
    requireId('quotas.kind', entry.kind);
    if (seen.has(entry.kind)) throw badUserInput(`quotas lists kind ${JSON.stringify(entry.kind)} more than once`);
    seen.add(entry.kind);
    if (entry.guaranteed !== null && entry.limit !== null && entry.limit < entry.guaranteed) {
      throw badUserInput(
        `quotas kind ${JSON.stringify(entry.kind)}: limit ${entry.limit} is below guaranteed ${entry.guaranteed}`,
      );
    }
  }
  try {
    const { project } = await setProjectQuotaInDomain(ctx.admission, input);
    return { project };
  } finally {
    ctx.loaders.quotas.clear(input.organizationId);
    ctx.loaders.allocations.clear(input.organizationId);
  }
}
