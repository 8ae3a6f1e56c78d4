// k6-suite generate (tools/distributed): the Compose and Kubernetes files of every preset, checked by
// the real loaders (bin/deploy-check: compose-go, strict k8s.io/api decoding, the k6-operator TestRun
// CRD's schema with structural pruning); the checker proven able to fail; a secret never written; and
// the generated Compose runners' commands run as they are by the real k6 against a sandbox, their
// per-instance folders merged by the aggregate.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../tools/cli/main.ts';
import { aggregateDir } from '../../tools/aggregate/merge.ts';
import { PRESETS, type PresetName } from '../../tools/distributed/config.ts';
import { PROJECT_ROOT, runK6 } from '../../tools/k6.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { readResult, scratchDir } from '../support/results.ts';

const CHECK = join(PROJECT_ROOT, 'bin/deploy-check');
const CRD = join(PROJECT_ROOT, 'tools/deploy-check/crd/k6.io_testruns.v1.6.0.yaml');
const SECRET = 'sk_live_do-not-write-me-42';
const scratch = scratchDir('k6-generate-');
let counter = 0;

type Service = {
  command: string[];
  environment: Record<string, string>;
  tmpfs?: string[];
  volumes: string[];
  deploy: { resources: { limits: { cpus: string; memory: string } } };
};
type Compose = { name: string; services: Record<string, Service> };

beforeAll(() => {
  // normally built by tools/system-deps.sh (npm test's pretest); built here when this file runs alone
  if (!existsSync(CHECK)) {
    execFileSync('go', ['build', '-o', CHECK, '.'], {
      cwd: join(PROJECT_ROOT, 'tools/deploy-check'),
      env: { ...process.env, GOSUMDB: 'off', GOFLAGS: '-mod=mod' },
      stdio: 'inherit',
    });
  }
}, 300_000);
afterAll(() => scratch.remove());

/** Runs `k6-suite generate` into a new folder; returns it (fails the test on a non-zero exit). */
async function generate(args: string[]): Promise<string> {
  const dir = join(scratch.dir, `out-${++counter}`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(['generate', '-s', 'health', '-o', dir, ...args]);
    expect(code, error.mock.calls.flat().join('\n')).toBe(0);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  return dir;
}

/** `k6-suite generate` that must fail: its exit code and message. */
async function generateFails(args: string[]): Promise<{ code: number; message: string }> {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // commander's own errors (and its help)
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await main(['generate', '-o', join(scratch.dir, `bad-${++counter}`), ...args]);
    return { code, message: [...error.mock.calls.flat(), ...stderr.mock.calls.map((c) => String(c[0]))].join('\n') };
  } finally {
    error.mockRestore();
    stderr.mockRestore();
    stdout.mockRestore();
  }
}

function deployCheck(args: string[], env: Record<string, string> = {}) {
  const out = spawnSync(CHECK, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** Every file under a folder (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const fraction = (text: string) => {
  const [a, b] = text.split('/').map(Number);
  return b === undefined ? a : a / b;
};

/** The segments, in order, cover 0..1 exactly: start 0, each starts where the previous ended, end 1; the points are the sequence's. */
function expectCover(segments: string[], sequence: string, n: number) {
  expect(segments).toHaveLength(n);
  const points = sequence.split(',');
  expect(points).toHaveLength(n + 1);
  expect(points[0]).toBe('0');
  expect(points[n]).toBe('1');
  segments.forEach((segment, i) => {
    const [from, to] = segment.split(':');
    expect([from, to]).toEqual([points[i], points[i + 1]]);
    expect(fraction(to) - fraction(from)).toBeCloseTo(1 / n, 12);
  });
}

const argAfter = (command: string[], flag: string) => command[command.indexOf(flag) + 1];

const presets = Object.keys(PRESETS) as PresetName[];

describe('k6-suite generate: Compose', () => {
  it.each(presets)('preset %s: compose-go loads the file; N runners with segments covering 0..1, limits, tmpfs, per-instance folders', async (preset) => {
    const p = PRESETS[preset];
    const dir = await generate(['--platform', 'compose', '--preset', preset, '--tmpfs', '-e', 'TARGET_URL=http://target:8080', '-e', `API_KEY=${SECRET}`]);
    const file = join(dir, 'docker-compose.loadtest.yml');
    // the secret is read from the shell at `docker compose up`: without it, loading fails and names it
    const missing = deployCheck(['compose', file]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('required variable API_KEY is missing a value');
    const ok = deployCheck(['compose', file], { API_KEY: 'from-the-shell' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${p.workers} service(s)`);

    const compose = parse(readFileSync(file, 'utf8')) as Compose;
    const names = Array.from({ length: p.workers }, (_, i) => `runner-${i + 1}`);
    expect(Object.keys(compose.services)).toEqual(names);
    const commands = names.map((name) => compose.services[name].command);
    expectCover(
      commands.map((c) => argAfter(c, '--execution-segment')),
      argAfter(commands[0], '--execution-segment-sequence'),
      p.workers,
    );
    const memory = { small: '512m', medium: '1g', large: '4g' }[preset];
    const tmpfs = { small: '256m', medium: '1g', large: '4g' }[preset];
    names.forEach((name, i) => {
      const s = compose.services[name];
      expect(s.command.slice(0, 2)).toEqual(['k6', 'run']);
      expect(s.command.at(-1)).toBe('/scripts/health.js');
      expect(s.command).toContain(`instance_id=${name}`);
      expect(s.command).toContain(`json=/results/${name}/k6.json.gz`);
      expect(s.deploy.resources.limits).toEqual({ cpus: String(Number(p.cpuLimit)), memory });
      expect(s.tmpfs).toEqual([`/data:size=${tmpfs}`]);
      expect(s.volumes).toEqual(['./results:/results']);
      expect(s.environment).toMatchObject({
        RESULTS_DIR: `/results/${name}`,
        RUN_NAME: 'distributed',
        INSTANCE_ID: name,
        INSTANCE_INDEX: String(i),
        INSTANCE_COUNT: String(p.workers),
        K6_SUITE_SCRIPT: 'health',
        K6_NO_USAGE_REPORT: 'true',
        K6_AUTO_EXTENSION_RESOLUTION: 'false',
        DATA_DIR: '/data',
        TARGET_URL: 'http://target:8080',
      });
      expect(s.environment.API_KEY).toMatch(/^\$\{API_KEY:\?/);
    });
    for (const path of ['Dockerfile', 'Dockerfile.dockerignore', 'README.md']) expect(existsSync(join(dir, path)), path).toBe(true);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM debian:bookworm-slim$/m);
    expect(dockerfile).toMatch(/^COPY .*bin\/k6 \/usr\/local\/bin\/k6$/m);
    expect(dockerfile).toMatch(/^USER 10001/m);
    expect(dockerfile).not.toMatch(/^RUN .*(apt-get|curl|wget)/m); // nothing downloaded but the base image
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('docker compose -f docker-compose.loadtest.yml up');
    expect(readme).toContain('k6-suite aggregate ./results');
    for (const path of filesUnder(dir)) expect(readFileSync(path, 'utf8'), path).not.toContain(SECRET);
  });

  it('explicit flags override the preset; --influxdb adds the InfluxDB 1.8 service the runners wait for and write to', async () => {
    const dir = await generate([
      '--preset',
      'large',
      '--workers',
      '3',
      '--cpu-limit',
      '1.5',
      '--memory-limit',
      '3Gi',
      '--tmpfs-size',
      '2g',
      '--influxdb',
      '-r',
      'nightly',
    ]);
    const file = join(dir, 'docker-compose.loadtest.yml');
    const ok = deployCheck(['compose', file]);
    expect(ok.status, ok.stderr).toBe(0);
    const compose = parse(readFileSync(file, 'utf8')) as Compose & { services: Record<string, { image?: string; depends_on?: unknown }> };
    expect(Object.keys(compose.services)).toEqual(['runner-1', 'runner-2', 'runner-3', 'influxdb']);
    expect(compose.services.influxdb.image).toBe('influxdb:1.8');
    const runner = compose.services['runner-2'];
    expectCover(
      ['runner-1', 'runner-2', 'runner-3'].map((n) => argAfter(compose.services[n].command, '--execution-segment')),
      '0,1/3,2/3,1',
      3,
    );
    expect(runner.deploy.resources.limits).toEqual({ cpus: '1.5', memory: '3g' });
    expect(runner.tmpfs).toEqual(['/data:size=2g']);
    expect(runner.command).toContain('influxdb=http://influxdb:8086/k6');
    expect(runner.environment.RUN_NAME).toBe('nightly');
    expect(compose.services['runner-1'].depends_on).toEqual({ influxdb: { condition: 'service_healthy' } });
  });
});

describe('k6-suite generate: Kubernetes', () => {
  it.each(presets)(
    'preset %s: every object decodes strictly, the TestRun passes the CRD schema; N runners, limits, tmpfs, per-instance folders',
    async (preset) => {
      const p = PRESETS[preset];
      const dir = await generate(['--platform', 'kubernetes', '--preset', preset, '--tmpfs', '-e', 'TARGET_URL=http://target:8080', '-e', `API_KEY=${SECRET}`]);
      const ok = deployCheck(['kubernetes', join(dir, 'kubernetes'), CRD]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('4 object(s)');
      const reader = deployCheck(['kubernetes', join(dir, 'results-reader.yaml')]);
      expect(reader.status, reader.stderr).toBe(0);

      const testRun = parse(readFileSync(join(dir, 'kubernetes/30-testrun.yaml'), 'utf8'));
      expect(testRun).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', spec: { parallelism: p.workers } });
      const { spec } = testRun;
      expect(spec.script.configMap).toEqual({ name: 'health-distributed-script', file: 'health.js' });
      expect(spec.arguments).toContain('--out json=/results/k6.json.gz');
      expect(spec.arguments).toContain('--tag script=health --tag run=distributed --tag testid=');
      expect(spec.arguments).not.toContain('execution-segment'); // the operator sets each runner's
      expect(spec.cleanup).toBeUndefined(); // the results must stay
      const cpu = { small: '500m', medium: '1', large: '2' }[preset];
      expect(spec.runner.resources).toEqual({ limits: { cpu, memory: p.memoryLimit }, requests: { cpu, memory: p.memoryLimit } });
      expect(spec.runner.volumeMounts).toContainEqual({ name: 'results', mountPath: '/results', subPathExpr: '$(INSTANCE_ID)' });
      expect(spec.runner.volumes).toContainEqual({ name: 'data', emptyDir: { medium: 'Memory', sizeLimit: p.tmpfsSize } });
      const env = spec.runner.env as Array<{ name: string; value?: string; valueFrom?: unknown }>;
      expect(env).toContainEqual({ name: 'INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      expect(env).toContainEqual({ name: 'RESULTS_DIR', value: '/results' });
      expect(env).toContainEqual({ name: 'INSTANCE_COUNT', value: String(p.workers) });
      expect(env).toContainEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'health-distributed-secrets', key: 'API_KEY' } } });
      const configMap = parse(readFileSync(join(dir, 'kubernetes/10-script-configmap.yaml'), 'utf8'));
      expect(configMap.data['health.js']).toBe(readFileSync(join(PROJECT_ROOT, 'dist/health.js'), 'utf8'));
      const pvc = parse(readFileSync(join(dir, 'kubernetes/20-results-pvc.yaml'), 'utf8'));
      expect(pvc.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } });
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readme).toContain('kubectl apply --server-side -f kubernetes/');
      expect(readme).toContain("--for=jsonpath='{.status.stage}'=finished");
      expect(readme).toContain('kubectl -n loadtest create secret generic health-distributed-secrets --from-literal=API_KEY=');
      for (const path of filesUnder(dir)) expect(readFileSync(path, 'utf8'), path).not.toContain(SECRET);
    },
  );

  it('--archive puts a k6 archive of the bundle in binaryData; --namespace, --results-size and --influxdb-url apply', async () => {
    const dir = await generate([
      '--platform',
      'both',
      '--archive',
      '--namespace',
      'perf',
      '--results-size',
      '5Gi',
      '--influxdb-url',
      'http://influxdb.monitoring:8086/k6',
      '-e',
      'TARGET_URL=http://target:8080',
    ]);
    const ok = deployCheck(['kubernetes', join(dir, 'kubernetes'), CRD]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(deployCheck(['compose', join(dir, 'docker-compose.loadtest.yml')]).status).toBe(0);
    const configMap = parse(readFileSync(join(dir, 'kubernetes/10-script-configmap.yaml'), 'utf8'));
    const tar = Buffer.from(configMap.binaryData['health.tar'], 'base64');
    expect(tar.subarray(0, 512).toString('latin1')).toContain('metadata.json');
    expect(configMap.data).toBeUndefined();
    const testRun = parse(readFileSync(join(dir, 'kubernetes/30-testrun.yaml'), 'utf8'));
    expect(testRun.metadata.namespace).toBe('perf');
    expect(testRun.spec.script.configMap.file).toBe('health.tar');
    expect(testRun.spec.arguments).toContain('--out influxdb=http://influxdb.monitoring:8086/k6');
    expect(parse(readFileSync(join(dir, 'kubernetes/20-results-pvc.yaml'), 'utf8')).spec.resources.requests.storage).toBe('5Gi');
  });
});

describe('deploy-check can fail', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await generate(['--platform', 'both']);
  });
  /** A copy of a generated file changed by `edit`, in a folder of its own; returns the folder and the file. */
  const variant = (file: string, edit: (text: string) => string) => {
    const out = join(scratch.dir, `variant-${++counter}`);
    mkdirSync(out);
    const path = join(out, file.split('/').at(-1)!);
    const text = readFileSync(join(dir, file), 'utf8');
    const changed = edit(text);
    expect(changed).not.toBe(text);
    writeFileSync(path, changed);
    return path;
  };

  it('a misspelled Compose key is rejected, named', () => {
    const path = variant('docker-compose.loadtest.yml', (t) => t.replace('    deploy:', '    deplyo:'));
    const out = deployCheck(['compose', path]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('deplyo');
  });

  it('a TestRun with an unknown field is rejected, its path named', () => {
    const path = variant('kubernetes/30-testrun.yaml', (t) => t.replace('  runner:\n', '  runner:\n    cpuLimit: "2"\n'));
    const out = deployCheck(['kubernetes', path, CRD]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/spec\.runner\.cpuLimit: unknown field/);
  });

  it('a TestRun with a wrong type (parallelism: "two") is rejected, named', () => {
    const path = variant('kubernetes/30-testrun.yaml', (t) => t.replace(/parallelism: \d+/, 'parallelism: two'));
    const out = deployCheck(['kubernetes', path, CRD]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/spec\.parallelism.*integer/);
  });

  it('a ConfigMap with an unknown field, an invalid quantity and an unknown kind are rejected, named', () => {
    const configMap = deployCheck(['kubernetes', variant('kubernetes/10-script-configmap.yaml', (t) => t.replace('\ndata:\n', '\ndatas: {}\ndata:\n')), CRD]);
    expect(configMap.status).toBe(1);
    expect(configMap.stderr).toContain('unknown field "datas"');
    const pvc = deployCheck(['kubernetes', variant('kubernetes/20-results-pvc.yaml', (t) => t.replace('storage: 1Gi', 'storage: lots')), CRD]);
    expect(pvc.status).toBe(1);
    expect(pvc.stderr).toContain('quantities must match the regular expression');
    const kind = deployCheck(['kubernetes', variant('kubernetes/00-namespace.yaml', (t) => t.replace('kind: Namespace', 'kind: Deployment')), CRD]);
    expect(kind.status).toBe(1);
    expect(kind.stderr).toContain('unknown apiVersion/kind v1 Deployment');
    // a TestRun without the CRD to check it against is not waved through
    expect(deployCheck(['kubernetes', join(dir, 'kubernetes')]).stderr).toContain('unknown apiVersion/kind k6.io/v1alpha1 TestRun');
  });
});

describe('k6-suite generate: bad options', () => {
  it.each([
    [['-s', 'nope'], /--script 'nope' is not valid: one of the scripts of the family manifests: .*health/],
    [['-s', 'health', '--workers', '65'], /--workers '65' is not valid: a whole number from 1 to 64/],
    [['-s', 'health', '--workers', '1.5'], /--workers '1.5' is not valid/],
    [['-s', 'health', '--cpu-limit', '0'], /--cpu-limit '0' is not valid: a number of cores more than 0/],
    [['-s', 'health', '--memory-limit', '512m'], /--memory-limit '512m' is not valid: a Kubernetes quantity/],
    [['-s', 'health', '--tmpfs-size', 'big'], /--tmpfs-size 'big' is not valid: a whole number with a binary unit/],
    [['-s', 'health', '-e', 'NOEQUALS'], /-e\/--env 'NOEQUALS' is not valid: NAME=value/],
    [['-s', 'health', '-e', 'RUN_NAME=x'], /RUN_NAME is set on every runner by the generator \(use --run\)/],
    [['-s', 'health', '--platform', 'kubernetes', '--influxdb'], /--influxdb .* give --influxdb-url/],
    [['-s', 'health', '--archive'], /--archive 'true' is not valid: it applies to the Kubernetes files only/],
    [['-s', 'health', '--preset', 'huge'], /--preset takes one of small, medium, large/],
    [
      ['-s', 'health', '--influxdb-url', 'http://admin:hunter2@influx:8086/k6'],
      /--influxdb-url '\(a URL with credentials, not shown\)' is not valid: .*K6_INFLUXDB_PASSWORD/,
    ],
  ])('%j is refused with the flag and what is allowed', async (args, message) => {
    const out = await generateFails(args);
    expect(out.code).not.toBe(0);
    expect(out.message).toMatch(message);
    expect(out.message).not.toContain('hunter2');
  });
  it('an --output-dir that is a file is named', async () => {
    const file = join(scratch.dir, 'a-file');
    writeFileSync(file, 'x');
    const out = await generateFails(['-s', 'health', '-o', file]);
    expect(out.code).toBe(2);
    expect(out.message).toMatch(/--output-dir '.*a-file' is not valid: a folder \(this is a file\)/);
  });
});

describe('k6-suite generate again into the same folder', () => {
  it("removes the earlier generation's files that this one does not write, and only those", async () => {
    const dir = await generate(['--platform', 'both', '--workers', '4']);
    writeFileSync(join(dir, 'mine.txt'), 'a file of the user');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['generate', '-s', 'health', '-o', dir, '--platform', 'compose', '--workers', '2'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(existsSync(join(dir, 'kubernetes'))).toBe(true); // the folder stays; its generated files went
    expect(filesUnder(join(dir, 'kubernetes'))).toEqual([]);
    expect(existsSync(join(dir, 'mine.txt'))).toBe(true);
    expect(readFileSync(join(dir, 'docker-compose.loadtest.yml'), 'utf8')).not.toContain('3/4:1'); // the 4-way split's last segment: this generation's
  });
});

describe('the generated Compose runners, run as written', () => {
  let target: RunningTarget;
  beforeAll(async () => {
    target = await startPaymentsSandbox();
  });
  afterAll(async () => {
    await target.close();
  });

  it("each runner's command and environment, run by the real k6, write its own folder; the aggregate merges exactly what the target served", async () => {
    const dir = await generate(['--workers', '2', '-e', 'LOAD_PROFILE=tps100', '-e', 'STEADY_STATE_DURATION=3s', '-e', 'TARGET_URL=PLACEHOLDER']);
    const compose = parse(readFileSync(join(dir, 'docker-compose.loadtest.yml'), 'utf8')) as Compose;
    const results = join(dir, 'results');
    // the container's paths on this machine: /results -> ./results, /scripts -> dist/; what Compose would interpolate, interpolated
    const local = (value: string) =>
      value
        .replace(/\$\{TEST_ID:-([^}]+)\}/, '$1')
        .replace('/results', results)
        .replace('/scripts/', `${join(PROJECT_ROOT, 'dist')}/`)
        .replace('PLACEHOLDER', target.url);
    const runs = await Promise.all(
      Object.entries(compose.services).map(([name, s]) => {
        const command = s.command.map(local);
        expect(command.slice(0, 2)).toEqual(['k6', 'run']);
        const env = Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, local(v)]));
        mkdirSync(env.RESULTS_DIR, { recursive: true }); // the image's entrypoint does this
        return runK6({ script: command.at(-1)!, args: [...command.slice(2, -1), '--quiet'], env, cwd: env.RESULTS_DIR }).then((r) => ({ name, ...r }));
      }),
    );
    for (const r of runs) expect(r.exitCode, `${r.name}: ${r.stderr.slice(-1500)}`).toBe(0);
    for (const name of ['runner-1', 'runner-2']) {
      expect(existsSync(join(results, name, 'k6.json.gz')), name).toBe(true);
      const result = readResult(join(results, name, 'distributed_health.json'));
      expect(result.meta).toMatchObject({ script: 'health', run: 'distributed' });
    }
    const merged = await aggregateDir(results);
    expect(merged.instances.map((i) => i.instance)).toEqual(['runner-1', 'runner-2']);
    expect(merged.counters.http_reqs).toBe(target.stats().served.health);
    expect(merged.total.iterations).toBeGreaterThanOrEqual(290);
  });

  /**
   * The TestRun's runners as the k6-operator starts them: `k6 run` with spec.arguments (split at
   * spaces), its execution segment and `--tag instance_id=<n> --tag job_name=...`, the runner's env with
   * INSTANCE_ID = the pod's name, /results = the volume's folder of that name (subPathExpr). Returns the
   * runs and the volume's folder.
   */
  async function runAsOperator(extra: string[]) {
    target.reset();
    const dir = await generate([
      '--platform',
      'kubernetes',
      '--workers',
      '2',
      '-e',
      'LOAD_PROFILE=tps100',
      '-e',
      'STEADY_STATE_DURATION=3s',
      '-e',
      `TARGET_URL=${target.url}`, // with --archive, k6 archive runs the script's init: the settings are checked at generation
      ...extra,
    ]);
    const testRun = parse(readFileSync(join(dir, 'kubernetes/30-testrun.yaml'), 'utf8'));
    const configMap = parse(readFileSync(join(dir, 'kubernetes/10-script-configmap.yaml'), 'utf8'));
    const file = testRun.spec.script.configMap.file as string;
    const script = join(dir, file); // the operator mounts the ConfigMap at /test
    writeFileSync(script, configMap.data ? configMap.data[file] : Buffer.from(configMap.binaryData[file], 'base64'));
    const volume = join(dir, 'volume');
    const { segments, sequence } = { segments: ['0:1/2', '1/2:1'], sequence: '0,1/2,1' };
    const runs = await Promise.all(
      segments.map((segment, i) => {
        const pod = `${testRun.metadata.name}-${i + 1}-x7k2p`; // the Job's pod
        const folder = join(volume, pod); // subPathExpr: $(INSTANCE_ID) = the pod's name (the kubelet creates it)
        mkdirSync(folder, { recursive: true });
        const env = Object.fromEntries(
          (testRun.spec.runner.env as Array<{ name: string; value?: string }>).map((e) => [
            e.name,
            e.name === 'INSTANCE_ID' ? pod : e.name === 'RESULTS_DIR' ? folder : (e.value ?? ''),
          ]),
        );
        const args = (testRun.spec.arguments as string).split(' ').map((a) => a.replace('/results', folder));
        const operator = [
          '--quiet',
          `--execution-segment=${segment}`,
          `--execution-segment-sequence=${sequence}`,
          '--tag',
          `instance_id=${i + 1}`,
          '--tag',
          `job_name=${testRun.metadata.name}-${i + 1}`,
        ];
        return runK6({ script, args: [...args, ...operator], env, cwd: folder });
      }),
    );
    return { runs, volume };
  }

  it("the TestRun's runners as the k6-operator starts them (arguments, segment and tags, env with the pod's name, /results on the pod's subPath) write their own folders", async () => {
    const { runs, volume } = await runAsOperator([]);
    for (const r of runs) expect(r.exitCode, r.stderr.slice(-1500)).toBe(0);
    const merged = await aggregateDir(volume);
    expect(merged.instances).toHaveLength(2);
    expect(merged.counters.http_reqs).toBe(target.stats().served.health);
    for (const i of merged.instances) expect(existsSync(join(volume, i.instance, 'distributed_health.json')), i.instance).toBe(true);
  });

  // a run of a k6 archive sees only the archive's files through open(): the settings stage must still pass
  it('--archive: the runners from a k6 archive pass the settings stage', async () => {
    const { runs } = await runAsOperator(['--archive']);
    for (const r of runs) expect(r.exitCode, r.stderr.slice(-1500)).toBe(0);
  });

  it('tools/deploy-check is gofmt- and go vet-clean', () => {
    const cwd = join(PROJECT_ROOT, 'tools/deploy-check');
    expect(execFileSync('gofmt', ['-l', '.'], { cwd, encoding: 'utf8' })).toBe('');
    execFileSync('go', ['vet', './...'], { cwd, env: { ...process.env, GOSUMDB: 'off', GOFLAGS: '-mod=mod' }, stdio: 'pipe' });
  }, 180_000);
});
