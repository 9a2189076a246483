import {
  deleteNamespace,
  describeWithServers,
  freshDatabase,
  testBus,
  uniqueDomain,
  waitFor,
} from '@hip/shared/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTablesSql } from './fixtures/replica-service/schema.ts';
import { startProcess, waitForHttp } from './processes.ts';

// Two processes of one service, as two pods of a Deployment: the same database, the same NATS
// namespace, the same durable. The service is a fixture built only from the platform's shared
// mechanisms (durable consumer, runPeriodicWithLease, runServiceAlone), so what is proven here
// holds for every service that uses them.

const deploy = new URL('..', import.meta.url).pathname;
const main = new URL('./fixtures/replica-service/main.ts', import.meta.url).pathname;

type Database = Awaited<ReturnType<typeof freshDatabase>>;
type Replica = ReturnType<typeof startProcess> & { id: string; port: number };

interface Counts {
  deliveries: number;
  handled: number;
  distinct: number;
  byReplica: Record<string, number>;
}

async function counts(db: Database): Promise<Counts> {
  const [row] = (await db.db.execute(sql`
    select (select count(*) from replica_fixture.deliveries)::int as deliveries,
           (select count(*) from replica_fixture.handled)::int as handled,
           (select count(distinct message_id) from replica_fixture.handled)::int as distinct`)) as unknown as {
    deliveries: number;
    handled: number;
    distinct: number;
  }[];
  const per = (await db.db.execute(
    sql`select replica, count(*)::int as n from replica_fixture.handled group by replica`,
  )) as unknown as { replica: string; n: number }[];
  return { ...(row as Counts), byReplica: Object.fromEntries(per.map((r) => [r.replica, r.n])) };
}

/** Job runs of two replicas that overlap in time (database clock), which the lease must prevent. */
/**
 * Job runs of two replicas that overlap in time (database clock), which the lease must prevent.
 * A run cut short by a crash has no end: it ended at the latest when its process was gone.
 */
/** Pairs of job runs of two replicas that overlap; a run cut by a kill ends at `stoppedAt`. */
async function overlappingRuns(db: Database, stoppedAt: Date) {
  const end = (t: string) => sql.raw(`coalesce(${t}.finished_at, '${stoppedAt.toISOString()}'::timestamptz)`);
  return (await db.db.execute(sql`
    select a.replica as a, b.replica as b
    from replica_fixture.job_runs a
    join replica_fixture.job_runs b on a.id < b.id and a.replica <> b.replica
    where a.started_at < ${end('b')} and b.started_at < ${end('a')}`)) as unknown as {
    a: string;
    b: string;
  }[];
}

async function leaseHolder(db: Database): Promise<string | undefined> {
  const [row] = (await db.db.execute(
    sql`select holder from replica_fixture.leases where name = 'tick'`,
  )) as unknown as { holder: string }[];
  return row?.holder;
}

async function jobRunsAfter(db: Database, replica: string, after: Date): Promise<number> {
  const [row] = (await db.db.execute(
    sql`select count(*)::int as n from replica_fixture.job_runs where replica = ${replica} and started_at > ${after.toISOString()}`,
  )) as unknown as { n: number }[];
  return row?.n ?? 0;
}

describeWithServers(['nats', 'postgres'], 'two replicas of a service on real NATS and Postgres', () => {
  const scenarios = [
    { signal: 'SIGTERM' as const, what: 'a graceful stop (rolling update, scale down)' },
    { signal: 'SIGKILL' as const, what: 'a crash (OOM kill, node lost)' },
  ];

  for (const { signal, what } of scenarios) {
    const total = 120;
    let database: Database;
    let namespace: string;
    let replicas: Replica[] = [];
    let victim: Replica;
    let survivor: Replica;
    let stoppedAt: Date;
    let goneAt: Date;

    const startReplica = async (id: string): Promise<Replica> => {
      const port = 22000 + Math.floor(Math.random() * 8000);
      const proc = startProcess(
        process.execPath,
        // node itself is the process (not the tsx CLI, which would spawn a child that a SIGKILL
        // of the parent leaves running).
        ['--import', 'tsx', main],
        {
          REPLICA_ID: id,
          PORT: String(port),
          NATS_URL: process.env.NATS_URL as string,
          NATS_NAMESPACE: namespace,
          DATABASE_URL: database.url as string,
          LOG_LEVEL: 'warn',
          SHUTDOWN_GRACE_MS: '15000',
          HANDLE_MS: '25',
          // A lease of 1.5 s: shorter ones expire on a loaded CI machine while their holder is alive.
          JOB_EVERY_MS: '500',
          JOB_MS: '30',
        },
        deploy,
      );
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, proc.output, 60_000);
      return Object.assign(proc, { id, port });
    };

    describe(`when one is stopped by ${signal}: ${what}`, () => {
      beforeAll(async () => {
        database = await freshDatabase();
        await database.db.execute(sql.raw(createTablesSql));
        namespace = uniqueDomain('replicas');
        replicas = await Promise.all([startReplica('a'), startReplica('b')]);

        const bus = await testBus({ namespace });
        try {
          for (let i = 0; i < total; i++) {
            await bus.publish('replica.work', { n: i }, { msgId: `m-${i}` });
          }
        } finally {
          await bus.close();
        }
        // Stop, in the middle of the stream, the replica that holds the periodic job's lease.
        await waitFor(async () => ((await counts(database)).handled >= total / 3 ? true : undefined), {
          timeoutMs: 30_000,
          what: 'a third of the messages handled',
        });
        const holder = await leaseHolder(database);
        victim = replicas.find((r) => r.id === holder) as Replica;
        survivor = replicas.find((r) => r.id !== holder) as Replica;
        expect(victim, `lease holder ${holder}`).toBeDefined();
        stoppedAt = new Date();
        if (signal === 'SIGKILL') victim.child.kill('SIGKILL');
        else await victim.stop();
        await waitFor(
          () => (victim.child.exitCode !== null || victim.child.signalCode !== null ? true : undefined),
          {
            timeoutMs: 20_000,
            what: 'the stopped replica gone',
          },
        );
        goneAt = new Date();
        // A crashed replica's unacknowledged message comes back after the bus's ack wait (60 s).
        await waitFor(async () => ((await counts(database)).distinct >= total ? true : undefined), {
          timeoutMs: 100_000,
          intervalMs: 250,
          what: 'every message handled',
        });
        await waitFor(
          async () => ((await jobRunsAfter(database, survivor.id, goneAt)) >= 2 ? true : undefined),
          { timeoutMs: 30_000, what: 'two periodic runs on the surviving replica' },
        );
      }, 180_000);

      afterAll(async () => {
        await Promise.all(replicas.map((r) => r.stop()));
        if (namespace) await deleteNamespace(process.env.NATS_URL as string, namespace);
        await database?.drop();
      });

      it('handles every message exactly once across the two replicas, none lost', async () => {
        const c = await counts(database);
        expect(c.distinct).toBe(total);
        expect(c.handled).toBe(total);
      });

      it('shares the work: both replicas handled messages', async () => {
        const c = await counts(database);
        expect(Object.keys(c.byReplica).sort()).toEqual(['a', 'b']);
        expect(c.byReplica.a).toBeGreaterThan(0);
        expect(c.byReplica.b).toBeGreaterThan(0);
      });

      if (signal === 'SIGTERM') {
        it('a graceful stop finishes and acknowledges the messages in hand: nothing is delivered twice', async () => {
          expect((await counts(database)).deliveries).toBe(total);
        });
      } else {
        it('a crash only costs a redelivery, which the processed-id check turns into no second handling', async () => {
          const c = await counts(database);
          expect(c.deliveries).toBeGreaterThanOrEqual(total);
          expect(c.handled).toBe(c.distinct);
        });
      }

      it('never runs the periodic job on both replicas at the same time', async () => {
        expect(await overlappingRuns(database, stoppedAt)).toEqual([]);
      });

      it('moves the periodic job to the surviving replica once the lease holder is gone', async () => {
        expect(await jobRunsAfter(database, victim.id, goneAt)).toBe(0);
        expect(await jobRunsAfter(database, survivor.id, goneAt)).toBeGreaterThanOrEqual(2);
      });
    });
  }
});
