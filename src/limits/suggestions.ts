import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js's suggestion, as its `didYouMean` writes it: ` Did you mean "name"?`, `… "a" or "b"?`,
 * `… "a", "b", or "c"?`, with an optional `the enum value ` / `to use an inline fragment on `. The
 * suggested names are GraphQL names, so the pattern cannot run into the rest of the message.
 */
const SUGGESTION = / Did you mean [^"?]*"\w+"(?:,? (?:or )?"\w+")*\?/g;

/** `message` without graphql-js's "Did you mean …?" suggestions. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Hides graphql-js's "Did you mean …?" (`Cannot query field "nmae" on type "Organization". Did
 * you mean "name"?`, and for arguments, types, enum values and input fields), which lets a caller
 * map the schema name by name even where introspection is refused.
 *
 * Validation and execution are asked to leave suggestions out (`hideSuggestions`, graphql 16.11+
 * and yoga's executor). The executor still suggests in some variable coercion errors, raised
 * before any resolver runs; those (errors without a path) have the suggestion cut from their
 * message. Errors from resolvers have a path and are left alone.
 */
export function useHiddenSuggestions(): Plugin {
  return {
    onValidate({ validateFn, setValidationFn }) {
      // Envelop passes (typeInfo, options) where graphql 16 takes (options, typeInfo); yoga passes
      // neither, and the deprecated typeInfo is not needed.
      setValidationFn((schema, document, rules, options) =>
        validateFn(schema, document, rules, { ...options, hideSuggestions: true }),
      );
    },
    onExecute({ executeFn, setExecuteFn }) {
      // Envelop types the arguments without `hideSuggestions`; yoga's executor reads it.
      setExecuteFn((args) => executeFn({ ...args, hideSuggestions: true } as typeof args));
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          for (const error of result.errors ?? []) if (error.path === undefined) strip(error);
        },
      };
    },
  };
}

/** The message is an own, writable property: editing it keeps the error's locations and extensions. */
function strip(error: GraphQLError): void {
  error.message = withoutSuggestions(error.message);
}
