import { Kind } from 'graphql';
import { InvalidQuantityError, MAX_SAFE_QUANTITY, parseQuantity } from '../domain/quantity.js';
import { builder } from './builder.js';
import { badUserInput } from './inputErrors.js';

builder.scalarType('SafeInt', {
  description: 'An integer within ±(2^53−1), the range a JSON number holds exactly.',
  serialize: (value) => {
    const n = typeof value === 'bigint' ? value : BigInt(value);
    // Sums of stored values could exceed the range; failing loudly beats a silently rounded number.
    if (n > MAX_SAFE_QUANTITY || n < -MAX_SAFE_QUANTITY) throw new RangeError(`SafeInt out of range: ${n}`);
    return Number(n);
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw badUserInput(`SafeInt must be an integer within ±(2^53−1), got ${JSON.stringify(value)}`);
    }
    return value;
  },
  parseLiteral: (node) => {
    const value = node.kind === Kind.INT ? Number(node.value) : Number.NaN;
    if (!Number.isSafeInteger(value)) throw badUserInput(`SafeInt must be an integer within ±(2^53−1)`);
    return value;
  },
});

function parseQuantityInput(value: unknown): bigint {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw badUserInput(`Quantity must be a whole number or a Kubernetes quantity string, got ${JSON.stringify(value)}`);
  }
  try {
    return parseQuantity(value);
  } catch (error) {
    if (error instanceof InvalidQuantityError) throw badUserInput(error.message);
    throw error;
  }
}

builder.scalarType('Quantity', {
  description:
    'Input only: a non-negative whole number (`40`) or a Kubernetes quantity string (`"40"`, `"10Gi"`, `"2k"`, `"1e3"`). ' +
    'Fractions that do not come out whole (`"500m"`, `"1.5"`), negative values and values above 2^53−1 are refused.',
  serialize: () => {
    throw new TypeError('Quantity is an input-only scalar');
  },
  parseValue: parseQuantityInput,
  parseLiteral: (node) => {
    if (node.kind === Kind.STRING || node.kind === Kind.INT) {
      // The literal's text, not Number(text): a huge integer must be refused, not rounded.
      return parseQuantityInput(node.value);
    }
    throw badUserInput(`Quantity must be a whole number or a Kubernetes quantity string`);
  },
});
