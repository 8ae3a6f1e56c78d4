// k6/x/loadgen with an idle generator: 1 VU that sleeps 100 ms per iteration for 5 s, so
// loadgen_cpu_ratio should be low (the counterpart of smoke.js).
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false /tmp/k6-loadgen run --out json=/tmp/lg-idle.json xk6-build/ext/loadgen/examples/idle.js
import { sleep } from 'k6';
import { start } from 'k6/x/loadgen';

export const options = {
  scenarios: { idle: { executor: 'constant-vus', vus: 1, duration: __ENV.DURATION || '5s' } },
  thresholds: {
    loadgen_cpu_ratio: ['avg<0.3'],
    loadgen_lag_ms: ['max>=0'],
    loadgen_gc_pause_ms: ['max>=0'],
    loadgen_cores: ['value>0'],
  },
};

export function setup() {
  start({ intervalMs: Number(__ENV.INTERVAL_MS || 500) });
}

export default function () {
  sleep(0.1);
}
