/**
 * Kubernetes label selectors and label validation, with the API server's semantics.
 *
 * Grammar (whitespace between tokens is ignored):
 *   selector    := '' | requirement (',' requirement)*
 *   requirement := '!' key | key | key ('=' | '==' | '!=') value? | key ('in' | 'notin') '(' values ')'
 * An empty selector matches everything. `k!=v` and `k notin (…)` also match objects that do not
 * carry the label at all, exactly as in Kubernetes.
 */
import { StoreError } from './types.js';

export type LabelRequirement =
  | { key: string; operator: 'In' | 'NotIn'; values: string[] }
  | { key: string; operator: 'Exists' | 'DoesNotExist' };

export type Labels = Readonly<Record<string, string>>;

/** Parses a selector; throws StoreError('Invalid') naming the selector and the problem. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  try {
    return new Parser(tokenize(selector)).parseSelector();
  } catch (error) {
    if (error instanceof SelectorSyntaxError) {
      throw new StoreError('Invalid', `invalid label selector "${selector}": ${error.message}`);
    }
    throw error;
  }
}

/** True when the labels satisfy every requirement (an empty list matches everything). */
export function matches(requirements: readonly LabelRequirement[], labels: Labels | undefined): boolean {
  return requirements.every((requirement) => matchesOne(requirement, labels ?? {}));
}

function matchesOne(requirement: LabelRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'In':
      return present && requirement.values.includes(labels[requirement.key] as string);
    case 'NotIn':
      return !present || !requirement.values.includes(labels[requirement.key] as string);
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of keys, values and names (k8s.io/apimachinery/pkg/util/validation).

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const isDns1123Label = (value: string): boolean => value.length <= 63 && DNS1123_LABEL.test(value);
export const isDns1123Subdomain = (value: string): boolean => value.length <= 253 && DNS1123_SUBDOMAIN.test(value);

/** Why `key` is not a valid label or annotation key (`[prefix/]name`), or undefined when it is. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return `key "${key}" may contain at most one "/"`;
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2 && !isDns1123Subdomain(parts[0]!)) {
    return `key "${key}" has an invalid prefix: it must be a lowercase DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `key "${key}" has an invalid name: it must be 1-63 characters of [A-Za-z0-9-_.], starting and ending with an alphanumeric character`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value))) {
    return undefined;
  }
  return `value "${value}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending with an alphanumeric character`;
}

/**
 * Checks that `labels` is a map of valid keys to valid values; throws StoreError('Invalid')
 * with `context` (e.g. the object's name) otherwise. Absent labels are valid.
 */
export function validateLabels(labels: unknown, context: string): void {
  if (labels === undefined) {
    return;
  }
  if (!isPlainRecord(labels)) {
    throw new StoreError('Invalid', `${context}: metadata.labels must be a map of strings`);
  }
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') {
      throw new StoreError('Invalid', `${context}: label "${key}" must have a string value`);
    }
    const problem = qualifiedNameProblem(key) ?? labelValueProblem(value);
    if (problem !== undefined) {
      throw new StoreError('Invalid', `${context}: invalid label: ${problem}`);
    }
  }
}

export const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// Lexer and parser.

class SelectorSyntaxError extends Error {}

type Token = { type: 'identifier'; text: string } | { type: 'symbol'; text: Punctuation } | { type: 'end' };
type Punctuation = '!' | '=' | '==' | '!=' | ',' | '(' | ')';

/** Characters that end an identifier; `<` and `>` are Kubernetes' Gt/Lt, which label selectors do not support. */
const DELIMITERS = new Set(['!', '=', ',', '(', ')', '<', '>']);

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const char = selector[i]!;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '<' || char === '>') {
      throw new SelectorSyntaxError(`unsupported operator "${char}"`);
    } else if (DELIMITERS.has(char)) {
      const pair = selector.slice(i, i + 2);
      const text: Punctuation = pair === '==' || pair === '!=' ? pair : (char as Punctuation);
      tokens.push({ type: 'symbol', text });
      i += text.length;
    } else {
      let end = i;
      while (end < selector.length && !DELIMITERS.has(selector[end]!) && !/\s/.test(selector[end]!)) {
        end += 1;
      }
      tokens.push({ type: 'identifier', text: selector.slice(i, end) });
      i = end;
    }
  }
  tokens.push({ type: 'end' });
  return tokens;
}

const describe = (token: Token): string => (token.type === 'end' ? 'end of selector' : `"${token.text}"`);

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseSelector(): LabelRequirement[] {
    if (this.peek().type === 'end') {
      return [];
    }
    const requirements = [this.parseRequirement()];
    while (this.peek().type !== 'end') {
      this.expectSymbol(',', 'after a requirement');
      requirements.push(this.parseRequirement());
    }
    return requirements;
  }

  private parseRequirement(): LabelRequirement {
    if (this.isSymbol('!')) {
      this.next();
      return { key: this.parseKey(), operator: 'DoesNotExist' };
    }
    const key = this.parseKey();
    const token = this.peek();
    if (token.type === 'end' || this.isSymbol(',')) {
      return { key, operator: 'Exists' };
    }
    if (this.isSymbol('=') || this.isSymbol('==') || this.isSymbol('!=')) {
      this.next();
      return {
        key,
        operator: token.type === 'symbol' && token.text === '!=' ? 'NotIn' : 'In',
        values: [this.parseExactValue()],
      };
    }
    if (token.type === 'identifier' && (token.text === 'in' || token.text === 'notin')) {
      this.next();
      return { key, operator: token.text === 'in' ? 'In' : 'NotIn', values: this.parseValueSet() };
    }
    throw new SelectorSyntaxError(
      `expected "=", "==", "!=", "in", "notin" or "," after key "${key}", found ${describe(token)}`,
    );
  }

  private parseKey(): string {
    const token = this.next();
    if (token.type !== 'identifier') {
      throw new SelectorSyntaxError(`expected a label key, found ${describe(token)}`);
    }
    const problem = qualifiedNameProblem(token.text);
    if (problem !== undefined) {
      throw new SelectorSyntaxError(`invalid label ${problem}`);
    }
    return token.text;
  }

  /** The value after `=`, `==` or `!=`; it may be empty (`k=` selects the empty value). */
  private parseExactValue(): string {
    const token = this.peek();
    if (token.type === 'end' || this.isSymbol(',')) {
      return '';
    }
    this.next();
    if (token.type !== 'identifier') {
      throw new SelectorSyntaxError(`expected a label value, found ${describe(token)}`);
    }
    return this.checkValue(token.text);
  }

  /** `( v1, v2, … )`; as in Kubernetes an empty element (`()`, `(a,)`) stands for the empty value. */
  private parseValueSet(): string[] {
    this.expectSymbol('(', 'after "in" or "notin"');
    const values = new Set<string>();
    let current: string | undefined;
    for (;;) {
      const token = this.next();
      if (token.type === 'identifier' && current === undefined) {
        current = this.checkValue(token.text);
      } else if (token.type === 'symbol' && (token.text === ',' || token.text === ')')) {
        values.add(current ?? '');
        current = undefined;
        if (token.text === ')') {
          return [...values];
        }
      } else {
        throw new SelectorSyntaxError(`expected a label value, "," or ")" in a value set, found ${describe(token)}`);
      }
    }
  }

  private checkValue(value: string): string {
    const problem = labelValueProblem(value);
    if (problem !== undefined) {
      throw new SelectorSyntaxError(`invalid label ${problem}`);
    }
    return value;
  }

  private expectSymbol(symbol: Punctuation, where: string): void {
    const token = this.next();
    if (token.type !== 'symbol' || token.text !== symbol) {
      throw new SelectorSyntaxError(`expected "${symbol}" ${where}, found ${describe(token)}`);
    }
  }

  private isSymbol(symbol: Punctuation): boolean {
    const token = this.peek();
    return token.type === 'symbol' && token.text === symbol;
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') {
      this.position += 1;
    }
    return token;
  }
}
