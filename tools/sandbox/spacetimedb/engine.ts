// The database side of the sandbox: runs reducers against the store, keeps every connection's
// subscriptions (indexed by table and, for `pk = literal` queries, by key), and encodes the v1.json
// server messages. Message text is built by concatenation from precomputed parts, and one update is
// encoded once per distinct content, however many subscribers receive it.
import { performance } from 'node:perf_hooks';
import type { Caller } from './auth.ts';
import { randomConnectionId } from './auth.ts';
import { REDUCER_NAMES, TABLES, UNKNOWN_REDUCER_ID, productTypeOf, type ReducerDef, type ReducerName, type Row, type TableDef } from './module.ts';
import { SqlError, matchingRows, parseSql, parseSubscription, type Select } from './sql.ts';
import { Store, type TableChange } from './store.ts';

/** One WebSocket client as the engine sees it. */
export class Conn {
  legacy: Sub[] = [];
  readonly singles = new Map<number, Sub>();
  readonly multis = new Map<number, Sub[]>();
  constructor(
    readonly caller: Caller,
    /** ConnectionId as the bare decimal u128 of v1 JSON. */
    readonly connectionId: string,
    /** Receives TransactionUpdateLight (true) or full TransactionUpdate (false) for others' transactions. */
    readonly light: boolean,
    readonly send: (data: string | Buffer) => void,
  ) {}
}

export interface Sub {
  conn: Conn;
  select: Select;
}

export interface EngineCounts {
  committed: Record<ReducerName, number>;
  failed: Record<ReducerName, number>;
  /** Calls refused before running: unknown reducer or bad arguments (HTTP 404/400, WS Failed with request_id 0). */
  rejected: number;
  /** Updates sent to subscribers about transactions they did not request with flags 0. */
  subscriptionUpdatesSent: number;
}

const perReducer = (): Record<ReducerName, number> => Object.fromEntries(REDUCER_NAMES.map((name) => [name, 0])) as Record<ReducerName, number>;
const emptyCounts = (): EngineCounts => ({ committed: perReducer(), failed: perReducer(), rejected: 0, subscriptionUpdatesSent: 0 });

/** What a reducer call produced, for the HTTP response headers. */
export interface CallResult {
  ok: boolean;
  error: string;
  energy: number;
  micros: number;
}

/** The metadata of a transaction, shared by every TransactionUpdate about it. */
interface TxEvent {
  reducerName: string;
  reducerId: number;
  args: Row | null;
  caller: Caller;
  connectionId: string | null;
  requestId: number;
  timestampMicros: number;
  energy: number;
  micros: number;
}

const quote = JSON.stringify;
const ENERGY_BASE = [1_180_000, 2_310_000, 2_960_000];

/** Row as a JSON string of an array in column order (rows inside transaction updates, HTTP SQL). */
const arrayRow = (row: Row) => quote(quote(row));

const OBJECT_KEYS = TABLES.map((t) => t.columns.map((c, i) => `${(i === 0 ? '{' : ',') + quote(c.name)}:`));
/** Row as a JSON string of an object keyed by column (rows read from a table). */
function objectRow(table: TableDef, row: Row): string {
  const keys = OBJECT_KEYS[table.index];
  let text = '';
  for (let i = 0; i < keys.length; i++) text += keys[i] + quote(row[i]);
  return quote(`${text}}`);
}

const TABLE_HEAD = TABLES.map((t) => `{"table_id":${t.id},"table_name":${quote(t.name)},"num_rows":`);

function tableUpdate(table: TableDef, numRows: number, updates: string[]): string {
  return `${TABLE_HEAD[table.index]}${numRows},"updates":[${updates.join(',')}]}`;
}

const duration = (micros: number) => `{"__time_duration_micros__":${micros}}`;
const elapsedMicros = (t0: number) => Math.max(1, Math.round((performance.now() - t0) * 1000));

function txUpdate(status: string, ev: TxEvent): string {
  const connectionId = ev.connectionId ?? (ev.connectionId = randomConnectionId().decimal);
  return (
    `{"TransactionUpdate":{"status":${status},` +
    `"timestamp":{"__timestamp_micros_since_unix_epoch__":${ev.timestampMicros}},` +
    `"caller_identity":${ev.caller.json},"caller_connection_id":{"__connection_id__":${connectionId}},` +
    `"reducer_call":{"reducer_name":${quote(ev.reducerName)},"reducer_id":${ev.reducerId},` +
    `"args":${quote(ev.args ? quote(ev.args) : '[]')},"request_id":${ev.requestId}},` +
    `"energy_quanta_used":{"quanta":${ev.energy}},"total_host_execution_duration":${duration(ev.micros)}}}`
  );
}

const failedStatus = (message: string) => `{"Failed":${quote(message)}}`;
const committedStatus = (tables: string) => `{"Committed":{"tables":[${tables}]}}`;

/** Per-transaction memo of the QueryUpdate fragments of one table change. */
class ChangeText {
  private readonly deletes: (string | undefined)[];
  private readonly inserts: (string | undefined)[];
  private readonly fragments = new Map<string, string>();
  constructor(readonly change: TableChange) {
    this.deletes = new Array(change.deletes.length);
    this.inserts = new Array(change.inserts.length);
  }
  fragment(key: string, d: number[], i: number[]): string {
    let text = this.fragments.get(key);
    if (text === undefined) {
      const del = d.map((k) => (this.deletes[k] ??= arrayRow(this.change.deletes[k])));
      const ins = i.map((k) => (this.inserts[k] ??= arrayRow(this.change.inserts[k])));
      text = `{"deletes":[${del.join(',')}],"inserts":[${ins.join(',')}]}`;
      this.fragments.set(key, text);
    }
    return text;
  }
}

/** What one connection gets about one transaction: per table, one QueryUpdate per matching query. */
interface ConnUpdate {
  key: string;
  tables: { table: TableDef; updates: string[]; rows: number }[];
}

export class Engine {
  readonly store = new Store();
  private counters = emptyCounts();
  private readonly registry = TABLES.map(() => ({ all: new Set<Sub>(), byPk: new Map<string, Set<Sub>>() }));
  private subscriptions = 0;

  counts(): EngineCounts {
    return structuredClone(this.counters);
  }

  /** Clears the tables and counters; connections and their subscriptions stay. */
  reset(): void {
    this.store.clear();
    this.counters = emptyCounts();
  }

  countRejected(): void {
    this.counters.rejected += 1;
  }

  // ---- reducers ----

  /**
   * Runs a reducer with validated arguments. A WebSocket caller (`conn`) with flags 0 gets its full
   * TransactionUpdate (Committed with the rows matching its own subscriptions, or Failed); everyone
   * else whose subscriptions match the changed rows gets a TransactionUpdateLight (or a full update).
   */
  callReducer(def: ReducerDef, args: Row, caller: Caller, conn: Conn | null, requestId: number, flags: number): CallResult {
    const t0 = performance.now();
    const now = Date.now();
    const outcome = this.store.call(def, args, now);
    const micros = elapsedMicros(t0);
    const energy = ENERGY_BASE[def.id] + micros * 1_000;
    const name = def.name as ReducerName;
    const ev: TxEvent = {
      reducerName: def.name,
      reducerId: def.id,
      args,
      caller,
      connectionId: conn ? conn.connectionId : null,
      requestId,
      timestampMicros: now * 1000,
      energy,
      micros,
    };
    if (!outcome.ok) {
      this.counters.failed[name] += 1;
      if (conn && flags === 0) conn.send(txUpdate(failedStatus(outcome.error), ev));
      return { ok: false, error: outcome.error, energy, micros };
    }
    this.counters.committed[name] += 1;
    if (this.subscriptions > 0 || (conn && flags === 0)) this.broadcast(outcome.changes, ev, flags === 0 ? conn : null);
    return { ok: true, error: '', energy, micros };
  }

  /** A Failed TransactionUpdate that cannot be matched to a request (request_id 0), as for an unknown reducer. */
  sendExecutionError(conn: Conn, reducerName: string, reducerId: number, message: string): void {
    const ev: TxEvent = {
      reducerName: /^[A-Za-z_][A-Za-z0-9_]*$/.test(reducerName) ? reducerName : '',
      reducerId,
      args: null,
      caller: conn.caller,
      connectionId: conn.connectionId,
      requestId: 0,
      timestampMicros: Date.now() * 1000,
      energy: 0,
      micros: 0,
    };
    conn.send(txUpdate(failedStatus(message), ev));
  }

  /** A Failed TransactionUpdate for a call the fault injection failed. */
  sendInjectedFailure(def: ReducerDef, args: Row, conn: Conn, requestId: number, message: string): void {
    const ev: TxEvent = {
      reducerName: def.name,
      reducerId: def.id,
      args,
      caller: conn.caller,
      connectionId: conn.connectionId,
      requestId,
      timestampMicros: Date.now() * 1000,
      energy: ENERGY_BASE[def.id],
      micros: 1,
    };
    conn.send(txUpdate(failedStatus(message), ev));
  }

  private broadcast(changes: TableChange[], ev: TxEvent, fullCaller: Conn | null): void {
    const perConn = new Map<Conn, ConnUpdate>();
    for (const change of changes) {
      const reg = this.registry[change.table.index];
      if (reg.all.size === 0 && reg.byPk.size === 0) continue;
      const text = new ChangeText(change);
      for (const sub of reg.all) this.match(sub, text, perConn);
      if (reg.byPk.size > 0) {
        const pk = change.table.pk;
        const keys = new Set<string>();
        for (const row of change.deletes) keys.add(row[pk] as string);
        for (const row of change.inserts) keys.add(row[pk] as string);
        for (const key of keys) {
          const subs = reg.byPk.get(key);
          if (subs) for (const sub of subs) this.match(sub, text, perConn);
        }
      }
    }

    const tablesCache = new Map<string, string>();
    const tablesOf = (update: ConnUpdate | undefined): string => {
      if (!update) return '';
      let tables = tablesCache.get(update.key);
      if (tables === undefined) {
        tables = update.tables.map((t) => tableUpdate(t.table, t.rows, t.updates)).join(',');
        tablesCache.set(update.key, tables);
      }
      return tables;
    };

    if (fullCaller) {
      const own = perConn.get(fullCaller);
      perConn.delete(fullCaller);
      fullCaller.send(txUpdate(committedStatus(tablesOf(own)), ev));
    }
    if (perConn.size === 0) return;
    const lightCache = new Map<string, Buffer>();
    const fullCache = new Map<string, Buffer>();
    for (const [conn, update] of perConn) {
      const cache = conn.light ? lightCache : fullCache;
      let message = cache.get(update.key);
      if (message === undefined) {
        const tables = tablesOf(update);
        message = Buffer.from(
          conn.light ? `{"TransactionUpdateLight":{"request_id":${ev.requestId},"update":{"tables":[${tables}]}}}` : txUpdate(committedStatus(tables), ev),
        );
        cache.set(update.key, message);
      }
      conn.send(message);
      this.counters.subscriptionUpdatesSent += 1;
    }
  }

  private match(sub: Sub, text: ChangeText, perConn: Map<Conn, ConnUpdate>): void {
    const { deletes, inserts, table } = text.change;
    const test = sub.select.test;
    const d: number[] = [];
    const i: number[] = [];
    for (let k = 0; k < deletes.length; k++) if (!test || test(deletes[k])) d.push(k);
    for (let k = 0; k < inserts.length; k++) if (!test || test(inserts[k])) i.push(k);
    if (d.length === 0 && i.length === 0) return;
    const key = `${d.join('.')}/${i.join('.')}`;
    const fragment = text.fragment(key, d, i);
    let update = perConn.get(sub.conn);
    if (!update) {
      update = { key: '', tables: [] };
      perConn.set(sub.conn, update);
    }
    let entry = update.tables.find((t) => t.table === table);
    if (!entry) {
      entry = { table, updates: [], rows: 0 };
      update.tables.push(entry);
    }
    entry.updates.push(fragment);
    entry.rows += d.length + i.length;
    update.key += `${table.index}:${key};`;
  }

  // ---- subscriptions ----

  private add(sub: Sub): void {
    const reg = this.registry[sub.select.table.index];
    const pk = sub.select.pkEq;
    if (pk === null) {
      reg.all.add(sub);
    } else {
      let set = reg.byPk.get(pk);
      if (!set) reg.byPk.set(pk, (set = new Set()));
      set.add(sub);
    }
    this.subscriptions += 1;
  }

  private remove(sub: Sub): void {
    const reg = this.registry[sub.select.table.index];
    const pk = sub.select.pkEq;
    let removed = false;
    if (pk === null) {
      removed = reg.all.delete(sub);
    } else {
      const set = reg.byPk.get(pk);
      if (set) {
        removed = set.delete(sub);
        if (set.size === 0) reg.byPk.delete(pk);
      }
    }
    if (removed) this.subscriptions -= 1;
  }

  /** Forgets every subscription of a closed connection. */
  dropConn(conn: Conn): void {
    for (const sub of conn.legacy) this.remove(sub);
    for (const sub of conn.singles.values()) this.remove(sub);
    for (const subs of conn.multis.values()) for (const sub of subs) this.remove(sub);
    conn.legacy = [];
    conn.singles.clear();
    conn.multis.clear();
  }

  /** Rows of a set of queries as TableUpdates (object rows), leaving out queries with no rows. */
  private initialTables(selects: Select[], asDeletes: boolean): string {
    const byTable = new Map<TableDef, { updates: string[]; rows: number }>();
    for (const select of selects) {
      const rows = matchingRows(this.store, select);
      if (rows.length === 0) continue;
      const list = rows.map((row) => objectRow(select.table, row)).join(',');
      let entry = byTable.get(select.table);
      if (!entry) byTable.set(select.table, (entry = { updates: [], rows: 0 }));
      entry.updates.push(asDeletes ? `{"deletes":[${list}],"inserts":[]}` : `{"deletes":[],"inserts":[${list}]}`);
      entry.rows += rows.length;
    }
    return [...byTable].map(([table, entry]) => tableUpdate(table, entry.rows, entry.updates)).join(',');
  }

  private subscribeRows(select: Select, asDeletes: boolean): string {
    const list = matchingRows(this.store, select)
      .map((row) => objectRow(select.table, row))
      .join(',');
    const rows = asDeletes ? `{"deletes":[${list}],"inserts":[]}` : `{"deletes":[],"inserts":[${list}]}`;
    return `{"table_id":${select.table.id},"table_name":${quote(select.table.name)},"table_rows":${rows}}`;
  }

  private subscriptionError(conn: Conn, t0: number, requestId: number, queryId: number, error: string): void {
    conn.send(
      `{"SubscriptionError":{"total_host_execution_duration_micros":${elapsedMicros(t0)},` +
        `"request_id":{"some":${requestId}},"query_id":{"some":${queryId}},"table_id":{"none":[]},"error":${quote(error)}}}`,
    );
  }

  /** Legacy `Subscribe`: replaces the connection's legacy query set; answers InitialSubscription. */
  subscribe(conn: Conn, queries: string[], requestId: number): void {
    const t0 = performance.now();
    let selects: Select[];
    try {
      const seen = new Set<string>();
      selects = [];
      for (const query of queries) {
        if (seen.has(query)) continue;
        seen.add(query);
        selects.push(parseSubscription(query));
      }
    } catch (error) {
      this.sendExecutionError(conn, '', UNKNOWN_REDUCER_ID, (error as Error).message);
      return;
    }
    for (const sub of conn.legacy) this.remove(sub);
    conn.legacy = selects.map((select) => ({ conn, select }));
    for (const sub of conn.legacy) this.add(sub);
    const tables = this.initialTables(selects, false);
    conn.send(
      `{"InitialSubscription":{"database_update":{"tables":[${tables}]},"request_id":${requestId},` +
        `"total_host_execution_duration":${duration(elapsedMicros(t0))}}}`,
    );
  }

  subscribeSingle(conn: Conn, query: string, requestId: number, queryId: number): void {
    const t0 = performance.now();
    if (conn.singles.has(queryId) || conn.multis.has(queryId)) {
      return this.subscriptionError(conn, t0, requestId, queryId, `Subscription with id ${queryId} already exists`);
    }
    let select: Select;
    try {
      select = parseSubscription(query);
    } catch (error) {
      return this.subscriptionError(conn, t0, requestId, queryId, (error as Error).message);
    }
    const sub = { conn, select };
    conn.singles.set(queryId, sub);
    this.add(sub);
    const rows = this.subscribeRows(select, false);
    conn.send(
      `{"SubscribeApplied":{"request_id":${requestId},"total_host_execution_duration_micros":${elapsedMicros(t0)},` +
        `"query_id":{"id":${queryId}},"rows":${rows}}}`,
    );
  }

  unsubscribe(conn: Conn, requestId: number, queryId: number): void {
    const t0 = performance.now();
    const sub = conn.singles.get(queryId);
    if (!sub) return this.subscriptionError(conn, t0, requestId, queryId, `No subscription found with id ${queryId}`);
    conn.singles.delete(queryId);
    this.remove(sub);
    const rows = this.subscribeRows(sub.select, true);
    conn.send(
      `{"UnsubscribeApplied":{"request_id":${requestId},"total_host_execution_duration_micros":${elapsedMicros(t0)},` +
        `"query_id":{"id":${queryId}},"rows":${rows}}}`,
    );
  }

  subscribeMulti(conn: Conn, queries: string[], requestId: number, queryId: number): void {
    const t0 = performance.now();
    if (conn.singles.has(queryId) || conn.multis.has(queryId)) {
      return this.subscriptionError(conn, t0, requestId, queryId, `Subscription with id ${queryId} already exists`);
    }
    let selects: Select[];
    try {
      selects = [...new Set(queries)].map((query) => parseSubscription(query));
    } catch (error) {
      return this.subscriptionError(conn, t0, requestId, queryId, (error as Error).message);
    }
    const subs = selects.map((select) => ({ conn, select }));
    conn.multis.set(queryId, subs);
    for (const sub of subs) this.add(sub);
    const tables = this.initialTables(selects, false);
    conn.send(
      `{"SubscribeMultiApplied":{"request_id":${requestId},"total_host_execution_duration_micros":${elapsedMicros(t0)},` +
        `"query_id":{"id":${queryId}},"update":{"tables":[${tables}]}}}`,
    );
  }

  unsubscribeMulti(conn: Conn, requestId: number, queryId: number): void {
    const t0 = performance.now();
    const subs = conn.multis.get(queryId);
    if (!subs) return this.subscriptionError(conn, t0, requestId, queryId, `No subscription found with id ${queryId}`);
    conn.multis.delete(queryId);
    for (const sub of subs) this.remove(sub);
    const tables = this.initialTables(
      subs.map((s) => s.select),
      true,
    );
    conn.send(
      `{"UnsubscribeMultiApplied":{"request_id":${requestId},"total_host_execution_duration_micros":${elapsedMicros(t0)},` +
        `"query_id":{"id":${queryId}},"update":{"tables":[${tables}]}}}`,
    );
  }

  /** `OneOffQuery`: message_id is the hex text of the client's bytes and is echoed back as such. */
  oneOffQuery(conn: Conn, messageIdHex: string, query: string): void {
    const t0 = performance.now();
    let error = '{"none":[]}';
    let tables = '';
    try {
      const select = parseSubscription(query);
      const rows = matchingRows(this.store, select).map((row) => objectRow(select.table, row));
      tables = `{"table_name":${quote(select.table.name)},"rows":[${rows.join(',')}]}`;
    } catch (e) {
      error = `{"some":${quote((e as Error).message)}}`;
    }
    conn.send(
      `{"OneOffQueryResponse":{"message_id":${quote(messageIdHex)},"error":${error},"tables":[${tables}],` +
        `"total_host_execution_duration":${duration(elapsedMicros(t0))}}}`,
    );
  }

  /** `CallProcedure`: the benchmark module defines no procedures. */
  callProcedure(conn: Conn, requestId: number): void {
    conn.send(
      `{"ProcedureResult":{"status":{"InternalError":"No such procedure"},` +
        `"timestamp":{"__timestamp_micros_since_unix_epoch__":${Date.now() * 1000}},` +
        `"total_host_execution_duration":${duration(0)},"request_id":${requestId}}}`,
    );
  }

  // ---- HTTP SQL ----

  /** POST /v1/database/:name/sql: the JSON body of a 200 and its duration, or throws SqlError (a 400). */
  sql(text: string): { json: string; micros: number } {
    const t0 = performance.now();
    const select = parseSql(text);
    const rows = matchingRows(this.store, select);
    let schema: unknown;
    let out: unknown[][];
    if (select.count) {
      schema = { elements: [{ name: { some: select.count.alias }, algebraic_type: { U64: [] } }] };
      out = [[rows.length]];
    } else if (select.columns) {
      const cols = select.columns;
      schema = productTypeOf(cols.map((c) => select.table.columns[c]));
      out = rows.map((row) => cols.map((c) => row[c]));
    } else {
      schema = productTypeOf(select.table.columns);
      out = rows;
    }
    const micros = elapsedMicros(t0);
    const json = JSON.stringify([{ schema, rows: out, total_duration_micros: micros, stats: { rows_inserted: 0, rows_deleted: 0, rows_updated: 0 } }]);
    return { json, micros };
  }
}

export { SqlError };
