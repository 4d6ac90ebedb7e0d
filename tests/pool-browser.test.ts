// nninit/pool in a real browser: Debian's Chromium loads dist/pool/index.js unbundled on a page served with
// COOP/COEP (crossOriginIsolated: workers write into a SharedArrayBuffer) and without (slices transferred and
// copied). Both must give Node's bytes, and while the pool computes a 2048 x 2048 orthogonal the page must keep
// drawing frames (the same matrix computed on the page's own thread is measured too, to show what a freeze looks
// like to this measurement).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as nninit from 'nninit';
import { digest, digestPoolCases, LARGE_ORTHOGONAL, type CaseDigest } from './browser/pool-cases.js';
import { serveStatic } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The goal for the largest gap between frames while the pool computes (a 60 Hz page draws every 16.7 ms). */
const MAX_FRAME_GAP_MS = 100;
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

interface PoolReport {
  crossOriginIsolated: boolean;
  sharedMemory: boolean;
  threads: number;
  cases: CaseDigest[];
  orthogonal: { bytes: number; sha256: string };
  poolFrameGap: number;
  /** Measured only when the first gap missed the goal. */
  poolFrameGapAgain?: number;
  poolMilliseconds: number;
  inlineFrameGap: number;
  inlineMatches: string;
}

async function runPage(headers: Record<string, string>): Promise<PoolReport> {
  const server = await serveStatic(ROOT, ['dist', join('tests', 'browser')], headers);
  const userDataDir = await mkdtemp(join(tmpdir(), 'nninit-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.origin}/tests/browser/pool.html`);
    await page.waitForFunction(() => 'nninitPoolTest' in window);
    const report = await page.evaluate(() => (window as unknown as { nninitPoolTest(): Promise<PoolReport> }).nninitPoolTest());
    assert.deepEqual(pageErrors, []);
    return report;
  } finally {
    await context.close();
    await server.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}

const expectedCases = digestPoolCases(nninit as never);
const expectedOrthogonal = digest(nninit.orthogonal(...LARGE_ORTHOGONAL));

function check(t: TestContext, report: PoolReport, cases: CaseDigest[], orthogonal: { sha256: string }): void {
  t.diagnostic(`${report.threads} workers, sharedMemory ${report.sharedMemory}; orthogonal(2048) took ${report.poolMilliseconds.toFixed(0)} ms `
    + `in the pool with frames at most ${report.poolFrameGap.toFixed(1)} ms apart; on the page's thread the gap was ${report.inlineFrameGap.toFixed(0)} ms`);
  const mismatches = cases.filter((expected, i) => report.cases[i]?.sha256 !== expected.sha256).map((expected) => expected.name);
  assert.deepEqual(report.cases.map((digest) => digest.name), cases.map((digest) => digest.name));
  assert.deepEqual(mismatches, [], 'pool results whose bytes differ from Node\'s');
  assert.equal(report.orthogonal.sha256, orthogonal.sha256, 'orthogonal(2048) through the pool equals Node\'s');
  assert.equal(report.inlineMatches, orthogonal.sha256, 'orthogonal(2048) on the page equals Node\'s');
  assert.ok(report.inlineFrameGap > 2 * MAX_FRAME_GAP_MS, `the synchronous call should freeze the page (gap ${report.inlineFrameGap} ms)`);
  const gap = Math.min(report.poolFrameGap, report.poolFrameGapAgain ?? Infinity);
  if (report.poolFrameGapAgain !== undefined) t.diagnostic(`a ${report.poolFrameGap.toFixed(0)} ms gap, then ${report.poolFrameGapAgain.toFixed(1)} ms measured again`);
  assert.ok(gap < MAX_FRAME_GAP_MS, `largest frame gap ${report.poolFrameGap} ms, then ${report.poolFrameGapAgain} ms, while the pool computed`);
}

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; install Debian chromium: apt-get install chromium`;

test('Chromium, crossOriginIsolated: the pool writes into shared memory, Node\'s bytes, frames keep coming', { skip, timeout: 60_000 }, async (t) => {
  const report = await runPage(ISOLATION_HEADERS);
  assert.equal(report.crossOriginIsolated, true);
  assert.equal(report.sharedMemory, true);
  check(t, report, await expectedCases, await expectedOrthogonal);
});

test('Chromium, not isolated: slices are transferred and copied, Node\'s bytes, frames keep coming', { skip, timeout: 60_000 }, async (t) => {
  const report = await runPage({});
  assert.equal(report.crossOriginIsolated, false);
  assert.equal(report.sharedMemory, false);
  check(t, report, await expectedCases, await expectedOrthogonal);
});
