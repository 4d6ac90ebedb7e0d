// Accuracy of the single-precision elementary functions, measured exhaustively where the samplers' inputs are a
// finite grid: every Box-Muller radius input u1 = n 2^-24 and every angle input u2 = i 2^-24.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logf, sinCos2pi, erfinvf, normalTailInverse } from '../src/core/reference.ts';
import { erf, erfcx, minusLogNormalTail } from '../src/core/distributions.ts';
import { minusLogTailReference, ulp32 } from './helpers.ts';

test('logf is within 1 ulp of double-precision log on every Box-Muller input (2^24 values)', (t) => {
  let worst = 0;
  let at = 0;
  for (let n = 1; n <= 2 ** 24; n++) {
    const x = n * 2 ** -24;
    const exact = Math.log(x);
    if (exact === 0) {
      assert.equal(logf(x), 0);
      continue;
    }
    const error = Math.abs(logf(x) - exact) / ulp32(exact);
    if (error > worst) {
      worst = error;
      at = x;
    }
  }
  t.diagnostic(`logf max error ${worst.toFixed(3)} ulp at x = ${at}`);
  assert.ok(worst <= 1, `logf max error ${worst} ulp`);
});

test('logf is within 1 ulp across the positive normal floats', (t) => {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  let worst = 0;
  for (let bits = 0x00800000; bits < 0x7f800000; bits += 0x3a9) {
    u32[0] = bits;
    const exact = Math.log(f32[0]);
    if (exact === 0) continue;
    worst = Math.max(worst, Math.abs(logf(f32[0]) - exact) / ulp32(exact));
  }
  t.diagnostic(`logf max error over a sweep of all exponents ${worst.toFixed(3)} ulp`);
  assert.ok(worst <= 1);
});

test('sin(2 pi u) and cos(2 pi u) are within 2 ulp on every angle input (2^24 values)', (t) => {
  const out = new Float64Array(2);
  let worstSin = 0;
  let worstCos = 0;
  for (let i = 0; i < 2 ** 24; i++) {
    const u = i * 2 ** -24;
    sinCos2pi(i, out);
    const sine = Math.sin(2 * Math.PI * u);
    const cosine = Math.cos(2 * Math.PI * u);
    // At exact zeros of the function (u a multiple of 1/4) double-precision sin returns ~1e-16; we return 0.
    if (i % 2 ** 22 === 0) {
      assert.equal(Math.abs(i % 2 ** 23 === 0 ? out[0] : out[1]), 0);
      continue;
    }
    worstSin = Math.max(worstSin, Math.abs(out[0] - sine) / ulp32(sine));
    worstCos = Math.max(worstCos, Math.abs(out[1] - cosine) / ulp32(cosine));
  }
  t.diagnostic(`sin max error ${worstSin.toFixed(3)} ulp, cos max error ${worstCos.toFixed(3)} ulp`);
  assert.ok(worstSin <= 2 && worstCos <= 2, `sin ${worstSin}, cos ${worstCos}`);
});

test('erfinvf inverts erf to within a few float32 ulp', (t) => {
  let worst = 0;
  for (let k = -99999; k <= 99999; k += 7) {
    const x = Math.fround(k / 100000);
    if (x === 0) continue;
    // Newton-polish the exact inverse in double from erfinvf's guess.
    let y = erfinvf(x);
    for (let step = 0; step < 3; step++) y -= (erf(y) - x) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-y * y));
    worst = Math.max(worst, Math.abs(erfinvf(x) - y) / ulp32(y));
  }
  t.diagnostic(`erfinvf max error ${worst.toFixed(2)} ulp over (-1, 1)`);
  assert.ok(worst <= 8, `erfinvf max error ${worst} ulp`);
});

test('double-precision erf matches tabulated values', () => {
  // Abramowitz and Stegun, Table 7.1, and erf(1) to 16 digits.
  const table: [number, number][] = [[0.1, 0.1124629160], [0.5, 0.5204998778], [1, 0.8427007929497149], [2, 0.9953222650], [3, 0.9999779095]];
  for (const [x, value] of table) {
    assert.ok(Math.abs(erf(x) - value) < 1e-10, `erf(${x})`);
    assert.equal(erf(-x), -erf(x));
  }
});

test('normalTailInverse inverts -log Q within 2 ulp on [1, 2) and 1.25 ulp on [2, 38]', (t) => {
  // For float32 x on a grid, w = -log Q(x) in double (Mills-ratio integral), rounded to float32; the exact
  // inverse at that float32 w is x + (w32 - w) / (-log Q)'(x) to first order (the second-order term is below
  // 1e-12 here). The truncated normal's tail sampler evaluates normalTailInverse at float32 w.
  const worst = { low: 0, high: 0 };
  for (let k = 0; k <= 2400; k++) {
    const x = Math.fround(k < 1200 ? 1 + k / 1200 : 2 * 19 ** ((k - 1200) / 1200));
    const { value: w, derivative } = minusLogTailReference(x);
    const w32 = Math.fround(w);
    const exact = x + (w32 - w) / derivative;
    const got = normalTailInverse(w32);
    const error = Math.abs(got - exact) / ulp32(Math.max(got, exact));
    if (x < 2) worst.low = Math.max(worst.low, error);
    else worst.high = Math.max(worst.high, error);
  }
  t.diagnostic(`normalTailInverse max error ${worst.low.toFixed(3)} ulp on [1, 2), ${worst.high.toFixed(3)} ulp on [2, 38]`);
  assert.ok(worst.low <= 2 && worst.high <= 1.25, JSON.stringify(worst));
});

test('double-precision erfcx and -log Q of the truncated normal setup match tabulated values', () => {
  // scipy.special.erfcx (scipy 1.10) and -log Q from mpmath at 30 digits.
  for (const [z, value] of [[0.5, 0.6156903441929258], [2, 0.2553956763105058], [5, 0.11070463773306861], [27, 0.02088160799042094]]) {
    assert.ok(Math.abs(erfcx(z) / value - 1) < 1e-14, `erfcx(${z}) = ${erfcx(z)}`);
  }
  for (const [x, value] of [[1, 1.8410216450092635], [6, 20.736768949974706], [38, 726.55721601882013]]) {
    assert.ok(Math.abs(minusLogNormalTail(x) / value - 1) < 1e-14, `-log Q(${x}) = ${minusLogNormalTail(x)}`);
  }
});
