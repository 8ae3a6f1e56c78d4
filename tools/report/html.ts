// The run as ONE self-contained HTML file: Chart.js inlined, data embedded as JSON, a Content-Security-
// Policy that forbids every network fetch. Charts: latency percentiles from the summary (with the
// baseline's beside them), and, from k6's JSON stream, latency percentiles, throughput and errors per
// second. When every chart has drawn, <body data-charts-drawn> equals <body data-charts-expected>
// (each canvas also gets data-drawn="1"), so a headless browser can tell a drawn report from a blank one.
import type { DiffRow } from '../../src/shared/gate.ts';
import { chartJsBundle } from './chartjs.ts';
import { formatChangePct, formatMetricLine, formatMs, formatStat } from '../../src/shared/format.ts';
import { SUMMARY_PERCENTILES, checkRows, gateMetrics, runInfo, thresholdRows, verdict, type ReportModel } from './model.ts';

export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that is safe inside a <script> element (no "</script>", no "<!--"). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The ids of the charts a model gets, in page order. */
export function chartIds(model: ReportModel): string[] {
  const ids = ['chart-latency-summary'];
  if (model.series?.latency) ids.push('chart-latency-time');
  if (model.series) ids.push('chart-throughput', 'chart-errors');
  return ids;
}

const CSS = `
:root { --ok: #1a7f37; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bg-bad: #ffebe9; --bg-good: #dafbe1; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { padding: 20px 28px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
h1 { margin: 0 0 8px; font-size: 22px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
main { padding: 0 28px 28px; max-width: 1200px; }
.verdict { display: inline-block; padding: 3px 10px; border-radius: 12px; font-weight: 600; color: #fff; }
.verdict.pass { background: var(--ok); } .verdict.fail { background: var(--bad); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-family: ui-monospace, monospace; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; background: #fff; min-width: 150px; }
.card .k { color: var(--muted); font-size: 12px; } .card .v { font-size: 18px; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 18px; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.chart h3 { margin: 0 0 6px; font-size: 14px; }
.chart .box { position: relative; height: 260px; }
.note { color: var(--muted); background: #f6f8fa; border-left: 3px solid var(--line); padding: 8px 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; }
th { background: #f6f8fa; } td.num { text-align: right; font-family: ui-monospace, monospace; }
tr.gated td:first-child { font-weight: 600; }
tr.verdict-regression td, tr.threshold-crossed td, tr.verdict-missing.gated td { background: var(--bg-bad); }
tr.verdict-improved td { background: var(--bg-good); }
td.v-regression, td.crossed { color: var(--bad); font-weight: 700; } td.v-ok, td.v-improved, td.passed { color: var(--ok); }
footer { color: var(--muted); font-size: 12px; padding: 16px 28px; border-top: 1px solid var(--line); }
`;

// Runs in the browser: draws the charts from the embedded data and marks each one drawn.
const CLIENT = `
(function () {
  var body = document.body;
  function fail(err) { body.dataset.chartsError = String(err && err.message || err); }
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
    var drawn = 0;
    Chart.register({ id: 'drawnMarker', afterRender: function (chart) {
      var c = chart.canvas;
      if (c.dataset.drawn) return;
      c.dataset.drawn = '1';
      drawn += 1;
      body.dataset.chartsDrawn = String(drawn);
    } });
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    var colors = { p50: '#2da44e', p90: '#0969da', p95: '#bf8700', p99: '#cf222e', base: '#8c959f' };
    function chart(id, config) { var el = document.getElementById(id); if (el) new Chart(el, config); }
    var unit = data.latencyUnit ? ' (' + data.latencyUnit + ')' : '';

    var sets = [{ label: 'this run (' + data.run + ')', data: data.summary.current,
      backgroundColor: data.summary.baseline ? colors.p90 : data.summary.labels.map(function (l) { return colors[l]; }) }];
    if (data.summary.baseline) sets.push({ label: 'baseline (' + data.summary.baselineRun + ')', data: data.summary.baseline, backgroundColor: colors.base });
    chart('chart-latency-summary', { type: 'bar', data: { labels: data.summary.labels, datasets: sets },
      options: { plugins: { legend: { display: sets.length > 1 } }, scales: { y: { beginAtZero: true, title: { display: true, text: data.latencyMetric + unit } } } } });

    var s = data.series;
    if (!s) return;
    var labels = s.seconds.map(function (t, i) { return t + 's' + (s.partial[i] ? '*' : ''); });
    var x = { title: { display: true, text: 'seconds since the first sample (* = part of a second)' } };
    if (s.latency) {
      chart('chart-latency-time', { type: 'line', data: { labels: labels, datasets: ['p50', 'p90', 'p95', 'p99'].map(function (p) {
        return { label: p, data: s.latency[p], borderColor: colors[p], backgroundColor: colors[p], pointRadius: 0, borderWidth: 1.5, spanGaps: false };
      }) }, options: { interaction: { mode: 'index', intersect: false }, scales: { x: x, y: { beginAtZero: true, title: { display: true, text: s.latency.metric + unit } } } } });
    }
    var tsets = [{ label: s.throughput.metric + '/s', data: s.throughput.perSecond, borderColor: '#0969da', backgroundColor: '#0969da', pointRadius: 0, borderWidth: 1.5 }];
    if (s.iterations) tsets.push({ label: 'iterations/s', data: s.iterations, borderColor: '#8250df', backgroundColor: '#8250df', borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5 });
    chart('chart-throughput', { type: 'line', data: { labels: labels, datasets: tsets },
      options: { interaction: { mode: 'index', intersect: false }, scales: { x: x, y: { beginAtZero: true, title: { display: true, text: 'per second' } } } } });
    var e = s.errors || { metric: 'errors', perSecond: s.seconds.map(function () { return 0; }) };
    chart('chart-errors', { type: 'bar', data: { labels: labels, datasets: [{ label: e.metric + (e.kind === 'rate' ? ' (failed samples)' : '') + '/s', data: e.perSecond, backgroundColor: '#cf222e' }] },
      options: { scales: { x: x, y: { beginAtZero: true, suggestedMax: 1, title: { display: true, text: 'errors per second' } } } } });
  } catch (err) { fail(err); }
})();
`;

function diffTable(rows: DiffRow[], model: ReportModel): string {
  const metric = (name: string) => model.result.metrics[name];
  const show = (r: DiffRow, n: number | null | undefined) =>
    n === null || n === undefined
      ? '—'
      : formatStat(metric(r.metric) ?? { type: r.time ? 'trend' : 'counter', contains: r.time ? 'time' : 'default' }, r.stat, n);
  const gatedNames = new Set(model.diff?.regressions.map((r) => r.metric));
  const ordered = [...rows.filter((r) => r.limit !== undefined), ...rows.filter((r) => r.limit === undefined)];
  const body = ordered.map((r) => {
    const gated = r.limit !== undefined || (r.verdict === 'missing' && gatedNames.has(r.metric));
    const change = r.changePct === null ? (r.baseline === 0 ? 'n/a (baseline 0)' : '—') : formatChangePct(r.changePct);
    const verdictText = r.verdict === 'regression' ? 'REGRESSION' : r.verdict;
    return (
      `<tr class="verdict-${htmlEscape(r.verdict.replace('/', ''))}${gated ? ' gated' : ''}" data-metric="${htmlEscape(r.metric)}" data-stat="${htmlEscape(r.stat)}" data-verdict="${htmlEscape(r.verdict)}">` +
      `<td>${htmlEscape(r.metric)}</td><td>${htmlEscape(r.stat)}</td><td class="num">${htmlEscape(show(r, r.baseline))}</td>` +
      `<td class="num">${htmlEscape(show(r, r.current))}</td><td class="num">${htmlEscape(change)}</td>` +
      `<td class="num">${htmlEscape(show(r, r.limit))}</td><td class="v-${htmlEscape(r.verdict.replace('/', ''))}">${htmlEscape(verdictText)}</td></tr>`
    );
  });
  return `<table id="diff-table"><thead><tr><th>metric</th><th>stat</th><th>baseline</th><th>this run</th><th>change</th><th>gate limit</th><th>verdict</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

export function renderHtml(model: ReportModel): string {
  const info = runInfo(model);
  const v = verdict(model);
  const gate = gateMetrics(model.result);
  const metrics = model.result.metrics;
  const trendStats = model.result.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const charts = chartIds(model);
  const chartJs = chartJsBundle();
  const e = htmlEscape;

  // summary percentiles of the latency metric, with the baseline's from the diff rows
  const latency = metrics[gate.latency];
  const present = SUMMARY_PERCENTILES.filter((p) => latency?.values[p.stat] !== undefined);
  const baselineOf = (stat: string) => model.diff?.rows.find((r) => r.metric === gate.latency && r.stat === stat)?.baseline ?? null;
  const baselineValues = present.map((p) => baselineOf(p.stat));
  const data = {
    run: info.run,
    latencyMetric: gate.latency,
    latencyUnit: latency?.contains === 'time' ? 'ms' : '',
    summary: {
      labels: present.map((p) => p.label),
      current: present.map((p) => latency?.values[p.stat] ?? null),
      baseline: baselineValues.some((b) => b !== null) ? baselineValues : null,
      baselineRun: model.diff?.baselineRun ?? null,
    },
    series: model.series ?? null,
  };

  const card = (k: string, val: string) => `<div class="card"><div class="k">${e(k)}</div><div class="v">${e(val)}</div></div>`;
  const cards: string[] = [];
  if (latency?.values['p(95)'] !== undefined) cards.push(card(`${gate.latency} p95`, formatStat(latency, 'p(95)', latency.values['p(95)'])));
  const tp = metrics[gate.throughput];
  if (tp?.values.rate !== undefined) cards.push(card(`${gate.throughput}`, `${formatStat(tp, 'rate', tp.values.rate)}`));
  const er = metrics[gate.errors];
  if (er?.values.rate !== undefined) cards.push(card(gate.errors, formatStat(er, 'rate', er.values.rate)));
  if (metrics.checks?.values.rate !== undefined) cards.push(card('checks', formatStat(metrics.checks, 'rate', metrics.checks.values.rate)));

  const chartBox = (id: string, title: string) =>
    `<div class="chart"><h3>${e(title)}</h3><div class="box"><canvas id="${id}" role="img" aria-label="${e(title)}"></canvas></div></div>`;
  const parts: string[] = [];
  parts.push('<section id="latency"><h2>Latency</h2><div class="charts">');
  parts.push(
    chartBox('chart-latency-summary', `${gate.latency}: p50 / p90 / p95 / p99 over the whole run${data.summary.baseline ? ', against the baseline' : ''}`),
  );
  if (model.series?.latency) parts.push(chartBox('chart-latency-time', `${model.series.latency.metric} percentiles per second`));
  parts.push('</div>');
  if (!latency) parts.push(`<p class="note">This run has no ${e(gate.latency)} metric.</p>`);
  else if (present.length < SUMMARY_PERCENTILES.length)
    parts.push(
      `<p class="note">The summary has only ${e(present.map((p) => p.label).join(', ') || 'no percentiles')}: set summaryTrendStats to include med, p(90), p(95), p(99).</p>`,
    );
  parts.push('</section>');

  parts.push('<section id="over-time"><h2>Throughput and errors over time</h2>');
  if (model.series) {
    const s = model.series;
    parts.push(
      '<div class="charts">',
      chartBox('chart-throughput', `${s.throughput.metric} per second`),
      chartBox('chart-errors', `${s.errors?.metric ?? 'errors'} per second`),
      '</div>',
    );
    parts.push(
      `<p class="note">From ${e(model.streamPath ?? 'the k6 JSON stream')}: ${s.points} points in ${s.seconds.length} one-second buckets; a bucket marked * is only partly covered by the run.</p>`,
    );
  } else {
    parts.push(
      `<p class="note" id="no-stream">No time series: this report was made without k6's JSON stream. Run k6 with <code>--out json=${e(`${info.run}_${info.script}.k6.json`)}</code> (next to the result file) to get latency, throughput and errors per second.</p>`,
    );
  }
  parts.push('</section>');

  parts.push('<section id="baseline"><h2>Baseline comparison</h2>');
  if (model.diff) {
    const d = model.diff;
    parts.push(
      `<p>Run <code>${e(d.currentRun)}</code> against baseline <code>${e(d.baselineRun)}</code>${d.baseline ? ` (${e(d.baseline)})` : ''}: ` +
        (d.passed
          ? '<strong class="passed">no regression</strong>'
          : `<strong class="crossed">REGRESSION in ${e(d.regressions.map((r) => `${r.metric} ${r.stat}`.trim()).join(', '))}</strong>`) +
        '. Change = (this run − baseline) / baseline × 100. Gated rows come first.</p>',
    );
    for (const note of d.notes) parts.push(`<p class="note">${e(note)}</p>`);
    parts.push(diffTable(d.rows, model));
  } else {
    parts.push(
      '<p class="note" id="no-diff">No baseline diff: this run had no baseline to compare with (the first run of a scenario becomes its baseline).</p>',
    );
  }
  parts.push('</section>');

  const thresholds = thresholdRows(model.result);
  parts.push('<section id="thresholds"><h2>Thresholds</h2>');
  if (thresholds.length) {
    parts.push('<table id="thresholds-table"><thead><tr><th>metric</th><th>threshold</th><th>value</th><th>result</th></tr></thead><tbody>');
    for (const t of thresholds) {
      const m = metrics[t.metric];
      parts.push(
        `<tr class="${t.ok ? 'threshold-ok' : 'threshold-crossed'}"><td>${e(t.metric)}</td><td><code>${e(t.expr)}</code></td><td>${e(m ? formatMetricLine(m, trendStats) : '')}</td>` +
          `<td class="${t.ok ? 'passed' : 'crossed'}">${t.ok ? 'ok' : 'CROSSED'}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  } else {
    parts.push('<p class="note">The run had no thresholds.</p>');
  }
  parts.push('</section>');

  const checks = checkRows(model.result);
  if (checks.length) {
    parts.push('<section id="checks"><h2>Checks</h2><table id="checks-table"><thead><tr><th>check</th><th>passes</th><th>fails</th></tr></thead><tbody>');
    for (const c of checks)
      parts.push(`<tr class="${c.fails ? 'threshold-crossed' : ''}"><td>${e(c.name)}</td><td class="num">${c.passes}</td><td class="num">${c.fails}</td></tr>`);
    parts.push('</tbody></table></section>');
  }

  parts.push('<section id="metrics"><h2>All metrics</h2><table id="metrics-table"><thead><tr><th>metric</th><th>type</th><th>values</th></tr></thead><tbody>');
  for (const name of Object.keys(metrics).sort())
    parts.push(`<tr><td>${e(name)}</td><td>${e(metrics[name].type)}</td><td>${e(formatMetricLine(metrics[name], trendStats))}</td></tr>`);
  parts.push('</tbody></table></section>');

  const facts: Array<[string, string]> = [
    ['script', info.script],
    ...(info.scenario ? ([['scenario', info.scenario]] as Array<[string, string]>) : []),
    ['run', info.run],
    ['test id', info.testId],
    ['profile', info.profile],
    ['duration', info.durationMs === null ? '—' : formatMs(info.durationMs)],
  ];
  if (info.finishedAt) facts.push(['finished', info.finishedAt]);
  const title = `k6 ${info.script}: run ${info.run}`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} (${e(v.passed ? 'pass' : 'fail')})</title>
<style>${CSS}</style>
</head>
<body data-charts-expected="${charts.length}" data-charts-drawn="0" data-verdict="${v.passed ? 'pass' : 'fail'}">
<header>
<h1>${e(title)} <span class="verdict ${v.passed ? 'pass' : 'fail'}" id="verdict">${e(v.text)}</span></h1>
<dl class="facts">${facts.map(([k, val]) => `<dt>${e(k)}</dt><dd>${e(val)}</dd>`).join('')}</dl>
<div class="cards">${cards.join('')}</div>
</header>
<main>
${(model.notes ?? []).map((n) => `<p class="note reader-note">${e(n)}</p>`).join('\n')}
${parts.join('\n')}
</main>
<footer>Result ${e(model.resultPath)}${model.diffPath ? `, diff ${e(model.diffPath)}` : ''}${model.streamPath ? `, stream ${e(model.streamPath)}` : ''}. Charts by Chart.js ${e(chartJs.version)} (MIT), inlined.</footer>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${chartJs.source.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}
