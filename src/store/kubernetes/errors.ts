/**
 * Turning whatever the Kubernetes client throws into the port's StoreError: the one place that
 * knows the API server's error conventions. Pure (duck-typed, no client import), so it is unit
 * tested with small fake errors.
 *
 * What arrives here:
 *   - ApiException from CustomObjectsApi: numeric `.code` (HTTP status) and `.body`, the response
 *     text (a JSON `Status`) — undefined for 401, which the generated client does not read.
 *   - Errors from client-node's Watch when the watch request is refused: numeric `.statusCode`.
 *   - `Status` objects of watch ERROR events (handled by {@link statusToStoreError}).
 *   - node-fetch FetchError for network failures: string `.code` (ECONNREFUSED, …), and its
 *     premature-close error when a stream is cut.
 *   - {@link DeadlineExceeded} when the adapter's request timeout fired.
 */
import { STATUS_CODES } from 'node:http';
import { isPlainRecord } from '../labelSelector.js';
import { StoreError } from '../types.js';

/** The adapter's request timeout fired before the API server answered. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export interface ErrorContext {
  /**
   * The call addresses a collection (list, watch, discovery): a 404 then means the API server does
   * not serve the resource type at all (CRDs not installed), which is an outage, not a missing object.
   */
  collection?: boolean;
}

/** The parts of a Kubernetes `Status` the mapping reads. */
interface StatusFields {
  code?: number;
  reason?: string;
  message?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // node-fetch's error when a chunked response (a watch stream) is cut before its end.
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Maps any error from a call to the API server to a StoreError whose message starts with `what`
 * (the operation and the object, e.g. `update Quota org-acme/quota`).
 */
export function toStoreError(error: unknown, what: string, context: ErrorContext = {}): StoreError {
  if (error instanceof StoreError) {
    return error;
  }
  if (error instanceof DeadlineExceeded) {
    return new StoreError('Unavailable', `${what}: the API server did not answer within ${error.timeoutMs} ms`, {
      cause: error,
    });
  }
  const httpStatus = httpStatusOf(error);
  if (httpStatus !== undefined) {
    const status = isPlainRecord(error) ? parseStatus(error.body) : {};
    return fromHttpStatus(httpStatus, status, what, context, error);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isPlainRecord(error) && error.name === 'AbortError') {
    return new StoreError('Unavailable', `${what}: the request was aborted`, { cause: error });
  }
  const code = isPlainRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  if ((code !== undefined && NETWORK_CODES.has(code)) || /socket hang up/i.test(message)) {
    return new StoreError('Unavailable', `${what}: the connection to the API server failed: ${message}`, {
      cause: error,
    });
  }
  return new StoreError('Unavailable', `${what}: ${message}`, { cause: error });
}

/** Maps the `Status` object of a watch ERROR event (its `code` is the HTTP status it stands for). */
export function statusToStoreError(status: unknown, what: string): StoreError {
  const fields = parseStatus(status);
  return fromHttpStatus(fields.code ?? 500, fields, what, { collection: true }, status);
}

function fromHttpStatus(
  code: number,
  status: StatusFields,
  what: string,
  context: ErrorContext,
  cause: unknown,
): StoreError {
  const reason = status.reason || STATUS_CODES[code] || `HTTP ${code}`;
  const detail = status.message ? `${reason}: ${status.message}` : reason;
  const error = (storeReason: StoreError['reason'], message: string) =>
    new StoreError(storeReason, `${what}: ${message}`, { cause });
  switch (true) {
    case code === 404 && context.collection === true:
      return error(
        'Unavailable',
        `the API server does not serve this resource (are the unikorn CRDs installed?): ${detail}`,
      );
    case code === 404:
      return error('NotFound', detail);
    case code === 409 && status.reason === 'AlreadyExists':
      return error('AlreadyExists', detail);
    case code === 409:
      return error('Conflict', detail);
    case code === 410:
      return error('Expired', `${detail}; list again and watch from the list's resourceVersion`);
    case code === 401 || code === 403:
      return error('Unavailable', `the API server refused the gateway's credentials: ${detail}`);
    case code === 429:
      return error('Unavailable', `the API server is throttling requests: ${detail}`);
    case code >= 400 && code < 500:
      // 400 BadRequest and 422 Invalid (schema validation, bad selector) and the odd other refusal.
      return error('Invalid', detail);
    default:
      return error('Unavailable', `the API server failed (HTTP ${code}): ${detail}`);
  }
}

/** The HTTP status of an ApiException (`code`) or of a refused watch (`statusCode`). */
function httpStatusOf(error: unknown): number | undefined {
  if (!isPlainRecord(error)) return undefined;
  if (typeof error.code === 'number') return error.code;
  if (typeof error.statusCode === 'number') return error.statusCode;
  return undefined;
}

/** A Status from a response body: JSON text, an already parsed object, or nothing usable. */
function parseStatus(body: unknown): StatusFields {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      // Not JSON (a proxy's HTML error page, say): keep a short excerpt as the message.
      return body.trim() === '' ? {} : { message: body.trim().slice(0, 200) };
    }
  }
  if (!isPlainRecord(value)) return {};
  return {
    code: typeof value.code === 'number' ? value.code : undefined,
    reason: typeof value.reason === 'string' ? value.reason : undefined,
    message: typeof value.message === 'string' ? value.message : undefined,
  };
}
