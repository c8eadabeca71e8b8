import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.js';

/**
 * The one Pothos builder. Plugin order matters: errors must sit inside scope-auth and complexity
 * (added later) so their refusals stay GraphQL errors instead of becoming union results.
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
}>({
  plugins: [ErrorsPlugin, DataloaderPlugin, RelayPlugin],
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
