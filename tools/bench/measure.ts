// One measured k6 run for the benchmarks: iterations/s from k6's own summary and the peak resident
// memory of the k6 process (VmHWM from /proc, sampled until it exits).
import { readFileSync } from 'node:fs';
import { runK6 } from '../k6.ts';

export interface Measurement {
  label: string;
  iterationsPerSec: number;
  iterations: number;
  droppedIterations: number;
  peakRssBytes: number;
  vus: number;
  exitCode: number | null;
  summary: Record<string, { values: Record<string, number> }>;
}

function readPeakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

export async function measure(options: {
  label: string;
  script: string;
  vus: number;
  env: Record<string, string>;
  /** k6 CLI arguments that shape the load (e.g. ['--vus', '10', '--duration', '15s']). */
  args: string[];
  /** Where the run's summary JSON lands (the scenario's result file, or SUMMARY_JSON for bare scripts). */
  resultFile: string;
}): Promise<Measurement> {
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  const out = await runK6({
    script: options.script,
    args: ['--quiet', ...options.args],
    env: { ...options.env, SUMMARY_JSON: options.resultFile },
    onStart: (pid) => {
      sampler = setInterval(() => {
        peak = Math.max(peak, readPeakRss(pid) ?? 0);
      }, 100);
    },
  });
  clearInterval(sampler);
  if (out.exitCode !== 0 && out.exitCode !== 99) {
    throw new Error(`${options.label}: k6 exited ${out.exitCode}\n${out.stderr.slice(-2000)}`);
  }
  const summary = JSON.parse(readFileSync(options.resultFile, 'utf8')) as { metrics: Measurement['summary'] };
  const iterations = summary.metrics.iterations?.values.count ?? 0;
  return {
    label: options.label,
    iterationsPerSec: summary.metrics.iterations?.values.rate ?? 0,
    iterations,
    droppedIterations: summary.metrics.dropped_iterations?.values.count ?? 0,
    peakRssBytes: peak,
    vus: options.vus,
    exitCode: out.exitCode,
    summary: summary.metrics,
  };
}
