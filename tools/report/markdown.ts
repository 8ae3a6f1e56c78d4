// The run as Markdown for a CI job summary ($GITHUB_STEP_SUMMARY and the like): verdict, run facts,
// key metrics, thresholds, checks and the baseline diff table (the gate's own renderDiffMarkdown).
import { renderDiffMarkdown } from '../../src/shared/gate.ts';
import { formatMetricLine, formatMs, formatStat } from '../../src/shared/format.ts';
import { checkRows, gateMetrics, runInfo, thresholdRows, verdict, type ReportModel } from './model.ts';

/** Table cells must not break the table: pipes escaped, newlines flattened. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function renderMarkdown(model: ReportModel): string {
  const info = runInfo(model);
  const v = verdict(model);
  const gate = gateMetrics(model.result);
  const trendStats = model.result.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const lines: string[] = [];
  lines.push(`## ${v.passed ? '✅' : '❌'} k6 ${mdCell(info.script)}, run ${code(info.run)}: ${v.text}`, '');
  lines.push(
    `${info.scenario ? `Scenario ${code(info.scenario)} · t` : 'T'}est id ${code(info.testId)} · profile ${code(info.profile)} · duration ${info.durationMs === null ? '—' : formatMs(info.durationMs)}` +
      (info.finishedAt ? ` · finished ${info.finishedAt}` : ''),
    '',
  );

  for (const note of model.notes ?? []) lines.push(`> ${note}`, '');
  lines.push('| metric | value |', '|---|---|');
  const keys = [gate.latency, gate.throughput, gate.errors, 'iterations', 'checks'];
  for (const name of [...new Set(keys)]) {
    const m = model.result.metrics[name];
    if (m) lines.push(`| ${mdCell(name)} | ${mdCell(formatMetricLine(m, trendStats))} |`);
  }
  lines.push('');

  const thresholds = thresholdRows(model.result);
  if (thresholds.length) {
    lines.push('### Thresholds', '', '| metric | threshold | result |', '|---|---|---|');
    for (const t of thresholds) lines.push(`| ${mdCell(t.metric)} | ${code(mdCell(t.expr))} | ${t.ok ? 'ok' : '**CROSSED**'} |`);
    lines.push('');
  }

  const checks = checkRows(model.result);
  if (checks.length) {
    lines.push('### Checks', '', '| check | passes | fails |', '|---|---|---|');
    for (const c of checks) lines.push(`| ${mdCell(c.name)} | ${c.passes} | ${c.fails ? `**${c.fails}**` : '0'} |`);
    lines.push('');
  }

  if (model.diff) {
    // the gate's own table: gated rows first, every compared stat folded below
    lines.push(renderDiffMarkdown(model.diff, `Baseline diff (${info.script})`));
  } else {
    lines.push('_No baseline diff: this run had no baseline to compare with (it may have become the baseline)._', '');
  }

  if (model.series?.latency) {
    const lat = model.series.latency;
    const worst = Math.max(...lat.p95.map((x) => x ?? -Infinity));
    const metric = model.result.metrics[lat.metric];
    lines.push(
      `Worst 1 s p95 of ${mdCell(lat.metric)} over ${model.series.seconds.length} s: ${Number.isFinite(worst) ? formatStat(metric ?? { type: 'trend', contains: 'time' }, 'p(95)', worst) : '—'}.`,
      '',
    );
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
