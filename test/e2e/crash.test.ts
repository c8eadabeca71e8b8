/**
 * A gateway killed (SIGKILL) between its pending write (step 1 of the admission protocol) and its
 * commit leaves a pending allocation behind; after a restart, the janitor re-decides it once its
 * TTL has passed: admitted when it fits, rolled back when it does not (DESIGN §5).
 *
 * The kill lands at that exact point without any hook in the gateway: it runs on
 * `--store kubernetes` against the in-process test API server, which sees every request. The
 * moment the gateway reads the Quota right after writing an allocation (step 2), the API server is
 * made to hang (latency), so the gateway is stuck there — pending written, nothing decided — and
 * is killed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION_PENDING_SINCE, ANNOTATION_PREVIOUS_SPEC, LABEL_ADMISSION } from '../../src/domain/labels.js';
import { type AllocationRecord, readAllocation } from '../../src/domain/model.js';
import { kubernetesStoreFromConfig } from '../../src/store/kubernetes.js';
import { isStoreError, type ObjectStore, type StoredObject } from '../../src/store/types.js';
import { type KubeApiServer, type LoggedRequest, startKubeApiServer } from '../support/kubeApiServer.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import {
  allocation,
  organization,
  orgNamespace,
  project,
  projectNamespace,
  quota,
  quotaMetadata,
} from '../support/objects.js';
import { namespacesOf } from '../support/stores.js';
import { cleanup, dataOf, makeTempDir, postGraphQL, type RunningCli, startServe } from './support.js';

const FITS = 'fits';
const SHRUNK = 'shrunk';
const UPDATED = 'updated';
/** Longer than anything the test waits for while the gateway is stuck. */
const HANG_MS = 20_000;

const isAllocationWrite = (r: LoggedRequest) =>
  (r.method === 'POST' || r.method === 'PUT') && /\/allocations(\/[^/]+)?$/.test(r.path);
const isQuotaRead = (r: LoggedRequest) => r.method === 'GET' && /\/quotas(\/[^/]+)?$/.test(r.path);

describe('a gateway killed between its pending write and its commit', () => {
  let apiServer: KubeApiServer;
  let store: ObjectStore;
  let env: Record<string, string>;
  /** Set while a kill is armed: the first Quota read after an allocation write hangs. */
  let armed: { writeSeen: boolean; hung: boolean } | null = null;

  beforeAll(async () => {
    apiServer = await startKubeApiServer();
    const objects: StoredObject[] = [
      quotaMetadata('servers', 100),
      ...[FITS, SHRUNK, UPDATED].flatMap((org) => [organization(org), quota(org, { servers: 5 }), project(org, 'web')]),
      // An admitted allocation that the third gateway will try to grow.
      allocation(UPDATED, 'web', 'grow-me', { servers: { committed: 1, reserved: 0 } }),
    ];
    for (const namespace of namespacesOf(objects)) apiServer.createNamespace(namespace);
    store = kubernetesStoreFromConfig({ server: apiServer.url }, { requestTimeoutMs: 5_000 });
    await store.apply(objects);
    env = { KUBECONFIG: writeKubeconfig(makeTempDir(), apiServer.url) };

    // The API server logs each request as it arrives, before it applies its latency: setting the
    // latency right there makes that very request hang, deterministically.
    const log = apiServer.requests;
    const push = log.push.bind(log);
    log.push = (...requests: LoggedRequest[]) => {
      for (const request of requests) {
        if (!armed || armed.hung) continue;
        if (isAllocationWrite(request)) armed.writeSeen = true;
        else if (armed.writeSeen && isQuotaRead(request)) {
          apiServer.faults.latencyMs = HANG_MS;
          armed.hung = true;
        }
      }
      return push(...requests);
    };
  });
  afterEach(() => {
    armed = null;
    apiServer.faults.reset();
  });
  afterAll(async () => {
    await cleanup();
    await store.close();
    await apiServer.close();
  });

  /** Starts a gateway, sends `mutation`, and kills the gateway once it is stuck reading the Quota. */
  async function killMidDecision(mutation: string): Promise<void> {
    const cli = await startServe({ store: 'kubernetes', seed: 'none', env, args: ['--auth', 'none'] });
    apiServer.clearRequests();
    armed = { writeSeen: false, hung: false };
    const answer = postGraphQL(cli.url, mutation).then(
      () => 'answered',
      () => 'no answer',
    );
    await expect.poll(() => armed?.hung, { timeout: 10_000 }).toBe(true);
    // The Quota read arrived (and hangs), and nothing was written after the pending write.
    const requests = [...apiServer.requests];
    const write = requests.findIndex(isAllocationWrite);
    expect(requests.filter(isAllocationWrite)).toHaveLength(1);
    expect(requests.slice(write + 1).some(isQuotaRead)).toBe(true);
    expect(requests.slice(write + 1).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await cli.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await answer).toBe('no answer');
    apiServer.faults.reset();
  }

  async function find(org: string, name: string): Promise<AllocationRecord | null> {
    try {
      return readAllocation(await store.get('Allocation', projectNamespace(org, 'web'), name));
    } catch (error) {
      if (isStoreError(error, 'NotFound')) return null;
      throw error;
    }
  }

  const pendingOf = async (org: string) =>
    (await store.list('Allocation', { labelSelector: `${LABEL_ADMISSION}` })).items
      .map(readAllocation)
      .filter((a) => a.organizationId === org);

  const create = (org: string, resourceId: string, servers: number) =>
    `mutation { createAllocation(input: { organizationId: "${org}", projectId: "web", resourceKind: "server",
      resourceId: "${resourceId}", items: [{ kind: "servers", committed: ${servers}, reserved: 0 }] }) { __typename } }`;

  it('leaves it pending; after a restart the janitor admits what fits and rolls back what does not', {
    timeout: 90_000,
  }, async () => {
    // 1. Three gateways die mid-decision: two creates, and an update from 1 to 4 servers (of 5).
    await killMidDecision(create(FITS, 'vm-1', 2));
    await killMidDecision(create(SHRUNK, 'vm-2', 3));
    await killMidDecision(
      `mutation { updateAllocation(input: { organizationId: "${UPDATED}", projectId: "web", id: "grow-me",
        items: [{ kind: "servers", committed: 4, reserved: 0 }] }) { __typename } }`,
    );

    // 2. What they left: each change written, marked pending, undecided.
    const [fits] = await pendingOf(FITS);
    const [shrunk] = await pendingOf(SHRUNK);
    const [updated] = await pendingOf(UPDATED);
    for (const left of [fits, shrunk, updated]) {
      expect(left).toMatchObject({ pending: true });
      expect(Date.parse(left!.pendingSince!)).toBeLessThanOrEqual(Date.now());
    }
    expect(updated!.items).toEqual([{ kind: 'servers', committed: '4', reserved: '0' }]);
    // The spec it replaces, as it was stored (the seed wrote plain numbers).
    expect(updated!.previousItems).toEqual([{ kind: 'servers', committed: 1, reserved: 0 }]);

    // 3. Meanwhile an operator lowers two quotas directly in the store (not through a gateway):
    //    3 servers no longer fit in SHRUNK, 4 no longer in UPDATED.
    for (const org of [SHRUNK, UPDATED]) {
      const current = await store.get('Quota', orgNamespace(org), 'quota');
      await store.update({ ...current, spec: { quotas: [{ kind: 'servers', quantity: 2 }] } });
    }

    // 4. A restart with a short TTL: the janitor re-decides all three.
    const cli: RunningCli = await startServe({
      store: 'kubernetes',
      seed: 'none',
      env,
      args: ['--auth', 'none', '--pending-ttl', '1', '--janitor-interval', '1'],
    });
    const round = await cli.waitForLog('janitor round', 20_000);
    expect(round).toMatchObject({ level: 'info', admitted: 1, rolledBack: 2, left: 0 });

    // Admitted: the marks are gone, the items stay.
    const admitted = await store.get('Allocation', fits!.namespace, fits!.id);
    expect(admitted.metadata.labels?.[LABEL_ADMISSION]).toBeUndefined();
    expect(admitted.metadata.annotations?.[ANNOTATION_PENDING_SINCE]).toBeUndefined();
    expect(readAllocation(admitted).items).toEqual([{ kind: 'servers', committed: '2', reserved: '0' }]);
    // A refused create: deleted.
    expect(await find(SHRUNK, shrunk!.id)).toBeNull();
    // A refused update: the previous spec is back, unmarked.
    const restored = await store.get('Allocation', projectNamespace(UPDATED, 'web'), 'grow-me');
    expect(restored.metadata.labels?.[LABEL_ADMISSION]).toBeUndefined();
    expect(restored.metadata.annotations?.[ANNOTATION_PREVIOUS_SPEC]).toBeUndefined();
    expect(readAllocation(restored).items).toEqual([{ kind: 'servers', committed: 1, reserved: 0 }]);

    // The gateway shows the outcome: nothing pending, usage as decided.
    const usage = dataOf<{ organization: { quota: { items: { used: number; pending: number }[] } } }>(
      await postGraphQL(cli.url, `{ organization(id: "${FITS}") { quota { items { used pending } } } }`),
    );
    expect(usage.organization.quota.items).toEqual([{ used: 2, pending: 0 }]);

    expect(await cli.stop()).toEqual({ code: 0, signal: null });
  });
});
