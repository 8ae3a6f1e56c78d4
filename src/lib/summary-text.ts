// Renders the end-of-test summary as text. k6 prints nothing of its own once handleSummary returns
// files, so this keeps what a k6 user expects to see: checks, thresholds and every metric.
// Pure functions over the summary data, unit-tested without k6.

export interface SummaryMetric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryCheck {
  name: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  root_group: SummaryGroup;
  options?: { summaryTrendStats?: string[] };
  state?: { testRunDurationMs?: number };
  setup_data?: unknown;
  [key: string]: unknown;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  if (ms < 1) return `${(ms * 1000).toFixed(2)}µs`;
  if (ms < 1000) return `${ms.toFixed(2)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(1)}s`;
}

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

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function formatValue(metric: SummaryMetric, value: number): string {
  if (metric.contains === 'time') return formatDuration(value);
  if (metric.contains === 'data') return formatBytes(value);
  return formatNumber(value);
}

export function formatMetric(metric: SummaryMetric, trendStats: string[]): string {
  const v = metric.values;
  switch (metric.type) {
    case 'counter':
      return metric.contains === 'data'
        ? `${formatBytes(v.count)}  ${formatBytes(v.rate)}/s`
        : `${formatNumber(v.count)}  ${v.rate.toFixed(2)}/s`;
    case 'gauge':
      return `${formatValue(metric, v.value)}  min=${formatValue(metric, v.min)} max=${formatValue(metric, v.max)}`;
    case 'rate':
      return `${(v.rate * 100).toFixed(2)}%  ${v.passes} out of ${v.passes + v.fails}`;
    case 'trend':
      return trendStats
        .filter((stat) => stat in v)
        .map((stat) => `${stat}=${formatValue(metric, v[stat])}`)
        .join(' ');
  }
}

function renderChecks(group: SummaryGroup, indent: string, lines: string[]): void {
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

export function renderTextSummary(data: SummaryData, title: string): string {
  const trendStats = data.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const lines: string[] = [`█ ${title}`, ''];

  const checks: string[] = [];
  renderChecks(data.root_group, '  ', checks);
  if (checks.length > 0) lines.push('  CHECKS', ...checks, '');

  const thresholds: string[] = [];
  for (const [name, metric] of Object.entries(data.metrics).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [expr, result] of Object.entries(metric.thresholds ?? {})) {
      thresholds.push(`  ${result.ok ? '✓' : '✗'} ${name}: ${expr}`);
    }
  }
  if (thresholds.length > 0) lines.push('  THRESHOLDS', ...thresholds, '');

  const names = Object.keys(data.metrics).sort();
  const width = Math.min(48, Math.max(...names.map((n) => n.length), 10) + 2);
  lines.push('  METRICS');
  for (const name of names) {
    lines.push(`  ${`${name}`.padEnd(width, '.')}: ${formatMetric(data.metrics[name], trendStats)}`);
  }
  const duration = data.state?.testRunDurationMs;
  if (duration !== undefined) lines.push('', `  test run duration: ${formatDuration(duration)}`);
  return `${lines.join('\n')}\n`;
}
