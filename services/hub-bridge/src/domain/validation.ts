import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { HUB_ERROR_CODES, type HubErrorCode } from './hub-errors.ts';
import { MESSAGE_TYPES, type MessageTypeInfo, typeOfContent, typeOfMessage } from './message-types.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under some loaders.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ??
  addFormatsImport) as typeof addFormatsImport;

export type JsonSchema = Record<string, unknown>;
/** The official schema files by name (`RS-EDA.schema.json` -> parsed JSON). */
export type SchemaSet = Record<string, JsonSchema>;

export interface FieldError {
  /** RFC 6901 pointer into the message as sent or received. */
  path: string;
  message: string;
}

export type ValidationResult =
  | { ok: true; type: MessageTypeInfo }
  | { ok: false; code: HubErrorCode; cause: string; errors: FieldError[]; type?: MessageTypeInfo };

const ENVELOPE_SCHEMA = 'EDXL-DE-envelope-only.schema.json';
const HEADER_SCHEMA = 'RC-DE.schema.json';

function fieldErrors(errors: ErrorObject[] | null | undefined, prefix: string): FieldError[] {
  return (errors ?? []).map((e) => {
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      return { path: `${prefix}${e.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties') {
      return {
        path: `${prefix}${e.instancePath}/${String(params.additionalProperty)}`,
        message: 'is not allowed (unknown property)',
      };
    }
    const allowed = e.keyword === 'enum' ? ` (${(params.allowedValues as unknown[]).join(', ')})` : '';
    return { path: `${prefix}${e.instancePath}` || '/', message: `${e.message ?? e.keyword}${allowed}` };
  });
}

function causeOf(errors: FieldError[]): string {
  const shown = errors.slice(0, 5).map((e) => `${e.path} ${e.message}`);
  const more = errors.length > 5 ? ` (+${errors.length - 5} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * Validates Hub messages with the official JSON Schemas, part by part (envelope, RC-DE header,
 * content by type) rather than through the full schema's `oneOf`: the errors then point at the
 * field that is wrong instead of at 22 failed alternatives. The verdict is the same.
 */
export class HubValidator {
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly schemas: SchemaSet) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const name of [ENVELOPE_SCHEMA, HEADER_SCHEMA, ...MESSAGE_TYPES.map((t) => t.schema)]) {
      const schema = schemas[name];
      if (!schema) throw new Error(`official schema ${name} is missing`);
      // Every official file carries the same `$id`; each gets its own name so Ajv can hold them all.
      this.compiled.set(name, ajv.compile({ ...schema, $id: name }));
    }
  }

  /** The schema of a file, for shaping XML into the JSON form. */
  schema(name: string): JsonSchema | undefined {
    return this.schemas[name];
  }

  /** A complete message: EDXL-DE envelope, then each content object with its header and type. */
  validateMessage(message: unknown): ValidationResult {
    const envelope = this.compiled.get(ENVELOPE_SCHEMA) as ValidateFunction;
    if (!envelope(message)) {
      const errors = fieldErrors(envelope.errors, '');
      return { ok: false, code: 300, cause: `envelope: ${causeOf(errors)}`, errors };
    }
    const contents = (
      message as { content: { jsonContent: { embeddedJsonContent: Record<string, unknown> } }[] }
    ).content;
    let mainType: MessageTypeInfo | undefined;
    const errors: FieldError[] = [];
    for (const [index, item] of contents.entries()) {
      const prefix = `/content/${index}/jsonContent/embeddedJsonContent/message`;
      const inner = item.jsonContent.embeddedJsonContent.message;
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) {
        errors.push({ path: prefix, message: 'is required (an object)' });
        continue;
      }
      const type = typeOfMessage(inner as Record<string, unknown>);
      if (!type) {
        return {
          ok: false,
          code: 301,
          cause: `${prefix} has no known content root key (${Object.keys(inner).join(', ') || 'none'})`,
          errors: [{ path: prefix, message: 'no schema for this content' }],
        };
      }
      mainType ??= type;
      errors.push(...this.validateMessageObject(inner as Record<string, unknown>, type, prefix));
    }
    if (!mainType) return { ok: false, code: 300, cause: causeOf(errors), errors };
    if (errors.length > 0) return { ok: false, code: 300, cause: causeOf(errors), errors, type: mainType };
    return { ok: true, type: mainType };
  }

  /** The `message` object: RC-DE header beside the content when the type requires it, and the content. */
  validateMessageObject(
    message: Record<string, unknown>,
    type: MessageTypeInfo,
    prefix: string,
  ): FieldError[] {
    const errors: FieldError[] = [];
    if (type.header) {
      const header = this.compiled.get(HEADER_SCHEMA) as ValidateFunction;
      if (!header(message)) errors.push(...fieldErrors(header.errors, prefix));
    }
    const content = this.compiled.get(type.schema) as ValidateFunction;
    if (!content(message[type.rootKey]))
      errors.push(...fieldErrors(content.errors, `${prefix}/${type.rootKey}`));
    return errors;
  }

  /** A bare content (`{ "createCaseHealth": {...} }`, as in the official examples). */
  validateContent(content: unknown): ValidationResult {
    if (!content || typeof content !== 'object' || Array.isArray(content)) {
      return { ok: false, code: 102, cause: 'the body is not a JSON object', errors: [] };
    }
    const type = typeOfContent(content as Record<string, unknown>);
    if (!type) {
      const keys = Object.keys(content).join(', ') || 'none';
      return {
        ok: false,
        code: 301,
        cause: `no schema for a content with root key(s) ${keys}`,
        errors: [{ path: '/', message: 'unknown content root key' }],
      };
    }
    const validate = this.compiled.get(type.schema) as ValidateFunction;
    if (validate((content as Record<string, unknown>)[type.rootKey])) return { ok: true, type };
    const errors = fieldErrors(validate.errors, `/${type.rootKey}`);
    return { ok: false, code: 300, cause: causeOf(errors), errors, type };
  }

  /** Either form: a full message when it has an envelope, a bare content otherwise. */
  validateAny(body: unknown): ValidationResult {
    if (body && typeof body === 'object' && !Array.isArray(body) && 'distributionID' in body) {
      return this.validateMessage(body);
    }
    return this.validateContent(body);
  }
}

/** The Hub's label of a code, for RS-ERROR `statusString`. */
export const statusStringOf = (code: HubErrorCode): string => HUB_ERROR_CODES[code];
