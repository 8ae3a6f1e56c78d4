// The nightly workflow runs only npm scripts (which the tests exercise) and nothing it cannot find.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const workflow = parse(readFileSync('.github/workflows/nightly.yml', 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Array<{ run?: string; uses?: string; if?: string }> }>;
};
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('.github/workflows/nightly.yml', () => {
  it('runs on a schedule and on pull requests', () => {
    expect(workflow.on).toHaveProperty('schedule');
    expect(workflow.on).toHaveProperty('pull_request');
  });
  it('every run step is an npm script that exists', () => {
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run).filter((r): r is string => !!r));
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) {
      const match = /^npm run ([\w:-]+)$/.exec(run.trim());
      expect(match, `step "${run}" should be a single npm script`).not.toBeNull();
      expect(scripts).toHaveProperty(match![1]);
    }
  });
  it('publishes the reports even when the gate fails', () => {
    const steps = workflow.jobs.gate.steps;
    expect(steps.find((s) => s.run === 'npm run report:all')?.if).toBe('always()');
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.if).toBe('always()');
  });
});
