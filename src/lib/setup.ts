// The setup every script runs before its own: it refuses k6 flags that removed what the gate and the
// dashboards depend on, and starts measuring the load generator (k6/x/loadgen), so that a run whose
// generator was saturated is judged inconclusive instead of a regression; with TARGET_METRICS_URL, it
// samples the target's own CPU and memory too.
import exec from 'k6/execution';
import { start as startLoadgenSampler } from 'k6/x/loadgen';
import { printEnvironment, readInstanceEnvironment } from './environment';
import type { RunPlan } from './run-plan';

/**
 * The tags of every sample that k6 flags replaced or dropped (empty: all there). The test id is only
 * required to be there: k6 took the options (and the default id's timestamp) from the first VU's
 * init, and this VU's init was another.
 */
function missingTags(plan: RunPlan): string[] {
  const running = (exec.test.options.tags ?? {}) as Record<string, string>;
  return ['script', 'run', 'testid'].filter((name) => (name === 'testid' ? !running.testid : running[name] !== plan.tags[name]));
}

/**
 * The setup() of a script: the checks and the generator sampler, then the script's own setup.
 * Aborts the test (exit 108, one message naming the fix) when k6's --tag replaced the tags
 * script, run and testid: Grafana and the history find a run by them.
 */
export function createSetup<T>(plan: RunPlan, own?: () => T): () => T | undefined {
  return function setup(): T | undefined {
    const missing = missingTags(plan);
    if (missing.length > 0) {
      const flags = missing.map((name) => (name === 'testid' ? '--tag testid=<an id> (the same as -e TEST_ID)' : `--tag ${name}=${plan.tags[name]}`)).join(' ');
      exec.test.abort(
        `k6's --tag replaced the tags this script puts on every sample (${missing.join(', ')} missing), so Grafana and the history could not find the run: pass your own tags with -e TAGS=name=value,... (merged with the script's), or add ${flags}`,
      );
    }
    startLoadgenSampler({ intervalMs: 1000, targetMetricsUrl: plan.targetMetricsUrl });
    printEnvironment(readInstanceEnvironment(plan));
    return own?.();
  };
}
