// The results of a distributed run merged (issue 12, seed 002): one k6 JSON stream per instance
// (`k6 run --out json=<file>[.gz]`, NDJSON: Metric and Point lines) in a folder. Counts are summed,
// the wall clock is the slowest instance, and trend percentiles come from HDR histograms
// (hdr-histogram-js, 4 significant digits) merged across instances: never averages of percentiles.
import { createReadStream, existsSync, readdirSync } from 'node:fs';
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
  /** The `testid` tag of its samples (undefined when they carry none). */
  testId?: string;
  /** The `instance_id` tag of its samples (the library's INSTANCE_ID; undefined when they carry none). */
  instanceId?: string;
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

/** `name{tag:value,...}`: a k6 sub-metric as the summary names it (a threshold made it), split. */
export function parseSubmetric(key: string): { metric: string; tags: Array<[string, string]> } | undefined {
  const m = /^([^{]+)\{(.+)\}$/.exec(key);
  if (!m) return undefined;
  const tags = m[2].split(',').map((pair) => {
    const i = pair.indexOf(':');
    return [pair.slice(0, i).trim(), pair.slice(i + 1).trim()] as [string, string];
  });
  return { metric: m[1], tags };
}

/**
 * Reads one instance's k6 JSON stream (plain or .gz). `submetrics` (keys like `latency_ms{scenario:a}`)
 * get histograms of their own from the points whose tags match. Throws naming the file (and the line)
 * for a file that cannot be read or unzipped, a line that is not JSON, and samples of two test ids;
 * `lenient`: a file whose first line is not JSON is something else (a result file), read as empty.
 */
export async function readStream(path: string, submetrics: string[] = [], lenient = false): Promise<InstanceStream> {
  try {
    return await readStreamLines(path, submetrics, lenient);
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith(path)) throw error;
    throw new Error(
      `${path} cannot be read as a k6 JSON stream (${message}): a stream cut short (an instance killed while writing) cannot be merged; run that instance again`,
    );
  }
}

async function readStreamLines(path: string, submetrics: string[], lenient: boolean): Promise<InstanceStream> {
  const selectors = new Map<string, Array<{ key: string; tags: Array<[string, string]> }>>();
  for (const key of submetrics) {
    const sub = parseSubmetric(key);
    if (sub) selectors.set(sub.metric, [...(selectors.get(sub.metric) ?? []), { key, tags: sub.tags }]);
  }
  const types = new Map<string, string>();
  const counters = new Map<string, number>();
  const trends: InstanceStream['trends'] = new Map();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let testId: string | undefined;
  let instanceId: string | undefined;
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo += 1;
    if (!line.trim()) continue;
    let entry: { type?: string; metric?: string; data?: { type?: string; time?: string; value?: number; tags?: Record<string, string> } };
    try {
      entry = JSON.parse(line);
    } catch {
      // a file that does not start as a stream is something else (a result file): not an instance
      if (lenient && lineNo === 1) break;
      throw new Error(`${path}:${lineNo} is not a k6 JSON output line (k6 run --out json=<file>)`);
    }
    if (entry.type === 'Metric' && entry.metric && entry.data?.type) types.set(entry.metric, entry.data.type);
    if (entry.type !== 'Point' || !entry.metric || typeof entry.data?.value !== 'number') continue;
    const subs = selectors.get(entry.metric);
    const matching = subs?.filter((sel) => sel.tags.every(([k, v]) => entry.data?.tags?.[k] === v)).map((sel) => sel.key) ?? [];
    instanceId ??= entry.data.tags?.instance_id;
    const id = entry.data.tags?.testid;
    if (id !== undefined && id !== testId) {
      if (testId !== undefined)
        throw new Error(`${path}:${lineNo} holds samples of two test runs (testid ${testId} and ${id}): give each run's instances a folder of their own`);
      testId = id;
    }
    const t = Date.parse(entry.data.time ?? '');
    if (!Number.isNaN(t)) {
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
    const value = entry.data.value;
    const type = types.get(entry.metric);
    for (const name of [entry.metric, ...matching]) {
      if (type === 'counter') counters.set(name, (counters.get(name) ?? 0) + value);
      else if (type === 'trend') record(trends, name, value);
    }
  }
  return {
    instance: basename(path).replace(/\.json(\.gz)?$/, ''),
    iterations: counters.get('iterations') ?? 0,
    seconds: last > first ? (last - first) / 1000 : 0,
    counters,
    trends,
    testId,
    instanceId,
  };
}

function record(trends: InstanceStream['trends'], name: string, value: number): void {
  let trend = trends.get(name);
  if (!trend) {
    trend = { histogram: newHistogram(), sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
    trends.set(name, trend);
  }
  trend.histogram.recordValue(Math.max(0, Math.round(value * SCALE)));
  trend.sum += value;
  trend.min = Math.min(trend.min, value);
  trend.max = Math.max(trend.max, value);
}

/** Every instance's trend histograms merged into one per trend (and sub-metric). */
export function mergeTrends(streams: InstanceStream[]): InstanceStream['trends'] {
  const merged: InstanceStream['trends'] = new Map();
  for (const s of streams) {
    for (const [name, t] of s.trends) {
      const into = merged.get(name) ?? { histogram: newHistogram(), sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
      into.histogram.add(t.histogram);
      into.sum += t.sum;
      into.min = Math.min(into.min, t.min);
      into.max = Math.max(into.max, t.max);
      merged.set(name, into);
    }
  }
  return merged;
}

/** Merges instances: counts summed, the slowest instance's time, percentiles from the merged histograms. */
export function mergeStreams(streams: InstanceStream[]): Aggregate {
  const counters: Record<string, number> = {};
  for (const s of streams) for (const [name, n] of s.counters) counters[name] = (counters[name] ?? 0) + n;
  const merged = mergeTrends(streams);
  const trends: Record<string, TrendSummary> = {};
  for (const [name, t] of [...merged].sort(([a], [b]) => a.localeCompare(b))) {
    trends[name] = {
      count: t.histogram.totalCount,
      min: trendStat(t, 'min') ?? 0,
      max: trendStat(t, 'max') ?? 0,
      avg: trendStat(t, 'avg') ?? 0,
      percentiles: Object.fromEntries(PERCENTILES.map((p) => [`p(${p})`, trendStat(t, `p(${p})`) ?? 0])),
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

/** The file name of an instance's stream in its own folder (`<dir>/<instance>/k6.json.gz`: k6-suite run --workers, the generated runners). */
export const INSTANCE_STREAM = 'k6.json.gz';

/** Whether a sub-folder is an instance's: any but an empty one (the k6-operator's initializer pod leaves an empty folder on the results volume). */
export function isInstanceFolder(path: string): boolean {
  return readdirSync(path).length > 0;
}

/**
 * The instances' streams of a folder: `<dir>/<instance>/k6.json[.gz]` (one folder per instance, as
 * `k6-suite run --workers` and the generated Compose/Kubernetes runners write them), else the folder's
 * own `*.json[.gz]` files (one per instance; result files among them are skipped). Throws naming the
 * problem for: an instance folder without its stream or with two, a stream that is empty, cut short
 * or not k6's, two files of one instance, and instances of different test runs (their `testid` tags).
 */
export async function readInstanceStreams(dir: string, submetrics: string[] = []): Promise<InstanceStream[]> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const folders = entries.filter((e) => e.isDirectory() && isInstanceFolder(join(dir, e.name)));
  const inFolders = folders.length > 0;
  const files = inFolders
    ? folders.map((e) => {
        const found = ['k6.json.gz', 'k6.json'].filter((f) => existsSync(join(dir, e.name, f)));
        if (found.length !== 1) {
          throw new Error(
            found.length === 0
              ? `instance ${e.name} has no k6 stream (${join(dir, e.name, INSTANCE_STREAM)} is missing): see its log; the run cannot be merged without it`
              : `instance ${e.name} has two k6 streams (k6.json and k6.json.gz in ${join(dir, e.name)}): keep the one of this run`,
          );
        }
        return { instance: e.name, path: join(dir, e.name, found[0]) };
      })
    : entries
        .filter((e) => e.isFile() && /\.json(\.gz)?$/.test(e.name))
        .map((e) => ({ instance: e.name.replace(/\.json(\.gz)?$/, ''), path: join(dir, e.name) }));
  const twice = files.map((f) => f.instance).filter((name, i, all) => all.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`instance ${twice[0]} has two streams in ${dir} (${twice[0]}.json and ${twice[0]}.json.gz): keep one`);
  const streams: InstanceStream[] = [];
  for (const f of files) {
    const s = await readStream(f.path, submetrics, !inFolders);
    const empty = s.counters.size === 0 && s.trends.size === 0;
    if (empty && inFolders) throw new Error(`instance ${f.instance}'s stream ${f.path} holds no sample: the instance did not run; see its log`);
    if (!empty) streams.push({ ...s, instance: f.instance });
  }
  if (streams.length === 0) {
    throw new Error(
      `${dir} holds no k6 JSON stream (one per instance: <dir>/<instance>/${INSTANCE_STREAM}, or k6 run --out json=<dir>/<instance>.json; k6-suite run --workers writes them in <results>/<run>_<script>.instances)`,
    );
  }
  for (const [i, s] of streams.entries()) {
    const same = streams.slice(i + 1).find((o) => s.instanceId !== undefined && o.instanceId === s.instanceId);
    if (same)
      throw new Error(
        `${s.instance} and ${same.instance} are one instance (both streams are INSTANCE_ID ${s.instanceId}'s): an instance was copied twice; keep one`,
      );
  }
  const ids = [...new Set(streams.map((s) => s.testId).filter((id) => id !== undefined))];
  if (ids.length > 1) {
    const of = (id: string) => streams.filter((s) => s.testId === id).map((s) => s.instance);
    throw new Error(
      `${dir} holds instances of ${ids.length} test runs (${ids.map((id) => `testid ${id}: ${of(id).join(', ')}`).join('; ')}): merge the instances of one run (one TEST_ID) only`,
    );
  }
  return streams;
}

/** Every instance's stream in a folder (readInstanceStreams), merged. */
export async function aggregateDir(dir: string): Promise<Aggregate> {
  return mergeStreams(await readInstanceStreams(dir));
}

/** A trend statistic of k6's summary (`avg`, `min`, `med`, `max`, `count`, `p(N)`) from a merged histogram; undefined for an unknown one. */
export function trendStat(t: { histogram: hdr.Histogram; sum: number; min: number; max: number }, stat: string): number | undefined {
  const count = t.histogram.totalCount;
  if (stat === 'count') return count;
  if (stat === 'avg') return count > 0 ? t.sum / count : 0;
  if (stat === 'min') return count > 0 ? t.min : 0;
  if (stat === 'max') return count > 0 ? t.max : 0;
  const p = stat === 'med' ? 50 : Number(/^p\((\d+(?:\.\d+)?)\)$/.exec(stat)?.[1] ?? Number.NaN);
  if (!Number.isFinite(p)) return undefined;
  return count > 0 ? t.histogram.getValueAtPercentile(p) / SCALE : 0;
}
