// The package through a bundler: Vite builds a small app that imports 'nninit', and the bundle produces the
// same bits as the package itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
    await import(pathToFileURL(join(outDir, 'assets', assets[0])).href);
    const sample = (globalThis as unknown as { nninitSample: () => { backend: string; he: number[]; orthogonal: number[] } }).nninitSample();
    assert.equal(sample.backend, 'wasm');
    assert.deepEqual(sample.he, Array.from(heNormal([8, 4], { seed: 7, stream: 'vite' })));
    assert.deepEqual(sample.orthogonal, Array.from(orthogonal([5, 3], { seed: 7 })));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
