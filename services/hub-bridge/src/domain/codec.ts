import type { Edxl } from './envelope.ts';
import { HubMessageError } from './hub-errors.ts';
import type { HubValidator } from './validation.ts';
import { edxlToXml, xmlEnvelopeToObject } from './xml.ts';

export type HubFormat = 'json' | 'xml';

export const CONTENT_TYPES: Record<HubFormat, string> = {
  json: 'application/json',
  xml: 'application/xml',
};

/** The format a content type announces, or undefined when the Hub does not allow it. */
export function formatOfContentType(contentType: string | undefined): HubFormat | undefined {
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (base === 'application/json') return 'json';
  if (base === 'application/xml' || base === 'text/xml') return 'xml';
  return undefined;
}

/** A message body off the wire in the JSON object shape; 101 for a content type, 102 for a body. */
export function decodeBody(body: string, contentType: string | undefined, validator: HubValidator): unknown {
  const format = formatOfContentType(contentType);
  if (!format) throw new HubMessageError(101, `content type "${contentType ?? '(none)'}" is not allowed`);
  if (format === 'xml') return xmlEnvelopeToObject(body, validator);
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new HubMessageError(102, `unparsable JSON: ${error instanceof Error ? error.message : ''}`);
  }
}

export function encodeBody(edxl: Edxl, format: HubFormat): string {
  return format === 'xml' ? edxlToXml(edxl) : JSON.stringify(edxl);
}
