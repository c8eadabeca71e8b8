/**
 * setProjectQuota: ring-fence part of an organization's quota for a project, or cap a project's
 * budget (DESIGN §6). The fences live in the organization's Quota (spec.projects), so a change is a
 * decision of the admission protocol like any other, committed by the Quota's compare-and-swap and
 * checked against every allocation, pending ones included.
 */
import type { Admission, DecisionState, Verdict } from './admission.js';
import { admittedOnly, findProject } from './allocations.js';
import {
  ConflictError,
  ProjectLimitBelowUsageError,
  RingFenceExceedsQuotaError,
  SharedPoolExhaustedError,
  UnknownQuotaKindError,
} from './errors.js';
import { compareStrings, type OrganizationRecord, type ProjectRecord } from './model.js';
import { checkPartition, type Fence, fencesOf, type PartitionViolation, usageByProject } from './partition.js';
import { formatQuantity } from './quantity.js';
import { buildQuotaView } from './quotaView.js';

export interface ProjectQuotaEntry {
  kind: string;
  /** null: no guarantee. An entry with both null removes the kind's fence. */
  guaranteed: bigint | null;
  limit: bigint | null;
}

export interface SetProjectQuotaRequest {
  organizationId: string;
  projectId: string;
  quotas: ProjectQuotaEntry[];
  expectedResourceVersion?: string | null;
}

export async function setProjectQuota(
  admission: Admission,
  request: SetProjectQuotaRequest,
): Promise<{ organization: OrganizationRecord; project: ProjectRecord }> {
  const organization = await admission.organization(request.organizationId);
  const project = await findProject(admission.store, organization, request.projectId);
  return admission.serialize(organization.id, async () => {
    const result = await admission.decide(organization, (state) => fenceVerdict(state, request));
    if (result.type === 'refused') throw result.error;
    if (result.type === 'contended') throw new ConflictError(await admission.currentQuotaVersion(organization));
    return { organization, project };
  });
}

/**
 * Merges the request into spec.projects and refuses it when it would break I1–I3 for a kind it
 * changes. Rules already broken by drift before the change are not held against it.
 */
function fenceVerdict(state: DecisionState, request: SetProjectQuotaRequest): Verdict<null> {
  const version = state.quota?.resourceVersion ?? null;
  if (request.expectedResourceVersion != null && request.expectedResourceVersion !== version) {
    return { type: 'refuse', error: new ConflictError(version) };
  }
  const unknown = request.quotas.map((q) => q.kind).filter((kind) => !state.catalogue.has(kind));
  if (unknown.length > 0) {
    return { type: 'refuse', error: new UnknownQuotaKindError([...new Set(unknown)].sort(compareStrings)) };
  }

  const quantities = new Map(
    buildQuotaView({ ...state, organizationId: state.organization.id, allocations: [] }).items.map((i) => [
      i.kind,
      i.quantity,
    ]),
  );
  const stored = fencesOf(state.quota);
  // Like an allocation: a verdict on what is admitted, contention when only pending changes are in
  // the way (they may yet be rolled back), and drift already in the admitted state never blocks.
  const admitted = usageByProject(admittedOnly(state.allocations));
  const everything = usageByProject(state.allocations);
  const broken: PartitionViolation[] = [];
  let contended = false;
  for (const entry of request.quotas) {
    const current = new Map(stored.get(entry.kind) ?? []);
    const after = new Map(current);
    if (entry.guaranteed === null && entry.limit === null) after.delete(request.projectId);
    else after.set(request.projectId, { guaranteed: entry.guaranteed, limit: entry.limit } satisfies Fence);
    const quantity = quantities.get(entry.kind) ?? 0n;
    const check = (fences: Map<string, Fence>, usage: Map<string, Map<string, bigint>>) =>
      checkPartition(entry.kind, quantity, fences, usage.get(entry.kind) ?? new Map(), request.projectId);
    const already = new Map(check(current, admitted).map((v) => [violationKey(v), excess(v)]));
    const worse = (v: PartitionViolation) => !already.has(violationKey(v)) || excess(v) > already.get(violationKey(v))!;
    broken.push(...check(after, admitted).filter(worse));
    if (check(after, everything).some(worse)) contended = true;
  }
  const error = refusal(broken);
  if (error) return { type: 'refuse', error };
  if (contended) return { type: 'contended' };
  return {
    type: 'commit',
    value: null,
    spec: { ...state.quotaSpec, projects: mergeProjects(state.quotaSpec, request) },
  };
}

const violationKey = (v: PartitionViolation) => `${v.rule}/${v.kind}/${'project' in v ? v.project : ''}`;

/** By how much a rule is broken. */
function excess(v: PartitionViolation): bigint {
  switch (v.rule) {
    case 'I1':
      return v.requested + v.otherFences - v.quantity;
    case 'I2':
      return v.sharedUsed - v.sharedQuantity;
    case 'I3':
      return v.used - v.limit;
  }
}

/** The first rule broken decides the error type (I1, then I3, then I2); it lists every kind that breaks it. */
function refusal(broken: PartitionViolation[]): Error | null {
  const i1 = broken.flatMap((v) => (v.rule === 'I1' ? [v] : []));
  if (i1.length > 0) return new RingFenceExceedsQuotaError(i1.map(({ rule: _, ...numbers }) => numbers));
  const i3 = broken.flatMap((v) => (v.rule === 'I3' ? [v] : []));
  if (i3.length > 0) return new ProjectLimitBelowUsageError(i3.map(({ rule: _, ...numbers }) => numbers));
  const i2 = broken.flatMap((v) => (v.rule === 'I2' ? [v] : []));
  if (i2.length > 0) return new SharedPoolExhaustedError(i2.map(({ rule: _, ...numbers }) => numbers));
  return null;
}

type StoredProject = { project: string; quotas: Record<string, unknown>[] };

/**
 * spec.projects with the request merged in, per kind: listed kinds change, an entry with both null
 * removes the kind, other kinds and other projects are kept verbatim; projects and kinds sorted.
 */
function mergeProjects(spec: Record<string, unknown>, request: SetProjectQuotaRequest): StoredProject[] {
  const stored = (Array.isArray(spec.projects) ? spec.projects : []) as StoredProject[];
  const others = stored.filter((p) => p?.project !== request.projectId);
  const mine = stored.find((p) => p?.project === request.projectId);
  const changed = new Set(request.quotas.map((q) => q.kind));
  const kept = (Array.isArray(mine?.quotas) ? mine.quotas : []).filter((q) => !changed.has(String(q?.kind)));
  const written = request.quotas
    .filter((q) => q.guaranteed !== null || q.limit !== null)
    .map((q) => ({
      kind: q.kind,
      ...(q.guaranteed === null ? {} : { guaranteed: formatQuantity(q.guaranteed) }),
      ...(q.limit === null ? {} : { limit: formatQuantity(q.limit) }),
    }));
  const quotas = [...kept, ...written].sort((a, b) => compareStrings(String(a.kind), String(b.kind)));
  const projects = quotas.length > 0 ? [...others, { project: request.projectId, quotas }] : others;
  return projects.sort((a, b) => compareStrings(a.project, b.project));
}
