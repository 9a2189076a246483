import { createLogger, type Logger } from '../log.ts';

/** One line a service logged, as pino wrote it (`level`: 20 debug, 30 info, 40 warn, 50 error). */
export interface LoggedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/**
 * A logger configured as in production that keeps its lines, for tests about what a service
 * says (and what it keeps quiet about).
 *
 * @example
 * const { logger, lines } = recordingLogger();
 * const svc = await startServiceForTest(vetGateway, { logger });
 * expect(lines.filter((l) => l.level >= 30)).toEqual([]);
 */
export function recordingLogger(level = 'debug'): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LoggedLine) },
  });
  return { logger, lines };
}
