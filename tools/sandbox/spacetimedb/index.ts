// The spacetimedb family's sandbox module: the SpacetimeDB stand-in (server.ts) behind the sandbox contract.
import type { SandboxModule, SandboxOptions } from '../sandbox.ts';
import type { RunningTarget } from '../http-target.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from './server.ts';

export const sandboxFlags: SandboxModule['sandboxFlags'] = {
  database: { type: 'string', description: 'the one database served (default benchmark)' },
  'ping-interval-ms': { type: 'string', description: 'WebSocket ping interval (default 15000, as the host)' },
  'idle-timeout-ms': { type: 'string', description: 'sockets silent this long are dropped (default 30000)' },
  'full-updates': { type: 'boolean', description: 'send full TransactionUpdates to other subscribers (default: light ones)' },
};

function milliseconds(flags: SandboxOptions['flags'], name: string): number | undefined {
  const raw = flags?.[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${String(raw)}`);
  return value;
}

export function startSandbox(options: SandboxOptions = {}) {
  const flags = options.flags;
  return startSpacetimeSandbox({
    port: options.port,
    host: options.host,
    database: typeof flags?.database === 'string' ? flags.database : undefined,
    pingIntervalMs: milliseconds(flags, 'ping-interval-ms'),
    idleTimeoutMs: milliseconds(flags, 'idle-timeout-ms'),
    lightUpdates: flags?.['full-updates'] !== true,
  });
}

export function describeWork(target: RunningTarget): string {
  const { committed } = (target as SpacetimeSandbox).counts();
  return `the sandbox committed ${committed.increment} increments, ${committed.create_message} messages, ${committed.create_user} users`;
}
