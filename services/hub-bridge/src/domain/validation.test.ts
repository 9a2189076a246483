import { describe, expect, it } from 'vitest';
import { officialValidator } from '../adapters/schemas.ts';
import { buildMessage } from './envelope.ts';
import { typeByName } from './message-types.ts';

const v = () => officialValidator();
const content = {
  caseId: 'fr.health.samu770.DRFR157702400400055',
  resourceId: 'fr.fire.sis077.cgo-077.resource.VSAV32',
  state: { datetime: '2024-01-04T08:20:00+01:00', status: 'ARRIVEE' },
};
const message = (c: unknown) =>
  buildMessage({
    senderId: 'fr.health.samu770',
    recipientId: 'fr.health.samu920',
    type: typeByName('RS-SR') as NonNullable<ReturnType<typeof typeByName>>,
    content: c,
    now: new Date(),
    uniqueId: 'u1',
    ttlMs: 60_000,
  });
const P = '/content/0/jsonContent/embeddedJsonContent/message';

describe('validation with the official JSON Schemas', () => {
  it('names a missing required field by its JSON path', () => {
    const { caseId: _, ...rest } = content;
    const result = v().validateMessage(message(rest));
    expect(result).toMatchObject({ ok: false, code: 300 });
    if (!result.ok)
      expect(result.errors).toContainEqual({ path: `${P}/resourcesStatus/caseId`, message: 'is required' });
  });

  it('names an unknown property by its JSON path', () => {
    const result = v().validateMessage(message({ ...content, extra: 1 }));
    if (result.ok) throw new Error('accepted');
    expect(result.errors).toContainEqual({
      path: `${P}/resourcesStatus/extra`,
      message: 'is not allowed (unknown property)',
    });
  });

  it('checks the pattern and enums of fields', () => {
    const result = v().validateMessage(message({ ...content, state: { ...content.state, status: 'NOPE' } }));
    if (result.ok) throw new Error('accepted');
    expect(result.errors[0]?.path).toBe(`${P}/resourcesStatus/state/status`);
  });

  it('checks the envelope itself (distributionKind enum, required fields)', () => {
    const { senderID: _, ...noSender } = message(content);
    const result = v().validateMessage({ ...noSender, distributionKind: 'Whatever' });
    if (result.ok) throw new Error('accepted');
    expect(result.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/senderID', '/distributionKind']),
    );
  });

  it('checks the RC-DE header beside a business content', () => {
    const edxl = message(content);
    const header = edxl.content[0]?.jsonContent.embeddedJsonContent.message ?? {};
    delete header.sentAt;
    const result = v().validateMessage(edxl);
    if (result.ok) throw new Error('accepted');
    expect(result.errors).toContainEqual({ path: `${P}/sentAt`, message: 'is required' });
  });

  it('answers 301 for a content root key no schema knows', () => {
    const edxl = message(content);
    edxl.content[0] = { jsonContent: { embeddedJsonContent: { message: { mystery: {} } } } };
    expect(v().validateMessage(edxl)).toMatchObject({ ok: false, code: 301 });
    expect(v().validateContent({ mystery: {} })).toMatchObject({ ok: false, code: 301 });
  });

  it('validates a bare content by its root key', () => {
    expect(v().validateContent({ resourcesStatus: content })).toMatchObject({ ok: true });
    expect(v().validateAny({ resourcesStatus: { ...content, caseId: 'bad id!' } })).toMatchObject({
      ok: false,
      code: 300,
    });
  });
});
