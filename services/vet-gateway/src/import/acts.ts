import type { Database, Logger } from '@hip/shared';
import { eq } from 'drizzle-orm';
import { accounts } from '../db/schema.ts';
import { actListDifferences, actListKey, actPushDue, duplicateActCodes } from '../domain/acts.ts';
import { classify, recordError, resolveErrors } from '../store/errors.ts';
import type { SessionProvider } from './sessions.ts';

export type ActPushResult =
  | { status: 'pushed' | 'up_to_date' | 'no_list' }
  | { status: 'failed'; error: string; differences?: string[] };

/**
 * Pushes an account's act list when it changed or is older than `maxAgeMs` (Vétélevage only
 * needs it about daily), then reads it back with GET /actes: a push is recorded as done only
 * once the server holds exactly what was sent.
 */
export function createActPusher(options: {
  db: Database;
  sessions: SessionProvider;
  logger: Logger;
  maxAgeMs: number;
}) {
  const { db } = options;
  return {
    async pushIfDue(accountId: string, force = false): Promise<ActPushResult> {
      const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
      if (!account?.acts) return { status: 'no_list' };
      const acts = account.acts;
      const currentKey = actListKey(acts);
      if (
        !force &&
        !actPushDue(
          { currentKey, pushedKey: account.actsPushedKey, pushedAt: account.actsPushedAt },
          new Date(),
          options.maxAgeMs,
        )
      ) {
        return { status: 'up_to_date' };
      }
      const source = `account:${accountId}`;
      const fail = async (kind: string, detail: string, retryable: boolean) => {
        await recordError(db, { source, account: accountId, operation: 'acts', kind, detail, retryable });
        await db.update(accounts).set({ actsPushError: detail }).where(eq(accounts.id, accountId));
        options.logger.warn({ account: accountId, kind }, 'act list push failed');
      };
      const duplicates = duplicateActCodes(acts);
      if (duplicates.length > 0) {
        const detail = `act list not sent: ${duplicates.map((d) => d.message).join('; ')}`;
        await fail('duplicate_act_code', detail, false);
        return { status: 'failed', error: detail };
      }
      try {
        const { session, compte } = await options.sessions.forAccount(accountId);
        const sent = acts.map((a) => ({ code: a.code, libelle: a.label }));
        await session.postActs(sent, compte);
        const held = await session.getActs(compte);
        const differences = actListDifferences(
          acts,
          held.map((a) => ({ code: a.code, label: a.libelle })),
        );
        if (differences.length > 0) {
          const detail = `Vétélevage does not hold the act list just sent: ${differences.join('; ')}`;
          await fail('acts_verification_failed', detail, true);
          return { status: 'failed', error: detail, differences };
        }
        await db
          .update(accounts)
          .set({ actsPushedKey: currentKey, actsPushedAt: new Date(), actsPushError: null })
          .where(eq(accounts.id, accountId));
        await resolveErrors(db, source, 'acts');
        return { status: 'pushed' };
      } catch (error) {
        const failure = classify(error);
        await fail(failure.kind, failure.detail, failure.retryable);
        return { status: 'failed', error: failure.detail };
      }
    },
  };
}
export type ActPusher = ReturnType<typeof createActPusher>;
