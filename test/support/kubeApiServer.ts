/**
 * An in-process stand-in for a Kubernetes API server, serving the identity.unikorn-cloud.org
 * custom resources and core namespaces over real HTTP, for the tests of the Kubernetes adapter.
 *
 * It aims to be honest: every behaviour follows the apiserver (v1.31) as documented in the API
 * concepts and conventions and as its code does it (registry.Store, the CRD strategy, etcd3 store,
 * the watch cache), including its error Status bodies. The pieces live in ./kubeApi/:
 * storage (revisions, history), objects and namespaces (the registries), list, watch,
 * selectors, validation, status (errors), discovery, faults and router.
 *
 * Known gaps, on purpose: no OpenAPI schema (so no pruning or schema validation of spec/status),
 * no managedFields, no PATCH, no deletecollection, no dryRun (refused with 400), JSON only,
 * namespace deletion removes the content at once, and a too-large resourceVersion is refused
 * at once instead of after the apiserver's 3 s wait.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultPlan, type Faults } from './kubeApi/faults.js';
import { NamespaceRegistry } from './kubeApi/namespaces.js';
import { CustomResourceRegistry } from './kubeApi/objects.js';
import { type RouterContext, serve } from './kubeApi/router.js';
import { ApiError, failureForCode } from './kubeApi/status.js';
import { Storage } from './kubeApi/storage.js';
import { CUSTOM_RESOURCES } from './kubeApi/types.js';
import type { WatchStream } from './kubeApi/watch.js';

export type { Faults } from './kubeApi/faults.js';
export { CUSTOM_RESOURCES, GROUP, GROUP_VERSION } from './kubeApi/types.js';

export interface LoggedRequest {
  method: string;
  path: string;
  /** The raw query string, without '?'. */
  query: string;
}

export interface KubeApiServer {
  /** http://127.0.0.1:PORT */
  url: string;
  faults: Faults;
  /** Creates the namespace unless it exists (also possible with POST /api/v1/namespaces). */
  createNamespace(name: string): void;
  /** Drops all history: lists and watches at older resourceVersions now answer 410 Expired. */
  compact(): void;
  /** Every request received, in order; clear it with `clearRequests()` (or `requests.length = 0`). */
  requests: LoggedRequest[];
  clearRequests(): void;
  /** The latest resourceVersion handed out. */
  currentResourceVersion(): string;
  /** Stops the server; open watch streams are ended first. */
  close(): Promise<void>;
}

export interface KubeApiServerOptions {
  /** Namespaces that exist from the start. */
  namespaces?: string[];
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms; the apiserver's is ~1 min). */
  bookmarkIntervalMs?: number;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const storage = new Storage();
  const watches = new Set<WatchStream>();
  const customResources = new CustomResourceRegistry(storage, (namespace) => namespaces.exists(namespace));
  const namespaces = new NamespaceRegistry(storage, (namespace) =>
    customResources.removeNamespaceContents(namespace, CUSTOM_RESOURCES),
  );
  // An outage cuts open watch connections, as a crashed or unreachable apiserver does.
  const faults = new FaultPlan(() => {
    for (const watch of [...watches]) watch.destroy();
  });
  const requests: LoggedRequest[] = [];
  for (const namespace of options.namespaces ?? []) namespaces.ensure(namespace);

  const context: RouterContext = {
    storage,
    customResources,
    namespaces,
    serverAddress: '',
    watchSettings: { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000 },
    watches,
    takeConflict: () => faults.takeConflict(),
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      // Only a broken connection gets here; there is nobody left to answer.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, query: url.search.slice(1) });
    const body = await readBody(request);
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    const decision = faults.next();
    if (decision.type === 'drop') {
      request.socket.destroy();
      return;
    }
    if (decision.type === 'fail') {
      sendError(response, decision.error);
      return;
    }
    try {
      const answer = serve(
        context,
        { method, path: url.pathname, query: url.searchParams, contentType: request.headers['content-type'], body },
        response,
      );
      if (answer !== undefined) sendJson(response, answer.code, answer.body);
    } catch (error) {
      sendError(
        response,
        error instanceof ApiError ? error : failureForCode(500, `Internal error occurred: ${String(error)}`),
      );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  context.serverAddress = `127.0.0.1:${port}`;

  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    requests,
    createNamespace: (name) => namespaces.ensure(name),
    compact: () => storage.compact(),
    clearRequests: () => {
      requests.length = 0;
    },
    currentResourceVersion: () => String(storage.revision),
    close: async () => {
      for (const watch of [...watches]) watch.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status.code, error.status, error.headers);
}
