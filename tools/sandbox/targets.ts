// Every sandbox target by name, for the serve command, npm start and the benchmarks.
import { startHealthTarget } from './health-target.ts';
import type { RunningTarget } from './http-target.ts';
import { startSpacetimeSandbox } from './spacetimedb/server.ts';

export const SANDBOX_TARGETS = {
  health: (port?: number): Promise<RunningTarget> => startHealthTarget(port),
  spacetimedb: (port?: number): Promise<RunningTarget> => startSpacetimeSandbox({ port }),
} as const;

export type SandboxName = keyof typeof SANDBOX_TARGETS;
