// Setup of a payments test (once, in setup()): the merchants the VUs pay as. With MERCHANT_POOL, the
// pool's merchants (read in init by ./pool.ts; nothing is created); with MERCHANT_API_KEY, that
// merchant; else one merchant created with the admin key: account, API key (current routers: POST
// /api_keys/{merchant_id}; older ones return it from POST /accounts — detected from the answer),
// connector, routing. The requests are the pure steps of src/shared/payments/merchant-setup.ts (the
// pool provisioner drives the same ones); here they go through k6/http. A refused step aborts the test
// (exit 108) naming the step and the status; no key is ever printed.
// Wire facts: /work/shared/reference/payments-hyperswitch.md.
import exec from 'k6/execution';
import http from 'k6/http';
import { describeFailure, merchantSetup, succeeded, type AdminRequest, type Merchant } from '../../shared/payments/merchant-setup';
import { safeLog } from '../redact';
import { endTrace, startTrace } from './trace';
import type { PaymentsValues } from './config';

export type { Merchant };

/** The variables the setup reads (a subset of PAYMENTS_RULES' values). */
type SetupValues = Pick<
  PaymentsValues,
  'TARGET_URL' | 'ADMIN_API_KEY' | 'MERCHANT_API_KEY' | 'MERCHANT_ID' | 'PROFILE_ID' | 'CONNECTOR' | 'CONNECTOR_API_KEY' | 'REQUEST_TIMEOUT'
>;

/** Sends one admin request (with its own traceparent); aborts the test (naming the step and the status, never a key) unless it answers 2xx. */
function send(c: SetupValues, req: AdminRequest): unknown {
  const { traceparent } = startTrace();
  const params = {
    headers: { 'content-type': 'application/json', 'api-key': c.ADMIN_API_KEY, traceparent },
    timeout: `${c.REQUEST_TIMEOUT}ms`,
    tags: { name: 'setup' },
  };
  const res = http.request(req.method, `${c.TARGET_URL}${req.path}`, req.body === undefined ? null : JSON.stringify(req.body), params);
  endTrace();
  if (!succeeded(res.status)) {
    const status = describeFailure(res.status, res.body, res.error);
    exec.test.abort(
      safeLog(`payments setup: ${req.step} (${req.method} ${req.path}) failed: ${status}; check TARGET_URL and ADMIN_API_KEY, or give MERCHANT_API_KEY`),
    );
  }
  return JSON.parse(res.body as string);
}

/** Creates (or names, with MERCHANT_API_KEY) the merchant the test pays as. */
export function setUpMerchant(c: SetupValues): Merchant {
  if (c.MERCHANT_API_KEY) return { merchantId: c.MERCHANT_ID, apiKey: c.MERCHANT_API_KEY, profileId: c.PROFILE_ID || undefined };
  const merchantId = `k6_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const steps = merchantSetup(merchantId, { connector: c.CONNECTOR, connectorApiKey: c.CONNECTOR_API_KEY });
  let next = steps.next();
  while (!next.done) next = steps.next(send(c, next.value));
  const outcome = next.value;
  if ('problem' in outcome) exec.test.abort(`payments setup: ${outcome.problem}`);
  return (outcome as { merchant: Merchant }).merchant;
}

/**
 * The merchants the test pays as: the pool's (MERCHANT_POOL, read in init with readPool; nothing is
 * created), else the one of setUpMerchant (MERCHANT_API_KEY's, or a new one). Spread iterations over
 * them with merchantFor (./pool.ts).
 */
export function setUpMerchants(c: SetupValues, pool?: readonly Merchant[]): Merchant[] {
  if (pool && pool.length > 0) {
    for (const merchant of pool) checkMerchantKey(c, merchant, 'its api_key in MERCHANT_POOL');
    return [...pool];
  }
  const merchant = setUpMerchant(c);
  if (c.MERCHANT_API_KEY) checkMerchantKey(c, merchant, 'MERCHANT_API_KEY');
  return [merchant];
}

/**
 * A merchant key given to the test (MERCHANT_API_KEY, a pool's) must work before any load is sent: one
 * `GET /payments/list?limit=1` with it; a refusal aborts the test (exit 108) naming the merchant and
 * the status, never the key.
 */
function checkMerchantKey(c: SetupValues, merchant: Merchant, source: string): void {
  const { traceparent } = startTrace();
  const res = http.get(`${c.TARGET_URL}/payments/list?limit=1`, {
    headers: { accept: 'application/json', 'api-key': merchant.apiKey, traceparent },
    timeout: `${c.REQUEST_TIMEOUT}ms`,
    tags: { name: 'setup' },
  });
  endTrace();
  if (!succeeded(res.status)) {
    const who = merchant.merchantId ? `merchant ${merchant.merchantId}` : 'the merchant';
    exec.test.abort(
      safeLog(
        `payments setup: checking the API key of ${who} (GET /payments/list) failed: ${describeFailure(res.status, res.body, res.error)}; check ${source}`,
      ),
    );
  }
}
