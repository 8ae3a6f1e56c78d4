// Bundles every src/scenarios/*.ts into dist/<name>.js, one self-contained k6 script each.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';

const scenarioDir = 'src/scenarios';
const entryPoints = readdirSync(scenarioDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ in: `${scenarioDir}/${file}`, out: basename(file, '.ts') }));

// a script whose entry point is gone must not linger in dist/ (k6-suite run -a would still run it)
const wanted = new Set(entryPoints.map((e) => `${e.out}.js`));
for (const file of existsSync('dist') ? readdirSync('dist') : []) if (file.endsWith('.js') && !wanted.has(file)) rmSync(`dist/${file}`);

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true, // k6 has no module resolver for node_modules: inline everything we import
  format: 'esm', // k6 runs ES modules natively
  platform: 'neutral', // no Node built-ins: the bundle runs in goja, not Node
  target: 'es2020', // goja understands ES2020 syntax (plus a few newer bits); stay safe
  external: ['k6', 'k6/*'], // provided by the k6 binary at run time
  mainFields: ['module', 'main'],
  minify: false, // readable stack traces in k6 errors; every VU compiles the bundle, so keep it small instead
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`bundled ${entryPoints.length} scenario(s) into dist/: ${entryPoints.map((e) => e.out).join(', ')}`);
