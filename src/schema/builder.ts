import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { canAllocate, canSetProjectQuota, canSetQuota, canViewOrganization } from '../auth/principal.js';
import type { Context } from '../context.js';

/**
 * The rights a field or type can require. Each is decided by one function of `src/auth/principal.ts`;
 * the organization-bound ones take the organization ID the field touches.
 */
export interface AuthScopes {
  /** Any caller the gateway let in (every request is authenticated before GraphQL runs). */
  authenticated: boolean;
  viewOrganization: string;
  setQuota: string;
  setProjectQuota: string;
  allocate: string;
}

/**
 * The one Pothos builder. Plugin order matters: errors must sit inside scope-auth so that a refusal
 * stays a FORBIDDEN GraphQL error instead of becoming a union result.
 *
 * Default-deny is enforced by test/auth/defaultDeny.test.ts: every root field must declare
 * `authScopes`, and every type a caller can reach without passing an organization-scoped type must
 * be on that test's short list of public types.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    /** Integers within ±(2^53−1); the domain computes in bigint and this is the only conversion. */
    SafeInt: { Input: number; Output: bigint | number };
    /** Parsed at the edge: resolvers only ever see an exact, validated bigint. */
    Quantity: { Input: bigint; Output: never };
  };
  Connection: { totalCount: number };
  AuthScopes: AuthScopes;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, DataloaderPlugin, RelayPlugin],
  scopeAuth: {
    // Type scopes run once per object, on the field that returns it: an organization (or anything
    // under it) that reaches a caller by a path nobody thought of fails there, not field by field.
    runScopesOnType: true,
    unauthorizedError: () => new GraphQLError('You are not allowed to do this.', { extensions: { code: 'FORBIDDEN' } }),
    authScopes: (ctx) => ({
      authenticated: true,
      viewOrganization: (id) => canViewOrganization(ctx.principal, id),
      setQuota: (id) => canSetQuota(ctx.principal, id),
      setProjectQuota: (id) => canSetProjectQuota(ctx.principal, id),
      allocate: (id) => canAllocate(ctx.principal, id),
    }),
  },
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  errors: { defaultTypes: [] },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: { list: false, items: false }, description: 'The items of this page.' },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    cursorFieldOptions: { description: 'Pass as `after` to get the items that follow this one.' },
    pageInfoFieldOptions: { description: 'Where this page is in the whole list.' },
    pageInfoTypeOptions: { description: 'Relay page information.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page.' },
    endCursorFieldOptions: {
      description: 'The cursor of the last item of this page; pass it as `after` for the next.',
    },
  },
});

builder.queryType({
  description: 'Read the quota catalogue and organizations’ quotas, usage, projects and allocations.',
});
builder.mutationType({
  description:
    'Change quotas and allocations. Every change that could break a quota is checked against current usage before ' +
    'it is stored.',
});

/** The builder's schema types, for helpers that take Pothos refs. */
export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
