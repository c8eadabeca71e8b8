/**
 * The request-level limits: batching, CSRF prevention and the body size. All refuse before the
 * document is parsed, so before any store call.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/limits/index.js';
import { type Answer, ENDPOINT, type LimitsHarness, limitsHarness, onlyError } from './support.js';

let h: LimitsHarness;
beforeAll(async () => {
  h = await limitsHarness();
});
afterAll(() => h.cleanup());
beforeEach(() => h.store.calls.clear());

const QUERY = JSON.stringify({ query: '{ quotaKinds { name } }' });

describe('batching', () => {
  it('refuses an array of operations', async () => {
    const answer = await h.request({ body: JSON.stringify([{ query: '{ quotaKinds { name } }' }]) });
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({
      message: 'Batching is not supported.',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(h.store.total()).toBe(0);
  });
});

describe('CSRF prevention', () => {
  const expectCsrfRefused = (answer: Answer) => {
    expect(answer.status).toBe(403);
    expect(onlyError(answer)).toEqual({
      message: `Request refused as a possible cross-site request forgery: send Content-Type: application/json, or the ${CSRF_HEADER} header.`,
      extensions: { code: 'CSRF_PREVENTED' },
    });
    expect(h.store.total()).toBe(0);
  };
  const get = `${ENDPOINT}?query=${encodeURIComponent('{ quotaKinds { name } }')}`;

  it('answers a POST of application/json', async () => {
    const answer = await h.request({ body: QUERY });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeTruthy();
  });

  it('refuses a GET without the header, answers it with the header', async () => {
    expectCsrfRefused(await h.request({ url: get, method: 'GET', headers: { 'content-type': '' } }));
    const answer = await h.request({ url: get, method: 'GET', headers: { 'content-type': '', [CSRF_HEADER]: '1' } });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeTruthy();
  });

  it.each([
    ['text/plain', QUERY],
    ['text/plain; charset=utf-8', QUERY],
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent('{ quotaKinds { name } }')}`],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${QUERY}\r\n--x--\r\n`,
    ],
    ['', QUERY],
  ])('refuses a POST of a simple content type (%j) without the header', async (contentType, body) => {
    expectCsrfRefused(await h.request({ body, headers: { 'content-type': contentType } }));
  });

  it('lets a form POST through with the header (a browser would have preflighted it)', async () => {
    const body = `query=${encodeURIComponent('{ quotaKinds { name } }')}`;
    const answer = await h.request({
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', [CSRF_HEADER]: '1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeTruthy();
  });
});

describe('maxBodyBytes (65536)', () => {
  const refusal = (actual?: number) => ({
    errors: [
      {
        message: 'Request body exceeds the limit of 65536 bytes (QUOTAGRAPH_MAX_BODY_BYTES).',
        extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxBodyBytes', max: 65536, ...(actual ? { actual } : {}) },
      },
    ],
  });
  /** A JSON body of exactly `bytes` bytes: the query, then whitespace. */
  const bodyOf = (bytes: number) => `${QUERY.slice(0, -1)}${' '.repeat(bytes - QUERY.length)}}`;

  it('answers a body of exactly 65536 bytes', async () => {
    expect(Buffer.byteLength(bodyOf(65536))).toBe(65536);
    const answer = await h.request({ body: bodyOf(65536) });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeTruthy();
  });

  it('refuses 65537 bytes with 413, before any store call', async () => {
    const answer = await h.request({ body: bodyOf(65537) });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(refusal(65537));
    expect(h.store.total()).toBe(0);
  });

  it('refuses a chunked body (no Content-Length) as it passes the limit', async () => {
    const chunks = [new TextEncoder().encode(bodyOf(65537))];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const answer = await h.request({ body, duplex: 'half' } as RequestInit);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(refusal());
    expect(h.store.total()).toBe(0);
  });

  describe('on node:http', () => {
    /** Sends the headers, then whatever `body` writes; the request ends only if `body` ends it. */
    async function send(
      headers: Record<string, string | number>,
      body: (write: (data: string) => boolean, end: () => void) => void,
    ) {
      const { host, port } = await h.listen();
      return new Promise<{ response: IncomingMessage; body: string; sent: number }>((resolve, reject) => {
        let sent = 0;
        let answered = false;
        const req = httpRequest({ host, port, path: '/graphql', method: 'POST', headers });
        req.on('error', (error) => {
          if (!answered) reject(error);
        });
        req.on('response', (response) => {
          answered = true;
          const at = sent;
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (data: string) => {
            body += data;
          });
          response.on('end', () => {
            req.destroy();
            resolve({ response, body, sent: at });
          });
        });
        req.flushHeaders();
        body(
          (data) => {
            if (answered || req.destroyed) return false;
            sent += Buffer.byteLength(data);
            req.write(data);
            return true;
          },
          () => req.end(),
        );
      });
    }

    it('refuses a Content-Length over the limit without reading the body', async () => {
      const { response, body, sent } = await send(
        { 'content-type': 'application/json', 'content-length': 1_000_000 },
        () => {}, // not one byte of the body is sent
      );
      expect(sent).toBe(0);
      expect(response.statusCode).toBe(413);
      expect(JSON.parse(body)).toEqual(refusal(1_000_000));
      expect(h.store.total()).toBe(0);
    });

    it('refuses an endless chunked body once it passes the limit, without waiting for its end', async () => {
      const { response, body, sent } = await send(
        { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        (write) => {
          write(QUERY.slice(0, -1));
          const timer = setInterval(() => {
            // 16 KiB of JSON whitespace every few milliseconds, for as long as the server listens
            if (!write(' '.repeat(16_384))) clearInterval(timer);
          }, 2);
        },
      );
      expect(response.statusCode).toBe(413);
      expect(response.headers.connection).toBe('close');
      expect(JSON.parse(body)).toEqual(refusal());
      // Refused soon after 64 KiB, not after buffering whatever the client cared to send.
      expect(sent).toBeGreaterThan(65536);
      expect(sent).toBeLessThan(1_048_576);
      expect(h.store.total()).toBe(0);
    });

    it('answers a small chunked body', async () => {
      const { response, body } = await send(
        { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        (write, end) => {
          write(QUERY.slice(0, 10));
          write(QUERY.slice(10));
          end();
        },
      );
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(body).data.quotaKinds.length).toBeGreaterThan(0);
    });
  });
});
