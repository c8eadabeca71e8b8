import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  type InlineFragmentNode,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
} from 'graphql';

/** The definition of `name` on `parentType`, including the introspection fields `__schema` and `__type`. */
export function fieldDefinition(
  schema: GraphQLSchema,
  parentType: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (!parentType) return undefined;
  if (parentType === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
}

/** The type a field's selection set selects on (undefined for unknown fields; validation reports those). */
export function childType(
  schema: GraphQLSchema,
  parentType: GraphQLNamedType | undefined,
  name: string,
): GraphQLNamedType | undefined {
  const field = fieldDefinition(schema, parentType, name);
  return field ? getNamedType(field.type) : undefined;
}

/** The type a fragment selects on: its type condition, else (inline, without one) the enclosing type. */
export function typeCondition(
  schema: GraphQLSchema,
  fragment: InlineFragmentNode | FragmentDefinitionNode,
  enclosing: GraphQLNamedType | undefined,
): GraphQLNamedType | undefined {
  return fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : enclosing;
}

/** How {@link foldSelections} values a field and joins siblings. */
export interface SelectionFold {
  /** A field's value, given its parent type and the folded value of its own selection (null for a leaf). */
  field(field: FieldNode, parentType: GraphQLNamedType | undefined, below: number | null): number;
  /** Joins the values of sibling selections (a sum for cost, the maximum for depth), starting from 0. */
  combine(a: number, b: number): number;
}

/**
 * Folds a selection set into one number, as the depth and cost limits measure it. Fragments, named
 * and inline, are followed on their type condition and add nothing themselves; a named fragment is
 * folded once and its value reused wherever it is spread (one in a cycle, which graphql's own
 * validation refuses, counts 0).
 */
export function foldSelections(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parentType: GraphQLNamedType | undefined,
  getFragment: (name: string) => FragmentDefinitionNode | undefined | null,
  fold: SelectionFold,
): number {
  /** Fragment name → its value; `null` while being folded. */
  const fragmentValues = new Map<string, number | null>();
  const walk = (set: SelectionSetNode, type: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      let value: number;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet
          ? walk(selection.selectionSet, childType(schema, type, selection.name.value))
          : null;
        value = fold.field(selection, type, below);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        value = walk(selection.selectionSet, typeCondition(schema, selection, type));
      } else {
        const name = selection.name.value;
        if (!fragmentValues.has(name)) {
          fragmentValues.set(name, null);
          const fragment = getFragment(name);
          if (fragment) fragmentValues.set(name, walk(fragment.selectionSet, typeCondition(schema, fragment, type)));
        }
        value = fragmentValues.get(name) ?? 0;
      }
      total = fold.combine(total, value);
    }
    return total;
  };
  return walk(selectionSet, parentType);
}
