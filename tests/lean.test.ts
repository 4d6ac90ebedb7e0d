// nninit/lean: the API without the embedded binary; it runs on the js backend until loadWasm installs the kernels.
// This file must not import 'nninit' itself: both entries share one runtime, and the main entry installs the
// embedded kernels on import.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as lean from 'nninit/lean';

test('the lean entry starts on the js backend and switches to wasm after loadWasm, with the same bits', async () => {
  assert.equal(lean.getBackend(), 'js');
  assert.equal(await lean.ready(), 'js');
  const before = lean.heNormal([64, 48], { seed: 3, stream: 'w' });
  const bytes = readFileSync(new URL('../dist/nninit.wasm', import.meta.url));
  assert.equal(await lean.loadWasm(bytes), 'wasm');
  assert.equal(lean.getBackend(), 'wasm');
  assert.deepEqual(lean.heNormal([64, 48], { seed: 3, stream: 'w' }), before);
});

test('loadWasm rejects what is not a kernel module, and the js backend stays usable', async () => {
  await assert.rejects(lean.loadWasm(new Uint8Array([0, 1, 2, 3])));
  assert.equal(lean.uniform([4], { seed: 1 }).length, 4);
});
