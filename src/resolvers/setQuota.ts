import type { Context } from '../context.js';
import { type SetQuotaOutcome, setQuota as setQuotaInDomain } from '../domain/setQuota.js';
import { badUserInput } from '../schema/inputErrors.js';
import { requireId } from './ids.js';
import { quotaOf } from './quota.js';

export interface SetQuotaArgs {
  organizationId: string;
  quotas: { kind: string; quantity: bigint }[];
  expectedResourceVersion?: string | null;
}

/** Validates the shape the scalars cannot (IDs, duplicates), hands off to the domain, re-reads the view. */
export async function setQuota(ctx: Context, input: SetQuotaArgs) {
  requireId('organizationId', input.organizationId);
  const seen = new Set<string>();
  for (const entry of input.quotas) {
    requireId('quotas.kind', entry.kind);
    if (seen.has(entry.kind)) throw badUserInput(`quotas lists kind ${JSON.stringify(entry.kind)} more than once`);
    seen.add(entry.kind);
  }
  const outcome: SetQuotaOutcome = await setQuotaInDomain(ctx.admission, input);
  // The request's loaders may hold the pre-write state; drop it so the answer shows what was stored.
  ctx.loaders.quotas.clear(input.organizationId).prime(input.organizationId, outcome.quota);
  return { quota: await quotaOf(ctx, outcome.organization) };
}
