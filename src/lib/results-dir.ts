// Where this run's result files go. k6 does not create missing directories for summary files and
// still exits 0 when it cannot write them, so a missing directory would lose the result silently.
// Probed in init (the only stage where open() works): an explicit RESULTS_DIR that does not exist is
// a problem reported before any request; the default, results/, falls back to the working directory.
import { resultFileName } from '../shared/result';

/** open() resolves relative paths against the script; resolve against the working directory (PWD) instead. */
export function absolutePath(path: string): string {
  const cwd = __ENV.PWD;
  return path.startsWith('/') || !cwd ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
}

/** Whether a path names nothing, probed with open() (init only). */
export function isMissing(path: string): boolean {
  try {
    open(absolutePath(path));
    return false;
  } catch (error) {
    return /no such file or directory/i.test(String(error)); // "can't be used with directories": it exists
  }
}

/**
 * The results directory for RESULTS_DIR (empty: the default). A problem line when an explicit one
 * does not exist; without PWD (unknown working directory) nothing is probed.
 */
export function resolveResultsDir(given: string): { dir: string; problem?: string } {
  const explicit = given.replace(/\/+$/, '');
  const dir = explicit || 'results';
  if (!__ENV.PWD || !isMissing(dir)) return { dir };
  if (!explicit) return { dir: '.' };
  return {
    dir,
    problem: `RESULTS_DIR='${explicit}' does not exist (${absolutePath(dir)}), create it (mkdir -p ${explicit}) or set RESULTS_DIR to an existing directory`,
  };
}

/** `<dir>/<run>_<script><suffix>`. */
export function resultPath(dir: string, run: string, script: string, suffix = '.json'): string {
  return `${dir}/${resultFileName(run, script, suffix)}`;
}
