// CPU hogs for noise tests: busy processes at normal priority, bounded in time, always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Starts `perCore` busy Node processes per core; each ends by itself after `maxMs` at the latest. */
export function startHogs(perCore: number, maxMs: number): { stop(): void } {
  const children: ChildProcess[] = [];
  for (let i = 0; i < perCore * availableParallelism(); i += 1) {
    children.push(spawn(process.execPath, ['-e', `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], { stdio: 'ignore' }));
  }
  return {
    stop: () => {
      for (const child of children) child.kill('SIGKILL');
    },
  };
}
