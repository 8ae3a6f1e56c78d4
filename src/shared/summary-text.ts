// Renders the end-of-test summary as text. k6 prints nothing of its own once handleSummary returns
// files, so this keeps what a k6 user expects to see: checks, thresholds and every metric.
// Pure functions over the summary data, unit-tested without k6; values go through the shared formatter.
import { formatMetricLine, formatMs } from './format';
import { hasSamples, type MetricSummary, type ResultGroup } from './result';
import { levelOfMetric, renderStairTable, stairResultOf } from './staircase';

/** k6's end-of-test summary data as handleSummary receives it. */
export interface SummaryData {
  metrics: Record<string, MetricSummary>;
  root_group: ResultGroup;
  options?: { summaryTrendStats?: string[] };
  state?: { testRunDurationMs?: number };
  setup_data?: unknown;
  [key: string]: unknown;
}

function renderChecks(group: ResultGroup, indent: string, lines: string[]): void {
  for (const check of group.checks) {
    const total = check.passes + check.fails;
    const mark = check.fails === 0 ? '✓' : '✗';
    const detail = check.fails === 0 ? '' : `  ${check.fails} of ${total} failed (${((check.passes / total) * 100).toFixed(1)}% passed)`;
    lines.push(`${indent}${mark} ${check.name}${detail}`);
  }
  for (const sub of group.groups) {
    lines.push(`${indent}█ ${sub.name}`);
    renderChecks(sub, `${indent}  `, lines);
  }
}

/**
 * A staircase run's result (`meta.staircase`) shows its per-level thresholds and submetrics as the
 * STAIRCASE table instead of line by line (the result JSON keeps every one).
 */
export function renderTextSummary(data: SummaryData, title: string): string {
  const trendStats = data.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const lines: string[] = [`█ ${title}`, ''];
  const stair = stairResultOf(data.meta as Record<string, unknown> | undefined);
  const shown = Object.keys(data.metrics).filter((name) => !stair || levelOfMetric(name) === undefined);

  const checks: string[] = [];
  renderChecks(data.root_group, '  ', checks);
  if (checks.length > 0) lines.push('  CHECKS', ...checks, '');

  const thresholds: string[] = [];
  for (const name of [...shown].sort((a, b) => a.localeCompare(b))) {
    const metric = data.metrics[name];
    // k6 lets a threshold on a rate or trend without samples pass: it judged nothing, so say so
    const empty = (metric.type === 'rate' || metric.type === 'trend') && !hasSamples(metric);
    for (const [expr, result] of Object.entries(metric.thresholds ?? {})) {
      thresholds.push(empty ? `  ? ${name}: ${expr} (no samples: nothing judged)` : `  ${result.ok ? '✓' : '✗'} ${name}: ${expr}`);
    }
  }
  if (thresholds.length > 0) lines.push('  THRESHOLDS', ...thresholds, '');

  const names = [...shown].sort();
  const width = Math.min(48, Math.max(...names.map((n) => n.length), 10) + 2);
  lines.push('  METRICS');
  for (const name of names) {
    lines.push(`  ${`${name}`.padEnd(width, '.')}: ${formatMetricLine(data.metrics[name], trendStats)}`);
  }
  const duration = data.state?.testRunDurationMs;
  if (duration !== undefined) lines.push('', `  test run duration: ${formatMs(duration)}`);
  if (stair) lines.push('', ...renderStairTable(stair).map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}
