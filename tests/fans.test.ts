import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { computeFans, calculateGain } from 'nninit';

test('fans of dense weights in both layouts', () => {
  assert.deepEqual(computeFans([784, 256]), { fanIn: 784, fanOut: 256, receptiveField: 1 });
  assert.deepEqual(computeFans([256, 784], 'torch'), { fanIn: 784, fanOut: 256, receptiveField: 1 });
});

test('fans of 1-D, 2-D and 3-D convolution kernels, worked out by hand', () => {
  // Conv1D, kernel 5, 16 -> 32 channels: receptive field 5, fanIn 16 * 5 = 80, fanOut 32 * 5 = 160.
  assert.deepEqual(computeFans([5, 16, 32]), { fanIn: 80, fanOut: 160, receptiveField: 5 });
  assert.deepEqual(computeFans([32, 16, 5], 'torch'), { fanIn: 80, fanOut: 160, receptiveField: 5 });
  // Conv2D 3x3, 64 -> 128: receptive field 9, fanIn 576, fanOut 1152.
  assert.deepEqual(computeFans([3, 3, 64, 128]), { fanIn: 576, fanOut: 1152, receptiveField: 9 });
  assert.deepEqual(computeFans([128, 64, 3, 3], 'torch'), { fanIn: 576, fanOut: 1152, receptiveField: 9 });
  // Conv2D 7x5 (non-square), 3 -> 8: receptive field 35, fanIn 105, fanOut 280.
  assert.deepEqual(computeFans([7, 5, 3, 8]), { fanIn: 105, fanOut: 280, receptiveField: 35 });
  assert.deepEqual(computeFans([8, 3, 7, 5], 'torch'), { fanIn: 105, fanOut: 280, receptiveField: 35 });
  // Conv3D 2x3x4, 6 -> 10: receptive field 24, fanIn 144, fanOut 240.
  assert.deepEqual(computeFans([2, 3, 4, 6, 10]), { fanIn: 144, fanOut: 240, receptiveField: 24 });
  assert.deepEqual(computeFans([10, 6, 2, 3, 4], 'torch'), { fanIn: 144, fanOut: 240, receptiveField: 24 });
});

test('fans of rank 0 and rank 1 follow Keras 3', () => {
  assert.deepEqual(computeFans([]), { fanIn: 1, fanOut: 1, receptiveField: 1 });
  assert.deepEqual(computeFans([10]), { fanIn: 10, fanOut: 10, receptiveField: 1 });
  assert.deepEqual(computeFans([10], 'torch'), { fanIn: 10, fanOut: 10, receptiveField: 1 });
});

test("calculateGain reproduces PyTorch's table", () => {
  for (const name of ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'] as const) {
    assert.equal(calculateGain(name), 1, name);
  }
  assert.equal(calculateGain('tanh'), 5 / 3);
  assert.equal(calculateGain('relu'), Math.sqrt(2));
  assert.equal(calculateGain('selu'), 0.75);
  // leaky_relu: sqrt(2 / (1 + slope^2)); default slope 0.01 -> sqrt(2 / 1.0001).
  assert.equal(calculateGain('leaky_relu'), Math.sqrt(2 / 1.0001));
  assert.equal(calculateGain('leaky_relu', 0), Math.sqrt(2));
  assert.ok(Math.abs(calculateGain('leaky_relu', 0.2) - 1.386750490563073) < 1e-15);
  assert.ok(Math.abs(calculateGain('leaky_relu', 1) - 1) < 1e-15);
});

// ---- inAxis, outAxis, batchAxis (jax.nn.initializers' in_axis, out_axis, batch_axis) ----------------------------

function throwsRange(call: () => unknown, pattern: RegExp): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof RangeError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

test('computeFans takes (shape, layout) or (shape, { layout, inAxis, outAxis, batchAxis })', () => {
  assert.deepEqual(computeFans([3, 3, 64, 128], { layout: 'keras' }), computeFans([3, 3, 64, 128], 'keras'));
  assert.deepEqual(computeFans([128, 64, 3, 3], { layout: 'torch' }), computeFans([128, 64, 3, 3], 'torch'));
  assert.deepEqual(computeFans([10], {}), { fanIn: 10, fanOut: 10, receptiveField: 1 });
  // The default axes reproduce the layouts: keras in -2, out -1; torch in 1, out 0.
  for (const shape of [[5, 7], [3, 5, 7], [2, 3, 5, 7], [2, 2, 3, 5, 7]]) {
    assert.deepEqual(computeFans(shape, { inAxis: -2, outAxis: -1 }), computeFans(shape), JSON.stringify(shape));
    assert.deepEqual(computeFans(shape, { layout: 'torch', inAxis: 1, outAxis: 0 }), computeFans(shape, 'torch'), JSON.stringify(shape));
  }
});

test("JAX's testVarianceScalingMultiAxis: (2, 3, 4, 5) with in_axis (0, 1) and out_axis (-2, -1)", () => {
  assert.deepEqual(computeFans([2, 3, 4, 5], { inAxis: [0, 1], outAxis: [-2, -1] }), { fanIn: 6, fanOut: 20, receptiveField: 1 });
  // fan_avg, truncated normal: the shape of the result, and the values of a [6, 20] weight (same variance
  // 1 / 13, same flat indices, so the same bits).
  const values = nninit.varianceScaling([2, 3, 4, 5], { scale: 1, mode: 'fan_avg', distribution: 'truncatedNormal', inAxis: [0, 1], outAxis: [-2, -1], seed: 0 });
  assert.equal(values.length, 120);
  assert.deepEqual(values, nninit.varianceScaling([6, 20], { mode: 'fanAvg', seed: 0 }));
});

test("JAX's testVarianceScalingBatchAxis: (2, 3, 4, 5) with in_axis 0, out_axis (2, 3), batch_axis 1", () => {
  // receptive field 120 / 2 / 20 / 3 = 1.
  assert.deepEqual(computeFans([2, 3, 4, 5], { inAxis: 0, outAxis: [2, 3], batchAxis: 1 }), { fanIn: 2, fanOut: 20, receptiveField: 1 });
  // fan_avg (2 + 20) / 2 = 11: the 2-sigma truncated normal with std sqrt(1 / 11) / 0.8796..., bit for bit.
  const values = nninit.varianceScaling([2, 3, 4, 5], { mode: 'fanAvg', inAxis: 0, outAxis: [2, 3], batchAxis: 1, seed: 0 });
  assert.deepEqual(values, nninit.truncatedNormal([120], { std: Math.sqrt(1 / 11) / nninit.TRUNCATED_NORMAL_STDDEV_2, seed: 0 }));
});

test("JAX's testVarianceScalingError: explicit axes need a shape of rank 2 or more", () => {
  throwsRange(() => computeFans([5], { inAxis: 0 }), /computeFans: shape must be of rank 2 or more/);
  throwsRange(() => nninit.varianceScaling([5], { mode: 'fanAvg', outAxis: -1 }), /varianceScaling: shape must be of rank 2 or more/);
  throwsRange(() => computeFans([], { batchAxis: [] }), /rank 2 or more/);
});

test('axes given override the layout for their role only; the layout supplies the rest', () => {
  // torch [out 8, in 3, 5, 5]: a batch axis leaves in 1 and out 0; the other spatial axis is the receptive field.
  assert.deepEqual(computeFans([8, 3, 5, 5], { layout: 'torch', batchAxis: 2 }), { fanIn: 15, fanOut: 40, receptiveField: 5 });
  assert.deepEqual(computeFans([8, 3, 5, 5], { layout: 'torch', inAxis: [1, 2] }), { fanIn: 75, fanOut: 40, receptiveField: 5 });
  // keras [8 heads, 64 in, 128 out] stacked: batch axis 0.
  assert.deepEqual(computeFans([8, 64, 128], { batchAxis: 0 }), { fanIn: 64, fanOut: 128, receptiveField: 1 });
  // Negative axes count from the end; empty arrays are allowed (a size of 1), as in JAX.
  assert.deepEqual(computeFans([4, 6, 9], { inAxis: -3, outAxis: -2 }), { fanIn: 36, fanOut: 54, receptiveField: 9 });
  assert.deepEqual(computeFans([4, 6], { inAxis: [], outAxis: [0, 1] }), { fanIn: 1, fanOut: 24, receptiveField: 1 });
});

test('bad or overlapping axes are RangeErrors naming the option; wrong types are TypeErrors', () => {
  throwsRange(() => computeFans([2, 3, 4], { inAxis: 3 }), /options\.inAxis must be an integer in \[-3, 3\) for a shape of rank 3, got 3/);
  throwsRange(() => computeFans([2, 3, 4], { outAxis: [0, -4] }), /options\.outAxis\[1\] must be an integer in \[-3, 3\)/);
  throwsRange(() => computeFans([2, 3, 4], { batchAxis: 0.5 }), /options\.batchAxis must be an integer/);
  throwsRange(() => computeFans([2, 3, 4], { inAxis: 1, outAxis: -2 }), /axis 1 of the rank-3 shape is in both options\.inAxis and options\.outAxis/);
  throwsRange(() => computeFans([2, 3, 4], { inAxis: [0, -3] }), /axis 0 of the rank-3 shape is in options\.inAxis twice/);
  throwsRange(() => computeFans([2, 3, 4], { batchAxis: 2 }), /axis 2 .* both options\.outAxis and options\.batchAxis/);
  throwsRange(() => nninit.heNormal([2, 3, 4], { inAxis: 0, batchAxis: [0] }), /heNormal: axis 0 .* both options\.inAxis and options\.batchAxis/);
  assert.throws(() => computeFans([2, 3], { inAxis: '0' as unknown as number }), { name: 'TypeError', message: /options\.inAxis must be an axis/ });
  assert.throws(() => computeFans([2, 3], { inAxis: ['0'] as unknown as number[] }), { name: 'TypeError', message: /options\.inAxis\[0\] must be an integer/ });
  assert.throws(() => computeFans([2, 3], { axis: 0 } as object), { name: 'TypeError', message: /unknown option "axis"/ });
  assert.throws(() => computeFans([2, 3], 5 as unknown as 'keras'), { name: 'TypeError', message: /computeFans: layout/ });
});

test('every fan-using initializer takes the axes: Glorot, He, LeCun and varianceScaling', () => {
  const shape = [2, 3, 4, 5];
  const axes = { inAxis: [0, 1], outAxis: [2, 3] };
  const cases: [string, Record<string, unknown>][] = [
    ['glorotUniform', {}], ['glorotNormal', { distribution: 'normal' }], ['heUniform', {}], ['heNormal', {}],
    ['kaimingNormal', { mode: 'fanOut' }], ['lecunUniform', {}], ['lecunNormal', {}], ['varianceScaling', { mode: 'fanGeoAvg' }],
  ];
  const call = (name: string, s: number[], o: Record<string, unknown>) =>
    (nninit as unknown as Record<string, (s: number[], o: object) => Float32Array>)[name](s, { seed: 3, ...o });
  for (const [name, options] of cases) {
    // The same fans as the 2-D [6, 20] weight, so the same variance and the same bits.
    assert.deepEqual(call(name, shape, { ...options, ...axes }), call(name, [6, 20], options), name);
    assert.notDeepEqual(call(name, shape, options), call(name, [6, 20], options), `${name} without axes has other fans`);
  }
});

// ---- mode 'fanGeoAvg' (JAX's 'fan_geo_avg') ---------------------------------------------------------------------

test("mode 'fanGeoAvg' divides by sqrt(fanIn * fanOut), in both spellings", () => {
  // [100, 400]: sqrt(100 * 400) = 200, so the variance is that of fanIn on a [200, 200] weight of the same size.
  for (const mode of ['fanGeoAvg', 'fan_geo_avg'] as const) {
    for (const distribution of ['normal', 'truncatedNormal', 'uniform'] as const) {
      assert.deepEqual(nninit.varianceScaling([100, 400], { mode, distribution, scale: 3, seed: 9 }),
        nninit.varianceScaling([200, 200], { mode: 'fanIn', distribution, scale: 3, seed: 9 }), `${mode} ${distribution}`);
    }
  }
  assert.throws(() => nninit.heNormal([4, 4], { mode: 'fanGeoAvg' }), { name: 'RangeError', message: /options\.mode must be 'fanIn' or 'fanOut'/ });
});

test("JAX's fan_geo_avg normal initializer record: every shape of rank 2 to 4 and every dtype", () => {
  for (const shape of [[2, 2], [2, 3], [3, 2], [2, 3, 4], [4, 3, 2], [2, 3, 4, 5]]) {
    for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
      const values = nninit.varianceScaling(shape, { scale: 1, mode: 'fan_geo_avg', distribution: 'normal', dtype, seed: 0 });
      assert.equal(values.length, shape.reduce((a, b) => a * b, 1));
      assert.equal(values.constructor, dtype === 'float32' ? Float32Array : dtype === 'float64' ? Float64Array : Uint16Array);
    }
  }
});
