// Stand-in for a SpacetimeDB standalone host serving one database with the benchmark module
// (seed 000): the HTTP API (ping, identity, database info, schema, reducer calls, SQL) on the shared
// sandbox plumbing, and the v1.json.spacetimedb WebSocket protocol on the same port.
// Wire facts: /work/shared/reference/spacetimedb.md, checked against clockworklabs/SpacetimeDB.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sendText, startHttpTarget, type Route, type RunningTarget } from '../http-target.ts';
import { Authority, databaseIdentity, type Caller } from './auth.ts';
import { Engine, SqlError, type EngineCounts } from './engine.ts';
import { MODULE_DEF_V10_JSON, MODULE_DEF_V9_JSON, REDUCER_BY_NAME, parseArgs } from './module.ts';
import { WsGateway, type GatewayCounts } from './ws.ts';

export interface SpacetimeSandboxOptions {
  port?: number;
  host?: string;
  /** The one database served (default `benchmark`); any other name gets the host's 404. */
  database?: string;
  /** WebSocket ping interval (default 15 s, as the host). */
  pingIntervalMs?: number;
  /** Sockets that sent nothing for this long are dropped (default 30 s, as the host). */
  idleTimeoutMs?: number;
  /**
   * Subscribers get TransactionUpdateLight about others' transactions (default true: a module built with
   * 2.x bindings); false sends full TransactionUpdates unless the client asked for `?light=true`.
   */
  lightUpdates?: boolean;
}

export interface SpacetimeCounts extends EngineCounts, GatewayCounts {
  identitiesMinted: number;
}

export interface SpacetimeSandbox extends RunningTarget {
  database: string;
  /** ws://host:port/v1/database/<database>/subscribe */
  subscribeUrl: string;
  counts(): SpacetimeCounts;
}

const JSON_HEADERS = 'application/json';
const TEXT_HEADERS = 'text/plain; charset=utf-8';
const INJECTED_REDUCER_FAILURE = 'The reducer panicked: injected failure (sandbox fault injection)';

export async function startSpacetimeSandbox(options: SpacetimeSandboxOptions = {}): Promise<SpacetimeSandbox> {
  const database = options.database ?? 'benchmark';
  const dbIdentity = databaseIdentity(database);
  const ownerIdentity = databaseIdentity(`${database}/owner`);
  const isDatabase = (name: string) => name === database || name === dbIdentity || name === `0x${dbIdentity}`;
  const authority = new Authority();
  const engine = new Engine();

  const databaseInfo = JSON.stringify({
    database_identity: { __identity__: `0x${dbIdentity}` },
    owner_identity: { __identity__: `0x${ownerIdentity}` },
    host_type: { Wasm: [] },
    initial_program: databaseIdentity(`${database}/program`),
  });

  /** Auth for /v1/database/*: a valid token, or a freshly minted identity when there is none. */
  const authenticate = (req: IncomingMessage, res: ServerResponse): Caller | null => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const result = authority.authenticate(req.headers.authorization, q < 0 ? undefined : url.slice(q + 1));
    if (!result.ok) {
      sendText(res, result.status, result.message);
      return null;
    }
    return result.caller;
  };

  const respond = (res: ServerResponse, caller: Caller, status: number, contentType: string, body: string, extra?: Record<string, string | number>) => {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'spacetime-identity': caller.hex,
      'spacetime-identity-token': caller.token,
      ...extra,
    });
    res.end(body);
  };

  const dbName = (raw: string): string => {
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: /^\/v1\/ping$/,
      name: 'ping',
      handle: (_req, res) => {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/identity$/,
      name: 'identity',
      handle: (_req, res) => {
        const caller = authority.mint();
        sendJson(res, 200, { identity: caller.hex, token: caller.token });
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/identity\/([^/]+)\/verify$/,
      name: 'identity_verify',
      handle: (req, res, [identity]) => {
        const header = req.headers.authorization;
        if (!header?.toLowerCase().startsWith('bearer ')) return sendText(res, 401, '');
        const result = authority.verifyToken(header.slice(7).trim());
        if (!result.ok) return sendText(res, result.status, result.message);
        const wanted = identity.toLowerCase().replace(/^0x/, '');
        res.writeHead(result.caller.hex === wanted ? 204 : 400, { 'content-length': 0 });
        res.end();
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/database\/([^/]+)$/,
      name: 'database',
      handle: (req, res, [name]) => {
        const caller = authenticate(req, res);
        if (!caller) return;
        // like the host's db_info: plain JSON, without the spacetime-identity headers schema() sends
        if (!isDatabase(dbName(name))) return sendText(res, 404, 'No such database.');
        sendText(res, 200, databaseInfo, JSON_HEADERS);
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/database\/([^/]+)\/schema$/,
      name: 'schema',
      handle: (req, res, [name]) => {
        const caller = authenticate(req, res);
        if (!caller) return;
        const url = req.url ?? '';
        const version = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '').get('version');
        if (version === null) {
          return respond(res, caller, 400, TEXT_HEADERS, 'Failed to deserialize query string: missing field `version`');
        }
        if (version !== '9' && version !== '10') {
          return respond(
            res,
            caller,
            400,
            TEXT_HEADERS,
            `Failed to deserialize query string: version: unknown variant \`${version}\`, expected \`9\` or \`10\``,
          );
        }
        if (!isDatabase(dbName(name))) return respond(res, caller, 404, TEXT_HEADERS, 'No such database.');
        respond(res, caller, 200, JSON_HEADERS, version === '9' ? MODULE_DEF_V9_JSON : MODULE_DEF_V10_JSON);
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/database\/([^/]+)\/call\/([^/]+)$/,
      name: 'call',
      fail: (res) => sendText(res, 530, INJECTED_REDUCER_FAILURE),
      handle: (req, res, [name, reducer], body) => {
        const caller = authenticate(req, res);
        if (!caller) return;
        const contentType = req.headers['content-type'];
        if (contentType === undefined) return respond(res, caller, 400, TEXT_HEADERS, 'Header of type `content-type` was missing');
        if (contentType.trim().toLowerCase() !== 'application/json') {
          return respond(res, caller, 415, TEXT_HEADERS, 'Expected request with `Content-Type: application/json`');
        }
        if (!isDatabase(dbName(name))) return respond(res, caller, 404, TEXT_HEADERS, 'No such database.');
        const def = REDUCER_BY_NAME.get(dbName(reducer));
        if (!def) {
          engine.countRejected();
          return respond(res, caller, 404, TEXT_HEADERS, 'No such procedure');
        }
        const args = parseArgs(def, body.toString('utf8'));
        if (typeof args === 'string') {
          engine.countRejected();
          return respond(res, caller, 400, TEXT_HEADERS, args);
        }
        const result = engine.callReducer(def, args, caller, null, 0, 0);
        respond(res, caller, result.ok ? 200 : 530, TEXT_HEADERS, result.error, {
          'spacetime-energy-used': result.energy,
          'spacetime-execution-duration-micros': result.micros,
        });
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/database\/([^/]+)\/sql$/,
      name: 'sql',
      handle: (req, res, [name], body) => {
        const caller = authenticate(req, res);
        if (!caller) return;
        if (!isDatabase(dbName(name))) return respond(res, caller, 404, TEXT_HEADERS, 'No such database.');
        let result: { json: string; micros: number };
        try {
          result = engine.sql(body.toString('utf8'));
        } catch (error) {
          if (error instanceof SqlError) return respond(res, caller, 400, TEXT_HEADERS, error.message);
          throw error;
        }
        respond(res, caller, 200, JSON_HEADERS, result.json, { 'spacetime-execution-duration-micros': result.micros });
      },
    },
    {
      // A plain GET (no Upgrade) on the subscribe route; upgrades never reach the request handler.
      method: 'GET',
      path: /^\/v1\/database\/([^/]+)\/subscribe$/,
      name: 'subscribe',
      handle: (_req, res) => sendText(res, 400, "Connection header did not include 'upgrade'"),
    },
  ];

  let gateway: WsGateway | null = null;
  const target = await startHttpTarget({
    port: options.port,
    host: options.host,
    routes,
    extraStats: () => ({ ...counts() }),
    onReset: () => {
      engine.reset();
      gateway?.reset();
      authority.minted = 0;
    },
  });
  gateway = new WsGateway(target.server, engine, authority, () => target.faults(), {
    isDatabase,
    pingIntervalMs: options.pingIntervalMs ?? 15_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    lightUpdates: options.lightUpdates ?? true,
    maxBufferedBytes: 64 * 1024 * 1024,
  });
  const ws = gateway;

  function counts(): SpacetimeCounts {
    return { ...engine.counts(), ...ws.counts(), identitiesMinted: authority.minted };
  }

  return {
    ...target,
    database,
    subscribeUrl: `${target.url.replace(/^http/, 'ws')}/v1/database/${database}/subscribe`,
    counts,
    close: async () => {
      ws.close();
      await target.close();
    },
  };
}
