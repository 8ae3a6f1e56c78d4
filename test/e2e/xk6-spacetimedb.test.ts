// The k6/x/spacetimedb extension (xk6-build/ext/spacetimedb) inside the real ./bin/k6, against the
// SpacetimeDB sandbox: one persistent WebSocket per VU, reused across iterations, and iterations
// that end as soon as their own calls are answered while the socket stays open.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { K6_BIN, runK6 } from '../../tools/k6.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from '../../tools/sandbox/spacetimedb/server.ts';

let sandbox: SpacetimeSandbox;

beforeAll(async () => {
  sandbox = await startSpacetimeSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

describe('k6/x/spacetimedb', () => {
  it('is compiled into bin/k6', () => {
    const version = execFileSync(K6_BIN, ['version'], { encoding: 'utf8' });
    expect(version).toContain('github.com/k6regression/xk6-spacetimedb');
    expect(version).toContain('k6/x/spacetimedb [js]');
  });

  it('smoke: 1 VU, 200 iterations of one increment each, over a single reused socket', async () => {
    const out = await runK6({
      script: 'xk6-build/ext/spacetimedb/examples/smoke.js',
      env: { STDB_URL: sandbox.subscribeUrl },
      timeoutMs: 120_000,
    });
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toContain('200 complete and 0 interrupted iterations');
    // counted and pushed by the extension itself (no takeCounters() in the script)
    expect(out.stdout).toMatch(/spacetime_ws_connections_total\s*\n\s*✓ 'count==1'/);
    expect(out.stdout).toMatch(/spacetime_ws_messages_sent_total\s*\n\s*✓ 'count==202'/);
    expect(out.stdout).toMatch(/spacetime_connection_drops_total\s*\n\s*✓ 'count==0'/);
    expect(out.stdout).toMatch(/stdb_calls_committed\s*\n\s*✓ 'count==200'/);
    const counts = sandbox.counts();
    expect(counts.wsConnections).toBe(1);
    expect(counts.committed.increment).toBe(200);
    expect(out.durationMs).toBeLessThan(30_000);
  });

  it('an interrupted iteration ends its pending call as dropped instead of holding the VU', async () => {
    const out = await runK6({
      script: 'xk6-build/ext/spacetimedb/examples/interrupt.js',
      env: { STDB_URL: sandbox.subscribeUrl },
      timeoutMs: 60_000,
    });
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    // (The iteration's JS never sees the outcome: the runtime is already interrupted; what matters is
    // that the pending call released the event loop, which the Go tests check as status 'dropped'.)
    expect(out.durationMs).toBeLessThan(15_000); // the call's own timeout is 60 s
    expect(out.stdout).toContain('0 complete and 1 interrupted iterations');
    expect(sandbox.counts().rejected).toBeGreaterThanOrEqual(1);
    // what the interrupted iteration counted is pushed at the end of the test
    expect(out.stdout).toMatch(/spacetime_unmatched_failures_total\s*\n\s*✓ 'count==1'/);
    expect(out.stdout).toMatch(/spacetime_ws_messages_sent_total\s*\n\s*✓ 'count==1'/);
  });

  it("counts subscription updates that arrive after a VU's last iteration, before the test ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xk6-stdb-'));
    try {
      const summary = join(dir, 'summary.json');
      const out = await runK6({
        script: 'xk6-build/ext/spacetimedb/examples/idle-updates.js',
        env: { STDB_URL: sandbox.subscribeUrl },
        args: ['--summary-export', summary],
        timeoutMs: 60_000,
      });
      expect(out.exitCode, out.stdout + out.stderr).toBe(0);
      const metrics = JSON.parse(readFileSync(summary, 'utf8')).metrics as Record<string, { count?: number }>;
      const counts = sandbox.counts();
      expect(counts.committed.increment).toBeGreaterThan(100);
      expect(counts.subscriptionUpdatesSent).toBe(2 * counts.committed.increment); // both watchers hear every increment
      expect(metrics.spacetime_subscription_updates_total?.count).toBe(counts.subscriptionUpdatesSent);
      expect(metrics.spacetime_ws_messages_sent_total?.count).toBe(counts.committed.increment + 2); // + 2 subscribes
      expect(metrics.spacetime_ws_connections_total?.count).toBe(counts.wsConnections);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
