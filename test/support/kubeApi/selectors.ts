/**
 * Which objects a list or watch selects: namespace, `labelSelector` (the full Kubernetes grammar,
 * parsed by the project's own parser) and `fieldSelector` (the fields the resource supports).
 * Malformed selectors are 400 BadRequest, as the apiserver's query decoding answers.
 */
import { type LabelRequirement, matches, parseLabelSelector } from '../../../src/store/labelSelector.js';
import { badRequest } from './status.js';
import type { KubeObject, ResourceType } from './types.js';

interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

export interface ObjectFilter {
  namespace: string | undefined;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  /** True when no label or field selector was given (remainingItemCount is only exact then). */
  unselective: boolean;
}

export function parseFilter(
  resource: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): ObjectFilter {
  const labels = parseLabels(query.get('labelSelector') ?? '');
  const fields = parseFields(resource, query.get('fieldSelector') ?? '');
  return { namespace, labels, fields, unselective: labels.length === 0 && fields.length === 0 };
}

function parseLabels(selector: string): LabelRequirement[] {
  try {
    return parseLabelSelector(selector);
  } catch (error) {
    throw badRequest(`unable to parse requirement: ${(error as Error).message}`);
  }
}

/** fields.ParseSelector: `f=v`, `f==v`, `f!=v`, comma-joined; then the resource's field labels. */
function parseFields(resource: ResourceType, selector: string): FieldRequirement[] {
  if (selector.trim() === '') return [];
  return selector.split(',').map((term) => {
    const match = /^([^=!]+)(==|!=|=)(.*)$/.exec(term.trim());
    if (match === null) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field = '', operator, value = ''] = match;
    if (!resource.fieldLabels.includes(field.trim())) {
      throw badRequest(`field label not supported: ${field.trim()}`);
    }
    return { field: field.trim(), value: value.trim(), equal: operator !== '!=' };
  });
}

function fieldValue(object: KubeObject, field: string): string {
  switch (field) {
    case 'metadata.name':
      return object.metadata.name ?? '';
    case 'metadata.namespace':
      return object.metadata.namespace ?? '';
    case 'status.phase': {
      const status = object.status as { phase?: unknown } | undefined;
      return typeof status?.phase === 'string' ? status.phase : '';
    }
    default:
      return '';
  }
}

export function matchesFilter(filter: ObjectFilter, object: KubeObject): boolean {
  if (filter.namespace !== undefined && object.metadata.namespace !== filter.namespace) return false;
  if (!matches(filter.labels, object.metadata.labels)) return false;
  return filter.fields.every(
    (requirement) => (fieldValue(object, requirement.field) === requirement.value) === requirement.equal,
  );
}
