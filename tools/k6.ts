// Runs the project's k6 binary (./bin/k6) the one way every Node-side tool does: offline hygiene
// variables set, the working directory passed on as PWD (the summary hook checks RESULTS_DIR against
// it), output captured, and a hard time limit so no run outlives its caller.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const K6_BIN = resolve(PROJECT_ROOT, 'bin/k6');

/** Variables every k6 run the project starts must carry (no phoning home, no extension downloads). */
export const K6_HYGIENE_ENV = {
  K6_NO_USAGE_REPORT: 'true',
  K6_AUTO_EXTENSION_RESOLUTION: 'false',
} as const;

export interface K6RunOptions {
  /** Script path, relative to the project root or absolute. */
  script: string;
  env?: Record<string, string | undefined>;
  /** Extra CLI arguments placed before the script (e.g. ['--out', 'json=x.json']). */
  args?: string[];
  cwd?: string;
  /** Kill the run (SIGKILL) after this many ms; the default leaves room for graceful stops. 0: no limit (the user's own runs: k6's schedule bounds them). */
  timeoutMs?: number;
  /**
   * Ctrl-C and SIGTERM go to k6 through this process, once each: k6 runs in a process group of its
   * own, and this process passes the signal on and waits for k6 to stop gracefully (its summary, its
   * result) instead of dying first. For the CLI's runs.
   */
  forwardInterrupts?: boolean;
  /** Forward k6's output to this process's stdout/stderr as it comes. */
  inheritOutput?: boolean;
  /** Called with the child's pid once started (benchmarks sample its memory). */
  onStart?: (pid: number) => void;
  /** Sends this signal after the given delay (tests of interrupted runs). */
  signalAfter?: { signal: NodeJS.Signals; ms: number };
}

export interface K6RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** The k6 runs that take Ctrl-C and SIGTERM through this process (forwardInterrupts): one handler for them all. */
const interruptible = new Set<ChildProcess>();
const forwardToRuns = (signal: NodeJS.Signals) => {
  for (const child of interruptible) child.kill(signal);
};

/** Adds (or removes) a k6 run to those the signals are forwarded to; the handlers are installed while there is one. */
function forwardInterruptsTo(child: ChildProcess, on: boolean): void {
  if (on) interruptible.add(child);
  else interruptible.delete(child);
  const installed = process.listeners('SIGINT').includes(forwardToRuns);
  if (interruptible.size > 0 && !installed) {
    process.on('SIGINT', forwardToRuns);
    process.on('SIGTERM', forwardToRuns);
  } else if (interruptible.size === 0 && installed) {
    process.off('SIGINT', forwardToRuns);
    process.off('SIGTERM', forwardToRuns);
  }
}

export function runK6(options: K6RunOptions): Promise<K6RunResult> {
  if (!existsSync(K6_BIN)) {
    return Promise.reject(new Error(`${K6_BIN} is missing: build it with "npm run k6:build" (needs Go)`));
  }
  const cwd = options.cwd ?? PROJECT_ROOT;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, K6_HYGIENE_ENV, { PWD: cwd });

  const started = Date.now();
  const child = spawn(K6_BIN, ['run', ...(options.args ?? []), resolve(PROJECT_ROOT, options.script)], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.forwardInterrupts === true,
  });
  if (child.pid !== undefined) options.onStart?.(child.pid);
  if (options.forwardInterrupts) forwardInterruptsTo(child, true);

  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.inheritOutput) process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (options.inheritOutput) process.stderr.write(chunk);
  });

  let timedOut = false;
  const limit = options.timeoutMs ?? 10 * 60_000;
  const killer =
    limit > 0
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, limit)
      : undefined;
  const signaller = options.signalAfter ? setTimeout(() => child.kill(options.signalAfter!.signal), options.signalAfter.ms) : undefined;

  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, signal) => {
      if (killer) clearTimeout(killer);
      if (options.forwardInterrupts) forwardInterruptsTo(child, false);
      if (signaller) clearTimeout(signaller);
      resolvePromise({ exitCode, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
  });
}
