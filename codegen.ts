import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every operation written with `graphql(...)` in the tests: a test that asks
 * for a field the schema does not have, or reads a field it did not select, fails to type-check.
 * `npm run codegen` regenerates test/gql; CI fails when it is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', '!test/gql/**'],
  ignoreNoDocuments: false,
  // NodeNext resolution needs explicit `.js` extensions in the generated imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { SafeInt: 'number', Quantity: 'string | number' },
        strictScalars: true,
      },
    },
  },
};

export default config;
