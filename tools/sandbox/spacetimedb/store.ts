// In-memory tables (one Map per table, keyed by primary key) and the three reducers of the benchmark
// module. A reducer either commits and returns the row changes it made, or fails with a message and
// leaves the tables untouched, like a rolled-back transaction.
import { TABLES, type ReducerDef, type Row, type TableDef } from './module.ts';

export interface TableChange {
  table: TableDef;
  deletes: Row[];
  inserts: Row[];
}

export type ReducerOutcome = { ok: true; changes: TableChange[] } | { ok: false; error: string };

const I64_MAX = 2 ** 63 - 1;
const I64_MIN = -(2 ** 63);

/** `updated_at` text of a counter: ISO-8601 of the reducer's timestamp, cached per millisecond. */
let isoMs = -1;
let isoText = '';
function iso(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

export class Store {
  readonly tables: Map<string, Row>[] = TABLES.map(() => new Map<string, Row>());

  clear(): void {
    for (const t of this.tables) t.clear();
  }

  rows(table: TableDef): Map<string, Row> {
    return this.tables[table.index];
  }

  /** Runs a reducer on already validated arguments (in parameter order). */
  call(def: ReducerDef, args: Row, nowMs: number): ReducerOutcome {
    switch (def.name) {
      case 'increment':
        return this.increment(args[0] as string, args[1] as number, nowMs);
      case 'create_message':
        return this.insertUnique(TABLES[1], args);
      case 'create_user':
        return this.insertUnique(TABLES[2], args);
      default:
        return { ok: false, error: 'no such reducer' };
    }
  }

  private increment(id: string, amount: number, nowMs: number): ReducerOutcome {
    const counters = this.tables[0];
    const old = counters.get(id);
    const value = (old ? (old[1] as number) : 0) + amount;
    if (value > I64_MAX || value < I64_MIN) {
      return { ok: false, error: 'The reducer panicked: attempt to add with overflow' };
    }
    const row: Row = [id, value, iso(nowMs)];
    counters.set(id, row);
    return { ok: true, changes: [{ table: TABLES[0], deletes: old ? [old] : [], inserts: [row] }] };
  }

  private insertUnique(table: TableDef, args: Row): ReducerOutcome {
    const rows = this.tables[table.index];
    const key = args[table.pk] as string;
    if (rows.has(key)) {
      const col = table.columns[table.pk].name;
      return {
        ok: false,
        error: `Unique constraint violation '${table.name}_${col}_key' in table '${table.name}': column(s): '["${col}"]' value: ${JSON.stringify(key)}`,
      };
    }
    const row = args.slice();
    rows.set(key, row);
    return { ok: true, changes: [{ table, deletes: [], inserts: [row] }] };
  }
}
