// constant with an array value (Keras 3's array-valued Constant, keras/src/initializers/constant_initializers_test.py),
// and the rules it shares with the scalar form.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';

test("Keras's test_constant_initializer_array_value: a (3, 3) array gives those values", () => {
  const value = Float64Array.from({ length: 9 }, (_, i) => Math.sin(i + 1) / 3);
  assert.deepEqual(nninit.constant([3, 3], value), Float32Array.from(value));
  assert.deepEqual(nninit.constant([3, 3], value, { dtype: 'float64' }), value, 'float64 stores the values exactly');
  assert.deepEqual(nninit.constant([3, 3], Array.from(value)), Float32Array.from(value), 'a plain array too');
  assert.deepEqual(nninit.constant([2, 2], new Int32Array([1, -2, 3, -4])), new Float32Array([1, -2, 3, -4]));
});

test('an array value honours offset, length, out and the half dtypes', () => {
  const value = [0.5, 1, 1.5, 2, 70000, -3, 4.25, 8];
  assert.deepEqual(nninit.constant([2, 4], value, { offset: 3, length: 4 }), new Float32Array([2, 70000, -3, 4.25]));
  const out = new Float64Array(2);
  assert.equal(nninit.constant([8], value, { out, offset: 6 }), out);
  assert.deepEqual(out, new Float64Array([4.25, 8]));
  assert.deepEqual(nninit.constant([8], value, { dtype: 'float16' }), Uint16Array.from(value, nninit.float16Bits));
  assert.deepEqual(nninit.constant([8], value, { dtype: 'bfloat16', offset: 4, length: 2 }), Uint16Array.from([70000, -3], nninit.bfloat16Bits));
});

test("Keras's bad-shape case: an array of another size is a RangeError naming value; bad elements name their index", () => {
  assert.throws(() => nninit.constant([10, 10], new Float32Array(25)), { name: 'RangeError', message: /nninit\.constant: value must be a number or an array of 100 values \(the tensor's size\), got a Float32Array of length 25/ });
  assert.throws(() => nninit.constant([3], [1, NaN, 3]), { name: 'RangeError', message: /value\[1\] must be a number finite in float32/ });
  assert.throws(() => nninit.constant([2], [1, 1e39]), { name: 'RangeError', message: /value\[1\]/ });
  assert.throws(() => nninit.constant([2], [1, '2'] as unknown as number[]), { name: 'TypeError', message: /value\[1\] must be a number/ });
  assert.throws(() => nninit.constant([2], new BigInt64Array(2) as unknown as number[]), { name: 'TypeError', message: /value must be a number, or an array or typed array of numbers/ });
  assert.throws(() => nninit.constant([2], { length: 2 } as unknown as number[]), { name: 'TypeError', message: /value must be/ });
  assert.deepEqual([...nninit.constant([2], [NaN, -Infinity], { allowNonFinite: true })], [NaN, -Infinity]);
});
