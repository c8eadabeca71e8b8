/**
 * The watch of the kubernetes adapter: client-node's callback-style `Watch`, turned into the
 * port's async iterable.
 *
 * - One connection ("session") at a time. A session that the server ends normally (its watch
 *   timeout) is replaced by a new one from the last version seen — an event's or a BOOKMARK's —
 *   so the consumer sees one uninterrupted stream.
 * - An ERROR event, or a refused watch request, ends the iteration with a StoreError: 410 Gone is
 *   Expired (the consumer lists again), anything else is Unavailable.
 * - The queue between the socket and the consumer is bounded. Watch offers no back-pressure, so
 *   when a slow consumer lets QUEUE_LIMIT events pile up the session is dropped; once the consumer
 *   has drained the queue a new session resumes right after the last queued event. Memory stays
 *   bounded and nothing is lost (unless the server compacted that version meanwhile: Expired).
 * - Every session must connect within the request timeout; after that a quiet watch is normal.
 *   Watch gives no handle on the request until the server answers, so each session's HTTP agent
 *   is captured (see trackAgents) and destroyed to cut a hanging connection.
 */

import { Agent } from 'node:http';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { isPlainRecord } from '../labelSelector.js';
import { sleep } from '../sleep.js';
import type { StoredObject, StoreError, WatchEvent } from '../types.js';
import { DeadlineExceeded, statusToStoreError, toStoreError } from './errors.js';

export interface WatchRequest {
  kubeConfig: KubeConfig;
  /** The list path of the collection, e.g. /apis/identity.unikorn-cloud.org/v1alpha1/namespaces/x/quotas. */
  path: string;
  labelSelector?: string;
  fromResourceVersion: string;
  /** The caller's signal combined with the store's close(). */
  signal: AbortSignal;
  connectTimeoutMs: number;
  /** Names the watch in error messages, e.g. `watch Quota in org-acme`. */
  what: string;
  /** Converts a server object to the port's shape; throws when it is not one. */
  toObject: (value: unknown) => StoredObject;
}

const QUEUE_LIMIT = 1_000;
const MAX_RECONNECT_DELAY_MS = 5_000;

export async function* watchObjects(request: WatchRequest): AsyncGenerator<WatchEvent> {
  let from = request.fromResourceVersion;
  let quietRestarts = 0;
  while (!request.signal.aborted) {
    const session = new WatchSession(request, from);
    const startedAt = Date.now();
    try {
      for (;;) {
        const next = await session.next(request.signal);
        if (next === undefined) return;
        if ('type' in next) {
          yield next;
        } else if (next.ended === 'failed') {
          throw next.error;
        } else {
          break;
        }
      }
    } finally {
      session.stop();
    }
    from = session.resumeFrom;
    // A server that ends every watch at once must not be hit in a tight loop.
    quietRestarts = session.received === 0 && Date.now() - startedAt < 1_000 ? quietRestarts + 1 : 0;
    if (quietRestarts > 0) {
      await sleep(Math.min(50 * 2 ** quietRestarts, MAX_RECONNECT_DELAY_MS), request.signal);
    }
  }
}

type SessionEnd = { ended: 'closed' } | { ended: 'failed'; error: StoreError };

/** One watch connection and the bounded queue of the events it delivered. */
class WatchSession {
  /** Where a following session starts: the version of the last queued event or bookmark. */
  resumeFrom: string;
  /** Events and bookmarks accepted (progress, for the reconnect backoff). */
  received = 0;
  private readonly queue: WatchEvent[] = [];
  private end: SessionEnd | undefined;
  private wake: (() => void) | undefined;
  private controller: AbortController | undefined;
  private readonly agents: Agent[] = [];
  private readonly connectTimer: NodeJS.Timeout;

  constructor(
    private readonly request: WatchRequest,
    from: string,
  ) {
    this.resumeFrom = from;
    this.connectTimer = setTimeout(
      () => this.fail(new DeadlineExceeded(request.connectTimeoutMs)),
      request.connectTimeoutMs,
    );
    const watch = new Watch(trackAgents(request.kubeConfig, (agent) => this.agents.push(agent)));
    const query = { resourceVersion: from, allowWatchBookmarks: true, labelSelector: request.labelSelector };
    watch
      .watch(
        request.path,
        query,
        (type: string, object: unknown) => this.onEvent(type, object),
        (error: unknown) => this.onDone(error),
      )
      .then(
        (controller) => {
          clearTimeout(this.connectTimer);
          this.controller = controller;
          if (this.end !== undefined) controller.abort();
        },
        (error: unknown) => this.fail(error),
      );
  }

  /** The next queued event, else how the session ended; undefined once `signal` aborted. */
  async next(signal: AbortSignal): Promise<WatchEvent | SessionEnd | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      const event = this.queue.shift();
      if (event !== undefined) return event;
      if (this.end !== undefined) return this.end;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  stop(): void {
    this.finish({ ended: 'closed' });
  }

  private onEvent(type: string, object: unknown): void {
    // Watch swallows exceptions thrown here, so every failure must become the session's end.
    if (this.end !== undefined) return;
    try {
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
        if (this.queue.length >= QUEUE_LIMIT) {
          this.finish({ ended: 'closed' });
          return;
        }
        const stored = this.request.toObject(object);
        this.queue.push({ type, object: stored });
        this.resumeFrom = stored.metadata.resourceVersion ?? this.resumeFrom;
      } else if (type === 'BOOKMARK') {
        const version = bookmarkVersion(object);
        this.resumeFrom = version ?? this.resumeFrom;
      } else if (type === 'ERROR') {
        this.finish({ ended: 'failed', error: statusToStoreError(object, this.request.what) });
        return;
      }
      this.received += 1;
      this.wake?.();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Watch's done callback: null when the server ended the stream, else the error. */
  private onDone(error: unknown): void {
    if (error === null || error === undefined) {
      this.finish({ ended: 'closed' });
    } else {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.finish({ ended: 'failed', error: toStoreError(error, this.request.what, { collection: true }) });
  }

  /** The first end wins; later ones (the abort errors our own stop causes) are ignored. */
  private finish(end: SessionEnd): void {
    if (this.end !== undefined) return;
    this.end = end;
    clearTimeout(this.connectTimer);
    this.controller?.abort();
    for (const agent of this.agents) agent.destroy();
    this.wake?.();
  }
}

/**
 * A view of `kubeConfig` that reports the HTTP agent Watch will use. Watch builds a fresh agent per
 * request (applyToFetchOptions) and only hands out its AbortController once the server answered;
 * destroying the agent is how a session cuts a connection that is still waiting for an answer.
 */
function trackAgents(kubeConfig: KubeConfig, onAgent: (agent: Agent) => void): KubeConfig {
  const tracked = Object.create(kubeConfig) as KubeConfig;
  tracked.applyToFetchOptions = async (options) => {
    const init = await kubeConfig.applyToFetchOptions(options);
    if (init.agent instanceof Agent) onAgent(init.agent);
    return init;
  };
  return tracked;
}

function bookmarkVersion(object: unknown): string | undefined {
  const metadata = isPlainRecord(object) ? object.metadata : undefined;
  const version = isPlainRecord(metadata) ? metadata.resourceVersion : undefined;
  return typeof version === 'string' ? version : undefined;
}
