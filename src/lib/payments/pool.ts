// MERCHANT_POOL=<file>: the merchants dist/payments.js pays as, read in init (the only stage where
// open() works) from the JSON file `k6-suite payments provision` writes — an array of {merchant_id,
// api_key, profile_id?} (shape checked by src/shared/payments/pool.ts). Relative paths resolve against
// the working directory (PWD), as every file variable does (../files.ts). Problems are lines of the
// settings stage's one message (exit 107), naming the file and the fix, never a key. The keys are
// registered as secrets, so safeLog and the summary hook scrub them.
import { checkPool, merchantOfEntry, POOL_FORMAT } from '../../shared/payments/pool';
import { configErrorMessage, registerSecrets, str } from '../config';
import { readJsonFile } from '../files';
import type { Merchant } from '../../shared/payments/merchant-setup';

/** The rule of MERCHANT_POOL (add it to PAYMENTS_RULES). */
export const MERCHANT_POOL_RULE = str('', { allowed: 'a path to a JSON file of {merchant_id, api_key, profile_id}' });

const PROVISION = 'k6-suite payments provision --count N --file';

/** Reads and checks a pool file: its merchants, or the problems (each naming the file and the fix). */
export function loadPool(path: string, cwd: string | undefined): { merchants: Merchant[]; problems: string[] } {
  const fail = (problem: string) => ({ merchants: [], problems: [problem] });
  if (!path.startsWith('/') && !cwd) return fail(`MERCHANT_POOL='${path}' is relative but the working directory is unknown (PWD unset): give an absolute path`);
  let data: unknown;
  try {
    data = readJsonFile(path, 'merchant pool', cwd);
  } catch (error) {
    return fail(String(error).replace(/^invalid configuration: /, ''));
  }
  if (data === undefined) return fail(`MERCHANT_POOL='${path}' does not exist: write it with ${PROVISION} ${path}, or fix the path`);
  const { entries, problems } = checkPool(data);
  if (problems.length > 0) {
    return {
      merchants: [],
      problems: [`merchant pool ${path} is not ${POOL_FORMAT}: ${problems.join(', ')}; fix it, or write it again with ${PROVISION} ${path}`],
    };
  }
  if (entries.length === 0) return fail(`merchant pool ${path} holds no merchant: provision some with ${PROVISION} ${path}`);
  const merchants = entries.map(merchantOfEntry);
  registerSecrets(merchants.map((m) => m.apiKey));
  return { merchants, problems: [] };
}

/** The variables that name merchants (PAYMENTS_RULES' values). */
interface MerchantChoice {
  MERCHANT_POOL: string;
  MERCHANT_API_KEY: string;
  MERCHANT_ID?: string;
}

/**
 * The settings stage's problems with MERCHANT_POOL (for the family's `check`): given together with
 * MERCHANT_API_KEY or MERCHANT_ID, or a file that is missing, unreadable or not a valid pool. [] when unset.
 */
export function poolProblems(own: MerchantChoice, cwd: string | undefined): string[] {
  if (!own.MERCHANT_POOL) return [];
  if (own.MERCHANT_API_KEY || own.MERCHANT_ID) {
    return ['MERCHANT_POOL and MERCHANT_API_KEY/MERCHANT_ID both name the merchants to pay as: give one of them (or neither, to create a merchant)'];
  }
  return loadPool(own.MERCHANT_POOL, cwd).problems;
}

/**
 * The pool's merchants, for setUpMerchants (./merchant.ts); undefined when MERCHANT_POOL is unset.
 * Call it in init, after the settings stage (which reported the file's problems): it throws the
 * configuration message if the file is not a valid pool all the same.
 */
export function readPool(path: string, cwd: string | undefined): Merchant[] | undefined {
  if (!path) return undefined;
  const { merchants, problems } = loadPool(path, cwd);
  if (problems.length > 0) throw configErrorMessage(problems);
  return merchants;
}

/** The merchant of the n-th iteration (exec.scenario.iterationInTest): round-robin over the pool. */
export function merchantFor<T>(merchants: readonly T[], n: number): T {
  if (merchants.length === 0) throw new Error('merchantFor: no merchant to pay as');
  const count = merchants.length;
  return merchants[((Math.trunc(n) % count) + count) % count];
}
