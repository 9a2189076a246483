import { ConfigError, urlWith, z } from '@hip/shared';

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * Rules between variables. The platform extends `configSchema.shape`, which drops object-level
 * refinements, so the service also checks these itself at start (`assertConsistentConfig`).
 */
function configProblems(config: {
  HUB_RECONNECT_INITIAL_MS: number;
  HUB_RECONNECT_MAX_MS: number;
}): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (config.HUB_RECONNECT_MAX_MS < config.HUB_RECONNECT_INITIAL_MS) {
    problems.push({
      variable: 'HUB_RECONNECT_MAX_MS',
      message: `must be at least HUB_RECONNECT_INITIAL_MS (${config.HUB_RECONNECT_INITIAL_MS})`,
    });
  }
  return problems;
}

/** hub-bridge's environment variables (see README). */
export const configSchema = z
  .object({
    /**
     * AMQP(S) URL of the Hub, or `memory://<name>`: the in-process hub the demo's simulators
     * start in the same process. Unset: the bridge is idle and says so.
     */
    HUB_AMQP_URL: urlWith('amqp', 'amqps', 'memory').optional(),
    /** Our Hub client id, the routing key and the certificate CN, e.g. fr.health.samu770. */
    HUB_CLIENT_ID: z
      .string()
      .regex(/^fr(\.[a-z0-9_-]+){2,5}$/i, 'must be a Hub client id such as fr.health.samu770')
      .default('fr.health.samu000'),
    /** vHosts (perimeter and version), comma-separated; the first one is the default for sending. */
    HUB_VHOSTS: list
      .default(['15-15_v1.5'])
      .refine((v) => v.length > 0, 'must name at least one vhost, e.g. 15-15_v1.5'),
    HUB_AUTH: z.enum(['external', 'plain']).default('external'),
    HUB_TLS_CERT_FILE: z.string().optional(),
    HUB_TLS_KEY_FILE: z.string().optional(),
    HUB_TLS_KEY_PASSPHRASE: z.string().optional(),
    /** Trust store (PEM, may hold several certificates), e.g. the IGC Santé chain. */
    HUB_TLS_CA_FILE: z.string().optional(),
    /** Regular expression the client certificate's issuer must match. */
    HUB_CERT_ISSUER_PATTERN: z
      .string()
      .default('IGC[- ]SANT[EÉ]')
      .superRefine((pattern, ctx) => {
        try {
          new RegExp(pattern, 'i');
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a regular expression (${(error as Error).message})`,
          });
        }
      }),
    HUB_FORMAT: z.enum(['json', 'xml']).default('json'),
    HUB_MESSAGE_TTL_SECONDS: z.coerce.number().int().min(10).default(86_400),
    HUB_PREFETCH: z.coerce.number().int().min(1).max(1000).default(20),
    HUB_RECONNECT_INITIAL_MS: z.coerce.number().int().min(10).default(500),
    HUB_RECONNECT_MAX_MS: z.coerce.number().int().min(100).default(30_000),
    /** Deliveries of a `hub.outbound` request before it is parked as `failed` (dead letter). */
    HUB_OUTBOUND_MAX_DELIVER: z.coerce.number().int().min(1).default(5),
    /** Waits between those deliveries, comma-separated milliseconds. */
    HUB_OUTBOUND_BACKOFF_MS: list
      .default(['1000', '5000', '30000'])
      .transform((v) => v.map(Number))
      .refine(
        (v) => v.length > 0 && v.every((ms) => Number.isInteger(ms) && ms >= 0),
        'must be comma-separated milliseconds, e.g. 1000,5000,30000',
      ),
    /** Name of our system in RC-DE `sender.name` ({LRM name}-{routing key} per the DST). */
    HUB_SENDER_NAME: z.string().optional(),
  })
  .superRefine((config, ctx) => {
    for (const { variable, message } of configProblems(config)) {
      ctx.addIssue({ code: 'custom', path: [variable], message });
    }
  });
export type HubBridgeConfig = z.infer<typeof configSchema>;

/** Stops the start, naming the variable, when the variables contradict each other. */
export function assertConsistentConfig(config: HubBridgeConfig): void {
  const problems = configProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}
