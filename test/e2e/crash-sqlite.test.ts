/**
 * The crash test of crash.test.ts on the embedded store: a gateway killed (SIGKILL) between its
 * pending write and its commit, with several processes' worth of state in one SQLite file.
 *
 * The kill lands inside the commit without any hook in the gateway: a trigger, added to the
 * database file by the test, makes the Quota's compare-and-swap (an UPDATE of the Quota row) burn
 * several seconds of CPU inside SQLite. The gateway is then provably past its pending write (the
 * row is visible) and inside an uncommitted transaction when it is killed, so SQLite rolls that
 * transaction back: exactly the state a crash at that point leaves.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LABEL_ADMISSION } from '../../src/domain/labels.js';
import { type AllocationRecord, readAllocation } from '../../src/domain/model.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { StoredObject } from '../../src/store/types.js';
import { allocation, organization, orgNamespace, project, quota, quotaMetadata } from '../support/objects.js';
import { cleanup, dataOf, makeTempDir, postGraphQL, startServe } from './support.js';

/** About 5 s of work for SQLite on this machine: far longer than the test needs to see the pending row. */
const SLOW_QUOTA_COMMIT = `
  CREATE TRIGGER slow_quota_commit BEFORE UPDATE ON objects WHEN OLD.kind = 'Quota'
  BEGIN
    SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT x FROM c);
  END`;

describe('a gateway on the SQLite store killed between its pending write and its commit', () => {
  afterEach(cleanup);

  it('leaves the allocation pending; after a restart the janitor admits what fits and rolls back what does not', {
    timeout: 90_000,
  }, async () => {
    const db = join(makeTempDir(), 'quotagraph.db');
    const seeded = openSqliteStore(db);
    const objects: StoredObject[] = [
      quotaMetadata('servers', 100),
      ...['fits', 'shrunk'].flatMap((org) => [organization(org), quota(org, { servers: 5 }), project(org, 'web')]),
      allocation('fits', 'web', 'existing', { servers: { committed: 1, reserved: 0 } }),
    ];
    await seeded.apply(objects);
    const pendingOf = async (org: string): Promise<AllocationRecord[]> =>
      (await seeded.list('Allocation', { labelSelector: LABEL_ADMISSION })).items
        .map(readAllocation)
        .filter((a) => a.organizationId === org);

    const sqlite = new Database(db);
    sqlite.exec(SLOW_QUOTA_COMMIT);

    // 1. Two gateways die inside their commit: one create that fits, one that will not.
    for (const [org, servers] of [
      ['fits', 2],
      ['shrunk', 3],
    ] as const) {
      const cli = await startServe({ db, seed: 'none' });
      const answer = postGraphQL(
        cli.url,
        `mutation { createAllocation(input: { organizationId: "${org}", projectId: "web", resourceKind: "server",
          resourceId: "vm-${org}", items: [{ kind: "servers", committed: ${servers}, reserved: 0 }] }) { __typename } }`,
      ).then(
        () => 'answered',
        () => 'no answer',
      );
      await expect.poll(async () => (await pendingOf(org)).length, { timeout: 10_000, interval: 20 }).toBe(1);
      // Reading the Quota and listing take milliseconds; the commit then takes seconds.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await cli.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await answer).toBe('no answer');
    }
    sqlite.exec('DROP TRIGGER slow_quota_commit');
    sqlite.close();

    // 2. What they left: each create written and marked pending; the killed commits never landed.
    const [fits] = await pendingOf('fits');
    const [shrunk] = await pendingOf('shrunk');
    expect(fits).toMatchObject({ pending: true, items: [{ kind: 'servers', committed: '2', reserved: '0' }] });
    expect(shrunk).toMatchObject({ pending: true });
    const quotaOf = (org: string) => seeded.get('Quota', orgNamespace(org), 'quota');
    expect((await quotaOf('fits')).metadata.annotations?.['quotagraph.dev/fence']).toBeUndefined();

    // 3. An operator lowers one quota meanwhile: 3 servers no longer fit in "shrunk".
    const lowered = await quotaOf('shrunk');
    await seeded.update({ ...lowered, spec: { quotas: [{ kind: 'servers', quantity: 2 }] } });

    // 4. A restart with a short TTL: the janitor re-decides both.
    const cli = await startServe({ db, seed: 'none', args: ['--pending-ttl', '1', '--janitor-interval', '1'] });
    const round = await cli.waitForLog('janitor round', 20_000);
    expect(round).toMatchObject({ admitted: 1, rolledBack: 1, left: 0 });
    expect(await pendingOf('fits')).toEqual([]);
    expect(await pendingOf('shrunk')).toEqual([]);
    const admitted = readAllocation(await seeded.get('Allocation', fits!.namespace, fits!.id));
    expect(admitted).toMatchObject({ pending: false, items: [{ kind: 'servers', committed: '2', reserved: '0' }] });
    expect((await seeded.list('Allocation', { namespace: shrunk!.namespace })).items).toEqual([]);

    const usage = dataOf<{ organization: { quota: { items: { used: number; pending: number }[] } } }>(
      await postGraphQL(cli.url, '{ organization(id: "fits") { quota { items { used pending } } } }'),
    );
    expect(usage.organization.quota.items).toEqual([{ used: 3, pending: 0 }]);
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
    await seeded.close();
  });
});
