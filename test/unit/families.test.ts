// Every family manifest entry is complete (its script, sandbox, gate metrics, dashboard row, nightly
// job, benchmark and Go extension exist and agree), and the runtime boundary holds in the tree.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILIES, SCRIPTS, bundleOf } from '../../src/shared/families/index';
import { familyProgram } from '../../tools/cli/family';
import { buildDashboard, familyRow } from '../../tools/dashboard/generate';
import { PROJECT_ROOT } from '../../tools/k6';
import { loadSandbox } from '../../tools/sandbox/sandbox';

const root = (path: string) => resolve(PROJECT_ROOT, path);

describe('family manifests', () => {
  it('names families and scripts once each', () => {
    const families = FAMILIES.map((f) => f.name);
    const scripts = SCRIPTS.map((s) => s.name);
    expect(new Set(families).size).toBe(families.length);
    expect(new Set(scripts).size).toBe(scripts.length);
    for (const name of [...families, ...scripts]) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it.each(SCRIPTS.map((s) => [s.name, s] as const))('script %s: its entry point, gate metrics and nightly job', (name, script) => {
    const bundle = bundleOf(script).name;
    expect(existsSync(root(`src/scenarios/${bundle}.ts`)), `src/scenarios/${bundle}.ts`).toBe(true);
    if (script.bundle) expect(Object.keys(script.bundle.env).length, `${name} is selected in dist/${bundle}.js by its env`).toBeGreaterThan(0);
    for (const metric of Object.values(script.gate)) expect(metric).toMatch(/^[a-z_]+$/);
    expect(Object.keys(script.gate).sort()).toEqual(['errors', 'latency', 'throughput']);
    expect(script.nightly.env).toBeTypeOf('object');
  });

  it.each(FAMILIES.map((f) => [f.name, f] as const))('family %s: its sandbox starts, stops and is pointed at by its env', async (_name, family) => {
    const sandbox = await loadSandbox(family);
    const target = await sandbox.startSandbox();
    try {
      expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const served = await fetch(`${target.url}/__sandbox/stats`);
      expect(served.status).toBe(200);
    } finally {
      await target.close();
    }
    expect(Object.keys(family.sandbox.env).length).toBeGreaterThan(0);
    // the sandbox's address goes in through the templates; other values are the sandbox's fixed settings (its token, say)
    expect(Object.values(family.sandbox.env).some((value) => /\{(url|host|port)\}/.test(value))).toBe(true);
    expect(family.scripts.map((s) => s.name)).toContain(family.demo.script);
  });

  it.each(FAMILIES.map((f) => [f.name, f] as const))('family %s: its dashboard row is in the generated dashboard', (_name, family) => {
    const titles = (buildDashboard().panels as Array<{ type: string; title: string }>).map((p) => `${p.type}:${p.title}`);
    expect(titles).toContain(`row:${familyRow(family).title}`);
    expect(familyRow(family).panels.length).toBeGreaterThan(0);
    for (const panel of familyRow(family).panels) expect(titles).toContain(`timeseries:${panel.title}`);
  });

  it.each(FAMILIES.map((f) => [f.name, f] as const))('family %s: its benchmark module, CLI commands and Go extension exist', async (_name, family) => {
    if (family.bench) expect(existsSync(root(family.bench)), family.bench).toBe(true);
    if (family.cli) {
      const program = await familyProgram({ ...family, cli: family.cli });
      expect(program.commands.length, `${family.cli} registers commands`).toBeGreaterThan(0);
    }
    const ext = family.extension;
    if (!ext) return;
    expect(readFileSync(root(`${ext.dir}/go.mod`), 'utf8')).toMatch(new RegExp(`^module ${ext.module.replaceAll('.', '\\.')}$`, 'm'));
    expect(readFileSync(root(`${ext.dir}/index.d.ts`), 'utf8')).toContain(`declare module '${ext.importPath}'`);
  });
});

/** Every .ts/.js file below a folder (relative to the project root). */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(name)) out.push(relative(PROJECT_ROOT, path));
    }
  };
  walk(root(dir));
  return out;
}

/** The project-relative targets of a file's relative imports, and its bare (package/builtin) imports. */
function importsOf(file: string): { local: string[]; bare: string[] } {
  const text = readFileSync(root(file), 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2]);
  return {
    local: specs.filter((s) => s.startsWith('.')).map((s) => relative(PROJECT_ROOT, resolve(root(file), '..', s))),
    bare: specs.filter((s) => !s.startsWith('.')),
  };
}

describe('the runtime boundary', () => {
  it('code inside k6 (src/scenarios, src/lib, src/profiles) imports only k6 modules and src/', () => {
    for (const file of ['src/scenarios', 'src/lib', 'src/profiles'].flatMap(sources)) {
      const { local, bare } = importsOf(file);
      for (const target of local) expect(target, file).toMatch(/^src\//);
      for (const spec of bare) expect(spec, file).toMatch(/^k6(\/|$)/);
    }
  });

  it('shared code (src/shared) is pure: it imports only src/shared', () => {
    for (const file of sources('src/shared')) {
      const { local, bare } = importsOf(file);
      for (const target of local) expect(target, file).toMatch(/^src\/shared\//);
      expect(bare, file).toEqual([]);
    }
  });

  it('Node tooling (tools/) never imports test/ or the k6-side code', () => {
    for (const file of sources('tools')) {
      for (const target of importsOf(file).local) {
        expect(target, file).not.toMatch(/^test\//);
        expect(target, file).not.toMatch(/^src\/(lib|scenarios|profiles)\//);
      }
    }
  });
});

describe('the import scanner the boundary tests rely on', () => {
  it('finds single- and multi-line imports', () => {
    const cli = importsOf('tools/cli/main.ts');
    expect(cli.local).toEqual(expect.arrayContaining(['src/shared/result.ts', 'tools/k6.ts']));
    expect(cli.bare).toEqual(expect.arrayContaining(['commander', 'node:fs']));
  });
});
