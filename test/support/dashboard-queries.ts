// Pulls every InfluxQL query out of a Grafana dashboard (panel targets, also inside collapsed rows,
// and the template variables' queries) and turns it into a query InfluxDB can run on its own:
// template variables and Grafana's InfluxQL macros are replaced the way Grafana would.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../tools/k6.ts';

export const DASHBOARD_PATH = resolve(PROJECT_ROOT, 'grafana/dashboards/k6-regression.json');

export interface DashboardQuery {
  /** Panel title, or `variable <name>` for a template variable. */
  source: string;
  refId?: string;
  /** The query as written in the dashboard. */
  raw: string;
  /** The query with variables and macros substituted. */
  query: string;
  /** Measurements named in FROM "..." (empty for a regex FROM). */
  measurements: string[];
  /** Tag keys the query filters or groups by, or asks values of (SHOW TAG VALUES ... WITH KEY). */
  tagKeys: string[];
}

export interface Substitutions {
  /** Replaces $testid / ${testid} / [[testid]]. Escaped for a regex, as Grafana does. */
  testid: string;
  /** Replaces $script; '.*' (the dashboard's "All") when not given. */
  script?: string;
  /** Replaces $timeFilter. */
  timeFilter?: string;
  /** Replaces $__interval / $interval (an InfluxQL duration). */
  interval?: string;
  /** Replaces $__interval_ms. */
  intervalMs?: number;
}

interface Target {
  refId?: string;
  query?: string;
  rawQuery?: boolean;
}
interface Panel {
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels?: Panel[];
  templating?: { list?: { name: string; type?: string; query?: string | { query?: string } }[] };
}

export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Grafana escapes regex metacharacters of a single value put into a /.../ regex. */
const escapeRegex = (value: string) => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

function substitute(q: string, s: Substitutions): string {
  const vars: Record<string, string> = {
    testid: escapeRegex(s.testid),
    script: s.script === undefined ? '.*' : escapeRegex(s.script),
  };
  const interval = s.interval ?? '1s';
  const intervalMs = String(s.intervalMs ?? 1000);
  return q
    .replaceAll('$timeFilter', s.timeFilter ?? 'time > now() - 1h')
    .replaceAll('$__interval_ms', intervalMs)
    .replaceAll('$__interval', interval)
    .replaceAll('$interval', interval)
    .replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (m, a, b, c) => vars[a ?? b ?? c] ?? m);
}

function measurementsOf(q: string): string[] {
  return [...q.matchAll(/\bFROM\s+"([^"]+)"/gi)].map((m) => m[1]);
}

function tagKeysOf(q: string): string[] {
  const keys = new Set<string>();
  const where = /\bWHERE\b(.*?)(\bGROUP BY\b|$)/is.exec(q)?.[1] ?? '';
  for (const m of where.matchAll(/"([^"]+)"\s*(=~|!~|=|!=|<>)/g)) keys.add(m[1]);
  const group = /\bGROUP BY\b(.*?)(\bfill\(|\bLIMIT\b|\bORDER\b|$)/is.exec(q)?.[1] ?? '';
  for (const m of group.matchAll(/"([^"]+)"/g)) keys.add(m[1]);
  for (const m of q.matchAll(/\bWITH KEY\s*=\s*"([^"]+)"/gi)) keys.add(m[1]);
  return [...keys];
}

/** Every query of the dashboard, variables and macros substituted (panels first, then variables). */
export function dashboardQueries(subs: Substitutions, dashboard: Dashboard = loadDashboard()): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const add = (source: string, raw: string, refId?: string) => {
    out.push({ source, refId, raw, query: substitute(raw, subs), measurements: measurementsOf(raw), tagKeys: tagKeysOf(raw) });
  };
  const walk = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const t of panel.targets ?? []) if (t.query) add(panel.title ?? '(untitled)', t.query, t.refId);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  // the InfluxDB query variables (a data source variable's `query` is the plugin it lists, not InfluxQL)
  for (const v of (dashboard.templating?.list ?? []).filter((v) => v.type === undefined || v.type === 'query')) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) add(`variable ${v.name}`, q);
  }
  return out;
}
