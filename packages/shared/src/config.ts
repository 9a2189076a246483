import { z } from 'zod';

/** Raised when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
  }
}

/**
 * Parses the environment once, at start. Empty strings count as unset so that
 * `FOO=` in a manifest means "use the default", as operators expect.
 *
 * @example
 * const config = loadConfig(z.object({ PORT: port(8085) }));
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = globalThis.process?.env ?? {},
): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(root)'),
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** A TCP port with a default. */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** An optional URL with one of the given protocols. */
export const urlWith = (...protocols: string[]) =>
  z
    .url({ message: `must be a URL (${protocols.join(', ')})` })
    .refine((value) => protocols.some((p) => value.startsWith(`${p}:`)), {
      message: `must use ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** "true"/"false"/"1"/"0" as a boolean, with a default. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Settings every service reads: where its servers are and how it logs. */
export const baseConfigSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: urlWith('nats', 'tls').optional(),
  /** Prefix of every subject, durable and bucket, to share a NATS server between environments. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'must be lower-case letters, digits, - or _')
    .optional(),
  /** Copies JetStream keeps of each stream: 3 on a 3-node cluster, 1 on a single server. */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  DATABASE_URL: urlWith('postgres', 'postgresql').optional(),
  DATA_DIR: z.string().default('.data'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** How long sent events stay in a service's outbox before they are deleted. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().positive().default(168),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;
