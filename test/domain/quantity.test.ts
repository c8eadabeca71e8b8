import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatQuantity,
  InvalidQuantityError,
  MAX_SAFE_QUANTITY,
  parseQuantity,
  tryParseQuantity,
} from '../../src/domain/quantity.js';

/** Runs parseQuantity and returns the InvalidQuantityError it must throw. */
function refusal(input: string | number | bigint): InvalidQuantityError {
  try {
    parseQuantity(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidQuantityError);
    return error as InvalidQuantityError;
  }
  throw new Error(`expected ${String(input)} to be refused`);
}

describe('parseQuantity: accepted', () => {
  it.each<[string, bigint]>([
    ['0', 0n],
    ['40', 40n],
    ['+40', 40n],
    ['007', 7n],
    ['10Gi', 10737418240n],
    ['1Ki', 1024n],
    ['1Mi', 1048576n],
    ['1Ti', 1024n ** 4n],
    ['1Pi', 1024n ** 5n],
    ['2k', 2000n],
    ['3M', 3_000_000n],
    ['4G', 4_000_000_000n],
    ['5T', 5_000_000_000_000n],
    ['6P', 6_000_000_000_000_000n],
    ['1e3', 1000n],
    ['2E2', 200n],
    ['1e+3', 1000n],
    ['1000e-3', 1n],
    ['1.5k', 1500n],
    ['0.5Ki', 512n],
    ['.5Ki', 512n],
    ['0.0625Ki', 64n],
    ['0.0009765625Ki', 1n],
    ['5.', 5n],
    ['1.000', 1n],
    ['1000m', 1n],
    ['2000000u', 2n],
    ['3000000000n', 3n],
    ['1.5e1', 15n],
    ['9007199254740991', MAX_SAFE_QUANTITY],
    ['-0', 0n],
    ['0e999999999', 0n],
  ])('%s → %s', (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });

  it('accepts safe non-negative integers and bigints in range', () => {
    expect(parseQuantity(0)).toBe(0n);
    expect(parseQuantity(40)).toBe(40n);
    expect(parseQuantity(Number.MAX_SAFE_INTEGER)).toBe(MAX_SAFE_QUANTITY);
    expect(parseQuantity(0n)).toBe(0n);
    expect(parseQuantity(MAX_SAFE_QUANTITY)).toBe(MAX_SAFE_QUANTITY);
  });
});

describe('parseQuantity: refused', () => {
  it.each<[string, string]>([
    ['-1', 'negative'],
    ['-1.5', 'negative'],
    ['-1Ki', 'negative'],
    ['1.5', 'not a whole number'],
    ['500m', 'not a whole number'],
    ['1e-3', 'not a whole number'],
    ['0.1Ki', 'not a whole number'],
    ['1e-999999999', 'not a whole number'],
    ['10Xi', 'unknown suffix "Xi"'],
    ['10K', 'unknown suffix "K"'],
    ['10ki', 'unknown suffix "ki"'],
    ['1e', 'unknown suffix "e"'],
    ['', 'empty'],
    [' 40', 'surrounded by whitespace'],
    ['40 ', 'surrounded by whitespace'],
    ['40\n', 'surrounded by whitespace'],
    ['abc', 'not a Kubernetes quantity'],
    ['.', 'not a Kubernetes quantity'],
    ['Ki', 'not a Kubernetes quantity'],
    ['10 Gi', 'not a Kubernetes quantity'],
    ['1.2.3', 'not a Kubernetes quantity'],
    ['0x10', 'unknown suffix "x10"'],
    ['9007199254740992', 'larger than 9007199254740991'],
    ['8Pi', 'larger than'],
    ['1E', 'larger than'],
    ['1Ei', 'larger than'],
    ['1e17', 'larger than'],
    ['1e999999999', 'larger than'],
  ])('%j: %s', (input, reason) => {
    const error = refusal(input);
    expect(error.value).toBe(input);
    expect(error.message).toContain(reason);
    expect(error.message).toContain(`invalid quantity ${JSON.stringify(input)}`);
  });

  it('names the value and the reason in the message', () => {
    expect(refusal('500m').message).toBe('invalid quantity "500m": not a whole number');
    expect(refusal('500m').reason).toBe('not a whole number');
    expect(refusal('500m').name).toBe('InvalidQuantityError');
  });

  it('refuses numbers that are negative, fractional, unsafe or not finite', () => {
    expect(refusal(-1).reason).toBe('negative');
    expect(refusal(1.5).reason).toBe('not a whole number');
    expect(refusal(2 ** 53).reason).toContain('larger than');
    expect(refusal(1e21).reason).toContain('larger than');
    expect(refusal(Number.NaN).reason).toBe('not a finite number');
    expect(refusal(Number.POSITIVE_INFINITY).reason).toBe('not a finite number');
  });

  it('refuses bigints outside [0, 2^53−1]', () => {
    expect(refusal(-1n).reason).toBe('negative');
    expect(refusal(MAX_SAFE_QUANTITY + 1n).reason).toContain('larger than');
  });

  it('refuses huge exponents quickly', () => {
    const started = performance.now();
    for (const input of ['1e999999999', '1e-999999999', '1.5e99999999999999999999', '5e-99999999999999999999']) {
      expect(() => parseQuantity(input)).toThrow(InvalidQuantityError);
    }
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('stays fast on long adversarial inputs', () => {
    const long = 100_000;
    const started = performance.now();
    const refused = [
      `1.${'0'.repeat(long)}1`,
      `1.${'5'.repeat(long)}Ki`,
      '9'.repeat(long),
      `1e${'9'.repeat(long)}`,
      `1${'.'.repeat(long)}`,
      `${'1'.repeat(long)}x`,
    ];
    for (const input of refused) expect(() => parseQuantity(input)).toThrow(InvalidQuantityError);
    expect(parseQuantity(`0.${'0'.repeat(long)}`)).toBe(0n);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('truncates pathological values in the message but keeps them in value', () => {
    const long = 'x'.repeat(10_000);
    const error = refusal(long);
    expect(error.value).toBe(long);
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('tryParseQuantity', () => {
  it('returns the value or the error, never throws, whatever the stored shape', () => {
    expect(tryParseQuantity('10Gi')).toEqual({ ok: true, value: 10737418240n });
    for (const raw of [undefined, null, true, {}, [], { a: 1 }, Symbol('x'), '500m', -3]) {
      const result = tryParseQuantity(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBeInstanceOf(InvalidQuantityError);
    }
  });
});

describe('formatQuantity', () => {
  it('writes plain decimal', () => {
    expect(formatQuantity(0n)).toBe('0');
    expect(formatQuantity(10737418240n)).toBe('10737418240');
    expect(formatQuantity(MAX_SAFE_QUANTITY)).toBe('9007199254740991');
  });

  it('refuses values that are not valid quantities (a caller bug)', () => {
    expect(() => formatQuantity(-1n)).toThrow(RangeError);
    expect(() => formatQuantity(MAX_SAFE_QUANTITY + 1n)).toThrow(RangeError);
  });
});

describe('properties', () => {
  const quantity = fc.bigInt({ min: 0n, max: MAX_SAFE_QUANTITY });

  it('parseQuantity(formatQuantity(n)) === n', () => {
    fc.assert(fc.property(quantity, (n) => parseQuantity(formatQuantity(n)) === n));
  });

  it('a binary suffix multiplies by a power of 1024 exactly', () => {
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.nat({ max: 6 }), (n, power) => {
        const expected = n * 1024n ** BigInt(power);
        const result = tryParseQuantity(`${n}${suffixes[power]}`);
        return expected <= MAX_SAFE_QUANTITY ? result.ok && result.value === expected : !result.ok;
      }),
    );
  });

  it('a decimal fraction with a suffix is exact', () => {
    const suffixes: [string, bigint][] = [
      ['', 1n],
      ['k', 1000n],
      ['M', 10n ** 6n],
      ['Ki', 1024n],
      ['Mi', 1024n ** 2n],
      ['Gi', 1024n ** 3n],
    ];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.nat({ max: 14 }),
        fc.constantFrom(...suffixes),
        (digits, fractionLength, [suffix, multiplier]) => {
          const text = digits.toString().padStart(fractionLength + 1, '0');
          const cut = text.length - fractionLength;
          const input = `${text.slice(0, cut)}${fractionLength > 0 ? '.' : ''}${text.slice(cut)}${suffix}`;
          const numerator = digits * multiplier;
          const denominator = 10n ** BigInt(fractionLength);
          const result = tryParseQuantity(input);
          const value = numerator / denominator;
          return numerator % denominator === 0n && value <= MAX_SAFE_QUANTITY
            ? result.ok && result.value === value
            : !result.ok;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a decimal exponent agrees with multiplying out', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.integer({ min: -20, max: 20 }), (n, e) => {
        const result = tryParseQuantity(`${n}e${e}`);
        const denominator = e < 0 ? 10n ** BigInt(-e) : 1n;
        const numerator = e > 0 ? n * 10n ** BigInt(e) : n;
        const whole = numerator % denominator === 0n;
        const value = numerator / denominator;
        return whole && value <= MAX_SAFE_QUANTITY ? result.ok && result.value === value : !result.ok;
      }),
    );
  });

  it('throws nothing but InvalidQuantityError on arbitrary strings', () => {
    const quantityLike = fc.stringMatching(
      /^[+-]?\d{0,20}(\.\d{0,20})?([eE][+-]?\d{0,25}|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/,
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), quantityLike), (input) => {
        try {
          const value = parseQuantity(input);
          return value >= 0n && value <= MAX_SAFE_QUANTITY;
        } catch (error) {
          return error instanceof InvalidQuantityError && error.value === input;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
