// `k6-suite <family> <command>`: the family's own commands, from the Node module its manifest names
// (`cli`), imported only when the family's command runs. The CLI names no family: it loops over the
// manifests.
import { Command } from 'commander';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FamilyManifest } from '../../src/shared/family.ts';
import { PROJECT_ROOT } from '../k6.ts';

/** What a family's CLI module exports. */
export interface FamilyCliModule {
  /** Adds the family's commands (and its description) to `command`, whose name is `k6-suite <family>`. */
  registerCommands(command: Command): void;
}

/** Loads a family's CLI module (its manifest's `cli`). */
export async function loadFamilyCli(family: FamilyManifest & { cli: string }): Promise<FamilyCliModule> {
  const module = (await import(pathToFileURL(resolve(PROJECT_ROOT, family.cli)).href)) as Partial<FamilyCliModule>;
  if (typeof module.registerCommands !== 'function') throw new Error(`${family.cli} (the ${family.name} commands) does not export registerCommands()`);
  return module as FamilyCliModule;
}

/**
 * The family's commands as a program of their own, `k6-suite <family>`: errors and help throw
 * commander's errors (exitOverride) like the main program's.
 */
export async function familyProgram(family: FamilyManifest & { cli: string }): Promise<Command> {
  const command = new Command(`k6-suite ${family.name}`).showHelpAfterError().exitOverride();
  (await loadFamilyCli(family)).registerCommands(command);
  return command;
}

/**
 * Registers `k6-suite <family> [command...]` for every family that declares CLI commands: the rest of
 * the command line goes, unparsed, to the family's own program (so `k6-suite <family> --help` lists them).
 */
export function addFamilyCommands(program: Command, families: readonly FamilyManifest[]): void {
  for (const family of families) {
    const cli = family.cli;
    if (!cli) continue;
    program
      .command(family.name)
      .description(`the ${family.name} family's own commands (k6-suite ${family.name} --help lists them)`)
      .argument('[command...]', 'the command, its arguments and options')
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async (args: string[]) => {
        const own = await familyProgram({ ...family, cli });
        await own.parseAsync(args, { from: 'user' });
      });
  }
}
