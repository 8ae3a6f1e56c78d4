// Type-checks and bundles every server-side module under modules/<family>/ (code that runs inside
// the system under test, e.g. the SpacetimeDB benchmark module): its tsconfig.json, then its build.mjs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

for (const name of existsSync('modules') ? readdirSync('modules').sort() : []) {
  const dir = `modules/${name}`;
  if (existsSync(`${dir}/tsconfig.json`)) execFileSync('npx', ['tsc', '--noEmit', '-p', `${dir}/tsconfig.json`], { stdio: 'inherit' });
  if (existsSync(`${dir}/build.mjs`)) execFileSync(process.execPath, [`${dir}/build.mjs`], { stdio: 'inherit' });
}
