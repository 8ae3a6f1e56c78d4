// Docker Compose from the run's config (./config.ts): one service per instance, `runner-1` .. `runner-N`,
// each `k6 run` of its execution segment with its CPU and memory limits (deploy.resources.limits), an
// optional memory-backed /data (tmpfs), and its own results folder `./results/<instance>/` (the k6 JSON
// stream k6.json.gz and the summary hook's files) that `k6-suite aggregate ./results` merges. The
// image packages the project's own bin/k6 and dist/ (the Dockerfile written next to the file).
import { Document } from 'yaml';
import { COMPOSE_INFLUXDB, PATHS, RUNNER_UID, commonEnv, projectResults, sharedK6Args, type DistributedConfig, type GeneratedFile } from './config.ts';

export const COMPOSE_FILE = 'docker-compose.loadtest.yml';
export const DOCKERFILE = 'Dockerfile';
/** The variable that chooses the runners' uid:gid (default the image's user), so they can write into ./results. */
export const COMPOSE_USER_VARIABLE = 'LOADTEST_USER';

/** `runner-1` .. `runner-N`: the instance (and service) name of instance i (0-based). */
export const composeInstance = (i: number) => `runner-${i + 1}`;

/** A literal for Compose: `$` doubled, so interpolation leaves it as it is. */
const literal = (value: string) => value.replace(/\$/g, () => '$$');

/** The test id as a Compose variable with the generated one as default: `TEST_ID=<id> docker compose up` names a new run. */
const testIdExpression = (config: DistributedConfig) => `\${TEST_ID:-${config.testId}}`;

/**
 * The Compose file's model: `name`, `services` (runner-1..N, and influxdb with `--influxdb`). Each
 * runner: `command` k6 run with its segment, the sequence, `--tag instance_id=<instance>`, the run's
 * tags and `--out json=/results/<instance>/k6.json.gz`; `environment` with RESULTS_DIR, RUN_NAME,
 * INSTANCE_ID/INDEX/COUNT, the script's settings (a secret as `${NAME:?...}`, read from the shell at
 * `docker compose up`); the limits; `tmpfs: ["/data:size=<size>"]` when on; `./results:/results`.
 */
export function composeModel(config: DistributedConfig): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  const testId = testIdExpression(config);
  const shared = { ...commonEnv(config), TEST_ID: testId };
  config.segments.forEach((segment, i) => {
    const instance = composeInstance(i);
    const folder = `${PATHS.results}/${instance}`;
    const environment: Record<string, string> = {
      ...Object.fromEntries(Object.entries(shared).map(([k, v]) => [k, k === 'TEST_ID' ? v : literal(v)])),
      RESULTS_DIR: folder,
      INSTANCE_ID: instance,
      INSTANCE_INDEX: String(i),
    };
    for (const e of config.env) {
      environment[e.name] = e.secret ? `\${${e.name}:?${e.name} is a secret: export it in the shell before docker compose up}` : literal(e.value);
    }
    const command = [
      'k6',
      'run',
      '--execution-segment',
      segment,
      '--execution-segment-sequence',
      config.sequence,
      '--tag',
      `instance_id=${instance}`,
      ...sharedK6Args(config, testId).map((a) => (a.includes('${TEST_ID') ? a : literal(a))),
      '--out',
      `json=${folder}/k6.json.gz`,
      `${PATHS.scripts}/${config.bundle.name}.js`,
    ];
    services[instance] = {
      image: config.image,
      command,
      user: `\${${COMPOSE_USER_VARIABLE}:-${RUNNER_UID}:${RUNNER_UID}}`,
      environment,
      volumes: [`./results:${PATHS.results}`],
      ...(config.tmpfs ? { tmpfs: [`${PATHS.data}:size=${config.tmpfs.docker}`] } : {}),
      ...(config.influxdb?.service ? { depends_on: { [COMPOSE_INFLUXDB.service]: { condition: 'service_healthy' } } } : {}),
      deploy: { resources: { limits: { cpus: config.cpu.cores, memory: config.memory.docker } } },
    };
  });
  if (config.influxdb?.service) {
    services[COMPOSE_INFLUXDB.service] = {
      image: COMPOSE_INFLUXDB.image,
      environment: { INFLUXDB_DB: 'k6', INFLUXDB_REPORTING_DISABLED: 'true' },
      ports: ['8086:8086'],
      healthcheck: { test: ['CMD', 'influx', '-execute', 'SHOW DATABASES'], interval: '2s', timeout: '5s', retries: 30 },
    };
  }
  return { name: config.kubernetes.prefix, services };
}

/** The Compose file's text (YAML, with a header saying how it was made and how to run it). */
export function composeYaml(config: DistributedConfig): string {
  const doc = new Document(composeModel(config), { aliasDuplicateObjects: false });
  doc.commentBefore = [
    ` k6-suite generate: ${config.script} (${config.bundle.file}), run ${config.run}, ${config.workers} instance(s) with execution segments of ${config.sequence}`,
    ` ${config.cpu.cores} CPU, ${config.memory.docker} memory per instance${config.tmpfs ? `, tmpfs ${PATHS.data} ${config.tmpfs.docker}` : ''}; preset ${config.preset} unless overridden.`,
    ' Each runner writes into ./results/<instance>/ (k6.json.gz and its own result); then: k6-suite aggregate ./results',
    ' Compose starts the runners at about the same time but does not synchronise their start (the k6-operator does).',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The Dockerfile: the project's linux bin/k6 (npm run k6:build, with its Go extensions) and dist/ on debian:bookworm-slim, as a non-root user; builds offline (no package download). */
export function dockerfile(config: DistributedConfig, outputDir: string): string {
  return `# k6-suite generate: the runners' image (${config.image}): the project's own k6 (bin/k6, built by
# "npm run k6:build" with the project's Go extensions; a linux binary of the cluster's architecture) and
# the bundles (dist/, "npm run build"). Nothing is downloaded but the base image. Build from the project root:
#   docker build -f ${outputDir}/${DOCKERFILE} -t ${config.image} .
# HTTPS targets signed by a public CA need CA certificates, which debian:bookworm-slim lacks: add
# "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates" if you need them.
FROM debian:bookworm-slim
RUN groupadd --gid ${RUNNER_UID} k6 \\
 && useradd --uid ${RUNNER_UID} --gid ${RUNNER_UID} --create-home --shell /usr/sbin/nologin k6 \\
 && mkdir -p ${PATHS.results} ${PATHS.data} && chown ${RUNNER_UID}:${RUNNER_UID} ${PATHS.results} ${PATHS.data}
COPY --chmod=0755 bin/k6 /usr/local/bin/k6
COPY dist/ ${PATHS.scripts}/
ENV K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false
USER ${RUNNER_UID}:${RUNNER_UID}
WORKDIR /home/k6
# the instance's results folder (RESULTS_DIR) must exist before k6 starts: the summary hook writes there
ENTRYPOINT ["/bin/sh", "-c", "mkdir -p \\"\${RESULTS_DIR:-${PATHS.results}}\\" && exec \\"$@\\"", "k6-runner"]
CMD ["k6", "version"]
`;
}

/** The build context's filter (BuildKit reads `<Dockerfile>.dockerignore`): only bin/k6 and dist/ are sent. */
export const DOCKERIGNORE = '*\n!bin/k6\n!dist/\n';

/** The Compose part of the README: build the image, start the runners, aggregate. `outputDir` is the folder as seen from the project root. */
export function composeReadme(config: DistributedConfig, outputDir: string): string {
  const secrets = config.env.filter((e) => e.secret).map((e) => e.name);
  return `## Docker Compose

\`${COMPOSE_FILE}\`: ${config.workers} services \`runner-1\` .. \`runner-${config.workers}\`, each \`k6 run\` of its execution
segment (sequence \`${config.sequence}\`) with \`cpus: ${config.cpu.cores}\`, \`memory: ${config.memory.docker}\`${config.tmpfs ? ` and a tmpfs \`${PATHS.data}\` of ${config.tmpfs.docker} (DATA_DIR)` : ''}.
Each runner writes into \`./results/<instance>/\`: k6's JSON stream \`k6.json.gz\` and the script's own result files.${config.influxdb?.service ? `\nThe \`influxdb\` service (${COMPOSE_INFLUXDB.image}) receives every runner's points (\`--out influxdb=${config.influxdb.url}\`), on port 8086 of this machine.` : ''}

\`\`\`bash
# in the project root, with bin/k6 (npm run k6:build) and dist/ (npm run build) built: the image
docker build -f ${outputDir}/${DOCKERFILE} -t ${config.image} .
cd ${outputDir}
mkdir -p results    # the runners write as your user (${COMPOSE_USER_VARIABLE}), so create it as you
${secrets.map((name) => `export ${name}=...       # a secret: read from the shell, never written in the file\n`).join('')}${COMPOSE_USER_VARIABLE}="$(id -u):$(id -g)" docker compose -f ${COMPOSE_FILE} up
npx k6-suite aggregate ./results                               # the merged numbers
npx k6-suite aggregate ./results -s ${config.script} -r ${config.run} --results ${projectResults(outputDir)}   # ... also as one result judged against the baseline of the project's results
\`\`\`

\`TEST_ID=<id>\` in front of \`docker compose up\` gives a new run its own test id (default \`${config.testId}\`).
Compose starts the runners at about the same time but does not synchronise their start: the first ones
may run a moment alone (the k6-operator starts its runners together). Limits need a Docker with cgroups
v2 or v1 support; each runner logs what it really got (CPU, memory, /data's file system) at its start.
`;
}

/** The Compose files: the Compose file, the Dockerfile and its .dockerignore. */
export function composeFiles(config: DistributedConfig, outputDir: string): GeneratedFile[] {
  return [
    { path: COMPOSE_FILE, content: composeYaml(config) },
    { path: DOCKERFILE, content: dockerfile(config, outputDir) },
    { path: `${DOCKERFILE}.dockerignore`, content: DOCKERIGNORE },
  ];
}
