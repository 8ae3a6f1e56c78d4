// Number and duration formatting shared by the text renderers (Markdown, HTML, JUnit messages).
import type { MetricSummary } from '../../src/lib/gate.ts';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0 ms';
  if (Math.abs(ms) < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (Math.abs(ms) < 1000) return `${ms.toFixed(2)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(1)}s`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(Math.abs(n) >= 100 ? 1 : Math.abs(n) >= 1 ? 2 : 4);
}

export function formatPct(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

/** A stat of a metric in its unit: ms for time trends, % for a rate's rate, plain otherwise. */
export function formatStat(metric: Pick<MetricSummary, 'type' | 'contains'> | undefined, stat: string, value: number): string {
  if (metric?.contains === 'time' && metric.type !== 'rate' && metric.type !== 'counter') return formatMs(value);
  if (metric?.type === 'rate' && stat === 'rate') return formatPct(value);
  if (metric?.type === 'counter' && stat === 'rate') return `${formatNumber(value)}/s`;
  return formatNumber(value);
}

/** One line for a metric, as k6's own summary would show it. */
export function formatMetricLine(metric: MetricSummary, trendStats: string[]): string {
  const v = metric.values;
  switch (metric.type) {
    case 'counter':
      return `${formatNumber(v.count ?? 0)} (${formatNumber(v.rate ?? 0)}/s)`;
    case 'rate':
      return `${formatPct(v.rate ?? 0)} (${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)})`;
    case 'gauge':
      return `${formatNumber(v.value ?? 0)} (min ${formatNumber(v.min ?? 0)}, max ${formatNumber(v.max ?? 0)})`;
    default:
      return trendStats
        .filter((s) => s in v)
        .map((s) => `${s}=${formatStat(metric, s, v[s])}`)
        .join(' ');
  }
}
