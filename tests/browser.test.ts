// The package in a real browser: Debian's Chromium loads dist/index.js unbundled, on a page through
// <script type="module"> and in a module Web Worker, and computes the cases of tests/browser/cases.js on the
// backend it ends up with and on the js backend. Every output must equal Node's byte for byte.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as nninit from 'nninit';
import { digestCases, type CaseDigest, type Report } from './browser/cases.js';
import { serveStatic } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Names of the cases whose bytes differ from Node's, with both digests. */
function mismatches(expected: readonly CaseDigest[], actual: readonly CaseDigest[]): string[] {
  assert.deepEqual(actual.map((digest) => digest.name), expected.map((digest) => digest.name));
  return expected.flatMap((digest, i) => (actual[i].sha256 === digest.sha256 && actual[i].bytes === digest.bytes
    ? []
    : [`${digest.name}: node ${digest.bytes} bytes ${digest.sha256.slice(0, 16)}, browser ${actual[i].bytes} bytes ${actual[i].sha256.slice(0, 16)}`]));
}

function checkReport(t: TestContext, where: string, report: Report, expected: readonly CaseDigest[]): void {
  t.diagnostic(`${where}: backend ${report.backendAtImport} at import, ${report.backendAfterReady} after ready()`);
  assert.equal(report.backendAfterReady, 'wasm', `${where}: Chromium has WebAssembly SIMD, so ready() should end on wasm`);
  assert.deepEqual(mismatches(expected, report.active), [], `${where}, backend ${report.backendAfterReady}`);
  assert.deepEqual(mismatches(expected, report.js), [], `${where}, js backend forced`);
}

test('Chromium reproduces Node\'s bytes on a page, in a module worker and through nninit/lean, on both backends', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; install Debian chromium: apt-get install chromium`,
  timeout: 60_000,
}, async (t) => {
  const expected = await digestCases(nninit);
  const server = await serveStatic(ROOT, ['dist', join('tests', 'browser')]);
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
    await page.goto(`${server.origin}/tests/browser/index.html`);
    await page.waitForFunction(() => 'nninitBrowserTest' in window);
    const reports = await page.evaluate(() => (window as unknown as { nninitBrowserTest(): Promise<{ page: Report; worker: Report }> }).nninitBrowserTest());
    assert.deepEqual(pageErrors, []);
    checkReport(t, 'page', reports.page, expected);
    checkReport(t, 'module worker', reports.worker, expected);

    // nninit/lean: js until loadWasm() fetches the kernels shipped next to it, then the same bytes.
    await page.goto(`${server.origin}/tests/browser/lean.html`);
    await page.waitForFunction(() => 'nninitLeanTest' in window);
    const lean = await page.evaluate(() => (window as unknown as { nninitLeanTest(): Promise<{ backendAtImport: string; loaded: string; active: CaseDigest[] }> }).nninitLeanTest());
    assert.deepEqual(pageErrors, []);
    assert.equal(lean.backendAtImport, 'js');
    assert.equal(lean.loaded, 'wasm');
    assert.deepEqual(mismatches(expected, lean.active), [], 'nninit/lean after loadWasm()');
  } finally {
    await context.close();
    await server.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
});
