// The Grafana dashboard is generated (tools/dashboard/generate.ts, `npm run dashboard`): the committed
// JSON is the generator's output, every family has its row, every query is narrowed to one run.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_FILE, buildDashboard, familyRow, grafanaVariable, influxQL, renderDashboard } from '../../tools/dashboard/generate';
import { FAMILIES } from '../../src/shared/families/index';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DS_UID = 'k6influx';

interface Target {
  refId: string;
  query: string;
  rawQuery: boolean;
  resultFormat: string;
  alias?: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  collapsed?: boolean;
  panels?: Panel[];
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults: { unit?: string } };
  targets?: Target[];
}

const dashboard = buildDashboard() as unknown as { uid: string; schemaVersion: number; panels: Panel[]; templating: { list: any[] } };
const panels = dashboard.panels;
const nonRows = panels.filter((p) => p.type !== 'row');

/** The top-level panels from a row up to the next row. */
function rowPanels(title: string): Panel[] {
  const start = panels.findIndex((p) => p.type === 'row' && p.title === title);
  if (start < 0) return [];
  const next = panels.findIndex((p, i) => i > start && p.type === 'row');
  return panels.slice(start + 1, next < 0 ? undefined : next);
}

describe('the generated Grafana dashboard', () => {
  it('is the committed grafana/dashboards/k6-regression.json (npm run dashboard)', () => {
    expect(readFileSync(resolve(ROOT, DASHBOARD_FILE), 'utf8')).toBe(renderDashboard());
  });

  it('has uid k6-regression, schema >= 36, plain rows and more than 20 panels with unique ids', () => {
    expect(dashboard.uid).toBe('k6-regression');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    for (const row of panels.filter((p) => p.type === 'row')) {
      expect(row.collapsed, row.title).toBe(false);
      expect(row.panels ?? [], row.title).toEqual([]);
    }
    expect(nonRows.length).toBeGreaterThan(20);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays out panels without overlap', () => {
    for (const [i, a] of panels.entries()) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of panels.slice(i + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `${a.title} / ${b.title}`).toBe(true);
      }
    }
  });

  it('has the common rows, and each family its row (from its manifest) after Transactions, in FAMILIES order', () => {
    const rows = panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Run overview ($script, $testid)', 'Transactions', ...FAMILIES.map((f) => familyRow(f).title), 'HTTP', 'Execution', 'Checks']);
    expect(rowPanels('Run overview ($script, $testid)').map((p) => p.title)).toEqual([
      'Transactions',
      'Transaction success rate',
      'Latency p95',
      'HTTP requests',
      'Iterations',
      'Checks passed',
    ]);
    for (const family of FAMILIES) {
      const row = rowPanels(familyRow(family).title);
      expect(
        row.map((p) => p.title),
        family.name,
      ).toEqual(familyRow(family).panels.map((p) => p.title));
      for (const [i, spec] of familyRow(family).panels.entries()) {
        const panel = row[i];
        expect(panel.type).toBe('timeseries');
        expect(panel.fieldConfig?.defaults.unit, spec.title).toBe(spec.unit);
        expect(
          panel.targets?.map((t) => t.query),
          spec.title,
        ).toEqual(spec.queries.map((q) => influxQL(q)));
        expect(
          panel.targets?.map((t) => t.alias),
          spec.title,
        ).toEqual(spec.queries.map((q) => q.alias));
      }
    }
  });

  it('the stat panels the end-to-end test reads have a single whole-run target', () => {
    for (const title of ['Iterations', 'HTTP requests', 'Transactions', 'Checks passed']) {
      const panel = nonRows.find((p) => p.title === title)!;
      expect(panel.type, title).toBe('stat');
      expect(panel.targets, title).toHaveLength(1);
      expect(panel.targets![0].query, title).not.toContain('GROUP BY');
    }
  });

  it('queries datasource k6influx, for one test id and the time range, in every panel and target', () => {
    for (const p of nonRows) {
      expect(p.datasource?.uid, p.title).toBe(DS_UID);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const [i, t] of p.targets!.entries()) {
        expect(t.datasource.uid, p.title).toBe(DS_UID);
        expect(t.refId, p.title).toBe(String.fromCharCode(65 + i));
        expect(t.rawQuery, p.title).toBe(true);
        expect(t.query, p.title).toContain('"testid" =~ /^$testid$/');
        expect(t.query, p.title).toContain('$timeFilter');
      }
    }
  });

  it('has the script and testid variables on k6influx, and the Tempo data source variable of the trace links', () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(Object.keys(vars)).toEqual(['script', 'testid', 'tempo']);
    expect(vars.script.query).toBe('SHOW TAG VALUES FROM "iterations" WITH KEY = "script"');
    expect(vars.testid.query).toBe('SHOW TAG VALUES FROM "iterations" WITH KEY = "testid" WHERE "script" =~ /^$script$/');
    for (const v of dashboard.templating.list.filter((v) => v.name !== 'tempo')) expect(v.datasource.uid, v.name).toBe(DS_UID);
    expect(vars.tempo).toMatchObject({ type: 'datasource', query: 'tempo' });
  });

  it('the payments row links its step latencies to the slow router spans of the time range in Tempo', () => {
    const panel = nonRows.find((p) => p.title.startsWith('Payment steps p95')) as { links?: Array<{ url: string; title: string }> };
    expect(panel.links).toHaveLength(1);
    const url = panel.links![0].url;
    expect(url.startsWith('/explore?schemaVersion=1&orgId=1&panes=')).toBe(true);
    // Grafana's variables stay as they are, to be interpolated when the link is followed
    const panes = JSON.parse(decodeURIComponent(url.slice(url.indexOf('panes=') + 6)));
    const [tempo, from, to] = ['tempo', '__from', '__to'].map(grafanaVariable);
    expect(panes.traces).toEqual({
      datasource: tempo,
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: tempo }, queryType: 'traceql', query: '{ kind = server && duration > 500ms }' }],
      range: { from, to },
    });
    for (const token of [tempo, from, to]) expect(url).toContain(token);
  });
});

describe('influxQL', () => {
  const where = 'WHERE "testid" =~ /^$testid$/ AND $timeFilter';
  it('turns a panel query into InfluxQL over the run', () => {
    expect(influxQL({ metric: 'm', select: 'per_s', by: ['scenario', 'name'] })).toBe(
      `SELECT sum("value") / $__interval_ms * 1000 AS "per_s" FROM "m" ${where} GROUP BY time($__interval), "scenario", "name" fill(0)`,
    );
    expect(influxQL({ metric: 'm', select: 'sum' })).toBe(`SELECT sum("value") FROM "m" ${where} GROUP BY time($__interval) fill(0)`);
    expect(influxQL({ metric: 'm', select: 'count' })).toBe(`SELECT count("value") FROM "m" ${where} GROUP BY time($__interval) fill(0)`);
    expect(influxQL({ metric: 'm', select: 'mean' })).toBe(`SELECT mean("value") FROM "m" ${where} GROUP BY time($__interval) fill(none)`);
    expect(influxQL({ metric: 'm', select: 'max' })).toBe(`SELECT max("value") FROM "m" ${where} GROUP BY time($__interval) fill(previous)`);
    expect(influxQL({ metric: 'm', select: 'p50' })).toBe(`SELECT median("value") AS "p50" FROM "m" ${where} GROUP BY time($__interval) fill(none)`);
    expect(influxQL({ metric: 'm', select: 'p99' }, { wholeRun: true })).toBe(`SELECT percentile("value", 99) FROM "m" ${where}`);
    expect(() => influxQL({ metric: 'm', select: 'p100' })).toThrow(/unknown select/);
  });
});
