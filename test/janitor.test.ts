/**
 * The janitor (DESIGN §5) on both stores: pending allocations older than the TTL are re-decided
 * with the protocol's steps 2–5 (admitted if they fit, rolled back otherwise), younger ones are
 * left alone, and several janitors at once (replicas) do every piece of work exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Admission } from '../src/domain/admission.js';
import { markedAt, runJanitorOnce, startJanitor } from '../src/domain/janitor.js';
import {
  ADMISSION_PENDING,
  ANNOTATION_PENDING_SINCE,
  ANNOTATION_PREVIOUS_SPEC,
  LABEL_ADMISSION,
} from '../src/domain/labels.js';
import { type AllocationRecord, readAllocation } from '../src/domain/model.js';
import { createLogger } from '../src/log.js';
import { isStoreError, type ObjectStore, type StoredObject, StoreError } from '../src/store/types.js';
import {
  allocation,
  IDENTITY_NAMESPACE,
  organization,
  project,
  projectNamespace,
  quota,
  quotaMetadata,
} from './support/objects.js';
import { storeFactories, type TestStore } from './support/stores.js';

const TTL_MS = 30_000;
const OLD = () => new Date(Date.now() - 60_000).toISOString();
const YOUNG = () => new Date().toISOString();

/** An allocation as a gateway leaves it after step 1: labelled pending, maybe with the spec it replaces. */
function pending(
  org: string,
  name: string,
  servers: number,
  options: { since?: string | null; previousServers?: number; projectId?: string } = {},
): StoredObject {
  const object = allocation(org, options.projectId ?? 'web', name, { servers: { committed: servers, reserved: 0 } });
  const annotations: Record<string, string> = {};
  if (options.since !== null) annotations[ANNOTATION_PENDING_SINCE] = options.since ?? OLD();
  if (options.previousServers !== undefined) {
    annotations[ANNOTATION_PREVIOUS_SPEC] = JSON.stringify({
      allocations: [{ kind: 'servers', committed: String(options.previousServers), reserved: '0' }],
    });
  }
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [LABEL_ADMISSION]: ADMISSION_PENDING },
      annotations,
    },
  };
}

/** Organizations with a Quota of `servers` and one project `web` each. */
function organizations(quotas: Record<string, number>): StoredObject[] {
  return [
    quotaMetadata('servers', 100),
    ...Object.entries(quotas).flatMap(([org, servers]) => [
      organization(org),
      quota(org, { servers }),
      project(org, 'web'),
    ]),
  ];
}

async function find(store: ObjectStore, org: string, name: string): Promise<AllocationRecord | null> {
  try {
    return readAllocation(await store.get('Allocation', projectNamespace(org, 'web'), name));
  } catch (error) {
    if (isStoreError(error, 'NotFound')) return null;
    throw error;
  }
}

const servers = (record: AllocationRecord | null) =>
  record?.items.filter((i) => i.kind === 'servers').map((i) => String(i.committed));

describe.each(Object.keys(storeFactories))('janitor on %s', (storeName) => {
  let testStore: TestStore;
  let store: ObjectStore;

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    store = testStore.store;
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('admits what fits, rolls back what does not, and leaves young marks alone', async () => {
    await testStore.seed([
      ...organizations({ fits: 5, over: 5, update: 3, young: 1 }),
      pending('fits', 'a', 2),
      pending('over', 'b', 10),
      // A pending update from 1 to 4 servers, with 3 allowed: restored to 1.
      pending('update', 'c', 4, { previousServers: 1 }),
      // A pending update that fits: 1 → 3 of 3.
      pending('fits', 'd', 3, { previousServers: 1 }),
      // Young: its writer may still be deciding it, even though it does not fit.
      pending('young', 'e', 9, { since: YOUNG() }),
    ]);

    const round = await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS });
    expect(round).toEqual({ admitted: 2, rolledBack: 2, left: 0 });

    const a = await find(store, 'fits', 'a');
    expect(a?.pending).toBe(false);
    expect(servers(a)).toEqual(['2']);
    const d = await find(store, 'fits', 'd');
    expect(d?.pending).toBe(false);
    expect(servers(d)).toEqual(['3']);
    expect(await find(store, 'over', 'b')).toBeNull();
    const c = await find(store, 'update', 'c');
    expect(c?.pending).toBe(false);
    expect(servers(c)).toEqual(['1']);
    expect(await find(store, 'young', 'e')).toMatchObject({ pending: true });

    // Every mark is gone from what was settled, not just the label.
    for (const [org, name] of [
      ['fits', 'a'],
      ['fits', 'd'],
      ['update', 'c'],
    ] as const) {
      const object = await store.get('Allocation', projectNamespace(org, 'web'), name);
      expect(object.metadata.labels?.[LABEL_ADMISSION]).toBeUndefined();
      expect(object.metadata.annotations?.[ANNOTATION_PENDING_SINCE]).toBeUndefined();
      expect(object.metadata.annotations?.[ANNOTATION_PREVIOUS_SPEC]).toBeUndefined();
    }

    // Nothing left to do for this TTL; with TTL 0 the young one is decided (and does not fit).
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS })).toEqual({
      admitted: 0,
      rolledBack: 0,
      left: 0,
    });
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: 0 })).toEqual({
      admitted: 0,
      rolledBack: 1,
      left: 0,
    });
    expect(await find(store, 'young', 'e')).toBeNull();
  });

  it('falls back to the creation time when pending-since is missing or unreadable', async () => {
    await testStore.seed([
      ...organizations({ acme: 10 }),
      pending('acme', 'no-annotation', 1, { since: null }),
      pending('acme', 'garbage', 1, { since: 'yesterday-ish' }),
    ]);
    const stored = await store.list('Allocation', { labelSelector: LABEL_ADMISSION });
    for (const record of stored.items.map(readAllocation)) {
      expect(markedAt(record)).toBe(Date.parse(record.creationTimestamp));
    }
    // Created just now: young for a 30 s TTL, old for a 0 s one.
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS })).toEqual({
      admitted: 0,
      rolledBack: 0,
      left: 0,
    });
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: 0 })).toEqual({
      admitted: 2,
      rolledBack: 0,
      left: 0,
    });
  });

  it('counts pending allocations as usage while deciding: two that fit only one at a time', async () => {
    // Each fits alone, not both: every decision sees the other pending (contention), and no writer
    // is left to roll either back. The younger is rolled back, then the older is admitted.
    await testStore.seed([
      ...organizations({ acme: 5 }),
      pending('acme', 'older', 3, { since: new Date(Date.now() - 90_000).toISOString() }),
      pending('acme', 'younger', 3, { since: new Date(Date.now() - 60_000).toISOString() }),
    ]);
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS })).toEqual({
      admitted: 1,
      rolledBack: 1,
      left: 0,
    });
    expect(await find(store, 'acme', 'older')).toMatchObject({ pending: false });
    expect(await find(store, 'acme', 'younger')).toBeNull();
  });

  it('leaves a stale allocation contended by a live writer’s pending one for the next round', async () => {
    await testStore.seed([
      ...organizations({ acme: 5 }),
      pending('acme', 'stale', 3),
      // A writer is deciding this one right now: it is not the janitor's to roll back.
      pending('acme', 'live', 3, { since: YOUNG() }),
    ]);
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS })).toEqual({
      admitted: 0,
      rolledBack: 0,
      left: 1,
    });
    expect(await find(store, 'acme', 'stale')).toMatchObject({ pending: true });
    expect(await find(store, 'acme', 'live')).toMatchObject({ pending: true });
  });

  it('leaves (and reports) the allocations of an organization that does not exist', async () => {
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    await testStore.seed([...organizations({ acme: 5 }), pending('ghost', 'orphan', 1), pending('acme', 'ok', 1)]);
    expect(await runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS, log })).toEqual({
      admitted: 1,
      rolledBack: 0,
      left: 1,
    });
    expect(await find(store, 'ghost', 'orphan')).toMatchObject({ pending: true });
    const warning = JSON.parse(lines.find((l) => l.includes('ghost'))!) as Record<string, unknown>;
    expect(warning).toMatchObject({ level: 'warn', organizationId: 'ghost' });
  });

  it('is idempotent with several janitors at once: each piece of work is done exactly once', async () => {
    // Per organization: 4 allocations of 2 servers with 5 allowed. Oldest first, two fit.
    const orgs = ['o1', 'o2', 'o3'];
    const base = Date.now() - 120_000;
    await testStore.seed([
      ...organizations(Object.fromEntries(orgs.map((o) => [o, 5]))),
      ...orgs.flatMap((org) =>
        [0, 1, 2, 3].map((i) => pending(org, `a${i}`, 2, { since: new Date(base + i * 1000).toISOString() })),
      ),
    ]);

    // Replicas: each with its own Admission (its own per-organization queue), racing.
    const rounds = await Promise.all(
      [1, 2, 3].map(() =>
        runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE, { backoff: { baseMs: 1, maxMs: 5 } }), {
          ttlMs: TTL_MS,
        }),
      ),
    );
    const total = rounds.reduce((a, r) => ({
      admitted: a.admitted + r.admitted,
      rolledBack: a.rolledBack + r.rolledBack,
      left: a.left + r.left,
    }));
    // Whatever the interleaving: nothing pending remains, no quota is exceeded, and no allocation
    // was admitted or rolled back twice.
    const stored = (await store.list('Allocation')).items.map(readAllocation);
    expect(stored.filter((a) => a.pending)).toEqual([]);
    for (const org of orgs) {
      const mine = stored.filter((a) => a.organizationId === org);
      expect(mine.length * 2).toBeLessThanOrEqual(5);
    }
    expect(total.admitted).toBe(stored.length);
    expect(total.rolledBack).toBe(orgs.length * 4 - stored.length);
    // Contention between replicas may leave nothing undone here (all resolved): left counts only
    // allocations still pending, and there are none.
    expect(total.left).toBeLessThanOrEqual(orgs.length * 4);

    // A second round of all three finds nothing.
    const again = await Promise.all(
      [1, 2, 3].map(() => runJanitorOnce(new Admission(store, IDENTITY_NAMESPACE), { ttlMs: TTL_MS })),
    );
    expect(again).toEqual([0, 1, 2].map(() => ({ admitted: 0, rolledBack: 0, left: 0 })));
  });

  it('never touches a version it did not decide: a change made during the decision wins', async () => {
    await testStore.seed([...organizations({ acme: 5 }), pending('acme', 'a', 2)]);
    const ns = projectNamespace('acme', 'web');
    // While the janitor decides (after its list), the allocation's writer re-marks it as a new,
    // bigger pending update: the janitor decided the old version and must leave the new one alone.
    const admission = new Admission(store, IDENTITY_NAMESPACE, {
      hook: async (step) => {
        if (step !== 'listed') return;
        const current = await store.get('Allocation', ns, 'a');
        await store.update({
          ...current,
          metadata: {
            ...current.metadata,
            annotations: { ...current.metadata.annotations, [ANNOTATION_PENDING_SINCE]: YOUNG() },
          },
          spec: { allocations: [{ kind: 'servers', committed: '9', reserved: '0' }] },
        });
      },
    });
    expect(await runJanitorOnce(admission, { ttlMs: TTL_MS })).toEqual({ admitted: 0, rolledBack: 0, left: 0 });
    const a = await find(store, 'acme', 'a');
    expect(a).toMatchObject({ pending: true });
    expect(servers(a)).toEqual(['9']);
  });
});

describe('startJanitor', () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await storeFactories.sqlite!();
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('runs rounds, logs the ones that did something, survives store errors, and stops', async () => {
    await testStore.seed([...organizations({ acme: 5 }), pending('acme', 'a', 2)]);
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    // The first two lists fail as an unreachable store would.
    let failures = 2;
    const real = testStore.store;
    const flaky: ObjectStore = {
      get: (...args) => real.get(...args),
      create: (object) => real.create(object),
      update: (object) => real.update(object),
      delete: (...args) => real.delete(...args),
      watch: (...args) => real.watch(...args),
      apply: (objects) => real.apply(objects),
      ping: () => real.ping(),
      close: () => real.close(),
      list: async (kind, options) => {
        if (kind === 'Allocation' && options?.labelSelector?.startsWith(LABEL_ADMISSION) && failures-- > 0) {
          throw new StoreError('Unavailable', 'the store is down');
        }
        return real.list(kind, options);
      },
    };
    const janitor = startJanitor(new Admission(flaky, IDENTITY_NAMESPACE), { ttlMs: TTL_MS, intervalMs: 20, log });
    await expect.poll(() => lines.find((l) => l.message === 'janitor round'), { timeout: 5_000 }).toBeTruthy();
    await janitor.stop();

    expect(lines.filter((l) => l.message === 'janitor round failed; retrying next round')).toHaveLength(2);
    expect(lines.find((l) => l.message === 'janitor round failed; retrying next round')).toMatchObject({
      level: 'error',
      error: 'the store is down',
    });
    expect(lines.filter((l) => l.message === 'janitor round')).toEqual([
      expect.objectContaining({ level: 'info', admitted: 1, rolledBack: 0, left: 0 }),
    ]);
    expect(await find(testStore.store, 'acme', 'a')).toMatchObject({ pending: false });

    // Stopped: no more rounds (a new stale allocation stays as it is).
    const count = lines.length;
    await testStore.store.create(pending('acme', 'b', 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.length).toBe(count);
    expect(await find(testStore.store, 'acme', 'b')).toMatchObject({ pending: true });
  });
});
