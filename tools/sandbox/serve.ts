// The one command that starts a sandbox target and keeps it up until Ctrl-C:
//   npx tsx tools/sandbox/serve.ts <family or script> [--port 8080] [--host 127.0.0.1] [family flags]
// It serves /__sandbox/stats (the requests it counted) and /__sandbox/faults (latency, failure and drop injection).
import { parseArgs } from 'node:util';
import { FAMILIES, findFamily } from '../../src/shared/families/index.ts';
import { loadSandbox } from './sandbox.ts';

const usage = () => {
  const names = FAMILIES.map((f) => `${f.name} (${f.scripts.map((s) => s.name).join(', ')})`).join(', ');
  return `usage: serve.ts <family or script> [--port N] [--host H] [family flags]; families: ${names}`;
};

const name = process.argv[2];
if (name === '--help' || name === '-h') {
  console.log(usage());
  process.exit(0);
}
const family = name ? findFamily(name) : undefined;
if (!family) {
  console.error(usage());
  process.exit(2);
}
const sandbox = await loadSandbox(family);
const own = Object.fromEntries(Object.entries(sandbox.sandboxFlags ?? {}).map(([flag, { type }]) => [flag, { type }]));
let values: Record<string, string | boolean | undefined>;
try {
  values = parseArgs({
    args: process.argv.slice(3),
    options: { ...own, port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
  }).values;
} catch (error) {
  const flags = Object.entries(sandbox.sandboxFlags ?? {}).map(([flag, { description }]) => `  --${flag}: ${description}`);
  console.error(`${(error as Error).message}\n${usage()}${flags.length ? `\n${family.name} flags:\n${flags.join('\n')}` : ''}`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer from 0 to 65535, got ${String(values.port)}`);
  process.exit(2);
}
const { port: _port, host, ...flags } = values;
let target: Awaited<ReturnType<typeof sandbox.startSandbox>>;
try {
  target = await sandbox.startSandbox({ port, host: String(host), flags });
} catch (error) {
  console.error(`${family.name} sandbox did not start: ${(error as Error).message}`);
  process.exit(2);
}
console.log(`${family.name} sandbox listening on ${target.url} (stats: ${target.url}/__sandbox/stats)`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  target.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
