// The health target most gate tests run against: the payments sandbox with a fixed 10 ms server
// delay (so the signal is unambiguous on a shared 2-core machine), reset with a fresh results
// directory before each test. Call at the top of a test file.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import { scratchDir } from './results.ts';

export function useDelayedTarget(prefix: string): { readonly target: RunningTarget; readonly results: ReturnType<typeof scratchDir> } {
  let target: RunningTarget;
  let results: ReturnType<typeof scratchDir> | undefined;
  beforeAll(async () => {
    target = await startPaymentsSandbox();
  });
  afterAll(async () => {
    await target.close();
    results?.remove();
  });
  beforeEach(() => {
    results?.remove();
    results = scratchDir(prefix);
    target.reset();
    target.setFaults({ latencyMs: 10 });
  });
  return {
    get target() {
      return target;
    },
    get results() {
      return results!;
    },
  };
}
