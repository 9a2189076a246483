import type { Bus, DatabaseHandle, Logger } from '@hip/shared';
import type { ArcadApi } from '../adapters/arcad.ts';
import { createLiveArcadApi } from './arcadApi.ts';
import { createInbound } from './inbound.ts';
import { createOutbound } from './outbound.ts';
import { DEFAULT_LOG_RETENTION_MS, startLogPurge } from './retention.ts';
import { liveMigrations } from './schema.ts';
import { createSearch } from './search.ts';

export interface LiveOptions {
  database: DatabaseHandle;
  bus: Bus;
  arcad: ArcadApi;
  logger: Logger;
  arcadUrl: string;
  arcadToken: string;
  arcadTimeoutMs: number;
  /** Shared with ARCAD360 at webhook subscription; without it the webhook endpoint refuses everything. */
  webhookSecret: string | undefined;
  /** Asks the outbox relay to publish now. */
  kick: () => void;
  today?: () => string;
  /** First automatic retry of a failed ARCAD message after this long (doubling); 0 = admin retries only. */
  retryBaseMs?: number;
  /** Applied and ignored ARCAD messages leave the log after this long. */
  logRetentionMs?: number;
}

/**
 * The live flows: ARCAD360 -> LIVIA (signed webhooks, applied in order per client), LIVIA ->
 * ARCAD360 (bus events), and search before create. Its tables have their own migrations, applied
 * here after the service's main ones.
 */
export async function createLive(options: LiveOptions) {
  await options.database.migrate(liveMigrations);
  const db = options.database.db;
  const live = createLiveArcadApi({
    baseUrl: options.arcadUrl,
    apiToken: options.arcadToken,
    timeoutMs: options.arcadTimeoutMs,
  });
  const instance = `${globalThis.process?.pid ?? 'deno'}-${crypto.randomUUID().slice(0, 8)}`;
  const inbound = createInbound({
    db,
    bus: options.bus,
    arcad: live,
    logger: options.logger,
    instance,
    onEventsQueued: options.kick,
    ...(options.today ? { today: options.today } : {}),
    ...(options.retryBaseMs !== undefined
      ? { autoRetry: { baseMs: options.retryBaseMs, maxAttempts: 5 } }
      : {}),
  });
  const outbound = createOutbound({
    db,
    bus: options.bus,
    arcad: options.arcad,
    live,
    logger: options.logger,
    ...(options.retryBaseMs !== undefined
      ? { autoRetry: { baseMs: options.retryBaseMs, maxAttempts: 5 } }
      : {}),
  });
  const search = createSearch({ db, live, onEventsQueued: options.kick });
  await inbound.start();
  await outbound.start();
  const purge = startLogPurge({
    db,
    logger: options.logger,
    retentionMs: options.logRetentionMs ?? DEFAULT_LOG_RETENTION_MS,
  });
  return {
    inbound,
    outbound,
    search,
    instance,
    webhookSecret: options.webhookSecret,
    async stop() {
      await Promise.all([inbound.stop(), outbound.stop(), purge.stop()]);
    },
  };
}

export type Live = Awaited<ReturnType<typeof createLive>>;
