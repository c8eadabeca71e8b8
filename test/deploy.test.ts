/**
 * The Kubernetes deployment (deploy/) read as data: every manifest parses, the CRDs are sound and
 * compatible with unikorn identity's, RBAC grants exactly what the gateway uses, the Deployment is
 * hardened, and every object in demo/ and in the unikorn fixtures validates against its CRD.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../src/config.js';
import {
  LABEL_NAME,
  LABEL_ORGANIZATION,
  LABEL_PROJECT,
  LABEL_RESOURCE_ID,
  LABEL_RESOURCE_KIND,
} from '../src/domain/labels.js';
import { parseQuantity } from '../src/domain/quantity.js';
import { loadManifests } from '../src/manifests.js';
import { API_GROUP, type StoredObject } from '../src/store/types.js';
import {
  compileCrdSchema,
  createCrdValidator,
  describeErrors,
  type K8sSchema,
  structuralProblems,
} from './support/crdSchema.js';

const ROOT = join(import.meta.dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const DEMO = join(ROOT, 'demo');
const UNIKORN_FIXTURES = join(import.meta.dirname, 'fixtures', 'unikorn');
const IDENTITY_NAMESPACE = 'unikorn-identity';

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped data, read field by field and checked by the assertions
type Json = Record<string, any>;

interface Doc {
  file: string;
  index: number;
  object: Json;
}

/** *.yaml / *.yml files, sorted; recursive for deploy/. */
function yamlFiles(dir: string, recursive = false): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return recursive ? yamlFiles(path, true) : [];
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/** Every non-empty document of a file; fails the test on a YAML error. */
function readDocs(file: string): Doc[] {
  const docs: Doc[] = [];
  parseAllDocuments(readFileSync(file, 'utf8')).forEach((document, index) => {
    expect(
      document.errors.map((e) => e.message),
      `${relative(ROOT, file)} document ${index}`,
    ).toEqual([]);
    const object = document.toJS() as unknown;
    if (object !== null && object !== undefined)
      docs.push({ file: relative(ROOT, file), index, object: object as Json });
  });
  return docs;
}

const deployDocs = yamlFiles(DEPLOY, true).flatMap(readDocs);
const ofKind = (kind: string) => deployDocs.filter((d) => d.object.kind === kind).map((d) => d.object);
const only = (kind: string): Json => {
  const found = ofKind(kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

/** What unikorn identity's CRDs define (charts/identity/crds), which ours must match. */
const UNIKORN_CRDS = [
  { kind: 'Organization', plural: 'organizations', singular: 'organization' },
  { kind: 'Project', plural: 'projects', singular: 'project' },
  { kind: 'QuotaMetadata', plural: 'quotametadata', singular: 'quotametadata' },
  { kind: 'Quota', plural: 'quotas', singular: 'quota' },
  { kind: 'Allocation', plural: 'allocations', singular: 'allocation' },
] as const;

const crds = ofKind('CustomResourceDefinition');
const crdFor = (kind: string): Json => {
  const crd = crds.find((c) => c.spec?.names?.kind === kind);
  if (!crd) throw new Error(`no CRD for ${kind}`);
  return crd;
};
const schemaOf = (kind: string) => crdFor(kind).spec.versions[0].schema.openAPIV3Schema as K8sSchema;

const ajv = createCrdValidator();
const validators = new Map(UNIKORN_CRDS.map(({ kind }) => [kind, compileCrdSchema(ajv, schemaOf(kind))]));
/** The CRD validation errors of one object (empty when it would be accepted). */
function crdErrors(object: Json): string[] {
  if (object.apiVersion !== `${API_GROUP}/v1alpha1`) return [`apiVersion ${object.apiVersion}`];
  const validate = validators.get(object.kind);
  if (!validate) return [`no CRD for kind ${object.kind}`];
  return validate(object) ? [] : describeErrors(validate.errors);
}

describe('deploy/: manifests', () => {
  it('every YAML file parses, and each document is a Kubernetes object', () => {
    const files = yamlFiles(DEPLOY, true).map((f) => relative(DEPLOY, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'namespace.yaml',
        'serviceaccount.yaml',
        'clusterrole.yaml',
        'clusterrolebinding.yaml',
        'deployment.yaml',
        'service.yaml',
        'kustomization.yaml',
        ...UNIKORN_CRDS.map((c) => `crds/identity.unikorn-cloud.org_${c.plural}.yaml`),
      ]),
    );
    for (const { file, index, object } of deployDocs) {
      expect(typeof object.apiVersion, `${file} #${index} apiVersion`).toBe('string');
      expect(typeof object.kind, `${file} #${index} kind`).toBe('string');
      if (object.kind !== 'Kustomization') expect(object.metadata?.name, `${file} #${index} name`).toBeTruthy();
    }
  });

  it('each kustomization lists exactly the manifests beside it', () => {
    for (const kustomization of yamlFiles(DEPLOY, true).filter((f) => basename(f) === 'kustomization.yaml')) {
      const dir = join(kustomization, '..');
      const listed = readDocs(kustomization)[0]!.object.resources as string[];
      const present = yamlFiles(dir)
        .map((f) => basename(f))
        .filter((name) => name !== 'kustomization.yaml');
      expect([...listed].sort(), relative(ROOT, kustomization)).toEqual(present);
    }
  });

  it('namespaced objects are in the quotagraph namespace', () => {
    expect(only('Namespace').metadata.name).toBe('quotagraph');
    for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget']) {
      for (const object of ofKind(kind)) expect(object.metadata.namespace, kind).toBe('quotagraph');
    }
  });
});

describe('deploy/crds: the identity.unikorn-cloud.org CRDs', () => {
  it('there is one CRD per unikorn kind, and nothing else in crds/', () => {
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(UNIKORN_CRDS.map((c) => c.kind).sort());
  });

  it.each(UNIKORN_CRDS)('$kind: names, scope, version, status subresource, structural schema', (expected) => {
    const crd = crdFor(expected.kind);
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.metadata.name).toBe(`${expected.plural}.${API_GROUP}`);
    expect(crd.spec.group).toBe(API_GROUP);
    expect(crd.spec.names).toMatchObject({
      kind: expected.kind,
      listKind: `${expected.kind}List`,
      plural: expected.plural,
      singular: expected.singular,
    });
    expect(crd.spec.names.categories).toContain('unikorn');
    expect(crd.spec.scope).toBe('Namespaced');

    expect(crd.spec.versions).toHaveLength(1);
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    const schema = version.schema.openAPIV3Schema as K8sSchema;
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['spec']);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(structuralProblems(schema)).toEqual([]);
    for (const column of version.additionalPrinterColumns ?? []) {
      expect(column, JSON.stringify(column)).toMatchObject({ name: expect.any(String), jsonPath: expect.any(String) });
    }
  });

  it('quantities are int-or-string with the Kubernetes quantity pattern', () => {
    const quantities = [
      schemaOf('QuotaMetadata').properties!.spec!.properties!.default!,
      schemaOf('Quota').properties!.spec!.properties!.quotas!.items!.properties!.quantity!,
      ...Object.values(
        schemaOf('Quota').properties!.spec!.properties!.projects!.items!.properties!.quotas!.items!.properties!,
      ).filter((p) => p.type === undefined),
      schemaOf('Allocation').properties!.spec!.properties!.allocations!.items!.properties!.committed!,
      schemaOf('Allocation').properties!.spec!.properties!.allocations!.items!.properties!.reserved!,
    ];
    expect(quantities).toHaveLength(6); // default, quantity, guaranteed, limit, committed, reserved
    for (const quantity of quantities) {
      expect(quantity['x-kubernetes-int-or-string']).toBe(true);
      expect(quantity.anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
      const pattern = new RegExp(quantity.pattern!);
      for (const ok of ['40', '10Gi', '2k', '500m', '1e3', '1.5']) expect(pattern.test(ok), ok).toBe(true);
      for (const bad of ['abc', '10 Gi', '', '1.5x', 'Gi']) expect(pattern.test(bad), bad).toBe(false);
    }
  });
});

describe('deploy/: RBAC grants exactly what the gateway uses', () => {
  it('the ClusterRole: read tenants and the catalogue, write quotas and allocations, nothing else', () => {
    const role = only('ClusterRole');
    const rules = (role.rules as Json[]).map((rule) => ({
      apiGroups: [...rule.apiGroups].sort(),
      resources: [...rule.resources].sort(),
      verbs: [...rule.verbs].sort(),
      ...(rule.resourceNames ? { resourceNames: rule.resourceNames } : {}),
      ...(rule.nonResourceURLs ? { nonResourceURLs: rule.nonResourceURLs } : {}),
    }));
    // The whole rule set: adding a verb, a resource, a subresource or a core resource fails here.
    expect(rules).toEqual([
      { apiGroups: [API_GROUP], resources: ['organizations', 'projects'], verbs: ['get', 'list'] },
      { apiGroups: [API_GROUP], resources: ['quotametadata'], verbs: ['list'] },
      { apiGroups: [API_GROUP], resources: ['quotas'], verbs: ['create', 'list', 'update'] },
      { apiGroups: [API_GROUP], resources: ['allocations'], verbs: ['create', 'delete', 'get', 'list', 'update'] },
    ]);
    expect(role.aggregationRule).toBeUndefined();
  });

  it('the binding gives that role to the gateway service account, and no other grant exists', () => {
    const binding = only('ClusterRoleBinding');
    const account = only('ServiceAccount');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: only('ClusterRole').metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
    ]);
    expect(ofKind('Role')).toEqual([]);
    expect(ofKind('RoleBinding')).toEqual([]);
  });
});

describe('deploy/: the Deployment and Service', () => {
  const deployment = only('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('is configured the way the gateway reads it: token authentication, listening on every address', () => {
    const env = Object.fromEntries(
      (container.env as { name: string; value: string }[]).map(({ name, value }) => [name, value]),
    );
    const config = parseConfig(container.args, env);
    expect(config).toMatchObject({
      command: 'serve',
      host: '0.0.0.0',
      store: { type: 'kubernetes' },
      auth: { type: 'jwt', jwksUrl: expect.stringMatching(/^https:/), issuer: expect.any(String) },
    });
    // Without the token settings the same Deployment must not start: no silent fallback to none.
    const withoutAuth = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('QUOTAGRAPH_')));
    expect(() => parseConfig(container.args, withoutAuth)).toThrow(/QUOTAGRAPH_JWKS_URL/);
  });

  it('runs the gateway on the kubernetes store, two replicas, as the gateway service account', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.containers).toHaveLength(1);
    expect(container.image).toBe('quotagraph:latest');
    expect(container.args).toEqual([
      'serve',
      '--store',
      'kubernetes',
      '--host',
      '0.0.0.0',
      '--port',
      '4000',
      '--namespace',
      IDENTITY_NAMESPACE,
    ]);
    expect(container.command).toBeUndefined(); // the image's ENTRYPOINT runs bin/quotagraph.js
    expect(container.ports).toEqual([{ name: 'http', containerPort: 4000, protocol: 'TCP' }]);
    expect(pod.serviceAccountName).toBe(only('ServiceAccount').metadata.name);
    expect(pod.automountServiceAccountToken).toBe(true);
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) {
      expect(deployment.spec.template.metadata.labels[key]).toBe(value);
    }
  });

  it('is probed on /readyz and /healthz and has resource requests and limits', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    expect(container.resources.limits).toEqual(expect.objectContaining({ memory: expect.anything() }));
  });

  it('runs non-root with a read-only root filesystem, no privilege escalation, no capabilities', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext.capabilities.add).toBeUndefined();
    expect(container.securityContext.privileged ?? false).toBe(false);
    expect(pod.hostNetwork ?? false).toBe(false);
    // The only writable path is an emptyDir at /tmp.
    const tmp = container.volumeMounts.find((m: Json) => m.mountPath === '/tmp');
    expect(pod.volumes.find((v: Json) => v.name === tmp.name).emptyDir).toBeDefined();
    expect(pod.volumes.every((v: Json) => v.emptyDir !== undefined)).toBe(true);
  });

  it('the Service sends port 80 to the container port 4000 of the Deployment pods', () => {
    const service = only('Service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(container.ports.find((p: Json) => p.name === 'http').containerPort).toBe(4000);
    for (const [key, value] of Object.entries(service.spec.selector)) {
      expect(deployment.spec.template.metadata.labels[key], key).toBe(value);
    }
  });
});

/** Every object in a directory's *.yaml files, checked against its CRD. */
function invalidObjects(dir: string): { objects: number; problems: string[] } {
  const docs = yamlFiles(dir).flatMap(readDocs);
  const problems = docs.flatMap(({ file, index, object }) =>
    crdErrors(object).map((error) => `${file} #${index} ${object.kind} ${object.metadata?.name}: ${error}`),
  );
  return { objects: docs.length, problems };
}

describe('CRD validation of stored objects', () => {
  it('every object in demo/ validates against its CRD', () => {
    const { objects, problems } = invalidObjects(DEMO);
    expect(objects).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  it('every object in the unikorn fixtures validates against its CRD', () => {
    const { objects, problems } = invalidObjects(UNIKORN_FIXTURES);
    expect(objects).toBe(17);
    expect(problems).toEqual([]);
  });

  const quota = {
    apiVersion: `${API_GROUP}/v1alpha1`,
    kind: 'Quota',
    metadata: { name: 'quota', namespace: 'org-a', labels: { [LABEL_ORGANIZATION]: 'a' } },
    spec: {
      quotas: [
        { kind: 'clusters', quantity: 10 },
        { kind: 'storage', quantity: '10Gi' },
      ],
      projects: [
        {
          project: 'web',
          quotas: [
            { kind: 'clusters', guaranteed: 2, limit: '4' },
            { kind: 'storage', limit: '1Ti' },
            { kind: 'servers' },
          ],
        },
        { project: 'ml', quotas: [{ kind: 'clusters', guaranteed: '1' }] },
      ],
    },
  };
  const allocation = {
    apiVersion: `${API_GROUP}/v1alpha1`,
    kind: 'Allocation',
    metadata: { name: 'a', namespace: 'project-a', labels: { [LABEL_ORGANIZATION]: 'a', [LABEL_PROJECT]: 'web' } },
    spec: { allocations: [{ kind: 'clusters', committed: 1, reserved: '0' }] },
  };
  const metadata = {
    apiVersion: `${API_GROUP}/v1alpha1`,
    kind: 'QuotaMetadata',
    metadata: { name: 'clusters', namespace: IDENTITY_NAMESPACE },
    spec: { displayName: 'Clusters', description: 'All clusters.', default: 5 },
  };
  const organization = {
    apiVersion: `${API_GROUP}/v1alpha1`,
    kind: 'Organization',
    metadata: { name: 'a', namespace: IDENTITY_NAMESPACE },
    spec: {},
    status: {
      namespace: 'organization-bcdfg',
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'Provisioned',
          message: 'ok',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
    },
  };
  const clone = <T>(value: T): Json => structuredClone(value) as Json;

  it('accepts the ring-fence extension (spec.projects) with optional guaranteed and limit', () => {
    expect(crdErrors(quota)).toEqual([]);
    expect(crdErrors(allocation)).toEqual([]);
    expect(crdErrors(metadata)).toEqual([]);
    expect(crdErrors(organization)).toEqual([]);
  });

  // Each case breaks one thing in a valid object; the CRD must refuse it (so the checks above can fail).
  it.each<[string, () => Json]>([
    [
      'a quantity that is not a quantity',
      () => {
        const q = clone(quota);
        q.spec.quotas[0].quantity = 'abc';
        return q;
      },
    ],
    [
      'a quantity of the wrong type',
      () => {
        const a = clone(allocation);
        a.spec.allocations[0].committed = true;
        return a;
      },
    ],
    [
      'a fractional-looking garbage guaranteed amount',
      () => {
        const q = clone(quota);
        q.spec.projects[0].quotas[0].guaranteed = '1.5x';
        return q;
      },
    ],
    [
      'an allocation entry without reserved',
      () => {
        const a = clone(allocation);
        delete a.spec.allocations[0].reserved;
        return a;
      },
    ],
    [
      'an object without spec',
      () => {
        const a = clone(allocation);
        delete a.spec;
        return a;
      },
    ],
    [
      'a quota entry without quantity',
      () => {
        const q = clone(quota);
        delete q.spec.quotas[1].quantity;
        return q;
      },
    ],
    [
      'two quota entries for one kind (list-map key)',
      () => {
        const q = clone(quota);
        q.spec.quotas[1].kind = 'clusters';
        return q;
      },
    ],
    [
      'two fences for one project',
      () => {
        const q = clone(quota);
        q.spec.projects[1].project = 'web';
        return q;
      },
    ],
    [
      'a fence without its project',
      () => {
        const q = clone(quota);
        delete q.spec.projects[0].project;
        return q;
      },
    ],
    [
      'a misspelt field (strict field validation)',
      () => {
        const q = clone(quota);
        q.spec.quota = q.spec.quotas;
        return q;
      },
    ],
    [
      'catalogue metadata without displayName',
      () => {
        const m = clone(metadata);
        delete m.spec.displayName;
        return m;
      },
    ],
    [
      'a condition with an unknown reason',
      () => {
        const o = clone(organization);
        o.status.conditions[0].reason = 'Bogus';
        return o;
      },
    ],
    [
      'a condition time that is not RFC 3339',
      () => {
        const o = clone(organization);
        o.status.conditions[0].lastTransitionTime = 'yesterday';
        return o;
      },
    ],
    [
      'status.namespace that is not a string',
      () => {
        const o = clone(organization);
        o.status.namespace = 42;
        return o;
      },
    ],
  ])('refuses %s', (_, broken) => {
    expect(crdErrors(broken()).length).toBeGreaterThan(0);
  });
});

describe('unikorn fixtures (test/fixtures/unikorn)', () => {
  const load = () => loadManifests([UNIKORN_FIXTURES], { defaultNamespace: IDENTITY_NAMESPACE });
  const byKind = (objects: StoredObject[], kind: string) => objects.filter((o) => o.kind === kind);

  it('load with loadManifests, server-set metadata dropped', async () => {
    const objects = await load();
    const counts = Object.fromEntries(UNIKORN_CRDS.map(({ kind }) => [kind, byKind(objects, kind).length]));
    expect(counts).toEqual({ Organization: 3, Project: 4, QuotaMetadata: 3, Quota: 2, Allocation: 5 });
    for (const object of objects) {
      expect(object.metadata.resourceVersion).toBeUndefined();
      expect(object.metadata.uid).toBeUndefined();
    }
  });

  it('are laid out as unikorn lays them out: identity, organization and project namespaces', async () => {
    const objects = await load();
    const orgs = byKind(objects, 'Organization');
    const orgNamespace = new Map(orgs.map((o) => [o.metadata.name, (o.status?.namespace as string) ?? null]));
    const projectNamespace = new Map(
      byKind(objects, 'Project').map((p) => [p.metadata.name, p.status?.namespace as string]),
    );
    const uuid = /^[a-f][0-9a-f]{7}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

    for (const o of [...orgs, ...byKind(objects, 'QuotaMetadata')])
      expect(o.metadata.namespace).toBe(IDENTITY_NAMESPACE);
    for (const o of orgs) {
      expect(o.metadata.name).toMatch(uuid);
      expect(o.metadata.labels?.[LABEL_NAME]).toBeTruthy();
      const namespace = orgNamespace.get(o.metadata.name);
      if (namespace !== null) expect(namespace).toMatch(/^organization-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }
    for (const p of byKind(objects, 'Project')) {
      expect(p.metadata.name).toMatch(uuid);
      expect(p.metadata.labels?.[LABEL_NAME]).toBeTruthy();
      expect(p.metadata.namespace).toBe(orgNamespace.get(p.metadata.labels![LABEL_ORGANIZATION]!));
      expect(p.status?.namespace).toMatch(/^project-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }
    for (const q of byKind(objects, 'Quota')) {
      expect(q.metadata.name).toMatch(uuid);
      expect(q.metadata.namespace).toBe(orgNamespace.get(q.metadata.labels![LABEL_ORGANIZATION]!));
    }
    for (const a of byKind(objects, 'Allocation')) {
      const labels = a.metadata.labels!;
      expect(a.metadata.name).toMatch(uuid);
      expect(a.metadata.namespace).toBe(projectNamespace.get(labels[LABEL_PROJECT]!));
      expect(labels[LABEL_RESOURCE_KIND]).toMatch(/^(kubernetescluster|computecluster)$/);
      expect(labels[LABEL_RESOURCE_ID]).toMatch(uuid);
    }
  });

  it('hold the totals that organizations.yaml documents (committed/reserved per organization and kind)', async () => {
    const objects = await load();
    const totals: Record<string, Record<string, string>> = {};
    for (const allocation of byKind(objects, 'Allocation')) {
      const org = allocation.metadata.labels![LABEL_ORGANIZATION]!;
      for (const entry of (allocation.spec?.allocations ?? []) as Json[]) {
        const [c, r] = (totals[org]?.[entry.kind]?.split('/') ?? ['0', '0']).map(BigInt) as [bigint, bigint];
        totals[org] ??= {};
        totals[org][entry.kind] = `${c + parseQuantity(entry.committed)}/${r + parseQuantity(entry.reserved)}`;
      }
    }
    const quotas = Object.fromEntries(
      byKind(objects, 'Quota').map((q) => [
        q.metadata.labels![LABEL_ORGANIZATION],
        Object.fromEntries(((q.spec?.quotas ?? []) as Json[]).map((e) => [e.kind, Number(parseQuantity(e.quantity))])),
      ]),
    );
    const acme = 'c3f8a2d1-6b4e-4f9a-b7c2-5e8d1a0f3b96';
    const globex = 'e91b7c45-2a3d-4c8e-9f16-0d7a4b3c2e58';
    expect(totals).toEqual({
      [acme]: { clusters: '3/0', servers: '18/6', gpus: '8/4' },
      [globex]: { clusters: '2/0', servers: '5/3', gpus: '2/0' },
    });
    expect(quotas).toEqual({
      [acme]: { clusters: 10, servers: 50, gpus: 16 },
      [globex]: { clusters: 5, servers: 10, gpus: 40 },
    });
    const defaults = Object.fromEntries(
      byKind(objects, 'QuotaMetadata').map((m) => [m.metadata.name, Number(parseQuantity(m.spec?.default as number))]),
    );
    expect(defaults).toEqual({ clusters: 5, servers: 10, gpus: 40 });
  });
});
