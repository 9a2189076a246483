// Bus messages of the `tcs.*` subjects: teleconsultation documents (cpv2 -> doc-converter) and
// patient records exported from the centres' Ophtix (intake -> TCS).
import { z } from 'zod';

/** Subjects of the teleconsultation domain. */
export const TCS_SUBJECTS = {
  /** cpv2 publishes every letter or prescription Ophtix TCS generates. */
  documentGenerated: 'tcs.documents.generated',
  /** doc-converter wrote the PDF on the share. */
  documentConverted: 'tcs.documents.converted',
  /** doc-converter could not convert it (the reason says why); parked ones are not failed. */
  documentFailed: 'tcs.documents.failed',
  /** A patient record exported by a centre was read from the intake folder. */
  dossierReceived: 'tcs.dossiers.received',
} as const;

/** Object-store bucket where cpv2 puts contents too large to travel inline. */
export const TCS_DOCUMENTS_BUCKET = 'tcs-documents';

/** Ophtix ids are numeric; kept as text so leading zeros or a future prefix survive. */
export const OphtixIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or -')
  .describe('Ophtix TCS identifier');

export const DocumentKindSchema = z
  .enum(['ordonnance', 'courrier', 'compte-rendu', 'autre'])
  .describe('ordonnance (prescription), courrier (letter), compte-rendu (report) or autre');

/** Text without control characters (NUL, newlines...): they break databases, file names and logs. */
const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const PatientRefSchema = z.object({
  id: plainText(64),
  lastName: plainText(200),
  firstName: plainText(200),
  birthDate: z.iso.date(),
});
export type PatientRef = z.infer<typeof PatientRefSchema>;

export const SUPPORTED_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/html',
] as const;

const mediaType = z
  .string()
  .min(1)
  .max(100)
  .describe(`one of ${SUPPORTED_MEDIA_TYPES.join(', ')} (parameters such as ;charset=utf-8 allowed)`);

/** Content carried inline, base64-encoded. */
export const InlineContentSchema = z.object({
  mediaType,
  base64: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64'),
});

/** Content stored in the JetStream Object Store, referenced by name. */
export const StoredContentSchema = z.object({
  mediaType,
  object: z.object({
    bucket: z.string().min(1).max(64).default(TCS_DOCUMENTS_BUCKET),
    name: z.string().min(1).max(255),
  }),
  size: z.number().int().nonnegative().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export const DocumentContentSchema = z.union([InlineContentSchema, StoredContentSchema]);
export type DocumentContent = z.infer<typeof DocumentContentSchema>;

/**
 * The cpv2 document message (assumed contract, see services/doc-converter/README.md): one
 * letter or prescription generated in Ophtix TCS, on `tcs.documents.generated` with
 * `Nats-Msg-Id` = `id`.
 */
export const GeneratedDocumentSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
    .describe('document id in Ophtix TCS, unique'),
  kind: DocumentKindSchema,
  doctorId: OphtixIdSchema,
  centreId: z
    .string()
    .regex(/^[0-9]{1,6}$/, 'must be a centre number')
    .describe('TCS centre is 62'),
  windowsLogin: plainText(256).describe('the doctor Windows login naming the share folder'),
  patient: PatientRefSchema,
  createdAt: z.iso.datetime({ offset: true }),
  content: DocumentContentSchema,
});
export type GeneratedDocument = z.infer<typeof GeneratedDocumentSchema>;

export const DocumentConvertedEventSchema = z.object({
  documentId: z.string(),
  doctorId: z.string(),
  windowsLogin: z.string(),
  /** Relative to the export root: the share is mounted at different places. */
  path: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
  pages: z.number().int(),
  signed: z.object({ image: z.boolean(), pades: z.boolean() }),
  convertedAt: z.iso.datetime(),
});
export type DocumentConvertedEvent = z.infer<typeof DocumentConvertedEventSchema>;

export const DocumentFailedEventSchema = z.object({
  documentId: z.string(),
  doctorId: z.string(),
  reason: z.string(),
  failedAt: z.iso.datetime(),
});
export type DocumentFailedEvent = z.infer<typeof DocumentFailedEventSchema>;

/** A patient record read from the intake folder (assumed XML contract in the doc-converter README). */
export const DossierReceivedSchema = z.object({
  /** sha256 of the file: the same file dropped twice is one message. */
  fileSha256: z.string(),
  fileName: z.string(),
  centre: z.object({ id: z.string(), name: z.string().optional() }),
  patient: z.object({
    id: z.string(),
    alaxioneId: z.string().optional(),
    lastName: z.string(),
    firstName: z.string(),
    birthDate: z.string(),
    sex: z.string().optional(),
  }),
  consultation: z.object({
    date: z.string(),
    orthoptist: z.string().optional(),
    reason: z.string().optional(),
    conclusion: z.string().optional(),
  }),
  images: z.array(
    z.object({
      name: z.string(),
      originalName: z.string(),
      mediaType: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      object: z.object({ bucket: z.string(), name: z.string() }),
    }),
  ),
  /** Repairs made to the file before parsing (e.g. a bare `&` escaped), with their position. */
  repairs: z.array(z.object({ line: z.number().int(), column: z.number().int(), what: z.string() })),
});
export type DossierReceived = z.infer<typeof DossierReceivedSchema>;
