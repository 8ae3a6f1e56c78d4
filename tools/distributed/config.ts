// The one typed description of a distributed run (seed 002's `generate`) from which both platforms'
// files are written: Docker Compose (./compose.ts) and Kubernetes with the k6-operator (./kubernetes.ts).
// Every value a user gives is checked here, once, with an error that names the flag and what it takes;
// the generators only translate (sizes into each platform's notation, secrets into references).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { RUN_NAME_ALLOWED, RUN_NAME_PATTERN, defaultTestId } from '../../src/shared/result.ts';
import { SCRIPTS, bundleOf, scriptManifest } from '../../src/shared/families/index.ts';
import { PROJECT_ROOT } from '../k6.ts';
import { executionSegments } from './segments.ts';

export { executionSegments };

/** Seed 002's presets (per worker): workers, CPU limit in cores, memory limit and tmpfs size (Kubernetes quantities). */
export const PRESETS = {
  small: { workers: 2, cpuLimit: '0.5', memoryLimit: '512Mi', tmpfsSize: '256Mi' },
  medium: { workers: 4, cpuLimit: '1.0', memoryLimit: '1Gi', tmpfsSize: '1Gi' },
  large: { workers: 8, cpuLimit: '2.0', memoryLimit: '4Gi', tmpfsSize: '4Gi' },
} as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
export const DEFAULT_PRESET: PresetName = 'small';

export const PLATFORMS = ['compose', 'kubernetes', 'both'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const DEFAULT_RUN = 'distributed';
export const DEFAULT_IMAGE = 'k6-regression-suite:local';
export const DEFAULT_NAMESPACE = 'loadtest';
export const DEFAULT_RESULTS_SIZE = '1Gi';
export const DEFAULT_OUTPUT_DIR = 'loadtest-output';
/** The InfluxDB 1.x service `--influxdb` adds to the Compose file, and the URL its runners write to (database k6). */
export const COMPOSE_INFLUXDB = { image: 'influxdb:1.8', service: 'influxdb', url: 'http://influxdb:8086/k6' } as const;
/** Where the results folder, the tmpfs and the bundles are inside a runner's container. */
export const PATHS = { results: '/results', data: '/data', scripts: '/scripts' } as const;
/** The uid/gid the image's non-root user has (the Dockerfile creates it; Kubernetes runs the runners as it). */
export const RUNNER_UID = 10001;
/** A -e NAME whose name contains one of these (any case) is a secret: referenced, never written in clear. */
export const SECRET_NAME_PARTS = ['TOKEN', 'KEY', 'SECRET', 'PASSWORD'] as const;

/** Variables the generator sets on every runner itself (a -e of one of them is refused; TEST_ID is allowed: it names the run's test id). */
export const RUNNER_VARIABLES = [
  'K6_SUITE_SCRIPT',
  'RUN_NAME',
  'RESULTS_DIR',
  'INSTANCE_ID',
  'INSTANCE_INDEX',
  'INSTANCE_COUNT',
  'DATA_DIR',
  'K6_NO_USAGE_REPORT',
  'K6_AUTO_EXTENSION_RESOLUTION',
] as const;

/** The raw options of `k6-suite generate`, as commander parses them (strings, repeatable -e). */
export interface GenerateOptions {
  script?: string;
  run?: string;
  preset?: string;
  workers?: string | number;
  cpuLimit?: string | number;
  memoryLimit?: string;
  tmpfs?: boolean;
  tmpfsSize?: string;
  image?: string;
  env?: string[];
  influxdb?: boolean;
  influxdbUrl?: string;
  namespace?: string;
  archive?: boolean;
  resultsSize?: string;
  platform?: string;
}

/** A size both platforms take: bytes, the Kubernetes quantity (`512Mi`) and Docker's notation (`512m`, binary units). */
export interface Size {
  bytes: number;
  kubernetes: string;
  docker: string;
}

/** One `-e NAME=value` setting of the script; `secret` ones are written as references only. */
export interface EnvSetting {
  name: string;
  value: string;
  secret: boolean;
}

/** Everything both generators need; built and validated by resolveConfig. */
export interface DistributedConfig {
  /** The script of the family manifests (`K6_SUITE_SCRIPT`). */
  script: string;
  /** Its bundle: `dist/<name>.js` in the project (`file`, relative to the project root), with the `-e` settings that select the script in it. */
  bundle: { name: string; env: Record<string, string>; file: string };
  /** RUN_NAME of every instance (the aggregate's `--run`). */
  run: string;
  /** TEST_ID of every instance and their `--tag testid` (from `-e TEST_ID=...`, else `<script>-<run>-<timestamp>` at generation). */
  testId: string;
  preset: PresetName;
  /** Number of instances, 1..64, and their execution segments (instance i: `segments[i]`) and common sequence. */
  workers: number;
  segments: string[];
  sequence: string;
  /** CPU limit per instance: millicores, Compose's `cpus` (cores, `0.5`) and the Kubernetes quantity (`500m`, `2`). */
  cpu: { millicores: number; cores: string; kubernetes: string };
  /** Memory limit per instance (requests = limits in Kubernetes). */
  memory: Size;
  /** The memory-backed /data folder per instance (DATA_DIR), when on. */
  tmpfs?: Size;
  image: string;
  /** The script's own settings, in the order given (a later NAME replaces an earlier one). */
  env: EnvSetting[];
  /** k6's InfluxDB 1.x output: `--out influxdb=<url>`; `service`: the Compose file starts its own influxdb:1.8. */
  influxdb?: { url: string; service: boolean };
  platform: Platform;
  kubernetes: {
    namespace: string;
    /** Prefix of every object's name (DNS-1123): `<prefix>` (TestRun), `<prefix>-script`, `<prefix>-results`, `<prefix>-secrets`, `<prefix>-results-reader`. */
    prefix: string;
    /** The results PVC's requested storage. */
    resultsSize: Size;
    /** The ConfigMap holds a `k6 archive` tar (binaryData) instead of the bundle. */
    archive: boolean;
  };
}

/** A bad option: its message names the flag, the value and what is allowed (the CLI prints it, exit 2). */
export class ConfigError extends Error {
  constructor(flag: string, value: unknown, allowed: string) {
    super(`${flag} '${String(value)}' is not valid: ${allowed}`);
    this.name = 'ConfigError';
  }
}

const KI = 1024;
const BINARY: Record<string, number> = { Ki: KI, Mi: KI ** 2, Gi: KI ** 3, Ti: KI ** 4, Pi: KI ** 5 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const DOCKER: Record<string, number> = { k: KI, m: KI ** 2, g: KI ** 3, t: KI ** 4 };

/** Bytes in the largest exact binary unit: `${n}Gi`, `${n}Mi`, `${n}Ki` or plain bytes (a Kubernetes quantity). */
export function kubernetesSize(bytes: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki']) if (bytes % BINARY[unit] === 0) return `${bytes / BINARY[unit]}${unit}`;
  return String(bytes);
}

/** Bytes in Docker's notation (binary units, as `deploy.resources.limits.memory` and tmpfs `size=` read them): `4g`, `512m`, `64k` or plain bytes. */
export function dockerSize(bytes: number): string {
  for (const unit of ['t', 'g', 'm', 'k']) if (bytes % DOCKER[unit] === 0) return `${bytes / DOCKER[unit]}${unit}`;
  return String(bytes);
}

const sizeOf = (bytes: number): Size => ({ bytes, kubernetes: kubernetesSize(bytes), docker: dockerSize(bytes) });

/**
 * A memory limit, as a Kubernetes quantity: a whole number of bytes, or a number with a binary (`Ki`,
 * `Mi`, `Gi`, `Ti`, `Pi`) or decimal (`k`, `M`, `G`, `T`, `P`) suffix. Throws ConfigError (naming
 * `flag`) for anything else, e.g. `512m` (in Kubernetes `m` means thousandths), or for less than 6 MiB
 * (Docker's minimum).
 */
export function parseMemory(value: string, flag = '--memory-limit'): Size {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(String(value).trim());
  const allowed = 'a Kubernetes quantity: bytes with a binary suffix Ki, Mi, Gi, Ti (512Mi, 4Gi) or a decimal one k, M, G, T (500M), at least 6Mi';
  if (!m) throw new ConfigError(flag, value, allowed);
  const bytes = Number(m[1]) * (m[2] ? (BINARY[m[2]] ?? DECIMAL[m[2]]) : 1);
  if (!Number.isInteger(bytes) || bytes < 6 * KI ** 2) throw new ConfigError(flag, value, allowed);
  return sizeOf(bytes);
}

/**
 * A size for the tmpfs or the results volume: a whole number with a binary suffix, written either the
 * Kubernetes way (`256Mi`, `1Gi`) or Docker's (`512m`, `2g`: also binary). Throws ConfigError (naming
 * `flag`) otherwise or for less than 1 MiB.
 */
export function parseSize(value: string, flag: string): Size {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|m|g|t)$/.exec(String(value).trim());
  const allowed = 'a whole number with a binary unit, like 512Mi, 1Gi, 512m or 2g (k, m, g, t mean KiB, MiB, GiB, TiB, as in Docker), at least 1Mi';
  if (!m) throw new ConfigError(flag, value, allowed);
  const bytes = Number(m[1]) * (BINARY[m[2]] ?? DOCKER[m[2]]);
  if (bytes < KI ** 2) throw new ConfigError(flag, value, allowed);
  return sizeOf(bytes);
}

/** A CPU limit in cores (`0.5`, `2`, at most 3 decimals) or millicores (`500m`), more than 0. Throws ConfigError naming `flag`. */
export function parseCpu(value: string | number, flag = '--cpu-limit'): DistributedConfig['cpu'] {
  const text = String(value).trim();
  const milli = /^(\d+)m$/.exec(text);
  const cores = /^\d+(\.\d{1,3})?$/.test(text) ? Number(text) : undefined;
  const millicores = milli ? Number(milli[1]) : cores !== undefined ? Math.round(cores * 1000) : Number.NaN;
  if (!(millicores > 0)) throw new ConfigError(flag, value, 'a number of cores more than 0 (0.5, 1, 2.0; at most 3 decimals) or millicores (500m)');
  return {
    millicores,
    cores: String(millicores / 1000),
    kubernetes: millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`,
  };
}

/** The number of instances: a whole number from 1 to 64. Throws ConfigError naming `flag`. */
export function parseWorkers(value: string | number, flag = '--workers'): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || n < 1 || n > 64) throw new ConfigError(flag, value, 'a whole number from 1 to 64');
  return n;
}

/** Whether a variable holds a secret by its name (TOKEN, KEY, SECRET or PASSWORD in it, any case). */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return SECRET_NAME_PARTS.some((part) => upper.includes(part));
}

/** Whether a value is a credential whatever its variable's name: an Authorization header value (`Bearer ...`, `Basic ...`) or a URL with a user or password. */
export function isSecretValue(value: string): boolean {
  return /^\s*(Bearer|Basic|Token)\s+\S/i.test(value) || /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value);
}

/**
 * `-e NAME=value` settings, in order (a repeated NAME keeps its last value, in its first place).
 * NAME is a shell variable name; the value may be empty and may hold `=`. Throws ConfigError for a bad
 * one or for a variable the generator sets itself (RUNNER_VARIABLES, the bundle's `reserved`).
 */
export function parseEnv(pairs: readonly string[], reserved: readonly string[] = []): EnvSetting[] {
  const settings = new Map<string, EnvSetting>();
  for (const pair of pairs) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!m) throw new ConfigError('-e/--env', pair, 'NAME=value, NAME letters, digits and _ not starting with a digit (e.g. -e TARGET_URL=http://host:8080)');
    const [, name, value] = m;
    if ((RUNNER_VARIABLES as readonly string[]).includes(name) || reserved.includes(name)) {
      const hint = name === 'RUN_NAME' ? ' (use --run)' : '';
      throw new ConfigError('-e/--env', pair, `${name} is set on every runner by the generator${hint}; allowed are the script's own settings`);
    }
    settings.set(name, { name, value, secret: isSecretName(name) || isSecretValue(value) });
  }
  return [...settings.values()];
}

/**
 * The project's results folder (its baselines and history) as a command run in the output folder names
 * it: relative when the output folder (`outputDir`, as seen from the project root) is inside the project.
 */
export function projectResults(outputDir: string): string {
  return isAbsolute(outputDir) ? join(PROJECT_ROOT, 'results') : relative(outputDir, 'results');
}

/** A DNS-1123 name from free text: lower case, `[a-z0-9-]`, at most `max` characters, never empty. */
export function dnsName(text: string, max = 40): string {
  const full = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (full === text && full.length <= max) return full || 'k6';
  // changed or cut: a hash of the text keeps two different texts apart (a long run name cut to the same prefix)
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 6);
  const head = full.slice(0, max - hash.length - 1).replace(/-+$/g, '');
  return head ? `${head}-${hash}` : `k6-${hash}`;
}

/**
 * Builds the run's config from the options: the preset (default `small`) gives workers, CPU, memory
 * and tmpfs size; an explicit option replaces its value. `--tmpfs-size` implies `--tmpfs`. Throws
 * ConfigError naming the first bad option (an unknown script lists the known ones; a script whose
 * bundle is not built says how to build it). `now` fixes the generated test id (tests).
 */
export function resolveConfig(options: GenerateOptions, now = new Date()): DistributedConfig {
  const platform = (options.platform ?? 'compose') as Platform;
  if (!PLATFORMS.includes(platform)) throw new ConfigError('--platform', options.platform, `one of ${PLATFORMS.join(', ')}`);
  if (!options.script) throw new ConfigError('--script', '', `name the script to run, one of ${SCRIPTS.map((s) => s.name).join(', ')}`);
  const manifest = scriptManifest(options.script);
  if (!manifest) throw new ConfigError('--script', options.script, `one of the scripts of the family manifests: ${SCRIPTS.map((s) => s.name).join(', ')}`);
  const bundle = bundleOf(manifest);
  const file = `dist/${bundle.name}.js`;
  if (!existsSync(join(PROJECT_ROOT, file))) {
    throw new ConfigError('--script', options.script, `its bundle ${file} is not built: run "npm run build" first`);
  }
  const run = options.run ?? DEFAULT_RUN;
  if (!RUN_NAME_PATTERN.test(run)) throw new ConfigError('--run', run, RUN_NAME_ALLOWED);
  const presetName = (options.preset ?? DEFAULT_PRESET) as PresetName;
  if (!PRESET_NAMES.includes(presetName)) {
    throw new ConfigError('--preset', options.preset, `one of ${PRESET_NAMES.map((p) => `${p} (${describePreset(p)})`).join('; ')}`);
  }
  const preset = PRESETS[presetName];
  const workers = parseWorkers(options.workers ?? preset.workers);
  const { segments, sequence } = executionSegments(workers);
  const env = parseEnv(options.env ?? [], Object.keys(bundle.env));
  const testIdSetting = env.find((e) => e.name === 'TEST_ID');
  if (testIdSetting && !/^[A-Za-z0-9._:-]+$/.test(testIdSetting.value)) {
    throw new ConfigError('-e TEST_ID', testIdSetting.value, 'letters, digits, ".", "_", ":" or "-"');
  }
  const image = options.image ?? DEFAULT_IMAGE;
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(image))
    throw new ConfigError('--image', image, 'an image reference like k6-regression-suite:local or registry.example/k6:1.2');
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new ConfigError(
      '--namespace',
      namespace,
      'a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending with a letter or digit',
    );
  }
  if (platform === 'compose') {
    const kubernetesOnly = (
      [
        ['--namespace', options.namespace],
        ['--results-size', options.resultsSize],
        ['--archive', options.archive || undefined],
      ] as const
    ).find(([, v]) => v !== undefined);
    if (kubernetesOnly)
      throw new ConfigError(kubernetesOnly[0], kubernetesOnly[1], 'it applies to the Kubernetes files only: add --platform kubernetes or both');
  }
  const influxdb = resolveInfluxdb(options, platform);
  const tmpfs = options.tmpfs === true || options.tmpfsSize !== undefined;
  return {
    script: manifest.name,
    bundle: { ...bundle, file },
    run,
    testId: testIdSetting?.value ?? defaultTestId(manifest.name, run, now),
    preset: presetName,
    workers,
    segments,
    sequence,
    cpu: parseCpu(options.cpuLimit ?? preset.cpuLimit),
    memory: parseMemory(options.memoryLimit ?? preset.memoryLimit),
    tmpfs: tmpfs ? parseSize(options.tmpfsSize ?? preset.tmpfsSize, '--tmpfs-size') : undefined,
    image,
    env: env.filter((e) => e.name !== 'TEST_ID'),
    influxdb,
    platform,
    kubernetes: {
      namespace,
      prefix: dnsName(`${manifest.name}-${run}`),
      resultsSize: parseSize(options.resultsSize ?? DEFAULT_RESULTS_SIZE, '--results-size'),
      archive: options.archive === true,
    },
  };
}

/** `2 workers, 0.5 CPU, 512Mi, tmpfs 256Mi`. */
export function describePreset(name: PresetName): string {
  const p = PRESETS[name];
  return `${p.workers} workers, ${p.cpuLimit} CPU, ${p.memoryLimit}, tmpfs ${p.tmpfsSize}`;
}

/** `--influxdb` (Compose's own InfluxDB service) and `--influxdb-url` (an InfluxDB 1.x the runners reach; Kubernetes needs it). */
function resolveInfluxdb(options: GenerateOptions, platform: Platform): DistributedConfig['influxdb'] {
  if (options.influxdbUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.influxdbUrl);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || /\s/.test(options.influxdbUrl)) {
      throw new ConfigError(
        '--influxdb-url',
        options.influxdbUrl,
        'an http:// or https:// URL of an InfluxDB 1.x with the database as its path, e.g. http://influxdb.monitoring:8086/k6',
      );
    }
    if (url.username || url.password) {
      throw new ConfigError(
        '--influxdb-url',
        '(a URL with credentials, not shown)',
        'a URL without user or password (they would be written into the files): give them as -e K6_INFLUXDB_USERNAME=... -e K6_INFLUXDB_PASSWORD=..., which are kept out of the files as secrets',
      );
    }
    if (options.influxdb)
      throw new ConfigError(
        '--influxdb',
        true,
        'give either --influxdb (Compose starts its own InfluxDB) or --influxdb-url <url> (an InfluxDB you run), not both',
      );
    return { url: options.influxdbUrl, service: false };
  }
  if (!options.influxdb) return undefined;
  if (platform !== 'compose') {
    throw new ConfigError(
      '--influxdb',
      true,
      `it adds an InfluxDB service to the Compose file only; for --platform ${platform} give --influxdb-url <url> of an InfluxDB 1.x the pods reach`,
    );
  }
  return { url: COMPOSE_INFLUXDB.url, service: true };
}

/** The environment every runner gets besides its instance's own (RESULTS_DIR, INSTANCE_*): hygiene, the script, the run, the settings. */
export function commonEnv(config: DistributedConfig): Record<string, string> {
  return {
    K6_NO_USAGE_REPORT: 'true',
    K6_AUTO_EXTENSION_RESOLUTION: 'false',
    K6_SUITE_SCRIPT: config.script,
    ...config.bundle.env,
    RUN_NAME: config.run,
    TEST_ID: config.testId,
    INSTANCE_COUNT: String(config.workers),
    ...(config.tmpfs ? { DATA_DIR: PATHS.data } : {}),
  };
}

/** The k6 arguments every instance shares: the run's tags (k6's --tag replaces the script's, so script, run and testid are given again: src/lib/setup.ts) and the outputs other than the JSON stream. */
export function sharedK6Args(config: DistributedConfig, testId = config.testId): string[] {
  return [
    '--tag',
    `script=${config.script}`,
    '--tag',
    `run=${config.run}`,
    '--tag',
    `testid=${testId}`,
    ...(config.influxdb ? ['--out', `influxdb=${config.influxdb.url}`] : []),
  ];
}

/** One generated file: its path relative to the output folder and its content. */
export interface GeneratedFile {
  path: string;
  content: string | Buffer;
}
