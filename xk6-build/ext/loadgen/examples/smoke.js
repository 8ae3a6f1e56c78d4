// Smoke test of k6/x/loadgen with a CPU-bound generator: 2 VUs busy-loop in JS for ~50 ms per
// iteration for 5 s, so loadgen_cpu_ratio should be near 1.
//   /tmp/k6-loadgen = xk6 build v2.2.0 --with github.com/k6regression/xk6-loadgen=xk6-build/ext/loadgen
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false /tmp/k6-loadgen run --out json=/tmp/lg.json xk6-build/ext/loadgen/examples/smoke.js
// Env: VUS (2), DURATION (5s), BUSY_MS (50), INTERVAL_MS (500), MIN_CPU_RATIO (none).
import { info, start } from 'k6/x/loadgen';

const BUSY_MS = Number(__ENV.BUSY_MS || 50);

export const options = {
  scenarios: {
    busy: { executor: 'constant-vus', vus: Number(__ENV.VUS || 2), duration: __ENV.DURATION || '5s' },
  },
  thresholds: {
    // pushed by the extension. Whether the generator was CPU-bound is a reading, not a pass/fail: on a
    // machine shared with other busy processes k6 gets less than its cores (low cpu_ratio, high lag).
    // MIN_CPU_RATIO=0.8 turns the expectation into a threshold.
    loadgen_cpu_ratio: __ENV.MIN_CPU_RATIO ? [`avg>${__ENV.MIN_CPU_RATIO}`] : ['max>0'],
    loadgen_lag_ms: ['max>=0'],
    loadgen_gc_pause_ms: ['max>=0'],
    loadgen_cores: ['value>0'],
  },
};

console.log(`loadgen info (init context): ${JSON.stringify(info())}`);

export function setup() {
  const i = start({ intervalMs: Number(__ENV.INTERVAL_MS || 500) });
  console.log(`loadgen started: ${JSON.stringify(i)}`);
}

export default function () {
  const until = Date.now() + BUSY_MS;
  let x = 0;
  while (Date.now() < until) {
    for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  }
  if (x < 0) console.log(x); // keep the loop's result alive
}
