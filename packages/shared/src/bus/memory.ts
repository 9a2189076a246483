import { BUS_CORRELATION_HEADER, currentCorrelationId, withCorrelation } from '../log.ts';
import {
  type Bus,
  type BusMessage,
  backoffDelay,
  DEAD_LETTER_HEADERS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_DELIVER,
  deadLetterSubject,
  describeHandlerError,
  encodePayload,
  type Headers,
  type ObjectStore,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
  subjectMatches,
  toBusMessage,
} from './types.ts';

interface Stored {
  subject: string;
  data: Uint8Array;
  headers: Headers;
  msgId: string | undefined;
}

interface Pending {
  message: Stored;
  deliveries: number;
  notBefore: number;
}

interface Worker {
  options: Required<Omit<SubscribeOptions, 'durable' | 'subject'>>;
  busy: number;
  stopped: boolean;
}

interface Durable {
  name: string;
  filter: string;
  /** Deliverable now, in order. */
  ready: Pending[];
  /** Waiting for their redelivery backoff. */
  delayed: Pending[];
  workers: Worker[];
  next: number;
  inFlight: Set<Promise<void>>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface MemoryBusOptions {
  /** How long a message id is remembered for deduplication (JetStream's default is 2 minutes). */
  duplicateWindowMs?: number;
  /** Messages kept per subject domain, so that a durable created later still sees them. */
  retainPerDomain?: number;
}

/**
 * The in-process bus for the single-process embedded mode: the same semantics as the
 * JetStream adapter (durables shared by subscribers, redelivery with backoff, dead letters,
 * deduplication by message id), nothing persisted across restarts.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
  const retain = options.retainPerDomain ?? 10_000;
  const log: Stored[] = [];
  const seenIds = new Map<string, number>();
  const durables = new Map<string, Durable>();
  const responders = new Map<
    string,
    { handlers: ((m: BusMessage) => Promise<Uint8Array | string | object>)[]; next: number }
  >();
  const buckets = new Map<string, Map<string, Uint8Array>>();
  let closed = false;

  const withCorrelationHeader = (headers: Headers = {}): Headers => {
    const correlationId = currentCorrelationId();
    return correlationId && !headers[BUS_CORRELATION_HEADER]
      ? { ...headers, [BUS_CORRELATION_HEADER]: correlationId }
      : { ...headers };
  };

  const isDuplicate = (msgId: string | undefined): boolean => {
    if (!msgId) return false;
    const now = Date.now();
    // Map keeps insertion order, so the oldest ids come first.
    for (const [id, at] of seenIds) {
      if (now - at <= duplicateWindowMs) break;
      seenIds.delete(id);
    }
    if (seenIds.has(msgId)) return true;
    seenIds.set(msgId, now);
    return false;
  };

  const schedule = (durable: Durable) => {
    if (durable.timer) clearTimeout(durable.timer);
    durable.timer = undefined;
    queueMicrotask(() => pump(durable));
  };

  const pump = (durable: Durable) => {
    const now = Date.now();
    if (durable.delayed.length > 0) {
      const due = durable.delayed.filter((p) => p.notBefore <= now);
      durable.delayed = durable.delayed.filter((p) => p.notBefore > now);
      durable.ready.push(...due);
    }
    while (durable.ready.length > 0) {
      const worker = pickWorker(durable);
      if (!worker) break;
      deliver(durable, worker, durable.ready.shift()!);
    }
    if (durable.delayed.length > 0 && !durable.timer) {
      const earliest = Math.min(...durable.delayed.map((p) => p.notBefore));
      durable.timer = setTimeout(() => {
        durable.timer = undefined;
        pump(durable);
      }, earliest - now);
    }
  };

  const pickWorker = (durable: Durable): Worker | undefined => {
    const live = durable.workers.filter((w) => !w.stopped);
    for (let k = 0; k < live.length; k++) {
      const worker = live[(durable.next + k) % live.length]!;
      if (worker.busy < worker.options.concurrency) {
        durable.next = (durable.next + k + 1) % live.length;
        return worker;
      }
    }
    return undefined;
  };

  const deliver = (durable: Durable, worker: Worker, pending: Pending) => {
    pending.deliveries += 1;
    worker.busy += 1;
    const { message } = pending;
    const busMessage = toBusMessage({
      ...message,
      headers: { ...message.headers },
      deliveryCount: pending.deliveries,
    });
    const correlationId = message.headers[BUS_CORRELATION_HEADER] ?? message.msgId ?? crypto.randomUUID();
    const run = withCorrelation(correlationId, () => worker.options.handler(busMessage))
      .then(
        () => undefined,
        async (error: unknown) => {
          if (pending.deliveries >= worker.options.maxDeliver) {
            await publish(deadLetterSubject(durable.name, message.subject), message.data, {
              headers: {
                ...message.headers,
                ...(message.msgId ? { [DEAD_LETTER_HEADERS.msgId]: message.msgId } : {}),
                [DEAD_LETTER_HEADERS.error]: describeHandlerError(error),
                [DEAD_LETTER_HEADERS.subject]: message.subject,
                [DEAD_LETTER_HEADERS.durable]: durable.name,
                [DEAD_LETTER_HEADERS.deliveries]: String(pending.deliveries),
              },
            });
          } else {
            pending.notBefore = Date.now() + backoffDelay(worker.options.backoffMs, pending.deliveries);
            durable.delayed.push(pending);
          }
        },
      )
      .finally(() => {
        worker.busy -= 1;
        durable.inFlight.delete(run);
        if (!closed) schedule(durable);
      });
    durable.inFlight.add(run);
  };

  const publish = async (subject: string, data: Uint8Array | string | object, opts: PublishOptions = {}) => {
    if (closed) throw new Error('bus is closed');
    if (isDuplicate(opts.msgId)) return { duplicate: true };
    const stored: Stored = {
      subject,
      data: encodePayload(data),
      headers: withCorrelationHeader(opts.headers),
      msgId: opts.msgId,
    };
    log.push(stored);
    if (log.length > retain * 8) log.splice(0, log.length - retain * 8);
    for (const durable of durables.values()) {
      if (subjectMatches(durable.filter, subject)) {
        durable.ready.push({ message: stored, deliveries: 0, notBefore: 0 });
        schedule(durable);
      }
    }
    return { duplicate: false };
  };

  return {
    kind: 'memory',
    publish,

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      let durable = durables.get(opts.durable);
      if (!durable) {
        durable = {
          name: opts.durable,
          filter: opts.subject,
          ready: log
            .filter((m) => subjectMatches(opts.subject, m.subject))
            .map((message) => ({ message, deliveries: 0, notBefore: 0 })),
          delayed: [],
          workers: [],
          next: 0,
          inFlight: new Set(),
          timer: undefined,
        };
        durables.set(opts.durable, durable);
      } else if (durable.filter !== opts.subject) {
        throw new Error(
          `durable "${opts.durable}" already filters "${durable.filter}", not "${opts.subject}"`,
        );
      }
      const worker: Worker = {
        options: {
          handler: opts.handler,
          maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
          backoffMs: opts.backoffMs ?? DEFAULT_BACKOFF_MS,
          concurrency: opts.concurrency ?? 1,
        },
        busy: 0,
        stopped: false,
      };
      durable.workers.push(worker);
      schedule(durable);
      const owner = durable;
      return {
        async stop() {
          worker.stopped = true;
          owner.workers = owner.workers.filter((w) => w !== worker);
          await Promise.allSettled([...owner.inFlight]);
        },
      };
    },

    async request(subject, data, opts = {}) {
      const entry = responders.get(subject);
      if (!entry || entry.handlers.length === 0) throw new Error(`no responders on "${subject}"`);
      const handler = entry.handlers[entry.next++ % entry.handlers.length]!;
      const message = toBusMessage({
        subject,
        data: encodePayload(data),
        headers: withCorrelationHeader(opts.headers),
        msgId: undefined,
        deliveryCount: 1,
      });
      const timeoutMs = opts.timeoutMs ?? 5_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = await Promise.race([
        handler(message),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`request on "${subject}" timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      return toBusMessage({
        subject,
        data: encodePayload(answer),
        headers: {},
        msgId: undefined,
        deliveryCount: 1,
      });
    },

    async reply(subject, handler) {
      const entry = responders.get(subject) ?? { handlers: [], next: 0 };
      entry.handlers.push(handler);
      responders.set(subject, entry);
      return {
        async stop() {
          entry.handlers = entry.handlers.filter((h) => h !== handler);
        },
      };
    },

    async objects(bucket: string): Promise<ObjectStore> {
      const store = buckets.get(bucket) ?? new Map<string, Uint8Array>();
      buckets.set(bucket, store);
      return {
        async put(name, data) {
          store.set(name, data.slice());
        },
        async get(name) {
          return store.get(name)?.slice();
        },
        async delete(name) {
          store.delete(name);
        },
      };
    },

    async ping() {
      if (closed) throw new Error('bus is closed');
    },

    async close() {
      closed = true;
      for (const durable of durables.values()) {
        if (durable.timer) clearTimeout(durable.timer);
        durable.workers.forEach((w) => {
          w.stopped = true;
        });
        await Promise.allSettled([...durable.inFlight]);
      }
    },
  };
}
