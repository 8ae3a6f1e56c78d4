// Messages use single quotes: k6 logs them in logfmt, which escapes double quotes.
// Fail fast in setup(): an unreachable host, an unknown database or a module without the reducers the
// chosen scenario calls abort the test with one message (exit 108) before any load, instead of the
// seed's silent skipping of every iteration.
import http from 'k6/http';
import exec from 'k6/execution';
import { safeLog } from '../redact';

export interface ReducerSignature {
  name: string;
  params: string[];
}

interface RawModuleDefV9 {
  reducers: Array<{ name: string; params: { elements: Array<{ name: { some?: string } }> } }>;
}

/** Reducer names and parameter names from GET /v1/database/:db/schema?version=9. */
export function parseReducers(schemaJson: string): ReducerSignature[] {
  const def = JSON.parse(schemaJson) as RawModuleDefV9;
  return def.reducers.map((r) => ({ name: r.name, params: r.params.elements.map((e, i) => e.name.some ?? `#${i}`) }));
}

/** Problems with the module for the reducers a scenario calls (name → number of arguments sent). */
export function missingReducers(available: ReducerSignature[], needed: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [name, arity] of Object.entries(needed)) {
    const found = available.find((r) => r.name === name);
    if (!found) problems.push(`reducer ${name} is missing`);
    else if (found.params.length !== arity) {
      problems.push(`reducer ${name} takes ${found.params.length} arguments (${found.params.join(', ')}), the scenario sends ${arity}`);
    }
  }
  return problems;
}

/** Identity hex without 0x, lower case, for comparing what the user gave with what the server says. */
const normalizeIdentity = (hex: string) => hex.replace(/^0x/i, '').toLowerCase();

export function preflight(httpUrl: string, database: string, token: string, needed: Record<string, number>, timeoutMs: number, expectedIdentity = ''): void {
  const timeout = `${timeoutMs}ms`;
  const ping = http.get(`${httpUrl}/v1/ping`, { timeout, tags: { name: 'preflight' } });
  if (ping.status !== 200) {
    exec.test.abort(
      `SpacetimeDB is not reachable at ${httpUrl} (GET /v1/ping: ${ping.status || ping.error}): start it (spacetime start) or set SPACETIME_HOST / SPACETIME_PORT / SPACETIME_SSL`,
    );
  }
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  const info = http.get(`${httpUrl}/v1/database/${database}`, { timeout, headers, tags: { name: 'preflight' }, responseType: 'text' });
  if (info.status === 404) {
    exec.test.abort(
      `database '${database}' does not exist on ${httpUrl}: publish the benchmark module (see README, section A real SpacetimeDB) or set SPACETIME_DATABASE`,
    );
  }
  if (info.status === 401 || info.status === 403 || info.status === 400) {
    // the host says why (InvalidSignature, InvalidToken, a malformed header...); a body may echo the token: scrubbed
    const why = typeof info.body === 'string' ? info.body.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
    exec.test.abort(safeLog(`${httpUrl} refused the token (GET /v1/database/${database}: ${info.status}${why ? ` ${why}` : ''}): check SPACETIME_TOKEN`));
  }
  // responseType text: DISCARD_RESPONSE_BODIES must not hide the schema from this check
  const schema = http.get(`${httpUrl}/v1/database/${database}/schema?version=9`, { timeout, headers, tags: { name: 'preflight' }, responseType: 'text' });
  if (schema.status !== 200) {
    exec.test.abort(`could not read the schema of '${database}' (GET .../schema?version=9: ${schema.status || schema.error})`);
  }
  // The host names the caller's identity in a header of the schema answer (not of database info):
  // SPACETIME_IDENTITY must be the token's.
  const actual = schema.headers['Spacetime-Identity'];
  if (expectedIdentity && token) {
    if (!actual) {
      exec.test.abort(
        `SPACETIME_IDENTITY is set, but ${httpUrl} did not name the token's identity (no spacetime-identity header on the schema answer): leave SPACETIME_IDENTITY empty`,
      );
    } else if (normalizeIdentity(actual) !== normalizeIdentity(expectedIdentity)) {
      exec.test.abort(
        `SPACETIME_IDENTITY is ${normalizeIdentity(expectedIdentity)} but SPACETIME_TOKEN belongs to identity ${normalizeIdentity(actual)}: fix one of them (or leave SPACETIME_IDENTITY empty)`,
      );
    }
  }
  const problems = missingReducers(parseReducers(schema.body as string), needed);
  if (problems.length > 0) {
    exec.test.abort(
      `the module published as '${database}' does not fit the benchmark: ${problems.join('; ')}. Publish modules/spacetimedb (see README) or choose another SCENARIO`,
    );
  }
}
