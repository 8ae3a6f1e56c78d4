// GET /v1/database/:name/subscribe: the v1.json.spacetimedb WebSocket protocol on a `ws` server in
// noServer mode, attached to the sandbox's HTTP server through its 'upgrade' event.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ShareSelector, type Faults } from '../faults.ts';
import { parseConnectionId, randomConnectionId, type Authority, type Caller } from './auth.ts';
import { Conn, type Engine } from './engine.ts';
import { REDUCER_BY_NAME, UNKNOWN_REDUCER_ID, parseArgs } from './module.ts';

export const TEXT_PROTOCOL = 'v1.json.spacetimedb';

export interface GatewayOptions {
  /** Matches the database name or identity in the URL. */
  isDatabase(name: string): boolean;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  /** Subscribers get TransactionUpdateLight for others' transactions (a module built with 2.x bindings). */
  lightUpdates: boolean;
  /** Sockets whose unsent output exceeds this are dropped as unresponsive. */
  maxBufferedBytes: number;
}

export interface GatewayCounts {
  wsConnections: number;
  wsOpen: number;
  /** CallReducers answered with a Failed TransactionUpdate by fault injection (failureRate). */
  wsInjectedFailures: number;
  /** Sockets terminated by fault injection (dropRate) when a CallReducer arrived. */
  wsDropped: number;
  /** CallReducers held back by the injected latency. */
  wsDelayed: number;
  /** Sockets dropped for sending nothing within idleTimeoutMs. */
  wsIdleClosed: number;
  /** Sockets closed with 1011 because a message could not be parsed. */
  wsProtocolErrors: number;
}

class ProtocolError extends Error {}

interface Client {
  ws: WebSocket;
  conn: Conn;
  open: boolean;
  closing: boolean;
  lastRecv: number;
  nextPing: number;
  gotPong: boolean;
}

const SEND_TEXT = { binary: false };

const u32 = (value: unknown, field: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new ProtocolError(`invalid value for field \`${field}\`: expected u32`);
  }
  return value;
};
const str = (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw new ProtocolError(`invalid type for field \`${field}\`: expected a string`);
  return value;
};
const strings = (value: unknown, field: string): string[] => {
  if (!Array.isArray(value)) throw new ProtocolError(`invalid type for field \`${field}\`: expected a sequence`);
  return value.map((v) => str(v, field));
};
const record = (value: unknown, what: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(`invalid type for ${what}: expected a map`);
  }
  return value as Record<string, unknown>;
};
const queryId = (value: unknown): number => u32(record(value, 'field `query_id`').id, 'query_id.id');
/** `Box<[u8]>` in SATS-JSON: a hex string (an array of bytes is accepted too). */
const bytesHex = (value: unknown, field: string): string => {
  if (typeof value === 'string') {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new ProtocolError(`invalid hex for field \`${field}\``);
    return value.toLowerCase();
  }
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Buffer.from(value as number[]).toString('hex');
  }
  throw new ProtocolError(`invalid type for field \`${field}\`: expected bytes`);
};

function rejectUpgrade(socket: Duplex, status: number, reason: string, body: string): void {
  const text = Buffer.from(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${text.length}\r\nconnection: close\r\n\r\n${body}`);
}

export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly callers = new WeakMap<IncomingMessage, Caller>();
  private readonly sweeper: NodeJS.Timeout;
  private failures = new ShareSelector();
  private drops = new ShareSelector();
  private counters: GatewayCounts = this.zero(0);

  constructor(
    private readonly server: Server,
    private readonly engine: Engine,
    private readonly authority: Authority,
    private readonly faults: () => Faults,
    private readonly options: GatewayOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: 0x2000000,
      handleProtocols: (protocols) => (protocols.has(TEXT_PROTOCOL) ? TEXT_PROTOCOL : false),
    });
    // The real host answers every database route with the caller's identity and token.
    this.wss.on('headers', (headers, req) => {
      const caller = this.callers.get(req);
      if (caller) headers.push(`spacetime-identity: ${caller.hex}`, `spacetime-identity-token: ${caller.token}`);
    });
    server.on('upgrade', this.onUpgrade);
    const { pingIntervalMs, idleTimeoutMs } = options;
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(pingIntervalMs, idleTimeoutMs) / 4));
    this.sweeper.unref();
  }

  private zero(open: number): GatewayCounts {
    return {
      wsConnections: 0,
      wsOpen: open,
      wsInjectedFailures: 0,
      wsDropped: 0,
      wsDelayed: 0,
      wsIdleClosed: 0,
      wsProtocolErrors: 0,
    };
  }

  counts(): GatewayCounts {
    return { ...this.counters };
  }

  /** Zeroes the counters and the fault selectors; open sockets stay open (and counted in wsOpen). */
  reset(): void {
    this.counters = this.zero(this.counters.wsOpen);
    this.failures = new ShareSelector();
    this.drops = new ShareSelector();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.server.off('upgrade', this.onUpgrade);
    for (const client of this.clients) client.ws.terminate();
    this.clients.clear();
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const match = /^\/v1\/database\/([^/]+)\/subscribe$/.exec(path);
    if (!match) return rejectUpgrade(socket, 404, 'Not Found', 'Not Found');
    if (req.method !== 'GET') return rejectUpgrade(socket, 405, 'Method Not Allowed', 'Method Not Allowed');
    const auth = this.authority.authenticate(req.headers.authorization, query);
    if (!auth.ok) return rejectUpgrade(socket, auth.status, auth.status === 401 ? 'Unauthorized' : 'Bad Request', auth.message);
    const params = new URLSearchParams(query);
    let connectionId = randomConnectionId().decimal;
    const requested = params.get('connection_id');
    if (requested !== null) {
      const parsed = parseConnectionId(requested);
      if (!parsed) return rejectUpgrade(socket, 400, 'Bad Request', 'Failed to deserialize query string: connection_id');
      if (parsed.decimal === '0') {
        return rejectUpgrade(socket, 400, 'Bad Request', 'Invalid connection ID: the all-zeros ConnectionId is reserved.');
      }
      connectionId = parsed.decimal;
    }
    let name = match[1];
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep the raw segment
    }
    if (!this.options.isDatabase(name)) return rejectUpgrade(socket, 404, 'Not Found', 'No such database.');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(TEXT_PROTOCOL)) {
      return rejectUpgrade(socket, 400, 'Bad Request', 'no valid protocol selected');
    }
    const light = this.options.lightUpdates || params.get('light') === 'true';
    this.callers.set(req, auth.caller);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, auth.caller, connectionId, light));
  };

  private onConnection(ws: WebSocket, caller: Caller, connectionId: string, light: boolean): void {
    this.counters.wsConnections += 1;
    this.counters.wsOpen += 1;
    const maxBuffered = this.options.maxBufferedBytes;
    const client: Client = {
      ws,
      conn: new Conn(caller, connectionId, light, (data) => {
        if (!client.open) return;
        if (ws.bufferedAmount > maxBuffered) {
          client.open = false;
          ws.terminate();
          return;
        }
        ws.send(data, SEND_TEXT);
      }),
      open: true,
      closing: false,
      lastRecv: Date.now(),
      nextPing: Date.now() + this.options.pingIntervalMs,
      gotPong: true,
    };
    this.clients.add(client);
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('pong', () => {
      client.lastRecv = Date.now();
      client.gotPong = true;
    });
    ws.on('ping', () => {
      client.lastRecv = Date.now();
    });
    ws.on('error', () => {
      // A broken socket ends in 'close'; nothing to report.
    });
    ws.on('close', () => {
      client.open = false;
      this.counters.wsOpen -= 1;
      this.clients.delete(client);
      this.engine.dropConn(client.conn);
    });
    client.conn.send(
      `{"IdentityToken":{"identity":${caller.json},"token":${JSON.stringify(caller.token)},` + `"connection_id":{"__connection_id__":${connectionId}}}}`,
    );
  }

  private sweep(): void {
    const now = Date.now();
    const { idleTimeoutMs, pingIntervalMs } = this.options;
    for (const client of this.clients) {
      if (now - client.lastRecv >= idleTimeoutMs) {
        this.counters.wsIdleClosed += 1;
        client.open = false;
        client.ws.terminate();
        continue;
      }
      if (now >= client.nextPing) {
        client.nextPing = now + pingIntervalMs;
        // Like the host: no fresh ping while the previous one is unanswered.
        if (client.gotPong && client.open) {
          client.gotPong = false;
          client.ws.ping();
        }
      }
    }
  }

  private protocolError(client: Client, reason: string): void {
    this.counters.wsProtocolErrors += 1;
    client.closing = true;
    // Close reasons are limited to 123 bytes.
    client.ws.close(1011, Buffer.from(reason).subarray(0, 120).toString());
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    client.lastRecv = Date.now();
    if (client.closing || !client.open) return;
    if (isBinary) return this.protocolError(client, 'binary message on a v1.json.spacetimedb connection');
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch (error) {
      return this.protocolError(client, `invalid JSON: ${(error as Error).message}`);
    }
    try {
      this.dispatch(client, message);
    } catch (error) {
      if (error instanceof ProtocolError) return this.protocolError(client, error.message);
      throw error;
    }
  }

  private dispatch(client: Client, message: unknown): void {
    const outer = record(message, 'ClientMessage');
    const keys = Object.keys(outer);
    if (keys.length !== 1) throw new ProtocolError('expected a ClientMessage with exactly one variant');
    const variant = keys[0];
    const body = record(outer[variant], `variant \`${variant}\``);
    const conn = client.conn;
    switch (variant) {
      case 'CallReducer': {
        const reducer = str(body.reducer, 'reducer');
        const args = str(body.args, 'args');
        const requestId = u32(body.request_id, 'request_id');
        const flags = body.flags;
        if (flags !== 0 && flags !== 1) throw new ProtocolError(`invalid call reducer flag ${JSON.stringify(flags)}`);
        return this.onCallReducer(client, reducer, args, requestId, flags);
      }
      case 'Subscribe':
        return this.engine.subscribe(conn, strings(body.query_strings, 'query_strings'), u32(body.request_id, 'request_id'));
      case 'SubscribeSingle':
        return this.engine.subscribeSingle(conn, str(body.query, 'query'), u32(body.request_id, 'request_id'), queryId(body.query_id));
      case 'Unsubscribe':
        return this.engine.unsubscribe(conn, u32(body.request_id, 'request_id'), queryId(body.query_id));
      case 'SubscribeMulti':
        return this.engine.subscribeMulti(conn, strings(body.query_strings, 'query_strings'), u32(body.request_id, 'request_id'), queryId(body.query_id));
      case 'UnsubscribeMulti':
        return this.engine.unsubscribeMulti(conn, u32(body.request_id, 'request_id'), queryId(body.query_id));
      case 'OneOffQuery':
        return this.engine.oneOffQuery(conn, bytesHex(body.message_id, 'message_id'), str(body.query_string, 'query_string'));
      case 'CallProcedure':
        str(body.procedure, 'procedure');
        str(body.args, 'args');
        return this.engine.callProcedure(conn, u32(body.request_id, 'request_id'));
      default:
        throw new ProtocolError(`unknown variant \`${variant}\``);
    }
  }

  private onCallReducer(client: Client, reducer: string, args: string, requestId: number, flags: 0 | 1): void {
    const faults = this.faults();
    if (this.drops.pick(faults.dropRate)) {
      this.counters.wsDropped += 1;
      client.open = false;
      client.ws.terminate();
      return;
    }
    if (faults.latencyMs > 0) {
      this.counters.wsDelayed += 1;
      setTimeout(() => this.runCall(client, reducer, args, requestId, flags, faults.failureRate), faults.latencyMs);
    } else {
      this.runCall(client, reducer, args, requestId, flags, faults.failureRate);
    }
  }

  private runCall(client: Client, reducer: string, argsText: string, requestId: number, flags: 0 | 1, failureRate: number): void {
    if (!client.open) return;
    const conn = client.conn;
    const def = REDUCER_BY_NAME.get(reducer);
    if (!def) {
      this.engine.countRejected();
      return this.engine.sendExecutionError(conn, reducer, UNKNOWN_REDUCER_ID, 'no such reducer');
    }
    const args = parseArgs(def, argsText);
    if (typeof args === 'string') {
      this.engine.countRejected();
      return this.engine.sendExecutionError(conn, reducer, def.id, args);
    }
    if (this.failures.pick(failureRate)) {
      this.counters.wsInjectedFailures += 1;
      if (flags === 0) {
        this.engine.sendInjectedFailure(def, args, conn, requestId, 'The reducer panicked: injected failure (sandbox fault injection)');
      }
      return;
    }
    this.engine.callReducer(def, args, conn.caller, conn, requestId, flags);
  }
}
