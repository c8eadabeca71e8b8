import type { ObjectStore, StoredObject } from '../store/types.js';
import { API_VERSION, isStoreError } from '../store/types.js';
import { buildCatalogue } from './catalogue.js';
import { ConflictError, NotFoundError, QuotaBelowUsageError, UnknownQuotaKindError } from './errors.js';
import { LABEL_ORGANIZATION } from './labels.js';
import { type OrganizationRecord, type QuotaRecord, readAllocation, readOrganization, readQuota } from './model.js';
import { pickQuota } from './ownership.js';
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

/** Name of the Quota object the gateway creates when an organization has none (unikorn uses one per org). */
export const QUOTA_OBJECT_NAME = 'quota';

/** Re-decisions after losing a compare-and-swap to a concurrent writer, before answering ConflictError. */
const MAX_ATTEMPTS = 5;

/**
 * Merges `quotas` into the organization's Quota under the capacity invariant (DESIGN §5).
 * Reads are fresh (never a request cache) and the write is a compare-and-swap on the version that
 * was checked, so a decision is never based on data another writer has already changed.
 * Throws NotFoundError, UnknownQuotaKindError, QuotaBelowUsageError or ConflictError; on any of
 * them nothing was written.
 */
export async function setQuota(
  store: ObjectStore,
  identityNamespace: string,
  request: SetQuotaRequest,
): Promise<SetQuotaOutcome> {
  const organization = await getOrganization(store, identityNamespace, request.organizationId);
  const orgNamespace = organization.namespace;
  if (orgNamespace === null) {
    throw new NotFoundError(
      organization.id,
      `organization "${organization.id}" has no namespace yet (not provisioned)`,
    );
  }

  for (let attempt = 1; ; attempt++) {
    const [metadata, quotas, allocations] = await Promise.all([
      store.list('QuotaMetadata', { namespace: identityNamespace }),
      store.list('Quota', { namespace: orgNamespace, labelSelector: `${LABEL_ORGANIZATION}=${organization.id}` }),
      store.list('Allocation', { labelSelector: `${LABEL_ORGANIZATION}=${organization.id}` }),
    ]);
    const stored = pickQuota(orgNamespace, quotas.items);
    const storedVersion = stored?.metadata.resourceVersion ?? null;
    if (request.expectedResourceVersion != null && request.expectedResourceVersion !== storedVersion) {
      throw new ConflictError(storedVersion);
    }

    const decision = decideSetQuota({
      catalogue: buildCatalogue(metadata.items),
      stored: stored ? readQuota(stored) : null,
      usage: sumUsage(allocations.items.map(readAllocation)).byKind,
      requested: request.quotas,
    });
    if (!decision.ok) {
      if (decision.reason === 'UnknownQuotaKind') throw new UnknownQuotaKindError(decision.kinds);
      throw new QuotaBelowUsageError(decision.violations);
    }

    try {
      const written = stored
        ? await store.update({ ...stored, spec: { ...stored.spec, quotas: decision.entries } })
        : await store.create(newQuotaObject(organization.id, orgNamespace, decision.entries));
      return { organization, quota: readQuota(written) };
    } catch (error) {
      // Someone else wrote the Quota between our read and our write: the check is void.
      if (!isStoreError(error, 'Conflict') && !isStoreError(error, 'AlreadyExists')) throw error;
      if (request.expectedResourceVersion != null || attempt >= MAX_ATTEMPTS) {
        throw new ConflictError(await currentQuotaVersion(store, organization));
      }
    }
  }
}

async function getOrganization(store: ObjectStore, namespace: string, id: string): Promise<OrganizationRecord> {
  try {
    return readOrganization(await store.get('Organization', namespace, id));
  } catch (error) {
    if (isStoreError(error, 'NotFound')) throw new NotFoundError(id);
    throw error;
  }
}

async function currentQuotaVersion(store: ObjectStore, organization: OrganizationRecord): Promise<string | null> {
  const quotas = await store.list('Quota', {
    namespace: organization.namespace ?? undefined,
    labelSelector: `${LABEL_ORGANIZATION}=${organization.id}`,
  });
  return pickQuota(organization.namespace, quotas.items)?.metadata.resourceVersion ?? null;
}

function newQuotaObject(organizationId: string, namespace: string, entries: unknown[]): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Quota',
    metadata: { name: QUOTA_OBJECT_NAME, namespace, labels: { [LABEL_ORGANIZATION]: organizationId } },
    spec: { quotas: entries },
  };
}
