// The variables of dist/payments.js (seed 003's Hyperswitch loadtest) and its settings stage.
import { payments } from '../../shared/families/payments';
import { int, oneOf, secret, str, url, type Values } from '../config';
import type { SettingsSpec } from '../settings';

/** The seed's scripts (each one k6 run of dist/payments.js). */
export const PAYMENT_SCENARIOS = ['payment-confirm', 'payment-create-and-confirm', 'rps'] as const;
export type PaymentScenario = (typeof PAYMENT_SCENARIOS)[number];

export const PAYMENTS_RULES = {
  TARGET_URL: url('http://127.0.0.1:8080'),
  SCENARIO: oneOf(PAYMENT_SCENARIOS, 'payment-confirm'),
  // the reference loadtest's admin key; a secret all the same
  ADMIN_API_KEY: secret('test_admin'),
  // given: use that merchant and create nothing
  MERCHANT_API_KEY: secret(),
  MERCHANT_ID: str('', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'a merchant id (letters, digits, "_", "-")' }),
  PROFILE_ID: str('', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'a business profile id' }),
  CONNECTOR: str('stripe', { pattern: /^[a-z0-9_]+$/, allowed: 'a connector name such as stripe' }),
  CONNECTOR_API_KEY: secret('sandbox_connector_key'),
  // seed 003's threshold on the payment requests: p(90) < 500 ms
  PAYMENT_P90_MS: int(500, { min: 1, max: 600_000 }),
  REQUEST_TIMEOUT: int(30_000, { min: 1, max: 600_000 }),
};

export type PaymentsValues = Values<typeof PAYMENTS_RULES>;

function problems(c: PaymentsValues): string[] {
  return c.MERCHANT_ID && !c.MERCHANT_API_KEY
    ? ['MERCHANT_ID is given without MERCHANT_API_KEY: give both to use an existing merchant, or neither to create one']
    : [];
}

/** The settings stage of dist/payments.js (see readSettings). */
export const PAYMENTS_SETTINGS = {
  family: payments,
  script: 'payments',
  defaultProfile: 'ramp25',
  rules: PAYMENTS_RULES,
  check: problems,
} satisfies SettingsSpec<typeof PAYMENTS_RULES>;
