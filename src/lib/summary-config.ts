// Where results go and how the run is named (RESULTS_DIR, RUN_NAME), read once in init.
import { configErrorMessage, readConfig, str } from './config';

export const summaryConfig = readConfig({
  RESULTS_DIR: str('', { allowed: 'an existing directory' }),
  // unset: "baseline" when the scenario has no baseline yet, else "latest" (see loadGate)
  RUN_NAME: str('', { pattern: /^[A-Za-z0-9._-]+$/, allowed: 'letters, digits, ".", "_" or "-" (it becomes part of a file name)' }),
});

/**
 * k6 does not create missing directories for summary files and still exits 0 when it cannot write
 * them, so a missing directory would lose the result silently. Probed in the init stage (the only
 * place open() works): an explicit RESULTS_DIR that does not exist stops the test before any
 * request; the default, results/, falls back to the working directory when it does not exist.
 * open() resolves relative paths against the script, so resolve against PWD (unknown: no probe).
 */
function resolveResultsDir(): string {
  const given = summaryConfig.RESULTS_DIR.replace(/\/+$/, '');
  const dir = given || 'results';
  const cwd = __ENV.PWD;
  const absolute = dir.startsWith('/') ? dir : cwd ? `${cwd.replace(/\/+$/, '')}/${dir}` : undefined;
  if (!absolute) return dir;
  try {
    open(absolute);
  } catch (error) {
    if (!/no such file or directory/i.test(String(error))) return dir; // "can't be used with directories": it exists
    if (!given) return '.';
    throw configErrorMessage([
      `RESULTS_DIR='${given}' does not exist (${absolute}), create it (mkdir -p ${given}) or set RESULTS_DIR to an existing directory`,
    ]);
  }
  return dir; // a file of that name: k6 will say so when it writes
}

export const resultsDir = resolveResultsDir();

export function resultPath(runName: string, scenario: string, suffix = '.json'): string {
  return `${resultsDir}/${runName}_${scenario}${suffix}`;
}

