// Deterministic, schema-driven data (seed 002): DATA_SCHEMA names a schema of tables, types and
// generators (surreal-sync's loadtest format, README.md, "Deterministic data"), k6/x/dataset computes any row of it
// from (seed, table, column, row index), and the seed of an instance is DATA_SEED + INSTANCE_INDEX.
// The variables are declared as rules of the settings stage (withData adds them to a script's own),
// so a bad value, a missing file or a bad schema is one more line of the init-stage error (exit 107).
import { open as openDataset, type Dataset, type DatasetValue } from 'k6/x/dataset';
import exec from 'k6/execution';
import { segmentIndex } from '../shared/segments';
import { int, str, type Rules, type Values } from './config';
import { absolutePath } from './files';
import type { SettingsSpec } from './settings';

/** The largest seed: DATA_SEED + INSTANCE_INDEX stays an exact JS integer (the extension accepts up to 2^53 - 1). */
const MAX_SEED = 2 ** 52;
/** The largest INSTANCE_INDEX (a distributed run's instance, 0-based). */
const MAX_INSTANCE = 1_000_000;

/**
 * DATA_SCHEMA (a path, relative to the working directory; unset: no schema data), DATA_SEED (the base
 * seed, default 42), INSTANCE_INDEX (this instance of a distributed run, 0-based; the runners set it)
 * and DATA_TABLE (the table a scenario takes its rows from; `defaultTable` when unset).
 */
export function dataRules(defaultTable: string) {
  return {
    DATA_SCHEMA: str('', { allowed: 'a path to a schema YAML file (version: 1, tables: [...], see README.md, "Deterministic data")' }),
    DATA_SEED: int(42, { min: 0, max: MAX_SEED }),
    INSTANCE_INDEX: int(0, { min: 0, max: MAX_INSTANCE }),
    DATA_TABLE: str(defaultTable, { pattern: /^\S+$/, allowed: 'a table name of DATA_SCHEMA' }),
  };
}

export type DataRules = ReturnType<typeof dataRules>;
export type DataValues = Values<DataRules>;

/** A scenario's schema data: the dataset, its table, and the seed it was opened with. */
export interface ScenarioData {
  dataset: Dataset;
  table: string;
  /** DATA_SEED + INSTANCE_INDEX (without INSTANCE_INDEX, the rows of a segmented run come from DATA_SEED + the segment's position). */
  seed: number;
  /** DATA_SCHEMA as given. */
  schema: string;
  /** Row `index` of the table (see Dataset.row: depends only on the seed, the table and the index). */
  row(index: number): Record<string, DatasetValue>;
}

/** The seed of this instance: DATA_SEED + INSTANCE_INDEX (seed 002's base_seed + i). */
export const instanceSeed = (values: Pick<DataValues, 'DATA_SEED' | 'INSTANCE_INDEX'>) => values.DATA_SEED + values.INSTANCE_INDEX;

/**
 * Opens DATA_SCHEMA (init stage only: k6's open()) with this instance's seed. Returns no data when
 * DATA_SCHEMA is unset, and one problem line (naming the variable, the file and what is wrong) when
 * the file cannot be read, the schema is invalid or DATA_TABLE is not one of its tables.
 */
export function openData(values: DataValues, cwd: string | undefined): { data?: ScenarioData; problems: string[] } {
  const path = values.DATA_SCHEMA;
  if (!path) return { problems: [] };
  let text: string;
  try {
    text = open(absolutePath(path, cwd));
  } catch (error) {
    const missing = /no such file or directory/i.test(String(error));
    return {
      problems: [
        `DATA_SCHEMA='${path}' ${missing ? 'does not exist' : `cannot be read (${String(error)})`}: name a schema YAML file (see README.md, "Deterministic data")`,
      ],
    };
  }
  const seed = instanceSeed(values);
  let dataset: Dataset;
  try {
    dataset = openDataset(text, seed);
  } catch (error) {
    return { problems: [`DATA_SCHEMA='${path}' is not a valid schema: ${errorText(error)}`] };
  }
  const table = values.DATA_TABLE;
  if (!dataset.tables().includes(table)) {
    return { problems: [`DATA_TABLE='${table}' is not a table of DATA_SCHEMA='${path}' (tables: ${dataset.tables().join(', ')})`] };
  }
  // without INSTANCE_INDEX (the k6-operator's runners get none), an instance is known by its execution
  // segment, which k6 tells only once the test runs: its rows come from DATA_SEED + its segment's position
  const indexGiven = (__ENV.INSTANCE_INDEX ?? '').trim() !== '';
  let rows = indexGiven ? dataset : undefined;
  const rowsOfThisInstance = (): Dataset => {
    if (rows) return rows;
    let options: { executionSegment?: string; executionSegmentSequence?: string };
    try {
      options = exec.test.options;
    } catch {
      return dataset; // the init stage (k6 tells the options only once the test runs): the checks read the schema's shape
    }
    const i = segmentIndex(options.executionSegment, options.executionSegmentSequence) ?? 0;
    rows = i === 0 ? dataset : openDataset(text, values.DATA_SEED + i);
    return rows;
  };
  return { data: { dataset, table, seed, schema: path, row: (index) => rowsOfThisInstance().row(table, index) }, problems: [] };
}

/** A thrown value's message, on one line (the extension throws GoErrors whose text is the message). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'object' && error && 'value' in error ? String(error.value) : String(error);
  return text.replace(/^GoError: /, '').replace(/[\r\n]+/g, ' ');
}

/**
 * A script's settings spec with the data variables added to its own rules (dataRules) and the schema
 * opened in its check (so its problems join the one init-stage message); `data()` is the opened
 * schema after readSettings(spec) returned (undefined when DATA_SCHEMA is unset).
 */
export function withData<F extends Rules>(
  spec: SettingsSpec<F>,
  defaultTable: string,
  /** The script's problems with the opened data (one line each): a scenario that takes no rows, a column of the wrong type. */
  check?: (data: ScenarioData, own: Values<F & DataRules>) => string[],
): { spec: SettingsSpec<F & DataRules>; data: () => ScenarioData | undefined } {
  let opened: ScenarioData | undefined;
  const rules = { ...spec.rules, ...dataRules(defaultTable) } as F & DataRules;
  return {
    spec: {
      ...spec,
      rules,
      check: (own, cwd, load) => {
        const { data, problems } = openData(own, cwd);
        opened = data;
        return [...(spec.check?.(own, cwd, load) ?? []), ...problems, ...(data && check ? check(data, own) : [])];
      },
    },
    data: () => opened,
  };
}
