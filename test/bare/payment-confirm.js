// A bare, hand-written k6 version of seed 003's payment-confirm script: what a user would write
// without this library. setup() makes the merchant (account, API key, connector) with the admin key;
// each iteration sends the seed's POST /payments with confirm:true and checks the answer. The
// benchmark compares the library's payment-confirm against it on the same target and VUs.
import http from 'k6/http';
import { check } from 'k6';

const base = __ENV.TARGET_URL;
const admin = { headers: { 'content-type': 'application/json', 'api-key': __ENV.ADMIN_API_KEY || 'test_admin' } };
const body = JSON.stringify({
  amount: 6540,
  currency: 'USD',
  confirm: true,
  capture_method: 'automatic',
  amount_to_capture: 6540,
  customer_id: 'cus_bare',
  email: 'guest@example.com',
  name: 'John Doe',
  phone: '999999999',
  phone_country_code: '+65',
  description: 'k6 load test payment',
  authentication_type: 'no_three_ds',
  return_url: 'https://example.com/return',
  statement_descriptor_name: 'k6',
  statement_descriptor_suffix: 'load',
  metadata: { source: 'bare' },
  payment_method: 'card',
  payment_method_data: { card: { card_number: '4242424242424242', card_exp_month: '10', card_exp_year: '35', card_holder_name: 'John Doe', card_cvc: '123' } },
});

export function setup() {
  const id = `bare_${Date.now()}`;
  http.post(`${base}/accounts`, JSON.stringify({ merchant_id: id, merchant_name: 'bare' }), admin);
  const key = http.post(`${base}/api_keys/${id}`, JSON.stringify({ name: 'bare', expiration: 'never' }), admin).json('api_key');
  const connector = { connector_type: 'payment_processor', connector_name: 'stripe', connector_account_details: { auth_type: 'HeaderKey', api_key: 'sk' } };
  http.post(`${base}/account/${id}/connectors`, JSON.stringify(connector), admin);
  return { key };
}

export default function (data) {
  const res = http.post(`${base}/payments`, body, { headers: { 'content-type': 'application/json', 'api-key': data.key } });
  check(res, { 'payment succeeded': (r) => r.status === 200 && r.json('status') === 'succeeded' });
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_JSON]: JSON.stringify(data) };
}
