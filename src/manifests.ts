/**
 * Kubernetes YAML/JSON manifests → validated {@link StoredObject}s, for `quotagraph apply` and the
 * serve-time seed (DESIGN §8).
 *
 * Every document is checked before anything is returned, so the caller can hand the whole batch to
 * `store.apply()` in one transaction and a bad document never leaves a store half-applied. All
 * problems are collected and thrown together as {@link ManifestErrors}: one per bad document (its
 * first problem) or unreadable file, so one run shows everything to fix.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { LABEL_ORGANIZATION, LABEL_PROJECT } from './domain/labels.js';
import { parseQuantity } from './domain/quantity.js';
import { labelValueProblem, qualifiedNameProblem } from './store/labelSelector.js';
import { API_VERSION, OBJECT_KINDS, type ObjectKind, type ObjectMeta, type StoredObject } from './store/types.js';

/** The bundled demo data (`--seed demo`). */
export const DEMO_DIR = findDemoDirectory();

/** The bundled demo data, found from this file whether it runs from src/ (tsx) or from dist/src/ (the image). */
function findDemoDirectory(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'demo'))) return join(dir, 'demo');
  }
  return fileURLToPath(new URL('../demo/', import.meta.url));
}

/** One bad document (or an unreadable file). The message names the file and the document. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly file: string,
    /** 0-based position of the document in the file (empty documents count); null for file-level errors. */
    readonly index: number | null,
    /** The problem alone, without the location; `message` prefixes it with the file and document. */
    readonly detail: string,
    /** 0-based position inside a `kind: List` document's items, else null. */
    readonly item: number | null = null,
  ) {
    super(`${file}${index === null ? '' : ` document ${index}`}${item === null ? '' : ` item ${item}`}: ${detail}`);
  }
}

/** Everything wrong with one load, in file and document order; `message` lists each on its own line. */
export class ManifestErrors extends Error {
  override readonly name = 'ManifestErrors';
  constructor(readonly errors: ManifestError[]) {
    super(
      errors.length === 1
        ? errors[0]!.message
        : `${errors.length} invalid manifests:\n${errors.map((e) => `  ${e.message}`).join('\n')}`,
    );
  }
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Set by the server on every write; a manifest exported with `kubectl get -o yaml` must still apply. */
const SERVER_SET_METADATA = [
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'managedFields',
  'generation',
  'selfLink',
] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds that live in the identity namespace, so a manifest may leave the namespace out. */
const IDENTITY_NAMESPACED: ReadonlySet<ObjectKind> = new Set(['Organization', 'QuotaMetadata']);

/**
 * Loads every path (a file, or a directory's *.yaml, *.yml and *.json files, non-recursive, by name)
 * in order. Throws {@link ManifestErrors} if anything at all is wrong; otherwise every object is valid.
 */
export async function loadManifests(paths: string[], options: { defaultNamespace: string }): Promise<StoredObject[]> {
  const errors: ManifestError[] = [];
  const objects: StoredObject[] = [];
  /** `Kind namespace/name` → where it was first defined, to refuse ambiguous duplicates. */
  const seen = new Map<string, string>();

  for (const file of await expandPaths(paths, errors)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      errors.push(new ManifestError(file, null, describeFsError(error)));
      continue;
    }
    parseAllDocuments(text).forEach((document, index) => {
      const syntax = document.errors[0];
      if (syntax) {
        // The library's message continues with a multi-line excerpt; its first line has the position.
        errors.push(
          new ManifestError(file, index, `YAML syntax error: ${syntax.message.split('\n')[0]!.replace(/:$/, '')}`),
        );
        return;
      }
      let value: unknown;
      try {
        value = document.toJS();
      } catch (error) {
        // e.g. an alias bomb, refused by the library's alias limit
        errors.push(new ManifestError(file, index, `YAML error: ${error instanceof Error ? error.message : error}`));
        return;
      }
      if (value === null || value === undefined) return; // empty document

      const list = isListDocument(value) ? value : null;
      const items = list ? list.items : [value];
      if (!Array.isArray(items)) {
        errors.push(new ManifestError(file, index, 'kind List: items must be an array'));
        return;
      }
      items.forEach((item: unknown, itemIndex) => {
        const at = list ? itemIndex : null;
        try {
          const object = toStoredObject(item, options.defaultNamespace);
          const key = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
          const where = `${file} document ${index}${at === null ? '' : ` item ${at}`}`;
          const first = seen.get(key);
          if (first !== undefined) {
            throw new Invalid(
              `${object.kind} "${object.metadata.namespace}/${object.metadata.name}": also defined in ${first}`,
            );
          }
          seen.set(key, where);
          objects.push(object);
        } catch (error) {
          if (!(error instanceof Invalid)) throw error;
          errors.push(new ManifestError(file, index, error.message, at));
        }
      });
    });
  }

  if (errors.length > 0) throw new ManifestErrors(errors);
  return objects;
}

/** Files in load order; unreadable paths and empty directories become errors (most likely a typo). */
async function expandPaths(paths: string[], errors: ManifestError[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    try {
      if (!(await stat(path)).isDirectory()) {
        files.push(path);
        continue;
      }
      const entries = await readdir(path, { withFileTypes: true });
      const names = entries
        .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase()))
        .map((e) => e.name)
        .sort(); // by code unit: the same order on every machine, whatever the locale
      if (names.length === 0) errors.push(new ManifestError(path, null, 'directory has no .yaml, .yml or .json files'));
      files.push(...names.map((name) => join(path, name)));
    } catch (error) {
      errors.push(new ManifestError(path, null, describeFsError(error)));
    }
  }
  return files;
}

function describeFsError(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
}

/** A validation failure inside one document; becomes a ManifestError with the location added. */
class Invalid extends Error {}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isListDocument(value: unknown): value is Json & { items: unknown } {
  return isRecord(value) && value.kind === 'List';
}

/** `Quota "org-acme/quota"`, as far as the document allows, to lead each message. */
function describe(value: unknown): string {
  if (!isRecord(value)) return 'document';
  const kind = typeof value.kind === 'string' ? value.kind : 'object';
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  if (name === undefined) return kind;
  return `${kind} "${namespace === undefined ? '' : `${namespace}/`}${name}"`;
}

function toStoredObject(value: unknown, defaultNamespace: string): StoredObject {
  if (!isRecord(value)) {
    throw new Invalid(`must be a mapping (an object with apiVersion, kind and metadata), not ${typeName(value)}`);
  }
  // Declared with its type so that TypeScript narrows after each `if (...) fail(...)`.
  const fail: Fail = (path, problem) => {
    throw new Invalid(`${describe(value)}: ${path}: ${problem}`);
  };

  const { apiVersion, kind, spec, status } = value;
  if (apiVersion !== API_VERSION) fail('apiVersion', `expected "${API_VERSION}", got ${show(apiVersion)}`);
  if (kind === 'List') fail('kind', 'a List inside a List is not supported');
  if (!isObjectKind(kind)) fail('kind', `expected one of ${OBJECT_KINDS.join(', ')}, got ${show(kind)}`);

  if (!isRecord(value.metadata)) fail('metadata', 'must be a mapping');
  const { name, labels, annotations } = value.metadata;
  const namespace = value.metadata.namespace ?? (IDENTITY_NAMESPACED.has(kind) ? defaultNamespace : undefined);
  if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    fail('metadata.name', `${show(name)} is not a DNS-1123 subdomain (lowercase a-z, 0-9, - and .)`);
  }
  if (namespace === undefined) fail('metadata.namespace', `required for ${kind}`);
  checkDnsLabel(namespace, 'metadata.namespace', fail);
  const labelMap = checkStringMap(labels, 'metadata.labels', fail);
  // The same rules the API server (and the store) apply, caught here so the error names the file.
  for (const [key, labelValue] of Object.entries(labelMap)) {
    const problem = qualifiedNameProblem(key) ?? labelValueProblem(labelValue);
    if (problem) fail(`metadata.labels["${key}"]`, problem);
  }
  checkStringMap(annotations, 'metadata.annotations', fail);

  const metadata: Json = { ...value.metadata, namespace };
  for (const field of SERVER_SET_METADATA) delete metadata[field];

  const requireLabel = (key: string) => {
    if (!labelMap[key]) fail(`metadata.labels["${key}"]`, `required for ${kind}`);
  };
  // The CRDs require spec (an empty one is fine), so a manifest the API server would refuse is refused here too.
  if (!isRecord(spec)) fail('spec', spec === undefined ? 'required (use `spec: {}` when empty)' : 'must be a mapping');
  if (status !== undefined && !isRecord(status)) fail('status', 'must be a mapping');
  const specFields: Json = isRecord(spec) ? spec : {};

  switch (kind) {
    case 'Organization':
    case 'Project':
      if (kind === 'Project') requireLabel(LABEL_ORGANIZATION);
      // The gateway follows status.namespace to the org's / project's objects.
      if (isRecord(status) && status.namespace !== undefined) checkDnsLabel(status.namespace, 'status.namespace', fail);
      break;
    case 'QuotaMetadata':
      checkQuantity(specFields.default, 'spec.default', fail);
      for (const field of ['displayName', 'description']) {
        if (specFields[field] !== undefined && typeof specFields[field] !== 'string') {
          fail(`spec.${field}`, `must be a string, got ${show(specFields[field])}`);
        }
      }
      break;
    case 'Quota': {
      requireLabel(LABEL_ORGANIZATION);
      // A missing spec.quotas is valid: the admission protocol creates Quotas with an empty spec (DESIGN §5).
      const kinds = new Set<string>();
      eachEntry(specFields.quotas, 'spec.quotas', fail, (entry, at) => {
        const quotaKind = checkKind(entry.kind, `${at}.kind`, fail);
        if (kinds.has(quotaKind)) fail(`${at}.kind`, `duplicate kind "${quotaKind}"`);
        kinds.add(quotaKind);
        checkQuantity(entry.quantity, `${at}.quantity`, fail);
      });
      // Ring-fences (DESIGN §6) are kept verbatim; the domain validates their content when it uses them.
      if (specFields.projects !== undefined && !Array.isArray(specFields.projects)) {
        fail('spec.projects', `must be an array, got ${show(specFields.projects)}`);
      }
      break;
    }
    case 'Allocation':
      requireLabel(LABEL_ORGANIZATION);
      requireLabel(LABEL_PROJECT);
      if (specFields.allocations === undefined) fail('spec.allocations', 'required');
      eachEntry(specFields.allocations, 'spec.allocations', fail, (entry, at) => {
        checkKind(entry.kind, `${at}.kind`, fail);
        checkQuantity(entry.committed, `${at}.committed`, fail);
        checkQuantity(entry.reserved, `${at}.reserved`, fail);
      });
      break;
  }

  // Unknown fields (top level and metadata) are kept, like kubectl apply would send them.
  return { ...value, apiVersion: API_VERSION, kind, metadata: metadata as unknown as ObjectMeta };
}

type Fail = (path: string, problem: string) => never;

function isObjectKind(kind: unknown): kind is ObjectKind {
  return (OBJECT_KINDS as readonly unknown[]).includes(kind);
}

function checkDnsLabel(value: unknown, path: string, fail: Fail): void {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value)) {
    fail(path, `${show(value)} is not a DNS-1123 label (lowercase a-z, 0-9 and -, at most 63 characters)`);
  }
}

function checkStringMap(value: unknown, path: string, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail(path, 'must be a mapping of strings to strings');
  for (const [key, entry] of Object.entries(value)) {
    // Kubernetes refuses `version: 1`; quote it in YAML to make it a string.
    if (typeof entry !== 'string') fail(`${path}["${key}"]`, `must be a string, got ${show(entry)}`);
  }
  return value as Record<string, string>;
}

function checkKind(value: unknown, path: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(path, `must be a non-empty string, got ${show(value)}`);
  return value;
}

function checkQuantity(value: unknown, path: string, fail: Fail): void {
  if (value === undefined) fail(path, 'required');
  if (typeof value !== 'string' && typeof value !== 'number') {
    fail(path, `must be a quantity (a number or a string like "10Gi"), got ${show(value)}`);
  }
  try {
    parseQuantity(value);
  } catch (error) {
    fail(path, error instanceof Error ? error.message : String(error));
  }
}

/** Calls `check` for each mapping in an optional array, with its path (`spec.quotas[1]`). */
function eachEntry(value: unknown, path: string, fail: Fail, check: (entry: Json, at: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(path, `must be an array, got ${show(value)}`);
  value.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(entry)) fail(at, `must be a mapping, got ${show(entry)}`);
    check(entry, at);
  });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** A value for a message: strings quoted, mappings and sequences by their type, missing as "nothing". */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (isRecord(value) || Array.isArray(value)) return typeName(value);
  return String(value);
}
