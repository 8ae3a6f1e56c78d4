// In-memory state of the payments sandbox: merchants (with their API keys, connectors, customers, saved
// payment methods and payments), ids in the router's formats, and the payment counts by merchant and status.
import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` random letters and digits (the router's nanoid alphabet). */
export function alphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting the rest keeps every character equally likely
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** `<prefix>_` and 20 alphanumerics, e.g. pay_, cus_, pm_, mca_, pro_. */
export const newId = (prefix: string, length = 20) => `${prefix}_${alphanumeric(length)}`;

export type PaymentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_capture'
  | 'succeeded'
  | 'partially_captured'
  | 'failed'
  | 'cancelled';

/** A card as the router echoes it: never the full number or the CVC. */
export interface CardView {
  last4: string;
  card_isin: string;
  card_network: string | null;
  card_exp_month: string;
  card_exp_year: string;
  card_holder_name: string | null;
}

export interface Connector {
  merchant_connector_id: string;
  connector_type: string;
  connector_name: string;
  connector_label: string;
  auth_type: string;
  disabled: boolean;
  view: Record<string, unknown>;
}

export interface Customer {
  customer_id: string;
  created_at: string;
  view: Record<string, unknown>;
  paymentMethods: string[];
}

export interface SavedMethod {
  payment_method_id: string;
  customer_id: string;
  card: CardView;
  created: string;
  /** The setup_future_usage it was saved with: only an `off_session` card may be charged off-session. */
  usage: 'on_session' | 'off_session';
}

/** The payment method a payment carries (a card given in a request, or a saved one). */
export interface PaymentMethodRef {
  card: CardView;
  /** The saved method it came from, if any. */
  savedId: string | null;
  /** The connector's decline for this card (a declining test card), if any. */
  decline: { code: string; message: string } | null;
}

export interface Payment {
  payment_id: string;
  merchant_id: string;
  profile_id: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  customer_id: string | null;
  created: string;
  updated: string;
  client_secret: string;
  attempt_count: number;
  capture_method: string;
  amount_capturable: number;
  amount_received: number | null;
  method: PaymentMethodRef | null;
  payment_method_id: string | null;
  setup_future_usage: 'on_session' | 'off_session' | null;
  customer_acceptance: boolean;
  off_session: boolean | null;
  connector: string | null;
  merchant_connector_id: string | null;
  connector_transaction_id: string | null;
  error_code: string | null;
  error_message: string | null;
  cancellation_reason: string | null;
  /** Request fields echoed unchanged (description, email, return_url, metadata, ...). */
  echo: Record<string, unknown>;
  /** Position in the merchant's payment list (creation order). */
  index: number;
}

export interface Merchant {
  merchant_id: string;
  profile_id: string;
  /** The account object answered by /accounts (routing_algorithm and the other updates merged in). */
  account: Record<string, unknown>;
  connectors: Connector[];
  customers: Map<string, Customer>;
  methods: Map<string, SavedMethod>;
  payments: Map<string, Payment>;
  /** Oldest first. */
  paymentList: Payment[];
}

export class Store {
  readonly merchants = new Map<string, Merchant>();
  /** Payments by merchant id and status; kept when a merchant is deleted. */
  private readonly statusCounts = new Map<string, Record<string, number>>();

  clear(): void {
    this.merchants.clear();
    this.statusCounts.clear();
  }

  addMerchant(merchantId: string, profileId: string, account: Record<string, unknown>): Merchant {
    const merchant: Merchant = {
      merchant_id: merchantId,
      profile_id: profileId,
      account,
      connectors: [],
      customers: new Map(),
      methods: new Map(),
      payments: new Map(),
      paymentList: [],
    };
    this.merchants.set(merchantId, merchant);
    return merchant;
  }

  addPayment(merchant: Merchant, payment: Payment): void {
    payment.index = merchant.paymentList.length;
    merchant.paymentList.push(payment);
    merchant.payments.set(payment.payment_id, payment);
    this.bump(merchant.merchant_id, payment.status, 1);
  }

  /** Moves a payment to a new status, keeping the counts right. */
  setStatus(payment: Payment, status: PaymentStatus): void {
    if (payment.status === status) return;
    this.bump(payment.merchant_id, payment.status, -1);
    payment.status = status;
    this.bump(payment.merchant_id, status, 1);
  }

  /** Payments by merchant id, then by status (statuses with none left out). */
  paymentCounts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [merchantId, byStatus] of this.statusCounts) {
      const kept = Object.entries(byStatus).filter(([, n]) => n > 0);
      if (kept.length > 0) out[merchantId] = Object.fromEntries(kept);
    }
    return out;
  }

  private bump(merchantId: string, status: string, by: number): void {
    let byStatus = this.statusCounts.get(merchantId);
    if (!byStatus) this.statusCounts.set(merchantId, (byStatus = {}));
    byStatus[status] = (byStatus[status] ?? 0) + by;
  }
}
