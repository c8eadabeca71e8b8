import type { StoredObject } from '../store/types.js';
import { compareStrings } from './model.js';

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

function inNamespace(namespace: string | null, objects: StoredObject[]): StoredObject[] {
  if (namespace === null) return [];
  return objects
    .filter((o) => o.metadata.namespace === namespace)
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
}
