// Runs the SpacetimeDB sandbox on its own: npx tsx tools/sandbox/spacetimedb/main.ts --port 3000
//   [--database benchmark] [--host 127.0.0.1] [--ping-interval-ms 15000] [--idle-timeout-ms 30000] [--full-updates]
import { startSpacetimeSandbox } from './server.ts';

function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

function numberFlag(name: string): number | undefined {
  const raw = flag(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const sandbox = await startSpacetimeSandbox({
  port: numberFlag('port') ?? 3000,
  host: flag('host'),
  database: flag('database'),
  pingIntervalMs: numberFlag('ping-interval-ms'),
  idleTimeoutMs: numberFlag('idle-timeout-ms'),
  lightUpdates: !process.argv.includes('--full-updates'),
});
process.stdout.write(`SpacetimeDB sandbox: ${sandbox.url} (database "${sandbox.database}", ws ${sandbox.subscribeUrl})\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: stopping\n`);
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
