// The payment flows a VU runs, one per exec function: seed 003's payment-confirm and
// payment-create-and-confirm, and the router-only mix — guest (create → confirm), cit_on_session /
// cit_off_session (customer → create with setup_future_usage → confirm with customer_acceptance,
// which saves the card) and mit (a saved card charged off-session with recurring_details). Each
// payment is counted once, with the last status the router answered for it, in payments_total and
// in the process-wide tally that teardown reconciles with the router's own list.
import { check } from 'k6';
import { tally } from 'k6/x/loadgen';
import { paymentBody, paymentMetrics, recurringBody, type PaymentsClient, type StepResult } from './client';
import type { MixFlow } from './mix';

/** A card saved for off-session use, which mit charges (made once per merchant in setup()). */
export interface SavedCard {
  customerId: string;
  paymentMethodId: string;
}

/** What a flow pays with: the client of one merchant, the metadata every payment carries, that merchant's saved card. */
export interface PayContext {
  client: PaymentsClient;
  metadata: Record<string, string>;
  /** The seed's scripts pay as a fixed customer (`cus_k6_<VU>`); the mix flows make their own. */
  customerId?: string;
  saved?: SavedCard;
  /** The seed's bodies, serialized once per context (they are the same every iteration). */
  bodies?: Partial<Record<'confirm' | 'create' | 'guest', string>>;
}

/** The seed's payment body of a context (`guest`: without its customer), serialized once. */
function seedBody(ctx: PayContext, kind: 'confirm' | 'create' | 'guest'): [Record<string, unknown>, string] {
  const body = paymentBody(kind === 'confirm', kind === 'guest' ? undefined : ctx.customerId, ctx.metadata);
  const bodies = (ctx.bodies ??= {});
  bodies[kind] ??= JSON.stringify(body);
  return [body, bodies[kind]];
}

/** The tally name of payments that ended in `status` (see reconcile.ts). */
export const paymentTally = (status: string) => `payments:${status}`;

const isOk = { 'payment succeeded': (r: StepResult) => r.ok };

/**
 * Ends a flow: counts the payment (when the router made one) with its last known status — in the tally
 * reconciliation reads always, in payments_total and the check only when measured (not setup()'s).
 */
function settle(ctx: PayContext, result: StepResult, created?: StepResult): StepResult {
  const status = result.status ?? created?.status;
  const measured = ctx.client.measured;
  if ((result.id ?? created?.id) !== undefined && status !== undefined) {
    if (measured) paymentMetrics.payments.add(1, { status });
    tally(paymentTally(status));
  }
  if (measured) check(result, isOk);
  return result;
}

/** payment-confirm: POST /payments with confirm:true. */
export function payAndConfirm(ctx: PayContext): StepResult {
  return settle(ctx, ctx.client.createPayment(...seedBody(ctx, 'confirm')));
}

/** payment-create-and-confirm (and the mix's guest, without a customer): POST /payments, then POST /payments/{id}/confirm. */
export function createThenConfirm(ctx: PayContext, guest = false): StepResult {
  const created = ctx.client.createPayment(...seedBody(ctx, guest ? 'guest' : 'create'));
  if (!created.ok || created.id === undefined) return settle(ctx, created);
  return settle(ctx, ctx.client.confirmPayment(created.id), created);
}

/**
 * A customer-initiated payment that saves the card: POST /customers, POST /payments with
 * setup_future_usage (`on_session` or `off_session`), POST /payments/{id}/confirm with the card and
 * the customer's acceptance. Returns the last step and the saved card, when the router saved one.
 */
export function customerInitiated(ctx: PayContext, usage: 'on_session' | 'off_session'): { result: StepResult; saved?: SavedCard } {
  const customer = ctx.client.createCustomer();
  if (!customer.ok || customer.id === undefined) {
    if (ctx.client.measured) check(customer, isOk);
    return { result: customer };
  }
  const created = ctx.client.createPayment({ ...paymentBody(false, customer.id, ctx.metadata), setup_future_usage: usage });
  if (!created.ok || created.id === undefined) return { result: settle(ctx, created) };
  const result = settle(ctx, ctx.client.confirmPayment(created.id, true), created);
  return { result, saved: result.ok && result.paymentMethodId ? { customerId: customer.id, paymentMethodId: result.paymentMethodId } : undefined };
}

/** A merchant-initiated charge of the saved card, off-session (POST /payments with recurring_details). */
export function merchantInitiated(ctx: PayContext): StepResult {
  if (!ctx.saved) throw new Error('mit needs a card saved for off-session use: setup() saves one per merchant');
  return settle(ctx, ctx.client.createPayment(recurringBody(ctx.saved.customerId, ctx.saved.paymentMethodId, ctx.metadata)));
}

/** The mix's flows by name. */
export const MIX: Record<MixFlow, (ctx: PayContext) => unknown> = {
  guest: (ctx) => createThenConfirm(ctx, true),
  cit_on_session: (ctx) => customerInitiated(ctx, 'on_session'),
  cit_off_session: (ctx) => customerInitiated(ctx, 'off_session'),
  mit: merchantInitiated,
};
