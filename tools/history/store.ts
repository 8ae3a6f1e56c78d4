// Where run history goes: an embedded JSON-lines file (default, no server needed) or PostgreSQL
// (seed 001's benchmark_results table) when HISTORY_DATABASE_URL is set.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { HistoryRecord } from './record.ts';

export interface HistoryStore {
  readonly where: string;
  /** Fails with a message naming the problem and the fix when the store cannot be written (checked before any load). */
  check(): Promise<void>;
  append(record: HistoryRecord): Promise<void>;
  /** The last `limit` runs (oldest first), optionally of one script. */
  last(limit: number, testType?: string): Promise<HistoryRecord[]>;
  close(): Promise<void>;
}

export class JsonLinesHistory implements HistoryStore {
  constructor(readonly where: string) {}

  async check(): Promise<void> {
    await this.last(1); // a malformed line is named now, not after the run
  }

  async append(record: HistoryRecord): Promise<void> {
    appendFileSync(this.where, `${JSON.stringify(record)}\n`); // one write per line: no torn records
  }

  async last(limit: number, testType?: string): Promise<HistoryRecord[]> {
    if (!existsSync(this.where)) return [];
    const rows: HistoryRecord[] = [];
    readFileSync(this.where, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        try {
          rows.push(JSON.parse(line) as HistoryRecord);
        } catch {
          throw new Error(`history ${this.where} line ${i + 1} is not valid JSON: fix or remove that line`);
        }
      });
    return rows.filter((r) => !testType || r.test_type === testType).slice(-limit);
  }

  async close(): Promise<void> {}
}

const COLUMNS = [
  'test_date',
  'test_type',
  'database_type',
  'run_name',
  'test_id',
  'profile',
  'throughput_ops_per_sec',
  'latency_p95_ms',
  'latency_p99_ms',
  'error_rate',
  'memory_usage_mb',
  'cpu_usage_percent',
  'passed',
  'verdict',
  'accepted',
  'comparable',
  'attempt',
  'result_file',
] as const;

/**
 * Seed 001's table, with DOUBLE PRECISION where the seed had INTEGER (a sub-millisecond p(95) would
 * round to 0), cpu_usage_percent widened to DECIMAL(7,2) (a target using more than 10 cores passes 999.99 %) and the columns that identify and judge a run added (also to a table made before them).
 */
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS benchmark_results (
  id SERIAL PRIMARY KEY,
  test_date TIMESTAMPTZ DEFAULT NOW(),
  test_type VARCHAR(50),
  database_type VARCHAR(200),
  run_name VARCHAR(200),
  test_id VARCHAR(200),
  profile VARCHAR(50),
  throughput_ops_per_sec DOUBLE PRECISION,
  latency_p95_ms DOUBLE PRECISION,
  latency_p99_ms DOUBLE PRECISION,
  error_rate DOUBLE PRECISION,
  memory_usage_mb INTEGER,
  cpu_usage_percent DECIMAL(5,2),
  passed BOOLEAN,
  verdict VARCHAR(20),
  accepted BOOLEAN,
  comparable TEXT,
  attempt INTEGER,
  result_file TEXT
);
ALTER TABLE benchmark_results ADD COLUMN IF NOT EXISTS verdict VARCHAR(20);
ALTER TABLE benchmark_results ADD COLUMN IF NOT EXISTS accepted BOOLEAN;
ALTER TABLE benchmark_results ADD COLUMN IF NOT EXISTS comparable TEXT;
ALTER TABLE benchmark_results ADD COLUMN IF NOT EXISTS attempt INTEGER;
ALTER TABLE benchmark_results ALTER COLUMN cpu_usage_percent TYPE DECIMAL(7,2)`;

export class PostgresHistory implements HistoryStore {
  private ready: Promise<void> | undefined;
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    this.where = `PostgreSQL ${describeDatabase(url)} (table benchmark_results)`;
  }
  readonly where: string;

  async check(): Promise<void> {
    try {
      await this.ensureTable();
    } catch (error) {
      throw new Error(`HISTORY_DATABASE_URL: cannot use ${this.where}: ${(error as Error).message}; check the server, the database and the credentials`);
    }
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.pool.query(CREATE_TABLE).then(() => undefined);
    return this.ready;
  }

  async append(record: HistoryRecord): Promise<void> {
    await this.ensureTable();
    const values = COLUMNS.map((c) => record[c]);
    await this.pool.query(`INSERT INTO benchmark_results (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  }

  async last(limit: number, testType?: string): Promise<HistoryRecord[]> {
    await this.ensureTable();
    const where = testType ? 'WHERE test_type = $2' : '';
    const { rows } = await this.pool.query(
      `SELECT * FROM (SELECT ${COLUMNS.join(', ')}, id FROM benchmark_results ${where} ORDER BY id DESC LIMIT $1) AS recent ORDER BY id ASC`,
      testType ? [limit, testType] : [limit],
    );
    return rows.map((row) => {
      const { id: _id, ...rest } = row as Record<string, unknown>;
      return { ...rest, test_date: new Date(rest.test_date as string).toISOString() } as unknown as HistoryRecord;
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Host, port and database of a PostgreSQL URL: never its user, password or query parameters. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname || '/'}`;
  } catch {
    return '(HISTORY_DATABASE_URL, not shown)';
  }
}

/**
 * The history store: PostgreSQL when HISTORY_DATABASE_URL is set, else results/history.jsonl. Throws,
 * naming the variable and the fix, when the URL cannot be parsed (the password is never shown).
 */
export function openHistory(resultsDir: string, databaseUrl = process.env.HISTORY_DATABASE_URL): HistoryStore {
  if (!databaseUrl) return new JsonLinesHistory(join(resultsDir, 'history.jsonl'));
  try {
    const url = new URL(databaseUrl);
    if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error(`the scheme is ${url.protocol} (expected postgres:)`);
  } catch (error) {
    const why = error instanceof TypeError ? 'it is not a valid URL' : (error as Error).message;
    throw new Error(
      `HISTORY_DATABASE_URL is not usable: ${why}. Write it as postgres://user:password@host:5432/database and percent-encode special characters in the user and password (# → %23, @ → %40, / → %2F, : → %3A)`,
    );
  }
  return new PostgresHistory(databaseUrl);
}
