// `k6-suite run --workers N`: one test split over N local k6 processes with k6's execution segments
// (what the k6-operator does with a TestRun's parallelism), each writing into its own folder
// `<results>/<run>_<script>.instances/<instance>/` (its k6 JSON stream and its own result), then merged
// into one result in the results folder (tools/aggregate/result.ts) and judged against the baseline.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderDiffMarkdown, renderDiffText } from '../../src/shared/gate.ts';
import { defaultTestId, outputsFileName, resultFileName, type ResultFile, type RunOutputs } from '../../src/shared/result.ts';
import { renderTextSummary, type SummaryData } from '../../src/shared/summary-text.ts';
import { runK6, type K6RunResult } from '../k6.ts';
import { INSTANCE_STREAM, mergeStreams, readInstanceStreams } from '../aggregate/merge.ts';
import { formatAggregate } from '../aggregate/format.ts';
import { mergeRun, type MergedRun } from '../aggregate/result.ts';
import { executionSegments } from '../distributed/segments.ts';

/** The folder of a distributed run's instances: `<results>/<run>_<script>.instances`. */
export const instancesDir = (results: string, run: string, script: string) => join(results, resultFileName(run, script, '.instances'));

/**
 * Throws when the merged run would be written over an existing baseline (run name `baseline` while
 * there is one): as for a single run, a baseline is replaced only by promoting a run.
 */
export function refuseBaselineOverwrite(results: string, run: string, script: string, baselinePath: string): void {
  if (existsSync(baselinePath) && resolve(results, resultFileName(run, script)) === resolve(baselinePath)) {
    throw new Error(
      `run "${run}" would overwrite the baseline ${baselinePath}: choose another run name (-r, or leave it unset); a baseline is replaced only by promoting a run (k6-suite promote)`,
    );
  }
}

/** `worker-1` .. `worker-N`. */
export const workerName = (i: number) => `worker-${i + 1}`;

export interface WorkersRun {
  /** The worst k6 exit code of the instances (0 when all were 0). */
  exitCodes: number[];
  merged?: MergedRun;
  /** What was written for the merged run, as the summary hook lists it for a single one. */
  outputs?: RunOutputs;
  text: string;
}

/**
 * Runs `script` as N k6 processes at once, one execution segment each, and merges them. Every
 * instance gets RESULTS_DIR=<its folder>, RUN_NAME, INSTANCE_ID, INSTANCE_INDEX, the same TEST_ID, and
 * BASELINE=<the script's baseline> when there is one (the instance computes the gate's limits from it
 * with the run's GATE_* settings; it enforces none). Throws when an instance left no result or stream.
 */
export async function runWorkers(input: {
  workers: number;
  script: string;
  bundle: { name: string; env: Record<string, string> };
  run: string;
  results: string;
  baselinePath: string;
  comparableMeta: readonly string[];
  env: Record<string, string>;
  k6Args: string[];
}): Promise<WorkersRun> {
  const { workers, script, run, results } = input;
  refuseBaselineOverwrite(results, run, script, input.baselinePath);
  const dir = instancesDir(results, run, script);
  rmSync(dir, { recursive: true, force: true }); // an earlier run's instances must not be merged into this one
  const hasBaseline = existsSync(input.baselinePath);
  const testId = defaultTestId(script, run, new Date());
  const { segments, sequence } = executionSegments(workers);
  const runs: Array<Promise<K6RunResult>> = segments.map((segment, i) => {
    const folder = join(dir, workerName(i));
    mkdirSync(folder, { recursive: true });
    return runK6({
      script: `dist/${input.bundle.name}.js`,
      env: {
        ...input.env,
        ...input.bundle.env,
        K6_SUITE_SCRIPT: script,
        RUN_NAME: run,
        TEST_ID: testId,
        RESULTS_DIR: folder,
        INSTANCE_ID: workerName(i),
        INSTANCE_INDEX: String(i),
        INSTANCE_COUNT: String(workers),
        ...(hasBaseline ? { BASELINE: input.baselinePath } : {}),
      },
      args: ['--execution-segment', segment, '--execution-segment-sequence', sequence, '--out', `json=${join(folder, INSTANCE_STREAM)}`, ...input.k6Args],
      cwd: folder,
      timeoutMs: 0,
      forwardInterrupts: true,
    });
  });
  const outs = await Promise.all(runs);
  for (const [i, out] of outs.entries()) writeFileSync(join(dir, workerName(i), 'k6.log'), `${out.stdout}${out.stderr}`);
  const exitCodes = outs.map((o) => o.exitCode ?? 1);
  const lines = outs.map((o, i) => {
    const how = o.signal ? `k6 killed by ${o.signal}` : `k6 exit ${o.exitCode}`;
    // an instance that failed before its summary: its own words, which are only in its log otherwise
    const said = o.exitCode !== 0 && o.exitCode !== 99 ? lastErrorLine(`${o.stdout}${o.stderr}`) : '';
    return `  ${workerName(i)} (segment ${segments[i]}): ${how}, log ${join(dir, workerName(i), 'k6.log')}${said ? `\n    ${said}` : ''}`;
  });
  try {
    const written = await writeMergedRun({ dir, run, script, results, baselinePath: input.baselinePath, comparableMeta: input.comparableMeta });
    return { exitCodes, ...written, text: `${lines.join('\n')}\n\n${written.text}` };
  } catch (error) {
    return { exitCodes, text: `${lines.join('\n')}\n  the instances could not be merged: ${(error as Error).message}\n` };
  }
}

/** The last error k6 logged (`level=error msg="..."`), unquoted; '' when it logged none. */
function lastErrorLine(log: string): string {
  const lines = log.split('\n').filter((l) => /level=error|^\s*(ERRO|✗)/.test(l));
  const last = lines.at(-1) ?? '';
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(last)?.[1];
  return (msg ?? last).replace(/\\n/g, ' ').replace(/\\"/g, '"').trim().slice(0, 600);
}

/**
 * Merges the instances in `dir` (one folder each, with its k6 stream and its result for `run`) into
 * `<results>/<run>_<script>.json`, judged against `baselinePath` when it exists (with its diff files),
 * and lists what it wrote in `<run>_<script>.outputs.json`. A first run unfit to be the baseline is
 * written as the candidate. Returns the merged run and the text for the terminal.
 */
export async function writeMergedRun(input: {
  dir: string;
  run: string;
  script: string;
  results: string;
  baselinePath: string;
  comparableMeta: readonly string[];
  /** How the per-instance table is printed (default table). */
  format?: 'table' | 'json' | 'markdown';
}): Promise<{ merged: MergedRun; outputs: RunOutputs; text: string }> {
  const { dir, run, script, results } = input;
  refuseBaselineOverwrite(results, run, script, input.baselinePath);
  const hasBaseline = existsSync(input.baselinePath);
  const baseline = hasBaseline ? (JSON.parse(readFileSync(input.baselinePath, 'utf8')) as ResultFile) : undefined;
  const merged = await mergeRun({
    dir,
    run,
    script,
    comparableMeta: input.comparableMeta,
    baseline,
    baselinePath: input.baselinePath,
    becomesBaseline: !hasBaseline && resolve(results, resultFileName(run, script)) === resolve(input.baselinePath),
  });
  const count = (merged.result.meta.instances as unknown[]).length;
  const name = String(merged.result.meta.run);
  const resultPath = join(results, resultFileName(name, script));
  const outputs: RunOutputs = { script, requestedRun: run, run: name, testId: String(merged.result.meta.testId ?? ''), result: resultPath };
  writeFileSync(resultPath, JSON.stringify(merged.result, null, 2));
  let text = `${formatAggregate(mergeStreams(await readInstanceStreams(dir)), input.format ?? 'table')}\n`;
  const summary = { root_group: { name: '', groups: [], checks: [] }, ...merged.result } as SummaryData;
  text += `${renderTextSummary(summary, `${script} (run "${name}", ${count} instances merged)`)}\n`;
  if (merged.diff) {
    outputs.diffJson = join(results, resultFileName(name, script, '.diff.json'));
    outputs.diffMarkdown = join(results, resultFileName(name, script, '.diff.md'));
    writeFileSync(outputs.diffJson, JSON.stringify({ baseline: input.baselinePath, ...merged.diff }, null, 2));
    writeFileSync(outputs.diffMarkdown, renderDiffMarkdown(merged.diff, `${script}: ${name} vs baseline (${count} instances merged)`));
    text += `${renderDiffText(merged.diff)}\n`;
  } else if (name !== run) {
    text += `  NOT made the baseline: ${merged.judgement.reasons.join('; ')}. Kept as ${resultPath}\n\n`;
  }
  const { verdict, reasons } = merged.judgement;
  text += `  VERDICT (${count} instances merged): ${verdict.toUpperCase()}${reasons.length ? `: ${reasons.join('; ')}` : ''}\n  result written to ${resultPath}\n`;
  writeFileSync(join(results, outputsFileName(run, script)), JSON.stringify(outputs, null, 2));
  return { merged, outputs, text };
}
