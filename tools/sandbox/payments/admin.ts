// Admin API (api-key: the admin key): merchant accounts, their API keys and connectors, as the
// reference's setup() drives them (/work/shared/reference/payments-hyperswitch.md, Setup).
//   POST /accounts                      → 200 the merchant account (+ api_key on legacy routers); duplicate → 400 HE_01
//   GET|POST|DELETE /accounts/{id}      → 200 the account | the updated account | {merchant_id, deleted: true}
//   POST /api_keys/{id}                 → 200 {key_id, merchant_id, name, description, api_key, created, expiration}
//   POST /account/{id}/connectors       → 200 the connector with merchant_connector_id "mca_..."
// An unknown merchant is 404 HE_02 "Merchant account does not exist in our records".
import type { TraceLog } from './traces.ts';
import { randomUUID } from 'node:crypto';
import type { KeyRing } from './auth.ts';
import { alphanumeric, newId, type Connector, type Merchant, type Store } from './store.ts';
import {
  ERRORS,
  deserializeError,
  duplicateConnector,
  fail,
  invalidFormat,
  invalidValue,
  optBool,
  optEnum,
  optObject,
  optString,
  reqString,
  type Json,
} from './wire.ts';

export interface AdminContext {
  store: Store;
  keys: KeyRing;
  /** Older routers answer POST /accounts with the merchant's API key. */
  legacyApiKeys: boolean;
  /** The trace context of every API request (traces.ts). */
  traces: TraceLog;
}

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CONNECTOR_NAME = /^[a-z0-9_]{1,64}$/;
/** `fiz_operations` is what the older loadtest sent. */
const CONNECTOR_TYPES = [
  'payment_processor',
  'payment_vas',
  'fin_operations',
  'fiz_operations',
  'networks',
  'banking_entities',
  'non_banking_finance',
  'payout_processor',
  'payment_method_auth',
  'authentication_processor',
  'tax_processor',
] as const;
/** Auth types that carry an api_key. */
const KEYED_AUTH = ['HeaderKey', 'BodyKey', 'SignatureKey', 'MultiAuthKey'];
const ROUTING_TYPES = ['single', 'priority', 'volume_split', 'advanced'] as const;
/** Account fields POST /accounts and POST /accounts/{id} take and echo. */
const ACCOUNT_FIELDS = ['merchant_name', 'return_url', 'merchant_details', 'webhook_details', 'metadata', 'sub_merchants_enabled'] as const;

export function merchantOrFail(store: Store, merchantId: string): Merchant {
  return store.merchants.get(merchantId) ?? fail(ERRORS.merchantNotFound);
}

export function createAccount(ctx: AdminContext, body: Json): Json {
  const merchantId = reqString(body, 'merchant_id');
  if (!MERCHANT_ID.test(merchantId)) fail(invalidFormat('merchant_id', 'up to 64 letters, digits, "_" or "-"'));
  if (ctx.store.merchants.has(merchantId)) fail(ERRORS.duplicateMerchant);
  const routing = routingOf(body);
  const profileId = newId('pro');
  const account: Json = {
    merchant_id: merchantId,
    merchant_name: optString(body, 'merchant_name') ?? null,
    return_url: optString(body, 'return_url') ?? null,
    enable_payment_response_hash: true,
    payment_response_hash_key: alphanumeric(64),
    redirect_to_merchant_with_http_post: false,
    merchant_details: optObject(body, 'merchant_details') ?? null,
    webhook_details: optObject(body, 'webhook_details') ?? null,
    payout_routing_algorithm: null,
    sub_merchants_enabled: optBool(body, 'sub_merchants_enabled') ?? false,
    parent_merchant_id: null,
    publishable_key: `pk_dev_${randomUUID().replaceAll('-', '')}`,
    metadata: optObject(body, 'metadata') ?? null,
    locker_id: null,
    primary_business_details: [],
    frm_routing_algorithm: null,
    organization_id: newId('org'),
    is_recon_enabled: false,
    default_profile: profileId,
    recon_status: 'not_requested',
    routing_algorithm: routing ?? null,
  };
  ctx.store.addMerchant(merchantId, profileId, account);
  if (!ctx.legacyApiKeys) return account;
  const { api_key } = ctx.keys.issue(merchantId);
  return { merchant_id: merchantId, api_key, ...account };
}

export function getAccount(ctx: AdminContext, merchantId: string): Json {
  return merchantOrFail(ctx.store, merchantId).account;
}

/** POST /accounts/{id}: merges the given account fields and routing_algorithm. */
export function updateAccount(ctx: AdminContext, merchantId: string, body: Json): Json {
  const merchant = merchantOrFail(ctx.store, merchantId);
  const named = optString(body, 'merchant_id');
  if (named !== undefined && named !== merchantId) fail(invalidValue('merchant_id'));
  const routing = routingOf(body);
  for (const field of ACCOUNT_FIELDS) if (body[field] !== undefined) merchant.account[field] = body[field];
  if (routing !== undefined) merchant.account.routing_algorithm = routing;
  return merchant.account;
}

export function deleteAccount(ctx: AdminContext, merchantId: string): Json {
  merchantOrFail(ctx.store, merchantId);
  ctx.store.merchants.delete(merchantId);
  ctx.keys.revoke(merchantId);
  return { merchant_id: merchantId, deleted: true };
}

export function createApiKey(ctx: AdminContext, merchantId: string, body: Json): Json {
  const name = reqString(body, 'name');
  const description = optString(body, 'description') ?? null;
  const expiration = reqString(body, 'expiration');
  if (expiration !== 'never' && Number.isNaN(Date.parse(expiration)))
    fail(deserializeError(`expiration: expected "never" or a date-time, got ${JSON.stringify(expiration)}`));
  merchantOrFail(ctx.store, merchantId);
  const key = ctx.keys.issue(merchantId);
  return { key_id: key.key_id, merchant_id: merchantId, name, description, api_key: key.api_key, created: new Date().toISOString(), expiration };
}

export function createConnector(ctx: AdminContext, merchantId: string, body: Json): Json {
  const connectorType = optEnum(body, 'connector_type', CONNECTOR_TYPES) ?? fail(deserializeError('missing field `connector_type`'));
  const connectorName = reqString(body, 'connector_name');
  if (!CONNECTOR_NAME.test(connectorName)) fail(deserializeError(`connector_name: unknown variant \`${connectorName}\``));
  const details = optObject(body, 'connector_account_details');
  const authType = details && typeof details.auth_type === 'string' ? details.auth_type : undefined;
  const keyed = authType !== undefined && KEYED_AUTH.includes(authType);
  if (!details || !(keyed ? typeof details.api_key === 'string' && details.api_key.length > 0 : authType === 'NoKey')) {
    fail(invalidFormat('connector_account_details', 'auth_type and api_key'));
  }
  const merchant = merchantOrFail(ctx.store, merchantId);
  const label = optString(body, 'connector_label') ?? `${connectorName}_default`;
  if (merchant.connectors.some((c) => c.connector_label === label)) fail(duplicateConnector(merchant.profile_id, label));
  const disabled = optBool(body, 'disabled') ?? false;
  const connector: Connector = {
    merchant_connector_id: newId('mca'),
    connector_type: connectorType,
    connector_name: connectorName,
    connector_label: label,
    auth_type: authType!,
    disabled,
    view: {},
  };
  connector.view = {
    connector_type: connectorType,
    connector_name: connectorName,
    connector_label: label,
    merchant_connector_id: connector.merchant_connector_id,
    profile_id: merchant.profile_id,
    // the connector's credentials are never echoed
    connector_account_details: keyed ? { auth_type: authType, api_key: '*** alloc::string::String ***' } : { auth_type: authType },
    payment_methods_enabled: Array.isArray(body.payment_methods_enabled) ? body.payment_methods_enabled : null,
    connector_webhook_details: optObject(body, 'connector_webhook_details') ?? null,
    metadata: optObject(body, 'metadata') ?? null,
    test_mode: optBool(body, 'test_mode') ?? null,
    disabled,
    frm_configs: null,
    business_country: null,
    business_label: null,
    business_sub_label: null,
    applepay_verified_domains: null,
    pm_auth_config: null,
    status: disabled ? 'inactive' : 'active',
  };
  merchant.connectors.push(connector);
  return connector.view;
}

/** The connector a payment of this merchant goes to: the one routing names (type single), else the first enabled. */
export function routeConnector(merchant: Merchant): Connector | undefined {
  const enabled = merchant.connectors.filter((c) => !c.disabled);
  const routing = merchant.account.routing_algorithm as { type?: unknown; data?: unknown } | null;
  if (routing?.type === 'single') {
    const data = routing.data as string | { connector?: unknown; merchant_connector_id?: unknown };
    const wanted = typeof data === 'string' ? data : data?.connector;
    const chosen = enabled.find((c) => c.connector_name === wanted || (typeof data === 'object' && c.merchant_connector_id === data?.merchant_connector_id));
    if (chosen) return chosen;
  }
  return enabled[0];
}

function routingOf(body: Json): Json | undefined {
  const routing = optObject(body, 'routing_algorithm');
  if (routing === undefined) return undefined;
  optEnum(routing, 'type', ROUTING_TYPES) ?? fail(deserializeError('routing_algorithm: missing field `type`'));
  if (routing.data === undefined || routing.data === null) fail(deserializeError('routing_algorithm: missing field `data`'));
  return routing;
}
