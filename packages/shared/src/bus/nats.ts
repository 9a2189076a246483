import {
  AckPolicy,
  type ConnectionOptions,
  type ConsumerConfig,
  connect,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
  nanos,
  headers as natsHeaders,
  StorageType,
} from 'nats';
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
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
  streamOf,
  toBusMessage,
} from './types.ts';

export interface NatsBusOptions {
  url: string;
  /** Connection name shown by `nats server report connections`. */
  name?: string;
  /** How long JetStream remembers message ids. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** How long a delivered message may stay unacknowledged before redelivery. Default 60 s. */
  ackWaitMs?: number;
  /**
   * Copies of every stream and object bucket kept by a JetStream cluster (1, 3 or 5), so that
   * losing a node loses no message. Default 1, for a single server.
   */
  streamReplicas?: number;
  /**
   * Prefixes every subject, durable and bucket, so that several environments (or concurrent
   * test runs) share one NATS server without seeing each other. Handlers see plain subjects.
   */
  namespace?: string;
}

const MSG_ID_HEADER = 'Nats-Msg-Id';

/**
 * The connection options of a NATS URL. nats.js ignores the user info of a server URL, so
 * `nats://user:password@host` (or `nats://token@host`) is turned into `user`/`pass` (or `token`)
 * options; without this, a server that requires authentication refuses the connection.
 */
export function natsServerOptions(
  url: string,
): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token'> {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const servers = parsed.toString().replace(/\/$/, '');
  if (!user) return { servers };
  return pass ? { servers, user, pass } : { servers, token: user };
}

function toNatsHeaders(values: Headers): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  return h;
}

function fromNatsHeaders(h: MsgHdrs | undefined): Headers {
  const out: Headers = {};
  if (!h) return out;
  for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

/**
 * The JetStream adapter. Each subject domain (`tcs`, `hub`...) is one file-backed stream with a
 * deduplication window, created on first use; subscriptions are durable pull consumers, so every
 * replica using the same durable name shares the work.
 */
export async function createNatsBus(options: NatsBusOptions): Promise<Bus & { connection: NatsConnection }> {
  const nc = await connect({
    ...natsServerOptions(options.url),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  });
  const js: JetStreamClient = nc.jetstream();
  const jsm: JetStreamManager = await nc.jetstreamManager();
  const duplicateWindow = nanos(options.duplicateWindowMs ?? 120_000);
  const ackWait = nanos(options.ackWaitMs ?? 60_000);
  const replicas = options.streamReplicas ?? 1;
  const knownStreams = new Map<string, Promise<void>>();
  const ns = options.namespace;
  if (ns !== undefined && !/^[a-z0-9_-]+$/.test(ns))
    throw new Error(`namespace "${ns}" must be lower-case letters, digits, - or _`);
  const outer = (subject: string) => (ns ? `${ns}.${subject}` : subject);
  const inner = (subject: string) =>
    ns && subject.startsWith(`${ns}.`) ? subject.slice(ns.length + 1) : subject;
  const durableName = (durable: string) => (ns ? `${ns}_${durable}` : durable);
  // Requests travel outside every stream's subjects: a stream would answer them with a publish ack.
  const rpc = (subject: string) => `_rpc.${outer(subject)}`;

  const ensureStream = (subject: string): Promise<void> => {
    const name = streamOf(subject);
    let ready = knownStreams.get(name);
    if (!ready) {
      const domain = subject.split('.')[0]!;
      ready = jsm.streams.info(name).then(
        async (info) => {
          // Follows the setting when it changes (the cluster grew): JetStream moves the data.
          if (info.config.num_replicas === replicas) return;
          await jsm.streams.update(name, { ...info.config, num_replicas: replicas }).catch((error: Error) => {
            throw new Error(`stream ${name}: cannot keep ${replicas} replica(s): ${error.message}`);
          });
          // The stream elects a leader among its new peers; publishing before that gets a 503.
          for (let waited = 0; waited < 10_000; waited += 100) {
            const now = await jsm.streams.info(name);
            if (now.cluster?.leader && (now.cluster.replicas ?? []).every((r) => r.current)) return;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        },
        async () => {
          await jsm.streams
            .add({
              name,
              subjects: [`${domain}.>`],
              storage: StorageType.File,
              duplicate_window: duplicateWindow,
              num_replicas: replicas,
            })
            .catch((error: Error) => {
              throw new Error(
                `stream ${name}: cannot create it with ${replicas} replica(s): ${error.message}`,
              );
            });
        },
      );
      ready.catch(() => knownStreams.delete(name));
      knownStreams.set(name, ready);
    }
    return ready;
  };

  const publish = async (logical: string, data: Uint8Array | string | object, opts: PublishOptions = {}) => {
    const subject = outer(logical);
    await ensureStream(subject);
    const headers: Headers = { ...opts.headers };
    const correlationId = currentCorrelationId();
    if (correlationId && !headers[BUS_CORRELATION_HEADER]) headers[BUS_CORRELATION_HEADER] = correlationId;
    const ack = await js.publish(subject, encodePayload(data), {
      msgID: opts.msgId && ns ? `${ns}:${opts.msgId}` : opts.msgId,
      headers: Object.keys(headers).length > 0 ? toNatsHeaders(headers) : undefined,
    });
    return { duplicate: ack.duplicate };
  };

  const ensureConsumer = async (stream: string, opts: { durable: string; subject: string }) => {
    const config: Partial<ConsumerConfig> = {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: opts.subject,
      ack_wait: ackWait,
      // Deliveries are counted by us so that the last failure can be dead-lettered with its error.
      max_deliver: -1,
      max_ack_pending: 1_000,
    };
    try {
      await jsm.consumers.info(stream, opts.durable);
      await jsm.consumers.update(stream, opts.durable, { filter_subject: opts.subject, ack_wait: ackWait });
    } catch {
      await jsm.consumers.add(stream, config).catch(async (error: unknown) => {
        // Another replica created it between our two calls.
        await jsm.consumers.info(stream, opts.durable).catch(() => {
          throw error;
        });
      });
    }
  };

  const handle = async (
    m: JsMsg,
    opts: Required<Omit<SubscribeOptions, 'subject' | 'durable'>> & SubscribeOptions,
  ) => {
    const headers = fromNatsHeaders(m.headers);
    const msgId = headers[MSG_ID_HEADER];
    const message: BusMessage = toBusMessage({
      subject: inner(m.subject),
      data: m.data,
      headers,
      msgId: msgId && ns && msgId.startsWith(`${ns}:`) ? msgId.slice(ns.length + 1) : msgId,
      deliveryCount: m.info.redeliveryCount,
    });
    const correlationId = headers[BUS_CORRELATION_HEADER] ?? message.msgId ?? crypto.randomUUID();
    try {
      await withCorrelation(correlationId, () => opts.handler(message));
      m.ack();
    } catch (error) {
      if (message.deliveryCount >= opts.maxDeliver) {
        // Without the original Nats-Msg-Id: in a namespace the dead letter lives in the same
        // stream as the original, and JetStream would drop it as a duplicate.
        const { [MSG_ID_HEADER]: _, ...kept } = headers;
        await publish(deadLetterSubject(opts.durable, message.subject), m.data, {
          headers: {
            ...kept,
            ...(message.msgId ? { [DEAD_LETTER_HEADERS.msgId]: message.msgId } : {}),
            [DEAD_LETTER_HEADERS.error]: describeHandlerError(error),
            [DEAD_LETTER_HEADERS.subject]: message.subject,
            [DEAD_LETTER_HEADERS.durable]: opts.durable,
            [DEAD_LETTER_HEADERS.deliveries]: String(message.deliveryCount),
          },
        });
        m.term();
      } else {
        m.nak(backoffDelay(opts.backoffMs, message.deliveryCount));
      }
    }
  };

  return {
    kind: 'nats',
    connection: nc,
    publish,

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      const filter = outer(opts.subject);
      const durable = durableName(opts.durable);
      await ensureStream(filter);
      const stream = streamOf(filter);
      await ensureConsumer(stream, { durable, subject: filter });
      const full = {
        ...opts,
        maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
        backoffMs: opts.backoffMs ?? DEFAULT_BACKOFF_MS,
        concurrency: opts.concurrency ?? 1,
      };
      const consumer = await js.consumers.get(stream, durable);
      const messages = await consumer.consume({ max_messages: full.concurrency });
      const inFlight = new Set<Promise<void>>();
      const loop = (async () => {
        for await (const m of messages) {
          const job = handle(m, full).finally(() => inFlight.delete(job));
          inFlight.add(job);
          if (inFlight.size >= full.concurrency) await Promise.race(inFlight);
        }
      })();
      return {
        async stop() {
          await messages.close();
          await loop.catch(() => undefined);
          await Promise.allSettled([...inFlight]);
        },
      };
    },

    async request(subject, data, opts = {}) {
      const headers: Headers = { ...opts.headers };
      const correlationId = currentCorrelationId();
      if (correlationId) headers[BUS_CORRELATION_HEADER] = correlationId;
      const answer = await nc.request(rpc(subject), encodePayload(data), {
        timeout: opts.timeoutMs ?? 5_000,
        headers: toNatsHeaders(headers),
      });
      const answerHeaders = fromNatsHeaders(answer.headers);
      if (answerHeaders['Bus-Error'])
        throw new Error(`responder on "${subject}" failed: ${answerHeaders['Bus-Error']}`);
      return toBusMessage({
        subject,
        data: answer.data,
        headers: answerHeaders,
        msgId: undefined,
        deliveryCount: 1,
      });
    },

    async reply(subject, handler) {
      const sub = nc.subscribe(rpc(subject), { queue: 'responders' });
      const loop = (async () => {
        for await (const m of sub) {
          const headers = fromNatsHeaders(m.headers);
          const message = toBusMessage({
            subject: m.subject,
            data: m.data,
            headers,
            msgId: undefined,
            deliveryCount: 1,
          });
          const correlationId = headers[BUS_CORRELATION_HEADER] ?? crypto.randomUUID();
          try {
            const answer = await withCorrelation(correlationId, () => handler(message));
            m.respond(encodePayload(answer));
          } catch (error) {
            m.respond(encodePayload({ error: describeHandlerError(error) }), {
              headers: toNatsHeaders({ 'Bus-Error': describeHandlerError(error) }),
            });
          }
        }
      })();
      return {
        async stop() {
          await sub.drain();
          await loop;
        },
      };
    },

    async objects(bucket: string) {
      const os = await js.views.os(ns ? `${ns}_${bucket}` : bucket, { storage: StorageType.File, replicas });
      return {
        async put(name, data) {
          await os.putBlob({ name }, data);
        },
        async get(name) {
          return (await os.getBlob(name)) ?? undefined;
        },
        async delete(name) {
          await os.delete(name).catch(() => undefined);
        },
      };
    },

    async ping() {
      if (nc.isClosed()) throw new Error('NATS connection is closed');
      await nc.flush();
    },

    async close() {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
