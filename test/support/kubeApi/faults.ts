/**
 * Injected faults: latency, failing or dropped requests, conflict storms and outages. Applied to
 * every request in this order: latency, then down (503), then dropNext, then failNext; a
 * conflict storm only answers PUTs that reached an object route.
 */
import { type ApiError, failureForCode } from './status.js';

export interface Faults {
  /** Added before every response (also before faults and before a watch's first byte). */
  latencyMs: number;
  /** The next `count` requests answer a Status with `status` (default 500) instead of being served. */
  failNext(count: number, status?: number): void;
  /** The next `count` requests get their connection destroyed without an answer. */
  dropNext(count: number): void;
  /** The next `count` PUTs answer 409 Conflict, even when their resourceVersion is current. */
  conflictStorm(count: number): void;
  /**
   * While down, every request answers 503 ServiceUnavailable (a Status with Retry-After, what a
   * load balancer or a shutting-down apiserver answers), and open watch streams are cut.
   */
  down(): void;
  up(): void;
  /** Back to no faults: latency 0, nothing scheduled, up. */
  reset(): void;
}

/** What the fault plan decides for one request. */
export type FaultDecision = { type: 'serve' } | { type: 'drop' } | { type: 'fail'; error: ApiError };

export class FaultPlan implements Faults {
  latencyMs = 0;
  private failures: number[] = [];
  private drops = 0;
  private conflicts = 0;
  private isDown = false;

  constructor(private readonly onDown: () => void) {}

  failNext(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  dropNext(count: number): void {
    this.drops += count;
  }

  conflictStorm(count: number): void {
    this.conflicts += count;
  }

  down(): void {
    this.isDown = true;
    this.onDown();
  }

  up(): void {
    this.isDown = false;
  }

  reset(): void {
    this.latencyMs = 0;
    this.failures = [];
    this.drops = 0;
    this.conflicts = 0;
    this.isDown = false;
  }

  /** Decides, and consumes, the fault for the request at hand. */
  next(): FaultDecision {
    if (this.isDown) {
      return { type: 'fail', error: failureForCode(503, 'the server is currently unable to handle the request') };
    }
    if (this.drops > 0) {
      this.drops -= 1;
      return { type: 'drop' };
    }
    const status = this.failures.shift();
    if (status !== undefined) {
      return { type: 'fail', error: failureForCode(status, `injected failure (HTTP ${status})`) };
    }
    return { type: 'serve' };
  }

  /** True (and one fewer left) when a conflict storm claims this PUT. */
  takeConflict(): boolean {
    if (this.conflicts === 0) return false;
    this.conflicts -= 1;
    return true;
  }
}
