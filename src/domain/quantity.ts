/**
 * Kubernetes quantities as exact whole numbers (DESIGN §1).
 *
 * The gateway counts abstract things (clusters, servers, GPUs), so a quantity must come out as
 * a non-negative whole number no larger than 2^53−1 (the GraphQL SafeInt range). Parsing is exact
 * rational arithmetic on bigints: `0.5Ki` is 512 and `1.5k` is 1500, while `500m` is refused
 * because it is half of something. Floats never enter the computation.
 */

export const MAX_SAFE_QUANTITY = 2n ** 53n - 1n;

export class InvalidQuantityError extends Error {
  override readonly name = 'InvalidQuantityError';
  /** The input as text, untruncated. */
  readonly value: string;
  /** Why it was refused, e.g. `not a whole number`. */
  readonly reason: string;

  constructor(value: string, reason: string) {
    super(`invalid quantity ${quote(value)}: ${reason}`);
    this.value = value;
    this.reason = reason;
  }
}

/** Messages end up in logs and GraphQL errors: keep a pathological input from flooding them. */
const quote = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);

const TOO_LARGE = `larger than ${MAX_SAFE_QUANTITY} (2^53−1)`;
const NEGATIVE = 'negative';
const NOT_WHOLE = 'not a whole number';
const NOT_A_QUANTITY = 'not a Kubernetes quantity (expected e.g. "40", "10Gi", "2k")';

/** Decimal SI suffixes as powers of ten. */
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Binary SI suffixes as powers of 1024. */
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/**
 * sign, integer digits, fraction digits, then everything after the number. Kubernetes allows
 * `5.`, `.5` and `5.5`, but not a lone `.`; the suffix is validated separately so that an unknown
 * one gets its own message.
 */
const NUMBER = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(.*)$/s;
const EXPONENT = /^[eE]([+-]?\d+)$/;

/**
 * Parses a Kubernetes quantity (`40`, `10Gi`, `2k`, `1e3`) or a JS number/bigint into a whole
 * number in [0, 2^53−1]. Throws only {@link InvalidQuantityError}, whatever the input.
 */
export function parseQuantity(input: string | number | bigint): bigint {
  switch (typeof input) {
    case 'bigint':
      return checkRange(input, `${input}`);
    case 'number':
      return parseNumber(input);
    case 'string':
      return parseString(input);
    default:
      // Unreachable for typed callers; stored JSON can still smuggle anything in.
      throw new InvalidQuantityError(describe(input), 'not a string or a number');
  }
}

export type QuantityParseResult = { ok: true; value: bigint } | { ok: false; error: InvalidQuantityError };

/** For stored data of unknown shape: never throws, so a bad stored value becomes a reported problem. */
export function tryParseQuantity(raw: unknown): QuantityParseResult {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') {
    return { ok: false, error: new InvalidQuantityError(describe(raw), 'not a string or a number') };
  }
  try {
    return { ok: true, value: parseQuantity(raw) };
  } catch (error) {
    if (error instanceof InvalidQuantityError) return { ok: false, error };
    throw error;
  }
}

/** Plain decimal digits: the canonical Kubernetes form of a whole number, and what the gateway writes. */
export function formatQuantity(value: bigint): string {
  // Out of range here is a programming error (every written value was parsed or checked first).
  if (value < 0n || value > MAX_SAFE_QUANTITY) throw new RangeError(`quantity ${value} is out of range`);
  return value.toString();
}

/** Text for an arbitrary stored value, as shown in error messages. */
export function describe(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw === undefined) return 'undefined';
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

/** A loop, not `/0+$/`: that regex backtracks quadratically on long runs of zeros. */
function withoutTrailingZeros(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end -= 1;
  return digits.slice(0, end);
}

function checkRange(value: bigint, text: string): bigint {
  if (value < 0n) throw new InvalidQuantityError(text, NEGATIVE);
  if (value > MAX_SAFE_QUANTITY) throw new InvalidQuantityError(text, TOO_LARGE);
  return value;
}

function parseNumber(input: number): bigint {
  const text = String(input);
  if (!Number.isFinite(input)) throw new InvalidQuantityError(text, 'not a finite number');
  if (input < 0) throw new InvalidQuantityError(text, NEGATIVE);
  if (!Number.isInteger(input)) throw new InvalidQuantityError(text, NOT_WHOLE);
  // Beyond 2^53 a number has already lost precision: we cannot know what the writer meant.
  if (!Number.isSafeInteger(input)) throw new InvalidQuantityError(text, TOO_LARGE);
  return BigInt(input);
}

function parseString(input: string): bigint {
  if (input === '') throw new InvalidQuantityError(input, 'empty');
  if (input.trim() !== input) throw new InvalidQuantityError(input, 'surrounded by whitespace');
  const match = NUMBER.exec(input);
  if (!match) throw new InvalidQuantityError(input, NOT_A_QUANTITY);
  const sign = match[1];
  const intDigits = match[2] ?? '';
  const fracDigits = match[3] ?? match[4] ?? '';
  const suffix = match[5] ?? '';

  let decimalExponent: bigint;
  let binaryPower = 0;
  const exponent = EXPONENT.exec(suffix);
  if (exponent) {
    decimalExponent = BigInt(exponent[1] ?? '0');
  } else if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) {
    decimalExponent = BigInt(DECIMAL_SUFFIXES[suffix] ?? 0);
  } else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) {
    decimalExponent = 0n;
    binaryPower = BINARY_SUFFIXES[suffix] ?? 0;
  } else if (/^[A-Za-z]/.test(suffix)) {
    throw new InvalidQuantityError(input, `unknown suffix ${JSON.stringify(suffix)}`);
  } else {
    throw new InvalidQuantityError(input, NOT_A_QUANTITY);
  }

  // value = mantissa × 10^scale × 1024^binaryPower. Trailing fraction zeros carry no value;
  // dropping them keeps the mantissa (and the powers below) as small as the input allows.
  const fraction = withoutTrailingZeros(fracDigits);
  const mantissa = BigInt(`${intDigits}${fraction}` || '0');
  if (mantissa === 0n) return 0n; // `0`, `-0`, `0e999999999`: zero whatever the scale.
  if (sign === '-') throw new InvalidQuantityError(input, NEGATIVE);
  const scale = decimalExponent - BigInt(fraction.length);
  const multiplier = 1024n ** BigInt(binaryPower);

  if (scale >= 0n) {
    // mantissa ≥ 1, so 10^17 > 2^53 is already too much: refuse before computing a huge power.
    if (scale > 16n) throw new InvalidQuantityError(input, TOO_LARGE);
    return checkRange(mantissa * 10n ** scale * multiplier, input);
  }

  // Dividing by 10^s is whole only if 5^s divides the mantissa (1024^k supplies the 2s). Once
  // 5^s exceeds the mantissa that is impossible; 5^s > 10^digits ≥ mantissa when s > 2·digits.
  const divisorExponent = -scale;
  if (divisorExponent > 2n * BigInt(mantissa.toString().length)) throw new InvalidQuantityError(input, NOT_WHOLE);
  const numerator = mantissa * multiplier;
  const denominator = 10n ** divisorExponent;
  if (numerator % denominator !== 0n) throw new InvalidQuantityError(input, NOT_WHOLE);
  return checkRange(numerator / denominator, input);
}
