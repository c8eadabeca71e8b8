/**
 * Shapes shared by the pieces of the fake Kubernetes API server: JSON objects, the resource
 * types it serves (the five identity.unikorn-cloud.org/v1alpha1 custom resources and core
 * namespaces) and the names Kubernetes derives from them in messages.
 */

export type JsonObject = Record<string, unknown>;

/** metav1.ObjectMeta, as far as this server keeps it (see `normalizeMetadata` for the field list). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: JsonObject[];
  finalizers?: string[];
}

/** A stored object: typed metadata, every other top-level field (spec, status, …) kept as sent. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Field selectors the resource supports (custom resources: metadata.name and metadata.namespace). */
  fieldLabels: readonly string[];
}

export const GROUP = 'identity.unikorn-cloud.org';
export const VERSION = 'v1alpha1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

const customResource = (kind: string, plural: string, singular: string): ResourceType => ({
  group: GROUP,
  version: VERSION,
  plural,
  singular,
  kind,
  namespaced: true,
  fieldLabels: ['metadata.name', 'metadata.namespace'],
});

/** The unikorn identity CRDs; every one of them has the status subresource enabled. */
export const CUSTOM_RESOURCES: readonly ResourceType[] = [
  customResource('Organization', 'organizations', 'organization'),
  customResource('Project', 'projects', 'project'),
  customResource('QuotaMetadata', 'quotametadata', 'quotametadata'),
  customResource('Quota', 'quotas', 'quota'),
  customResource('Allocation', 'allocations', 'allocation'),
];

export const NAMESPACES: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  fieldLabels: ['metadata.name', 'status.phase'],
};

export const customResourceByPlural = (plural: string): ResourceType | undefined =>
  CUSTOM_RESOURCES.find((resource) => resource.plural === plural);

export const apiVersionOf = (resource: ResourceType): string =>
  resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;

/** schema.GroupResource.String(): `quotas.identity.unikorn-cloud.org`, or `namespaces`. */
export const qualifiedResource = (resource: ResourceType): string =>
  resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;

/** schema.GroupKind.String(): `Quota.identity.unikorn-cloud.org`, or `Namespace`. */
export const qualifiedKind = (resource: ResourceType): string =>
  resource.group === '' ? resource.kind : `${resource.kind}.${resource.group}`;

export const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: JsonObject;
}

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export const timestampNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
