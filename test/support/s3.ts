// A real S3 server for tests: versitygw (bin/versitygw, built by tools/system-deps.sh) over a throw-away
// folder, on 127.0.0.1 with a free port and a random secret per server. Stopped and deleted by stop().
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../tools/k6.ts';
import { freePort } from './ports.ts';

export interface RunningS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The folder the buckets live in (one sub-folder per bucket). */
  root: string;
  stop(): Promise<void>;
}

const VERSITYGW = join(PROJECT_ROOT, 'bin/versitygw');

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startS3(): Promise<RunningS3> {
  if (!existsSync(VERSITYGW)) throw new Error('bin/versitygw is missing: run bash tools/system-deps.sh (npm test does)');
  const root = mkdtempSync(join(tmpdir(), 'k6-s3-'));
  const port = await freePort();
  const accessKeyId = 'k6testkey';
  const secretAccessKey = `s3secret-${randomBytes(12).toString('hex')}`;
  const child: ChildProcess = spawn(VERSITYGW, ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', root], {
    env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
      throw new Error(`versitygw did not start on 127.0.0.1:${port}: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    root,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        child.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
