import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Edxl } from './envelope.ts';
import { HubMessageError } from './hub-errors.ts';
import { HEADER_KEYS, type MessageTypeInfo, typeOfMessage } from './message-types.ts';
import type { HubValidator, JsonSchema } from './validation.ts';

const EDXL_NS = 'urn:oasis:names:tc:emergency:EDXL:DE:2.0';
const MESSAGE_NS = 'urn:emergency:cisu:3.0';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Values stay strings here; the schemas decide what is a number, a boolean or a list.
  parseTagValue: false,
  // Text is data, spaces included ("Nogent. " stays as sent); indentation is removed below.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: false,
  suppressEmptyNode: true,
});

/**
 * Parses XML text. DTDs and entity declarations are refused outright: a Hub message never
 * needs them, and they are the vector of XXE and entity-expansion attacks.
 */
export function parseXml(text: string): Record<string, unknown> {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new HubMessageError(102, 'XML with a DTD or an entity declaration is refused');
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    throw new HubMessageError(
      102,
      `unparsable XML: ${error instanceof Error ? error.message.split('\n')[0] : ''}`,
    );
  }
  parsed = withoutIndentation(parsed);
  if (!parsed || typeof parsed !== 'object' || Object.keys(parsed).length !== 1) {
    throw new HubMessageError(102, 'XML must have exactly one root element');
  }
  return parsed as Record<string, unknown>;
}

const INDENTATION = /^\s*$/;

/**
 * Removes the whitespace that only lays the document out: text beside child elements, and the
 * line breaks inside an element written open and closed on two lines. Text values keep their
 * own spaces.
 */
function withoutIndentation(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIndentation);
  if (typeof node === 'string') return INDENTATION.test(node) && node.includes('\n') ? '' : node;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '#text' && typeof value === 'string' && INDENTATION.test(value)) continue;
    out[key] = withoutIndentation(value);
  }
  return out;
}

type Json = unknown;

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#/')) break;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)?.[part];
    current = (target ?? {}) as JsonSchema;
  }
  return current;
}

/**
 * Gives XML data the JSON shape its schema describes: XML has no numbers, booleans or
 * one-element lists, so the schema says which strings are numbers and which elements are lists.
 */
export function conformToSchema(value: Json, schemaIn: JsonSchema, root: JsonSchema): Json {
  const schema = resolve(schemaIn, root);
  const type = schema.type;
  if (type === 'array') {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    const items = (schema.items ?? {}) as JsonSchema;
    return list.map((v) => conformToSchema(v, items, root));
  }
  if (type === 'object' || schema.properties) {
    if (value === '') return {};
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    return Object.fromEntries(
      Object.entries(value as Record<string, Json>).map(([k, v]) => [
        k,
        properties[k] ? conformToSchema(v, properties[k], root) : v,
      ]),
    );
  }
  if ((type === 'number' || type === 'integer') && typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? value : n;
  }
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** The `message` element in its JSON shape: header fields by RC-DE, content by its type's schema. */
function conformMessage(message: Record<string, unknown>, validator: HubValidator): Record<string, unknown> {
  const type = typeOfMessage(message);
  const header = validator.schema('RC-DE.schema.json') as JsonSchema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if ((HEADER_KEYS as readonly string[]).includes(key)) {
      const prop = (header.properties as Record<string, JsonSchema>)[key] as JsonSchema;
      out[key] = conformToSchema(value, prop, header);
    } else if (type && key === type.rootKey) {
      const schema = validator.schema(type.schema) as JsonSchema;
      out[key] = conformToSchema(value, schema, schema);
      if (type.type === 'RS-ERROR') out[key] = conformSourceMessage(out[key], validator);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * RS-ERROR `sourceMessage` is free-form in the schema, but it holds the refused message: when
 * that is an EDXL-DE envelope, the envelope schema gives it its JSON shape (content is a list).
 */
function conformSourceMessage(error: unknown, validator: HubValidator): unknown {
  const source = (error as { sourceMessage?: unknown } | undefined)?.sourceMessage;
  if (!source || typeof source !== 'object' || !('distributionID' in source)) return error;
  const envelope = validator.schema('EDXL-DE-envelope-only.schema.json') as JsonSchema;
  return { ...(error as object), sourceMessage: conformToSchema(source, envelope, envelope) };
}

/**
 * An XML EDXL-DE message in the object shape of the JSON one, so that one validator and one
 * pipeline serve both formats.
 */
export function xmlEnvelopeToObject(text: string, validator: HubValidator): Record<string, unknown> {
  const doc = parseXml(text);
  const root = doc.edxlDistribution as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') {
    throw new HubMessageError(102, `XML root element must be edxlDistribution, got ${Object.keys(doc)[0]}`);
  }
  const { content, ...fields } = root;
  const objects = asList((content as Record<string, unknown> | undefined)?.contentObject);
  return {
    ...fields,
    content: objects.map((o) => {
      const message = ((o as Record<string, Record<string, Record<string, unknown>>>)?.contentXML
        ?.embeddedXMLContent?.message ?? {}) as Record<string, unknown>;
      return {
        jsonContent: {
          embeddedJsonContent: {
            message: message && typeof message === 'object' ? conformMessage(message, validator) : message,
          },
        },
      };
    }),
  };
}

/** A bare XML content (`<resourcesStatus>...`), as in the official examples, in its JSON shape. */
export function xmlContentToObject(text: string, validator: HubValidator): Record<string, unknown> {
  const doc = parseXml(text);
  const [rootKey, value] = Object.entries(doc)[0] as [string, unknown];
  if (rootKey === 'edxlDistribution') return xmlEnvelopeToObject(text, validator);
  return conformMessage({ [rootKey]: value }, validator);
}

/** Writes an EDXL-DE message as XML (the Hub's XML transport). */
export function edxlToXml(edxl: Edxl): string {
  const { content, descriptor, ...fields } = edxl;
  const doc = {
    edxlDistribution: {
      '@_xmlns': EDXL_NS,
      ...fields,
      descriptor,
      content: {
        contentObject: content.map((c) => ({
          contentXML: {
            embeddedXMLContent: {
              message: { '@_xmlns': MESSAGE_NS, ...c.jsonContent.embeddedJsonContent.message },
            },
          },
        })),
      },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(doc)}`;
}

/** The root key of a message type written as a standalone XML element, for tools and tests. */
export function contentToXml(type: MessageTypeInfo, content: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ [type.rootKey]: content })}`;
}
