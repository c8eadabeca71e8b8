/** Bad configuration. The message is one line naming the option (flag or env var) and the bad value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The flag (`--port`) or environment variable (`PORT`) at fault, or `command`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** A value source for error messages: the flag as typed, or the environment variable name. */
export type Setting = { option: string; value: string };

/** Looks a setting up by flag, then environment variable; undefined when neither is set. */
export type SettingLookup = (flag: string, envName: string) => Setting | undefined;
