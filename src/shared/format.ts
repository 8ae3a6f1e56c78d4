// The one number and duration formatter of the project: the k6 summary, the baseline diff, the
// reports and the CLI all show values through it, so a value reads the same everywhere (ms with a
// space, µs below 1 ms, s above 1 s). Plus the parser of k6 durations. Pure TypeScript: both runtimes.
import type { MetricSummary } from './result';

/** Milliseconds for reading: `0 ms`, `850.0 µs`, `12.25 ms`, `1.50 s`, `1m1.0s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0 ms';
  if (Math.abs(ms) < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (Math.abs(ms) < 1000) return `${ms.toFixed(2)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(1)}s`;
}

/** Integers as they are; others with 1, 2 or 4 decimals by size. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(Math.abs(n) >= 100 ? 1 : Math.abs(n) >= 1 ? 2 : 4);
}

/** A whole count with thousands separators, as the seed's logs show it: 570000 → "570,000" (goja has no toLocaleString locales). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A share (0–1) as a percentage with two decimals. */
export function formatPct(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

/** A change in percent, signed: `+12.34%`, `-5.00%`, `0.00%`. */
export function formatChangePct(pct: number): string {
  return `${pct > 0 ? '+' : ''}${pct.toFixed(2)}%`;
}

/** Bytes in SI units: `999 B`, `2.5 MB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

type MetricKind = Pick<MetricSummary, 'type' | 'contains'>;

/** A stat of a metric in its unit: ms for time trends, bytes for data, % for a rate's rate, /s for a counter's rate. */
export function formatStat(metric: MetricKind | undefined, stat: string, value: number): string {
  if (metric?.type === 'rate' && stat === 'rate') return formatPct(value);
  if (metric?.type === 'counter' && stat === 'rate') return `${metric.contains === 'data' ? formatBytes(value) : formatNumber(value)}/s`;
  if (metric?.contains === 'time') return formatMs(value);
  if (metric?.contains === 'data') return formatBytes(value);
  return formatNumber(value);
}

/** One line for a metric, as k6's own summary shows it: `10 (6.67/s)`, `50.00% (1 of 2)`, `avg=1.50 ms p(95)=12.25 ms`. */
export function formatMetricLine(metric: MetricSummary, trendStats: string[]): string {
  const v = metric.values;
  switch (metric.type) {
    case 'counter':
      return `${formatStat({ type: 'gauge', contains: metric.contains }, 'count', v.count ?? 0)} (${formatStat(metric, 'rate', v.rate ?? 0)})`;
    case 'rate':
      return `${formatPct(v.rate ?? 0)} (${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)})`;
    case 'gauge':
      return `${formatStat(metric, 'value', v.value ?? 0)} (min ${formatStat(metric, 'min', v.min ?? 0)}, max ${formatStat(metric, 'max', v.max ?? 0)})`;
    default:
      return trendStats
        .filter((s) => s in v)
        .map((s) => `${s}=${formatStat(metric, s, v[s])}`)
        .join(' ');
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses k6 duration strings like "30s", "1m30s", "500ms", "2h" into milliseconds; undefined when malformed. */
export function parseDurationMs(raw: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(raw); match !== null; match = re.exec(raw)) {
    if (match.index !== consumed) return undefined;
    total += Number(match[1]) * DURATION_UNITS[match[2]];
    consumed = re.lastIndex;
  }
  return consumed === raw.length && consumed > 0 ? total : undefined;
}
