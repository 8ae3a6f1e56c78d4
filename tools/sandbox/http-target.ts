// The plumbing every sandbox target shares: an HTTP server on 127.0.0.1 with an ephemeral port,
// request counters, the /__sandbox control endpoints, and fault injection. A target only supplies
// its routes. Control requests are never counted as served traffic.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NO_FAULTS, ShareSelector, delay, parseFaults, type Faults } from './faults.ts';

export interface Route {
  method: string;
  /** Matched against the path (no query string). Capture groups are passed to the handler. */
  path: RegExp;
  /** Name under which served requests are counted, e.g. "health". */
  name: string;
  handle(req: IncomingMessage, res: ServerResponse, params: string[], body: Buffer): void | Promise<void>;
  /** Answer used when fault injection fails this request (defaults to 500 "injected failure"). */
  fail?(res: ServerResponse): void;
}

export interface TargetStats {
  /** Requests that reached a route (including ones failed by injection), by route name. */
  served: Record<string, number>;
  /** Requests answered by injected failure, by route name. */
  injectedFailures: Record<string, number>;
  /** Connections destroyed by injection, by route name. */
  dropped: Record<string, number>;
  /** Requests that matched no route (answered 404). */
  unmatched: number;
}

export interface RunningTarget {
  url: string;
  port: number;
  server: Server;
  stats(): TargetStats;
  faults(): Faults;
  setFaults(update: Partial<Faults>): void;
  reset(): void;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function emptyStats(): TargetStats {
  return { served: {}, injectedFailures: {}, dropped: {}, unmatched: 0 };
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface TargetOptions {
  routes: Route[];
  port?: number;
  host?: string;
  /** Largest accepted request body; larger ones get 413. */
  bodyLimit?: number;
  /** Extra counters a target wants to expose under GET /__sandbox/stats. */
  extraStats?: () => Record<string, unknown>;
  onReset?: () => void;
}

export async function startHttpTarget(options: TargetOptions): Promise<RunningTarget> {
  const { routes, host = '127.0.0.1', bodyLimit = 2 * 1024 * 1024 } = options;
  let stats = emptyStats();
  let faults: Faults = { ...NO_FAULTS };
  let failures = new ShareSelector();
  let drops = new ShareSelector();

  const reset = () => {
    stats = emptyStats();
    faults = { ...NO_FAULTS };
    failures = new ShareSelector();
    drops = new ShareSelector();
    options.onReset?.();
  };

  const control = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.method === 'GET' && path === '/__sandbox/stats') {
      return sendJson(res, 200, { ...stats, faults, ...(options.extraStats?.() ?? {}) });
    }
    if (req.method === 'POST' && path === '/__sandbox/faults') {
      const body = await readBody(req, 64 * 1024);
      try {
        faults = parseFaults(JSON.parse(body?.toString() || '{}'), faults);
        return sendJson(res, 200, faults);
      } catch (error) {
        return sendJson(res, 400, { error: (error as Error).message });
      }
    }
    if (req.method === 'POST' && path === '/__sandbox/reset') {
      reset();
      return sendJson(res, 200, { reset: true });
    }
    return sendJson(res, 404, { error: `no control endpoint ${req.method} ${path}` });
  };

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/__sandbox/')) return control(req, res, path);

    for (const route of routes) {
      if (route.method !== req.method) continue;
      const match = route.path.exec(path);
      if (!match) continue;
      bump(stats.served, route.name);
      const body = await readBody(req, bodyLimit);
      if (body === null) return sendText(res, 413, 'Payload Too Large');
      if (faults.latencyMs > 0) await delay(faults.latencyMs);
      if (drops.pick(faults.dropRate)) {
        bump(stats.dropped, route.name);
        req.socket.destroy();
        return;
      }
      if (failures.pick(faults.failureRate)) {
        bump(stats.injectedFailures, route.name);
        return route.fail ? route.fail(res) : sendText(res, 500, 'injected failure');
      }
      return route.handle(req, res, match.slice(1), body);
    }
    stats.unmatched += 1;
    return sendText(res, 404, 'Not Found');
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    stats: () => structuredClone(stats),
    faults: () => ({ ...faults }),
    setFaults: (update) => {
      faults = parseFaults(update, faults);
    },
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Answers a target's own paths (its test hooks: GET /__sandbox/<family>, /metrics) before the shared
 * handler, so they are never counted as traffic, delayed or failed by injection. `own` returns
 * whether it answered.
 */
export function interceptRequests(server: Server, own: (req: IncomingMessage, res: ServerResponse, path: string) => boolean): void {
  const inner = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (own(req, res, (req.url ?? '/').split('?')[0])) return;
    for (const listener of inner) listener.call(server, req, res);
  });
}
