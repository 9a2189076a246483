import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** The header names that carry the correlation id across each transport. */
export const CORRELATION_HEADER = 'x-correlation-id';
export const BUS_CORRELATION_HEADER = 'Correlation-Id';

interface LogContext {
  correlationId: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with a correlation id that logs and outgoing messages pick up. */
export function withCorrelation<T>(correlationId: string, fn: () => T): T {
  return context.run({ correlationId }, fn);
}

/** The correlation id of the current request or message, if any. */
export function currentCorrelationId(): string | undefined {
  return context.getStore()?.correlationId;
}

/**
 * A pino JSON logger whose lines carry the current correlation id.
 * Patient data must never be passed to it: log ids, not names.
 */
export function createLogger(
  options: { service?: string; level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: options.service ? { service: options.service } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that prints nothing, for tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
