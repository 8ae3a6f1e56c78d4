// The one handleSummary hook every scenario exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to ${RESULTS_DIR}/${run}_<scenario>.json,
// diffs it against the scenario's baseline (.diff.json, .diff.md, and the terminal) and keeps secrets
// out of all of it.
import exec from 'k6/execution';
import { knownSecrets, readConfig, str } from './config';
import { diffResults, renderDiffMarkdown, renderDiffText, type GateMetrics } from './gate';
import { loadGate } from './baseline';
import { REDACTED, maskSecretKeys, scrubText } from './redact';
import { resultPath } from './summary-config';
import { renderTextSummary, type SummaryData } from './summary-text';

/** k6's default trend stats plus p(99), which seed 000 reports and seed 001's history stores. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** Facts about the run that a later comparison needs (which profile, which mode...). */
export type RunMeta = Record<string, string | number | boolean>;


/**
 * Sets up a scenario's result handling: reads its baseline now (init), and returns the thresholds the
 * gate adds to the scenario's options and the handleSummary hook.
 */
export function createRunReport(scenario: string, gate: GateMetrics, meta: RunMeta = {}) {
  const loaded = loadGate(scenario, gate);
  const run = loaded.runName;
  // Tags on every sample (InfluxDB/Grafana pick a run by testid). k6 takes options from the first
  // init only, so the timestamp is the same for every VU.
  const { TEST_ID } = readConfig({ TEST_ID: str('', { pattern: /^[A-Za-z0-9._:-]+$/, allowed: 'letters, digits, ".", "_", ":" or "-"' }) });
  const testId = TEST_ID || `${scenario}-${run}-${new Date().toISOString().replace(/[-:]|\.\d+Z$/g, '')}`;
  const tags = { script: scenario, run, testid: testId };

  function handleSummary(data: SummaryData): Record<string, string> {
    const { setup_data: dropped, ...rest } = data;
    const result: SummaryData = {
      // the consolidated options carry the tags of the run (this VU's own init made other ones)
      meta: { scenario, run, testId: exec.test.options.tags?.testid ?? testId, finishedAt: new Date().toISOString(), baseline: loaded.baseline ? loaded.baselinePath : null, gate, ...meta },
      ...(maskSecretKeys(rest) as SummaryData),
      setup_data: dropped === undefined ? undefined : REDACTED,
    };
    const secrets = knownSecrets();
    const outputs: Record<string, string> = {};
    let text = renderTextSummary(result, `${scenario} (run "${run}")`) + '\n';
    const path = resultPath(run, scenario);
    outputs[path] = JSON.stringify(result, null, 2);
    if (loaded.baseline) {
      const diff = diffResults(loaded.baseline, result as never, loaded.limits);
      outputs[resultPath(run, scenario, '.diff.json')] = JSON.stringify({ baseline: loaded.baselinePath, ...diff }, null, 2);
      outputs[resultPath(run, scenario, '.diff.md')] = renderDiffMarkdown(diff, `${scenario}: ${run} vs baseline`);
      text += renderDiffText(diff) + '\n';
    } else if (loaded.note) {
      text += `  ${loaded.note}\n\n`;
    }
    text += `  result written to ${path}\n`;
    outputs.stdout = text;
    for (const key of Object.keys(outputs)) outputs[key] = scrubText(outputs[key], secrets);
    return outputs;
  }

  return { thresholds: loaded.thresholds, tags, handleSummary, runName: run };
}
