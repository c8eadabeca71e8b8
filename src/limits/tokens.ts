import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitExceeded } from './errors.js';

/**
 * Parses with graphql's own `maxTokens`, so a document with more than `max` tokens is abandoned
 * mid-parse (no AST is built) and refused, before validation and before any resolver.
 */
export function useTokenLimit(max: number): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens: max });
        } catch (error) {
          // Told apart by counting rather than by graphql's message ("more that 2000 tokens"),
          // which is not an API. Only failed parses are counted: a lexer pass over a bounded body.
          if (!(error instanceof GraphQLError)) throw error;
          const actual = countTokens(source);
          if (actual <= max) throw error;
          throw limitExceeded({ limit: 'maxTokens', max, actual, subject: `Query token count ${actual}` });
        }
      });
    },
  };
}

/**
 * The tokens graphql's parser counts against `maxTokens`: every lexical token but comments and
 * end of file. A document that stops lexing (a syntax error) counts the tokens before the error.
 */
export function countTokens(source: string | Source): number {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // A syntax error: the count so far is what the parser got to.
  }
  return count;
}
