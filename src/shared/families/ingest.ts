// Event ingestion (seed 004: a Windows Event Forwarding collector): SOAP batches of events at a target
// rate, the server's own totals proving nothing was lost, and the seed's pass/fail verdict
// (`dist/ingest.js`). Wire facts: ../shared/reference/wef-ingest.md.
import type { FamilyManifest } from '../family';

export const ingest: FamilyManifest = {
  name: 'ingest',
  seed: '004',
  scripts: [
    {
      name: 'ingest',
      summary:
        "Seed 004's event ingestion: batches of PERF_TEST_BATCH_SIZE events to /wsman/events at PERF_TEST_TARGET_EPS, verified against the server's totals",
      gate: { latency: 'batch_latency_ms', throughput: 'records_written_total', errors: 'error_rate' },
      comparableMeta: ['target', 'workload'],
      // the sandbox's batch latency jitters by 10 ms and more on 2 shared cores (its parser, its GC): a
      // nightly regression must be more than 20 ms of p(95)
      nightly: { env: { GATE_P95_FLOOR_MS: '20' } },
    },
  ],
  // the sandbox parses about 45k events/s on one core: batches of 20 keep a tpsN profile (N batches/s) well within it,
  // and its parsing out of the batch latency the nightly gates
  sandbox: { module: 'tools/sandbox/ingest/index.ts', env: { WEF_ENDPOINT: '{url}', PERF_TEST_BATCH_SIZE: '20' } },
  bench: 'tools/bench/ingest.ts',
  demo: { script: 'ingest', env: { PERF_TEST_TOTAL_EVENTS: '10000', PERF_TEST_TARGET_EPS: '2000' }, externalTargetVar: 'WEF_ENDPOINT' },
  // the S3 check of the server's parquet output (SigV4 listing, rows from the footers)
  extension: {
    dir: 'xk6-build/ext/s3parquet',
    module: 'github.com/k6regression/xk6-s3parquet',
    importPath: 'k6/x/s3parquet',
  },
  dashboard: 'src/shared/families/ingest.dashboard.yaml',
};
