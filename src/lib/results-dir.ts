// Where this run's result files go. k6 does not create missing directories for summary files and
// still exits 0 when it cannot write them, so a missing directory would lose the result silently:
// an explicit RESULTS_DIR that does not exist (or is a file) is a problem reported in the settings
// stage, before any request; the default, results/, falls back to the working directory.
import { resultFileName } from '../shared/result';
import { absolutePath, probePath } from './files';

/** The results directory for RESULTS_DIR (empty: the default), and a problem line when an explicit one is unusable. */
export function resolveResultsDir(given: string, cwd: string | undefined): { dir: string; problem?: string } {
  const explicit = given.replace(/\/+$/, '');
  const dir = explicit || 'results';
  const kind = probePath(dir, cwd);
  if (kind === 'dir' || kind === 'unknown') return { dir };
  if (!explicit) return { dir: '.' };
  const what = kind === 'file' ? 'is a file, not a directory' : 'does not exist';
  return {
    dir,
    problem: `RESULTS_DIR='${explicit}' ${what} (${absolutePath(dir, cwd)}): create the directory (mkdir -p ${explicit}) or set RESULTS_DIR to an existing one`,
  };
}

/** `<dir>/<run>_<script><suffix>`. */
export function resultPath(dir: string, run: string, script: string, suffix = '.json'): string {
  return `${dir}/${resultFileName(run, script, suffix)}`;
}
