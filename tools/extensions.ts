// The Go extensions the family manifests declare, and the Go code they share, for the k6 build and the Go checks:
//   tsx tools/extensions.ts list    one `<go module>=<folder>` line per extension (xk6-build/build.sh reads them)
//   tsx tools/extensions.ts shared  one `<go module>=<folder>` line per shared module (xk6-build/shared/*, passed to xk6 as --replace)
//   tsx tools/extensions.ts check   for each: gofmt, go vet, staticcheck (pinned in xk6-build/tool/go.mod) and go test -race
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CORE_EXTENSIONS, FAMILIES } from '../src/shared/families/index.ts';
import { PROJECT_ROOT } from './k6.ts';

/** Every extension of every family, with its folder made absolute. */
export function extensions() {
  const core = CORE_EXTENSIONS.map((ext) => ({ family: '(every script)', ...ext, path: resolve(PROJECT_ROOT, ext.dir) }));
  return [...core, ...FAMILIES.flatMap((f) => (f.extension ? [{ family: f.name, ...f.extension, path: resolve(PROJECT_ROOT, f.extension.dir) }] : []))];
}

/** The Go modules the extensions share: every folder of xk6-build/shared with a go.mod. */
export function sharedModules() {
  const root = resolve(PROJECT_ROOT, 'xk6-build/shared');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((name) => resolve(root, name))
    .filter((dir) => existsSync(resolve(dir, 'go.mod')))
    .map((path) => ({ dir: relative(PROJECT_ROOT, path), path, module: /^module (\S+)$/m.exec(readFileSync(resolve(path, 'go.mod'), 'utf8'))?.[1] ?? '' }));
}

// The checksum database is not reachable from every network this runs on: modules are verified
// against the committed go.sum files, and come over TLS from the configured GOPROXY.
const GO_ENV = { ...process.env, GOSUMDB: process.env.GOSUMDB ?? 'off', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=mod`.trim() };
const STATICCHECK = resolve(PROJECT_ROOT, 'xk6-build/.bin/staticcheck');

function run(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = GO_ENV): { ok: boolean; output: string } {
  console.log(`  ${what}`);
  const out = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (out.error) return { ok: false, output: `${command}: ${out.error.message}` };
  return { ok: out.status === 0, output: `${out.stdout}${out.stderr}` };
}

function check(): number {
  if (spawnSync('go', ['version']).error) {
    console.error('error: Go is not installed; install Go 1.26 or newer and run again (see README)');
    return 1;
  }
  // built every time from the pin (seconds once Go's build cache has it), so a changed pin is never stale
  const built = run(
    'staticcheck (pinned in xk6-build/tool/go.mod)',
    'go',
    ['build', '-o', STATICCHECK, 'honnef.co/go/tools/cmd/staticcheck'],
    resolve(PROJECT_ROOT, 'xk6-build/tool'),
  );
  if (!built.ok) {
    console.error(`✗ could not build staticcheck:\n${built.output}`);
    return 1;
  }
  let failed = 0;
  for (const ext of [...sharedModules().map((m) => ({ ...m, importPath: m.module })), ...extensions()]) {
    console.log(`${ext.importPath} (${ext.dir}):`);
    const steps: Array<[string, string, string[], (r: { ok: boolean; output: string }) => boolean]> = [
      ['gofmt -l .', 'gofmt', ['-l', '.'], (r) => r.ok && r.output.trim() === ''],
      ['go vet ./...', 'go', ['vet', './...'], (r) => r.ok],
      ['staticcheck ./...', STATICCHECK, ['./...'], (r) => r.ok],
      ['go test -race -count=1 ./...', 'go', ['test', '-race', '-count=1', './...'], (r) => r.ok],
    ];
    for (const [what, command, args, passed] of steps) {
      const result = run(what, command, args, ext.path);
      if (passed(result)) continue;
      failed += 1;
      const hint = command === 'gofmt' ? ' (these files need gofmt -w)' : '';
      console.error(`✗ ${what} failed in ${ext.dir}${hint}:\n${result.output}`);
    }
    if (failed === 0) console.log('  ok');
  }
  return failed === 0 ? 0 : 1;
}

const command = process.argv[2];
if (command === 'list') {
  for (const ext of extensions()) console.log(`${ext.module}=${ext.path}`);
} else if (command === 'shared') {
  for (const mod of sharedModules()) console.log(`${mod.module}=${mod.path}`);
} else if (command === 'check') {
  process.exitCode = check();
} else {
  console.error('usage: tsx tools/extensions.ts list|shared|check');
  process.exitCode = 2;
}
