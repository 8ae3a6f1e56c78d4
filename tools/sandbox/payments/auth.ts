// The `api-key` header, as the router checks it: the admin key for admin routes, a merchant's API key
// (issued by POST /api_keys/{merchant_id}, or by POST /accounts on legacy routers) for merchant routes,
// which then act as that merchant. Anything else is 401 IR_01. Keys live in memory and are never logged.
import type { IncomingMessage } from 'node:http';
import { alphanumeric, newId } from './store.ts';
import { ERRORS, fail } from './wire.ts';

export interface IssuedKey {
  key_id: string;
  merchant_id: string;
  api_key: string;
}

export class KeyRing {
  private readonly byKey = new Map<string, IssuedKey>();

  constructor(private readonly adminKey: string) {}

  get size(): number {
    return this.byKey.size;
  }

  /** A new merchant API key: `dev_` and 64 alphanumerics, its id `dev_` and 20. */
  issue(merchantId: string): IssuedKey {
    const key = { key_id: newId('dev'), merchant_id: merchantId, api_key: `dev_${alphanumeric(64)}` };
    this.byKey.set(key.api_key, key);
    return key;
  }

  /** Revokes every key of a merchant (its account was deleted). */
  revoke(merchantId: string): void {
    for (const [key, issued] of this.byKey) if (issued.merchant_id === merchantId) this.byKey.delete(key);
  }

  clear(): void {
    this.byKey.clear();
  }

  /** Throws 401 unless the request carries the admin key. */
  requireAdmin(req: IncomingMessage): void {
    if (header(req) !== this.adminKey) fail(ERRORS.unauthorized);
  }

  /** The merchant id the request's key belongs to; throws 401 without a merchant key. */
  requireMerchant(req: IncomingMessage): string {
    const key = header(req);
    const issued = key === undefined ? undefined : this.byKey.get(key);
    return issued ? issued.merchant_id : fail(ERRORS.unauthorized);
  }
}

function header(req: IncomingMessage): string | undefined {
  const value = req.headers['api-key'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
