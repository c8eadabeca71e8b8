import type { Admission } from './admission.js';
import { ConflictError, QuotaBelowUsageError, UnknownQuotaKindError } from './errors.js';
import { type OrganizationRecord, type QuotaRecord, readQuota } from './model.js';
import { decideSetQuota, type QuotaEntry } from './quotaRules.js';
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
        requested: request.quotas,
      });
      if (!decision.ok) {
        const error =
          decision.reason === 'UnknownQuotaKind'
            ? new UnknownQuotaKindError(decision.kinds)
            : new QuotaBelowUsageError(decision.violations);
        return { type: 'refuse', error };
      }
      return { type: 'commit', value: null, spec: { ...state.quotaSpec, quotas: decision.entries } };
    });
    if (result.type === 'refused') throw result.error;
    if (result.type === 'contended') throw new ConflictError(await admission.currentQuotaVersion(organization));
    return { organization, quota: readQuota(result.quota) };
  });
}
