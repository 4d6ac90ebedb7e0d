// The probe's float32 elementary functions and activations (src/core/probe-math.ts, the same operations as
// assembly/activations.ts): their accuracy against double precision over a strided sweep of every float32
// exponent (bench/probe-math.ts measures them finer, with every float32 of [1/2, 2), for the figures documented
// in assembly/activations.ts), their derivatives, and the wasm kernels against the js ones bit for bit on a
// million inputs of every kind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from 'nninit';
import { expf, tanhf, sigmoidf, normalCdf, activationf, derivativef } from '../src/core/probe-math.ts';
import { ACTIVATION_CODES } from '../dist/core/probe-kernels.js';
import { currentBackend } from '../dist/core/runtime.js';
import { createJsProbeKernels } from '../dist/diagnose/kernels.js';
import { MATH_CASES, measure, normalCdfReference as Phi } from '../bench/probe-math.ts';
import { standardNormalPdf as phi } from './helpers.ts';

/** The largest errors bench/probe-math.ts measures (ulps), which a coarser sweep cannot exceed. */
const DOCUMENTED: Record<string, number> = {
  expf: 0.92, expm1f: 1.37, tanhf: 2.49, sigmoidf: 2.31, normalCdf: 7.69,
  elu: 0.82, selu: 1.78, gelu: 7.67, silu: 3.13, mish: 3.87, softsign: 1.48,
};

test('the probe\'s float32 functions and activations are within their documented ulps of double precision', (t) => {
  for (const c of MATH_CASES) {
    const r = measure(c, 0x1001, false);
    t.diagnostic(`${c.name}: ${r.ulp.toFixed(2)} ulp at most (at ${r.at}) over ${r.inputs} inputs`);
    assert.ok(r.ulp <= DOCUMENTED[c.name], `${c.name}: ${r.ulp} ulp at ${r.at}`);
    assert.equal(r.overflowMismatches, 0, `${c.name}: overflows`);
  }
  // Special values: the limits, signed zeros and NaN.
  assert.equal(expf(-Infinity), 0);
  assert.equal(expf(Infinity), Infinity);
  assert.ok(Object.is(tanhf(-0), -0));
  assert.equal(tanhf(-Infinity), -1);
  assert.equal(sigmoidf(0), 0.5);
  assert.equal(normalCdf(0), 0.5);
  assert.equal(activationf(ACTIVATION_CODES.gelu, 0, Infinity), Infinity);
  assert.equal(activationf(ACTIVATION_CODES.mish, 0, Infinity), Infinity);
  assert.ok(Number.isNaN(expf(NaN)) && Number.isNaN(normalCdf(NaN)));
});

test('the derivatives agree with double-precision formulas to float32 accuracy', () => {
  const A = ACTIVATION_CODES;
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const exact: [number, (x: number) => number][] = [
    [A.gelu, (x) => Phi(x) + x * phi(x)],
    [A.silu, (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x)))],
    [A.mish, (x) => { const t = Math.tanh(Math.log1p(Math.exp(x))); return t + x * (1 - t * t) * sigmoid(x); }],
    [A.elu, (x) => (x > 0 ? 1 : Math.exp(x))],
    [A.tanh, (x) => 1 - Math.tanh(x) ** 2],
    [A.sigmoid, (x) => sigmoid(x) * (1 - sigmoid(x))],
  ];
  for (const [code, g] of exact) {
    for (let i = -4000; i <= 4000; i++) {
      const x = Math.fround(i / 200);
      const got = derivativef(code, 0, x, activationf(code, 0, x));
      assert.ok(Math.abs(got - g(x)) <= 1e-6 * Math.max(1, Math.abs(x)), `code ${code} at ${x}: ${got} vs ${g(x)}`);
    }
  }
});

test('the wasm and js probe kernels give the same bits: every activation, forward and backward, on a million inputs', async () => {
  await ready();
  const wasm = currentBackend().probe!, js = createJsProbeKernels();
  const n = 1 << 20;
  const input = new Float32Array(n), words = new Uint32Array(input.buffer);
  // Half a dense grid of [-20, 20), half random bit patterns (every exponent, NaN and the infinities among them).
  for (let i = 0; i < n / 2; i++) input[i] = (i / (n / 2) - 0.5) * 40;
  let state = 12345;
  for (let i = n / 2; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    words[i] = state;
  }
  input.set([0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 88.72, -103.9, 9, -9, 16, -16, 20, 0.3466, -0.3466], n - 16);
  for (const [name, code] of Object.entries(ACTIVATION_CODES)) {
    const rows = name === 'softmax' ? n / 64 : 1, cols = n / rows;
    const [a, b] = [wasm, js].map((k) => {
      const h = k.reserve(3 * n);
      h.set(input, 0);
      h.fill(0.75, 2 * n, 3 * n);
      k.activate(code, 0.2, rows, cols, 0, n);
      k.activateBackward(code, 0.2, rows, cols, 0, n, 2 * n);
      return k.view().slice(n, 3 * n);
    });
    const wa = new Uint32Array(a.buffer), wb = new Uint32Array(b.buffer);
    for (let i = 0; i < 2 * n; i++) {
      if (wa[i] !== wb[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
        assert.fail(`${name}: ${i < n ? 'forward' : 'backward'} at input ${input[i % n]}: wasm ${a[i]}, js ${b[i]}`);
      }
    }
  }
});
