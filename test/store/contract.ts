/**
 * The ObjectStore contract: Kubernetes semantics that every adapter must show, run unchanged
 * against the sqlite file store and (later) a real cluster.
 *
 * Cluster-safe by construction: every test works inside the fixture's two namespaces, and
 * cluster-wide reads are narrowed to those namespaces before asserting, so objects that other
 * tenants keep elsewhere in a real cluster do not disturb it. The objects follow the shapes of
 * the unikorn CRDs (Quota.spec.quotas, Allocation.spec.allocations) so a schema-validating API
 * server accepts them. Status is not exercised here because a CRD with a status subresource
 * ignores status on update.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  type ObjectKind,
  type ObjectStore,
  type StoredObject,
  StoreError,
  type StoreErrorReason,
  type WatchEvent,
  type WatchOptions,
} from '../../src/store/types.js';

export interface StoreFixture {
  store: ObjectStore;
  /** Two distinct, initially empty namespaces the tests may write to. */
  namespaces: [string, string];
  /** Removes everything the fixture created (and closes the store). */
  cleanup(): Promise<void>;
  /** Drops the store's change history so that older versions answer Expired; optional. */
  expireHistory?(): Promise<void>;
}

const ORG = 'unikorn-cloud.org/organization';
const TIER = 'contract.quotagraph.dev/tier';
const WATCH_TIMEOUT_MS = 5_000;

type Labels = Record<string, string>;

function quota(namespace: string, name: string, labels: Labels = {}, quantity = 0): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Quota',
    metadata: { name, namespace, labels },
    spec: { quotas: [{ kind: 'servers', quantity }] },
  };
}

function allocation(namespace: string, name: string, labels: Labels = {}): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Allocation',
    metadata: { name, namespace, labels },
    spec: { allocations: [{ kind: 'servers', committed: 1, reserved: 0 }] },
  };
}

const quantityOf = (object: StoredObject): number =>
  (object.spec as { quotas: { quantity: number }[] }).quotas[0]!.quantity;

const withQuantity = (object: StoredObject, quantity: number): StoredObject => ({
  ...object,
  spec: { quotas: [{ kind: 'servers', quantity }] },
});

const rv = (object: StoredObject): bigint => BigInt(object.metadata.resourceVersion ?? '');

/** Awaits `promise`, expecting it to reject with a StoreError of `reason`; returns that error. */
async function expectStoreError(promise: Promise<unknown>, reason: StoreErrorReason): Promise<StoreError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) {
    expect.fail(`expected StoreError ${reason}, but the call succeeded with ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(StoreError);
  expect((outcome.error as StoreError).reason).toBe(reason);
  return outcome.error as StoreError;
}

/**
 * Reads a watch until `count` events (that `keep` accepts) arrived, or gives up after a timeout
 * (then the caller's assertion on the events fails); always aborts the watch afterwards.
 */
async function watchEvents(
  store: ObjectStore,
  kind: ObjectKind,
  fromResourceVersion: string,
  count: number,
  options: Omit<WatchOptions, 'signal'> = {},
  keep: (event: WatchEvent) => boolean = () => true,
): Promise<WatchEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), WATCH_TIMEOUT_MS);
  const events: WatchEvent[] = [];
  try {
    for await (const event of store.watch(kind, fromResourceVersion, { ...options, signal: controller.signal })) {
      if (keep(event)) events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

/** [type, name, resourceVersion] of each event: compact to compare and to read in a failure. */
const summary = (events: WatchEvent[]) =>
  events.map((event) => [event.type, event.object.metadata.name, event.object.metadata.resourceVersion]);

const names = (objects: StoredObject[]) => objects.map((object) => object.metadata.name);

export function describeStoreContract(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: ObjectStore;
    let ns1: string;
    let ns2: string;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      [ns1, ns2] = fixture.namespaces;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Only what lives in the fixture's namespaces (a real cluster has other tenants). */
    const ours = (objects: StoredObject[]) =>
      objects.filter((object) => object.metadata.namespace === ns1 || object.metadata.namespace === ns2);

    describe('create and get', () => {
      it('sets resourceVersion, uid and creationTimestamp, and get returns the stored object', async () => {
        const before = Date.now();
        const created = await store.create(quota(ns1, 'acme', { [ORG]: 'acme' }, 40));

        expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
        expect(created.metadata.uid).toEqual(expect.any(String));
        expect(created.metadata.uid).not.toBe('');
        expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        const createdAt = Date.parse(created.metadata.creationTimestamp!);
        expect(Math.abs(createdAt - before)).toBeLessThan(5 * 60_000);
        expect(created).toMatchObject({
          apiVersion: API_VERSION,
          kind: 'Quota',
          metadata: { name: 'acme', namespace: ns1, labels: { [ORG]: 'acme' } },
          spec: { quotas: [{ kind: 'servers', quantity: 40 }] },
        });
        expect(await store.get('Quota', ns1, 'acme')).toEqual(created);
      });

      it('returns independent copies: mutating inputs or results never changes the store', async () => {
        const input = quota(ns1, 'acme', { [ORG]: 'acme' }, 40);
        const created = await store.create(input);
        const snapshot = structuredClone(created);

        input.metadata.labels![ORG] = 'mutated-input';
        created.metadata.labels![ORG] = 'mutated-result';
        (created.spec as { quotas: unknown[] }).quotas.push({ kind: 'gpus', quantity: 1 });
        const fetched = await store.get('Quota', ns1, 'acme');
        fetched.metadata.name = 'mutated';
        const listed = await store.list('Quota', { namespace: ns1 });
        listed.items[0]!.spec = {};

        expect(await store.get('Quota', ns1, 'acme')).toEqual(snapshot);
      });

      it('refuses to create a name that is taken with AlreadyExists, keeping the original', async () => {
        const original = await store.create(quota(ns1, 'acme', {}, 1));
        await expectStoreError(store.create(quota(ns1, 'acme', {}, 2)), 'AlreadyExists');
        expect(await store.get('Quota', ns1, 'acme')).toEqual(original);
      });

      it('allows the same name in another namespace and for another kind', async () => {
        await store.create(quota(ns1, 'acme'));
        await store.create(quota(ns2, 'acme'));
        await store.create(allocation(ns1, 'acme'));
        expect((await store.get('Allocation', ns1, 'acme')).kind).toBe('Allocation');
        expect((await store.get('Quota', ns2, 'acme')).metadata.namespace).toBe(ns2);
      });

      it('refuses a create that carries a resourceVersion with Invalid', async () => {
        const object = quota(ns1, 'acme');
        object.metadata.resourceVersion = '1';
        await expectStoreError(store.create(object), 'Invalid');
        await expectStoreError(store.get('Quota', ns1, 'acme'), 'NotFound');
      });

      it('answers NotFound for a missing object, namespace or kind', async () => {
        await store.create(quota(ns1, 'acme'));
        await expectStoreError(store.get('Quota', ns1, 'missing'), 'NotFound');
        await expectStoreError(store.get('Quota', ns2, 'acme'), 'NotFound');
        await expectStoreError(store.get('Allocation', ns1, 'acme'), 'NotFound');
      });
    });

    describe('update (compare-and-swap on resourceVersion)', () => {
      it('writes with the current version: new higher version, same uid and creationTimestamp', async () => {
        const created = await store.create(quota(ns1, 'acme', { [ORG]: 'acme' }, 1));
        const updated = await store.update(withQuantity(created, 2));

        expect(rv(updated)).toBeGreaterThan(rv(created));
        expect(updated.metadata.uid).toBe(created.metadata.uid);
        expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
        expect(quantityOf(updated)).toBe(2);
        expect(await store.get('Quota', ns1, 'acme')).toEqual(updated);
      });

      it('replaces labels and annotations', async () => {
        const created = await store.create({
          ...quota(ns1, 'acme', { [ORG]: 'acme', [TIER]: 'gold' }),
          metadata: {
            name: 'acme',
            namespace: ns1,
            labels: { [ORG]: 'acme', [TIER]: 'gold' },
            annotations: { a: '1' },
          },
        });
        const updated = await store.update({
          ...created,
          metadata: { ...created.metadata, labels: { [ORG]: 'acme' }, annotations: { b: '2' } },
        });
        expect(updated.metadata.labels).toEqual({ [ORG]: 'acme' });
        expect(updated.metadata.annotations).toEqual({ b: '2' });
        expect(names((await store.list('Quota', { namespace: ns1, labelSelector: TIER })).items)).toEqual([]);
      });

      it('keeps the version when nothing changes (a no-op update, as Kubernetes)', async () => {
        const created = await store.create(quota(ns1, 'acme', { [ORG]: 'acme' }, 1));
        const again = await store.update(structuredClone(created));
        expect(again.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      });

      it('refuses a stale version with Conflict and leaves the object as it was', async () => {
        const created = await store.create(quota(ns1, 'acme', {}, 1));
        const current = await store.update(withQuantity(created, 2));

        const error = await expectStoreError(store.update(withQuantity(created, 3)), 'Conflict');
        expect(error.message).toContain('acme');
        expect(await store.get('Quota', ns1, 'acme')).toEqual(current);
      });

      it('answers NotFound for a missing object, also after a delete', async () => {
        const created = await store.create(quota(ns1, 'acme'));
        await expectStoreError(
          store.update({ ...quota(ns1, 'ghost'), metadata: { ...created.metadata, name: 'ghost' } }),
          'NotFound',
        );
        await store.delete('Quota', ns1, 'acme');
        await expectStoreError(store.update(withQuantity(created, 5)), 'NotFound');
      });

      it('refuses an update without resourceVersion with Invalid', async () => {
        const created = await store.create(quota(ns1, 'acme', {}, 1));
        await expectStoreError(store.update(quota(ns1, 'acme', {}, 9)), 'Invalid');
        expect(await store.get('Quota', ns1, 'acme')).toEqual(created);
      });
    });

    describe('delete', () => {
      it('removes the object from get and list', async () => {
        await store.create(quota(ns1, 'acme'));
        await store.create(quota(ns1, 'other'));
        await store.delete('Quota', ns1, 'acme');
        await expectStoreError(store.get('Quota', ns1, 'acme'), 'NotFound');
        expect(names((await store.list('Quota', { namespace: ns1 })).items)).toEqual(['other']);
      });

      it('honours a resourceVersion precondition: Conflict when stale, object still there', async () => {
        const created = await store.create(quota(ns1, 'acme', {}, 1));
        const updated = await store.update(withQuantity(created, 2));

        await expectStoreError(
          store.delete('Quota', ns1, 'acme', { resourceVersion: created.metadata.resourceVersion! }),
          'Conflict',
        );
        expect(await store.get('Quota', ns1, 'acme')).toEqual(updated);
        await store.delete('Quota', ns1, 'acme', { resourceVersion: updated.metadata.resourceVersion! });
        await expectStoreError(store.get('Quota', ns1, 'acme'), 'NotFound');
      });

      it('answers NotFound for a missing object', async () => {
        await expectStoreError(store.delete('Quota', ns1, 'missing'), 'NotFound');
      });

      it('lets the name be created again, as a new object', async () => {
        const first = await store.create(quota(ns1, 'acme'));
        await store.delete('Quota', ns1, 'acme');
        const second = await store.create(quota(ns1, 'acme'));
        expect(second.metadata.uid).not.toBe(first.metadata.uid);
        expect(rv(second)).toBeGreaterThan(rv(first));
      });
    });

    describe('list', () => {
      it('lists one namespace or all of them, sorted by namespace then name', async () => {
        await store.create(quota(ns2, 'b'));
        await store.create(quota(ns1, 'c'));
        await store.create(quota(ns1, 'a'));
        await store.create(quota(ns2, 'a'));
        await store.create(allocation(ns1, 'z'));

        expect(names((await store.list('Quota', { namespace: ns1 })).items)).toEqual(['a', 'c']);
        expect(names((await store.list('Quota', { namespace: ns2 })).items)).toEqual(['a', 'b']);
        const everywhere = ours((await store.list('Quota')).items);
        const inNs1 = [`${ns1}/a`, `${ns1}/c`];
        const inNs2 = [`${ns2}/a`, `${ns2}/b`];
        expect(everywhere.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(
          ns1 < ns2 ? [...inNs1, ...inNs2] : [...inNs2, ...inNs1],
        );
      });

      it('returns no items (not an error) when nothing matches', async () => {
        const list = await store.list('Allocation', { namespace: ns1 });
        expect(list.items).toEqual([]);
        expect(list.resourceVersion).toMatch(/^\d+$/);
      });

      it('has a resourceVersion at least that of every item, which grows after a write', async () => {
        await store.create(quota(ns1, 'a'));
        const b = await store.create(quota(ns1, 'b'));
        const first = await store.list('Quota', { namespace: ns1 });
        for (const item of first.items) {
          expect(BigInt(first.resourceVersion)).toBeGreaterThanOrEqual(rv(item));
        }
        await store.update(withQuantity(b, 7));
        const second = await store.list('Quota', { namespace: ns1 });
        expect(BigInt(second.resourceVersion)).toBeGreaterThan(BigInt(first.resourceVersion));
        expect(quantityOf(second.items[1]!)).toBe(7);
      });
    });

    describe('label selectors', () => {
      const seed = async () => {
        await store.create(quota(ns1, 'a', { [ORG]: 'o1', [TIER]: 'gold' }));
        await store.create(quota(ns1, 'b', { [ORG]: 'o2', [TIER]: 'silver' }));
        await store.create(quota(ns1, 'c', { [ORG]: 'o3' }));
        await store.create(quota(ns1, 'd'));
        await store.create(quota(ns2, 'e', { [ORG]: 'o1' }));
      };

      it('supports every operator with Kubernetes semantics', async () => {
        await seed();
        const cases: [string, string[]][] = [
          ['', ['a', 'b', 'c', 'd']],
          [`${ORG}=o1`, ['a']],
          [`${ORG}==o1`, ['a']],
          [` ${ORG} = o1 `, ['a']],
          // != and notin also select objects that do not carry the label at all.
          [`${ORG}!=o1`, ['b', 'c', 'd']],
          [`${ORG} in (o1,o2)`, ['a', 'b']],
          [`${ORG} in ( o1 , o3 , o9 )`, ['a', 'c']],
          [`${ORG} in (o9)`, []],
          [`${ORG} notin (o1,o2)`, ['c', 'd']],
          [TIER, ['a', 'b']],
          [`!${TIER}`, ['c', 'd']],
          [`${ORG},!${TIER}`, ['c']],
          [`${ORG} in (o1,o3), ${TIER}!=gold`, ['c']],
          [`${ORG}, ${TIER} notin (silver)`, ['a', 'c']],
          [`${TIER}=gold,${TIER}=silver`, []],
        ];
        for (const [labelSelector, expected] of cases) {
          const list = await store.list('Quota', { namespace: ns1, labelSelector });
          expect(names(list.items), `selector "${labelSelector}"`).toEqual(expected);
        }
      });

      it('applies across namespaces when listing cluster-wide', async () => {
        await seed();
        const list = await store.list('Quota', { labelSelector: `${ORG}=o1` });
        expect(
          ours(list.items)
            .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
            .sort(),
        ).toEqual([`${ns1}/a`, `${ns2}/e`].sort());
      });

      it('refuses a malformed selector with Invalid', async () => {
        await seed();
        for (const labelSelector of [
          `${ORG} in (o1`,
          `${ORG} in o1`,
          `${ORG}=o1,`,
          `${ORG} o1`,
          '=o1',
          'Bad Key=1',
          'a/b/c=1',
          `${ORG}=${'v'.repeat(64)}`,
          `${ORG}=-bad`,
        ]) {
          const error = await expectStoreError(store.list('Quota', { namespace: ns1, labelSelector }), 'Invalid');
          expect(error.message, labelSelector).toBeTruthy();
        }
      });
    });

    describe('resource versions', () => {
      it('strictly increase across writes to different objects, kinds and namespaces', async () => {
        const versions: bigint[] = [];
        const a = await store.create(quota(ns1, 'a'));
        versions.push(rv(a));
        versions.push(rv(await store.create(quota(ns2, 'b'))));
        versions.push(rv(await store.create(allocation(ns1, 'c'))));
        versions.push(rv(await store.update(withQuantity(a, 3))));
        await store.delete('Quota', ns2, 'b');
        versions.push(BigInt((await store.list('Quota', { namespace: ns2 })).resourceVersion));
        versions.push(rv(await store.create(quota(ns2, 'd'))));
        for (let i = 1; i < versions.length; i++) {
          expect(versions[i]!, `write ${i}`).toBeGreaterThan(versions[i - 1]!);
        }
      });
    });

    describe('validation', () => {
      it('refuses invalid objects with Invalid and writes nothing', async () => {
        const base = quota(ns1, 'fine');
        const invalid: [string, StoredObject][] = [
          ['uppercase name', quota(ns1, 'Not_A_Name')],
          ['name longer than 253', quota(ns1, 'a'.repeat(254))],
          ['bad namespace', quota('Bad Namespace', 'fine')],
          ['bad label key', quota(ns1, 'fine', { 'bad key': 'x' })],
          ['bad label value', quota(ns1, 'fine', { [ORG]: 'not ok' })],
          ['label value longer than 63', quota(ns1, 'fine', { [ORG]: 'x'.repeat(64) })],
          ['wrong apiVersion', { ...base, apiVersion: 'v1' }],
          ['unknown kind', { ...base, kind: 'Pod' as ObjectKind }],
          [
            'non-string annotation',
            { ...base, metadata: { ...base.metadata, annotations: { a: 1 as unknown as string } } },
          ],
        ];
        for (const [what, object] of invalid) {
          const error = await expectStoreError(store.create(object), 'Invalid');
          expect(error.message, what).not.toBe('');
        }
        expect((await store.list('Quota', { namespace: ns1 })).items).toEqual([]);
      });

      it('validates updates the same way, leaving the object unchanged', async () => {
        const created = await store.create(quota(ns1, 'acme', { [ORG]: 'acme' }));
        const badLabel = { ...created, metadata: { ...created.metadata, labels: { [ORG]: 'no spaces' } } };
        await expectStoreError(store.update(badLabel), 'Invalid');
        expect(await store.get('Quota', ns1, 'acme')).toEqual(created);
      });
    });

    describe('watch', () => {
      it('sees ADDED, MODIFIED and DELETED after a list, in order, carrying their versions', async () => {
        const { resourceVersion } = await store.list('Quota', { namespace: ns1 });
        const a = await store.create(quota(ns1, 'a', {}, 1));
        const a2 = await store.update(withQuantity(a, 2));
        const b = await store.create(quota(ns1, 'b'));
        await store.delete('Quota', ns1, 'a');
        const { resourceVersion: afterDelete } = await store.list('Quota', { namespace: ns1 });

        const events = await watchEvents(store, 'Quota', resourceVersion, 4, { namespace: ns1 });
        expect(summary(events)).toEqual([
          ['ADDED', 'a', a.metadata.resourceVersion],
          ['MODIFIED', 'a', a2.metadata.resourceVersion],
          ['ADDED', 'b', b.metadata.resourceVersion],
          ['DELETED', 'a', afterDelete],
        ]);
        expect(quantityOf(events[1]!.object)).toBe(2);
        // The DELETED event carries the last state of the object.
        expect(quantityOf(events[3]!.object)).toBe(2);
        expect(events[3]!.object.metadata.uid).toBe(a.metadata.uid);
      });

      it('delivers live events written after the watch started', async () => {
        const { resourceVersion } = await store.list('Quota', { namespace: ns1 });
        const pending = watchEvents(store, 'Quota', resourceVersion, 2, { namespace: ns1 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const a = await store.create(quota(ns1, 'a'));
        const a2 = await store.update(withQuantity(a, 5));
        expect(summary(await pending)).toEqual([
          ['ADDED', 'a', a.metadata.resourceVersion],
          ['MODIFIED', 'a', a2.metadata.resourceVersion],
        ]);
      });

      it('starts strictly after the given version', async () => {
        const a = await store.create(quota(ns1, 'a'));
        const b = await store.create(quota(ns1, 'b'));
        const events = await watchEvents(store, 'Quota', a.metadata.resourceVersion!, 1, { namespace: ns1 });
        expect(summary(events)).toEqual([['ADDED', 'b', b.metadata.resourceVersion]]);
      });

      it('filters by kind and namespace', async () => {
        const { resourceVersion } = await store.list('Quota');
        await store.create(quota(ns2, 'elsewhere'));
        await store.create(allocation(ns1, 'other-kind'));
        const mine = await store.create(quota(ns1, 'mine'));
        const marker = await store.create(quota(ns1, 'marker'));

        const events = await watchEvents(store, 'Quota', resourceVersion, 2, { namespace: ns1 });
        expect(summary(events)).toEqual([
          ['ADDED', 'mine', mine.metadata.resourceVersion],
          ['ADDED', 'marker', marker.metadata.resourceVersion],
        ]);
        const everywhere = await watchEvents(
          store,
          'Quota',
          resourceVersion,
          3,
          {},
          (e) => ours([e.object]).length > 0,
        );
        expect(summary(everywhere).map(([, n]) => n)).toEqual(['elsewhere', 'mine', 'marker']);
      });

      it('filters by selector: objects entering the selection are ADDED, leaving it DELETED', async () => {
        const { resourceVersion } = await store.list('Quota', { namespace: ns1 });
        const x = await store.create(quota(ns1, 'x', { [ORG]: 'o1' }));
        await store.create(quota(ns1, 'y', { [ORG]: 'o2' }));
        const away = await store.update({ ...x, metadata: { ...x.metadata, labels: { [ORG]: 'o2' } } });
        const back = await store.update({ ...away, metadata: { ...away.metadata, labels: { [ORG]: 'o1' } } });
        await store.delete('Quota', ns1, 'x');
        const { resourceVersion: deletedAt } = await store.list('Quota', { namespace: ns1 });
        const marker = await store.create(quota(ns1, 'marker', { [ORG]: 'o1' }));

        const events = await watchEvents(store, 'Quota', resourceVersion, 5, {
          namespace: ns1,
          labelSelector: `${ORG}=o1`,
        });
        expect(summary(events)).toEqual([
          ['ADDED', 'x', x.metadata.resourceVersion],
          ['DELETED', 'x', away.metadata.resourceVersion],
          ['ADDED', 'x', back.metadata.resourceVersion],
          ['DELETED', 'x', deletedAt],
          ['ADDED', 'marker', marker.metadata.resourceVersion],
        ]);
      });

      it('ends cleanly, without an error, when its signal aborts', async () => {
        const { resourceVersion } = await store.list('Quota', { namespace: ns1 });
        const controller = new AbortController();
        const received: WatchEvent[] = [];
        const consumed = (async () => {
          for await (const event of store.watch('Quota', resourceVersion, {
            namespace: ns1,
            signal: controller.signal,
          })) {
            received.push(event);
          }
        })();
        await store.create(quota(ns1, 'a'));
        await new Promise((resolve) => setTimeout(resolve, 200));
        controller.abort();
        const outcome = await Promise.race([
          consumed.then(() => 'ended'),
          new Promise((resolve) => setTimeout(() => resolve('still running'), 3_000)),
        ]);
        expect(outcome).toBe('ended');
        expect(summary(received).map(([type, n]) => [type, n])).toEqual([['ADDED', 'a']]);
      });

      it('answers Expired for a version older than the retained history', async (context) => {
        if (fixture.expireHistory === undefined) {
          context.skip('the fixture cannot expire history');
          return;
        }
        const { resourceVersion } = await store.list('Quota', { namespace: ns1 });
        await store.create(quota(ns1, 'a'));
        await store.create(quota(ns1, 'b'));
        await fixture.expireHistory();
        await expectStoreError(watchEvents(store, 'Quota', resourceVersion, 1, { namespace: ns1 }), 'Expired');

        // The consumer's recovery: list again, then watch from the new list.
        const relisted = await store.list('Quota', { namespace: ns1 });
        expect(names(relisted.items)).toEqual(['a', 'b']);
        const c = await store.create(quota(ns1, 'c'));
        const events = await watchEvents(store, 'Quota', relisted.resourceVersion, 1, { namespace: ns1 });
        expect(summary(events)).toEqual([['ADDED', 'c', c.metadata.resourceVersion]]);
      });
    });

    describe('apply', () => {
      it('creates, configures and leaves unchanged, keeping identity', async () => {
        const first = await store.apply([quota(ns1, 'a', {}, 1), quota(ns1, 'b', {}, 1)]);
        expect(first.map((o) => [o.kind, o.namespace, o.name, o.action])).toEqual([
          ['Quota', ns1, 'a', 'created'],
          ['Quota', ns1, 'b', 'created'],
        ]);
        const a = await store.get('Quota', ns1, 'a');
        const b = await store.get('Quota', ns1, 'b');

        const second = await store.apply([quota(ns1, 'a', {}, 2), quota(ns1, 'b', {}, 1)]);
        expect(second.map((o) => o.action)).toEqual(['configured', 'unchanged']);

        const a2 = await store.get('Quota', ns1, 'a');
        expect(quantityOf(a2)).toBe(2);
        expect(rv(a2)).toBeGreaterThan(rv(a));
        expect(a2.metadata.uid).toBe(a.metadata.uid);
        expect(a2.metadata.creationTimestamp).toBe(a.metadata.creationTimestamp);
        expect(await store.get('Quota', ns1, 'b')).toEqual(b);
      });

      it('applies nothing when one object is invalid', async () => {
        const existing = await store.create(quota(ns1, 'existing', {}, 1));
        await expectStoreError(
          store.apply([quota(ns1, 'existing', {}, 2), quota(ns2, 'new'), quota(ns1, 'Invalid_Name')]),
          'Invalid',
        );
        expect(await store.get('Quota', ns1, 'existing')).toEqual(existing);
        await expectStoreError(store.get('Quota', ns2, 'new'), 'NotFound');
        expect(names((await store.list('Quota', { namespace: ns2 })).items)).toEqual([]);
      });
    });

    describe('concurrency', () => {
      it('loses no update: 20 concurrent read-modify-write increments end at exactly 20', async () => {
        await store.create(quota(ns1, 'counter', {}, 0));
        const versions: string[] = [];
        let conflicts = 0;
        const increment = async () => {
          for (;;) {
            const current = await store.get('Quota', ns1, 'counter');
            try {
              const updated = await store.update(withQuantity(current, quantityOf(current) + 1));
              versions.push(updated.metadata.resourceVersion!);
              return;
            } catch (error) {
              if (!(error instanceof StoreError && error.reason === 'Conflict')) throw error;
              conflicts += 1;
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, increment));

        expect(quantityOf(await store.get('Quota', ns1, 'counter'))).toBe(20);
        expect(new Set(versions).size).toBe(20);
        // The increments really interleaved, so the compare-and-swap was exercised.
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
