// Types of the k6 extension module 'k6/x/loadgen' (xk6-build/ext/loadgen). It measures the health of
// the load generator itself (the k6 process) while a test runs. Run scripts that import it with
// K6_AUTO_EXTENSION_RESOLUTION=false.
declare module 'k6/x/loadgen' {
  export interface StartOptions {
    /**
     * How often one sample of each loadgen_* metric is pushed, in milliseconds: an integer from 100
     * to 60000. Default 1000.
     */
    intervalMs?: number;
    /**
     * A Prometheus endpoint of the system under test (http(s) URL; '' or undefined: none). Scraped every
     * interval for the standard process metrics: target_cpu_percent (Trend, % of one core, from
     * process_cpu_seconds_total) and target_memory_mb (Trend, MiB, process_resident_memory_bytes);
     * failed scrapes count in target_scrape_errors_total (the first one is logged, password masked).
     */
    targetMetricsUrl?: string;
  }

  /** The cores the k6 process can use, and where that figure comes from. */
  export interface LoadgenInfo {
    /** Usable cores: min(numCPU, gomaxprocs, cgroupCores). The denominator of loadgen_cpu_ratio. */
    cores: number;
    /** Logical CPUs the process may run on (Go's runtime.NumCPU()). */
    numCPU: number;
    /** Go's GOMAXPROCS: how many threads run Go code at once. */
    gomaxprocs: number;
    /**
     * The CPU quota of the process's cgroup (and its ancestors: the tightest) in cores, e.g. 1.5;
     * null when there is no limit or no cgroup.
     */
    cgroupCores: number | null;
    /** The cgroup hierarchy the quota was read from ('none' when neither was found). */
    cgroup: 'v2' | 'v1' | 'none';
  }

  /**
   * Starts measuring the k6 process: call it from setup() (it needs the test's metrics pipeline, so in
   * the init context it throws). From then until the end of the test, one sample of each metric below
   * is pushed every intervalMs, and the last, partial interval when the test ends:
   *
   * - loadgen_cpu_ratio (Trend): the process's CPU time (user + system) ÷ (wall time × cores); near 1
   *   means the generator was CPU-bound.
   * - loadgen_lag_ms (Trend, time): the largest lateness of a 10 ms sleep in the interval; high lag
   *   with a low cpu_ratio means the generator was starved (other processes, cgroup throttling).
   * - loadgen_gc_pause_ms (Trend, time): Go GC stop-the-world pause time in the interval.
   * - loadgen_cores (Gauge): usable cores.
   *
   * The samples carry the tags start() was called with. Idempotent per k6 process: later calls (from
   * any VU) start nothing and keep the first call's interval; they return info().
   */
  export function start(options?: StartOptions): LoadgenInfo;

  /** The cores the k6 process can use now. Works anywhere, the init context included. */
  export function info(): LoadgenInfo;

  /** A path's file system, as environment() reports it. */
  export interface LoadgenPath {
    path: string;
    /** false: the path does not exist (the other fields are empty). */
    exists: boolean;
    /** The file system type from /proc/self/mountinfo, e.g. 'tmpfs', 'ext4', 'overlay'. */
    fsType: string;
    /** The mount point holding the path. */
    mount: string;
    /** fsType is 'tmpfs' (memory-backed). */
    tmpfs: boolean;
    /** The file system's size in MiB (statfs); null when unknown. */
    sizeMB: number | null;
  }

  /** The resources this k6 instance really has (seed 002's runtime environment verification). */
  export interface LoadgenEnvironment {
    /** os.Hostname(): a container's id or a pod's name. */
    hostname: string;
    info: LoadgenInfo;
    /** MemTotal and MemAvailable of /proc/meminfo in MiB; null when unreadable. */
    memTotalMB: number | null;
    memAvailableMB: number | null;
    /** The own cgroup's CPU quota as the kernel writes it ('200000 100000', 'max 100000', v1 'quota period'); '' without a cgroup CPU controller. */
    cgroupCpuQuota: string;
    /** The tightest cgroup memory limit (own cgroup and ancestors) in bytes; null when there is none. */
    cgroupMemoryLimit: number | null;
    paths: LoadgenPath[];
  }

  /**
   * Reads the instance's environment now: cores, memory, cgroup CPU quota and memory limit, and for
   * each of `paths` its file system (tmpfs or disk). Works anywhere. Throws a TypeError when paths is
   * not an array of strings.
   */
  export function environment(paths?: string[]): LoadgenEnvironment;

  /**
   * Adds n (an integer, default 1; negative allowed) to the process-wide counter `name` and returns
   * its new value. Every VU of the k6 process (setup, teardown and handleSummary included) shares the
   * same counters; k6's own metrics cannot be read back by a script, so an end-of-test check in
   * teardown() (what the VUs did vs what the target recorded) reads these. One k6 process only: a
   * distributed run has one set per instance. Throws on an empty name or a non-integer n.
   */
  export function tally(name: string, n?: number): number;

  /** The counters whose name starts with `prefix` (default: all), as { name: count }. */
  export function tallies(prefix?: string): Record<string, number>;

  /** One varying field of a record: a number from the record's number n, ((n + offset) mod modulo) + plus (modulo 0 or unset: none), or render()'s text `arg`. */
  export type RecordField = { n: { offset?: number; modulo?: number; plus?: number } } | { arg: number };

  /** Records between a head and a tail: each record is parts[0] fields[0] parts[1] … parts[k] (one part more than fields). */
  export interface RecordTemplate {
    head: string;
    tail: string;
    parts: string[];
    fields: RecordField[];
  }

  export interface CompiledRecords {
    /** The head, `count` records numbered first, first + 1, …, the tail, as bytes (a request body). Throws when an arg field has no text. */
    render(first: number, count: number, texts?: string[]): ArrayBuffer;
  }

  /**
   * Compiles a record template (once per VU, in the init context): rendering a body natively costs
   * about a tenth of building the same string in JS. Throws on a malformed template.
   */
  export function records(template: RecordTemplate): CompiledRecords;
}
