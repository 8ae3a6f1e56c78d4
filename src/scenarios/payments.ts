// Seed 003's payment scripts against the Hyperswitch payments router — `payment-confirm` (one
// POST /payments with confirm:true), `payment-create-and-confirm` (create, then confirm) and `rps`
// (both flows, 10 VUs × 100 iterations, at most 5 minutes) — and `mix`, the weighted mix of the
// router-only flows (guest, cit_on_session, cit_off_session, mit; PAYMENTS_MIX), each flow its own
// arrival-rate executor. setup() creates the merchant (or uses MERCHANT_API_KEY); every request
// carries a traceparent; every step is timed in its own trend; teardown() reconciles k6's counts
// with the router's list of this run's payments.
import exec from 'k6/execution';
import { buildOptions } from '../lib/options';
import { PaymentsClient, type Step } from '../lib/payments/client';
import { PAYMENTS_SETTINGS, mixWeights, type PaymentScenario } from '../lib/payments/config';
import { MIX, createThenConfirm, customerInitiated, payAndConfirm, type PayContext, type SavedCard } from '../lib/payments/flows';
import { setUpMerchants, type Merchant } from '../lib/payments/merchant';
import { merchantFor, readPool } from '../lib/payments/pool';
import type { MixFlow } from '../lib/payments/mix';
import { flowAt } from '../shared/mix';
import { describe, reconcile, reconciliation, reconciliationFindings } from '../lib/payments/reconcile';
import { planFacts, type ScenarioPlan } from '../shared/verdict';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { createSetup } from '../lib/setup';
import { createSummaryHook } from '../lib/summary';

const settings = readSettings(PAYMENTS_SETTINGS);
const cfg = settings.own;
// in init: every VU and the summary hook register the pool's keys as secrets
const pool = readPool(cfg.MERCHANT_POOL, settings.results.cwd);

/** The seed's scripts: each one exec function (declarations are hoisted) and the steps it times. */
const SCRIPTS: Record<Exclude<PaymentScenario, 'mix'>, { exec: string; steps: Step[] }> = {
  'payment-confirm': { exec: 'paymentConfirm', steps: ['payment_confirm'] },
  'payment-create-and-confirm': { exec: 'paymentCreateAndConfirm', steps: ['payment_create', 'payment_confirm'] },
  rps: { exec: 'paymentsRps', steps: ['payment_create', 'payment_confirm'] },
};
/** The steps of each mix flow (its exec function has the flow's name). */
const FLOW_STEPS: Record<MixFlow, Step[]> = {
  guest: ['payment_create', 'payment_confirm'],
  cit_on_session: ['customer_create', 'payment_create', 'payment_confirm'],
  cit_off_session: ['customer_create', 'payment_create', 'payment_confirm'],
  mit: ['payment_recurring'],
};
const mix = cfg.SCENARIO === 'mix' ? mixWeights(cfg, settings.results.cwd).weights : undefined;
const weights: Record<string, number> = mix ?? { [SCRIPTS[cfg.SCENARIO as Exclude<PaymentScenario, 'mix'>].exec]: 1 };
const steps = [...new Set(mix ? (Object.keys(mix) as MixFlow[]).flatMap((flow) => FLOW_STEPS[flow]) : SCRIPTS[cfg.SCENARIO as 'rps'].steps)];

/** rps without LOAD_PROFILE is the seed's fixed amount of work: 10 VUs × 100 iterations. */
const seedRps =
  cfg.SCENARIO === 'rps' && !settings.load.given
    ? {
        name: 'rps (10 VUs × 100 iterations)',
        scenarios: { paymentsRps: { executor: 'per-vu-iterations' as const, exec: 'paymentsRps', vus: 10, iterations: 100, maxDuration: '5m' } },
      }
    : undefined;

const plan = planRun(
  settings,
  weights,
  {
    target: cfg.TARGET_URL,
    workload: mix
      ? `mix ${Object.entries(mix)
          .map(([f, w]) => `${f}:${w}`)
          .join(',')}`
      : cfg.SCENARIO,
  },
  { endChecks },
  seedRps,
);

export const options = buildOptions(
  plan,
  {
    // seed 003's threshold on each payment request the script makes, and every payment must succeed
    ...Object.fromEntries(steps.map((step) => [`http_req_duration{name:${step}}`, [`p(90)<${cfg.PAYMENT_P90_MS}`]])),
    transaction_success_rate: ['rate>0.99'],
    transactions_total: ['count>0'],
  },
  {},
  // nothing lost: every payment k6 counted is on the router's list with the same status (reconcile.ts; once, in teardown)
  cfg.RECONCILE ? { payments_unreconciled: ['count==0'] } : {},
);

/**
 * setup()'s answer: the merchants to pay as, the card mit charges per merchant, when the run started,
 * and the run's random key (every payment's `metadata.k6_run`: reconciliation lists exactly this run's).
 */
interface Run {
  merchants: Merchant[];
  saved: Record<string, SavedCard>;
  startedAt: string;
  runKey: string;
}

export const setup = createSetup(plan, (): Run => {
  const startedAt = new Date().toISOString();
  const runKey = randomKey();
  const merchants = setUpMerchants(cfg, pool);
  const saved: Record<string, SavedCard> = {};
  if (mix?.mit) {
    // mit charges a card saved for off-session use: one customer-initiated payment per merchant saves it
    // (reconciled like every payment, but not load: it feeds no metric)
    for (const merchant of merchants) {
      const client = new PaymentsClient(cfg.TARGET_URL, merchant.apiKey, cfg.REQUEST_TIMEOUT, false);
      const { result, saved: card } = customerInitiated({ client, metadata: { k6_test_id: testId(), k6_run: runKey } }, 'off_session');
      if (!card) {
        exec.test.abort(
          `payments setup: saving a card for mit (POST /customers, /payments, /payments/{id}/confirm as merchant ${merchant.merchantId}) failed: ${result.reason ?? 'no payment_method_id in the answer'} (HTTP ${result.httpStatus})`,
        );
      }
      saved[merchant.merchantId] = card as SavedCard;
    }
  }
  return { merchants, saved, startedAt, runKey };
});

/** 16 random hex digits. */
const randomKey = () =>
  Array.from({ length: 4 }, () =>
    Math.floor(Math.random() * 0x10000)
      .toString(16)
      .padStart(4, '0'),
  ).join('');

const contexts = new Map<string, PayContext>();
/** A merchant's context in this VU (made once: its client, what its payments carry, its saved card). */
function context(merchant: Merchant, run: Run): PayContext {
  let ctx = contexts.get(merchant.merchantId);
  if (!ctx) {
    const client = new PaymentsClient(cfg.TARGET_URL, merchant.apiKey, cfg.REQUEST_TIMEOUT);
    const metadata = { k6_test_id: testId(), k6_run: run.runKey };
    ctx = { client, metadata, customerId: `cus_k6_${exec.vu.idInTest}`, saved: run.saved[merchant.merchantId], bodies: {} };
    contexts.set(merchant.merchantId, ctx);
  }
  return ctx;
}

/** The run's test id as k6 consolidated it (each VU's own init may have stamped another default). */
const testId = () => String(exec.test.options.tags?.testid ?? plan.testId);

/** The merchant of this iteration (iterations spread round-robin over the merchants) and its context. */
function payer(run: Run): PayContext {
  const merchant = run.merchants.length === 1 ? run.merchants[0] : merchantFor(run.merchants, exec.scenario.iterationInTest);
  return context(merchant, run);
}

/** payment-confirm: POST /payments with confirm:true. */
export function paymentConfirm(run: Run): void {
  payAndConfirm(payer(run));
}

/** payment-create-and-confirm: POST /payments (confirm:false), then POST /payments/{id}/confirm. */
export function paymentCreateAndConfirm(run: Run): void {
  createThenConfirm(payer(run));
}

/** rps: both flows in each iteration. */
export function paymentsRps(run: Run): void {
  paymentConfirm(run);
  paymentCreateAndConfirm(run);
}

/** The mix's flows, one exec function (and arrival-rate executor) each. */
export function guest(run: Run): void {
  MIX.guest(payer(run));
}
export function cit_on_session(run: Run): void {
  MIX.cit_on_session(payer(run));
}
export function cit_off_session(run: Run): void {
  MIX.cit_off_session(payer(run));
}
export function mit(run: Run): void {
  MIX.mit(payer(run));
}

/**
 * `k6 run --vus N --duration D` replaces the profile with k6's default scenario: run the selected
 * script; the mix picks each iteration's flow at random by weight (its rates are then not held).
 */
export default function (run: Run): void {
  if (mix) MIX[flowAt(mix, Math.random() * 100)](payer(run));
  else ({ 'payment-confirm': paymentConfirm, 'payment-create-and-confirm': paymentCreateAndConfirm, rps: paymentsRps })[cfg.SCENARIO as 'rps'](run);
}

/** After the load: the router's list of this run's payments against k6's counts (a mismatch fails the payments_unreconciled threshold). */
export function teardown(run: Run | undefined): void {
  if (!cfg.RECONCILE || !run) return;
  const r = reconcile(cfg.TARGET_URL, run.merchants, run.runKey, run.startedAt, cfg.REQUEST_TIMEOUT, cutShort(run));
  const { problems, notes } = reconciliationFindings(r);
  console.log([...problems, ...notes].join('\n') || `reconciliation: k6 and the router agree (${describe(r.k6)})`);
}

/**
 * Whether the run stopped before its plan's end (Ctrl-C, test.abort(), STAIR_ABORT): the time since
 * setup() began is shorter than the planned schedule. Not when k6's own flags replaced the profile.
 */
function cutShort(run: Run): boolean {
  const ran = Object.keys(exec.test.options.scenarios ?? {}).sort();
  if (ran.join() !== Object.keys(plan.scenarios).sort().join()) return false;
  return Date.now() - Date.parse(run.startedAt) + 1000 < planFacts(plan.scenarios as Record<string, ScenarioPlan>).plannedDurationMs;
}

/** The summary's view of the reconciliation teardown left in the tallies. */
function endChecks(): { failed: string[]; unjudged: string[]; notes: string[] } {
  if (!cfg.RECONCILE) return { failed: [], unjudged: [], notes: ['reconciliation off (RECONCILE=false)'] };
  const r = reconciliation();
  if (!r) return { failed: [], unjudged: ['not reconciled: teardown() did not run (--no-teardown, or setup failed)'], notes: [] };
  const { problems, notes } = reconciliationFindings(r);
  return {
    failed: problems,
    unjudged: [],
    notes: problems.length === 0 && notes.length === 0 ? [`reconciled: k6 and the router agree (${describe(r.k6)})`] : notes,
  };
}

export const handleSummary = createSummaryHook(plan);
