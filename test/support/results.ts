// Helpers the end-to-end tests share: a scratch results directory per test and typed result reading.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultFile as Result, ResultGroup } from '../../src/shared/result.ts';

/** A result file as the summary hook writes it (the shared contract), whose root group k6 always fills. */
export type ResultFile = Result & { root_group: ResultGroup };

export function scratchDir(prefix = 'k6-results-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readResult(path: string): ResultFile {
  return JSON.parse(readFileSync(path, 'utf8')) as ResultFile;
}

/** A counter's count, 0 when k6 left the metric out (it omits metrics that never got a sample). */
export function count(result: ResultFile, metric: string): number {
  return result.metrics[metric]?.values.count ?? 0;
}
