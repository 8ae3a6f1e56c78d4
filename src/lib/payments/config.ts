// The variables of dist/payments.js (seed 003's Hyperswitch loadtest and the router-only mix) and its settings stage.
import { payments } from '../../shared/families/payments';
import { bool, int, oneOf, secret, str, url, type Values } from '../config';
import { readJsonFile } from '../files';
import { holdsRate } from '../../profiles/index';
import type { LoadSettings, SettingsSpec } from '../settings';
import { DEFAULT_MIX, isMixFile, parseMix, type MixFlow } from './mix';
import { MERCHANT_POOL_RULE, poolProblems } from './pool';

/** The seed's scripts (each one k6 run of dist/payments.js) and the weighted mix of router-only flows. */
export const PAYMENT_SCENARIOS = ['payment-confirm', 'payment-create-and-confirm', 'rps', 'mix'] as const;
export type PaymentScenario = (typeof PAYMENT_SCENARIOS)[number];

export const PAYMENTS_RULES = {
  TARGET_URL: url('http://127.0.0.1:8080'),
  SCENARIO: oneOf(PAYMENT_SCENARIOS, 'payment-confirm'),
  // SCENARIO=mix: flow:weight pairs or a JSON file (see mix.ts)
  PAYMENTS_MIX: str('', { allowed: 'flow:weight pairs such as guest:50,cit_off_session:40,mit:10, or a .json file of them' }),
  // the reference loadtest's admin key; a secret all the same
  ADMIN_API_KEY: secret('test_admin'),
  // given: use that merchant and create nothing
  MERCHANT_API_KEY: secret(),
  // a pool file from `k6-suite payments provision`: pay round-robin as its merchants, create none
  MERCHANT_POOL: MERCHANT_POOL_RULE,
  MERCHANT_ID: str('', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'a merchant id (letters, digits, "_", "-")' }),
  PROFILE_ID: str('', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'a business profile id' }),
  CONNECTOR: str('stripe', { pattern: /^[a-z0-9_]+$/, allowed: 'a connector name such as stripe' }),
  CONNECTOR_API_KEY: secret('sandbox_connector_key'),
  // seed 003's threshold on the payment requests: p(90) < 500 ms
  PAYMENT_P90_MS: int(500, { min: 1, max: 600_000 }),
  REQUEST_TIMEOUT: int(30_000, { min: 1, max: 600_000 }),
  // after the load, compare the router's list of this run's payments with k6's counts (reconcile.ts)
  RECONCILE: bool(true),
};

export type PaymentsValues = Values<typeof PAYMENTS_RULES>;

/** The mix's weights (SCENARIO=mix), read in init: PAYMENTS_MIX inline or from its file, else DEFAULT_MIX. */
export function mixWeights(c: PaymentsValues, cwd: string | undefined): { weights: Partial<Record<MixFlow, number>>; problems: string[] } {
  const spec = c.PAYMENTS_MIX || DEFAULT_MIX;
  if (!isMixFile(spec)) return parseMix(spec);
  const data = readJsonFile(spec, 'PAYMENTS_MIX', cwd);
  if (data === undefined) return { weights: {}, problems: [`PAYMENTS_MIX=${spec} does not exist: give an existing JSON file or flow:weight pairs`] };
  return parseMix(data, `PAYMENTS_MIX (${spec})`);
}

function problems(c: PaymentsValues, cwd: string | undefined, load: Pick<LoadSettings, 'profile' | 'model'>): string[] {
  const out: string[] = [];
  if (c.SCENARIO === 'mix' && !holdsRate(load.profile, load.model)) {
    out.push(
      `SCENARIO=mix runs each flow as its own arrival-rate executor, but LOAD_PROFILE=${load.profile}${load.model === 'vus' ? ' with LOAD_MODEL=vus' : ''} runs VUs: choose a tpsN profile (LOAD_MODEL=arrival-rate) or staircase`,
    );
  }
  if (c.MERCHANT_ID && !c.MERCHANT_API_KEY) {
    out.push('MERCHANT_ID is given without MERCHANT_API_KEY: give both to use an existing merchant, or neither to create one');
  }
  if (c.PAYMENTS_MIX && c.SCENARIO !== 'mix')
    out.push(`PAYMENTS_MIX is given but SCENARIO=${c.SCENARIO}: set SCENARIO=mix to run the mix, or unset PAYMENTS_MIX`);
  if (c.SCENARIO === 'mix') out.push(...mixWeights(c, cwd).problems);
  out.push(...poolProblems(c, cwd));
  return out;
}

/** The settings stage of dist/payments.js (see readSettings). */
export const PAYMENTS_SETTINGS = {
  family: payments,
  // the manifest's script of the SCENARIO: payment-confirm, payment-create-and-confirm, rps, payment-mix
  script: (c: PaymentsValues) => (c.SCENARIO === 'mix' ? 'payment-mix' : c.SCENARIO),
  // the seed's stages; the mix holds rates (one arrival-rate executor per flow)
  defaultProfile: (c: PaymentsValues) => (c.SCENARIO === 'mix' ? 'tps100' : 'ramp25'),
  rules: PAYMENTS_RULES,
  check: problems,
} satisfies SettingsSpec<typeof PAYMENTS_RULES>;
