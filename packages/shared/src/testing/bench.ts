/** Latency percentiles of a list of samples, in milliseconds. */
export function percentiles(samplesMs: number[]): { p50: number; p99: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

export interface BenchFigure {
  label: string;
  /** Operations per second. */
  rate: number;
  unit: string;
  p50Ms?: number;
  p99Ms?: number;
  extra?: Record<string, string | number>;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 2) : 'n/a');

/**
 * Prints our figure next to the raw baseline measured in the same run, and their ratio.
 *
 * @example
 * printComparison('bus: publish -> durable consume -> ack', ours, raw);
 */
export function printComparison(title: string, ours: BenchFigure, baseline: BenchFigure): void {
  const line = (f: BenchFigure) =>
    `  ${f.label.padEnd(36)} ${fmt(f.rate).padStart(9)} ${f.unit}` +
    (f.p50Ms !== undefined ? `  p50 ${fmt(f.p50Ms)} ms  p99 ${fmt(f.p99Ms ?? Number.NaN)} ms` : '') +
    (f.extra
      ? `  ${Object.entries(f.extra)
          .map(([k, v]) => `${k} ${v}`)
          .join('  ')}`
      : '');
  process.stdout.write(
    `\n${title}\n${line(ours)}\n${line(baseline)}\n  ratio (ours / baseline): ${(ours.rate / baseline.rate).toFixed(2)}\n`,
  );
}
