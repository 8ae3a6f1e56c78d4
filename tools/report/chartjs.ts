// Chart.js's UMD build, read from node_modules so that the HTML report can inline it: a report must
// open with no network at all (CI artifacts, air-gapped machines).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: { source: string; version: string } | undefined;

export function chartJsBundle(): { source: string; version: string } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('chart.js'); // .../chart.js/dist/chart.cjs (the package exports no UMD path)
  } catch {
    throw new Error('the HTML report needs the npm package chart.js (a devDependency): run "npm install"');
  }
  const umd = join(dirname(entry), 'chart.umd.min.js');
  if (!existsSync(umd)) throw new Error(`chart.js is installed but ${umd} is missing: a Chart.js 4 UMD build is expected there`);
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: string };
  cached = { source: readFileSync(umd, 'utf8'), version: pkg.version ?? 'unknown' };
  return cached;
}
