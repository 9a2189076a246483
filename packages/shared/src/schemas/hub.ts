// Bus messages of the `hub.*` subjects: the LRM's side of hub-bridge (Hub Santé connector).
import { z } from 'zod';

/** Subjects of the Hub Santé domain. */
export const HUB_SUBJECTS = {
  /** The LRM asks hub-bridge to send a business message to another Hub client. */
  outbound: 'hub.outbound',
  /** hub-bridge refused an outbound request before sending (schema errors with their paths). */
  outboundRejected: 'hub.outbound.rejected',
  /** A validated business message received from the Hub: `hub.inbound.<TYPE>`, e.g. `hub.inbound.RS-EDA`. */
  inbound: (type: string) => `hub.inbound.${type}`,
  inboundAll: 'hub.inbound.>',
  /** A sent message was acknowledged by its recipient's RC-REF (final reception acknowledgement). */
  acknowledged: 'hub.trace.acknowledged',
  /** A sent message was reported in error on `.info` (Hub dispatcher or recipient RS-ERROR). */
  error: 'hub.trace.error',
} as const;

/** Hub client ids: `fr.health.samu770`, `fr.health.ptfsas`, `fr.fire.nexsis.sdis77`... */
export const HubClientIdSchema = z
  .string()
  .regex(/^fr(\.[a-z0-9_-]+){2,5}$/i, 'must be a Hub client id such as fr.health.samu770')
  .describe('Hub Santé client id (routing key)');

export const HubFormatSchema = z.enum(['json', 'xml']).describe('wire format of the EDXL-DE message');
export const HubDistributionKindSchema = z.enum(['Report', 'Update', 'Cancel', 'Ack', 'Error']);

/** `hub.outbound` (and the body of `POST /messages`): a business content to wrap and send. */
export const HubOutboundSchema = z.object({
  recipient: HubClientIdSchema,
  /** Message type, e.g. RS-EDA, RC-EDA, EMSI, RS-SR, customContent. */
  type: z.string().min(1).max(32),
  /** The object under the type's root key (e.g. the `createCaseHealth` object of an RS-EDA). */
  content: z.record(z.string(), z.unknown()),
  format: HubFormatSchema.optional(),
  kind: HubDistributionKindSchema.optional(),
  status: z.enum(['Actual', 'Exercise']).optional(),
  /** vHost (perimeter and version) to send on; the first configured one by default. */
  vhost: z.string().min(1).max(64).optional(),
  /** Extra customContent objects carried beside the main content. */
  customContent: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
  /** The caller's idempotency key: the same reference is sent once. */
  reference: z.string().min(1).max(128).optional(),
});
export type HubOutbound = z.infer<typeof HubOutboundSchema>;

export const HubFieldErrorSchema = z.object({ path: z.string(), message: z.string() });

/** `hub.outbound.rejected`: the request was not sent, and why. */
export const HubOutboundRejectedSchema = z.object({
  reference: z.string().optional(),
  recipient: z.string(),
  type: z.string(),
  code: z.number().int(),
  cause: z.string(),
  errors: z.array(HubFieldErrorSchema),
});
export type HubOutboundRejected = z.infer<typeof HubOutboundRejectedSchema>;

/** `hub.inbound.<TYPE>`: a received, validated business message. */
export const HubInboundSchema = z.object({
  distributionId: z.string(),
  senderId: z.string(),
  recipientId: z.string(),
  type: z.string(),
  kind: HubDistributionKindSchema,
  vhost: z.string(),
  receivedAt: z.iso.datetime({ offset: true }),
  /** The RC-DE header (messageId, sender, sentAt, kind, status, recipient). */
  header: z.record(z.string(), z.unknown()),
  /** The object under the type's root key. */
  content: z.unknown(),
  /** Further customContent objects of the message, if any. */
  customContent: z.array(z.record(z.string(), z.unknown())),
});
export type HubInbound = z.infer<typeof HubInboundSchema>;

/** `hub.trace.acknowledged`: the recipient's RC-REF for one of our messages. */
export const HubAcknowledgedSchema = z.object({
  distributionId: z.string(),
  /** The caller's `reference` of the acknowledged message, when it gave one. */
  reference: z.string().optional(),
  ackDistributionId: z.string(),
  recipientId: z.string(),
  refused: z.boolean(),
  at: z.iso.datetime({ offset: true }),
});
export type HubAcknowledged = z.infer<typeof HubAcknowledgedSchema>;

/** `hub.trace.error`: an RS-ERROR about one of our messages (from the Hub or the recipient). */
export const HubErrorEventSchema = z.object({
  distributionId: z.string(),
  /** The caller's `reference` of the message in error, when it gave one. */
  reference: z.string().optional(),
  code: z.number().int(),
  statusString: z.string(),
  cause: z.string(),
  at: z.iso.datetime({ offset: true }),
});
export type HubErrorEvent = z.infer<typeof HubErrorEventSchema>;
