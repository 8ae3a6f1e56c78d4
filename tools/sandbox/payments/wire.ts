// The router's wire conventions: every error is {"error":{"type","code","message"}} with the status
// the router's ApiErrorResponse maps it to (juspay/hyperswitch api_error_response.rs, checked against
// its cypress expectations), and request bodies read the way its serde types read them.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-target.ts';

export interface RouterError {
  status: number;
  type: string;
  code: string;
  message: string;
}

const error = (status: number, code: string, message: string, type = 'invalid_request'): RouterError => ({ status, type, code, message });

/** The fixed errors the sandbox answers with. */
export const ERRORS = {
  unauthorized: error(401, 'IR_01', 'API key not provided or invalid API key used'),
  internal: error(500, 'HE_00', 'Something went wrong', 'api'),
  duplicateMerchant: error(400, 'HE_01', 'The merchant account with the specified details already exists in our records'),
  merchantNotFound: error(404, 'HE_02', 'Merchant account does not exist in our records'),
  paymentNotFound: error(404, 'HE_02', 'Payment does not exist in our records'),
  paymentMethodNotFound: error(404, 'HE_02', 'Payment method does not exist in our records'),
  customerNotFound: error(404, 'HE_02', 'Customer does not exist in our records'),
  customerExists: error(400, 'IR_12', 'Customer with the given `customer_id` already exists'),
  paymentMethodRequired: error(422, 'IR_06', 'A payment token or payment method data is required'),
  noConnector: error(400, 'IR_39', 'No eligible connector was found for the current payment method configuration'),
  customerMismatch: error(400, 'IR_16', 'customer associated with payment method and customer passed in payment are not same'),
  // the router's PreconditionFailed is a 400 with IR_16 (its error transformers), not an HTTP 412
  notForOffSession: error(400, 'IR_16', 'the payment method was saved for on_session use and cannot be charged off_session'),
  customerRequired: error(400, 'IR_04', 'Missing required param: customer_id is mandatory when setup_future_usage is given'),
  listLimit: error(422, 'IR_06', 'limit should be in between 1 and 100'),
} satisfies Record<string, RouterError>;

export const missingField = (field: string) => error(400, 'IR_04', `Missing required param: ${field}`);
export const invalidFormat = (field: string, expected: string) => error(422, 'IR_05', `${field} contains invalid data. Expected format is ${expected}`);
export const invalidValue = (field: string) => error(400, 'IR_07', `Invalid value provided: ${field}`);
export const deserializeError = (detail: string) => error(400, 'IR_06', `Json deserialize error: ${detail}`);
/** A confirm, capture or cancel of a payment in a status that does not allow it. */
export const notAllowed = (action: string, status: string) => error(400, 'IR_16', `You cannot ${action} this payment because it has status ${status}`);
export const unexpectedState = (flow: string, status: string, expected: string) =>
  error(400, 'IR_14', `This Payment could not be ${flow} because it has a payment.status of ${status}. The expected state is ${expected}`);
export const duplicatePayment = (id: string) => error(400, 'HE_01', `The payment with the specified payment_id '${id}' already exists in our records`);
export const duplicateConnector = (profileId: string, label: string) =>
  error(
    400,
    'HE_01',
    `The merchant connector account with the specified profile_id '${profileId}' and connector_label '${label}' already exists in our records`,
  );

/** Thrown by handlers and answered by the route wrapper. */
export class RouterFailure extends Error {
  constructor(readonly error: RouterError) {
    super(error.message);
  }
}

export function fail(e: RouterError): never {
  throw new RouterFailure(e);
}

export function sendError(res: ServerResponse, e: RouterError): void {
  sendJson(res, e.status, { error: { type: e.type, code: e.code, message: e.message } });
}

export type Json = Record<string, unknown>;

/** A JSON object request body (an empty body reads as `{}` where allowEmpty). */
export function parseObject(body: Buffer, allowEmpty = false): Json {
  if (body.length === 0 && allowEmpty) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    fail(deserializeError(body.length === 0 ? 'EOF while parsing a value at line 1 column 0' : (e as Error).message));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(deserializeError(`invalid type: ${describe(value)}, expected a map`));
  return value as Json;
}

/** serde's words for an unexpected JSON value. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value)}`;
    case 'number':
      return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
    case 'boolean':
      return `boolean \`${value}\``;
    default:
      return 'map';
  }
}

const wrongType = (field: string, value: unknown, expected: string) =>
  fail(deserializeError(`${field}: invalid type: ${describe(value)}, expected ${expected}`));

/** Field readers: absent or null → undefined; a value of the wrong type → the router's 400 IR_06. */
export function optString(obj: Json, field: string): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : wrongType(field, v, 'a string');
}

export function optBool(obj: Json, field: string): boolean | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'boolean' ? v : wrongType(field, v, 'a boolean');
}

export function optInteger(obj: Json, field: string): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : wrongType(field, v, 'i64');
}

export function optObject(obj: Json, field: string): Json | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' && !Array.isArray(v) ? (v as Json) : wrongType(field, v, 'a map');
}

export function optEnum<T extends string>(obj: Json, field: string, variants: readonly T[]): T | undefined {
  const v = optString(obj, field);
  if (v === undefined || (variants as readonly string[]).includes(v)) return v as T | undefined;
  return fail(deserializeError(`${field}: unknown variant \`${v}\`, expected one of ${variants.map((x) => `\`${x}\``).join(', ')}`));
}

export function reqString(obj: Json, field: string): string {
  return optString(obj, field) ?? fail(deserializeError(`missing field \`${field}\``));
}

/** The query string of a request as URLSearchParams. */
export function queryOf(url: string | undefined): URLSearchParams {
  const q = url?.indexOf('?') ?? -1;
  return new URLSearchParams(q < 0 ? '' : url!.slice(q + 1));
}
