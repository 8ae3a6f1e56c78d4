// Merchant pools of the payments family: `k6-suite payments provision` creates merchants on the router
// (the same admin steps as dist/payments.js's setup: src/shared/payments/merchant-setup.ts) and writes
// them to a pool file for MERCHANT_POOL; `--cleanup` deletes them.
//
// Resuming: merchant ids are deterministic (`<prefix>_0001`, ...), the file is rewritten atomically
// (temp file in the same directory, fsync, rename; mode 0600) after each complete merchant, so it only
// ever holds complete merchants; a temp file a killed run left is removed by the next run (one run per
// pool file at a time). A rerun keeps and skips the merchants already in the file. A merchant
// that exists on the router but not in the file (the process died between creating it and writing the
// file, or a step failed half-way) is deleted (DELETE /accounts/{id}, which also revokes its keys) and
// created again from scratch: its API key was never saved, and it may lack its connector or routing.
//
// Secrets: the admin key and the connector key come from the environment only; neither they nor a
// merchant key is ever printed (every message goes through scrub()).
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  deleteAccountRequest,
  describeFailure,
  getAccountRequest,
  merchantSetup,
  succeeded,
  type AdminRequest,
  type ConnectorSettings,
  type Merchant,
} from '../../src/shared/payments/merchant-setup.ts';
import { checkPool, entryOfMerchant, POOL_FORMAT, type PoolEntry } from '../../src/shared/payments/pool.ts';

/** A failure the command reports as one line (exit 1): it names the step, the merchant and the status, never a key. */
export class PoolError extends Error {}

export interface PoolOptions {
  /** The pool file. */
  file: string;
  /** The router's base URL, without a trailing slash. */
  target: string;
  /** The admin API key (a secret). */
  adminKey: string;
  /** Per request, in ms. */
  timeoutMs: number;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface ProvisionOptions extends PoolOptions {
  /** How many merchants `<prefix>_0001`... the pool holds. */
  count: number;
  prefix: string;
  connector: ConnectorSettings;
}

export interface CleanupOptions extends PoolOptions {
  /** Also delete the leftovers `<prefix>_0001`..`<prefix>_<count>` that are on the router but not in the file. */
  sweep?: { count: number; prefix: string };
}

/** Merchant ids the pool provisioner may use as a prefix: with `_` and the number they stay within 64 characters. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
/** At most this many merchants per pool. */
export const MAX_COUNT = 10_000;

/** The n-th merchant id (from 1) of a pool: `<prefix>_0001`. */
export const poolMerchantId = (prefix: string, n: number) => `${prefix}_${String(n).padStart(4, '0')}`;

/** `text` with every secret (4+ characters) replaced. */
function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Reads a pool file: [] when it does not exist; PoolError when it is not a valid pool (the file is left as it is). */
export function readPoolFile(file: string): PoolEntry[] {
  if (!existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PoolError(`the pool file ${file} cannot be read as JSON (${(error as Error).message}): fix it, or name another --file (it is left as it is)`);
  }
  const { entries, problems } = checkPool(data);
  if (problems.length > 0)
    throw new PoolError(`the pool file ${file} is not ${POOL_FORMAT}: ${problems.join(', ')}; fix it, or name another --file (it is left as it is)`);
  return entries;
}

/** The temp file a run writes the pool to before the rename (hidden, next to the file). */
const tempPrefix = (file: string) => `.${basename(file)}.tmp-`;

/**
 * Removes the temp files a killed run may have left next to the pool file (they hold keys). One run
 * per pool file at a time: a concurrent run's temp file would go too.
 */
function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  for (const name of readdirSync(dir)) if (name.startsWith(tempPrefix(file))) rmSync(join(dir, name), { force: true });
}

/** Replaces the pool file atomically: a temp file in the same directory (mode 0600, fsynced), then a rename. */
export function writePoolFile(file: string, entries: readonly PoolEntry[]): void {
  const temp = join(dirname(file), `${tempPrefix(file)}${process.pid}`);
  try {
    rmSync(temp, { force: true }); // a leftover of this pid would keep its mode
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entries, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** One admin request; status 0 with the reason when there was no answer. */
async function call(o: PoolOptions, req: AdminRequest): Promise<{ status: number; body: string; error?: string }> {
  try {
    const res = await fetch(`${o.target}${req.path}`, {
      method: req.method,
      headers: { 'content-type': 'application/json', 'api-key': o.adminKey },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (e.cause?.message ?? e.cause?.code ?? e.message);
    return { status: 0, body: '', error: reason };
  }
}

/** What to check for a failed status. */
function hint(status: number): string {
  if (status === 0) return '; is the router up at --target (or TARGET_URL)?';
  if (status === 401) return '; check ADMIN_API_KEY';
  return '';
}

/** The failure line of a step: `merchant <id>: <step> (<method> <path>) failed: <status>`. */
const failure = (id: string, req: AdminRequest, res: { status: number; body: string; error?: string }) =>
  `merchant ${id}: ${req.step} (${req.method} ${req.path}) failed: ${describeFailure(res.status, res.body, res.error)}${hint(res.status)}`;

/** Sends a request that must succeed; its parsed answer, else PoolError. */
async function must(o: PoolOptions, id: string, req: AdminRequest): Promise<unknown> {
  const res = await call(o, req);
  if (!succeeded(res.status)) throw new PoolError(failure(id, req, res));
  try {
    return res.body === '' ? {} : JSON.parse(res.body);
  } catch {
    throw new PoolError(`merchant ${id}: ${req.step} (${req.method} ${req.path}) answered ${res.status} with a body that is not JSON`);
  }
}

/** Whether a merchant exists on the router (GET /accounts/{id}: 200 or 404). */
async function exists(o: PoolOptions, id: string): Promise<boolean> {
  const req = getAccountRequest(id);
  const res = await call(o, req);
  if (res.status === 404) return false;
  if (succeeded(res.status)) return true;
  throw new PoolError(failure(id, req, res));
}

/** Creates one merchant (account, API key, connector, routing); a half-made one is deleted again (best effort). */
async function createMerchant(o: ProvisionOptions, id: string): Promise<PoolEntry> {
  const steps = merchantSetup(id, o.connector);
  let next = steps.next();
  let created = false;
  try {
    while (!next.done) {
      const answer = await must(o, id, next.value);
      created = true; // the first step (the account) succeeded
      next = steps.next(answer);
    }
    if ('problem' in next.value) throw new PoolError(next.value.problem);
  } catch (error) {
    if (!created || !(error instanceof PoolError)) throw error;
    const res = await call(o, deleteAccountRequest(id));
    const undone = succeeded(res.status) || res.status === 404;
    throw new PoolError(
      `${error.message} (${undone ? 'the incomplete merchant was deleted again' : `the incomplete merchant is left on the router: the next run deletes it`})`,
    );
  }
  return entryOfMerchant((next.value as { merchant: Merchant }).merchant);
}

/**
 * Provisions the pool: the merchants `<prefix>_0001`..`<prefix>_<count>` that are not in the file yet are
 * created and added to it one by one (see the header for resuming). Throws PoolError naming the step, the
 * merchant and the status; the file then holds the complete merchants made so far.
 */
export async function provision(o: ProvisionOptions): Promise<{ created: string[]; kept: string[]; replaced: string[] }> {
  const log = o.log ?? console.log;
  const dir = dirname(o.file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PoolError(`the directory of --file ${o.file} does not exist`);
  removeStaleTemps(o.file);
  const entries = readPoolFile(o.file);
  const secrets = new Set([o.adminKey, o.connector.connectorApiKey, ...entries.map((e) => e.api_key)]);
  const ids = Array.from({ length: o.count }, (_, i) => poolMerchantId(o.prefix, i + 1));
  const inFile = new Set(entries.map((e) => e.merchant_id));
  const kept = ids.filter((id) => inFile.has(id));
  const missing = ids.filter((id) => !inFile.has(id));
  const others = entries.length - kept.length;
  log(
    `${o.file}: ${kept.length} of ${o.count} merchants already there${others ? ` (and ${others} other merchant${others === 1 ? '' : 's'}, kept)` : ''}` +
      (missing.length ? `; creating ${missing.length} on ${o.target.replace(/(\/\/[^/@:]*:)[^/@]+@/, '$1[redacted]@')}` : '; nothing to create'),
  );
  const created: string[] = [];
  const replaced: string[] = [];
  try {
    for (const id of missing) {
      if (await exists(o, id)) {
        await must(o, id, deleteAccountRequest(id));
        replaced.push(id);
        log(`merchant ${id} was on the router but not in the file (an interrupted run): deleted, creating it again`);
      }
      const entry = await createMerchant(o, id);
      secrets.add(entry.api_key);
      entries.push(entry);
      writePoolFile(o.file, entries);
      created.push(id);
      log(`merchant ${id} created (${kept.length + created.length}/${o.count})`);
    }
  } catch (error) {
    if (!(error instanceof PoolError)) throw error;
    const done = kept.length + created.length;
    const file = existsSync(o.file) ? `${o.file} holds ${done} of the ${o.count} merchants, complete ones only` : `${o.file} was not written`;
    throw new PoolError(scrub(`${error.message}; ${file}: run the command again to resume`, secrets));
  }
  if (created.length) log(`${o.file}: ${o.count} merchants (${created.length} created, ${kept.length} kept); use it with MERCHANT_POOL=${o.file}`);
  return { created, kept, replaced };
}

/**
 * Deletes the pool's merchants on the router (404: already gone), then removes the file. When some
 * cannot be deleted, the file is rewritten with only those, and PoolError names them.
 */
export async function cleanup(o: CleanupOptions): Promise<{ deleted: string[]; gone: string[] }> {
  const log = o.log ?? console.log;
  if (existsSync(dirname(o.file))) removeStaleTemps(o.file);
  const entries = readPoolFile(o.file);
  const secrets = new Set([o.adminKey, ...entries.map((e) => e.api_key)]);
  const inFile = new Set(entries.map((e) => e.merchant_id));
  const leftovers = o.sweep ? Array.from({ length: o.sweep.count }, (_, i) => poolMerchantId(o.sweep!.prefix, i + 1)).filter((id) => !inFile.has(id)) : [];
  if (!existsSync(o.file) && leftovers.length === 0) {
    log(`${o.file} does not exist: no merchant to delete`);
    return { deleted: [], gone: [] };
  }
  const deleted: string[] = [];
  const gone: string[] = [];
  let leftoversDeleted = 0;
  const failed: Array<{ entry: PoolEntry; why: string }> = [];
  let stop: string | undefined;
  for (const entry of entries) {
    if (stop) {
      failed.push({ entry, why: 'not tried' });
      continue;
    }
    const req = deleteAccountRequest(entry.merchant_id);
    const res = await call(o, req);
    if (succeeded(res.status)) deleted.push(entry.merchant_id);
    else if (res.status === 404) gone.push(entry.merchant_id);
    else {
      const why = failure(entry.merchant_id, req, res);
      failed.push({ entry, why });
      // the same answer for every merchant: stop at the first
      if (res.status === 0 || res.status === 401) stop = why;
    }
  }
  for (const id of stop ? [] : leftovers) {
    const req = deleteAccountRequest(id);
    const res = await call(o, req);
    if (succeeded(res.status)) {
      deleted.push(id);
      leftoversDeleted++;
      log(`merchant ${id} (on the router, not in the file) deleted`);
    } else if (res.status !== 404) stop = failure(id, req, res);
  }
  if (failed.length > 0) {
    // the file keeps the merchants still on the router (untouched when none of its merchants is gone)
    const rewrite = deleted.length - leftoversDeleted + gone.length > 0;
    if (rewrite)
      writePoolFile(
        o.file,
        failed.map((f) => f.entry),
      );
    const names = failed.map((f) => f.entry.merchant_id).join(', ');
    const file = rewrite ? `${o.file} now holds only ${failed.length === 1 ? 'it' : 'them'}` : `${o.file} is left as it was`;
    throw new PoolError(scrub(`${stop ?? failed.map((f) => f.why).join('; ')}; not deleted: ${names}; ${file}: run --cleanup again`, secrets));
  }
  if (stop) throw new PoolError(scrub(stop, secrets));
  const hadFile = existsSync(o.file);
  rmSync(o.file, { force: true });
  log(
    `deleted ${deleted.length} merchant${deleted.length === 1 ? '' : 's'}${gone.length ? ` (${gone.length} already gone)` : ''}${hadFile ? `; removed ${o.file}` : ''}`,
  );
  return { deleted, gone };
}
