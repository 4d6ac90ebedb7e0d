// nninit/pool through a bundler: Vite builds an app that creates a pool, follows the pool's
// `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` into a worker chunk, and takes nothing
// from Node into either chunk. The built app then runs in Chromium and must give Node's bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { heNormal, orthogonal } from 'nninit';
import { digest } from './browser/pool-cases.js';
import { serveStatic } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const NODE_ONLY = /node:|worker_threads|availableParallelism/;

test('a Vite build of an app using createPool bundles its worker, nothing from Node, and gives Node\'s bytes in Chromium', {
  timeout: 60_000,
}, async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'nninit-vite-pool-'));
  try {
    await build({
      root: fileURLToPath(new URL('./fixtures/vite-pool-app/', import.meta.url)),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, minify: true, modulePreload: false },
    });
    const chunks = readdirSync(join(outDir, 'assets')).filter((name) => name.endsWith('.js'));
    assert.equal(chunks.length, 2, `the app and its worker, got ${chunks.join(', ')}`);
    assert.ok(chunks.some((name) => name.startsWith('worker')), `a worker chunk among ${chunks.join(', ')}`);
    for (const chunk of chunks) {
      assert.doesNotMatch(readFileSync(join(outDir, 'assets', chunk), 'utf8'), NODE_ONLY, `${chunk} takes nothing from Node`);
    }
    if (!existsSync(CHROMIUM)) {
      t.diagnostic(`${CHROMIUM} not found: the bundle was built but not run`);
      return;
    }

    const server = await serveStatic(outDir, [''], {
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    });
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
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => 'nninitPoolSample' in globalThis);
      const sample = await page.evaluate(() => (globalThis as unknown as { nninitPoolSample(): Promise<{ sharedMemory: boolean; he: string; orthogonal: string }> }).nninitPoolSample());
      assert.deepEqual(pageErrors, []);
      assert.equal(sample.sharedMemory, true);
      assert.equal(sample.he, (await digest(heNormal([1024, 1024], { seed: 7, stream: 'vite' }))).sha256);
      assert.equal(sample.orthogonal, (await digest(orthogonal([512, 256], { seed: 7 }))).sha256);
    } finally {
      await context.close();
      await server.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
