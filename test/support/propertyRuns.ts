/**
 * How long a property test runs, from the environment: `<NAME>_RUNS` sets the run count for a
 * longer search, FC_SEED replays a failure fast-check reported. A value that is not a whole number
 * stops the test file instead of silently running zero or NaN times.
 */
export function propertyRuns(envName: string, fallback: number): number {
  const given = process.env[envName];
  if (given === undefined) return fallback;
  if (!/^[1-9]\d{0,6}$/.test(given)) throw new Error(`${envName} must be a whole number of runs, got "${given}"`);
  return Number(given);
}

/** The seed fast-check printed for a failure (FC_SEED), or undefined for a fresh random one. */
export function propertySeed(): number | undefined {
  const given = process.env.FC_SEED;
  if (given === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(given)) throw new Error(`FC_SEED must be an integer seed, got "${given}"`);
  return Number(given);
}
