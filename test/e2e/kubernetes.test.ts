import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifests.js';
import { type KubeApiServer, startKubeApiServer } from '../support/kubeApiServer.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { IDENTITY_NAMESPACE } from '../support/objects.js';
import { namespacesOf } from '../support/stores.js';
import {
  defaultTestKey,
  type JwksServer,
  startJwksServer,
  TEST_AUDIENCE,
  TEST_ISSUER,
  tokenFor,
} from '../support/tokens.js';
import { cleanup, dataOf, lines, makeTempDir, postGraphQL, REPO_ROOT, runCli, startServe } from './support.js';

// The real CLI with `--store kubernetes`, finding its API server through a kubeconfig file the way
// kubectl does, against the Kubernetes-API-compatible test server.

const UNIKORN = join(REPO_ROOT, 'test/fixtures/unikorn');
const ACME = 'c3f8a2d1-6b4e-4f9a-b7c2-5e8d1a0f3b96';

describe('quotagraph on a Kubernetes API server', () => {
  let apiServer: KubeApiServer;
  let env: Record<string, string>;
  let jwks: JwksServer;

  beforeAll(async () => {
    apiServer = await startKubeApiServer();
    jwks = await startJwksServer([await defaultTestKey()]);
    const objects = await loadManifests([UNIKORN], { defaultNamespace: IDENTITY_NAMESPACE });
    for (const namespace of namespacesOf(objects)) apiServer.createNamespace(namespace);
    env = {
      KUBECONFIG: writeKubeconfig(makeTempDir(), apiServer.url, {
        contexts: ['test', 'elsewhere'],
        current: 'elsewhere',
      }),
    };
  });
  afterEach(() => apiServer.faults.reset());
  afterAll(async () => {
    await cleanup();
    await apiServer.close();
    await jwks.close();
  });

  it('applies a unikorn installation, serves it, changes a quota, and follows the API server’s health', async () => {
    const applied = await runCli(['apply', '-f', UNIKORN, '--store', 'kubernetes', '--kube-context', 'test'], { env });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(lines(applied.stdout)).toHaveLength(17);
    expect(lines(applied.stdout).every((line) => line.endsWith(' created'))).toBe(true);

    // A Kubernetes store means bearer tokens by default; the keys come from the issuer's JWKS.
    const cli = await startServe({
      store: 'kubernetes',
      seed: 'none',
      args: ['--kube-context', 'test'],
      env: {
        ...env,
        QUOTAGRAPH_JWKS_URL: `${jwks.url}`,
        QUOTAGRAPH_JWT_ISSUER: TEST_ISSUER,
        QUOTAGRAPH_JWT_AUDIENCE: TEST_AUDIENCE,
      },
    });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const operator = bearer(await tokenFor({ subject: 'ops', roles: ['platform-admin'] }));
    const viewer = bearer(await tokenFor({ subject: 'vera', organizations: { [ACME]: 'viewer' } }));

    const anonymous = await postGraphQL(cli.url, '{ quotaKinds { name } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const read = async () =>
      dataOf<{
        organization: { name: string; quota: { items: { kind: { name: string }; quantity: number; used: number }[] } };
      }>(
        await postGraphQL(
          cli.url,
          `{ organization(id: "${ACME}") { name quota { items { kind { name } quantity used } } } }`,
          {},
          viewer,
        ),
      ).organization;
    const acme = await read();
    expect(acme.name).toBe('acme-corp');
    expect(acme.quota.items.map((i) => [i.kind.name, i.quantity, i.used])).toEqual([
      ['clusters', 10, 3],
      ['gpus', 16, 12],
      ['servers', 50, 24],
    ]);

    const changed = dataOf<{ setQuota: { __typename: string } }>(
      await postGraphQL(
        cli.url,
        `mutation { setQuota(input: { organizationId: "${ACME}", quotas: [{ kind: "gpus", quantity: "20" }] }) { __typename } }`,
        {},
        operator,
      ),
    );
    expect(changed.setQuota.__typename).toBe('SetQuotaSuccess');
    expect((await read()).quota.items.find((i) => i.kind.name === 'gpus')!.quantity).toBe(20);
    const refused = await postGraphQL(
      cli.url,
      `mutation { setQuota(input: { organizationId: "${ACME}", quotas: [{ kind: "gpus", quantity: "1" }] }) { __typename } }`,
      {},
      viewer,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await read()).quota.items.find((i) => i.kind.name === 'gpus')!.quantity).toBe(20);

    expect((await fetch(`${cli.origin}/readyz`)).status).toBe(200);
    apiServer.faults.down();
    expect((await fetch(`${cli.origin}/readyz`)).status).toBe(503);
    apiServer.faults.up();
    expect((await fetch(`${cli.origin}/readyz`)).status).toBe(200);

    expect(await cli.stop()).toEqual({ code: 0, signal: null });
  });

  it('refuses an unknown --kube-context with one line naming it', async () => {
    const result = await runCli(['serve', '--store', 'kubernetes', '--auth', 'none', '--kube-context', 'nowhere'], {
      env,
    });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^quotagraph: .*"nowhere"/);
  });
});
