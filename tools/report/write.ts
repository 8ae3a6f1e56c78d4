// Writes every report of a run next to its result: <run>_<script>.report.html / .md / .csv / .junit.xml.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { ReportInputError, loadReport, resultStem, type LoadOptions } from './read.ts';
import type { ReportModel } from './model.ts';

export type WriteOptions = LoadOptions;

export interface ReportPaths {
  html: string;
  markdown: string;
  csv: string;
  junit: string;
}

export interface WrittenReports {
  paths: ReportPaths;
  model: ReportModel;
}

/** The report paths for a result file (`results/latest_health.json` → `results/latest_health.report.html`, ...). */
export function reportPaths(resultPath: string): ReportPaths {
  const stem = resultStem(resultPath);
  return { html: `${stem}.report.html`, markdown: `${stem}.report.md`, csv: `${stem}.report.csv`, junit: `${stem}.junit.xml` };
}

/**
 * Reads the result (and its diff and k6 JSON stream: by default the `.diff.json` and `.k6.json[.gz]`
 * next to it, when they exist) and writes the four reports. Throws ReportInputError, naming the file
 * and the problem, for a missing or malformed input; renders everything before writing anything.
 */
export async function writeReports(resultPath: string, options: WriteOptions = {}): Promise<WrittenReports> {
  const model = await loadReport(resultPath, options);
  const paths = reportPaths(resultPath);
  const outputs: Array<[string, string]> = [
    [paths.html, renderHtml(model)],
    [paths.markdown, renderMarkdown(model)],
    [paths.csv, renderCsv(model)],
    [paths.junit, renderJunit(model)],
  ];
  for (const [path, text] of outputs) writeFileSync(path, text);
  return { paths, model };
}

/** Companion files that share a result's stem and are never results themselves. */
const NOT_RESULTS = /\.(diff|k6|report)\.json$|\.k6\.json\.gz$/;

/**
 * The result files in a directory: `<run>_<script>.json` files that hold a k6 summary (a metrics
 * object and meta.run), in name order. Other JSON there (gate configs, diffs, streams) is left alone.
 */
export function findResultFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new ReportInputError(dir, `cannot be listed: ${(err as Error).message}`);
  }
  return names
    .filter((name) => /^[^_]+_.+\.json$/.test(name) && !NOT_RESULTS.test(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        const data = JSON.parse(readFileSync(path, 'utf8')) as { metrics?: unknown; meta?: { run?: unknown } };
        return typeof data.metrics === 'object' && data.metrics !== null && typeof data.meta?.run === 'string';
      } catch {
        return true; // looks like a result by name: writeReports will say what is wrong with it
      }
    });
}

export interface AllReports {
  written: WrittenReports[];
  failed: Array<{ resultPath: string; error: Error }>;
}

/** writeReports for every result file in a directory; one bad file does not stop the others. */
export async function writeAllReports(dir: string): Promise<AllReports> {
  const out: AllReports = { written: [], failed: [] };
  for (const resultPath of findResultFiles(dir)) {
    try {
      out.written.push(await writeReports(resultPath));
    } catch (err) {
      out.failed.push({ resultPath, error: err as Error });
    }
  }
  return out;
}
