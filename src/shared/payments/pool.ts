// A merchant pool of the payments family: the JSON file `k6-suite payments provision` writes and
// dist/payments.js reads (MERCHANT_POOL), an array of {merchant_id, api_key, profile_id?}. Its shape is
// checked here for both runtimes; problems name the entry and the merchant, never a key.
// Pure TypeScript: no k6 or Node import.
import { MERCHANT_ID_PATTERN, type Merchant } from './merchant-setup';

/** One merchant of a pool file (the router's field names). */
export interface PoolEntry {
  merchant_id: string;
  /** A secret: never printed. */
  api_key: string;
  profile_id?: string;
}

/** The file format, for messages. */
export const POOL_FORMAT = 'a JSON array of {merchant_id, api_key, profile_id?}';

/** At most this many entry problems are listed (then "and N more"). */
const MAX_LISTED = 5;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with one entry (index from 0), undefined when nothing. */
function entryProblem(raw: unknown, index: number, seen: ReadonlySet<string>): string | undefined {
  const at = `entry ${index + 1}`;
  if (!isObject(raw)) return `${at} is not an object {merchant_id, api_key}`;
  const id = raw.merchant_id;
  if (typeof id !== 'string' || id === '') return `${at} has no merchant_id`;
  if (!MERCHANT_ID_PATTERN.test(id)) return `${at}: merchant_id ${JSON.stringify(id.slice(0, 70))} is not a merchant id (1-64 letters, digits, "_", "-")`;
  const where = `${at} (merchant ${id})`;
  if (typeof raw.api_key !== 'string' || raw.api_key.trim() === '') return `${where} has no api_key`;
  if (raw.profile_id !== undefined && raw.profile_id !== null && typeof raw.profile_id !== 'string') return `${where}: profile_id must be a string`;
  if (seen.has(id)) return `${where} is listed twice`;
  return undefined;
}

/**
 * Checks a parsed pool file: an array whose entries each have a merchant_id the router accepts, a
 * non-empty api_key and, if any, a string profile_id; no merchant twice. An empty array is valid here
 * (the provisioner starts from one); the k6 reader refuses it. Problems are relative to the file.
 */
export function checkPool(data: unknown): { entries: PoolEntry[]; problems: string[] } {
  if (!Array.isArray(data)) return { entries: [], problems: [`it must be ${POOL_FORMAT}`] };
  const problems: string[] = [];
  const entries: PoolEntry[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of data.entries()) {
    const problem = entryProblem(raw, index, seen);
    if (problem) problems.push(problem);
    else {
      const e = raw as Record<string, unknown>;
      seen.add(e.merchant_id as string);
      entries.push({
        merchant_id: e.merchant_id as string,
        api_key: e.api_key as string,
        ...(typeof e.profile_id === 'string' && e.profile_id ? { profile_id: e.profile_id } : {}),
      });
    }
  }
  const listed = problems.length > MAX_LISTED ? [...problems.slice(0, MAX_LISTED), `and ${problems.length - MAX_LISTED} more`] : problems;
  return { entries, problems: listed };
}

/** A pool entry as the VUs use it. */
export const merchantOfEntry = (e: PoolEntry): Merchant => ({
  merchantId: e.merchant_id,
  apiKey: e.api_key,
  ...(e.profile_id ? { profileId: e.profile_id } : {}),
});

/** A merchant as a pool entry. */
export const entryOfMerchant = (m: Merchant): PoolEntry => ({
  merchant_id: m.merchantId,
  api_key: m.apiKey,
  ...(m.profileId ? { profile_id: m.profileId } : {}),
});
