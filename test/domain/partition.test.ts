/**
 * The fence model of DESIGN §6 (src/domain/partition.ts), rule by rule, at its boundaries: exactly
 * full is fine, one over is not.
 */
import { describe, expect, it } from 'vitest';
import type { AllocationRecord, QuotaRecord } from '../../src/domain/model.js';
import {
  available,
  checkPartition,
  effectiveLimit,
  type Fence,
  fencesOf,
  overflow,
  partition,
  usageByProject,
} from '../../src/domain/partition.js';
import { quotaRecord } from '../support/records.js';

/** Fences by project: `[guaranteed, limit]`, null for none. */
const fences = (entries: Record<string, [bigint | null, bigint | null]>): Map<string, Fence> =>
  new Map(Object.entries(entries).map(([project, [guaranteed, limit]]) => [project, { guaranteed, limit }]));

const usage = (entries: Record<string, bigint>): Map<string, bigint> => new Map(Object.entries(entries));

const fence = (guaranteed: bigint | null, limit: bigint | null): Fence => ({ guaranteed, limit });

describe('effectiveLimit', () => {
  it('is none without a fence, or with a fence that sets neither', () => {
    expect(effectiveLimit(undefined)).toBeNull();
    expect(effectiveLimit(fence(null, null))).toBeNull();
  });

  it('defaults to the guarantee (a hard budget), including a guarantee of 0', () => {
    expect(effectiveLimit(fence(5n, null))).toBe(5n);
    expect(effectiveLimit(fence(0n, null))).toBe(0n);
  });

  it('is the explicit limit when there is one, above or below the guarantee, and 0 is a limit', () => {
    expect(effectiveLimit(fence(5n, 8n))).toBe(8n);
    expect(effectiveLimit(fence(null, 3n))).toBe(3n);
    expect(effectiveLimit(fence(5n, 0n))).toBe(0n);
  });
});

describe('overflow', () => {
  it('is nothing up to the guarantee, and what is beyond it after', () => {
    const g4 = fence(4n, 10n);
    expect(overflow(0n, g4)).toBe(0n);
    expect(overflow(3n, g4)).toBe(0n);
    expect(overflow(4n, g4)).toBe(0n); // exactly the guarantee
    expect(overflow(5n, g4)).toBe(1n); // one over
    expect(overflow(9n, g4)).toBe(5n);
  });

  it('is all of the usage without a guarantee (no fence, or a limit only)', () => {
    expect(overflow(0n, undefined)).toBe(0n);
    expect(overflow(3n, undefined)).toBe(3n);
    expect(overflow(3n, fence(null, 5n))).toBe(3n);
    expect(overflow(3n, fence(0n, null))).toBe(3n);
  });
});

describe('partition', () => {
  it('without fences the whole quantity is shared and every use is overflow', () => {
    expect(partition(10n, new Map(), usage({ web: 3n, ml: 4n }))).toEqual({
      quantity: 10n,
      ringFenced: 0n,
      sharedQuantity: 10n,
      sharedUsed: 7n,
      sharedFree: 3n,
    });
  });

  it('rings fence every guarantee, used or not, and counts only the overflow as shared use', () => {
    // web: 3 of its 4 (no overflow); ml: 5 on a guarantee of 2 (3 overflow); batch: unfenced, 1;
    // idle: a guarantee of 1 with no usage at all.
    const pool = partition(
      10n,
      fences({ web: [4n, null], ml: [2n, 8n], idle: [1n, null] }),
      usage({ web: 3n, ml: 5n, batch: 1n }),
    );
    expect(pool).toEqual({ quantity: 10n, ringFenced: 7n, sharedQuantity: 3n, sharedUsed: 4n, sharedFree: -1n });
  });

  it('is exactly full when the overflow equals the shared quantity', () => {
    const pool = partition(10n, fences({ web: [4n, null], ml: [2n, 8n] }), usage({ web: 4n, ml: 6n }));
    expect(pool).toMatchObject({ ringFenced: 6n, sharedQuantity: 4n, sharedUsed: 4n, sharedFree: 0n });
  });

  it('a limit-only fence reserves nothing', () => {
    const pool = partition(10n, fences({ web: [null, 3n] }), usage({ web: 3n }));
    expect(pool).toMatchObject({ ringFenced: 0n, sharedQuantity: 10n, sharedUsed: 3n, sharedFree: 7n });
  });

  it('an overbooked quantity (I1 broken) has a negative shared quantity', () => {
    const pool = partition(5n, fences({ web: [4n, null], ml: [2n, null] }), usage({}));
    expect(pool).toMatchObject({ ringFenced: 6n, sharedQuantity: -1n, sharedUsed: 0n, sharedFree: -1n });
  });
});

describe('available = min(L − U, max(0, G − U) + sharedFree)', () => {
  it('an unfenced project may use the shared pool, and nothing once it is full', () => {
    const f = fences({ web: [4n, null] });
    // 10 − 4 ringfenced = 6 shared; ml uses 5 of them.
    expect(available(partition(10n, f, usage({ ml: 5n })), undefined, 5n)).toBe(1n);
    expect(available(partition(10n, f, usage({ ml: 6n })), undefined, 6n)).toBe(0n); // exactly full
    // Drift: one over. Never negative.
    expect(available(partition(10n, f, usage({ ml: 7n })), undefined, 7n)).toBe(0n);
  });

  it('a project under its guarantee has what is left of it plus the shared pool, up to its limit', () => {
    const f = fences({ web: [4n, 9n] });
    // web uses 1 of its 4 (3 left), the shared 6 are free: 3 + 6 = 9, limited by 9 − 1 = 8.
    expect(available(partition(10n, f, usage({ web: 1n })), f.get('web'), 1n)).toBe(8n);
    // ml uses 4 of the shared 6: 3 + 2 = 5, under the limit's 8.
    expect(available(partition(10n, f, usage({ web: 1n, ml: 4n })), f.get('web'), 1n)).toBe(5n);
  });

  it('without a limit only the pools bound it (the second term)', () => {
    const pool = partition(10n, fences({ web: [4n, 20n] }), usage({ web: 1n, ml: 2n }));
    expect(pool.sharedFree).toBe(4n);
    // No limit at all (no fence, or one that sets nothing): the shared free part.
    expect(available(pool, undefined, 2n)).toBe(4n);
    expect(available(pool, fence(null, null), 2n)).toBe(4n);
    // A limit far above: the same as none, 3 left of the guarantee + 4 shared.
    expect(available(pool, fence(4n, 20n), 1n)).toBe(7n);
    // The limit just at the pools' figure binds exactly as much.
    expect(available(pool, fence(4n, 8n), 1n)).toBe(7n);
    expect(available(pool, fence(4n, 7n), 1n)).toBe(6n);
  });

  it('the guarantee alone is a hard budget: exactly used up leaves 0', () => {
    const f = fences({ web: [4n, null] });
    expect(available(partition(10n, f, usage({ web: 3n })), f.get('web'), 3n)).toBe(1n);
    expect(available(partition(10n, f, usage({ web: 4n })), f.get('web'), 4n)).toBe(0n); // exactly full
    expect(available(partition(10n, f, usage({ web: 5n })), f.get('web'), 5n)).toBe(0n); // one over (drift)
  });

  it('the limit binds at exactly L, and drift past it is 0, not negative', () => {
    const f = fences({ web: [2n, 5n] });
    expect(available(partition(10n, f, usage({ web: 4n })), f.get('web'), 4n)).toBe(1n);
    expect(available(partition(10n, f, usage({ web: 5n })), f.get('web'), 5n)).toBe(0n);
    expect(available(partition(10n, f, usage({ web: 6n })), f.get('web'), 6n)).toBe(0n);
  });

  it('a project at or beyond its guarantee has the shared free part only', () => {
    const f = fences({ web: [4n, 10n] });
    // shared 6, web overflows by 2, ml uses 3: 1 free.
    expect(available(partition(10n, f, usage({ web: 6n, ml: 3n })), f.get('web'), 6n)).toBe(1n);
    expect(available(partition(10n, f, usage({ web: 6n, ml: 4n })), f.get('web'), 6n)).toBe(0n);
  });

  it('an overdrawn shared pool (drift) never takes away what is left of a guarantee', () => {
    const f = fences({ web: [4n, null] });
    // Shared 6, ml uses 8: sharedFree = −2. web still has its 4 − 1 = 3, not 3 − 2.
    const pool = partition(10n, f, usage({ web: 1n, ml: 8n }));
    expect(pool.sharedFree).toBe(-2n);
    expect(available(pool, f.get('web'), 1n)).toBe(3n);
    expect(available(pool, undefined, 8n)).toBe(0n);
  });

  it('a limit of 0 allows nothing, whatever the pools hold', () => {
    const f = fences({ web: [null, 0n] });
    expect(available(partition(10n, f, usage({})), f.get('web'), 0n)).toBe(0n);
  });
});

describe('checkPartition', () => {
  it('an empty partition of an empty quantity is fine', () => {
    expect(checkPartition('gpus', 0n, new Map(), usage({}))).toEqual([]);
    expect(checkPartition('gpus', 0n, fences({ web: [0n, null] }), usage({}))).toEqual([]);
  });

  describe('I1: Σ G ≤ Q', () => {
    it('guarantees adding up to exactly the quantity are fine', () => {
      expect(checkPartition('servers', 10n, fences({ web: [4n, null], ml: [6n, null] }), usage({}))).toEqual([]);
    });

    it('one over is refused for the subject, with the other fences', () => {
      expect(checkPartition('servers', 10n, fences({ web: [4n, null], ml: [7n, null] }), usage({}), 'ml')).toEqual([
        { rule: 'I1', kind: 'servers', project: 'ml', requested: 7n, quantity: 10n, otherFences: 4n },
      ]);
      expect(checkPartition('servers', 10n, fences({ web: [4n, null], ml: [7n, null] }), usage({}), 'web')).toEqual([
        { rule: 'I1', kind: 'servers', project: 'web', requested: 4n, quantity: 10n, otherFences: 7n },
      ]);
    });

    it('without a subject it names the project with the largest guarantee (a quantity lowered under them)', () => {
      const f = fences({ web: [4n, null], ml: [6n, null], batch: [null, 3n] });
      expect(checkPartition('servers', 9n, f, usage({}))).toEqual([
        { rule: 'I1', kind: 'servers', project: 'ml', requested: 6n, quantity: 9n, otherFences: 4n },
      ]);
    });

    it('a subject without a guarantee (its fence removed) is reported with 0 requested', () => {
      expect(checkPartition('servers', 3n, fences({ web: [4n, null] }), usage({}), 'ml')).toEqual([
        { rule: 'I1', kind: 'servers', project: 'ml', requested: 0n, quantity: 3n, otherFences: 4n },
      ]);
    });

    it('limits do not count: only guarantees are ring-fenced', () => {
      expect(checkPartition('servers', 5n, fences({ web: [null, 5n], ml: [null, 5n] }), usage({}))).toEqual([]);
    });
  });

  describe('I2: Σ max(0, U − G) ≤ Q − Σ G', () => {
    const f = fences({ web: [4n, 10n] });

    it('an overflow filling the shared pool exactly is fine', () => {
      // Shared 6: web overflows by 2, ml (unfenced) uses 4.
      expect(checkPartition('servers', 10n, f, usage({ web: 6n, ml: 4n }))).toEqual([]);
    });

    it('one over is a violation with the shared numbers', () => {
      expect(checkPartition('servers', 10n, f, usage({ web: 6n, ml: 5n }))).toEqual([
        { rule: 'I2', kind: 'servers', sharedQuantity: 6n, sharedUsed: 7n },
      ]);
    });

    it('usage inside a guarantee is never shared use, even when the org total is exactly Q', () => {
      // web at 4 of 4, ml at 6 = the whole shared pool: Σ U = Q.
      expect(checkPartition('servers', 10n, f, usage({ web: 4n, ml: 6n }))).toEqual([]);
    });

    it('an unused guarantee is not available to others: Σ U < Q and still broken', () => {
      // ml uses 7 of the shared 6 while web's 4 sit idle: 7 < 10, yet I2 is broken.
      expect(checkPartition('servers', 10n, f, usage({ ml: 7n }))).toEqual([
        { rule: 'I2', kind: 'servers', sharedQuantity: 6n, sharedUsed: 7n },
      ]);
    });

    it('is not reported on top of I1 (the shared quantity is negative then anyway)', () => {
      expect(checkPartition('servers', 3n, fences({ web: [4n, null] }), usage({ ml: 1n }))).toEqual([
        { rule: 'I1', kind: 'servers', project: 'web', requested: 4n, quantity: 3n, otherFences: 0n },
      ]);
    });
  });

  describe('I3: U ≤ L', () => {
    it('usage exactly at the explicit limit is fine, one over is not', () => {
      const f = fences({ web: [2n, 5n] });
      expect(checkPartition('servers', 10n, f, usage({ web: 5n }))).toEqual([]);
      expect(checkPartition('servers', 10n, f, usage({ web: 6n }))).toEqual([
        { rule: 'I3', kind: 'servers', project: 'web', limit: 5n, used: 6n },
      ]);
    });

    it('the limit defaults to the guarantee', () => {
      const f = fences({ web: [4n, null] });
      expect(checkPartition('servers', 10n, f, usage({ web: 4n }))).toEqual([]);
      expect(checkPartition('servers', 10n, f, usage({ web: 5n }))).toEqual([
        { rule: 'I3', kind: 'servers', project: 'web', limit: 4n, used: 5n },
      ]);
    });

    it('a limit-only fence caps, and a limit of 0 allows nothing', () => {
      expect(checkPartition('servers', 10n, fences({ web: [null, 3n] }), usage({ web: 4n }))).toEqual([
        { rule: 'I3', kind: 'servers', project: 'web', limit: 3n, used: 4n },
      ]);
      expect(checkPartition('servers', 10n, fences({ web: [null, 0n] }), usage({ web: 0n }))).toEqual([]);
      expect(checkPartition('servers', 10n, fences({ web: [null, 0n] }), usage({ web: 1n }))).toEqual([
        { rule: 'I3', kind: 'servers', project: 'web', limit: 0n, used: 1n },
      ]);
    });

    it('an unfenced project, or a fence that sets nothing, has no limit', () => {
      expect(checkPartition('servers', 10n, fences({ web: [null, null] }), usage({ web: 10n, ml: 0n }))).toEqual([]);
    });
  });

  describe('several violations at once', () => {
    it('I2 and every I3, the projects in code-unit order', () => {
      const f = fences({ zeta: [1n, null], Alpha: [null, 2n], beta: [2n, 3n] });
      // Shared 10 − 3 = 7; overflow: zeta 2, Alpha 3, beta 2, web 1 = 8.
      expect(checkPartition('gpus', 10n, f, usage({ zeta: 3n, Alpha: 3n, beta: 4n, web: 1n }))).toEqual([
        { rule: 'I2', kind: 'gpus', sharedQuantity: 7n, sharedUsed: 8n },
        { rule: 'I3', kind: 'gpus', project: 'Alpha', limit: 2n, used: 3n },
        { rule: 'I3', kind: 'gpus', project: 'beta', limit: 3n, used: 4n },
        { rule: 'I3', kind: 'gpus', project: 'zeta', limit: 1n, used: 3n },
      ]);
    });

    it('I1 and I3 together', () => {
      const f = fences({ web: [4n, null], ml: [3n, 3n] });
      expect(checkPartition('gpus', 6n, f, usage({ web: 5n, ml: 1n }), 'ml')).toEqual([
        { rule: 'I1', kind: 'gpus', project: 'ml', requested: 3n, quantity: 6n, otherFences: 4n },
        { rule: 'I3', kind: 'gpus', project: 'web', limit: 4n, used: 5n },
      ]);
    });
  });
});

describe('fencesOf: spec.projects as stored', () => {
  const stored = (...fences: QuotaRecord['fences']): QuotaRecord => ({ ...quotaRecord(), fences });
  const fence = (project: string, kind: string, guaranteed: unknown, limit: unknown) => ({
    project,
    kind,
    guaranteed,
    limit,
  });

  it('is empty without a Quota object or without fences', () => {
    expect(fencesOf(null)).toEqual(new Map());
    expect(fencesOf(stored())).toEqual(new Map());
  });

  it('groups by kind, then project; quantities parse like any other (text, suffixes, numbers)', () => {
    const fences = fencesOf(
      stored(fence('web', 'servers', '4', '6'), fence('ml', 'servers', undefined, 3), fence('web', 'gpus', '1k', null)),
    );
    expect(fences).toEqual(
      new Map<string, Map<string, Fence>>([
        [
          'servers',
          new Map([
            ['web', { guaranteed: 4n, limit: 6n }],
            ['ml', { guaranteed: null, limit: 3n }],
          ]),
        ],
        ['gpus', new Map([['web', { guaranteed: 1000n, limit: null }]])],
      ]),
    );
  });

  it('an entry that sets neither is no fence', () => {
    expect(fencesOf(stored(fence('web', 'servers', null, undefined)))).toEqual(new Map());
  });

  it('the last entry of a project and kind wins', () => {
    const fences = fencesOf(stored(fence('web', 'servers', '4', null), fence('web', 'servers', '2', '5')));
    expect(fences.get('servers')).toEqual(new Map([['web', { guaranteed: 2n, limit: 5n }]]));
  });

  it('an unreadable limit caps at 0 (understating a limit can only refuse)', () => {
    expect(
      fencesOf(stored(fence('web', 'servers', '4', 'lots')))
        .get('servers')
        ?.get('web'),
    ).toEqual({
      guaranteed: 4n,
      limit: 0n,
    });
  });

  it('an unreadable guarantee reserves nothing, and the project stays capped (at 0, nothing readable)', () => {
    // "1.5" passes the CRD's quantity pattern, so kubectl can store it; it is no whole number. The
    // guarantee would also have been the project's cap (L defaults to G): losing it must not leave
    // the project uncapped.
    const web = fencesOf(stored(fence('web', 'servers', '1.5', null)))
      .get('servers')
      ?.get('web');
    expect(web?.guaranteed ?? null).toBeNull();
    expect(effectiveLimit(web)).toBe(0n);
  });
});

describe('usageByProject', () => {
  let counter = 0;
  const record = (
    projectId: string,
    items: [kind: string, committed: string, reserved: string][],
    options: { pending?: boolean; previous?: [string, string, string][] } = {},
  ): AllocationRecord => {
    counter += 1;
    const toItems = (list: [string, string, string][]) =>
      list.map(([kind, committed, reserved]) => ({ kind, committed, reserved }));
    return {
      id: `a-${counter}`,
      organizationId: 'org-1',
      projectId,
      namespace: `ns-${projectId}`,
      resourceKind: 'server',
      resourceId: `r-${counter}`,
      resourceVersion: String(counter),
      creationTimestamp: '2026-01-01T00:00:00Z',
      items: toItems(items),
      pending: options.pending ?? options.previous !== undefined,
      pendingSince: null,
      previousItems: options.previous ? toItems(options.previous) : null,
    };
  };

  it('sums committed + reserved by kind then project', () => {
    const usage = usageByProject([
      record('web', [
        ['servers', '2', '1'],
        ['gpus', '1', '0'],
      ]),
      record('web', [['servers', '1', '0']]),
      record('ml', [['servers', '0', '3']]),
    ]);
    expect(usage).toEqual(
      new Map([
        [
          'servers',
          new Map([
            ['web', 4n],
            ['ml', 3n],
          ]),
        ],
        ['gpus', new Map([['web', 1n]])],
      ]),
    );
  });

  it('counts pending changes like every usage sum: a create fully, an update as the larger of before and after', () => {
    const usage = usageByProject([
      record('web', [['servers', '2', '0']], { pending: true }),
      record('web', [['servers', '1', '0']], { previous: [['servers', '3', '0']] }),
      record('ml', [['servers', '5', '0']], { previous: [['servers', '3', '0']] }),
    ]);
    expect(usage.get('servers')).toEqual(
      new Map([
        ['web', 5n],
        ['ml', 5n],
      ]),
    );
  });
});
