// sparse slices: a slice costs the inputs (columns) it touches, its values are those of the whole tensor, bit
// for bit, and they equal what the earlier whole-tensor implementation produced (the bits are part of the
// contract). The references below use only the public normal and randomBits streams.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

interface SparseCase {
  shape: [number, number];
  sparsity: number;
  std?: number;
  layout?: 'keras' | 'torch';
  seed: number;
  stream?: number | string;
}

/** Input j's zero units, by the documented partial Fisher-Yates shuffle over stream words size + 2 (j units + t). */
function zeroUnits(c: SparseCase, j: number): number[] {
  const [units] = c.layout === 'torch' ? c.shape : [c.shape[1]];
  const size = c.shape[0] * c.shape[1];
  const zeros = Math.ceil(c.sparsity * units);
  if (zeros === 0) return [];
  const words = nninit.randomBits(2 * zeros, { seed: c.seed, stream: c.stream, offset: size + 2 * j * units });
  const order = Array.from({ length: units }, (_, r) => r);
  const picked: number[] = [];
  for (let t = 0; t < zeros; t++) {
    const u = (words[2 * t] * 2 ** 21 + (words[2 * t + 1] >>> 11)) * 2 ** -53;
    const remaining = units - t;
    const pick = t + Math.min(Math.floor(u * remaining), remaining - 1);
    [order[pick], order[t]] = [order[t], order[pick]];
    picked.push(order[t]);
  }
  return picked;
}

/** The whole tensor as the earlier implementation computed it: normal values, then every input's zeros. */
function wholeTensorReference(c: SparseCase): Float32Array {
  const [rows, cols] = c.shape;
  const full = nninit.normal([rows * cols], { seed: c.seed, stream: c.stream, std: c.std ?? 0.01 });
  const [units, inputs] = c.layout === 'torch' ? [rows, cols] : [cols, rows];
  for (let j = 0; j < inputs; j++) {
    for (const unit of zeroUnits(c, j)) full[c.layout === 'torch' ? unit * inputs + j : j * units + unit] = 0;
  }
  return full;
}

const CASES: SparseCase[] = [
  { shape: [40, 30], sparsity: 0.3, seed: 13 },
  { shape: [30, 40], sparsity: 0.9, layout: 'torch', seed: 13 },
  { shape: [1, 1], sparsity: 1, seed: 1 },
  { shape: [7, 1], sparsity: 0.5, layout: 'torch', seed: 2, stream: 'w' },
  { shape: [1, 700], sparsity: 0.25, std: 0.5, seed: 3 },
  { shape: [700, 3], sparsity: 0.01, layout: 'torch', seed: 4 },
  { shape: [65, 300], sparsity: 0, seed: 5 },
  { shape: [300, 65], sparsity: 0.999, layout: 'torch', seed: 6, stream: 3 },
  { shape: [128, 257], sparsity: 0.5, seed: 7 },
];

test('sparse equals the whole-tensor algorithm bit for bit, whole and sliced, on both backends and all dtypes', () => {
  for (const c of CASES) {
    const reference = wholeTensorReference(c);
    const options = { sparsity: c.sparsity, std: c.std, layout: c.layout, seed: c.seed, stream: c.stream };
    const size = reference.length;
    const slices: [number, number][] = [[0, size], [0, 1], [size - 1, 1], [Math.floor(size / 3), Math.ceil(size / 2)], [5 % size, Math.min(8, size - 5 % size)]];
    for (const backend of ['wasm', 'js'] as const) {
      for (const [offset, length] of slices) {
        const part = withBackend(backend, () => nninit.sparse(c.shape, { ...options, offset, length }));
        assert.deepEqual(bytesOf(part), bytesOf(reference.subarray(offset, offset + length)), `${JSON.stringify(c)} ${backend} [${offset}, +${length})`);
      }
    }
    for (const dtype of ['float64', 'float16', 'bfloat16'] as const) {
      const converted = nninit.sparse(c.shape, { ...options, dtype, offset: 1 % size, length: size - (1 % size) });
      const expected = dtype === 'float64' ? Float64Array.from(reference.subarray(1 % size))
        : Uint16Array.from(reference.subarray(1 % size), dtype === 'float16' ? nninit.float16Bits : nninit.bfloat16Bits);
      assert.deepEqual(bytesOf(converted), bytesOf(expected), `${JSON.stringify(c)} ${dtype}`);
    }
  }
});

test('a slice of a huge sparse tensor computes only the inputs it touches', () => {
  // 2^40 elements: the values come from the stream at the slice's flat indices, the zeros from the masks of the
  // eight columns (torch) or the one row (keras) the slice covers.
  const torch: SparseCase = { shape: [2 ** 20, 2 ** 20], sparsity: 0.5, layout: 'torch', seed: 21 };
  const keras: SparseCase = { shape: [2 ** 20, 2 ** 18], sparsity: 0.75, seed: 22, stream: 'big' };
  for (const c of [torch, keras]) {
    const [rows, cols] = c.shape;
    const offset = c.layout === 'torch' ? 12345 * cols + 1000 : 777 * cols + 4096;
    const length = 8;
    const part = nninit.sparse(c.shape, { sparsity: c.sparsity, layout: c.layout, seed: c.seed, stream: c.stream, offset, length });
    const expected = nninit.normal([rows * cols], { seed: c.seed, stream: c.stream, std: 0.01, offset, length });
    const [units, inputs] = c.layout === 'torch' ? [rows, cols] : [cols, rows];
    for (let k = 0; k < length; k++) {
      const flat = offset + k;
      const [unit, input] = c.layout === 'torch' ? [Math.floor(flat / inputs), flat % inputs] : [flat % units, Math.floor(flat / units)];
      if (zeroUnits(c, input).includes(unit)) expected[k] = 0;
    }
    assert.deepEqual(bytesOf(part), bytesOf(expected), JSON.stringify(c));
    assert.ok(part.some((x) => x === 0) || c.sparsity < 0.5, 'some of the eight are zeros');
  }
});

test('a sparse tensor too large to plan is a RangeError naming the shape', () => {
  const namesShape = (shape: string) => (error: unknown) => {
    assert.ok(error instanceof RangeError, String(error));
    assert.ok(error.message.startsWith('nninit.sparse: shape ') && error.message.includes(shape), error.message);
    return true;
  };
  // Its mask would read stream words beyond 2^53.
  assert.throws(() => nninit.sparse([2 ** 26, 2 ** 26], { seed: 1, sparsity: 0.5, offset: 0, length: 8 }), namesShape('[67108864, 67108864]'));
  // One input's mask would need an index array of 2^31 units.
  assert.throws(() => nninit.sparse([1, 2 ** 31], { seed: 1, sparsity: 0.5, offset: 0, length: 8 }), namesShape('[1, 2147483648]'));
  // Without zeros there is no mask to plan: any slice is the normal stream.
  assert.deepEqual(nninit.sparse([1, 2 ** 31], { seed: 1, sparsity: 0, offset: 2 ** 31 - 3, length: 3 }),
    nninit.normal([2 ** 31], { seed: 1, std: 0.01, offset: 2 ** 31 - 3, length: 3 }));
  // The torch layout of the same shape has one unit per input: a slice is cheap.
  assert.equal(nninit.sparse([1, 2 ** 31], { seed: 1, sparsity: 0.5, layout: 'torch', offset: 5, length: 4 }).every((x) => x === 0), true);
});
