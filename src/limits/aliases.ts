import type { DocumentNode, ValidationRule } from 'graphql';
import { Kind, visit } from 'graphql';
import { limitExceeded } from './errors.js';

/**
 * Aliased fields in the whole document, as written (a fragment counts once however often it is
 * spread; its fields' cost is what the cost limit weighs). Aliases are how one request asks for
 * the same expensive field many times over.
 */
export function countAliases(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    [Kind.FIELD](field) {
      if (field.alias) count++;
    },
  });
  return count;
}

/** Refuses a document with more than `max` aliased fields (during validation). */
export function maxAliasesRule(max: number): ValidationRule {
  return (context) => ({
    Document(document) {
      const count = countAliases(document);
      if (count > max) {
        context.reportError(
          limitExceeded({ limit: 'maxAliases', max, actual: count, subject: `Query alias count ${count}` }),
        );
      }
      return false;
    },
  });
}
