// The one handleSummary hook every script exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to <results>/<run>_<script>.json, diffs it
// against the script's baseline (.diff.json, .diff.md, and the terminal), lists what it wrote in
// <requested run>_<script>.outputs.json, and keeps secrets out of all of it.
import exec from 'k6/execution';
import { diffResults, renderDiffMarkdown, renderDiffText } from '../shared/gate';
import { CANDIDATE_RUN, outputsFileName, unfitForBaseline, type ResultFile, type RunOutputs } from '../shared/result';
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
    // a failed first run must not become the baseline: it is kept as the candidate instead
    const reasons = loaded.becomesBaseline ? unfitForBaseline(data, plan.script.gate) : [];
    const name = reasons.length > 0 ? CANDIDATE_RUN : plan.runName;
    const testId = exec.test.options.tags?.testid ?? plan.testId;
    const result = {
      meta: {
        profile: load.profile,
        model: load.model,
        ...plan.meta,
        ...(profileReplaced ? { profile: `k6 options (${ran.join(', ') || 'default'})` } : {}),
        script,
        run: name,
        testId,
        finishedAt: new Date().toISOString(),
        baseline: loaded.baseline ? loaded.baselinePath : null,
        gate: plan.script.gate,
      },
      ...(maskSecretKeys(rest) as SummaryData),
      setup_data: dropped === undefined ? undefined : REDACTED,
    } as ResultFile & SummaryData;
    const path = resultPath(plan.resultsDir, name, script);
    const outputs: Record<string, string> = {};
    const written: RunOutputs = { script, requestedRun: plan.runName, run: name, testId, result: path };
    let text = `${renderTextSummary(result, `${script} (run "${name}")`)}\n`;
    outputs[path] = JSON.stringify(result, null, 2);
    if (loaded.baseline) {
      const diff = diffResults(loaded.baseline, result, loaded.limits, plan.script.comparableMeta);
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
    } else if (loaded.note) {
      text += `  ${loaded.note}\n\n`;
    }
    text += `  result written to ${path}\n`;
    outputs[`${plan.resultsDir}/${outputsFileName(plan.runName, script)}`] = JSON.stringify(written, null, 2);
    outputs.stdout = text;
    const secrets = knownSecrets();
    for (const key of Object.keys(outputs)) outputs[key] = scrubText(outputs[key], secrets);
    return outputs;
  };
}
