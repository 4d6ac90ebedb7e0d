// The reproducibility contract: a value depends only on (seed, stream, flat index, parameters), never on the
// backend, the slice, the chunking or whether the caller supplied `out`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

type Initializer = (shape: readonly number[], options?: Record<string, unknown>) => Float32Array | Float64Array | Uint16Array;

const RANDOM: Record<string, [Initializer, Record<string, unknown>]> = {
  uniform: [nninit.uniform as Initializer, { low: -3, high: 0.5 }],
  // A range below 2^-102: the wasm kernel cannot fold 2^-24 into it exactly, so it maps the words as the js
  // backend does.
  uniformTinyRange: [nninit.uniform as Initializer, { low: -1e-35, high: 2e-35 }],
  normal: [nninit.normal as Initializer, { mean: 1, std: 0.3 }],
  truncatedNormal: [nninit.truncatedNormal as Initializer, { mean: -1, std: 2, lower: -1.5, upper: 3 }],
  truncatedNormalTails: [nninit.truncatedNormal as Initializer, { lower: -6, upper: 5.5 }],
  varianceScalingUniform: [nninit.varianceScaling as Initializer, { scale: 3, mode: 'fanOut', distribution: 'uniform' }],
  varianceScalingNormal: [nninit.varianceScaling as Initializer, { scale: 0.5, mode: 'fanAvg', distribution: 'normal' }],
  varianceScalingTruncated: [nninit.varianceScaling as Initializer, { layout: 'torch' }],
  glorotUniform: [nninit.glorotUniform as Initializer, { gain: 2 }],
  glorotNormal: [nninit.glorotNormal as Initializer, {}],
  heUniform: [nninit.heUniform as Initializer, { nonlinearity: 'leaky_relu', a: 0.2, mode: 'fanOut' }],
  heNormal: [nninit.heNormal as Initializer, { distribution: 'normal' }],
  lecunUniform: [nninit.lecunUniform as Initializer, {}],
  lecunNormal: [nninit.lecunNormal as Initializer, {}],
};

const SHAPES = [[1], [3], [7, 5], [33, 17], [3, 3, 4, 8], [2, 5, 3, 3], [130, 257]];
const SEEDS: (number | bigint)[] = [0, 1, 12345, 2 ** 53 - 1, 0xfedcba9876543210n];


for (const [name, [initializer, parameters]] of Object.entries(RANDOM)) {
  test(`${name}: wasm and js agree byte for byte over seeds, shapes, streams, offsets and dtypes`, () => {
    let checked = 0;
    for (const shape of SHAPES) {
      const size = shape.reduce((a, b) => a * b, 1);
      for (const [s, seed] of SEEDS.entries()) {
        const offset = (s * 7 + 1) % size;
        const length = Math.min(size - offset, 1 + ((s * 131) % size));
        for (const dtype of ['float32', 'float64', 'float16', 'bfloat16']) {
          const options = { ...parameters, seed, stream: s === 2 ? 'layer.weight' : s, offset, length, dtype };
          const fast = withBackend('wasm', () => initializer(shape, options));
          const reference = withBackend('js', () => initializer(shape, options));
          assert.equal(fast.length, length);
          assert.deepEqual(bytesOf(fast), bytesOf(reference), `${name} ${JSON.stringify(shape)} seed ${seed} ${dtype}`);
          checked++;
        }
      }
    }
    assert.equal(checked, SHAPES.length * SEEDS.length * 4);
  });

  test(`${name}: every slice equals that slice of the full tensor, on both backends`, () => {
    const shape = [75, 333]; // 24975 elements: more than one 16384-word scratch chunk
    const full = initializer(shape, { ...parameters, seed: 77 });
    const slices: [number, number][] = [[0, 1], [1, 4], [2, 2], [3, 5], [4, 16384], [16381, 7], [16383, 8000], [24970, 5], [24975, 0], [5, 24970]];
    for (const backend of ['wasm', 'js'] as const) {
      for (const [offset, length] of slices) {
        const part = withBackend(backend, () => initializer(shape, { ...parameters, seed: 77, offset, length }));
        assert.deepEqual(bytesOf(part), bytesOf(full.subarray(offset, offset + length)), `${backend} [${offset}, +${length})`);
      }
    }
  });

  test(`${name}: half-precision output is the float32 output rounded to nearest even`, () => {
    const options = { ...parameters, seed: 6, stream: 'half', offset: 3, length: 40000 };
    const single = initializer([300, 200], options);
    for (const [dtype, convert] of [['float16', nninit.float16Bits], ['bfloat16', nninit.bfloat16Bits]] as const) {
      const bits = initializer([300, 200], { ...options, dtype });
      assert.ok(bits instanceof Uint16Array);
      assert.deepEqual(bits, Uint16Array.from(single, convert), dtype);
      const out = new Uint16Array(40000);
      assert.equal(initializer([300, 200], { ...options, dtype, out }), out);
      assert.deepEqual(out, bits);
    }
  });

  test(`${name}: float64 output is the float32 output widened, and out= gives the same bits`, () => {
    const options = { ...parameters, seed: 5, stream: 9n };
    const single = initializer([40, 30], options);
    const double = initializer([40, 30], { ...options, dtype: 'float64' });
    assert.deepEqual(bytesOf(double), bytesOf(Float64Array.from(single)));
    const out = new Float32Array(1200);
    const returned = initializer([40, 30], { ...options, out });
    assert.equal(returned, out);
    assert.deepEqual(bytesOf(out), bytesOf(single));
    const out64 = new Float64Array(1200);
    assert.equal(initializer([40, 30], { ...options, out: out64 }), out64);
    assert.deepEqual(bytesOf(out64), bytesOf(double));
  });
}

test('a shard of a huge tensor needs no memory for the rest of it', () => {
  // 2^40 elements: only the slice is generated, and it matches a slice taken nearer the start of the same stream.
  const shape = [2 ** 20, 2 ** 20];
  const far = nninit.heNormal(shape, { seed: 1, offset: 2 ** 40 - 10, length: 10 });
  assert.equal(far.length, 10);
  const reference = withBackend('js', () => nninit.heNormal(shape, { seed: 1, offset: 2 ** 40 - 10, length: 10 }));
  assert.deepEqual(bytesOf(far), bytesOf(reference));
});

test('streams and seeds change the values; the same (seed, stream) repeats them', () => {
  const a = nninit.normal([1000], { seed: 3, stream: 0 });
  assert.deepEqual(nninit.normal([1000], { seed: 3, stream: 0 }), a);
  assert.notDeepEqual(nninit.normal([1000], { seed: 3, stream: 1 }), a);
  assert.notDeepEqual(nninit.normal([1000], { seed: 4, stream: 0 }), a);
});

test('values depend on the flat index, not on the shape, when the parameters are equal', () => {
  // uniform has no fans, so [6, 4] and [24] are the same stream positions.
  assert.deepEqual(nninit.uniform([6, 4], { seed: 8 }), nninit.uniform([24], { seed: 8 }));
});

test('zero-size shapes give empty arrays', () => {
  for (const [name, [initializer, parameters]] of Object.entries(RANDOM)) {
    assert.equal(initializer([0, 5], { ...parameters, seed: 1 }).length, 0, name);
    assert.equal(initializer([3, 0, 2, 2], { ...parameters, seed: 1 }).length, 0, name);
  }
  assert.equal(nninit.zeros([0]).length, 0);
});
