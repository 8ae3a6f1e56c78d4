// The runtime environment of a k6 instance (seed 002's "Runtime Environment Verification"): what
// k6/x/loadgen's environment() read at the start of the run, printed by every instance and kept in its
// result (meta.environment), so a distributed run shows whether its containers' limits were active.
// Pure TypeScript: the k6 side prints it, the aggregation lists it per instance.

/** A path's file system (LoadgenPath of k6/x/loadgen). */
export interface PathFacts {
  path: string;
  exists: boolean;
  fsType: string;
  mount: string;
  tmpfs: boolean;
  /** MiB; null when unknown. */
  sizeMB: number | null;
}

/** What k6/x/loadgen's environment() returns (LoadgenEnvironment), plus the instance's name. */
export interface EnvironmentFacts {
  /** INSTANCE_ID of a distributed run ('' for a single instance). */
  instance?: string;
  hostname: string;
  info: { cores: number; numCPU: number; gomaxprocs: number; cgroupCores: number | null; cgroup: string };
  memTotalMB: number | null;
  memAvailableMB: number | null;
  cgroupCpuQuota: string;
  /** Bytes; null when there is no limit. */
  cgroupMemoryLimit: number | null;
  paths: PathFacts[];
}

const mb = (n: number | null) => (n === null ? 'unknown' : `${n} MB`);

/** The environment as the lines each instance prints at start (the seed's block; every missing limit said plainly). */
export function environmentLines(env: EnvironmentFacts): string[] {
  const cpuLimited = env.info.cgroupCores !== null;
  const quota =
    env.info.cgroup === 'none'
      ? 'none (no cgroup CPU controller found: this instance has no CPU limit)'
      : `${env.cgroupCpuQuota || 'unreadable'}${cpuLimited ? ` (${env.info.cgroupCores} cores)` : ' (no limit: this instance may use every core)'}`;
  const memory =
    env.cgroupMemoryLimit === null
      ? 'none (no cgroup memory limit found: this instance may use all the memory)'
      : `${env.cgroupMemoryLimit} (${Math.round(env.cgroupMemoryLimit / 2 ** 20)} MB)`;
  return [
    `=== Runtime Environment Verification${env.instance ? ` (${env.instance})` : ''} ===`,
    `Hostname: ${env.hostname || 'unknown'}`,
    `CPU cores visible: ${env.info.numCPU} (usable: ${env.info.cores})`,
    `Total memory: ${mb(env.memTotalMB)}`,
    `Available memory: ${mb(env.memAvailableMB)}`,
    ...env.paths.map((p) =>
      p.exists
        ? `${p.path}: ${p.fsType || 'unknown'} (tmpfs: ${p.tmpfs})${p.tmpfs && p.sizeMB !== null ? `\n  tmpfs size: ${p.sizeMB} MB` : ''}`
        : `${p.path}: does not exist`,
    ),
    `cgroup memory limit: ${memory}`,
    `cgroup CPU quota: ${quota}`,
    '='.repeat(40),
  ];
}
