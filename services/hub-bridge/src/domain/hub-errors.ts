/** The error codes of Hub Santé reports (RS-ERROR `errorCode`), dispatcher ones and recipient ones. */
export const HUB_ERROR_CODES = {
  100: 'DELIVERY_MODE_INCONSISTENCY',
  101: 'NOT_ALLOWED_CONTENT_TYPE',
  102: 'UNRECOGNIZED_MESSAGE_FORMAT',
  200: 'SENDER_INCONSISTENCY',
  300: 'INVALID_MESSAGE',
  301: 'SCHEMA_NOT_FOUND',
  400: 'EXPIRED_MESSAGE_BEFORE_ROUTING',
  500: 'DEAD_LETTER_QUEUED',
  501: 'UNROUTABLE_MESSAGE',
  600: 'MESSAGE_CONVERSION_ERROR',
  700: 'INTERNAL_CLIENT_ERROR',
  701: 'CASE_ALREADY_EXISTS',
  702: 'WRONG_MESSAGE_SEQUENCE',
  703: 'UNKNOWN_SENDER',
  704: 'INSUFFICIENT_DATA',
} as const;

export type HubErrorCode = keyof typeof HUB_ERROR_CODES;

/** A refusal with its Hub code and a cause naming what is wrong (never the patient data). */
export class HubMessageError extends Error {
  override name = 'HubMessageError';
  constructor(
    readonly code: HubErrorCode,
    readonly cause_: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(`${code} ${HUB_ERROR_CODES[code]}: ${cause_}`);
  }
}

const INT4_MAX = 2_147_483_647;

/**
 * An RS-ERROR `statusCode` as the trace can store it: an integer within Postgres int4, or
 * null. The sender's raw value is not lost: the caller keeps it in the cause.
 */
export function storableErrorCode(value: unknown): number | null {
  return Number.isInteger(value) && Math.abs(value as number) <= INT4_MAX ? (value as number) : null;
}
