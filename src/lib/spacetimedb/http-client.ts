// SpacetimeDB's HTTP API as k6 calls it: reducer calls with the arguments as a JSON array and
// Content-Type exactly application/json, SQL as raw text, one identity per VU reused for every call
// (with no token the server would mint an identity per request and measure that instead).
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';

/** How the server answered a reducer call. */
export type HttpCallStatus = 'committed' | 'failed' | 'out_of_energy' | 'bad_request' | 'not_found' | 'rejected' | 'unavailable' | 'timeout' | 'error';

export interface HttpCallOutcome {
  status: HttpCallStatus;
  httpStatus: number;
  latencyMs: number;
  error?: string;
  bytesSent: number;
  bytesReceived: number;
}

/** 200 committed; 530 the reducer failed (never retried); the rest as the host defines them. */
export function classifyCallStatus(httpStatus: number, errorCode: number): HttpCallStatus {
  if (httpStatus === 200) return 'committed';
  if (httpStatus === 530) return 'failed';
  if (httpStatus === 402) return 'out_of_energy';
  if (httpStatus === 400 || httpStatus === 413 || httpStatus === 415) return 'bad_request';
  if (httpStatus === 404) return 'not_found';
  if (httpStatus === 401 || httpStatus === 403) return 'rejected';
  if (httpStatus === 0) return errorCode === 1050 ? 'timeout' : 'unavailable';
  return 'error';
}

export interface SqlOutcome {
  ok: boolean;
  httpStatus: number;
  latencyMs: number;
  rows: number;
  error?: string;
  bytesReceived: number;
}

export interface Identity {
  identity: string;
  token: string;
}

export class SpacetimeHttpClient {
  private readonly callParams;
  private readonly sqlParams;
  private readonly base: string;

  constructor(httpUrl: string, database: string, token: string, timeoutMs: number) {
    this.base = `${httpUrl}/v1/database/${database}`;
    const auth = { Authorization: `Bearer ${token}` };
    // Built once per VU: a params object per request costs throughput at high rates.
    this.callParams = {
      headers: { ...auth, 'Content-Type': 'application/json' },
      timeout: `${timeoutMs}ms`,
      tags: { name: 'POST /v1/database/:db/call/:reducer' },
      responseType: 'text' as ResponseType,
    };
    this.sqlParams = {
      headers: { ...auth, 'Content-Type': 'text/plain' },
      timeout: `${timeoutMs}ms`,
      tags: { name: 'POST /v1/database/:db/sql' },
      responseType: 'text' as ResponseType,
    };
  }

  callUrl(reducer: string): string {
    return `${this.base}/call/${reducer}`;
  }

  callReducer(reducer: string, argsJson: string): HttpCallOutcome {
    return this.toCallOutcome(http.post(this.callUrl(reducer), argsJson, this.callParams), argsJson.length);
  }

  /** BATCH_SIZE calls in flight at once (k6 http.batch); each answer classified on its own. */
  callBatch(calls: Array<{ reducer: string; argsJson: string }>): HttpCallOutcome[] {
    const responses = http.batch(calls.map((c) => ({ method: 'POST', url: this.callUrl(c.reducer), body: c.argsJson, params: this.callParams })));
    return responses.map((res, i) => this.toCallOutcome(res, calls[i].argsJson.length));
  }

  private toCallOutcome(res: RefinedResponse<ResponseType | undefined>, bytesSent: number): HttpCallOutcome {
    const status = classifyCallStatus(res.status, res.error_code);
    const body = typeof res.body === 'string' ? res.body : '';
    return {
      status,
      httpStatus: res.status,
      latencyMs: res.timings.duration,
      error: status === 'committed' ? undefined : body || res.error || `HTTP ${res.status}`,
      bytesSent,
      bytesReceived: body.length,
    };
  }

  /** Runs SQL (the raw text is the body); counts the rows of every statement's result. */
  sql(query: string): SqlOutcome {
    const res = http.post(`${this.base}/sql`, query, this.sqlParams);
    const body = typeof res.body === 'string' ? res.body : '';
    if (res.status !== 200) {
      return { ok: false, httpStatus: res.status, latencyMs: res.timings.duration, rows: 0, error: body || res.error, bytesReceived: body.length };
    }
    let rows = 0;
    try {
      for (const statement of JSON.parse(body) as Array<{ rows: unknown[] }>) rows += statement.rows.length;
    } catch {
      return { ok: false, httpStatus: res.status, latencyMs: res.timings.duration, rows: 0, error: 'unparsable SQL response', bytesReceived: body.length };
    }
    return { ok: true, httpStatus: res.status, latencyMs: res.timings.duration, rows, bytesReceived: body.length };
  }
}

/** POST /v1/identity: a new identity and its token. Throws a clear message when the host refuses. */
export function mintIdentity(httpUrl: string, timeoutMs: number): Identity {
  const res = http.post(`${httpUrl}/v1/identity`, null, { timeout: `${timeoutMs}ms`, tags: { name: 'POST /v1/identity' }, responseType: 'text' });
  if (res.status !== 200) {
    throw `SpacetimeDB at ${httpUrl} did not mint an identity (POST /v1/identity answered ${res.status || res.error}): check SPACETIME_HOST/SPACETIME_PORT or pass SPACETIME_TOKEN`;
  }
  const parsed = JSON.parse(res.body as string) as Identity;
  return { identity: parsed.identity, token: parsed.token };
}
