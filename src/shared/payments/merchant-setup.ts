// The payments family's merchant setup (Hyperswitch, seed 003) as pure request descriptions, driven by
// both runtimes: the k6 setup() (src/lib/payments/merchant.ts, with k6/http) and the merchant-pool
// provisioner (tools/payments/provision.ts, with fetch). Every call is an admin call (header
// `api-key: <admin key>`, JSON). Wire facts: /work/shared/reference/payments-hyperswitch.md (Setup) and
// the router's OpenAPI (juspay/hyperswitch crates/openapi/src/routes/merchant_account.rs):
//   POST /accounts                 → 200 the account (+ `api_key` on older routers)
//   POST /api_keys/{merchant_id}   → 200 {api_key, ...}                (current routers)
//   POST /account/{id}/connectors  → 200 the connector
//   POST /accounts/{id}            → 200 the account (routing_algorithm set)
//   GET /accounts/{id}             → 200 the account | 404 HE_02
//   DELETE /accounts/{id}          → 200 {merchant_id, deleted: true} | 404 HE_02
// Pure TypeScript: no k6 or Node import.

/** What the VUs need to pay as a merchant (k6 setup data: dropped from every output by the summary hook). */
export interface Merchant {
  merchantId: string;
  /** The merchant's API key: a secret, never printed. */
  apiKey: string;
  profileId?: string;
}

/** One admin request of the setup. */
export interface AdminRequest {
  /** What the step is called in messages, e.g. "creating the merchant". */
  step: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** From the router's root, e.g. `/accounts/k6pool_0001`. */
  path: string;
  /** The JSON body (POST only). */
  body?: unknown;
}

/** The connector every merchant gets, and the routing to it. */
export interface ConnectorSettings {
  /** Connector name, e.g. `stripe`. */
  connector: string;
  /** The connector's own API key (a secret: the router never echoes it). */
  connectorApiKey: string;
}

/** Merchant ids the router accepts (and that are safe in a path without encoding). */
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** POST /accounts: the reference loadtest's merchant account. */
export function createAccountRequest(merchantId: string): AdminRequest {
  return {
    step: 'creating the merchant',
    method: 'POST',
    path: '/accounts',
    body: {
      merchant_id: merchantId,
      merchant_name: 'k6 load test',
      merchant_details: { primary_contact_person: 'k6', primary_email: 'k6@example.com', website: 'https://example.com' },
      return_url: 'https://example.com/return',
      webhook_details: { webhook_url: 'https://example.com/webhook' },
      sub_merchants_enabled: false,
      metadata: { source: 'k6-regression-suite' },
    },
  };
}

/** POST /api_keys/{merchant_id}: a key that never expires (current routers). */
export function createApiKeyRequest(merchantId: string): AdminRequest {
  return { step: 'creating its API key', method: 'POST', path: `/api_keys/${merchantId}`, body: { name: 'k6', description: null, expiration: 'never' } };
}

/** POST /account/{merchant_id}/connectors: a card connector in test mode. */
export function createConnectorRequest(merchantId: string, settings: ConnectorSettings): AdminRequest {
  return {
    step: 'creating the connector',
    method: 'POST',
    path: `/account/${merchantId}/connectors`,
    body: {
      connector_type: 'payment_processor',
      connector_name: settings.connector,
      connector_account_details: { auth_type: 'HeaderKey', api_key: settings.connectorApiKey },
      test_mode: true,
      disabled: false,
      payment_methods_enabled: [{ payment_method: 'card', payment_method_types: [{ payment_method_type: 'credit' }, { payment_method_type: 'debit' }] }],
    },
  };
}

/** POST /accounts/{merchant_id}: every payment to the one connector. */
export function setRoutingRequest(merchantId: string, connector: string): AdminRequest {
  return {
    step: 'setting the routing',
    method: 'POST',
    path: `/accounts/${merchantId}`,
    body: { merchant_id: merchantId, routing_algorithm: { type: 'single', data: connector } },
  };
}

/** GET /accounts/{merchant_id}: 200 when the merchant exists, 404 when not. */
export function getAccountRequest(merchantId: string): AdminRequest {
  return { step: 'looking the merchant up', method: 'GET', path: `/accounts/${merchantId}` };
}

/** DELETE /accounts/{merchant_id}: 200 deleted (its API keys with it), 404 when there is no such merchant. */
export function deleteAccountRequest(merchantId: string): AdminRequest {
  return { step: 'deleting the merchant', method: 'DELETE', path: `/accounts/${merchantId}` };
}

const field = (answer: unknown, name: string): string | undefined => {
  const value = answer !== null && typeof answer === 'object' ? (answer as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

/** The `api_key` of an answer (POST /api_keys, or POST /accounts on older routers); undefined when it has none. */
export const apiKeyOf = (answer: unknown): string | undefined => field(answer, 'api_key');

/** The business profile of an account answer: `profile_id`, else the router's `default_profile`. */
export const profileIdOf = (account: unknown): string | undefined => field(account, 'profile_id') ?? field(account, 'default_profile');

/** How a setup ends: the merchant, or the one problem (naming the merchant, never a key). */
export type SetupOutcome = { merchant: Merchant } | { problem: string };

/**
 * The setup of one merchant as a sequence of admin requests: yields each request, takes the parsed
 * JSON body of its 2xx answer (the driver stops on any other status, naming `step`), returns the merchant.
 * The API key comes from POST /accounts on older routers, else from POST /api_keys (detected from the answer).
 */
export function* merchantSetup(merchantId: string, settings: ConnectorSettings): Generator<AdminRequest, SetupOutcome, unknown> {
  const account = yield createAccountRequest(merchantId);
  const apiKey = apiKeyOf(account) ?? apiKeyOf(yield createApiKeyRequest(merchantId));
  if (!apiKey) return { problem: `the router gave no API key for merchant ${merchantId}` };
  yield createConnectorRequest(merchantId, settings);
  yield setRoutingRequest(merchantId, settings.connector);
  return { merchant: { merchantId, apiKey, profileId: profileIdOf(account) } };
}

/** The router's error, from its `{"error":{"type","code","message"}}` body, as ` <code> <message>` (or the body's start). */
export function routerErrorText(body: unknown): string {
  if (typeof body !== 'string' || body === '') return '';
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } } | null)?.error;
    return e ? ` ${[e.code, e.message].filter(Boolean).join(' ')}` : '';
  } catch {
    return ` ${body.slice(0, 120)}`;
  }
}

/** A failed answer in words: `401 IR_01 API key not provided...`, or `no answer (<error>)` when there was none (status 0). */
export function describeFailure(status: number, body: unknown, error?: string): string {
  return status === 0 ? `no answer (${error ?? 'connection failed'})` : `${status}${routerErrorText(body)}`;
}

/** Whether a status is a success of the admin API. */
export const succeeded = (status: number) => status >= 200 && status < 300;
