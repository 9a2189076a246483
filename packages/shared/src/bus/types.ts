/** Headers of a bus message; names are case-sensitive, as in NATS. */
export type Headers = Record<string, string>;

export interface PublishOptions {
  /** Deduplication key (`Nats-Msg-Id`): a second publish with the same id is dropped. */
  msgId?: string;
  headers?: Headers;
}

export interface PublishResult {
  /** True when the message id was seen before and the message was dropped. */
  duplicate: boolean;
}

/** A message as a handler receives it. */
export interface BusMessage {
  subject: string;
  data: Uint8Array;
  headers: Headers;
  /** The message id it was published with, when there was one. */
  msgId: string | undefined;
  /** 1 on the first delivery, then 2, 3... */
  deliveryCount: number;
  json<T = unknown>(): T;
  text(): string;
}

export interface SubscribeOptions {
  /** Subject filter, NATS wildcards allowed (`tcs.documents.*`, `hub.inbound.>`). */
  subject: string;
  /** Durable name: every subscriber using it (any replica) shares one position and the work. */
  durable: string;
  handler: (message: BusMessage) => Promise<void>;
  /** Deliveries before the message goes to the dead-letter subject. Default 5. */
  maxDeliver?: number;
  /** Delay before redelivery n (index n-1); the last value repeats. Default 1s, 5s, 30s. */
  backoffMs?: number[];
  /** Messages handled at once by this subscriber. Default 1, which keeps order. */
  concurrency?: number;
}

export interface Subscription {
  /** Stops pulling; waits for the messages in hand to finish. */
  stop(): Promise<void>;
}

/** Large payloads: stored once, referenced by name in messages. */
export interface ObjectStore {
  put(name: string, data: Uint8Array): Promise<void>;
  get(name: string): Promise<Uint8Array | undefined>;
  delete(name: string): Promise<void>;
}

/**
 * The one messaging interface of the platform. Two adapters implement it: NATS JetStream
 * (`createNatsBus`) and in-process (`createMemoryBus`); one contract suite tests both.
 *
 * Subjects are `<domain>.<event>...`; every domain gets its own stream, created on demand.
 */
export interface Bus {
  readonly kind: 'nats' | 'memory';
  publish(
    subject: string,
    data: Uint8Array | string | object,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Request/reply for queries that need an answer now (not persisted). */
  request(
    subject: string,
    data: Uint8Array | string | object,
    options?: { timeoutMs?: number; headers?: Headers },
  ): Promise<BusMessage>;
  /** Answers requests on a subject; replicas share them (queue group). */
  reply(
    subject: string,
    handler: (message: BusMessage) => Promise<Uint8Array | string | object>,
  ): Promise<Subscription>;
  objects(bucket: string): Promise<ObjectStore>;
  /** Throws when the bus is unreachable, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Headers the bus itself sets on dead-lettered messages. */
export const DEAD_LETTER_HEADERS = {
  error: 'Dead-Letter-Error',
  subject: 'Dead-Letter-Subject',
  durable: 'Dead-Letter-Durable',
  deliveries: 'Dead-Letter-Deliveries',
  /** The message id of the original publication, if it had one. */
  msgId: 'Dead-Letter-Msg-Id',
} as const;

/** Where a message that failed `maxDeliver` times goes: `dlq.<durable>.<original subject>`. */
export const deadLetterSubject = (durable: string, subject: string): string => `dlq.${durable}.${subject}`;

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000];

/** The wait before the next delivery, after `deliveryCount` failed ones. */
export function backoffDelay(backoffMs: number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes for a payload: bytes pass through, strings are UTF-8, objects are JSON. */
export function encodePayload(data: Uint8Array | string | object): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return encoder.encode(data);
  return encoder.encode(JSON.stringify(data));
}

export function decodeText(data: Uint8Array): string {
  return decoder.decode(data);
}

/** Builds the message object handlers receive, whatever the adapter. */
export function toBusMessage(parts: Omit<BusMessage, 'json' | 'text'>): BusMessage {
  return {
    ...parts,
    text: () => decoder.decode(parts.data),
    json: <T>() => JSON.parse(decoder.decode(parts.data)) as T,
  };
}

/** The stream a subject belongs to: its first token, upper-cased (`tcs.documents.x` -> `TCS`). */
export function streamOf(subject: string): string {
  const domain = subject.split('.')[0];
  if (!domain || domain.includes('*') || domain.includes('>')) {
    throw new Error(`subject "${subject}" must start with a literal domain token`);
  }
  return domain.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
}

/** NATS subject matching: `*` one token, `>` the rest. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** The reason carried by a dead letter: the handler's error message, bounded. */
export function describeHandlerError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/[\r\n]+/g, ' ').slice(0, 1_000);
}
