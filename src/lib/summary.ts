// The one handleSummary hook every script exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to <results>/<run>_<script>.json, diffs it
// against the script's baseline (.diff.json, .diff.md, and the terminal), lists what it wrote in
// <requested run>_<script>.outputs.json, and keeps secrets out of all of it.
import exec from 'k6/execution';
import { diffHeadline, diffResults, renderDiffMarkdown, renderDiffText, type Diff } from '../shared/gate';
import { CANDIDATE_RUN, outputsFileName, unfitForBaseline, type ResultFile, type RunOutputs } from '../shared/result';
import {
  emptyJudgedMetrics,
  failureLines,
  generatorMeasured,
  generatorProblems,
  judge,
  planFacts,
  planShortfalls,
  unjudgedRun,
  type Judgement,
  type ScenarioPlan,
} from '../shared/verdict';
import { knownSecrets } from './config';
import { REDACTED, maskSecretKeys, scrubText } from './redact';
import { resultPath } from './results-dir';
import type { RunPlan } from './run-plan';
import { renderTextSummary, type SummaryData } from './summary-text';

/** The handleSummary hook of a planned run: k6 calls it with its summary data; it returns the files to write. */
export function createSummaryHook(plan: RunPlan): (data: SummaryData) => Record<string, string> {
  const script = plan.script.name;
  const { gate: loaded, load } = plan;
  const scenarioNames = Object.keys(plan.scenarios).sort();

  return function handleSummary(data: SummaryData): Record<string, string> {
    const { setup_data: dropped, ...rest } = data;
    // the consolidated options: the run's real tags and scenarios (this VU's own init made other ones)
    const ran = Object.keys(exec.test.options.scenarios ?? {}).sort();
    const profileReplaced = ran.join() !== scenarioNames.join();
    // the verdict: did the run carry out its plan on a healthy generator, and what did the gate find
    const facts = planFacts(plan.scenarios as Record<string, ScenarioPlan>);
    const shortfalls = [
      ...planShortfalls(facts, { durationMs: data.state?.testRunDurationMs, metrics: data.metrics, profileKept: !profileReplaced }),
      ...(plan.hooks.shortfalls?.(data.metrics) ?? []),
    ];
    const failures = plan.hooks.failures?.();
    const failed = failureLines(failures);
    const generator = generatorProblems(data.metrics, loaded.baseline?.metrics);
    const testId = exec.test.options.tags?.testid ?? plan.testId;
    const meta: ResultFile['meta'] = {
      profile: plan.profile,
      model: load.model,
      ...plan.meta,
      ...(profileReplaced ? { profile: `k6 options (${ran.join(', ') || 'default'})` } : {}),
      script,
      run: plan.runName,
      testId,
    };
    const diff: Diff | undefined = loaded.baseline ? diffResults(loaded.baseline, { ...data, meta }, loaded.limits, plan.script.comparableMeta) : undefined;
    const nothingRan = unjudgedRun(data.metrics);
    const judgement: Judgement = judge({
      shortfalls,
      generator,
      // a run without iterations has nothing else worth saying about what it could not judge
      unjudged:
        nothingRan.length > 0
          ? nothingRan
          : [
              ...emptyJudgedMetrics(data.metrics),
              ...(diff?.unjudged ?? []).map((r) => `gate ${r.stat ? `statistic ${r.metric} ${r.stat}` : `metric ${r.metric}`} is missing from this run`),
            ],
      regressions: (diff?.regressions ?? []).map((r) => `${r.metric} ${r.stat}`),
    });
    // a first run that failed or did not carry out its plan must not become the baseline: it is kept as the candidate
    const reasons = loaded.becomesBaseline ? (judgement.accepted ? unfitForBaseline(data, plan.script.gate) : judgement.reasons) : [];
    const name = reasons.length > 0 ? CANDIDATE_RUN : plan.runName;
    const result = {
      meta: {
        ...meta,
        run: name,
        finishedAt: new Date().toISOString(),
        baseline: loaded.baseline ? loaded.baselinePath : null,
        gate: plan.script.gate,
        verdict: judgement.verdict,
        accepted: judgement.accepted,
        reasons: judgement.reasons,
        plan: facts,
        generator: generatorMeasured(data.metrics) ? 'measured' : 'not measured',
        ...(failures ? { failures } : {}),
      },
      ...(maskSecretKeys(rest) as SummaryData),
      setup_data: dropped === undefined ? undefined : REDACTED,
    } as ResultFile & SummaryData;
    const path = resultPath(plan.resultsDir, name, script);
    const outputs: Record<string, string> = {};
    const written: RunOutputs = { script, requestedRun: plan.runName, run: name, testId, result: path };
    let text = `${renderTextSummary(result, `${script} (run "${name}")`)}\n`;
    outputs[path] = JSON.stringify(result, null, 2);
    if (diff) {
      diff.currentRun = name;
      diff.judgement = judgement;
      diff.notes.push(...failed.map((line) => `failure: ${line}`));
      if (!plan.gateThroughput) {
        diff.notes.push(
          `${plan.script.gate.throughput} is not gated under a VU-based profile (it follows latency, which is gated); use a tpsN profile to gate throughput`,
        );
      }
      written.diffJson = resultPath(plan.resultsDir, name, script, '.diff.json');
      written.diffMarkdown = resultPath(plan.resultsDir, name, script, '.diff.md');
      outputs[written.diffJson] = JSON.stringify({ baseline: loaded.baselinePath, ...diff }, null, 2);
      outputs[written.diffMarkdown] = renderDiffMarkdown(diff, `${script}: ${name} vs baseline`);
      text += `${renderDiffText(diff)}\n`;
    } else if (reasons.length > 0) {
      text += `  NOT made the baseline: ${reasons.join('; ')}. Kept as ${path}; fix the run and run again (or promote it deliberately)\n\n`;
    } else if (!judgement.accepted) {
      text += `  not fit to become the baseline: ${judgement.reasons.join('; ')}\n\n`;
    } else if (loaded.note) {
      text += `  ${loaded.note}\n\n`;
    }
    if (failed.length > 0) text += `  FAILURES (first distinct causes, by kind):\n${failed.map((l) => `    ${l}`).join('\n')}\n\n`;
    if (!generatorMeasured(data.metrics)) text += '  ! the load generator was not measured (k6/x/loadgen starts in setup(): --no-setup skips it)\n';
    text += `  VERDICT: ${verdictLine(judgement, diff)}\n`;
    text += `  result written to ${path}\n`;
    outputs[`${plan.resultsDir}/${outputsFileName(plan.runName, script)}`] = JSON.stringify(written, null, 2);
    outputs.stdout = text;
    const secrets = knownSecrets();
    for (const key of Object.keys(outputs)) outputs[key] = scrubText(outputs[key], secrets);
    return outputs;
  };
}

/** The verdict in one line, as the terminal shows it. */
function verdictLine(judgement: Judgement, diff: Diff | undefined): string {
  if (diff) return diffHeadline(diff).replace(/^no regression$/, 'PASS (no regression)');
  if (judgement.verdict === 'inconclusive') return `INCONCLUSIVE: ${judgement.reasons.join('; ')}`;
  if (judgement.verdict === 'cannot-judge') return `CANNOT BE JUDGED: ${judgement.reasons.join('; ')}`;
  return 'PASS (no baseline to compare with)';
}
