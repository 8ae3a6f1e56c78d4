// What a system under test declares about itself, once: the family manifest. Pure data, imported by
// both runtimes — the k6 scripts read their gate metrics and comparable meta from it, the Node tooling
// (sandbox command, demo, nightly, bench, dashboard generation, the k6 build, the tests) loops over it.
// Adding a family = its own folders + one entry in ./families/index.ts (see CONTRIBUTING.md).

/** The three metrics a script's regression gate judges (names of k6 metrics). */
export interface GateMetrics {
  /** A latency trend; gated on p(95), in ms. */
  latency: string;
  /** A counter; gated on its rate (per second) under arrival-rate profiles. */
  throughput: string;
  /** A rate metric (share of failures, 0–1); gated absolutely. */
  errors: string;
}

/** One `dist/<name>.js` script of a family. */
export interface ScriptManifest {
  /**
   * The script's name: `src/scenarios/<name>.ts` → `dist/<name>.js` (unless `bundle` says otherwise),
   * result files `<run>_<name>.json`, the `script` tag of every sample.
   */
  name: string;
  /**
   * The bundle that runs it, when several scripts share one (`dist/<bundle>.js`, from
   * `src/scenarios/<bundle>.ts`), and the `-e` settings that select this script in it (e.g. seed 003's
   * `payment-confirm` is `dist/payments.js` with SCENARIO=payment-confirm).
   */
  bundle?: { name: string; env: Record<string, string> };
  /** One line for listings. */
  summary: string;
  gate: GateMetrics;
  /** meta keys (besides script, profile, model) that must match for two runs to be comparable. */
  comparableMeta: string[];
  /**
   * The nightly gate job: extra `-e` settings for this script (the profile and duration are the
   * nightly's own), with `{url}`, `{host}`, `{port}` of the family's sandbox filled in as in
   * `sandbox.env`. The sandbox runs with a fixed server-side delay so the signal is unambiguous.
   */
  nightly: { env: Record<string, string> };
}

/**
 * The variables that point a script at a running sandbox. Values are templates: `{url}` (http://host:port),
 * `{host}` and `{port}` are replaced with the sandbox's own; other values are passed as they are (the
 * sandbox's fixed token, say).
 */
export type TargetEnv = Record<string, string>;

/** One query of a dashboard panel, as InfluxQL over k6's InfluxDB output (measurement = metric name). */
export interface PanelQuery {
  metric: string;
  /**
   * `per_s`: sum per second; `sum`, `count`, `mean`, `max`: that aggregate; `pNN`: the NNth percentile.
   */
  select: 'per_s' | 'sum' | 'count' | 'mean' | 'max' | `p${number}`;
  /** Tag keys to group by (besides time). */
  by?: string[];
  /** The series name in the legend (Grafana alias syntax, e.g. `calls $tag_scenario`). */
  alias?: string;
}

/** A time-series panel of a family's dashboard row. */
export interface PanelSpec {
  title: string;
  /** Grafana unit id (`reqps`, `ms`, `percentunit`, `short`, `ops`, `Bps`). */
  unit: string;
  description?: string;
  queries: PanelQuery[];
  /**
   * A panel link to the traces of the run's time range in Tempo (Grafana Explore on the dashboard's
   * `tempo` data source variable): `traceql` is the TraceQL search, e.g. `{ kind = server && duration > 500ms }`.
   */
  traces?: { title: string; traceql: string };
}

/** A row of the dashboard: its title and its time-series panels. */
export interface DashboardRow {
  title: string;
  panels: PanelSpec[];
}

export interface FamilyManifest {
  /** The family's name (lower case): its sandbox, its dashboard row, its `npm start -- <name>` demo. */
  name: string;
  /** Which seed document describes the system. */
  seed: string;
  scripts: ScriptManifest[];
  sandbox: {
    /** Node module (path from the project root) exporting `startSandbox(options?: { port?: number })`. */
    module: string;
    /** How each script is pointed at the running sandbox. */
    env: TargetEnv;
  };
  /** `npm start -- <family>`: the script and settings of the demo, and the variable that means "use my server". */
  demo: { script: string; env: Record<string, string>; externalTargetVar: string };
  /** Node module (path from the project root) exporting `benchSections(): Promise<Section[]>` for `npm run bench`. */
  bench?: string;
  /**
   * Node module (path from the project root) with the family's own CLI commands, `k6-suite <family>
   * <command>`: it exports `registerCommands(command)`, which adds them to the family's commander
   * command (see tools/cli/family.ts). Imported only when the family's command runs.
   */
  cli?: string;
  /**
   * The family's row of the Grafana dashboard: a YAML file (path from the project root) holding a
   * DashboardRow. Data for the Node generator (`npm run dashboard`), kept out of the k6 bundles.
   */
  dashboard: string;
  /** A Go extension compiled into bin/k6 with xk6, when the family needs one. */
  extension?: {
    /** Folder (from the project root) with the Go module, its tests and `index.d.ts`. */
    dir: string;
    /** The Go module path (go.mod). */
    module: string;
    /** The JavaScript import path the scripts use (`k6/x/...`). */
    importPath: string;
  };
}
