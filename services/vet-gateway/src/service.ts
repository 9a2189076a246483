import { createOutboxRelay, defineService, flag, runPeriodicWithLease, urlWith, z } from '@hip/shared';
import { VET_SUBJECTS, type VetBillingLinesReply, VetBillingLinesRequestSchema } from '@hip/shared/schemas';
import { createVetelevageClient } from './adapters/vetelevage/client.ts';
import { createApp } from './app.ts';
import { applyBootstrap, BootstrapSchema } from './bootstrap.ts';
import { migrations } from './db/migrations.ts';
import { accounts, editors, leases, outbox } from './db/schema.ts';
import { createActPusher } from './import/acts.ts';
import { createImporter, type ImportHooks } from './import/importer.ts';
import { createReferenceCache } from './import/reference.ts';
import { createSessionProvider, type ImportSource } from './import/sessions.ts';
import { createSecretBox } from './secrets.ts';
import { linesOfVisits } from './store/billing.ts';

const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

export const configSchema = z.object({
  /** Vétélevage API base URL, e.g. https://api.vetelevage.example/v1 (set by the simulator in `pnpm start`). */
  VETELEVAGE_URL: urlWith('http', 'https').optional(),
  /** Vétélevage web front, for direct authentication links. */
  VETELEVAGE_WEB_URL: urlWith('http', 'https').optional(),
  VETELEVAGE_TIMEOUT_MS: ms(15_000),
  /** base64 of 32 random bytes (AES-256-GCM) sealing the stored credentials. */
  VET_SECRETS_KEY: z.string().optional(),
  /** Scheduled import and act push of every account; 0 turns the schedule off (on demand only). */
  VET_IMPORT_INTERVAL_MS: ms(300_000),
  VET_IMPORT_MAX_BATCHES: z.coerce.number().int().min(1).default(50),
  VET_IMPORT_LEASE_MS: ms(120_000),
  /** The act list is pushed when it changes and at least this often. */
  VET_ACTS_MAX_AGE_MS: ms(86_400_000),
  VET_REFERENCE_CACHE_MS: ms(3_600_000),
  /** JSON `{ editors: [{id, secret}], accounts: [{id, mode, login, password, editor}] }` linked at start. */
  VET_BOOTSTRAP: z
    .string()
    .transform((text, ctx) => {
      try {
        return BootstrapSchema.parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `must be JSON { editors, accounts }: ${(error as Error).message}`,
        });
        return z.NEVER;
      }
    })
    .optional(),
  /** Lease holder name of this replica (defaults to a random id per process). */
  VET_REPLICA_ID: z.string().optional(),
  VET_OUTBOX_RELAY: flag(true),
});

/** Seams for integration tests: crash points between the steps of an import. */
export interface VetGatewaySeams {
  importHooks?: ImportHooks;
}

/** The service definition; tests pass seams, the platform uses `vetGateway`. */
export const defineVetGateway = (seams: VetGatewaySeams = {}) =>
  defineService({
    name: 'vet-gateway',
    defaultPort: 8084,
    configSchema,
    async create({ config, logger, bus, database }) {
      await database.migrate(migrations);
      const { db } = database;
      const secrets = config.VET_SECRETS_KEY ? await createSecretBox(config.VET_SECRETS_KEY) : undefined;
      if (!secrets)
        logger.warn('VET_SECRETS_KEY is not set: account credentials cannot be registered or read');
      if (secrets && config.VET_BOOTSTRAP) await applyBootstrap(db, secrets, config.VET_BOOTSTRAP);

      const client = createVetelevageClient({
        baseUrl: config.VETELEVAGE_URL ?? 'http://vetelevage-url-not-configured.invalid/',
        timeoutMs: config.VETELEVAGE_TIMEOUT_MS,
      });
      const sessions = createSessionProvider({ db, client, secrets });
      const relay = createOutboxRelay({
        db,
        bus,
        table: outbox,
        logger,
        retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
      });
      if (config.VET_OUTBOX_RELAY) relay.start();
      const holder = config.VET_REPLICA_ID ?? `vet-gateway-${crypto.randomUUID().slice(0, 8)}`;
      const importer = createImporter({
        db,
        relay,
        sessions,
        logger,
        holder,
        leaseTtlMs: config.VET_IMPORT_LEASE_MS,
        maxBatchesPerRun: config.VET_IMPORT_MAX_BATCHES,
        hooks: seams.importHooks,
      });
      const acts = createActPusher({ db, sessions, logger, maxAgeMs: config.VET_ACTS_MAX_AGE_MS });
      const reference = createReferenceCache({ sessions, ttlMs: config.VET_REFERENCE_CACHE_MS });

      // One replica runs the schedule; per-source leases keep on-demand imports from overlapping it.
      const scheduledRun = async () => {
        const linked = await db.select({ id: accounts.id, mode: accounts.mode }).from(accounts);
        for (const a of linked) await acts.pushIfDue(a.id);
        const sources: ImportSource[] = [
          ...linked
            .filter((a) => a.mode === 'veterinaire')
            .map((a) => ({ kind: 'account' as const, id: a.id })),
          ...(await db.select({ id: editors.id }).from(editors)).map((e) => ({
            kind: 'editor' as const,
            id: e.id,
          })),
        ];
        for (const source of sources) await importer.importSource(source);
      };
      const stopSchedule =
        config.VET_IMPORT_INTERVAL_MS > 0 && config.VETELEVAGE_URL
          ? runPeriodicWithLease({
              db,
              table: leases,
              name: 'vet-schedule',
              holder,
              everyMs: config.VET_IMPORT_INTERVAL_MS,
              job: scheduledRun,
              onError: (error) => logger.error({ err: error }, 'scheduled import failed'),
            })
          : async () => undefined;

      const billingReplies = await bus.reply(
        VET_SUBJECTS.billingLinesRequest,
        async (message): Promise<VetBillingLinesReply> => {
          const parsed = VetBillingLinesRequestSchema.safeParse(safeJson(message.text()));
          if (!parsed.success)
            return {
              ok: false,
              error: `bad request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
            };
          const [visit] = await linesOfVisits(db, parsed.data.account, {
            visitIds: [parsed.data.visitId],
            limit: 1,
          });
          return visit
            ? { ok: true, visit }
            : {
                ok: false,
                error: `visit ${parsed.data.visitId} of account ${parsed.data.account} was not imported`,
              };
        },
      );

      const app = createApp({
        logger,
        bus,
        db,
        secrets,
        sessions,
        importer,
        acts,
        relay,
        reference,
        webUrl: config.VETELEVAGE_WEB_URL ?? config.VETELEVAGE_URL,
        readiness: {
          database: () => database.ping(),
          bus: () => bus.ping(),
          vetelevage: async () => {
            if (!config.VETELEVAGE_URL) throw new Error('VETELEVAGE_URL is not set');
          },
        },
      });
      return {
        app,
        async stop() {
          await stopSchedule();
          await billingReplies.stop();
          await relay.stop();
        },
      };
    },
    async simulators({ env, portBase }) {
      const { startDemoSimulator } = await import('../sim/demo.ts');
      return startDemoSimulator(env, portBase + 40);
    },
  });

/** Vet practice software (LGCV) <-> Vétélevage. */
export const vetGateway = defineVetGateway();

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
