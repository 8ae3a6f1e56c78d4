// The one handleSummary hook every scenario exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to ${RESULTS_DIR}/${run}_<scenario>.json,
// diffs it against the scenario's baseline (.diff.json, .diff.md, and the terminal) and keeps secrets
// out of all of it.
import exec from 'k6/execution';
import { knownSecrets, readConfig, str } from './config';
import type { Options, Scenario } from 'k6/options';
import { diffResults, mergeThresholds, renderDiffMarkdown, renderDiffText, type GateMetrics } from './gate';
import { isArrivalRate, type LoadConfig } from './load';
import { loadGate } from './baseline';
import { REDACTED, maskSecretKeys, scrubText } from './redact';
import { resultPath } from './summary-config';
import { renderTextSummary, type SummaryData } from './summary-text';

/** k6's default trend stats plus p(99), which seed 000 reports and seed 001's history stores. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** Facts about the run that a later comparison needs (which profile, which mode...). */
export type RunMeta = Record<string, string | number | boolean>;


/** Why a run may not become the baseline: failed thresholds, no iterations, no gate samples. */
function unfitForBaseline(data: SummaryData, gate: GateMetrics): string[] {
  const reasons: string[] = [];
  const failed = Object.entries(data.metrics).flatMap(([name, m]) =>
    Object.entries(m.thresholds ?? {}).filter(([, t]) => !t.ok).map(([expr]) => `${name} ${expr}`),
  );
  if (failed.length > 0) reasons.push(`thresholds failed (${failed.join(', ')})`);
  if (!data.metrics.iterations?.values.count) reasons.push('no iteration completed');
  if (data.metrics[gate.latency]?.values['p(95)'] === undefined) reasons.push(`no ${gate.latency} samples`);
  return reasons;
}

/**
 * Sets up a script's run: reads its baseline now (init) and returns the options every script shares
 * (its profile's scenarios, the tags of every sample, the trend stats, its own thresholds merged with
 * the gate's) and the handleSummary hook.
 */
export function createRunReport(script: string, gate: GateMetrics, meta: RunMeta, load: LoadConfig, scenarios: Record<string, Scenario>) {
  const gateThroughput = isArrivalRate(load);
  const scenarioNames = Object.keys(scenarios);
  const loaded = loadGate(script, gate, gateThroughput);
  const run = loaded.runName;
  // Tags on every sample (InfluxDB/Grafana pick a run by testid). k6 takes options from the first
  // init only, so the timestamp is the same for every VU.
  const { TEST_ID } = readConfig({ TEST_ID: str('', { pattern: /^[A-Za-z0-9._:-]+$/, allowed: 'letters, digits, ".", "_", ":" or "-"' }) });
  const testId = TEST_ID || `${script}-${run}-${new Date().toISOString().replace(/[-:]|\.\d+Z$/g, '')}`;
  const tags = { script, run, testid: testId };

  function handleSummary(data: SummaryData): Record<string, string> {
    const { setup_data: dropped, ...rest } = data;
    // the consolidated options: the run's real tags and scenarios (this VU's own init made other ones)
    const ran = Object.keys(exec.test.options.scenarios ?? {}).sort();
    const profileReplaced = ran.join() !== [...scenarioNames].sort().join();
    // a failed first run must not become the baseline: it is kept as the candidate instead
    const reasons = loaded.becomesBaseline ? unfitForBaseline(data, gate) : [];
    const name = reasons.length > 0 ? 'candidate' : run;
    const result: SummaryData = {
      meta: {
        profile: load.profile,
        model: load.model,
        ...meta,
        ...(profileReplaced ? { profile: `k6 options (${ran.join(', ') || 'default'})` } : {}),
        script,
        run: name,
        testId: exec.test.options.tags?.testid ?? testId,
        finishedAt: new Date().toISOString(),
        baseline: loaded.baseline ? loaded.baselinePath : null,
        gate,
      },
      ...(maskSecretKeys(rest) as SummaryData),
      setup_data: dropped === undefined ? undefined : REDACTED,
    };
    const secrets = knownSecrets();
    const outputs: Record<string, string> = {};
    let text = renderTextSummary(result, `${script} (run "${name}")`) + '\n';
    const path = resultPath(name, script);
    outputs[path] = JSON.stringify(result, null, 2);
    if (loaded.baseline) {
      const diff = diffResults(loaded.baseline, result as never, loaded.limits);
      if (!gateThroughput) diff.notes.push(`${gate.throughput} is not gated under a VU-based profile (it follows latency, which is gated); use a tpsN profile to gate throughput`);
      outputs[resultPath(name, script, '.diff.json')] = JSON.stringify({ baseline: loaded.baselinePath, ...diff }, null, 2);
      outputs[resultPath(name, script, '.diff.md')] = renderDiffMarkdown(diff, `${script}: ${name} vs baseline`);
      text += renderDiffText(diff) + '\n';
    } else if (reasons.length > 0) {
      text += `  NOT made the baseline: ${reasons.join('; ')}. Kept as ${path}; fix the run and run again (or promote it deliberately)\n\n`;
    } else if (loaded.note) {
      text += `  ${loaded.note}\n\n`;
    }
    text += `  result written to ${path}\n`;
    outputs.stdout = text;
    for (const key of Object.keys(outputs)) outputs[key] = scrubText(outputs[key], secrets);
    return outputs;
  }

  /** The options every script shares, with the script's own thresholds. */
  const options = (ownThresholds: Record<string, string[]>): Options => ({
    scenarios,
    tags, // script, run and testid on every sample (InfluxDB / Grafana)
    summaryTrendStats: SUMMARY_TREND_STATS,
    thresholds: mergeThresholds(ownThresholds, loaded.thresholds), // plus the gate, when there is a baseline
  });

  return { options, handleSummary, runName: run };
}
