// The one handleSummary hook every scenario exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to ${RESULTS_DIR}/${RUN_NAME}_<scenario>.json
// and keeps secrets out of both.
import { configErrorMessage, knownSecrets, readConfig, str } from './config';
import { REDACTED, maskSecretKeys, scrubText } from './redact';
import { renderTextSummary, type SummaryData } from './summary-text';

export const summaryConfig = readConfig({
  RESULTS_DIR: str('', { allowed: 'an existing directory' }),
  RUN_NAME: str('baseline', { pattern: /^[A-Za-z0-9._-]+$/, allowed: 'letters, digits, ".", "_" or "-" (it becomes part of a file name)' }),
});

/** Facts about the run that a later comparison needs (which profile, which mode...). */
export type RunMeta = Record<string, string | number | boolean>;

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

export function resultPath(scenario: string): string {
  return `${resultsDir}/${summaryConfig.RUN_NAME}_${scenario}.json`;
}

export function createSummaryHandler(scenario: string, meta: RunMeta = {}) {
  return function handleSummary(data: SummaryData): Record<string, string> {
    const { setup_data: _dropped, ...rest } = data;
    const result: SummaryData = {
      meta: { scenario, run: summaryConfig.RUN_NAME, finishedAt: new Date().toISOString(), ...meta },
      ...(maskSecretKeys(rest) as SummaryData),
      setup_data: _dropped === undefined ? undefined : REDACTED,
    };
    const secrets = knownSecrets();
    const path = resultPath(scenario);
    const text =
      renderTextSummary(result, `${scenario} (run "${summaryConfig.RUN_NAME}")`) + `\n  result written to ${path}\n`;
    return {
      stdout: scrubText(text, secrets),
      [path]: scrubText(JSON.stringify(result, null, 2), secrets),
    };
  };
}
