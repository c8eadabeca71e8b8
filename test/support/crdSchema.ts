/**
 * A CRD's Kubernetes OpenAPI v3 schema → a JSON Schema that ajv can check objects against, so the
 * tests can show that a manifest would be accepted by an API server with deploy/crds installed.
 *
 * Kubernetes extends OpenAPI with `x-kubernetes-*` keywords and a few OpenAPI-only ones; ajv (strict)
 * refuses unknown keywords, so each is translated or dropped:
 *
 * - `x-kubernetes-int-or-string: true` → `oneOf: [integer, string]` (the `anyOf` beside it is the
 *   same statement and is dropped). `pattern` stays: JSON Schema applies it to strings only, exactly
 *   as Kubernetes does for quantities.
 * - `x-kubernetes-preserve-unknown-fields: true` → unknown properties are allowed. Without it, an
 *   object schema allows only its declared properties (`additionalProperties: false`), like an API
 *   server with strict field validation (kubectl's default): a misspelt field is an error, not
 *   silently pruned. The root `metadata` is the exception: the API server validates ObjectMeta itself.
 * - `nullable: true` → `null` is also accepted.
 * - `x-kubernetes-list-type: map` + `x-kubernetes-list-map-keys` → the custom keyword
 *   `uniqueListMapKeys` (no two items with the same key values); `set` → `uniqueItems`.
 * - `format: date-time` → an RFC 3339 check (a format registered by {@link createCrdValidator}).
 * - Other `x-kubernetes-*` keywords (validations, embedded resources…) are not used by our CRDs and
 *   are refused, so a new one cannot be silently ignored by the tests.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** A Kubernetes OpenAPI v3 schema node (JSONSchemaProps), as far as these tests need it. */
export interface K8sSchema {
  type?: string;
  description?: string;
  properties?: Record<string, K8sSchema>;
  additionalProperties?: K8sSchema | boolean;
  items?: K8sSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  nullable?: boolean;
  anyOf?: K8sSchema[];
  oneOf?: K8sSchema[];
  allOf?: K8sSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  [keyword: string]: unknown;
}

export type JsonSchema = Record<string, unknown>;

/** Keywords copied unchanged: they mean the same in OpenAPI v3 and JSON Schema. */
const PLAIN = [
  'description',
  'required',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
] as const;
/** Keywords handled below. Anything else in the input is an error (see the module comment). */
const HANDLED = new Set<string>([
  ...PLAIN,
  'type',
  'format',
  'properties',
  'additionalProperties',
  'items',
  'nullable',
  'anyOf',
  'oneOf',
  'allOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]);

/** Converts a CRD version's `schema.openAPIV3Schema` (the root of one object). */
export function toJsonSchema(schema: K8sSchema): JsonSchema {
  return convert(schema, '', true);
}

function convert(schema: K8sSchema, path: string, root = false): JsonSchema {
  const unknown = Object.keys(schema).filter((k) => !HANDLED.has(k));
  if (unknown.length > 0) throw new Error(`${path || '<root>'}: unsupported schema keywords ${unknown.join(', ')}`);

  const out: JsonSchema = {};
  for (const keyword of PLAIN) if (schema[keyword] !== undefined) out[keyword] = schema[keyword];

  if (schema['x-kubernetes-int-or-string']) {
    out.oneOf = [{ type: 'integer' }, { type: 'string' }];
  } else {
    if (schema.type !== undefined) out.type = schema.type;
    for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
      const list = schema[combinator];
      if (list) out[combinator] = list.map((s, i) => convert(s, `${path}.${combinator}[${i}]`));
    }
  }
  if (schema.format === 'date-time') out.format = 'date-time';
  else if (schema.format !== undefined) throw new Error(`${path}: unsupported format ${schema.format}`);

  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [
        name,
        // The root metadata is ObjectMeta, validated by the API server itself: accept any mapping.
        root && name === 'metadata' ? { type: 'object' } : convert(property, `${path}.${name}`),
      ]),
    );
  }
  if (schema.items) out.items = convert(schema.items, `${path}[]`);

  if (typeof schema.additionalProperties === 'object') {
    out.additionalProperties = convert(schema.additionalProperties, `${path}.*`);
  } else if (schema.additionalProperties !== undefined) {
    out.additionalProperties = schema.additionalProperties;
  } else if (schema.type === 'object' && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false; // strict field validation: only declared fields
  }

  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'map') out.uniqueListMapKeys = schema['x-kubernetes-list-map-keys'] ?? [];
  if (listType === 'set') out.uniqueItems = true;

  if (schema.nullable) return { anyOf: [out, { type: 'null' }] };
  return out;
}

/**
 * Where a schema is not structural (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * a node without a type (unless int-or-string or preserve-unknown-fields), a type inside
 * anyOf/oneOf/allOf, or a list-map key that is not required. Returns one message per problem.
 */
export function structuralProblems(schema: K8sSchema, path = ''): string[] {
  const here = path || '<root>';
  const problems: string[] = [];
  const exempt = schema['x-kubernetes-int-or-string'] || schema['x-kubernetes-preserve-unknown-fields'];
  if (schema.type === undefined && !exempt) problems.push(`${here}: no type`);
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const branch of schema[combinator] ?? []) {
      // Under int-or-string, Kubernetes allows exactly `anyOf: [{type: integer}, {type: string}]`.
      const intOrString = schema['x-kubernetes-int-or-string'] && combinator === 'anyOf';
      if (!intOrString && (branch.type !== undefined || branch.properties !== undefined)) {
        problems.push(`${here}: ${combinator} may not declare types or properties`);
      }
    }
  }
  if (schema['x-kubernetes-list-type'] === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    if (keys.length === 0) problems.push(`${here}: list-type map without list-map-keys`);
    for (const key of keys) {
      if (!schema.items?.required?.includes(key)) problems.push(`${here}: list-map key "${key}" is not required`);
    }
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    problems.push(...structuralProblems(property, `${path}.${name}`));
  }
  if (schema.items) problems.push(...structuralProblems(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object') {
    problems.push(...structuralProblems(schema.additionalProperties, `${path}.*`));
  }
  return problems;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** An ajv instance that knows the keywords and formats {@link toJsonSchema} produces. */
export function createCrdValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  ajv.addFormat('date-time', RFC3339);
  ajv.addKeyword({
    keyword: 'uniqueListMapKeys',
    type: 'array',
    schemaType: 'array',
    errors: false,
    validate: (keys: string[], items: unknown[]) => {
      const seen = new Set<string>();
      for (const item of items) {
        const record = (item ?? {}) as Record<string, unknown>;
        const key = JSON.stringify(keys.map((k) => record[k]));
        if (seen.has(key)) return false;
        seen.add(key);
      }
      return true;
    },
  });
  return ajv;
}

/** Compiles the converted schema of one CRD version. */
export function compileCrdSchema(ajv: Ajv, schema: K8sSchema): ValidateFunction {
  return ajv.compile(toJsonSchema(schema));
}

/** ajv's errors as short lines: `/spec/quotas/0/quantity must match pattern "…"`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}
