/**
 * The request timeout. client-node 1.x has no timeout of its own for CustomObjectsApi calls, but
 * its RequestContext carries an AbortSignal that its fetch honours; a per-call middleware sets it.
 * The signal alone is not enough: the generated client does work before the middleware runs
 * (building the request, running an exec credential plugin), so the call is also raced against
 * the same signal. Either way a silent API server turns into a rejection within the timeout.
 */
import { type ConfigurationOptions, Observable, type ObservableMiddleware } from '@kubernetes/client-node';
import { DeadlineExceeded } from './errors.js';

/**
 * Runs `send` with a signal that aborts after `timeoutMs` (reason: DeadlineExceeded) or when
 * `parent` aborts (reason: the parent's); rejects with that reason as soon as the signal aborts.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  parent: AbortSignal,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(timeoutMs)), timeoutMs);
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(controller.signal.reason);
    controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    if (parent.aborted) onParentAbort();
    return await Promise.race([send(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
    controller.signal.removeEventListener('abort', onAbort);
  }
}

/** Per-call client options that attach `signal` to the HTTP request (appended to the client's own middleware). */
export function signalOptions(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (request) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  // A fresh array each call: the generated client reverses the middleware array in place.
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
