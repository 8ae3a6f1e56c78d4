// Merchant API (api-key: a merchant's key; every object is that merchant's): customers and payments with
// the router's statuses (/work/shared/reference/payments-hyperswitch.md, Scripts).
//   POST /customers                         → 200 the customer (customer_id "cus_..." unless given); taken id → 400 IR_12
//   GET  /customers/{id}[/payment_methods]  → 200 the customer | its saved cards; unknown → 404 HE_02
//   POST /payments                          → 200 the payment: requires_payment_method (no method), requires_confirmation
//        (a method, confirm false), or with confirm true succeeded (capture_method automatic) / requires_capture (manual)
//        / failed (a declining test card). setup_future_usage + customer_acceptance saves the card (payment_method_id
//        "pm_..."); recurring_details {type:"payment_method_id"} charges a saved one (unknown → 404 HE_02, another
//        customer's, or one saved on_session charged with off_session:true → 400 IR_16, the router's PreconditionFailed).
//   POST /payments/{id}/confirm|capture|cancel → 200 the payment; a status that forbids it → 400 IR_16 / IR_14
//   GET  /payments/{id}                     → 200 the payment; unknown or another merchant's → 404 HE_02
//   GET  /payments/list?limit&starting_after&ending_before&offset&customer_id → newest first {size, count, total_count, data}
import { routeConnector } from './admin.ts';
import {
  alphanumeric,
  newId,
  type CardView,
  type Customer,
  type Merchant,
  type Payment,
  type PaymentMethodRef,
  type PaymentStatus,
  type SavedMethod,
  type Store,
} from './store.ts';
import {
  ERRORS,
  deserializeError,
  duplicatePayment,
  fail,
  invalidValue,
  missingField,
  notAllowed,
  optBool,
  optEnum,
  optInteger,
  optObject,
  optString,
  unexpectedState,
  type Json,
} from './wire.ts';

const CAPTURE_METHODS = ['automatic', 'manual', 'manual_multiple', 'scheduled'] as const;
const FUTURE_USAGE = ['off_session', 'on_session'] as const;
const CURRENCY = /^[A-Z]{3}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Statuses a payment can be confirmed from. */
const CONFIRMABLE: PaymentStatus[] = ['requires_payment_method', 'requires_confirmation'];
const CANCELLABLE: PaymentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_capture'];
/** Stripe's declining test cards, answered as the connector's decline. */
const DECLINES: Record<string, { code: string; message: string }> = {
  '4000000000000002': { code: 'card_declined', message: 'Your card was declined.' },
  '4000000000009995': { code: 'card_declined', message: 'Your card has insufficient funds.' },
  '4000000000000069': { code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
};
/** Request fields a payment echoes unchanged. */
const ECHOED = [
  'description',
  'email',
  'name',
  'phone',
  'phone_country_code',
  'return_url',
  'authentication_type',
  'statement_descriptor_name',
  'statement_descriptor_suffix',
  'metadata',
  'shipping',
  'billing',
  'order_details',
  'payment_method_type',
  'browser_info',
] as const;
/** Client secrets expire after 15 minutes, as the router's default. */
const SECRET_TTL_MS = 15 * 60 * 1000;

// ---------------------------------------------------------------- customers

export function createCustomer(merchant: Merchant, body: Json): Json {
  const given = optString(body, 'customer_id');
  if (given !== undefined && !ID.test(given)) fail(invalidValue('customer_id'));
  if (given !== undefined && merchant.customers.has(given)) fail(ERRORS.customerExists);
  return addCustomer(merchant, given ?? newId('cus'), body).view;
}

function addCustomer(merchant: Merchant, customerId: string, body: Json): Customer {
  const created_at = new Date().toISOString();
  const view: Json = {
    customer_id: customerId,
    name: optString(body, 'name') ?? null,
    email: optString(body, 'email') ?? null,
    phone: optString(body, 'phone') ?? null,
    phone_country_code: optString(body, 'phone_country_code') ?? null,
    description: optString(body, 'description') ?? null,
    address: optObject(body, 'address') ?? null,
    created_at,
    metadata: optObject(body, 'metadata') ?? null,
    default_payment_method_id: null,
  };
  const customer: Customer = { customer_id: customerId, created_at, view, paymentMethods: [] };
  merchant.customers.set(customerId, customer);
  return customer;
}

export function getCustomer(merchant: Merchant, customerId: string): Json {
  return (merchant.customers.get(customerId) ?? fail(ERRORS.customerNotFound)).view;
}

/** GET /customers/{id}/payment_methods: the customer's saved cards. */
export function customerMethods(merchant: Merchant, customerId: string): Json {
  const customer = merchant.customers.get(customerId) ?? fail(ERRORS.customerNotFound);
  const customer_payment_methods = customer.paymentMethods.map((id) => {
    const m = merchant.methods.get(id)!;
    return {
      payment_token: `token_${alphanumeric(20)}`,
      payment_method_id: m.payment_method_id,
      customer_id: m.customer_id,
      payment_method: 'card',
      payment_method_type: null,
      recurring_enabled: true,
      card: {
        scheme: m.card.card_network,
        last4_digits: m.card.last4,
        expiry_month: m.card.card_exp_month,
        expiry_year: m.card.card_exp_year,
        card_holder_name: m.card.card_holder_name,
        card_isin: m.card.card_isin,
        card_network: m.card.card_network,
        saved_to_locker: true,
      },
      created: m.created,
      requires_cvv: false,
      default_payment_method_set: customer.view.default_payment_method_id === m.payment_method_id,
    };
  });
  return { customer_payment_methods, is_guest_customer: false };
}

// ---------------------------------------------------------------- payments

export function createPayment(store: Store, merchant: Merchant, body: Json): Json {
  const amount = optInteger(body, 'amount') ?? fail(missingField('amount'));
  if (amount <= 0) fail(invalidValue('amount'));
  const currency = optString(body, 'currency') ?? fail(missingField('currency'));
  if (!CURRENCY.test(currency)) fail(deserializeError(`currency: unknown variant \`${currency}\``));
  const captureMethod = optEnum(body, 'capture_method', CAPTURE_METHODS) ?? 'automatic';
  const futureUsage = optEnum(body, 'setup_future_usage', FUTURE_USAGE) ?? null;
  const confirm = optBool(body, 'confirm') ?? false;
  const customerId = optString(body, 'customer_id') ?? null;
  if (customerId !== null && !ID.test(customerId)) fail(invalidValue('customer_id'));
  if (futureUsage !== null && customerId === null) fail(ERRORS.customerRequired);
  const paymentId = optString(body, 'payment_id') ?? newId('pay');
  if (!ID.test(paymentId)) fail(invalidValue('payment_id'));
  if (merchant.payments.has(paymentId)) fail(duplicatePayment(paymentId));
  const method = methodOf(merchant, body, customerId) ?? null;

  const now = new Date().toISOString();
  const payment: Payment = {
    payment_id: paymentId,
    merchant_id: merchant.merchant_id,
    profile_id: merchant.profile_id,
    status: method ? 'requires_confirmation' : 'requires_payment_method',
    amount,
    currency,
    customer_id: customerId,
    created: now,
    updated: now,
    client_secret: `${paymentId}_secret_${alphanumeric(20)}`,
    attempt_count: 1,
    capture_method: captureMethod,
    amount_capturable: amount,
    amount_received: null,
    method,
    payment_method_id: method?.savedId ?? null,
    setup_future_usage: futureUsage,
    customer_acceptance: optObject(body, 'customer_acceptance') !== undefined,
    off_session: optBool(body, 'off_session') ?? null,
    connector: null,
    merchant_connector_id: null,
    connector_transaction_id: null,
    error_code: null,
    error_message: null,
    cancellation_reason: null,
    echo: {},
    index: 0,
  };
  for (const field of ECHOED) if (body[field] !== undefined) payment.echo[field] = body[field];
  if (confirm) payment.status = authorize(merchant, payment);
  // the router creates a customer it has not seen, from the payment's customer details
  if (customerId !== null && !merchant.customers.has(customerId)) addCustomer(merchant, customerId, body);
  if (confirm) saveMethod(merchant, payment);
  store.addPayment(merchant, payment);
  return paymentView(payment);
}

export function confirmPayment(store: Store, merchant: Merchant, paymentId: string, body: Json): Json {
  const payment = paymentOf(merchant, paymentId);
  if (!CONFIRMABLE.includes(payment.status)) fail(notAllowed('confirm', payment.status));
  const method = methodOf(merchant, body, payment.customer_id);
  const futureUsage = optEnum(body, 'setup_future_usage', FUTURE_USAGE);
  if (futureUsage !== undefined && payment.customer_id === null) fail(ERRORS.customerRequired);
  if (method) {
    payment.method = method;
    payment.payment_method_id = method.savedId;
  }
  if (futureUsage !== undefined) payment.setup_future_usage = futureUsage;
  if (optObject(body, 'customer_acceptance')) payment.customer_acceptance = true;
  for (const field of ECHOED) if (body[field] !== undefined) payment.echo[field] = body[field];
  store.setStatus(payment, authorize(merchant, payment));
  saveMethod(merchant, payment);
  return paymentView(payment);
}

export function capturePayment(store: Store, merchant: Merchant, paymentId: string, body: Json): Json {
  const payment = paymentOf(merchant, paymentId);
  if (payment.status !== 'requires_capture') {
    fail(unexpectedState('captured', payment.status, 'requires_capture, partially_captured_and_capturable, processing'));
  }
  const toCapture = optInteger(body, 'amount_to_capture') ?? payment.amount_capturable;
  if (toCapture <= 0 || toCapture > payment.amount_capturable) fail(invalidValue('amount_to_capture'));
  payment.amount_received = toCapture;
  payment.amount_capturable = 0;
  payment.updated = new Date().toISOString();
  store.setStatus(payment, toCapture < payment.amount ? 'partially_captured' : 'succeeded');
  return paymentView(payment);
}

export function cancelPayment(store: Store, merchant: Merchant, paymentId: string, body: Json): Json {
  const payment = paymentOf(merchant, paymentId);
  if (!CANCELLABLE.includes(payment.status)) fail(notAllowed('cancel', payment.status));
  payment.cancellation_reason = optString(body, 'cancellation_reason') ?? null;
  payment.amount_capturable = 0;
  payment.updated = new Date().toISOString();
  store.setStatus(payment, 'cancelled');
  return paymentView(payment);
}

export function getPayment(merchant: Merchant, paymentId: string): Json {
  return paymentView(paymentOf(merchant, paymentId));
}

/** The merchant's payments, newest first; cursors are payment ids, `offset` skips after the cursor. */
export function listPayments(merchant: Merchant, query: URLSearchParams): Json {
  const limit = queryInteger(query, 'limit') ?? 10;
  if (limit < 1 || limit > 100) fail(ERRORS.listLimit);
  const offset = queryInteger(query, 'offset') ?? 0;
  if (offset < 0) fail(invalidValue('offset'));
  const customerId = query.get('customer_id');
  const cursor = (name: string) => {
    const id = query.get(name);
    return id === null ? undefined : paymentOf(merchant, id).index;
  };
  const after = cursor('starting_after');
  const before = cursor('ending_before');
  const list = merchant.paymentList;
  const matches = (p: Payment) => customerId === null || p.customer_id === customerId;
  const picked: Payment[] = [];
  let skipped = 0;
  const take = (p: Payment) => {
    if (!matches(p)) return;
    if (skipped < offset) skipped += 1;
    else picked.push(p);
  };
  if (before !== undefined && after === undefined) {
    // the page just newer than the cursor, answered newest first
    for (let i = before + 1; i < list.length && picked.length < limit; i += 1) take(list[i]);
    picked.reverse();
  } else {
    const floor = before ?? -1;
    for (let i = (after ?? list.length) - 1; i > floor && picked.length < limit; i -= 1) take(list[i]);
  }
  const data = picked.map(paymentView);
  const total = customerId === null ? list.length : list.filter(matches).length;
  return { size: data.length, count: data.length, total_count: total, data };
}

function queryInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) fail(deserializeError(`${name}: invalid digit found in string`));
  return Number(raw);
}

function paymentOf(merchant: Merchant, paymentId: string): Payment {
  return merchant.payments.get(paymentId) ?? fail(ERRORS.paymentNotFound);
}

/** The card of a request: payment_method_data.card, or a saved method named by recurring_details / payment_method_id. */
function methodOf(merchant: Merchant, body: Json, customerId: string | null): PaymentMethodRef | undefined {
  const data = optObject(body, 'payment_method_data');
  const card = data && optObject(data, 'card');
  if (card) return cardOf(card);
  const recurring = optObject(body, 'recurring_details');
  let savedId = optString(body, 'payment_method_id');
  if (recurring) {
    if (recurring.type !== 'payment_method_id') fail(deserializeError(`recurring_details: unknown variant \`${String(recurring.type)}\``));
    savedId = optString(recurring, 'data') ?? fail(deserializeError('recurring_details: missing field `data`'));
  }
  if (savedId === undefined) return undefined;
  const saved = merchant.methods.get(savedId) ?? fail(ERRORS.paymentMethodNotFound);
  if (saved.customer_id !== customerId) fail(ERRORS.customerMismatch);
  if (optBool(body, 'off_session') === true && saved.usage !== 'off_session') fail(ERRORS.notForOffSession);
  return { card: saved.card, savedId, decline: null };
}

/** A card of a request; the number is checked (Luhn) and kept only as last4, BIN and the decline it triggers. */
function cardOf(card: Json): PaymentMethodRef {
  const field = (name: string) => optString(card, name) ?? fail(deserializeError(`payment_method_data.card: missing field \`${name}\``));
  const number = field('card_number').replaceAll(' ', '');
  if (!luhn(number)) fail(deserializeError('card_number: card number invalid'));
  const month = field('card_exp_month');
  const year = field('card_exp_year');
  field('card_cvc');
  if (!/^(0?[1-9]|1[0-2])$/.test(month)) fail(invalidValue('card_exp_month'));
  if (!/^(\d{2}|\d{4})$/.test(year)) fail(invalidValue('card_exp_year'));
  const network = number.startsWith('4') ? 'Visa' : /^(5[1-5]|2[2-7])/.test(number) ? 'Mastercard' : /^3[47]/.test(number) ? 'AmericanExpress' : null;
  const view: CardView = {
    last4: number.slice(-4),
    card_isin: number.slice(0, 6),
    card_network: network,
    card_exp_month: month,
    card_exp_year: year,
    card_holder_name: optString(card, 'card_holder_name') ?? null,
  };
  return { card: view, savedId: null, decline: DECLINES[number] ?? null };
}

function luhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Sends a payment to the connector: succeeded (automatic capture), requires_capture (manual) or failed (declined). */
function authorize(merchant: Merchant, payment: Payment): PaymentStatus {
  const method = payment.method ?? fail(ERRORS.paymentMethodRequired);
  const connector = routeConnector(merchant) ?? fail(ERRORS.noConnector);
  payment.connector = connector.connector_name;
  payment.merchant_connector_id = connector.merchant_connector_id;
  payment.connector_transaction_id = `pi_${alphanumeric(24)}`;
  payment.updated = new Date().toISOString();
  if (method.decline) {
    payment.error_code = method.decline.code;
    payment.error_message = method.decline.message;
    payment.amount_capturable = 0;
    return 'failed';
  }
  if (payment.capture_method !== 'automatic') return 'requires_capture';
  payment.amount_received = payment.amount;
  payment.amount_capturable = 0;
  return 'succeeded';
}

/** After a confirm: a new card given with setup_future_usage and customer_acceptance is saved for the customer. */
function saveMethod(merchant: Merchant, payment: Payment): void {
  const method = payment.method;
  if (!method || method.savedId !== null || payment.status === 'failed') return;
  if (payment.setup_future_usage === null || payment.customer_id === null || !payment.customer_acceptance) return;
  const customer = merchant.customers.get(payment.customer_id)!;
  const saved: SavedMethod = {
    payment_method_id: newId('pm'),
    customer_id: payment.customer_id,
    card: method.card,
    created: payment.updated,
    usage: payment.setup_future_usage,
  };
  merchant.methods.set(saved.payment_method_id, saved);
  customer.paymentMethods.push(saved.payment_method_id);
  customer.view.default_payment_method_id ??= saved.payment_method_id;
  method.savedId = saved.payment_method_id;
  payment.payment_method_id = saved.payment_method_id;
}

/** The router's PaymentsResponse for a payment. */
export function paymentView(p: Payment): Json {
  const e = p.echo;
  const customer = p.customer_id === null ? null : { id: p.customer_id, name: e.name ?? null, email: e.email ?? null, phone: e.phone ?? null };
  return {
    payment_id: p.payment_id,
    merchant_id: p.merchant_id,
    status: p.status,
    amount: p.amount,
    net_amount: p.amount,
    amount_capturable: p.amount_capturable,
    amount_received: p.amount_received,
    connector: p.connector,
    client_secret: p.client_secret,
    created: p.created,
    currency: p.currency,
    customer_id: p.customer_id,
    customer,
    description: e.description ?? null,
    refunds: null,
    disputes: null,
    mandate_id: null,
    mandate_data: null,
    setup_future_usage: p.setup_future_usage,
    off_session: p.off_session,
    capture_on: null,
    capture_method: p.capture_method,
    payment_method: p.method ? 'card' : null,
    payment_method_data: p.method ? { card: { ...p.method.card, card_type: null, card_issuer: null, card_issuing_country: null }, billing: null } : null,
    payment_token: null,
    shipping: e.shipping ?? null,
    billing: e.billing ?? null,
    order_details: e.order_details ?? null,
    email: e.email ?? null,
    name: e.name ?? null,
    phone: e.phone ?? null,
    return_url: e.return_url ?? null,
    authentication_type: e.authentication_type ?? 'no_three_ds',
    statement_descriptor_name: e.statement_descriptor_name ?? null,
    statement_descriptor_suffix: e.statement_descriptor_suffix ?? null,
    next_action: null,
    cancellation_reason: p.cancellation_reason,
    error_code: p.error_code,
    error_message: p.error_message,
    payment_experience: null,
    payment_method_type: e.payment_method_type ?? null,
    connector_label: null,
    business_country: null,
    business_label: null,
    ephemeral_key: null,
    manual_retry_allowed: p.status === 'failed',
    connector_transaction_id: p.connector_transaction_id,
    metadata: e.metadata ?? null,
    profile_id: p.profile_id,
    attempt_count: p.attempt_count,
    merchant_connector_id: p.merchant_connector_id,
    browser_info: e.browser_info ?? null,
    payment_method_id: p.payment_method_id,
    payment_method_status: p.payment_method_id ? 'active' : null,
    expires_on: new Date(Date.parse(p.created) + SECRET_TTL_MS).toISOString(),
    updated: p.updated,
  };
}
