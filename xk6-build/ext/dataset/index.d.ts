// Types of the k6 extension module 'k6/x/dataset' (xk6-build/ext/dataset). Deterministic rows from a
// schema of tables, types and generators (seed 002's loadtest schema format). Run scripts that import
// it with K6_AUTO_EXTENSION_RESOLUTION=false.
declare module 'k6/x/dataset' {
  /** A column of a table, as the schema declares it. */
  export interface DatasetColumn {
    /** 'id' for the table's id, else the field's name. */
    name: string;
    /** The declared type's name: `int`, or `var_char` of `{type: var_char, length: 255}` (informative: values are not converted). */
    type: string;
    /** The generator's type: uuid_v4, sequential, pattern, int_range, ... */
    generator: string;
  }

  /**
   * A value of a row, by generator: uuid_v4, pattern, timestamp_range, timestamp_now → string (timestamps
   * RFC 3339 UTC, seconds); sequential, int_range, duration_range (seconds) → integer number (exact up
   * to 2^53); float_range, decimal_range → number; weighted_bool → boolean; null → null; one_of,
   * static → the YAML value as written; sample_array → an array of pool values.
   */
  export type DatasetValue = string | number | boolean | null | DatasetValue[] | { [key: string]: DatasetValue };

  /** A schema opened with a seed: every row of every table, computed on demand. */
  export interface Dataset {
    /**
     * Row `index` (integer from 0 to 2^53 - 1) of `table`: `{ id, <field>... }` in schema order. Each
     * value depends only on (seed, table, column, index), whatever the VU, the order of calls or the
     * number of VUs or instances: the same row has the same bytes in every run. `sequential` gives
     * start + index; pattern's {index} is index. One native call, one new object. Throws for an
     * unknown table (naming the tables) or a bad index.
     */
    row(table: string, index: number): Record<string, DatasetValue>;
    /** The table names, in schema order. */
    tables(): string[];
    /** The columns of `table` (the id first). Throws for an unknown table. */
    columns(table: string): DatasetColumn[];
    /** The seed it was opened with. */
    readonly seed: number;
  }

  /**
   * Parses and validates `schemaText` (YAML: `version: 1`, `tables: [{name, id: {type, generator},
   * fields: [{name, type, generator}]}]`; read it with k6's open() in the init stage) and returns its
   * dataset for `seed` (an integer, |seed| <= 2^53 - 1; per instance: base seed + instance index).
   * Throws one message naming the table, the field, the generator and what is allowed (unknown
   * generator, min > max, empty one_of, true_weight outside 0..1, missing id, unknown parameter, ...).
   */
  export function open(schemaText: string, seed: number): Dataset;
}
