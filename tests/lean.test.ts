// nninit/lean: the API without the embedded binary; it runs on the js backend until loadWasm installs the kernels.
// This file must not import 'nninit' itself: both entries share one runtime, and the main entry installs the
// embedded kernels on import.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as lean from 'nninit/lean';

const WASM_URL = new URL('../dist/nninit.wasm', import.meta.url);

test('the lean entry starts on the js backend; loadWasm() with no argument installs the kernels next to it, with the same bits', async () => {
  assert.equal(lean.getBackend(), 'js');
  assert.equal(await lean.ready(), 'js');
  const before = lean.heNormal([64, 48], { seed: 3, stream: 'w' });
  assert.equal(await lean.loadWasm(), 'wasm');
  assert.equal(lean.getBackend(), 'wasm');
  assert.deepEqual(lean.heNormal([64, 48], { seed: 3, stream: 'w' }), before);
});

test('in Node, loadWasm reads file: URLs (as URL or string) and paths, and still takes bytes', async () => {
  assert.equal(await lean.loadWasm(WASM_URL), 'wasm');
  assert.equal(await lean.loadWasm(WASM_URL.href), 'wasm');
  assert.equal(await lean.loadWasm(WASM_URL.pathname), 'wasm');
  assert.equal(await lean.loadWasm(readFileSync(WASM_URL)), 'wasm');
  await assert.rejects(lean.loadWasm(new URL('./no-such-file.wasm', WASM_URL)), /nninit\.loadWasm: reading .*no-such-file\.wasm failed/);
});

test('loadWasm says what it takes, and rejects what is not a kernel module; the js backend stays usable', async () => {
  for (const wrong of [42, null, {}, [1, 2]]) {
    await assert.rejects(lean.loadWasm(wrong as unknown as string), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^nninit\.loadWasm: source must be a URL .*, got /);
      return true;
    });
  }
  await assert.rejects(lean.loadWasm(new Uint8Array([0, 1, 2, 3])));
  assert.equal(lean.uniform([4], { seed: 1 }).length, 4);
});
