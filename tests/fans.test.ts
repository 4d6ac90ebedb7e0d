import { test } from 'node:test';
import assert from 'node:assert/strict';
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
