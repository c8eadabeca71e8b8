import { GraphQLError } from 'graphql';

/**
 * A malformed-input error (`extensions.code: BAD_USER_INPUT`). When thrown from a scalar's
 * parseValue, graphql-js rebuilds the error for variables and keeps only the *original* error's
 * extensions, so the code is carried on both.
 */
export function badUserInput(message: string): GraphQLError {
  const extensions = { code: 'BAD_USER_INPUT' };
  const originalError = Object.assign(new Error(message), { extensions });
  return new GraphQLError(message, { extensions, originalError });
}
