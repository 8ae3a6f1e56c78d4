// `npm start [-- <family>]`: a family's demo (default: the first family of the manifest list,
// SpacetimeDB) on its smoke profile, against its sandbox started here — or against your own server
// when the family's target variable (SPACETIME_HOST, TARGET_URL, ...) is set. Setup (npm packages,
// bin/k6, dist/) has run before this, in tools/setup.sh.
import { mkdirSync } from 'node:fs';
import { FAMILIES, bundleOf, findFamily, scriptManifest } from '../src/shared/families/index.ts';
import { PROJECT_ROOT, runK6 } from './k6.ts';
import type { RunningTarget } from './sandbox/http-target.ts';
import { describeWork, loadSandbox, targetEnv } from './sandbox/sandbox.ts';

const asked = process.argv[2];
const family = asked ? findFamily(asked) : FAMILIES[0];
if (!family) {
  console.error(`npm start -- <family>: no family or script named ${asked} (families: ${FAMILIES.map((f) => f.name).join(', ')})`);
  process.exit(2);
}
const { script, env: demoEnv, externalTargetVar } = family.demo;
const bundle = bundleOf(scriptManifest(script) ?? { name: script });
const env: Record<string, string> = { ...bundle.env, ...demoEnv, RUN_NAME: process.env.RUN_NAME ?? 'demo' };
const sandboxModule = await loadSandbox(family);
let sandbox: RunningTarget | undefined;
if (process.env[externalTargetVar]) {
  console.log(`running ${script} (dist/${bundle.name}.js, the ${family.name} demo) against your server (${externalTargetVar} is set) ...\n`);
} else {
  sandbox = await sandboxModule.startSandbox();
  Object.assign(env, targetEnv(family.sandbox.env, sandbox));
  console.log(`${family.name} sandbox on ${sandbox.url}; running ${script} (dist/${bundle.name}.js, the ${family.name} demo) ...\n`);
}
mkdirSync(`${PROJECT_ROOT}/results`, { recursive: true });
try {
  const out = await runK6({ script: `dist/${bundle.name}.js`, env, args: ['--quiet'], inheritOutput: true, timeoutMs: 5 * 60_000 });
  if (sandbox) console.log(describeWork(sandboxModule, sandbox));
  process.exitCode = out.exitCode ?? 1;
} finally {
  await sandbox?.close();
}
