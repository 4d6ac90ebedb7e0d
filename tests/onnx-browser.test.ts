// nninit/onnx and the TF.js model functions in a browser: Vite bundles an app that imports them (ONNX's
// protobuf schema included, no Node built-ins), and Debian's Chromium runs it on models given as bytes; the files
// it writes equal Node's byte for byte.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { readTfjsModel, writeTfjsModel } from 'nninit';
import { readOnnx, writeOnnx } from 'nninit/onnx';
import { serveStatic } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

test('a Vite bundle of nninit/onnx and the TF.js functions runs in Chromium and writes the same files as Node', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; install Debian chromium: apt-get install chromium`,
  timeout: 60_000,
}, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'nninit-vite-onnx-'));
  const userDataDir = await mkdtemp(join(tmpdir(), 'nninit-chromium-'));
  try {
    await build({
      root: join(FIXTURES, 'onnx', 'vite-app'),
      logLevel: 'silent',
      base: './',
      build: { outDir, emptyOutDir: true, minify: true, modulePreload: false },
    });
    const scripts = readdirSync(join(outDir, 'assets')).filter((name) => name.endsWith('.js'));
    assert.equal(scripts.length, 1, `one bundled chunk, got ${scripts.join(', ')}`);
    const bundle = readFileSync(join(outDir, 'assets', scripts[0]), 'utf8');
    assert.doesNotMatch(bundle, /\bfrom\s*["']node:|\brequire\(["']/, 'no Node import in the browser bundle');

    const onnxBytes = readFileSync(join(FIXTURES, 'onnx', 'lstm.onnx'));
    const tfjsJson = readFileSync(join(FIXTURES, 'tfjs', 'functional', 'model.json'), 'utf8');
    const server = await serveStatic(outDir, ['']);
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => 'nninitModelFiles' in window);
      const result = await page.evaluate(([bytes, json]) => (window as unknown as { nninitModelFiles(b: number[], j: string, s: number): Promise<{
        backend: string; onnx: number[]; explain: string; tfjsJson: string; shards: { name: string; bytes: number[] }[];
      }> }).nninitModelFiles(bytes, json, 5), [Array.from(onnxBytes), tfjsJson] as const);
      assert.deepEqual(errors, []);
      assert.equal(result.backend, 'wasm');
      const onnx = readOnnx(onnxBytes, { seed: 5 });
      assert.equal(result.explain, onnx.explain);
      assert.deepEqual(new Uint8Array(result.onnx), writeOnnx(onnx));
      const tfjs = writeTfjsModel(readTfjsModel(tfjsJson, undefined, { seed: 5 }));
      assert.equal(result.tfjsJson, tfjs.modelJson);
      assert.deepEqual(result.shards.map((s) => [s.name, new Uint8Array(s.bytes)]), tfjs.shards.map((s) => [s.name, s.bytes]));
    } finally {
      await context.close();
      await server.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    await rm(userDataDir, { recursive: true, force: true });
  }
});
