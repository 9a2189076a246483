import { AppError, type Database, enqueueEvents, type Logger } from '@hip/shared';
import { ARCAD_SUBJECTS, type ArcadFlowFinished } from '@hip/shared/schemas';
import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { type ArcadApi, type ArcadCollection, describeArcadFailure } from '../adapters/arcad.ts';
import { credentials, flowRuns, outbox, sync } from '../db/schema.ts';
import {
  type FlowId,
  type FlowTotals,
  flowDefinitions,
  flowIds,
  flowTotals,
  lockReason,
  type ParentState,
  unresolvedOf,
} from '../domain/flows.ts';
import { payloadHash } from '../domain/hash.ts';
import type { EntityKind } from '../domain/liviaEntities.ts';
import {
  arcadClientOf,
  arcadLegalEntityOf,
  arcadPartnerOf,
  arcadPersonalCircleOf,
  arcadServiceOf,
  arcadUserOf,
  temporaryPassword,
} from '../domain/payloads.ts';
import {
  inRetrySelection,
  type PlanInput,
  planFlow,
  type Skipped,
  syncKey,
  type WorkItem,
} from '../domain/plan.ts';
import { loadLivia, loadMappings, loadSync, markSendingMany, type Outcome, recordOutcomes } from './store.ts';

/** A run whose heartbeat is older than this died with its process. */
const STALE_RUN_MS = 30_000;
const STALE_REASON = 'the process running it stopped (no heartbeat)';

type RunRow = typeof flowRuns.$inferSelect;

/** The saved mapping names a service ARCAD no longer has under that legal entity: choose again. */
class MappingOutdated extends Error {
  override name = 'MappingOutdated';
}

/** A run "running" without heartbeat died with its process: shown as interrupted, not followed. */
const withLiveness = (run: RunRow): RunRow =>
  run.status === 'running' && run.heartbeatAt.getTime() <= Date.now() - STALE_RUN_MS
    ? { ...run, status: 'interrupted', interruptedReason: STALE_REASON }
    : run;

export interface FlowState extends ParentState {
  flow: FlowId;
  /** Rows a live run of this flow is sending right now (not errors). */
  inFlight: number;
  /** Over every run of the flow, retries included. */
  totals: FlowTotals;
  label: string;
  parents: FlowId[];
  lockReason: string | null;
  lastRun: typeof flowRuns.$inferSelect | null;
}

export interface EngineDeps {
  db: Database;
  arcad: ArcadApi;
  logger: Logger;
  concurrency: number;
  progressIntervalMs?: number;
  /** Called after a run's end event is committed to the outbox. */
  onEventQueued?: () => void;
}

/** What sending one item means: how to create it, and where to find it if an earlier answer was lost. */
interface Sending {
  lookup: ArcadCollection | null;
  hashOf: unknown;
  create(): Promise<string>;
}

/**
 * Runs the initialisation flows: plans what is unsynchronised, sends it with bounded
 * concurrency, records every outcome in the sync table, and keeps the run's counters fresh for
 * the progress bar. Safe to interrupt: a re-run resumes from the sync table.
 */
export function createFlowEngine(deps: EngineDeps) {
  const { db, arcad, logger } = deps;
  const active = new Map<string, { abort: AbortController; done: Promise<void> }>();

  /** Flows with a live run (heartbeat fresh): the rows they left `sending` are in flight. */
  async function runningFlows(tenant: string): Promise<Set<FlowId>> {
    const rows = await db
      .select({ flow: flowRuns.flow })
      .from(flowRuns)
      .where(
        and(
          eq(flowRuns.tenant, tenant),
          eq(flowRuns.status, 'running'),
          gt(flowRuns.heartbeatAt, new Date(Date.now() - STALE_RUN_MS)),
        ),
      );
    return new Set(rows.map((r) => r.flow as FlowId));
  }

  async function states(tenant: string): Promise<Record<FlowId, FlowState>> {
    const runs = await db
      .select()
      .from(flowRuns)
      .where(eq(flowRuns.tenant, tenant))
      .orderBy(flowRuns.startedAt);
    const rowCounts = await db
      .select({ entity: sync.entity, status: sync.status, n: sql<number>`count(*)::int` })
      .from(sync)
      .where(and(eq(sync.tenant, tenant), inArray(sync.status, ['error', 'sending'])))
      .groupBy(sync.entity, sync.status);
    const countOf = (entities: EntityKind[], status: 'error' | 'sending') =>
      rowCounts
        .filter((e) => e.status === status && entities.includes(e.entity as EntityKind))
        .reduce((n, e) => n + Number(e.n), 0);
    const fresh = Date.now() - STALE_RUN_MS;
    const base = Object.fromEntries(
      flowIds.map((flow) => {
        const mine = runs.filter((r) => r.flow === flow);
        const running = mine.some((r) => r.status === 'running' && r.heartbeatAt.getTime() > fresh);
        const { entities } = flowDefinitions[flow];
        return [
          flow,
          {
            completed: mine.some((r) => r.status === 'done'),
            running,
            ...unresolvedOf(
              { error: countOf(entities, 'error'), sending: countOf(entities, 'sending') },
              running,
            ),
          },
        ];
      }),
    ) as Record<FlowId, ParentState & { inFlight: number }>;
    return Object.fromEntries(
      flowIds.map((flow) => {
        const mine = runs.filter((r) => r.flow === flow);
        return [
          flow,
          {
            ...base[flow],
            flow,
            label: flowDefinitions[flow].label,
            parents: flowDefinitions[flow].parents,
            lockReason: lockReason(flow, base),
            lastRun: mine.length ? withLiveness(mine[mine.length - 1] as RunRow) : null,
            totals: flowTotals(mine),
          },
        ];
      }),
    ) as Record<FlowId, FlowState>;
  }

  /** Every row of a flow not synchronised yet and not failed-and-known: what its end event reports. */
  async function unresolvedAtEnd(tenant: string, flow: FlowId) {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(sync)
      .where(
        and(
          eq(sync.tenant, tenant),
          inArray(sync.status, ['error', 'sending']),
          inArray(sync.entity, flowDefinitions[flow].entities),
        ),
      );
    return Number(row?.n ?? 0);
  }

  async function planInput(tenant: string, flow: FlowId): Promise<PlanInput> {
    const needs: Record<FlowId, EntityKind[]> = {
      'I.1': ['user'],
      'I.2': ['establishment'],
      'I.3': ['establishment', 'activity'],
      'I.4': ['resident'],
      'I.5': ['resident', 'activity', 'record'],
      'I.6': ['resident', 'family_contact'],
      'I.7': ['resident', 'intervenant', 'intervenant_link'],
    };
    const input: PlanInput = { sync: await loadSync(db, tenant, needs[flow]) };
    if (flow === 'I.1') input.users = await loadLivia(db, tenant, 'user');
    if (flow === 'I.2') input.establishments = await loadLivia(db, tenant, 'establishment');
    if (flow === 'I.3') {
      input.activities = await loadLivia(db, tenant, 'activity');
      input.mappings = await loadMappings(db, tenant);
    }
    if (flow === 'I.4') input.residents = await loadLivia(db, tenant, 'resident');
    if (flow === 'I.5') input.records = await loadLivia(db, tenant, 'record');
    if (flow === 'I.6') input.familyContacts = await loadLivia(db, tenant, 'family_contact');
    if (flow === 'I.7') input.intervenants = await loadLivia(db, tenant, 'intervenant');
    return input;
  }

  /**
   * The stored temporary passwords of these users, created on their first attempt and reused
   * after (on conflict the stored password comes back unchanged), in one statement.
   */
  async function passwordsFor(tenant: string, users: { id: string; login: string }[]) {
    if (users.length === 0) return new Map<string, string>();
    const rows = await db
      .insert(credentials)
      .values(users.map((u) => ({ tenant, userId: u.id, login: u.login, password: temporaryPassword() })))
      .onConflictDoUpdate({
        target: [credentials.tenant, credentials.userId],
        set: { login: sql`excluded.login` },
      })
      .returning({ userId: credentials.userId, password: credentials.password });
    return new Map(rows.map((r) => [r.userId, r.password]));
  }

  function sendingOf(arcadTenant: string, item: WorkItem, passwords: Map<string, string>): Sending {
    switch (item.entity) {
      case 'user': {
        const input = arcadUserOf(item.user, passwords.get(item.liviaId) as string);
        const { temporaryPassword: _secret, ...hashOf } = input;
        return { lookup: 'users', hashOf, create: () => arcad.createUser(arcadTenant, input) };
      }
      case 'establishment': {
        const input = arcadLegalEntityOf(item.establishment);
        return {
          lookup: 'legal-entities',
          hashOf: input,
          create: () => arcad.createLegalEntity(arcadTenant, input),
        };
      }
      case 'activity': {
        const choice = item.choice;
        if (choice.choice === 'existing')
          return {
            lookup: null,
            hashOf: { ...choice, legalEntityId: item.legalEntityId },
            async create() {
              const services = await arcad.servicesOf(arcadTenant, item.legalEntityId);
              if (!services.some((s) => s.id === choice.arcadServiceId))
                throw new MappingOutdated(
                  `ARCAD360 service ${choice.arcadServiceId} is not a service of legal entity ${item.legalEntityId}: choose again on the mapping screen`,
                );
              return choice.arcadServiceId;
            },
          };
        const input = arcadServiceOf(item.activity, item.legalEntityId);
        return { lookup: 'services', hashOf: input, create: () => arcad.createService(arcadTenant, input) };
      }
      case 'resident': {
        const input = arcadClientOf(item.resident);
        return { lookup: 'clients', hashOf: input, create: () => arcad.createClient(arcadTenant, input) };
      }
      case 'record': {
        const input = { externalId: item.liviaId, clientId: item.clientId, serviceId: item.serviceId };
        return { lookup: 'records', hashOf: input, create: () => arcad.createRecord(arcadTenant, input) };
      }
      case 'family_contact': {
        const input = arcadPersonalCircleOf(item.contact);
        return {
          lookup: 'personal-circle',
          hashOf: { ...input, clientId: item.clientId },
          create: () => arcad.createPersonalCircle(arcadTenant, item.clientId, input),
        };
      }
      case 'intervenant': {
        const input = arcadPartnerOf(item.intervenant);
        return { lookup: 'partners', hashOf: input, create: () => arcad.createPartner(arcadTenant, input) };
      }
      case 'intervenant_link': {
        const input = {
          externalId: item.liviaId,
          partnerId: item.partnerId,
          role: item.intervenant.profession,
        };
        return {
          lookup: 'professional-circle',
          hashOf: { ...input, clientId: item.clientId },
          create: () => arcad.createProfessionalCircle(arcadTenant, item.clientId, input),
        };
      }
    }
  }

  interface Prepared {
    item: WorkItem;
    sending: Sending;
    attempt: number;
  }

  /** Marks a chunk `sending` (attempt + 1) in one statement, with its payload hashes. */
  async function prepare(tenant: string, arcadTenant: string, chunk: WorkItem[]): Promise<Prepared[]> {
    const passwords = await passwordsFor(
      tenant,
      chunk.flatMap((i) => (i.entity === 'user' ? [{ id: i.liviaId, login: i.user.login }] : [])),
    );
    const prepared = chunk.map((item) => ({ item, sending: sendingOf(arcadTenant, item, passwords) }));
    const attempts = await markSendingMany(
      db,
      tenant,
      await Promise.all(
        prepared.map(async (p) => ({
          entity: p.item.entity,
          liviaId: p.item.liviaId,
          hash: await payloadHash(p.sending.hashOf),
        })),
      ),
    );
    return prepared.map((p) => ({
      ...p,
      attempt: attempts.get(syncKey(p.item.entity, p.item.liviaId)) ?? 1,
    }));
  }

  /**
   * Sends `items` with `deps.concurrency` requests in flight and no pause between chunks: the
   * next chunk is marked `sending` while the current one is in flight, and outcomes are recorded
   * in batches behind the sends (a few statements per chunk, not two per entity). An entity
   * never leaves before its row says `sending`, so a crash at any point leaves either nothing
   * sent or a row that the next attempt looks up in ARCAD before creating anything.
   */
  async function sendAll(
    tenant: string,
    arcadTenant: string,
    items: WorkItem[],
    signal: AbortSignal,
    counters: { sent: number; errors: number },
    attempted: Set<string>,
  ): Promise<void> {
    // Large enough that the sync table sees a few statements per hundreds of entities.
    const chunkSize = Math.max(64, deps.concurrency * 32);
    const ready: Prepared[] = [];
    let cursor = 0;
    let refilling: Promise<void> | null = null;
    let failure: unknown = null;
    const refill = (): Promise<void> | null => {
      if (refilling || cursor >= items.length || signal.aborted || failure) return refilling;
      const slice = items.slice(cursor, cursor + chunkSize);
      cursor += slice.length;
      // An entity planned twice is sent once: a second send would create it twice in ARCAD.
      const chunk = slice.filter((item) => {
        const key = syncKey(item.entity, item.liviaId);
        if (attempted.has(key)) return false;
        attempted.add(key);
        return true;
      });
      refilling = prepare(tenant, arcadTenant, chunk)
        .then(
          (prepared) => {
            ready.push(...prepared);
          },
          (error: unknown) => {
            failure ??= error;
          },
        )
        .finally(() => {
          refilling = null;
        });
      return refilling;
    };
    let outcomes: Outcome[] = [];
    let recording: Promise<void> = Promise.resolve();
    const flushOutcomes = () => {
      const batch = outcomes;
      outcomes = [];
      if (batch.length)
        recording = recording
          .then(() => recordOutcomes(db, tenant, batch))
          .catch((error: unknown) => {
            failure ??= error;
          });
    };
    const worker = async () => {
      while (!failure) {
        if (ready.length < chunkSize / 2) void refill();
        const next = ready.shift();
        if (!next) {
          const more = refill();
          if (!more) return;
          await more;
          continue;
        }
        const { item, sending, attempt } = next;
        const key = { entity: item.entity, liviaId: item.liviaId };
        if (signal.aborted) {
          outcomes.push({
            ...key,
            failure: { reason: 'the run stopped before this entity was sent', retryable: true },
          });
          counters.errors++;
        } else {
          try {
            // An earlier attempt may have been created in ARCAD without us hearing back: adopt it.
            let arcadId =
              attempt > 1 && sending.lookup
                ? await arcad.findByExternalId(arcadTenant, sending.lookup, item.liviaId)
                : null;
            arcadId ??= await sending.create();
            outcomes.push({ ...key, arcadId });
            counters.sent++;
          } catch (error) {
            outcomes.push({
              ...key,
              // Sending the same choice again cannot succeed: only a new choice can.
              failure:
                error instanceof MappingOutdated
                  ? { reason: error.message, retryable: false }
                  : describeArcadFailure(error),
            });
            counters.errors++;
          }
        }
        if (outcomes.length >= chunkSize) flushOutcomes();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, deps.concurrency) }, worker));
    flushOutcomes();
    await recording;
    // Rows prepared but not sent stay `sending`: unresolved, looked up on the next attempt.
    if (failure) throw failure;
  }

  async function execute(
    runId: string,
    tenant: string,
    arcadTenant: string,
    flow: FlowId,
    only: Set<string> | null,
    signal: AbortSignal,
  ) {
    const counters = { total: 0, sent: 0, errors: 0 };
    let skipped: Skipped[] = [];
    const attempted = new Set<string>();
    const flush = async (status?: 'done' | 'interrupted', tx: Database = db) => {
      const reasons: Record<string, number> = {};
      for (const s of skipped) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
      await tx
        .update(flowRuns)
        .set({
          ...counters,
          skipped: skipped.length,
          skippedReasons: reasons,
          heartbeatAt: sql`now()`,
          ...(status ? { status, finishedAt: sql`now()` } : {}),
          ...(status === 'interrupted' ? { interruptedReason: 'the service stopped during the run' } : {}),
        })
        .where(eq(flowRuns.id, runId));
    };
    const timer = setInterval(() => {
      flush().catch((error: unknown) => logger.warn({ err: error }, 'progress not saved'));
    }, deps.progressIntervalMs ?? 250);
    try {
      // I.7 needs two passes: partners first, then the links of the partners just created.
      for (let pass = 0; pass < (flow === 'I.7' ? 2 : 1) && !signal.aborted; pass++) {
        const plan = planFlow(flow, await planInput(tenant, flow));
        const items = plan.items.filter(
          (i) =>
            !attempted.has(syncKey(i.entity, i.liviaId)) &&
            (!only || inRetrySelection(only, i.entity, i.liviaId)),
        );
        skipped = plan.skipped.filter((s) => !only || inRetrySelection(only, s.entity, s.liviaId));
        const waitingForPartner = skipped.filter((s) => s.reason === 'intervenant not synchronised').length;
        counters.total =
          counters.sent + counters.errors + items.length + (pass === 0 ? waitingForPartner : 0);
        await sendAll(tenant, arcadTenant, items, signal, counters, attempted);
      }
      if (!signal.aborted) counters.total = counters.sent + counters.errors;
      const status = signal.aborted ? 'interrupted' : 'done';
      // The run is ending: a row it left `sending` is no longer in flight but unresolved.
      const unresolved = await unresolvedAtEnd(tenant, flow);
      // The run's end and its event commit together: LIVIA hears of every finished run, once.
      await db.transaction(async (tx) => {
        await flush(status, tx);
        const event: ArcadFlowFinished = {
          tenant,
          flow,
          runId,
          mode: only ? 'retry' : 'full',
          status,
          sent: counters.sent,
          errors: counters.errors,
          skipped: skipped.length,
          unresolvedErrors: unresolved,
          finishedAt: new Date().toISOString(),
        };
        await enqueueEvents(tx, outbox, [
          { subject: ARCAD_SUBJECTS.flowFinished(tenant), msgId: `flow-finished-${runId}`, payload: event },
        ]);
      });
      deps.onEventQueued?.();
      logger.info({ runId, flow, ...counters, skipped: skipped.length }, 'flow run finished');
    } finally {
      clearInterval(timer);
    }
  }

  return {
    states,
    runningFlows,

    /**
     * Starts a run in the background; refuses when the flow is locked. `only` restricts it to
     * some sync keys (retries from the error manager).
     */
    async start(
      tenant: string,
      arcadTenant: string,
      flow: FlowId,
      options: { startedBy: string; only?: Set<string> },
    ) {
      await db
        .update(flowRuns)
        .set({
          status: 'interrupted',
          finishedAt: sql`now()`,
          interruptedReason: STALE_REASON,
        })
        .where(
          and(
            eq(flowRuns.tenant, tenant),
            eq(flowRuns.status, 'running'),
            lt(flowRuns.heartbeatAt, new Date(Date.now() - STALE_RUN_MS)),
          ),
        );
      const state = (await states(tenant))[flow];
      if (state.lockReason) throw new AppError('LOCKED', `${flow} ${state.lockReason}`);
      const runId = crypto.randomUUID();
      try {
        await db.insert(flowRuns).values({
          id: runId,
          tenant,
          flow,
          mode: options.only ? 'retry' : 'full',
          status: 'running',
          startedBy: options.startedBy,
        });
      } catch (error) {
        throw new AppError('LOCKED', `${flow} is already running`, { cause: error });
      }
      const abort = new AbortController();
      const done = execute(runId, tenant, arcadTenant, flow, options.only ?? null, abort.signal)
        .catch(async (error: unknown) => {
          logger.error({ err: error, runId, flow }, 'flow run failed');
          // Saved with the run: the console says why it stopped, not only that it did.
          const reason = error instanceof Error ? error.message : String(error);
          await db
            .update(flowRuns)
            .set({
              status: 'interrupted',
              finishedAt: sql`now()`,
              interruptedReason: `the run failed: ${reason}`.slice(0, 2000),
            })
            .where(eq(flowRuns.id, runId))
            .catch(() => undefined);
        })
        .finally(() => active.delete(runId));
      active.set(runId, { abort, done });
      return runId;
    },

    /** Resolves when the run (started by this process) has finished. */
    async wait(runId: string) {
      await active.get(runId)?.done;
    },

    async run(runId: string) {
      const [row] = await db.select().from(flowRuns).where(eq(flowRuns.id, runId));
      return row ? withLiveness(row) : null;
    },

    /** Stops taking new items, lets those in flight finish, and marks the runs interrupted. */
    async stop() {
      for (const { abort } of active.values()) abort.abort();
      await Promise.all([...active.values()].map((a) => a.done));
    },
  };
}

export type FlowEngine = ReturnType<typeof createFlowEngine>;
