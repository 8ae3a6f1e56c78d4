// A throwaway InfluxDB 1.x (the Debian package "influxdb", binary influxd) for tests of k6's
// `--out influxdb=...`: listens only on 127.0.0.1 (HTTP and the backup/RPC port, both free ports picked
// here), keeps meta/data/wal in a temporary directory, reports nothing, stores no self-monitoring
// database, and stop() kills the process and removes the directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface RunningInflux {
  /** http://127.0.0.1:<port> (append /<db> for k6's --out influxdb=). */
  url: string;
  port: number;
  /** Runs InfluxQL through /query and returns the parsed JSON; rejects on HTTP or statement errors. */
  query(q: string, db?: string): Promise<InfluxResponse>;
  stop(): Promise<void>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}
export interface InfluxStatementResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
}
export interface InfluxResponse {
  results: InfluxStatementResult[];
}

export const INFLUXD_MISSING = 'influxd is not on PATH: .ci/run must install the Debian package influxdb (apt-get install -y --no-install-recommends influxdb)';

/** True when the influxd binary can be run. */
export function influxdAvailable(): boolean {
  const r = spawnSync('influxd', ['version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function config(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  wal-fsync-delay = "0s"

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false
  unix-socket-enabled = false

[ifql]
  enabled = false

[[graphite]]
  enabled = false
[[collectd]]
  enabled = false
[[opentsdb]]
  enabled = false
[[udp]]
  enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pingOnce(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function startOnce(timeoutMs: number): Promise<RunningInflux> {
  const dir = mkdtempSync(join(tmpdir(), 'influxdb-'));
  const httpPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === httpPort) rpcPort = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  writeFileSync(configPath, config(dir, httpPort, rpcPort));

  // INFLUXDB_* variables override the config file: drop any the caller's environment has.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('INFLUXDB_')) env[k] = v;

  const child = spawn('influxd', ['run', '-config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  let failed: Error | undefined;
  void spawnError.then((e) => (failed = e));

  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (!exited(child)) {
      const gone = new Promise<void>((res) => child.once('exit', () => res()));
      child.kill('SIGTERM');
      const done = await Promise.race([gone.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await gone;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (failed) {
      await stop();
      throw (failed as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(INFLUXD_MISSING) : failed;
    }
    if (exited(child)) {
      await stop();
      throw new Error(`influxd exited (${child.exitCode ?? child.signalCode}) before answering /ping:\n${log}`);
    }
    if (await pingOnce(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`influxd did not answer ${url}/ping with 204 within ${timeoutMs} ms:\n${log}`);
    }
    await sleep(100);
  }

  const query = async (q: string, db?: string): Promise<InfluxResponse> => {
    const body = new URLSearchParams({ q, epoch: 'ms' });
    if (db) body.set('db', db);
    const res = await fetch(`${url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`InfluxDB ${res.status} for ${q}: ${text}`);
    const json = JSON.parse(text) as InfluxResponse & { error?: string };
    if (json.error) throw new Error(`InfluxDB error for ${q}: ${json.error}`);
    for (const r of json.results ?? []) if (r.error) throw new Error(`InfluxDB error for ${q}: ${r.error}`);
    return json;
  };

  return { url, port: httpPort, query, stop };
}

/**
 * Starts influxd and resolves once /ping answers 204. A port taken between picking and binding makes
 * influxd exit: that start is retried with fresh ports.
 */
export async function startInflux(options: { timeoutMs?: number } = {}): Promise<RunningInflux> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options.timeoutMs ?? 20_000);
    } catch (e) {
      last = e;
      if ((e as Error).message === INFLUXD_MISSING || !/address already in use/.test((e as Error).message)) throw e;
    }
  }
  throw last;
}
