// The run as CSV (RFC 4180): one row per metric and stat, with the baseline's value, the change and
// the gate's verdict where the diff compared that stat. Numbers are written at full precision.
import type { DiffRow } from '../../src/shared/gate.ts';
import type { ReportModel } from './model.ts';

export const CSV_HEADER = ['metric', 'stat', 'value', 'baseline', 'change_pct', 'verdict'] as const;

/** Quotes a field when it holds a comma, a quote or a line break (quotes doubled). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Trend stats first in the summary's order, then the rest (count, rate, passes, ...) in the file's order. */
function orderedStats(values: Record<string, number>, trendStats: string[]): string[] {
  const keys = Object.keys(values);
  return [...trendStats.filter((s) => s in values), ...keys.filter((k) => !trendStats.includes(k))];
}

export function renderCsv(model: ReportModel): string {
  const trendStats = model.result.options?.summaryTrendStats ?? [];
  const diffRows = new Map<string, DiffRow>();
  for (const row of model.diff?.rows ?? []) diffRows.set(`${row.metric}\u0000${row.stat}`, row);
  const lines = [CSV_HEADER.join(',')];
  const metrics = model.result.metrics;
  for (const name of Object.keys(metrics).sort()) {
    const whole = diffRows.get(`${name}\u0000`); // 'new' / 'missing' rows have no stat
    for (const stat of orderedStats(metrics[name].values, trendStats)) {
      const row = diffRows.get(`${name}\u0000${stat}`);
      lines.push(
        [name, stat, metrics[name].values[stat], row?.baseline ?? null, row?.changePct ?? null, row?.verdict ?? whole?.verdict ?? ''].map(csvField).join(','),
      );
    }
  }
  // metrics the baseline had and this run lacks: one row each, so a vanished metric is visible
  for (const row of model.diff?.rows ?? []) {
    if (row.verdict === 'missing' && !(row.metric in metrics)) lines.push([row.metric, row.stat, null, row.baseline, null, 'missing'].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
