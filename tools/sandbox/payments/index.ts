// Stand-in for the Hyperswitch payments router (seed 003), the payments family's sandbox target.
// Today: the liveness endpoint of the health script, GET /health → 200 "health is good".
import { sendText, startHttpTarget, type RunningTarget } from '../http-target.ts';
import type { SandboxOptions } from '../sandbox.ts';

export function startPaymentsSandbox(options: SandboxOptions = {}): Promise<RunningTarget> {
  return startHttpTarget({
    port: options.port,
    host: options.host,
    routes: [
      {
        method: 'GET',
        path: /^\/health$/,
        name: 'health',
        handle: (_req, res) => sendText(res, 200, 'health is good'),
      },
    ],
  });
}

/** The sandbox contract's entry point (tools/sandbox/sandbox.ts). */
export const startSandbox = startPaymentsSandbox;
