// The benchmark module (seed 000) as the sandbox serves it: three public tables keyed by a String
// primary key and three reducers. Everything a request needs about the module (column order, types,
// the RawModuleDefV9 SATS-JSON, argument validation) is computed once here.

/** The SATS scalar types the benchmark module uses. */
export type ScalarType = 'String' | 'I64' | 'I32' | 'Bool';
export type Value = string | number | boolean;
/** A row is an array of values in column order. */
export type Row = Value[];

export interface Column {
  name: string;
  type: ScalarType;
}

export interface TableDef {
  /** Position in the module (and in `tables[]`). */
  index: number;
  /** User tables get ids after the reserved system range, as on a real host. */
  id: number;
  name: string;
  /** Type name used in the typespace (`Counter`, ...). */
  typeName: string;
  columns: Column[];
  /** Column position of the primary key (always 0 here). */
  pk: number;
  columnIndex: Map<string, number>;
}

export interface ReducerDef {
  id: number;
  name: string;
  params: Column[];
  paramIndex: Map<string, number>;
}

function table(index: number, name: string, typeName: string, columns: Column[]): TableDef {
  return {
    index,
    id: 4096 + index,
    name,
    typeName,
    columns,
    pk: 0,
    columnIndex: new Map(columns.map((c, i) => [c.name, i])),
  };
}

function reducer(id: number, name: string, params: Column[]): ReducerDef {
  return { id, name, params, paramIndex: new Map(params.map((p, i) => [p.name, i])) };
}

const s = (name: string): Column => ({ name, type: 'String' });

/** create_user takes exactly the users row, in column order (seed 000). */
const USER_COLUMNS = [s('id'), s('username'), s('email'), s('name'), { name: 'age', type: 'I32' }, s('created_at'), { name: 'active', type: 'Bool' }] as const;

export const TABLES: readonly TableDef[] = [
  table(0, 'counters', 'Counter', [s('id'), { name: 'value', type: 'I64' }, s('updated_at')]),
  table(1, 'messages', 'Message', [s('id'), s('sender'), s('content'), s('timestamp')]),
  table(2, 'users', 'User', [...USER_COLUMNS]),
];

export const REDUCERS: readonly ReducerDef[] = [
  reducer(0, 'increment', [s('counter_id'), { name: 'amount', type: 'I64' }]),
  reducer(1, 'create_message', [s('message_id'), s('sender'), s('content'), s('timestamp')]),
  reducer(2, 'create_user', [...USER_COLUMNS]),
];

export type ReducerName = 'increment' | 'create_message' | 'create_user';
export const REDUCER_NAMES: readonly ReducerName[] = ['increment', 'create_message', 'create_user'];

export const TABLE_BY_NAME = new Map(TABLES.map((t) => [t.name, t]));
export const REDUCER_BY_NAME = new Map(REDUCERS.map((r) => [r.name, r]));

/** The id a real host reports for a reducer it does not know (`u32::MAX`). */
export const UNKNOWN_REDUCER_ID = 4294967295;

const I64_LIMIT = 2 ** 63;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** Checks one value against a SATS scalar type; returns an error text or null. */
export function checkValue(type: ScalarType, value: unknown): string | null {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? null : `invalid type: ${describe(value)}, expected a string`;
    case 'Bool':
      return typeof value === 'boolean' ? null : `invalid type: ${describe(value)}, expected a boolean`;
    case 'I64':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `invalid type: ${describe(value)}, expected i64`;
      return value >= -I64_LIMIT && value < I64_LIMIT ? null : `invalid value: integer \`${value}\`, expected i64`;
    case 'I32':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `invalid type: ${describe(value)}, expected i32`;
      return value >= I32_MIN && value <= I32_MAX ? null : `invalid value: integer \`${value}\`, expected i32`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  return 'map';
}

/**
 * Parses reducer arguments from their JSON text: an array in parameter order or an object keyed by
 * parameter name (what the host's SATS-JSON deserializer accepts for a product). Returns the values in
 * parameter order, or the error text of `invalid arguments for reducer <name>: ...`.
 */
export function parseArgs(def: ReducerDef, text: string): Row | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return argsError(def, (error as Error).message);
  }
  const params = def.params;
  let values: unknown[];
  if (Array.isArray(parsed)) {
    if (parsed.length !== params.length) {
      return argsError(def, `invalid length ${parsed.length}, expected ${params.length} elements`);
    }
    values = parsed;
  } else if (typeof parsed === 'object' && parsed !== null) {
    const record = parsed as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!def.paramIndex.has(key)) return argsError(def, `unknown field \`${key}\``);
    }
    values = new Array(params.length);
    for (let i = 0; i < params.length; i++) {
      const name = params[i].name;
      if (!(name in record)) return argsError(def, `missing field \`${name}\``);
      values[i] = record[name];
    }
  } else {
    return argsError(def, `invalid type: ${describe(parsed)}, expected a product of ${params.length} elements`);
  }
  for (let i = 0; i < params.length; i++) {
    const problem = checkValue(params[i].type, values[i]);
    if (problem) return argsError(def, `${params[i].name}: ${problem}`);
  }
  return values as Row;
}

const argsError = (def: ReducerDef, detail: string) => `invalid arguments for reducer ${def.name}: ${detail}`;

// ---- SATS-JSON of the module (GET /v1/database/:name/schema?version=9) ----

const some = <T>(value: T) => ({ some: value });
const NONE = { none: [] };
const satsType = (type: ScalarType) => ({ [type]: [] });
const product = (columns: Column[]) => ({
  elements: columns.map((c) => ({ name: some(c.name), algebraic_type: satsType(c.type) })),
});

/** RawModuleDefV9 as SATS-JSON (crates/lib/src/db/raw_def/v9.rs). */
export const MODULE_DEF_V9 = {
  typespace: { types: TABLES.map((t) => ({ Product: product(t.columns) })) },
  tables: TABLES.map((t) => ({
    name: t.name,
    product_type_ref: t.index,
    primary_key: [t.pk],
    indexes: [
      {
        name: some(`${t.name}_${t.columns[t.pk].name}_idx_btree`),
        accessor_name: some(t.columns[t.pk].name),
        algorithm: { BTree: [t.pk] },
      },
    ],
    constraints: [{ name: some(`${t.name}_${t.columns[t.pk].name}_key`), data: { Unique: { columns: [t.pk] } } }],
    sequences: [],
    schedule: NONE,
    table_type: { User: [] },
    table_access: { Public: [] },
  })),
  reducers: REDUCERS.map((r) => ({ name: r.name, params: product(r.params), lifecycle: NONE })),
  types: TABLES.map((t) => ({ name: { scope: [], name: t.typeName }, ty: t.index, custom_ordering: true })),
  misc_exports: [],
  row_level_security: [],
};

export const MODULE_DEF_V9_JSON = JSON.stringify(MODULE_DEF_V9);

/**
 * RawModuleDefV10 (crates/lib/src/db/raw_def/v10.rs): the same module as sections. Tables and reducers
 * follow the source; index/constraint/type entries reuse the V9 shapes (their V10 structs were not checked).
 */
export const MODULE_DEF_V10_JSON = JSON.stringify({
  sections: [
    { Typespace: MODULE_DEF_V9.typespace },
    { Types: MODULE_DEF_V9.types },
    {
      Tables: MODULE_DEF_V9.tables.map((t) => ({
        source_name: t.name,
        product_type_ref: t.product_type_ref,
        primary_key: t.primary_key,
        indexes: t.indexes,
        constraints: t.constraints,
        sequences: [],
        table_type: t.table_type,
        table_access: t.table_access,
        default_values: [],
        is_event: false,
      })),
    },
    {
      Reducers: REDUCERS.map((r) => ({
        source_name: r.name,
        params: product(r.params),
        visibility: { ClientCallable: [] },
        ok_return_type: { Product: { elements: [] } },
        err_return_type: { String: [] },
      })),
    },
  ],
});

/** SATS-JSON `ProductType` of a list of columns (the `schema` of an HTTP SQL result). */
export function productTypeOf(columns: Column[]): unknown {
  return product(columns);
}
