/**
 * The ObjectStore port: Kubernetes object semantics, whatever is behind it.
 *
 * Every adapter (sqlite, kubernetes, cached) implements this interface and throws only
 * {@link StoreError}. Nothing here knows about quotas: objects are Kubernetes-shaped JSON.
 */

/** The five kinds of the identity.unikorn-cloud.org/v1alpha1 group the gateway uses. */
export const OBJECT_KINDS = ['Organization', 'Project', 'QuotaMetadata', 'Quota', 'Allocation'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export const API_GROUP = 'identity.unikorn-cloud.org';
export const API_VERSION = `${API_GROUP}/v1alpha1`;

export interface ObjectMeta {
  name: string;
  /** Every kind the gateway uses is namespaced. */
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Opaque to clients; set by the store on every write. */
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
}

export interface StoredObject {
  apiVersion: string;
  kind: ObjectKind;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ListOptions {
  /** Omit for a cluster-wide list. */
  namespace?: string;
  /** Kubernetes label selector: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, comma-joined. */
  labelSelector?: string;
}

export interface ObjectList {
  items: StoredObject[];
  /** The store's resourceVersion at the time of the (consistent) list; a watch may start from it. */
  resourceVersion: string;
}

export interface DeleteOptions {
  /** Precondition: delete only if the object is still at this version (else Conflict). */
  resourceVersion?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: WatchEventType;
  /** For DELETED, the last state of the object, with the deletion's resourceVersion. */
  object: StoredObject;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  /** Aborting ends the iteration cleanly. */
  signal?: AbortSignal;
}

export interface ObjectStore {
  /** Throws StoreError('NotFound'). */
  get(kind: ObjectKind, namespace: string, name: string): Promise<StoredObject>;
  list(kind: ObjectKind, options?: ListOptions): Promise<ObjectList>;
  /** Throws StoreError('AlreadyExists') when the name is taken. Returns the stored object (rv, uid, timestamp set). */
  create(object: StoredObject): Promise<StoredObject>;
  /**
   * Compare-and-swap on metadata.resourceVersion (required): Conflict when stale, NotFound when gone.
   * Replaces labels, annotations, spec and status; uid and creationTimestamp are kept.
   */
  update(object: StoredObject): Promise<StoredObject>;
  delete(kind: ObjectKind, namespace: string, name: string, options?: DeleteOptions): Promise<void>;
  /**
   * Events strictly after `fromResourceVersion`, in order, then live ones until aborted.
   * Throws (from the iterator) StoreError('Expired') when that version is older than the retained history.
   */
  watch(kind: ObjectKind, fromResourceVersion: string, options?: WatchOptions): AsyncIterable<WatchEvent>;
  /**
   * Creates or replaces each object by (kind, namespace, name), like `kubectl apply`.
   * The sqlite adapter applies all or nothing; adapters that cannot must validate before writing.
   */
  apply(objects: StoredObject[]): Promise<ApplyOutcome[]>;
  /** Resolves when the backend answers; throws StoreError('Unavailable') otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type ApplyOutcome = {
  kind: ObjectKind;
  namespace: string;
  name: string;
  action: 'created' | 'configured' | 'unchanged';
};

export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'Invalid' | 'Unavailable';

/** The only error type that crosses the port. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isStoreError = (error: unknown, reason?: StoreErrorReason): error is StoreError =>
  error instanceof StoreError && (reason === undefined || error.reason === reason);
