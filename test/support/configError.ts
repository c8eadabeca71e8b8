import { expect } from 'vitest';
import { ConfigError } from '../../src/configError.js';

/** Asserts a ConfigError naming `option`, with a one-line message that contains every fragment. */
export function expectConfigError(run: () => unknown, option: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.option).toBe(option);
  expect(error.message).not.toContain('\n');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}
