import { type Database, withoutNulCharacters } from '@hip/shared';
import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { type MessageRow, messages, type TraceEvent } from './schema.ts';

export type NewTrace = typeof messages.$inferInsert;

/**
 * A trace statement that failed. The database driver's own error quotes the statement's
 * parameters (bodies, patient data): only its SQLSTATE and a message with the quoted values
 * masked are kept, so that logs, trace rows and RS-ERROR causes can carry it.
 */
export class TraceStoreError extends Error {
  override name = 'TraceStoreError';
}

/** A driver error described without the values it quotes (`invalid input syntax ...: "3.5"`). */
export function describeDatabaseError(error: unknown): string {
  const driverError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (driverError as { code?: unknown } | undefined)?.code;
  const message = driverError instanceof Error ? driverError.message : String(driverError);
  // drizzle's own message is "Failed query: <sql> params: <values>": never kept.
  const safe = message.startsWith('Failed query') ? 'query failed' : message.replace(/"[^"]*"/g, '"…"');
  return typeof code === 'string' ? `database error ${code}: ${safe}` : `database error: ${safe}`;
}

async function guarded<T>(what: string, statement: () => Promise<T>): Promise<T> {
  try {
    return await statement();
  } catch (error) {
    throw new TraceStoreError(`trace ${what} failed (${describeDatabaseError(error)})`);
  }
}

/** Postgres text and jsonb cannot hold U+0000: a NUL in a partner's message becomes U+FFFD. */
function storable<T extends object>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = typeof value === 'string' ? withoutNulCharacters(value) : value;
  }
  return out as T;
}

/** The trace of sent and received messages (Postgres / PGlite). */
export class TraceStore {
  constructor(private readonly db: Database) {}

  /** Inserts unless the distributionID (or the caller's reference) is already there; returns the stored row. */
  async insert(
    row: NewTrace,
    event: Omit<TraceEvent, 'at'> | Omit<TraceEvent, 'at'>[],
    now: Date,
  ): Promise<{ row: MessageRow; created: boolean }> {
    const history = withoutNulCharacters([event].flat().map((e) => ({ at: now.toISOString(), ...e })));
    const values = storable(row);
    const inserted = await guarded('insert', () =>
      this.db
        .insert(messages)
        .values({ ...values, history, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning(),
    );
    if (inserted[0]) return { row: inserted[0], created: true };
    const { reference } = values;
    const existing =
      (await this.get(values.distributionId)) ??
      (reference
        ? (
            await guarded('select', () =>
              this.db.select().from(messages).where(eq(messages.reference, reference)),
            )
          )[0]
        : undefined);
    if (!existing) throw new Error(`trace row ${row.distributionId} neither inserted nor found`);
    return { row: existing, created: false };
  }

  /** The received message we answered with this RC-REF. */
  async findByAck(ackDistributionId: string): Promise<MessageRow | undefined> {
    const id = withoutNulCharacters(ackDistributionId);
    return (
      await guarded('select', () =>
        this.db
          .select()
          .from(messages)
          .where(and(eq(messages.ackDistributionId, id), eq(messages.direction, 'received'))),
      )
    )[0];
  }

  async get(distributionId: string): Promise<MessageRow | undefined> {
    const id = withoutNulCharacters(distributionId);
    return (
      await guarded('select', () => this.db.select().from(messages).where(eq(messages.distributionId, id)))
    )[0];
  }

  /**
   * Moves a row to a new state with a history entry. `onlyFrom` guards against going back:
   * a publisher confirm arriving after the RC-REF must not undo "acknowledged".
   */
  async update(
    distributionId: string,
    changes: Partial<NewTrace>,
    event: Omit<TraceEvent, 'at'>,
    now: Date,
    onlyFrom?: string[],
  ): Promise<MessageRow | undefined> {
    const entry = JSON.stringify(withoutNulCharacters([{ at: now.toISOString(), ...event }]));
    const id = withoutNulCharacters(distributionId);
    const where = onlyFrom
      ? and(eq(messages.distributionId, id), inArray(messages.state, onlyFrom))
      : eq(messages.distributionId, id);
    const rows = await guarded('update', () =>
      this.db
        .update(messages)
        .set({ ...storable(changes), updatedAt: now, history: sql`${messages.history} || ${entry}::jsonb` })
        .where(where)
        .returning(),
    );
    return rows[0];
  }

  /**
   * Publisher confirms of many sent messages in one statement: under load they arrive in
   * bursts, and one commit each would make the database the bottleneck.
   */
  async confirmMany(distributionIds: string[], now: Date): Promise<void> {
    if (distributionIds.length === 0) return;
    const entry = JSON.stringify([
      { at: now.toISOString(), state: 'confirmed', detail: 'publisher confirm received' },
    ]);
    // A confirm can be written after the RC-REF or a Hub report (they race): it is then recorded
    // without moving the state back.
    await guarded('confirm', () =>
      this.db
        .update(messages)
        .set({
          state: sql`case when ${messages.state} = 'pending' then 'confirmed' else ${messages.state} end`,
          confirmedAt: now,
          updatedAt: now,
          attempts: sql`${messages.attempts} + 1`,
          history: sql`${messages.history} || ${entry}::jsonb`,
        })
        .where(and(inArray(messages.distributionId, distributionIds), isNull(messages.confirmedAt))),
    );
  }

  async list(filter: { direction?: 'sent' | 'received'; state?: string; limit: number; before?: Date }) {
    const conditions = [
      filter.direction ? eq(messages.direction, filter.direction) : undefined,
      filter.state ? eq(messages.state, filter.state) : undefined,
      filter.before ? lt(messages.createdAt, filter.before) : undefined,
    ].filter((c) => c !== undefined);
    return this.db
      .select()
      .from(messages)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(messages.createdAt))
      .limit(filter.limit);
  }

  async pendingSent(): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(messages)
      .where(and(eq(messages.direction, 'sent'), eq(messages.state, 'pending')))
      .orderBy(messages.createdAt);
  }
}
