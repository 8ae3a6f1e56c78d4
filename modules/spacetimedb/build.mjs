// Bundles the benchmark module into one file, as `spacetime publish` uploads it
// (PUT /v1/database/:name?host_type=Js). The host provides the spacetime:sys@* imports.
import { build } from 'esbuild';

await build({
  entryPoints: ['modules/spacetimedb/src/index.ts'],
  outfile: 'dist/modules/spacetimedb-benchmark.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['spacetime:sys*'],
  mainFields: ['module', 'main'],
  conditions: ['import'],
  logLevel: 'warning',
});
console.log('bundled the SpacetimeDB benchmark module into dist/modules/spacetimedb-benchmark.js');
