// The explorer page in headless Chromium, served by npm run explorer's server: it loads without console errors,
// its worker probes and the plots appear, a changed control redraws them with other data, the measured claims
// table is shown, and a screenshot is not blank. The server serves docs/ and dist/ only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serveExplorer } from '../scripts/explorer.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; install Debian chromium: apt-get install chromium`;
const claims = JSON.parse(readFileSync(new URL('../docs/claims.json', import.meta.url), 'utf8')) as { claims: unknown[] };

test('the explorer server serves the page and the package files, and nothing else', async () => {
  const server = await serveExplorer();
  try {
    const status = async (path: string) => (await fetch(server.origin + path, { redirect: 'manual' })).status;
    assert.equal(await status('/docs/explorer/'), 200);
    assert.equal(await status('/dist/index.js'), 200);
    assert.equal((await fetch(`${server.origin}/dist/index.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await status('/docs/claims.json'), 200);
    assert.equal(await status('/'), 302);
    assert.equal(await status('/package.json'), 404);
    assert.equal(await status('/src/api.ts'), 404);
    assert.equal(await status('/docs/../package.json'), 404);
    assert.equal(await status('/docs/%2e%2e/package.json'), 404);
    assert.equal((await fetch(`${server.origin}/docs/explorer/`, { method: 'POST' })).status, 404);
  } finally {
    await server.close();
  }
});

/** The data-y of every line of the first panel (activation std per layer), by label. */
const stdLines = (page: Page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#plots g.panel')][0]
  .querySelectorAll('g[data-label]:not(.legend-item)')
  .values().map((g) => [g.getAttribute('data-label'), g.getAttribute('data-y')])));

const waitForRun = (page: Page, after: number) => page.waitForFunction((n) => Number(document.body.dataset.run) > n && document.body.dataset.state === 'ready', after, { timeout: 60_000 });

test('Chromium: the explorer probes in a worker, redraws when a control changes, shows the claims, and is not blank', { skip, timeout: 120_000 }, async (t) => {
  const server = await serveExplorer();
  const userDataDir = await mkdtemp(join(tmpdir(), 'nninit-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(server.url);
    await waitForRun(page, 0);
    const first = await stdLines(page);
    assert.deepEqual(Object.keys(first), ['Xavier (gain 1)', 'He', 'LeCun', 'orthogonal (activation gain)']);
    // 30 ReLU layers of 128: He keeps the std, Xavier halves the variance at every layer.
    const last = (line: string | null) => Number(line!.split(',').at(-1));
    assert.ok(last(first.He) > 0.3 && last(first.He) < 3, `He: ${first.He}`);
    assert.ok(last(first['Xavier (gain 1)']) < 1e-3, `Xavier on ReLU decays: ${first['Xavier (gain 1)']}`);
    assert.match(await page.textContent('#status') ?? '', /Probed 4 networks in [\d.]+ s on the wasm backend/);

    // A changed control redraws with new data: tanh instead of ReLU.
    let run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.selectOption('#activation', 'tanh');
    await waitForRun(page, run);
    const tanh = await stdLines(page);
    assert.notDeepEqual(tanh, first);
    assert.ok(last(tanh['Xavier (gain 1)']) > 1e-2, `Xavier on tanh does not collapse like on ReLU: ${tanh['Xavier (gain 1)']}`);
    // Another initializer and a mixed stack: the activation policy gives each layer its own initializer.
    run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.check('input[value=policy]');
    await waitForRun(page, run);
    run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.selectOption('#activation', 'mixed');
    await waitForRun(page, run);
    const mixed = await stdLines(page);
    assert.ok('activation policy (per layer)' in mixed);
    assert.equal(mixed.He!.split(',').length, 31, 'relu*10, tanh*10, selu*10: 30 layers and the input');
    // A bad layer list is reported on the page, not thrown.
    await page.fill('#layers', 'relu*10, swish');
    assert.match(await page.textContent('#status') ?? '', /"swish": expected ACTIVATION/);
    await page.fill('#layers', 'relu*10, tanh*10, selu*10');
    // So is a seed that is not a whole number from 0 to 2^32 - 1 (it was silently replaced by 1).
    for (const bad of ['-5', '1.5']) {
      await page.fill('#seed', bad);
      assert.match(await page.textContent('#status') ?? '', /^Seed: expected a whole number from 0 to 4294967295, got "/, bad);
    }
    // Xavier's and LeCun's lines coincide on square layers: LeCun's is dashed. A series that overflows float32
    // is named under the panel instead of vanishing.
    run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.fill('#seed', '1');
    await waitForRun(page, run);
    run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.selectOption('#activation', 'relu');
    await waitForRun(page, run);
    const lecunClass = await page.evaluate(() => document.querySelector('#plots g.panel g[data-label="LeCun"] path')?.getAttribute('class'));
    assert.match(lecunClass ?? '', /\bdash1\b/);
    run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.check('input[value="normal-1"]');
    await waitForRun(page, run);
    run = Number(await page.evaluate(() => document.body.dataset.run));
    await page.fill('#depth', '60');
    await page.dispatchEvent('#depth', 'input');
    await waitForRun(page, run);
    assert.match(await page.evaluate(() => document.querySelector('#plots g.panel')!.textContent ?? ''), /N\(0, 1\): overflows float32 at layer \d+, not drawn from there/);

    assert.equal(await page.locator('#claims-table tbody tr').count(), claims.claims.length);
    assert.deepEqual(errors, []);

    // The screenshot, decoded by the browser: many colours, not one.
    const png = await page.screenshot({ fullPage: false });
    const colours = await page.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
      const context2d = canvas.getContext('2d')!;
      context2d.drawImage(image, 0, 0);
      const pixels = new Uint32Array(context2d.getImageData(0, 0, image.width, image.height).data.buffer);
      return new Set(pixels).size;
    }, png.toString('base64'));
    t.diagnostic(`screenshot: ${colours} distinct colours`);
    assert.ok(colours > 100, `the screenshot has ${colours} distinct colours`);
  } finally {
    await context.close();
    await server.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
});
