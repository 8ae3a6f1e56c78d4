// The lint step fails on a seeded style error: Biome for TypeScript, gofmt for Go (in a temp copy).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../tools/k6.ts';

const copy = mkdtempSync(join(tmpdir(), 'k6-lint-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('lint', () => {
  it('Biome passes on the tree and fails on a seeded style error in a copy', () => {
    for (const item of ['biome.jsonc', 'src', 'tools']) cpSync(join(PROJECT_ROOT, item), join(copy, item), { recursive: true });
    const biome = join(PROJECT_ROOT, 'node_modules/.bin/biome');
    const clean = spawnSync(biome, ['check', '--vcs-enabled=false', '.'], { cwd: copy, encoding: 'utf8' });
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    const file = join(copy, 'src/shared/format.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("if (ms === 0) return '0 ms';", 'if (ms === 0) return "0 ms"'));
    const seeded = spawnSync(biome, ['check', '--vcs-enabled=false', '.'], { cwd: copy, encoding: 'utf8' });
    expect(seeded.status).not.toBe(0);
    expect(seeded.stdout + seeded.stderr).toContain('src/shared/format.ts');
  });

  it('gofmt finds a seeded style error in a copy of the extension', () => {
    const ext = join(copy, 'ext');
    cpSync(join(PROJECT_ROOT, 'xk6-build/ext/spacetimedb'), ext, { recursive: true });
    expect(spawnSync('gofmt', ['-l', '.'], { cwd: ext, encoding: 'utf8' }).stdout).toBe('');
    const file = join(ext, 'client.go');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n\t/, '\n    '));
    expect(spawnSync('gofmt', ['-l', '.'], { cwd: ext, encoding: 'utf8' }).stdout.trim()).toBe('client.go');
  });
});
