// The reports of real k6 runs, looked at in a real browser: the health scenario twice (a baseline, then
// a run 10 ms slower per request with k6's JSON stream), writeReports on both, and the HTML opened in
// headless Chromium (Debian's /usr/bin/chromium) to check that every chart drew, the diff table shows
// the verdicts and nothing was fetched from a network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runK6 } from '../../tools/k6.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { writeReports, type WrittenReports } from '../../tools/report/index.ts';
import { scratchDir } from '../support/results.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let target: RunningTarget;
let results: ReturnType<typeof scratchDir>;
let profileDir: string;
let browser: BrowserContext | undefined;
let latest: WrittenReports;
let baseline: WrittenReports;

const run = (env: Record<string, string>, args: string[] = []) =>
  runK6({
    script: 'dist/health.js',
    env: { TARGET_URL: target.url, RESULTS_DIR: results.dir, LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '2s', HEALTH_P90_MS: '60000', ...env },
    args,
    timeoutMs: 60_000,
  });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: .ci/run must install the Debian package chromium (apt-get install -y chromium) for the HTML report test`);
  }
  target = await startPaymentsSandbox();
  results = scratchDir('k6-report-');
  profileDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));

  const first = await run({});
  expect(first.exitCode, first.stderr.slice(-1500)).toBe(0);
  // 10 ms more per request: a latency regression, and with 1 VU a throughput one too
  target.setFaults({ latencyMs: 10 });
  const streamPath = join(results.dir, 'latest_health.k6.json');
  const second = await run({}, ['--out', `json=${streamPath}`]);
  expect(second.exitCode, second.stdout.slice(-2500)).toBe(99);

  latest = await writeReports(join(results.dir, 'latest_health.json'));
  baseline = await writeReports(join(results.dir, 'baseline_health.json'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
});

afterAll(async () => {
  await browser?.close();
  await target?.close();
  results?.remove();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

// Browser-side code is passed as text: this project's Node typings have no DOM.
const DATASET = '({ ...document.body.dataset })';

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
}

async function open(path: string): Promise<Opened> {
  const page = await browser!.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(pathToFileURL(path).href);
  // polled from here: Playwright's waitForFunction compiles its predicate in the page, which the
  // report's Content-Security-Policy (no eval) rightly refuses
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = await page.evaluate<Record<string, string>>(DATASET);
    if (body.chartsDrawn === body.chartsExpected || body.chartsError !== undefined) break;
    if (Date.now() > deadline) throw new Error(`${path}: ${body.chartsDrawn} of ${body.chartsExpected} charts drew within 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { page, requests, problems };
}

interface Ink {
  id: string;
  width: number;
  height: number;
  painted: number;
  colors: number;
  drawn?: string;
}

/** Per canvas: its size and how many pixels are painted (not transparent), read back from the canvas. */
const canvasInk = (page: Page) =>
  page.evaluate<Ink[]>(`[...document.querySelectorAll('canvas')].map((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    const colors = new Set();
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0) {
        painted += 1;
        if (colors.size < 64) colors.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      }
    }
    return { id: c.id, width: c.width, height: c.height, painted, colors: colors.size, drawn: c.dataset.drawn };
  })`);

interface DiffCell {
  metric: string | null;
  stat: string | null;
  verdict: string | null;
  background: string;
}

const diffRows = (page: Page) =>
  page.evaluate<DiffCell[]>(`[...document.querySelectorAll('#diff-table tbody tr')].map((tr) => ({
    metric: tr.getAttribute('data-metric'),
    stat: tr.getAttribute('data-stat'),
    verdict: tr.querySelector('td:last-child').textContent,
    background: getComputedStyle(tr.querySelector('td')).backgroundColor,
  }))`);

describe('HTML report of real k6 runs', () => {
  it('reads the run, its diff and its JSON stream into the model', () => {
    const { model, paths } = latest;
    for (const path of Object.values(paths)) expect(statSync(path).size).toBeGreaterThan(200);
    expect(model.diff?.passed).toBe(false);
    expect(model.series).toBeDefined();
    const s = model.series!;
    expect(s.seconds.length).toBeGreaterThanOrEqual(2);
    // every request k6 counted is in the stream, in some second
    const requests = model.result.metrics.http_reqs.values.count;
    expect(s.throughput.perSecond.reduce((a, b) => a + b, 0)).toBe(requests);
    expect(s.latency!.count.reduce((a, b) => a + b, 0)).toBe(requests);
    // the target answered after 10 ms, so every full second's p50 is at least that
    const full = s.latency!.p50.filter((_, i) => !s.partial[i] && s.latency!.count[i] > 0);
    expect(full.length).toBeGreaterThan(0);
    for (const p50 of full) expect(p50!).toBeGreaterThanOrEqual(10);
    expect(readFileSync(paths.junit, 'utf8')).toMatch(/<failure type="regression" message="http_req_duration p\(95\) regressed/);
    expect(readFileSync(paths.markdown, 'utf8')).toContain('REGRESSION in ');
  });

  it('draws all four charts, shows the verdicts and fetches nothing', async () => {
    const { page, requests, problems } = await open(latest.paths.html);
    const body = await page.evaluate<Record<string, string>>(DATASET);
    expect(body.chartsError).toBeUndefined();
    expect(body).toMatchObject({ chartsExpected: '4', chartsDrawn: '4', verdict: 'fail' });

    const canvases = await canvasInk(page);
    expect(canvases.map((c) => c.id)).toEqual(['chart-latency-summary', 'chart-latency-time', 'chart-throughput', 'chart-errors']);
    for (const c of canvases) {
      expect(c.drawn, c.id).toBe('1');
      expect(c.width * c.height, c.id).toBeGreaterThan(100 * 100);
      expect(c.painted, c.id).toBeGreaterThan(2000); // axes, labels, bars or lines
      expect(c.colors, c.id).toBeGreaterThan(3);
    }

    await expect(page.textContent('#verdict')).resolves.toMatch(/^FAIL: .*regression/);
    const rows = await diffRows(page);
    expect(rows).toHaveLength(latest.model.diff!.rows.length);
    // the smoke profile is VU-based: latency and errors are gated, throughput only reported
    const gated = rows.slice(0, 2);
    expect(gated).toEqual([
      { metric: 'http_req_duration', stat: 'p(95)', verdict: 'REGRESSION', background: 'rgb(255, 235, 233)' },
      { metric: 'http_req_failed', stat: 'rate', verdict: 'ok', background: 'rgba(0, 0, 0, 0)' },
    ]);
    expect(rows.find((r) => r.metric === 'http_reqs')?.verdict).toBe('changed');
    expect(new Set(rows.slice(2).map((r) => r.verdict))).toContain('changed');
    await expect(page.textContent('#thresholds-table')).resolves.toContain('CROSSED');

    const png = join(results.dir, 'latest_health.report.png');
    await page.screenshot({ path: png, fullPage: true });
    const image = readFileSync(png);
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    expect(image.readUInt32BE(16)).toBe(1280); // IHDR width
    expect(image.readUInt32BE(20)).toBeGreaterThan(1500); // a full page, not a blank viewport
    expect(image.length).toBeGreaterThan(100_000);
    if (process.env.REPORT_SCREENSHOT) copyFileSync(png, process.env.REPORT_SCREENSHOT); // to look at it

    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a run without a baseline or a stream draws its one chart and says what is missing', async () => {
    expect(baseline.model.diff).toBeUndefined();
    expect(baseline.model.series).toBeUndefined();
    const { page, problems } = await open(baseline.paths.html);
    await expect(page.evaluate<Record<string, string>>(DATASET)).resolves.toMatchObject({ chartsExpected: '1', chartsDrawn: '1', verdict: 'pass' });
    const [canvas] = await canvasInk(page);
    expect(canvas.painted).toBeGreaterThan(2000);
    await expect(page.isVisible('#no-stream')).resolves.toBe(true);
    await expect(page.isVisible('#no-diff')).resolves.toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
