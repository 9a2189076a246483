import { readFileSync } from 'node:fs';
import { createOutboxRelay, defineService, flag, runPeriodically, urlWith, z } from '@hip/shared';
import { createMtlsFetch } from './adapters/mtls-fetch.ts';
import { createOfferAdapter } from './adapters/offer.ts';
import { createPscClient } from './adapters/psc.ts';
import { createApp } from './app.ts';
import { createAppointmentService } from './appointments/service.ts';
import { createContextStore } from './contexts/pending.ts';
import { createRedirectLog } from './contexts/redirect-log.ts';
import { migrations } from './db/migrations.ts';
import { outbox } from './db/schema.ts';
import { parseSpecialtyCsv } from './domain/specialty.ts';
import { createOfferService } from './offer/service.ts';
import { createSessionStore } from './sso/sessions.ts';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
/** The SAS is reached over HTTPS (TLS 1.2+); plain http only for a simulator on this machine. */
const httpsUnlessLocal = urlWith('http', 'https').refine(
  (value) =>
    value.startsWith('https:') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(value),
  { message: 'must use https:// (the SAS requires HTTPS, TLS 1.2+); http:// only for localhost simulators' },
);
const seconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const secret = z.string().min(16, 'must be at least 16 characters');

export const configSchema = z.object({
  /** Browsers keep the Secure session cookie over https only (localhost counts as secure). */
  PUBLIC_BASE_URL: httpsUnlessLocal.default('http://localhost:8083'),
  SAS_BASE_URL: httpsUnlessLocal.default('https://sas.sante.fr'),
  /** LRM/SAMU origins declared on the SAS, comma-separated. */
  LRM_ORIGINS: list(''),
  REDIRECT_MODE: z.enum(['plain', 'token']).default('plain'),
  /** HS256 key of the context tokens; shared by all replicas. Random per process when unset. */
  CONTEXT_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CONTEXT_TOKEN_TTL_SECONDS: seconds(60),
  LAUNCH_TTL_SECONDS: seconds(300),
  SAS_CONTEXT_API_KEY: secret.optional(),
  LRM_API_KEY: secret.optional(),
  /** A newer TRE_R38 export (ANS CSV `code;libelle`) instead of the copy shipped with the service. */
  TRE_R38_FILE: z.string().optional(),
  PSC_ISSUER: urlWith('http', 'https').optional(),
  PSC_CLIENT_ID: z.string().optional(),
  PSC_CLIENT_SECRET: z.string().optional(),
  PSC_TLS_CERT_FILE: z.string().optional(),
  PSC_TLS_KEY_FILE: z.string().optional(),
  PSC_TLS_CA_FILE: z.string().optional(),
  PSC_ACR_VALUES: z.string().default('eidas1'),
  PSC_SIGNED_USERINFO: flag(false),
  PSC_ALLOW_HTTP: flag(false),
  PSC_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  SESSION_COOKIE: z
    .string()
    .regex(/^[\w-]+$/)
    .default('sas_sid'),
  SESSION_TTL_MINUTES: seconds(240),
  SESSION_IDLE_MINUTES: seconds(30),
  TOKEN_REFRESH_MARGIN_SECONDS: seconds(30),
  LOGIN_TTL_SECONDS: seconds(600),
  HUB_SAS_SENDERS: list('fr.health.ptfsas,fr.health.test.ptfsas'),
  OFFER_API_URL: httpsUnlessLocal.optional(),
  OFFER_API_KEY: z.string().optional(),
  OFFER_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_000),
  OFFER_CACHE_SECONDS: seconds(30),
  OFFER_STALE_SECONDS: seconds(600),
});
export type SasRedirectConfig = z.infer<typeof configSchema>;

/** LRM -> SAS care-offer platform, Pro Santé Connect SSO. */
export const sasRedirect = defineService({
  name: 'sas-redirect',
  defaultPort: 8083,
  configSchema,
  async simulators({ logger, env, portBase }) {
    const { startSimulators } = await import('../sim/index.ts');
    const first = portBase + 30;
    // Set by hub-bridge's simulators (started before ours): the SAS platform's own Hub client.
    const bridgeUrl = env.HUB_DEMO_SAS_BRIDGE_URL;
    const samuClientId = env.HUB_DEMO_SAMU_CLIENT_ID;
    return startSimulators({
      logger,
      servicePort: Number(env.SAS_REDIRECT_PORT ?? 8083),
      ports: { psc: first, sas: first + 1, lrm: first + 2, pscWallet: first + 3 },
      ...(bridgeUrl && samuClientId ? { hub: { bridgeUrl, samuClientId } } : {}),
    });
  },
  async create({ config, logger, bus, database }) {
    const specialties = parseSpecialtyCsv(
      readFileSync(
        config.TRE_R38_FILE ?? new URL('../data/TRE_R38-SpecialiteOrdinale.csv', import.meta.url),
        'utf8',
      ),
    );
    if (config.REDIRECT_MODE === 'token') {
      // Every search would send the SAS a token it cannot redeem (or, with several replicas, one
      // that only the replica that signed it can read): refuse to start rather than fail each search.
      for (const name of ['SAS_CONTEXT_API_KEY', 'CONTEXT_TOKEN_SECRET'] as const) {
        if (!config[name]) {
          throw new Error(
            `REDIRECT_MODE=token needs ${name}: the SAS fetches each context with GET /contexts/:token`,
          );
        }
      }
    }
    if (!config.CONTEXT_TOKEN_SECRET) {
      logger.warn('CONTEXT_TOKEN_SECRET not set: context tokens are signed with a per-process key');
    }
    const signingKey = config.CONTEXT_TOKEN_SECRET
      ? new TextEncoder().encode(config.CONTEXT_TOKEN_SECRET)
      : crypto.getRandomValues(new Uint8Array(32));

    // PSC settings are checked before touching the database: a wrong one stops the start at once.
    let psc: ReturnType<typeof createPscClient> | undefined;
    if (config.PSC_ISSUER) {
      if (!config.PSC_CLIENT_ID) throw new Error('PSC_CLIENT_ID is required with PSC_ISSUER');
      const mtls =
        config.PSC_TLS_CERT_FILE && config.PSC_TLS_KEY_FILE
          ? createMtlsFetch({
              cert: readFileSync(config.PSC_TLS_CERT_FILE, 'utf8'),
              key: readFileSync(config.PSC_TLS_KEY_FILE, 'utf8'),
              ...(config.PSC_TLS_CA_FILE ? { ca: readFileSync(config.PSC_TLS_CA_FILE, 'utf8') } : {}),
            })
          : undefined;
      if (!config.PSC_CLIENT_SECRET && !mtls) {
        throw new Error(
          'PSC needs PSC_CLIENT_SECRET (client_secret_basic) or PSC_TLS_CERT_FILE + PSC_TLS_KEY_FILE (mTLS)',
        );
      }
      psc = createPscClient({
        issuer: config.PSC_ISSUER,
        clientId: config.PSC_CLIENT_ID,
        ...(config.PSC_CLIENT_SECRET ? { clientSecret: config.PSC_CLIENT_SECRET } : {}),
        ...(mtls ? { fetch: mtls } : {}),
        acrValues: config.PSC_ACR_VALUES,
        signedUserinfo: config.PSC_SIGNED_USERINFO,
        allowHttp: config.PSC_ALLOW_HTTP,
        timeoutMs: config.PSC_TIMEOUT_MS,
      });
    }

    await database.migrate(migrations);
    const db = database.db;
    const sso: Parameters<typeof createApp>[0]['sso'] = psc
      ? {
          psc,
          sessions: createSessionStore({
            db,
            psc,
            logger,
            settings: {
              ttlMs: config.SESSION_TTL_MINUTES * 60_000,
              idleMs: config.SESSION_IDLE_MINUTES * 60_000,
              refreshMarginMs: config.TOKEN_REFRESH_MARGIN_SECONDS * 1000,
              loginTtlMs: config.LOGIN_TTL_SECONDS * 1000,
            },
          }),
        }
      : undefined;

    const relay = createOutboxRelay({
      db,
      bus,
      table: outbox,
      logger,
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    });
    const appointments = createAppointmentService({
      db,
      bus,
      relay,
      logger,
      allowedSenders: new Set(config.HUB_SAS_SENDERS),
    });
    const subscriptions = await appointments.start();
    relay.start();

    const offer = createOfferService({
      ...(config.OFFER_API_URL
        ? {
            adapter: createOfferAdapter({
              baseUrl: config.OFFER_API_URL,
              ...(config.OFFER_API_KEY ? { apiKey: config.OFFER_API_KEY } : {}),
              timeoutMs: config.OFFER_TIMEOUT_MS,
            }),
          }
        : {}),
      ttlMs: config.OFFER_CACHE_SECONDS * 1000,
      staleMs: config.OFFER_STALE_SECONDS * 1000,
    });

    const redirectLog = createRedirectLog({ db, logger });
    const app = createApp({
      logger,
      bus,
      db,
      readiness: {
        database: () => database.ping(),
        bus: () => bus.ping(),
        ...(sso ? { proSanteConnect: () => sso.psc.ping() } : {}),
      },
      settings: {
        origins: new Set(config.LRM_ORIGINS),
        sasBaseUrl: config.SAS_BASE_URL,
        publicBaseUrl: config.PUBLIC_BASE_URL,
        redirectMode: config.REDIRECT_MODE,
        ...(config.SAS_CONTEXT_API_KEY ? { sasContextApiKey: config.SAS_CONTEXT_API_KEY } : {}),
        ...(config.LRM_API_KEY ? { lrmApiKey: config.LRM_API_KEY } : {}),
        sessionCookie: config.SESSION_COOKIE,
        sessionMaxAgeSeconds: config.SESSION_TTL_MINUTES * 60,
      },
      specialties,
      contexts: createContextStore({
        db,
        signingKey,
        issuer: config.PUBLIC_BASE_URL,
        tokenTtlMs: config.CONTEXT_TOKEN_TTL_SECONDS * 1000,
        launchTtlMs: config.LAUNCH_TTL_SECONDS * 1000,
      }),
      redirectLog,
      ...(sso ? { sso } : {}),
      appointments,
      offer,
    });
    const stopSweeper = sso
      ? runPeriodically({
          everyMs: 60_000,
          job: () => sso.sessions.sweep(),
          onError: (error) => logger.warn({ err: error }, 'session sweep failed'),
          keepAlive: false,
        })
      : undefined;
    return {
      app,
      async stop() {
        await stopSweeper?.();
        for (const s of subscriptions) await s.stop();
        await relay.stop();
        await redirectLog.stop();
      },
    };
  },
});
