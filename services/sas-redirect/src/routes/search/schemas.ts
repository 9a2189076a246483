import { z } from '@hip/shared';
import { unknownParameterMessage } from './unknown-params.ts';

const text = (max: number, example?: string) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .optional()
    .openapi(example ? { example } : {});

/** The context in the SAS's own parameter names; bare codes and URNs are both accepted. */
export const SearchContextFields = {
  origin: text(64, 'samu44-lrm').openapi({ description: 'LRM/SAMU origin declared on the SAS' }),
  streetnumber: text(16, '12'),
  streetname: text(200, 'rue de la Paix'),
  inseecode: text(5, '44109').openapi({
    description: 'INSEE commune code (Paris/Lyon/Marseille districts too)',
  }),
  city: text(100, 'Nantes'),
  address: text(300, '12 rue de la Paix, 44000 Nantes').openapi({
    description: 'the whole address on one line, instead of the four fields',
  }),
  specialty: text(100, 'SM54').openapi({
    description: 'TRE_R38 code, bare or as urn:oid:1.2.250.1.213.2.28|<code>; anything else is free text',
  }),
  practitioner: text(60, '10005681340').openapi({
    description:
      'attending doctor: RPPS (11 digits, Luhn key), "8"+RPPS, or urn:oid:1.2.250.1.71.4.2.1|8<RPPS>',
  }),
};

export const SEARCH_PARAMETERS = Object.keys(SearchContextFields);

/** Unknown query parameters pass (links may carry others), misspelled ones are refused by the route. */
export const SearchQuerySchema = z.object(SearchContextFields);

/** A JSON body is ours to define: an unknown key is a mistake, named (with the right name if it looks misspelled). */
const strictKeys = (known: readonly string[]) => ({
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? (issue.keys ?? []).map((key) => unknownParameterMessage(key, known)).join('; ')
      : undefined,
});

export const BookingSchema = z
  .strictObject(
    {
      patient: z.strictObject(
        {
          lastName: z.string().min(1).max(100),
          firstName: z.string().min(1).max(100),
          birthDate: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
            .optional(),
          sex: z.enum(['F', 'M', 'U']).optional(),
          phone: z
            .string()
            .regex(/^\+?[0-9 .-]{6,20}$/, 'must be a phone number')
            .optional(),
          email: z.email().optional(),
        },
        strictKeys(['lastName', 'firstName', 'birthDate', 'sex', 'phone', 'email']),
      ),
      reason: z.string().max(500).optional(),
      lrmCaseId: z.string().max(100).optional(),
    },
    strictKeys(['patient', 'reason', 'lrmCaseId']),
  )
  .openapi('BookingData', {
    description: 'patient data for booking; only ever travels server-to-server (forces the token mode)',
  });

export const ContextBodySchema = z
  .strictObject(
    {
      ...SearchContextFields,
      booking: BookingSchema.optional(),
      mode: z.enum(['plain', 'token']).optional().openapi({
        description:
          'how the SAS gets the context; default from REDIRECT_MODE, token whenever booking data is given',
      }),
    },
    strictKeys([...SEARCH_PARAMETERS, 'booking', 'mode']),
  )
  .openapi('SearchContextInput');

export const NormalizedContextSchema = z
  .object({
    origin: z.string(),
    streetnumber: z.string().optional(),
    streetname: z.string().optional(),
    inseecode: z.string().optional(),
    city: z.string().optional(),
    specialty: z.string().optional().openapi({ description: 'as the SAS reads it (URN or free text)' }),
    specialtyLabel: z.string().optional(),
    practitioner: z.string().optional().openapi({ description: 'urn:oid:1.2.250.1.71.4.2.1|8<RPPS>' }),
  })
  .openapi('SasSearchContext');

export const LaunchSchema = z
  .object({
    id: z.string(),
    launchUrl: z
      .string()
      .openapi({ description: 'open this in the regulator browser (carries no patient data)' }),
    expiresAt: z.string(),
    mode: z.enum(['plain', 'token']),
    context: NormalizedContextSchema,
  })
  .openapi('ContextLaunch');

export const RedeemedContextSchema = NormalizedContextSchema.extend({
  booking: BookingSchema.optional(),
  regulator: z.object({ nationalId: z.string() }).optional(),
}).openapi('RedeemedContext');
