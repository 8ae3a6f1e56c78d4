// The one handleSummary hook every scenario exports. It prints a readable summary (k6 prints none of
// its own once files are returned), writes the whole result to ${RESULTS_DIR}/${RUN_NAME}_<scenario>.json
// and keeps secrets out of both.
import { configErrorMessage, knownSecrets, readConfig, str } from './config';
import { REDACTED, maskSecretKeys, scrubText } from './redact';
import { renderTextSummary, type SummaryData } from './summary-text';

export const summaryConfig = readConfig({
  RESULTS_DIR: str('results', { allowed: 'a directory path' }),
  RUN_NAME: str('baseline', { pattern: /^[A-Za-z0-9._-]+$/, allowed: 'letters, digits, ".", "_" or "-" (it becomes part of a file name)' }),
});

/** Facts about the run that a later comparison needs (which profile, which mode...). */
export type RunMeta = Record<string, string | number | boolean>;

export function resultPath(scenario: string): string {
  return `${summaryConfig.RESULTS_DIR.replace(/\/+$/, '')}/${summaryConfig.RUN_NAME}_${scenario}.json`;
}

/**
 * k6 does not create missing directories for summary files and still exits 0 when it cannot write
 * them, so a missing RESULTS_DIR would lose the result silently. Check it once, in the first init
 * (VU 0), before any request. open() resolves relative paths against the script, so resolve against
 * the working directory (PWD) and skip the check when that is unknown.
 */
export function assertResultsDirExists(): void {
  if (typeof __VU === 'undefined' || __VU !== 0) return;
  const dir = summaryConfig.RESULTS_DIR;
  const cwd = __ENV.PWD;
  const absolute = dir.startsWith('/') ? dir : cwd ? `${cwd.replace(/\/+$/, '')}/${dir}` : undefined;
  if (!absolute) return;
  try {
    open(absolute);
  } catch (error) {
    if (/no such file or directory/i.test(String(error))) {
      throw configErrorMessage([
        `RESULTS_DIR='${dir}' does not exist (${absolute}), create it (mkdir -p ${dir}) or set RESULTS_DIR to an existing directory`,
      ]);
    }
    // "can't be used with directories" means it exists: fine.
  }
}

export function createSummaryHandler(scenario: string, meta: RunMeta = {}) {
  assertResultsDirExists();
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
