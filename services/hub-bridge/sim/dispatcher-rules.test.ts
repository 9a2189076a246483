import { describe, expect, it } from 'vitest';
import { officialValidator } from '../src/adapters/schemas.ts';
import { buildMessage, type Edxl } from '../src/domain/envelope.ts';
import { typeByName } from '../src/domain/message-types.ts';
import { dispatchVerdict } from './dispatcher-rules.ts';

const S = 'fr.health.samu770';
const R = 'fr.health.samu920';
const now = new Date('2026-11-23T10:00:00Z');
const make = (over: Partial<Edxl> = {}, sender = S, recipient = R): Edxl => ({
  ...buildMessage({
    senderId: sender,
    recipientId: recipient,
    type: typeByName('RC-REF') as NonNullable<ReturnType<typeof typeByName>>,
    content: { distributionID: 'x_1' },
    now,
    uniqueId: 'u',
    ttlMs: 60_000,
  }),
  ...over,
});
const ctx = { validator: officialValidator(), knownClients: new Set([S, R]), now };
const verdict = (
  body: unknown,
  options: { deliveryMode?: number; contentType?: string; routingKey?: string } = {},
) =>
  dispatchVerdict(
    {
      routingKey: options.routingKey ?? S,
      deliveryMode: options.deliveryMode ?? 2,
      contentType: options.contentType ?? 'application/json',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    ctx,
  );

describe('Hub dispatcher checks, in order', () => {
  it('routes a good message to the recipient queue chosen by distributionKind', () => {
    expect(verdict(make())).toMatchObject({ ok: true, recipientQueue: `${R}.ack` });
  });
  it('checks the delivery mode first: 100, even for a body that is also unparsable', () => {
    expect(verdict('{', { deliveryMode: 1 })).toMatchObject({ ok: false, code: 100 });
  });
  it('101 for a content type other than JSON/XML, before reading the body', () => {
    expect(verdict('{', { contentType: 'text/plain' })).toMatchObject({ ok: false, code: 101 });
  });
  it('102 for an unparsable body', () => {
    expect(verdict('{')).toMatchObject({ ok: false, code: 102 });
  });
  it('200 when no health actor is involved', () => {
    const body = make({}, 'fr.fire.nexsis.sdis77', 'fr.fire.nexsis.sdis78');
    expect(verdict(body, { routingKey: 'fr.fire.nexsis.sdis77' })).toMatchObject({ ok: false, code: 200 });
  });
  it('200 when senderID is not the routing key, before the schema', () => {
    expect(verdict({ ...make(), content: [] }, { routingKey: R })).toMatchObject({ ok: false, code: 200 });
  });
  it('200 when distributionID lacks the sender prefix', () => {
    expect(verdict(make({ distributionID: `${R}_u` }))).toMatchObject({ ok: false, code: 200 });
  });
  it('300 for a schema violation, before the expiry check', () => {
    expect(verdict({ ...make({ dateTimeExpires: '2020-01-01T00:00:00+00:00' }), extra: 1 })).toMatchObject({
      ok: false,
      code: 300,
    });
  });
  it('400 for an expired message', () => {
    expect(verdict(make({ dateTimeExpires: '2026-11-23T09:59:59+00:00' }))).toMatchObject({
      ok: false,
      code: 400,
    });
  });
  it('501 for an unknown recipient, last', () => {
    expect(verdict(make({}, S, 'fr.health.samu999'))).toMatchObject({ ok: false, code: 501 });
  });
});
