// The distributed run's config (tools/distributed/config.ts): execution segments, sizes in both
// platforms' notations, secrets by name, presets overridden by flags.
import { describe, expect, it } from 'vitest';
import { absoluteFileSettings } from '../../tools/cli/main.ts';
import {
  dnsName,
  executionSegments,
  isSecretName,
  isSecretValue,
  parseCpu,
  parseEnv,
  parseMemory,
  parseSize,
  resolveConfig,
} from '../../tools/distributed/config.ts';
import { segmentCoverageProblems } from '../../tools/distributed/segments.ts';
import { segmentIndex } from '../../src/shared/segments.ts';

describe('executionSegments', () => {
  it('splits 0..1 into n equal segments written as k6 takes them, 0 and 1 bare', () => {
    expect(executionSegments(1)).toEqual({ segments: ['0:1'], sequence: '0,1' });
    expect(executionSegments(3)).toEqual({ segments: ['0:1/3', '1/3:2/3', '2/3:1'], sequence: '0,1/3,2/3,1' });
    const { segments, sequence } = executionSegments(64);
    expect(segments).toHaveLength(64);
    expect(segments[0]).toBe('0:1/64');
    expect(segments[63]).toBe('63/64:1');
    expect(sequence.split(',')).toHaveLength(65);
    const points = sequence.split(',');
    expect(segments).toEqual(points.slice(0, -1).map((p, i) => `${p}:${points[i + 1]}`));
  });
  it.each([0, 65, 1.5, Number.NaN])('refuses %s instances', (n) => {
    expect(() => executionSegments(n)).toThrow(/whole number from 1 to 64/);
  });
});

describe('sizes, CPU, settings', () => {
  it('writes each size in Kubernetes and Docker notation (binary units)', () => {
    expect(parseMemory('512Mi')).toEqual({ bytes: 512 * 2 ** 20, kubernetes: '512Mi', docker: '512m' });
    expect(parseMemory('4Gi').docker).toBe('4g');
    expect(parseMemory('500M')).toEqual({ bytes: 5e8, kubernetes: '500000000', docker: '500000000' });
    expect(parseSize('2g', '--tmpfs-size')).toMatchObject({ kubernetes: '2Gi', docker: '2g' });
    expect(() => parseMemory('512m')).toThrow(/--memory-limit '512m' is not valid/);
    expect(() => parseSize('1G', '--tmpfs-size')).toThrow(/--tmpfs-size '1G'/);
  });
  it('takes CPU in cores or millicores', () => {
    expect(parseCpu('0.5')).toEqual({ millicores: 500, cores: '0.5', kubernetes: '500m' });
    expect(parseCpu('2.0')).toEqual({ millicores: 2000, cores: '2', kubernetes: '2' });
    expect(parseCpu(1.25)).toEqual({ millicores: 1250, cores: '1.25', kubernetes: '1250m' });
    expect(parseCpu('250m').cores).toBe('0.25');
    for (const bad of ['0', '-1', 'x', '0.0001']) expect(() => parseCpu(bad)).toThrow(/--cpu-limit/);
  });
  it('marks secrets by name and keeps the last of a repeated setting', () => {
    expect(['API_KEY', 'auth_token', 'DB_PASSWORD', 'CLIENT_SECRET'].every(isSecretName)).toBe(true);
    expect(isSecretName('TARGET_URL')).toBe(false);
    expect(parseEnv(['A=1', 'B=x=y', 'A=2', 'EMPTY='])).toEqual([
      { name: 'A', value: '2', secret: false },
      { name: 'B', value: 'x=y', secret: false },
      { name: 'EMPTY', value: '', secret: false },
    ]);
  });
});

describe('resolveConfig', () => {
  const now = new Date('2026-01-02T03:04:05Z');
  it('takes the preset, and explicit flags over it', () => {
    const medium = resolveConfig({ script: 'health', preset: 'medium' }, now);
    expect(medium).toMatchObject({ workers: 4, cpu: { cores: '1' }, memory: { kubernetes: '1Gi' }, tmpfs: undefined, run: 'distributed' });
    expect(medium.testId).toBe('health-distributed-20260102T030405');
    const custom = resolveConfig({ script: 'health', preset: 'large', workers: '3', memoryLimit: '2Gi', tmpfs: true }, now);
    expect(custom).toMatchObject({ workers: 3, cpu: { cores: '2' }, memory: { kubernetes: '2Gi' }, tmpfs: { kubernetes: '4Gi' } });
    expect(custom.segments).toEqual(['0:1/3', '1/3:2/3', '2/3:1']);
  });
  it('names the flag and what is allowed', () => {
    expect(() => resolveConfig({ script: 'nope' })).toThrow(/--script 'nope' is not valid: one of the scripts of the family manifests: .*health/);
    expect(() => resolveConfig({ script: 'health', run: 'a b' })).toThrow(/--run 'a b' is not valid/);
    expect(() => resolveConfig({ script: 'health', namespace: 'Bad_NS', platform: 'kubernetes' })).toThrow(/--namespace 'Bad_NS'/);
  });
});

describe('segment coverage and position', () => {
  const named = (segments: string[]) => segments.map((s, i): [string, string] => [`worker-${i + 1}`, s]);
  it('accepts the segments of one split, in any order, and a single whole run', () => {
    expect(segmentCoverageProblems(named(executionSegments(3).segments.reverse()))).toEqual([]);
    expect(segmentCoverageProblems(named(['0:25%', '0.25:1/2', '50%:1']))).toEqual([]);
    expect(segmentCoverageProblems([['a', '']])).toEqual([]);
  });
  it('names a missing, an overlapping and a foreign instance', () => {
    expect(segmentCoverageProblems(named(['0:1/3', '2/3:1']))).toEqual([
      'no instance ran the segment from 0.3333333333333333 to 0.6666666666666666: an instance is missing',
    ]);
    expect(segmentCoverageProblems(named(['0:1/3', '1/3:2/3', '2/3:1', '0:1/3'])).join()).toMatch(/worker-4 \(segment 0:1\/3\) overlaps worker-1|overlaps/);
    expect(segmentCoverageProblems(named(['0:1/2', '1/2:1', ''])).join()).toMatch(/worker-3 ran the whole test/);
    expect(segmentCoverageProblems(named(['0:1/2', '1/2:2']))).toEqual(["worker-2's execution segment 1/2:2 is not a part of 0:1"]);
  });
  it("gives a segment's position in its sequence (the data seed of a runner without INSTANCE_INDEX)", () => {
    expect(segmentIndex('0:1/3', '0,1/3,2/3,1')).toBe(0);
    expect(segmentIndex('2/3:1', '0,1/3,2/3,1')).toBe(2);
    expect(segmentIndex('50%:1', '0,0.5,1')).toBe(1);
    expect(segmentIndex('0:1', '')).toBeUndefined();
    expect(segmentIndex('1/4:1', '0,1/3,2/3,1')).toBeUndefined();
  });
});

describe('what the generator keeps out of the files', () => {
  it('takes a credential value as a secret whatever its name', () => {
    expect(isSecretValue('Bearer abc.def')).toBe(true);
    expect(isSecretValue('basic dXNlcjpwYXNz')).toBe(true);
    expect(isSecretValue('http://user:pass@host:8080/x')).toBe(true);
    expect(isSecretValue('http://host:8080/x')).toBe(false);
    expect(isSecretValue('users')).toBe(false);
    expect(parseEnv(['AUTH=Bearer xyz', 'TARGET_URL=https://u:p@h/'])).toEqual([
      { name: 'AUTH', value: 'Bearer xyz', secret: true },
      { name: 'TARGET_URL', value: 'https://u:p@h/', secret: true },
    ]);
  });
  it('keeps two long run names apart in Kubernetes names', () => {
    const a = dnsName(`health-${'x'.repeat(60)}-a`);
    const b = dnsName(`health-${'x'.repeat(60)}-b`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(40);
    expect(a).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(dnsName('health-latest')).toBe('health-latest');
  });
});

describe('k6 file settings given to the CLI', () => {
  it('are made absolute against where the user typed them (k6 runs in the results folder)', () => {
    expect(
      absoluteFileSettings(
        ['-e', 'DATA_SCHEMA=examples/a.yaml', '--env', 'BASELINE=b.json', '-eGATE_CONFIG=g.json', '--env=TARGET_URL=x', '-e', 'SCENARIO=users'],
        '/home/u/p',
      ),
    ).toEqual([
      '-e',
      'DATA_SCHEMA=/home/u/p/examples/a.yaml',
      '--env',
      'BASELINE=/home/u/p/b.json',
      '-eGATE_CONFIG=/home/u/p/g.json',
      '--env=TARGET_URL=x',
      '-e',
      'SCENARIO=users',
    ]);
    expect(absoluteFileSettings(['-e', 'DATA_SCHEMA=/abs/a.yaml', '--vus', '2'], '/x')).toEqual(['-e', 'DATA_SCHEMA=/abs/a.yaml', '--vus', '2']);
  });
});
