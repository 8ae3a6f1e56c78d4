// PostgreSQL storage of the timers sandbox (databaseUrl / DATABASE_URL): the in-memory store stays the
// scheduler's index, and every change is written through to one table, so a restarted sandbox picks up
// its timers (pending ones are scheduled again: at-least-once). API writes are awaited before the
// answer (a failed write is 500 INTERNAL_ERROR); the scheduler's state changes are written in the
// background. Writes of one timer are chained, so they land in order.
//   sandbox_timers(namespace, id, execute_at, callback_url, payload jsonb, retry_policy jsonb,
//                  callback_timeout_seconds, created_at, updated_at, executed_at, state), key (namespace, id)
import pg from 'pg';
import type { Persistence } from './routes.ts';
import type { TimerRecord, TimerState } from './store.ts';
import type { RetryPolicy } from './wire.ts';

export interface PostgresStore extends Persistence {
  loadAll(): Promise<TimerRecord[]>;
  /** save() in the background (errors are logged). */
  saveLater(record: TimerRecord): void;
  /** Deletes every timer in the background (the sandbox's reset). */
  clearLater(): void;
  close(): Promise<void>;
}

const TABLE = 'sandbox_timers';

const SCHEMA = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  namespace text NOT NULL,
  id text NOT NULL,
  execute_at timestamptz NOT NULL,
  callback_url text NOT NULL,
  payload jsonb,
  retry_policy jsonb NOT NULL,
  callback_timeout_seconds integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  executed_at timestamptz,
  state text NOT NULL,
  PRIMARY KEY (namespace, id)
)`;

const UPSERT = `INSERT INTO ${TABLE} (namespace, id, execute_at, callback_url, payload, retry_policy, callback_timeout_seconds, created_at, updated_at, executed_at, state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (namespace, id) DO UPDATE SET execute_at = EXCLUDED.execute_at, callback_url = EXCLUDED.callback_url, payload = EXCLUDED.payload,
  retry_policy = EXCLUDED.retry_policy, callback_timeout_seconds = EXCLUDED.callback_timeout_seconds, created_at = EXCLUDED.created_at,
  updated_at = EXCLUDED.updated_at, executed_at = EXCLUDED.executed_at, state = EXCLUDED.state`;

interface Row {
  namespace: string;
  id: string;
  execute_at: Date;
  callback_url: string;
  payload: Record<string, unknown> | null;
  retry_policy: RetryPolicy;
  callback_timeout_seconds: number;
  created_at: Date;
  updated_at: Date;
  executed_at: Date | null;
  state: TimerState;
}

export async function openPostgres(connectionString: string): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString, max: 8 });
  pool.on('error', (error) => console.error('timers sandbox: PostgreSQL:', error.message));
  try {
    await pool.query(SCHEMA);
  } catch (error) {
    await pool.end();
    throw new Error(`timers sandbox: PostgreSQL at ${redact(connectionString)} is not usable: ${(error as Error).message}`);
  }
  /** The last write of each timer, so the next one waits for it. */
  const chains = new Map<string, Promise<void>>();
  const chain = (key: string, write: () => Promise<unknown>): Promise<void> => {
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => void (await write()));
    chains.set(key, next);
    const forget = () => {
      if (chains.get(key) === next) chains.delete(key);
    };
    next.then(forget, forget);
    return next;
  };
  const keyOf = (namespace: string, id: string) => `${namespace}\u0000${id}`;
  const save = (r: TimerRecord) => {
    const values = [
      r.namespace,
      r.id,
      new Date(r.executeAt),
      r.callbackUrl,
      r.payload === null ? null : JSON.stringify(r.payload),
      JSON.stringify(r.retryPolicy),
      r.callbackTimeoutSeconds,
      new Date(r.createdAt),
      new Date(r.updatedAt),
      r.executedAt === null ? null : new Date(r.executedAt),
      r.state,
    ];
    return chain(keyOf(r.namespace, r.id), () => pool.query(UPSERT, values));
  };
  const logged = (what: string) => (error: Error) => console.error(`timers sandbox: PostgreSQL ${what} failed: ${error.message}`);
  return {
    save,
    remove: (namespace, id) => chain(keyOf(namespace, id), () => pool.query(`DELETE FROM ${TABLE} WHERE namespace = $1 AND id = $2`, [namespace, id])),
    saveLater: (record) => void save(record).catch(logged('write')),
    clearLater: () => void pool.query(`TRUNCATE ${TABLE}`).catch(logged('reset')),
    loadAll: async () => {
      const { rows } = await pool.query<Row>(`SELECT * FROM ${TABLE}`);
      return rows.map((row) => ({
        namespace: row.namespace,
        id: row.id,
        executeAt: row.execute_at.getTime(),
        callbackUrl: row.callback_url,
        payload: row.payload,
        retryPolicy: row.retry_policy,
        callbackTimeoutSeconds: row.callback_timeout_seconds,
        createdAt: row.created_at.getTime(),
        updatedAt: row.updated_at.getTime(),
        executedAt: row.executed_at === null ? null : row.executed_at.getTime(),
        state: row.state,
        seq: 0,
      }));
    },
    close: async () => {
      await Promise.allSettled(chains.values());
      await pool.end();
    },
  };
}

/** A connection string without its password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(the connection string)';
  }
}
