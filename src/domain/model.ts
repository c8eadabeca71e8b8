/**
 * Typed, tolerant readers of the stored unikorn objects (DESIGN §1).
 *
 * Stored objects were written by other tools (unikorn itself, kubectl, `quotagraph apply`), so
 * nothing here trusts their shape: a reader never throws, and quantities stay raw (`unknown`) so
 * that the quota view can report an unparseable value instead of hiding it.
 */
import type { StoredObject } from '../store/types.js';
import {
  ADMISSION_PENDING,
  ANNOTATION_PENDING_SINCE,
  ANNOTATION_PREVIOUS_SPEC,
  LABEL_ADMISSION,
  LABEL_NAME,
  LABEL_ORGANIZATION,
  LABEL_PROJECT,
  LABEL_RESOURCE_ID,
  LABEL_RESOURCE_KIND,
} from './labels.js';

export interface OrganizationRecord {
  id: string;
  name: string;
  /** The organization's namespace (status.namespace), null until unikorn has provisioned it. */
  namespace: string | null;
  resourceVersion: string;
}

export interface ProjectRecord {
  id: string;
  name: string;
  organizationId: string;
  /** The project's namespace (status.namespace), where its allocations live. */
  namespace: string | null;
  resourceVersion: string;
}

export interface QuotaRecord {
  organizationId: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  /** In stored order; duplicates of a kind are kept (the last one is effective, see quotaView). */
  entries: { kind: string; quantity: unknown }[];
  /** Project ring-fences (spec.projects[].quotas[], DESIGN §6), raw; see partition.ts. */
  fences: { project: string; kind: string; guaranteed: unknown; limit: unknown }[];
}

export type AllocationItems = { kind: string; committed: unknown; reserved: unknown }[];

export interface AllocationRecord {
  id: string;
  organizationId: string;
  projectId: string;
  namespace: string;
  resourceKind: string;
  resourceId: string;
  resourceVersion: string;
  creationTimestamp: string;
  items: AllocationItems;
  /** In an admission decision (DESIGN §5): counted as usage, not yet confirmed. */
  pending: boolean;
  /** When the pending mark was written (RFC 3339), for the janitor's TTL; null when not pending. */
  pendingSince: string | null;
  /** For a pending update: the items before it, restored if the update is refused. */
  previousItems: AllocationItems | null;
}

export function readOrganization(o: StoredObject): OrganizationRecord {
  const id = nameOf(o);
  return {
    id,
    name: label(o, LABEL_NAME) || id,
    namespace: nonEmptyString(asRecord(o.status)?.namespace),
    resourceVersion: resourceVersionOf(o),
  };
}

export function readProject(o: StoredObject): ProjectRecord {
  const id = nameOf(o);
  return {
    id,
    name: label(o, LABEL_NAME) || id,
    organizationId: label(o, LABEL_ORGANIZATION),
    namespace: nonEmptyString(asRecord(o.status)?.namespace),
    resourceVersion: resourceVersionOf(o),
  };
}

export function readQuota(o: StoredObject): QuotaRecord {
  const entries: QuotaRecord['entries'] = [];
  for (const entry of arrayAt(o.spec, 'quotas')) {
    const kind = asRecord(entry)?.kind;
    // An entry without a kind means nothing to anyone; there is no kind to report it under.
    if (typeof kind === 'string') entries.push({ kind, quantity: asRecord(entry)?.quantity });
  }
  const fences: QuotaRecord['fences'] = [];
  for (const entry of arrayAt(o.spec, 'projects')) {
    const project = asRecord(entry)?.project;
    if (typeof project !== 'string') continue;
    for (const fence of arrayAt(entry, 'quotas')) {
      const record = asRecord(fence);
      if (typeof record?.kind === 'string') {
        fences.push({ project, kind: record.kind, guaranteed: record.guaranteed, limit: record.limit });
      }
    }
  }
  return {
    organizationId: label(o, LABEL_ORGANIZATION),
    namespace: namespaceOf(o),
    name: nameOf(o),
    resourceVersion: resourceVersionOf(o),
    entries,
    fences,
  };
}

export function readAllocation(o: StoredObject): AllocationRecord {
  const pending = label(o, LABEL_ADMISSION) === ADMISSION_PENDING;
  const previous = pending ? annotation(o, ANNOTATION_PREVIOUS_SPEC) : '';
  return {
    id: nameOf(o),
    organizationId: label(o, LABEL_ORGANIZATION),
    projectId: label(o, LABEL_PROJECT),
    namespace: namespaceOf(o),
    resourceKind: label(o, LABEL_RESOURCE_KIND),
    resourceId: label(o, LABEL_RESOURCE_ID),
    resourceVersion: resourceVersionOf(o),
    creationTimestamp: metadataString(o, 'creationTimestamp'),
    items: readAllocationItems(o.spec),
    pending,
    pendingSince: pending ? annotation(o, ANNOTATION_PENDING_SINCE) || null : null,
    previousItems: previous ? readAllocationItems(parseJson(previous)) : null,
  };
}

/** spec.allocations of an Allocation (or of a spec saved in the previous-spec annotation). */
export function readAllocationItems(spec: unknown): AllocationItems {
  const items: AllocationItems = [];
  for (const item of arrayAt(spec, 'allocations')) {
    const record = asRecord(item);
    if (typeof record?.kind === 'string') {
      items.push({ kind: record.kind, committed: record.committed, reserved: record.reserved });
    }
  }
  return items;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // An annotation damaged by hand: no previous items can be read, so nothing extra is counted.
    return undefined;
  }
}

/**
 * Code-unit order: the same on every machine and locale, unlike localeCompare. Every list the
 * domain returns is sorted with it so that responses are deterministic.
 */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// The helpers below re-check even the typed parts of StoredObject: YAML applied by hand can put
// a null or a number where the type says a string, and a reader must not throw on it.

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function arrayAt(container: unknown, key: string): unknown[] {
  const value = asRecord(container)?.[key];
  return Array.isArray(value) ? value : [];
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function metadataString(o: StoredObject, key: 'name' | 'namespace' | 'resourceVersion' | 'creationTimestamp'): string {
  const value = asRecord(asRecord(o)?.metadata)?.[key];
  return typeof value === 'string' ? value : '';
}

const nameOf = (o: StoredObject): string => metadataString(o, 'name');
const namespaceOf = (o: StoredObject): string => metadataString(o, 'namespace');
const resourceVersionOf = (o: StoredObject): string => metadataString(o, 'resourceVersion');

function label(o: StoredObject, key: string): string {
  return metadataMapValue(o, 'labels', key);
}

function annotation(o: StoredObject, key: string): string {
  return metadataMapValue(o, 'annotations', key);
}

function metadataMapValue(o: StoredObject, map: 'labels' | 'annotations', key: string): string {
  const value = asRecord(asRecord(asRecord(o)?.metadata)?.[map])?.[key];
  return typeof value === 'string' ? value : '';
}
