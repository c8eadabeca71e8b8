import { type ASTNode, GraphQLError } from 'graphql';
import type { Limits } from './index.js';

/** The configuration option that sets each limit, named in every refusal so operators know what to raise. */
export const LIMIT_OPTIONS: Readonly<Record<keyof Limits, string>> = {
  maxDepth: 'QUOTAGRAPH_MAX_DEPTH',
  maxAliases: 'QUOTAGRAPH_MAX_ALIASES',
  maxTokens: 'QUOTAGRAPH_MAX_TOKENS',
  maxCost: 'QUOTAGRAPH_MAX_COST',
  maxBodyBytes: 'QUOTAGRAPH_MAX_BODY_BYTES',
};

export interface LimitRefusal {
  limit: keyof Limits;
  max: number;
  /** The measured value; omitted when it is not known (a chunked body is not read past the limit). */
  actual?: number;
  /** What exceeded the limit, e.g. `Query depth 14`. */
  subject: string;
  /** Appended to the limit in the message, e.g. ` bytes`. */
  unit?: string;
  /** HTTP status of the response; 400 for query limits. */
  status?: number;
  nodes?: ASTNode | readonly ASTNode[];
  headers?: Record<string, string>;
}

/**
 * A refusal: `Query depth 14 exceeds the limit of 10 (QUOTAGRAPH_MAX_DEPTH).` with
 * `extensions: { code: 'LIMIT_EXCEEDED', limit, max, actual }`.
 *
 * It is a GraphQLError made on purpose, without an `originalError`, so error masking lets it
 * through. `extensions.http` sets the status (yoga strips it from the body); `spec: false` keeps
 * the status for `accept: application/json` too, where yoga would otherwise answer validation
 * errors with 200.
 */
export function limitExceeded(refusal: LimitRefusal): GraphQLError {
  const { limit, max, actual, subject, unit = '', status = 400, nodes, headers } = refusal;
  return new GraphQLError(`${subject} exceeds the limit of ${max}${unit} (${LIMIT_OPTIONS[limit]}).`, {
    nodes,
    extensions: {
      code: 'LIMIT_EXCEEDED',
      limit,
      max,
      ...(actual === undefined ? {} : { actual }),
      http: { status, spec: false, ...(headers ? { headers } : {}) },
    },
  });
}

/** A refusal that is not about a limit (CSRF, page size): a deliberate GraphQLError with a status. */
export function requestRefused(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status, spec: false } } });
}
