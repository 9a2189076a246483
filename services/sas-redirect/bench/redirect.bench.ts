/**
 * Redirect throughput: GET /search (context validation + URL building + audit row) against a bare
 * node:http server answering a fixed 302, both driven by autocannon in the same run (its load
 * runs in a worker thread, off the servers' event loop). The two alternate over BENCH_ROUNDS
 * rounds (default 3) and the median round of each is shown, so that a burst of other work on the
 * machine weighs on both alike. BENCH_SECONDS (default 4 per server and round) and
 * BENCH_CONNECTIONS (default 32) scale it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { baseConfigSchema, loadConfig, silentLogger } from '@hip/shared';
import { listen } from '@hip/shared/node';
import { freshDatabase, printComparison, testBus } from '@hip/shared/testing';
import autocannon from 'autocannon';
import { configSchema, sasRedirect } from '../src/service.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PATH =
  '/search?origin=samu44-lrm&streetnumber=12&streetname=rue%20de%20la%20Paix&inseecode=44109&city=Nantes' +
  '&specialty=SM54&practitioner=10005681340';

async function drive(port: number): Promise<{ rate: number; p50: number; p99: number; errors: number }> {
  const url = `http://127.0.0.1:${port}${PATH}`;
  // Warm-up (JIT, connection pool, first audit flush), not counted.
  await autocannon({ url, connections, duration: 1 });
  const result = await autocannon({ url, connections, duration: seconds, workers: 1 });
  return {
    rate: result['3xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // Anything but the expected 302 counts as an error.
    errors: result.errors + result.timeouts + (result.requests.total - result['3xx']),
  };
}

const bus = await testBus();
const database = await freshDatabase();
const config = loadConfig(baseConfigSchema.extend(configSchema.shape), {
  LRM_ORIGINS: 'samu44-lrm',
  SAS_BASE_URL: 'https://sas.example.test',
  CONTEXT_TOKEN_SECRET: 'b'.repeat(40),
});
const instance = await sasRedirect.create({ config: config as never, logger: silentLogger, bus, database });
const ours = await listen(instance.app, 0, '127.0.0.1');

const location = 'https://sas.example.test/sas/recherche?origin=samu44-lrm&city=Nantes';
const bare = createServer((_req, res) => {
  res.writeHead(302, { location });
  res.end();
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));

type Figure = Awaited<ReturnType<typeof drive>>;
const baselineRuns: Figure[] = [];
const ourRuns: Figure[] = [];
for (let round = 0; round < rounds; round++) {
  baselineRuns.push(await drive((bare.address() as AddressInfo).port));
  ourRuns.push(await drive(ours.port));
}
const median = (runs: Figure[]): Figure => {
  const byRate = [...runs].sort((a, b) => a.rate - b.rate)[Math.floor(runs.length / 2)]!;
  const p99s = runs.map((r) => r.p99).sort((a, b) => a - b);
  return {
    ...byRate,
    p99: p99s[Math.floor(p99s.length / 2)]!,
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
};
const baseline = median(baselineRuns);
const measured = median(ourRuns);

printComparison(
  `redirect: GET /search -> 302 (autocannon, ${connections} connections, median of ${rounds} alternating rounds of ${seconds} s, database ${database.kind})`,
  {
    label: 'sas-redirect /search',
    rate: measured.rate,
    unit: 'req/s',
    p50Ms: measured.p50,
    p99Ms: measured.p99,
    extra: { errors: measured.errors },
  },
  {
    label: 'bare node:http fixed 302',
    rate: baseline.rate,
    unit: 'req/s',
    p50Ms: baseline.p50,
    p99Ms: baseline.p99,
    extra: { errors: baseline.errors },
  },
);

await ours.close();
bare.close();
await instance.stop();
await bus.close();
await (database as { drop?(): Promise<void> }).drop?.();
process.exit(0);
