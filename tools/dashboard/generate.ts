// `npm run dashboard`: the Grafana dashboard grafana/dashboards/k6-regression.json, generated as code with
// Grafana's Foundation SDK. The common rows are data in tools/dashboard/common-rows.yaml; each family
// contributes the row file its manifest names (src/shared/families/<family>.dashboard.yaml). `--check` only compares: exit 1 when the committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { parse as parseYaml } from 'yaml';
import type { DashboardRow, FamilyManifest, PanelQuery, PanelSpec } from '../../src/shared/family';
import { FAMILIES } from '../../src/shared/families/index';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DASHBOARD_FILE = 'grafana/dashboards/k6-regression.json';

const DATASOURCE = { type: 'influxdb', uid: 'k6influx' };
/** Every query is narrowed to one run (the `testid` variable) and the dashboard's time range. */
const RUN_FILTER = '"testid" =~ /^$testid$/ AND $timeFilter';
/** Grafana 11.1 (grafana/README.md) writes schema 39; the SDK would stamp its own, newer one. */
const SCHEMA_VERSION = 39;

// ---------------------------------------------------------------------------------------------------
// InfluxQL

interface Aggregate {
  expr: string;
  /** Column name, when the default one (the function's name) would not say what it is. */
  as?: string;
  fill: '0' | 'none' | 'previous';
}

function aggregate(select: PanelQuery['select']): Aggregate {
  switch (select) {
    case 'per_s':
      return { expr: 'sum("value") / $__interval_ms * 1000', as: 'per_s', fill: '0' };
    case 'sum':
    case 'count':
      return { expr: `${select}("value")`, fill: '0' };
    case 'mean':
      return { expr: 'mean("value")', fill: 'none' };
    case 'max':
      return { expr: 'max("value")', fill: 'previous' };
  }
  const nn = /^p(\d+(?:\.\d+)?)$/.exec(select)?.[1];
  if (nn === undefined || Number(nn) <= 0 || Number(nn) >= 100) throw new Error(`unknown select ${JSON.stringify(select)}`);
  return { expr: nn === '50' ? 'median("value")' : `percentile("value", ${nn})`, as: select, fill: 'none' };
}

/**
 * A panel query as InfluxQL over k6's InfluxDB output (measurement = metric, field `value`), per
 * `$__interval` by default; `wholeRun` gives one value for the whole time range (the stat panels).
 */
export function influxQL(q: PanelQuery, options: { wholeRun?: boolean } = {}): string {
  const { expr, as, fill } = aggregate(q.select);
  const tags = (q.by ?? []).map((tag) => `"${tag}"`);
  if (options.wholeRun) {
    const group = tags.length > 0 ? ` GROUP BY ${tags.join(', ')}` : '';
    return `SELECT ${expr} FROM "${q.metric}" WHERE ${RUN_FILTER}${group}`;
  }
  const column = as ? ` AS "${as}"` : '';
  return `SELECT ${expr}${column} FROM "${q.metric}" WHERE ${RUN_FILTER} GROUP BY ${['time($__interval)', ...tags].join(', ')} fill(${fill})`;
}

/** A raw InfluxQL target (the SDK has no InfluxDB query type: a custom Dataquery, as its README shows). */
interface InfluxTarget extends cog.Dataquery {
  datasource: typeof DATASOURCE;
  refId: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  query: string;
  alias?: string;
}

class InfluxQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: InfluxTarget;

  constructor(refId: string, query: string) {
    this.internal = {
      datasource: DATASOURCE,
      refId,
      rawQuery: true,
      resultFormat: 'time_series',
      query,
      _implementsDataqueryVariant() {},
    };
  }

  build(): InfluxTarget {
    return this.internal;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  resultFormat(format: InfluxTarget['resultFormat']): this {
    this.internal.resultFormat = format;
    return this;
  }
}

const refId = (i: number) => String.fromCharCode(65 + i); // A, B, C...

function targets(queries: PanelQuery[]): InfluxQueryBuilder[] {
  return queries.map((q, i) => {
    const target = new InfluxQueryBuilder(refId(i), influxQL(q));
    return q.alias ? target.alias(q.alias) : target;
  });
}

// ---------------------------------------------------------------------------------------------------
// The common rows

interface StatSpec {
  title: string;
  unit: string;
  description?: string;
  query: PanelQuery;
  /** A 0–1 rate: red below 98 %, orange below 99 %, then green. */
  rate?: boolean;
}

const RUN_OVERVIEW_TITLE = 'Run overview ($script, $testid)';
const RUN_OVERVIEW: StatSpec[] = [
  {
    title: 'Transactions',
    unit: 'short',
    description: 'transactions_total over the whole run; equals the count in the result JSON.',
    query: { metric: 'transactions_total', select: 'sum' },
  },
  { title: 'Transaction success rate', unit: 'percentunit', rate: true, query: { metric: 'transaction_success_rate', select: 'mean' } },
  { title: 'Latency p95', unit: 'ms', query: { metric: 'latency_ms', select: 'p95' } },
  { title: 'HTTP requests', unit: 'short', query: { metric: 'http_reqs', select: 'count' } },
  { title: 'Iterations', unit: 'short', query: { metric: 'iterations', select: 'sum' } },
  { title: 'Checks passed', unit: 'percentunit', rate: true, query: { metric: 'checks', select: 'mean' } },
];

/** The rows every family shares (k6's own metrics and the shared transaction metrics), as data. */
const COMMON_ROWS_FILE = 'tools/dashboard/common-rows.yaml';

/** Reads a dashboard row file (YAML holding a DashboardRow, or an object of them), checking the parts the generator uses. */
function readRows(file: string): Record<string, DashboardRow> | DashboardRow {
  const data = parseYaml(readFileSync(resolve(ROOT, file), 'utf8')) as unknown;
  const isRow = (v: unknown): v is DashboardRow =>
    typeof v === 'object' && v !== null && typeof (v as DashboardRow).title === 'string' && Array.isArray((v as DashboardRow).panels);
  const check = (row: unknown, where: string): DashboardRow => {
    if (!isRow(row)) throw new Error(`${file}${where}: a dashboard row needs a title and a panels list`);
    for (const [i, p] of row.panels.entries()) {
      if (typeof p.title !== 'string' || typeof p.unit !== 'string' || !Array.isArray(p.queries) || p.queries.length === 0) {
        throw new Error(`${file}${where}: panels[${i}] needs a title, a unit and queries`);
      }
      for (const q of p.queries) influxQL(q); // refuses an unknown select
    }
    return row;
  };
  if (isRow(data)) return check(data, '');
  return Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([key, row]) => [key, check(row, ` (${key})`)]));
}

/** A family's dashboard row, from the file its manifest names. */
export function familyRow(family: FamilyManifest): DashboardRow {
  const row = readRows(family.dashboard);
  if (!('panels' in row)) throw new Error(`${family.dashboard}: holds several rows; a family's file holds one (title, panels)`);
  return row as DashboardRow;
}

/** Passes, fails and rate per check over the whole run (one table row per check). */
const CHECKS_TABLE_QUERY = `SELECT count("value") AS "total", sum("value") AS "passes", count("value") - sum("value") AS "fails", mean("value") AS "rate" FROM "checks" WHERE ${RUN_FILTER} GROUP BY "check"`;

// ---------------------------------------------------------------------------------------------------
// Panels

const STAT_SIZE = { w: 4, h: 4 };
const PANEL_SIZE = { w: 12, h: 8 };

function thresholds(steps: Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/** The calls every panel builder of the SDK shares. */
interface PanelBasics<B> {
  id(id: number): B;
  title(title: string): B;
  datasource(ref: typeof DATASOURCE): B;
  span(width: number): B;
  height(height: number): B;
}

/** A panel's id, title, datasource and size: the same for every panel kind. */
function placed<B extends PanelBasics<B>>(builder: B, id: number, title: string, size: { w: number; h: number }): B {
  return builder.id(id).title(title).datasource(DATASOURCE).span(size.w).height(size.h);
}

function statPanel(id: number, spec: StatSpec): stat.PanelBuilder {
  const panel = placed(new stat.PanelBuilder(), id, spec.title, STAT_SIZE)
    .unit(spec.unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .withTarget(new InfluxQueryBuilder('A', influxQL(spec.query, { wholeRun: true })));
  if (spec.description) panel.description(spec.description);
  if (spec.rate) {
    panel.decimals(2).thresholds(
      thresholds([
        { color: 'red', value: null },
        { color: 'orange', value: 0.98 },
        { color: 'green', value: 0.99 },
      ]),
    );
  } else {
    panel.thresholds(thresholds([{ color: 'blue', value: null }]));
  }
  return panel;
}

function timeseriesPanel(id: number, spec: PanelSpec): timeseries.PanelBuilder {
  const panel = placed(new timeseries.PanelBuilder(), id, spec.title, PANEL_SIZE)
    .unit(spec.unit)
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(10)
    .spanNulls(true)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .targets(targets(spec.queries));
  if (spec.description) panel.description(spec.description);
  if (spec.unit === 'percentunit') panel.min(0).max(1);
  if (spec.traces)
    panel.links([new DashboardLinkBuilder(spec.traces.title).type(DashboardLinkType.Link).url(tempoExploreUrl(spec.traces.traceql)).targetBlank(true)]);
  return panel;
}

/** The dashboard variable naming the Tempo data source of the trace links. */
export const TEMPO_VARIABLE = 'tempo';
/** A Grafana variable reference, `${name}`, as links and queries spell it. */
export const grafanaVariable = (name: string) => `\${${name}}`;
/** Grafana variables the trace links keep as they are (Grafana replaces them when the link is followed). */
const LINK_TOKENS = [TEMPO_VARIABLE, '__from', '__to'].map(grafanaVariable);

/**
 * Grafana Explore on the Tempo data source with a TraceQL search over the dashboard's time range
 * (Explore's `panes` URL state). The variables stay unencoded so that Grafana interpolates them.
 */
export function tempoExploreUrl(traceql: string): string {
  const [tempo, from, to] = LINK_TOKENS;
  const panes = {
    traces: {
      datasource: tempo,
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: tempo }, queryType: 'traceql', query: traceql }],
      range: { from, to },
    },
  };
  let encoded = encodeURIComponent(JSON.stringify(panes));
  for (const token of LINK_TOKENS) encoded = encoded.replaceAll(encodeURIComponent(token), token);
  return `/explore?schemaVersion=1&orgId=1&panes=${encoded}`;
}

function checksTable(id: number): table.PanelBuilder {
  return placed(new table.PanelBuilder(), id, 'Checks (whole run)', PANEL_SIZE)
    .showHeader(true)
    .overrideByName('rate', [{ id: 'unit', value: 'percentunit' }])
    .withTransformation({ id: 'merge', options: {} })
    .withTarget(new InfluxQueryBuilder('A', CHECKS_TABLE_QUERY).resultFormat('table'));
}

// ---------------------------------------------------------------------------------------------------
// The dashboard

function variables(withTempo: boolean): Array<QueryVariableBuilder | DatasourceVariableBuilder> {
  const tagValues = (key: string, where = '') => `SHOW TAG VALUES FROM "iterations" WITH KEY = "${key}"${where}`;
  const script = tagValues('script');
  const testid = tagValues('testid', ' WHERE "script" =~ /^$script$/');
  return [
    new QueryVariableBuilder('script')
      .label('script')
      .datasource(DATASOURCE)
      .query(script)
      .definition(script)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(false)
      .includeAll(true)
      .allValue('.*'),
    new QueryVariableBuilder('testid')
      .label('test id')
      .datasource(DATASOURCE)
      .query(testid)
      .definition(testid)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalDesc)
      .multi(false)
      .includeAll(false),
    // the Tempo data source the trace links open (only when a family's row links to traces)
    ...(withTempo ? [new DatasourceVariableBuilder(TEMPO_VARIABLE).label('Tempo').type('tempo').multi(false).includeAll(false)] : []),
  ];
}

/** The dashboard as a plain JSON object: the common rows, each family's row after Transactions. */
/** A dashboard as Grafana's JSON model (untyped: the SDK's types end at build()). */
export type DashboardJson = Record<string, unknown> & { panels: Array<Record<string, unknown>>; schemaVersion: number };

export function buildDashboard(families: readonly FamilyManifest[] = FAMILIES): DashboardJson {
  const builder = new DashboardBuilder('k6 regression suite')
    .uid('k6-regression')
    .description('k6 runs of this suite written with --out influxdb (InfluxDB 1.x, InfluxQL). Pick a script and a test id (TEST_ID).')
    .tags(['k6', 'influxdb', 'regression'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .timezone('')
    .refresh('')
    .fiscalYearStartMonth(0)
    .liveNow(false)
    .weekStart('')
    .version(1)
    .annotation(
      new AnnotationQueryBuilder()
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .name('Annotations & Alerts')
        .type('dashboard'),
    )
    .variables(variables(families.some((f) => familyRow(f).panels.some((p) => p.traces))));

  // Rows stay expanded: a row's panels follow it at the top level (the builder lays out the grid).
  let id = 0;
  const row = (title: string) => builder.withRow(new RowBuilder(title).id(++id));
  const timeseriesRow = (spec: DashboardRow) => {
    row(spec.title);
    for (const panel of spec.panels) builder.withPanel(timeseriesPanel(++id, panel));
  };

  const common = readRows(COMMON_ROWS_FILE) as Record<'transactions' | 'http' | 'execution' | 'checks', DashboardRow>;
  row(RUN_OVERVIEW_TITLE);
  for (const spec of RUN_OVERVIEW) builder.withPanel(statPanel(++id, spec));
  timeseriesRow(common.transactions);
  for (const family of families) timeseriesRow(familyRow(family));
  timeseriesRow(common.http);
  timeseriesRow(common.execution);
  timeseriesRow(common.checks);
  builder.withPanel(checksTable(++id));

  const dashboard = JSON.parse(JSON.stringify(builder.build())) as DashboardJson;
  dashboard.schemaVersion = SCHEMA_VERSION;
  return dashboard;
}

/** The dashboard file's text: 2-space JSON with a trailing newline. */
export function renderDashboard(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

function main(args: string[]): number {
  const path = resolve(ROOT, DASHBOARD_FILE);
  const text = renderDashboard();
  if (args.includes('--check')) {
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) {
      console.error(`${DASHBOARD_FILE} is out of date: run npm run dashboard`);
      return 1;
    }
    return 0;
  }
  writeFileSync(path, text);
  const panels = (buildDashboard().panels as { type: string }[]).filter((p) => p.type !== 'row').length;
  console.log(`wrote ${DASHBOARD_FILE} (${panels} panels)`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
