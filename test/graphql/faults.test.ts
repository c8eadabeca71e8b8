import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateAsLocal } from '../../src/auth/plugin.js';
import { silentLogger } from '../../src/log.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import type { ObjectStore } from '../../src/store/types.js';
import { type KubeApiServer, startKubeApiServer } from '../support/kubeApiServer.js';
import { IDENTITY_NAMESPACE, organization, project, quota, quotaMetadata } from '../support/objects.js';

// The gateway on a failing Kubernetes API server: it stays up, answers every request with a clear
// error (never a hang or a crash), reports not-ready, and recovers by itself when the API server does.

const DASHBOARD = '{ organization(id: "acme") { quota { items { kind { name } quantity } } } }';
const SET_SERVERS = (quantity: number) =>
  `mutation { setQuota(input: { organizationId: "acme", quotas: [{ kind: "servers", quantity: ${quantity} }] }) {
     __typename ... on Error { message } } }`;
/** Short, so a test that waits for a timeout stays fast; the default is 10 s. */
const REQUEST_TIMEOUT_MS = 1_000;

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('the gateway while the Kubernetes API server fails', () => {
  let apiServer: KubeApiServer;
  let store: ObjectStore;
  let gateway: RunningServer;

  const graphql = async (query: string): Promise<Answer> => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  };
  const readiness = async () => (await fetch(`${gateway.url}/readyz`)).status;
  const liveness = async () => (await fetch(`${gateway.url}/healthz`)).status;
  const servers = async () => {
    const { body } = await graphql(DASHBOARD);
    expect(body.errors).toBeUndefined();
    const items = (body.data!.organization as { quota: { items: { kind: { name: string }; quantity: number }[] } })
      .quota.items;
    return items.find((i) => i.kind.name === 'servers')!.quantity;
  };
  const expectUnavailable = (answer: Answer) => {
    expect(answer.status).toBe(200);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toContain('UNAVAILABLE');
    expect(answer.body.errors?.map((e) => e.message)).toContain('The object store is unavailable; try again.');
  };

  beforeEach(async () => {
    apiServer = await startKubeApiServer({ namespaces: [IDENTITY_NAMESPACE, 'org-acme'] });
    store = kubernetesStoreFromConfig({ server: apiServer.url }, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await store.apply([
      quotaMetadata('servers', 20),
      organization('acme'),
      project('acme', 'web'),
      quota('acme', { servers: 30 }),
    ]);
    gateway = await startServer({
      store,
      identityNamespace: IDENTITY_NAMESPACE,
      log: silentLogger,
      host: '127.0.0.1',
      port: 0,
      readinessTimeoutMs: 2 * REQUEST_TIMEOUT_MS,
      authenticate: authenticateAsLocal,
    });
  });

  afterEach(async () => {
    apiServer.faults.reset();
    await gateway.close(1_000);
    await store.close();
    await apiServer.close();
  });

  it('answers UNAVAILABLE and is not ready during an outage, then recovers without a restart', async () => {
    expect(await servers()).toBe(30);
    expect(await readiness()).toBe(200);

    apiServer.faults.down();
    expectUnavailable(await graphql(DASHBOARD));
    expect(await readiness()).toBe(503);
    expect(await liveness()).toBe(200); // alive: restarting the pod would not help

    apiServer.faults.up();
    expect(await servers()).toBe(30);
    expect(await readiness()).toBe(200);
  });

  it('turns an API server that does not answer in time into UNAVAILABLE, not a hang', async () => {
    apiServer.faults.latencyMs = 5 * REQUEST_TIMEOUT_MS;
    expectUnavailable(await graphql(DASHBOARD));
    expect(await readiness()).toBe(503);
    apiServer.faults.latencyMs = 0;
    expect(await servers()).toBe(30);
  });

  it('answers UNAVAILABLE for 500s and dropped connections, and the next request works', async () => {
    apiServer.faults.failNext(1, 500);
    expectUnavailable(await graphql(DASHBOARD));
    expect(await servers()).toBe(30);

    apiServer.faults.dropNext(1);
    expectUnavailable(await graphql(DASHBOARD));
    expect(await servers()).toBe(30);
  });

  it('writes nothing when a mutation meets an outage', async () => {
    apiServer.faults.down();
    expectUnavailable(await graphql(SET_SERVERS(40)));
    apiServer.faults.up();
    expect(await servers()).toBe(30);
  });

  it('rides out a short conflict storm by re-deciding, and answers ConflictError after a long one', async () => {
    apiServer.faults.conflictStorm(2);
    expect((await graphql(SET_SERVERS(40))).body.data?.setQuota).toEqual({ __typename: 'SetQuotaSuccess' });
    expect(await servers()).toBe(40);

    apiServer.faults.conflictStorm(1_000);
    const refused = (await graphql(SET_SERVERS(50))).body.data?.setQuota as { __typename: string; message: string };
    expect(refused.__typename).toBe('ConflictError');
    expect(refused.message).toContain('too many concurrent changes');
    apiServer.faults.reset();
    expect(await servers()).toBe(40);
  });
});
