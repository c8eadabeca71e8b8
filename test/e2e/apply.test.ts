/**
 * `quotagraph apply -f` as a real process: one line per object, idempotent re-apply, and a bad
 * document that leaves the store untouched, named by file and document (DESIGN §8).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ObjectKind, StoredObject } from '../../src/store/types.js';
import { cleanup, DEMO_DIR, dataOf, lines, makeTempDir, postGraphQL, runCli, startServe } from './support.js';

afterEach(cleanup);

/** demo/*.yaml: 9 allocations, 4 catalogue kinds, 3 organizations, 2 quotas, 5 projects. */
const DEMO_OBJECTS = 23;
const OUTCOME_LINE =
  /^(allocation|quotametadata|organization|quota|project)\/[a-z0-9.-]+ \([a-z0-9-]+\) (created|configured|unchanged)$/;

function apply(db: string, ...paths: string[]) {
  return runCli(['apply', ...paths.flatMap((path) => ['-f', path]), '--store', `sqlite:${db}`]);
}

/** Reads the store file directly (no server running): every object of `kind`. */
async function storedObjects(db: string, kind: ObjectKind): Promise<StoredObject[]> {
  const store = openSqliteStore(db);
  try {
    return (await store.list(kind)).items;
  } finally {
    await store.close();
  }
}

/** `namespace/name` of every stored object of `kind`, sorted. */
async function storedNames(db: string, kind: ObjectKind): Promise<string[]> {
  return (await storedObjects(db, kind)).map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
}

const HEADER = 'apiVersion: identity.unikorn-cloud.org/v1alpha1';

const HOOLI_ORGANIZATION = `${HEADER}
kind: Organization
metadata:
  name: hooli
  namespace: unikorn-identity
spec: {}
status:
  namespace: org-hooli
`;

/** A valid change to an object the demo data already has. */
const ACME_QUOTA_99 = `${HEADER}
kind: Quota
metadata:
  name: quota
  namespace: org-acme
  labels:
    unikorn-cloud.org/organization: acme
spec:
  quotas:
    - kind: servers
      quantity: 99
`;

const HOOLI_QUOTA_FRACTION = `${HEADER}
kind: Quota
metadata:
  name: quota
  namespace: org-hooli
  labels:
    unikorn-cloud.org/organization: hooli
spec:
  quotas:
    - kind: servers
      quantity: 1.5
`;

describe('quotagraph apply -f demo', () => {
  it('creates every demo object, one line each, and serve --seed none then sees them', async () => {
    const db = join(makeTempDir(), 'q.db');
    const result = await apply(db, 'demo');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const outcomes = lines(result.stdout);
    expect(outcomes).toHaveLength(DEMO_OBJECTS);
    for (const line of outcomes) expect(line).toMatch(OUTCOME_LINE);
    expect(outcomes.every((line) => line.endsWith(' created'))).toBe(true);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        'organization/acme (unikorn-identity) created',
        'quotametadata/storage (unikorn-identity) created',
        'quota/quota (org-acme) created',
        'project/ml (org-acme) created',
        'allocation/loadbalancer-legacy-ingress (project-initech-legacy) created',
      ]),
    );

    const cli = await startServe({ db, seed: 'none' });
    const data = dataOf(
      await postGraphQL<{
        quotaKinds: { name: string }[];
        organizations: { totalCount: number };
        organization: { quota: { item: { quantity: number; used: number } | null } } | null;
      }>(
        cli.url,
        `{
          quotaKinds { name }
          organizations { totalCount }
          organization(id: "acme") { quota { item(kind: "servers") { quantity used } } }
        }`,
      ),
    );
    expect(data.quotaKinds.map((k) => k.name)).toEqual(['clusters', 'gpus', 'servers', 'storage']);
    expect(data.organizations.totalCount).toBe(3);
    expect(data.organization?.quota.item).toEqual({ quantity: 50, used: 21 });
    expect((await cli.stop()).code).toBe(0);
  });

  it('reports every object unchanged when applied again, and a changed one as configured', async () => {
    const db = join(makeTempDir(), 'q.db');
    expect((await apply(db, DEMO_DIR)).code).toBe(0);
    const [before] = await storedObjects(db, 'Quota').then((qs) =>
      qs.filter((q) => q.metadata.namespace === 'org-acme'),
    );

    const again = await apply(db, DEMO_DIR);
    expect(again.code, again.stderr).toBe(0);
    const outcomes = lines(again.stdout);
    expect(outcomes).toHaveLength(DEMO_OBJECTS);
    expect(outcomes.filter((line) => !line.endsWith(' unchanged'))).toEqual([]);
    const [after] = await storedObjects(db, 'Quota').then((qs) =>
      qs.filter((q) => q.metadata.namespace === 'org-acme'),
    );
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);

    const file = join(makeTempDir(), 'acme.yaml');
    writeFileSync(file, ACME_QUOTA_99);
    const changed = await apply(db, file);
    expect(changed.code, changed.stderr).toBe(0);
    expect(lines(changed.stdout)).toEqual(['quota/quota (org-acme) configured']);
  });
});

describe('quotagraph apply -f with a bad document', () => {
  it('names the file and document 1, exits non-zero, and writes nothing from the file', async () => {
    const db = join(makeTempDir(), 'q.db');
    expect((await apply(db, DEMO_DIR)).code).toBe(0);
    const organizationsBefore = await storedNames(db, 'Organization');
    const [acmeQuotaBefore] = (await storedObjects(db, 'Quota')).filter((q) => q.metadata.namespace === 'org-acme');

    // Document 0 changes acme (valid), document 1 is bad, document 2 adds hooli (valid).
    const file = join(makeTempDir(), 'mixed.yaml');
    writeFileSync(file, [ACME_QUOTA_99, HOOLI_QUOTA_FRACTION, HOOLI_ORGANIZATION].join('---\n'));
    const result = await apply(db, file);

    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const stderr = lines(result.stderr);
    expect(stderr, result.stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^quotagraph: /);
    expect(stderr[0]).toContain(`${file} document 1:`);
    expect(stderr[0]).toContain('spec.quotas[0].quantity');
    expect(stderr[0]).toContain('1.5');

    expect(await storedNames(db, 'Organization')).toEqual(organizationsBefore);
    expect(await storedNames(db, 'Quota')).toEqual(['org-acme/quota', 'org-initech/quota']);
    const [acmeQuotaAfter] = (await storedObjects(db, 'Quota')).filter((q) => q.metadata.namespace === 'org-acme');
    expect(acmeQuotaAfter).toEqual(acmeQuotaBefore);
  });

  it('applies nothing from a directory with one good and one bad file', async () => {
    const db = join(makeTempDir(), 'q.db');
    const dir = join(makeTempDir(), 'manifests');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-good.yaml'), HOOLI_ORGANIZATION);
    writeFileSync(
      join(dir, 'b-bad.yaml'),
      [HOOLI_ORGANIZATION.replaceAll('hooli', 'pied-piper'), HOOLI_QUOTA_FRACTION].join('---\n'),
    );

    const result = await apply(db, dir);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^quotagraph: .*b-bad\.yaml document 1: .*1\.5/)]);
    expect(result.stderr).not.toContain('a-good.yaml');

    for (const kind of ['Organization', 'Quota'] as const) expect(await storedNames(db, kind)).toEqual([]);
  });

  it('reports a missing file and applies the others not at all', async () => {
    const db = join(makeTempDir(), 'q.db');
    const good = join(makeTempDir(), 'hooli.yaml');
    writeFileSync(good, HOOLI_ORGANIZATION);
    const missing = join(makeTempDir(), 'missing.yaml');

    const result = await apply(db, good, missing);
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr)).toEqual([`quotagraph: ${missing}: no such file or directory`]);
    expect(await storedNames(db, 'Organization')).toEqual([]);
  });
});
