// `npm start`: the main job on the smoke profile against a sandbox target started here, with the
// summary printed. Setup (npm packages, bin/k6, dist/) has run before this, in tools/setup.sh.
import { mkdirSync } from 'node:fs';
import { runK6, PROJECT_ROOT } from './k6.ts';
import { startHealthTarget } from './sandbox/health-target.ts';

const target = await startHealthTarget();
console.log(`sandbox health target on ${target.url}; running dist/health.js on the smoke profile ...\n`);
mkdirSync(`${PROJECT_ROOT}/results`, { recursive: true });
try {
  const out = await runK6({
    script: 'dist/health.js',
    env: { TARGET_URL: target.url, LOAD_PROFILE: 'smoke', RUN_NAME: process.env.RUN_NAME ?? 'demo' },
    args: ['--quiet'],
    inheritOutput: true,
    timeoutMs: 5 * 60_000,
  });
  const served = target.stats().served.health ?? 0;
  console.log(`the target served ${served} requests`);
  process.exitCode = out.exitCode ?? 1;
} finally {
  await target.close();
}
