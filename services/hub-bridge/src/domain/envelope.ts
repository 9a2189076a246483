import { HubMessageError } from './hub-errors.ts';
import { HEADER_KEYS, type MessageTypeInfo, typeOfMessage } from './message-types.ts';

export const DISTRIBUTION_KINDS = ['Report', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];
export type DistributionStatus = 'Actual' | 'Exercise';

/** The EDXL-DE envelope in the JSON shape of the official schema; XML is converted to it. */
export interface Edxl {
  distributionID: string;
  senderID: string;
  dateTimeSent: string;
  dateTimeExpires: string;
  distributionStatus: DistributionStatus;
  distributionKind: DistributionKind;
  descriptor: {
    language: string;
    explicitAddress: { explicitAddressScheme: string; explicitAddressValue: string };
  };
  content: { jsonContent: { embeddedJsonContent: { message: Record<string, unknown> } } }[];
}

/** The Hub checks this prefix: a distributionID always starts with its sender's id. */
export function distributionIdOf(senderId: string, uniqueId: string): string {
  return `${senderId}_${uniqueId}`;
}

/**
 * Hub dates carry an explicit offset and never `Z` (RC-DE `sentAt` pattern): UTC is `+00:00`
 * written as `-00:00` by some, both pass; we write `+00:00`.
 */
export function hubDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

export interface BuildMessageInput {
  senderId: string;
  recipientId: string;
  type: MessageTypeInfo;
  /** The business content: the object under the type's root key. */
  content: unknown;
  kind?: DistributionKind;
  status?: DistributionStatus;
  /** RC-DE `messageId`; defaults to the distributionID. */
  messageId?: string;
  /** Name and URI of the sending system in RC-DE. */
  senderName?: string;
  senderUri?: string;
  /** Extra content objects (`customContent`) carried after the main one. */
  customContent?: Record<string, unknown>[];
  now: Date;
  uniqueId: string;
  ttlMs: number;
  language?: string;
}

/** The kind a content implies when the caller does not say: RC-REF is an Ack, RS-ERROR an Error. */
export function defaultKindOf(type: MessageTypeInfo): DistributionKind {
  if (type.type === 'RC-REF') return 'Ack';
  if (type.type === 'RS-ERROR') return 'Error';
  return 'Report';
}

/** Builds EDXL-DE + RC-DE around a business content, addressed to one recipient. */
export function buildMessage(input: BuildMessageInput): Edxl {
  const distributionID = distributionIdOf(input.senderId, input.uniqueId);
  const kind = input.kind ?? defaultKindOf(input.type);
  const status = input.status ?? 'Actual';
  const sentAt = hubDateTime(input.now);
  const message: Record<string, unknown> = {};
  if (input.type.header) {
    Object.assign(message, {
      messageId: input.messageId ?? distributionID,
      sender: {
        name: input.senderName ?? input.senderId,
        URI: input.senderUri ?? `hubex:${input.senderId}`,
      },
      sentAt,
      kind,
      status,
      recipient: [{ name: input.recipientId, URI: `hubex:${input.recipientId}` }],
    });
  }
  message[input.type.rootKey] = input.content;
  return {
    distributionID,
    senderID: input.senderId,
    dateTimeSent: sentAt,
    dateTimeExpires: hubDateTime(new Date(input.now.getTime() + input.ttlMs)),
    distributionStatus: status,
    distributionKind: kind,
    descriptor: {
      language: input.language ?? 'fr-FR',
      explicitAddress: { explicitAddressScheme: 'hubex', explicitAddressValue: input.recipientId },
    },
    content: [
      { jsonContent: { embeddedJsonContent: { message } } },
      ...(input.customContent ?? []).map((c) => ({
        jsonContent: { embeddedJsonContent: { message: { customContent: c } } },
      })),
    ],
  };
}

/** What routing and tracing need from a parsed message, read without trusting it. */
export interface EnvelopeSummary {
  distributionId: string;
  senderId: string;
  recipientId: string;
  kind: string;
  status: string;
  dateTimeExpires: string;
  type: MessageTypeInfo | undefined;
  /** The content under the type's root key of the first content object. */
  content: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads the routing fields of an envelope; throws 102 when it is not an EDXL-DE at all. */
export function summarize(body: unknown): EnvelopeSummary {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new HubMessageError(102, 'the body is not an EDXL-DE object');
  }
  const e = body as Record<string, unknown>;
  const descriptor = (e.descriptor ?? {}) as Record<string, unknown>;
  const address = (descriptor.explicitAddress ?? {}) as Record<string, unknown>;
  const first = Array.isArray(e.content) ? (e.content[0] as Record<string, unknown> | undefined) : undefined;
  const message = (
    (first?.jsonContent as Record<string, unknown> | undefined)?.embeddedJsonContent as
      | Record<string, unknown>
      | undefined
  )?.message as Record<string, unknown> | undefined;
  const type = message && typeof message === 'object' ? typeOfMessage(message) : undefined;
  return {
    distributionId: str(e.distributionID),
    senderId: str(e.senderID),
    recipientId: str(address.explicitAddressValue),
    kind: str(e.distributionKind),
    status: str(e.distributionStatus),
    dateTimeExpires: str(e.dateTimeExpires),
    type,
    content: type && message ? message[type.rootKey] : undefined,
  };
}

/** The queue suffix a message goes to at its recipient, by distributionKind (dispatcher rule). */
export function queueKindOf(kind: string): 'message' | 'ack' | 'info' {
  if (kind === 'Ack') return 'ack';
  if (kind === 'Error') return 'info';
  return 'message';
}

/** The RC-REF content acknowledging a received message. */
export function rcRefContent(distributionId: string): { distributionID: string } {
  return { distributionID: distributionId };
}

/** The RS-ERROR content reporting a refused message to its sender. */
export function rsErrorContent(input: {
  code: number;
  statusString: string;
  cause: string;
  referencedDistributionId: string;
  sourceMessage?: Record<string, unknown>;
}) {
  return {
    errorCode: { statusCode: input.code, statusString: input.statusString },
    errorCause: input.cause,
    referencedDistributionID: input.referencedDistributionId,
    ...(input.sourceMessage ? { sourceMessage: input.sourceMessage } : {}),
  };
}

/** Wraps a bare content (`{ createCaseHealth: {...} }`) as `message` with only header keys removed. */
export function headerOf(message: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(message).filter(([k]) => (HEADER_KEYS as readonly string[]).includes(k)),
  );
}
