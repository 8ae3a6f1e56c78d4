// The one handleSummary hook every script exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to <results>/<run>_<script>.json, diffs it
// against the script's baseline (.diff.json, .diff.md, and the terminal), lists what it wrote in
// <requested run>_<script>.outputs.json, and keeps secrets out of all of it.
import exec from 'k6/execution';
import { DEFAULT_TOLERANCE, diffHeadline, diffResults, renderDiffMarkdown, renderDiffText, type Diff } from '../shared/gate';
import { CANDIDATE_RUN, comparableKey, outputsFileName, unfitForBaseline, type MetricSummary, type ResultFile, type RunOutputs } from '../shared/result';
import { capacityDiffRows, levelOfMetric, stairPlannedStop, stairResultOf, stairTable } from '../shared/staircase';
import {
  emptyJudgedMetrics,
  failureLines,
  generatorMeasured,
  generatorProblems,
  judge,
  ownFailedThresholds,
  planFacts,
  planShortfalls,
  INTERRUPTED,
  RATE_NOT_HELD,
  unjudgedRun,
  type Judgement,
  type ScenarioPlan,
} from '../shared/verdict';
import { knownSecrets } from './config';
import { readInstanceEnvironment } from './environment';
import { REDACTED, maskSecretKeys, scrubText } from './redact';
import { resultPath } from './results-dir';
import type { RunPlan } from './run-plan';
import { renderTextSummary, type SummaryData } from '../shared/summary-text';

/** The handleSummary hook of a planned run: k6 calls it with its summary data; it returns the files to write. */
export function createSummaryHook(plan: RunPlan): (data: SummaryData) => Record<string, string> {
  const script = plan.script.name;
  const { gate: loaded, load } = plan;
  const scenarioNames = Object.keys(plan.scenarios).sort();
  // read in init, at the start of the test: the resources this instance had (seed 002)
  const environment = readInstanceEnvironment(plan);

  return function handleSummary(data: SummaryData): Record<string, string> {
    const { setup_data: dropped, ...rest } = data;
    // the consolidated options: the run's real tags and scenarios (this VU's own init made other ones)
    const ran = Object.keys(exec.test.options.scenarios ?? {}).sort();
    const profileReplaced = ran.join() !== scenarioNames.join();
    // a staircase run: the table of its levels and its capacity, from the per-level submetrics
    const durationMs = data.state?.testRunDurationMs;
    const stair =
      plan.staircase && !profileReplaced ? stairTable(plan.staircase.settings, plan.staircase.execs, data.metrics, plan.script.gate, durationMs) : undefined;
    // the verdict: did the run carry out its plan on a healthy generator, and what did the gate find
    // (k6's own flags replaced the profile: the scenarios k6 ran, so that a Ctrl-C is still seen)
    const facts = planFacts((profileReplaced ? exec.test.options.scenarios : plan.scenarios) as Record<string, ScenarioPlan>);
    const plannedStop = stair ? stairPlannedStop(stair) : undefined;
    const shortfalls = [
      // an instance of a distributed run ran its execution segment's share of the plan: the merged run is held to the
      // plan's rate; and a VU-ramping segment ends once its last VU has ramped down, before the whole run's schedule
      // (k6 trims a segment's trailing idle time), so its duration is judged on the merged run (the slowest instance)
      ...planShortfalls(facts, { durationMs, metrics: data.metrics, profileKept: !profileReplaced, plannedStop }).filter(
        (why) => !plan.instance || !(why.startsWith(RATE_NOT_HELD) || (facts.requestedRate === undefined && why.startsWith(INTERRUPTED))),
      ),
      ...(plan.hooks.shortfalls?.(data.metrics) ?? []),
    ];
    const failures = plan.hooks.failures?.();
    const checks = plan.hooks.endChecks?.() ?? { failed: [], unjudged: [], notes: [] };
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
      ...(stair ? { staircase: stair } : {}),
    };
    // one instance of a distributed run is not gated alone: the merged run is (k6-suite aggregate), with the limits kept here
    const diff: Diff | undefined =
      loaded.baseline && !plan.instance ? diffResults(loaded.baseline, { ...data, meta }, loaded.limits, plan.script.comparableMeta) : undefined;
    if (diff && plan.ungated) diff.notes.push(plan.ungated);
    if (diff && stair) {
      // the capacity against a staircase baseline of the same levels: lower is a regression
      const base = stairResultOf(loaded.baseline?.meta);
      const keys = plan.script.comparableMeta;
      if (base && comparableKey(loaded.baseline?.meta ?? {}, keys) === comparableKey(meta, keys)) {
        const rows = capacityDiffRows(base, stair, loaded.throughputRatio ?? DEFAULT_TOLERANCE.throughputRatio);
        diff.rows.unshift(...rows);
        diff.regressions.push(...rows.filter((row) => row.verdict === 'regression'));
        diff.passed = diff.regressions.length === 0 && diff.unjudged.length === 0;
      } else {
        diff.notes.push('the baseline is not a staircase run of the same levels: the capacity is not compared');
      }
    }
    // the thresholds of levels a STAIR_ABORT or Ctrl-C left unrun judged nothing, as planned (or said as interrupted)
    const levelRan = (name: string) => {
      const rate = levelOfMetric(name);
      const row = rate === undefined ? undefined : stair?.levels.find((l) => l.rate === rate);
      return !row || row.status === 'met' || row.status === 'failed';
    };
    const judgedMetrics = stair ? Object.fromEntries(Object.entries(data.metrics).filter(([name]) => levelRan(name))) : data.metrics;
    const nothingRan = unjudgedRun(data.metrics);
    const judgement: Judgement = judge({
      shortfalls,
      // a run without iterations (setup aborted) sampled its generator for a few milliseconds: nothing to read there
      generator: nothingRan.length > 0 ? [] : generator,
      // a run without iterations has nothing else worth saying about what it could not judge
      unjudged:
        nothingRan.length > 0
          ? nothingRan
          : [
              ...checks.unjudged,
              ...emptyJudgedMetrics(judgedMetrics),
              ...(diff?.unjudged ?? []).map((r) => `gate ${r.stat ? `statistic ${r.metric} ${r.stat}` : `metric ${r.metric}`} is missing from this run`),
            ],
      regressions: (diff?.regressions ?? []).map((r) => `${r.metric} ${r.stat}`),
      broken: nothingRan.length > 0 ? [] : checks.failed,
      // a run without iterations failed its thresholds for want of any: it cannot be judged (above)
      failedThresholds: nothingRan.length > 0 ? [] : ownFailedThresholds(data.metrics, loaded.limits),
    });
    // a first run that failed or did not carry out its plan must not become the baseline: it is kept as the candidate
    // (a staircase's failed levels are its finding; one without a capacity has nothing to compare later runs with)
    const unfit = () => [
      ...unfitForBaseline(data, plan.script.gate, stair ? (name) => levelOfMetric(name) !== undefined : undefined),
      ...(stair && !stair.capacity ? ['no level met the thresholds, so there is no capacity to compare later runs with'] : []),
    ];
    const reasons = loaded.becomesBaseline ? (judgement.accepted ? unfit() : judgement.reasons) : [];
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
        ...(plan.instance ? { instance: plan.instance, ...(loaded.baseline ? { gateLimits: loaded.limits } : {}) } : {}),
        // the execution segment this k6 ran ('' for the whole test): the merge checks its instances cover the test once
        segment: { segment: exec.test.options.executionSegment ?? '', sequence: exec.test.options.executionSegmentSequence ?? '' },
        environment,
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
      if (plan.hooks.throughputUngated) diff.notes.push(`${plan.script.gate.throughput} is not gated: ${plan.hooks.throughputUngated}`);
      else if (!plan.gateThroughput && !stair) {
        diff.notes.push(
          `${plan.script.gate.throughput} is not gated under a VU-based profile (it follows latency, which is gated); use a tpsN profile to gate throughput`,
        );
      }
      written.diffJson = resultPath(plan.resultsDir, name, script, '.diff.json');
      written.diffMarkdown = resultPath(plan.resultsDir, name, script, '.diff.md');
      outputs[written.diffJson] = JSON.stringify({ baseline: loaded.baselinePath, ...diff }, null, 2);
      outputs[written.diffMarkdown] = renderDiffMarkdown(diff, `${script}: ${name} vs baseline`);
      text += `${renderDiffText(diff)}\n`;
    } else if (plan.instance) {
      text += `  instance ${plan.instance} of a distributed run: the run is judged once merged (k6-suite aggregate)\n\n`;
    } else if (reasons.length > 0) {
      text += `  NOT made the baseline: ${reasons.join('; ')}. Kept as ${path}; fix the run and run again (or promote it deliberately)\n\n`;
    } else if (!judgement.accepted) {
      text += `  not fit to become the baseline: ${judgement.reasons.join('; ')}\n\n`;
    } else if (loaded.note) {
      text += `  ${loaded.note}\n\n`;
    }
    for (const line of [...checks.notes, ...checks.failed]) text += `  ${line}\n`;
    if (failed.length > 0) text += `  FAILURES (first distinct causes, by kind):\n${failed.map((l) => `    ${l}`).join('\n')}\n\n`;
    const target = targetLine(data.metrics, plan.targetMetricsUrl);
    if (target) text += `  ${target}\n`;
    if (!generatorMeasured(data.metrics)) text += '  ! the load generator was not measured (k6/x/loadgen starts in setup(): --no-setup skips it)\n';
    text += `  VERDICT: ${verdictLine(judgement, diff, plan.instance)}\n`;
    text += `  result written to ${path}\n`;
    outputs[`${plan.resultsDir}/${outputsFileName(plan.runName, script)}`] = JSON.stringify(written, null, 2);
    outputs.stdout = text;
    const secrets = knownSecrets();
    for (const key of Object.keys(outputs)) outputs[key] = scrubText(outputs[key], secrets);
    return outputs;
  };
}

/** The verdict in one line, as the terminal shows it. */
function verdictLine(judgement: Judgement, diff: Diff | undefined, instance: string): string {
  // the script's own end-of-test checks failed (no gate regression to name)
  if (judgement.verdict === 'regression' && !diff?.regressions.length) return `FAILED: ${judgement.reasons.join('; ')}`;
  // its own checks failed and the gate found regressions too: both, its own first
  if (judgement.verdict === 'regression' && !judgement.accepted && diff) {
    const gate = new Set(diff.regressions.map((r) => `${r.metric} ${r.stat}`));
    const own = judgement.reasons.filter((r) => !gate.has(r));
    if (own.length > 0) return `FAILED: ${own.join('; ')}; and ${diffHeadline(diff)}`;
  }
  if (diff) return diffHeadline(diff).replace(/^no regression$/, 'PASS (no regression)');
  if (judgement.verdict === 'inconclusive') return `INCONCLUSIVE: ${judgement.reasons.join('; ')}`;
  if (judgement.verdict === 'cannot-judge') return `CANNOT BE JUDGED: ${judgement.reasons.join('; ')}`;
  return instance ? `instance ${instance} ran as planned (the merged run is judged by k6-suite aggregate)` : 'PASS (no baseline to compare with)';
}

/** The target's resource use (TARGET_METRICS_URL) in one line; undefined when it was not asked for. */
function targetLine(metrics: Record<string, MetricSummary | undefined>, url: string): string | undefined {
  if (!url) return undefined;
  const cpu = metrics.target_cpu_percent?.values;
  const memory = metrics.target_memory_mb?.values;
  const errors = metrics.target_scrape_errors_total?.values.count ?? 0;
  if (!cpu && !memory) return `! target resources not measured: TARGET_METRICS_URL could not be read (${errors} failed scrapes; see the log)`;
  const parts = [
    cpu ? `CPU avg ${cpu.avg.toFixed(1)}% max ${cpu.max.toFixed(1)}% (of one core)` : 'CPU not exposed',
    memory ? `memory max ${memory.max.toFixed(0)} MiB` : 'memory not exposed',
  ];
  return `target: ${parts.join(', ')}${errors ? ` (${errors} failed scrapes)` : ''}`;
}
