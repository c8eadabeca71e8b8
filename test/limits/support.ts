import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLFormattedError } from 'graphql';
import { authenticateAsLocal } from '../../src/auth/plugin.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits/index.js';
import { silentLogger } from '../../src/log.js';
import { DEMO_DIR, loadManifests } from '../../src/manifests.js';
import { createGateway } from '../../src/server.js';
import { countingStore } from '../support/countingStore.js';
import { IDENTITY_NAMESPACE } from '../support/objects.js';
import { storeFactories } from '../support/stores.js';

export const ENDPOINT = 'http://quotagraph.test/graphql';

export interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
}

export interface LimitsHarness {
  yoga: ReturnType<typeof createLimitedYoga>;
  /** Counts every store call; reset before each test. */
  store: ReturnType<typeof countingStore>;
  /** A JSON POST of `{ query, variables, operationName }`. */
  query(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Answer>;
  /** Any request through yoga.fetch; a JSON POST unless `init` says otherwise. */
  request(init: RequestInit & { url?: string }): Promise<Answer>;
  /** The same yoga on node:http (127.0.0.1, an ephemeral port), started on first use. */
  listen(): Promise<{ host: string; port: number }>;
  cleanup(): Promise<void>;
}

/** The gateway itself (authentication off, as with `--auth none`), with these limits. */
function createLimitedYoga(store: ReturnType<typeof countingStore>, limits: Limits) {
  return createGateway({
    store,
    identityNamespace: IDENTITY_NAMESPACE,
    log: silentLogger,
    authenticate: authenticateAsLocal,
    limits,
  });
}

/** The gateway on a SQLite store seeded with the bundled demo. */
export async function limitsHarness(limits: Limits = DEFAULT_LIMITS): Promise<LimitsHarness> {
  const testStore = await storeFactories.sqlite!();
  await testStore.seed(await loadManifests([DEMO_DIR], { defaultNamespace: IDENTITY_NAMESPACE }));
  const store = countingStore(testStore.store);
  const yoga = createLimitedYoga(store, limits);
  let server: Server | undefined;

  const request = async ({ url = ENDPOINT, ...init }: RequestInit & { url?: string }): Promise<Answer> => {
    const response = await yoga.fetch(url, {
      method: 'POST',
      ...init,
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
  };

  return {
    yoga,
    store,
    request,
    query: (query, variables, operationName) => request({ body: JSON.stringify({ query, variables, operationName }) }),
    async listen() {
      if (!server) {
        const started = createServer((req, res) => yoga(req, res));
        await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
        server = started;
      }
      const { port } = server.address() as AddressInfo;
      return { host: '127.0.0.1', port };
    },
    async cleanup() {
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
      await testStore.cleanup();
    },
  };
}

/** The one error of a refused request. */
export function onlyError(answer: Answer): GraphQLFormattedError {
  if (answer.body.errors?.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(answer.body)}`);
  return answer.body.errors[0]!;
}
