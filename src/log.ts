import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Structured logs: one JSON object per line on stderr, with the request id of the request being
 * served (kept in AsyncLocalStorage so deep code never has to thread it through).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit =
    (level: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (LEVELS[level] < threshold) return;
      const requestId = requestScope.getStore()?.requestId;
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level,
          message,
          ...(requestId ? { requestId } : {}),
          ...fields,
        }),
      );
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** For tests and library use: discards everything. */
export const silentLogger: Logger = createLogger({ write: () => {} });

/** Error details worth logging, including the cause chain. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  return {
    error: error.message,
    errorName: error.name,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}
