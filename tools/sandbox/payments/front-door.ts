// In front of the shared request handler: the sandbox's own control endpoints (answered here, never
// counted as traffic) and an optional fixed concurrency limit. With a limit, at most that many
// requests are in the target at once (injected latency included); the excess waits in arrival order,
// so a staircase test finds a known capacity (limit / service time). Control paths are never limited.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface ConcurrencyStats {
  /** The limit, or null without one. */
  limit: number | null;
  inFlight: number;
  queued: number;
  peakInFlight: number;
  /** Requests that had to wait for a free slot. */
  waited: number;
}

export interface FrontDoorOptions {
  maxConcurrent?: number;
  /** Answers a control request itself and returns true, or returns false to pass it on. */
  control?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface FrontDoor {
  stats(): ConcurrencyStats;
  reset(): void;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function installFrontDoor(server: Server, options: FrontDoorOptions): FrontDoor {
  const inner = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of inner) listener.call(server, req, res);
  };
  const limit = options.maxConcurrent ?? null;
  let inFlight = 0;
  let peakInFlight = 0;
  let waited = 0;
  let queued = 0;
  const queue: Array<() => void> = [];

  const next = () => {
    while (limit !== null && inFlight < limit && queue.length > 0) queue.shift()!();
  };

  const admit = (req: IncomingMessage, res: ServerResponse) => {
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let inQueue = false;
    const leaveQueue = () => {
      if (inQueue) queued -= 1;
      inQueue = false;
    };
    const start = () => {
      if (state !== 'waiting') return; // the client went away while it waited
      leaveQueue();
      state = 'running';
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      dispatch(req, res);
    };
    // 'close' follows every answer, and a connection dropped by injection or by the client
    res.once('close', () => {
      if (state === 'running') {
        inFlight -= 1;
        state = 'done';
        next();
      } else if (state === 'waiting') {
        state = 'done';
        leaveQueue();
      }
    });
    if (inFlight < limit!) return start();
    waited += 1;
    queued += 1;
    inQueue = true;
    queue.push(start);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/__sandbox/')) {
      if (!options.control?.(req, res)) dispatch(req, res);
      return;
    }
    if (limit === null) return dispatch(req, res);
    admit(req, res);
  });

  return {
    stats: () => ({ limit, inFlight, queued, peakInFlight, waited }),
    reset: () => {
      peakInFlight = inFlight;
      waited = 0;
    },
  };
}
