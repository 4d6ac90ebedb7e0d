// float32 -> binary16 / bfloat16 rounding, checked against cases worked out by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';

const f16 = nninit.float16Bits;
const bf16 = nninit.bfloat16Bits;

test('binary16: normal values, signs and zeros', () => {
  assert.equal(f16(1), 0x3c00);
  assert.equal(f16(-2), 0xc000);
  assert.equal(f16(0.5), 0x3800);
  assert.equal(f16(0), 0x0000);
  assert.equal(f16(-0), 0x8000);
  assert.equal(f16(65504), 0x7bff); // largest finite half
});

test('binary16: ties round to even', () => {
  // 1 + 2^-11 lies halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01): even wins.
  assert.equal(f16(1 + 2 ** -11), 0x3c00);
  // 1 + 3 * 2^-11 lies halfway between 0x3c01 (odd) and 0x3c02 (even).
  assert.equal(f16(1 + 3 * 2 ** -11), 0x3c02);
  // Just above a tie rounds up.
  assert.equal(f16(1 + 2 ** -11 + 2 ** -20), 0x3c01);
});

test('binary16: overflow to infinity at 65520, NaN stays NaN', () => {
  assert.equal(f16(65519), 0x7bff);
  assert.equal(f16(65520), 0x7c00); // halfway between 65504 (0x7bff, odd) and 65536 (infinity): even
  assert.equal(f16(1e6), 0x7c00);
  assert.equal(f16(-1e30), 0xfc00);
  assert.equal(f16(-Infinity), 0xfc00);
  assert.equal(f16(NaN), 0x7e00);
});

test('binary16: subnormals', () => {
  assert.equal(f16(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(f16(2 ** -25), 0x0000); // halfway between 0 and 2^-24: even (0)
  assert.equal(f16(1.5 * 2 ** -25), 0x0001);
  assert.equal(f16(3 * 2 ** -25), 0x0002); // 1.5 units: halfway between 1 and 2, even
  assert.equal(f16(1023 * 2 ** -24), 0x03ff); // largest subnormal
  assert.equal(f16(1023.5 * 2 ** -24), 0x0400); // halfway to the smallest normal 2^-14: even (0x400)
  assert.equal(f16(2 ** -14), 0x0400);
  assert.equal(f16(-5 * 2 ** -24), 0x8005);
  assert.equal(f16(1e-10), 0x0000);
});

test('bfloat16: rounding, ties, overflow, NaN and subnormals', () => {
  assert.equal(bf16(1), 0x3f80);
  assert.equal(bf16(-1), 0xbf80);
  assert.equal(bf16(1 + 2 ** -8), 0x3f80); // halfway between 0x3f80 (even) and 0x3f81
  assert.equal(bf16(1 + 3 * 2 ** -8), 0x3f82); // halfway between 0x3f81 (odd) and 0x3f82
  assert.equal(bf16(1 + 2 ** -8 + 2 ** -20), 0x3f81);
  assert.equal(bf16(3.4028234663852886e38), 0x7f80); // the largest float32 rounds up to infinity
  assert.equal(bf16(Infinity), 0x7f80);
  assert.equal(bf16(NaN), 0x7fc0);
  assert.equal(bf16(2 ** -149), 0x0000); // float32 bits 0x00000001 round to zero
  assert.equal(bf16(2 ** -133), 0x0001); // float32 bits 0x00010000: the smallest bfloat16 subnormal
  assert.equal(bf16(1.5 * 2 ** -133), 0x0002); // bits 0x00018000: halfway between 1 and 2, even
});

test('constant and structured initializers honour half dtypes', () => {
  assert.deepEqual(nninit.constant([3], 65520, { dtype: 'float16' }), new Uint16Array([0x7c00, 0x7c00, 0x7c00]));
  assert.deepEqual(nninit.ones([2], { dtype: 'bfloat16' }), new Uint16Array([0x3f80, 0x3f80]));
  assert.deepEqual(nninit.identity([2, 2], { dtype: 'float16', gain: 0.5 }), new Uint16Array([0x3800, 0, 0, 0x3800]));
  const q = nninit.orthogonal([20, 10], { seed: 1 });
  assert.deepEqual(nninit.orthogonal([20, 10], { seed: 1, dtype: 'bfloat16' }), Uint16Array.from(q, bf16));
});

test('a Uint16Array out needs a half dtype; Float16Array where the runtime has it', () => {
  assert.throws(() => nninit.zeros([2], { out: new Uint16Array(2) }), (e: unknown) => e instanceof TypeError && /options\.dtype/.test((e as Error).message));
  const Float16 = (globalThis as { Float16Array?: new (n: number) => ArrayBufferView & ArrayLike<number> }).Float16Array;
  if (Float16) {
    const out = new Float16(4);
    assert.equal(nninit.ones([4], { out }), out);
    assert.equal(out[0], 1);
  } else {
    assert.throws(() => nninit.float16View(new Uint16Array(1)), TypeError);
  }
});
