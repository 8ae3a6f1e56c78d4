// The router's routes on the shared sandbox plumbing: GET /health, the admin API (admin.ts) and the
// merchant API (payments.ts). Auth comes first (401 IR_01), then the body; errors and injected
// failures (500 HE_00 "Something went wrong", type "api") use the router's error body.
import type { IncomingMessage } from 'node:http';
import { sendJson, sendText, type Route } from '../http-target.ts';
import { createAccount, createApiKey, createConnector, deleteAccount, getAccount, updateAccount, type AdminContext } from './admin.ts';
import {
  cancelPayment,
  capturePayment,
  confirmPayment,
  createCustomer,
  createPayment,
  customerMethods,
  getCustomer,
  getPayment,
  listPayments,
} from './payments.ts';
import type { Merchant } from './store.ts';
import type { TraceLog } from './traces.ts';
import { ERRORS, RouterFailure, fail, parseObject, queryOf, sendError, type Json } from './wire.ts';

type Method = 'GET' | 'POST' | 'DELETE';

const failInjected: Route['fail'] = (res) => sendError(res, ERRORS.internal);

function param(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A route whose handler returns the 200 answer or throws a RouterFailure. */
function route(method: Method, path: RegExp, name: string, handler: (req: IncomingMessage, params: string[], body: Buffer) => Json, traces: TraceLog): Route {
  return {
    method,
    path,
    name,
    fail: failInjected,
    handle: (req, res, params, body) => {
      traces.record(req.headers.traceparent);
      let answer: Json;
      try {
        answer = handler(req, params.map(param), body);
      } catch (e) {
        return sendError(res, e instanceof RouterFailure ? e.error : ERRORS.internal);
      }
      sendJson(res, 200, answer);
    },
  };
}

export function buildRoutes(ctx: AdminContext): Route[] {
  const { store, keys, traces } = ctx;
  const admin = (method: Method, path: RegExp, name: string, fn: (params: string[], body: Buffer) => Json) =>
    route(
      method,
      path,
      name,
      (req, params, body) => {
        keys.requireAdmin(req);
        return fn(params, body);
      },
      traces,
    );
  const merchant = (method: Method, path: RegExp, name: string, fn: (m: Merchant, params: string[], body: Buffer, req: IncomingMessage) => Json) =>
    route(
      method,
      path,
      name,
      (req, params, body) => {
        const m = store.merchants.get(keys.requireMerchant(req)) ?? fail(ERRORS.unauthorized);
        return fn(m, params, body, req);
      },
      traces,
    );
  const optional = (body: Buffer) => parseObject(body, true);

  return [
    // first: the health script's only route
    { method: 'GET', path: /^\/health$/, name: 'health', fail: failInjected, handle: (_req, res) => sendText(res, 200, 'health is good') },

    admin('POST', /^\/accounts$/, 'accounts_create', (_p, body) => createAccount(ctx, parseObject(body))),
    admin('GET', /^\/accounts\/([^/]+)$/, 'accounts_get', ([id]) => getAccount(ctx, id)),
    admin('POST', /^\/accounts\/([^/]+)$/, 'accounts_update', ([id], body) => updateAccount(ctx, id, parseObject(body))),
    admin('DELETE', /^\/accounts\/([^/]+)$/, 'accounts_delete', ([id]) => deleteAccount(ctx, id)),
    admin('POST', /^\/api_keys\/([^/]+)$/, 'api_keys_create', ([id], body) => createApiKey(ctx, id, parseObject(body))),
    admin('POST', /^\/account\/([^/]+)\/connectors$/, 'connectors_create', ([id], body) => createConnector(ctx, id, parseObject(body))),

    merchant('POST', /^\/customers$/, 'customers_create', (m, _p, body) => createCustomer(m, parseObject(body, true))),
    merchant('GET', /^\/customers\/([^/]+)$/, 'customers_get', (m, [id]) => getCustomer(m, id)),
    merchant('GET', /^\/customers\/([^/]+)\/payment_methods$/, 'customer_payment_methods', (m, [id]) => customerMethods(m, id)),

    merchant('POST', /^\/payments$/, 'payments_create', (m, _p, body) => createPayment(store, m, parseObject(body))),
    // before GET /payments/{id}, which "list" would match
    merchant('GET', /^\/payments\/list$/, 'payments_list', (m, _p, _b, req) => listPayments(m, queryOf(req.url))),
    merchant('GET', /^\/payments\/([^/]+)$/, 'payments_get', (m, [id]) => getPayment(m, id)),
    merchant('POST', /^\/payments\/([^/]+)\/confirm$/, 'payments_confirm', (m, [id], body) => confirmPayment(store, m, id, optional(body))),
    merchant('POST', /^\/payments\/([^/]+)\/capture$/, 'payments_capture', (m, [id], body) => capturePayment(store, m, id, optional(body))),
    merchant('POST', /^\/payments\/([^/]+)\/cancel$/, 'payments_cancel', (m, [id], body) => cancelPayment(store, m, id, optional(body))),
  ];
}
