// The run as JUnit XML for CI test-report views: one testsuite per run, one testcase per k6 threshold
// ("metric: expr", a failure when crossed) and one per gated diff row ("metric stat <= limit", a failure
// on regression); a gate metric missing from the run is a failing testcase too, never a silent pass.
import { formatChangePct, formatStat } from '../../src/shared/format.ts';
import { runInfo, thresholdRows, type ReportModel } from './model.ts';

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 cannot carry. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface TestCase {
  classname: string;
  name: string;
  failure?: { type: string; message: string; body: string };
}

const attrs = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([k, v]) => `${k}="${xmlEscape(String(v))}"`)
    .join(' ');

export function renderJunit(model: ReportModel): string {
  const info = runInfo(model);
  const cases: TestCase[] = [];
  const metricOf = (name: string) => model.result.metrics[name];

  for (const t of thresholdRows(model.result)) {
    const m = metricOf(t.metric);
    const values = Object.entries(m?.values ?? {})
      .map(([stat, value]) => `${stat}=${formatStat(m, stat, value)}`)
      .join(' ');
    cases.push({
      classname: `k6.${info.script}.thresholds`,
      name: `${t.metric}: ${t.expr}`,
      failure: t.ok ? undefined : { type: 'threshold', message: `threshold ${t.expr} on ${t.metric} was crossed`, body: `${t.metric}: ${values}` },
    });
  }

  for (const row of model.diff?.rows ?? []) {
    if (row.limit === undefined) continue;
    const m = metricOf(row.metric);
    const show = (n: number | null) => (n === null ? '—' : formatStat(m ?? { type: 'trend', contains: row.time ? 'time' : 'default' }, row.stat, n));
    const upper = row.stat !== 'rate' || m?.type === 'rate'; // latency and error rate: lower is better; throughput: higher
    const change = row.changePct === null ? '' : ` (${formatChangePct(row.changePct)})`;
    cases.push({
      classname: `k6.${info.script}.gate`,
      name: `${row.metric} ${row.stat} ${upper ? '<=' : '>='} ${show(row.limit)}`,
      failure:
        row.verdict === 'regression'
          ? {
              type: 'regression',
              message: `${row.metric} ${row.stat} regressed: ${show(row.current)} against a limit of ${show(row.limit)} (baseline ${show(row.baseline)})`,
              body: `baseline ${show(row.baseline)} → current ${show(row.current)}${change}; verdict ${row.verdict}`,
            }
          : undefined,
    });
  }
  for (const row of [...(model.diff?.regressions ?? []), ...(model.diff?.unjudged ?? [])]) {
    if (row.limit !== undefined) continue;
    cases.push({
      classname: `k6.${info.script}.gate`,
      name: `${row.metric}${row.stat ? ` ${row.stat}` : ''} present`,
      failure: { type: 'regression', message: `gate metric ${row.metric} is ${row.verdict} in this run: it cannot be judged`, body: `verdict ${row.verdict}` },
    });
  }

  const failures = cases.filter((c) => c.failure).length;
  const seconds = info.durationMs === null ? 0 : info.durationMs / 1000;
  const suite = `k6 ${info.script} (run ${info.run})`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites ${attrs({ name: `k6 ${info.script}`, tests: cases.length, failures, errors: 0, time: seconds.toFixed(3) })}>`);
  const suiteAttrs: Record<string, string | number> = { name: suite, tests: cases.length, failures, errors: 0, skipped: 0, time: seconds.toFixed(3) };
  if (info.finishedAt) suiteAttrs.timestamp = info.finishedAt.replace(/Z$/, '');
  out.push(`  <testsuite ${attrs(suiteAttrs)}>`);
  out.push('    <properties>');
  for (const [name, value] of Object.entries({
    script: info.script,
    scenario: info.scenario ?? '',
    run: info.run,
    testId: info.testId,
    profile: info.profile,
    baseline: model.diff?.baseline ?? '',
  })) {
    if (value) out.push(`      <property ${attrs({ name, value })}/>`);
  }
  out.push('    </properties>');
  for (const c of cases) {
    const head = `    <testcase ${attrs({ classname: c.classname, name: c.name, time: '0' })}`;
    if (!c.failure) {
      out.push(`${head}/>`);
      continue;
    }
    out.push(`${head}>`);
    out.push(`      <failure ${attrs({ type: c.failure.type, message: c.failure.message })}>${xmlEscape(c.failure.body)}</failure>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}
