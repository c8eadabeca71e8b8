import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  valueFromASTUntyped,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../resolvers/connection.js';
import { limitExceeded, requestRefused } from './errors.js';
import { fieldDefinition, foldSelections } from './selections.js';

type Variables = Readonly<Record<string, unknown>> | null | undefined;

/**
 * The cost of the operation that will run, with its variables:
 * - every field costs 1, `__typename` 0;
 * - a field with a `first` argument (a Relay connection) multiplies the cost of its selection by
 *   `first`: its literal, or its variable's value (else the variable's default); omitted, the
 *   argument's schema default, else the page size default (20);
 * - a list field without `first` multiplies by 1: its length is not known before it runs. The
 *   unpaginated lists here (quotaKinds, projects, quota items, usage) are bounded by the catalogue
 *   and by one organization, and their per-item work is batched;
 * - fragments, named and inline, are followed; every fragment of a union or interface counts, and
 *   `@skip`/`@include` are ignored (an upper bound);
 * - only the selected operation is costed.
 *
 * A `first` outside 0–100 is refused here, as the resolvers would refuse it, but before the
 * connection's list is read from the store (BAD_USER_INPUT, with the resolvers' message).
 * Returns undefined when no operation can be selected: execution reports that.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Variables,
): number | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation) ?? undefined;
  return foldSelections(schema, operation.selectionSet, root, (name) => fragments.get(name), {
    field(field, parentType, below) {
      if (field.name.value === '__typename') return 0;
      if (below === null) return 1;
      const definition = fieldDefinition(schema, parentType, field.name.value);
      return add(1, multiply(pageSize(field, definition, operation, variables), below));
    },
    combine: add,
  });
}

/** How many items a field with a `first` argument asks for; 1 for any other field. */
function pageSize(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown> | undefined,
  operation: OperationDefinitionNode,
  variables: Variables,
): number {
  const argument = definition?.args.find((arg) => arg.name === 'first');
  if (!argument) return 1;
  const fallback = typeof argument.defaultValue === 'number' ? argument.defaultValue : DEFAULT_PAGE_SIZE;
  const node = field.arguments?.find((arg) => arg.name.value === 'first')?.value;
  let value: unknown;
  if (node?.kind === Kind.VARIABLE) {
    const name = node.name.value;
    value = variables?.[name];
    if (value === undefined) {
      const declared = operation.variableDefinitions?.find((v) => v.variable.name.value === name)?.defaultValue;
      value = declared ? valueFromASTUntyped(declared) : undefined;
    }
  } else if (node) {
    value = valueFromASTUntyped(node);
  }
  // Anything but an Int (a string, 1.5, 2^31) is refused by graphql's own coercion before any resolver runs.
  if (!Number.isInteger(value) || Math.abs(value as number) > 2 ** 31 - 1) return fallback;
  const first = value as number;
  if (first < 0 || first > MAX_PAGE_SIZE) {
    throw requestRefused(`first must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`, 'BAD_USER_INPUT', 400);
  }
  return first;
}

// Saturating: a deep enough query multiplies past what a double holds exactly.
const add = (a: number, b: number) => Math.min(a + b, Number.MAX_SAFE_INTEGER);
const multiply = (a: number, b: number) => Math.min(a * b, Number.MAX_SAFE_INTEGER);

/**
 * Refuses an operation costing more than `max` when it is about to execute: the variables are
 * known by then, and no resolver has run, so a refused query costs no store call.
 */
export function useCostLimit(max: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let cost: number | undefined;
      try {
        cost = queryCost(args.schema, args.document, args.operationName, args.variableValues);
      } catch (error) {
        // The page-size refusal; anything else is a bug here, left to yoga's error masking.
        if (!(error instanceof GraphQLError)) throw error;
        return setResultAndStopExecution({ errors: [error] });
      }
      if (cost !== undefined && cost > max) {
        setResultAndStopExecution({
          errors: [limitExceeded({ limit: 'maxCost', max, actual: cost, subject: `Query cost ${cost}` })],
        });
      }
    },
  };
}
