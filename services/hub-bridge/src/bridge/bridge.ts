import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Bus, currentCorrelationId, type Logger, withCorrelation } from '@hip/shared';
import {
  HUB_SUBJECTS,
  type HubAcknowledged,
  type HubErrorEvent,
  type HubInbound,
  type HubOutbound,
  type HubOutboundRejected,
} from '@hip/shared/schemas';
import type { Delivery, HubConnection } from '../adapters/amqp-connection.ts';
import { PublishRefusedError } from '../adapters/amqp-connection.ts';
import type { MessageRow } from '../db/schema.ts';
import { describeDatabaseError, type TraceStore } from '../db/trace-store.ts';
import { CONTENT_TYPES, decodeBody, encodeBody, type HubFormat } from '../domain/codec.ts';
import {
  buildMessage,
  type DistributionKind,
  type Edxl,
  headerOf,
  queueKindOf,
  rcRefContent,
  rsErrorContent,
  summarize,
} from '../domain/envelope.ts';
import {
  HUB_ERROR_CODES,
  type HubErrorCode,
  HubMessageError,
  storableErrorCode,
} from '../domain/hub-errors.ts';
import { typeByName } from '../domain/message-types.ts';
import type { FieldError, HubValidator } from '../domain/validation.ts';
import { Batcher } from './batcher.ts';

export interface BridgeOptions {
  clientId: string;
  format: HubFormat;
  /** How long a sent message stays deliverable (EDXL `dateTimeExpires`). */
  ttlMs: number;
  senderName?: string;
}

/** A request refused before anything left: the Hub code, the cause, the schema errors. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
  constructor(
    readonly code: HubErrorCode,
    readonly cause_: string,
    readonly errors: FieldError[],
  ) {
    super(`${code} ${HUB_ERROR_CODES[code]}: ${cause_}`);
  }
}

const SENT_FINAL = ['acknowledged', 'refused', 'error', 'expired'];

/**
 * The states an RC-REF moves a sent message from. `error`/`expired`: the recipient got it
 * after all. Not from `acknowledged`/`refused`: a duplicate RC-REF changes nothing.
 */
const ACKNOWLEDGEABLE = ['pending', 'confirmed', 'error', 'expired'];

/** Deliveries of a Hub delivery whose processing fails before it is parked (about 1 s apart). */
const MAX_DELIVERY_ATTEMPTS = 5;

/** Longest raw `statusCode` quoted in a trace cause when it is not a storable code. */
const RAW_CODE_QUOTE = 40;

/**
 * The connector itself: LRM requests -> EDXL-DE + RC-DE -> Hub, and Hub deliveries ->
 * validation -> our bus -> RC-REF, with every step written to the trace.
 */
export class HubBridge {
  constructor(
    private readonly deps: {
      store: TraceStore;
      bus: Bus;
      validator: HubValidator;
      /** One connection per vHost; empty when the bridge is idle (no Hub configured). */
      connections: Map<string, HubConnection>;
      logger: Logger;
      options: BridgeOptions;
      now?: () => Date;
    },
  ) {}

  /** Failed attempts of the deliveries being retried, by queue and bytes. */
  private readonly failures = new Map<string, number>();

  /** Publisher confirms written to the trace together (one statement per burst). */
  private readonly confirmed = new Batcher<string>(
    (ids) => this.deps.store.confirmMany(ids, this.now()),
    // Left `pending`: re-published at next start, and the receiver deduplicates.
    (error, ids) =>
      this.deps.logger.error(
        { err: String(error), count: ids.length },
        'publisher confirms not written to the trace',
      ),
  );

  /** Resolves once the confirms received so far are in the trace (before closing the database). */
  settled(): Promise<void> {
    return this.confirmed.settled();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  get idle(): boolean {
    return this.deps.connections.size === 0;
  }

  get vhosts(): string[] {
    return [...this.deps.connections.keys()];
  }

  /** Starts consuming every vHost and re-publishes what a previous run left unconfirmed. */
  async start(): Promise<void> {
    for (const [vhost, connection] of this.deps.connections) {
      connection.start((delivery) => this.onDelivery(vhost, delivery));
    }
    for (const row of await this.deps.store.pendingSent()) this.publishRow(row);
  }

  /**
   * Sends a business message. Validated against the official schemas first: a message the
   * Hub would refuse never leaves. Returns once it is in the trace (`pending`); the publisher
   * confirm moves it to `confirmed`, the recipient's RC-REF to `acknowledged`.
   */
  async send(request: HubOutbound): Promise<MessageRow> {
    const { options } = this.deps;
    const vhost = request.vhost ?? this.vhosts[0];
    if (this.idle || !vhost) {
      throw new AppError('UNAVAILABLE', 'hub-bridge is idle: no Hub connection is configured (HUB_AMQP_URL)');
    }
    if (!this.deps.connections.has(vhost)) {
      // Refused at once: retrying cannot make a vhost appear.
      return this.reject(request, 300, `vhost "${vhost}" is not configured`, [
        { path: '/vhost', message: `is not one of HUB_VHOSTS (${this.vhosts.join(', ')})` },
      ]);
    }
    const type = typeByName(request.type);
    const format = request.format ?? options.format;
    if (!type) {
      return this.reject(request, 301, `unknown message type "${request.type}"`, [
        { path: '/type', message: 'is not a Hub Santé message type' },
      ]);
    }
    const now = this.now();
    const edxl = buildMessage({
      senderId: options.clientId,
      recipientId: request.recipient,
      type,
      content: request.content,
      ...(request.kind ? { kind: request.kind } : {}),
      ...(request.status ? { status: request.status } : {}),
      ...(request.customContent ? { customContent: request.customContent } : {}),
      ...(options.senderName ? { senderName: options.senderName } : {}),
      now,
      uniqueId: randomUUID(),
      ttlMs: options.ttlMs,
    });
    const verdict = this.deps.validator.validateMessage(edxl);
    if (!verdict.ok) return this.reject(request, verdict.code, verdict.cause, verdict.errors);
    const { row, created } = await this.deps.store.insert(
      {
        distributionId: edxl.distributionID,
        direction: 'sent',
        type: type.type,
        kind: edxl.distributionKind,
        peer: request.recipient,
        vhost,
        format,
        state: 'pending',
        reference: request.reference ?? null,
        body: encodeBody(edxl, format),
      },
      { state: 'pending', detail: 'validated, publishing' },
      now,
    );
    if (created) this.publishRow(row);
    return row;
  }

  private async reject(
    request: HubOutbound,
    code: HubErrorCode,
    cause: string,
    errors: FieldError[],
  ): Promise<never> {
    const event: HubOutboundRejected = {
      recipient: request.recipient,
      type: request.type,
      code,
      cause,
      errors,
      ...(request.reference ? { reference: request.reference } : {}),
    };
    await this.deps.bus.publish(HUB_SUBJECTS.outboundRejected, event);
    throw new OutboundRefusedError(code, cause, errors);
  }

  /** Hands a trace row to its connection; the confirm (or refusal) is written back to the trace. */
  private publishRow(row: MessageRow): void {
    const connection = this.deps.connections.get(row.vhost);
    if (!connection) {
      this.deps.logger.warn(
        { distributionId: row.distributionId, vhost: row.vhost },
        'pending message on an unconfigured vhost',
      );
      return;
    }
    connection
      .publish({
        body: row.body,
        contentType: CONTENT_TYPES[row.format],
        messageId: row.distributionId,
        correlationId: currentCorrelationId(),
      })
      .then(
        () => this.confirmed.add(row.distributionId),
        (error: Error) =>
          error instanceof PublishRefusedError
            ? this.deps.store.update(
                row.distributionId,
                { state: 'error', errorCause: error.message },
                { state: 'error', detail: error.message },
                this.now(),
                ['pending'],
              )
            : undefined, // closing: stays pending, re-published at next start
      )
      .catch((error) => this.deps.logger.error({ err: String(error) }, 'trace update after publish failed'));
  }

  /** Sends a reply (RC-REF, RS-ERROR) on the vHost the message came from, and waits for its confirm. */
  private async reply(
    vhost: string,
    recipientId: string,
    typeName: 'RC-REF' | 'RS-ERROR',
    content: unknown,
    kind: DistributionKind,
  ): Promise<Edxl> {
    const edxl = this.buildReply(recipientId, typeName, content, kind);
    await this.publishReply(vhost, edxl);
    return edxl;
  }

  private buildReply(
    recipientId: string,
    typeName: 'RC-REF' | 'RS-ERROR',
    content: unknown,
    kind: DistributionKind,
  ): Edxl {
    const type = typeByName(typeName);
    if (!type) throw new Error(`${typeName} missing from the type table`);
    return buildMessage({
      senderId: this.deps.options.clientId,
      recipientId,
      type,
      content,
      kind,
      now: this.now(),
      uniqueId: randomUUID(),
      ttlMs: this.deps.options.ttlMs,
    });
  }

  private async publishReply(vhost: string, edxl: Edxl): Promise<void> {
    const connection = this.deps.connections.get(vhost);
    if (!connection) throw new Error(`no connection for vhost ${vhost}`);
    const format = this.deps.options.format;
    await connection.publish({
      body: encodeBody(edxl, format),
      contentType: CONTENT_TYPES[format],
      messageId: edxl.distributionID,
      correlationId: currentCorrelationId(),
    });
  }

  /**
   * One AMQP delivery; resolving acks it, throwing requeues it. On every queue, a delivery
   * whose processing keeps failing is parked after a few attempts rather than requeued forever.
   */
  onDelivery(vhost: string, delivery: Delivery): Promise<void> {
    // The sender's correlation id follows the message onto our bus, into our replies and logs.
    const correlationId =
      delivery.correlationId ?? delivery.messageId ?? this.distributionIdOf(delivery) ?? randomUUID();
    return withCorrelation(correlationId, () => this.handle(vhost, delivery));
  }

  private distributionIdOf(delivery: Delivery): string | undefined {
    try {
      return summarize(this.decode(delivery)).distributionId || undefined;
    } catch {
      return undefined; // unreadable: parked under an id of its own
    }
  }

  private async handle(vhost: string, delivery: Delivery): Promise<void> {
    const key = createHash('sha256').update(`${delivery.queue}\n`).update(delivery.body).digest('hex');
    try {
      await this.process(vhost, delivery);
      this.failures.delete(key);
    } catch (error) {
      const attempts = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempts);
      if (attempts < MAX_DELIVERY_ATTEMPTS) throw error; // requeued: a dependency may be back in a moment
      // Still counted if parking fails too (database down): parked at the next delivery.
      await this.parkFailing(vhost, delivery, error, attempts);
      this.failures.delete(key);
    }
  }

  private process(vhost: string, delivery: Delivery): Promise<void> {
    if (delivery.queue === 'ack') return this.onAck(vhost, delivery);
    if (delivery.queue === 'info') return this.onInfo(vhost, delivery);
    return this.onMessage(vhost, delivery);
  }

  /**
   * A delivery whose processing keeps failing (our bus down, a bug): parked with the error
   * rather than requeued forever, retryable from the trace. The sender of a business message
   * or an RC-REF is told with a 700; a report on `.info` is not answered (two bridges would
   * otherwise trade error reports about each other's reports).
   */
  private async parkFailing(vhost: string, delivery: Delivery, error: unknown, attempts: number) {
    let summary: ReturnType<typeof summarize> | undefined;
    try {
      summary = summarize(this.decode(delivery));
    } catch {
      // unreadable: parked under an id derived from its bytes, nobody to answer
    }
    const cause = `processing failed ${attempts} times: ${safeErrorMessage(error)} (on .${delivery.queue})`;
    this.deps.logger.error(
      { distributionId: summary?.distributionId, err: cause },
      'received message parked',
    );
    const base = {
      distributionId:
        summary?.distributionId ||
        `noid_${createHash('sha256').update(delivery.body).digest('hex').slice(0, 32)}`,
      direction: 'received' as const,
      type: summary?.type?.type ?? 'unknown',
      kind: summary?.kind || 'unknown',
      peer: summary?.senderId || 'unknown',
      vhost,
      format: formatOf(delivery),
      body: delivery.body,
    };
    const answerTo = delivery.queue === 'info' ? '' : (summary?.senderId ?? '');
    await this.park(base, 700, cause, answerTo, vhost, this.now());
  }

  private decode(delivery: Delivery): unknown {
    return decodeBody(delivery.body, delivery.contentType, this.deps.validator);
  }

  private async onMessage(vhost: string, delivery: Delivery): Promise<void> {
    const now = this.now();
    const decoded = await this.decodeOrPark(vhost, delivery);
    if (!decoded) return;
    const { body, summary } = decoded;
    const existing = summary.distributionId ? await this.deps.store.get(summary.distributionId) : undefined;
    if (existing && existing.direction === 'received' && existing.state !== 'received') return; // redelivery
    const verdict = this.deps.validator.validateMessage(body);
    const base = this.receivedRow(vhost, delivery, summary);
    if (!verdict.ok) {
      await this.park(base, verdict.code, verdict.cause, summary.senderId, vhost, now);
      return;
    }
    const edxl = body as Edxl;
    const message = edxl.content[0]?.jsonContent.embeddedJsonContent.message ?? {};
    const inbound: HubInbound = {
      distributionId: summary.distributionId,
      senderId: summary.senderId,
      recipientId: summary.recipientId,
      type: verdict.type.type,
      kind: edxl.distributionKind,
      vhost,
      receivedAt: now.toISOString(),
      header: headerOf(message),
      content: summary.content,
      customContent: edxl.content
        .slice(1)
        .map((c) => c.jsonContent.embeddedJsonContent.message.customContent)
        .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object'),
    };
    // Durably on our bus first (deduplicated by distributionID), then the trace naming the
    // RC-REF, then the RC-REF, then the AMQP ack. The trace is written before the RC-REF leaves
    // because the Hub's report about that RC-REF can come back on .info at once, and it is
    // matched to this message by the RC-REF's id. A crash in between redelivers: the bus drops
    // the duplicate and the sender gets a second RC-REF for the same message, which it already
    // treats as one.
    await this.deps.bus.publish(HUB_SUBJECTS.inbound(verdict.type.type), inbound, {
      msgId: summary.distributionId,
    });
    const ref = this.buildReply(summary.senderId, 'RC-REF', rcRefContent(summary.distributionId), 'Ack');
    const received = { state: 'received', ackDistributionId: ref.distributionID };
    const onBus = { state: 'received', detail: 'published on the bus' };
    const { created } = await this.deps.store.insert({ ...base, ...received }, onBus, now);
    if (!created) {
      // A parked message re-processed, or a redelivery after a crash: its row exists already.
      await this.deps.store.update(summary.distributionId, received, onBus, this.now());
    }
    await this.publishReply(vhost, ref);
    await this.deps.store.update(
      summary.distributionId,
      { state: 'delivered', acknowledgedAt: this.now() },
      { state: 'delivered', detail: `RC-REF ${ref.distributionID} sent` },
      this.now(),
    );
  }

  /** The trace row of a received delivery, before its state. */
  private receivedRow(vhost: string, delivery: Delivery, summary: ReturnType<typeof summarize>) {
    return {
      distributionId: summary.distributionId || `noid_${randomUUID()}`,
      direction: 'received' as const,
      type: summary.type?.type ?? 'unknown',
      kind: summary.kind || 'unknown',
      peer: summary.senderId || 'unknown',
      vhost,
      format: formatOf(delivery),
      body: delivery.body,
    };
  }

  /** An invalid received message: parked with its reason, and the sender told with an RS-ERROR. */
  private async park(
    base: Omit<Parameters<TraceStore['insert']>[0], 'state'>,
    code: HubErrorCode,
    cause: string,
    senderId: string,
    vhost: string,
    now: Date,
  ): Promise<void> {
    const { created } = await this.deps.store.insert(
      { ...base, state: 'parked', errorCode: code, errorCause: cause },
      { state: 'parked', detail: `${code} ${cause}` },
      now,
    );
    if (!created) {
      // A retried message still invalid: back to parked, and the sender was already told.
      await this.deps.store.update(
        base.distributionId,
        { state: 'parked', errorCode: code, errorCause: cause },
        { state: 'parked', detail: `${code} ${cause}` },
        now,
      );
      return;
    }
    if (!senderId) return;
    const error = await this.reply(
      vhost,
      senderId,
      'RS-ERROR',
      rsErrorContent({
        code,
        statusString: HUB_ERROR_CODES[code],
        cause,
        referencedDistributionId: base.distributionId,
      }),
      'Error',
    );
    await this.deps.store.update(
      base.distributionId,
      {},
      { state: 'parked', detail: `RS-ERROR ${error.distributionID} sent to ${senderId}` },
      this.now(),
    );
  }

  /**
   * `.ack`: an RC-REF moves the sent message it references to `acknowledged` (or `refused`),
   * once. Anything else is parked with its code and the sender told, like an invalid message.
   */
  private async onAck(vhost: string, delivery: Delivery): Promise<void> {
    const decoded = await this.decodeOrPark(vhost, delivery);
    if (!decoded) return;
    const { body, summary } = decoded;
    const now = this.now();
    const base = this.receivedRow(vhost, delivery, summary);
    const existing = summary.distributionId ? await this.deps.store.get(summary.distributionId) : undefined;
    // Redelivery of an RC-REF already parked (`received`: a retry re-processing it).
    if (existing?.direction === 'received' && existing.state !== 'received') return;
    const verdict = this.deps.validator.validateMessage(body);
    if (!verdict.ok) return this.park(base, verdict.code, verdict.cause, summary.senderId, vhost, now);
    if (verdict.type.type !== 'RC-REF') {
      const cause = `a ${verdict.type.type} came on the acknowledgement queue, only RC-REF is expected there`;
      return this.park(base, 300, cause, summary.senderId, vhost, now);
    }
    const referenced = summary.content as { distributionID: string; refused?: boolean };
    const target = await this.deps.store.get(referenced.distributionID);
    if (target?.direction !== 'sent') {
      const cause = `RC-REF for ${referenced.distributionID}, a message we did not send`;
      return this.park(base, 702, cause, summary.senderId, vhost, now);
    }
    const refused = referenced.refused === true;
    const state = refused ? 'refused' : 'acknowledged';
    const detail = `RC-REF ${summary.distributionId} from ${summary.senderId}`;
    const row = await this.deps.store.update(
      referenced.distributionID,
      { state, ackDistributionId: summary.distributionId, acknowledgedAt: now },
      { state, detail },
      now,
      ACKNOWLEDGEABLE,
    );
    if (!row && target.ackDistributionId !== summary.distributionId) {
      // A second RC-REF (the recipient got a redelivery): noted, the first one stands.
      await this.deps.store.update(
        referenced.distributionID,
        {},
        { state: target.state, detail: `${detail} ignored: already ${target.state}` },
        now,
      );
      return;
    }
    // `row` unset: this very RC-REF again, its event maybe not published (our bus failed).
    const acknowledged = row ?? target;
    const event: HubAcknowledged = {
      distributionId: referenced.distributionID,
      ...(acknowledged.reference ? { reference: acknowledged.reference } : {}),
      ackDistributionId: summary.distributionId,
      recipientId: summary.senderId,
      refused,
      at: now.toISOString(),
    };
    // One event per acknowledged message, whichever RC-REF it came with: the bus drops a repeat.
    await this.deps.bus.publish(HUB_SUBJECTS.acknowledged, event, {
      msgId: `ack_${referenced.distributionID}`,
    });
  }

  /** `.info`: RS-ERROR reports, mapped onto the trace of the message they reference. */
  private async onInfo(vhost: string, delivery: Delivery): Promise<void> {
    const decoded = await this.decodeOrPark(vhost, delivery);
    if (!decoded) return;
    const { summary } = decoded;
    const now = this.now();
    const report = (summary.content ?? {}) as {
      errorCode?: { statusCode?: unknown; statusString?: unknown };
      errorCause?: unknown;
      referencedDistributionID?: unknown;
    };
    // Reports are recorded even when malformed: they are the only word of a delivery problem.
    const rawCode = report.errorCode?.statusCode;
    const code = storableErrorCode(rawCode);
    const statusString =
      typeof report.errorCode?.statusString === 'string'
        ? report.errorCode.statusString
        : (HUB_ERROR_CODES[code as HubErrorCode] ?? 'UNKNOWN');
    const reported = typeof report.errorCause === 'string' ? report.errorCause : '';
    const cause =
      code === null && rawCode !== undefined
        ? `${reported} (statusCode ${JSON.stringify(rawCode)?.slice(0, RAW_CODE_QUOTE)} is not an error code)`
        : reported;
    const referencedId =
      typeof report.referencedDistributionID === 'string' ? report.referencedDistributionID : undefined;
    await this.deps.store.insert(
      {
        ...this.receivedRow(vhost, delivery, summary),
        kind: summary.kind || 'Error',
        state: 'report',
        errorCode: code,
        errorCause: cause,
      },
      { state: 'report', detail: `${code ?? '?'} ${statusString} about ${referencedId ?? '?'}` },
      now,
    );
    if (!referencedId) return;
    const answered = await this.deps.store.findByAck(referencedId);
    if (answered) {
      // A report about the RC-REF we answered with: the sender never got its final
      // acknowledgement. Shown on the received message; its state (delivered to us) stands.
      await this.deps.store.update(
        answered.distributionId,
        { errorCode: code, errorCause: `RC-REF not delivered: ${cause}` },
        {
          state: answered.state,
          detail: `RC-REF ${referencedId} reported ${code ?? '?'} ${statusString}: ${cause}`,
        },
        now,
      );
      return;
    }
    const expired = code === 400 || code === 500;
    const row = await this.deps.store.update(
      referencedId,
      { state: expired ? 'expired' : 'error', errorCode: code, errorCause: cause },
      { state: expired ? 'expired' : 'error', detail: `${code ?? '?'} ${statusString}: ${cause}` },
      now,
    );
    if (row?.direction !== 'sent') return;
    const event: HubErrorEvent = {
      distributionId: referencedId,
      ...(row.reference ? { reference: row.reference } : {}),
      code: code ?? 0,
      statusString,
      cause,
      at: now.toISOString(),
    };
    await this.deps.bus.publish(HUB_SUBJECTS.error, event, { msgId: `err_${summary.distributionId}` });
  }

  /**
   * Decodes a delivery; one without a readable envelope cannot be answered (no sender to
   * address), so it is parked for a human under an id derived from its bytes, and acked.
   */
  private async decodeOrPark(
    vhost: string,
    delivery: Delivery,
  ): Promise<{ body: unknown; summary: ReturnType<typeof summarize> } | undefined> {
    try {
      const body = this.decode(delivery);
      return { body, summary: summarize(body) };
    } catch (error) {
      if (!(error instanceof HubMessageError)) throw error;
      const now = this.now();
      const id = `unreadable_${createHash('sha256').update(delivery.body).digest('hex').slice(0, 32)}`;
      const changes = { state: 'parked', errorCode: error.code, errorCause: error.cause_ };
      const event = { state: 'parked', detail: `${error.code} ${error.cause_} (on .${delivery.queue})` };
      const { created } = await this.deps.store.insert(
        {
          distributionId: id,
          direction: 'received',
          type: 'unknown',
          kind: 'unknown',
          peer: 'unknown',
          vhost,
          format: formatOf(delivery),
          body: delivery.body,
          ...changes,
        },
        event,
        now,
      );
      if (!created) await this.deps.store.update(id, changes, event, now);
      return undefined;
    }
  }

  /**
   * A `hub.outbound` request the bus gave up on (dead letter): kept in the trace as `failed`
   * with the handler's error, so it is visible and can be retried once the cause is fixed.
   */
  async recordFailedRequest(text: string, cause: string, msgId: string | undefined): Promise<MessageRow> {
    let request: Partial<HubOutbound> = {};
    try {
      request = JSON.parse(text) as Partial<HubOutbound>;
    } catch {
      // not JSON: kept as is, the cause says why
    }
    // Dead letters do not always keep the bus message id: the caller's reference names it best.
    const key =
      (typeof request.reference === 'string' ? request.reference : undefined) ??
      msgId ??
      createHash('sha256').update(text).digest('hex').slice(0, 32);
    const { row } = await this.deps.store.insert(
      {
        distributionId: `failed_${key}`,
        direction: 'sent',
        type: typeof request.type === 'string' ? request.type : 'unknown',
        kind: 'unknown',
        peer: typeof request.recipient === 'string' ? request.recipient : 'unknown',
        vhost: typeof request.vhost === 'string' ? request.vhost : (this.vhosts[0] ?? 'none'),
        format: request.format === 'xml' ? 'xml' : 'json',
        state: 'failed',
        errorCause: cause,
        body: text,
      },
      { state: 'failed', detail: `hub.outbound dead letter: ${cause}` },
      this.now(),
    );
    return row;
  }

  /** Re-processes a parked received message (after a fix on either side), or re-publishes a pending one. */
  async retry(distributionId: string): Promise<MessageRow> {
    const row = await this.deps.store.get(distributionId);
    if (!row) throw new AppError('NOT_FOUND', `no message ${distributionId} in the trace`);
    if (row.direction === 'sent' && row.state === 'pending') {
      this.publishRow(row);
      return row;
    }
    if (row.direction === 'sent' && row.state === 'failed') {
      // The stored body is the LRM's request: sending it again builds a new message.
      const sent = await this.send(JSON.parse(row.body) as HubOutbound);
      await this.deps.store.update(
        distributionId,
        { state: 'retried' },
        { state: 'retried', detail: `sent as ${sent.distributionId}` },
        this.now(),
      );
      return sent;
    }
    if (row.direction !== 'received' || row.state !== 'parked') {
      throw new AppError(
        'CONFLICT',
        `message ${distributionId} is ${row.state}, only parked received messages are retried`,
      );
    }
    await this.deps.store.update(
      distributionId,
      { state: 'received' },
      { state: 'retry', detail: 're-processing' },
      this.now(),
    );
    const contentType = row.format === 'xml' ? 'application/xml' : 'application/json';
    // Re-processed as from the queue it came from: the Hub routes by distributionKind.
    const queue = queueKindOf(row.kind);
    try {
      await this.process(row.vhost, {
        queue,
        body: row.body,
        contentType,
        deliveryMode: 2,
        redelivered: true,
      });
      if (queue !== 'message') {
        // An RC-REF or a report keeps no state of its own once applied.
        const state = queue === 'ack' ? 'delivered' : 'report';
        await this.deps.store.update(
          distributionId,
          { state },
          { state, detail: `re-processed from .${queue}` },
          this.now(),
          ['received'],
        );
      }
    } catch (error) {
      await this.deps.store.update(
        distributionId,
        { state: 'parked' },
        { state: 'parked', detail: String(error) },
        this.now(),
      );
      throw error;
    }
    return (await this.deps.store.get(distributionId)) as MessageRow;
  }

  static isFinal(row: MessageRow): boolean {
    return SENT_FINAL.includes(row.state);
  }
}

const formatOf = (delivery: Delivery): HubFormat => (delivery.contentType?.includes('xml') ? 'xml' : 'json');

/** What a failure may say in logs, the trace and an RS-ERROR: never a statement's parameters. */
function safeErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.startsWith('Failed query') ? describeDatabaseError(error) : error.message;
}
