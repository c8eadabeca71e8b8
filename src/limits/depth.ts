import type {
  FragmentDefinitionNode,
  GraphQLNamedType,
  GraphQLSchema,
  SelectionSetNode,
  ValidationRule,
} from 'graphql';
import { limitExceeded } from './errors.js';
import { foldSelections } from './selections.js';

/**
 * Field nesting depth: a top-level field is at depth 1, each field selected inside another one
 * level deeper. Fragments, named and inline, are followed and add no level themselves.
 * Introspection counts like any other field (`__type { fields { type { fields … } } }` is refused
 * like any deep query), with one exception: `__Type.ofType`. It unwraps a list or non-null type,
 * so its chain is as long as the schema's deepest type wrapping (`[X!]!`: 3) whatever the query
 * asks, and it costs no resolver work; but GraphiQL's own schema query nests it 9 times, which
 * would put that query at depth 15.
 */
export function selectionDepth(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parentType: GraphQLNamedType | undefined,
  getFragment: (name: string) => FragmentDefinitionNode | undefined | null,
): number {
  return foldSelections(schema, selectionSet, parentType, getFragment, {
    field: (field, type, below) => (type?.name === '__Type' && field.name.value === 'ofType' ? 0 : 1) + (below ?? 0),
    combine: Math.max,
  });
}

/** Refuses any operation in the document nested deeper than `max` (during validation). */
export function maxDepthRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root = schema.getRootType(operation.operation) ?? undefined;
      const depth = selectionDepth(schema, operation.selectionSet, root, (name) => context.getFragment(name));
      if (depth > max) {
        context.reportError(
          limitExceeded({ limit: 'maxDepth', max, actual: depth, subject: `Query depth ${depth}`, nodes: operation }),
        );
      }
      return false;
    },
  });
}
