// Seed 003's payment scripts against the Hyperswitch payments router: `payment-confirm` (one
// POST /payments with confirm:true), `payment-create-and-confirm` (create, then confirm) and `rps`
// (both flows, 10 VUs × 100 iterations, at most 5 minutes). setup() creates the merchant (or uses
// MERCHANT_API_KEY); every request carries a traceparent; every step is timed in its own trend.
import { check } from 'k6';
import exec from 'k6/execution';
import { buildOptions } from '../lib/options';
import { PAYMENTS_SETTINGS, type PaymentScenario } from '../lib/payments/config';
import { PaymentsClient, paymentBody, paymentMetrics, type StepResult } from '../lib/payments/client';
import { setUpMerchant, type Merchant } from '../lib/payments/merchant';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { createSetup } from '../lib/setup';
import { createSummaryHook } from '../lib/summary';

const settings = readSettings(PAYMENTS_SETTINGS);
const cfg = settings.own;

/** Each script: its exported exec function (name and function; declarations are hoisted) and the steps it times. */
const FLOWS: Record<PaymentScenario, { exec: string; run: (m: Merchant) => void; steps: string[] }> = {
  'payment-confirm': { exec: 'paymentConfirm', run: paymentConfirm, steps: ['payment_confirm'] },
  'payment-create-and-confirm': { exec: 'paymentCreateAndConfirm', run: paymentCreateAndConfirm, steps: ['payment_create', 'payment_confirm'] },
  rps: { exec: 'paymentsRps', run: paymentsRps, steps: ['payment_create', 'payment_confirm'] },
};
const flow = FLOWS[cfg.SCENARIO];
const exported = flow.exec;

// rps is the seed's fixed amount of work (10 VUs × 100 iterations) unless LOAD_PROFILE is given
const rpsScenario = { [exported]: { executor: 'per-vu-iterations' as const, exec: exported, vus: 10, iterations: 100, maxDuration: '5m' } };
const plan = planRun(
  settings,
  { [exported]: 1 },
  { target: cfg.TARGET_URL, workload: cfg.SCENARIO },
  {},
  cfg.SCENARIO === 'rps' && !settings.load.given ? { name: 'rps (10 VUs × 100 iterations)', scenarios: rpsScenario } : undefined,
);

export const options = buildOptions(plan, {
  // seed 003's threshold on each payment request the script makes, and every payment must succeed
  ...Object.fromEntries(flow.steps.map((step) => [`http_req_duration{name:${step}}`, [`p(90)<${cfg.PAYMENT_P90_MS}`]])),
  transaction_success_rate: ['rate>0.99'],
  transactions_total: ['count>0'],
});

export const setup = createSetup(plan, () => setUpMerchant(cfg));

let client: PaymentsClient | undefined;
const payer = (merchant: Merchant) => {
  client ??= new PaymentsClient(cfg.TARGET_URL, merchant.apiKey, cfg.REQUEST_TIMEOUT);
  return client;
};
const customer = () => `cus_k6_${exec.vu.idInTest}`;
const isOk = { 'payment succeeded': (r: StepResult) => r.ok };

function counted(result: StepResult): StepResult {
  if (result.status) paymentMetrics.payments.add(1, { status: result.status });
  check(result, isOk);
  return result;
}

/** payment-confirm: POST /payments with confirm:true. */
export function paymentConfirm(merchant: Merchant): void {
  counted(payer(merchant).createPayment(paymentBody(true, customer())));
}

/** payment-create-and-confirm: POST /payments (confirm:false), then POST /payments/{id}/confirm. */
export function paymentCreateAndConfirm(merchant: Merchant): void {
  const created = payer(merchant).createPayment(paymentBody(false, customer()));
  if (!created.ok || !created.paymentId) {
    counted(created);
    return;
  }
  counted(payer(merchant).confirmPayment(created.paymentId));
}

/** rps: both flows in each iteration. */
export function paymentsRps(merchant: Merchant): void {
  paymentConfirm(merchant);
  paymentCreateAndConfirm(merchant);
}

/** `k6 run --vus N --duration D` replaces the profile with k6's default scenario: run the selected flow. */
export default flow.run;

export const handleSummary = createSummaryHook(plan);
