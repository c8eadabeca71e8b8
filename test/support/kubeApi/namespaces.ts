/**
 * Core namespaces: enough of /api/v1/namespaces for tests to create, read, list and delete them,
 * and for custom resources to require an existing namespace, as the NamespaceLifecycle admission
 * plugin does.
 */
import { checkDeletePreconditions, createObject, fillSystemFields } from './objects.js';
import { invalidObject, notFound } from './status.js';
import type { Storage } from './storage.js';
import { type KubeObject, NAMESPACES, timestampNow } from './types.js';
import { decodeObject, dns1123LabelErrors, objectMetaErrors, orderMetadata } from './validation.js';

/** Set on every namespace by its strategy since Kubernetes 1.21. */
const NAME_LABEL = 'kubernetes.io/metadata.name';

export class NamespaceRegistry {
  constructor(
    private readonly storage: Storage,
    /** Removes the namespace's content; the namespace controller's work, done at once here. */
    private readonly removeContents: (namespace: string) => void,
  ) {}

  exists(name: string): boolean {
    return this.storage.get(NAMESPACES.plural, name) !== undefined;
  }

  get(name: string): KubeObject {
    const namespace = this.storage.get(NAMESPACES.plural, name);
    if (namespace === undefined) throw notFound(NAMESPACES, name);
    return namespace;
  }

  create(body: string): KubeObject {
    const object = decodeObject(body, NAMESPACES);
    // A cluster-scoped object's namespace is cleared (rest.EnsureObjectNamespaceMatchesRequestNamespace).
    const { namespace: _namespace, ...meta } = object.metadata;
    const prepared: KubeObject = {
      ...object,
      metadata: orderMetadata(fillSystemFields(meta)),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    return createObject(this.storage, NAMESPACES, prepared, (candidate) => {
      const name = candidate.metadata.name;
      if (name !== undefined) candidate.metadata.labels = { ...candidate.metadata.labels, [NAME_LABEL]: name };
      const errors = objectMetaErrors(candidate.metadata, dns1123LabelErrors);
      if (errors.length > 0) throw invalidObject(NAMESPACES, name ?? '', errors);
    });
  }

  /** Creates `name` unless it exists; for tests and the server's options. */
  ensure(name: string): void {
    if (!this.exists(name)) this.create(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  }

  /**
   * DELETE answers the namespace as Terminating (200), as the apiserver does. A real namespace
   * stays Terminating until the namespace controller has deleted its content; here the content
   * (including objects with finalizers) and then the namespace are removed immediately.
   */
  delete(name: string, body: string): KubeObject {
    const existing = this.get(name);
    checkDeletePreconditions(NAMESPACES, existing, body);
    const terminating = this.storage.update(NAMESPACES.plural, {
      ...existing,
      metadata: orderMetadata({ ...existing.metadata, deletionTimestamp: timestampNow() }),
      status: { phase: 'Terminating' },
    });
    this.removeContents(name);
    this.storage.remove(NAMESPACES.plural, name);
    return terminating;
  }
}
