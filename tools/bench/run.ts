// `npm run bench`: every family's benchmarks (the module its manifest names) and the gate's quality, in one run, appended
// to BENCHMARKS.md. Ratios measured side by side (our script vs a bare hand-written k6 script on the
// same target, achieved vs requested rate). Not part of npm test; run it alone (2 cores).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAMILIES } from '../../src/shared/families/index.ts';
import { PROJECT_ROOT } from '../k6.ts';
import type { BenchModule } from './common.ts';
import { benchSections as distributed } from './distributed.ts';
import { benchSections as gateQuality } from './gate-quality.ts';
import { appendToBenchmarks, renderSections, type Section } from './report.ts';

// BENCH_FAMILIES=timers,payments: only these families' benchmarks (and the gate's only when "gate" is named)
const only = process.env.BENCH_FAMILIES?.split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const wanted = (name: string) => !only || only.includes(name);
const resultsDir = mkdtempSync(join(tmpdir(), 'k6-bench-'));
try {
  const sections: Section[] = [];
  for (const family of FAMILIES) {
    if (!family.bench || !wanted(family.name)) continue;
    const module = (await import(pathToFileURL(resolve(PROJECT_ROOT, family.bench)).href)) as BenchModule;
    console.log(`benchmarks of the ${family.name} family ...`);
    sections.push(...(await module.benchSections({ resultsDir })));
  }
  // distributed runs (k6-suite run --workers), on the payments sandbox
  if (wanted('distributed')) {
    console.log('distributed runs ...');
    sections.push(...(await distributed({ resultsDir })));
  }
  // the gate itself, whatever the family
  if (wanted('gate')) {
    console.log('gate quality ...');
    sections.push(...(await gateQuality({ resultsDir })));
  }
  const text = renderSections(sections);
  console.log(text);
  appendToBenchmarks(text);
  console.log('appended to BENCHMARKS.md');
} finally {
  rmSync(resultsDir, { recursive: true, force: true });
}
