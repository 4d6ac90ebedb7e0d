// Orthogonal in blocks of columns (what a worker pool computes in parallel): every block of the Householder
// factor's columns is, bit for bit, those entries of the whole result, on both backends, in float32 and float64,
// tall and wide; and shapes whose working storage cannot fit in WebAssembly memory are refused by name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { currentBackend } from '../dist/core/runtime.js';
import { streamKey } from '../dist/core/seed.js';
import { MAX_ORTHOGONAL_WORKING_BYTES } from '../dist/core/structured.js';
import { orthogonalWorkingBytes } from '../dist/core/wasm.js';
import { blockCost, columnBlocks } from '../dist/pool/orthogonal.js';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

/** The first entry of `block` that differs from the same entry of the whole result, or -1. */
function firstMismatch(whole: Float32Array | Float64Array, block: Float32Array | Float64Array, rows: number, cols: number, first: number, count: number): number {
  for (let a = 0; a < block.length; a++) {
    // Tall: the block is rows x count, columns first.. of the result; wide: count x cols, its rows first..
    const index = rows >= cols ? Math.floor(a / count) * cols + first + (a % count) : (first + Math.floor(a / cols)) * cols + (a % cols);
    if (!Object.is(whole[index], block[a])) return a;
  }
  return -1;
}

test('orthogonalColumns: every block of columns is those entries of orthogonal(), bit for bit, on both backends', () => {
  const key = streamKey('test', 7n, 'blocks');
  const shapes = [[70, 45], [45, 70], [130, 100], [100, 130], [64, 64], [9, 1], [1, 9], [200, 33]];
  let blocks = 0;
  for (const backend of ['wasm', 'js'] as const) {
    withBackend(backend, () => {
      for (const [rows, cols] of shapes) {
        for (const Work of [Float32Array, Float64Array]) {
          const m = Math.min(rows, cols), n = Math.max(rows, cols);
          const whole = new Work(rows * cols);
          currentBackend().orthogonal(rows, cols, key, -1.5, whole);
          // Whole, single columns at both ends, blocks starting on and off a tile and a panel, and a pool's split.
          const cases = [[0, m], [0, 1], [m - 1, 1], [3, 40], [32, m - 32], [17, m - 17], [8, 24], [33, 2], ...columnBlocks(n, m, 3)];
          for (const [first, count] of cases) {
            if (first < 0 || count <= 0 || first + count > m) continue;
            const block = new Work(n * count);
            currentBackend().orthogonalColumns(rows, cols, key, -1.5, first, count, block);
            const where = `${backend} ${rows} x ${cols} ${Work.name}: columns ${first}..${first + count - 1}`;
            assert.equal(firstMismatch(whole, block, rows, cols, first, count), -1, where);
            blocks++;
          }
        }
      }
    });
  }
  assert.ok(blocks > 150);
});

test('columnBlocks: blocks cover the factor\'s columns in order, on multiples of 8, of about equal cost', () => {
  for (const [n, m] of [[256, 256], [1024, 1024], [2048, 2048], [4096, 256], [1100, 700], [512, 300]]) {
    for (const parts of [1, 2, 3, 4, 8]) {
      const blocks = columnBlocks(n, m, parts);
      const where = `${n} x ${m}, ${parts} parts: ${JSON.stringify(blocks)}`;
      assert.ok(blocks.length >= 1 && blocks.length <= parts, where);
      let next = 0;
      for (const [first, count] of blocks) {
        assert.equal(first, next, where);
        assert.equal(first % 8, 0, where);
        assert.ok(count > 0, where);
        next = first + count;
      }
      assert.equal(next, m, where);
      // Later columns cost more, so later blocks are narrower; the blocks' costs are within a quarter of each other.
      const costs = blocks.map(([first, count]) => blockCost(n, first, first + count));
      if (parts > 1 && m / parts >= 64) {
        assert.equal(blocks.length, parts, where);
        assert.ok(Math.max(...costs) <= 1.25 * Math.min(...costs), `${where}: costs ${costs}`);
      }
    }
  }
  const [[, firstCount], [, lastCount]] = columnBlocks(2048, 2048, 2);
  assert.ok(firstCount > lastCount, 'the first block of a square factor is the wider');
});

test('orthogonal of a very tall, thin matrix: computed where its working storage fits, a RangeError naming the shape where not', () => {
  // One column of 2^16 rows: a unit vector times gain, the same on both backends.
  const shape = [2 ** 16, 1];
  const fast = withBackend('wasm', () => nninit.orthogonal(shape, { seed: 5, gain: 3 }));
  const reference = withBackend('js', () => nninit.orthogonal(shape, { seed: 5, gain: 3 }));
  assert.deepEqual(bytesOf(fast), bytesOf(reference));
  const norm = Math.sqrt(fast.reduce((sum, x) => sum + x * x, 0));
  assert.ok(Math.abs(norm - 3) < 1e-4, `norm ${norm}`);

  // 2^25 x 1 has only 2^25 elements, but the kernels keep 32 reflector columns per row: 7 GiB of working memory.
  assert.ok(orthogonalWorkingBytes(2 ** 25, 1, false) > MAX_ORTHOGONAL_WORKING_BYTES);
  for (const backend of ['wasm', 'js'] as const) {
    withBackend(backend, () => {
      assert.throws(() => nninit.orthogonal([2 ** 25, 1]), {
        name: 'RangeError',
        message: /^nninit\.orthogonal: shape must be a matrix whose Householder product fits in 4 GiB of WebAssembly memory \(a 33554432 x 1 one in float32 needs 7\.3 GiB/,
      });
      assert.throws(() => nninit.orthogonal([1, 2 ** 25], { dtype: 'float64' }), { message: /a 1 x 33554432 one in float64 needs/ });
      assert.throws(() => nninit.orthogonal([2 ** 25, 1], { offset: 0, length: 1 }), RangeError);
      assert.throws(() => nninit.deltaOrthogonal([3, 1, 2 ** 25]), { message: /^nninit\.deltaOrthogonal: shape must be a matrix whose Householder product fits/ });
    });
  }
  // Every shape of at least 32 columns within the element limit still fits, in either precision.
  for (const [rows, cols] of [[2 ** 22, 32], [2 ** 21, 64], [11585, 11585]]) {
    for (const double of [false, true]) assert.ok(orthogonalWorkingBytes(rows, cols, double) <= MAX_ORTHOGONAL_WORKING_BYTES, `${rows} x ${cols}`);
  }
});
