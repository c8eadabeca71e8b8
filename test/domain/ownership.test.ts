import { describe, expect, it } from 'vitest';
import type { AllocationRecord, ProjectRecord } from '../../src/domain/model.js';
import { pickAllocations } from '../../src/domain/ownership.js';

const project = (id: string, namespace: string | null = `ns-${id}`): ProjectRecord => ({
  id,
  name: id,
  organizationId: 'org-1',
  namespace,
  resourceVersion: '1',
});

const allocation = (projectId: string, id: string, namespace = `ns-${projectId}`): AllocationRecord => ({
  id,
  organizationId: 'org-1',
  projectId,
  namespace,
  resourceKind: 'cluster',
  resourceId: id,
  resourceVersion: '1',
  creationTimestamp: '',
  items: [],
  pending: false,
  pendingSince: null,
  previousItems: null,
});

describe('pickAllocations', () => {
  it('keeps the allocations in the namespace of the project they name, sorted by (project id, id)', () => {
    const picked = pickAllocations(
      [project('web'), project('ml'), project('web-2')],
      [allocation('web', 'b'), allocation('web-2', 'a'), allocation('ml', 'z'), allocation('web', 'a')],
    );
    expect(picked.map((a) => `${a.projectId}/${a.id}`)).toEqual(['ml/z', 'web/a', 'web/b', 'web-2/a']);
  });

  it('drops allocations whose project is unknown, unprovisioned, or whose namespace is not the project’s', () => {
    expect(
      pickAllocations(
        [project('web'), project('new', null)],
        [allocation('gone', 'a'), allocation('new', 'b', ''), allocation('web', 'c', 'ns-ml')],
      ),
    ).toEqual([]);
  });
});
