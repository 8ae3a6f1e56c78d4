// Setup of a payments test (once, in setup()): create a merchant with the admin key, obtain its API
// key (current routers: POST /api_keys/{merchant_id}; older ones return it from POST /accounts —
// detected from the answer), create the connector and set the routing. Or, with MERCHANT_API_KEY,
// use that merchant and create nothing. A refused step aborts the test (exit 108) naming the step and
// the status; no key is ever printed. Wire facts: ../shared/reference/payments-hyperswitch.md.
import exec from 'k6/execution';
import http from 'k6/http';
import { safeLog } from '../redact';
import type { PaymentsValues } from './config';

/** What the VUs need to pay as the merchant (setup data: dropped from every output by the summary hook). */
export interface Merchant {
  merchantId: string;
  apiKey: string;
  profileId?: string;
}

/** The router's error message, from its `{"error":{"type","code","message"}}` body, for a setup message. */
function routerError(body: unknown): string {
  if (typeof body !== 'string') return '';
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    return e ? ` ${[e.code, e.message].filter(Boolean).join(' ')}` : '';
  } catch {
    return ` ${body.slice(0, 120)}`;
  }
}

/** Creates (or names) the merchant the test pays as. */
export function setUpMerchant(c: PaymentsValues): Merchant {
  if (c.MERCHANT_API_KEY) return { merchantId: c.MERCHANT_ID, apiKey: c.MERCHANT_API_KEY, profileId: c.PROFILE_ID || undefined };
  const admin = { headers: { 'content-type': 'application/json', 'api-key': c.ADMIN_API_KEY }, timeout: `${c.REQUEST_TIMEOUT}ms`, tags: { name: 'setup' } };
  const step = (what: string, method: 'POST', path: string, body: unknown, headers = admin) => {
    const res = http.request(method, `${c.TARGET_URL}${path}`, JSON.stringify(body), headers);
    if (res.status < 200 || res.status >= 300) {
      const status = res.status === 0 ? `no answer (${res.error})` : `${res.status}${routerError(res.body)}`;
      exec.test.abort(safeLog(`payments setup: ${what} (${method} ${path}) failed: ${status}; check TARGET_URL and ADMIN_API_KEY, or give MERCHANT_API_KEY`));
    }
    return JSON.parse(res.body as string) as Record<string, unknown>;
  };
  const merchantId = `k6_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const account = step('creating the merchant', 'POST', '/accounts', {
    merchant_id: merchantId,
    merchant_name: 'k6 load test',
    merchant_details: { primary_contact_person: 'k6', primary_email: 'k6@example.com', website: 'https://example.com' },
    return_url: 'https://example.com/return',
    webhook_details: { webhook_url: 'https://example.com/webhook' },
    sub_merchants_enabled: false,
    metadata: { source: 'k6-regression-suite' },
  });
  // older routers answer with the key; current ones issue it separately
  const apiKey =
    typeof account.api_key === 'string'
      ? account.api_key
      : String(step('creating its API key', 'POST', `/api_keys/${merchantId}`, { name: 'k6', description: null, expiration: 'never' }).api_key ?? '');
  if (!apiKey) exec.test.abort(`payments setup: the router gave no API key for merchant ${merchantId}`);
  step('creating the connector', 'POST', `/account/${merchantId}/connectors`, {
    connector_type: 'payment_processor',
    connector_name: c.CONNECTOR,
    connector_account_details: { auth_type: 'HeaderKey', api_key: c.CONNECTOR_API_KEY },
    test_mode: true,
    disabled: false,
    payment_methods_enabled: [{ payment_method: 'card', payment_method_types: [{ payment_method_type: 'credit' }, { payment_method_type: 'debit' }] }],
  });
  step('setting the routing', 'POST', `/accounts/${merchantId}`, { merchant_id: merchantId, routing_algorithm: { type: 'single', data: c.CONNECTOR } });
  return { merchantId, apiKey, profileId: typeof account.profile_id === 'string' ? account.profile_id : undefined };
}
