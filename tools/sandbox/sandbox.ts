// The contract every family's sandbox module (named in its manifest: `sandbox.module`) fulfils, and
// the Node-side helpers that start one and point a script at it.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FamilyManifest, TargetEnv } from '../../src/shared/family.ts';
import { PROJECT_ROOT } from '../k6.ts';
import type { RunningTarget } from './http-target.ts';

export interface SandboxOptions {
  /** 0 or unset: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The family's own `--name value` flags from the serve command (see its `sandboxFlags`). */
  flags?: Record<string, string | boolean | undefined>;
}

/** What a sandbox module exports. */
export interface SandboxModule {
  startSandbox(options?: SandboxOptions): Promise<RunningTarget>;
  /** Its own serve flags, in node:util parseArgs form, with a description each. */
  sandboxFlags?: Record<string, { type: 'string' | 'boolean'; description: string }>;
  /** One line saying what the target did, for the demo (default: the requests it served, by route). */
  describeWork?(target: RunningTarget): string;
}

/** Loads a family's sandbox module (Node only). */
export async function loadSandbox(family: FamilyManifest): Promise<SandboxModule> {
  const module = (await import(pathToFileURL(resolve(PROJECT_ROOT, family.sandbox.module)).href)) as Partial<SandboxModule>;
  if (typeof module.startSandbox !== 'function') {
    throw new Error(`${family.sandbox.module} (the ${family.name} sandbox) does not export startSandbox()`);
  }
  return module as SandboxModule;
}

/** Starts a family's sandbox on 127.0.0.1. */
export async function startFamilySandbox(family: FamilyManifest, options: SandboxOptions = {}): Promise<RunningTarget> {
  return (await loadSandbox(family)).startSandbox(options);
}

/** What a running sandbox did, in one line. */
export function describeWork(sandbox: SandboxModule, target: RunningTarget): string {
  if (sandbox.describeWork) return sandbox.describeWork(target);
  const served = Object.entries(target.stats().served).map(([route, n]) => `${n} ${route} request${n === 1 ? '' : 's'}`);
  return `the sandbox served ${served.join(', ') || 'no request'}`;
}

/** The variables that point a script of the family at a running target (the manifest's templates filled in). */
export function targetEnv(template: TargetEnv, target: Pick<RunningTarget, 'url' | 'port'>): Record<string, string> {
  const host = new URL(target.url).hostname;
  const fill = (value: string) => value.replaceAll('{url}', target.url).replaceAll('{host}', host).replaceAll('{port}', String(target.port));
  return Object.fromEntries(Object.entries(template).map(([name, value]) => [name, fill(value)]));
}
