import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { type Authenticate, principalOf, useAuthentication } from './auth/plugin.js';
import { type Context, createContext } from './context.js';
import { Admission } from './domain/admission.js';
import { type AllocationWrites, protocolWrites } from './domain/allocationWrites.js';
import { createGraphiQLPage, type GraphiQLPage } from './graphiql.js';
import { DEFAULT_LIMITS, type Limits, limitPlugins } from './limits/index.js';
import { describeError, type Logger, requestScope } from './log.js';
import { schema } from './schema/index.js';
import { isStoreError, type ObjectStore } from './store/types.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayOptions {
  store: ObjectStore;
  identityNamespace: string;
  log: Logger;
  /** The process's admission protocol; one is made when not given (tests pass one with hooks). */
  admission?: Admission;
  /** Default: the protocol. The naive algorithm is for the stress benchmark only. */
  allocationWrites?: AllocationWrites;
  /** How long /readyz waits for the store before answering 503. */
  readinessTimeoutMs?: number;
  /** Every request's principal, from its Authorization header (`--auth`). */
  authenticate: Authenticate;
  /** Query and request size limits; the defaults when not given. */
  limits?: Limits;
}

export type Gateway = YogaServerInstance<Record<string, unknown>, Context>;

/** The GraphQL handler alone (no sockets): what integration tests drive through `yoga.fetch`. */
export function createGateway(options: GatewayOptions): Gateway {
  const { log } = options;
  const deps = {
    ...options,
    admission: options.admission ?? new Admission(options.store, options.identityNamespace),
    allocationWrites: options.allocationWrites ?? protocolWrites,
  };
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // GraphiQL is served by the HTTP layer, precompressed; yoga's own would load from a CDN.
    graphiql: false,
    landingPage: false,
    batching: false,
    logging: {
      debug: (...args) => log.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args) => log.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args) => log.warn(String(args[0]), { args: args.slice(1) }),
      error: (...args) => log.error(String(args[0]), { args: args.slice(1) }),
    },
    // Authentication first: a caller without a valid token gets 401 before anything is parsed.
    plugins: [useAuthentication(options.authenticate, log), ...limitPlugins(options.limits ?? DEFAULT_LIMITS)],
    context: (initial) => createContext(deps, requestScope.getStore()?.requestId ?? randomUUID(), principalOf(initial)),
    maskedErrors: {
      maskError: (error) => maskError(error, log),
    },
  });
}

/**
 * Only GraphQL errors we raised on purpose (bad input) reach clients as they are. Anything else is
 * logged in full with the request id and answered with a generic message carrying that id; a
 * store that cannot be reached is answered as UNAVAILABLE so clients know to retry.
 */
function maskError(error: unknown, log: Logger): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (error instanceof GraphQLError && (original === error || original instanceof GraphQLError)) {
    return isVariableCoercionError(error) ? asBadUserInput(error) : error;
  }
  const requestId = requestScope.getStore()?.requestId;
  const path = error instanceof GraphQLError ? error.path : undefined;
  if (isStoreError(original, 'Unavailable')) {
    log.warn('store unavailable', { path, ...describeError(original) });
    return new GraphQLError('The object store is unavailable; try again.', {
      path,
      extensions: { code: 'UNAVAILABLE', requestId },
    });
  }
  log.error('unexpected error', { path, ...describeError(original) });
  return new GraphQLError('Unexpected error.', { path, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } });
}

/**
 * graphql-js reports a variable of the wrong type, a missing required field or an unknown one
 * ("Variable "$input" got invalid value …") without a code; DESIGN §7 makes malformed input
 * BAD_USER_INPUT, so clients can tell it from every other failure by the code alone.
 */
function isVariableCoercionError(error: GraphQLError): boolean {
  return error.extensions.code === undefined && error.path === undefined && error.message.startsWith('Variable "$');
}

function asBadUserInput(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

export interface RunningServer {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

/** The gateway on node:http, with /healthz, /readyz and the self-contained GraphiQL. */
export async function startServer(options: GatewayOptions & { host: string; port: number }): Promise<RunningServer> {
  const { log, store } = options;
  const yoga = createGateway(options);
  const graphiql = createGraphiQLPage(GRAPHQL_PATH);
  let shuttingDown = false;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = shuttingDown ? 'shutting down' : await checkStore(store, options.readinessTimeoutMs ?? 2000);
      return ready === null
        ? sendJson(res, 200, { status: 'ready' })
        : sendJson(res, 503, { status: 'not ready', reason: ready });
    }
    if (
      path === GRAPHQL_PATH &&
      req.method === 'GET' &&
      wantsHtml(req) &&
      !new URL(req.url ?? '/', 'http://x').searchParams.has('query')
    ) {
      return sendGraphiQL(req, res, graphiql);
    }
    return yoga(req, res);
  };

  const server = createServer((req, res) => {
    // A caller's id is kept for tracing across services, but only if it is short and plain.
    const offered = headerValue(req, 'x-request-id');
    const requestId = offered && /^[\w.-]{1,128}$/.test(offered) ? offered : randomUUID();
    res.setHeader('x-request-id', requestId);
    requestScope.run({ requestId }, () => {
      handle(req, res).catch((error) => {
        log.error('request failed', describeError(error));
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error', requestId });
        else res.destroy();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    server,
    url,
    async close(graceMs = 10_000) {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

async function checkStore(store: ObjectStore, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`store did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([store.ping().then(() => null), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

async function sendGraphiQL(req: IncomingMessage, res: ServerResponse, page: GraphiQLPage) {
  const accepted = headerValue(req, 'accept-encoding') ?? '';
  const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
  const body = encoding ? await page.encoded(encoding) : page.html;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    vary: 'accept-encoding',
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
  res.end(body);
}

function wantsHtml(req: IncomingMessage): boolean {
  return (headerValue(req, 'accept') ?? '').includes('text/html');
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
