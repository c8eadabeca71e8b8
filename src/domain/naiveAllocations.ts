/**
 * ⚠️  NOT SAFE — NEVER USE IN PRODUCTION. ⚠️
 *
 * The ORIGINAL system's allocation writes, kept only to demonstrate what the admission protocol
 * (DESIGN §5, admission.ts, allocations.ts) prevents: the interleaving tests and the stress
 * benchmark run it side by side with {@link protocolWrites} and show it oversubscribing quotas.
 *
 * It is plain check-then-write with no concurrency control at all: read the catalogue, the Quota
 * and the organization's allocations, check that the usage plus the new items fit, then write the
 * Allocation directly. No pending mark, no compare-and-swap on the Quota, no per-organization
 * queue. Two writers that check before either writes both pass the check, and both write: the
 * quota is exceeded. So is a quota lowered between the check and the write.
 *
 * The capacity rule itself is the protocol's ({@link allocationVerdict}): the only difference is
 * the missing concurrency control, which is exactly what the demonstration is about. The original
 * system had no pending marks, so everything stored counts as admitted usage.
 *
 * It reports the same hook steps where they mean something ('listed' after its reads,
 * 'committed' after its write), so the same harness can pause it between its check and its write.
 */
import { isStoreError, type StoredObject } from '../store/types.js';
import type { Admission, DecisionState } from './admission.js';
import {
  type AllocationItemInput,
  type AllocationRef,
  allocationName,
  allocationNotFound,
  allocationObject,
  allocationVerdict,
  type CreateAllocationRequest,
  type DeleteAllocationRequest,
  findProject,
  formatItems,
  getAllocation,
  staleAllocation,
  type UpdateAllocationRequest,
} from './allocations.js';
import type { AllocationWrites } from './allocationWrites.js';
import { buildCatalogue } from './catalogue.js';
import { ConflictError, DuplicateAllocationError, UnknownQuotaKindError } from './errors.js';
import { LABEL_ORGANIZATION } from './labels.js';
import { type AllocationRecord, compareStrings, type OrganizationRecord, readAllocation, readQuota } from './model.js';
import { pickQuota } from './ownership.js';

/** UNSAFE under concurrency, on purpose: see the header. Only for tests and the stress benchmark. */
export const naiveWrites: AllocationWrites = {
  name: 'naive',

  async create(admission: Admission, request: CreateAllocationRequest): Promise<AllocationRecord> {
    const organization = await admission.organization(request.organizationId);
    const project = await findProject(admission.store, organization, request.projectId);
    const ref = { namespace: project.namespace!, id: allocationName(request.resourceKind, request.resourceId) };
    const items = formatItems(request.items);

    // Check…
    const state = await readState(admission, organization);
    requireCatalogued(state, request.items);
    const subject: AllocationRecord = {
      id: ref.id,
      organizationId: organization.id,
      projectId: project.id,
      namespace: ref.namespace,
      resourceKind: request.resourceKind,
      resourceId: request.resourceId,
      resourceVersion: '',
      creationTimestamp: '',
      items,
      pending: false,
      pendingSince: null,
      previousItems: null,
    };
    // The subject first, so that an allocation already stored under its name is its rival.
    check({ ...state, allocations: [subject, ...state.allocations] }, ref);

    // …then write, whatever happened in between.
    let created: StoredObject;
    try {
      created = await admission.store.create(
        allocationObject(organization, project, request, ref, { allocations: items }),
      );
    } catch (error) {
      if (isStoreError(error, 'AlreadyExists'))
        throw new DuplicateAllocationError(request.resourceKind, request.resourceId, ref.id);
      throw error;
    }
    await admission.step('committed', { organizationId: organization.id, attempt: 1 });
    return readAllocation(created);
  },

  async update(admission: Admission, request: UpdateAllocationRequest): Promise<AllocationRecord> {
    const organization = await admission.organization(request.organizationId);
    const project = await findProject(admission.store, organization, request.projectId);
    const ref = { namespace: project.namespace!, id: request.id };
    const items = formatItems(request.items);
    const current = await getAllocation(admission.store, organization, project, ref);
    const record = readAllocation(current);
    if (request.expectedResourceVersion != null && request.expectedResourceVersion !== record.resourceVersion) {
      throw new ConflictError(record.resourceVersion, staleAllocation(ref, record.resourceVersion));
    }

    // Check…
    const state = await readState(admission, organization);
    requireCatalogued(state, request.items);
    // The old items as `previousItems` tell the rule which kinds increase; the new items count.
    const subject: AllocationRecord = {
      ...record,
      pending: false,
      pendingSince: null,
      items,
      previousItems: record.items,
    };
    // Duplicates are a create's question; an update of an allocation the naive writer already let
    // be duplicated is still just a capacity check (its result type has no duplicate error).
    const others = state.allocations
      .filter((a) => a.namespace !== ref.namespace || a.id !== ref.id)
      .map((a) => (a.resourceId === record.resourceId ? { ...a, resourceId: `${a.resourceId} (duplicate)` } : a));
    check({ ...state, allocations: [subject, ...others] }, ref);

    // …then write, whatever happened in between. (The store's own compare-and-swap on this one
    // object is all there is: it guards this allocation, not the organization's total.)
    let written: StoredObject;
    try {
      written = await admission.store.update({ ...current, spec: { ...current.spec, allocations: items } });
    } catch (error) {
      if (isStoreError(error, 'NotFound')) throw allocationNotFound(ref.id);
      if (isStoreError(error, 'Conflict')) throw new ConflictError(null, staleAllocation(ref, null));
      throw error;
    }
    await admission.step('committed', { organizationId: organization.id, attempt: 1 });
    return readAllocation(written);
  },

  async delete(admission: Admission, request: DeleteAllocationRequest): Promise<string> {
    const organization = await admission.organization(request.organizationId);
    const project = await findProject(admission.store, organization, request.projectId);
    const ref = { namespace: project.namespace!, id: request.id };
    const record = readAllocation(await getAllocation(admission.store, organization, project, ref));
    try {
      await admission.store.delete('Allocation', ref.namespace, ref.id, { resourceVersion: record.resourceVersion });
    } catch (error) {
      if (isStoreError(error, 'NotFound')) throw allocationNotFound(ref.id);
      if (isStoreError(error, 'Conflict')) throw new ConflictError(null, staleAllocation(ref, null));
      throw error;
    }
    return ref.id;
  },
};

/** The catalogue, the Quota and the organization's allocations, read once: the check's snapshot. */
async function readState(admission: Admission, organization: OrganizationRecord): Promise<DecisionState> {
  const namespace = organization.namespace!;
  const [metadata, quotas, allocations] = await Promise.all([
    admission.store.list('QuotaMetadata', { namespace: admission.identityNamespace }),
    admission.store.list('Quota', { namespace, labelSelector: `${LABEL_ORGANIZATION}=${organization.id}` }),
    admission.store.list('Allocation', { labelSelector: `${LABEL_ORGANIZATION}=${organization.id}` }),
  ]);
  await admission.step('listed', { organizationId: organization.id, attempt: 1 });
  const quotaObject = pickQuota(namespace, quotas.items);
  return {
    organization,
    quota: quotaObject ? readQuota(quotaObject) : null,
    quotaSpec: quotaObject?.spec ?? {},
    catalogue: buildCatalogue(metadata.items),
    // No pending marks in the original system: whatever is stored is simply usage.
    allocations: allocations.items.map(readAllocation).map((a) => ({ ...a, pending: false })),
  };
}

function requireCatalogued(state: DecisionState, items: AllocationItemInput[]): void {
  const unknown = [...new Set(items.map((i) => i.kind).filter((kind) => !state.catalogue.has(kind)))];
  if (unknown.length > 0) throw new UnknownQuotaKindError(unknown.sort(compareStrings));
}

/**
 * The protocol's rule on a snapshot: throws the refusal. 'contended' passes: nothing in the
 * snapshot is pending, so it can only mean that the subject fits beside everything admitted and
 * its own old items (counted as a pending update's are) are what is in the way; the original
 * check, usage + the new items ≤ quantity, passes.
 */
function check(state: DecisionState, ref: AllocationRef): void {
  const verdict = allocationVerdict(state, ref);
  if (verdict.type === 'refuse') throw verdict.error;
}
