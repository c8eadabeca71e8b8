/**
 * Default-deny, checked on the built schema: a new root field without an auth rule, or a new type a
 * caller can reach without passing an organization-scoped type, fails here until someone decides
 * who may see it.
 */
import {
  type GraphQLField,
  type GraphQLNamedType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

/** Pothos keeps each field's and type's options on its extensions. */
const authScopesOf = (node: { extensions?: unknown }): unknown =>
  (node.extensions as { pothosOptions?: { authScopes?: unknown } } | undefined)?.pothosOptions?.authScopes;

/**
 * What any authenticated caller may reach: the catalogue, the caller's own identity, and the
 * envelopes of the organization listing (whose resolver filters what is in them). Organizations,
 * projects, quotas and allocations are guarded by their own type scopes and stop the walk.
 */
const PUBLIC_TYPES = [
  'Boolean',
  'ID',
  'Int',
  'Membership',
  'OrganizationConnection',
  'OrganizationEdge',
  'OrganizationRole',
  'PageInfo',
  'QuotaKind',
  'SafeInt',
  'String',
  'Viewer',
];

const rootFields = () => [
  ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ root: 'Query', field })),
  ...Object.values(schema.getMutationType()!.getFields()).map((field) => ({ root: 'Mutation', field })),
];

describe('default-deny', () => {
  it.each(rootFields().map(({ root, field }) => [`${root}.${field.name}`, field] as const))(
    '%s declares who may use it',
    (_name, field) => {
      expect(authScopesOf(field), 'add authScopes to this root field').toBeDefined();
    },
  );

  it('every mutation is bound to the organization its input names (its rule is a function of the arguments)', () => {
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      expect(typeof authScopesOf(field), field.name).toBe('function');
    }
  });

  it.each(['Organization', 'Project', 'Quota', 'Allocation'])(
    '%s carries its own organization-bound type rule',
    (name) => {
      expect(typeof authScopesOf(schema.getType(name)!)).toBe('function');
    },
  );

  it('what a caller reaches through fields open to any authenticated caller is only the public types', () => {
    const reached = new Set<string>();
    const walk = (type: GraphQLNamedType) => {
      if (reached.has(type.name) || authScopesOf(type) !== undefined) return;
      reached.add(type.name);
      const next = isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()) : [];
      for (const field of next as GraphQLField<unknown, unknown>[]) walk(getNamedType(field.type));
      if (isUnionType(type)) for (const member of type.getTypes()) walk(member);
    };
    for (const { field } of rootFields()) {
      const scopes = authScopesOf(field);
      // Argument-bound rules (organization(id), the mutations) admit only callers with rights there.
      if (typeof scopes === 'function') continue;
      expect(scopes, `${field.name}: a static rule may only require authentication`).toEqual({ authenticated: true });
      walk(getNamedType(field.type));
    }
    expect([...reached].sort()).toEqual(PUBLIC_TYPES);
  });
});
