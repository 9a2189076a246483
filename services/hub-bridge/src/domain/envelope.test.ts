import { describe, expect, it } from 'vitest';
import { officialValidator } from '../adapters/schemas.ts';
import { buildMessage, distributionIdOf, hubDateTime, queueKindOf, summarize } from './envelope.ts';
import { typeByName } from './message-types.ts';

const rsSr = typeByName('RS-SR') as NonNullable<ReturnType<typeof typeByName>>;
const content = {
  caseId: 'fr.health.samu770.DRFR157702400400055',
  resourceId: 'fr.fire.sis077.cgo-077.resource.VSAV32',
  state: { datetime: '2024-01-04T08:20:00+01:00', status: 'ARRIVEE' },
};
const base = {
  senderId: 'fr.health.samu770',
  recipientId: 'fr.health.samu920',
  type: rsSr,
  content,
  now: new Date('2026-11-23T10:00:00Z'),
  uniqueId: '2607723d-507d-4cbf-bf74-12345f7064cd',
  ttlMs: 3_600_000,
};

describe('EDXL-DE + RC-DE envelope', () => {
  it('builds distributionID as <senderID>_<unique id>', () => {
    expect(distributionIdOf('fr.health.samu770', 'abc')).toBe('fr.health.samu770_abc');
    expect(buildMessage(base).distributionID).toBe('fr.health.samu770_2607723d-507d-4cbf-bf74-12345f7064cd');
  });

  it('addresses the recipient in descriptor.explicitAddress and in the RC-DE recipient list', () => {
    const edxl = buildMessage(base);
    expect(edxl.descriptor.explicitAddress).toEqual({
      explicitAddressScheme: 'hubex',
      explicitAddressValue: 'fr.health.samu920',
    });
    const message = edxl.content[0]?.jsonContent.embeddedJsonContent.message as Record<string, unknown>;
    expect(message.recipient).toEqual([{ name: 'fr.health.samu920', URI: 'hubex:fr.health.samu920' }]);
    expect(message.resourcesStatus).toEqual(content);
  });

  it('writes dates with an explicit offset, never Z, and expires after the TTL', () => {
    const edxl = buildMessage(base);
    expect(edxl.dateTimeSent).toBe('2026-11-23T10:00:00+00:00');
    expect(edxl.dateTimeExpires).toBe('2026-11-23T11:00:00+00:00');
    expect(hubDateTime(new Date('2026-01-01T00:00:00.123Z'))).not.toContain('Z');
  });

  it('builds messages the official full schema accepts, for each distributionKind', () => {
    for (const kind of ['Report', 'Update', 'Cancel'] as const) {
      expect(officialValidator().validateMessage(buildMessage({ ...base, kind }))).toMatchObject({
        ok: true,
      });
    }
    const ack = buildMessage({
      ...base,
      type: typeByName('RC-REF') as typeof rsSr,
      content: { distributionID: 'x_1' },
    });
    expect(ack.distributionKind).toBe('Ack');
    expect(officialValidator().validateMessage(ack)).toMatchObject({ ok: true });
  });

  it('carries customContent objects after the main content', () => {
    const edxl = buildMessage({ ...base, customContent: [{ note: 'free' }] });
    expect(edxl.content[1]?.jsonContent.embeddedJsonContent.message).toEqual({
      customContent: { note: 'free' },
    });
    expect(officialValidator().validateMessage(edxl)).toMatchObject({ ok: true });
  });

  it('routes by distributionKind: Ack to .ack, Error to .info, the rest to .message', () => {
    expect(queueKindOf('Ack')).toBe('ack');
    expect(queueKindOf('Error')).toBe('info');
    expect(queueKindOf('Report')).toBe('message');
    expect(queueKindOf('Cancel')).toBe('message');
  });

  it('summarizes an envelope without trusting it, and refuses a non-object with 102', () => {
    const summary = summarize(buildMessage(base));
    expect(summary).toMatchObject({
      senderId: 'fr.health.samu770',
      recipientId: 'fr.health.samu920',
      kind: 'Report',
    });
    expect(summary.type?.type).toBe('RS-SR');
    expect(() => summarize('text')).toThrow(/102/);
  });
});
