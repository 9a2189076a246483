import { describe, expect, it } from 'vitest';
import { officialValidator } from '../adapters/schemas.ts';
import { decodeBody } from './codec.ts';
import { buildMessage } from './envelope.ts';
import { typeByName } from './message-types.ts';
import { conformToSchema, edxlToXml, parseXml, xmlEnvelopeToObject } from './xml.ts';

const edxl = buildMessage({
  senderId: 'fr.health.samu770',
  recipientId: 'fr.health.samu920',
  type: typeByName('RS-SR') as NonNullable<ReturnType<typeof typeByName>>,
  content: {
    caseId: 'fr.health.samu770.DRFR157702400400055',
    resourceId: 'fr.fire.sis077.cgo-077.resource.VSAV32',
    state: { datetime: '2024-01-04T08:20:00+01:00', status: 'ARRIVEE' },
  },
  customContent: [{ note: 'x' }],
  now: new Date('2026-11-23T10:00:00Z'),
  uniqueId: 'u1',
  ttlMs: 60_000,
});

describe('XML transport', () => {
  it('round-trips an EDXL-DE message through XML to the same object shape', () => {
    const back = xmlEnvelopeToObject(edxlToXml(edxl), officialValidator());
    expect(back).toEqual(edxl);
    expect(officialValidator().validateMessage(back)).toMatchObject({ ok: true });
  });

  it('refuses a DTD with an external entity (XXE) with 102', () => {
    const evil = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`;
    expect(() => parseXml(evil)).toThrow(/102.*DTD/);
  });

  it('refuses an internal entity declaration too (entity expansion)', () => {
    expect(() => parseXml('<!ENTITY a "aaaa"><r/>')).toThrow(/102/);
  });

  it('answers 102 for unparsable XML and for a root that is not edxlDistribution', () => {
    expect(() => decodeBody('<a><b></a>', 'application/xml', officialValidator())).toThrow(/102/);
    expect(() => decodeBody('<other/>', 'application/xml', officialValidator())).toThrow(/edxlDistribution/);
  });

  it('answers 101 for a content type the Hub does not allow', () => {
    expect(() => decodeBody('{}', 'text/plain', officialValidator())).toThrow(/101/);
  });

  it('gives XML strings their schema types: numbers, booleans and one-element lists', () => {
    const schema = {
      type: 'object',
      properties: {
        n: { type: 'integer' },
        b: { type: 'boolean' },
        list: { type: 'array', items: { $ref: '#/definitions/item' } },
      },
      definitions: { item: { type: 'object', properties: { v: { type: 'number' } } } },
    };
    expect(conformToSchema({ n: '3', b: 'true', list: { v: '1.5' } }, schema, schema)).toEqual({
      n: 3,
      b: true,
      list: [{ v: 1.5 }],
    });
  });
});
