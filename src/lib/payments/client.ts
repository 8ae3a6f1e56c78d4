// The payments router client inside k6: the seed's payment requests with the merchant's `api-key`,
// a W3C traceparent on each, every step timed in its own trend and every failure counted with its
// reason. Wire facts: ../shared/reference/payments-hyperswitch.md (body of POST /payments, the
// confirm call, the statuses).
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { recordTransaction, type FailureCause } from '../metrics';
import { endTrace, startTrace } from './trace';

/** Per-step trends (ms, the request's duration as k6 measured it) and the failure and payment counters. */
export const paymentMetrics = {
  create: new Trend('payment_create', true),
  confirm: new Trend('payment_confirm', true),
  /** Failed steps, tagged `step` and `reason` (http_4xx, http_5xx, network, timeout, status_<payment status>, no_payment_id). */
  failures: new Counter('payment_failures_total'),
  /** Payments the router answered, tagged with their final `status`. */
  payments: new Counter('payments_total'),
};

/** A payment counts as successful with one of these statuses (and a 2xx answer). */
export const SUCCESS_STATUSES = ['succeeded', 'requires_capture', 'processing'];

export type Step = 'payment_create' | 'payment_confirm';

export interface StepResult {
  ok: boolean;
  httpStatus: number;
  /** The payment's status in the answer, when there was one. */
  status?: string;
  paymentId?: string;
  /** Why the step failed (the `reason` tag). */
  reason?: string;
}

/** The card, customer and amount of seed 003's payment-confirm body. */
export function paymentBody(confirm: boolean, customerId: string): Record<string, unknown> {
  return {
    amount: 6540,
    currency: 'USD',
    confirm,
    capture_method: 'automatic',
    amount_to_capture: 6540,
    customer_id: customerId,
    email: 'guest@example.com',
    name: 'John Doe',
    phone: '999999999',
    phone_country_code: '+65',
    description: 'k6 load test payment',
    authentication_type: 'no_three_ds',
    return_url: 'https://example.com/return',
    statement_descriptor_name: 'k6',
    statement_descriptor_suffix: 'load',
    metadata: { source: 'k6-regression-suite' },
    ...(confirm ? CARD : {}),
  };
}

const CARD = {
  payment_method: 'card',
  payment_method_data: { card: { card_number: '4242424242424242', card_exp_month: '10', card_exp_year: '35', card_holder_name: 'John Doe', card_cvc: '123' } },
};

/** The body of POST /payments/{id}/confirm. */
export const CONFIRM_BODY = JSON.stringify({ return_url: 'https://example.com/return', authentication_type: 'no_three_ds', ...CARD });

const CAUSE: Record<string, FailureCause> = { network: 'connection', timeout: 'timeout', http_4xx: 'validation', http_5xx: 'server' };

function reasonOf(res: RefinedResponse<ResponseType>, status: string | undefined, expectSuccess: boolean): string | undefined {
  if (res.status === 0) return /timeout/i.test(res.error ?? '') ? 'timeout' : 'network';
  if (res.status >= 500) return 'http_5xx';
  if (res.status >= 400) return 'http_4xx';
  if (res.status < 200 || res.status >= 300) return `http_${res.status}`;
  if (status === undefined) return 'no_payment_id';
  if (expectSuccess && !SUCCESS_STATUSES.includes(status)) return `status_${status}`;
  return undefined;
}

export class PaymentsClient {
  private readonly params: { timeout: string; headers: Record<string, string> };

  /** @param apiKey the merchant's API key (a secret: sent as the `api-key` header, never logged). */
  constructor(
    private readonly baseUrl: string,
    apiKey: string,
    timeoutMs: number,
  ) {
    this.params = { timeout: `${timeoutMs}ms`, headers: { 'content-type': 'application/json', accept: 'application/json', 'api-key': apiKey } };
  }

  /** POST /payments (confirm: true → the payment-confirm step, else the create step). */
  createPayment(body: Record<string, unknown>): StepResult {
    const step: Step = body.confirm ? 'payment_confirm' : 'payment_create';
    return this.send(step, `${this.baseUrl}/payments`, JSON.stringify(body), body.confirm === true);
  }

  /** POST /payments/{id}/confirm. */
  confirmPayment(paymentId: string): StepResult {
    return this.send('payment_confirm', `${this.baseUrl}/payments/${paymentId}/confirm`, CONFIRM_BODY, true);
  }

  private send(step: Step, url: string, body: string, expectSuccess: boolean): StepResult {
    const { traceparent } = startTrace();
    const res = http.post(url, body, { ...this.params, headers: { ...this.params.headers, traceparent }, tags: { name: step } });
    endTrace();
    let status: string | undefined;
    let paymentId: string | undefined;
    if (res.status >= 200 && res.status < 300 && typeof res.body === 'string') {
      try {
        const answer = JSON.parse(res.body) as { status?: unknown; payment_id?: unknown };
        status = typeof answer.status === 'string' ? answer.status : undefined;
        paymentId = typeof answer.payment_id === 'string' ? answer.payment_id : undefined;
      } catch {
        // not JSON: counted below as no_payment_id
      }
    }
    const reason = reasonOf(res, paymentId ? status : undefined, expectSuccess);
    (step === 'payment_create' ? paymentMetrics.create : paymentMetrics.confirm).add(res.timings.duration);
    if (reason) paymentMetrics.failures.add(1, { step, reason });
    recordTransaction({
      kind: 'write',
      latencyMs: res.timings.duration,
      ok: reason === undefined,
      cause: reason ? (CAUSE[reason] ?? 'server') : undefined,
      bytesWritten: body.length,
    });
    return { ok: reason === undefined, httpStatus: res.status, status, paymentId, reason };
  }
}
