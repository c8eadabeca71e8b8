import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalogue } from '../../src/domain/catalogue.js';
import type { QuotaRecord } from '../../src/domain/model.js';
import { MAX_SAFE_QUANTITY } from '../../src/domain/quantity.js';
import { decideSetQuota, type QuotaEntry } from '../../src/domain/quotaRules.js';
import { buildQuotaView, type Usage } from '../../src/domain/quotaView.js';
import { kindRecord, quotaRecord } from '../support/records.js';

const kind = kindRecord;
const quota = quotaRecord;

const catalogue = new Catalogue([kind('clusters', 2n), kind('gpus', 4n), kind('servers', 20n)]);

const usage = (...kinds: [string, bigint, bigint][]): Map<string, Usage> =>
  new Map(kinds.map(([kind, committed, reserved]) => [kind, { committed, reserved }]));

const req = (...entries: [string, bigint][]): QuotaEntry[] => entries.map(([kind, quantity]) => ({ kind, quantity }));

const decide = (stored: QuotaRecord | null, used: Map<string, Usage>, requested: QuotaEntry[]) =>
  decideSetQuota({ catalogue, stored, usage: used, requested });

describe('decideSetQuota: merge', () => {
  it('the first write of a default quota stores only the requested kinds', () => {
    expect(decide(null, usage(), req(['gpus', 8n]))).toEqual({ ok: true, entries: [{ kind: 'gpus', quantity: '8' }] });
  });

  it('changes the requested kinds, keeps the others, sorted by kind', () => {
    const stored = quota(['servers', '10'], ['gpus', '8'], ['clusters', '1k']);
    expect(decide(stored, usage(), req(['servers', 30n], ['clusters', 5n]))).toEqual({
      ok: true,
      entries: [
        { kind: 'clusters', quantity: '5' },
        { kind: 'gpus', quantity: '8' },
        { kind: 'servers', quantity: '30' },
      ],
    });
  });

  it('keeps other stored entries verbatim, even unparseable or uncatalogued ones', () => {
    const stored = quota(['widgets', '5'], ['servers', '500m'], ['clusters', '1Ki'], ['disks', 7]);
    expect(decide(stored, usage(), req(['gpus', 1n]))).toEqual({
      ok: true,
      entries: [
        { kind: 'clusters', quantity: '1Ki' },
        { kind: 'disks', quantity: '7' },
        { kind: 'gpus', quantity: '1' },
        { kind: 'servers', quantity: '500m' },
        { kind: 'widgets', quantity: '5' },
      ],
    });
  });

  it('keeps schema-invalid stored values as text that still fails to parse', () => {
    const stored = quota(['a', null], ['b', undefined], ['c', { value: 1 }], ['d', true]);
    const decision = decide(stored, usage(), []);
    expect(decision).toEqual({
      ok: true,
      entries: [
        { kind: 'a', quantity: '' },
        { kind: 'b', quantity: '' },
        { kind: 'c', quantity: '{"value":1}' },
        { kind: 'd', quantity: 'true' },
      ],
    });
  });

  it('replaces every duplicate of a requested kind and keeps unrequested duplicates in order', () => {
    const stored = quota(['gpus', '8'], ['servers', '3'], ['gpus', '6'], ['servers', '5']);
    expect(decide(stored, usage(), req(['gpus', 9n]))).toEqual({
      ok: true,
      entries: [
        { kind: 'gpus', quantity: '9' },
        { kind: 'servers', quantity: '3' },
        { kind: 'servers', quantity: '5' },
      ],
    });
  });

  it('an empty request keeps the stored entries', () => {
    expect(decide(quota(['gpus', '8']), usage(), [])).toEqual({ ok: true, entries: [{ kind: 'gpus', quantity: '8' }] });
    expect(decide(null, usage(), [])).toEqual({ ok: true, entries: [] });
  });

  it('writes 2^53−1 and refuses 2^53 as a caller bug', () => {
    expect(decide(null, usage(), req(['gpus', MAX_SAFE_QUANTITY]))).toEqual({
      ok: true,
      entries: [{ kind: 'gpus', quantity: '9007199254740991' }],
    });
    expect(() => decide(null, usage(), req(['gpus', MAX_SAFE_QUANTITY + 1n]))).toThrow(RangeError);
    expect(() => decide(null, usage(), req(['gpus', -1n]))).toThrow(RangeError);
  });
});

describe('decideSetQuota: UnknownQuotaKind', () => {
  it('lists every uncatalogued requested kind, sorted', () => {
    expect(decide(null, usage(), req(['zeta', 1n], ['gpus', 1n], ['alpha', 1n]))).toEqual({
      ok: false,
      reason: 'UnknownQuotaKind',
      kinds: ['alpha', 'zeta'],
    });
  });

  it('comes before QuotaBelowUsage', () => {
    const decision = decide(null, usage(['gpus', 4n, 0n]), req(['gpus', 0n], ['widgets', 1n]));
    expect(decision).toEqual({ ok: false, reason: 'UnknownQuotaKind', kinds: ['widgets'] });
  });

  it('an uncatalogued stored kind may not be requested either', () => {
    expect(decide(quota(['widgets', '5']), usage(), req(['widgets', 6n]))).toMatchObject({
      reason: 'UnknownQuotaKind',
    });
  });
});

describe('decideSetQuota: QuotaBelowUsage', () => {
  const used = usage(['gpus', 5n, 3n]);

  it('allows exactly the usage', () => {
    expect(decide(quota(['gpus', '10']), used, req(['gpus', 8n]))).toEqual({
      ok: true,
      entries: [{ kind: 'gpus', quantity: '8' }],
    });
  });

  it('refuses one below the usage, with the numbers', () => {
    expect(decide(quota(['gpus', '10']), used, req(['gpus', 7n]))).toEqual({
      ok: false,
      reason: 'QuotaBelowUsage',
      violations: [{ kind: 'gpus', requested: 7n, committed: 5n, reserved: 3n }],
    });
  });

  it('checks a default quantity as the current one (the first write is checked like any other)', () => {
    const defaultUsed = usage(['servers', 15n, 0n]);
    expect(decide(null, defaultUsed, req(['servers', 14n]))).toMatchObject({ ok: false, reason: 'QuotaBelowUsage' });
    expect(decide(null, defaultUsed, req(['servers', 15n]))).toMatchObject({ ok: true });
    expect(decide(quota(['gpus', '1']), defaultUsed, req(['servers', 14n]))).toMatchObject({ ok: false });
  });

  it('lists every violating kind, sorted', () => {
    const decision = decide(
      null,
      usage(['servers', 10n, 0n], ['clusters', 1n, 1n], ['gpus', 1n, 0n]),
      req(['servers', 9n], ['gpus', 1n], ['clusters', 1n]),
    );
    expect(decision).toEqual({
      ok: false,
      reason: 'QuotaBelowUsage',
      violations: [
        { kind: 'clusters', requested: 1n, committed: 1n, reserved: 1n },
        { kind: 'servers', requested: 9n, committed: 10n, reserved: 0n },
      ],
    });
  });

  it('counts reserved usage, not just committed', () => {
    expect(decide(null, usage(['gpus', 0n, 3n]), req(['gpus', 2n]))).toMatchObject({ reason: 'QuotaBelowUsage' });
  });

  describe('drift (a kind already overcommitted)', () => {
    const drifted = quota(['gpus', '4']);
    const over = usage(['gpus', 6n, 0n]);

    it('may be raised while still below usage', () => {
      expect(decide(drifted, over, req(['gpus', 5n]))).toEqual({
        ok: true,
        entries: [{ kind: 'gpus', quantity: '5' }],
      });
    });

    it('may be left equal', () => {
      expect(decide(drifted, over, req(['gpus', 4n]))).toMatchObject({ ok: true });
    });

    it('may not be lowered further', () => {
      expect(decide(drifted, over, req(['gpus', 3n]))).toEqual({
        ok: false,
        reason: 'QuotaBelowUsage',
        violations: [{ kind: 'gpus', requested: 3n, committed: 6n, reserved: 0n }],
      });
    });

    it('does not block changes to other kinds', () => {
      expect(decide(drifted, over, req(['servers', 1n]))).toEqual({
        ok: true,
        entries: [
          { kind: 'gpus', quantity: '4' },
          { kind: 'servers', quantity: '1' },
        ],
      });
    });

    it('an unparseable stored value counts as 0, so any new value is a raise', () => {
      expect(decide(quota(['gpus', '500m']), over, req(['gpus', 1n]))).toEqual({
        ok: true,
        entries: [{ kind: 'gpus', quantity: '1' }],
      });
    });
  });
});

describe('decideSetQuota: bad input', () => {
  it('throws on duplicate requested kinds, before anything else', () => {
    expect(() => decide(null, usage(), req(['gpus', 1n], ['gpus', 2n]))).toThrow(/"gpus" is requested more than once/);
    expect(() => decide(null, usage(), req(['nope', 1n], ['nope', 1n]))).toThrow(Error);
  });
});

describe('decideSetQuota: the capacity invariant (property)', () => {
  const kinds = catalogue.kinds.map((k) => k.name);
  const amount = fc.bigInt({ min: 0n, max: 50n });
  const state = fc.record({
    stored: fc.option(
      fc.array(
        fc.tuple(fc.constantFrom(...kinds), amount).map(([k, q]): [string, unknown] => [k, String(q)]),
        { maxLength: 4 },
      ),
    ),
    usage: fc.array(fc.tuple(fc.constantFrom(...kinds), amount, amount), { maxLength: 3 }),
    requested: fc.uniqueArray(fc.tuple(fc.constantFrom(...kinds), amount), { selector: ([k]) => k, maxLength: 3 }),
  });

  it('refuses exactly the requested decreases below usage; an accepted write changes only the requested kinds', () => {
    fc.assert(
      fc.property(state, (s) => {
        const stored = s.stored === null ? null : quota(...s.stored);
        const used = usage(...s.usage);
        const usedOf = (k: string) => (used.get(k)?.committed ?? 0n) + (used.get(k)?.reserved ?? 0n);
        const quantities = (q: QuotaRecord | null) =>
          new Map(
            buildQuotaView({ organizationId: 'org-1', catalogue, quota: q, allocations: [] }).items.map((item) => [
              item.kind,
              item.quantity,
            ]),
          );
        const before = quantities(stored);
        const lowersBelowUsage = ([k, q]: [string, bigint]) => q < usedOf(k) && q < (before.get(k) ?? 0n);
        const decision = decideSetQuota({ catalogue, stored, usage: used, requested: req(...s.requested) });

        const refused = s.requested.filter(lowersBelowUsage).map(([k]) => k);
        if (refused.length > 0) {
          return (
            !decision.ok &&
            decision.reason === 'QuotaBelowUsage' &&
            decision.violations.map((v) => v.kind).join() === refused.sort().join()
          );
        }
        if (!decision.ok) return false;
        const after = quantities({ ...(stored ?? quota()), entries: decision.entries });
        // In particular a kind that fitted its quantity before still fits after.
        return catalogue.kinds.every(({ name }) => {
          const requested = s.requested.find(([k]) => k === name);
          const fittedBefore = usedOf(name) <= (before.get(name) ?? 0n);
          const fitsAfter = usedOf(name) <= (after.get(name) ?? 0n);
          return after.get(name) === (requested ? requested[1] : before.get(name)) && (!fittedBefore || fitsAfter);
        });
      }),
      { numRuns: 500 },
    );
  });
});
