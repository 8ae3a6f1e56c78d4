// `npm run nightly`: the regression gate against the sandbox targets, as the nightly CI job runs it.
// Every script of every family manifest runs at a fixed arrival rate against its sandbox with a fixed server-side delay (so the
// signal is unambiguous on a shared machine): the first run of a script becomes its baseline, later
// runs are gated against it. The Markdown summary goes to $GITHUB_STEP_SUMMARY when set and to
// <results>/nightly-summary.md; the exit code is the worst of the CLI's (99 = regression confirmed by a
// rerun, 3 = inconclusive; NIGHTLY_CONFIRM reruns, default 1).
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCRIPTS } from '../src/shared/families/index.ts';
import { runScripts } from './cli/main.ts';
import { startFamilySandbox, targetEnv } from './sandbox/sandbox.ts';

const results = resolve(process.env.RESULTS_DIR ?? 'results');
const duration = process.env.NIGHTLY_DURATION ?? '20s';
const delayMs = Number(process.env.NIGHTLY_DELAY_MS ?? 10);
const runName = process.env.NIGHTLY_RUN_NAME; // default: the CLI's rule (baseline, then latest)
// a regression is called only when a rerun reproduces it; an inconclusive run is rerun too
const confirm = Number(process.env.NIGHTLY_CONFIRM ?? 1);

mkdirSync(results, { recursive: true });
const summaryParts: string[] = [`## Nightly regression gate (${new Date().toISOString()})`, ''];
let worst = 0;
for (const script of SCRIPTS) {
  const target = await startFamilySandbox(script.family);
  target.setFaults({ latencyMs: delayMs });
  const env = Object.entries({ ...targetEnv(script.family.sandbox.env, target), ...targetEnv(script.nightly.env, target) }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`,
  ]);
  try {
    const { exitCode, runs } = await runScripts({ script: script.name, run: runName, results, stream: true, confirm }, [
      ...env,
      '-e',
      'LOAD_PROFILE=tps100',
      '-e',
      `STEADY_STATE_DURATION=${duration}`,
      '--quiet',
    ]);
    if (exitCode !== 0 && (worst === 0 || exitCode === 99)) worst = exitCode;
    for (const run of runs) {
      const attempt = run.attempt > 1 ? ` (confirmation ${run.attempt - 1})` : '';
      summaryParts.push(
        run.diffMarkdownPath
          ? readFileSync(run.diffMarkdownPath, 'utf8').replace(/^(### [^\n]*)/, `$1${attempt}`)
          : `### ${run.script}: run "${run.run}" (exit ${run.exitCode}): ${run.verdict === 'pass' ? 'no baseline yet, this run is the baseline' : `${run.verdict ?? 'no result'}: ${(run.reasons ?? []).join('; ')}`}\n`,
      );
    }
    if (runs.length > 1) summaryParts.push(`**${script.name}: final verdict after ${runs.length} attempts: exit ${exitCode}**\n`);
  } finally {
    await target.close();
  }
}

const summary = `${summaryParts.join('\n')}\n`;
writeFileSync(join(results, 'nightly-summary.md'), summary);
if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
console.log(`\nnightly summary written to ${join(results, 'nightly-summary.md')}${process.env.GITHUB_STEP_SUMMARY ? ' and the job summary' : ''}`);
process.exitCode = worst;
