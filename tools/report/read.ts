// Reads what a k6 run left behind into the report model: the result JSON (required), the baseline diff
// JSON and k6's `--out json` point stream (plain or gzip), each validated with an error that names the
// file and what is wrong with it.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { gateMetrics, type DiffFile, type ReportModel, type ResultFile, type TimeSeries } from './model.ts';
import { SeriesBuilder, parseK6Time, type SeriesMetrics } from './timeseries.ts';

/** A report input that is missing or not what k6 wrote; the message names the file. */
export class ReportInputError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    /** 'other-run': a k6 stream whose samples carry another test id than the result. */
    readonly reason: 'input' | 'other-run' = 'input',
  ) {
    super(`${file} ${problem}`);
    this.name = 'ReportInputError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new ReportInputError(path, `does not exist (${what})`);
  if (!statSync(path).isFile()) throw new ReportInputError(path, `is not a file (${what})`);
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') throw new ReportInputError(path, `is empty (${what})`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ReportInputError(path, `is not valid JSON (${what}): ${(err as Error).message}`);
  }
}

/** A k6 result file as the summary hook writes it, checked for the parts the reports use. */
export function readResultFile(path: string): ResultFile {
  const data = readJson(path, 'k6 result');
  const malformed = (why: string) => new ReportInputError(path, `is malformed: ${why}`);
  if (!isObject(data)) throw malformed('it needs a JSON object with a metrics object of k6 summary metrics');
  if (!isObject(data.metrics)) throw malformed('it needs a metrics object of k6 summary metrics');
  for (const [name, m] of Object.entries(data.metrics)) {
    if (!isObject(m) || typeof m.type !== 'string' || !isObject(m.values)) {
      throw malformed(`metrics.${name} needs a type and a values object`);
    }
    for (const [stat, v] of Object.entries(m.values)) {
      // the same words as the baseline validator (src/shared/baseline.ts) on the k6 side
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ReportInputError(path, `has ${name} ${stat} = ${JSON.stringify(v)}, not a number`);
    }
    if (m.thresholds !== undefined) {
      if (!isObject(m.thresholds)) throw malformed(`metrics.${name}.thresholds needs to be an object`);
      for (const [expr, t] of Object.entries(m.thresholds)) {
        if (!isObject(t) || typeof t.ok !== 'boolean') throw malformed(`metrics.${name}.thresholds["${expr}"] needs an ok boolean`);
      }
    }
  }
  if (data.meta !== undefined && !isObject(data.meta)) throw malformed('meta needs to be an object');
  if (data.root_group !== undefined && !isObject(data.root_group)) throw malformed('root_group needs to be an object');
  return { ...data, meta: (data.meta as Record<string, unknown> | undefined) ?? {} } as ResultFile;
}

const VERDICTS = new Set(['ok', 'regression', 'improved', 'changed', 'same', 'new', 'missing', 'n/a']);

/** A `.diff.json` written next to a result that had a baseline. */
export function readDiffFile(path: string): DiffFile {
  const data = readJson(path, 'baseline diff');
  const malformed = (why: string) => new ReportInputError(path, `is malformed: ${why}`);
  if (!isObject(data) || !Array.isArray(data.rows)) throw malformed('it needs a rows array (a baseline diff written by the summary hook)');
  data.rows.forEach((row: unknown, i: number) => {
    if (!isObject(row) || typeof row.metric !== 'string' || typeof row.stat !== 'string' || typeof row.verdict !== 'string' || !VERDICTS.has(row.verdict)) {
      throw malformed(`rows[${i}] needs metric, stat and a verdict (${[...VERDICTS].join(', ')})`);
    }
  });
  const rows = data.rows as DiffFile['rows'];
  const regressions = Array.isArray(data.regressions) ? (data.regressions as DiffFile['rows']) : rows.filter((r) => r.verdict === 'regression');
  return {
    baseline: typeof data.baseline === 'string' ? data.baseline : undefined,
    baselineRun: typeof data.baselineRun === 'string' ? data.baselineRun : 'baseline',
    currentRun: typeof data.currentRun === 'string' ? data.currentRun : 'current',
    rows,
    notes: Array.isArray(data.notes) ? data.notes.map(String) : [],
    regressions,
    unjudged: Array.isArray(data.unjudged) ? (data.unjudged as DiffFile['rows']) : [],
    passed: typeof data.passed === 'boolean' ? data.passed : regressions.length === 0,
    judgement: isObject(data.judgement) ? (data.judgement as unknown as DiffFile['judgement']) : undefined,
  };
}

function openLines(path: string): { lines: AsyncIterable<string>; source: Readable } {
  const file = createReadStream(path);
  const source: Readable = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  if (source !== file) file.on('error', (err) => source.destroy(err));
  return { lines: createInterface({ input: source, crlfDelay: Infinity }), source };
}

/**
 * Reads k6's JSON stream (plain or .gz) into per-second series of the given metrics. Lines of other
 * metrics are skipped unparsed; a malformed line is an error naming the file and the line, except a
 * cut-off last line (k6 killed mid-write), which is dropped.
 */
export async function readStream(
  path: string,
  metrics: SeriesMetrics,
  options: { errorKind?: 'rate' | 'counter'; expectTestId?: string } = {},
): Promise<TimeSeries> {
  const { errorKind = 'rate', expectTestId } = options;
  if (!existsSync(path)) throw new ReportInputError(path, 'does not exist (k6 JSON stream from --out json=...)');
  const builder = new SeriesBuilder(metrics, { errorKind });
  const wanted = builder.wanted().map((name) => `"metric":${JSON.stringify(name)}`);
  const errorMetricLine = `"name":${JSON.stringify(metrics.errors)}`;
  const { lines } = openLines(path);
  let lineNo = 0;
  let pending: { line: string; no: number; err: Error } | undefined;
  let firstLine = true;
  let firstPoint = true;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      if (pending) throw new ReportInputError(path, `line ${pending.no} is not valid JSON: ${pending.err.message}`);
      if (firstLine) {
        // k6 starts the file with a Metric or Point line: anything else is not its JSON output
        firstLine = false;
        let head: unknown;
        try {
          head = JSON.parse(line);
        } catch {
          throw new ReportInputError(path, `is not a k6 JSON stream (--out json=...): line ${lineNo} is not JSON`);
        }
        if (!isObject(head) || (head.type !== 'Metric' && head.type !== 'Point')) {
          throw new ReportInputError(path, `is not a k6 JSON stream (--out json=...): line ${lineNo} is not a Metric or Point entry`);
        }
      }
      const isPoint = line.includes('"Point"');
      if (isPoint && !wanted.some((w) => line.includes(w))) {
        builder.countSkipped();
        continue;
      }
      if (!isPoint && !line.includes(errorMetricLine)) continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch (err) {
        pending = { line, no: lineNo, err: err as Error };
        continue;
      }
      if (!isObject(entry) || !isObject(entry.data))
        throw new ReportInputError(path, `line ${lineNo} is not a k6 JSON output entry ({"type","metric","data"})`);
      if (entry.type === 'Metric') {
        const type = entry.data.type;
        if (entry.data.name === metrics.errors && (type === 'rate' || type === 'counter')) builder.setErrorKind(type);
        continue;
      }
      if (entry.type !== 'Point') continue;
      const time = entry.data.time;
      const value = entry.data.value;
      if (typeof entry.metric !== 'string' || typeof time !== 'string' || typeof value !== 'number') {
        throw new ReportInputError(path, `line ${lineNo} is a Point without metric, data.time or a numeric data.value`);
      }
      if (firstPoint) {
        firstPoint = false;
        const tags = isObject(entry.data.tags) ? entry.data.tags : {};
        if (expectTestId && typeof tags.testid === 'string' && tags.testid !== expectTestId) {
          throw new ReportInputError(path, `holds samples of test ${tags.testid}, not of this result's test ${expectTestId}`, 'other-run');
        }
      }
      const timeMs = parseK6Time(time);
      if (!Number.isFinite(timeMs)) throw new ReportInputError(path, `line ${lineNo} has a time k6 would not write: ${JSON.stringify(time)}`);
      builder.add({ metric: entry.metric, timeMs, value });
    }
  } catch (err) {
    if (err instanceof ReportInputError) throw err;
    throw new ReportInputError(path, `could not be read as a k6 JSON stream${path.endsWith('.gz') ? ' (gzip)' : ''}: ${(err as Error).message}`);
  }
  const series = builder.finish();
  if (!series) throw new ReportInputError(path, `has no samples of ${builder.wanted().join(', ')}: is it the k6 --out json stream of this run?`);
  return series;
}

export interface LoadOptions {
  /** The baseline diff; default: `<run>_<script>.diff.json` next to the result, when it exists. */
  diffPath?: string | false;
  /** k6's --out json stream; default: `<run>_<script>.k6.json` or `.k6.json.gz` next to the result, when one exists. */
  streamPath?: string | false;
}

/** `results/latest_health.json` → `results/latest_health` (the stem every companion file shares). */
export function resultStem(resultPath: string): string {
  return resultPath.replace(/\.json$/i, '');
}

/** Result + diff + stream into one model; explicit paths must exist, default ones are optional. */
export async function loadReport(resultPath: string, options: LoadOptions = {}): Promise<ReportModel> {
  const result = readResultFile(resultPath);
  const stem = resultStem(resultPath);
  const notes: string[] = [];
  const model: ReportModel = { resultPath, result, notes };

  const diffPath = options.diffPath === false ? undefined : (options.diffPath ?? (existsSync(`${stem}.diff.json`) ? `${stem}.diff.json` : undefined));
  if (diffPath) {
    model.diffPath = diffPath;
    model.diff = readDiffFile(diffPath);
  }

  const streamPath = options.streamPath === false ? undefined : (options.streamPath ?? [`${stem}.k6.json`, `${stem}.k6.json.gz`].find((p) => existsSync(p)));
  if (streamPath) {
    const gate = gateMetrics(result);
    const errorType = result.metrics[gate.errors]?.type;
    const testId = typeof result.meta.testId === 'string' ? result.meta.testId : undefined;
    try {
      model.series = await readStream(streamPath, gate, { errorKind: errorType === 'counter' ? 'counter' : 'rate', expectTestId: testId });
      model.streamPath = streamPath;
    } catch (err) {
      // a stream found by name next to the result may be left over from an earlier run of that name
      if (options.streamPath !== undefined || !(err instanceof ReportInputError) || err.reason !== 'other-run') throw err;
      notes.push(`${err.message}: it was left out (an earlier run's stream?)`);
    }
  }
  return model;
}
