import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABEL_NAME, LABEL_ORGANIZATION, LABEL_PROJECT } from '../src/domain/labels.js';
import { parseQuantity } from '../src/domain/quantity.js';
import { DEMO_DIR, loadManifests, ManifestError, ManifestErrors } from '../src/manifests.js';
import { API_VERSION, type StoredObject } from '../src/store/types.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'manifests');
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);
const load = (...paths: string[]) => loadManifests(paths, { defaultNamespace: 'unikorn-identity' });
const ids = (objects: StoredObject[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);

/** Runs a load that must fail and returns what it threw. */
async function loadFailure(...paths: string[]): Promise<ManifestErrors> {
  const error = await load(...paths).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestErrors);
  const failure = error as ManifestErrors;
  for (const e of failure.errors) expect(e).toBeInstanceOf(ManifestError);
  return failure;
}
const loadErrors = async (...paths: string[]) => (await loadFailure(...paths)).errors;

describe('loadManifests: valid input', () => {
  it('reads multi-document YAML, skipping empty documents', async () => {
    const objects = await load(fixture('good', 'multi.yaml'));
    expect(ids(objects)).toEqual([
      'QuotaMetadata unikorn-identity/clusters',
      'Organization unikorn-identity/acme',
      'Quota org-acme/quota',
    ]);
    for (const object of objects) expect(object.apiVersion).toBe(API_VERSION);
  });

  it('strips server-set metadata and keeps everything else verbatim', async () => {
    const [metadata, organization, quota] = await load(fixture('good', 'multi.yaml'));
    expect(metadata?.metadata).toEqual({
      name: 'clusters',
      namespace: 'unikorn-identity',
      annotations: { 'example.com/note': 'kept' },
    });
    expect(metadata?.spec).toEqual({
      displayName: 'Kubernetes clusters',
      description: 'Number of clusters.',
      default: 5,
    });
    expect(organization).toMatchObject({ status: { namespace: 'org-acme' }, extra: 'kept verbatim' });
    expect(quota?.spec).toEqual({
      quotas: [
        { kind: 'clusters', quantity: 10 },
        { kind: 'storage', quantity: '10Gi' },
      ],
      projects: [{ project: 'web', quotas: [{ kind: 'clusters', guaranteed: 2 }] }],
    });
  });

  it('defaults the namespace of Organizations and QuotaMetadata to the identity namespace', async () => {
    const objects = await loadManifests([fixture('good', 'multi.yaml')], { defaultNamespace: 'identity' });
    expect(ids(objects)).toEqual([
      'QuotaMetadata identity/clusters',
      'Organization identity/acme',
      'Quota org-acme/quota',
    ]);
  });

  it('expands a kind: List into its items', async () => {
    expect(ids(await load(fixture('good', 'list.yaml')))).toEqual([
      'Project org-acme/web',
      'Allocation project-acme-web/server-bastion',
    ]);
  });

  it('loads a directory non-recursively, *.yaml, *.yml and *.json only, sorted by file name', async () => {
    const objects = await load(fixture('good', 'dir'));
    expect(objects.map((o) => o.metadata.name)).toEqual(['a-first', 'b-second', 'c-third']);
  });

  it('keeps the order of the paths given, files and directories mixed', async () => {
    const objects = await load(fixture('good', 'dir'), fixture('good', 'list.yaml'));
    expect(objects.map((o) => o.metadata.name)).toEqual(['a-first', 'b-second', 'c-third', 'web', 'server-bastion']);
  });

  it('returns nothing for no paths', async () => {
    expect(await load()).toEqual([]);
  });
});

describe('loadManifests: bad documents name the file and the document', () => {
  it.each([
    ['syntax.yaml', 'YAML syntax error', 'line 9'],
    ['not-mapping.yaml', 'must be a mapping', 'not a sequence'],
    ['api-version.yaml', 'apiVersion: expected "identity.unikorn-cloud.org/v1alpha1", got "v1"'],
    ['unknown-kind.yaml', 'kind: expected one of Organization', 'got "Namespace"'],
    ['bad-name.yaml', 'metadata.name: "Acme_Corp" is not a DNS-1123 subdomain'],
    ['missing-namespace.yaml', 'Project "web": metadata.namespace: required for Project'],
    ['missing-label.yaml', 'metadata.labels["unikorn-cloud.org/project"]: required for Allocation'],
    [
      'bad-quantity.yaml',
      'Quota "org-acme/quota": spec.quotas[1].quantity: invalid quantity "1.5": not a whole number',
    ],
    ['bad-allocation.yaml', 'spec.allocations[0].reserved: required'],
    ['missing-spec.yaml', 'Organization "acme": spec: required (use `spec: {}` when empty)'],
  ])('%s', async (name, ...fragments) => {
    const file = fixture('bad', name);
    const errors = await loadErrors(file);
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toMatchObject({ file, index: 1, item: null });
    expect(error?.message.startsWith(`${file} document 1: `)).toBe(true);
    for (const fragment of fragments) expect(error?.message).toContain(fragment);
  });

  it('counts empty documents in the index, so it matches the position in the file', async () => {
    const [error, ...rest] = await loadErrors(fixture('bad', 'after-empty.yaml'));
    expect(rest).toEqual([]);
    expect(error?.index).toBe(2);
    expect(error?.detail).toBe(
      'Organization "acme": status.namespace: "Org_Acme" is not a DNS-1123 label (lowercase a-z, 0-9 and -, at most 63 characters)',
    );
  });

  it('collects every problem in order: List items, duplicates, and a message listing them all', async () => {
    const file = fixture('bad', 'several.yaml');
    const errors = await loadErrors(file);
    expect(errors.map((e) => [e.index, e.item])).toEqual([
      [0, null],
      [1, 1],
      [2, null],
    ]);
    expect(errors[0]?.detail).toBe('QuotaMetadata "gpus": spec.default: invalid quantity "-1": negative');
    expect(errors[1]?.message).toContain(`${file} document 1 item 1: Organization "acme": metadata.labels`);
    expect(errors[2]?.detail).toContain(`also defined in ${file} document 1 item 0`);

    const error = await loadFailure(file);
    expect(error.message.split('\n')).toEqual(['3 invalid manifests:', ...errors.map((e) => `  ${e.message}`)]);
  });

  it('returns nothing when any file is bad, and reports problems from every file', async () => {
    const errors = await loadErrors(fixture('good'), fixture('bad'));
    // good/ holds list.yaml and multi.yaml; every file in bad/ contributes at least one error.
    expect(new Set(errors.map((e) => e.file)).size).toBe(12);
    expect(errors.every((e) => e.file.startsWith(fixture('bad')))).toBe(true);
  });

  it('reports a single problem with its own message, without a count', async () => {
    const error = await loadFailure(fixture('bad', 'bad-name.yaml'));
    expect(error.message).toBe(error.errors[0]?.message);
  });

  it('reports missing paths and directories without manifests as file-level errors', async () => {
    const missing = fixture('does-not-exist.yaml');
    const empty = fixture('empty-dir');
    const errors = await loadErrors(missing, empty);
    expect(errors.map((e) => [e.file, e.index, e.detail])).toEqual([
      [missing, null, 'no such file or directory'],
      [empty, null, 'directory has no .yaml, .yml or .json files'],
    ]);
    expect(errors[0]?.message).toBe(`${missing}: no such file or directory`);
  });
});

describe('the bundled demo data', () => {
  const byKind = async () => {
    const objects = await load(DEMO_DIR);
    const of = (kind: StoredObject['kind']) => objects.filter((o) => o.kind === kind);
    return { objects, of };
  };
  const quantities = (entries: unknown) =>
    Object.fromEntries(
      (entries as { kind: string; quantity: string | number }[]).map((e) => [e.kind, parseQuantity(e.quantity)]),
    );

  /** committed + reserved per kind over an organization's allocations. */
  const usage = (allocations: StoredObject[], organization: string) => {
    const used: Record<string, bigint> = {};
    for (const a of allocations.filter((x) => x.metadata.labels?.[LABEL_ORGANIZATION] === organization)) {
      for (const e of (a.spec?.allocations ?? []) as {
        kind: string;
        committed: string | number;
        reserved: string | number;
      }[]) {
        used[e.kind] = (used[e.kind] ?? 0n) + parseQuantity(e.committed) + parseQuantity(e.reserved);
      }
    }
    return used;
  };

  it('loads without error, in the identity namespace unikorn-identity', async () => {
    const { of } = await byKind();
    for (const o of [...of('QuotaMetadata'), ...of('Organization')])
      expect(o.metadata.namespace).toBe('unikorn-identity');
  });

  it('has the four catalogued kinds with their defaults', async () => {
    const { of } = await byKind();
    const catalogue = Object.fromEntries(of('QuotaMetadata').map((o) => [o.metadata.name, o.spec]));
    expect(Object.keys(catalogue).sort()).toEqual(['clusters', 'gpus', 'servers', 'storage']);
    expect(catalogue.clusters).toMatchObject({ displayName: 'Kubernetes clusters', default: 5 });
    expect(catalogue.servers).toMatchObject({ displayName: 'Servers', default: 20 });
    expect(catalogue.gpus).toMatchObject({ displayName: 'GPUs', default: 4 });
    expect(catalogue.storage).toMatchObject({ displayName: 'Block storage', default: '1Ti' });
    for (const spec of Object.values(catalogue)) expect(spec?.description).toMatch(/^[A-Z].+\.$/);
  });

  it('has acme, globex and initech with display names and namespaces', async () => {
    const { of } = await byKind();
    const orgs = of('Organization').map((o) => [o.metadata.name, o.metadata.labels?.[LABEL_NAME], o.status?.namespace]);
    expect(orgs).toEqual([
      ['acme', 'acme-corporation', 'org-acme'],
      ['globex', 'globex', 'org-globex'],
      ['initech', 'initech', 'org-initech'],
    ]);
  });

  it('has projects in their organization namespace', async () => {
    const { of } = await byKind();
    const projects = of('Project').map((p) => [
      p.metadata.labels?.[LABEL_ORGANIZATION],
      p.metadata.namespace,
      p.metadata.name,
      p.status?.namespace,
    ]);
    expect(projects).toEqual([
      ['acme', 'org-acme', 'web', 'project-acme-web'],
      ['acme', 'org-acme', 'ml', 'project-acme-ml'],
      ['acme', 'org-acme', 'ops', 'project-acme-ops'],
      ['globex', 'org-globex', 'platform', 'project-globex-platform'],
      ['initech', 'org-initech', 'legacy', 'project-initech-legacy'],
    ]);
  });

  it('gives acme an explicit quota without storage, globex none, initech a drifted one', async () => {
    const { of } = await byKind();
    const quotas = of('Quota');
    expect(quotas.map((q) => [q.metadata.namespace, q.metadata.name, q.metadata.labels?.[LABEL_ORGANIZATION]])).toEqual(
      [
        ['org-acme', 'quota', 'acme'],
        ['org-initech', 'quota', 'initech'],
      ],
    );
    expect(quantities(quotas[0]?.spec?.quotas)).toEqual({ clusters: 10n, servers: 50n, gpus: 8n });
    // acme ring-fences its projects: ml is fenced, web capped, ops (not listed) unfenced.
    expect(quotas[0]?.spec?.projects).toEqual([
      { project: 'ml', quotas: [{ kind: 'gpus', guaranteed: 4, limit: 6 }] },
      { project: 'web', quotas: [{ kind: 'servers', limit: 20 }] },
    ]);
    expect(quotas[1]?.spec?.projects).toBeUndefined();
    expect(quantities(quotas[1]?.spec?.quotas)).toMatchObject({ servers: 10n, tpus: 4n });
  });

  it('has allocations whose usage fits acme and globex, and overcommits initech', async () => {
    const { of } = await byKind();
    const allocations = of('Allocation');
    const projectNamespaces = new Map(of('Project').map((p) => [p.metadata.name, p.status?.namespace]));
    for (const a of allocations) {
      const labels = a.metadata.labels ?? {};
      expect(projectNamespaces.get(labels[LABEL_PROJECT] ?? '')).toBe(a.metadata.namespace);
      expect(labels['resource.unikorn-cloud.org/kind']).toMatch(/^[a-z]+$/);
      expect(labels['resource.unikorn-cloud.org/id']).toBeTruthy();
    }
    const Gi = 2n ** 30n;
    expect(usage(allocations, 'acme')).toEqual({ clusters: 2n, servers: 21n, gpus: 6n, storage: 210n * Gi });
    expect(usage(allocations, 'globex')).toEqual({ clusters: 2n, servers: 12n, storage: 500n * Gi });
    expect(usage(allocations, 'initech')).toEqual({ clusters: 1n, servers: 14n, storage: 50n * Gi, loadbalancers: 1n });
    // Both committed and reserved appear, so a dashboard shows both columns.
    const entries = allocations.flatMap((a) => a.spec?.allocations as { committed: unknown; reserved: unknown }[]);
    expect(entries.some((e) => e.reserved !== 0)).toBe(true);
    expect(entries.some((e) => e.committed === 0)).toBe(true);
  });
});
