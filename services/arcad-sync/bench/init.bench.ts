/**
 * Initialisation throughput: each flow I.1-I.7 run by arcad-sync against the ARCAD360 simulator,
 * next to a raw loop POSTing the same payloads with the same HTTP client (requestJson) and the
 * same concurrency to another tenant of the same simulator, in the same run.
 *
 * BENCH_SCALE=1 is the full tenant of the spec (10k users, 200 establishments, 1k activities,
 * 50k residents, 50k records, 100k contacts); the default 0.02 runs in well under a minute.
 */
import { ARCAD_SUBJECTS, type ArcadFlowFinished, ArcadFlowFinishedSchema } from '@hip/shared/schemas';
import { type BenchFigure, freshDatabase, printComparison } from '@hip/shared/testing';
import { generateLiviaTenant } from '../sim/livia.ts';
import { createArcadApi } from '../src/adapters/arcad.ts';
import { type FlowId, flowIds } from '../src/domain/flows.ts';
import {
  arcadClientOf,
  arcadLegalEntityOf,
  arcadPartnerOf,
  arcadPersonalCircleOf,
  arcadServiceOf,
  arcadUserOf,
  intervenantLinkId,
  isDeceased,
  temporaryPassword,
} from '../src/domain/payloads.ts';
import {
  activate,
  loginThroughArcad,
  push,
  startFlow,
  startService,
  startSimulator,
} from '../test/harness.ts';

const scale = Number(process.env.BENCH_SCALE ?? '0.02');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '8');
const n = (full: number) => Math.max(1, Math.round(full * scale));
const data = generateLiviaTenant({
  users: n(10_000),
  establishments: n(200),
  activities: n(1_000),
  residents: n(50_000),
  records: n(50_000),
  contacts: n(100_000),
});

// One process holds the service, the simulator and the raw loop: the RSS is of all three.
let peakRss = 0;
let overallPeakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  overallPeakRss = Math.max(overallPeakRss, peakRss);
}, 20);

const sim = await startSimulator();
const database = await freshDatabase();
const svc = await startService(sim, {
  database,
  env: { FLOW_CONCURRENCY: String(concurrency), ARCAD_TIMEOUT_MS: '30000' },
});
const RAW = 'raw-baseline';
sim.sim.addTenant(RAW);
const arcad = createArcadApi({ baseUrl: sim.url, apiToken: sim.env.ARCAD_API_TOKEN, timeoutMs: 30_000 });

async function pool<T>(items: T[], work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const ids = new Map<string, string>();
const rawFlows: Record<FlowId, () => Promise<number>> = {
  'I.1': async () => {
    await pool(data.users, async (u) => {
      ids.set(`u${u.id}`, await arcad.createUser(RAW, arcadUserOf(u, temporaryPassword())));
    });
    return data.users.length;
  },
  'I.2': async () => {
    await pool(data.establishments, async (e) => {
      ids.set(`e${e.id}`, await arcad.createLegalEntity(RAW, arcadLegalEntityOf(e)));
    });
    return data.establishments.length;
  },
  'I.3': async () => {
    await pool(data.activities, async (a) => {
      ids.set(
        `a${a.id}`,
        await arcad.createService(RAW, arcadServiceOf(a, ids.get(`e${a.establishmentId}`) as string)),
      );
    });
    return data.activities.length;
  },
  'I.4': async () => {
    const alive = data.residents.filter((r) => !isDeceased(r));
    await pool(alive, async (r) => {
      ids.set(`r${r.id}`, await arcad.createClient(RAW, arcadClientOf(r)));
    });
    return alive.length;
  },
  'I.5': async () => {
    const ready = data.records.filter((d) => ids.has(`r${d.residentId}`) && ids.has(`a${d.activityId}`));
    await pool(ready, async (d) => {
      await arcad.createRecord(RAW, {
        externalId: d.id,
        clientId: ids.get(`r${d.residentId}`) as string,
        serviceId: ids.get(`a${d.activityId}`) as string,
      });
    });
    return ready.length;
  },
  'I.6': async () => {
    const ready = data.familyContacts.filter((f) => ids.has(`r${f.residentId}`));
    await pool(ready, async (f) => {
      await arcad.createPersonalCircle(RAW, ids.get(`r${f.residentId}`) as string, arcadPersonalCircleOf(f));
    });
    return ready.length;
  },
  'I.7': async () => {
    let count = data.intervenants.length;
    await pool(data.intervenants, async (i) => {
      ids.set(`i${i.id}`, await arcad.createPartner(RAW, arcadPartnerOf(i)));
    });
    const links = data.intervenants.flatMap((i) =>
      i.residentIds.filter((r) => ids.has(`r${r}`)).map((r) => ({ i, r })),
    );
    count += links.length;
    await pool(links, async ({ i, r }) => {
      await arcad.createProfessionalCircle(RAW, ids.get(`r${r}`) as string, {
        externalId: intervenantLinkId(i.id, r),
        partnerId: ids.get(`i${i.id}`) as string,
        role: i.profession,
      });
    });
    return count;
  },
};

/**
 * A run's end is read from the event LIVIA receives (arcad.<tenant>.flows.finished), not by
 * polling the report: polling would load the very process being measured.
 */
const finished = new Map<
  string,
  { promise: Promise<ArcadFlowFinished>; resolve(e: ArcadFlowFinished): void }
>();
const finishedOf = (runId: string) => {
  let entry = finished.get(runId);
  if (!entry) {
    let resolve: (e: ArcadFlowFinished) => void = () => undefined;
    const promise = new Promise<ArcadFlowFinished>((r) => {
      resolve = r;
    });
    entry = { promise, resolve };
    finished.set(runId, entry);
  }
  return entry;
};

try {
  const expert = await loginThroughArcad(svc, 'expert');
  const tenant = 'bench';
  await activate(svc, expert, tenant);
  const subscription = await svc.bus.subscribe({
    subject: ARCAD_SUBJECTS.flowFinished(tenant),
    durable: `bench-${Date.now().toString(36)}`,
    handler: async (message) => {
      const event = ArcadFlowFinishedSchema.parse(message.json());
      finishedOf(event.runId).resolve(event);
    },
  });
  const pushStarted = performance.now();
  await push(svc, tenant, data);
  const pushSeconds = (performance.now() - pushStarted) / 1000;
  const total = Object.values(data).reduce((s, list) => s + list.length, 0);
  process.stdout.write(
    `\nLIVIA tenant: ${data.users.length} users, ${data.establishments.length} establishments, ${data.activities.length} activities, ${data.residents.length} residents, ${data.records.length} records, ${data.familyContacts.length} family contacts, ${data.intervenants.length} intervenants (scale ${scale}, concurrency ${concurrency}, database ${database.kind})\nLIVIA batch push: ${total} entities in ${pushSeconds.toFixed(1)} s (${(total / pushSeconds).toFixed(0)}/s)\n`,
  );
  let oursTotal = { entities: 0, seconds: 0 };
  let rawTotal = { entities: 0, seconds: 0 };
  for (const flow of flowIds) {
    peakRss = process.memoryUsage().rss;
    const started = performance.now();
    const res =
      flow === 'I.3'
        ? await svc.request(`/tenants/${tenant}/activities/mapping`, {
            method: 'PUT',
            headers: { cookie: expert, 'content-type': 'application/json' },
            body: JSON.stringify({
              choices: data.activities.map((a) => ({ activityId: a.id, choice: 'create' })),
            }),
          })
        : await startFlow(svc, expert, tenant, flow);
    if (res.status !== 202) throw new Error(`${flow} refused: ${res.status} ${await res.text()}`);
    const report = await finishedOf(((await res.json()) as { runId: string }).runId).promise;
    const seconds = (performance.now() - started) / 1000;
    const oursPeak = peakRss;
    const rawStarted = performance.now();
    const rawCount = await rawFlows[flow]();
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    oursTotal = { entities: oursTotal.entities + report.sent, seconds: oursTotal.seconds + seconds };
    rawTotal = { entities: rawTotal.entities + rawCount, seconds: rawTotal.seconds + rawSeconds };
    const ours: BenchFigure = {
      label: `arcad-sync ${flow}`,
      rate: report.sent / seconds,
      unit: 'entities/s',
      extra: {
        sent: report.sent,
        errors: report.errors,
        heldBack: report.skipped,
        peakRssMB: Math.round(oursPeak / 2 ** 20),
      },
    };
    const raw: BenchFigure = {
      label: `raw POST loop ${flow}`,
      rate: rawCount / rawSeconds,
      unit: 'entities/s',
      extra: { sent: rawCount },
    };
    printComparison(`${flow}: initialisation against the ARCAD360 simulator`, ours, raw);
  }
  printComparison(
    'All seven flows',
    {
      label: 'arcad-sync',
      rate: oursTotal.entities / oursTotal.seconds,
      unit: 'entities/s',
      extra: { peakRssMB: Math.round(overallPeakRss / 2 ** 20) },
    },
    { label: 'raw POST loop', rate: rawTotal.entities / rawTotal.seconds, unit: 'entities/s' },
  );
  await subscription.stop();
} finally {
  clearInterval(sampler);
  await svc.stop();
  await database.drop();
  await sim.stop();
}
