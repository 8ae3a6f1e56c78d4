// The two HTTP contracts of the timer service (../shared/reference/timers.md), as data: for each
// operation the method, path, JSON body and the status that means success. Pure: no k6 imports.
//   seed: POST /groups/{groupId}/timers → 201; GET|PUT|DELETE /groups/{groupId}/timers/{timerId} → 200, 200, 204
//         (the seed's own k6 snippet sent form data and read `.timerId`: the service takes JSON and answers `id`)
//   v1:   POST /api/v1/timers/{create,get,update,delete} → 200, 200, 200, 204 (create is an upsert)

export const TIMER_APIS = ['seed', 'v1'] as const;
export type TimerApi = (typeof TIMER_APIS)[number];

export type TimerOp = 'create' | 'get' | 'update' | 'delete';

/** One request of an operation. `body` is JSON text, or null without a body. */
export interface TimerRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body: string | null;
  /** The status that means the operation succeeded. */
  expect: number;
}

/** A timer as a test creates it. `executeAt`: ISO 8601. */
export interface TimerSpec {
  id: string;
  executeAt: string;
  callbackUrl: string;
  payload: Record<string, unknown>;
}

const enc = encodeURIComponent;

/** The request of `op` for timer `id` in `group` (the seed's groupId, v1's namespace) under `api`. */
export function timerRequest(api: TimerApi, op: TimerOp, group: string, timer: Pick<TimerSpec, 'id'> & Partial<TimerSpec>): TimerRequest {
  if (api === 'seed') {
    const base = `/groups/${enc(group)}/timers`;
    switch (op) {
      case 'create':
        return {
          method: 'POST',
          path: base,
          body: JSON.stringify({ timerId: timer.id, executeAt: timer.executeAt, callbackUrl: timer.callbackUrl, payload: timer.payload }),
          expect: 201,
        };
      case 'get':
        return { method: 'GET', path: `${base}/${enc(timer.id)}`, body: null, expect: 200 };
      case 'update':
        return { method: 'PUT', path: `${base}/${enc(timer.id)}`, body: JSON.stringify({ executeAt: timer.executeAt }), expect: 200 };
      case 'delete':
        return { method: 'DELETE', path: `${base}/${enc(timer.id)}`, body: null, expect: 204 };
    }
  }
  const path = `/api/v1/timers/${op}`;
  switch (op) {
    case 'create':
      return {
        method: 'POST',
        path,
        body: JSON.stringify({ namespace: group, id: timer.id, executeAt: timer.executeAt, callbackUrl: timer.callbackUrl, payload: timer.payload }),
        expect: 200,
      };
    case 'get':
      return { method: 'POST', path, body: JSON.stringify({ namespace: group, timerId: timer.id }), expect: 200 };
    case 'update':
      return { method: 'POST', path, body: JSON.stringify({ namespace: group, timerId: timer.id, executeAt: timer.executeAt }), expect: 200 };
    case 'delete':
      return { method: 'POST', path, body: JSON.stringify({ namespace: group, timerId: timer.id }), expect: 204 };
  }
}
