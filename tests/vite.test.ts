// The package through a bundler: Vite builds a small app that imports 'nninit', and the bundle produces the
// same bits as the package itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { build } from 'vite';
import { heNormal, orthogonal } from 'nninit';

test('a Vite build of an app importing nninit gives the same values as the package', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'nninit-vite-'));
  try {
    await build({
      root: fileURLToPath(new URL('./fixtures/vite-app/', import.meta.url)),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, minify: true, modulePreload: false },
    });
    const assets = readdirSync(join(outDir, 'assets')).filter((name) => name.endsWith('.js'));
    assert.equal(assets.length, 1, `one bundled chunk, got ${assets.join(', ')}`);
    assert.doesNotMatch(readFileSync(join(outDir, 'assets', assets[0]), 'utf8'), /node:|worker_threads|new Worker/,
      'a bundle of nninit takes nothing from Node, and no worker (the pool is nninit/pool)');
    await import(pathToFileURL(join(outDir, 'assets', assets[0])).href);
    const sample = (globalThis as unknown as { nninitSample: () => { backend: string; he: number[]; orthogonal: number[] } }).nninitSample();
    assert.equal(sample.backend, 'wasm');
    assert.deepEqual(sample.he, Array.from(heNormal([8, 4], { seed: 7, stream: 'vite' })));
    assert.deepEqual(sample.orthogonal, Array.from(orthogonal([5, 3], { seed: 7 })));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('a Vite build of an app importing nninit/lean emits the kernels as an asset that loadWasm() finds', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'nninit-vite-lean-'));
  try {
    await build({
      root: fileURLToPath(new URL('./fixtures/vite-lean-app/', import.meta.url)),
      logLevel: 'silent',
      // Relative asset URLs, so that the bundle finds its assets when run from the output folder in Node.
      base: './',
      build: { outDir, emptyOutDir: true, minify: true, modulePreload: false },
    });
    const files = readdirSync(join(outDir, 'assets'));
    const scripts = files.filter((name) => name.endsWith('.js'));
    assert.equal(scripts.length, 1, `one bundled chunk, got ${files.join(', ')}`);
    assert.equal(files.filter((name) => name.endsWith('.wasm')).length, 1, `the kernels as an asset, got ${files.join(', ')}`);
    const bundle = readFileSync(join(outDir, 'assets', scripts[0]), 'utf8');
    assert.doesNotMatch(bundle, /\bfrom\s*["']node:|\brequire\(/, 'no static Node import in the browser bundle');
    await import(pathToFileURL(join(outDir, 'assets', scripts[0])).href);
    const sample = await (globalThis as unknown as { nninitLeanSample: () => Promise<{ backend: string; he: number[] }> }).nninitLeanSample();
    assert.equal(sample.backend, 'wasm');
    assert.deepEqual(sample.he, Array.from(heNormal([8, 4], { seed: 7, stream: 'vite' })));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
