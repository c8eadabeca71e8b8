import DataLoader from 'dataloader';
import { buildCatalogue, type Catalogue } from '../domain/catalogue.js';
import { LABEL_ORGANIZATION } from '../domain/labels.js';
import {
  type AllocationRecord,
  compareStrings,
  type OrganizationRecord,
  type ProjectRecord,
  type QuotaRecord,
  readAllocation,
  readOrganization,
  readProject,
  readQuota,
} from '../domain/model.js';
import { pickProjects, pickQuota } from '../domain/ownership.js';
import { isStoreError, type ObjectStore, type StoredObject } from '../store/types.js';
import { groupBy, listByLabel } from './batch.js';

/**
 * Per-request loaders. Created for every request and never shared, so one request never sees
 * another's cache, and every batch of keys collected in one tick becomes one store call per object
 * type (chunked `in (…)` selectors). Mutations do not use them: they read fresh.
 */
export interface Loaders {
  catalogue(): Promise<Catalogue>;
  /** Every organization in the identity namespace, sorted by id. Primes `organizations`. */
  allOrganizations(): Promise<OrganizationRecord[]>;
  organizations: DataLoader<string, OrganizationRecord | null>;
  /** By organization id: the org's Quota object (in the org's namespace), or null. */
  quotas: DataLoader<string, QuotaRecord | null>;
  /** By organization id: its projects (in the org's namespace), sorted by id. */
  projects: DataLoader<string, ProjectRecord[]>;
  /** By organization id: every allocation labelled with it. */
  allocations: DataLoader<string, AllocationRecord[]>;
}

export function createLoaders(store: ObjectStore, identityNamespace: string): Loaders {
  let catalogue: Promise<Catalogue> | undefined;
  let everyOrganization: Promise<OrganizationRecord[]> | undefined;

  const listOrganizations = async (): Promise<OrganizationRecord[]> => {
    const list = await store.list('Organization', { namespace: identityNamespace });
    return list.items.map(readOrganization).sort((a, b) => compareStrings(a.id, b.id));
  };

  const organizations = new DataLoader<string, OrganizationRecord | null>(async (ids) => {
    // One id: a get is cheaper than listing the namespace. Several: one list answers them all.
    if (ids.length === 1) return [await getOrganization(store, identityNamespace, ids[0]!)];
    const byId = new Map((await listOrganizations()).map((org) => [org.id, org]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  /** Objects of `kind` labelled with each organization, grouped in the order of `ids`, with each org's namespace. */
  const labelledObjects = async (kind: 'Quota' | 'Project', ids: readonly string[]) => {
    const [orgs, objects] = await Promise.all([
      organizations.loadMany(ids),
      listByLabel(store, kind, LABEL_ORGANIZATION, ids),
    ]);
    const grouped = groupBy(ids, objects, (o: StoredObject) => o.metadata.labels?.[LABEL_ORGANIZATION] ?? '');
    return grouped.map((group, i) => {
      const org = orgs[i];
      return { namespace: org instanceof Error || !org ? null : org.namespace, objects: group };
    });
  };

  const quotas = new DataLoader<string, QuotaRecord | null>(async (ids) =>
    (await labelledObjects('Quota', ids)).map(({ namespace, objects }) => {
      const quota = pickQuota(namespace, objects);
      return quota ? readQuota(quota) : null;
    }),
  );

  const projects = new DataLoader<string, ProjectRecord[]>(async (ids) =>
    (await labelledObjects('Project', ids)).map(({ namespace, objects }) =>
      pickProjects(namespace, objects).map(readProject),
    ),
  );

  const allocations = new DataLoader<string, AllocationRecord[]>(async (ids) => {
    const objects = await listByLabel(store, 'Allocation', LABEL_ORGANIZATION, ids);
    return groupBy(ids, objects.map(readAllocation), (allocation) => allocation.organizationId);
  });

  return {
    catalogue: () => {
      catalogue ??= store.list('QuotaMetadata', { namespace: identityNamespace }).then((l) => buildCatalogue(l.items));
      return catalogue;
    },
    allOrganizations: () => {
      everyOrganization ??= listOrganizations().then((orgs) => {
        for (const org of orgs) organizations.prime(org.id, org);
        return orgs;
      });
      return everyOrganization;
    },
    organizations,
    quotas,
    projects,
    allocations,
  };
}

async function getOrganization(store: ObjectStore, namespace: string, id: string): Promise<OrganizationRecord | null> {
  try {
    return readOrganization(await store.get('Organization', namespace, id));
  } catch (error) {
    if (isStoreError(error, 'NotFound')) return null;
    throw error;
  }
}
