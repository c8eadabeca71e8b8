import { describe, expect, it } from 'vitest';
import { compareStrings, readAllocation, readOrganization, readProject, readQuota } from '../../src/domain/model.js';
import { API_VERSION, type ObjectKind, type StoredObject } from '../../src/store/types.js';

function object(
  kind: ObjectKind,
  fields: Partial<StoredObject> & { metadata: StoredObject['metadata'] },
): StoredObject {
  return { apiVersion: API_VERSION, kind, ...fields };
}

/** Stored data whose shape lies about its type, as hand-written YAML can. */
const broken = (value: unknown): StoredObject => value as StoredObject;

describe('readOrganization', () => {
  it('reads id, display name, namespace and resourceVersion', () => {
    const org = object('Organization', {
      metadata: {
        name: 'org-1',
        namespace: 'unikorn-identity',
        labels: { 'unikorn-cloud.org/name': 'Acme' },
        resourceVersion: '7',
      },
      status: { namespace: 'org-ns-1' },
    });
    expect(readOrganization(org)).toEqual({ id: 'org-1', name: 'Acme', namespace: 'org-ns-1', resourceVersion: '7' });
  });

  it('falls back to the id for the name and to null for a missing or empty namespace', () => {
    const bare = object('Organization', { metadata: { name: 'org-1', namespace: 'unikorn-identity' } });
    expect(readOrganization(bare)).toEqual({ id: 'org-1', name: 'org-1', namespace: null, resourceVersion: '' });
    const empty = object('Organization', {
      metadata: { name: 'org-1', namespace: 'x', labels: { 'unikorn-cloud.org/name': '' } },
      status: { namespace: '' },
    });
    expect(readOrganization(empty)).toMatchObject({ name: 'org-1', namespace: null });
  });

  it('never throws on malformed stored data', () => {
    const weird = broken({ kind: 'Organization', metadata: { name: 'o', labels: null }, status: { namespace: 42 } });
    expect(readOrganization(weird)).toEqual({ id: 'o', name: 'o', namespace: null, resourceVersion: '' });
    expect(readOrganization(broken({ kind: 'Organization', metadata: null, status: 'x' }))).toEqual({
      id: '',
      name: '',
      namespace: null,
      resourceVersion: '',
    });
  });
});

describe('readProject', () => {
  it('reads the organization label and the project namespace', () => {
    const project = object('Project', {
      metadata: {
        name: 'proj-1',
        namespace: 'org-ns-1',
        labels: { 'unikorn-cloud.org/organization': 'org-1', 'unikorn-cloud.org/name': 'Web' },
        resourceVersion: '3',
      },
      status: { namespace: 'proj-ns-1' },
    });
    expect(readProject(project)).toEqual({
      id: 'proj-1',
      name: 'Web',
      organizationId: 'org-1',
      namespace: 'proj-ns-1',
      resourceVersion: '3',
    });
  });

  it('reads an unlabelled project with an empty organization id', () => {
    const project = object('Project', { metadata: { name: 'p', namespace: 'n' } });
    expect(readProject(project)).toMatchObject({ organizationId: '', name: 'p', namespace: null });
  });
});

describe('readQuota', () => {
  it('reads entries in stored order and keeps raw quantities', () => {
    const quota = object('Quota', {
      metadata: {
        name: 'default',
        namespace: 'org-ns-1',
        labels: { 'unikorn-cloud.org/organization': 'org-1' },
        resourceVersion: '9',
      },
      spec: {
        quotas: [
          { kind: 'servers', quantity: '10' },
          { kind: 'gpus', quantity: 4 },
          { kind: 'clusters', quantity: '500m' },
          { kind: 'gpus', quantity: null },
          { kind: 'disks' },
        ],
      },
    });
    expect(readQuota(quota)).toEqual({
      organizationId: 'org-1',
      namespace: 'org-ns-1',
      name: 'default',
      resourceVersion: '9',
      entries: [
        { kind: 'servers', quantity: '10' },
        { kind: 'gpus', quantity: 4 },
        { kind: 'clusters', quantity: '500m' },
        { kind: 'gpus', quantity: null },
        { kind: 'disks', quantity: undefined },
      ],
      fences: [],
    });
  });

  it('skips entries without a string kind and tolerates a missing or malformed list', () => {
    const quota = object('Quota', {
      metadata: { name: 'q', namespace: 'n' },
      spec: { quotas: [null, 'x', 7, { quantity: '1' }, { kind: 3, quantity: '1' }, { kind: 'ok', quantity: '1' }] },
    });
    expect(readQuota(quota).entries).toEqual([{ kind: 'ok', quantity: '1' }]);
    expect(readQuota(object('Quota', { metadata: { name: 'q', namespace: 'n' } })).entries).toEqual([]);
    expect(
      readQuota(object('Quota', { metadata: { name: 'q', namespace: 'n' }, spec: { quotas: {} } })).entries,
    ).toEqual([]);
  });
});

describe('readAllocation', () => {
  it('reads labels and items with raw values', () => {
    const allocation = object('Allocation', {
      metadata: {
        name: 'alloc-1',
        namespace: 'proj-ns-1',
        labels: {
          'unikorn-cloud.org/organization': 'org-1',
          'unikorn-cloud.org/project': 'proj-1',
          'resource.unikorn-cloud.org/kind': 'cluster',
          'resource.unikorn-cloud.org/id': 'c-1',
        },
        resourceVersion: '11',
      },
      spec: {
        allocations: [
          { kind: 'gpus', committed: '2', reserved: 1 },
          { kind: 'servers', committed: 'lots' },
          { committed: '1', reserved: '1' },
        ],
      },
    });
    expect(readAllocation(allocation)).toEqual({
      id: 'alloc-1',
      organizationId: 'org-1',
      projectId: 'proj-1',
      namespace: 'proj-ns-1',
      resourceKind: 'cluster',
      resourceId: 'c-1',
      resourceVersion: '11',
      creationTimestamp: '',
      items: [
        { kind: 'gpus', committed: '2', reserved: 1 },
        { kind: 'servers', committed: 'lots', reserved: undefined },
      ],
      pending: false,
      pendingSince: null,
      previousItems: null,
    });
  });

  it('reads the admission marks of a pending update, and ignores them when not pending', () => {
    const pending = object('Allocation', {
      metadata: {
        name: 'alloc-1',
        namespace: 'proj-ns-1',
        labels: { 'quotagraph.dev/admission': 'pending' },
        annotations: {
          'quotagraph.dev/pending-since': '2026-12-03T10:00:00Z',
          'quotagraph.dev/previous-spec': JSON.stringify({
            allocations: [{ kind: 'gpus', committed: 1, reserved: 0 }],
          }),
        },
      },
      spec: { allocations: [{ kind: 'gpus', committed: 3, reserved: 0 }] },
    });
    expect(readAllocation(pending)).toMatchObject({
      pending: true,
      pendingSince: '2026-12-03T10:00:00Z',
      previousItems: [{ kind: 'gpus', committed: 1, reserved: 0 }],
    });
    const damaged = structuredClone(pending);
    damaged.metadata.annotations!['quotagraph.dev/previous-spec'] = '{not json';
    expect(readAllocation(damaged).previousItems).toEqual([]);
    const settled = structuredClone(pending);
    delete settled.metadata.labels!['quotagraph.dev/admission'];
    expect(readAllocation(settled)).toMatchObject({ pending: false, pendingSince: null, previousItems: null });
  });

  it('never throws on a malformed spec', () => {
    const allocation = broken({ kind: 'Allocation', metadata: { name: 'a', namespace: 'n' }, spec: null });
    expect(readAllocation(allocation).items).toEqual([]);
    const alsoBroken = broken({ kind: 'Allocation', metadata: { name: 'a' }, spec: { allocations: 'nope' } });
    expect(readAllocation(alsoBroken)).toMatchObject({ namespace: '', items: [] });
  });
});

describe('compareStrings', () => {
  it('orders by code unit, independent of locale', () => {
    expect(['b', 'B', 'a', 'é', 'A', 'aa'].sort(compareStrings)).toEqual(['A', 'B', 'a', 'aa', 'b', 'é']);
  });
});
