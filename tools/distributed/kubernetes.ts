// Kubernetes manifests for the k6-operator (v1.6, TestRun k6.io/v1alpha1) from the run's config
// (./config.ts): the bundle in a ConfigMap (or a `k6 archive` tar with --archive), a ReadWriteMany
// PersistentVolumeClaim for the results, and a TestRun of `parallelism` N whose runners mount it at
// /results with `subPathExpr: $(INSTANCE_ID)` (the pod's name), so every instance writes into its own
// folder (k6.json.gz and the summary hook's files), as the Compose runners do. The operator gives each
// runner its execution segment and `--tag instance_id=<i>`, and starts them together.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document } from 'yaml';
import { K6_BIN, K6_HYGIENE_ENV, PROJECT_ROOT } from '../k6.ts';
import { PATHS, RUNNER_UID, commonEnv, projectResults, sharedK6Args, type DistributedConfig, type GeneratedFile } from './config.ts';

/** The folder of the manifests `kubectl apply --server-side -f kubernetes/` applies (in file name order). */
export const KUBERNETES_DIR = 'kubernetes';
/** The helper pod that mounts the results volume for `kubectl cp` (outside kubernetes/: applied after the run). */
export const RESULTS_READER_FILE = 'results-reader.yaml';
/** The API server's limit on a ConfigMap's data (1 MiB). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** Above this, client-side `kubectl apply` fails (its last-applied annotation is limited to 256 KiB): the README applies server-side. */
export const CLIENT_APPLY_MAX_BYTES = 256 * 1024;

/** Names of the run's objects, all from the config's prefix. */
export function objectNames(config: DistributedConfig) {
  const p = config.kubernetes.prefix;
  return { testRun: p, configMap: `${p}-script`, pvc: `${p}-results`, secret: `${p}-secrets`, reader: `${p}-results-reader` };
}

const labels = (config: DistributedConfig) => ({
  'app.kubernetes.io/part-of': 'k6-regression-suite',
  'app.kubernetes.io/instance': config.kubernetes.prefix,
});
const meta = (config: DistributedConfig, name: string) => ({ name, namespace: config.kubernetes.namespace, labels: labels(config) });
const securityContext = { runAsNonRoot: true, runAsUser: RUNNER_UID, runAsGroup: RUNNER_UID, fsGroup: RUNNER_UID };

/**
 * The script's ConfigMap payload: the bundle as text (`data`, key `<bundle>.js`), or with --archive a
 * `k6 archive` tar of it (`binaryData`, key `<bundle>.tar`) made by bin/k6 with the run's non-secret
 * settings (k6 freezes the script's options, e.g. the load profile, into the archive; the runners'
 * environment still applies at run time). Throws when it is over the ConfigMap limit of 1 MiB, or when
 * k6 archive fails (its output in the message).
 */
export function scriptPayload(config: DistributedConfig): { file: string; data?: Record<string, string>; binaryData?: Record<string, string>; bytes: number } {
  if (!config.kubernetes.archive) {
    const file = `${config.bundle.name}.js`;
    const text = readFileSync(join(PROJECT_ROOT, config.bundle.file), 'utf8');
    checkSize(config.bundle.file, Buffer.byteLength(text) + file.length);
    return { file, data: { [file]: text }, bytes: Buffer.byteLength(text) };
  }
  const file = `${config.bundle.name}.tar`;
  const tar = k6Archive(config);
  checkSize(`the k6 archive of ${config.bundle.file}`, tar.length + file.length);
  return { file, binaryData: { [file]: tar.toString('base64') }, bytes: tar.length };
}

function checkSize(what: string, bytes: number): void {
  if (bytes > CONFIGMAP_MAX_BYTES) {
    throw new Error(
      `${what} is ${bytes} bytes, over the ConfigMap limit of ${CONFIGMAP_MAX_BYTES} (1 MiB): the TestRun cannot carry it in a ConfigMap (put it on a volume: spec.script.volumeClaim)`,
    );
  }
}

/** `bin/k6 archive` of the bundle with the run's non-secret settings (`-e`, stored in the archive); the tar's bytes. */
function k6Archive(config: DistributedConfig): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'k6-suite-archive-'));
  try {
    const settings: Record<string, string> = { ...commonEnv(config), INSTANCE_ID: 'archive' };
    for (const e of config.env) if (!e.secret) settings[e.name] = e.value;
    const args = ['archive', '--quiet', '-O', join(dir, 'archive.tar'), ...Object.entries(settings).flatMap(([k, v]) => ['-e', `${k}=${v}`])];
    try {
      execFileSync(K6_BIN, [...args, join(PROJECT_ROOT, config.bundle.file)], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...K6_HYGIENE_ENV },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
    } catch (error) {
      const e = error as { stderr?: Buffer; message: string };
      throw new Error(`--archive: ${K6_BIN} archive failed: ${e.stderr?.toString().trim() || e.message}`);
    }
    return readFileSync(join(dir, 'archive.tar'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A runner's environment as Kubernetes EnvVars: fixed values, INSTANCE_ID from the pod's name, secrets from `<prefix>-secrets`. */
export function runnerEnv(config: DistributedConfig): Array<Record<string, unknown>> {
  const fixed = { ...commonEnv(config), RESULTS_DIR: PATHS.results };
  return [
    ...Object.entries(fixed).map(([name, value]) => ({ name, value })),
    { name: 'INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ...config.env.map((e) =>
      e.secret ? { name: e.name, valueFrom: { secretKeyRef: { name: objectNames(config).secret, key: e.name } } } : { name: e.name, value: e.value },
    ),
  ];
}

/** The TestRun's `spec.arguments`: k6's arguments but the segment and instance tag (the operator adds those). One string split at spaces by the operator: no value holds a space. */
export function testRunArguments(config: DistributedConfig): string {
  return ['--out', `json=${PATHS.results}/k6.json.gz`, ...sharedK6Args(config)].join(' ');
}

/**
 * The TestRun (k6.io/v1alpha1): parallelism N, the script's ConfigMap, the arguments, and the runner:
 * image, env, resources (requests = limits: CPU and memory per instance), the results volume at
 * /results with `subPathExpr: $(INSTANCE_ID)`, and with tmpfs an `emptyDir {medium: Memory}` at /data.
 * No `cleanup: post`: the runners' pods stay with their logs; the results are on the volume.
 */
export function testRunModel(config: DistributedConfig, scriptFile: string): Record<string, unknown> {
  const names = objectNames(config);
  const resources = { cpu: config.cpu.kubernetes, memory: config.memory.kubernetes };
  return {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(config, names.testRun),
    spec: {
      parallelism: config.workers,
      script: { configMap: { name: names.configMap, file: scriptFile } },
      arguments: testRunArguments(config),
      runner: {
        image: config.image,
        imagePullPolicy: 'IfNotPresent',
        securityContext,
        env: runnerEnv(config),
        resources: { limits: resources, requests: resources },
        volumes: [
          { name: 'results', persistentVolumeClaim: { claimName: names.pvc } },
          ...(config.tmpfs ? [{ name: 'data', emptyDir: { medium: 'Memory', sizeLimit: config.tmpfs.kubernetes } }] : []),
        ],
        volumeMounts: [
          { name: 'results', mountPath: PATHS.results, subPathExpr: '$(INSTANCE_ID)' },
          ...(config.tmpfs ? [{ name: 'data', mountPath: PATHS.data }] : []),
        ],
      },
    },
  };
}

/** The helper pod that mounts the results volume read-only, for `kubectl cp` (the runners' image: it has tar). */
export function resultsReaderModel(config: DistributedConfig): Record<string, unknown> {
  const names = objectNames(config);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(config, names.reader),
    spec: {
      securityContext,
      restartPolicy: 'Never',
      containers: [
        {
          name: 'reader',
          image: config.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', 'infinity'],
          resources: { limits: { cpu: '100m', memory: '64Mi' } },
          volumeMounts: [{ name: 'results', mountPath: PATHS.results, readOnly: true }],
        },
      ],
      volumes: [{ name: 'results', persistentVolumeClaim: { claimName: names.pvc, readOnly: true } }],
    },
  };
}

const yamlOf = (model: unknown, comment: string) => {
  const doc = new Document(model, { aliasDuplicateObjects: false });
  doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
};

/**
 * Every Kubernetes file: kubernetes/00-namespace.yaml, 10-script-configmap.yaml, 20-results-pvc.yaml,
 * 30-testrun.yaml (applied in that order), and results-reader.yaml beside the folder. Throws as
 * scriptPayload does.
 */
export function kubernetesFiles(config: DistributedConfig): GeneratedFile[] {
  const names = objectNames(config);
  const payload = scriptPayload(config);
  const header = ` k6-suite generate: ${config.script} (${config.bundle.file}), run ${config.run}, ${config.workers} instance(s) (k6-operator TestRun ${names.testRun})`;
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: config.kubernetes.namespace, labels: labels(config) } };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(config, names.configMap),
    ...(payload.data ? { data: payload.data } : { binaryData: payload.binaryData }),
  };
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(config, names.pvc),
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: config.kubernetes.resultsSize.kubernetes } } },
  };
  return [
    { path: `${KUBERNETES_DIR}/00-namespace.yaml`, content: yamlOf(namespace, header) },
    {
      path: `${KUBERNETES_DIR}/10-script-configmap.yaml`,
      content: yamlOf(configMap, `${header}\n the script: ${payload.file}, ${payload.bytes} bytes (a ConfigMap holds at most 1 MiB)`),
    },
    {
      path: `${KUBERNETES_DIR}/20-results-pvc.yaml`,
      content: yamlOf(pvc, `${header}\n every runner writes into its own folder of this volume (ReadWriteMany)`),
    },
    {
      path: `${KUBERNETES_DIR}/30-testrun.yaml`,
      content: yamlOf(
        testRunModel(config, payload.file),
        `${header}\n ${config.cpu.kubernetes} CPU, ${config.memory.kubernetes} per runner${config.tmpfs ? `, ${PATHS.data} in memory (${config.tmpfs.kubernetes})` : ''}; the operator adds each runner's execution segment and --tag instance_id`,
      ),
    },
    { path: RESULTS_READER_FILE, content: yamlOf(resultsReaderModel(config), `${header}\n apply after the run to copy the results out (kubectl cp)`) },
  ];
}

/** The Kubernetes part of the README: apply, secrets, wait for `finished`, copy the results out, aggregate. */
export function kubernetesReadme(config: DistributedConfig, outputDir: string): string {
  const names = objectNames(config);
  const ns = config.kubernetes.namespace;
  const secrets = config.env.filter((e) => e.secret).map((e) => e.name);
  const secretStep = secrets.length
    ? `kubectl -n ${ns} create secret generic ${names.secret} ${secrets.map((n) => `--from-literal=${n}="$${n}"`).join(' ')}   # the secret settings, never written in these files\n`
    : '';
  return `## Kubernetes (k6-operator)

\`${KUBERNETES_DIR}/\`: the namespace \`${ns}\`, the script in the ConfigMap \`${names.configMap}\`${config.kubernetes.archive ? ' (a `k6 archive` tar: the options, e.g. the load profile, are the ones at generation)' : ''}, the results volume
\`${names.pvc}\` (ReadWriteMany, ${config.kubernetes.resultsSize.kubernetes}: needs a storage class that offers it, e.g. NFS, CephFS, EFS, Filestore)
and the TestRun \`${names.testRun}\`: ${config.workers} runners of ${config.cpu.kubernetes} CPU and ${config.memory.kubernetes} each${config.tmpfs ? `, ${PATHS.data} in memory (emptyDir, ${config.tmpfs.kubernetes})` : ''}. Needs the
k6-operator (v1.x, TestRun \`k6.io/v1alpha1\`) installed and the image \`${config.image}\` pullable by the nodes
(built with the Dockerfile above; push it to your registry and pass \`--image\` for a real cluster).
The operator starts the runners together, gives each its execution segment and \`--tag instance_id=<n>\`;
each runner writes into its own folder of the volume, named after its pod (INSTANCE_ID; INSTANCE_INDEX is
not set: the operator does not pass the index to the pod; an empty folder, e.g. one the operator's initializer pod
made, is skipped by the aggregate; a runner's folder without its k6.json.gz is named and stops the merge). In this folder:

\`\`\`bash
kubectl apply --server-side -f ${KUBERNETES_DIR}/00-namespace.yaml
${secretStep}kubectl apply --server-side -f ${KUBERNETES_DIR}/
kubectl -n ${ns} wait testrun/${names.testRun} --for=jsonpath='{.status.stage}'=finished --timeout=2h
kubectl apply -f ${RESULTS_READER_FILE}
kubectl -n ${ns} wait pod/${names.reader} --for=condition=Ready --timeout=5m
kubectl -n ${ns} cp ${names.reader}:${PATHS.results} ./results   # ./results must not exist yet (else it lands in ./results/results)
npx k6-suite aggregate ./results                               # the merged numbers
npx k6-suite aggregate ./results -s ${config.script} -r ${config.run} --results ${projectResults(outputDir)}   # ... also as one result judged against the baseline of the project's results
kubectl delete -f ${RESULTS_READER_FILE} && kubectl delete -f ${KUBERNETES_DIR}/   # when done (the volume goes with it)
\`\`\`

\`--server-side\`: a client-side apply stores the whole object in an annotation limited to 256 KiB, too
small for a larger script. A second run: delete the TestRun (\`kubectl -n ${ns} delete testrun ${names.testRun}\`)
and apply it again; its test id is \`${config.testId}\` (change TEST_ID and \`--tag testid=\` in
\`30-testrun.yaml\`, or generate again, to record it as another run).
`;
}
