/**
 * GraphiQL as an operator meets it: a real browser on `GET /graphql`, with every request to
 * another host aborted, must render the editor and run the default query (DESIGN §8: it must work
 * air-gapped). And the ~9 MB page must go out compressed.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type Browser, chromium, type Locator, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, makeTempDir, type RunningCli, startServe } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/graphiql.png';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

let cli: RunningCli;
beforeAll(async () => {
  cli = await startServe({ db: join(makeTempDir(), 'q.db'), seed: 'demo' });
});
afterAll(cleanup);

/** Whether a request would leave the machine: http(s)/ws(s) to a host other than loopback. */
function isExternal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return /^(https?|wss?):$/.test(protocol) && !LOCAL_HOSTS.has(hostname);
}

describe('GraphiQL in a real browser', () => {
  it('renders and runs the default query with every external request aborted', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      const hint = `${CHROMIUM} not found; install it with: apt-get install -y chromium`;
      if (process.env.CI) throw new Error(`CI must provide Chromium for the GraphiQL test: ${hint}`);
      console.warn(`skipping the GraphiQL browser test: ${hint}`);
      ctx.skip(hint);
    }

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
      const requests: Request[] = [];
      const blocked: string[] = [];
      const webSockets: string[] = [];
      const pageErrors: string[] = [];
      const consoleErrors: string[] = [];

      // Every request the context makes (pages and their workers) is seen here first.
      context.on('request', (req) => requests.push(req));
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (!isExternal(url)) return route.continue();
        blocked.push(`${route.request().resourceType()} ${url}`);
        return route.abort('blockedbyclient');
      });

      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('websocket', (ws) => webSockets.push(ws.url()));
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });

      const response = await page.goto(cli.url, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toContain('text/html');

      // The query editor shows the default query (src/graphiql.ts) once GraphiQL has rendered.
      const queryEditor = page.locator('.graphiql-query-editor');
      await expect.poll(() => textOf(queryEditor), { timeout: 20_000 }).toContain('query Dashboard($id: ID! = "acme")');

      const executed = page.waitForRequest(
        (req) => req.url() === cli.url && req.method() === 'POST' && (req.postData() ?? '').includes('Dashboard'),
      );
      await page.locator('.graphiql-execute-button').click();
      const query = await executed;
      expect((await query.response())?.status()).toBe(200);

      // The response pane is an editor too; its first lines are rendered text.
      const responsePane = page.locator('.graphiql-response');
      await expect.poll(() => textOf(responsePane), { timeout: 20_000 }).toContain('"organization": {');
      const shown = await textOf(responsePane);
      expect(shown).toContain('"acme-corporation"');
      expect(shown).not.toContain('"errors"');

      await page.screenshot({ path: SCREENSHOT });

      const external = requests.map((req) => req.url()).filter(isExternal);
      expect(blocked, 'GraphiQL tried to reach other hosts (aborted)').toEqual([]);
      expect(external, 'requests to other hosts').toEqual([]);
      expect(webSockets, 'websockets opened').toEqual([]);
      expect(pageErrors, 'uncaught page errors').toEqual([]);
      expect(consoleErrors, 'console errors').toEqual([]);
      // Scripts and styles are inline: the page itself and GraphQL POSTs are all that went out.
      const fetched = new Set(
        requests.map((req) => `${req.resourceType()} ${req.method()} ${new URL(req.url()).pathname}`),
      );
      expect([...fetched].sort()).toEqual(['document GET /graphql', 'fetch POST /graphql']);
    } finally {
      await browser.close();
    }
  }, 90_000);
});

/** An element's text with whitespace collapsed (editors render spaces as U+00A0). */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ');
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET without any automatic decompression, so the bytes on the wire can be measured. */
function getRaw(url: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

describe('the GraphiQL page on the wire', () => {
  const html = { accept: 'text/html' };

  it('is served compressed with brotli or gzip, and whole without', async () => {
    const plain = await getRaw(cli.url, { ...html, 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    const page = plain.body.toString('utf8');
    expect(page).toContain('<title>quotagraph</title>');
    // Everything is inlined: no script or stylesheet is fetched from anywhere, let alone another host.
    expect(page).not.toMatch(/<script[^>]+\ssrc=/i);
    expect(page).not.toMatch(/<link[^>]+\shref=["']?https?:/i);
    expect(plain.body.length).toBeGreaterThan(5_000_000);

    const br = await getRaw(cli.url, { ...html, 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

    const gzip = await getRaw(cli.url, { ...html, 'accept-encoding': 'gzip' });
    expect(gzip.status).toBe(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
  });

  it('is not what a GraphQL client gets from GET /graphql', async () => {
    const response = await fetch(`${cli.url}?query=${encodeURIComponent('{ __typename }')}`, {
      // A GET must carry the CSRF header (README "Limits"); browsers cannot add it cross-site.
      headers: { accept: 'text/html, application/graphql-response+json;q=0.9', 'x-graphql-yoga-csrf': '1' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
