// Contract of the payments sandbox (tools/sandbox/payments): the Hyperswitch router's admin and payment
// APIs as the seed's setup() and scripts meet them (/work/shared/reference/payments-hyperswitch.md),
// checked with Node's fetch on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWork,
  sandboxFlags,
  startPaymentsSandbox,
  startSandbox,
  type PaymentsSandbox,
  type PaymentsSandboxOptions,
} from '../../tools/sandbox/payments/index.ts';
import { jsonCall, type Answer } from '../support/http.ts';

const ADMIN = 'test_admin';
const CARD = { card_number: '4242424242424242', card_exp_month: '10', card_exp_year: '35', card_holder_name: 'John Doe', card_cvc: '123' };
const WITH_CARD = { payment_method: 'card', payment_method_data: { card: CARD } };
const UNAUTHORIZED = { error: { type: 'invalid_request', code: 'IR_01', message: 'API key not provided or invalid API key used' } };
const PAYMENT_NOT_FOUND = { error: { type: 'invalid_request', code: 'HE_02', message: 'Payment does not exist in our records' } };

function call(target: PaymentsSandbox, method: string, path: string, options: { key?: string; body?: unknown; raw?: string } = {}): Promise<Answer> {
  return jsonCall(`${target.url}${path}`, method, options.key === undefined ? {} : { 'api-key': options.key }, options);
}

let merchants = 0;

/** The reference setup(): account, API key, connector, routing. Returns the merchant's key. */
async function setUpMerchant(target: PaymentsSandbox, merchantId = `m_${++merchants}`): Promise<{ merchantId: string; key: string }> {
  expect((await call(target, 'POST', '/accounts', { key: ADMIN, body: { merchant_id: merchantId, merchant_name: 'k6' } })).status).toBe(200);
  const issued = await call(target, 'POST', `/api_keys/${merchantId}`, { key: ADMIN, body: { name: 'k6', description: null, expiration: 'never' } });
  expect(issued.status).toBe(200);
  const connector = {
    connector_type: 'payment_processor',
    connector_name: 'stripe',
    connector_account_details: { auth_type: 'HeaderKey', api_key: 'sk_test' },
  };
  expect((await call(target, 'POST', `/account/${merchantId}/connectors`, { key: ADMIN, body: connector })).status).toBe(200);
  return { merchantId, key: issued.body.api_key };
}

function paymentBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 6540,
    currency: 'USD',
    confirm: true,
    capture_method: 'automatic',
    customer_id: 'cus_k6',
    authentication_type: 'no_three_ds',
    ...WITH_CARD,
    ...extra,
  };
}

async function withSandbox<T>(options: PaymentsSandboxOptions, run: (target: PaymentsSandbox) => Promise<T>): Promise<T> {
  const target = await startPaymentsSandbox(options);
  try {
    return await run(target);
  } finally {
    await target.close();
  }
}

let target: PaymentsSandbox;
beforeAll(async () => {
  target = await startPaymentsSandbox({ port: 0 });
});
afterAll(() => target.close());
afterEach(() => target.setFaults({ latencyMs: 0, failureRate: 0, dropRate: 0 }));

describe('health', () => {
  it('GET /health answers 200 "health is good", counted as health', async () => {
    const before = target.stats().served.health ?? 0;
    const res = await fetch(`${target.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('health is good');
    expect(target.stats().served.health).toBe(before + 1);
  });
});

describe('admin API', () => {
  it('creates an account, an API key, a connector and the routing; refuses a duplicate', async () => {
    const account = await call(target, 'POST', '/accounts', {
      key: ADMIN,
      body: { merchant_id: 'admin_flow', merchant_name: 'k6', sub_merchants_enabled: false },
    });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ merchant_id: 'admin_flow', merchant_name: 'k6', sub_merchants_enabled: false, routing_algorithm: null });
    expect(account.body.api_key).toBeUndefined();
    expect(account.body.publishable_key).toMatch(/^pk_dev_/);

    const duplicate = await call(target, 'POST', '/accounts', { key: ADMIN, body: { merchant_id: 'admin_flow' } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error).toMatchObject({ type: 'invalid_request', code: 'HE_01' });

    const key = await call(target, 'POST', '/api_keys/admin_flow', { key: ADMIN, body: { name: 'k6', description: null, expiration: 'never' } });
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ merchant_id: 'admin_flow', name: 'k6', description: null, expiration: 'never' });
    expect(key.body.key_id).toMatch(/^dev_[A-Za-z0-9]{20}$/);
    expect(key.body.api_key).toMatch(/^dev_[A-Za-z0-9]{64}$/);
    expect(Date.parse(key.body.created)).not.toBeNaN();

    const connector = await call(target, 'POST', '/account/admin_flow/connectors', {
      key: ADMIN,
      body: {
        connector_type: 'payment_processor',
        connector_name: 'stripe',
        connector_account_details: { auth_type: 'HeaderKey', api_key: 'sk_secret' },
        test_mode: true,
      },
    });
    expect(connector.status).toBe(200);
    expect(connector.body).toMatchObject({ connector_type: 'payment_processor', connector_name: 'stripe', test_mode: true, disabled: false });
    expect(connector.body.merchant_connector_id).toMatch(/^mca_[A-Za-z0-9]{20}$/);
    expect(JSON.stringify(connector.body)).not.toContain('sk_secret');

    const routing = { type: 'single', data: 'stripe' };
    const updated = await call(target, 'POST', '/accounts/admin_flow', { key: ADMIN, body: { merchant_id: 'admin_flow', routing_algorithm: routing } });
    expect(updated.status).toBe(200);
    expect(updated.body.routing_algorithm).toEqual(routing);
    expect((await call(target, 'GET', '/accounts/admin_flow', { key: ADMIN })).body.routing_algorithm).toEqual(routing);
  });

  it('accepts the legacy connector_type fiz_operations and refuses incomplete connectors', async () => {
    await call(target, 'POST', '/accounts', { key: ADMIN, body: { merchant_id: 'connectors' } });
    const path = '/account/connectors/connectors';
    const legacy = await call(target, 'POST', path, {
      key: ADMIN,
      body: { connector_type: 'fiz_operations', connector_name: 'stripe', connector_account_details: { auth_type: 'HeaderKey', api_key: 'k' } },
    });
    expect(legacy.status).toBe(200);
    const noKey = await call(target, 'POST', path, {
      key: ADMIN,
      body: { connector_type: 'payment_processor', connector_name: 'adyen', connector_account_details: { auth_type: 'HeaderKey' } },
    });
    expect(noKey.status).toBe(422);
    expect(noKey.body.error).toMatchObject({ type: 'invalid_request', code: 'IR_05' });
    const noName = await call(target, 'POST', path, {
      key: ADMIN,
      body: { connector_type: 'payment_processor', connector_account_details: { auth_type: 'HeaderKey', api_key: 'k' } },
    });
    expect(noName.status).toBe(400);
    expect(noName.body.error.code).toBe('IR_06');
    expect(noName.body.error.message).toContain('missing field `connector_name`');
  });

  it('answers 404 HE_02 for an unknown merchant', async () => {
    const res = await call(target, 'POST', '/api_keys/nobody', { key: ADMIN, body: { name: 'k6', expiration: 'never' } });
    expect(res).toEqual({
      status: 404,
      body: { error: { type: 'invalid_request', code: 'HE_02', message: 'Merchant account does not exist in our records' } },
    });
    expect((await call(target, 'GET', '/accounts/nobody', { key: ADMIN })).status).toBe(404);
  });

  it('answers 401 IR_01 without the admin key (missing, wrong, or a merchant key)', async () => {
    const { key } = await setUpMerchant(target);
    for (const apiKey of [undefined, 'wrong_admin', key]) {
      const res = await call(target, 'POST', '/accounts', { key: apiKey, body: { merchant_id: 'intruder' } });
      expect(res).toEqual({ status: 401, body: UNAUTHORIZED });
    }
    expect((await call(target, 'GET', '/accounts/intruder', { key: ADMIN })).status).toBe(404);
  });

  it('refuses an account without merchant_id', async () => {
    const res = await call(target, 'POST', '/accounts', { key: ADMIN, body: { merchant_name: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'IR_06' });
  });

  it('deletes an account; its keys stop working', async () => {
    const { merchantId, key } = await setUpMerchant(target);
    const deleted = await call(target, 'DELETE', `/accounts/${merchantId}`, { key: ADMIN });
    expect(deleted).toEqual({ status: 200, body: { merchant_id: merchantId, deleted: true } });
    expect((await call(target, 'GET', `/accounts/${merchantId}`, { key: ADMIN })).status).toBe(404);
    expect(await call(target, 'POST', '/payments', { key, body: paymentBody() })).toEqual({ status: 401, body: UNAUTHORIZED });
  });

  it('legacy routers answer POST /accounts with the api_key, which pays', async () => {
    await withSandbox({ legacyApiKeys: true }, async (legacy) => {
      const account = await call(legacy, 'POST', '/accounts', { key: ADMIN, body: { merchant_id: 'legacy' } });
      expect(account.status).toBe(200);
      expect(account.body.api_key).toMatch(/^dev_[A-Za-z0-9]{64}$/);
      const connector = { connector_type: 'fiz_operations', connector_name: 'stripe', connector_account_details: { auth_type: 'HeaderKey', api_key: 'k' } };
      expect((await call(legacy, 'POST', '/account/legacy/connectors', { key: ADMIN, body: connector })).status).toBe(200);
      const paid = await call(legacy, 'POST', '/payments', { key: account.body.api_key, body: paymentBody() });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('succeeded');
    });
  });
});

describe('payments', () => {
  let merchant: { merchantId: string; key: string };
  beforeAll(async () => {
    merchant = await setUpMerchant(target);
  });
  const pay = (body: unknown, key = merchant.key) => call(target, 'POST', '/payments', { key, body });

  it('confirm true with automatic capture: succeeded, with the router fields and id formats', async () => {
    const res = await pay(paymentBody({ email: 'guest@example.com', metadata: { source: 'k6' } }));
    expect(res.status).toBe(200);
    const p = res.body;
    expect(p).toMatchObject({
      merchant_id: merchant.merchantId,
      status: 'succeeded',
      amount: 6540,
      amount_received: 6540,
      amount_capturable: 0,
      currency: 'USD',
      customer_id: 'cus_k6',
      capture_method: 'automatic',
      attempt_count: 1,
      connector: 'stripe',
      payment_method: 'card',
      email: 'guest@example.com',
      metadata: { source: 'k6' },
    });
    expect(p.payment_id).toMatch(/^pay_[A-Za-z0-9]{20}$/);
    expect(p.client_secret).toMatch(new RegExp(`^${p.payment_id}_secret_[A-Za-z0-9]+$`));
    expect(Date.parse(p.created)).not.toBeNaN();
    expect(p.payment_method_data.card).toMatchObject({ last4: '4242', card_isin: '424242', card_exp_month: '10', card_exp_year: '35' });
    expect(JSON.stringify(p)).not.toContain('4242424242424242');
    expect(JSON.stringify(p)).not.toContain('"123"');
  });

  it('manual capture: requires_capture, then capture → succeeded; a second capture is refused', async () => {
    const created = await pay(paymentBody({ capture_method: 'manual' }));
    expect(created.body).toMatchObject({ status: 'requires_capture', amount_capturable: 6540, amount_received: null });
    const path = `/payments/${created.body.payment_id}/capture`;
    const captured = await call(target, 'POST', path, { key: merchant.key, body: {} });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_received: 6540, amount_capturable: 0 });
    const again = await call(target, 'POST', path, { key: merchant.key, body: {} });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('IR_14');
  });

  it('create without a method → requires_payment_method, with one and confirm false → requires_confirmation', async () => {
    const bare = await pay({ amount: 100, currency: 'EUR' });
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ status: 'requires_payment_method', payment_method: null, customer_id: null, connector: null });
    const withCard = await pay(paymentBody({ confirm: false }));
    expect(withCard.body.status).toBe('requires_confirmation');
  });

  it('create then confirm (the create-and-confirm script): succeeded; a second confirm → 400 IR_16', async () => {
    const { confirm: _c, payment_method: _m, payment_method_data: _d, ...rest } = paymentBody();
    const created = await pay({ ...rest, confirm: false });
    expect(created.body.status).toBe('requires_payment_method');
    const path = `/payments/${created.body.payment_id}/confirm`;
    const confirmBody = { return_url: 'https://example.com/return', authentication_type: 'no_three_ds', ...WITH_CARD };
    const confirmed = await call(target, 'POST', path, { key: merchant.key, body: confirmBody });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ payment_id: created.body.payment_id, status: 'succeeded', client_secret: created.body.client_secret });
    const again = await call(target, 'POST', path, { key: merchant.key, body: confirmBody });
    expect(again).toEqual({
      status: 400,
      body: { error: { type: 'invalid_request', code: 'IR_16', message: 'You cannot confirm this payment because it has status succeeded' } },
    });
  });

  it('confirm without any payment method → 422 IR_06', async () => {
    const created = await pay({ amount: 100, currency: 'USD' });
    const res = await call(target, 'POST', `/payments/${created.body.payment_id}/confirm`, { key: merchant.key, body: {} });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'IR_06', message: 'A payment token or payment method data is required' });
  });

  it('a declining test card → failed with the connector error', async () => {
    const res = await pay(paymentBody({ payment_method_data: { card: { ...CARD, card_number: '4000000000000002' } } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', error_code: 'card_declined', amount_received: null });
  });

  it('GET /payments/{id}: 200 for the owner, 404 HE_02 for unknown ids and for another merchant', async () => {
    const created = await pay(paymentBody());
    const got = await call(target, 'GET', `/payments/${created.body.payment_id}`, { key: merchant.key });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(await call(target, 'GET', '/payments/pay_doesnotexist0000000', { key: merchant.key })).toEqual({ status: 404, body: PAYMENT_NOT_FOUND });
    const other = await setUpMerchant(target);
    expect(await call(target, 'GET', `/payments/${created.body.payment_id}`, { key: other.key })).toEqual({ status: 404, body: PAYMENT_NOT_FOUND });
    expect((await call(target, 'POST', `/payments/${created.body.payment_id}/confirm`, { key: other.key, body: {} })).status).toBe(404);
  });

  it('401 IR_01 without a key, with a wrong one, and with the admin key', async () => {
    for (const key of [undefined, 'dev_wrong', ADMIN]) {
      expect(await call(target, 'POST', '/payments', { key, body: paymentBody() })).toEqual({ status: 401, body: UNAUTHORIZED });
    }
    expect((await call(target, 'GET', '/payments/list')).status).toBe(401);
  });

  it.each([
    ['missing amount', { currency: 'USD' }, 400, 'IR_04', 'Missing required param: amount'],
    ['missing currency', { amount: 10 }, 400, 'IR_04', 'Missing required param: currency'],
    ['amount 0', { amount: 0, currency: 'USD' }, 400, 'IR_07', 'Invalid value provided: amount'],
    ['negative amount', { amount: -5, currency: 'USD' }, 400, 'IR_07', 'Invalid value provided: amount'],
    ['amount as a string', { amount: '10', currency: 'USD' }, 400, 'IR_06', undefined],
    ['fractional amount', { amount: 10.5, currency: 'USD' }, 400, 'IR_06', undefined],
    ['currency not ISO', { amount: 10, currency: 'usd' }, 400, 'IR_06', undefined],
    ['unknown capture method', { amount: 10, currency: 'USD', capture_method: 'later' }, 400, 'IR_06', undefined],
    [
      'card failing Luhn',
      { amount: 10, currency: 'USD', payment_method_data: { card: { ...CARD, card_number: '4242424242424241' } } },
      400,
      'IR_06',
      undefined,
    ],
    ['future usage without customer', { amount: 10, currency: 'USD', setup_future_usage: 'off_session' }, 400, 'IR_04', undefined],
  ])('%s → %i %s', async (_name, body, status, code, message) => {
    const res = await pay(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code });
    if (message) expect(res.body.error.message).toBe(message);
  });

  it('malformed JSON → 400 IR_06 Json deserialize error', async () => {
    const res = await call(target, 'POST', '/payments', { key: merchant.key, raw: '{"amount":' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('IR_06');
    expect(res.body.error.message).toMatch(/^Json deserialize error: /);
  });

  it('a merchant without a connector cannot confirm: 400 IR_39', async () => {
    await call(target, 'POST', '/accounts', { key: ADMIN, body: { merchant_id: 'no_connector' } });
    const { body } = await call(target, 'POST', '/api_keys/no_connector', { key: ADMIN, body: { name: 'k6', expiration: 'never' } });
    const res = await pay(paymentBody(), body.api_key);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('IR_39');
    expect((await pay({ amount: 10, currency: 'USD' }, body.api_key)).body.status).toBe('requires_payment_method');
  });

  it('cancel: requires_capture → cancelled; a succeeded payment → 400 IR_16', async () => {
    const manual = await pay(paymentBody({ capture_method: 'manual' }));
    const cancelled = await call(target, 'POST', `/payments/${manual.body.payment_id}/cancel`, {
      key: merchant.key,
      body: { cancellation_reason: 'duplicate' },
    });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellation_reason: 'duplicate' });
    const done = await pay(paymentBody());
    const refused = await call(target, 'POST', `/payments/${done.body.payment_id}/cancel`, { key: merchant.key });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'IR_16', message: 'You cannot cancel this payment because it has status succeeded' });
  });
});

describe('saved payment methods', () => {
  it('saves a card with setup_future_usage + customer_acceptance and charges it off-session', async () => {
    const { key } = await setUpMerchant(target);
    const customer = await call(target, 'POST', '/customers', { key, body: { name: 'John Doe', email: 'guest@example.com' } });
    expect(customer.status).toBe(200);
    expect(customer.body.customer_id).toMatch(/^cus_[A-Za-z0-9]{20}$/);
    const customerId = customer.body.customer_id;
    const named = await call(target, 'POST', '/customers', { key, body: { customer_id: 'cus_named' } });
    expect(named.body.customer_id).toBe('cus_named');
    expect((await call(target, 'POST', '/customers', { key, body: { customer_id: 'cus_named' } })).body.error.code).toBe('IR_12');

    const acceptance = { acceptance_type: 'offline', accepted_at: '1963-05-03T04:07:52.723Z', online: null };
    const cit = await call(target, 'POST', '/payments', {
      key,
      body: paymentBody({ customer_id: customerId, setup_future_usage: 'off_session', customer_acceptance: acceptance }),
    });
    expect(cit.status).toBe(200);
    expect(cit.body).toMatchObject({ status: 'succeeded', setup_future_usage: 'off_session', customer_id: customerId });
    const pmId = cit.body.payment_method_id;
    expect(pmId).toMatch(/^pm_[A-Za-z0-9]{20}$/);

    const methods = await call(target, 'GET', `/customers/${customerId}/payment_methods`, { key });
    expect(methods.body.customer_payment_methods.map((m: any) => m.payment_method_id)).toEqual([pmId]);

    const mit = {
      amount: 1200,
      currency: 'USD',
      confirm: true,
      customer_id: customerId,
      off_session: true,
      recurring_details: { type: 'payment_method_id', data: pmId },
    };
    const charged = await call(target, 'POST', '/payments', { key, body: mit });
    expect(charged.status).toBe(200);
    expect(charged.body).toMatchObject({ status: 'succeeded', off_session: true, payment_method_id: pmId, amount_received: 1200 });
    expect(charged.body.payment_method_data.card.last4).toBe('4242');

    // without customer_acceptance nothing is saved
    const noAcceptance = await call(target, 'POST', '/payments', { key, body: paymentBody({ customer_id: customerId, setup_future_usage: 'off_session' }) });
    expect(noAcceptance.body.payment_method_id).toBeNull();

    // preconditions: an unknown method is 404 HE_02, another customer's is 400 IR_16 (the router's PreconditionFailed)
    const unknown = await call(target, 'POST', '/payments', { key, body: { ...mit, recurring_details: { type: 'payment_method_id', data: 'pm_unknown' } } });
    expect(unknown).toEqual({
      status: 404,
      body: { error: { type: 'invalid_request', code: 'HE_02', message: 'Payment method does not exist in our records' } },
    });
    const foreign = await call(target, 'POST', '/payments', { key, body: { ...mit, customer_id: 'cus_named' } });
    expect(foreign).toEqual({
      status: 400,
      body: {
        error: { type: 'invalid_request', code: 'IR_16', message: 'customer associated with payment method and customer passed in payment are not same' },
      },
    });
    const noMethod = await call(target, 'POST', '/payments', { key, body: { ...mit, recurring_details: undefined } });
    expect(noMethod.status).toBe(422);

    // a card saved for on_session use cannot be charged off-session (the router's PreconditionFailed: 400 IR_16)
    const onSession = await call(target, 'POST', '/payments', {
      key,
      body: paymentBody({ customer_id: customerId, setup_future_usage: 'on_session', customer_acceptance: acceptance }),
    });
    const onSessionCard = onSession.body.payment_method_id;
    expect(onSessionCard).toMatch(/^pm_/);
    const refused = await call(target, 'POST', '/payments', { key, body: { ...mit, recurring_details: { type: 'payment_method_id', data: onSessionCard } } });
    expect(refused).toEqual({
      status: 400,
      body: { error: { type: 'invalid_request', code: 'IR_16', message: 'the payment method was saved for on_session use and cannot be charged off_session' } },
    });
    // on-session (the customer present) it may be used
    const present = await call(target, 'POST', '/payments', {
      key,
      body: { ...mit, off_session: undefined, recurring_details: { type: 'payment_method_id', data: onSessionCard } },
    });
    expect(present.body.status).toBe('succeeded');
  });

  it('records the traceparent of every API request: missing, malformed, distinct and repeated trace ids', async () => {
    await withSandbox({}, async (t) => {
      const id = (n: number) => n.toString(16).padStart(32, '0');
      const send = (traceparent?: string) => fetch(`${t.url}/payments/list`, { headers: { 'api-key': 'nobody', ...(traceparent ? { traceparent } : {}) } });
      await send(`00-${id(1)}-00f067aa0ba902b7-01`);
      await send(`00-${id(2)}-00f067aa0ba902b7-01`);
      await send(`00-${id(2)}-00f067aa0ba902b8-01`);
      await send();
      await send('00-xyz-00f067aa0ba902b7-01');
      await send(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`);
      await fetch(`${t.url}/health`, { headers: { traceparent: 'junk' } }); // not the API
      expect(t.counts().traces).toEqual({ requests: 6, missing: 1, malformed: 2, distinctTraceIds: 2, repeatedTraceIds: 1 });
      t.reset();
      expect(t.counts().traces.requests).toBe(0);
    });
  });

  it('another merchant cannot use the method or see the customer', async () => {
    const a = await setUpMerchant(target);
    const b = await setUpMerchant(target);
    const acceptance = { acceptance_type: 'offline' };
    const cit = await call(target, 'POST', '/payments', {
      key: a.key,
      body: paymentBody({ customer_id: 'cus_shared', setup_future_usage: 'on_session', customer_acceptance: acceptance }),
    });
    const mit = {
      amount: 10,
      currency: 'USD',
      confirm: true,
      customer_id: 'cus_shared',
      off_session: true,
      recurring_details: { type: 'payment_method_id', data: cit.body.payment_method_id },
    };
    expect((await call(target, 'POST', '/payments', { key: b.key, body: mit })).status).toBe(404);
    expect((await call(target, 'GET', '/customers/cus_shared', { key: b.key })).status).toBe(404);
    expect((await call(target, 'GET', '/customers/cus_shared', { key: a.key })).status).toBe(200);
  });
});

describe('GET /payments/list', () => {
  it('lists the merchant’s payments newest first, with limit, cursors and offset', async () => {
    const { key } = await setUpMerchant(target);
    const other = await setUpMerchant(target);
    await call(target, 'POST', '/payments', { key: other.key, body: paymentBody() });
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await call(target, 'POST', '/payments', { key, body: paymentBody({ amount: 100 + i }) })).body.payment_id);
    const newest = [...ids].reverse();
    const list = (query: string) => call(target, 'GET', `/payments/list${query}`, { key });

    const all = await list('');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ size: 7, count: 7, total_count: 7 });
    expect(all.body.data.map((p: any) => p.payment_id)).toEqual(newest);

    const page1 = await list('?limit=3');
    expect(page1.body.data.map((p: any) => p.payment_id)).toEqual(newest.slice(0, 3));
    expect(page1.body).toMatchObject({ count: 3, total_count: 7 });
    const page2 = await list(`?limit=3&starting_after=${newest[2]}`);
    expect(page2.body.data.map((p: any) => p.payment_id)).toEqual(newest.slice(3, 6));
    const page3 = await list(`?limit=3&starting_after=${newest[5]}`);
    expect(page3.body.data.map((p: any) => p.payment_id)).toEqual(newest.slice(6));
    const back = await list(`?limit=2&ending_before=${newest[3]}`);
    expect(back.body.data.map((p: any) => p.payment_id)).toEqual(newest.slice(1, 3));
    const offset = await list('?limit=2&offset=4');
    expect(offset.body.data.map((p: any) => p.payment_id)).toEqual(newest.slice(4, 6));

    expect((await list('?limit=100')).body.count).toBe(7);
    for (const bad of ['?limit=0', '?limit=101']) {
      const res = await list(bad);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'IR_06', message: 'limit should be in between 1 and 100' });
    }
    expect((await list('?limit=ten')).status).toBe(400);
    expect((await list('?starting_after=pay_unknown')).status).toBe(404);
  });
});

describe('counts and control endpoints', () => {
  it('counts payments per merchant and status and requests per route, exactly', async () => {
    await withSandbox({}, async (s) => {
      const a = await setUpMerchant(s, 'merchant_a');
      const b = await setUpMerchant(s, 'merchant_b');
      const pay = (key: string, body: unknown) => call(s, 'POST', '/payments', { key, body });
      await pay(a.key, paymentBody());
      await pay(a.key, paymentBody());
      const manual = await pay(a.key, paymentBody({ capture_method: 'manual' }));
      await pay(b.key, { amount: 10, currency: 'USD' });
      await pay(b.key, { amount: -1, currency: 'USD' }); // refused: no payment
      const pending = await pay(b.key, paymentBody({ confirm: false }));
      await call(s, 'POST', `/payments/${pending.body.payment_id}/confirm`, { key: b.key, body: {} });
      await call(s, 'GET', `/payments/${manual.body.payment_id}`, { key: a.key });
      await fetch(`${s.url}/health`);

      const expected = {
        payments: {
          merchant_a: { succeeded: 2, requires_capture: 1 },
          merchant_b: { requires_payment_method: 1, succeeded: 1 },
        },
        requests: {
          accounts_create: 2,
          api_keys_create: 2,
          connectors_create: 2,
          payments_create: 6,
          payments_confirm: 1,
          payments_get: 1,
          health: 1,
        },
        merchants: 2,
        apiKeys: 2,
        concurrency: { limit: null, inFlight: 0, queued: 0, peakInFlight: 0, waited: 0 },
        // 14 API requests, none with a traceparent (health is not the API)
        traces: { requests: 14, missing: 14, malformed: 0, distinctTraceIds: 0, repeatedTraceIds: 0 },
      };
      expect(s.counts()).toEqual(expected);
      // served over HTTP without auth, and not counted as traffic
      const served = await fetch(`${s.url}/__sandbox/payments`);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual(expected);
      expect(s.counts().requests).toEqual(expected.requests);
      const stats = (await (await fetch(`${s.url}/__sandbox/stats`)).json()) as any;
      expect(stats.served).toEqual(expected.requests);
      expect(stats.payments).toEqual(expected.payments);

      // deleting a merchant keeps its payments counted; reset clears everything
      await call(s, 'DELETE', '/accounts/merchant_a', { key: ADMIN });
      expect(s.counts().payments.merchant_a).toEqual({ succeeded: 2, requires_capture: 1 });
      expect(s.counts().merchants).toBe(1);
      expect(describeWork(s)).toMatch(
        /^the sandbox served .*6 payments_create requests.*; payments: 3 succeeded, 1 requires_capture, 1 requires_payment_method$/,
      );
      await fetch(`${s.url}/__sandbox/reset`, { method: 'POST' });
      expect(s.counts()).toMatchObject({ payments: {}, requests: {}, merchants: 0, apiKeys: 0 });
      expect((await call(s, 'POST', '/payments', { key: b.key, body: paymentBody() })).status).toBe(401);
    });
  });

  it('injected failures answer 500 with the router error body; drops and latency apply', async () => {
    const { key } = await setUpMerchant(target);
    target.setFaults({ failureRate: 1 });
    const failed = await call(target, 'POST', '/payments', { key, body: paymentBody() });
    expect(failed).toEqual({ status: 500, body: { error: { type: 'api', code: 'HE_00', message: 'Something went wrong' } } });
    expect((await call(target, 'GET', '/health')).status).toBe(500);
    expect(target.stats().injectedFailures.payments_create).toBeGreaterThanOrEqual(1);

    target.setFaults({ failureRate: 0, dropRate: 1 });
    await expect(fetch(`${target.url}/health`)).rejects.toThrow();

    target.setFaults({ dropRate: 0, latencyMs: 60 });
    const started = performance.now();
    expect((await call(target, 'POST', '/payments', { key, body: paymentBody() })).body.status).toBe('succeeded');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('maxConcurrent: the excess waits, so N requests of latency L take about N / limit × L', async () => {
    await withSandbox({ maxConcurrent: 2 }, async (s) => {
      s.setFaults({ latencyMs: 100 });
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${s.url}/health`).then((r) => r.status)));
      const elapsed = performance.now() - started;
      expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(s.counts().concurrency).toEqual({ limit: 2, inFlight: 0, queued: 0, peakInFlight: 2, waited: 4 });
      // control endpoints are never held back
      const control = performance.now();
      expect((await fetch(`${s.url}/__sandbox/payments`)).status).toBe(200);
      expect(performance.now() - control).toBeLessThan(90);
    });
  });
});

describe('sandbox module contract', () => {
  it('exposes its serve flags and reads them', async () => {
    expect(Object.keys(sandboxFlags ?? {}).sort()).toEqual(['admin-key', 'legacy-api-keys', 'max-concurrent']);
    const s = (await startSandbox({ flags: { 'admin-key': 'other_admin', 'legacy-api-keys': true, 'max-concurrent': '3' } })) as PaymentsSandbox;
    try {
      expect((await call(s, 'POST', '/accounts', { key: ADMIN, body: { merchant_id: 'x' } })).status).toBe(401);
      const account = await call(s, 'POST', '/accounts', { key: 'other_admin', body: { merchant_id: 'x' } });
      expect(account.status).toBe(200);
      expect(account.body.api_key).toMatch(/^dev_/);
      expect(s.counts().concurrency.limit).toBe(3);
    } finally {
      await s.close();
    }
    await expect(startSandbox({ flags: { 'max-concurrent': 'zero' } })).rejects.toThrow(/max-concurrent/);
  });
});
