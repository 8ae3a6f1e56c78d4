// The environment check each instance prints (src/shared/environment.ts): limits named, and their absence said plainly.
import { describe, expect, it } from 'vitest';
import { environmentLines, type EnvironmentFacts } from '../../src/shared/environment.ts';

const facts = (over: Partial<EnvironmentFacts> = {}): EnvironmentFacts => ({
  instance: 'runner-2',
  hostname: 'loadtest-runner-2',
  info: { cores: 2, numCPU: 8, gomaxprocs: 8, cgroupCores: 2, cgroup: 'v2' },
  memTotalMB: 2048,
  memAvailableMB: 1856,
  cgroupCpuQuota: '200000 100000',
  cgroupMemoryLimit: 2147483648,
  paths: [
    { path: '/data', exists: true, fsType: 'tmpfs', mount: '/data', tmpfs: true, sizeMB: 1024 },
    { path: '/results', exists: true, fsType: 'ext4', mount: '/results', tmpfs: false, sizeMB: 50000 },
  ],
  ...over,
});

describe('environmentLines', () => {
  it("prints the seed's block: cores, memory, each path's file system, the cgroup limits", () => {
    expect(environmentLines(facts())).toEqual([
      '=== Runtime Environment Verification (runner-2) ===',
      'Hostname: loadtest-runner-2',
      'CPU cores visible: 8 (usable: 2)',
      'Total memory: 2048 MB',
      'Available memory: 1856 MB',
      '/data: tmpfs (tmpfs: true)\n  tmpfs size: 1024 MB',
      '/results: ext4 (tmpfs: false)',
      'cgroup memory limit: 2147483648 (2048 MB)',
      'cgroup CPU quota: 200000 100000 (2 cores)',
      '========================================',
    ]);
  });

  it('says plainly when it reads no cgroup limit', () => {
    const lines = environmentLines(
      facts({ info: { cores: 8, numCPU: 8, gomaxprocs: 8, cgroupCores: null, cgroup: 'none' }, cgroupCpuQuota: '', cgroupMemoryLimit: null, memTotalMB: null }),
    );
    expect(lines).toContain('cgroup memory limit: none (no cgroup memory limit found: this instance may use all the memory)');
    expect(lines).toContain('cgroup CPU quota: none (no cgroup CPU controller found: this instance has no CPU limit)');
    expect(lines).toContain('Total memory: unknown');
    const unlimited = environmentLines(facts({ info: { cores: 8, numCPU: 8, gomaxprocs: 8, cgroupCores: null, cgroup: 'v2' }, cgroupCpuQuota: 'max 100000' }));
    expect(unlimited).toContain('cgroup CPU quota: max 100000 (no limit: this instance may use every core)');
  });
});
