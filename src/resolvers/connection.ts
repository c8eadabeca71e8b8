import { badUserInput } from '../schema/inputErrors.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/**
 * Keyset pagination over a list sorted by `keyOf`. The cursor encodes the last key seen rather
 * than an offset, so a page stays correct when objects are created or deleted between requests.
 */
export function paginate<T>(sorted: T[], keyOf: (item: T) => string, args: PageArgs): Page<T> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`);
  }
  const afterKey = args.after == null ? null : decodeCursor(args.after);
  const start = afterKey === null ? 0 : sorted.findIndex((item) => keyOf(item) > afterKey);
  const rest = start === -1 ? [] : sorted.slice(start);
  const edges = rest.slice(0, first).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rest.length > first,
      hasPreviousPage: afterKey !== null && start !== 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: sorted.length,
  };
}

const CURSOR_PREFIX = 'key:';

function encodeCursor(key: string): string {
  return Buffer.from(CURSOR_PREFIX + key).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  if (!decoded.startsWith(CURSOR_PREFIX) || encodeCursor(decoded.slice(CURSOR_PREFIX.length)) !== cursor) {
    throw badUserInput(`after ${JSON.stringify(cursor)} is not a cursor from this API`);
  }
  return decoded.slice(CURSOR_PREFIX.length);
}
