// pnpm bench: bus message -> stamped PDF on disk, against qpdf --overlay on the same files.
// BENCH_DOCS (default 60) and BENCH_CONCURRENCY (default 4) size the run; NATS_URL and
// DATABASE_URL switch to the real servers, as in the tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TCS_SUBJECTS } from '@hip/shared/schemas';
import { type BenchFigure, percentiles, printComparison, startServiceForTest } from '@hip/shared/testing';
import { PDFDocument } from 'pdf-lib';
import { sampleLetterheadPdf, sampleSignaturePng, sampleSourcePdf } from '../sim/sample-assets.ts';
import { documentFileName } from '../src/domain/export-path.ts';
import { letterheadBox, signatureBox } from '../src/pdf/layout.ts';
import { docConverter } from '../src/service.ts';
import { cpv2Document, workspace } from '../test/fixtures.ts';

const run = promisify(execFile);
const DOCS = Number(process.env.BENCH_DOCS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const ws = await workspace();
const letterhead = await sampleLetterheadPdf({ name: 'Point Vision Lyon', address: 'Lyon', phone: '04' });
const signature = sampleSignaturePng(42);
const source = await sampleSourcePdf(2);
await writeFile(join(ws.assetsRoot, 'entete', '42.pdf'), letterhead);
await writeFile(join(ws.assetsRoot, 'signature', '62_42.png'), signature);

// --- ours: publish on the bus, wait for the file on the share --------------------------------
const svc = await startServiceForTest(docConverter, {
  env: { ...ws.env, CONSUMER_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'silent' },
});
const base64 = Buffer.from(source).toString('base64');
const docs = Array.from({ length: DOCS }, () =>
  cpv2Document({ content: { mediaType: 'application/pdf', base64 } }),
);
// Warm-up: fonts, PDF parsing code paths and the JIT.
const warm = cpv2Document({ content: { mediaType: 'application/pdf', base64 } });
await svc.bus.publish(TCS_SUBJECTS.documentGenerated, warm, { msgId: warm.id });
while (!existsSync(join(ws.exportRoot, 'mlefevre', documentFileName(warm))))
  await new Promise((r) => setTimeout(r, 5));

const latencies: number[] = [];
const pending = new Map<string, number>();
const started = performance.now();
const watcher = setInterval(() => {
  for (const [path, t0] of pending) {
    if (existsSync(path)) {
      latencies.push(performance.now() - t0);
      pending.delete(path);
    }
  }
}, 1);
for (const doc of docs) {
  pending.set(join(ws.exportRoot, 'mlefevre', documentFileName(doc)), performance.now());
  await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });
}
while (pending.size > 0) await new Promise((r) => setTimeout(r, 2));
const oursSeconds = (performance.now() - started) / 1000;
clearInterval(watcher);
await svc.stop();

// --- baseline: qpdf overlays a prepared stamp (letterhead on page 1, signature on page 2) ---------
// The stamp PDF is built once, outside the timing: qpdf only merges pages, it cannot scale a
// letterhead or place a PNG, so the fair comparison gives it that work ready-made.
const stamp = await PDFDocument.create();
const [lh] = await stamp.embedPdf(letterhead, [0]);
const sig = await stamp.embedPng(signature);
const size = { width: 595.28, height: 841.89 };
const p1 = stamp.addPage([size.width, size.height]);
const box = letterheadBox(size);
const scale = Math.min(box.width / (lh?.width ?? 1), box.height / (lh?.height ?? 1));
if (lh) p1.drawPage(lh, { x: box.x, y: box.y, width: lh.width * scale, height: lh.height * scale });
stamp.addPage([size.width, size.height]).drawImage(sig, signatureBox(size));
const stampPath = join(ws.dir, 'stamp.pdf');
const inputPath = join(ws.dir, 'input.pdf');
await writeFile(stampPath, await stamp.save());
await writeFile(inputPath, source);
const qpdfOut = join(ws.dir, 'qpdf');
await mkdir(qpdfOut, { recursive: true });
const qpdfLatencies: number[] = [];
const qStarted = performance.now();
await pool(
  Array.from({ length: DOCS }, (_, i) => i),
  CONCURRENCY,
  async (i) => {
    // Measured from the batch start, like ours (every message is published at once), so both
    // latencies include the wait for a free worker.
    const t0 = qStarted;
    const out = join(qpdfOut, `${i}.pdf`);
    await run('qpdf', [inputPath, '--overlay', stampPath, '--to=1-2', '--from=1-2', '--', `${out}.tmp`]);
    await rename(`${out}.tmp`, out);
    qpdfLatencies.push(performance.now() - t0);
  },
);
const qpdfSeconds = (performance.now() - qStarted) / 1000;
await ws.remove();

const ours: BenchFigure = {
  label: `doc-converter (${svc.bus.kind} bus, ${svc.database.kind})`,
  rate: DOCS / oursSeconds,
  unit: 'docs/s',
  ...(() => {
    const p = percentiles(latencies);
    return { p50Ms: p.p50, p99Ms: p.p99 };
  })(),
  extra: { docs: DOCS, concurrency: CONCURRENCY },
};
const q = percentiles(qpdfLatencies);
const baseline: BenchFigure = {
  label: 'qpdf --overlay (process per doc)',
  rate: DOCS / qpdfSeconds,
  unit: 'docs/s',
  p50Ms: q.p50,
  p99Ms: q.p99,
  extra: { docs: DOCS, concurrency: CONCURRENCY },
};
printComparison('2-page PDF + letterhead + signature: bus message -> file on disk', ours, baseline);
process.exit(0);
