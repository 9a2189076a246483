import { decodeBody } from '../src/domain/codec.ts';
import { type EnvelopeSummary, queueKindOf, summarize } from '../src/domain/envelope.ts';
import { type HubErrorCode, HubMessageError } from '../src/domain/hub-errors.ts';
import type { HubValidator } from '../src/domain/validation.ts';

export interface Publication {
  routingKey: string;
  deliveryMode: number | undefined;
  contentType: string | undefined;
  body: string;
}

export type DispatchVerdict =
  | { ok: true; recipientQueue: string; summary: EnvelopeSummary }
  | { ok: false; code: HubErrorCode; cause: string; summary?: EnvelopeSummary; parsed?: unknown };

/**
 * The Hub dispatcher's checks, in its order, as a pure function: delivery mode, content type,
 * format, health actor, sender = routing key, distributionID prefix, schema, expiry, recipient.
 * The first failed check names the RS-ERROR code the sender receives on its `.info` queue.
 */
export function dispatchVerdict(
  publication: Publication,
  context: { validator: HubValidator; knownClients: ReadonlySet<string>; now: Date },
): DispatchVerdict {
  if (publication.deliveryMode !== 2) {
    return { ok: false, code: 100, cause: 'message must be published with delivery mode 2 (persistent)' };
  }
  let parsed: unknown;
  try {
    parsed = decodeBody(publication.body, publication.contentType, context.validator);
  } catch (error) {
    if (error instanceof HubMessageError) return { ok: false, code: error.code, cause: error.cause_ };
    throw error;
  }
  let summary: EnvelopeSummary;
  try {
    summary = summarize(parsed);
  } catch (error) {
    if (error instanceof HubMessageError) return { ok: false, code: error.code, cause: error.cause_, parsed };
    throw error;
  }
  const fail = (code: HubErrorCode, cause: string): DispatchVerdict => ({
    ok: false,
    code,
    cause,
    summary,
    parsed,
  });
  if (!summary.senderId.startsWith('fr.health.') && !summary.recipientId.startsWith('fr.health.')) {
    return fail(200, 'no health actor involved: neither sender nor recipient is fr.health.*');
  }
  if (summary.senderId !== publication.routingKey) {
    return fail(200, `senderID "${summary.senderId}" is not the routing key "${publication.routingKey}"`);
  }
  if (!summary.distributionId.startsWith(`${summary.senderId}_`)) {
    return fail(200, `distributionID "${summary.distributionId}" does not start with "${summary.senderId}_"`);
  }
  const verdict = context.validator.validateMessage(parsed);
  if (!verdict.ok) return fail(verdict.code, verdict.cause);
  const expires = Date.parse(summary.dateTimeExpires);
  if (Number.isNaN(expires) || expires <= context.now.getTime()) {
    return fail(400, `message expired at ${summary.dateTimeExpires}, before routing`);
  }
  if (!context.knownClients.has(summary.recipientId)) {
    return fail(501, `recipient "${summary.recipientId}" is not a known Hub client`);
  }
  return { ok: true, recipientQueue: `${summary.recipientId}.${queueKindOf(summary.kind)}`, summary };
}
