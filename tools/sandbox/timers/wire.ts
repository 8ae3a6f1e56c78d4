// The timer service's wire conventions (/work/shared/reference/timers.md, contract B's api.yaml):
// every error is {"error": CODE, "message"} with CODE one of TIMER_NOT_FOUND (404), INVALID_INPUT (400),
// INTERNAL_ERROR (500) and, for a missing or wrong bearer token, UNAUTHORIZED (401). The readers here
// validate a request body's fields and throw a TimerFailure naming the bad field.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-target.ts';

export type ErrorCode = 'TIMER_NOT_FOUND' | 'INVALID_INPUT' | 'INTERNAL_ERROR' | 'UNAUTHORIZED';

export interface TimerError {
  status: number;
  error: ErrorCode;
  message: string;
}

export const unauthorized = (): TimerError => ({
  status: 401,
  error: 'UNAUTHORIZED',
  message: 'missing or invalid bearer token (Authorization: Bearer <token>)',
});
export const internalError = (message = 'An unexpected error occurred'): TimerError => ({ status: 500, error: 'INTERNAL_ERROR', message });
export const invalidInput = (message: string): TimerError => ({ status: 400, error: 'INVALID_INPUT', message });
export const timerNotFound = (namespace: string, id: string): TimerError => ({
  status: 404,
  error: 'TIMER_NOT_FOUND',
  message: `Timer with ID '${id}' not found in namespace '${namespace}'`,
});

/** Thrown by handlers and answered by the route wrapper. */
export class TimerFailure extends Error {
  constructor(readonly failure: TimerError) {
    super(failure.message);
  }
}

export function fail(e: TimerError): never {
  throw new TimerFailure(e);
}

export function sendError(res: ServerResponse, e: TimerError): void {
  if (e.status === 401) res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, e.status, { error: e.error, message: e.message });
}

export type Json = Record<string, unknown>;

/** The request body as a JSON object; anything else (form data, as the seed's k6 snippet sends) is 400 INVALID_INPUT. */
export function parseObject(body: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    fail(invalidInput('the request body must be a JSON object (send JSON.stringify(body) with Content-Type: application/json)'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(invalidInput('the request body must be a JSON object'));
  return value as Json;
}

/** Largest payload, as JSON text (the reference: payloads up to 100 KB). */
export const MAX_PAYLOAD_BYTES = 100 * 1024;
const MAX_ID_LENGTH = 255;
const MAX_URL_LENGTH = 2048;

/** A required non-empty string of at most 255 characters (ids, namespaces). */
export function reqName(obj: Json, field: string): string {
  const v = obj[field];
  if (v === undefined || v === null) fail(invalidInput(`${field} is required`));
  return checkName(v, field);
}

export function checkName(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(invalidInput(`${field} must be a non-empty string`));
  if (v.length > MAX_ID_LENGTH) fail(invalidInput(`${field} must be at most ${MAX_ID_LENGTH} characters`));
  return v;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 / ISO 8601 date-time with an offset, or undefined. */
export function parseDateTime(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isFinite(ms) ? ms : undefined;
}

/** An ISO 8601 date-time field, in epoch milliseconds (undefined when absent and optional). */
export function optDateTime(obj: Json, field: string): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? parseDateTime(v) : undefined;
  return ms ?? fail(invalidInput(`${field} must be an ISO 8601 date-time with an offset, e.g. 2024-12-20T15:30:00Z; got ${JSON.stringify(v)}`));
}

export function reqDateTime(obj: Json, field: string): number {
  return optDateTime(obj, field) ?? fail(invalidInput(`${field} is required`));
}

/** An absolute http(s) URL of at most 2048 characters. */
export function optUrl(obj: Json, field: string): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > MAX_URL_LENGTH) fail(invalidInput(`${field} must be a URL of at most ${MAX_URL_LENGTH} characters`));
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    fail(invalidInput(`${field} must be an absolute http(s) URL, got ${JSON.stringify(v)}`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(invalidInput(`${field} must be an http or https URL, got ${JSON.stringify(v)}`));
  return v;
}

export function reqUrl(obj: Json, field: string): string {
  return optUrl(obj, field) ?? fail(invalidInput(`${field} is required`));
}

/** The payload: a JSON object (null when absent) of at most 100 KB as JSON. `undefined` when absent and `keep`. */
export function optPayload(obj: Json, field = 'payload'): Json | null | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) fail(invalidInput(`${field} must be a JSON object`));
  const size = Buffer.byteLength(JSON.stringify(v));
  if (size > MAX_PAYLOAD_BYTES) fail(invalidInput(`${field} is ${size} bytes as JSON; at most ${MAX_PAYLOAD_BYTES} (100 KB) are accepted`));
  return v as Json;
}

/** callbackTimeoutSeconds: a positive integer of seconds (at most an hour). */
export function optTimeoutSeconds(obj: Json, field = 'callbackTimeoutSeconds'): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 3600) fail(invalidInput(`${field} must be an integer of seconds from 1 to 3600`));
  return v;
}

// --- retry policy -------------------------------------------------------------------------------

/** RetryPolicy as the wire carries it (durations in Go's notation: "30s", "5m", "1h", "250ms"). */
export interface RetryPolicy {
  maxAttempts: number;
  maxAttemptsDuration: string;
  initialInterval: string;
  backoffMultiplier: number;
  maxInterval: string;
}

/**
 * The defaults of a timer without a retryPolicy (or with some fields left out): the reference's
 * {maxAttemptsDuration "1h", initialInterval "30s", backoffMultiplier 2.0, maxInterval "5m"}; it gives
 * no maxAttempts, so 5 here.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxAttemptsDuration: '1h',
  initialInterval: '30s',
  backoffMultiplier: 2,
  maxInterval: '5m',
};

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** Milliseconds of a Go-style duration ("1h30m", "250ms", "1.5s"), or undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(DURATION_PART)) ms += Number(n) * UNIT_MS[unit];
  return ms;
}

/** A retry policy's durations in milliseconds. */
export interface RetryPlan {
  maxAttempts: number;
  maxAttemptsDurationMs: number;
  initialIntervalMs: number;
  backoffMultiplier: number;
  maxIntervalMs: number;
}

export function planOf(policy: RetryPolicy): RetryPlan {
  return {
    maxAttempts: policy.maxAttempts,
    maxAttemptsDurationMs: parseDuration(policy.maxAttemptsDuration)!,
    initialIntervalMs: parseDuration(policy.initialInterval)!,
    backoffMultiplier: policy.backoffMultiplier,
    maxIntervalMs: parseDuration(policy.maxInterval)!,
  };
}

/**
 * A retry policy over `base`: the fields given replace base's. Throws `invalid(message)` on a bad field
 * (400 INVALID_INPUT from a request; a plain Error for the sandbox's options).
 */
export function mergeRetryPolicy(given: unknown, base: RetryPolicy, invalid: (message: string) => never = (m) => fail(invalidInput(m))): RetryPolicy {
  if (given === undefined || given === null) return { ...base };
  if (typeof given !== 'object' || Array.isArray(given)) return invalid('retryPolicy must be a JSON object');
  const next: RetryPolicy = { ...base };
  for (const [key, value] of Object.entries(given as Json)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'maxAttempts':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return invalid('retryPolicy.maxAttempts must be a positive integer');
        next.maxAttempts = value;
        break;
      case 'backoffMultiplier':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) return invalid('retryPolicy.backoffMultiplier must be a number ≥ 1');
        next.backoffMultiplier = value;
        break;
      case 'maxAttemptsDuration':
      case 'initialInterval':
      case 'maxInterval': {
        const ms = typeof value === 'string' ? parseDuration(value) : undefined;
        if (ms === undefined || ms <= 0)
          return invalid(`retryPolicy.${key} must be a positive duration like "30s", "5m" or "250ms"; got ${JSON.stringify(value)}`);
        next[key] = value as string;
        break;
      }
      default:
        return invalid(`retryPolicy has no field "${key}" (known: ${Object.keys(DEFAULT_RETRY_POLICY).join(', ')})`);
    }
  }
  return next;
}
