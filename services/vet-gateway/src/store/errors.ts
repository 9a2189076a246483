import type { Database } from '@hip/shared';
import { describeError, UpstreamError } from '@hip/shared';
import { and, desc, eq, isNull, notInArray, type SQL } from 'drizzle-orm';
import { type accounts, errors } from '../db/schema.ts';
import { AccountMismatchError } from '../domain/comptes.ts';
import { SecretDecryptError } from '../secrets.ts';

/** A failure in words and kind, from anything thrown. */
export function classify(error: unknown): { kind: string; detail: string; retryable: boolean } {
  if (error instanceof UpstreamError) {
    const kind = error.kind === 'status' ? `http_${error.details.status ?? 'error'}` : error.kind;
    return { kind, detail: error.message, retryable: error.retryable };
  }
  if (error instanceof SecretDecryptError)
    return { kind: 'credentials_unreadable', detail: error.message, retryable: false };
  if (error instanceof AccountMismatchError)
    return { kind: 'account_mismatch', detail: error.message, retryable: false };
  return { kind: 'internal', detail: describeError(error), retryable: true };
}

export async function recordError(
  db: Database,
  entry: {
    source: string;
    account?: string | null;
    operation: string;
    kind: string;
    detail: string;
    retryable: boolean;
    rejectedVisitId?: number;
  },
): Promise<void> {
  await db.insert(errors).values({ ...entry, account: entry.account ?? null });
}

/**
 * Kinds a later success does not resolve: they report what happened to data (a visit changed
 * after its batch was frozen, a visit kept aside), not a failure that a retry cures.
 */
export const STICKY_KINDS = ['batch_changed', 'visit_rejected'];

/** Marks the open errors of a source and operation resolved, after a success. */
export async function resolveErrors(db: Database, source: string, operation: string): Promise<void> {
  await db
    .update(errors)
    .set({ resolvedAt: new Date() })
    .where(
      and(
        eq(errors.source, source),
        eq(errors.operation, operation),
        isNull(errors.resolvedAt),
        notInArray(errors.kind, STICKY_KINDS),
      ) as SQL,
    );
}

export async function openErrors(db: Database, source?: string) {
  const where = source
    ? (and(eq(errors.source, source), isNull(errors.resolvedAt)) as SQL)
    : isNull(errors.resolvedAt);
  return db.select().from(errors).where(where).orderBy(desc(errors.id)).limit(200);
}

/**
 * Open errors of an account, newest first. A SaaS account is imported through its editor
 * (`editor:<id>`) but its act list is pushed on its own (`account:<id>`): both are its errors.
 */
export async function accountErrors(
  db: Database,
  row: Pick<typeof accounts.$inferSelect, 'id' | 'mode' | 'editorId'>,
) {
  if (row.mode !== 'saas') return openErrors(db, `account:${row.id}`);
  const list = [
    ...(await openErrors(db, `editor:${row.editorId}`)),
    ...(await openErrors(db, `account:${row.id}`)),
  ];
  return list.sort((a, b) => b.id - a.id);
}
