import {
  type Database,
  type Logger,
  type OutboxRelay,
  releaseLease,
  tryAcquireLease,
  UpstreamError,
} from '@hip/shared';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { ReceivedBatch, RejectedVisit } from '../adapters/vetelevage/contract.ts';
import { accounts, batches, editors, leases, rejectedVisits, visits } from '../db/schema.ts';
import {
  type BatchFingerprint,
  comparableFingerprints,
  describeBatchChange,
  diffBatches,
  fingerprintBatch,
  visitJson,
} from '../domain/batch.ts';
import { ACCOUNT_ID_PATTERN, AccountMismatchError, foreignVisits } from '../domain/comptes.ts';
import { classify, recordError, resolveErrors } from '../store/errors.ts';
import { storeVisits } from '../store/visits.ts';
import { type ImportSource, type SessionProvider, sourceKey } from './sessions.ts';

/** The points between the steps of an import, where tests make it crash. */
export type ImportStep = 'afterGet' | 'afterCommit' | 'afterPublish' | 'beforeDelete';
export type ImportHooks = Partial<Record<ImportStep, () => void | Promise<void>>>;

export interface ImportResult {
  source: string;
  status: 'ok' | 'busy' | 'failed' | 'held';
  batches: number;
  visitsSeen: number;
  visitsNew: number;
  /** Visits stored earlier that came back with other content (replaced, billing.updated sent). */
  visitsUpdated: number;
  /** Visits not matching the contract, kept aside (`rejected_visits`). */
  visitsRejected: number;
  error?: string;
}

const emptyResult = (source: string): Omit<ImportResult, 'status'> => ({
  source,
  batches: 0,
  visitsSeen: 0,
  visitsNew: 0,
  visitsUpdated: 0,
  visitsRejected: 0,
});

export interface ImporterOptions {
  db: Database;
  relay: OutboxRelay;
  sessions: SessionProvider;
  logger: Logger;
  /** This replica, as lease holder. */
  holder: string;
  leaseTtlMs: number;
  /** Batches taken in one run, so one busy account does not hold the lease for ever. */
  maxBatchesPerRun: number;
  hooks?: ImportHooks;
}

/**
 * The import of visits, step by step: GET the frozen batch -> store it in one transaction keyed
 * by visit id, with its events in the outbox -> relay the events -> DELETE the batch. A crash
 * anywhere leaves either nothing (GET again, same batch) or stored visits (GET again, same
 * batch, de-duplicated by visit id, no second event): nothing is lost, nothing billed twice.
 * A visit that comes back with other content replaces the stored one (billing.updated); one that
 * breaks the contract is kept aside, so that the rest of its batch goes through.
 */
export function createImporter(options: ImporterOptions) {
  const { db, logger } = options;
  /** Imports running in this process, by source: one at a time per source. */
  const inProcess = new Map<string, Promise<unknown>>();

  const step = async (name: ImportStep) => {
    await options.hooks?.[name]?.();
  };

  /**
   * One transaction: batch row, new and changed visits, products seen, rejected visits, their
   * events and errors.
   */
  const storeBatch = async (
    source: ImportSource,
    batch: ReceivedBatch & { lot: string },
    json: readonly string[],
    fp: BatchFingerprint,
  ) =>
    db.transaction(async (tx) => {
      const key = sourceKey(source);
      // Renewed in the transaction that stores: a replica whose lease expired and was taken
      // over stores nothing more (the batch comes back to the new holder, frozen).
      if (!(await tryAcquireLease(tx, leases, `import:${key}`, options.holder, options.leaseTtlMs)))
        return { leaseLost: true as const };
      const [previous] = await tx
        .select()
        .from(batches)
        .where(and(eq(batches.source, key), eq(batches.lot, batch.lot)) as SQL)
        .for('update');
      let change: ReturnType<typeof diffBatches> | undefined;
      if (
        previous &&
        previous.state !== 'acknowledged' &&
        previous.fingerprint !== fp.fingerprint &&
        comparableFingerprints(previous.fingerprint, fp.fingerprint)
      ) {
        change = diffBatches(previous.visitHashes, fp.visits);
      }

      if (source.kind === 'editor') {
        // SaaS grouping returns visits of accounts linked to the editor since we last looked.
        const ids = [...new Set(batch.visites.map((v) => v.compte))];
        if (ids.length > 0)
          await tx
            .insert(accounts)
            .values(ids.map((id) => ({ id, mode: 'saas' as const, editorId: source.id })))
            .onConflictDoNothing();
      }

      const { inserted, updated } = await storeVisits(tx, {
        lot: batch.lot,
        visits: batch.visites,
        json,
        tag: fp.fingerprint.slice(-16),
      });

      const rejected = await keepRejected(tx, source, batch);

      const state = change ? 'changed' : 'stored';
      await tx
        .insert(batches)
        .values({
          source: key,
          lot: batch.lot,
          fingerprint: fp.fingerprint,
          visitHashes: fp.visits,
          visitCount: batch.visites.length + batch.rejected.length,
          newVisits: inserted.length,
          state,
        })
        .onConflictDoUpdate({
          target: [batches.source, batches.lot],
          set: {
            fingerprint: fp.fingerprint,
            visitHashes: fp.visits,
            visitCount: batch.visites.length + batch.rejected.length,
            newVisits: sql`${batches.newVisits} + ${inserted.length}`,
            // Once acknowledged, a batch stays so; otherwise a change holds it until two GETs agree.
            state: sql`case when ${batches.state} = 'acknowledged' then 'acknowledged' else ${state} end`,
          },
        });
      return {
        leaseLost: false as const,
        newVisits: inserted.length,
        updatedVisits: updated.length,
        rejectedVisits: rejected,
        change,
      };
    });

  /**
   * Keeps the visits that do not match the contract, raw, each with a `visit_rejected` error
   * naming the visit and the fields: the batch can then be DELETEd without losing them. A batch
   * seen again keeps them once (by position). Returns how many were new.
   */
  const keepRejected = async (tx: Database, source: ImportSource, batch: ReceivedBatch & { lot: string }) => {
    if (batch.rejected.length === 0) return 0;
    const key = sourceKey(source);
    const accountOf = (r: RejectedVisit) =>
      source.kind === 'account' ? source.id : r.compte && ACCOUNT_ID_PATTERN.test(r.compte) ? r.compte : null;
    const kept = await tx
      .insert(rejectedVisits)
      .values(
        batch.rejected.map((r) => ({
          source: key,
          account: accountOf(r),
          lot: batch.lot,
          position: r.position,
          visitId: r.visitId,
          raw: r.raw ?? null,
          problems: r.problems,
        })),
      )
      .onConflictDoNothing()
      .returning({
        id: rejectedVisits.id,
        position: rejectedVisits.position,
        account: rejectedVisits.account,
      });
    for (const row of kept) {
      const r = batch.rejected.find((x) => x.position === row.position) as RejectedVisit;
      await recordError(tx, {
        source: key,
        account: row.account,
        operation: 'import',
        kind: 'visit_rejected',
        detail: describeRejectedVisit(batch.lot, r),
        retryable: false,
        rejectedVisitId: row.id,
      });
    }
    return kept.length;
  };

  const markAcknowledged = (source: ImportSource, lot: string) =>
    db
      .update(batches)
      .set({ state: 'acknowledged', acknowledgedAt: new Date() })
      .where(and(eq(batches.source, sourceKey(source)), eq(batches.lot, lot)) as SQL);

  const setStatus = async (source: ImportSource, status: 'ok' | 'failed') => {
    const values = { lastImportAt: new Date(), lastImportStatus: status };
    if (source.kind === 'editor') {
      await db.update(editors).set(values).where(eq(editors.id, source.id));
      await db.update(accounts).set(values).where(eq(accounts.editorId, source.id));
    } else await db.update(accounts).set(values).where(eq(accounts.id, source.id));
  };

  const run = async (source: ImportSource): Promise<ImportResult> => {
    const key = sourceKey(source);
    const result: ImportResult = { ...emptyResult(key), status: 'ok' };
    const session = await options.sessions.forSource(source);
    while (result.batches < options.maxBatchesPerRun) {
      const batch = await session.getVisits();
      await step('afterGet');
      if (!batch.lot || (batch.visites.length === 0 && batch.rejected.length === 0)) break;
      const lot = batch.lot;
      if (source.kind === 'account') {
        const foreign = foreignVisits(source.id, batch);
        if (foreign.length > 0) throw new AccountMismatchError(source.id, lot, foreign);
      }
      const json = batch.visites.map(visitJson);
      const fp = await fingerprintBatch(batch.visites, json);
      const stored = await storeBatch(source, { ...batch, lot }, json, fp);
      if (stored.leaseLost) {
        logger.warn({ source: key, lot }, 'import lease taken over by another replica; stopping');
        return { ...result, status: 'busy' };
      }
      result.visitsSeen += batch.visites.length + batch.rejected.length;
      result.visitsNew += stored.newVisits;
      result.visitsUpdated += stored.updatedVisits;
      result.visitsRejected += stored.rejectedVisits;
      if (stored.rejectedVisits > 0)
        logger.warn(
          { source: key, lot, rejected: stored.rejectedVisits },
          'visits not matching the contract kept aside',
        );
      await step('afterCommit');
      // The events are committed: a failed relay retries on its timer, so DELETE is safe anyway.
      await options.relay
        .drain()
        .catch((error: unknown) =>
          logger.warn({ err: error, source: key }, 'outbox relay failed; it will retry'),
        );
      await step('afterPublish');
      if (stored.change) {
        const detail = describeBatchChange(lot, stored.change);
        await recordError(db, {
          source: key,
          account: source.kind === 'account' ? source.id : null,
          operation: 'import',
          kind: 'batch_changed',
          detail,
          retryable: true,
        });
        logger.warn(
          { source: key, lot, ...countsOf(stored.change) },
          'frozen batch changed between two GETs; held until two GETs agree',
        );
        result.status = 'held';
        result.error = detail;
        return result;
      }
      await step('beforeDelete');
      try {
        await session.deleteVisits(lot);
      } catch (error) {
        // 404: nothing frozen any more, an earlier DELETE went through but its answer was lost.
        if (!(error instanceof UpstreamError && error.details.status === 404)) throw error;
      }
      await markAcknowledged(source, lot);
      result.batches++;
    }
    return result;
  };

  const importUnderLease = async (source: ImportSource, key: string): Promise<ImportResult> => {
    const leaseName = `import:${key}`;
    if (!(await tryAcquireLease(db, leases, leaseName, options.holder, options.leaseTtlMs)))
      return { ...emptyResult(key), status: 'busy' };
    try {
      const result = await run(source);
      if (result.status === 'ok') {
        await resolveErrors(db, key, 'import');
        await setStatus(source, 'ok');
      } else if (result.status !== 'busy') await setStatus(source, 'failed');
      // The schedule runs every few seconds: a run that found nothing stays out of the info log.
      const uneventful = result.status === 'ok' && result.visitsSeen === 0;
      logger[uneventful ? 'debug' : 'info']({ ...result }, 'import finished');
      return result;
    } catch (error) {
      const failure = classify(error);
      await recordError(db, {
        source: key,
        account: source.kind === 'account' ? source.id : null,
        operation: 'import',
        ...failure,
      }).catch(() => undefined);
      await setStatus(source, 'failed').catch(() => undefined);
      logger.warn({ source: key, kind: failure.kind, err: failure.detail }, 'import failed');
      return { ...emptyResult(key), status: 'failed', error: failure.detail };
    } finally {
      await releaseLease(db, leases, leaseName, options.holder).catch(() => undefined);
    }
  };

  return {
    /**
     * Imports one source under its lease; another replica importing it -> `busy`.
     * Failures are recorded with their reason and retried by the next scheduled run.
     * `afterRunning`: when this process is already importing the source (its schedule), wait for
     * that run and then import, rather than answer `busy` to a person who clicked "Import now".
     */
    async importSource(source: ImportSource, opts: { afterRunning?: boolean } = {}): Promise<ImportResult> {
      const key = sourceKey(source);
      for (let running = inProcess.get(key); running && opts.afterRunning; running = inProcess.get(key))
        await running.catch(() => undefined);
      // The lease is per replica: within one, the schedule and an on-demand call share the holder.
      if (inProcess.has(key)) return { ...emptyResult(key), status: 'busy' };
      const task = importUnderLease(source, key);
      inProcess.set(key, task);
      try {
        return await task;
      } finally {
        inProcess.delete(key);
      }
    },
  };
}
export type Importer = ReturnType<typeof createImporter>;

/** What is wrong with a kept visit, by id and field (never its farm data). */
export const describeRejectedVisit = (lot: string, r: RejectedVisit) =>
  `visit ${r.visitId ?? `at position ${r.position}`} of batch ${lot} does not match the Vétélevage contract and was kept aside: ${r.problems
    .map((p) => `${p.path} ${p.message}`)
    .join('; ')}`;

const countsOf = (c: { added: string[]; removed: string[]; changed: string[] }) => ({
  added: c.added.length,
  removed: c.removed.length,
  changed: c.changed.length,
});

/** Lists of visit ids per account, for tests and admin. */
export async function countVisits(db: Database, account: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(visits)
    .where(eq(visits.account, account));
  return row?.n ?? 0;
}
