import { type GraphQLSchema, Kind, parse } from 'graphql';
import { countAliases } from './aliases.js';
import { queryCost } from './cost.js';
import { selectionDepth } from './depth.js';
import type { Limits } from './index.js';
import { countTokens } from './tokens.js';

/** What a request measures against each limit (the names of {@link Limits}, without the `max`). */
export interface Measures {
  tokens: number;
  depth: number;
  aliases: number;
  /** Of the selected operation, with `variables`; undefined when no operation can be selected. */
  cost: number | undefined;
  /** Of the request as a JSON POST body. */
  bodyBytes: number;
}

/**
 * Measures a query as the limit plugins do, without running it: to check that documented or
 * generated queries fit the limits (test/limits/defaults.test.ts), or to choose limits.
 */
export function measureQuery(
  schema: GraphQLSchema,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Measures {
  const document = parse(query);
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  let depth = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation) ?? undefined;
    depth = Math.max(
      depth,
      selectionDepth(schema, definition.selectionSet, root, (name) => fragments.get(name)),
    );
  }
  return {
    tokens: countTokens(query),
    depth,
    aliases: countAliases(document),
    cost: queryCost(schema, document, operationName, variables),
    bodyBytes: Buffer.byteLength(JSON.stringify({ query, variables, operationName })),
  };
}
