// The report renderers and the time-series reader on small hand-made inputs (no k6 here; the real
// thing is in test/e2e/report.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { diffResults, gateLimits, DEFAULT_TOLERANCE } from '../../src/shared/gate.ts';
import {
  ReportInputError,
  SeriesBuilder,
  chartIds,
  loadReport,
  percentile,
  readDiffFile,
  readResultFile,
  readStream,
  renderCsv,
  renderHtml,
  renderJunit,
  renderMarkdown,
  verdict,
  writeAllReports,
  writeReports,
  xmlEscape,
  type DiffFile,
  type ReportModel,
  type ResultFile,
} from '../../tools/report/index.ts';

const GATE = { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' };

function result(p95: number, rate: number, opts: { failed?: number; thresholdsOk?: boolean; check?: string; run?: string } = {}): ResultFile {
  const ok = opts.thresholdsOk ?? true;
  return {
    meta: { scenario: 'health', run: opts.run ?? 'latest', testId: 'health-latest-1', profile: 'smoke', gate: GATE, finishedAt: '2026-01-02T03:04:05.000Z' },
    options: { summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)'] },
    state: { testRunDurationMs: 2500 },
    root_group: { name: '', groups: [], checks: [{ name: opts.check ?? 'health status is 200', passes: 10, fails: 0 }] },
    metrics: {
      http_req_duration: {
        type: 'trend',
        contains: 'time',
        values: { avg: p95 / 2, med: p95 / 3, 'p(90)': p95 * 0.9, 'p(95)': p95, 'p(99)': p95 * 2 },
        thresholds: { 'p(90)<15': { ok } },
      },
      http_reqs: { type: 'counter', contains: 'default', values: { count: rate * 10, rate } },
      http_req_failed: {
        type: 'rate',
        contains: 'default',
        values: { rate: opts.failed ?? 0, passes: 0, fails: 10 },
        thresholds: { 'rate<0.01': { ok: true } },
      },
      'http_req_duration{status:200,name:"a"}': { type: 'trend', contains: 'time', values: { avg: 1, 'p(95)': 2 } },
    },
  };
}

function diffOf(base: ResultFile, current: ResultFile): DiffFile {
  const limits = gateLimits(base, GATE, DEFAULT_TOLERANCE);
  return { baseline: 'results/baseline_health.json', ...diffResults(base, current, limits) };
}

const model = (current: ResultFile, diff?: DiffFile): ReportModel => ({ resultPath: 'results/latest_health.json', result: current, diff });

describe('percentile (k6 interpolation)', () => {
  it('interpolates between the closest ranks as k6 does', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 10);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBeCloseTo(91, 10);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('SeriesBuilder: one-second buckets', () => {
  const t0 = Date.parse('2026-01-02T03:04:05.000Z');

  it('counts throughput and errors, computes percentiles per bucket, keeps empty seconds and takes points out of order', () => {
    const b = new SeriesBuilder(GATE);
    const pts: Array<[string, number, number]> = [
      // second 0: 4 requests, 1 failed, latencies 1..4
      ['http_reqs', 100, 1],
      ['http_reqs', 200, 1],
      ['http_reqs', 300, 1],
      ['http_reqs', 400, 1],
      ['http_req_failed', 100, 0],
      ['http_req_failed', 200, 1],
      ['http_req_failed', 300, 0],
      ['http_req_failed', 400, 0],
      ['http_req_duration', 100, 4],
      ['http_req_duration', 200, 1],
      ['http_req_duration', 300, 3],
      ['http_req_duration', 400, 2],
      ['iterations', 450, 1],
      // second 2 (second 1 has nothing), one sample that arrives before second 0's last ones
      ['http_reqs', 2500, 1],
      ['http_req_duration', 2500, 10],
      ['http_req_failed', 2500, 0],
      ['http_reqs', 999, 1],
      ['http_req_duration', 999, 5], // late sample of second 0
      ['data_sent', 500, 99], // not wanted
    ];
    for (const [metric, ms, value] of pts) b.add({ metric, timeMs: t0 + ms, value });
    const s = b.finish()!;
    expect(s.startMs).toBe(t0);
    expect(s.seconds).toEqual([0, 1, 2]);
    expect(s.throughput).toEqual({ metric: 'http_reqs', perSecond: [5, 0, 1] });
    expect(s.iterations).toEqual([1, 0, 0]);
    expect(s.errors).toEqual({ metric: 'http_req_failed', kind: 'rate', perSecond: [1, 0, 0] });
    expect(s.latency!.count).toEqual([5, 0, 1]);
    expect(s.latency!.p50).toEqual([3, null, 10]);
    expect(s.latency!.p90[0]).toBeCloseTo(4.6, 10); // sorted 1,2,3,4,5: rank 3.6
    expect(s.latency!.p99[2]).toBe(10);
    expect(s.partial).toEqual([true, false, true]); // first sample at .100, last at 2.500
    expect(s.points).toBe(pts.length);
  });

  it('sums an error counter instead of counting non-zero samples', () => {
    const b = new SeriesBuilder({ latency: 'latency_ms', throughput: 'transactions_total', errors: 'transaction_errors_total' }, { errorKind: 'counter' });
    b.add({ metric: 'transaction_errors_total', timeMs: t0, value: 3 });
    b.add({ metric: 'transaction_errors_total', timeMs: t0 + 10, value: 2 });
    b.add({ metric: 'transactions_total', timeMs: t0 + 20, value: 7 });
    const s = b.finish()!;
    expect(s.errors!.perSecond).toEqual([5]);
    expect(s.throughput.perSecond).toEqual([7]);
    expect(s.latency).toBeNull();
    expect(new SeriesBuilder(GATE).finish()).toBeUndefined();
  });
});

describe('readStream: k6 --out json files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const scratch = () => (dir = mkdtempSync(join(tmpdir(), 'report-unit-')));
  const point = (metric: string, time: string, value: number, testid = 'health-latest-1') =>
    JSON.stringify({ metric, type: 'Point', data: { time, value, tags: { testid, status: '200' } } });
  const metricLine = (name: string, type: string) =>
    JSON.stringify({ type: 'Metric', data: { name, type, contains: 'default', thresholds: [], submetrics: null }, metric: name });
  const lines = [
    metricLine('http_req_failed', 'rate'),
    point('http_reqs', '2026-01-02T03:04:05.100000000Z', 1),
    point('http_req_duration', '2026-01-02T05:04:05.200123456+02:00', 2.5), // same instant zone, other offset
    point('http_req_failed', '2026-01-02T03:04:06.300Z', 1),
    point('vus', '2026-01-02T03:04:06.300Z', 1),
  ];

  it('reads plain and gzip streams alike, with any UTC offset, and drops a cut-off last line', async () => {
    const d = scratch();
    const text = `${lines.join('\n')}\n{"metric":"http_reqs","type":"Po`;
    writeFileSync(join(d, 'a.k6.json'), text);
    writeFileSync(join(d, 'a.k6.json.gz'), gzipSync(text));
    const plain = await readStream(join(d, 'a.k6.json'), GATE);
    const gz = await readStream(join(d, 'a.k6.json.gz'), GATE);
    expect(gz).toEqual(plain);
    expect(plain.throughput.perSecond).toEqual([1, 0]);
    expect(plain.errors!.perSecond).toEqual([0, 1]);
    expect(plain.latency!.p95).toEqual([2.5, null]);
  });

  it('names the file and the line of a malformed entry, a truncated gzip, a foreign file and another run', async () => {
    const d = scratch();
    const bad = join(d, 'bad.k6.json');
    writeFileSync(bad, [lines[0], lines[1], '{"metric":"http_reqs","type":"Point",', lines[2]].join('\n'));
    await expect(readStream(bad, GATE)).rejects.toThrow(`${bad} line 3 is not valid JSON`);
    const gz = join(d, 'cut.k6.json.gz');
    writeFileSync(gz, gzipSync(lines.join('\n').repeat(50)).subarray(0, 60));
    await expect(readStream(gz, GATE)).rejects.toThrow(`${gz} could not be read as a k6 JSON stream (gzip)`);
    const md = join(d, 'x.md');
    writeFileSync(md, '# not a stream\n');
    await expect(readStream(md, GATE)).rejects.toThrow(`${md} is not a k6 JSON stream`);
    const other = join(d, 'other.k6.json');
    writeFileSync(other, point('http_reqs', '2026-01-02T03:04:05Z', 1, 'someone-else'));
    await expect(readStream(other, GATE, { expectTestId: 'health-latest-1' })).rejects.toThrow('holds samples of test someone-else');
  });

  it('loadReport leaves out a stream of another run found by name, with a note, but fails on one given by path', async () => {
    const d = scratch();
    const path = join(d, 'latest_health.json');
    writeFileSync(path, JSON.stringify(result(1, 100)));
    writeFileSync(join(d, 'latest_health.k6.json'), point('http_reqs', '2026-01-02T03:04:05Z', 1, 'older-run'));
    const m = await loadReport(path);
    expect(m.series).toBeUndefined();
    expect(m.notes?.[0]).toContain('holds samples of test older-run');
    await expect(loadReport(path, { streamPath: join(d, 'latest_health.k6.json') })).rejects.toThrow(ReportInputError);
  });
});

describe('reading result and diff files', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file and the problem', () => {
    dir = mkdtempSync(join(tmpdir(), 'report-unit-'));
    const p = (name: string, text?: string) => {
      const path = join(dir, name);
      if (text !== undefined) writeFileSync(path, text);
      return path;
    };
    expect(() => readResultFile(p('none.json'))).toThrow(`${join(dir, 'none.json')} does not exist (k6 result)`);
    expect(() => readResultFile(p('empty.json', ''))).toThrow('empty.json is empty');
    expect(() => readResultFile(p('cut.json', '{"metrics": '))).toThrow(/cut\.json is not valid JSON \(k6 result\)/);
    expect(() => readResultFile(p('arr.json', '[]'))).toThrow('arr.json is malformed: it needs a JSON object');
    expect(() => readResultFile(p('shape.json', '{"metrics": {"http_reqs": 5}}'))).toThrow(
      'shape.json is malformed: metrics.http_reqs needs a type and a values object',
    );
    expect(() => readResultFile(p('nan.json', '{"metrics": {"x": {"type": "counter", "values": {"count": "5"}}}}'))).toThrow(
      'nan.json has x count = "5", not a number',
    );
    expect(() => readResultFile(p('thr.json', '{"metrics": {"x": {"type": "rate", "values": {}, "thresholds": {"rate<1": {}}}}}'))).toThrow(
      'metrics.x.thresholds["rate<1"] needs an ok boolean',
    );
    expect(() => readDiffFile(p('d.json', '{"rows": [{"metric": "a", "stat": "rate", "verdict": "meh"}]}'))).toThrow(
      'd.json is malformed: rows[0] needs metric, stat and a verdict',
    );
    expect(readResultFile(p('ok.json', JSON.stringify(result(1, 2)))).meta.run).toBe('latest');
  });
});

describe('renderMarkdown', () => {
  it('gives the verdict, the key metrics, thresholds, checks and the gate rows of the diff', () => {
    const base = result(10, 100, { run: 'baseline' });
    const slow = result(20, 100, { thresholdsOk: false, check: 'status | 200' });
    const md = renderMarkdown(model(slow, diffOf(base, slow)));
    expect(md.split('\n')[0]).toBe('## ❌ k6 health, run `latest`: FAIL: 1 threshold crossed, 1 regression against the baseline');
    expect(md).toContain('Test id `health-latest-1` · profile `smoke` · duration 2.50 s');
    expect(md).toContain('| http_reqs | 1000 (100/s) |');
    expect(md).toContain('| http_req_duration | `p(90)<15` | **CROSSED** |');
    expect(md).toContain('| status \\| 200 | 10 | 0 |'); // a pipe cannot break the table
    expect(md).toContain('### Baseline diff (health): REGRESSION in http_req_duration p(95)');
    expect(md).toContain('| http_req_duration | p(95) | 10.00 ms | 20.00 ms | +100.00% | 12.00 ms | **REGRESSION** |');
    expect(md).toContain('| http_req_duration | med | 3.33 ms | 6.67 ms | +100.00% |  | changed |'); // every stat, not only the gate's

    const same = result(10, 100);
    const ok = renderMarkdown(model(same, diffOf(base, same)));
    expect(ok.split('\n')[0]).toBe('## ✅ k6 health, run `latest`: PASS');
    expect(ok).toContain('no regression');
    expect(renderMarkdown(model(same))).toContain('No baseline diff');
  });
});

describe('runInfo', () => {
  it('takes the script from the file name when a scenario put its own name in meta.scenario', () => {
    const r = result(1, 2);
    r.meta.scenario = 'counter';
    r.meta.run = 'nightly';
    const md = renderMarkdown({ resultPath: '/x/results/nightly_spacetimedb.json', result: r });
    expect(md.split('\n')[0]).toBe('## ✅ k6 spacetimedb, run `nightly`: PASS');
    expect(md).toContain('Scenario `counter` · test id');
    expect(renderJunit({ resultPath: 'nightly_spacetimedb.json', result: r })).toContain('<property name="scenario" value="counter"/>');
  });
});

describe('renderCsv', () => {
  it('writes one row per metric and stat with baseline, change and verdict, quoting what needs it', () => {
    const base = result(10, 100, { run: 'baseline' });
    const current = result(20, 100);
    delete (base.metrics as Record<string, unknown>)['http_req_duration{status:200,name:"a"}'];
    base.metrics.gone = { type: 'counter', contains: 'default', values: { count: 1, rate: 0.1 } };
    const csv = renderCsv(model(current, diffOf(base, current)));
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('metric,stat,value,baseline,change_pct,verdict');
    expect(rows).toContain('http_req_duration,p(95),20,10,100,regression');
    expect(rows).toContain('http_req_duration,med,6.666666666666667,3.3333333333333335,100,changed');
    expect(rows).toContain('http_reqs,count,1000,,,');
    expect(rows).toContain('http_reqs,rate,100,100,0,ok');
    expect(rows).toContain('"http_req_duration{status:200,name:""a""}",p(95),2,,,new');
    expect(rows).toContain('gone,,,,,missing');
    expect(rows.every((r) => r.split(',').length >= 6)).toBe(true);
    expect(renderCsv(model(current)).split('\r\n')[1]).toBe('http_req_duration,avg,10,,,');
  });
});

describe('renderJunit', () => {
  it('one testcase per threshold and per gated row, failures where crossed or regressed, all escaped', () => {
    const base = result(10, 100, { run: 'baseline' });
    const slow = result(20, 100, { thresholdsOk: false });
    slow.meta.run = 'a&b "<x>"\u0001';
    const xml = renderJunit(model(slow, diffOf(base, slow)));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml).toContain('<testsuite name="k6 health (run a&amp;b &quot;&lt;x&gt;&quot;)" tests="5" failures="2"');
    expect(xml).toContain('<testcase classname="k6.health.thresholds" name="http_req_duration: p(90)&lt;15" time="0">');
    expect(xml).toContain('<testcase classname="k6.health.thresholds" name="http_req_failed: rate&lt;0.01" time="0"/>');
    expect(xml).toMatch(
      /<testcase classname="k6.health.gate" name="http_req_duration p\(95\) &lt;= 12.00 ms" time="0">\n\s+<failure type="regression" message="http_req_duration p\(95\) regressed: 20.00 ms against a limit of 12.00 ms/,
    );
    expect(xml).toContain('name="http_reqs rate &gt;= 95/s" time="0"/>');
    expect(xml).not.toContain('\u0001');
    // well-formed: once the tags and entities are taken out, no markup character is left
    const text = xml.replace(/<\?xml[^>]*\?>/, '').replace(/<\/?[a-z]+(\s+[a-zA-Z]+="[^"<&]*(&(amp|lt|gt|quot|apos);[^"<&]*)*")*\s*\/?>/g, '');
    expect(text.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toMatch(/[<>&]/);
    // open and close tags balance
    expect((xml.match(/<testcase /g) ?? []).length).toBe(5);
    expect((xml.match(/<\/testcase>|<testcase [^>]*\/>/g) ?? []).length).toBe(5);

    // a gate metric missing from the run fails a testcase of its own
    const gone = result(10, 100);
    delete (gone.metrics as Record<string, unknown>).http_reqs;
    expect(renderJunit(model(gone, diffOf(base, gone)))).toContain('message="gate metric http_reqs is missing in this run: it cannot be judged"');
  });

  it('escapes every XML special character and drops what XML cannot carry', () => {
    expect(xmlEscape(`a<b>&"c'\u0000\u001f\t\n`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\t\n');
  });
});

describe('renderHtml', () => {
  it('is one self-contained page: charts counted, data script-safe, nothing fetched', () => {
    const base = result(10, 100, { run: 'baseline' });
    const slow = result(20, 100, { check: '</script><script>alert(1)</script>' });
    const m = model(slow, diffOf(base, slow));
    const html = renderHtml(m);
    expect(chartIds(m)).toEqual(['chart-latency-summary']);
    expect(html).toContain('data-charts-expected="1"');
    expect(html).toContain('id="no-stream"');
    expect(html).toContain('<tr class="verdict-regression gated" data-metric="http_req_duration" data-stat="p(95)" data-verdict="regression">');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<\/script>/g)?.length).toBe(3); // data, Chart.js, drawing code: nothing injected
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('Chart.js v4');
    expect(verdict(m).passed).toBe(false);
  });
});

describe('writeReports', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the four reports next to the result, finding the diff by name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-unit-'));
    const base = result(10, 100, { run: 'baseline' });
    const current = result(10, 100);
    writeFileSync(join(dir, 'latest_health.json'), JSON.stringify(current));
    writeFileSync(join(dir, 'latest_health.diff.json'), JSON.stringify(diffOf(base, current)));
    const { paths, model: m } = await writeReports(join(dir, 'latest_health.json'));
    expect(paths).toEqual({
      html: join(dir, 'latest_health.report.html'),
      markdown: join(dir, 'latest_health.report.md'),
      csv: join(dir, 'latest_health.report.csv'),
      junit: join(dir, 'latest_health.junit.xml'),
    });
    expect(m.diffPath).toBe(join(dir, 'latest_health.diff.json'));
    expect(readFileSync(paths.markdown, 'utf8')).toContain('PASS');
    expect(readFileSync(paths.junit, 'utf8')).toContain('failures="0"');
    await expect(writeReports(join(dir, 'missing_health.json'))).rejects.toThrow(`${join(dir, 'missing_health.json')} does not exist`);
  });

  it('writeAllReports reports every result in a directory, skips other JSON and names a broken one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-unit-'));
    writeFileSync(join(dir, 'baseline_health.json'), JSON.stringify(result(10, 100, { run: 'baseline' })));
    writeFileSync(join(dir, 'latest_health.json'), JSON.stringify(result(10, 100)));
    writeFileSync(join(dir, 'latest_health.diff.json'), JSON.stringify(diffOf(result(10, 100), result(10, 100))));
    writeFileSync(join(dir, 'gate_config.json'), '{"metrics": {}}');
    writeFileSync(join(dir, 'cut_health.json'), '{"metrics": ');
    const { written, failed } = await writeAllReports(dir);
    expect(written.map((w) => w.model.resultPath)).toEqual([join(dir, 'baseline_health.json'), join(dir, 'latest_health.json')]);
    expect(failed.map((f) => f.error.message)).toEqual([expect.stringContaining(`${join(dir, 'cut_health.json')} is not valid JSON`)]);
  });
});
