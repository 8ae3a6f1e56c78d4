// Deterministic data with k6/x/dataset alone: the schema is read with open() in the init stage, the
// seed is DATA_SEED, and every iteration takes the row exec.scenario.iterationInTest of DATA_TABLE
// (default users); handleSummary writes rows 0..ROWS-1 of every table, each VU's rows, and how fast
// row() went to OUT (JSON). test/e2e/dataset.test.ts runs it twice with a seed and once with another.
import exec from 'k6/execution';
import { open as openDataset } from 'k6/x/dataset';

const schema = open(__ENV.DATA_SCHEMA);
const dataset = openDataset(schema, Number(__ENV.DATA_SEED || 42));
const table = __ENV.DATA_TABLE || 'users';
const rows = Number(__ENV.ROWS || 100);
const timedCalls = Number(__ENV.TIMED_CALLS || 0);

export const options = {
  scenarios: {
    rows: { executor: 'shared-iterations', vus: 3, iterations: 30, maxDuration: '30s' },
  },
};

// each VU's rows, by iteration (written to the console: the summary sees no VU state)
export default function () {
  const i = exec.scenario.iterationInTest;
  console.log(`row ${i} ${JSON.stringify(dataset.row(table, i))}`);
}

export function handleSummary() {
  const out = { seed: dataset.seed, tables: {} };
  for (const name of dataset.tables()) {
    out.tables[name] = [];
    for (let i = 0; i < rows; i++) out.tables[name].push(dataset.row(name, i));
  }
  const body = JSON.stringify(out);
  const summary = { [__ENV.OUT]: body };
  if (timedCalls > 0) {
    const started = Date.now();
    for (let i = 0; i < timedCalls; i++) dataset.row(table, i);
    const ms = Date.now() - started;
    summary[`${__ENV.OUT}.cost.json`] = JSON.stringify({ calls: timedCalls, ms, rowsPerSecond: Math.round((timedCalls / ms) * 1000) });
  }
  return summary;
}
