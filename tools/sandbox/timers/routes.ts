// The two contracts of /work/shared/reference/timers.md on the shared sandbox plumbing, over one store
// (A's groupId is B's namespace). Every route wants `Authorization: Bearer <token>` (else 401
// {"error":"UNAUTHORIZED","message"}), then a JSON body; errors use contract B's {"error","message"}.
//
// A. the seed's contract                                   B. api.yaml (base /api/v1), all POST
//   POST   /groups/{g}/timers  {timerId, executeAt,           /timers/create {namespace, id, executeAt, callbackUrl,
//          callbackUrl, payload?, retryPolicy?,                      payload?, retryPolicy?, callbackTimeoutSeconds?} → 200 Timer
//          callbackTimeoutSeconds?}         → 201 Timer       /timers/get    {namespace, timerId}        → 200 Timer | 404
//   GET    /groups/{g}/timers/{id}          → 200 | 404       /timers/update {namespace, timerId, executeAt?, callbackUrl?,
//   PUT    /groups/{g}/timers/{id} {executeAt?, callbackUrl?,        payload?, retryPolicy?, callbackTimeoutSeconds?} → 200 | 404
//          payload?, ...}                   → 200 | 404       /timers/delete {namespace, timerId}        → 204 | 404
//   DELETE /groups/{g}/timers/{id}          → 204 | 404
// A's Timer is B's with `groupId` added; its id field is `id` (the seed's snippet wrongly reads `timerId`).
// Create is an upsert in both: a create of an existing (namespace, id) replaces it (keeping createdAt)
// and answers as a first create would (A: 201, B: 200), as B's spec says and so that the same timer
// behaves the same whichever contract made it.
// 400 INVALID_INPUT: a body that is not a JSON object, a missing or mistyped field, executeAt not an ISO
// 8601 date-time with an offset or earlier than the minimum delay (1 s) from now, a payload over 100 KB,
// a bad retryPolicy. 404 TIMER_NOT_FOUND: no such (namespace, id). Injected failures: 500 INTERNAL_ERROR.
import type { IncomingMessage } from 'node:http';
import { sendJson, type Route } from '../http-target.ts';
import type { TimerMetrics } from './metrics.ts';
import type { Scheduler } from './scheduler.ts';
import { timerView, type TimerRecord, type TimerStore } from './store.ts';
import {
  TimerFailure,
  checkName,
  fail,
  internalError,
  invalidInput,
  mergeRetryPolicy,
  optDateTime,
  optPayload,
  optTimeoutSeconds,
  optUrl,
  parseObject,
  reqDateTime,
  reqName,
  reqUrl,
  sendError,
  timerNotFound,
  unauthorized,
  type Json,
  type RetryPolicy,
} from './wire.ts';

/** Durable writes (postgres.ts); absent for the in-memory store. */
export interface Persistence {
  save(record: TimerRecord): Promise<void>;
  remove(namespace: string, id: string): Promise<void>;
}

export interface TimersContext {
  store: TimerStore;
  scheduler: Scheduler;
  metrics: TimerMetrics;
  token: string;
  /** executeAt must be at least this far in the future (the reference: 1 s). */
  minDelayMs: number;
  retryPolicy: RetryPolicy;
  callbackTimeoutSeconds: number;
  persistence?: Persistence;
}

interface Answer {
  status: number;
  body?: Json;
}

function authorize(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer +(.+)$/i.exec(header.trim()) : null;
  if (!match || match[1] !== token) fail(unauthorized());
}

function param(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function checkDelay(ctx: TimersContext, executeAt: number, field = 'executeAt'): void {
  if (executeAt < Date.now() + ctx.minDelayMs) {
    fail(invalidInput(`${field} must be at least ${ctx.minDelayMs} ms in the future (the minimum timer delay)`));
  }
}

export async function createTimer(ctx: TimersContext, namespace: string, id: string, body: Json): Promise<TimerRecord> {
  const executeAt = reqDateTime(body, 'executeAt');
  checkDelay(ctx, executeAt);
  const callbackUrl = reqUrl(body, 'callbackUrl');
  const payload = optPayload(body) ?? null;
  const retryPolicy = mergeRetryPolicy(body.retryPolicy, ctx.retryPolicy);
  const callbackTimeoutSeconds = optTimeoutSeconds(body) ?? ctx.callbackTimeoutSeconds;
  const now = Date.now();
  const old = ctx.store.get(namespace, id);
  const record: TimerRecord = {
    namespace,
    id,
    executeAt,
    callbackUrl,
    payload,
    retryPolicy,
    callbackTimeoutSeconds,
    createdAt: old?.createdAt ?? now,
    updatedAt: now,
    executedAt: null,
    state: 'pending',
    seq: 0,
  };
  await ctx.persistence?.save(record);
  const replaced = ctx.store.put(record);
  if (replaced) {
    ctx.scheduler.cancel(replaced);
    ctx.store.bump(namespace, 'replaced');
  }
  ctx.store.bump(namespace, 'created');
  ctx.metrics.created(namespace);
  ctx.scheduler.schedule(record);
  return record;
}

function found(ctx: TimersContext, namespace: string, id: string): TimerRecord {
  return ctx.store.get(namespace, id) ?? fail(timerNotFound(namespace, id));
}

export async function updateTimer(ctx: TimersContext, namespace: string, id: string, body: Json): Promise<TimerRecord> {
  const record = found(ctx, namespace, id);
  const executeAt = optDateTime(body, 'executeAt');
  if (executeAt !== undefined) checkDelay(ctx, executeAt);
  const callbackUrl = optUrl(body, 'callbackUrl');
  const payload = optPayload(body);
  const retryPolicy = body.retryPolicy === undefined ? undefined : mergeRetryPolicy(body.retryPolicy, record.retryPolicy);
  const callbackTimeoutSeconds = optTimeoutSeconds(body);
  const next: TimerRecord = {
    ...record,
    executeAt: executeAt ?? record.executeAt,
    callbackUrl: callbackUrl ?? record.callbackUrl,
    payload: payload === undefined ? record.payload : payload,
    retryPolicy: retryPolicy ?? record.retryPolicy,
    callbackTimeoutSeconds: callbackTimeoutSeconds ?? record.callbackTimeoutSeconds,
    updatedAt: Date.now(),
  };
  if (executeAt !== undefined) {
    next.state = 'pending';
    next.executedAt = null;
  }
  await ctx.persistence?.save(next);
  if (!ctx.store.isCurrent(record)) fail(timerNotFound(namespace, id)); // deleted while it was written
  // Changed in place: a callback in flight sees the new URL and payload on its next attempt.
  ctx.store.setState(record, next.state);
  Object.assign(record, { ...next, seq: record.seq });
  ctx.store.bump(namespace, 'updated');
  if (executeAt !== undefined) ctx.scheduler.schedule(record);
  return record;
}

export async function deleteTimer(ctx: TimersContext, namespace: string, id: string): Promise<void> {
  found(ctx, namespace, id);
  await ctx.persistence?.remove(namespace, id);
  const record = ctx.store.remove(namespace, id);
  if (!record) fail(timerNotFound(namespace, id));
  ctx.scheduler.cancel(record);
  ctx.store.bump(namespace, 'deleted');
}

const failInjected: Route['fail'] = (res) => sendError(res, internalError());

/** An authorized route whose handler returns the answer or throws a TimerFailure. */
function route(ctx: TimersContext, method: string, path: RegExp, name: string, handler: (params: string[], body: Buffer) => Promise<Answer>): Route {
  return {
    method,
    path,
    name,
    fail: failInjected,
    handle: async (req, res, params, body) => {
      let answer: Answer;
      try {
        authorize(req, ctx.token);
        answer = await handler(params.map(param), body);
      } catch (e) {
        if (!(e instanceof TimerFailure)) console.error('timers sandbox:', e);
        return sendError(res, e instanceof TimerFailure ? e.failure : internalError());
      }
      if (answer.body === undefined) {
        res.writeHead(answer.status);
        res.end();
        return;
      }
      sendJson(res, answer.status, answer.body);
    },
  };
}

export function buildRoutes(ctx: TimersContext): Route[] {
  const groupView = (t: TimerRecord): Json => ({ ...timerView(t), groupId: t.namespace });
  const namespaceOf = (body: Json) => reqName(body, 'namespace');
  return [
    // A: the seed's contract
    route(ctx, 'POST', /^\/groups\/([^/]+)\/timers$/, 'groups_create', async ([group], raw) => {
      const body = parseObject(raw);
      const record = await createTimer(ctx, checkName(group, 'groupId'), reqName(body, 'timerId'), body);
      return { status: 201, body: groupView(record) };
    }),
    route(ctx, 'GET', /^\/groups\/([^/]+)\/timers\/([^/]+)$/, 'groups_get', async ([group, id]) => ({
      status: 200,
      body: groupView(found(ctx, group, id)),
    })),
    route(ctx, 'PUT', /^\/groups\/([^/]+)\/timers\/([^/]+)$/, 'groups_update', async ([group, id], raw) => ({
      status: 200,
      body: groupView(await updateTimer(ctx, group, id, parseObject(raw))),
    })),
    route(ctx, 'DELETE', /^\/groups\/([^/]+)\/timers\/([^/]+)$/, 'groups_delete', async ([group, id]) => {
      await deleteTimer(ctx, group, id);
      return { status: 204 };
    }),

    // B: api.yaml
    route(ctx, 'POST', /^\/api\/v1\/timers\/create$/, 'v1_create', async (_p, raw) => {
      const body = parseObject(raw);
      const namespace = namespaceOf(body);
      return { status: 200, body: timerView(await createTimer(ctx, namespace, reqName(body, 'id'), body)) };
    }),
    route(ctx, 'POST', /^\/api\/v1\/timers\/get$/, 'v1_get', async (_p, raw) => {
      const body = parseObject(raw);
      const namespace = namespaceOf(body);
      return { status: 200, body: timerView(found(ctx, namespace, reqName(body, 'timerId'))) };
    }),
    route(ctx, 'POST', /^\/api\/v1\/timers\/update$/, 'v1_update', async (_p, raw) => {
      const body = parseObject(raw);
      const namespace = namespaceOf(body);
      return { status: 200, body: timerView(await updateTimer(ctx, namespace, reqName(body, 'timerId'), body)) };
    }),
    route(ctx, 'POST', /^\/api\/v1\/timers\/delete$/, 'v1_delete', async (_p, raw) => {
      const body = parseObject(raw);
      const namespace = namespaceOf(body);
      await deleteTimer(ctx, namespace, reqName(body, 'timerId'));
      return { status: 204 };
    }),
  ];
}
