// k6's built-in InfluxDB 1.x output (--out influxdb=...) into a real influxd, read back with the
// Grafana dashboard's own queries: the measurements and tag keys the dashboard uses exist, every
// dashboard query runs for the run's test id, and what landed in InfluxDB adds up to the run's summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runK6, type K6RunResult } from '../../tools/k6.ts';
import { SCRIPTS, bundleOf, scriptManifest } from '../../src/shared/families/index.ts';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { startFamilySandbox, targetEnv } from '../../tools/sandbox/sandbox.ts';
import { INFLUXD_MISSING, influxdAvailable, startInflux, type InfluxResponse, type RunningInflux } from '../support/influx.ts';
import { dashboardQueries, loadDashboard } from '../support/dashboard-queries.ts';
import { readResult, scratchDir, type ResultFile } from '../support/results.ts';

const DB = 'k6';
const stamp = `${Date.now()}`;

interface Run {
  script: string;
  testId: string;
  out: K6RunResult;
  result: ResultFile;
}

let influx: RunningInflux | undefined;
const sandboxes: RunningTarget[] = [];
const results = scratchDir('k6-influx-');
const runs: Run[] = [];

async function run(script: Run['script'], env: Record<string, string>): Promise<Run> {
  // A "." in the test id: the dashboard's /^$testid$/ needs it escaped, as Grafana does.
  const testId = `e2e.${script}-${stamp}`;
  const runName = `influx-${script}`;
  const bundle = bundleOf(scriptManifest(script)!);
  const out = await runK6({
    script: `dist/${bundle.name}.js`,
    args: ['--out', `influxdb=${influx!.url}/${DB}`],
    env: { ...bundle.env, ...env, TEST_ID: testId, RUN_NAME: runName, RESULTS_DIR: results.dir, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s' },
    timeoutMs: 60_000,
  });
  let result: ResultFile;
  try {
    result = readResult(join(results.dir, `${runName}_${script}.json`));
  } catch {
    throw new Error(`${script}: no result file (exit ${out.exitCode}):\n${out.stderr.slice(-3000)}`);
  }
  return { script, testId, out, result };
}

beforeAll(async () => {
  if (!influxdAvailable()) throw new Error(INFLUXD_MISSING);
  influx = await startInflux();
  await influx.query(`CREATE DATABASE ${DB}`);
  // every script of every family, against its sandbox, with its nightly job's settings
  for (const script of SCRIPTS) {
    const sandbox = await startFamilySandbox(script.family);
    sandboxes.push(sandbox);
    runs.push(await run(script.name, { ...targetEnv(script.family.sandbox.env, sandbox), ...targetEnv(script.nightly.env, sandbox) }));
  }
}, 60_000 * SCRIPTS.length);

afterAll(async () => {
  await Promise.allSettled([influx?.stop(), ...sandboxes.map((s) => s.close())]);
  results.remove();
});

const q = (query: string) => influx!.query(query, DB);
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const byTestId = (testId: string) => `"testid" = '${esc(testId)}'`;

/** The single value of a one-row answer (0 when InfluxDB returned no series: no points). */
function scalar(res: InfluxResponse, column: string): number {
  const series = res.results[0]?.series?.[0];
  if (!series) return 0;
  return Number(series.values![0][series.columns.indexOf(column)]);
}
function column(res: InfluxResponse, col: string): string[] {
  return (res.results[0]?.series ?? []).flatMap((s) => (s.values ?? []).map((v) => String(v[s.columns.indexOf(col)])));
}
/**
 * Metrics of the run that got samples. Sub-metrics (http_req_duration{expected_response:true}) are left
 * out, and so are metrics that are in the summary only because a threshold names them: k6 lists those
 * even without a single sample (a rate 0 with no passes and no fails), and no point of them is written.
 */
const summaryMetrics = (r: Run) =>
  Object.entries(r.result.metrics).filter(([name, m]) => {
    if (name.includes('{')) return false;
    if (m.type === 'counter') return m.values.count > 0;
    if (m.type === 'rate') return m.values.passes + m.values.fails > 0;
    return !m.thresholds || Object.values(m.values).some((v) => v !== 0);
  });

const get = (script: Run['script']) => runs.find((r) => r.script === script)!;

describe('k6 --out influxdb into a real InfluxDB 1.x, read with the Grafana dashboard', () => {
  it('every run passes and carries the test id it was given', () => {
    expect(runs).toHaveLength(SCRIPTS.length);
    for (const r of runs) {
      expect(r.out.exitCode, `${r.script}: ${r.out.stderr.slice(-2000)}`).toBe(0);
      expect(r.out.stderr).not.toMatch(/Couldn't write stats|Couldn't create batch/);
      expect(r.result.meta.testId).toBe(r.testId);
    }
    expect(get('spacetimedb').result.metrics.spacetime_reducer_calls_total?.values.count).toBeGreaterThan(100);
    expect(get('health').result.metrics.http_reqs?.values.count).toBeGreaterThan(100);
  });

  it('the dashboard uses the k6influx datasource and filters every panel query by $testid', () => {
    const dashboard = loadDashboard() as Record<string, any>;
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const vars = Object.fromEntries(dashboard.templating.list.map((v: any) => [v.name, v]));
    expect(vars.script.query).toBe('SHOW TAG VALUES FROM "iterations" WITH KEY = "script"');
    expect(vars.testid.query).toBe('SHOW TAG VALUES FROM "iterations" WITH KEY = "testid" WHERE "script" =~ /^$script$/');
    for (const v of dashboard.templating.list.filter((v: any) => v.type === 'query')) expect(v.datasource.uid).toBe('k6influx');
    expect(vars.tempo).toMatchObject({ type: 'datasource', query: 'tempo' }); // the payments row's trace link
    const panels = dashboard.panels.filter((p: any) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(20);
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe('k6influx');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(t.datasource?.uid, p.title).toBe('k6influx');
        expect(t.query, p.title).toContain('"testid" =~ /^$testid$/');
        expect(t.query, p.title).toContain('$timeFilter');
      }
    }
    const measured = new Set(dashboardQueries({ testid: 'x' }).flatMap((d) => d.measurements));
    for (const m of [
      'transactions_total',
      'transaction_success_rate',
      'error_rate',
      'latency_ms',
      'read_latency_ms',
      'write_latency_ms',
      'spacetime_reducer_calls_total',
      'spacetime_reducer_latency_ms',
      'spacetime_ws_connections_total',
      'spacetime_connection_drops_total',
      'spacetime_reconnect_attempts_total',
      'spacetime_subscription_updates_total',
      'spacetime_table_inserts_total',
      'spacetime_table_updates_total',
      'spacetime_table_deletes_total',
      'http_reqs',
      'http_req_duration',
      'http_req_failed',
      'vus',
      'iterations',
      'dropped_iterations',
      'checks',
    ]) {
      expect(measured, m).toContain(m);
    }
  });

  it('every metric of every summary is a measurement, with the tag keys the dashboard filters and groups by', async () => {
    const measurements = new Set(column(await q('SHOW MEASUREMENTS'), 'name'));
    const produced = new Set(runs.flatMap((r) => summaryMetrics(r).map(([name]) => name)));
    for (const name of produced) expect(measurements, name).toContain(name);

    for (const d of dashboardQueries({ testid: 'x' })) {
      for (const m of d.measurements.filter((name) => produced.has(name))) {
        const keys = column(await q(`SHOW TAG KEYS FROM "${m}"`), 'tagKey');
        for (const key of d.tagKeys) expect(keys, `${d.source} ${d.refId ?? ''}: tag ${key} on ${m}`).toContain(key);
      }
    }
    // vu, iter and url are never tags (vu/iter are k6 metadata, url is written as a field).
    const allKeys = new Set(column(await q('SHOW TAG KEYS'), 'tagKey'));
    for (const key of ['testid', 'script', 'run', 'scenario', 'name', 'status', 'method', 'check']) expect(allKeys).toContain(key);
    for (const key of ['vu', 'iter', 'url']) expect(allKeys).not.toContain(key);
    expect(column(await q('SHOW FIELD KEYS FROM "http_reqs"'), 'fieldKey').sort()).toEqual(['url', 'value']);
  });

  it('every dashboard query runs for each test id, with series for every metric the run produced', async () => {
    for (const r of runs) {
      const produced = new Set(summaryMetrics(r).map(([name]) => name));
      const queries = dashboardQueries({ testid: r.testId, script: r.script });
      expect(queries.length).toBeGreaterThan(40);
      let withSeries = 0;
      for (const d of queries) {
        const res = await q(d.query); // rejects on any InfluxQL error
        const series = res.results[0]?.series ?? [];
        if (d.measurements.length > 0 && d.measurements.every((m) => produced.has(m))) {
          expect(series.length, `${r.script}: ${d.source} ${d.refId}: ${d.query}`).toBeGreaterThan(0);
          withSeries += 1;
        }
        // No series from another run leaks in: the test id is the only one in the answers' tags.
        for (const s of series) if (s.tags?.testid !== undefined) expect(s.tags.testid).toBe(r.testId);
      }
      expect(withSeries, r.script).toBeGreaterThan(10);
    }
    // The variables: every script listed; the test ids narrowed by $script.
    const [scriptVar] = dashboardQueries({ testid: 'x' }).filter((d) => d.source === 'variable script');
    expect(column(await q(scriptVar.query), 'value')).toEqual(expect.arrayContaining(SCRIPTS.map((s) => s.name)));
    for (const r of runs) {
      const [testidVar] = dashboardQueries({ testid: 'x', script: r.script }).filter((d) => d.source === 'variable testid');
      expect(column(await q(testidVar.query), 'value')).toEqual([r.testId]);
    }
  });

  it('what landed in InfluxDB adds up to the summary, metric by metric', async () => {
    for (const r of runs) {
      const where = byTestId(r.testId);
      const metrics = r.result.metrics;
      // The ones the brief names, spelled out.
      const count = async (m: string) => scalar(await q(`SELECT count("value") FROM "${m}" WHERE ${where}`), 'count');
      const sum = async (m: string) => scalar(await q(`SELECT sum("value") FROM "${m}" WHERE ${where}`), 'sum');
      expect(await count('http_reqs'), `${r.script} http_reqs`).toBe(metrics.http_reqs.values.count);
      expect(await sum('iterations'), `${r.script} iterations`).toBe(metrics.iterations.values.count);
      if (r.script === 'spacetimedb') {
        expect(await sum('spacetime_reducer_calls_total')).toBe(metrics.spacetime_reducer_calls_total.values.count);
        expect(await sum('transactions_total')).toBe(metrics.transactions_total.values.count);
        expect(await sum('transactions_total')).toBe(metrics.spacetime_reducer_calls_total.values.count);
      }

      // Then every metric of the summary, by type.
      for (const [name, m] of summaryMetrics(r)) {
        const stats = (await q(`SELECT count("value"), sum("value"), min("value"), max("value"), mean("value") FROM "${name}" WHERE ${where}`)).results[0]
          ?.series?.[0];
        expect(stats, `${r.script} ${name}: no points`).toBeDefined();
        const v = Object.fromEntries(stats!.columns.map((c, i) => [c, Number(stats!.values![0][i])]));
        const label = `${r.script} ${name} (${m.type})`;
        if (m.type === 'counter') {
          expect(v.sum, label).toBeCloseTo(m.values.count, 6);
        } else if (m.type === 'rate') {
          expect(v.count, label).toBe(m.values.passes + m.values.fails);
          expect(v.sum, label).toBe(m.values.passes);
        } else if (m.type === 'gauge') {
          expect(v.max, label).toBe(m.values.max);
          expect(v.min, label).toBe(m.values.min);
        } else {
          expect(v.min, label).toBeCloseTo(m.values.min, 6);
          expect(v.max, label).toBeCloseTo(m.values.max, 6);
          expect(v.mean, label).toBeCloseTo(m.values.avg, 6);
        }
      }
      // Checks per check name match the summary's checks.
      const checks = await q(`SELECT count("value") AS "total", sum("value") AS "passes" FROM "checks" WHERE ${where} GROUP BY "check"`);
      const fromInflux = Object.fromEntries(
        (checks.results[0]?.series ?? []).map((s) => [s.tags!.check, { passes: Number(s.values![0][2]), total: Number(s.values![0][1]) }]),
      );
      // by name over every group (setup() may run the same check as the iterations)
      const fromSummary: Record<string, { passes: number; total: number }> = {};
      for (const c of collectChecks(r.result.root_group)) {
        const sum = (fromSummary[c.name] ??= { passes: 0, total: 0 });
        sum.passes += c.passes;
        sum.total += c.passes + c.fails;
      }
      expect(fromInflux, r.script).toEqual(fromSummary);
    }
  });

  it("the dashboard's whole-run stat panels show the summary's numbers", async () => {
    const dashboard = loadDashboard();
    for (const r of runs) {
      const stat = async (title: string) => {
        const d = dashboardQueries({ testid: r.testId, script: r.script }, dashboard).find((x) => x.source === title)!;
        const s = (await q(d.query)).results[0]?.series?.[0];
        return s ? Number(s.values![0][1]) : 0;
      };
      const m = r.result.metrics;
      expect(await stat('Iterations')).toBe(m.iterations.values.count);
      expect(await stat('HTTP requests')).toBe(m.http_reqs.values.count);
      expect(await stat('Transactions')).toBe(m.transactions_total?.values.count ?? 0);
      expect(await stat('Checks passed')).toBeCloseTo(m.checks.values.rate, 9);
    }
  });
});

function collectChecks(group: ResultFile['root_group']): { name: string; passes: number; fails: number }[] {
  return [...group.checks, ...group.groups.flatMap(collectChecks)];
}
