// A merged distributed run (merge.ts) as a table for the terminal, JSON, or Markdown.
import type { Aggregate } from './merge.ts';

const num = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function rows(a: Aggregate): { instances: string[][]; trends: string[][] } {
  const instances = [
    ...a.instances.map((i) => [i.instance, num(i.iterations), `${num(i.seconds, 2)} s`, `${num(i.rate, 1)}/s`]),
    [`total (${a.total.instances})`, num(a.total.iterations), `${num(a.total.seconds, 2)} s`, `${num(a.total.rate, 1)}/s`],
  ];
  const trends = Object.entries(a.trends).map(([name, t]) => [
    name,
    num(t.count),
    ...[t.avg, t.min, ...Object.values(t.percentiles), t.max].map((v) => num(v, 3)),
  ]);
  return { instances, trends };
}

const INSTANCE_HEAD = ['instance', 'iterations', 'duration', 'rate'];
const TREND_HEAD = ['trend (merged histograms)', 'count', 'avg', 'min', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'max'];

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

function markdown(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The aggregate in a format: `table` (aligned text), `json`, `markdown`. */
export function formatAggregate(a: Aggregate, format: 'table' | 'json' | 'markdown'): string {
  if (format === 'json') return `${JSON.stringify(a, null, 2)}\n`;
  const r = rows(a);
  const render = format === 'markdown' ? markdown : table;
  return `${render(INSTANCE_HEAD, r.instances)}\n\n${render(TREND_HEAD, r.trends)}\n`;
}
