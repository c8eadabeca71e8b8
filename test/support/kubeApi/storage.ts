/**
 * The server's etcd: every object of every resource, one global monotonic revision (etcd's
 * revision is what Kubernetes hands out as resourceVersion), and the history of changes that
 * watches replay and old-revision lists read, until `compact()` drops it.
 */
import { expired } from './status.js';
import type { KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  revision: number;
  type: ChangeType;
  /** The resource's plural. */
  resource: string;
  /** `namespace/name` (`name` for cluster-scoped resources): the etcd key below the resource prefix. */
  key: string;
  /** The new state; for DELETED, the last state carrying the deletion's resourceVersion. */
  object: KubeObject;
  /** The state before the change (with its own resourceVersion); absent for ADDED. */
  previous?: KubeObject;
}

export type ChangeListener = (change: Change) => void;

export const objectKey = (namespace: string | undefined, name: string): string =>
  namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;

const keyOf = (object: KubeObject): string => objectKey(object.metadata.namespace, object.metadata.name ?? '');

const withRevision = (object: KubeObject, revision: number): KubeObject => ({
  ...object,
  metadata: { ...object.metadata, resourceVersion: String(revision) },
});

/** etcd orders keys bytewise; names are ASCII, so UTF-16 order is the same. */
const byKey = (a: [string, KubeObject], b: [string, KubeObject]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export class Storage {
  /** The revision of the latest write (etcd starts at 1). */
  revision = 1;
  /** The oldest revision from which the history is complete: reads at or after it are served. */
  compactedRevision = 1;
  private readonly resources = new Map<string, Map<string, KubeObject>>();
  private history: Change[] = [];
  private readonly listeners = new Set<ChangeListener>();

  get(resource: string, key: string): KubeObject | undefined {
    const object = this.table(resource).get(key);
    return object === undefined ? undefined : structuredClone(object);
  }

  /** Stores a new object; returns it with its resourceVersion. */
  create(resource: string, object: KubeObject): KubeObject {
    const stored = withRevision(structuredClone(object), this.revision + 1);
    this.commit({ type: 'ADDED', resource, key: keyOf(stored), object: stored });
    return structuredClone(stored);
  }

  /** Replaces the object at its key; returns it with its new resourceVersion. */
  update(resource: string, object: KubeObject): KubeObject {
    const key = keyOf(object);
    const previous = this.table(resource).get(key);
    if (previous === undefined) throw new Error(`update of missing ${resource} ${key}`);
    const stored = withRevision(structuredClone(object), this.revision + 1);
    this.commit({ type: 'MODIFIED', resource, key, object: stored, previous });
    return structuredClone(stored);
  }

  /** Removes the object; returns its last state carrying the deletion's resourceVersion. */
  remove(resource: string, key: string): KubeObject {
    const previous = this.table(resource).get(key);
    if (previous === undefined) throw new Error(`delete of missing ${resource} ${key}`);
    const last = withRevision(previous, this.revision + 1);
    this.commit({ type: 'DELETED', resource, key, object: last, previous });
    return structuredClone(last);
  }

  /**
   * The objects of `resource` as they were at `revision` (the latest when omitted), sorted by key.
   * Throws 410 Expired (with `expiredMessage`) when that revision was compacted away.
   */
  snapshot(resource: string, revision = this.revision, expiredMessage?: string): [string, KubeObject][] {
    if (revision < this.compactedRevision) {
      throw expired(expiredMessage ?? 'The resourceVersion for the provided list is too old.');
    }
    const state = new Map(this.table(resource));
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.revision > revision; i--) {
      const change = this.history[i]!;
      if (change.resource !== resource) continue;
      if (change.previous === undefined) state.delete(change.key);
      else state.set(change.key, change.previous);
    }
    return [...state.entries()].sort(byKey).map(([key, object]) => [key, structuredClone(object)]);
  }

  /** Changes with a revision after `revision`, in order; undefined when some were compacted away. */
  changesAfter(revision: number): Change[] | undefined {
    if (revision < this.compactedRevision) return undefined;
    return this.history.filter((change) => change.revision > revision);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every change so far, like an etcd compaction at the current revision. */
  compact(): void {
    this.history = [];
    this.compactedRevision = this.revision;
  }

  private commit(change: Omit<Change, 'revision'>): void {
    this.revision += 1;
    const committed: Change = { ...change, revision: this.revision };
    const table = this.table(change.resource);
    if (change.type === 'DELETED') table.delete(change.key);
    else table.set(change.key, change.object);
    this.history.push(committed);
    for (const listener of this.listeners) listener(committed);
  }

  private table(resource: string): Map<string, KubeObject> {
    let table = this.resources.get(resource);
    if (table === undefined) {
      table = new Map();
      this.resources.set(resource, table);
    }
    return table;
  }
}
