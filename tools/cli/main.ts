// k6-suite: run scenarios with seed 003's loadtest.sh semantics, promote baselines, compare runs,
// show the trend from history. Every k6 run goes through tools/k6.ts (offline hygiene variables).
import { Command, InvalidArgumentError } from 'commander';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  BASELINE_RUN,
  RUN_NAME_ALLOWED,
  RUN_NAME_PATTERN,
  baselineFileName,
  defaultRunName,
  keptBaselineFileName,
  outputsFileName,
  resultFileName,
  type RunOutputs,
} from '../../src/shared/result.ts';
import { PROJECT_ROOT, runK6 } from '../k6.ts';
import { historyRecord } from '../history/record.ts';
import { openHistory } from '../history/store.ts';
import { keyNumbers, readResultFile, type ResultFile } from '../results.ts';
import { writeAllReports, writeReports, type WrittenReports } from '../report/write.ts';

const availableScripts = () =>
  existsSync(join(PROJECT_ROOT, 'dist'))
    ? readdirSync(join(PROJECT_ROOT, 'dist'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => f.replace(/\.js$/, ''))
        .sort()
    : [];

function runNameArg(value: string): string {
  if (!RUN_NAME_PATTERN.test(value)) throw new InvalidArgumentError(`use ${RUN_NAME_ALLOWED}`);
  return value;
}

function shortCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: process.cwd(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new Error('-c names the run after the short git commit, but this is not a git checkout (or git is missing): pass -r <run> instead');
  }
}

const baselinePath = (results: string, script: string) => join(results, baselineFileName(script));
const resultPathOf = (results: string, run: string, script: string, suffix = '.json') => join(results, resultFileName(run, script, suffix));

/** What the summary hook says it wrote for the run (its `.outputs.json`); undefined when it wrote nothing. */
function readOutputs(results: string, run: string, script: string): RunOutputs | undefined {
  const path = join(results, outputsFileName(run, script));
  if (!existsSync(path)) return undefined;
  const outputs = JSON.parse(readFileSync(path, 'utf8')) as RunOutputs;
  const inResults = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : join(results, p)); // k6 ran with cwd = results
  return { ...outputs, result: inResults(outputs.result)!, diffJson: inResults(outputs.diffJson), diffMarkdown: inResults(outputs.diffMarkdown) };
}

export interface RunOptions {
  script: string;
  run?: string;
  compare?: boolean;
  all?: boolean;
  results: string;
  /** Also record k6's JSON point stream as <run>_<script>.k6.json.gz (charts over time in reports). */
  stream?: boolean;
}

export interface ScriptRun {
  script: string;
  run: string;
  exitCode: number;
  resultPath: string;
  /** Markdown diff against the baseline, when there was one. */
  diffMarkdownPath?: string;
}

/** Runs the scripts; returns the worst exit code (the first non-zero) and what each run wrote. */
export async function runScripts(options: RunOptions, k6Args: string[]): Promise<{ exitCode: number; runs: ScriptRun[] }> {
  const scripts = options.all ? availableScripts() : [options.script];
  const known = availableScripts();
  for (const script of scripts) {
    if (!known.includes(script)) throw new Error(`no script ${script} in dist/ (have: ${known.join(', ') || 'none: run npm run build'})`);
  }
  const results = resolve(options.results);
  mkdirSync(results, { recursive: true });
  if (options.compare) {
    const missing = scripts.filter((s) => !existsSync(baselinePath(results, s)));
    if (missing.length > 0) {
      throw new Error(
        `-c compares with a baseline, but there is none for ${missing.join(', ')} in ${results}: run without -c first (that run becomes the baseline)`,
      );
    }
  }
  const history = openHistory(results);
  let exitCode = 0;
  const runs: ScriptRun[] = [];
  try {
    for (const script of scripts) {
      const hasBaseline = existsSync(baselinePath(results, script));
      const run = options.run ?? (options.compare ? shortCommit() : defaultRunName(hasBaseline));
      console.log(`\n▶ ${script}: run "${run}"${hasBaseline ? ' (gated against the baseline)' : ''}`);
      rmSync(join(results, outputsFileName(run, script)), { force: true }); // an earlier run's list must not be taken for this one's
      const out = await runK6({
        script: `dist/${script}.js`,
        env: { RUN_NAME: run, RESULTS_DIR: results },
        args: options.stream ? ['--out', `json=${resultPathOf(results, run, script, '.k6.json.gz')}`, ...k6Args] : k6Args,
        cwd: results,
        inheritOutput: true,
      });
      const code = out.exitCode ?? 1;
      if (code !== 0 && exitCode === 0) exitCode = code;
      // the hook lists what it wrote: a first run that failed is kept as the candidate, not as the baseline
      const written = readOutputs(results, run, script);
      if (!written || !existsSync(written.result)) {
        // nothing this run wrote: an older file of the same name must not be recorded again
        console.error(`✗ ${script}: k6 exited ${code} without writing a result in ${results}`);
        runs.push({ script, run, exitCode: code, resultPath: resultPathOf(results, run, script) });
        continue;
      }
      const resultPath = written.result;
      runs.push({ script, run: written.run, exitCode: code, resultPath, diffMarkdownPath: written.diffMarkdown });
      writeFileSync(resultPathOf(results, written.run, script, '.summary'), out.stdout);
      const passed = written.diffJson && existsSync(written.diffJson) ? (readResultDiff(written.diffJson) ?? null) : null;
      await history.append(historyRecord(readResultFile(resultPath), resultPath, passed));
      console.log(`  recorded in ${history.where}`);
    }
  } finally {
    await history.close();
  }
  return { exitCode, runs };
}

/** The gate verdict of a diff file; undefined when it cannot be read. */
function readResultDiff(path: string): boolean | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { passed?: boolean }).passed;
  } catch {
    return undefined;
  }
}

/** Replaces the baseline with a run's result: the old baseline is kept, the swap is a rename. */
export function promote(results: string, run: string, script: string): { baseline: string; kept?: string } {
  if (run === BASELINE_RUN) throw new Error('"baseline" is already the baseline: promote another run');
  const source = resultPathOf(results, run, script);
  readResultFile(source); // refuses a missing or malformed result before touching anything
  const target = baselinePath(results, script);
  let kept: string | undefined;
  if (existsSync(target)) {
    kept = join(results, keptBaselineFileName(script, new Date()));
    copyFileSync(target, kept);
  }
  const temp = `${target}.tmp-${process.pid}`;
  copyFileSync(source, temp);
  renameSync(temp, target); // atomic on one file system: readers see the old or the new file, never half
  return { baseline: target, kept };
}

const num = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? '—' : n.toFixed(digits));
const pct = (base: number | null, now: number | null) =>
  base === null || now === null || base === 0 ? '' : ` (${now >= base ? '+' : ''}${(((now - base) / base) * 100).toFixed(1)}%)`;

/** Side-by-side Markdown table of several runs; changes are relative to the first. */
export function compareTable(files: string[]): string {
  const runs: Array<{ file: string; result: ResultFile }> = files.map((file) => ({ file, result: readResultFile(file) }));
  const first = keyNumbers(runs[0].result);
  const label = ({ result }: { result: ResultFile }) =>
    [result.meta.run, result.meta.scenario, result.meta.transport ?? result.meta.database ?? result.meta.target].filter(Boolean).join(' · ');
  const rows: Array<[string, (r: ResultFile) => string]> = [
    ['profile', (r) => String(r.meta.profile ?? '—')],
    ['duration', (r) => `${num((r.state?.testRunDurationMs ?? NaN) / 1000, 1)} s`],
    [
      'throughput /s',
      (r) => {
        const k = keyNumbers(r);
        return `${num(k.throughput)}${r === runs[0].result ? '' : pct(first.throughput, k.throughput)}`;
      },
    ],
    [
      'p(95) ms',
      (r) => {
        const k = keyNumbers(r);
        return `${num(k.p95, 3)}${r === runs[0].result ? '' : pct(first.p95, k.p95)}`;
      },
    ],
    ['p(99) ms', (r) => num(keyNumbers(r).p99, 3)],
    ['error rate', (r) => `${num((keyNumbers(r).errorRate ?? NaN) * 100, 2)}%`],
    ['latency metric', (r) => keyNumbers(r).gate.latency],
  ];
  const lines = [`| | ${runs.map(label).join(' | ')} |`, `|---|${runs.map(() => '---|').join('')}`];
  for (const [name, cell] of rows) lines.push(`| ${name} | ${runs.map((r) => cell(r.result)).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export function buildProgram(): Command {
  const program = new Command('k6-suite')
    .description('Run the k6 scenarios, gate them against baselines, compare runs and follow the trend.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description("run a script (seed 003's loadtest.sh): the result goes to <results>/<run>_<script>.json")
    .option('-s, --script <name>', 'script in dist/ (without .js)', 'health')
    .option('-r, --run <name>', 'run name (default: "baseline" while there is no baseline, else "latest")', runNameArg)
    .option('-c, --compare', 'name the run after the short git commit and refuse to run without a baseline')
    .option('-a, --all', 'run every script in dist/')
    .option('--stream', "also record k6's JSON stream (<run>_<script>.k6.json.gz) for charts over time in reports")
    .option('--results <dir>', 'results directory', process.env.RESULTS_DIR ?? 'results')
    .argument('[k6-args...]', 'extra k6 arguments after --, e.g. -- -e LOAD_PROFILE=tps100 --out influxdb=http://127.0.0.1:8086/k6')
    .action(async (k6Args: string[], options: RunOptions) => {
      process.exitCode = (await runScripts(options, k6Args)).exitCode;
    });

  const baseline = program.command('baseline').description('manage baselines');
  baseline
    .command('promote')
    .description("make a run the script's baseline (the old one is kept, the swap is atomic)")
    .argument('<run>', 'run name', runNameArg)
    .option('-s, --script <name>', 'script', 'health')
    .option('--results <dir>', 'results directory', process.env.RESULTS_DIR ?? 'results')
    .action((run: string, options: { script: string; results: string }) => {
      const { baseline: path, kept } = promote(resolve(options.results), run, options.script);
      console.log(`${path} is now run "${run}"${kept ? `; the previous baseline is kept as ${kept}` : ''}`);
    });

  program
    .command('compare')
    .description('side-by-side table of runs (e.g. one scenario against several backends)')
    .argument('<results...>', 'result JSON files; changes are relative to the first')
    .action((files: string[]) => {
      process.stdout.write(compareTable(files));
    });

  program
    .command('report')
    .description('HTML (charts), Markdown, CSV and JUnit XML reports next to result files')
    .argument('[results...]', 'result JSON files')
    .option('--all [dir]', 'every result in a directory (default $RESULTS_DIR, else results)')
    .option('--diff <file>', 'the baseline diff (default: <run>_<script>.diff.json next to the result)')
    .option('--no-diff', 'leave the baseline comparison out')
    .option('--stream <file>', "k6's --out json stream for charts over time (default: <run>_<script>.k6.json[.gz] next to the result)")
    .option('--no-stream', 'leave the charts over time out')
    .action(async (files: string[], options: { all?: string | boolean; diff: string | boolean; stream: string | boolean }) => {
      // commander: true = not given (find it next to the result), false = --no-…, a string = the file
      const pick = (value: string | boolean) => (value === true ? undefined : (value as string | false));
      const print = ({ paths, model }: WrittenReports) => {
        console.log(`reports for ${model.resultPath}:`);
        for (const path of Object.values(paths)) console.log(`  ${path}`);
        for (const note of model.notes ?? []) console.log(`  note: ${note}`);
      };
      if (options.all !== undefined) {
        if (files.length > 0) throw new Error('--all takes a directory, not result files');
        const dir = typeof options.all === 'string' ? options.all : (process.env.RESULTS_DIR ?? 'results');
        const { written, failed } = await writeAllReports(dir);
        written.forEach(print);
        for (const f of failed) console.error(`k6-suite: ${f.error.message}`);
        if (written.length === 0 && failed.length === 0) console.log(`no k6 result files (<run>_<script>.json) in ${dir}: nothing to report`);
        process.exitCode = failed.length ? 2 : 0;
        return;
      }
      if (files.length === 0) throw new Error('name result files, or --all');
      for (const file of files) print(await writeReports(file, { diffPath: pick(options.diff), streamPath: pick(options.stream) }));
    });

  program
    .command('trend')
    .description('the last runs from the history store')
    .option('-s, --script <name>', 'only this script')
    .option(
      '-n, --last <count>',
      'how many runs',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number >= 1');
        return n;
      },
      10,
    )
    .option('--results <dir>', 'results directory (the embedded history lives there)', process.env.RESULTS_DIR ?? 'results')
    .action(async (options: { script?: string; last: number; results: string }) => {
      const history = openHistory(resolve(options.results));
      try {
        const rows = await history.last(options.last, options.script);
        if (rows.length === 0) {
          console.log(`no runs recorded in ${history.where}`);
          return;
        }
        console.log(
          `| date | script | run | transport/target | throughput /s | p(95) ms | p(99) ms | error rate | gate |\n|---|---|---|---|---|---|---|---|---|`,
        );
        for (const r of rows) {
          const gate = r.passed === null ? '—' : r.passed ? 'pass' : '**REGRESSION**';
          console.log(
            `| ${r.test_date} | ${r.test_type} | ${r.run_name} | ${r.database_type ?? '—'} | ${num(r.throughput_ops_per_sec)} | ${num(r.latency_p95_ms, 3)} | ${num(r.latency_p99_ms, 3)} | ${num((r.error_rate ?? NaN) * 100, 2)}% | ${gate} |`,
          );
        }
      } finally {
        await history.close();
      }
    });

  program
    .command('history')
    .description('record result files made by k6 directly in the history store')
    .command('add')
    .argument('<results...>', 'result JSON files')
    .option('--results <dir>', 'results directory (the embedded history lives there)', process.env.RESULTS_DIR ?? 'results')
    .action(async (files: string[], options: { results: string }) => {
      const history = openHistory(resolve(options.results));
      try {
        for (const file of files) {
          const diff = file.replace(/\.json$/, '.diff.json');
          await history.append(historyRecord(readResultFile(file), resolve(file), existsSync(diff) ? (readResultDiff(diff) ?? null) : null));
        }
        console.log(`recorded ${files.length} run(s) in ${history.where}`);
      } finally {
        await history.close();
      }
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number' && (error as { code?: string }).code?.startsWith('commander.')) return code; // commander printed it
    console.error(`k6-suite: ${(error as Error).message}`);
    return 2;
  }
}
