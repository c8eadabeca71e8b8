/**
 * Validation of objects coming from callers, shared by every adapter: an object is checked (and
 * normalized) the same way whether it ends up in SQLite or in a Kubernetes API server, so a bad
 * label or name is refused with the same StoreError('Invalid') before anything is written.
 */
import {
  isDns1123Label,
  isDns1123Subdomain,
  isPlainRecord,
  qualifiedNameProblem,
  validateLabels,
} from './labelSelector.js';
import { API_VERSION, OBJECT_KINDS, type ObjectKind, type StoredObject, StoreError } from './types.js';

/**
 * Checks an object from a caller (TypeScript types or not: it may come from YAML) and returns a
 * normalized deep copy holding only the fields the port defines. Throws StoreError('Invalid').
 */
export function validateObject(value: unknown, context = 'object'): StoredObject {
  let where = context;
  const fail = (problem: string): never => {
    throw new StoreError('Invalid', `${where}: ${problem}`);
  };
  if (!isPlainRecord(value)) fail('must be a JSON object');
  const { apiVersion, kind, metadata, spec, status } = value as Record<string, unknown>;
  if (!isPlainRecord(metadata)) return fail('metadata must be an object');
  const { name, namespace, labels, annotations, resourceVersion } = metadata;
  where = `${context} (${String(kind)} "${String(namespace)}/${String(name)}")`;
  if (apiVersion !== API_VERSION) fail(`apiVersion must be "${API_VERSION}", got ${JSON.stringify(apiVersion)}`);
  if (!OBJECT_KINDS.includes(kind as ObjectKind)) fail(`kind must be one of ${OBJECT_KINDS.join(', ')}`);
  if (typeof name !== 'string' || !isDns1123Subdomain(name)) {
    fail('metadata.name must be a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", at most 253 characters)');
  }
  if (typeof namespace !== 'string' || !isDns1123Label(namespace)) {
    fail('metadata.namespace must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)');
  }
  validateLabels(labels, where);
  validateAnnotations(annotations, fail);
  if (resourceVersion !== undefined && typeof resourceVersion !== 'string')
    fail('metadata.resourceVersion must be a string');
  if (spec !== undefined && !isPlainRecord(spec)) fail('spec must be an object');
  if (status !== undefined && !isPlainRecord(status)) fail('status must be an object');
  const normalized: StoredObject = {
    apiVersion: API_VERSION,
    kind: kind as ObjectKind,
    metadata: {
      name: name as string,
      namespace: namespace as string,
      labels: nonEmpty(labels as Record<string, string> | undefined),
      annotations: nonEmpty(annotations as Record<string, string> | undefined),
      resourceVersion: resourceVersion as string | undefined,
    },
    spec: spec as Record<string, unknown> | undefined,
    status: status as Record<string, unknown> | undefined,
  };
  try {
    // A JSON round trip: a private deep copy that is exactly what will be stored.
    return JSON.parse(JSON.stringify(normalized)) as StoredObject;
  } catch (error) {
    return fail(`is not JSON-serializable (${error instanceof Error ? error.message : String(error)})`);
  }
}

function validateAnnotations(annotations: unknown, fail: (problem: string) => never): void {
  if (annotations === undefined) return;
  if (!isPlainRecord(annotations)) fail('metadata.annotations must be a map of strings');
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    const problem = qualifiedNameProblem(key);
    if (problem !== undefined) fail(`invalid annotation: ${problem}`);
    if (typeof value !== 'string') fail(`annotation "${key}" must have a string value`);
  }
}

/** Kubernetes omits empty maps; so does the store, so `{}` and absent compare equal. */
const nonEmpty = (map: Record<string, string> | undefined): Record<string, string> | undefined =>
  map !== undefined && Object.keys(map).length > 0 ? map : undefined;
