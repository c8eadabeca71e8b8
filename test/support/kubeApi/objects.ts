/**
 * The registry of the custom resources: what the apiserver's generic registry.Store does with the
 * CRD strategy (apiextensions-apiserver/pkg/registry/customresource) for create, replace (main
 * resource and the status subresource), and delete, in the order it checks things.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  deletedStatus,
  invalid,
  invalidObject,
  invalidValue,
  notFound,
  optimisticLockConflict,
  quote,
  unknownServerError,
} from './status.js';
import { objectKey, type Storage } from './storage.js';
import {
  type JsonObject,
  type KubeObject,
  NAMESPACES,
  type ObjectMeta,
  type ResourceType,
  timestampNow,
} from './types.js';
import {
  decodeDeletePreconditions,
  decodeObject,
  dns1123SubdomainErrors,
  finalizersWhileDeletingErrors,
  kindErrors,
  type NameRule,
  objectMetaErrors,
  orderMetadata,
} from './validation.js';

// ---------------------------------------------------------------------------------------------
// Helpers shared with the namespace registry.

/** names.SimpleNameGenerator: the base (cut to 58 characters) plus 5 random characters. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const generateName = (base: string): string =>
  base.slice(0, 58) + Array.from({ length: 5 }, () => NAME_ALPHABET[randomInt(NAME_ALPHABET.length)]).join('');

/** rest.FillObjectMetaSystemFields plus BeforeCreate's clearing of deletion fields. */
export function fillSystemFields(meta: ObjectMeta): ObjectMeta {
  const { deletionTimestamp: _deleted, deletionGracePeriodSeconds: _grace, ...rest } = meta;
  return { ...rest, uid: randomUUID(), creationTimestamp: timestampNow() };
}

/** Key-order-insensitive JSON equality, the equivalent of etcd3's byte comparison of Go's sorted encoding. */
export const sameContent = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const withoutMetadata = ({ metadata: _metadata, ...content }: KubeObject): JsonObject => content;

/**
 * Creates `object` in `storage`, retrying a generated name that happens to be taken; checks
 * `validate` first and refuses a set resourceVersion as etcd3's store.Create does (a plain
 * error, hence 500 with no reason: "resourceVersion should not be set on objects to be created").
 */
export function createObject(
  storage: Storage,
  resource: ResourceType,
  object: KubeObject,
  validate: (object: KubeObject) => void,
): KubeObject {
  const generated = object.metadata.name === undefined && object.metadata.generateName !== undefined;
  for (let attempt = 1; ; attempt++) {
    if (generated)
      object.metadata = orderMetadata({ ...object.metadata, name: generateName(object.metadata.generateName!) });
    validate(object);
    if (object.metadata.resourceVersion !== undefined) {
      throw unknownServerError('resourceVersion should not be set on objects to be created');
    }
    const name = object.metadata.name!;
    if (storage.get(resource.plural, objectKey(object.metadata.namespace, name)) === undefined) {
      return storage.create(resource.plural, object);
    }
    if (!generated || attempt >= 8) throw alreadyExists(resource, name);
  }
}

/** The name (and namespace, when given) in an update's body must be the URL's (handlers/update.go checkName). */
export function checkName(object: KubeObject, name: string, namespace: string | undefined): void {
  const actual = object.metadata.name ?? '';
  if (actual !== name) {
    throw badRequest(`the name of the object (${actual}) does not match the name on the URL (${name})`);
  }
  const objectNamespace = object.metadata.namespace;
  if (namespace !== undefined && objectNamespace !== undefined && objectNamespace !== namespace) {
    throw badRequest(
      `the namespace of the object (${objectNamespace}) does not match the namespace on the request (${namespace})`,
    );
  }
}

/** rest.BeforeDelete's precondition check; the Conflict names the Kind, not the resource. */
export function checkDeletePreconditions(resource: ResourceType, existing: KubeObject, body: string): void {
  const preconditions = decodeDeletePreconditions(body);
  const { name = '', uid = '', resourceVersion = '' } = existing.metadata;
  if (preconditions.uid !== undefined && preconditions.uid !== uid) {
    throw conflict(
      resource.group,
      resource.kind,
      name,
      `the UID in the precondition (${preconditions.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
    );
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== resourceVersion) {
    throw conflict(
      resource.group,
      resource.kind,
      name,
      `the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${resourceVersion}). The object might have been modified`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Custom resources.

export type Subresource = 'main' | 'status';

export class CustomResourceRegistry {
  constructor(
    private readonly storage: Storage,
    private readonly namespaceExists: (namespace: string) => boolean,
  ) {}

  get(resource: ResourceType, namespace: string, name: string): KubeObject {
    const object = this.storage.get(resource.plural, objectKey(namespace, name));
    if (object === undefined) throw notFound(resource, name);
    return object;
  }

  create(resource: ResourceType, namespace: string, body: string): KubeObject {
    const object = decodeObject(body, resource);
    // The NamespaceLifecycle admission plugin refuses content in a namespace that does not exist.
    if (!this.namespaceExists(namespace)) throw notFound(NAMESPACES, namespace);
    // rest.EnsureObjectNamespaceMatchesRequestNamespace
    if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    // customResourceStrategy.PrepareForCreate: with a status subresource, status is not set on create.
    const { status: _status, ...content } = object;
    const prepared: KubeObject = {
      ...content,
      metadata: orderMetadata({ ...fillSystemFields(object.metadata), namespace, generation: 1 }),
    };
    return createObject(this.storage, resource, prepared, (candidate) =>
      validateObject(resource, candidate, dns1123SubdomainErrors),
    );
  }

  /**
   * PUT on the object (`main`) or on its status subresource. Order of checks, as in
   * registry.Store.Update: UID precondition (a UID in the body acts as one, also for an object
   * that is gone), existence, resourceVersion required, resourceVersion current, strategy,
   * validation; an update that changes nothing is not written (etcd3 GuaranteedUpdate).
   */
  replace(resource: ResourceType, namespace: string, name: string, body: string, subresource: Subresource): KubeObject {
    const object = decodeObject(body, resource);
    checkName(object, name, namespace);
    const key = objectKey(namespace, name);
    const existing = this.storage.get(resource.plural, key);
    const uid = object.metadata.uid;
    if (uid !== undefined && uid !== existing?.metadata.uid) {
      const current = existing?.metadata.uid ?? '';
      throw conflict(
        resource.group,
        resource.plural,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current}`,
      );
    }
    if (existing === undefined) throw notFound(resource, name);
    checkResourceVersion(resource, name, object.metadata.resourceVersion, existing.metadata.resourceVersion!);

    const updated = subresource === 'status' ? prepareStatusUpdate(object, existing) : prepareUpdate(object, existing);
    validateObject(resource, updated, dns1123SubdomainErrors);
    const finalizerErrors = finalizersWhileDeletingErrors(updated.metadata, existing.metadata);
    if (finalizerErrors.length > 0) throw invalidObject(resource, name, finalizerErrors);

    if (sameContent(updated, existing)) return existing;
    // An update that removes the last finalizer of a deleting object deletes it (ShouldDeleteDuringUpdate).
    if (existing.metadata.deletionTimestamp !== undefined && updated.metadata.finalizers === undefined) {
      return this.storage.remove(resource.plural, key);
    }
    return this.storage.update(resource.plural, updated);
  }

  /**
   * DELETE: 200 with a Status Success (registry.Store.finalizeDelete; CRDs do not return the
   * deleted object). An object with finalizers is only marked (deletionTimestamp set) and answered
   * as it now is; it goes away when an update removes its last finalizer.
   */
  delete(resource: ResourceType, namespace: string, name: string, body: string): JsonObject {
    const key = objectKey(namespace, name);
    const existing = this.get(resource, namespace, name);
    checkDeletePreconditions(resource, existing, body);
    if (existing.metadata.finalizers !== undefined) {
      if (existing.metadata.deletionTimestamp !== undefined) return existing;
      return this.storage.update(resource.plural, markAsDeleting(existing));
    }
    const last = this.storage.remove(resource.plural, key);
    return { ...deletedStatus(resource, name, last.metadata.uid) };
  }

  /** Removes every custom object in `namespace` (what the namespace controller does on its deletion). */
  removeNamespaceContents(namespace: string, resources: readonly ResourceType[]): void {
    for (const resource of resources) {
      for (const [key, object] of this.storage.snapshot(resource.plural)) {
        if (object.metadata.namespace === namespace) this.storage.remove(resource.plural, key);
      }
    }
  }
}

function validateObject(resource: ResourceType, object: KubeObject, nameRule: NameRule): void {
  const name = object.metadata.name ?? '';
  // customResourceValidator.Validate returns the type-meta errors alone when there are any.
  const typeErrors = kindErrors(object, resource);
  if (typeErrors.length > 0) throw invalidObject(resource, name, typeErrors);
  const metaErrors = objectMetaErrors(object.metadata, nameRule);
  if (metaErrors.length > 0) throw invalidObject(resource, name, metaErrors);
}

function checkResourceVersion(resource: ResourceType, name: string, given: string | undefined, current: string): void {
  if (given === undefined) {
    // Custom resources do not allow unconditional updates; the error names the resource as the kind.
    const error = invalidValue('metadata.resourceVersion', '0x0', 'must be specified for an update');
    throw invalid(resource.group, resource.plural, name, [error]);
  }
  if (!/^\d+$/.test(given)) {
    // APIObjectVersioner.ObjectResourceVersion fails with a plain strconv error.
    throw unknownServerError(`strconv.ParseUint: parsing ${quote(given)}: invalid syntax`);
  }
  if (BigInt(given) !== BigInt(current)) throw optimisticLockConflict(resource, name);
}

/**
 * customResourceStrategy.PrepareForUpdate and rest.BeforeUpdate: the stored status is kept (the
 * status subresource owns it), system metadata comes from the stored object, and the generation
 * grows when anything but metadata changed.
 */
function prepareUpdate(object: KubeObject, existing: KubeObject): KubeObject {
  const { status: _ignored, ...content } = object;
  const updated: KubeObject = { ...content, metadata: object.metadata };
  if (existing.status !== undefined) updated.status = existing.status;
  const stored = existing.metadata;
  const changed = !sameContent(withoutMetadata(updated), withoutMetadata(existing));
  updated.metadata = orderMetadata({
    ...object.metadata,
    namespace: stored.namespace,
    uid: stored.uid,
    resourceVersion: stored.resourceVersion,
    creationTimestamp: stored.creationTimestamp,
    generation: (stored.generation ?? 0) + (changed ? 1 : 0),
    deletionTimestamp: stored.deletionTimestamp,
    deletionGracePeriodSeconds: stored.deletionGracePeriodSeconds,
  });
  return updated;
}

/** statusStrategy.PrepareForUpdate: everything from the stored object except the status. */
function prepareStatusUpdate(object: KubeObject, existing: KubeObject): KubeObject {
  const { status: _old, ...stored } = existing;
  return object.status === undefined ? stored : { ...stored, status: object.status };
}

/** registry.markAsDeleting for an object that waits for its finalizers. */
function markAsDeleting(object: KubeObject): KubeObject {
  const meta = object.metadata;
  return {
    ...object,
    metadata: orderMetadata({
      ...meta,
      generation: (meta.generation ?? 0) + 1,
      deletionTimestamp: timestampNow(),
      deletionGracePeriodSeconds: 0,
    }),
  };
}
