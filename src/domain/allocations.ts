/**
 * Allocation writes under the admission protocol (DESIGN §5): write the change first, marked
 * pending; decide through the organization's Quota (admission.ts); then clear the mark, or roll
 * the change back. Decreases need no decision. Every refusal leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { API_VERSION, isStoreError, type ObjectStore, type StoredObject } from '../store/types.js';
import { type Admission, type DecisionState, tooMuchContention, type Verdict } from './admission.js';
import { buildCatalogue } from './catalogue.js';
import {
  ConflictError,
  DuplicateAllocationError,
  NotFoundError,
  QuotaExceededError,
  type QuotaExceededViolation,
  UnknownQuotaKindError,
} from './errors.js';
import {
  ADMISSION_PENDING,
  ANNOTATION_PENDING_SINCE,
  ANNOTATION_PREVIOUS_SPEC,
  LABEL_ADMISSION,
  LABEL_ORGANIZATION,
  LABEL_PROJECT,
  LABEL_RESOURCE_ID,
  LABEL_RESOURCE_KIND,
} from './labels.js';
import {
  type AllocationRecord,
  compareStrings,
  type OrganizationRecord,
  type ProjectRecord,
  readAllocation,
  readProject,
} from './model.js';
import { effectiveLimit, type Fence, fencesOf, overflow, partition, usageByProject } from './partition.js';
import { formatQuantity } from './quantity.js';
import { buildQuotaView, sumUsage, type Usage } from './quotaView.js';

export interface AllocationItemInput {
  kind: string;
  committed: bigint;
  reserved: bigint;
}

export interface CreateAllocationRequest {
  organizationId: string;
  projectId: string;
  resourceKind: string;
  resourceId: string;
  items: AllocationItemInput[];
}

export interface UpdateAllocationRequest {
  organizationId: string;
  projectId: string;
  id: string;
  items: AllocationItemInput[];
  expectedResourceVersion?: string | null;
}

export interface DeleteAllocationRequest {
  organizationId: string;
  projectId: string;
  id: string;
}

/** Where an allocation lives: the subject of a decision. */
export interface AllocationRef {
  namespace: string;
  id: string;
}

export async function createAllocation(
  admission: Admission,
  request: CreateAllocationRequest,
): Promise<AllocationRecord> {
  const organization = await admission.organization(request.organizationId);
  const project = await findProject(admission.store, organization, request.projectId);
  await requireCatalogued(admission, request.items);
  const ref = { namespace: project.namespace!, id: allocationName(request.resourceKind, request.resourceId) };
  const spec = { allocations: formatItems(request.items) };

  return admission.serialize(organization.id, async () => {
    for (let attempt = 1; attempt <= admission.maxAttempts; attempt++) {
      const written = await writePendingCreate(admission, organization, project, request, ref, spec);
      if (!written.pending) return written.existing;
      const outcome = await decideAndSettle(admission, organization, ref, written.object, attempt);
      if (outcome) return outcome;
      await admission.backoff(attempt);
    }
    throw new ConflictError(null, tooMuchContention(organization.id));
  });
}

export async function updateAllocation(
  admission: Admission,
  request: UpdateAllocationRequest,
): Promise<AllocationRecord> {
  const organization = await admission.organization(request.organizationId);
  const project = await findProject(admission.store, organization, request.projectId);
  await requireCatalogued(admission, request.items);
  const ref = { namespace: project.namespace!, id: request.id };
  const items = formatItems(request.items);

  return admission.serialize(organization.id, async () => {
    for (let attempt = 1; attempt <= admission.maxAttempts; attempt++) {
      const current = await getAllocation(admission.store, organization, project, ref);
      const record = readAllocation(current);
      // Only the first read answers to the caller's version: later attempts follow our own rollbacks.
      const expected = attempt === 1 ? request.expectedResourceVersion : null;
      if (expected != null && expected !== record.resourceVersion) {
        throw new ConflictError(record.resourceVersion, staleAllocation(ref, record.resourceVersion));
      }
      if (record.pending) throw new ConflictError(record.resourceVersion, inFlight(ref));

      // Lowering usage can never break the invariant: write it directly, no decision needed.
      if (!increases(record.items, items)) {
        const written = await casOrConflict(
          admission.store,
          { ...current, spec: { ...current.spec, allocations: items } },
          ref,
        );
        if (written) return readAllocation(written);
        if (request.expectedResourceVersion != null) throw await conflictNow(admission.store, ref);
        continue;
      }

      // An increase that admitted usage already rules out is refused before anything is written:
      // the pending mark and its rollback would leave the items as they were but move the
      // resourceVersion, and the caller's next expectedResourceVersion would then be a conflict.
      const marked = markPending(current, admission.now(), items);
      const asPending = readAllocation(marked);
      const early = await admission.preview(organization, (state) =>
        allocationVerdict(
          { ...state, allocations: state.allocations.map((a) => (sameRef(a, ref) ? asPending : a)) },
          ref,
        ),
      );
      if (early.type === 'refuse' && early.error instanceof QuotaExceededError) throw early.error;
      await admission.step('previewed', { organizationId: organization.id, attempt });

      const pending = await casOrConflict(admission.store, marked, ref);
      if (!pending) {
        if (request.expectedResourceVersion != null) throw await conflictNow(admission.store, ref);
        continue;
      }
      const outcome = await decideAndSettle(admission, organization, ref, pending, attempt);
      if (outcome) return outcome;
      await admission.backoff(attempt);
    }
    throw new ConflictError(null, tooMuchContention(organization.id));
  });
}

/** Deleting only lowers usage, so it needs no decision. Returns the deleted allocation's id. */
export async function deleteAllocation(admission: Admission, request: DeleteAllocationRequest): Promise<string> {
  const organization = await admission.organization(request.organizationId);
  const project = await findProject(admission.store, organization, request.projectId);
  const ref = { namespace: project.namespace!, id: request.id };
  const current = await getAllocation(admission.store, organization, project, ref);
  const record = readAllocation(current);
  if (record.pending) throw new ConflictError(record.resourceVersion, inFlight(ref));
  try {
    await admission.store.delete('Allocation', ref.namespace, ref.id, { resourceVersion: record.resourceVersion });
  } catch (error) {
    if (isStoreError(error, 'NotFound')) throw allocationNotFound(ref.id);
    if (isStoreError(error, 'Conflict')) throw await conflictNow(admission.store, ref);
    throw error;
  }
  return ref.id;
}

/**
 * Steps 2–5 for a pending allocation: decide, then clear the mark (admitted) or roll back.
 * Returns the settled allocation, or null after contention (the caller backs off and retries);
 * throws the refusal. Whatever fails, a pending change is rolled back or left for the janitor.
 */
async function decideAndSettle(
  admission: Admission,
  organization: OrganizationRecord,
  ref: AllocationRef,
  pending: StoredObject,
  attempt: number,
): Promise<AllocationRecord | null> {
  const info = { organizationId: organization.id, attempt };
  await admission.step('pending-written', info);
  let result: Awaited<ReturnType<typeof admission.decide<AllocationRecord>>>;
  try {
    result = await admission.decide(organization, (state) => allocationVerdict(state, ref), attempt);
  } catch (error) {
    // Left pending, the allocation would over-count until the janitor removes it: undo it now.
    await rollBack(admission.store, ref).catch(() => {});
    throw error;
  }
  if (result.type === 'committed') {
    const settled = await settle(admission.store, ref, pending);
    await admission.step('settled', info);
    return settled;
  }
  const kept = await rollBack(admission.store, ref);
  await admission.step('rolled-back', info);
  if (kept) return kept; // the janitor admitted it meanwhile
  if (result.type === 'refused') throw result.error;
  return null;
}

/**
 * Whether the allocation `ref` may stand, given everything listed. A verdict only when the
 * admitted usage alone leaves no room; when other writers' pending changes are what is in the
 * way, it is contention (they may yet be rolled back). Pending changes always count.
 */
export function allocationVerdict(state: DecisionState, ref: AllocationRef): Verdict<AllocationRecord> {
  const self = state.allocations.find((a) => sameRef(a, ref));
  if (!self)
    return {
      type: 'refuse',
      error: new ConflictError(null, `allocation "${ref.id}" was removed while it was being decided`),
    };

  // One allocation per resource in an organization. An admitted rival is a verdict; an older
  // pending create may still be rolled back, so it is contention (the younger waits, the older wins).
  const rivals = state.allocations.filter(
    (a) => a !== self && a.resourceKind === self.resourceKind && a.resourceId === self.resourceId,
  );
  // A pending *update* holds the resource whatever its decision: it existed, admitted, before it.
  const holder = rivals.find((a) => !a.pending || a.previousItems !== null);
  if (holder) {
    return { type: 'refuse', error: new DuplicateAllocationError(self.resourceKind, self.resourceId, holder.id) };
  }
  if (rivals.some((a) => precedes(a, self))) return { type: 'contended' };

  const unknown = self.items.map((i) => i.kind).filter((kind) => !state.catalogue.has(kind));
  if (unknown.length > 0)
    return { type: 'refuse', error: new UnknownQuotaKindError([...new Set(unknown)].sort(compareStrings)) };

  const quantities = new Map(
    buildQuotaView({
      organizationId: state.organization.id,
      catalogue: state.catalogue,
      quota: state.quota,
      allocations: [],
    }).items.map((item) => [item.kind, item.quantity]),
  );
  // Everything that may stand, with the subject as it would be if admitted.
  const everything = state.allocations.map((a) => (a === self ? { ...a, previousItems: null } : a));
  // What stands if every other pending change is rolled back: their previous items, or nothing.
  const admitted = admittedOnly(state.allocations, self);
  const own = sumUsage([{ ...self, previousItems: null }]).byKind;
  const before = sumUsage([{ ...self, items: self.previousItems ?? [], previousItems: null }]).byKind;
  // Only increases are checked: lowering usage can never break a rule.
  const increased = [...own.keys()].filter((kind) => used(own, kind) > used(before, kind)).sort(compareStrings);
  const fences = fencesOf(state.quota);

  const exceeded = (allocations: AllocationRecord[]): QuotaExceededViolation[] => {
    const total = sumUsage(allocations).byKind;
    const perProject = usageByProject(allocations);
    return increased.flatMap((kind) =>
      kindViolations(kind, quantities.get(kind) ?? 0n, used(own, kind), used(total, kind), self.projectId, {
        fences: fences.get(kind),
        usage: perProject.get(kind) ?? new Map(),
      }),
    );
  };

  const violations = exceeded(admitted);
  if (violations.length > 0) return { type: 'refuse', error: new QuotaExceededError(violations) };
  if (exceeded(everything).length > 0) return { type: 'contended' };
  return { type: 'commit', value: self };
}

/**
 * The rules one increased kind breaks (DESIGN §6). Without ring-fences the organization's quota is
 * the only bound. With them, a project at or under its guarantee is always admitted (I4); beyond
 * it, its limit (I3) and the shared pool (I2) must hold.
 */
function kindViolations(
  kind: string,
  quantity: bigint,
  requested: bigint,
  total: bigint,
  project: string,
  partitioned: { fences: Map<string, Fence> | undefined; usage: Map<string, bigint> },
): QuotaExceededViolation[] {
  const { fences, usage } = partitioned;
  const organizationWide = (): QuotaExceededViolation[] =>
    total <= quantity
      ? []
      : [{ kind, scope: 'ORGANIZATION', project: null, requested, used: total - requested, quantity }];
  if (!fences || fences.size === 0) return organizationWide();

  const mine = usage.get(project) ?? 0n;
  const fence = fences.get(project);
  const limit = effectiveLimit(fence);
  const violations: QuotaExceededViolation[] = [];
  if (limit !== null && mine > limit) {
    violations.push({ kind, scope: 'PROJECT_LIMIT', project, requested, used: mine - requested, quantity: limit });
  }
  const pool = partition(quantity, fences, usage);
  if (pool.ringFenced > quantity) {
    // Overbooked fences (drift: I1 broken in the store) cannot all be honoured: no guarantee holds
    // beyond the quantity, so only the organization's quota bounds the change.
    return [...violations, ...organizationWide()];
  }
  // I4: within its guarantee a project is always admitted (the guarantee is reserved for it).
  if (fence?.guaranteed != null && mine <= fence.guaranteed) return violations;
  if (pool.sharedUsed > pool.sharedQuantity) {
    // The pool without this change: what the others, and this project before it, draw on it.
    const others = pool.sharedUsed - overflow(mine, fence) + overflow(mine - requested, fence);
    // With limits only (nothing ring-fenced) the shared pool is the organization's whole quota.
    const scope = pool.ringFenced === 0n ? 'ORGANIZATION' : 'SHARED_POOL';
    violations.push({
      kind,
      scope,
      project: scope === 'ORGANIZATION' ? null : project,
      requested,
      used: scope === 'ORGANIZATION' ? total - requested : others,
      quantity: pool.sharedQuantity,
    });
  }
  return violations;
}

/**
 * The allocations as they stand if every pending change is rolled back (their previous items, or
 * nothing), except `subject`, counted as it would be if admitted.
 */
export function admittedOnly(allocations: AllocationRecord[], subject?: AllocationRecord): AllocationRecord[] {
  return allocations.map((a) =>
    a === subject
      ? { ...a, previousItems: null }
      : a.pending
        ? { ...a, items: a.previousItems ?? [], previousItems: null }
        : a,
  );
}

/** Clears the pending mark: the change is admitted. */
export async function settle(store: ObjectStore, ref: AllocationRef, pending: StoredObject): Promise<AllocationRecord> {
  let current = pending;
  for (;;) {
    const written = await casOrConflict(store, clearMarks(current), ref);
    if (written) return readAllocation(written);
    current = await getOrConflict(store, ref);
    const now = readAllocation(current);
    if (!now.pending) {
      // Someone else (the janitor) decided it in between: settled as written, or rolled back.
      if (sameItems(now.items, readAllocation(pending).items)) return now;
      throw new ConflictError(now.resourceVersion, `allocation "${ref.id}" was rolled back while it was being settled`);
    }
  }
}

/**
 * Undoes a pending change: deletes a pending create, restores a pending update's previous spec.
 * Returns the allocation when it turns out to be settled already (the janitor admitted it).
 */
export async function rollBack(store: ObjectStore, ref: AllocationRef): Promise<AllocationRecord | null> {
  for (;;) {
    let current: StoredObject;
    try {
      current = await store.get('Allocation', ref.namespace, ref.id);
    } catch (error) {
      if (isStoreError(error, 'NotFound')) return null;
      throw error;
    }
    const record = readAllocation(current);
    if (!record.pending) return record;
    const previous = current.metadata.annotations?.[ANNOTATION_PREVIOUS_SPEC];
    try {
      if (previous === undefined) {
        await store.delete('Allocation', ref.namespace, ref.id, { resourceVersion: record.resourceVersion });
      } else {
        await store.update({ ...clearMarks(current), spec: JSON.parse(previous) as Record<string, unknown> });
      }
      return null;
    } catch (error) {
      if (!isStoreError(error, 'Conflict') && !isStoreError(error, 'NotFound')) throw error;
    }
  }
}

/** Marks an existing allocation as a pending update to `items`, saving the spec it replaces. */
function markPending(current: StoredObject, now: Date, items: ReturnType<typeof formatItems>): StoredObject {
  return {
    ...current,
    metadata: {
      ...current.metadata,
      labels: { ...current.metadata.labels, [LABEL_ADMISSION]: ADMISSION_PENDING },
      annotations: {
        ...current.metadata.annotations,
        [ANNOTATION_PENDING_SINCE]: now.toISOString(),
        [ANNOTATION_PREVIOUS_SPEC]: JSON.stringify(current.spec ?? {}),
      },
    },
    spec: { ...current.spec, allocations: items },
  };
}

/** The object without the admission marks (label and annotations): what a settled allocation looks like. */
export function clearMarks(object: StoredObject): StoredObject {
  const { [LABEL_ADMISSION]: _label, ...labels } = object.metadata.labels ?? {};
  const {
    [ANNOTATION_PENDING_SINCE]: _since,
    [ANNOTATION_PREVIOUS_SPEC]: _previous,
    ...annotations
  } = object.metadata.annotations ?? {};
  return { ...object, metadata: { ...object.metadata, labels, annotations } };
}

type PendingWrite = { pending: true; object: StoredObject } | { pending: false; existing: AllocationRecord };

async function writePendingCreate(
  admission: Admission,
  organization: OrganizationRecord,
  project: ProjectRecord,
  request: CreateAllocationRequest,
  ref: AllocationRef,
  spec: { allocations: ReturnType<typeof formatItems> },
): Promise<PendingWrite> {
  const object = allocationObject(organization, project, request, ref, spec, {
    [LABEL_ADMISSION]: ADMISSION_PENDING,
  });
  object.metadata.annotations = { [ANNOTATION_PENDING_SINCE]: admission.now().toISOString() };
  // A few rounds: the name can be taken by another writer's pending create that is rolled back
  // before we read it, which frees the name again.
  for (let round = 0; round < 3; round++) {
    try {
      return { pending: true, object: await admission.store.create(object) };
    } catch (error) {
      if (!isStoreError(error, 'AlreadyExists')) throw error;
    }
    let taken: AllocationRecord;
    try {
      taken = readAllocation(await admission.store.get('Allocation', ref.namespace, ref.id));
    } catch (error) {
      if (isStoreError(error, 'NotFound')) continue;
      throw error;
    }
    // The name is derived from the resource, so it exists because this resource was allocated
    // here before: the same request again (a client retrying a lost answer) is answered with it.
    if (taken.pending) throw new ConflictError(taken.resourceVersion, inFlight(ref));
    if (sameItems(taken.items, spec.allocations)) return { pending: false, existing: taken };
    throw new DuplicateAllocationError(request.resourceKind, request.resourceId, taken.id);
  }
  throw new ConflictError(null, `allocation "${ref.id}" changed concurrently; retry`);
}

/** A new Allocation object for `request` at `ref`, with the labels unikorn and the gateway select on. */
export function allocationObject(
  organization: OrganizationRecord,
  project: ProjectRecord,
  request: Pick<CreateAllocationRequest, 'resourceKind' | 'resourceId'>,
  ref: AllocationRef,
  spec: { allocations: ReturnType<typeof formatItems> },
  extraLabels: Record<string, string> = {},
): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Allocation',
    metadata: {
      name: ref.id,
      namespace: ref.namespace,
      labels: {
        [LABEL_ORGANIZATION]: organization.id,
        [LABEL_PROJECT]: project.id,
        [LABEL_RESOURCE_KIND]: request.resourceKind,
        [LABEL_RESOURCE_ID]: request.resourceId,
        ...extraLabels,
      },
    },
    spec,
  };
}

/** The organization's project, or NotFoundError; it must carry the organization's label and have a namespace. */
export async function findProject(
  store: ObjectStore,
  organization: OrganizationRecord,
  projectId: string,
): Promise<ProjectRecord> {
  const missing = new NotFoundError(projectId, `project "${projectId}" not found in organization "${organization.id}"`);
  if (organization.namespace === null) throw missing;
  let project: ProjectRecord;
  try {
    project = readProject(await store.get('Project', organization.namespace, projectId));
  } catch (error) {
    if (isStoreError(error, 'NotFound')) throw missing;
    throw error;
  }
  if (project.organizationId !== organization.id || project.namespace === null) throw missing;
  return project;
}

/** The allocation at `ref`, or NotFoundError when it is missing or claims another organization or project. */
export async function getAllocation(
  store: ObjectStore,
  organization: OrganizationRecord,
  project: ProjectRecord,
  ref: AllocationRef,
): Promise<StoredObject> {
  let object: StoredObject;
  try {
    object = await store.get('Allocation', ref.namespace, ref.id);
  } catch (error) {
    if (isStoreError(error, 'NotFound')) throw allocationNotFound(ref.id);
    throw error;
  }
  const record = readAllocation(object);
  // Labels are claims: the allocation must say it belongs where the caller says it is.
  if (record.organizationId !== organization.id || record.projectId !== project.id) throw allocationNotFound(ref.id);
  return object;
}

async function requireCatalogued(admission: Admission, items: AllocationItemInput[]): Promise<void> {
  const metadata = await admission.store.list('QuotaMetadata', { namespace: admission.identityNamespace });
  const catalogue = buildCatalogue(metadata.items);
  const unknown = [...new Set(items.map((i) => i.kind).filter((kind) => !catalogue.has(kind)))].sort(compareStrings);
  if (unknown.length > 0) throw new UnknownQuotaKindError(unknown);
}

/** Null when the compare-and-swap lost. */
async function casOrConflict(
  store: ObjectStore,
  object: StoredObject,
  ref: AllocationRef,
): Promise<StoredObject | null> {
  try {
    return await store.update(object);
  } catch (error) {
    if (isStoreError(error, 'Conflict')) return null;
    if (isStoreError(error, 'NotFound')) throw allocationNotFound(ref.id);
    throw error;
  }
}

/**
 * The allocation now. Gone between two of our own calls means someone else's change (a rollback)
 * won the race: that is a conflict to retry, not a missing allocation.
 */
async function getOrConflict(store: ObjectStore, ref: AllocationRef): Promise<StoredObject> {
  try {
    return await store.get('Allocation', ref.namespace, ref.id);
  } catch (error) {
    if (isStoreError(error, 'NotFound'))
      throw new ConflictError(null, `allocation "${ref.id}" changed concurrently; retry`);
    throw error;
  }
}

async function conflictNow(store: ObjectStore, ref: AllocationRef): Promise<ConflictError> {
  try {
    const version = (await store.get('Allocation', ref.namespace, ref.id)).metadata.resourceVersion ?? null;
    return new ConflictError(version, staleAllocation(ref, version));
  } catch (error) {
    if (isStoreError(error, 'NotFound'))
      return new ConflictError(null, `allocation "${ref.id}" was deleted concurrently`);
    throw error;
  }
}

const sameRef = (allocation: AllocationRecord, ref: AllocationRef) =>
  allocation.namespace === ref.namespace && allocation.id === ref.id;

/**
 * Allocations are unique per organization by (resource kind, resource id), so the name is derived
 * from them: a retried create lands on the same object instead of allocating twice.
 */
export function allocationName(resourceKind: string, resourceId: string): string {
  const digest = createHash('sha256').update(`${resourceKind}\n${resourceId}`).digest('hex').slice(0, 16);
  const slug = resourceKind
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'resource'}-${digest}`;
}

/** Items as stored: sorted by kind, quantities as plain decimal text. */
export function formatItems(items: AllocationItemInput[]) {
  return [...items]
    .sort((a, b) => compareStrings(a.kind, b.kind))
    .map((i) => ({ kind: i.kind, committed: formatQuantity(i.committed), reserved: formatQuantity(i.reserved) }));
}

/** Whether any kind's committed + reserved grows from `before` to `after`. */
function increases(before: AllocationRecord['items'], after: AllocationRecord['items']): boolean {
  const usage = (items: AllocationRecord['items']) => sumUsage([asAllocation(items)]).byKind;
  const old = usage(before);
  const next = usage(after);
  return [...next.keys()].some((kind) => used(next, kind) > used(old, kind));
}

function sameItems(a: AllocationRecord['items'], b: AllocationRecord['items']): boolean {
  const usage = (items: AllocationRecord['items']) => sumUsage([asAllocation(items)]).byKind;
  const left = usage(a);
  const right = usage(b);
  const kinds = new Set([...left.keys(), ...right.keys()]);
  return [...kinds].every(
    (k) => left.get(k)?.committed === right.get(k)?.committed && left.get(k)?.reserved === right.get(k)?.reserved,
  );
}

function asAllocation(items: AllocationRecord['items']): AllocationRecord {
  return {
    id: '',
    organizationId: '',
    projectId: '',
    namespace: '',
    resourceKind: '',
    resourceId: '',
    resourceVersion: '',
    creationTimestamp: '',
    items,
    pending: false,
    pendingSince: null,
    previousItems: null,
  };
}

const used = (usage: Map<string, Usage>, kind: string): bigint =>
  (usage.get(kind)?.committed ?? 0n) + (usage.get(kind)?.reserved ?? 0n);

/** A fixed order among pending rivals for one resource, the same in every replica: the older wins. */
function precedes(a: AllocationRecord, b: AllocationRecord): boolean {
  const key = (x: AllocationRecord) => `${x.creationTimestamp}\n${x.namespace}\n${x.id}`;
  return key(a) < key(b);
}

export const allocationNotFound = (id: string) => new NotFoundError(id, `allocation "${id}" not found`);
const inFlight = (ref: AllocationRef) => `another change to allocation "${ref.id}" is being decided; retry`;
export const staleAllocation = (ref: AllocationRef, version: string | null) =>
  `allocation "${ref.id}" changed concurrently; its current resourceVersion is ${version ?? 'none'}`;
