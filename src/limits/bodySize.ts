import type { Plugin } from 'graphql-yoga';
import { limitExceeded } from './errors.js';

const tooLarge = (max: number, actual?: number) =>
  limitExceeded({
    limit: 'maxBodyBytes',
    max,
    actual,
    subject: 'Request body',
    unit: ' bytes',
    status: 413,
    // The rest of the body is never read; closing the connection spares the client sending it.
    headers: { connection: 'close' },
  });

/**
 * Refuses request bodies over `max` bytes with 413. A Content-Length over the limit is refused
 * before anything is read; a body without one (chunked) is read with a counter and refused as soon
 * as it passes the limit, so at most `max` bytes are ever buffered. The bytes read are then handed
 * to whichever of yoga's request parsers (JSON, form, multipart, GraphQL string) matched the
 * request. GET requests have no body; their query string is bounded by node's header size limit.
 */
export function useBodySizeLimit(max: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      // A malformed Content-Length is refused by yoga itself (400), after this hook.
      if (declared !== null && /^\d+$/.test(declared) && Number(declared) > max) {
        throw tooLarge(max, Number(declared));
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        const body = req.body ? await readAtMost(req.body, max) : null;
        return parse(
          new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body }),
        );
      });
    },
  };
}

/** The whole stream, or a refusal as soon as it passes `max` bytes (the rest is never read). */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
