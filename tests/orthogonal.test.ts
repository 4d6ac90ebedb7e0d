import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { buildPanel } from '../src/core/householder.ts';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

/**
 * max |Q^T Q - I| (columns, rows >= cols) or max |Q Q^T - I| (rows), accumulated in double. The Gram matrix is built
 * tile by tile (TILE x TILE entries, every row of Q per tile) so a tile stays in cache: the plain row-by-row rank-one
 * update streamed the whole 2048 x 2048 Gram matrix through memory once per row.
 */
function orthogonalityError(q: Float32Array | Float64Array, rows: number, cols: number, gain = 1): number {
  const tall = rows >= cols;
  const k = tall ? cols : rows;
  const count = tall ? rows : cols;
  // vectors[i * k + a]: the a-th coordinate of the i-th vector whose inner products form the Gram matrix
  const vectors = new Float64Array(count * k);
  for (let i = 0; i < count; i++) for (let a = 0; a < k; a++) vectors[i * k + a] = (tall ? q[i * cols + a] : q[a * cols + i]) / gain;
  const TILE = 64;
  const tile = new Float64Array(TILE * TILE);
  let worst = 0;
  for (let a0 = 0; a0 < k; a0 += TILE) {
    const a1 = Math.min(k, a0 + TILE);
    for (let b0 = a0; b0 < k; b0 += TILE) {
      const b1 = Math.min(k, b0 + TILE);
      tile.fill(0);
      let i = 0;
      for (; i + 4 <= count; i += 4) {
        const p0 = i * k, p1 = p0 + k, p2 = p1 + k, p3 = p2 + k;
        for (let a = a0; a < a1; a++) {
          const x0 = vectors[p0 + a], x1 = vectors[p1 + a], x2 = vectors[p2 + a], x3 = vectors[p3 + a];
          const row = (a - a0) * TILE - b0;
          for (let b = b0; b < b1; b++) {
            tile[row + b] += x0 * vectors[p0 + b] + x1 * vectors[p1 + b] + x2 * vectors[p2 + b] + x3 * vectors[p3 + b];
          }
        }
      }
      for (; i < count; i++) {
        const base = i * k;
        for (let a = a0; a < a1; a++) {
          const va = vectors[base + a];
          const row = (a - a0) * TILE - b0;
          for (let b = b0; b < b1; b++) tile[row + b] += va * vectors[base + b];
        }
      }
      for (let a = a0; a < a1; a++) {
        for (let b = Math.max(a, b0); b < b1; b++) worst = Math.max(worst, Math.abs(tile[(a - a0) * TILE + b - b0] - (a === b ? 1 : 0)));
      }
    }
  }
  return worst;
}

test('orthogonal: max |Q^T Q - I| <= 1e-5 in float32 up to 2048 x 2048, square, tall and wide', (t) => {
  for (const [rows, cols] of [[1, 1], [2, 2], [3, 7], [7, 3], [33, 17], [100, 250], [256, 256], [1024, 1024], [2048, 2048]]) {
    const q = nninit.orthogonal([rows, cols], { seed: rows * 7 + cols });
    const error = orthogonalityError(q, rows, cols);
    if (rows >= 256) t.diagnostic(`${rows} x ${cols}: max |Q^T Q - I| = ${error.toExponential(2)}`);
    assert.ok(error <= 1e-5, `${rows} x ${cols}: ${error}`);
    if (rows === 256) {
      // the same check catches a single entry off by 1e-3 in the last row (the test can fail)
      q[q.length - 1] += 1e-3;
      assert.ok(orthogonalityError(q, rows, cols) > 1e-5, `${rows} x ${cols}: perturbation not detected`);
    }
  }
});

test('orthogonal: gain scales the float32 result', () => {
  const single = nninit.orthogonal([300, 200], { seed: 3, gain: 2.5 });
  assert.ok(orthogonalityError(single, 300, 200, 2.5) < 1e-5);
  const unit = nninit.orthogonal([300, 200], { seed: 3 });
  assert.ok(unit.every((x, i) => Math.abs(x * 2.5 - single[i]) <= 2.5 * 2 ** -24 * Math.abs(x) + 1e-30));
});

test('orthogonal: wasm and js agree byte for byte, and the same seed gives the same bits', () => {
  const cases: [number[], Record<string, unknown>][] = [
    [[1, 1], {}], [[2, 5], {}], [[5, 2], { gain: -1.5 }], [[31, 31], {}], [[32, 32], {}], [[33, 33], { dtype: 'float64' }],
    [[70, 45], {}], [[45, 70], { stream: 'rnn' }], [[3, 3, 8, 16], {}], [[16, 8, 3, 3], { layout: 'torch' }],
    [[130, 97], { dtype: 'float64' }], [[2, 3, 4, 5], { offset: 7, length: 50 }],
  ];
  for (const [shape, options] of cases) {
    const o = { seed: 11, ...options };
    const fast = withBackend('wasm', () => nninit.orthogonal(shape, o));
    const reference = withBackend('js', () => nninit.orthogonal(shape, o));
    assert.deepEqual(bytesOf(fast), bytesOf(reference), JSON.stringify(shape));
    assert.deepEqual(bytesOf(nninit.orthogonal(shape, o)), bytesOf(fast));
  }
});

test('orthogonal: layouts flatten as Keras (rows = all but last) and PyTorch (rows = first)', () => {
  // keras [2, 3, 4, 5]: a 24 x 5 matrix with orthonormal columns.
  assert.ok(orthogonalityError(nninit.orthogonal([2, 3, 4, 5], { seed: 1 }), 24, 5) < 1e-6);
  // torch [5, 4, 3, 2]: a 5 x 24 matrix with orthonormal rows.
  assert.ok(orthogonalityError(nninit.orthogonal([5, 4, 3, 2], { seed: 1, layout: 'torch' }), 5, 24) < 1e-6);
  // A slice equals that slice of the whole.
  const whole = nninit.orthogonal([40, 30], { seed: 9 });
  assert.deepEqual(nninit.orthogonal([40, 30], { seed: 9, offset: 123, length: 456 }), whole.subarray(123, 579));
});

/** Householder QR of a Gaussian matrix without the sign fix: the negative control (not Haar). */
function unsignedHouseholderQ(a: Float64Array, n: number): Float64Array {
  const r = Float64Array.from(a);
  const reflectors: Float64Array[] = [];
  for (let k = 0; k < n - 1; k++) {
    const v = new Float64Array(n);
    let norm = 0;
    for (let i = k; i < n; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * n + k];
    for (let i = k; i < n; i++) v[i] = r[i * n + k];
    v[k] = alpha + (alpha >= 0 ? norm : -norm);
    const vv = v.reduce((s, x) => s + x * x, 0);
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < n; i++) dot += v[i] * r[i * n + j];
      for (let i = k; i < n; i++) r[i * n + j] -= (2 * dot / vv) * v[i];
    }
    reflectors.push(v);
  }
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = reflectors.length - 1; k >= 0; k--) {
    const v = reflectors[k];
    const vv = v.reduce((s, x) => s + x * x, 0);
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i * n + j];
      for (let i = 0; i < n; i++) q[i * n + j] -= (2 * dot / vv) * v[i];
    }
  }
  return q;
}

/** Mean of tr Q and of tr(Q)^2 over samples, and whether each is within 4 standard errors of 0 and 1. */
function traceMoments(sample: (index: number) => ArrayLike<number>, n: number, count: number) {
  const traces = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const q = sample(s);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += q[i * n + i];
    traces[s] = trace;
  }
  const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;
  const standardError = (values: Float64Array, m: number) => Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1) / values.length);
  const squares = traces.map((x) => x * x);
  const m1 = mean(traces), m2 = mean(squares);
  return {
    m1, m2,
    zeroMean: Math.abs(m1) <= 4 * standardError(traces, m1),
    unitSquare: Math.abs(m2 - 1) <= 4 * standardError(squares, m2),
  };
}

test('orthogonal is Haar for n = 2..8: E[tr Q] = 0 and E[tr(Q)^2] = 1 within 4 standard errors', (t) => {
  const count = 4000;
  for (let n = 2; n <= 8; n++) {
    const result = traceMoments((s) => nninit.orthogonal([n, n], { seed: 2024, stream: s }), n, count);
    t.diagnostic(`n = ${n}: E[tr Q] = ${result.m1.toFixed(4)}, E[tr(Q)^2] = ${result.m2.toFixed(4)}`);
    assert.ok(result.zeroMean && result.unitSquare, `n = ${n}: ${JSON.stringify(result)}`);
  }
});

test('the same trace check rejects the QR without the sign fix (the test can fail)', () => {
  const count = 4000;
  for (const n of [2, 4, 8]) {
    const result = traceMoments((s) => unsignedHouseholderQ(Float64Array.from(nninit.normal([n, n], { seed: 7, stream: s })), n), n, count);
    assert.ok(!(result.zeroMean && result.unitSquare), `n = ${n}: the unsigned QR passed: ${JSON.stringify(result)}`);
  }
});

test('a zero diagonal entry of R counts as +1 and does not zero a column, in both working precisions', () => {
  const n = 3;
  for (const Work of [Float32Array, Float64Array]) {
    const v = new Work(n * n), tMatrix = new Work(n * n), signs = new Float64Array(n);
    // All-zero Gaussian vectors (and a negative zero): R_kk = 0, so every sign must be +1 and H = I.
    buildPanel(n, 0, n, (k, x) => x.fill(k === 1 ? -0 : 0), v, tMatrix, signs, new Float32Array(n));
    assert.deepEqual([...signs], [1, 1, 1]);
    assert.ok(tMatrix.every((x) => x === 0), 'tau = 0 and T = 0');
    assert.deepEqual([...v], [1, 0, 0, 0, 1, 0, 0, 0, 1], 'unit diagonal, nothing below');
  }
});

test('identity / eye: gain on the main diagonal of any 2-D shape, zeros elsewhere', () => {
  assert.deepEqual([...nninit.identity([2, 3])], [1, 0, 0, 0, 1, 0]);
  assert.deepEqual([...nninit.eye([3, 2], { gain: 2 })], [2, 0, 0, 2, 0, 0]);
  assert.deepEqual([...nninit.identity([3, 3], { offset: 3, length: 4 })], [0, 1, 0, 0]);
  assert.equal(nninit.eye, nninit.identity);
});

test('dirac: PyTorch semantics in torch layout, the same convolution in keras layout', () => {
  // torch [out 4, in 2, k 3], groups 2: ones at [0,0,1], [1,1,1], [2,0,1], [3,1,1].
  const torch = nninit.dirac([4, 2, 3], { layout: 'torch', groups: 2 });
  const expected = new Float32Array(24);
  for (const [o, i] of [[0, 0], [1, 1], [2, 0], [3, 1]]) expected[(o * 2 + i) * 3 + 1] = 1;
  assert.deepEqual(torch, expected);
  // keras [k 3, in 2, out 4]: the same ones at [1, i, o].
  const keras = nninit.dirac([3, 2, 4], { groups: 2 });
  for (let k = 0; k < 3; k++) for (let i = 0; i < 2; i++) for (let o = 0; o < 4; o++) {
    assert.equal(keras[(k * 2 + i) * 4 + o], torch[(o * 2 + i) * 3 + k]);
  }
  // As a 2-D convolution with odd kernel and matching channels it is the identity map: centre (1, 2) of a 3 x 5 kernel.
  const conv = nninit.dirac([8, 8, 3, 5], { layout: 'torch' });
  for (let o = 0; o < 8; o++) for (let i = 0; i < 8; i++) for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) {
    assert.equal(conv[((o * 8 + i) * 3 + y) * 5 + x], o === i && y === 1 && x === 2 ? 1 : 0);
  }
});

test('deltaOrthogonal: an orthogonal in x out matrix at the centre (k - 1) / 2, zeros elsewhere', () => {
  const shape = [4, 3, 6, 10]; // keras: kernel 4 x 3, in 6, out 10; centre (1, 1)
  const kernel = nninit.deltaOrthogonal(shape, { seed: 5, gain: 2 });
  const centre = new Float32Array(60);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < 6; i++) for (let o = 0; o < 10; o++) {
    const value = kernel[((y * 3 + x) * 6 + i) * 10 + o];
    if (y === 1 && x === 1) centre[i * 10 + o] = value;
    else assert.equal(value, 0);
  }
  assert.ok(orthogonalityError(centre, 6, 10, 2) < 1e-6);
  assert.deepEqual(centre, nninit.orthogonal([6, 10], { seed: 5, gain: 2 }));
  // torch layout [out, in, ...kernel] holds the same map.
  const torch = nninit.deltaOrthogonal([10, 6, 4, 3], { seed: 5, gain: 2, layout: 'torch' });
  for (let i = 0; i < 6; i++) for (let o = 0; o < 10; o++) assert.equal(torch[((o * 6 + i) * 4 + 1) * 3 + 1], centre[i * 10 + o]);
});

test('sparse: exactly ceil(sparsity * units) zeros per input, seeded mask, N(0, std^2) elsewhere', () => {
  const [units, inputs] = [300, 200];
  const torch = nninit.sparse([units, inputs], { sparsity: 0.35, std: 0.5, layout: 'torch', seed: 3 });
  const zeros = Math.ceil(0.35 * units);
  let sum = 0, squares = 0, count = 0;
  for (let j = 0; j < inputs; j++) {
    let columnZeros = 0;
    for (let r = 0; r < units; r++) {
      const value = torch[r * inputs + j];
      if (value === 0) columnZeros++;
      else {
        sum += value;
        squares += value * value;
        count++;
      }
    }
    assert.equal(columnZeros, zeros, `column ${j}`);
  }
  const variance = squares / count - (sum / count) ** 2;
  assert.ok(Math.abs(variance - 0.25) < 4 * 0.25 * Math.sqrt(2 / count), `variance ${variance}`);
  assert.deepEqual(nninit.sparse([units, inputs], { sparsity: 0.35, std: 0.5, layout: 'torch', seed: 3 }), torch);
  assert.notDeepEqual(nninit.sparse([units, inputs], { sparsity: 0.35, std: 0.5, layout: 'torch', seed: 4 }), torch);
  // keras [inputs, units]: the same mask and values, transposed.
  const keras = nninit.sparse([inputs, units], { sparsity: 0.35, std: 0.5, seed: 3 });
  let zerosMatch = 0;
  for (let j = 0; j < inputs; j++) for (let r = 0; r < units; r++) zerosMatch += Number((keras[j * units + r] === 0) === (torch[r * inputs + j] === 0));
  assert.equal(zerosMatch, units * inputs);
  assert.equal(nninit.sparse([10, 10], { sparsity: 0, seed: 1 }).every((x) => x !== 0), true);
  assert.equal(nninit.sparse([10, 10], { sparsity: 1, seed: 1 }).every((x) => x === 0), true);
  // Bit identity across backends.
  const options = { sparsity: 0.5, seed: 8, offset: 3, length: 90 };
  assert.deepEqual(bytesOf(withBackend('js', () => nninit.sparse([17, 13], options))), bytesOf(nninit.sparse([17, 13], options)));
});

test('structured initializers reject bad shapes and options before any work', () => {
  const named = (argument: string) => (error: unknown) => error instanceof RangeError && error.message.includes(argument);
  assert.throws(() => nninit.orthogonal([5]), named('shape'));
  assert.throws(() => nninit.orthogonal([]), named('shape'));
  assert.throws(() => nninit.orthogonal([20000, 20000]), named('shape'));
  assert.throws(() => nninit.deltaOrthogonal([3, 3, 8, 4]), named('shape'));
  assert.throws(() => nninit.deltaOrthogonal([3, 8]), named('shape'));
  assert.throws(() => nninit.sparse([4, 4], { sparsity: 1.5 }), named('options.sparsity'));
  assert.throws(() => nninit.sparse([4, 4], { sparsity: -0.1 }), named('options.sparsity'));
  assert.throws(() => nninit.sparse([4, 4, 4], { sparsity: 0.1 }), named('shape'));
  assert.throws(() => nninit.dirac([6, 4, 3], { layout: 'torch', groups: 4 }), named('options.groups'));
  assert.throws(() => nninit.dirac([4, 4]), named('shape'));
  assert.throws(() => nninit.identity([4, 4, 4]), named('shape'));
  const out = new Float32Array(16).fill(7);
  assert.throws(() => nninit.orthogonal([16], { out }), RangeError);
  assert.throws(() => nninit.deltaOrthogonal([1, 4, 4], { out: new Float32Array(16), gain: NaN }), RangeError);
  assert.ok(out.every((x) => x === 7));
});
