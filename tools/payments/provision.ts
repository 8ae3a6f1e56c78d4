// Merchant pools of the payments family: `k6-suite payments provision` creates merchants on the router
// (the same admin steps as dist/payments.js's setup: src/shared/payments/merchant-setup.ts) and writes
// them to a pool file for MERCHANT_POOL; `--cleanup` deletes them.
//
// Resuming: merchant ids are deterministic (`<prefix>_0001`, ...), the file is rewritten atomically
// (temp file in the same directory, fsync, rename; mode 0600) after each complete merchant, so it only
// ever holds complete merchants; a temp file a killed run left is removed by the next run (one run per
// pool file at a time). A rerun keeps and skips the merchants already in the file.
//
// Only a merchant the provisioner can prove it made is ever deleted. Before it creates a merchant, a run
// writes the id to a journal next to the pool file (`.<file name>.pending`: JSON {"merchant_id"}, no
// secret, written atomically too); the journal goes once the pool file holding that merchant is written,
// or once the half-made merchant was deleted again. A rerun deletes (DELETE /accounts/{id}, which also
// revokes its keys) the merchant the journal names when the router has it and the file does not (the
// process died between creating it and writing the file, or a failed step could not delete it again),
// and creates it from scratch: its API key was never saved, and it may lack its connector or routing.
// Any other `<prefix>_NNNN` the router has but the file does not (another pool with the same prefix, or
// a merchant made by hand) stops the run before it changes anything (PoolError, exit 1).
// `--cleanup` deletes the file's merchants and the journal's one, then the file and the journal.
//
// Secrets: the admin key and the connector key come from the environment only; neither they nor a
// merchant key is ever printed (every message goes through scrub()).
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  deleteAccountRequest,
  describeFailure,
  getAccountRequest,
  MERCHANT_ID_PATTERN,
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

/**
 * Where JSON.parse stopped, for a message: ` at line L, column C` when its error message gives the
 * position, else ''. Never the text around it: V8 quotes part of the file, which may be part of a key.
 */
function jsonErrorPlace(message: string, text: string): string {
  const at = /\bat position (\d+)/.exec(message);
  if (/unexpected end of json input/i.test(message) || (at && Number(at[1]) >= text.length)) return ' (it ends before the JSON is complete)';
  if (at) {
    const before = text.slice(0, Number(at[1]));
    return ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
  }
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  return lineColumn ? ` at line ${lineColumn[1]}, column ${lineColumn[2]}` : '';
}

/** Reads a pool file: [] when it does not exist; PoolError when it is not a valid pool (the file is left as it is). */
export function readPoolFile(file: string): PoolEntry[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new PoolError(`the pool file ${file} cannot be read (${e.code ?? e.message}): fix it, or name another --file`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // the position only: the parser's message quotes the file, which holds keys
    throw new PoolError(
      `the pool file ${file} is not valid JSON${jsonErrorPlace((error as Error).message, text)}: fix it, or name another --file (it is left as it is)`,
    );
  }
  const { entries, problems } = checkPool(data);
  if (problems.length > 0)
    throw new PoolError(`the pool file ${file} is not ${POOL_FORMAT}: ${problems.join(', ')}; fix it, or name another --file (it is left as it is)`);
  return entries;
}

/** The temp file a run writes the pool (or the journal) to before the rename (hidden, next to the file). */
const tempPrefix = (file: string) => `.${basename(file)}.tmp-`;

/** The journal of a pool file: the merchant a run is creating and has not written to the file yet (hidden, next to the file). */
export const journalPath = (file: string) => join(dirname(file), `.${basename(file)}.pending`);

/**
 * Removes the temp files a killed run may have left next to the pool file (they hold keys). One run
 * per pool file at a time: a concurrent run's temp file would go too.
 */
function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  for (const name of readdirSync(dir)) if (name.startsWith(tempPrefix(file))) rmSync(join(dir, name), { force: true });
}

/** Replaces `target` atomically: a temp file of the pool `file` (mode 0600, fsynced), then a rename. */
function writeAtomically(file: string, target: string, text: string, tag: string): void {
  const temp = join(dirname(file), `${tempPrefix(file)}${process.pid}${tag}`);
  try {
    rmSync(temp, { force: true }); // a leftover of this pid would keep its mode
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Replaces the pool file atomically: a temp file in the same directory (mode 0600, fsynced), then a rename. */
export function writePoolFile(file: string, entries: readonly PoolEntry[]): void {
  writeAtomically(file, file, `${JSON.stringify(entries, null, 2)}\n`, '');
}

/** Notes in the journal, before anything is sent, that this run is creating `merchantId`. */
function writeJournal(file: string, merchantId: string): void {
  writeAtomically(file, journalPath(file), `${JSON.stringify({ merchant_id: merchantId })}\n`, '-pending');
}

const removeJournal = (file: string) => rmSync(journalPath(file), { force: true });

/**
 * The merchant the journal of a pool file names (a run was creating it and may have left it half-made
 * on the router); undefined when there is no journal. PoolError when it is not {"merchant_id"} (it is left as it is).
 */
export function readJournal(file: string): string | undefined {
  const path = journalPath(file);
  if (!existsSync(path)) return undefined;
  let id: unknown;
  try {
    id = (JSON.parse(readFileSync(path, 'utf8')) as { merchant_id?: unknown } | null)?.merchant_id;
  } catch {
    id = undefined;
  }
  if (typeof id === 'string' && MERCHANT_ID_PATTERN.test(id)) return id;
  throw new PoolError(
    `the journal ${path} (the merchant an interrupted run was creating) is not {"merchant_id": "<id>"}: ` +
      'delete the half-made merchant on the router by hand if there is one, then the journal, and run the command again',
  );
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

/** A failed request: PoolError with the status (0: no answer). */
class StepError extends PoolError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Sends a request that must succeed; its parsed answer, else StepError. */
async function must(o: PoolOptions, id: string, req: AdminRequest): Promise<unknown> {
  const res = await call(o, req);
  if (!succeeded(res.status)) throw new StepError(failure(id, req, res), res.status);
  try {
    return res.body === '' ? {} : JSON.parse(res.body);
  } catch {
    throw new StepError(`merchant ${id}: ${req.step} (${req.method} ${req.path}) answered ${res.status} with a body that is not JSON`, res.status);
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

/** A merchant that could not be created; `leftOnRouter` when (part of) it may be on the router. */
class CreateError extends PoolError {
  constructor(
    message: string,
    readonly leftOnRouter: boolean,
  ) {
    super(message);
  }
}

/**
 * Creates one merchant (account, API key, connector, routing); a half-made one is deleted again (best
 * effort). Throws CreateError when a step fails.
 */
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
    if (!(error instanceof PoolError)) throw error;
    const status = error instanceof StepError ? error.status : undefined;
    // the account was made when its request succeeded (even with a body that is not JSON)
    if (!created && !(status !== undefined && succeeded(status))) {
      // refused: nothing was made; no answer: the router may have made it (the journal names it)
      throw new CreateError(error.message, status === 0);
    }
    const res = await call(o, deleteAccountRequest(id));
    const undone = succeeded(res.status) || res.status === 404;
    throw new CreateError(
      `${error.message} (${undone ? 'the incomplete merchant was deleted again' : 'the incomplete merchant is left on the router: the next run, or --cleanup, deletes it'})`,
      !undone,
    );
  }
  return entryOfMerchant((next.value as { merchant: Merchant }).merchant);
}

/** `names` for a message: the first few, then "and N more". */
function listed(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} (and ${names.length - 5} more)` : names.join(', ');
}

/**
 * Provisions the pool: the merchants `<prefix>_0001`..`<prefix>_<count>` that are not in the file yet are
 * created and added to it one by one (see the header for resuming). Throws PoolError naming the step, the
 * merchant and the status; the file then holds the complete merchants made so far. When the router has
 * one of them that neither the file nor the journal names, PoolError before anything is changed.
 */
export async function provision(o: ProvisionOptions): Promise<{ created: string[]; kept: string[]; replaced: string[] }> {
  const log = o.log ?? console.log;
  const dir = dirname(o.file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PoolError(`the directory of --file ${o.file} does not exist`);
  removeStaleTemps(o.file);
  const entries = readPoolFile(o.file);
  const pending = readJournal(o.file);
  const secrets = new Set([o.adminKey, o.connector.connectorApiKey, ...entries.map((e) => e.api_key)]);
  const ids = Array.from({ length: o.count }, (_, i) => poolMerchantId(o.prefix, i + 1));
  const inFile = new Set(entries.map((e) => e.merchant_id));
  const kept = ids.filter((id) => inFile.has(id));
  const missing = ids.filter((id) => !inFile.has(id));
  const others = entries.length - kept.length;
  // the merchant an interrupted run may have left half-made (when the file has it, only the journal's removal was missed)
  const halfMade = pending !== undefined && !inFile.has(pending) ? pending : undefined;
  log(
    `${o.file}: ${kept.length} of ${o.count} merchants already there${others ? ` (and ${others} other merchant${others === 1 ? '' : 's'}, kept)` : ''}` +
      (missing.length ? `; creating ${missing.length} on ${o.target.replace(/(\/\/[^/@:]*:)[^/@]+@/, '$1[redacted]@')}` : '; nothing to create'),
  );
  const created: string[] = [];
  const replaced: string[] = [];
  const resumable = (error: unknown) => {
    if (!(error instanceof PoolError)) return error;
    const done = kept.length + created.length;
    const file = existsSync(o.file) ? `${o.file} holds ${done} of the ${o.count} merchants, complete ones only` : `${o.file} was not written`;
    return new PoolError(scrub(`${error.message}; ${file}: run the command again to resume`, secrets));
  };

  // first look every missing id up: one the router has that this pool did not make stops the run here
  const foreign: string[] = [];
  let halfMadeThere = false;
  try {
    for (const id of missing) {
      if (!(await exists(o, id))) continue;
      if (id === halfMade) halfMadeThere = true;
      else foreign.push(id);
    }
    if (halfMade !== undefined && !missing.includes(halfMade)) halfMadeThere = await exists(o, halfMade);
  } catch (error) {
    throw resumable(error);
  }
  if (foreign.length > 0) {
    const [what, be] = foreign.length === 1 ? [`merchant ${foreign[0]}`, 'exists'] : [`merchants ${listed(foreign)}`, 'exist'];
    throw new PoolError(
      scrub(
        `${what} already ${be} on the router and ${foreign.length === 1 ? 'is' : 'are'} not in ${o.file} (another pool with the same --prefix, or made by hand): nothing was changed; use another --prefix`,
        secrets,
      ),
    );
  }

  try {
    if (halfMade !== undefined && halfMadeThere) {
      await must(o, halfMade, deleteAccountRequest(halfMade));
      replaced.push(halfMade);
      log(
        `merchant ${halfMade} was left half-made by an interrupted run (on the router, not in the file; its journal names it): deleted` +
          (missing.includes(halfMade) ? ', creating it again' : ''),
      );
    }
    if (pending !== undefined) removeJournal(o.file);
    for (const id of missing) {
      writeJournal(o.file, id);
      let entry: PoolEntry;
      try {
        entry = await createMerchant(o, id);
      } catch (error) {
        if (error instanceof CreateError && !error.leftOnRouter) removeJournal(o.file);
        throw error;
      }
      secrets.add(entry.api_key);
      entries.push(entry);
      writePoolFile(o.file, entries);
      removeJournal(o.file);
      created.push(id);
      log(`merchant ${id} created (${kept.length + created.length}/${o.count})`);
    }
  } catch (error) {
    throw resumable(error);
  }
  if (created.length) log(`${o.file}: ${o.count} merchants (${created.length} created, ${kept.length} kept); use it with MERCHANT_POOL=${o.file}`);
  return { created, kept, replaced };
}

/**
 * Deletes the pool's merchants on the router (404: already gone) and the one its journal names (a run
 * was creating it), then removes the file and the journal. Merchants of the prefix that neither names are
 * left alone. When some cannot be deleted, the file is rewritten with only those (the journal stays while
 * its merchant is not deleted), and PoolError names them.
 */
export async function cleanup(o: PoolOptions): Promise<{ deleted: string[]; gone: string[] }> {
  const log = o.log ?? console.log;
  if (existsSync(dirname(o.file))) removeStaleTemps(o.file);
  const entries = readPoolFile(o.file);
  const pending = readJournal(o.file);
  const secrets = new Set([o.adminKey, ...entries.map((e) => e.api_key)]);
  const hadFile = existsSync(o.file);
  if (!hadFile && pending === undefined) {
    log(`${o.file} does not exist: no merchant to delete`);
    return { deleted: [], gone: [] };
  }
  const halfMade = pending !== undefined && !entries.some((e) => e.merchant_id === pending) ? pending : undefined;
  const deleted: string[] = [];
  const gone: string[] = [];
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
  // the journal's merchant (a 404: the interrupted run had not made it yet, or it is gone)
  let halfMadeFailure: string | undefined;
  if (halfMade !== undefined && !stop) {
    const req = deleteAccountRequest(halfMade);
    const res = await call(o, req);
    if (succeeded(res.status)) {
      deleted.push(halfMade);
      log(`merchant ${halfMade} (left half-made by an interrupted run: not in the file, its journal names it) deleted`);
    } else if (res.status !== 404) halfMadeFailure = failure(halfMade, req, res);
  }
  const journalStays = halfMade !== undefined && (stop !== undefined || halfMadeFailure !== undefined);
  if (pending !== undefined && !journalStays) removeJournal(o.file);
  const journalNote = journalStays ? `; ${journalPath(o.file)} still names ${halfMade}` : '';
  if (failed.length > 0) {
    // the file keeps the merchants still on the router (untouched when none of its merchants is gone)
    const rewrite = failed.length < entries.length;
    if (rewrite)
      writePoolFile(
        o.file,
        failed.map((f) => f.entry),
      );
    const names = failed.map((f) => f.entry.merchant_id).join(', ');
    const file = rewrite ? `${o.file} now holds only ${failed.length === 1 ? 'it' : 'them'}` : `${o.file} is left as it was`;
    const why = [stop ?? failed.map((f) => f.why).join('; '), halfMadeFailure].filter(Boolean).join('; ');
    throw new PoolError(scrub(`${why}; not deleted: ${names}; ${file}${journalNote}: run --cleanup again`, secrets));
  }
  rmSync(o.file, { force: true });
  const removed = hadFile ? `; removed ${o.file}` : '';
  if (halfMadeFailure) {
    const n = deleted.length + gone.length;
    throw new PoolError(
      scrub(
        `${halfMadeFailure}; not deleted: ${halfMade}${n ? ` (the file's ${n === 1 ? 'one merchant is' : `${n} merchants are`} gone)` : ''}${removed}${journalNote}: run --cleanup again`,
        secrets,
      ),
    );
  }
  log(`deleted ${deleted.length} merchant${deleted.length === 1 ? '' : 's'}${gone.length ? ` (${gone.length} already gone)` : ''}${removed}`);
  return { deleted, gone };
}
