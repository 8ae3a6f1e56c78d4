// k6-suite: run scenarios with seed 003's loadtest.sh semantics, promote baselines, compare runs,
// show the trend from history, and each family's own commands (`k6-suite <family> <command>`, from its
// manifest's `cli` module: ./family.ts). Every k6 run goes through tools/k6.ts (offline hygiene variables).
import { Command, InvalidArgumentError } from 'commander';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
import type { RunVerdict } from '../../src/shared/verdict.ts';
import { validateBaseline } from '../../src/shared/baseline.ts';
import { formatChangePct, formatMs, formatNumber, formatPct } from '../../src/shared/format.ts';
import { FAMILIES, SCRIPTS, bundleOf, scriptManifest } from '../../src/shared/families/index.ts';
import { addFamilyCommands } from './family.ts';
import { addGenerateCommand } from '../distributed/command.ts';
import { formatAggregate } from '../aggregate/format.ts';
import { aggregateDir } from '../aggregate/merge.ts';
import { runWorkers, writeMergedRun } from './workers.ts';
import { gateMetrics } from '../report/model.ts';
import { PROJECT_ROOT, runK6 } from '../k6.ts';
import { historyRecord } from '../history/record.ts';
import { openHistory, type HistoryStore } from '../history/store.ts';
import { keyNumbers, readResultFile, type ResultFile } from '../results.ts';
import { writeAllReports, writeReports, type WrittenReports } from '../report/write.ts';

/** Every script the family manifests declare whose bundle is built (dist/<bundle>.js). */
const availableScripts = () =>
  SCRIPTS.filter((s) => existsSync(join(PROJECT_ROOT, 'dist', `${bundleOf(s).name}.js`)))
    .map((s) => s.name)
    .sort();

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
  /** Rerun a run judged regression or inconclusive up to this many times; a regression counts only if it reproduces. */
  confirm?: number;
  /** Split the run over this many local k6 processes (execution segments), merged into one result (./workers.ts). */
  workers?: number;
}

/** One k6 run of a script (an attempt, with --confirm). */
export interface ScriptRun {
  script: string;
  run: string;
  exitCode: number;
  resultPath: string;
  /** Markdown diff against the baseline, when there was one. */
  diffMarkdownPath?: string;
  /** The run's verdict (src/shared/verdict.ts); undefined when it wrote no result. */
  verdict?: RunVerdict;
  reasons?: string[];
  attempt: number;
  /** A staircase capacity run: its failed upper levels are its finding, so its exit code is its verdict's. */
  capacityRun?: boolean;
}

/** `k6-suite run`'s exit code for a run judged inconclusive (k6's own codes otherwise; see README). */
export const EXIT_INCONCLUSIVE = 3;

/**
 * The final verdict of a script's attempts: without reruns the first one's; with them a regression
 * only when it reproduced (two regressions), else the last attempt's, where an unconfirmed
 * regression leaves the result inconclusive.
 */
export function finalVerdict(attempts: Array<{ verdict?: RunVerdict }>): RunVerdict | undefined {
  const verdicts = attempts.map((a) => a.verdict);
  if (attempts.length === 1) return verdicts[0];
  const regressions = verdicts.filter((v) => v === 'regression').length;
  if (regressions >= 2) return 'regression';
  const last = verdicts[verdicts.length - 1];
  return last === 'regression' ? 'inconclusive' : last;
}

/** Whether another attempt may change the verdict. */
function worthRerunning(attempts: ScriptRun[]): boolean {
  const last = attempts[attempts.length - 1].verdict;
  if (last === 'inconclusive') return true;
  return last === 'regression' && attempts.filter((a) => a.verdict === 'regression').length < 2;
}

/** The settings that name files: k6 runs in the results folder (or an instance's), so relative ones are made absolute. */
const FILE_SETTINGS = ['DATA_SCHEMA', 'BASELINE', 'GATE_CONFIG', 'GATE_HISTORY'];

/** k6's arguments with every `-e NAME=relative/path` of a FILE_SETTINGS name resolved against `cwd` (where the user typed it). */
export function absoluteFileSettings(args: string[], cwd: string): string[] {
  const absolute = (pair: string) => {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    return eq > 0 && FILE_SETTINGS.includes(name) && value !== '' ? `${name}=${resolve(cwd, value)}` : pair;
  };
  return args.map((arg, i) => {
    if (arg.startsWith('--env=')) return `--env=${absolute(arg.slice(6))}`;
    if (arg.startsWith('-e') && arg.length > 2 && arg[2] !== '=') return `-e${absolute(arg.slice(2))}`;
    return i > 0 && (args[i - 1] === '-e' || args[i - 1] === '--env') ? absolute(arg) : arg;
  });
}

/** Runs the scripts (with --confirm reruns); returns the worst exit code and every attempt. */
export async function runScripts(options: RunOptions, given: string[]): Promise<{ exitCode: number; runs: ScriptRun[] }> {
  const k6Args = absoluteFileSettings(given, process.cwd());
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
  // the history store is checked before any load: a bad URL must not cost a whole run
  const history = openHistory(results);
  await history.check();
  let exitCode = 0;
  const runs: ScriptRun[] = [];
  try {
    for (const script of scripts) {
      const name = options.run ?? (options.compare ? shortCommit() : defaultRunName(existsSync(baselinePath(results, script))));
      const attempts: ScriptRun[] = [];
      do {
        const attempt = attempts.length + 1;
        // reruns get their own result files, except while there is no baseline yet (the run that becomes it keeps the name)
        const run = attempt === 1 || !existsSync(baselinePath(results, script)) ? name : `${name}.confirm${attempt - 1}`;
        attempts.push(await runOnce(script, run, attempt, { results, history, stream: options.stream, workers: options.workers }, k6Args));
      } while (attempts.length <= (options.confirm ?? 0) && worthRerunning(attempts));
      runs.push(...attempts);
      const verdict = finalVerdict(attempts);
      const decisive = attempts[attempts.length - 1];
      const code =
        verdict === 'inconclusive'
          ? EXIT_INCONCLUSIVE
          : verdict === 'regression' || (verdict === 'cannot-judge' && decisive.exitCode === 0)
            ? 99
            : // k6 exits 99 for a staircase's failed upper levels (its per-level thresholds): that is the capacity found, not a failure
              verdict === 'pass' && decisive.capacityRun && decisive.exitCode === 99
              ? 0
              : decisive.exitCode;
      if (attempts.length > 1) {
        console.log(
          `\n  ${script}: final verdict ${verdict ?? 'none'} after ${attempts.length} attempts (${attempts.map((a) => `${a.run}: ${a.verdict ?? `exit ${a.exitCode}`}`).join(', ')}); exit ${code}`,
        );
      }
      if (code !== 0 && (exitCode === 0 || code === 99)) exitCode = code;
    }
  } finally {
    await history.close();
  }
  return { exitCode, runs };
}

/** One k6 run of a script, recorded in the history (a failure to record is reported, never replaces k6's exit code). */
async function runOnce(
  script: string,
  run: string,
  attempt: number,
  ctx: { results: string; history: HistoryStore; stream?: boolean; workers?: number },
  k6Args: string[],
): Promise<ScriptRun> {
  const { results, history } = ctx;
  const hasBaseline = existsSync(baselinePath(results, script));
  const split = ctx.workers && ctx.workers > 1 ? ` on ${ctx.workers} local k6 instances (execution segments)` : '';
  console.log(`\n▶ ${script}: run "${run}"${split}${hasBaseline ? ' (gated against the baseline)' : ''}${attempt > 1 ? ` (confirmation ${attempt - 1})` : ''}`);
  rmSync(join(results, outputsFileName(run, script)), { force: true }); // an earlier run's list must not be taken for this one's
  // the noise band: the accepted runs of this script from the history store, as a JSON-lines file for k6
  const band = join(results, `.gate-history_${script}.jsonl`);
  writeFileSync(band, (await history.last(500, script)).map((r) => `${JSON.stringify(r)}\n`).join(''));
  // the script's bundle and the settings that select it there (seed 003's scripts share dist/payments.js)
  const manifest = scriptManifest(script);
  const bundle = bundleOf(manifest ?? { name: script });
  let exitCode: number;
  let stdout: string;
  try {
    if (split) {
      const env = { GATE_HISTORY: process.env.GATE_HISTORY ?? band };
      const comparableMeta = manifest?.comparableMeta ?? [];
      const done = await runWorkers({
        workers: ctx.workers!,
        script,
        bundle,
        run,
        results,
        baselinePath: baselinePath(results, script),
        comparableMeta,
        env,
        k6Args,
      });
      process.stdout.write(done.text);
      stdout = done.text;
      // an instance's k6 exit 99 was its share judged alone: the merged verdict decides; any other failure stands
      const failed = done.exitCodes.find((c) => c !== 0 && c !== 99);
      exitCode = failed ?? (!done.merged ? 1 : done.merged.judgement.verdict === 'regression' ? 99 : 0);
    } else {
      const out = await runK6({
        script: `dist/${bundle.name}.js`,
        env: { ...bundle.env, K6_SUITE_SCRIPT: script, RUN_NAME: run, RESULTS_DIR: results, GATE_HISTORY: process.env.GATE_HISTORY ?? band },
        args: ctx.stream ? ['--out', `json=${resultPathOf(results, run, script, '.k6.json.gz')}`, ...k6Args] : k6Args,
        cwd: results,
        inheritOutput: true,
        timeoutMs: 0,
        forwardInterrupts: true,
      });
      exitCode = out.exitCode ?? 1;
      stdout = out.stdout;
    }
  } finally {
    rmSync(band, { force: true });
  }
  // the hook lists what it wrote: a first run that failed is kept as the candidate, not as the baseline
  const written = readOutputs(results, run, script);
  if (!written || !existsSync(written.result)) {
    // nothing this run wrote: an older file of the same name must not be recorded again
    console.error(`✗ ${script}: k6 exited ${exitCode} without writing a result in ${results}`);
    // a run that left no result never passes, whatever k6's exit code
    return { script, run, exitCode: exitCode === 0 ? 1 : exitCode, resultPath: resultPathOf(results, run, script), attempt };
  }
  writeFileSync(resultPathOf(results, written.run, script, '.summary'), stdout);
  const result = readResultFile(written.result);
  const passed = written.diffJson && existsSync(written.diffJson) ? (readResultDiff(written.diffJson) ?? null) : null;
  try {
    await history.append(historyRecord(result, written.result, passed, attempt));
    console.log(`  recorded in ${history.where}`);
  } catch (error) {
    console.error(`✗ ${script}: the run was not recorded in ${history.where}: ${(error as Error).message} (k6's exit code ${exitCode} stands)`);
  }
  const verdict = typeof result.meta.verdict === 'string' ? (result.meta.verdict as RunVerdict) : undefined;
  const reasons = Array.isArray(result.meta.reasons) ? result.meta.reasons.map(String) : undefined;
  const capacityRun = result.meta.staircase !== undefined;
  return { script, run: written.run, exitCode, resultPath: written.result, diffMarkdownPath: written.diffMarkdown, verdict, reasons, attempt, capacityRun };
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
export function promote(results: string, run: string, script: string, force = false): { baseline: string; kept?: string } {
  if (run === BASELINE_RUN) throw new Error('"baseline" is already the baseline: promote another run');
  const source = resultPathOf(results, run, script);
  const result = readResultFile(source); // refuses a missing or malformed result before touching anything
  validateBaseline(result, source, gateMetrics(result), (problems) => new Error(problems.join('; '))); // and one the gate could not judge against
  if (result.meta.accepted === false && !force) {
    const why = Array.isArray(result.meta.reasons) ? result.meta.reasons.join('; ') : 'it did not carry out its plan';
    const judged =
      { inconclusive: 'inconclusive', 'cannot-judge': 'not judged', regression: 'a regression that did not carry out its plan' }[String(result.meta.verdict)] ??
      'not accepted';
    throw new Error(`run "${run}" is ${judged} (${why}): it is not made the baseline; run again, or pass --force`);
  }
  const target = baselinePath(results, script);
  let kept: string | undefined;
  if (existsSync(target)) {
    kept = join(results, keptBaselineFileName(script, new Date()));
    copyFileSync(target, kept);
  }
  const temp = `${target}.tmp-${process.pid}`;
  copyFileSync(source, temp);
  renameSync(temp, target); // atomic on one file system: readers see the old or the new file, never half
  // the seed's text summary goes with it, when the run has one
  const summary = resultPathOf(results, run, script, '.summary');
  if (existsSync(summary)) copyFileSync(summary, baselinePath(results, script).replace(/\.json$/, '.summary'));
  return { baseline: target, kept };
}

// every value through the one formatter (src/shared/format.ts); '—' where a run has none
const show = (n: number | null | undefined, as: (n: number) => string) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : as(n));
const perSecond = (n: number) => `${formatNumber(n)}/s`;
const pct = (base: number | null, now: number | null) =>
  base === null || now === null || base === 0 ? '' : ` (${formatChangePct(((now - base) / base) * 100)})`;

/** Side-by-side Markdown table of several runs; changes are relative to the first. */
export function compareTable(files: string[]): string {
  const runs: Array<{ file: string; result: ResultFile }> = files.map((file) => ({ file, result: readResultFile(file) }));
  const first = keyNumbers(runs[0].result);
  const label = ({ result }: { result: ResultFile }) =>
    [result.meta.run, result.meta.script ?? result.meta.scenario, result.meta.database ?? result.meta.transport ?? result.meta.target]
      .filter(Boolean)
      .join(' · ');
  const rows: Array<[string, (r: ResultFile) => string]> = [
    ['profile', (r) => String(r.meta.profile ?? '—')],
    ['duration', (r) => show(r.state?.testRunDurationMs, formatMs)],
    [
      'throughput',
      (r) => {
        const k = keyNumbers(r);
        return `${show(k.throughput, perSecond)}${r === runs[0].result ? '' : pct(first.throughput, k.throughput)}`;
      },
    ],
    [
      'p(95)',
      (r) => {
        const k = keyNumbers(r);
        return `${show(k.p95, formatMs)}${r === runs[0].result ? '' : pct(first.p95, k.p95)}`;
      },
    ],
    ['p(99)', (r) => show(keyNumbers(r).p99, formatMs)],
    ['error rate', (r) => show(keyNumbers(r).errorRate, formatPct)],
    // the target's own resource use, sampled from its Prometheus endpoint (TARGET_METRICS_URL); — without it
    ['memory (max)', (r) => show(r.metrics.target_memory_mb?.values.max, (n) => `${formatNumber(n)} MiB`)],
    ['CPU (avg, % of a core)', (r) => show(r.metrics.target_cpu_percent?.values.avg, (n) => `${n.toFixed(1)}%`)],
    ['latency metric', (r) => keyNumbers(r).gate.latency],
  ];
  const lines = [`| | ${runs.map(label).join(' | ')} |`, `|---|${runs.map(() => '---|').join('')}`];
  for (const [name, cell] of rows) lines.push(`| ${name} | ${runs.map((r) => cell(r.result)).join(' | ')} |`);
  // a comparison of backends holds only for runs of the same script, workload and load
  const differ = (['script', 'scenario', 'workload', 'profile'] as const).filter((key) => new Set(runs.map((r) => String(r.result.meta[key] ?? ''))).size > 1);
  if (differ.length > 0) lines.push('', `Note: these runs differ in ${differ.join(', ')}: the table compares unlike runs.`);
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
    .option('-s, --script <name>', 'a script of the family manifests (health, payment-confirm, payment-mix, spacetimedb, ...)', 'health')
    .option('-r, --run <name>', 'run name (default: "baseline" while there is no baseline, else "latest")', runNameArg)
    .option('-c, --compare', 'name the run after the short git commit and refuse to run without a baseline')
    .option('-a, --all', 'run every script in dist/')
    .option('--stream', "also record k6's JSON stream (<run>_<script>.k6.json.gz) for charts over time in reports")
    .option('--confirm <n>', 'rerun a run judged regression or inconclusive up to n times; a regression counts only if it reproduces', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 10) throw new InvalidArgumentError('a whole number from 0 to 10');
      return n;
    })
    .option('--workers <n>', 'split the run over n local k6 processes (execution segments, as the k6-operator does) and merge them into one result', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
      return n;
    })
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
    .option('--force', 'promote a run that did not carry out its plan (interrupted, rate not held, generator saturated)')
    .option('--results <dir>', 'results directory', process.env.RESULTS_DIR ?? 'results')
    .action((run: string, options: { script: string; results: string; force?: boolean }) => {
      const { baseline: path, kept } = promote(resolve(options.results), run, options.script, options.force);
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
        console.log(`| date | script | run | transport/target | throughput | p(95) | p(99) | error rate | gate |\n|---|---|---|---|---|---|---|---|---|`);
        for (const r of rows) {
          // the run's verdict (inconclusive runs say so); older rows have only the gate's pass/fail
          const verdict = r.verdict ?? (r.passed === null ? null : r.passed ? 'pass' : 'regression');
          const gate =
            verdict === null
              ? '—'
              : verdict === 'regression'
                ? '**REGRESSION**'
                : `${verdict}${r.attempt && r.attempt > 1 ? ` (confirmation ${r.attempt - 1})` : ''}`;
          console.log(
            `| ${r.test_date} | ${r.test_type} | ${r.run_name} | ${r.database_type ?? '—'} | ${show(r.throughput_ops_per_sec, perSecond)} | ${show(r.latency_p95_ms, formatMs)} | ${show(r.latency_p99_ms, formatMs)} | ${show(r.error_rate, formatPct)} | ${gate} |`,
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

  program
    .command('aggregate')
    .description(
      "merge a distributed run: one k6 JSON stream per instance (k6 run --out json=<dir>/<instance>.json[.gz]); counts summed, the slowest instance's time, percentiles from merged HDR histograms",
    )
    .argument('<dir>', "the folder of the instances' streams")
    .option(
      '--format <format>',
      'table, json or markdown',
      (v) => {
        if (!['table', 'json', 'markdown'].includes(v)) throw new InvalidArgumentError('table, json or markdown');
        return v;
      },
      'table',
    )
    .option(
      '-s, --script <name>',
      "also write the merged run as one result of this script (the instances' own results in <dir>/<instance>/ are merged), judged against its baseline and recorded in the history",
    )
    .option('-r, --run <name>', 'the run name the instances were given (RUN_NAME)', runNameArg)
    .option('--results <dir>', 'results directory the merged result goes to (its baseline and history)', process.env.RESULTS_DIR ?? 'results')
    .action(async (dir: string, options: { format: 'table' | 'json' | 'markdown'; script?: string; run?: string; results: string }) => {
      if (!existsSync(dir)) throw new Error(`${dir} does not exist: give the folder of the instances' k6 JSON streams`);
      if (!options.script) {
        if (options.run) throw new Error('--run names the run to merge into a result: give --script too');
        process.stdout.write(formatAggregate(await aggregateDir(dir), options.format));
        return;
      }
      if (!scriptManifest(options.script))
        throw new Error(`no script ${options.script} in the family manifests (have: ${SCRIPTS.map((s) => s.name).join(', ')})`);
      const results = resolve(options.results);
      mkdirSync(results, { recursive: true });
      const run = options.run ?? 'distributed';
      const written = await writeMergedRun({
        dir,
        run,
        script: options.script,
        results,
        baselinePath: baselinePath(results, options.script),
        comparableMeta: scriptManifest(options.script)?.comparableMeta ?? [],
        format: options.format,
      });
      process.stdout.write(written.text);
      writeFileSync(resultPathOf(results, written.outputs.run, options.script, '.summary'), written.text);
      const history = openHistory(results);
      try {
        await history.check();
        const passed = written.merged.diff ? written.merged.diff.passed : null;
        await history.append(historyRecord(readResultFile(written.outputs.result), written.outputs.result, passed));
        console.log(`  recorded in ${history.where}`);
      } finally {
        await history.close();
      }
      const verdict = written.merged.judgement.verdict;
      process.exitCode = verdict === 'regression' || verdict === 'cannot-judge' ? 99 : verdict === 'inconclusive' ? EXIT_INCONCLUSIVE : 0;
    });

  addGenerateCommand(program);

  // k6-suite <family> <command>: each family's own commands (its manifest's `cli` module)
  addFamilyCommands(program, FAMILIES);

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
