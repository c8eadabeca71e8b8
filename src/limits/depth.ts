import {
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { limitExceeded } from './errors.js';
import { childType, typeCondition } from './types.js';

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
  /** Fragment name → its depth; `null` while being measured (a cycle, reported by graphql's own rule). */
  const fragmentDepths = new Map<string, number | null>();
  const measure = (set: SelectionSetNode, type: GraphQLNamedType | undefined): number => {
    let deepest = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet
          ? measure(selection.selectionSet, childType(schema, type, selection.name.value))
          : 0;
        const level = type?.name === '__Type' && selection.name.value === 'ofType' ? 0 : 1;
        deepest = Math.max(deepest, level + below);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, measure(selection.selectionSet, typeCondition(schema, selection, type)));
      } else {
        const name = selection.name.value;
        if (!fragmentDepths.has(name)) {
          const fragment = getFragment(name);
          fragmentDepths.set(name, null);
          if (fragment) fragmentDepths.set(name, measure(fragment.selectionSet, typeCondition(schema, fragment, type)));
        }
        deepest = Math.max(deepest, fragmentDepths.get(name) ?? 0);
      }
    }
    return deepest;
  };
  return measure(selectionSet, parentType);
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
