import type { Admission } from './admission.js';
import { ConflictError, QuotaBelowRingFencesError, QuotaBelowUsageError, UnknownQuotaKindError } from './errors.js';
import { type OrganizationRecord, type QuotaRecord, readQuota } from './model.js';
import { usageByProject } from './partition.js';
import { decideSetQuota, type QuotaEntry, type SetQuotaDecision } from './quotaRules.js';
import { sumUsage } from './quotaView.js';

export interface SetQuotaRequest {
  organizationId: string;
  quotas: QuotaEntry[];
  /** Optimistic concurrency: refuse with ConflictError unless the stored Quota is at this version. */
  expectedResourceVersion?: string | null;
}

export interface SetQuotaOutcome {
  organization: OrganizationRecord;
  quota: QuotaRecord;
}

/**
 * Merges `quotas` into the organization's Quota under the capacity invariant (DESIGN §5): a
 * decision of the admission protocol whose commit is the new limits themselves, checked against
 * every allocation, pending ones included. Throws NotFoundError, UnknownQuotaKindError,
 * QuotaBelowUsageError or ConflictError; on any of them nothing was written.
 */
export async function setQuota(admission: Admission, request: SetQuotaRequest): Promise<SetQuotaOutcome> {
  const organization = await admission.organization(request.organizationId);
  return admission.serialize(organization.id, async () => {
    const result = await admission.decide(organization, (state) => {
      const version = state.quota?.resourceVersion ?? null;
      if (request.expectedResourceVersion != null && request.expectedResourceVersion !== version) {
        return { type: 'refuse', error: new ConflictError(version) };
      }
      const decision = decideSetQuota({
        catalogue: state.catalogue,
        stored: state.quota,
        usage: sumUsage(state.allocations).byKind,
        projectUsage: usageByProject(state.allocations),
        requested: request.quotas,
      });
      if (!decision.ok) return { type: 'refuse', error: refusal(decision) };
      return { type: 'commit', value: null, spec: { ...state.quotaSpec, quotas: decision.entries } };
    });
    if (result.type === 'refused') throw result.error;
    if (result.type === 'contended') throw new ConflictError(await admission.currentQuotaVersion(organization));
    return { organization, quota: readQuota(result.quota) };
  });
}

function refusal(decision: Exclude<SetQuotaDecision, { ok: true }>): Error {
  switch (decision.reason) {
    case 'UnknownQuotaKind':
      return new UnknownQuotaKindError(decision.kinds);
    case 'QuotaBelowUsage':
      return new QuotaBelowUsageError(decision.violations);
    case 'QuotaBelowRingFences':
      return new QuotaBelowRingFencesError(decision.violations);
  }
}
