// Every sandbox target by name, for the serve command, npm start and the benchmarks.
import { startHealthTarget } from './health-target.ts';
import type { RunningTarget } from './http-target.ts';

export const SANDBOX_TARGETS = {
  health: (port?: number): Promise<RunningTarget> => startHealthTarget(port),
} as const;

export type SandboxName = keyof typeof SANDBOX_TARGETS;
