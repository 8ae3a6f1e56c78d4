// Per-second time series from k6's JSON output (`k6 run --out json=FILE`, one JSON object per line):
// throughput, errors and latency percentiles per 1 s bucket. Percentiles are exact, computed on each
// bucket's sorted samples with k6's own interpolation (the one behind the end-of-test p(95)), so a
// bucket's p95 means what the summary's p(95) means. Buckets are epoch seconds: samples reach the file
// in flush batches, not strictly in time order, and a fixed grid needs no second pass.
import type { PercentileSeries, TimeSeries } from './model.ts';

export interface StreamPoint {
  metric: string;
  /** Epoch ms. */
  timeMs: number;
  value: number;
}

export interface SeriesMetrics {
  latency: string;
  throughput: string;
  errors: string;
}

/** k6's percentile: linear interpolation between the closest ranks of the sorted samples (p in 0..1). */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (n === 1) return sorted[0];
  const i = p * (n - 1);
  const lo = sorted[Math.floor(i)];
  const hi = sorted[Math.ceil(i)];
  return lo + (hi - lo) * (i - Math.floor(i));
}

interface Bucket {
  throughput: number;
  iterations: number;
  errors: number;
  latency: number[];
}

/**
 * Collects points into 1 s buckets. `kinds` says whether the error metric is a rate (a sample counts
 * as an error when its value is non-zero) or a counter (values are summed); the JSON stream's
 * "Metric" lines tell, and `setKind` takes them as they come.
 */
export class SeriesBuilder {
  private readonly buckets = new Map<number, Bucket>();
  private errorKind: 'rate' | 'counter';
  private sawLatency = false;
  private minMs = Infinity;
  private maxMs = -Infinity;
  private points = 0;
  private readonly bucketMs: number;

  constructor(
    private readonly metrics: SeriesMetrics,
    options: { errorKind?: 'rate' | 'counter'; bucketMs?: number } = {},
  ) {
    this.errorKind = options.errorKind ?? 'rate';
    this.bucketMs = options.bucketMs ?? 1000;
  }

  /** Names of the metrics this builder reads (a reader may skip every other line unparsed). */
  wanted(): string[] {
    return [...new Set([this.metrics.latency, this.metrics.throughput, this.metrics.errors, 'iterations'])];
  }

  setErrorKind(kind: 'rate' | 'counter'): void {
    this.errorKind = kind;
  }

  add(point: StreamPoint): void {
    this.points += 1;
    const { metric, timeMs, value } = point;
    const isLatency = metric === this.metrics.latency;
    const isThroughput = metric === this.metrics.throughput;
    const isErrors = metric === this.metrics.errors;
    const isIterations = metric === 'iterations';
    if (!(isLatency || isThroughput || isErrors || isIterations) || !Number.isFinite(timeMs) || !Number.isFinite(value)) return;
    if (timeMs < this.minMs) this.minMs = timeMs;
    if (timeMs > this.maxMs) this.maxMs = timeMs;
    const key = Math.floor(timeMs / this.bucketMs);
    let b = this.buckets.get(key);
    if (!b) {
      b = { throughput: 0, iterations: 0, errors: 0, latency: [] };
      this.buckets.set(key, b);
    }
    if (isThroughput) b.throughput += value;
    if (isIterations) b.iterations += value;
    if (isErrors) {
      // a rate's sample is 1/true for a hit (a failed request), a counter's is an amount
      b.errors += this.errorKind === 'rate' ? (value !== 0 ? 1 : 0) : value;
    }
    if (isLatency) {
      this.sawLatency = true;
      b.latency.push(value);
    }
  }

  /** Counts every line read, wanted or not (for the report's "points read"). */
  countSkipped(n = 1): void {
    this.points += n;
  }

  finish(): TimeSeries | undefined {
    if (this.buckets.size === 0) return undefined;
    const keys = [...this.buckets.keys()];
    const first = Math.min(...keys);
    const last = Math.max(...keys);
    const series: TimeSeries = {
      bucketMs: this.bucketMs,
      startMs: first * this.bucketMs,
      seconds: [],
      partial: [],
      throughput: { metric: this.metrics.throughput, perSecond: [] },
      // always present: an error counter gets no sample at all in a run without errors
      errors: { metric: this.metrics.errors, kind: this.errorKind, perSecond: [] },
      latency: this.sawLatency ? { metric: this.metrics.latency, p50: [], p90: [], p95: [], p99: [], count: [] } : null,
      points: this.points,
    };
    const iterations: number[] = [];
    const percentiles: Array<[PercentileSeries, number]> = series.latency
      ? [
          [series.latency.p50, 0.5],
          [series.latency.p90, 0.9],
          [series.latency.p95, 0.95],
          [series.latency.p99, 0.99],
        ]
      : [];
    for (let key = first; key <= last; key += 1) {
      const b = this.buckets.get(key);
      const start = key * this.bucketMs;
      series.seconds.push(((key - first) * this.bucketMs) / 1000);
      series.partial.push(this.minMs > start || this.maxMs < start + this.bucketMs - 1);
      series.throughput.perSecond.push(b?.throughput ?? 0);
      iterations.push(b?.iterations ?? 0);
      series.errors?.perSecond.push(b?.errors ?? 0);
      if (series.latency) {
        const sorted = Float64Array.from(b?.latency ?? []).sort();
        for (const [line, p] of percentiles) line.push(percentile(sorted, p));
        series.latency.count.push(sorted.length);
      }
    }
    if (this.metrics.throughput !== 'iterations') series.iterations = iterations;
    return series;
  }
}

/** Epoch ms of a k6 timestamp ("2026-11-23T02:11:37.205785939Z", or with an offset such as +02:00). */
export function parseK6Time(time: string): number {
  return Date.parse(time);
}
