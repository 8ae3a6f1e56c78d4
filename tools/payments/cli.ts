// `k6-suite payments <command>` (the payments manifest's `cli`): merchant pools for MERCHANT_POOL.
//   k6-suite payments provision --count N --file pool.json [--target URL] [--prefix k6pool]
//   k6-suite payments provision --cleanup --file pool.json [--target URL]
// Exit codes: 0 done; 1 a step failed (one line naming the step, the merchant and the HTTP status; the
// pool file holds only complete merchants; or the router has a merchant of the prefix that this pool did not
// make: nothing changed); usage errors (commander's, or --cleanup with --count) as the main program's (2).
import { type Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { cleanup, MAX_COUNT, PoolError, PREFIX_PATTERN, provision } from './provision.ts';

/** The defaults dist/payments.js uses too (PAYMENTS_RULES): the reference loadtest's admin key, its connector. */
const DEFAULTS = { target: 'http://127.0.0.1:8080', adminKey: 'test_admin', connector: 'stripe', connectorApiKey: 'sandbox_connector_key' };

function whole(min: number, max: number) {
  return (raw: string) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

function targetUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError('an absolute http(s) URL, e.g. http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('an http:// or https:// URL');
  return raw.replace(/\/+$/, '');
}

/** TARGET_URL as the default of --target (a usage error, exit 2, when it is not a URL). */
function envTarget(raw: string): string {
  try {
    return targetUrl(raw);
  } catch (error) {
    throw new Error(`TARGET_URL is not valid (${(error as Error).message}): fix it, or pass --target`);
  }
}

function prefixArg(raw: string): string {
  if (!PREFIX_PATTERN.test(raw)) throw new InvalidArgumentError('1-40 letters, digits, "_" or "-" (ids are <prefix>_0001, ...)');
  return raw;
}

interface ProvisionFlags {
  count?: number;
  file: string;
  target?: string;
  prefix: string;
  connector?: string;
  timeout: number;
  cleanup?: boolean;
}

export function registerCommands(command: Command): void {
  command.description('the payments family (Hyperswitch, seed 003): merchant pools for MERCHANT_POOL');
  command
    .command('provision')
    .description(
      'create N merchants (account, API key, connector, routing) and write them to a pool file for MERCHANT_POOL; a rerun resumes; --cleanup deletes them',
    )
    .requiredOption('--file <path>', "the pool file: JSON [{merchant_id, api_key, profile_id}], mode 0600 (it holds the merchants' API keys)")
    .option('--count <n>', `how many merchants the pool holds (1-${MAX_COUNT}); not with --cleanup`, whole(1, MAX_COUNT))
    .option('--target <url>', `the router (default: $TARGET_URL, else ${DEFAULTS.target})`, targetUrl)
    .option('--prefix <prefix>', 'merchant ids are <prefix>_0001, <prefix>_0002, ...', prefixArg, 'k6pool')
    .option('--connector <name>', `the connector every merchant gets (default: $CONNECTOR, else ${DEFAULTS.connector})`)
    .option('--timeout <ms>', 'per request', whole(1, 600_000), 30_000)
    .option(
      '--cleanup',
      "delete every merchant of the file on the router (404: already gone) and the one an interrupted run left half-made (the file's journal names it), then the file and the journal",
    )
    .addHelpText(
      'after',
      `
Environment (secrets are read from it only, never printed):
  ADMIN_API_KEY      the router's admin key (default ${DEFAULTS.adminKey}, the reference loadtest's)
  CONNECTOR_API_KEY  the connector's key (default ${DEFAULTS.connectorApiKey})
  TARGET_URL, CONNECTOR  defaults of --target and --connector

A rerun resumes: merchants already in the file are kept. Before creating a merchant the command notes
its id in a journal next to the file (.<file name>.pending, no key in it); the merchant the journal names,
when the router has it but the file does not (an interrupted run), is deleted and created again. Any
other <prefix>_NNNN the router has but the file does not (another pool with the same --prefix, or one
made by hand) stops the command before it changes anything (exit 1): use another --prefix. Only the
merchants of the file and of its journal are ever deleted. Exit 1 when a step fails: the message names
the step, the merchant and the HTTP status, and the file holds only complete merchants.`,
    )
    .action(async (flags: ProvisionFlags) => {
      const env = process.env;
      const common = {
        file: resolve(flags.file),
        target: flags.target ?? envTarget(env.TARGET_URL?.trim() || DEFAULTS.target),
        adminKey: env.ADMIN_API_KEY || DEFAULTS.adminKey,
        timeoutMs: flags.timeout,
      };
      try {
        if (flags.cleanup) {
          if (flags.count !== undefined)
            throw new Error(
              '--cleanup takes no --count: it deletes the merchants of the file and the one an interrupted run left half-made, ' +
                'which it knows from the journal next to the file (.<file name>.pending), never other merchants of the prefix',
            );
          await cleanup(common);
          return;
        }
        if (flags.count === undefined) throw new Error('provision needs --count <n> (or --cleanup)');
        const connector = (flags.connector ?? env.CONNECTOR?.trim()) || DEFAULTS.connector;
        await provision({
          ...common,
          count: flags.count,
          prefix: flags.prefix,
          connector: { connector, connectorApiKey: env.CONNECTOR_API_KEY || DEFAULTS.connectorApiKey },
        });
      } catch (error) {
        if (!(error instanceof PoolError)) throw error;
        console.error(`k6-suite payments provision: ${error.message}`);
        process.exitCode = 1;
      }
    });
}
