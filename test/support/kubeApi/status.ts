/**
 * metav1.Status bodies, built the way k8s.io/apimachinery/pkg/api/errors builds them, so that
 * clients see the same code, reason, message and details as from a real apiserver.
 */
import { type JsonObject, qualifiedResource, type ResourceType } from './types.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  /** For most errors this is the *resource* (plural), not the kind: an apimachinery quirk. */
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  /** Omitted for StatusReasonUnknown (""), as the Go struct's omitempty does. */
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** A request that ends in a Status; the router turns it into the HTTP answer. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: Status & { code: number },
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message);
  }
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
  metadata: Status['metadata'] = {},
): ApiError {
  const status: Status & { code: number } = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata,
    status: 'Failure',
    message,
    code,
  };
  if (reason !== '') status.reason = reason;
  if (details !== undefined) status.details = details;
  return new ApiError(status);
}

/** details for errors.NewNotFound / NewAlreadyExists / NewConflict: group omitted for the core group. */
function resourceDetails(group: string, resource: string, name: string): StatusDetails {
  return group === '' ? { name, kind: resource } : { name, group, kind: resource };
}

export const badRequest = (message: string): ApiError => failure(400, 'BadRequest', message);

/** What the apiserver answers for a path it does not serve at all. */
export const routeNotFound = (): ApiError =>
  failure(404, 'NotFound', 'the server could not find the requested resource', {});

export const notFound = (resource: ResourceType, name: string): ApiError =>
  failure(
    404,
    'NotFound',
    `${qualifiedResource(resource)} "${name}" not found`,
    resourceDetails(resource.group, resource.plural, name),
  );

export const alreadyExists = (resource: ResourceType, name: string): ApiError =>
  failure(
    409,
    'AlreadyExists',
    `${qualifiedResource(resource)} "${name}" already exists`,
    resourceDetails(resource.group, resource.plural, name),
  );

/** registry.OptimisticLockErrorMsg */
export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/**
 * errors.NewConflict(groupResource, name, cause). Callers differ in what they pass as the
 * "resource": the registry passes the plural, rest.BeforeDelete passes the Kind.
 */
export function conflict(group: string, resourceOrKind: string, name: string, cause: string): ApiError {
  const qualified = group === '' ? resourceOrKind : `${resourceOrKind}.${group}`;
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": ${cause}`,
    resourceDetails(group, resourceOrKind, name),
  );
}

export const optimisticLockConflict = (resource: ResourceType, name: string): ApiError =>
  conflict(resource.group, resource.plural, name, OPTIMISTIC_LOCK_MESSAGE);

// ---------------------------------------------------------------------------------------------
// Field errors and 422 Invalid (k8s.io/apimachinery/pkg/util/validation/field).

export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueForbidden'
  | 'FieldValueNotSupported';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  detail: string;
  /** The offending value, rendered as Go's %#v would (strings quoted). */
  value?: string;
}

export const quote = (value: string): string => JSON.stringify(value);

export const invalidValue = (field: string, value: string, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  value,
  detail,
});
export const requiredValue = (field: string, detail: string): FieldError => ({
  type: 'FieldValueRequired',
  field,
  detail,
});
export const forbidden = (field: string, detail: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  detail,
});
export const notSupported = (field: string, value: string, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${supported.map(quote).join(', ')}`,
});

/** field.Error.ErrorBody() */
function errorBody(error: FieldError): string {
  switch (error.type) {
    case 'FieldValueInvalid':
      return `Invalid value: ${error.value}: ${error.detail}`;
    case 'FieldValueRequired':
      return `Required value: ${error.detail}`;
    case 'FieldValueForbidden':
      return `Forbidden: ${error.detail}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${error.value}: ${error.detail}`;
  }
}

/**
 * errors.NewInvalid(groupKind, name, errs): message `<Kind>.<group> "<name>" is invalid: <errs>`
 * where several errors are shown as `[a, b]` (utilerrors.NewAggregate).
 */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): ApiError {
  const rendered = errors.map((error) => `${error.field}: ${errorBody(error)}`);
  const aggregate = rendered.length === 1 ? rendered[0]! : `[${rendered.join(', ')}]`;
  const qualified = group === '' ? kind : `${kind}.${group}`;
  const details: StatusDetails = {
    name,
    ...(group === '' ? {} : { group }),
    kind,
    causes: errors.map((error) => ({ reason: error.type, message: errorBody(error), field: error.field })),
  };
  return failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${aggregate}`, details);
}

/** 422 for an object: strategy validation names the Kind (rest.BeforeCreate / BeforeUpdate). */
export const invalidObject = (resource: ResourceType, name: string, errors: FieldError[]): ApiError =>
  invalid(resource.group, resource.kind, name, errors);

/** 422 for query parameters (metainternalversion validation of ListOptions). */
export const invalidListOptions = (errors: FieldError[]): ApiError => invalid('meta.k8s.io', 'ListOptions', '', errors);

// ---------------------------------------------------------------------------------------------
// Other failures.

export const expired = (message: string, continueToken?: string): ApiError =>
  failure(410, 'Expired', message, undefined, continueToken === undefined ? {} : { continue: continueToken });

export const methodNotAllowed = (
  message = 'the server does not allow this method on the requested resource',
): ApiError => failure(405, 'MethodNotAllowed', message, {});

export const unsupportedMediaType = (contentType: string): ApiError =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${contentType}) - accepted media types include: application/json`,
  );

/**
 * An error that is not an apimachinery StatusError reaches the client through
 * responsewriters.convertStorageErrorOrNot: code 500, reason Unknown (omitted), the raw message.
 */
export const unknownServerError = (message: string): ApiError => failure(500, '', message);

/** storage.NewTooLargeResourceVersionError, as the apiserver answers it (504 Timeout). */
export const tooLargeResourceVersion = (requested: number, current: number): ApiError =>
  failure(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });

/** metav1.StatusReason for an HTTP code, as errors.NewGenericServerResponse picks it. */
const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A Status for an arbitrary code (injected faults, internal errors); 429 and 503 carry Retry-After like the apiserver's. */
export function failureForCode(code: number, message: string): ApiError {
  const reason = REASON_BY_CODE[code] ?? '';
  const retry = code === 429 || code === 503;
  const error = failure(code, reason, message, retry ? { retryAfterSeconds: 1 } : {});
  return retry ? new ApiError(error.status, { 'Retry-After': '1' }) : error;
}

/** The body a successful DELETE of a custom resource answers (registry.Store.finalizeDelete). */
export function deletedStatus(resource: ResourceType, name: string, uid: string | undefined): Status {
  const details: StatusDetails = { name, group: resource.group, kind: resource.plural };
  if (uid !== undefined) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** Status as the JSON object a watch ERROR event carries. */
export const statusObject = (error: ApiError): JsonObject => ({ ...error.status });
