import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  createOutboxRelay,
  defineService,
  flag,
  runPeriodically,
  runPeriodicWithLease,
  z,
} from '@hip/shared';
import { TCS_DOCUMENTS_BUCKET } from '@hip/shared/schemas';
import { publishSampleDocuments } from '../sim/cpv2-publisher.ts';
import { prepareDemo } from '../sim/demo.ts';
import { fileAssetStore } from './adapters/assets.ts';
import { exportShare } from './adapters/export-share.ts';
import { intakeErrorsBrowser, shareBrowser } from './adapters/folder-browser.ts';
import { intakeFolder } from './adapters/intake-folder.ts';
import { createApp } from './app.ts';
import { migrations } from './db/migrations.ts';
import { leases, outbox } from './db/schema.ts';
import { type PadesSigner, p12Problem } from './pdf/pades.ts';
import { subscribeDocuments } from './processing/consumer.ts';
import { DocumentProcessor } from './processing/document-processor.ts';
import { documentService } from './processing/document-service.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z.object({
  EXPORT_ROOT: z.string().optional().describe('the share: <EXPORT_ROOT>/<windows_login>/*.pdf'),
  ASSETS_ROOT: z.string().optional().describe('holds entete/<doctorId>.pdf and signature/62_<doctorId>.png'),
  INTAKE_DIR: z.string().optional().describe('patient XML intake folder; intake is off when unset'),
  INTAKE_POLL_MS: positiveInt(2_000),
  INTAKE_MAX_BYTES: positiveInt(20 * 1024 * 1024),
  INTAKE_SETTLE_MS: z.coerce.number().int().min(0).default(2_000),
  LETTERHEAD_PAGES: z.enum(['first', 'all']).default('first'),
  LETTERHEAD_REQUIRED: flag(true),
  SIGNATURE_IMAGE: z.enum(['required', 'optional', 'off']).default('required'),
  SIGNATURE_CENTRE_ID: z
    .string()
    .regex(/^[0-9]{1,6}$/)
    .default('62'),
  PADES_ENABLED: flag(false),
  PADES_P12_PATH: z.string().optional(),
  PADES_P12_PASSWORD: z.string().default(''),
  PADES_SIGNER_NAME: z.string().default('doc-converter'),
  PADES_LOCATION: z.string().default('France'),
  DOCUMENT_MAX_BYTES: positiveInt(25 * 1024 * 1024),
  CONSUMER_MAX_DELIVER: positiveInt(5),
  CONSUMER_BACKOFF_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
    .default('1000,5000,30000')
    .transform((v) => v.split(',').map(Number)),
  CONSUMER_CONCURRENCY: positiveInt(4),
  SWEEP_EVERY_MS: positiveInt(30_000),
  DOC_CONVERTER_DEMO: flag(false),
});

const SOURCE_BUCKET = 'doc-converter-sources';
const DEFAULT_PORT = 8085;

/** The PKCS#12, opened once at start: a bad file or password stops the process naming the variable. */
function readSigner(
  path: string,
  config: Pick<z.infer<typeof configSchema>, 'PADES_P12_PASSWORD' | 'PADES_SIGNER_NAME' | 'PADES_LOCATION'>,
): PadesSigner {
  let p12: Uint8Array;
  try {
    p12 = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new ConfigError([
      { variable: 'PADES_P12_PATH', message: `cannot be read: ${(error as Error).message}` },
    ]);
  }
  const problem = p12Problem(p12, config.PADES_P12_PASSWORD);
  if (problem) throw new ConfigError([problem]);
  return {
    p12,
    passphrase: config.PADES_P12_PASSWORD,
    name: config.PADES_SIGNER_NAME,
    location: config.PADES_LOCATION,
  };
}

/** Teleconsultation documents -> signed PDF on a network share. */
export const docConverter = defineService({
  name: 'doc-converter',
  defaultPort: DEFAULT_PORT,
  configSchema,
  async simulators({ logger, env }) {
    // Variables the user set win: their folders are used as they are, and only the ones left
    // unset point at the demo's folders (pnpm start also gives the user's values precedence).
    const chosen = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
    const folders = await prepareDemo(join(env.DATA_DIR || '.data', 'doc-converter'), {
      exportRoot: chosen('EXPORT_ROOT'),
      assetsRoot: chosen('ASSETS_ROOT'),
      intakeDir: chosen('INTAKE_DIR'),
    });
    logger.info({ exportRoot: folders.exportRoot }, 'doc-converter demo folders ready');
    const demoEnv: Record<string, string> = {
      EXPORT_ROOT: folders.exportRoot,
      ASSETS_ROOT: folders.assetsRoot,
      INTAKE_DIR: folders.intakeDir,
      DOC_CONVERTER_DEMO: 'true',
    };
    // The folders are served by doc-converter's own pages: a browser cannot open file:// links
    // from a web page. The platform runs the service on DOC_CONVERTER_PORT.
    const pages = `http://localhost:${chosen('DOC_CONVERTER_PORT') ?? DEFAULT_PORT}`;
    return {
      env: Object.fromEntries(Object.entries(demoEnv).filter(([name]) => chosen(name) === undefined)),
      links: [
        { label: 'doc-converter share (EXPORT_ROOT)', url: `${pages}/admin/share/` },
        {
          label: 'doc-converter refused intake files (INTAKE_DIR/errors)',
          url: `${pages}/admin/intake/errors/`,
        },
      ],
      async stop() {},
    };
  },
  async create({ config, logger, bus, database }) {
    if (config.PADES_ENABLED && !config.PADES_P12_PATH) {
      throw new ConfigError([
        { variable: 'PADES_P12_PATH', message: 'is required when PADES_ENABLED is true' },
      ]);
    }
    const pades =
      config.PADES_ENABLED && config.PADES_P12_PATH ? readSigner(config.PADES_P12_PATH, config) : undefined;
    await database.migrate(migrations);
    const root = (value: string | undefined, sub: string) =>
      value ?? join(config.DATA_DIR, 'doc-converter', sub);
    const assets = fileAssetStore(root(config.ASSETS_ROOT, 'assets'));
    const exportRoot = root(config.EXPORT_ROOT, 'export');
    const share = exportShare(exportRoot);
    const relay = createOutboxRelay({
      db: database.db,
      bus,
      table: outbox,
      logger,
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    });
    relay.start();
    const processor = new DocumentProcessor({
      db: database.db,
      bus,
      assets,
      share,
      relay,
      logger,
      settings: {
        letterheadRequired: config.LETTERHEAD_REQUIRED,
        letterheadPages: config.LETTERHEAD_PAGES,
        signatureImage: config.SIGNATURE_IMAGE,
        signatureCentreId: config.SIGNATURE_CENTRE_ID,
        pades,
        maxDocumentBytes: config.DOCUMENT_MAX_BYTES,
        maxAttempts: config.CONSUMER_MAX_DELIVER,
        sourceBucket: SOURCE_BUCKET,
        documentsBucket: TCS_DOCUMENTS_BUCKET,
      },
    });
    const subscriptions = await subscribeDocuments({
      bus,
      db: database.db,
      processor,
      logger,
      maxDeliver: config.CONSUMER_MAX_DELIVER,
      backoffMs: config.CONSUMER_BACKOFF_MS,
      concurrency: config.CONSUMER_CONCURRENCY,
    });
    const stopSweeper = runPeriodically({
      everyMs: config.SWEEP_EVERY_MS,
      job: () => processor.sweep(config.SWEEP_EVERY_MS),
      onError: (error) => logger.warn({ err: error }, 'sweep failed'),
    });
    const intake = config.INTAKE_DIR
      ? intakeFolder({
          dir: config.INTAKE_DIR,
          maxBytes: config.INTAKE_MAX_BYTES,
          settleMs: config.INTAKE_SETTLE_MS,
          db: database.db,
          bus,
          relay,
          logger,
        })
      : undefined;
    // One replica scans the folder at a time: two would race to move the same file.
    const stopIntake = intake
      ? runPeriodicWithLease({
          db: database.db,
          table: leases,
          name: 'doc-converter-intake',
          holder: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
          everyMs: config.INTAKE_POLL_MS,
          job: () => intake.scan(),
          onError: (error) => logger.warn({ err: error }, 'intake scan failed'),
        })
      : undefined;
    const app = createApp({
      logger,
      share: shareBrowser(exportRoot),
      intakeErrors: config.INTAKE_DIR ? intakeErrorsBrowser(config.INTAKE_DIR) : undefined,
      documents: documentService({
        db: database.db,
        processor,
        assets,
        signatureCentreId: config.SIGNATURE_CENTRE_ID,
      }),
      readiness: { database: () => database.ping(), bus: () => bus.ping() },
      maxBodyBytes: Math.ceil(config.DOCUMENT_MAX_BYTES * 1.4) + 64 * 1024,
    });
    // The single-process demo (`pnpm start`): simulators() cannot publish (it gets no bus), so
    // the sample cpv2 documents are published from here, now that the consumer is subscribed.
    if (config.DOC_CONVERTER_DEMO) {
      try {
        const docs = await publishSampleDocuments(bus);
        logger.info({ documents: docs.length }, 'demo: sample cpv2 documents published');
      } catch (error) {
        logger.warn({ err: error }, 'demo: publishing samples failed');
      }
    }
    return {
      app,
      async stop() {
        await stopSweeper();
        await stopIntake?.();
        for (const s of subscriptions) await s.stop();
        await relay.stop();
      },
    };
  },
});
