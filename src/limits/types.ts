import {
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  type InlineFragmentNode,
  isInterfaceType,
  isObjectType,
  SchemaMetaFieldDef,
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
