/**
 * Decoding request bodies and validating object metadata with the apiserver's rules and messages
 * (k8s.io/apimachinery/pkg/util/validation and pkg/api/validation/objectmeta.go).
 */
import { badRequest, type FieldError, forbidden, invalidValue, quote, requiredValue } from './status.js';
import {
  apiVersionOf,
  isPlainObject,
  type JsonObject,
  type KubeObject,
  type ObjectMeta,
  type ResourceType,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Decoding: malformed bodies are 400 BadRequest, before any validation (handlers/create.go).

export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

/**
 * Decodes a create/update body for `resource`: a JSON object with a kind and the URL's apiVersion
 * (the handler refuses another group/version with 400), and metadata of the right types
 * (decoding into metav1.ObjectMeta fails with 400 otherwise).
 */
export function decodeObject(body: string, resource: ResourceType): KubeObject {
  const value = parseJsonBody(body);
  if (!isPlainObject(value)) {
    throw badRequest(`couldn't get version/kind; json parse error: expected an object, got ${jsonType(value)}`);
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    throw badRequest(`Object 'Kind' is missing in '${body}'`);
  }
  const expected = apiVersionOf(resource);
  if (value.apiVersion !== expected) {
    const actual = typeof value.apiVersion === 'string' ? value.apiVersion : '';
    throw badRequest(`the API version in the data (${actual}) does not match the expected API version (${expected})`);
  }
  const metadata = value.metadata ?? {};
  if (!isPlainObject(metadata)) {
    throw decodeError('metadata', metadata, 'v1.ObjectMeta');
  }
  return { ...value, apiVersion: expected, kind: value.kind, metadata: normalizeMetadata(metadata) };
}

const jsonType = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'boolean' ? 'bool' : typeof value;
};

const decodeError = (field: string, value: unknown, goType: string) =>
  badRequest(`json: cannot unmarshal ${jsonType(value)} into Go struct field ObjectMeta.${field} of type ${goType}`);

const STRING_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
] as const;
const INTEGER_FIELDS = ['generation', 'deletionGracePeriodSeconds'] as const;
const STRING_MAP_FIELDS = ['labels', 'annotations'] as const;

/**
 * Custom resources keep metadata as a typed metav1.ObjectMeta: unknown fields are dropped and
 * empty values are omitted (`omitempty`), so `labels: {}` or `finalizers: []` are not stored.
 * Fields are emitted in the Go struct's order.
 */
export function normalizeMetadata(raw: JsonObject): ObjectMeta {
  const meta: ObjectMeta = {};
  for (const field of STRING_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw decodeError(`metadata.${field}`, value, 'string');
    if (value !== '') meta[field] = value;
  }
  for (const field of INTEGER_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw decodeError(`metadata.${field}`, value, 'int64');
    if (value !== 0 || field === 'deletionGracePeriodSeconds') meta[field] = value;
  }
  for (const field of STRING_MAP_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (!isPlainObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
      throw decodeError(`metadata.${field}`, value, 'map[string]string');
    }
    if (Object.keys(value).length > 0) meta[field] = { ...(value as Record<string, string>) };
  }
  const owners = raw.ownerReferences;
  if (owners !== undefined && owners !== null) {
    if (!Array.isArray(owners) || !owners.every(isPlainObject)) {
      throw decodeError('metadata.ownerReferences', owners, '[]v1.OwnerReference');
    }
    if (owners.length > 0) meta.ownerReferences = structuredClone(owners);
  }
  const finalizers = raw.finalizers;
  if (finalizers !== undefined && finalizers !== null) {
    if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string')) {
      throw decodeError('metadata.finalizers', finalizers, '[]string');
    }
    if (finalizers.length > 0) meta.finalizers = [...finalizers];
  }
  return orderMetadata(meta);
}

const METADATA_ORDER: readonly (keyof ObjectMeta)[] = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
];

/** Rebuilds `meta` with its fields in the order a real apiserver serializes them. */
export function orderMetadata(meta: ObjectMeta): ObjectMeta {
  const ordered: Record<string, unknown> = {};
  for (const key of METADATA_ORDER) {
    if (meta[key] !== undefined) ordered[key] = meta[key];
  }
  return ordered as ObjectMeta;
}

// ---------------------------------------------------------------------------------------------
// Name, label and annotation rules (k8s.io/apimachinery/pkg/util/validation/validation.go).

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const fullMatch = (format: string) => new RegExp(`^${format}$`);
const DNS1123_LABEL = fullMatch(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN = fullMatch(DNS1123_SUBDOMAIN_FMT);
const QUALIFIED_NAME = fullMatch(QUALIFIED_NAME_FMT);
const LABEL_VALUE = fullMatch(LABEL_VALUE_FMT);

/** validation.RegexError, double spaces included: "(e.g. 'a',  or 'b', regex used …)". */
function regexError(message: string, format: string, ...examples: string[]): string {
  const shown = examples.map((example) => `'${example}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

const maxLengthError = (length: number) => `must be no more than ${length} characters`;

export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLengthError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errors;
}

export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthError(63));
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT,
        'my-name',
        '123-abc',
      ),
    );
  }
  return errors;
}

/** validation.IsQualifiedName: `[prefix/]name`, the form of label keys, annotation keys and finalizers. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLengthError(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(`name part ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errors;
}

export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthError(63));
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errors;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** NameIsDNSSubdomain with prefix=true: a generateName may end in '-'. */
const maskTrailingDash = (name: string): string =>
  name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;

export type NameRule = (value: string) => string[];

/**
 * ValidateObjectMetaAccessor: name (or generateName), labels, annotations and finalizers. The
 * namespace is not checked here: the router already matched it against an existing namespace.
 */
export function objectMetaErrors(meta: ObjectMeta, nameRule: NameRule): FieldError[] {
  const errors: FieldError[] = [];
  if (meta.generateName !== undefined) {
    for (const message of nameRule(maskTrailingDash(meta.generateName))) {
      errors.push(invalidValue('metadata.generateName', quote(meta.generateName), message));
    }
  }
  if (meta.name === undefined) {
    errors.push(requiredValue('metadata.name', 'name or generateName is required'));
  } else {
    for (const message of nameRule(meta.name)) errors.push(invalidValue('metadata.name', quote(meta.name), message));
  }
  errors.push(...labelErrors(meta.labels), ...annotationErrors(meta.annotations), ...finalizerErrors(meta.finalizers));
  return errors;
}

function labelErrors(labels: Record<string, string> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const message of qualifiedNameErrors(key)) errors.push(invalidValue('metadata.labels', quote(key), message));
    for (const message of labelValueErrors(value)) errors.push(invalidValue('metadata.labels', quote(value), message));
  }
  return errors;
}

function annotationErrors(annotations: Record<string, string> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const message of qualifiedNameErrors(key.toLowerCase())) {
      errors.push(invalidValue('metadata.annotations', quote(key), message));
    }
    size += key.length + value.length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'metadata.annotations',
      value: '""',
      detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
    });
  }
  return errors;
}

function finalizerErrors(finalizers: string[] | undefined): FieldError[] {
  return (finalizers ?? []).flatMap((finalizer, index) =>
    qualifiedNameErrors(finalizer).map((message) =>
      invalidValue(`metadata.finalizers[${index}]`, quote(finalizer), message),
    ),
  );
}

/** customResourceValidator.ValidateTypeMeta: the body's kind must be the resource's kind. */
export function kindErrors(object: KubeObject, resource: ResourceType): FieldError[] {
  return object.kind === resource.kind ? [] : [invalidValue('kind', quote(object.kind), `must be ${resource.kind}`)];
}

/** ValidateObjectMetaUpdate: no finalizer may be added once the object is being deleted. */
export function finalizersWhileDeletingErrors(updated: ObjectMeta, existing: ObjectMeta): FieldError[] {
  if (existing.deletionTimestamp === undefined) return [];
  const before = new Set(existing.finalizers ?? []);
  const added = (updated.finalizers ?? []).filter((finalizer) => !before.has(finalizer));
  return added.length === 0
    ? []
    : [
        forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        ),
      ];
}

// ---------------------------------------------------------------------------------------------
// DeleteOptions.

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/** The preconditions of a DELETE body (metav1.DeleteOptions); an empty body has none. */
export function decodeDeletePreconditions(body: string): DeletePreconditions {
  if (body.trim() === '') return {};
  const value = parseJsonBody(body);
  if (!isPlainObject(value))
    throw badRequest(`json: cannot unmarshal ${jsonType(value)} into Go value of type v1.DeleteOptions`);
  if (value.kind !== undefined && value.kind !== 'DeleteOptions') {
    throw badRequest(`decoded object cannot be converted to DeleteOptions: kind ${String(value.kind)}`);
  }
  const preconditions = value.preconditions ?? {};
  if (!isPlainObject(preconditions)) {
    throw badRequest(
      `json: cannot unmarshal ${jsonType(preconditions)} into Go struct field DeleteOptions.preconditions of type v1.Preconditions`,
    );
  }
  const result: DeletePreconditions = {};
  for (const field of ['uid', 'resourceVersion'] as const) {
    const given = preconditions[field];
    if (given === undefined || given === null) continue;
    if (typeof given !== 'string') {
      throw badRequest(
        `json: cannot unmarshal ${jsonType(given)} into Go struct field Preconditions.preconditions.${field} of type string`,
      );
    }
    result[field] = given;
  }
  return result;
}
