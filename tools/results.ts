// Reading the result files the summary hook writes, for every Node-side tool (CLI, history, nightly).
import { readFileSync } from 'node:fs';
import type { GateMetrics, ResultLike } from '../src/lib/gate.ts';

export interface ResultFile extends ResultLike {
  meta: Record<string, unknown> & { scenario?: string; run?: string; testId?: string; gate?: GateMetrics; finishedAt?: string };
  state?: { testRunDurationMs?: number };
}

/** Gate metrics of the scripts that predate meta.gate, by script name. */
const KNOWN_GATES: Record<string, GateMetrics> = {
  health: { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' },
  spacetimedb: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
};

export function gateOf(result: ResultFile): GateMetrics {
  return result.meta.gate ?? KNOWN_GATES[String(result.meta.scenario)] ?? { latency: 'iteration_duration', throughput: 'iterations', errors: 'checks' };
}

/** Reads and checks a result file; the error names the file and what is wrong with it. */
export function readResultFile(path: string): ResultFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read result ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`result ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const metrics = (value as ResultFile | null)?.metrics;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new Error(`result ${path} is not a k6 result: it has no metrics object`);
  }
  const result = value as ResultFile;
  result.meta ??= {};
  return result;
}

/** The three numbers a run is judged by: p(95) latency, throughput per second, error rate. */
export function keyNumbers(result: ResultFile) {
  const gate = gateOf(result);
  const m = result.metrics;
  return {
    gate,
    p95: m[gate.latency]?.values['p(95)'] ?? null,
    p99: m[gate.latency]?.values['p(99)'] ?? null,
    throughput: m[gate.throughput]?.values.rate ?? null,
    errorRate: gate.errors === 'checks' ? 1 - (m.checks?.values.rate ?? 1) : m[gate.errors]?.values.rate ?? null,
  };
}
