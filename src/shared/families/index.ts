// Every family (system under test) this project covers. A new family: its own folders, its manifest
// file next to this one, and one line here.
import type { FamilyManifest, ScriptManifest } from '../family';
import { ingest } from './ingest';
import { payments } from './payments';
import { spacetimedb } from './spacetimedb';
import { timers } from './timers';

export const FAMILIES: readonly FamilyManifest[] = [spacetimedb, payments, timers, ingest];

/**
 * Go extensions every script can use, whatever its family: k6/x/loadgen measures the load generator's
 * health; k6/x/dataset makes deterministic rows from a schema (DATA_SCHEMA, src/lib/data.ts).
 */
export const CORE_EXTENSIONS: ReadonlyArray<NonNullable<FamilyManifest['extension']>> = [
  { dir: 'xk6-build/ext/loadgen', module: 'github.com/k6regression/xk6-loadgen', importPath: 'k6/x/loadgen' },
  { dir: 'xk6-build/ext/dataset', module: 'github.com/k6regression/xk6-dataset', importPath: 'k6/x/dataset' },
];

/** Every script of every family, with the family it belongs to. */
export const SCRIPTS: ReadonlyArray<ScriptManifest & { family: FamilyManifest }> = FAMILIES.flatMap((family) =>
  family.scripts.map((script) => ({ ...script, family })),
);

/** The manifest of a script by name; undefined for a script no family declares. */
export function scriptManifest(name: string): (ScriptManifest & { family: FamilyManifest }) | undefined {
  return SCRIPTS.find((s) => s.name === name);
}

/** The bundle a script runs in (`dist/<name>.js`) and the settings that select it there. */
export function bundleOf(script: Pick<ScriptManifest, 'name' | 'bundle'>): { name: string; env: Record<string, string> } {
  return script.bundle ?? { name: script.name, env: {} };
}

/** A family by its name or by the name of one of its scripts. */
export function findFamily(name: string): FamilyManifest | undefined {
  return FAMILIES.find((f) => f.name === name) ?? scriptManifest(name)?.family;
}
