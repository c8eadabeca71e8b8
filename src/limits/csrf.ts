import type { Plugin } from 'graphql-yoga';
import { requestRefused } from './errors.js';

/** A request carrying this header (any value) cannot have come from a plain HTML form or `<img>`. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** The content types a browser sends cross-origin without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * CSRF prevention, as `@graphql-yoga/plugin-csrf-prevention` (and Apollo Server) do it: a request
 * is answered only if a browser would have had to preflight it, that is if it has a non-simple
 * Content-Type (application/json) or the {@link CSRF_HEADER} header. A GET, or a POST as a form or
 * text/plain, without the header is refused before its body is read. GraphiQL and ordinary clients
 * POST application/json and are unaffected; GET clients must send the header.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      if (isPreflighted(request.headers)) return;
      throw requestRefused(
        `Request refused as a possible cross-site request forgery: send Content-Type: application/json, or the ${CSRF_HEADER} header.`,
        'CSRF_PREVENTED',
        403,
      );
    },
  };
}

function isPreflighted(headers: Headers): boolean {
  if (headers.has(CSRF_HEADER)) return true;
  const mediaType = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return mediaType !== undefined && mediaType !== '' && !SIMPLE_CONTENT_TYPES.has(mediaType);
}
