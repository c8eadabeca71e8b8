/**
 * Abuse limits (issue 5, part 3): everything here refuses a request before any resolver runs, and
 * so before any store call. Each refusal is a GraphQL error naming the limit and the option that
 * sets it, `extensions: { code: 'LIMIT_EXCEEDED', limit, max, actual }`, HTTP 400 (413 for bodies).
 *
 * In request order: CSRF prevention and the body size while the request is read, the token count
 * while it is parsed, depth and aliases while it is validated, the cost (it needs the variables)
 * just before it executes.
 */
import type { Plugin } from 'graphql-yoga';
import { maxAliasesRule } from './aliases.js';
import { useBodySizeLimit } from './bodySize.js';
import { useCostLimit } from './cost.js';
import { useCsrfPrevention } from './csrf.js';
import { maxDepthRule } from './depth.js';
import { useHiddenSuggestions } from './suggestions.js';
import { useTokenLimit } from './tokens.js';

export { countAliases } from './aliases.js';
export { queryCost } from './cost.js';
export { CSRF_HEADER } from './csrf.js';
export { selectionDepth } from './depth.js';
export { LIMIT_OPTIONS } from './errors.js';
export { type Measures, measureQuery } from './measure.js';
export { countTokens } from './tokens.js';

export interface Limits {
  /** Field nesting depth; fragments are followed, introspection counts (except `__Type.ofType`). */
  maxDepth: number;
  /** Aliased fields in the whole document. */
  maxAliases: number;
  /** Lexical tokens in the document (graphql's parser `maxTokens`). */
  maxTokens: number;
  /** Fields, multiplied by the page sizes (`first`) of the connections they are under. */
  maxCost: number;
  /** Request body bytes. */
  maxBodyBytes: number;
}

/**
 * Generous for every documented query, tight enough that no single request makes the gateway do
 * much more work than the largest of them. test/limits/defaults.test.ts measures the README's
 * examples, GraphiQL's queries and the report pages against these, and prints the numbers:
 * - maxDepth 10: documented queries reach 5 (the dashboard, the mutations) to 7 (a report page
 *   with quota items); GraphiQL's schema query is 6 (its `ofType` chain aside).
 * - maxAliases 30: no documented query aliases; clients alias to fetch a few variants of one
 *   field (`quotaKind(name:)` per kind, a few organizations side by side).
 * - maxTokens 2000: the README's largest example has about 100 tokens, GraphiQL's schema query
 *   about 180; 2000 leaves room for hand-written reports and refuses huge documents unparsed.
 * - maxCost 5000: the dashboard costs 26; a report page of 100 organizations with every quota
 *   item about 2500. A connection of 100 inside another (10,000 items) does not fit.
 * - maxBodyBytes 65536: documented requests are under 3 KiB (GraphiQL's schema query is the
 *   largest); 2000 tokens of query with its variables fit many times over.
 */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxDepth: 10,
  maxAliases: 30,
  maxTokens: 2000,
  maxCost: 5000,
  maxBodyBytes: 65536,
});

/** The yoga plugins enforcing `limits`; add them to createYoga's `plugins` (keep `batching: false`). */
export function limitPlugins(limits: Limits): Plugin[] {
  return [
    useCsrfPrevention(),
    useBodySizeLimit(limits.maxBodyBytes),
    useTokenLimit(limits.maxTokens),
    {
      onValidate({ addValidationRule }) {
        addValidationRule(maxDepthRule(limits.maxDepth));
        addValidationRule(maxAliasesRule(limits.maxAliases));
      },
    },
    useHiddenSuggestions(),
    useCostLimit(limits.maxCost),
  ];
}
