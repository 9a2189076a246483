import { describe, expect, it } from 'vitest';
import { officialValidator } from '../src/adapters/schemas.ts';
import { decodeBody, encodeBody } from '../src/domain/codec.ts';
import { buildMessage } from '../src/domain/envelope.ts';
import { typeByName } from '../src/domain/message-types.ts';
import { type Example, officialExamples, officialValidMessages } from './fixtures.ts';

const wrap = (example: Example) =>
  buildMessage({
    senderId: 'fr.health.samu770',
    recipientId: 'fr.health.samu920',
    type: typeByName(example.type) as NonNullable<ReturnType<typeof typeByName>>,
    content: example.content,
    now: new Date('2026-11-23T10:00:00Z'),
    uniqueId: 'c0ffee00-0000-4000-8000-000000000001',
    ttlMs: 60_000,
  });

/** Official files sharing a name, one `.json` and one `.xml`. */
function twins(files: string[]): [string, string][] {
  return files
    .filter((f) => f.endsWith('.json'))
    .map((json) => [json, json.replace(/\.json$/, '.xml')] as [string, string])
    .filter(([, xml]) => files.includes(xml));
}

describe('XML transport on every official example', () => {
  const examples = [...officialExamples(), ...officialValidMessages()];

  it('reads every official XML file as exactly its JSON twin (types, lists, spaces kept)', () => {
    // Contents only: the `valid/` twins differ in their envelopes (sender and recipient swapped).
    const byFile = new Map(examples.map((e) => [e.file, e.content]));
    const pairs = twins([...byFile.keys()]);
    expect(pairs.length).toBeGreaterThan(80);
    for (const [json, xml] of pairs) expect(byFile.get(xml), xml).toEqual(byFile.get(json));
  });

  it('round-trips every example, JSON and XML, wrapped in EDXL-DE + RC-DE, through XML unchanged', () => {
    expect(examples.length).toBeGreaterThan(170);
    const validator = officialValidator();
    for (const example of examples) {
      const edxl = wrap(example);
      const xml = encodeBody(edxl, 'xml');
      const back = decodeBody(xml, 'application/xml', validator);
      expect(back, example.file).toEqual(edxl);
      expect(validator.validateMessage(back), example.file).toMatchObject({ ok: true });
    }
  });

  it('keeps the spaces of text values and drops only the indentation', () => {
    const validator = officialValidator();
    const xml = `<?xml version="1.0"?>
<edxlDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0">
  <distributionID>fr.health.samu770_1</distributionID>
  <content>
    <contentObject>
      <contentXML><embeddedXMLContent><message xmlns="urn:emergency:cisu:3.0">
        <reference>
          <distributionID> fr.health.samu920_2 </distributionID>
        </reference>
      </message></embeddedXMLContent></contentXML>
    </contentObject>
  </content>
</edxlDistribution>`;
    const back = decodeBody(xml, 'application/xml', validator) as {
      content: { jsonContent: { embeddedJsonContent: { message: unknown } } }[];
    };
    expect(back.content[0]?.jsonContent.embeddedJsonContent.message).toEqual({
      reference: { distributionID: ' fr.health.samu920_2 ' },
    });
  });

  it('gives an RS-ERROR sourceMessage read from XML the JSON shape of an envelope (content is a list)', () => {
    const error = officialExamples().find((e) => e.type === 'RS-ERROR' && e.format === 'xml') as Example;
    const source = (error.content as { sourceMessage: { content: unknown } }).sourceMessage;
    expect(Array.isArray(source.content)).toBe(true);
  });
});
