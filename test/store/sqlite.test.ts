import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import { API_VERSION, type StoredObject, StoreError, type WatchEvent } from '../../src/store/types.js';
import { describeStoreContract } from './contract.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'quotagraph-store-'));

describeStoreContract('sqlite', async () => {
  const dir = tempDir();
  const store = openSqliteStore(join(dir, 'store.db'), { watchPollMs: 10 });
  return {
    store,
    namespaces: ['contract-a', 'contract-b'],
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    // Keep only the newest change: every older version is then expired.
    expireHistory: async () => store.compact((await store.list('Quota')).resourceVersion),
  };
});

const NS = 'team-a';

const quota = (name: string, quantity = 0): StoredObject => ({
  apiVersion: API_VERSION,
  kind: 'Quota',
  metadata: { name, namespace: NS },
  spec: { quotas: [{ kind: 'servers', quantity }] },
});

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

function rejectionOf(action: () => unknown): StoreError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  return expect.fail('expected a StoreError');
}

/** The first `count` events of a watch, or fewer after a timeout. */
async function firstEvents(store: SqliteStore, from: string, count: number): Promise<WatchEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  const events: WatchEvent[] = [];
  try {
    for await (const event of store.watch('Quota', from, { signal: controller.signal })) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('sqlite store', () => {
  let dir: string;
  let path: string;
  const opened: SqliteStore[] = [];
  const open = (options?: Parameters<typeof openSqliteStore>[1]): SqliteStore => {
    const store = openSqliteStore(path, { watchPollMs: 10, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = tempDir();
    path = join(dir, 'store.db');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists an empty store at resourceVersion "0"', async () => {
    expect(await open().list('Quota')).toEqual({ items: [], resourceVersion: '0' });
  });

  it('keeps objects and versions across close and reopen', async () => {
    const first = open();
    const created = await first.create(quota('acme', 3));
    const before = await first.list('Quota');
    await first.close();

    const second = open();
    expect(await second.get('Quota', NS, 'acme')).toEqual(created);
    expect(await second.list('Quota')).toEqual(before);
    const next = await second.create(quota('other'));
    expect(BigInt(next.metadata.resourceVersion!)).toBeGreaterThan(BigInt(created.metadata.resourceVersion!));
  });

  it('creates missing directories for a new file', async () => {
    path = join(dir, 'nested', 'deeper', 'store.db');
    await open().create(quota('acme'));
    expect((await open().get('Quota', NS, 'acme')).metadata.name).toBe('acme');
  });

  describe('two instances on one file', () => {
    it("see each other's writes and conflict on stale versions", async () => {
      const a = open();
      const b = open();
      const created = await a.create(quota('acme', 1));
      const seenByB = await b.get('Quota', NS, 'acme');
      expect(seenByB).toEqual(created);

      const updatedByB = await b.update({ ...seenByB, spec: { quotas: [{ kind: 'servers', quantity: 2 }] } });
      const error = await rejection(a.update({ ...created, spec: { quotas: [{ kind: 'servers', quantity: 3 }] } }));
      expect(error.reason).toBe('Conflict');
      expect(error.message).toContain(created.metadata.resourceVersion);
      expect(error.message).toContain(updatedByB.metadata.resourceVersion);
      expect(await a.get('Quota', NS, 'acme')).toEqual(updatedByB);
      await expect(a.create(quota('acme'))).rejects.toMatchObject({ reason: 'AlreadyExists' });
    });

    it('deliver writes of one instance to a watch in the other', async () => {
      const watcher = open();
      const writer = open();
      const { resourceVersion } = await watcher.list('Quota');
      const pending = firstEvents(watcher, resourceVersion, 2);
      const created = await writer.create(quota('acme'));
      await writer.delete('Quota', NS, 'acme');
      const events = await pending;
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
        ['ADDED', 'acme'],
        ['DELETED', 'acme'],
      ]);
      expect(events[0]!.object).toEqual(created);
    });
  });

  describe('opening', () => {
    it('answers Unavailable naming the path when the location is unusable', () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a directory');
      const badPath = join(file, 'sub', 'store.db');
      const error = rejectionOf(() => openSqliteStore(badPath));
      expect(error.reason).toBe('Unavailable');
      expect(error.message).toContain(badPath);
    });

    it('answers Unavailable for a file that is not a database', () => {
      writeFileSync(path, 'x'.repeat(4096));
      const error = rejectionOf(() => openSqliteStore(path));
      expect(error.reason).toBe('Unavailable');
      expect(error.message).toContain(path);
    });

    it('refuses a file with a newer schema version', async () => {
      await open().close();
      const raw = new Database(path);
      raw.pragma('user_version = 99');
      raw.close();
      const error = rejectionOf(() => openSqliteStore(path));
      expect(error.reason).toBe('Unavailable');
      expect(error.message).toMatch(/schema version 99/);
    });

    it('refuses invalid options', () => {
      expect(rejectionOf(() => openSqliteStore(path, { historyLimit: 0 })).reason).toBe('Invalid');
    });
  });

  describe('errors', () => {
    it('maps a lock held longer than busy_timeout to Unavailable with the SQLite cause', async () => {
      const store = open({ busyTimeoutMs: 50 });
      const raw = new Database(path);
      raw.prepare('BEGIN IMMEDIATE').run();
      try {
        const error = await rejection(store.create(quota('acme')));
        expect(error.reason).toBe('Unavailable');
        expect(error.message).toContain(path);
        expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
      } finally {
        raw.prepare('ROLLBACK').run();
        raw.close();
      }
      expect((await store.create(quota('acme'))).metadata.name).toBe('acme');
    });

    it('answers Unavailable after close, and close ends running watches', async () => {
      const store = open();
      const { resourceVersion } = await store.list('Quota');
      const consumed = (async () => {
        for await (const _ of store.watch('Quota', resourceVersion)) {
          // no events expected
        }
        return 'ended';
      })();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await store.close();
      await store.close();
      expect(await consumed).toBe('ended');
      expect((await rejection(store.get('Quota', NS, 'acme'))).reason).toBe('Unavailable');
      expect((await rejection(store.ping())).reason).toBe('Unavailable');
    });

    it('refuses a watch from something that is not a version', async () => {
      const iterator = open().watch('Quota', 'yesterday')[Symbol.asyncIterator]();
      expect((await rejection(iterator.next())).reason).toBe('Invalid');
    });
  });

  describe('history retention', () => {
    it('keeps at most historyLimit changes; older versions are Expired', async () => {
      const store = open({ historyLimit: 5 });
      const created: StoredObject[] = [];
      for (let i = 0; i < 20; i++) {
        created.push(await store.create(quota(`q${i}`)));
      }
      const newest = Number((await store.list('Quota')).resourceVersion);
      expect(newest).toBe(20);

      expect((await rejection(firstEvents(store, '0', 1))).reason).toBe('Expired');
      expect((await rejection(firstEvents(store, String(newest - 6), 1))).reason).toBe('Expired');
      const retained = await firstEvents(store, String(newest - 5), 5);
      expect(retained.map((e) => e.object.metadata.name)).toEqual(['q15', 'q16', 'q17', 'q18', 'q19']);
    });

    it('compact() without a version applies historyLimit; with one keeps from it', async () => {
      const store = open({ historyLimit: 1000 });
      for (let i = 0; i < 10; i++) {
        await store.create(quota(`q${i}`));
      }
      store.compact();
      expect(await firstEvents(store, '0', 10)).toHaveLength(10);
      store.compact('4');
      expect((await rejection(firstEvents(store, '2', 1))).reason).toBe('Expired');
      expect((await firstEvents(store, '3', 7)).map((e) => e.object.metadata.name)).toEqual([
        'q3',
        'q4',
        'q5',
        'q6',
        'q7',
        'q8',
        'q9',
      ]);
    });

    it('keeps handing out new versions after the whole log was compacted away', async () => {
      const store = open();
      await store.create(quota('a'));
      await store.create(quota('b'));
      store.compact('100');
      const { resourceVersion } = await store.list('Quota');
      expect(resourceVersion).toBe('2');
      expect((await rejection(firstEvents(store, '1', 1))).reason).toBe('Expired');
      const c = await store.create(quota('c'));
      expect(c.metadata.resourceVersion).toBe('3');
      expect((await firstEvents(store, resourceVersion, 1)).map((e) => e.object.metadata.name)).toEqual(['c']);
    });
  });

  it('stores status and treats a status change as a modification', async () => {
    const store = open();
    const created = await store.create({ ...quota('acme'), status: { phase: 'ok' } });
    expect(created.status).toEqual({ phase: 'ok' });
    const outcome = await store.apply([{ ...quota('acme'), status: { phase: 'degraded' } }]);
    expect(outcome[0]!.action).toBe('configured');
    expect((await store.get('Quota', NS, 'acme')).status).toEqual({ phase: 'degraded' });
  });

  it('applies the same object twice in order: created, then configured', async () => {
    const store = open();
    const outcomes = await store.apply([quota('a', 1), quota('a', 2)]);
    expect(outcomes.map((o) => o.action)).toEqual(['created', 'configured']);
    expect((await store.list('Quota')).resourceVersion).toBe('2');
  });

  it('rolls back a whole apply when a write fails inside the transaction', async () => {
    const store = open();
    await store.create(quota('existing', 1));
    const raw = new Database(path);
    raw.exec(
      "CREATE TRIGGER fail_boom BEFORE INSERT ON objects WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    raw.close();

    const error = await rejection(store.apply([quota('existing', 2), quota('fresh'), quota('boom')]));
    expect(error.reason).toBe('Unavailable');
    expect(error.message).toContain('boom');
    const list = await store.list('Quota');
    expect(list.items.map((o) => [o.metadata.name, o.spec])).toEqual([
      ['existing', { quotas: [{ kind: 'servers', quantity: 1 }] }],
    ]);
    expect(list.resourceVersion).toBe('1');
  });
});
