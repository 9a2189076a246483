import { type Bus, type BusMessage, deadLetterSubject, type Subscription } from './types.ts';

/** With the default delays, about a week of deliveries at most once a minute. */
export const DEAD_LETTER_MAX_DELIVER = 10_000;
export const DEAD_LETTER_BACKOFF_MS = [1_000, 5_000, 30_000, 60_000];

/**
 * Consumes what the durable `of` dead-lettered. Taking a dead letter in usually needs only the
 * database, so it is delivered again for days rather than a few times: dead-lettered once more,
 * it would land on a subject nobody reads, and be lost.
 *
 * @example
 * await subscribeDeadLetters(bus, { of: 'doc-converter', durable: 'doc-converter-dlq', handler });
 */
export function subscribeDeadLetters(
  bus: Bus,
  options: {
    of: string;
    durable: string;
    handler: (message: BusMessage) => Promise<void>;
    backoffMs?: number[];
  },
): Promise<Subscription> {
  return bus.subscribe({
    subject: deadLetterSubject(options.of, '>'),
    durable: options.durable,
    handler: options.handler,
    maxDeliver: DEAD_LETTER_MAX_DELIVER,
    backoffMs: options.backoffMs ?? DEAD_LETTER_BACKOFF_MS,
  });
}
