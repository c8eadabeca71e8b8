/**
 * Watch streams: a chunked `application/json` response of newline-delimited `{type, object}`
 * events, as the apiserver's watch handler writes them. Semantics follow
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
 * and the watch cache's cacheWatcher.
 */
import type { ServerResponse } from 'node:http';
import type { ListScope } from './list.js';
import type { ListOptions } from './listOptions.js';
import { matchesFilter } from './selectors.js';
import { expired, statusObject } from './status.js';
import type { Change, Storage } from './storage.js';
import { apiVersionOf, type KubeObject, type WatchEvent } from './types.js';

/** Marks the bookmark that ends the initial events of a `sendInitialEvents=true` watch. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * cacheWatcher.convertToWatchEvent: an object that enters the selection is ADDED, one that
 * leaves it is DELETED (carrying its previous content with the change's resourceVersion).
 */
export function watchEventFor(change: Change, selects: (object: KubeObject) => boolean): WatchEvent | undefined {
  const now = change.type !== 'DELETED' && selects(change.object);
  const before = change.previous !== undefined && selects(change.previous);
  if (now) return { type: before ? change.type : 'ADDED', object: change.object };
  if (!before) return undefined;
  const previous = change.previous!;
  return {
    type: 'DELETED',
    object: { ...previous, metadata: { ...previous.metadata, resourceVersion: String(change.revision) } },
  };
}

export interface WatchSettings {
  /** How often BOOKMARK events are sent when the client allows them. */
  bookmarkIntervalMs: number;
}

export class WatchStream {
  private ended = false;
  /** Every change up to this revision has been considered for the client. */
  private position = 0;
  private unsubscribe: () => void = () => {};
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly scope: ListScope,
    private readonly response: ServerResponse,
    private readonly onFinish: (stream: WatchStream) => void,
  ) {}

  /** Starts the stream; `from` is the parsed resourceVersion (undefined when unset). */
  start(from: number | undefined, options: ListOptions, settings: WatchSettings): void {
    this.response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.response.flushHeaders();
    this.response.on('close', () => this.cleanUp());
    if (!this.sendHistory(from, options)) return;
    this.unsubscribe = this.storage.subscribe((change) => this.deliver(change));
    if (options.allowWatchBookmarks) {
      this.timers.push(setInterval(() => this.sendBookmark(), settings.bookmarkIntervalMs));
    }
    if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) {
      this.timers.push(setTimeout(() => this.end(), options.timeoutSeconds * 1000));
    }
  }

  /** Ends the stream cleanly (the chunked body terminates), as a server-side timeout does. */
  end(): void {
    if (this.ended) return;
    this.cleanUp();
    this.response.end();
  }

  /** Breaks the connection without ending the body, as a crashing server would. */
  destroy(): void {
    this.cleanUp();
    this.response.socket?.destroy();
  }

  /**
   * Sends what precedes live events: the current state as synthetic ADDED events (resourceVersion
   * unset or "0", or sendInitialEvents=true), or the history after the given resourceVersion.
   * Returns false when the stream ended because that history is gone.
   */
  private sendHistory(from: number | undefined, options: ListOptions): boolean {
    const initialState = options.sendInitialEvents ?? (from === undefined || from === 0);
    if (initialState) {
      for (const [, object] of this.storage.snapshot(this.scope.resource.plural)) {
        if (matchesFilter(this.scope.filter, object)) this.write({ type: 'ADDED', object });
      }
      this.position = this.storage.revision;
      if (options.sendInitialEvents === true && options.allowWatchBookmarks) {
        this.sendBookmark({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
      }
      return true;
    }
    const start = from ?? this.storage.revision;
    const changes = this.storage.changesAfter(start);
    if (changes === undefined) {
      // The watch was accepted, so the apiserver reports this inside the stream, then closes it.
      const error = expired(`too old resource version: ${start} (${this.storage.compactedRevision})`);
      this.write({ type: 'ERROR', object: statusObject(error) });
      this.end();
      return false;
    }
    this.position = start;
    for (const change of changes) this.deliver(change);
    this.position = Math.max(start, this.storage.revision);
    return true;
  }

  private deliver(change: Change): void {
    if (this.ended || change.revision <= this.position) return;
    this.position = change.revision;
    if (change.resource !== this.scope.resource.plural) return;
    const event = watchEventFor(change, (object) => matchesFilter(this.scope.filter, object));
    if (event !== undefined) this.write(event);
  }

  /** A BOOKMARK: an object of the watched kind with only its resourceVersion (and annotations). */
  private sendBookmark(annotations?: Record<string, string>): void {
    this.position = Math.max(this.position, this.storage.revision);
    const metadata: Record<string, unknown> = { resourceVersion: String(this.position) };
    if (annotations !== undefined) metadata.annotations = annotations;
    const { resource } = this.scope;
    this.write({ type: 'BOOKMARK', object: { kind: resource.kind, apiVersion: apiVersionOf(resource), metadata } });
  }

  private write(event: WatchEvent): void {
    if (!this.ended) this.response.write(`${JSON.stringify(event)}\n`);
  }

  private cleanUp(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.onFinish(this);
  }
}
