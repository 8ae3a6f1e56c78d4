// `npm start`: the main job, the SpacetimeDB scenarios on the smoke profile, against the sandbox
// started here or against SPACETIME_HOST when that is set. Setup (npm packages, bin/k6, dist/) has
// run before this, in tools/setup.sh.
import { mkdirSync } from 'node:fs';
import { runK6, PROJECT_ROOT } from './k6.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from './sandbox/spacetimedb/server.ts';

const external = process.env.SPACETIME_HOST;
let sandbox: SpacetimeSandbox | undefined;
const env: Record<string, string> = { LOAD_PROFILE: 'smoke', RUN_NAME: process.env.RUN_NAME ?? 'demo' };
if (external) {
  console.log(`running dist/spacetimedb.js on the smoke profile against ${external}:${process.env.SPACETIME_PORT ?? 3000} ...\n`);
} else {
  sandbox = await startSpacetimeSandbox();
  Object.assign(env, { SPACETIME_HOST: '127.0.0.1', SPACETIME_PORT: String(sandbox.port) });
  console.log(`SpacetimeDB sandbox on ${sandbox.url}; running dist/spacetimedb.js on the smoke profile ...\n`);
}
mkdirSync(`${PROJECT_ROOT}/results`, { recursive: true });
try {
  const out = await runK6({ script: 'dist/spacetimedb.js', env, args: ['--quiet'], inheritOutput: true, timeoutMs: 5 * 60_000 });
  if (sandbox) {
    const { committed } = sandbox.counts();
    console.log(`the sandbox committed ${committed.increment} increments, ${committed.create_message} messages, ${committed.create_user} users`);
  }
  process.exitCode = out.exitCode ?? 1;
} finally {
  await sandbox?.close();
}
