import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../log.js';
import { LOCAL_PRINCIPAL, type Principal } from './principal.js';
import { AuthenticationError, AuthUnavailableError } from './tokens.js';

/** Turns a request's Authorization header into its principal, or throws AuthenticationError. */
export type Authenticate = (authorization: string | null) => Promise<Principal>;

/**
 * Authenticates every request before yoga parses it, so a caller without a valid token learns
 * nothing — not even whether a field exists — and costs no store call. The principal is handed to
 * the context factory through {@link principalOf}.
 */
export function useAuthentication(authenticate: Authenticate, log: Logger): Plugin {
  return {
    async onRequest({ request, serverContext, endResponse, fetchAPI }) {
      try {
        // The server context is per request and yoga spreads it into the GraphQL context; a client
        // cannot write to it. (Keying on the Request would break if a later plugin replaced it.)
        (serverContext as Record<symbol, Principal>)[PRINCIPAL] = await authenticate(
          request.headers.get('authorization'),
        );
      } catch (error) {
        if (error instanceof AuthenticationError) {
          log.info('request refused: not authenticated', { reason: error.message });
          return endResponse(
            errorResponse(fetchAPI, 401, error.message, 'UNAUTHENTICATED', {
              'www-authenticate': 'Bearer realm="quotagraph", error="invalid_token"',
            }),
          );
        }
        if (error instanceof AuthUnavailableError) {
          log.warn('token keys unavailable', { reason: error.message });
          return endResponse(
            errorResponse(fetchAPI, 503, 'Tokens cannot be verified right now; try again.', 'UNAVAILABLE', {
              'retry-after': '5',
            }),
          );
        }
        throw error;
      }
    },
  };
}

const PRINCIPAL = Symbol('quotagraph.principal');

/** The principal {@link useAuthentication} established for this request (from yoga's initial context). */
export function principalOf(initialContext: object): Principal {
  const principal = (initialContext as Record<symbol, Principal | undefined>)[PRINCIPAL];
  // Unreachable when the plugin is installed; failing closed beats acting as nobody in particular.
  if (!principal) throw new Error('request reached GraphQL without authentication');
  return principal;
}

function errorResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  message: string,
  code: string,
  headers: Record<string, string>,
): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/graphql-response+json; charset=utf-8', ...headers },
  });
}

/** `--auth none`: every request acts as the local platform admin (loopback only; see main.ts). */
export const authenticateAsLocal: Authenticate = async () => LOCAL_PRINCIPAL;
