// The results of a distributed run merged (issue 12, seed 002): one k6 JSON stream per instance
// (`k6 run --out json=<file>[.gz]`, NDJSON: Metric and Point lines) in a folder. Counts are summed,
// the wall clock is the slowest instance, and trend percentiles come from HDR histograms
// (hdr-histogram-js, 4 significant digits) merged across instances: never averages of percentiles.
import { createReadStream, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';

/** Trend values are recorded in microseconds (k6 gives ms with decimals): HDR histograms count integers. */
const SCALE = 1000;
const DIGITS = 4;
export const PERCENTILES = [50, 90, 95, 99] as const;

/** One instance's stream, read. */
export interface InstanceStream {
  instance: string;
  iterations: number;
  /** Seconds from its first sample to its last. */
  seconds: number;
  counters: Map<string, number>;
  trends: Map<string, { histogram: hdr.Histogram; sum: number; min: number; max: number }>;
}

export interface TrendSummary {
  count: number;
  min: number;
  max: number;
  avg: number;
  /** p50, p90, p95, p99 (ms for time trends) from the merged histogram. */
  percentiles: Record<string, number>;
}

export interface Aggregate {
  instances: Array<{ instance: string; iterations: number; seconds: number; rate: number }>;
  total: { instances: number; iterations: number; seconds: number; rate: number };
  counters: Record<string, number>;
  trends: Record<string, TrendSummary>;
}

const newHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: DIGITS, autoResize: true, bitBucketSize: 64 });

/** Reads one instance's k6 JSON stream (plain or .gz). Throws naming the file and line for a line that is not JSON. */
export async function readStream(path: string): Promise<InstanceStream> {
  const types = new Map<string, string>();
  const counters = new Map<string, number>();
  const trends: InstanceStream['trends'] = new Map();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo += 1;
    if (!line.trim()) continue;
    let entry: { type?: string; metric?: string; data?: { type?: string; time?: string; value?: number } };
    try {
      entry = JSON.parse(line);
    } catch {
      // a file that does not start as a stream is something else (a result file): not an instance
      if (types.size === 0 && counters.size === 0 && trends.size === 0) break;
      throw new Error(`${path}:${lineNo} is not a k6 JSON output line (k6 run --out json=<file>)`);
    }
    if (entry.type === 'Metric' && entry.metric && entry.data?.type) types.set(entry.metric, entry.data.type);
    if (entry.type !== 'Point' || !entry.metric || typeof entry.data?.value !== 'number') continue;
    const t = Date.parse(entry.data.time ?? '');
    if (!Number.isNaN(t)) {
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
    const value = entry.data.value;
    const type = types.get(entry.metric);
    if (type === 'counter') counters.set(entry.metric, (counters.get(entry.metric) ?? 0) + value);
    else if (type === 'trend') {
      let trend = trends.get(entry.metric);
      if (!trend) {
        trend = { histogram: newHistogram(), sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
        trends.set(entry.metric, trend);
      }
      trend.histogram.recordValue(Math.max(0, Math.round(value * SCALE)));
      trend.sum += value;
      trend.min = Math.min(trend.min, value);
      trend.max = Math.max(trend.max, value);
    }
  }
  return {
    instance: basename(path).replace(/\.json(\.gz)?$/, ''),
    iterations: counters.get('iterations') ?? 0,
    seconds: last > first ? (last - first) / 1000 : 0,
    counters,
    trends,
  };
}

/** Merges instances: counts summed, the slowest instance's time, percentiles from the merged histograms. */
export function mergeStreams(streams: InstanceStream[]): Aggregate {
  const counters: Record<string, number> = {};
  const merged = new Map<string, { histogram: hdr.Histogram; sum: number; min: number; max: number }>();
  for (const s of streams) {
    for (const [name, n] of s.counters) counters[name] = (counters[name] ?? 0) + n;
    for (const [name, t] of s.trends) {
      const into = merged.get(name) ?? { histogram: newHistogram(), sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
      into.histogram.add(t.histogram);
      into.sum += t.sum;
      into.min = Math.min(into.min, t.min);
      into.max = Math.max(into.max, t.max);
      merged.set(name, into);
    }
  }
  const trends: Record<string, TrendSummary> = {};
  for (const [name, t] of [...merged].sort(([a], [b]) => a.localeCompare(b))) {
    const count = t.histogram.totalCount;
    trends[name] = {
      count,
      min: t.min,
      max: t.max,
      avg: count > 0 ? t.sum / count : 0,
      percentiles: Object.fromEntries(PERCENTILES.map((p) => [`p(${p})`, t.histogram.getValueAtPercentile(p) / SCALE])),
    };
  }
  const iterations = streams.reduce((n, s) => n + s.iterations, 0);
  const seconds = Math.max(0, ...streams.map((s) => s.seconds));
  return {
    instances: streams.map((s) => ({ instance: s.instance, iterations: s.iterations, seconds: s.seconds, rate: s.seconds > 0 ? s.iterations / s.seconds : 0 })),
    total: { instances: streams.length, iterations, seconds, rate: seconds > 0 ? iterations / seconds : 0 },
    counters,
    trends,
  };
}

/** Every k6 JSON stream (*.json, *.json.gz) in a folder, merged. Throws when there is none. */
export async function aggregateDir(dir: string): Promise<Aggregate> {
  const files = readdirSync(dir)
    .filter((f) => /\.json(\.gz)?$/.test(f))
    .sort();
  const streams: InstanceStream[] = [];
  for (const f of files) {
    const s = await readStream(join(dir, f));
    if (s.counters.size > 0 || s.trends.size > 0) streams.push(s);
  }
  if (streams.length === 0) throw new Error(`${dir} holds no k6 JSON stream (one per instance: k6 run --out json=<dir>/<instance>.json)`);
  return mergeStreams(streams);
}
