// Visits/s and peak RSS importing N visits (10 lines each) from the simulator, next to a raw loop
// that only GETs and DELETEs the same batches with the same HTTP client, in the same run.
// 10k visits / 100k lines by default, as the spec asks; VET_BENCH_VISITS to change it.
import { printComparison } from '@hip/shared/testing';
import { makeVisits } from '../sim/catalogue.ts';
import { startVetelevageSimulator } from '../sim/server.ts';
import { createVetelevageClient } from '../src/adapters/vetelevage/client.ts';
import { startGateway } from '../test/helpers.ts';

const N = Number(process.env.VET_BENCH_VISITS ?? 10_000);
const LINES = 10;

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
/** CPU seconds of this process (gateway and simulator alike) since `from`: wall time alone misleads on a busy machine. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return ((used.user + used.system) / 1e6).toFixed(1);
};

function peakRss() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return () => {
    clearInterval(timer);
    return mb(Math.max(peak, process.memoryUsage().rss));
  };
}

// Where the import's time goes, from the crash-point hooks between its steps. `getDelete`: the
// first GET, then each DELETE with the GET of the next batch (fingerprinting included in `store`).
const phases = { getDelete: 0, store: 0, relay: 0 };
let mark = 0;
const lap = (phase: keyof typeof phases) => () => {
  const now = performance.now();
  phases[phase] += now - mark;
  mark = now;
};
const importHooks = {
  afterGet: lap('getDelete'),
  afterCommit: lap('store'),
  afterPublish: lap('relay'),
};

const sim = await startVetelevageSimulator({ batchSize: 500 });
const gw = await startGateway({
  sim,
  seams: { importHooks },
  env: { VETELEVAGE_TIMEOUT_MS: '60000', VET_IMPORT_MAX_BATCHES: '1000' },
});

const { id } = await gw.vetAccount(0);
sim.sim.addVisits(id, makeVisits(id, N, { seed: 'bench', linesPerVisit: LINES }));
// The raw loop runs half before and half after the import, so that a machine busier during one
// than the other does not skew the ratio; an unmeasured first loop warms the client up (JIT,
// connections), so that the baseline is not slowed down by running first.
const [rawBefore, rawAfter, warmUp] = ['bench-raw-before', 'bench-raw-after', 'bench-raw-warm-up'];
const rawVisitCounts: [string, number][] = [
  [rawBefore, Math.ceil(N / 2)],
  [rawAfter, Math.floor(N / 2)],
  [warmUp, Math.min(N, 1_000)],
];
for (const [account, count] of rawVisitCounts) {
  sim.sim.addAccount(account, { login: account, password: 'pw' });
  sim.sim.addVisits(account, makeVisits(account, count, { seed: 'bench', linesPerVisit: LINES }));
}
const client = createVetelevageClient({ baseUrl: sim.url, timeoutMs: 60_000 });
const raw = { visits: 0, ms: 0, rss: 0, cpuMicros: 0 };
async function rawLoop(account: string) {
  const session = client.session({ mode: 'veterinaire', login: account, password: 'pw' });
  const stop = peakRss();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (;;) {
    const batch = await session.getVisits();
    if (!batch.lot) break;
    raw.visits += batch.visites.length;
    await session.deleteVisits(batch.lot);
  }
  raw.ms += performance.now() - started;
  raw.rss = Math.max(raw.rss, stop());
  const used = process.cpuUsage(cpu);
  raw.cpuMicros += used.user + used.system;
}

await rawLoop(warmUp);
Object.assign(raw, { visits: 0, ms: 0, rss: 0, cpuMicros: 0 });
await rawLoop(rawBefore);
const startRss = mb(process.memoryUsage().rss);
const stopRss = peakRss();
const cpu = process.cpuUsage();
const started = performance.now();
mark = started;
const result = await gw.importNow(id);
const oursMs = performance.now() - started;
const oursRss = stopRss();
const oursCpu = cpuSeconds(cpu);
if (result.body.visitsNew !== N)
  throw new Error(`imported ${result.body.visitsNew} of ${N}: ${JSON.stringify(result.body)}`);
await rawLoop(rawAfter);
if (raw.visits !== N) throw new Error(`raw loop saw ${raw.visits} of ${N} visits`);

printComparison(
  `vet-gateway: import ${N} visits (${N * LINES} lines) from the Vétélevage simulator, database ${gw.svc.database.kind}`,
  {
    label: 'import (GET, store, outbox, relay, DELETE)',
    rate: N / (oursMs / 1000),
    unit: 'visits/s',
    extra: { 'peak RSS MB': oursRss, seconds: (oursMs / 1000).toFixed(1), 'cpu s': oursCpu },
  },
  {
    label: 'raw GET/DELETE loop',
    rate: raw.visits / (raw.ms / 1000),
    unit: 'visits/s',
    extra: {
      'peak RSS MB': raw.rss,
      seconds: (raw.ms / 1000).toFixed(1),
      'cpu s': (raw.cpuMicros / 1e6).toFixed(1),
    },
  },
);
process.stdout.write(`  RSS before the import (simulator holding every account's visits): ${startRss} MB\n`);
process.stdout.write(
  `  phases of the import (s): ${Object.entries(phases)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
    .join('  ')}\n`,
);
await gw.stop();
await sim.close();
process.exit(0);
