// Contract of the SpacetimeDB sandbox (tools/sandbox/spacetimedb): HTTP API and v1.json WebSocket
// protocol as a k6 scenario meets them, checked with Node's fetch and the `ws` client.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startSpacetimeSandbox, type SpacetimeSandbox } from '../../tools/sandbox/spacetimedb/server.ts';

const PROTOCOL = 'v1.json.spacetimedb';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;

/** A WebSocket client that queues every server message and lets a test wait for the next matching one. */
class Client {
  readonly raw: string[] = [];
  private readonly queue: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;
  pings = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      const msg = JSON.parse(text) as Msg;
      const waiter = this.waiters.find((w) => w.pred(msg));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(msg);
      } else {
        this.queue.push(msg);
      }
    });
    ws.on('ping', () => (this.pings += 1));
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string, options: WebSocket.ClientOptions & { token?: string } = {}, protocols: string[] = [PROTOCOL]): Promise<Client> {
    const { token, ...rest } = options;
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    const ws = new WebSocket(url, protocols, { ...rest, headers });
    const client = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  next(pred: (m: Msg) => boolean = () => true, timeoutMs = 2000): Promise<Msg> {
    const index = this.queue.findIndex(pred);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('timed out waiting for a server message'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves true when nothing matching arrives within `ms`. */
  async silent(pred: (m: Msg) => boolean, ms = 150): Promise<boolean> {
    try {
      await this.next(pred, ms);
      return false;
    } catch {
      return true;
    }
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  close(): void {
    this.ws.terminate();
  }
}

const is = (variant: string) => (m: Msg) => variant in m;
const txFor = (requestId: number) => (m: Msg) => m.TransactionUpdate?.reducer_call.request_id === requestId;
const callReducer = (reducer: string, args: unknown[], request_id: number, flags = 0) => ({
  CallReducer: { reducer, args: JSON.stringify(args), request_id, flags },
});

describe('SpacetimeDB sandbox', () => {
  let sb: SpacetimeSandbox;
  let base: string;
  let token: string;
  const clients: Client[] = [];
  const open = async (options: WebSocket.ClientOptions & { token?: string } = {}, protocols?: string[]) => {
    const client = await Client.open(sb.subscribeUrl, options, protocols);
    clients.push(client);
    return client;
  };
  const post = (path: string, body: string, contentType: string | null = 'application/json', auth = token) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body,
    });
  const call = (reducer: string, args: unknown, contentType?: string) => post(`/v1/database/benchmark/call/${reducer}`, JSON.stringify(args), contentType);
  const sql = (query: string) => post('/v1/database/benchmark/sql', query, 'text/plain');

  beforeAll(async () => {
    sb = await startSpacetimeSandbox({ port: 0 });
    base = sb.url;
    token = ((await (await fetch(`${base}/v1/identity`, { method: 'POST' })).json()) as { token: string }).token;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    sb.setFaults({ latencyMs: 0, failureRate: 0, dropRate: 0 });
  });
  afterAll(async () => {
    await sb.close();
  });

  describe('HTTP', () => {
    it('answers ping, mints identities and accepts its own tokens', async () => {
      const ping = await fetch(`${base}/v1/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.text()).toBe('');

      const before = sb.counts().identitiesMinted;
      const minted = (await (await fetch(`${base}/v1/identity`, { method: 'POST' })).json()) as { identity: string; token: string };
      expect(minted.identity).toMatch(/^[0-9a-f]{64}$/);
      expect(minted.token.split('.')).toHaveLength(3);
      expect(sb.counts().identitiesMinted).toBe(before + 1);

      // A request with the token is that identity; one without mints a fresh identity every time.
      // (The schema answer names it in a header, as the host does; database info does not.)
      const withToken = await fetch(`${base}/v1/database/benchmark/schema?version=9`, { headers: { authorization: `Bearer ${minted.token}` } });
      expect(withToken.headers.get('spacetime-identity')).toBe(minted.identity);
      expect(sb.counts().identitiesMinted).toBe(before + 1);
      const info = await fetch(`${base}/v1/database/benchmark`, { headers: { authorization: `Bearer ${minted.token}` } });
      expect(info.headers.get('spacetime-identity')).toBeNull();
      const anonymous = await fetch(`${base}/v1/database/benchmark/schema?version=9`);
      expect(anonymous.headers.get('spacetime-identity')).not.toBe(minted.identity);
      expect(sb.counts().identitiesMinted).toBe(before + 2);

      const forged = await fetch(`${base}/v1/database/benchmark`, { headers: { authorization: `Bearer ${minted.token.slice(0, -4)}AAAA` } });
      expect(forged.status).toBe(401);
    });

    it('describes the database and its module, 404 for another database', async () => {
      const info = await fetch(`${base}/v1/database/benchmark`);
      expect(info.status).toBe(200);
      const body = (await info.json()) as Msg;
      expect(body.database_identity.__identity__).toMatch(/^0x[0-9a-f]{64}$/);
      expect(body.host_type).toEqual({ Wasm: [] });
      expect((await fetch(`${base}/v1/database/nope`)).status).toBe(404);

      const schema = (await (await fetch(`${base}/v1/database/benchmark/schema?version=9`)).json()) as Msg;
      const reducers = schema.reducers.map((r: Msg) => [r.name, r.params.elements.map((e: Msg) => [e.name.some, Object.keys(e.algebraic_type)[0]])]);
      expect(reducers).toEqual([
        [
          'increment',
          [
            ['counter_id', 'String'],
            ['amount', 'I64'],
          ],
        ],
        [
          'create_message',
          [
            ['message_id', 'String'],
            ['sender', 'String'],
            ['content', 'String'],
            ['timestamp', 'String'],
          ],
        ],
        [
          'create_user',
          [
            ['id', 'String'],
            ['username', 'String'],
            ['email', 'String'],
            ['name', 'String'],
            ['age', 'I32'],
            ['created_at', 'String'],
            ['active', 'Bool'],
          ],
        ],
      ]);
      expect(schema.tables.map((t: Msg) => t.name)).toEqual(['counters', 'messages', 'users']);
      expect((await fetch(`${base}/v1/database/benchmark/schema`)).status).toBe(400);
      expect((await fetch(`${base}/v1/database/benchmark/schema?version=8`)).status).toBe(400);
    });

    it('rejects a charset on the content type (415), unknown reducers (404), bad arguments (400)', async () => {
      const charset = await call('increment', ['c', 1], 'application/json; charset=utf-8');
      expect(charset.status).toBe(415);

      const unknown = await call('decrement', ['c', 1]);
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toBe('No such procedure');

      for (const args of [['c'], ['c', '1'], ['c', 1.5], { args: ['c', 1] }, { counter_id: 'c' }]) {
        const res = await call('increment', args);
        expect(res.status, JSON.stringify(args)).toBe(400);
        expect(await res.text()).toMatch(/^invalid arguments for reducer increment: /);
      }
      const tooBig = await post('/v1/database/benchmark/call/create_message', JSON.stringify(['m', 's', 'x'.repeat(2 * 1024 * 1024), 't']));
      expect(tooBig.status).toBe(413);
    });

    it('commits calls (200, empty body, energy and duration headers) and counts them', async () => {
      const before = sb.counts().committed.increment;
      const res = await call('increment', ['http_counter', 5]);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      expect(Number(res.headers.get('spacetime-energy-used'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('spacetime-execution-duration-micros'))).toBeGreaterThan(0);
      expect((await call('increment', { counter_id: 'http_counter', amount: -2 })).status).toBe(200);
      expect(sb.counts().committed.increment).toBe(before + 2);

      const rows = (await (await sql("SELECT * FROM counters WHERE id = 'http_counter'")).json()) as Msg[];
      expect(rows[0].rows).toEqual([['http_counter', 3, expect.any(String)]]);
    });

    it('fails a duplicate message id with 530 and the error text', async () => {
      const args = ['dup_message', 'vu1', 'hello', '2024-01-01T00:00:00Z'];
      expect((await call('create_message', args)).status).toBe(200);
      const failedBefore = sb.counts().failed.create_message;
      const again = await call('create_message', args);
      expect(again.status).toBe(530);
      expect(await again.text()).toMatch(/Unique constraint violation 'messages_id_key'/);
      expect(sb.counts().failed.create_message).toBe(failedBefore + 1);

      const user = ['user_1', 'ada', 'ada@example.com', 'Ada', 36, '2024-01-01', true];
      expect((await call('create_user', user)).status).toBe(200);
      expect((await call('create_user', user)).status).toBe(530);
    });

    it('runs SQL with WHERE and LIMIT, rejects ORDER BY', async () => {
      for (let i = 0; i < 5; i++) await call('create_message', [`sql_${i}`, i % 2 ? 'odd' : 'even', `c${i}`, `${i}`]);
      const even = (await (await sql("SELECT * FROM messages WHERE sender = 'even' AND content != 'c0'")).json()) as Msg[];
      expect(even[0].rows).toEqual([
        ['sql_2', 'even', 'c2', '2'],
        ['sql_4', 'even', 'c4', '4'],
      ]);
      expect(even[0].schema.elements.map((e: Msg) => e.name.some)).toEqual(['id', 'sender', 'content', 'timestamp']);
      expect(typeof even[0].total_duration_micros).toBe('number');
      expect(even[0].stats).toEqual({ rows_inserted: 0, rows_deleted: 0, rows_updated: 0 });

      const limited = (await (await sql("SELECT * FROM messages WHERE sender = 'odd' LIMIT 1")).json()) as Msg[];
      expect(limited[0].rows).toHaveLength(1);
      const count = (await (await sql("SELECT COUNT(*) AS n FROM messages WHERE sender = 'even'")).json()) as Msg[];
      expect(count[0].rows).toEqual([[3]]);

      const ordered = await sql('SELECT * FROM messages ORDER BY timestamp DESC LIMIT 10');
      expect(ordered.status).toBe(400);
      expect(await ordered.text()).toMatch(/^Unsupported: /);
      const badTable = await sql('SELECT * FROM nope');
      expect(badTable.status).toBe(400);
      expect(await badTable.text()).toBe('`nope` is not a valid table');
    });
  });

  describe('WebSocket', () => {
    it('refuses an upgrade without the v1.json.spacetimedb subprotocol (400) or for another database (404)', async () => {
      await expect(Client.open(sb.subscribeUrl, {}, [])).rejects.toThrow('HTTP 400');
      await expect(Client.open(sb.subscribeUrl, {}, ['v1.bsatn.spacetimedb'])).rejects.toThrow('HTTP 400');
      await expect(Client.open(sb.subscribeUrl.replace('/benchmark/', '/other/'))).rejects.toThrow('HTTP 404');
    });

    it('sends IdentityToken first, with the caller identity, its token and a connection id', async () => {
      const minted = (await (await fetch(`${base}/v1/identity`, { method: 'POST' })).json()) as { identity: string; token: string };
      const c = await open({ token: minted.token });
      const first = await c.next();
      expect(Object.keys(first)).toEqual(['IdentityToken']);
      expect(first.IdentityToken.identity).toEqual({ __identity__: `0x${minted.identity}` });
      expect(first.IdentityToken.token).toBe(minted.token);
      expect(c.raw[0]).toMatch(/"connection_id":\{"__connection_id__":\d+\}\}\}$/);
    });

    it('answers CallReducer with a TransactionUpdate carrying the request_id and the subscribed rows', async () => {
      const c = await open({ token });
      await c.next(is('IdentityToken'));
      // Not subscribed: Committed with no tables.
      c.send(callReducer('increment', ['ws_counter', 2], 11));
      const first = (await c.next(txFor(11))).TransactionUpdate;
      expect(first.status).toEqual({ Committed: { tables: [] } });
      expect(first.reducer_call).toEqual({ reducer_name: 'increment', reducer_id: 0, args: '["ws_counter",2]', request_id: 11 });
      expect(first.caller_identity.__identity__).toMatch(/^0x[0-9a-f]{64}$/);
      expect(first.timestamp.__timestamp_micros_since_unix_epoch__).toBeGreaterThan(1e15);
      expect(first.energy_quanta_used.quanta).toBeGreaterThan(0);
      expect(first.total_host_execution_duration.__time_duration_micros__).toBeGreaterThan(0);

      c.send({ SubscribeSingle: { query: "SELECT * FROM counters WHERE id = 'ws_counter'", request_id: 1, query_id: { id: 1 } } });
      await c.next(is('SubscribeApplied'));
      c.send(callReducer('increment', ['ws_counter', 3], 12));
      const tables = (await c.next(txFor(12))).TransactionUpdate.status.Committed.tables;
      expect(tables).toHaveLength(1);
      expect(tables[0]).toMatchObject({ table_id: 4096, table_name: 'counters', num_rows: 2 });
      const [update] = tables[0].updates;
      expect(JSON.parse(update.deletes[0]).slice(0, 2)).toEqual(['ws_counter', 2]);
      expect(JSON.parse(update.inserts[0]).slice(0, 2)).toEqual(['ws_counter', 5]);

      c.send(callReducer('create_message', ['ws_dup', 'a', 'b', 'c'], 13));
      expect((await c.next(txFor(13))).TransactionUpdate.status).toEqual({ Committed: { tables: [] } });
      c.send(callReducer('create_message', ['ws_dup', 'a', 'b', 'c'], 14));
      expect((await c.next(txFor(14))).TransactionUpdate.status.Failed).toMatch(/Unique constraint violation/);
    });

    it('answers an unknown reducer or bad arguments with a Failed update carrying request_id 0; flags 1 stays silent', async () => {
      const c = await open({ token });
      await c.next(is('IdentityToken'));
      c.send(callReducer('nope', [], 21));
      const unknown = (await c.next(is('TransactionUpdate'))).TransactionUpdate;
      expect(unknown.status).toEqual({ Failed: 'no such reducer' });
      expect(unknown.reducer_call.request_id).toBe(0);
      expect(unknown.reducer_call.reducer_id).toBe(4294967295);
      c.send(callReducer('increment', ['x'], 22));
      const bad = (await c.next(is('TransactionUpdate'))).TransactionUpdate;
      expect(bad.status.Failed).toMatch(/^invalid arguments for reducer increment/);
      expect(bad.reducer_call.request_id).toBe(0);

      const committed = sb.counts().committed.create_message;
      c.send(callReducer('create_message', ['quiet', 'a', 'b', 'c'], 23, 1));
      c.send(callReducer('create_message', ['quiet', 'a', 'b', 'c'], 24, 1));
      expect(await c.silent(is('TransactionUpdate'))).toBe(true);
      expect(sb.counts().committed.create_message).toBe(committed + 1);
    });

    it('tells other subscribers with TransactionUpdateLight, only about matching rows', async () => {
      const watcher = await open();
      await watcher.next(is('IdentityToken'));
      watcher.send({ SubscribeSingle: { query: "SELECT * FROM messages WHERE sender = 'watched'", request_id: 5, query_id: { id: 7 } } });
      const applied = (await watcher.next(is('SubscribeApplied'))).SubscribeApplied;
      expect(applied).toMatchObject({ request_id: 5, query_id: { id: 7 }, rows: { table_id: 4097, table_name: 'messages' } });
      expect(applied.rows.table_rows).toEqual({ deletes: [], inserts: [] });
      expect(typeof applied.total_host_execution_duration_micros).toBe('number');

      const caller = await open({ token });
      await caller.next(is('IdentityToken'));
      const sent = sb.counts().subscriptionUpdatesSent;
      caller.send(callReducer('create_message', ['light_1', 'watched', 'hi', 't1'], 31));
      caller.send(callReducer('create_message', ['light_2', 'someone', 'hi', 't2'], 32));
      await caller.next(txFor(32));
      const light = (await watcher.next(is('TransactionUpdateLight'))).TransactionUpdateLight;
      expect(light.request_id).toBe(31);
      expect(light.update.tables).toHaveLength(1);
      expect(light.update.tables[0].updates[0].inserts.map((r: string) => JSON.parse(r))).toEqual([['light_1', 'watched', 'hi', 't1']]);
      expect(await watcher.silent(is('TransactionUpdateLight'))).toBe(true);
      expect(sb.counts().subscriptionUpdatesSent).toBe(sent + 1);

      // A later SubscribeSingle sees existing rows as objects keyed by column.
      watcher.send({ SubscribeSingle: { query: "SELECT * FROM messages WHERE sender = 'watched'", request_id: 6, query_id: { id: 8 } } });
      const again = (await watcher.next(is('SubscribeApplied'))).SubscribeApplied;
      expect(again.rows.table_rows.inserts.map((r: string) => JSON.parse(r))).toEqual([{ id: 'light_1', sender: 'watched', content: 'hi', timestamp: 't1' }]);
      watcher.send({ SubscribeSingle: { query: 'SELECT * FROM messages ORDER BY id', request_id: 9, query_id: { id: 9 } } });
      const error = (await watcher.next(is('SubscriptionError'))).SubscriptionError;
      expect(error).toMatchObject({ request_id: { some: 9 }, query_id: { some: 9 }, table_id: { none: [] } });
      expect(error.error).toMatch(/^Unsupported: /);
    });

    it('answers legacy Subscribe with InitialSubscription (object rows, empty results left out), a bad query with Failed', async () => {
      await call('create_user', ['init_user', 'u', 'e', 'n', 30, 'now', false]);
      const c = await open();
      await c.next(is('IdentityToken'));
      c.send({ Subscribe: { query_strings: ["SELECT * FROM users WHERE id = 'init_user'", "SELECT * FROM counters WHERE id = 'none'"], request_id: 3 } });
      const initial = (await c.next(is('InitialSubscription'))).InitialSubscription;
      expect(initial.request_id).toBe(3);
      expect(initial.total_host_execution_duration).toHaveProperty('__time_duration_micros__');
      expect(initial.database_update.tables).toHaveLength(1);
      expect(JSON.parse(initial.database_update.tables[0].updates[0].inserts[0])).toEqual({
        id: 'init_user',
        username: 'u',
        email: 'e',
        name: 'n',
        age: 30,
        created_at: 'now',
        active: false,
      });
      c.send({ Subscribe: { query_strings: ['SELECT * FROM users LIMIT 5'], request_id: 4 } });
      const failed = (await c.next(is('TransactionUpdate'))).TransactionUpdate;
      expect(failed.status.Failed).toMatch(/^Unsupported: /);
      expect(failed.reducer_call.request_id).toBe(0);
    });

    it('answers OneOffQuery', async () => {
      await call('create_message', ['oneoff_1', 'oneoff', 'x', 't']);
      const c = await open();
      await c.next(is('IdentityToken'));
      c.send({ OneOffQuery: { message_id: '0a0b', query_string: "SELECT * FROM messages WHERE sender = 'oneoff'" } });
      const res = (await c.next(is('OneOffQueryResponse'))).OneOffQueryResponse;
      expect(res.message_id).toBe('0a0b');
      expect(res.error).toEqual({ none: [] });
      expect(res.tables).toHaveLength(1);
      expect(res.tables[0].table_name).toBe('messages');
      expect(res.tables[0].rows.map((r: string) => JSON.parse(r))).toEqual([{ id: 'oneoff_1', sender: 'oneoff', content: 'x', timestamp: 't' }]);
      expect(res.total_host_execution_duration).toHaveProperty('__time_duration_micros__');
      c.send({ OneOffQuery: { message_id: '01', query_string: 'SELECT * FROM messages LIMIT 1' } });
      const limited = (await c.next(is('OneOffQueryResponse'))).OneOffQueryResponse;
      expect(limited.error.some).toMatch(/^Unsupported: /);
      expect(limited.tables).toEqual([]);
    });

    it('closes with 1011 on a message it cannot parse', async () => {
      const errors = sb.counts().wsProtocolErrors;
      for (const garbage of [
        'not json',
        '{"type":"call","reducer":"increment"}',
        JSON.stringify({ CallReducer: { reducer: 'increment', args: ['a', 1], request_id: 1, flags: 0 } }),
      ]) {
        const c = await open();
        await c.next(is('IdentityToken'));
        c.send(garbage);
        expect((await c.closed).code).toBe(1011);
      }
      expect(sb.counts().wsProtocolErrors).toBe(errors + 3);
    });
  });

  describe('fault injection', () => {
    it('delays WebSocket CallReducer answers by the injected latency', async () => {
      const c = await open({ token });
      await c.next(is('IdentityToken'));
      sb.setFaults({ latencyMs: 120 });
      const started = performance.now();
      c.send(callReducer('increment', ['slow', 1], 41));
      await c.next(txFor(41));
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('fails an exact share of calls (WS Failed, HTTP 530) and drops sockets', async () => {
      sb.reset();
      expect(sb.counts().committed.increment).toBe(0);
      const c = await open({ token });
      await c.next(is('IdentityToken'));
      sb.setFaults({ failureRate: 0.5 });
      for (let i = 1; i <= 4; i++) c.send(callReducer('increment', ['faulty', 1], 50 + i));
      const outcomes = [];
      for (let i = 1; i <= 4; i++) outcomes.push(Object.keys((await c.next(txFor(50 + i))).TransactionUpdate.status)[0]);
      expect(outcomes.filter((o) => o === 'Failed')).toHaveLength(2);
      expect(sb.counts()).toMatchObject({ wsInjectedFailures: 2, committed: { increment: 2 } });

      const http = [];
      for (let i = 0; i < 4; i++) http.push((await call('increment', ['faulty_http', 1])).status);
      expect(http.filter((s) => s === 530)).toHaveLength(2);
      expect(sb.stats().injectedFailures.call).toBe(2);

      sb.setFaults({ failureRate: 0, dropRate: 1 });
      c.send(callReducer('increment', ['dropped', 1], 60));
      expect((await c.closed).code).toBe(1006);
      expect(sb.counts().wsDropped).toBe(1);
      const stats = (await (await fetch(`${base}/__sandbox/stats`)).json()) as Msg;
      expect(stats).toMatchObject({ wsDropped: 1, wsInjectedFailures: 2, committed: { increment: 4 } });
    });
  });
});

describe('SpacetimeDB sandbox keep-alive', () => {
  it('pings every pingIntervalMs and drops a socket that stays silent for idleTimeoutMs', async () => {
    const sb = await startSpacetimeSandbox({ port: 0, pingIntervalMs: 40, idleTimeoutMs: 200 });
    try {
      const answering = await Client.open(sb.subscribeUrl);
      const silent = await Client.open(sb.subscribeUrl, { autoPong: false });
      const closed = await silent.closed;
      expect(closed.code).toBe(1006);
      expect(silent.pings).toBeGreaterThanOrEqual(1);
      expect(answering.pings).toBeGreaterThanOrEqual(3);
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
      await vi.waitFor(() => expect(sb.counts()).toMatchObject({ wsIdleClosed: 1, wsOpen: 1, wsConnections: 2 }));
      answering.close();
    } finally {
      await sb.close();
    }
  });
});
