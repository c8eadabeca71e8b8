import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, type GraphQLFormattedError, print } from 'graphql';
import { expect } from 'vitest';
import { type Authenticate, authenticateAsLocal } from '../../src/auth/plugin.js';
import type { Limits } from '../../src/limits/index.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { createGateway } from '../../src/server.js';
import type { StoredObject } from '../../src/store/types.js';
import { countingStore } from './countingStore.js';
import { IDENTITY_NAMESPACE } from './objects.js';
import type { TestStore } from './stores.js';

export type Result<T> = ExecutionResult<T> & { errors?: GraphQLFormattedError[] };

export interface TestGateway {
  store: ReturnType<typeof countingStore>;
  /** `headers` add to (and override) the JSON defaults, e.g. an Authorization header. */
  execute<R, V>(document: TypedDocumentNode<R, V>, variables?: V, headers?: Record<string, string>): Promise<Result<R>>;
  /** Raw HTTP access, for status codes and headers. */
  fetch(body: unknown, init?: RequestInit): Promise<Response>;
}

export interface TestGatewayOptions {
  /** Default: every request is the local platform admin (`--auth none`). */
  authenticate?: Authenticate;
  limits?: Limits;
}

/** A gateway over a real store seeded with `objects`, driven through yoga.fetch (no sockets). */
export async function createTestGateway(
  testStore: TestStore,
  objects: StoredObject[],
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  if (objects.length > 0) await testStore.seed(objects);
  const store = countingStore(testStore.store);
  // QUOTAGRAPH_TEST_LOG=1 shows the gateway's log (masked errors in full) while debugging a test.
  const log = process.env.QUOTAGRAPH_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger;
  const yoga = createGateway({
    store,
    identityNamespace: IDENTITY_NAMESPACE,
    log,
    authenticate: options.authenticate ?? authenticateAsLocal,
    limits: options.limits,
  });
  const fetch = async (body: unknown, init: RequestInit = {}) =>
    yoga.fetch('http://quotagraph.test/graphql', {
      method: 'POST',
      body: JSON.stringify(body),
      ...init,
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  return {
    store,
    fetch,
    async execute(document, variables, headers) {
      const response = await fetch({ query: print(document), variables }, { headers });
      return (await response.json()) as Result<never>;
    },
  };
}

/** The data of a result that must have no errors (and shows them when it does). */
export function expectNoGraphQLErrors<T>(result: Result<T>): T {
  expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
  expect(result.data).toBeTruthy();
  return result.data as T;
}

/** The errors of a result that must have some. */
export function expectGraphQLErrors<T>(result: Result<T>): GraphQLFormattedError[] {
  expect(result.errors?.length ?? 0, 'expected GraphQL errors').toBeGreaterThan(0);
  return result.errors!;
}
