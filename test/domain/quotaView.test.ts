import { describe, expect, it } from 'vitest';
import { Catalogue } from '../../src/domain/catalogue.js';
import type { AllocationRecord, QuotaRecord } from '../../src/domain/model.js';
import { buildQuotaView, pendingUsage, projectUsage, type QuotaProblem, sumUsage } from '../../src/domain/quotaView.js';
import { kindRecord, quotaRecord } from '../support/records.js';

const kind = kindRecord;
const quota = quotaRecord;

const catalogue = new Catalogue([kind('servers', 20n), kind('gpus', 4n), kind('clusters', 2n)]);

let counter = 0;
const allocation = (
  items: [kind: string, committed: unknown, reserved: unknown][],
  projectId = 'proj-1',
): AllocationRecord => {
  counter += 1;
  return {
    id: `alloc-${counter}`,
    organizationId: 'org-1',
    projectId,
    namespace: `${projectId}-ns`,
    resourceKind: 'cluster',
    resourceId: `c-${counter}`,
    resourceVersion: String(counter),
    creationTimestamp: '2026-01-01T00:00:00Z',
    items: items.map(([kind, committed, reserved]) => ({ kind, committed, reserved })),
    pending: false,
    pendingSince: null,
    previousItems: null,
  };
};

/** The allocation marked pending; with `previous`, a pending update from those items. */
const pending = (
  record: AllocationRecord,
  previous?: [kind: string, committed: unknown, reserved: unknown][],
): AllocationRecord => ({
  ...record,
  pending: true,
  pendingSince: '2026-01-01T00:00:00Z',
  previousItems: previous?.map(([kind, committed, reserved]) => ({ kind, committed, reserved })) ?? null,
});

const view = (storedQuota: QuotaRecord | null, allocations: AllocationRecord[] = [], cat = catalogue) =>
  buildQuotaView({ organizationId: 'org-1', catalogue: cat, quota: storedQuota, allocations });

const codes = (problems: QuotaProblem[]) => problems.map((problem) => [problem.kind, problem.code]);

describe('sumUsage', () => {
  it('sums committed and reserved per kind, catalogued or not', () => {
    const { byKind, problems } = sumUsage([
      allocation([
        ['gpus', '2', '1'],
        ['servers', 3, '0'],
      ]),
      allocation([
        ['gpus', '1Ki', 0],
        ['widgets', '5', '1'],
      ]),
    ]);
    expect(problems).toEqual([]);
    expect(byKind).toEqual(
      new Map([
        ['gpus', { committed: 1026n, reserved: 1n }],
        ['servers', { committed: 3n, reserved: 0n }],
        ['widgets', { committed: 5n, reserved: 1n }],
      ]),
    );
  });

  it('counts an unparseable value as 0 and names the allocation that holds it', () => {
    const bad = allocation([['gpus', '500m', '1']]);
    const { byKind, problems } = sumUsage([bad, allocation([['gpus', '2', undefined]])]);
    expect(byKind.get('gpus')).toEqual({ committed: 2n, reserved: 1n });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toEqual({
      code: 'INVALID_STORED_QUANTITY',
      kind: 'gpus',
      message: expect.stringContaining(`${bad.namespace}/${bad.id}`),
    });
    expect(problems[0]?.message).toContain('committed quantity "500m"');
    expect(problems[0]?.message).toContain('not a whole number');
    expect(problems[1]?.message).toContain('reserved quantity undefined');
  });

  it('is empty for no allocations', () => {
    expect(sumUsage([])).toEqual({ byKind: new Map(), problems: [] });
  });
});

describe('buildQuotaView: default quota', () => {
  it('has one item per catalogued kind at its default, sorted by kind', () => {
    const result = view(null);
    expect(result).toEqual({
      organizationId: 'org-1',
      isDefault: true,
      resourceVersion: null,
      items: [
        {
          kind: 'clusters',
          quantity: 2n,
          isDefault: true,
          committed: 0n,
          reserved: 0n,
          used: 0n,
          pending: 0n,
          free: 2n,
          utilization: 0,
          ringFenced: 0n,
          sharedQuantity: 2n,
          sharedUsed: 0n,
          sharedFree: 2n,
        },
        {
          kind: 'gpus',
          quantity: 4n,
          isDefault: true,
          committed: 0n,
          reserved: 0n,
          used: 0n,
          pending: 0n,
          free: 4n,
          utilization: 0,
          ringFenced: 0n,
          sharedQuantity: 4n,
          sharedUsed: 0n,
          sharedFree: 4n,
        },
        {
          kind: 'servers',
          quantity: 20n,
          isDefault: true,
          committed: 0n,
          reserved: 0n,
          used: 0n,
          pending: 0n,
          free: 20n,
          utilization: 0,
          ringFenced: 0n,
          sharedQuantity: 20n,
          sharedUsed: 0n,
          sharedFree: 20n,
        },
      ],
      problems: [],
    });
  });

  it('is empty for an empty catalogue', () => {
    expect(view(null, [], new Catalogue([]))).toMatchObject({ items: [], problems: [] });
  });
});

describe('buildQuotaView: stored quota', () => {
  it('overrides per kind; unlisted kinds follow the catalogue', () => {
    const result = view(quota(['gpus', '8']));
    expect(result.isDefault).toBe(false);
    expect(result.resourceVersion).toBe('42');
    expect(result.items.map((item) => [item.kind, item.quantity, item.isDefault])).toEqual([
      ['clusters', 2n, true],
      ['gpus', 8n, false],
      ['servers', 20n, true],
    ]);
  });

  it('an empty stored quota (as an allocation decision creates) is still the default quota, with its version', () => {
    const result = view(quota());
    expect(result.isDefault).toBe(true);
    expect(result.resourceVersion).toBe('42');
    expect(result.items.every((item) => item.isDefault)).toBe(true);
  });

  it('a stored quota that sets only an uncatalogued kind is not the default quota', () => {
    const result = view(quota(['widgets', '5']));
    expect(result.isDefault).toBe(false);
    expect(result.items.every((item) => item.isDefault)).toBe(true);
  });

  it('computes used, free and utilization', () => {
    const result = view(quota(['gpus', '8']), [allocation([['gpus', '3', '3']])]);
    expect(result.items.find((item) => item.kind === 'gpus')).toEqual({
      kind: 'gpus',
      quantity: 8n,
      isDefault: false,
      committed: 3n,
      reserved: 3n,
      used: 6n,
      pending: 0n,
      free: 2n,
      utilization: 0.75,
      ringFenced: 0n,
      sharedQuantity: 8n,
      sharedUsed: 6n,
      sharedFree: 2n,
    });
    expect(result.problems).toEqual([]);
  });

  it('uses exactly the quantity without being overcommitted', () => {
    const result = view(quota(['gpus', '8']), [allocation([['gpus', '5', '3']])]);
    expect(result.items.find((item) => item.kind === 'gpus')).toMatchObject({ free: 0n, utilization: 1 });
    expect(result.problems).toEqual([]);
  });

  it('has null utilization for a zero quantity', () => {
    const result = view(quota(['gpus', '0']));
    expect(result.items.find((item) => item.kind === 'gpus')).toMatchObject({ quantity: 0n, utilization: null });
  });

  it('lets the last of duplicate stored entries win', () => {
    expect(view(quota(['gpus', '8'], ['gpus', '6'])).items.find((item) => item.kind === 'gpus')?.quantity).toBe(6n);
    expect(view(quota(['gpus', '6'], ['gpus', '8'])).items.find((item) => item.kind === 'gpus')?.quantity).toBe(8n);
  });
});

describe('buildQuotaView: problems', () => {
  it('OVERCOMMITTED: one above the quantity, with the numbers', () => {
    const result = view(quota(['gpus', '8']), [allocation([['gpus', '6', '3']])]);
    expect(result.items.find((item) => item.kind === 'gpus')).toMatchObject({
      used: 9n,
      free: -1n,
      utilization: 1.125,
    });
    expect(result.problems).toEqual([
      {
        code: 'OVERCOMMITTED',
        kind: 'gpus',
        message:
          'organization "org-1" uses 9 of kind "gpus" (committed 6, reserved 3) but its quantity is 8: overcommitted by 1',
      },
    ]);
  });

  it('OVERCOMMITTED against a default says so, and against zero', () => {
    const result = view(null, [allocation([['clusters', '3', '0']])]);
    expect(result.problems[0]?.message).toContain('its quantity is 2 (the catalogue default)');
    const zero = view(quota(['gpus', 0]), [allocation([['gpus', '0', '1']])]);
    expect(codes(zero.problems)).toEqual([['gpus', 'OVERCOMMITTED']]);
  });

  it('UNCATALOGUED_QUOTA_KIND: reported, no item', () => {
    const result = view(quota(['widgets', '5'], ['gpus', '8']));
    expect(result.items.map((item) => item.kind)).toEqual(['clusters', 'gpus', 'servers']);
    expect(result.problems).toEqual([
      {
        code: 'UNCATALOGUED_QUOTA_KIND',
        kind: 'widgets',
        message:
          'the quota of organization "org-1" (Quota org-ns-1/default) sets kind "widgets" to "5", ' +
          'but no QuotaMetadata catalogues that kind; the entry is ignored',
      },
    ]);
  });

  it('UNCATALOGUED_ALLOCATION_KIND: reported with the amount, still counted in sumUsage', () => {
    const allocations = [allocation([['widgets', '5', '2']]), allocation([['widgets', '1', '0']])];
    const result = view(null, allocations);
    expect(result.problems).toEqual([
      {
        code: 'UNCATALOGUED_ALLOCATION_KIND',
        kind: 'widgets',
        message: expect.stringContaining('use 8 of kind "widgets" (committed 6, reserved 2)'),
      },
    ]);
    expect(sumUsage(allocations).byKind.get('widgets')).toEqual({ committed: 6n, reserved: 2n });
  });

  it('INVALID_STORED_QUANTITY in a quota entry: quantity 0, not default, named', () => {
    const result = view(quota(['gpus', '500m']), [allocation([['gpus', '1', '0']])]);
    expect(result.items.find((item) => item.kind === 'gpus')).toMatchObject({
      quantity: 0n,
      isDefault: false,
      used: 1n,
      free: -1n,
      utilization: null,
    });
    expect(codes(result.problems)).toEqual([
      ['gpus', 'INVALID_STORED_QUANTITY'],
      ['gpus', 'OVERCOMMITTED'],
    ]);
    expect(result.problems[0]?.message).toBe(
      'the quota of organization "org-1" (Quota org-ns-1/default) sets kind "gpus" to "500m", which is invalid ' +
        '(not a whole number); its quantity counts as 0 until corrected',
    );
  });

  it('INVALID_STORED_QUANTITY for non-string stored values', () => {
    for (const raw of [null, undefined, -1, 1.5, { value: 1 }]) {
      const result = view(quota(['servers', raw]));
      expect(result.items.find((item) => item.kind === 'servers')?.quantity).toBe(0n);
      expect(codes(result.problems)).toEqual([['servers', 'INVALID_STORED_QUANTITY']]);
    }
  });

  it('only the effective duplicate entry is judged', () => {
    expect(view(quota(['gpus', 'bad'], ['gpus', '8'])).problems).toEqual([]);
    expect(codes(view(quota(['gpus', '8'], ['gpus', 'bad'])).problems)).toEqual([['gpus', 'INVALID_STORED_QUANTITY']]);
  });

  it('INVALID_STORED_QUANTITY for an invalid catalogue default, only where it is in force', () => {
    const broken = new Catalogue([kind('gpus', 0n, false), kind('servers', 20n)]);
    const byDefault = view(null, [], broken);
    expect(byDefault.items[0]).toMatchObject({ kind: 'gpus', quantity: 0n, isDefault: true, utilization: null });
    expect(byDefault.problems).toEqual([
      {
        code: 'INVALID_STORED_QUANTITY',
        kind: 'gpus',
        message: expect.stringContaining('the catalogue default of kind "gpus" is "lots", which is invalid'),
      },
    ]);
    expect(view(quota(['gpus', '3']), [], broken).problems).toEqual([]);
  });

  it('INVALID_STORED_QUANTITY in an allocation, counted as 0', () => {
    const result = view(null, [allocation([['gpus', 'lots', '1']])]);
    expect(result.items.find((item) => item.kind === 'gpus')).toMatchObject({ committed: 0n, reserved: 1n });
    expect(codes(result.problems)).toEqual([['gpus', 'INVALID_STORED_QUANTITY']]);
  });

  it('sorts problems by kind, then code, whatever the input order', () => {
    const allocations = [
      allocation([['zeta', '1', '0']]),
      allocation([['gpus', 'x', '9']]),
      allocation([['alpha', '1', '0']]),
    ];
    const result = view(quota(['zeta', '1'], ['gpus', 'y'], ['beta', '1']), allocations);
    expect(codes(result.problems)).toEqual([
      ['alpha', 'UNCATALOGUED_ALLOCATION_KIND'],
      ['beta', 'UNCATALOGUED_QUOTA_KIND'],
      ['gpus', 'INVALID_STORED_QUANTITY'],
      ['gpus', 'INVALID_STORED_QUANTITY'],
      ['gpus', 'OVERCOMMITTED'],
      ['zeta', 'UNCATALOGUED_ALLOCATION_KIND'],
      ['zeta', 'UNCATALOGUED_QUOTA_KIND'],
    ]);
    const reversed = view(quota(['beta', '1'], ['gpus', 'y'], ['zeta', '1']), [...allocations].reverse());
    expect(reversed.problems).toEqual(result.problems);
  });
});

describe('projectUsage', () => {
  it('has one entry per catalogued kind, sorted, ignoring uncatalogued kinds', () => {
    const usage = projectUsage(
      [
        allocation([
          ['gpus', '2', '1'],
          ['widgets', '9', '9'],
        ]),
        allocation([['servers', '4', 'bad']]),
      ],
      catalogue,
    );
    expect(usage).toEqual([
      { kind: 'clusters', committed: 0n, reserved: 0n, used: 0n, pending: 0n },
      { kind: 'gpus', committed: 2n, reserved: 1n, used: 3n, pending: 0n },
      { kind: 'servers', committed: 4n, reserved: 0n, used: 4n, pending: 0n },
    ]);
  });

  it('shows the part held by pending allocations', () => {
    const usage = projectUsage(
      [
        allocation([['gpus', '2', '1']]),
        pending(allocation([['gpus', '1', '1']])),
        pending(allocation([['servers', '3', '0']])),
      ],
      catalogue,
    );
    expect(usage).toEqual([
      { kind: 'clusters', committed: 0n, reserved: 0n, used: 0n, pending: 0n },
      { kind: 'gpus', committed: 3n, reserved: 2n, used: 5n, pending: 2n },
      { kind: 'servers', committed: 3n, reserved: 0n, used: 3n, pending: 3n },
    ]);
  });
});

describe('pending allocations in the views', () => {
  it('count as usage and show as pending; admitted ones do not', () => {
    const result = view(quota(['gpus', '8']), [
      allocation([['gpus', '2', '1']]),
      pending(allocation([['gpus', '3', '1']])),
      pending(allocation([['servers', '4', '2']])),
    ]);
    expect(result.items.map((item) => [item.kind, item.used, item.pending, item.free])).toEqual([
      ['clusters', 0n, 0n, 2n],
      ['gpus', 7n, 4n, 1n],
      ['servers', 6n, 6n, 14n],
    ]);
    expect(result.problems).toEqual([]);
  });

  it('a pending update counts, and shows as pending, the larger of its new and previous items per kind', () => {
    const update = pending(
      allocation([
        ['gpus', '1', '0'],
        ['servers', '5', '0'],
      ]),
      [
        ['gpus', '3', '1'],
        ['servers', '2', '0'],
      ],
    );
    const result = view(null, [update, allocation([['gpus', '1', '0']])]);
    expect(result.items.map((item) => [item.kind, item.committed, item.reserved, item.pending])).toEqual([
      ['clusters', 0n, 0n, 0n],
      ['gpus', 4n, 1n, 4n],
      ['servers', 5n, 0n, 5n],
    ]);
    expect(pendingUsage([update])).toEqual(
      new Map([
        ['gpus', 4n],
        ['servers', 5n],
      ]),
    );
  });

  it('pending is part of used, and makes a kind overcommitted like any usage', () => {
    const result = view(quota(['gpus', '4']), [
      allocation([['gpus', '3', '0']]),
      pending(allocation([['gpus', '2', '0']])),
    ]);
    expect(result.items.find((item) => item.kind === 'gpus')).toMatchObject({ used: 5n, pending: 2n, free: -1n });
    expect(codes(result.problems)).toEqual([['gpus', 'OVERCOMMITTED']]);
  });

  it('is nothing without pending allocations', () => {
    expect(pendingUsage([allocation([['gpus', '2', '1']])])).toEqual(new Map());
  });
});
