import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifests.js';
import { graphql } from '../gql/index.js';
import { createTestGateway, expectNoGraphQLErrors, type TestGateway } from '../support/gateway.js';
import { IDENTITY_NAMESPACE } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';

// Objects shaped exactly like an existing unikorn identity installation; the expected numbers are
// documented at the top of test/fixtures/unikorn/organizations.yaml.
const FIXTURES = fileURLToPath(new URL('../fixtures/unikorn/', import.meta.url));

const Everything = graphql(`
  query UnikornEverything {
    quotaKinds { name default }
    organizations(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          quota {
            isDefault
            resourceVersion
            items { kind { name } quantity isDefault committed reserved used free utilization }
            problems { code }
          }
          projects { id name usage { kind { name } committed reserved used } }
        }
      }
    }
  }
`);

type Row = [kind: string, quantity: number, committed: number, reserved: number, free: number];

describe.each(Object.keys(storeFactories))('a unikorn installation read as it is (%s store)', (storeName) => {
  let testStore: TestStore;
  let gateway: TestGateway;

  beforeEach(async () => {
    testStore = await storeFactories[storeName]!();
    gateway = await createTestGateway(
      testStore,
      await loadManifests([FIXTURES], { defaultNamespace: IDENTITY_NAMESPACE }),
    );
  });
  afterEach(() => testStore.cleanup());

  it('reads every organization, quota, project and usage with the documented numbers', async () => {
    const data = expectNoGraphQLErrors(await gateway.execute(Everything));
    expect(data.quotaKinds).toEqual([
      { name: 'clusters', default: 5 },
      { name: 'gpus', default: 40 },
      { name: 'servers', default: 10 },
    ]);
    const orgs = data.organizations.edges.map((e) => e.node);
    expect(data.organizations.totalCount).toBe(3);
    expect(orgs.map((o) => [o.id, o.name])).toEqual([
      ['a4d0e6f2-8c1b-4e3a-95d7-6f2b8c0e1a34', 'initech'],
      ['c3f8a2d1-6b4e-4f9a-b7c2-5e8d1a0f3b96', 'acme-corp'],
      ['e91b7c45-2a3d-4c8e-9f16-0d7a4b3c2e58', 'globex'],
    ]);
    const rows = (org: (typeof orgs)[number]): Row[] =>
      org.quota.items.map((i) => [i.kind.name, i.quantity, i.committed, i.reserved, i.free]);
    const [initech, acme, globex] = orgs as [(typeof orgs)[number], (typeof orgs)[number], (typeof orgs)[number]];

    // Just created: no namespace yet, so no Quota or Project can belong to it.
    expect(initech.quota).toMatchObject({ isDefault: true, resourceVersion: null, problems: [] });
    expect(initech.projects).toEqual([]);
    expect(rows(initech)).toEqual([
      ['clusters', 5, 0, 0, 5],
      ['gpus', 40, 0, 0, 40],
      ['servers', 10, 0, 0, 10],
    ]);

    expect(acme.quota).toMatchObject({ isDefault: false, problems: [] });
    expect(rows(acme)).toEqual([
      ['clusters', 10, 3, 0, 7],
      ['gpus', 16, 8, 4, 4],
      ['servers', 50, 18, 6, 26],
    ]);
    expect(acme.quota.items.map((i) => i.utilization)).toEqual([0.3, 0.75, 0.48]);
    expect(acme.projects.map((p) => [p.name, p.usage.map((u) => [u.kind.name, u.committed, u.reserved])])).toEqual([
      [
        'production',
        [
          ['clusters', 2, 0],
          ['gpus', 0, 0],
          ['servers', 10, 4],
        ],
      ],
      [
        'research',
        [
          ['clusters', 1, 0],
          ['gpus', 8, 4],
          ['servers', 8, 2],
        ],
      ],
    ]);

    // Stored at the chart defaults: still a stored quota, so not isDefault.
    expect(globex.quota).toMatchObject({ isDefault: false, problems: [] });
    expect(globex.quota.items.every((i) => !i.isDefault)).toBe(true);
    expect(rows(globex)).toEqual([
      ['clusters', 5, 2, 0, 3],
      ['gpus', 40, 2, 0, 38],
      ['servers', 10, 5, 3, 2],
    ]);
    expect(globex.projects.map((p) => [p.name, p.usage.reduce((sum, u) => sum + u.used, 0)])).toEqual([
      ['sandbox', 0],
      ['platform', 12],
    ]);
  });
});
