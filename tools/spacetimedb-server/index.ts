// A real SpacetimeDB standalone server on 127.0.0.1 for the end-to-end tests (built by ./build.sh:
// bin/spacetimedb-server, 1.2.0, and bin/spacetimedb-benchmark.wasm): started on a free port with its
// own data folder and JWT keys (the server creates them), an owner identity, databases published from
// the benchmark module, its SQL endpoint for what the database holds, and its log for client-caused
// warnings. Wire facts: ../../../shared/reference/spacetimedb.md ("A real server on these machines").
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../k6.ts';

export const SERVER_BIN = join(PROJECT_ROOT, 'bin/spacetimedb-server');
export const MODULE_WASM = join(PROJECT_ROOT, 'bin/spacetimedb-benchmark.wasm');

export interface RealSpacetime {
  host: string;
  port: number;
  url: string;
  /** The owner's token (POST /v1/identity): publishes, and reads with SQL. */
  token: string;
  /** Publishes the benchmark module as a new database `name` (emptied when it exists). */
  publish(name: string): Promise<void>;
  /** Runs SQL on `database` (POST /v1/database/:name/sql): the rows of the first statement. Throws with the server's answer on an error. */
  sql(database: string, query: string): Promise<unknown[][]>;
  /** Everything the server logged so far (stdout and stderr). */
  log(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts the server (throws naming the build step when bin/spacetimedb-server or the module is
 * missing, and with the server's log when it does not answer within `startTimeoutMs`).
 */
export async function startRealSpacetime(options: { startTimeoutMs?: number } = {}): Promise<RealSpacetime> {
  for (const path of [SERVER_BIN, MODULE_WASM]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: build it with "bash tools/spacetimedb-server/build.sh" (npm test does)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'spacetimedb-'));
  const port = await freePort();
  const host = '127.0.0.1';
  const url = `http://${host}:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    SERVER_BIN,
    [
      'start',
      '--listen-addr',
      `${host}:${port}`,
      '--data-dir',
      join(dir, 'data'),
      '--jwt-pub-key-path',
      join(dir, 'id_ecdsa.pub'),
      '--jwt-priv-key-path',
      join(dir, 'id_ecdsa'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info' } },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const close = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  let token = '';
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!token) {
    if (exited || Date.now() > deadline) {
      await close();
      throw new Error(`the SpacetimeDB server did not start on ${url}:\n${output.slice(-3000)}`);
    }
    try {
      const res = await fetch(`${url}/v1/identity`, { method: 'POST' });
      if (res.ok) token = ((await res.json()) as { token: string }).token;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const auth = { Authorization: `Bearer ${token}` };
  const wasm = readFileSync(MODULE_WASM);

  return {
    host,
    port,
    url,
    token,
    async publish(name) {
      const res = await fetch(`${url}/v1/database/${name}?clear=true`, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/wasm' }, body: wasm });
      if (!res.ok) throw new Error(`publishing ${name} failed: HTTP ${res.status} ${await res.text()}\n${output.slice(-2000)}`);
    },
    async sql(database, query) {
      const res = await fetch(`${url}/v1/database/${database}/sql`, { method: 'POST', headers: auth, body: query });
      const text = await res.text();
      if (!res.ok) throw new Error(`SQL "${query}" on ${database}: HTTP ${res.status} ${text}`);
      return ((JSON.parse(text) as Array<{ rows: unknown[][] }>)[0]?.rows ?? []) as unknown[][];
    },
    log: () => output,
    close,
  };
}
