// Builders for Kubernetes-shaped test objects, shaped like a unikorn identity installation.
import {
  LABEL_NAME,
  LABEL_ORGANIZATION,
  LABEL_PROJECT,
  LABEL_RESOURCE_ID,
  LABEL_RESOURCE_KIND,
} from '../../src/domain/labels.js';
import { API_VERSION, type StoredObject } from '../../src/store/types.js';

export const IDENTITY_NAMESPACE = 'unikorn-identity';

export const orgNamespace = (id: string) => `org-${id}`;
export const projectNamespace = (org: string, project: string) => `project-${org}-${project}`;

export function quotaMetadata(kind: string, defaultQuantity: string | number, displayName = kind): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'QuotaMetadata',
    metadata: { name: kind, namespace: IDENTITY_NAMESPACE },
    spec: { displayName, description: `One ${kind}.`, default: defaultQuantity },
  };
}

export function organization(id: string, name = id): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Organization',
    metadata: { name: id, namespace: IDENTITY_NAMESPACE, labels: { [LABEL_NAME]: name } },
    spec: {},
    status: { namespace: orgNamespace(id) },
  };
}

export function quota(
  org: string,
  entries: Record<string, string | number>,
  options: { name?: string; namespace?: string } = {},
): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Quota',
    metadata: {
      name: options.name ?? 'quota',
      namespace: options.namespace ?? orgNamespace(org),
      labels: { [LABEL_ORGANIZATION]: org },
    },
    spec: { quotas: Object.entries(entries).map(([kind, quantity]) => ({ kind, quantity })) },
  };
}

export function project(org: string, id: string, name = id): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Project',
    metadata: { name: id, namespace: orgNamespace(org), labels: { [LABEL_ORGANIZATION]: org, [LABEL_NAME]: name } },
    spec: {},
    status: { namespace: projectNamespace(org, id) },
  };
}

export function allocation(
  org: string,
  projectId: string,
  name: string,
  items: Record<string, { committed: string | number; reserved: string | number }>,
): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Allocation',
    metadata: {
      name,
      namespace: projectNamespace(org, projectId),
      labels: {
        [LABEL_ORGANIZATION]: org,
        [LABEL_PROJECT]: projectId,
        [LABEL_RESOURCE_KIND]: 'server',
        [LABEL_RESOURCE_ID]: name,
      },
    },
    spec: { allocations: Object.entries(items).map(([kind, v]) => ({ kind, ...v })) },
  };
}
