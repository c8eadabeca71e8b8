/**
 * Query parameters of list and watch requests (metav1.ListOptions), decoded and validated as the
 * apiserver does: undecodable values are 400 BadRequest, inconsistent combinations 422 Invalid
 * (apimachinery/pkg/apis/meta/internalversion/validation).
 */
import {
  badRequest,
  type FieldError,
  forbidden,
  invalid,
  invalidListOptions,
  invalidValue,
  notSupported,
  quote,
} from './status.js';
import type { ResourceType } from './types.js';

export interface ListOptions {
  watch: boolean;
  /** '' when absent. */
  resourceVersion: string;
  /** '' when absent; 'Exact' or 'NotOlderThan'. */
  resourceVersionMatch: string;
  /** 0 = no limit. */
  limit: number;
  continue: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number | undefined;
}

/** strconv.ParseBool */
function parseBool(name: string, value: string | null): boolean | undefined {
  if (value === null) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw badRequest(`${name}: strconv.ParseBool: parsing ${quote(value)}: invalid syntax`);
}

function parseInteger(name: string, value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`${name}: strconv.ParseInt: parsing ${quote(value)}: invalid syntax`);
  return Number(value);
}

export function parseListOptions(query: URLSearchParams): ListOptions {
  const options: ListOptions = {
    watch: parseBool('watch', query.get('watch')) ?? false,
    resourceVersion: query.get('resourceVersion') ?? '',
    resourceVersionMatch: query.get('resourceVersionMatch') ?? '',
    limit: Math.max(0, parseInteger('limit', query.get('limit')) ?? 0),
    continue: query.get('continue') ?? '',
    allowWatchBookmarks: parseBool('allowWatchBookmarks', query.get('allowWatchBookmarks')) ?? false,
    sendInitialEvents: parseBool('sendInitialEvents', query.get('sendInitialEvents')),
    timeoutSeconds: parseInteger('timeoutSeconds', query.get('timeoutSeconds')),
  };
  const errors = options.watch ? watchOptionErrors(options) : listOptionErrors(options);
  if (errors.length > 0) throw invalidListOptions(errors);
  return options;
}

const MATCH_FIELD = 'resourceVersionMatch';

function listOptionErrors(options: ListOptions): FieldError[] {
  const errors: FieldError[] = [];
  const match = options.resourceVersionMatch;
  if (match !== '') {
    if (options.resourceVersion === '') {
      errors.push(forbidden(MATCH_FIELD, 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    }
    if (options.continue !== '') {
      errors.push(forbidden(MATCH_FIELD, 'resourceVersionMatch is forbidden when continue is provided'));
    }
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errors.push(notSupported(MATCH_FIELD, quote(match), ['Exact', 'NotOlderThan', '']));
    }
    if (match === 'Exact' && options.resourceVersion === '0') {
      errors.push(forbidden(MATCH_FIELD, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (options.sendInitialEvents !== undefined) {
    errors.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  return errors;
}

function watchOptionErrors(options: ListOptions): FieldError[] {
  const errors: FieldError[] = [];
  const match = options.resourceVersionMatch;
  if (options.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errors.push(forbidden(MATCH_FIELD, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match !== '') {
    if (options.sendInitialEvents === undefined) {
      errors.push(
        forbidden(MATCH_FIELD, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'),
      );
    }
    if (match !== 'NotOlderThan') errors.push(notSupported(MATCH_FIELD, quote(match), ['NotOlderThan']));
    if (options.continue !== '') {
      errors.push(forbidden(MATCH_FIELD, 'resourceVersionMatch is forbidden when continue is provided'));
    }
  }
  return errors;
}

const UINT = /^\d+$/;

/** A list's resourceVersion: undefined when unset, 0 for "0"; not a number → 400 (etcd3 store.GetList). */
export function parseListRevision(resourceVersion: string): number | undefined {
  if (resourceVersion === '') return undefined;
  if (!UINT.test(resourceVersion)) {
    throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${quote(resourceVersion)}: invalid syntax`);
  }
  return Number(resourceVersion);
}

/**
 * A watch's resourceVersion. Not a number → 422 Invalid: the watch path reports the versioner's
 * InvalidError through storeerr.InterpretWatchError, which names the resource as the kind.
 */
export function parseWatchRevision(resourceVersion: string, resource: ResourceType): number | undefined {
  if (resourceVersion === '') return undefined;
  if (!UINT.test(resourceVersion)) {
    const error = invalidValue(
      'resourceVersion',
      quote(resourceVersion),
      `strconv.ParseUint: parsing ${quote(resourceVersion)}: invalid syntax`,
    );
    throw invalid(resource.group, resource.plural, '', [error]);
  }
  return Number(resourceVersion);
}
