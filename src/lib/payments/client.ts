// The payments router client inside k6: the seed's payment requests and the router-only flows' steps
// (customers, CIT confirms, MIT charges) with the merchant's `api-key`, a W3C traceparent on each,
// every step timed in its own trend and every failure counted with its reason. Wire facts:
// ../shared/reference/payments-hyperswitch.md (body of POST /payments, the confirm call, the
// statuses) and the router's saved-card flows (setup_future_usage, customer_acceptance,
// recurring_details).
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { recordTransaction, type FailureCause } from '../metrics';
import { endTrace, startTrace } from './trace';

/** The steps a flow is made of; each is a k6 trend of the same name (ms, the request's duration as k6 measured it). */
export const STEPS = ['customer_create', 'payment_create', 'payment_confirm', 'payment_recurring'] as const;
export type Step = (typeof STEPS)[number];

export const paymentMetrics = {
  steps: Object.fromEntries(STEPS.map((step) => [step, new Trend(step, true)])) as Record<Step, Trend>,
  /** Failed steps, tagged `step` and `reason` (http_4xx, http_5xx, network, timeout, status_<payment status>, no_id). */
  failures: new Counter('payment_failures_total'),
  /** Payments, each counted once with the last `status` the router answered for it. */
  payments: new Counter('payments_total'),
};

/** A payment counts as successful with one of these statuses (and a 2xx answer). */
export const SUCCESS_STATUSES = ['succeeded', 'requires_capture', 'processing'];

export interface StepResult {
  ok: boolean;
  httpStatus: number;
  /** The payment's status in the answer, when there was one. */
  status?: string;
  /** The id the answer carries: payment_id, or customer_id for customer_create. */
  id?: string;
  /** The saved card's id (payment_method_id), when the router saved or charged one. */
  paymentMethodId?: string;
  /** Why the step failed (the `reason` tag). */
  reason?: string;
}

const CARD = {
  payment_method: 'card',
  payment_method_data: { card: { card_number: '4242424242424242', card_exp_month: '10', card_exp_year: '35', card_holder_name: 'John Doe', card_cvc: '123' } },
};

/** The customer's consent to keep the card, sent with the confirm of a CIT (the router's customer_acceptance). */
export const CUSTOMER_ACCEPTANCE = {
  acceptance_type: 'online',
  accepted_at: '2025-01-01T00:00:00.000Z',
  online: { ip_address: '127.0.0.1', user_agent: 'k6' },
};

/**
 * The body of POST /payments: seed 003's payment-confirm body (amount 6540 USD, automatic capture,
 * the customer's contact, the test card when confirm is true). `customerId` undefined: a guest payment.
 * `metadata` is merged into the seed's (the run's test id goes there, for reconciliation).
 */
export function paymentBody(confirm: boolean, customerId: string | undefined, metadata: Record<string, string> = {}): Record<string, unknown> {
  return {
    amount: 6540,
    currency: 'USD',
    confirm,
    capture_method: 'automatic',
    amount_to_capture: 6540,
    ...(customerId ? { customer_id: customerId } : {}),
    email: 'guest@example.com',
    name: 'John Doe',
    phone: '999999999',
    phone_country_code: '+65',
    description: 'k6 load test payment',
    authentication_type: 'no_three_ds',
    return_url: 'https://example.com/return',
    statement_descriptor_name: 'k6',
    statement_descriptor_suffix: 'load',
    metadata: { source: 'k6-regression-suite', ...metadata },
    ...(confirm ? CARD : {}),
  };
}

/** The body of POST /payments/{id}/confirm (the test card); a CIT adds the customer's acceptance. */
export function confirmBody(withAcceptance = false): string {
  return JSON.stringify({
    return_url: 'https://example.com/return',
    authentication_type: 'no_three_ds',
    ...CARD,
    ...(withAcceptance ? { customer_acceptance: CUSTOMER_ACCEPTANCE } : {}),
  });
}

/** The body of an off-session charge (MIT) of a saved card: POST /payments with recurring_details. */
export function recurringBody(customerId: string, paymentMethodId: string, metadata: Record<string, string> = {}): Record<string, unknown> {
  return {
    amount: 6540,
    currency: 'USD',
    confirm: true,
    capture_method: 'automatic',
    customer_id: customerId,
    off_session: true,
    recurring_details: { type: 'payment_method_id', data: paymentMethodId },
    description: 'k6 load test recurring payment',
    metadata: { source: 'k6-regression-suite', ...metadata },
  };
}

const CAUSE: Record<string, FailureCause> = { network: 'connection', timeout: 'timeout', http_4xx: 'validation', http_5xx: 'server' };

function reasonOf(res: RefinedResponse<ResponseType>, id: string | undefined, status: string | undefined, expectSuccess: boolean): string | undefined {
  if (res.status === 0) return /timeout/i.test(res.error ?? '') ? 'timeout' : 'network';
  if (res.status >= 500) return 'http_5xx';
  if (res.status >= 400) return 'http_4xx';
  if (res.status < 200 || res.status >= 300) return `http_${res.status}`;
  if (id === undefined) return 'no_id';
  if (expectSuccess && !SUCCESS_STATUSES.includes(status ?? '')) return `status_${status}`;
  return undefined;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export class PaymentsClient {
  private readonly timeout: string;

  /**
   * @param apiKey the merchant's API key (a secret: sent as the `api-key` header, never logged).
   * @param measured false for setup()'s own requests: they are not load, so they feed no metric.
   */
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    timeoutMs: number,
    readonly measured = true,
  ) {
    this.timeout = `${timeoutMs}ms`;
  }

  /**
   * POST /payments: confirm:true → the payment_confirm step (off_session → payment_recurring), else
   * payment_create. `json`: the body already serialized (a flow that sends the same body every
   * iteration serializes it once).
   */
  createPayment(body: Record<string, unknown>, json = JSON.stringify(body)): StepResult {
    const step: Step = body.off_session ? 'payment_recurring' : body.confirm ? 'payment_confirm' : 'payment_create';
    return this.send(step, '/payments', json, body.confirm === true);
  }

  /** POST /payments/{id}/confirm with the test card (and, for a CIT, the customer's acceptance). */
  confirmPayment(paymentId: string, withAcceptance = false): StepResult {
    return this.send('payment_confirm', `/payments/${paymentId}/confirm`, confirmBody(withAcceptance), true);
  }

  /** POST /customers: a new customer (id chosen by the router), for the CIT flows. */
  createCustomer(): StepResult {
    return this.send(
      'customer_create',
      '/customers',
      JSON.stringify({ name: 'John Doe', email: 'guest@example.com', phone: '999999999', phone_country_code: '+65' }),
      false,
    );
  }

  private send(step: Step, path: string, body: string, expectSuccess: boolean): StepResult {
    const { traceparent } = startTrace();
    // a literal, not spread copies of shared params: this runs for every request
    const headers = { 'content-type': 'application/json', accept: 'application/json', 'api-key': this.apiKey, traceparent };
    const res = http.post(`${this.baseUrl}${path}`, body, { timeout: this.timeout, headers, tags: { name: step } });
    endTrace();
    // only the fields read, picked by k6 in Go (res.json with a selector): parsing the whole answer
    // into a JavaScript object was a fifth of the script's CPU time
    const field = (name: string) => {
      try {
        return text(res.json(name));
      } catch {
        return undefined; // not JSON: counted below as no_id
      }
    };
    const ok2xx = res.status >= 200 && res.status < 300 && typeof res.body === 'string';
    const id = ok2xx ? field(step === 'customer_create' ? 'customer_id' : 'payment_id') : undefined;
    const status = id === undefined ? undefined : field('status');
    const reason = reasonOf(res, id, status, expectSuccess);
    const result = {
      ok: reason === undefined,
      httpStatus: res.status,
      status,
      id,
      paymentMethodId: id === undefined ? undefined : field('payment_method_id'),
      reason,
    };
    if (!this.measured) return result;
    paymentMetrics.steps[step].add(res.timings.duration);
    if (reason) paymentMetrics.failures.add(1, { step, reason });
    recordTransaction({
      kind: 'write',
      latencyMs: res.timings.duration,
      ok: reason === undefined,
      cause: reason ? (CAUSE[reason] ?? 'server') : undefined,
      bytesWritten: body.length,
    });
    return result;
  }
}
