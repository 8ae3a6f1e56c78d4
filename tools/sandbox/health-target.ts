// Stand-in for the Hyperswitch router's liveness endpoint (seed 003's health script):
// GET /health → 200 "health is good".
import { sendText, startHttpTarget, type RunningTarget } from './http-target.ts';

export function startHealthTarget(port?: number): Promise<RunningTarget> {
  return startHttpTarget({
    port,
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
