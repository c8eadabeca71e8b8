/**
 * `quotagraph serve` as a real process: seeding, probes, queries, a mutation that survives a
 * restart, graceful shutdown and request ids (DESIGN §8).
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, dataOf, makeTempDir, postGraphQL, type RunningCli, startServe } from './support.js';

afterEach(cleanup);

const GiB = 2 ** 30;
const TiB = 2 ** 40;

interface Item {
  kind: { name: string };
  quantity: number;
  isDefault: boolean;
  committed: number;
  reserved: number;
  used: number;
  free: number;
}
interface Problem {
  code: string;
  kind: string;
  message: string;
}
interface OrganizationQuota {
  id: string;
  name: string;
  quota: { isDefault: boolean; resourceVersion: string | null; items: Item[]; problems: Problem[] };
}

const ORGANIZATION_QUERY = `
  query Organization($id: ID!) {
    organization(id: $id) {
      id
      name
      quota {
        isDefault
        resourceVersion
        items { kind { name } quantity isDefault committed reserved used free }
        problems { code kind message }
      }
    }
  }
`;

const SET_QUOTA = `
  mutation($input: SetQuotaInput!) {
    setQuota(input: $input) {
      __typename
      ... on SetQuotaSuccess { quota { resourceVersion items { kind { name } quantity } } }
      ... on Error { message }
    }
  }
`;

interface SetQuotaData {
  setQuota: {
    __typename: string;
    message?: string;
    quota?: { resourceVersion: string; items: { kind: { name: string }; quantity: number }[] };
  };
}

const FENCES_QUERY = `{
  organization(id: "acme") {
    quota { items { kind { name } ringFenced sharedQuantity sharedUsed sharedFree } }
    projects { id quota { kind { name } guaranteed limit used available } }
  }
}`;

interface AcmeFences {
  organization: {
    quota: {
      items: {
        kind: { name: string };
        ringFenced: number;
        sharedQuantity: number;
        sharedUsed: number;
        sharedFree: number;
      }[];
    };
    projects: {
      id: string;
      quota: {
        kind: { name: string };
        guaranteed: number | null;
        limit: number | null;
        used: number;
        available: number;
      }[];
    }[];
  };
}

async function organization(cli: RunningCli, id: string): Promise<OrganizationQuota | null> {
  return dataOf(await postGraphQL<{ organization: OrganizationQuota | null }>(cli.url, ORGANIZATION_QUERY, { id }))
    .organization;
}

/** kind → the fields a test compares, so a failure shows every number at once. */
function itemsByKind(org: OrganizationQuota | null) {
  return Object.fromEntries(
    (org?.quota.items ?? []).map(({ kind, quantity, isDefault, committed, reserved, used, free }) => [
      kind.name,
      { quantity, isDefault, committed, reserved, used, free },
    ]),
  );
}

function dbPath(): string {
  return join(makeTempDir(), 'q.db');
}

describe('quotagraph serve --seed demo', () => {
  it('answers the probes and serves the demo organizations with their numbers', async () => {
    const cli = await startServe({ db: dbPath(), seed: 'demo' });
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(cli.logs().map((r) => r.message)).toContain('seeded an empty store');

    const healthz = await fetch(`${cli.origin}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    const readyz = await fetch(`${cli.origin}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ status: 'ready' });

    // demo/organizations.yaml: acme raises clusters, servers and gpus; storage follows the 1Ti default.
    // demo/allocations.yaml: web-prod + ops-bastion + ml-training.
    const acme = await organization(cli, 'acme');
    expect(acme).toMatchObject({ id: 'acme', name: 'acme-corporation', quota: { isDefault: false, problems: [] } });
    expect(itemsByKind(acme)).toEqual({
      clusters: { quantity: 10, isDefault: false, committed: 2, reserved: 0, used: 2, free: 8 },
      gpus: { quantity: 8, isDefault: false, committed: 4, reserved: 2, used: 6, free: 2 },
      servers: { quantity: 50, isDefault: false, committed: 15, reserved: 6, used: 21, free: 29 },
      storage: {
        quantity: TiB,
        isDefault: true,
        committed: 110 * GiB,
        reserved: 100 * GiB,
        used: 210 * GiB,
        free: TiB - 210 * GiB,
      },
    });

    // acme ring-fences its projects: ml has 4 GPUs guaranteed and may burst to 6, web is capped at
    // 20 servers, ops has no fence. gpus: 8 − 4 = a shared pool of 4, of which ml's burst uses 2.
    const fences = dataOf(await postGraphQL<AcmeFences>(cli.url, FENCES_QUERY)).organization;
    expect(
      Object.fromEntries(fences.quota.items.map(({ kind, ...numbers }) => [kind.name, Object.values(numbers)])),
    ).toEqual({
      clusters: [0, 10, 2, 8],
      gpus: [4, 4, 2, 2],
      servers: [0, 50, 21, 29],
      storage: [0, TiB, 210 * GiB, TiB - 210 * GiB],
    });
    const share = (id: string, kind: string) => {
      const { guaranteed, limit, used, available } = fences.projects
        .find((p) => p.id === id)!
        .quota.find((i) => i.kind.name === kind)!;
      return [guaranteed, limit, used, available];
    };
    expect(share('ml', 'gpus')).toEqual([4, 6, 6, 0]);
    expect(share('web', 'servers')).toEqual([null, 20, 8, 12]); // min(20 − 8, 29)
    expect(share('ops', 'servers')).toEqual([null, null, 1, 29]);
    expect(share('ops', 'gpus')).toEqual([null, null, 0, 2]);

    // globex has no Quota object: every kind at its catalogue default.
    const globex = await organization(cli, 'globex');
    expect(globex?.quota).toMatchObject({ isDefault: true, resourceVersion: null, problems: [] });
    expect(itemsByKind(globex).servers).toMatchObject({ quantity: 20, used: 12 });

    // initech has drifted: servers overcommitted, an uncatalogued quota kind and allocation kind.
    const initech = await organization(cli, 'initech');
    expect(itemsByKind(initech).servers).toMatchObject({ quantity: 10, committed: 11, reserved: 3, free: -4 });
    expect(initech?.quota.problems.map(({ code, kind }) => ({ code, kind }))).toEqual(
      expect.arrayContaining([
        { code: 'OVERCOMMITTED', kind: 'servers' },
        { code: 'UNCATALOGUED_QUOTA_KIND', kind: 'tpus' },
        { code: 'UNCATALOGUED_ALLOCATION_KIND', kind: 'loadbalancers' },
      ]),
    );
    expect(initech?.quota.problems).toHaveLength(3);

    expect(await organization(cli, 'nope')).toBeNull();
    expect((await cli.stop()).code).toBe(0);
  });

  it('keeps a setQuota across a graceful restart and does not re-seed a non-empty store', async () => {
    const db = dbPath();
    const first = await startServe({ db, seed: 'demo' });

    const result = dataOf(
      await postGraphQL<SetQuotaData>(first.url, SET_QUOTA, {
        input: { organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 60 }] },
      }),
    ).setQuota;
    expect(result.__typename, result.message).toBe('SetQuotaSuccess');
    const stored = result.quota!;
    expect(stored.items.find((i) => i.kind.name === 'servers')?.quantity).toBe(60);
    // Only servers changed: the other explicit quotas are merged, not dropped.
    expect(stored.items.find((i) => i.kind.name === 'clusters')?.quantity).toBe(10);

    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const messages = first.logs().map((r) => r.message);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
    expect(first.logs().find((r) => r.message === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });

    // --seed demo again: the store is not empty, so the demo data must not overwrite the change.
    const second = await startServe({ db, seed: 'demo' });
    expect(second.logs().map((r) => r.message)).not.toContain('seeded an empty store');
    const acme = await organization(second, 'acme');
    expect(acme?.quota.resourceVersion).toBe(stored.resourceVersion);
    expect(itemsByKind(acme).servers).toMatchObject({ quantity: 60, used: 21, free: 39 });
    expect((await second.stop()).code).toBe(0);
  });

  it('refuses a setQuota below usage and writes nothing', async () => {
    const cli = await startServe({ db: dbPath(), seed: 'demo' });
    const before = await organization(cli, 'acme');
    const result = dataOf(
      await postGraphQL<SetQuotaData>(cli.url, SET_QUOTA, {
        input: { organizationId: 'acme', quotas: [{ kind: 'servers', quantity: 20 }] },
      }),
    ).setQuota;
    expect(result.__typename).toBe('QuotaBelowUsageError');
    expect(result.message).toMatch(/servers/);
    const after = await organization(cli, 'acme');
    expect(after?.quota.resourceVersion).toBe(before?.quota.resourceVersion);
    expect(itemsByKind(after).servers?.quantity).toBe(50);
  });
});

describe('quotagraph serve --seed none', () => {
  it('starts on a fresh database with an empty catalogue and no organizations', async () => {
    const cli = await startServe({ db: dbPath(), seed: 'none' });
    expect(cli.logs().map((r) => r.message)).not.toContain('seeded an empty store');
    const data = dataOf(
      await postGraphQL<{
        quotaKinds: { name: string }[];
        organizations: { totalCount: number };
        organization: { id: string } | null;
      }>(cli.url, `{ quotaKinds { name } organizations { totalCount } organization(id: "acme") { id } }`),
    );
    expect(data).toEqual({ quotaKinds: [], organizations: { totalCount: 0 }, organization: null });
    expect((await fetch(`${cli.origin}/readyz`)).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const cli = await startServe({ db: dbPath(), seed: 'demo' });
    const body = JSON.stringify({ query: '{ organization(id: "acme") { id quota { items { kind { name } } } } }' });
    const upload = startSlowUpload(cli.url, body);

    // The server has parsed the headers (it answered 100 Continue): the request is in flight.
    await upload.accepted;
    upload.send(body.slice(0, 10));

    const sigterm = cli.stop('SIGTERM');
    await cli.waitForLog('shutting down');
    // The log line is written just before the listener closes, so allow the close a moment.
    expect(await refusedWithin(cli.port, 2_000)).toBe('ECONNREFUSED');
    // It waits for the request rather than exiting under it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cli.logs().map((r) => r.message)).not.toContain('stopped');

    upload.finish(body.slice(10));
    const response = await upload.response;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ data: { organization: { id: 'acme' } } });

    expect(await sigterm).toEqual({ code: 0, signal: null });
    expect(cli.logs().at(-1)?.message).toBe('stopped');
  });
});

describe('x-request-id', () => {
  it('echoes a plain caller id, and replaces a missing or unsafe one with a fresh UUID', async () => {
    const cli = await startServe({ db: dbPath(), seed: 'none' });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

    const echoed = await postGraphQL(cli.url, '{ __typename }', {}, { 'x-request-id': 'e2e-trace.42_A' });
    expect(echoed.headers.get('x-request-id')).toBe('e2e-trace.42_A');
    const probe = await fetch(`${cli.origin}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(probe.headers.get('x-request-id')).toBe('probe-1');

    const missing = await postGraphQL(cli.url, '{ __typename }');
    expect(missing.headers.get('x-request-id')).toMatch(uuid);
    const unsafe = await postGraphQL(cli.url, '{ __typename }', {}, { 'x-request-id': 'a b;<script>' });
    expect(unsafe.headers.get('x-request-id')).toMatch(uuid);
    const tooLong = await postGraphQL(cli.url, '{ __typename }', {}, { 'x-request-id': 'x'.repeat(129) });
    expect(tooLong.headers.get('x-request-id')).toMatch(uuid);
  });
});

/**
 * A POST whose body is sent in two parts, so a test can act while the request is in flight.
 * `Expect: 100-continue` makes the server acknowledge the headers before any body is sent.
 */
function startSlowUpload(url: string, body: string) {
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    },
    timeout: 15_000,
  });
  const accepted = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error('the in-flight request timed out')));
  });
  // Awaited by the test; a failure elsewhere (the server killed by cleanup) must not go unhandled.
  response.catch(() => {});
  req.flushHeaders();
  return {
    accepted,
    response,
    send: (part: string) => void req.write(part),
    finish: (part: string) => void req.end(part),
  };
}

/** Tries TCP connections until one is refused or `ms` pass; returns the last outcome. */
async function refusedWithin(port: number, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const outcome = await connectionOutcome(port);
    if (outcome === 'ECONNREFUSED' || Date.now() > deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Tries a TCP connection: 'connected', or the error code (ECONNREFUSED once the server stopped listening). */
function connectionOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('--admission', () => {
  it('says which algorithm decides allocation writes, and warns loudly when it is the unsafe one', async () => {
    const db = join(makeTempDir(), 'q.db');
    const safe = await startServe({ db, seed: 'none' });
    expect(await safe.waitForLog(/^quotagraph listening on /)).toMatchObject({ admission: 'protocol' });
    // (The one other warning at start is --auth none's, tested below.)
    expect(safe.logs().filter((r) => r.level === 'warn' && r.auth === undefined)).toEqual([]);
    expect(await safe.stop()).toEqual({ code: 0, signal: null });

    const naive = await startServe({ db, seed: 'none', args: ['--admission', 'naive'] });
    expect(await naive.waitForLog(/^quotagraph listening on /)).toMatchObject({ admission: 'naive' });
    const warning = naive.logs().find((r) => r.level === 'warn' && r.admission === 'naive');
    expect(warning?.message).toMatch(/NAIVE.*CAN EXCEED QUOTAS.*never run this in production/);
    expect(await naive.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('--auth', () => {
  it('none (the embedded default) warns at start that every request is the local platform admin', async () => {
    const cli = await startServe({ db: join(makeTempDir(), 'q.db'), seed: 'none' });
    expect(await cli.waitForLog(/^quotagraph listening on /)).toMatchObject({ auth: 'none' });
    const warning = cli.logs().find((r) => r.level === 'warn' && r.auth === 'none');
    expect(warning?.message).toMatch(/AUTHENTICATION IS OFF.*platform admin "local".*loopback only/);
    const viewer = dataOf<{ viewer: unknown }>(await postGraphQL(cli.url, '{ viewer { subject isPlatformAdmin } }'));
    expect(viewer).toEqual({ viewer: { subject: 'local', isPlatformAdmin: true } });
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
  });
});
