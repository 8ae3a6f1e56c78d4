// Starts a sandbox target from the command line and keeps it up until Ctrl-C:
//   npx tsx tools/sandbox/serve.ts health [--port 8080]
import { parseArgs } from 'node:util';
import { SANDBOX_TARGETS, type SandboxName } from './targets.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '0' } } });
const name = positionals[0] as SandboxName | undefined;
if (!name || !(name in SANDBOX_TARGETS)) {
  console.error(`usage: serve.ts <${Object.keys(SANDBOX_TARGETS).join('|')}> [--port N]`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer from 0 to 65535, got ${values.port}`);
  process.exit(2);
}
const target = await SANDBOX_TARGETS[name](port);
console.log(`${name} sandbox listening on ${target.url} (stats: ${target.url}/__sandbox/stats)`);
const stop = () => void target.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
