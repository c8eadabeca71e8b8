/**
 * The embedded adapter of the ObjectStore port: one SQLite file (better-sqlite3, WAL journal)
 * that any number of processes may share, with Kubernetes semantics.
 *
 * Tables
 *   objects  one row per object; `body` is its JSON without resourceVersion (the `rv` column is
 *            the single source of truth for it).
 *   labels   one row per (object, label), indexed on (kind, key, value): a batched
 *            `organization in (a,b,c)` list is an index lookup, not a scan of every object.
 *   changes  the change log that watches read; `rv INTEGER PRIMARY KEY AUTOINCREMENT`.
 *
 * Why resourceVersion = the change-log rowid: every write appends exactly one change row in the
 * same transaction as the object change, so the rowid is one global counter that every process
 * sharing the file agrees on (SQLite serializes writers), it orders all writes, and a watch
 * resumes from it. AUTOINCREMENT (not a plain rowid) guarantees a version is never handed out
 * twice, even after compaction deleted the newest change rows.
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { type LabelRequirement, type Labels, matches, parseLabelSelector } from './labelSelector.js';
import { sleep } from './sleep.js';
import {
  type ApplyOutcome,
  type DeleteOptions,
  type ListOptions,
  OBJECT_KINDS,
  type ObjectKind,
  type ObjectList,
  type ObjectStore,
  type StoredObject,
  StoreError,
  type WatchEvent,
  type WatchEventType,
  type WatchOptions,
} from './types.js';
import { validateObject } from './validate.js';

/** Moved to validate.ts (shared with the kubernetes adapter); re-exported for existing importers. */

export interface SqliteStoreOptions {
  /** Change-log rows kept for watches (default 10000); older versions answer Expired. */
  historyLimit?: number;
  /** How often a watch looks for new changes (default 50 ms). */
  watchPollMs?: number;
  /** How long a write waits for another process's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

export interface SqliteStore extends ObjectStore {
  /**
   * Drops change-log rows older than `keepFromResourceVersion` (every rv below it) or, without it,
   * all but the newest `historyLimit` rows. A watch from a dropped version then fails with Expired.
   */
  compact(keepFromResourceVersion?: string): void;
}

const DEFAULT_OPTIONS: Required<SqliteStoreOptions> = { historyLimit: 10_000, watchPollMs: 50, busyTimeoutMs: 5_000 };

/** Opens (creating the file, its directory and the schema when needed) a store on `path`. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const settings = resolveOptions(options);
  return new SqliteObjectStore(openDatabase(path, settings.busyTimeoutMs), path, settings);
}

function resolveOptions(options: SqliteStoreOptions): Required<SqliteStoreOptions> {
  const settings = { ...DEFAULT_OPTIONS };
  for (const name of ['historyLimit', 'watchPollMs', 'busyTimeoutMs'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new StoreError('Invalid', `sqlite store option ${name} must be a positive integer, got ${value}`);
    }
    settings[name] = value;
  }
  return settings;
}

// ---------------------------------------------------------------------------------------------
// Opening and schema.

/** Schema migrations; `PRAGMA user_version` records how many have been applied to a file. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS objects (
     kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
     rv INTEGER NOT NULL, uid TEXT NOT NULL, created TEXT NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (kind, namespace, name)
   ) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS labels (
     kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
     PRIMARY KEY (kind, namespace, name, key)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS labels_by_value ON labels (kind, key, value);
   CREATE TABLE IF NOT EXISTS changes (
     rv INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
     type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
     body TEXT NOT NULL,
     prev_body TEXT
   );`,
];

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') {
      makeDirectories(dirname(path));
    }
    // `timeout` is SQLite's busy_timeout: a writer waits this long for another process's lock.
    db = new Database(path, { timeout: busyTimeoutMs });
    // WAL: readers never block the writer nor each other, and a read transaction sees one snapshot.
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') {
      db.pragma('journal_mode = WAL');
    }
    // A committed quota decision must survive a power loss, not only a process crash.
    db.pragma('synchronous = FULL');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('Unavailable', `cannot open the sqlite store at "${path}": ${reason}`, { cause: error });
  }
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(…, { recursive: true })` spins forever at 100%
 * CPU when a parent exists but cannot hold children (`/proc/x/q.db`, a dangling symlink): mkdir
 * answers ENOENT and Node retries the parent, which exists. Here the same paths fail at once.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !isDirectory(at) && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      // EEXIST is fine only when it is a directory: another process sharing the file just made it.
      if (!isDirectory(level)) throw error;
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function migrate(db: Database.Database): void {
  // Immediate, so processes opening a new file at the same time apply each migration once.
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > MIGRATIONS.length) {
      throw new Error(`schema version ${version} is newer than this quotagraph supports (${MIGRATIONS.length})`);
    }
    for (const migration of MIGRATIONS.slice(version)) {
      db.exec(migration);
    }
    if (version !== MIGRATIONS.length) {
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    }
  }).immediate();
}

// ---------------------------------------------------------------------------------------------
// Statements.

interface ObjectKey {
  kind: ObjectKind;
  namespace: string;
  name: string;
}
interface ObjectRow {
  rv: number;
  uid: string;
  created: string;
  body: string;
}
interface ChangeRow {
  rv: number;
  type: WatchEventType;
  body: string;
  prev_body: string | null;
}
type Version = { rv: number | null };

function prepareStatements(db: Database.Database) {
  return {
    selectObject: db.prepare<ObjectKey, ObjectRow>(
      'SELECT rv, uid, created, body FROM objects WHERE kind = @kind AND namespace = @namespace AND name = @name',
    ),
    insertObject: db.prepare<ObjectKey & ObjectRow>(
      'INSERT INTO objects (kind, namespace, name, rv, uid, created, body) VALUES (@kind, @namespace, @name, @rv, @uid, @created, @body)',
    ),
    // The compare-and-swap itself: it only matches while the row is still at the expected version.
    updateObject: db.prepare<ObjectKey & { rv: number; expected: number; body: string }>(
      'UPDATE objects SET rv = @rv, body = @body WHERE kind = @kind AND namespace = @namespace AND name = @name AND rv = @expected',
    ),
    deleteObject: db.prepare<ObjectKey & { expected: number }>(
      'DELETE FROM objects WHERE kind = @kind AND namespace = @namespace AND name = @name AND rv = @expected',
    ),
    deleteLabels: db.prepare<ObjectKey>(
      'DELETE FROM labels WHERE kind = @kind AND namespace = @namespace AND name = @name',
    ),
    insertLabel: db.prepare<ObjectKey & { key: string; value: string }>(
      'INSERT INTO labels (kind, namespace, name, key, value) VALUES (@kind, @namespace, @name, @key, @value)',
    ),
    appendChange: db.prepare<
      ObjectKey & { type: WatchEventType; body: string; prevBody: string | null },
      { rv: number }
    >(
      `INSERT INTO changes (kind, namespace, name, type, body, prev_body)
       VALUES (@kind, @namespace, @name, @type, @body, @prevBody) RETURNING rv`,
    ),
    // sqlite_sequence, not max(changes.rv): it is still right after compaction emptied the log.
    newestVersion: db.prepare<[], Version>("SELECT seq AS rv FROM sqlite_sequence WHERE name = 'changes'"),
    oldestVersion: db.prepare<[], Version>('SELECT min(rv) AS rv FROM changes'),
    // A range scan on the rowid: a watch only ever reads the rows written since its last poll.
    changesAfter: db.prepare<
      { kind: ObjectKind; namespace: string | null; after: number; upTo: number; limit: number },
      ChangeRow
    >(
      `SELECT rv, type, body, prev_body FROM changes
       WHERE rv > @after AND rv <= @upTo AND kind = @kind AND (@namespace IS NULL OR namespace = @namespace)
       ORDER BY rv LIMIT @limit`,
    ),
    deleteChangesBefore: db.prepare<{ rv: number }>('DELETE FROM changes WHERE rv < @rv'),
    ping: db.prepare('SELECT 1'),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

const WATCH_BATCH = 256;
const MAX_CACHED_LIST_STATEMENTS = 64;

// ---------------------------------------------------------------------------------------------
// The store.

class SqliteObjectStore implements SqliteStore {
  private readonly statements: Statements;
  /** One reusable wrapper: `.immediate(action)` / `.deferred(action)` run an action in a transaction. */
  private readonly transaction: Database.Transaction<(action: () => unknown) => unknown>;
  private readonly listStatements = new Map<string, Database.Statement<string[], ObjectRow>>();
  /** Aborted by close(): ends running watches and wakes their polling sleeps. */
  private readonly closing = new AbortController();
  private closed = false;
  private changesSinceCompaction = 0;
  /** Compact every ~10% of the history limit: the log stays within 110% without a DELETE per write. */
  private readonly compactEvery: number;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly settings: Required<SqliteStoreOptions>,
  ) {
    this.statements = prepareStatements(db);
    this.transaction = db.transaction((action: () => unknown) => action());
    this.compactEvery = Math.max(1, Math.min(1000, Math.floor(settings.historyLimit / 10)));
  }

  async get(kind: ObjectKind, namespace: string, name: string): Promise<StoredObject> {
    return this.guard('get', () => {
      const key = { kind: checkKind(kind), namespace, name };
      const row = this.statements.selectObject.get(key);
      if (row === undefined) {
        throw new StoreError('NotFound', `${describeKey(key)} not found`);
      }
      return decode(row.body, row.rv);
    });
  }

  async list(kind: ObjectKind, options: ListOptions = {}): Promise<ObjectList> {
    return this.guard('list', () => {
      const requirements = parseLabelSelector(options.labelSelector ?? '');
      const query = buildListQuery(checkKind(kind), options.namespace || undefined, requirements);
      const statement = this.listStatement(query.sql);
      // The items and the version come from one snapshot: a watch from that version misses nothing.
      const { rows, version } = this.read(() => ({
        rows: statement.all(...query.params),
        version: this.newestVersion(),
      }));
      const items = rows
        .map((row) => decode(row.body, row.rv))
        .filter((object) => matches(query.remaining, object.metadata.labels));
      return { items, resourceVersion: String(version) };
    });
  }

  async create(object: StoredObject): Promise<StoredObject> {
    return this.guard('create', () => {
      const input = validateObject(object);
      if (input.metadata.resourceVersion !== undefined) {
        throw new StoreError('Invalid', `${describeKey(keyOf(input))}: resourceVersion must not be set on create`);
      }
      return this.write(() => this.insert(input));
    });
  }

  async update(object: StoredObject): Promise<StoredObject> {
    return this.guard('update', () => {
      const input = validateObject(object);
      const expected = parseVersion(input.metadata.resourceVersion, 'metadata.resourceVersion');
      if (expected === undefined) {
        throw new StoreError(
          'Invalid',
          `${describeKey(keyOf(input))}: metadata.resourceVersion is required for an update (compare-and-swap)`,
        );
      }
      return this.write(() => this.replace(input, expected));
    });
  }

  async delete(kind: ObjectKind, namespace: string, name: string, options: DeleteOptions = {}): Promise<void> {
    this.guard('delete', () => {
      const key = { kind: checkKind(kind), namespace, name };
      const expected = parseVersion(options.resourceVersion, 'resourceVersion precondition');
      this.write(() => this.remove(key, expected));
    });
  }

  async apply(objects: StoredObject[]): Promise<ApplyOutcome[]> {
    return this.guard('apply', () => {
      if (!Array.isArray(objects)) {
        throw new StoreError('Invalid', 'apply expects an array of objects');
      }
      // Validate everything before writing anything, then write everything in one transaction.
      const inputs = objects.map((object, index) => validateObject(object, `object ${index}`));
      return this.write(() => inputs.map((input) => this.applyOne(input)));
    });
  }

  async *watch(kind: ObjectKind, fromResourceVersion: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    checkKind(kind);
    let cursor = this.guard('watch', () => parseVersion(fromResourceVersion, 'fromResourceVersion'));
    if (cursor === undefined) {
      throw new StoreError('Invalid', 'watch needs a resourceVersion to start from (the one of a list)');
    }
    const requirements = parseLabelSelector(options.labelSelector ?? '');
    const namespace = options.namespace || null;
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    while (!signal.aborted) {
      const from: number = cursor;
      const batch = this.guard('watch', () => this.readChanges(kind, namespace, from));
      cursor = batch.cursor;
      for (const row of batch.rows) {
        const event = toWatchEvent(row, requirements);
        if (event === undefined) continue;
        yield event;
        if (signal.aborted) return;
      }
      if (!batch.full) {
        await sleep(this.settings.watchPollMs, signal);
      }
    }
  }

  compact(keepFromResourceVersion?: string): void {
    this.guard('compact', () => {
      const keepFrom = parseVersion(keepFromResourceVersion, 'keepFromResourceVersion');
      this.write(() => this.deleteHistoryBefore(keepFrom ?? this.newestVersion() - this.settings.historyLimit + 1));
    });
  }

  async ping(): Promise<void> {
    this.guard('ping', () => this.statements.ping.get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.db.close();
  }

  // --- writes (always inside write()) ---

  private insert(input: StoredObject): StoredObject {
    const key = keyOf(input);
    if (this.statements.selectObject.get(key) !== undefined) {
      throw new StoreError('AlreadyExists', `${describeKey(key)} already exists`);
    }
    const stored = withSystemFields(input, randomUUID(), rfc3339Now());
    const body = JSON.stringify(stored);
    const rv = this.appendChange(key, 'ADDED', body, null);
    const { uid, creationTimestamp } = stored.metadata;
    this.statements.insertObject.run({ ...key, rv, uid: uid!, created: creationTimestamp!, body });
    this.writeLabels(key, stored.metadata.labels);
    return decode(body, rv);
  }

  /**
   * Compare-and-swap on `expected`; uid and creationTimestamp always come from the stored row. A
   * replacement that changes nothing keeps the version and emits no event, as in Kubernetes.
   */
  private replace(input: StoredObject, expected: number): StoredObject {
    const key = keyOf(input);
    const current = this.statements.selectObject.get(key);
    if (current === undefined) {
      throw new StoreError('NotFound', `${describeKey(key)} not found`);
    }
    if (current.rv !== expected) {
      throw conflict(key, expected, current.rv);
    }
    const previous = decode(current.body, current.rv);
    const stored = withSystemFields(input, current.uid, current.created);
    if (sameContent(previous, stored)) {
      return previous;
    }
    const body = JSON.stringify(stored);
    const rv = this.appendChange(key, 'MODIFIED', body, current.body);
    // The transaction already holds the write lock; keeping `rv = expected` in the UPDATE makes the
    // statement a compare-and-swap on its own, so correctness does not hinge on the check above.
    if (this.statements.updateObject.run({ ...key, rv, expected, body }).changes !== 1) {
      throw conflict(key, expected, current.rv);
    }
    if (!isDeepStrictEqual(previous.metadata.labels, stored.metadata.labels)) {
      this.writeLabels(key, stored.metadata.labels);
    }
    return decode(body, rv);
  }

  private remove(key: ObjectKey, expected: number | undefined): void {
    const current = this.statements.selectObject.get(key);
    if (current === undefined) {
      throw new StoreError('NotFound', `${describeKey(key)} not found`);
    }
    if (expected !== undefined && current.rv !== expected) {
      throw conflict(key, expected, current.rv);
    }
    // The DELETED row carries the last state; a watch gives it the deletion's version.
    this.appendChange(key, 'DELETED', current.body, null);
    this.statements.deleteObject.run({ ...key, expected: current.rv });
    this.statements.deleteLabels.run(key);
  }

  private applyOne(input: StoredObject): ApplyOutcome {
    const key = keyOf(input);
    const current = this.statements.selectObject.get(key);
    if (current === undefined) {
      this.insert(input);
      return { ...key, action: 'created' };
    }
    // Like `kubectl apply` without a precondition: replace whatever version is stored.
    const result = this.replace(input, current.rv);
    return { ...key, action: result.metadata.resourceVersion === String(current.rv) ? 'unchanged' : 'configured' };
  }

  private appendChange(key: ObjectKey, type: WatchEventType, body: string, prevBody: string | null): number {
    this.changesSinceCompaction += 1;
    return this.statements.appendChange.get({ ...key, type, body, prevBody })!.rv;
  }

  private writeLabels(key: ObjectKey, labels: Labels | undefined): void {
    this.statements.deleteLabels.run(key);
    for (const [label, value] of Object.entries(labels ?? {})) {
      this.statements.insertLabel.run({ ...key, key: label, value });
    }
  }

  private deleteHistoryBefore(rv: number): void {
    this.statements.deleteChangesBefore.run({ rv });
    this.changesSinceCompaction = 0;
  }

  /**
   * Runs `action` in a BEGIN IMMEDIATE transaction. IMMEDIATE takes the write lock before the
   * first read: with a deferred BEGIN, two processes could both read version N and the second to
   * upgrade to writer would fail with SQLITE_BUSY_SNAPSHOT, which busy_timeout cannot wait out.
   * Immediate writers queue on busy_timeout instead, and every read inside sees the latest state.
   * Retention runs here too, now and then, so the log is trimmed without a DELETE per write.
   */
  private write<T>(action: () => T): T {
    return this.transaction.immediate(() => {
      const result = action();
      if (this.changesSinceCompaction >= this.compactEvery) {
        this.deleteHistoryBefore(this.newestVersion() - this.settings.historyLimit + 1);
      }
      return result;
    }) as T;
  }

  // --- reads ---

  /**
   * Runs `action` in one (deferred) read transaction. In WAL mode a read transaction sees a single
   * snapshot of the file, so several SELECTs inside agree with each other even while other
   * processes commit; without it each statement would see whatever was committed when it ran.
   */
  private read<T>(action: () => T): T {
    return this.transaction.deferred(action) as T;
  }

  private newestVersion(): number {
    return this.statements.newestVersion.get()?.rv ?? 0;
  }

  /** One poll of a watch, in one read snapshot: the expiry check and the rows agree. */
  private readChanges(kind: ObjectKind, namespace: string | null, after: number) {
    return this.read(() => {
      const newest = this.newestVersion();
      const oldest = this.statements.oldestVersion.get()?.rv ?? null;
      // Versions are contiguous (one change row per write, rollbacks reuse nothing), so a
      // missing `after + 1` below the newest version means compaction dropped it.
      if (after < newest && (oldest === null || oldest > after + 1)) {
        throw new StoreError(
          'Expired',
          `resourceVersion ${after} is too old: the oldest retained change is ${oldest ?? newest + 1}; list again and watch from the list's resourceVersion`,
        );
      }
      const rows = this.statements.changesAfter.all({ kind, namespace, after, upTo: newest, limit: WATCH_BATCH });
      const full = rows.length === WATCH_BATCH;
      // Without a full batch every row up to `newest` has been seen, even those of other kinds.
      return { rows, full, cursor: full ? rows[rows.length - 1]!.rv : Math.max(after, newest) };
    });
  }

  private listStatement(sql: string): Database.Statement<string[], ObjectRow> {
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      if (this.listStatements.size >= MAX_CACHED_LIST_STATEMENTS) {
        this.listStatements.clear();
      }
      statement = this.db.prepare<string[], ObjectRow>(sql);
      this.listStatements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a synchronous operation, turning anything that is not a StoreError into one. */
  private guard<T>(operation: string, action: () => T): T {
    if (this.closed) {
      throw new StoreError('Unavailable', `the sqlite store at "${this.path}" is closed`);
    }
    try {
      return action();
    } catch (error) {
      throw toStoreError(error, operation, this.path, this.settings.busyTimeoutMs);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

interface ListQuery {
  sql: string;
  params: string[];
  /** Requirements SQL does not express (`!=`, `notin`, `!k`); filtered in JS on the results. */
  remaining: LabelRequirement[];
}

/**
 * `=`, `in` and exists become `(namespace, name) IN (SELECT … FROM labels …)` subqueries on the
 * (kind, key, value) index; the value set is one JSON parameter (json_each), so the SQL text and
 * its prepared statement do not depend on how many values a batch has.
 */
function buildListQuery(kind: ObjectKind, namespace: string | undefined, requirements: LabelRequirement[]): ListQuery {
  const clauses = ['o.kind = ?'];
  const params: string[] = [kind];
  if (namespace !== undefined) {
    clauses.push('o.namespace = ?');
    params.push(namespace);
  }
  const remaining: LabelRequirement[] = [];
  for (const requirement of requirements) {
    if (requirement.operator === 'In') {
      clauses.push(
        '(o.namespace, o.name) IN (SELECT namespace, name FROM labels WHERE kind = ? AND key = ? AND value IN (SELECT value FROM json_each(?)))',
      );
      params.push(kind, requirement.key, JSON.stringify(requirement.values));
    } else if (requirement.operator === 'Exists') {
      clauses.push('(o.namespace, o.name) IN (SELECT namespace, name FROM labels WHERE kind = ? AND key = ?)');
      params.push(kind, requirement.key);
    } else {
      remaining.push(requirement);
    }
  }
  const sql = `SELECT o.rv, o.uid, o.created, o.body FROM objects o WHERE ${clauses.join(' AND ')} ORDER BY o.namespace, o.name`;
  return { sql, params, remaining };
}

/**
 * Kubernetes watch semantics under a selector: an object that starts matching is ADDED, one that
 * stops matching is DELETED (its previous state, at the event's version), otherwise the row's type.
 */
function toWatchEvent(row: ChangeRow, requirements: LabelRequirement[]): WatchEvent | undefined {
  const current = row.type === 'DELETED' ? undefined : decode(row.body, row.rv);
  const previousBody = row.type === 'DELETED' ? row.body : row.prev_body;
  const previous = previousBody === null ? undefined : decode(previousBody, row.rv);
  const currentMatches = current !== undefined && matches(requirements, current.metadata.labels);
  const previousMatches = previous !== undefined && matches(requirements, previous.metadata.labels);
  if (currentMatches) {
    return { type: previousMatches ? 'MODIFIED' : 'ADDED', object: current };
  }
  return previousMatches ? { type: 'DELETED', object: previous } : undefined;
}

/** A fresh object from its stored JSON, carrying `rv` as its resourceVersion. */
function decode(body: string, rv: number): StoredObject {
  const object = JSON.parse(body) as StoredObject;
  object.metadata.resourceVersion = String(rv);
  return object;
}

/** The stored form: the input's content plus the store-owned uid and creationTimestamp, no resourceVersion. */
function withSystemFields(input: StoredObject, uid: string, creationTimestamp: string): StoredObject {
  const { name, namespace, labels, annotations } = input.metadata;
  return {
    apiVersion: input.apiVersion,
    kind: input.kind,
    metadata: { name, namespace, labels, annotations, uid, creationTimestamp },
    spec: input.spec,
    status: input.status,
  };
}

/** What an update may change; equal content means "unchanged" (no new version, no event). */
const sameContent = (a: StoredObject, b: StoredObject): boolean =>
  isDeepStrictEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {}) &&
  isDeepStrictEqual(a.metadata.annotations ?? {}, b.metadata.annotations ?? {}) &&
  isDeepStrictEqual(a.spec, b.spec) &&
  isDeepStrictEqual(a.status, b.status);

const keyOf = (object: StoredObject): ObjectKey => ({
  kind: object.kind,
  namespace: object.metadata.namespace,
  name: object.metadata.name,
});

const describeKey = (key: ObjectKey): string => `${key.kind} "${key.namespace}/${key.name}"`;

const conflict = (key: ObjectKey, expected: number, current: number): StoreError =>
  new StoreError(
    'Conflict',
    `${describeKey(key)} has been modified: the request expected resourceVersion ${expected} but the stored object is at ${current}`,
  );

/** RFC 3339 in whole seconds, as Kubernetes writes creationTimestamp (2026-12-03T17:00:00Z). */
const rfc3339Now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A resourceVersion from a caller: absent/empty → undefined; otherwise a decimal integer. */
function parseVersion(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw new StoreError('Invalid', `${what} "${String(value)}" is not a resourceVersion of this store`);
  }
  return Number(value);
}

function checkKind(kind: unknown): ObjectKind {
  if (!OBJECT_KINDS.includes(kind as ObjectKind)) {
    throw new StoreError('Invalid', `unknown kind ${JSON.stringify(kind)}; expected one of ${OBJECT_KINDS.join(', ')}`);
  }
  return kind as ObjectKind;
}

function toStoreError(error: unknown, operation: string, path: string, busyTimeoutMs: number): StoreError {
  if (error instanceof StoreError) {
    return error;
  }
  const code = error instanceof Database.SqliteError ? error.code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreError('AlreadyExists', `${operation}: the object already exists`, { cause: error });
  }
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      'Unavailable',
      `sqlite store "${path}" is busy: another process held the write lock for more than ${busyTimeoutMs} ms (${operation})`,
      { cause: error },
    );
  }
  return new StoreError('Unavailable', `sqlite store "${path}": ${operation} failed: ${detail}`, { cause: error });
}
