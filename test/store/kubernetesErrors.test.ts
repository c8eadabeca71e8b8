/**
 * Unit tests of the kubernetes adapter's own logic: error mapping, selector chunking, config
 * loading, the request timeout, and the HTTP conversations the contract suite cannot provoke
 * (chunked and paged lists, the status subresource, watch reconnects) against tiny node:http fakes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineExceeded, statusToStoreError, toStoreError } from '../../src/store/kubernetes/errors.js';
import { chunkSelector, encodedLength } from '../../src/store/kubernetes/selector.js';
import { kubernetesStoreFromConfig, openKubernetesStore } from '../../src/store/kubernetes.js';
import { parseLabelSelector } from '../../src/store/labelSelector.js';
import { API_VERSION, type StoredObject, StoreError, type StoreErrorReason } from '../../src/store/types.js';

const WHAT = 'update Quota org-acme/quota';
const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
/** What CustomObjectsApi throws: ApiException with the HTTP code and the raw response text. */
const apiException = (code: number, body: string | undefined) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body, headers: {} });
const systemError = (code: string, message: string) =>
  Object.assign(new Error(message), { name: 'FetchError', type: 'system', code, errno: code });

describe('error mapping', () => {
  const cases: [string, unknown, StoreErrorReason, string][] = [
    [
      '404',
      apiException(404, status(404, 'NotFound', 'quotas "quota" not found')),
      'NotFound',
      'quotas "quota" not found',
    ],
    [
      '409 AlreadyExists',
      apiException(409, status(409, 'AlreadyExists', 'already exists')),
      'AlreadyExists',
      'already exists',
    ],
    [
      '409 Conflict',
      apiException(409, status(409, 'Conflict', 'the object has been modified')),
      'Conflict',
      `${WHAT}: Conflict: the object has been modified`,
    ],
    ['409 without a reason', apiException(409, '{}'), 'Conflict', 'Conflict'],
    [
      '410',
      apiException(410, status(410, 'Expired', 'too old resource version')),
      'Expired',
      'too old resource version',
    ],
    [
      '422',
      apiException(422, status(422, 'Invalid', 'spec.quotas: Required value')),
      'Invalid',
      'spec.quotas: Required value',
    ],
    ['400', apiException(400, status(400, 'BadRequest', 'unable to parse requirement')), 'Invalid', 'unable to parse'],
    ['401 (no body)', apiException(401, undefined), 'Unavailable', "refused the gateway's credentials: Unauthorized"],
    ['403', apiException(403, status(403, 'Forbidden', 'cannot update quotas')), 'Unavailable', 'credentials'],
    ['429', apiException(429, status(429, 'TooManyRequests', 'slow down')), 'Unavailable', 'throttling'],
    ['500', apiException(500, status(500, 'InternalError', 'etcd is down')), 'Unavailable', 'etcd is down'],
    ['503 with an HTML body', apiException(503, '<html>bad gateway</html>'), 'Unavailable', '<html>bad gateway'],
    ['refused watch (statusCode)', Object.assign(new Error('Gone'), { statusCode: 410 }), 'Expired', 'Gone'],
    ['ECONNREFUSED', systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'Unavailable', 'connection'],
    ['ECONNRESET', systemError('ECONNRESET', 'read ECONNRESET'), 'Unavailable', 'read ECONNRESET'],
    [
      'socket hang up',
      new Error('socket hang up'),
      'Unavailable',
      'the connection to the API server failed: socket hang up',
    ],
    ['cut stream', systemError('ERR_STREAM_PREMATURE_CLOSE', 'Premature close'), 'Unavailable', 'Premature close'],
    ['timeout', new DeadlineExceeded(250), 'Unavailable', 'did not answer within 250 ms'],
    ['anything else', new TypeError('boom'), 'Unavailable', 'boom'],
  ];

  it.each(cases)('maps %s', (_, error, reason, message) => {
    const mapped = toStoreError(error, WHAT);
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped.reason).toBe(reason);
    expect(mapped.message.startsWith(`${WHAT}: `)).toBe(true);
    expect(mapped.message).toContain(message);
    expect(mapped.cause).toBe(error);
  });

  it('treats a 404 on a collection as the resource type missing (Unavailable), not a missing object', () => {
    const error = toStoreError(
      apiException(404, status(404, 'NotFound', 'the server could not find it')),
      'list Quota',
      {
        collection: true,
      },
    );
    expect(error.reason).toBe('Unavailable');
    expect(error.message).toContain('CRDs installed');
  });

  it('passes a StoreError through unchanged', () => {
    const original = new StoreError('Invalid', 'bad');
    expect(toStoreError(original, WHAT)).toBe(original);
  });

  it('maps watch ERROR events by their Status code', () => {
    const gone = statusToStoreError(
      { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' },
      'watch Quota',
    );
    expect([gone.reason, gone.message]).toEqual([
      'Expired',
      "watch Quota: Expired: too old; list again and watch from the list's resourceVersion",
    ]);
    expect(statusToStoreError({ kind: 'Status', code: 500, message: 'oops' }, 'watch Quota').reason).toBe(
      'Unavailable',
    );
    expect(statusToStoreError('garbage', 'watch Quota').reason).toBe('Unavailable');
  });
});

describe('selector chunking', () => {
  const ORG = 'unikorn-cloud.org/organization';
  const orgs = Array.from({ length: 400 }, (_, i) => `organization-${String(i).padStart(4, '0')}`);
  const valuesOf = (selector: string, key: string): string[] => {
    const requirement = parseLabelSelector(selector).find((r) => r.key === key && r.operator === 'In');
    return requirement && 'values' in requirement ? requirement.values : [];
  };

  it('leaves a short selector alone', () => {
    expect(chunkSelector(`${ORG} in (a,b),tier!=gold`, 4096)).toEqual([`${ORG} in (a,b),tier!=gold`]);
    expect(chunkSelector('', 10)).toEqual(['']);
  });

  it('splits the largest in-set into chunks that fit, each keeping the other requirements', () => {
    const selector = `tier in (gold,silver),${ORG} in (${orgs.join(',')}),!quotagraph.dev/admission`;
    expect(encodedLength(selector)).toBeGreaterThan(2048);
    const chunks = chunkSelector(selector, 2048);

    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(encodedLength(chunk)).toBeLessThanOrEqual(2048);
      expect(valuesOf(chunk, 'tier')).toEqual(['gold', 'silver']);
      expect(parseLabelSelector(chunk)).toContainEqual({ key: 'quotagraph.dev/admission', operator: 'DoesNotExist' });
    }
    expect(chunks.flatMap((chunk) => valuesOf(chunk, ORG))).toEqual(orgs);
  });

  it('cannot split notin sets (an intersection): such a selector stays whole', () => {
    const selector = `${ORG} notin (${orgs.join(',')})`;
    expect(chunkSelector(selector, 1024)).toEqual([selector]);
  });

  it('refuses a malformed selector with Invalid', () => {
    expect(() => chunkSelector(`${ORG} in (a`, 4096)).toThrow(StoreError);
  });
});

describe('configuration', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const kubeconfig = (server: string, skip = true): string => {
    dir = mkdtempSync(join(tmpdir(), 'quotagraph-kubeconfig-'));
    const path = join(dir, 'config');
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster: {server: "${server}", insecure-skip-tls-verify: ${skip}}
users:
- name: me
  user: {token: secret}
contexts:
- name: dev
  context: {cluster: local, user: me}
- name: staging
  context: {cluster: local, user: me}
`,
    );
    return path;
  };

  const openingError = (open: () => unknown): StoreError => {
    try {
      open();
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      return error as StoreError;
    }
    return expect.fail('expected opening the store to fail');
  };

  it('names an unknown context and the known ones in one line', () => {
    const path = kubeconfig('http://127.0.0.1:1');
    const error = openingError(() => openKubernetesStore({ kubeconfig: path, context: 'prod' }));
    expect(error.reason).toBe('Unavailable');
    expect(error.message).toBe(`kube context "prod" is not in "${path}" (known contexts: dev, staging)`);
  });

  it('accepts a known context', () => {
    expect(openKubernetesStore({ kubeconfig: kubeconfig('http://127.0.0.1:1'), context: 'staging' })).toBeDefined();
  });

  it('reports an unreadable kubeconfig and plain http without insecure-skip-tls-verify', () => {
    expect(openingError(() => openKubernetesStore({ kubeconfig: '/nonexistent/kubeconfig' })).message).toContain(
      'cannot load the kubeconfig from "/nonexistent/kubeconfig"',
    );
    const path = kubeconfig('http://127.0.0.1:1', false);
    expect(openingError(() => openKubernetesStore({ kubeconfig: path })).message).toContain('insecure-skip-tls-verify');
  });

  it('refuses a nonsensical request timeout', () => {
    expect(openingError(() => kubernetesStoreFromConfig({ server: 'http://x' }, { requestTimeoutMs: 0 })).reason).toBe(
      'Invalid',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Against tiny fake API servers.

interface Recorded {
  method: string;
  url: URL;
  body: unknown;
}
type Handler = (request: Recorded, response: ServerResponse) => void;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakeApiServer(handler: Handler) {
  const requests: Recorded[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const recorded = {
        method: request.method ?? 'GET',
        url: new URL(request.url ?? '/', 'http://fake'),
        body: text === '' ? undefined : JSON.parse(text),
      };
      requests.push(recorded);
      handler(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

const json = (response: ServerResponse, code: number, body: unknown) => {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const object = (name: string, rv: string, extra: Partial<StoredObject> = {}): StoredObject => ({
  apiVersion: API_VERSION,
  kind: 'Quota',
  metadata: { name, namespace: 'org-acme', resourceVersion: rv, uid: `uid-${name}` },
  spec: { quotas: [] },
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe('request timeout', () => {
  it('turns an API server that never answers into Unavailable within the timeout', async () => {
    const server = await fakeApiServer(() => {});
    const store = kubernetesStoreFromConfig({ server: server.url }, { requestTimeoutMs: 300 });
    const started = Date.now();
    const errors = await Promise.all([
      rejection(store.get('Quota', 'org-acme', 'quota')),
      rejection(store.list('Quota')),
      rejection(store.ping()),
      rejection(
        (async () => {
          for await (const _ of store.watch('Quota', '1')) expect.fail('no event expected');
        })(),
      ),
    ]);
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const error of errors) {
      expect(error.reason).toBe('Unavailable');
      expect(error.message).toContain('did not answer within 300 ms');
    }
    expect(errors[0]!.message).toMatch(/^get Quota org-acme\/quota: /);
    await store.close();
  });

  it('ends a watch that is still connecting cleanly when its signal aborts or the store closes', async () => {
    const server = await fakeApiServer(() => {});
    const store = kubernetesStoreFromConfig({ server: server.url }, { requestTimeoutMs: 10_000 });
    const drain = async (signal?: AbortSignal) => {
      for await (const _ of store.watch('Quota', '1', { signal })) expect.fail('no event expected');
    };
    const controller = new AbortController();
    const started = Date.now();
    const aborted = drain(controller.signal);
    const closed = drain();
    setTimeout(() => controller.abort(), 100);
    await aborted;
    await store.close();
    await closed;
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('HTTP conversations', () => {
  it('pages a list and restarts it once when its continue token expires', async () => {
    let expireOnce = true;
    const server = await fakeApiServer(({ url }, response) => {
      const token = url.searchParams.get('continue');
      if (token === 'page-2' && expireOnce) {
        expireOnce = false;
        return json(response, 410, JSON.parse(status(410, 'Expired', 'continue token too old')));
      }
      const page = token === null ? ['a', 'b'] : ['c'];
      json(response, 200, {
        // Every page of one list carries the first page's resourceVersion.
        metadata: token === null ? { resourceVersion: '40', continue: 'page-2' } : { resourceVersion: '40' },
        items: page.map((name) => ({
          ...object(name, '30'),
          metadata: { ...object(name, '30').metadata, managedFields: [{}] },
        })),
      });
    });
    const store = kubernetesStoreFromConfig({ server: server.url });
    const list = await store.list('Quota', { namespace: 'org-acme' });
    expect(list.items.map((item) => item.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(list.resourceVersion).toBe('40');
    expect(list.items[0]!.metadata).not.toHaveProperty('managedFields');
    expect(server.requests.map((r) => r.url.searchParams.get('continue'))).toEqual([null, 'page-2', null, 'page-2']);
    expect(server.requests[0]!.url.searchParams.get('limit')).toBe('500');
    expect(server.requests[0]!.url.searchParams.has('resourceVersion')).toBe(false);
  });

  it('lists a huge in-selector in chunks: short URLs, merged, deduplicated, smallest resourceVersion', async () => {
    const ORG = 'unikorn-cloud.org/organization';
    const server = await fakeApiServer(({ url }, response) => {
      const requirement = parseLabelSelector(url.searchParams.get('labelSelector') ?? '')[0]!;
      const values = 'values' in requirement ? requirement.values : [];
      const first = values[0]!;
      json(response, 200, {
        metadata: { resourceVersion: String(100 - server.requests.length) },
        // Every chunk also returns "shared", which must appear once.
        items: [object(first, '1'), object('shared', '1')],
      });
    });
    const orgs = Array.from({ length: 500 }, (_, i) => `org-${String(i).padStart(3, '0')}`);
    const store = kubernetesStoreFromConfig({ server: server.url });
    const list = await store.list('Quota', { labelSelector: `${ORG} in (${orgs.join(',')})` });

    expect(server.requests.length).toBeGreaterThan(1);
    for (const request of server.requests) {
      expect(`${server.url}${request.url.pathname}${request.url.search}`.length).toBeLessThanOrEqual(4096);
    }
    const names = list.items.map((item) => item.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('shared');
    expect(names).toEqual([...names].sort());
    expect(list.resourceVersion).toBe(String(100 - server.requests.length));
  });

  it('writes status through the status subresource, as a second write', async () => {
    const server = await fakeApiServer(({ method, url, body }, response) => {
      const sent = body as StoredObject;
      if (method === 'PUT' && url.pathname.endsWith('/status')) {
        return json(response, 200, { ...sent, metadata: { ...sent.metadata, resourceVersion: '12' } });
      }
      // The main resource ignores .status, as with a status subresource.
      json(response, 200, object('quota', '11', { spec: sent.spec }));
    });
    const store = kubernetesStoreFromConfig({ server: server.url });
    const updated = await store.update(object('quota', '10', { status: { phase: 'Ready' } }));

    expect(server.requests.map((r) => `${r.method} ${r.url.pathname.split('/').slice(-2).join('/')}`)).toEqual([
      'PUT quotas/quota',
      'PUT quota/status',
    ]);
    expect((server.requests[1]!.body as StoredObject).metadata.resourceVersion).toBe('11');
    expect(updated.status).toEqual({ phase: 'Ready' });
    expect(updated.metadata.resourceVersion).toBe('12');

    await store.update(object('quota', '12'));
    expect(server.requests).toHaveLength(3);
  });

  it('sends the delete precondition and names the object in a Conflict', async () => {
    const server = await fakeApiServer((_, response) =>
      json(response, 409, JSON.parse(status(409, 'Conflict', 'Precondition failed: ResourceVersion'))),
    );
    const store = kubernetesStoreFromConfig({ server: server.url });
    const error = await rejection(store.delete('Quota', 'org-acme', 'quota', { resourceVersion: '7' }));
    expect([error.reason, error.message]).toEqual([
      'Conflict',
      'delete Quota org-acme/quota: Conflict: Precondition failed: ResourceVersion',
    ]);
    expect(server.requests[0]!.body).toMatchObject({ preconditions: { resourceVersion: '7' } });
  });

  it('reconnects a watch the server ended, from the last bookmark, and ends on 410', async () => {
    const server = await fakeApiServer(({ url }, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const line = (type: string, value: unknown) => response.write(`${JSON.stringify({ type, object: value })}\n`);
      if (url.searchParams.get('resourceVersion') === '1') {
        line('ADDED', object('a', '2'));
        line('BOOKMARK', { kind: 'Quota', metadata: { resourceVersion: '5' } });
      } else if (url.searchParams.get('resourceVersion') === '5') {
        line('MODIFIED', object('a', '6'));
        line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
      }
      response.end();
    });
    const store = kubernetesStoreFromConfig({ server: server.url });
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of store.watch('Quota', '1', { namespace: 'org-acme' })) {
          seen.push(`${event.type} ${event.object.metadata.resourceVersion}`);
        }
      })(),
    );
    expect(seen).toEqual(['ADDED 2', 'MODIFIED 6']);
    expect(error.reason).toBe('Expired');
    expect(server.requests.map((r) => r.url.searchParams.get('resourceVersion'))).toEqual(['1', '5']);
    expect(server.requests[0]!.url.searchParams.get('allowWatchBookmarks')).toBe('true');
  });
});
