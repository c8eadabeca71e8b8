/**
 * The cross-tenant matrix. Two organizations on one gateway: `acme` and `rival-secret` (every ID of
 * the second contains "secret", so any leak of it shows up in a response body). Every caller comes
 * with a real signed token, verified by the real authenticator from a key file.
 *
 * - Reads: every root field, nested path, alias, fragment and variable form that could name the
 *   rival; no caller without a role there gets a byte of it, and a hidden organization answers
 *   exactly like a missing one.
 * - Writes: every mutation against the rival is FORBIDDEN and writes nothing; mixing one's own
 *   organization with the rival's project or allocation IDs finds nothing and writes nothing.
 * - Rights: each role, in its own organization, can do exactly what the README's table says.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Authenticate } from '../../src/auth/plugin.js';
import { createJwtAuthenticator } from '../../src/auth/tokens.js';
import type { StoredObject } from '../../src/store/types.js';
import { createTestGateway, type TestGateway } from '../support/gateway.js';
import { allocation, organization, project, quota, quotaMetadata } from '../support/objects.js';
import { storeFactories, type TestStore } from '../support/stores.js';
import {
  createKeyDir,
  defaultTestKey,
  type KeyDir,
  type TokenFor,
  testTokenSettings,
  tokenFor,
} from '../support/tokens.js';

const OWN = 'acme';
const RIVAL = 'rival-secret';
const RIVAL_PROJECT = 'ops-secret';
const RIVAL_ALLOCATION = 'alloc-secret';
const OWN_ALLOCATION = 'alloc-own';

const WORLD: StoredObject[] = [
  quotaMetadata('servers', 10),
  organization(OWN),
  organization(RIVAL),
  project(OWN, 'web'),
  project(RIVAL, RIVAL_PROJECT),
  quota(OWN, { servers: 20 }),
  quota(RIVAL, { servers: 20 }),
  allocation(OWN, 'web', OWN_ALLOCATION, { servers: { committed: 2, reserved: 0 } }),
  allocation(RIVAL, RIVAL_PROJECT, RIVAL_ALLOCATION, { servers: { committed: 3, reserved: 0 } }),
];

const CALLERS = {
  platformAdmin: { subject: 'ops', roles: ['platform-admin'] },
  viewer: { subject: 'vera', organizations: { [OWN]: 'viewer' } },
  admin: { subject: 'adam', organizations: { [OWN]: 'admin' } },
  allocator: { subject: 'svc-provisioner', organizations: { [OWN]: 'allocator' } },
  // Authenticated, with roles that grant nothing here (a role elsewhere, an unknown platform role).
  nobody: { subject: 'nemo', roles: ['auditor'], organizations: { 'some-other-org': 'admin' } },
} satisfies Record<string, TokenFor>;
type Caller = keyof typeof CALLERS;
const OUTSIDERS = ['viewer', 'admin', 'allocator', 'nobody'] as const satisfies readonly Caller[];

/** What each caller may do in its own organization (`acme`); the rights table of the README. */
const RIGHTS: Record<Caller, { view: boolean; setQuota: boolean; setProjectQuota: boolean; allocate: boolean }> = {
  platformAdmin: { view: true, setQuota: true, setProjectQuota: true, allocate: true },
  viewer: { view: true, setQuota: false, setProjectQuota: false, allocate: false },
  admin: { view: true, setQuota: false, setProjectQuota: true, allocate: false },
  allocator: { view: true, setQuota: false, setProjectQuota: false, allocate: true },
  nobody: { view: false, setQuota: false, setProjectQuota: false, allocate: false },
};

/** Every mutation, aimed at one organization; `right` is the right it needs there. */
const mutations = (org: string, projectId: string, allocationId: string) =>
  [
    {
      name: 'setQuota',
      right: 'setQuota',
      query: `mutation($org: ID!) { setQuota(input: { organizationId: $org, quotas: [{ kind: "servers", quantity: 25 }] }) {
      __typename ... on SetQuotaSuccess { quota { items { quantity } } } } }`,
      variables: { org },
      success: 'SetQuotaSuccess',
    },
    {
      name: 'setProjectQuota',
      right: 'setProjectQuota',
      query: `mutation($org: ID!, $p: ID!) { setProjectQuota(input: { organizationId: $org, projectId: $p,
      quotas: [{ kind: "servers", guaranteed: 4 }] }) { __typename ... on SetProjectQuotaSuccess { project { id } } } }`,
      variables: { org, p: projectId },
      success: 'SetProjectQuotaSuccess',
    },
    {
      name: 'createAllocation',
      right: 'allocate',
      query: `mutation($org: ID!, $p: ID!) { createAllocation(input: { organizationId: $org, projectId: $p,
      resourceKind: "server", resourceId: "new-one", items: [{ kind: "servers", committed: 1, reserved: 0 }] }) {
      __typename ... on CreateAllocationSuccess { allocation { id } } } }`,
      variables: { org, p: projectId },
      success: 'CreateAllocationSuccess',
    },
    {
      name: 'updateAllocation',
      right: 'allocate',
      query: `mutation($org: ID!, $p: ID!, $id: ID!) { updateAllocation(input: { organizationId: $org, projectId: $p,
      id: $id, items: [{ kind: "servers", committed: 1, reserved: 0 }] }) {
      __typename ... on UpdateAllocationSuccess { allocation { id } } } }`,
      variables: { org, p: projectId, id: allocationId },
      success: 'UpdateAllocationSuccess',
    },
    {
      name: 'deleteAllocation',
      right: 'allocate',
      query: `mutation($org: ID!, $p: ID!, $id: ID!) { deleteAllocation(input: { organizationId: $org, projectId: $p,
      id: $id }) { __typename ... on DeleteAllocationSuccess { id } } }`,
      variables: { org, p: projectId, id: allocationId },
      success: 'DeleteAllocationSuccess',
    },
  ] as const;

/**
 * Every way a read could reach the rival. `leaks` says what must not be in the data (beyond the
 * blanket "no secret anywhere in the body").
 */
const READ_PROBES: { name: string; query: string; variables?: Record<string, unknown>; expectData: unknown }[] = [
  { name: 'organization(id)', query: `{ organization(id: "${RIVAL}") { id } }`, expectData: { organization: null } },
  {
    name: 'organization(id) with everything under it',
    query: `{ organization(id: "${RIVAL}") { id name quota { items { quantity used } problems { code } }
      projects { id usage { used } quota { available } allocations(first: 10) { totalCount } }
      allocations(first: 10) { totalCount edges { node { id } } } viewerCanAllocate } }`,
    expectData: { organization: null },
  },
  {
    name: 'organization(id) through a variable',
    query: 'query($id: ID!) { organization(id: $id) { id } }',
    variables: { id: RIVAL },
    expectData: { organization: null },
  },
  {
    name: 'aliases beside one’s own',
    query: `{ theirs: organization(id: "${RIVAL}") { id } again: organization(id: "${RIVAL}") { name } }`,
    expectData: { theirs: null, again: null },
  },
  {
    name: 'named fragments',
    query: `query { ...Q } fragment Q on Query { organization(id: "${RIVAL}") { ...O } } fragment O on Organization { id name }`,
    expectData: { organization: null },
  },
  {
    name: 'inline fragments',
    query: `{ ... on Query { organization(id: "${RIVAL}") { ... on Organization { id } } } }`,
    expectData: { organization: null },
  },
  {
    name: 'the organizations listing and its count',
    query:
      '{ organizations(first: 100) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
    expectData: undefined, // depends on the caller; checked below
  },
  {
    // Cursors are keyset positions anyone can forge; this one says "after acme", where the rival sorts.
    name: 'the listing after a forged cursor just before the rival',
    query: `{ organizations(first: 100, after: "${Buffer.from(`key:${OWN}`).toString('base64url')}") {
      totalCount edges { node { id } } } }`,
    expectData: undefined,
  },
  {
    name: 'viewer memberships',
    query: '{ viewer { subject isPlatformAdmin memberships { role organization { id } } } }',
    expectData: undefined,
  },
  {
    name: 'from one’s own organization down and back up',
    query: `{ organization(id: "${OWN}") { projects { organization { id } allocations(first: 100) { edges { node {
      project { id } organization { id projects { id } } } } } } allocations(first: 100) { totalCount } } }`,
    expectData: undefined,
  },
];

let keys: KeyDir;
let authenticate: Authenticate;
const tokens = {} as Record<Caller, string>;

beforeAll(async () => {
  keys = await createKeyDir();
  const authenticator = await createJwtAuthenticator(
    testTokenSettings({ publicKeyFile: await keys.pem(await defaultTestKey()) }),
  );
  authenticate = (header) => authenticator.authenticate(header);
  for (const [caller, grants] of Object.entries(CALLERS)) tokens[caller as Caller] = await tokenFor(grants);
});
afterAll(() => keys.remove());

let testStore: TestStore;
let gateway: TestGateway;

beforeEach(async () => {
  testStore = await storeFactories.sqlite!();
  gateway = await createTestGateway(testStore, WORLD, { authenticate });
});
afterEach(() => testStore.cleanup());

async function send(caller: Caller, query: string, variables?: Record<string, unknown>) {
  const response = await gateway.fetch(
    { query, variables },
    { headers: { authorization: `Bearer ${tokens[caller]}` } },
  );
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the probes read many response shapes; each test asserts the one it expects.
  type Loose = any;
  return { status: response.status, text, body: JSON.parse(text) as { data?: Loose; errors?: Loose[] } };
}

/** Every stored object's identity and version: equal snapshots mean nothing was written. */
async function snapshot(): Promise<string[]> {
  const kinds = ['Organization', 'Project', 'QuotaMetadata', 'Quota', 'Allocation'] as const;
  const lists = await Promise.all(kinds.map((kind) => testStore.store.list(kind)));
  return lists
    .flatMap((list) => list.items)
    .map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`)
    .sort();
}

describe('reads: no caller without a role in an organization sees anything of it', () => {
  const cases = OUTSIDERS.flatMap((caller) => READ_PROBES.map((probe) => [caller, probe.name, probe] as const));

  it.each(cases)('%s: %s', async (caller, _name, probe) => {
    const { status, text, body } = await send(caller, probe.query, probe.variables);
    expect(status).toBe(200);
    expect(body.errors, text).toBeUndefined();
    expect(text).not.toContain('secret');
    if (probe.expectData !== undefined) expect(body.data).toEqual(probe.expectData);
  });

  it.each(OUTSIDERS)('%s: the listing counts only what it shows', async (caller) => {
    const { body } = await send(caller, '{ organizations(first: 100) { totalCount edges { node { id } } } }');
    const visible = RIGHTS[caller].view ? [OWN] : [];
    expect(body.data.organizations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(visible);
    expect(body.data.organizations.totalCount).toBe(visible.length);
  });

  it.each(OUTSIDERS)('%s: a hidden organization answers byte for byte like a missing one', async (caller) => {
    const hidden = await send(caller, `{ organization(id: "${RIVAL}") { id quota { isDefault } } }`);
    const missing = await send(caller, '{ organization(id: "no-such-org") { id quota { isDefault } } }');
    expect(hidden.status).toBe(missing.status);
    expect(hidden.text).toBe(missing.text);
  });

  it('the platform admin sees both organizations', async () => {
    const { body } = await send('platformAdmin', '{ organizations { totalCount edges { node { id } } } }');
    expect(body.data.organizations.totalCount).toBe(2);
    const rival = await send('platformAdmin', `{ organization(id: "${RIVAL}") { projects { id } } }`);
    expect(rival.body.data.organization.projects).toEqual([{ id: RIVAL_PROJECT }]);
  });
});

describe('writes against another organization are FORBIDDEN and write nothing', () => {
  const cases = OUTSIDERS.flatMap((caller) =>
    mutations(RIVAL, RIVAL_PROJECT, RIVAL_ALLOCATION).map((m) => [caller, m.name, m] as const),
  );

  it.each(cases)('%s: %s', async (caller, _name, mutation) => {
    const before = await snapshot();
    const { status, text, body } = await send(caller, mutation.query, mutation.variables);
    expect(status).toBe(200);
    expect(body.data, text).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, path: [mutation.name] });
    expect(text).not.toContain('secret');
    expect(await snapshot()).toEqual(before);
  });
});

describe('one’s own organization with another’s project or allocation IDs finds nothing and writes nothing', () => {
  const crossed = [
    ['admin', 'setProjectQuota', mutations(OWN, RIVAL_PROJECT, OWN_ALLOCATION)[1]],
    ['allocator', 'createAllocation in the rival’s project', mutations(OWN, RIVAL_PROJECT, OWN_ALLOCATION)[2]],
    ['allocator', 'updateAllocation of the rival’s allocation', mutations(OWN, 'web', RIVAL_ALLOCATION)[3]],
    ['allocator', 'updateAllocation through the rival’s project', mutations(OWN, RIVAL_PROJECT, RIVAL_ALLOCATION)[3]],
    ['allocator', 'deleteAllocation of the rival’s allocation', mutations(OWN, 'web', RIVAL_ALLOCATION)[4]],
    ['allocator', 'deleteAllocation through the rival’s project', mutations(OWN, RIVAL_PROJECT, RIVAL_ALLOCATION)[4]],
    [
      'platformAdmin',
      'deleteAllocation of one organization’s allocation via another',
      mutations(OWN, 'web', RIVAL_ALLOCATION)[4],
    ],
  ] as const;

  it.each(crossed)('%s: %s', async (caller, _name, mutation) => {
    const before = await snapshot();
    const { body, text } = await send(caller, mutation.query, mutation.variables);
    expect(body.errors, text).toBeUndefined();
    expect(body.data[mutation.name].__typename).toBe('NotFoundError');
    expect(await snapshot()).toEqual(before);
  });
});

describe('each role has exactly its rights in its own organization', () => {
  const callers = Object.keys(CALLERS) as Caller[];
  const cases = callers.flatMap((caller) =>
    mutations(OWN, 'web', OWN_ALLOCATION).map((m) => [caller, m.name, RIGHTS[caller][m.right], m] as const),
  );

  it.each(cases)('%s: %s allowed=%s', async (caller, _name, allowed, mutation) => {
    const before = await snapshot();
    const { body, text } = await send(caller, mutation.query, mutation.variables);
    if (allowed) {
      expect(body.errors, text).toBeUndefined();
      expect(body.data[mutation.name].__typename).toBe(mutation.success);
      expect(await snapshot()).not.toEqual(before);
    } else {
      expect(body.data, text).toBeNull();
      expect(body.errors![0].extensions.code).toBe('FORBIDDEN');
      expect(await snapshot()).toEqual(before);
    }
  });

  it.each(callers)('%s: reads its organization and sees its rights as the mutations enforce them', async (caller) => {
    const { body, text } = await send(
      caller,
      `{ organization(id: "${OWN}") { id viewerCanSetQuota viewerCanSetProjectQuota viewerCanAllocate } }`,
    );
    expect(body.errors, text).toBeUndefined();
    const rights = RIGHTS[caller];
    expect(body.data.organization).toEqual(
      rights.view
        ? {
            id: OWN,
            viewerCanSetQuota: rights.setQuota,
            viewerCanSetProjectQuota: rights.setProjectQuota,
            viewerCanAllocate: rights.allocate,
          }
        : null,
    );
  });

  it.each(callers)('%s: viewer says who it is', async (caller) => {
    const { body } = await send(
      caller,
      '{ viewer { subject isPlatformAdmin memberships { role organization { id } } } }',
    );
    const grants = CALLERS[caller] as TokenFor;
    expect(body.data.viewer).toEqual({
      subject: grants.subject,
      isPlatformAdmin: caller === 'platformAdmin',
      // Grants for organizations that do not exist are left out.
      memberships: Object.entries(grants.organizations ?? {})
        .filter(([org]) => org === OWN)
        .map(([org, role]) => ({ role: role.toUpperCase(), organization: { id: org } })),
    });
  });

  it.each(callers)('%s: the catalogue is open to every authenticated caller', async (caller) => {
    const { body } = await send(caller, '{ quotaKinds { name } quotaKind(name: "servers") { default } }');
    expect(body.data).toEqual({ quotaKinds: [{ name: 'servers' }], quotaKind: { default: 10 } });
  });
});
