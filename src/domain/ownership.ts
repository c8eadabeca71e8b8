import type { StoredObject } from '../store/types.js';
import { type AllocationRecord, compareStrings, type ProjectRecord } from './model.js';

/**
 * Which stored objects really belong to an organization. Labels are only a claim: a Quota or
 * Project counts for an organization only inside the organization's own namespace
 * (status.namespace), exactly where unikorn puts them.
 */

/** The organization's Quota: DESIGN §1 allows at most one; if there are more, the first by name wins. */
export function pickQuota(orgNamespace: string | null, quotas: StoredObject[]): StoredObject | null {
  return inNamespace(orgNamespace, quotas)[0] ?? null;
}

/** The organization's projects, sorted by id (their object name). */
export function pickProjects(orgNamespace: string | null, projects: StoredObject[]): StoredObject[] {
  return inNamespace(orgNamespace, projects);
}

/**
 * The allocations that stand where their labels say: in the namespace of the organization's
 * project they name (`projects` as {@link pickProjects} found them), sorted by (project id,
 * allocation id). Usage still counts every allocation labelled with the organization, since
 * over-counting is the safe direction; only listings and writes go by this stricter rule.
 */
export function pickAllocations(projects: ProjectRecord[], allocations: AllocationRecord[]): AllocationRecord[] {
  const namespaces = new Map(projects.map((project) => [project.id, project.namespace]));
  return allocations
    .filter(
      (allocation) => allocation.namespace !== '' && namespaces.get(allocation.projectId) === allocation.namespace,
    )
    .sort((a, b) => compareStrings(a.projectId, b.projectId) || compareStrings(a.id, b.id));
}

function inNamespace(namespace: string | null, objects: StoredObject[]): StoredObject[] {
  if (namespace === null) return [];
  return objects
    .filter((o) => o.metadata.namespace === namespace)
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
}
