import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

type Initializer = 'orthogonal' | 'deltaOrthogonal';
type Case = readonly [Initializer, readonly number[], Record<string, unknown>];

/**
 * Outputs whose bytes must never change: float32, float16 and bfloat16 results of orthogonal and
 * deltaOrthogonal. tests/fixtures/orthogonal-bytes.json holds their SHA-256 as computed before float64 output
 * got its own float64 computation.
 */
export const PRESERVED: readonly Case[] = [
  ['orthogonal', [1, 1], {}],
  ['orthogonal', [2, 5], {}],
  ['orthogonal', [5, 2], { gain: -1.5 }],
  ['orthogonal', [31, 31], {}],
  ['orthogonal', [33, 33], { dtype: 'float16' }],
  ['orthogonal', [70, 45], { dtype: 'bfloat16' }],
  ['orthogonal', [45, 70], { stream: 'rnn' }],
  ['orthogonal', [3, 3, 8, 16], {}],
  ['orthogonal', [16, 8, 3, 3], { layout: 'torch', dtype: 'float16' }],
  ['orthogonal', [130, 97], { gain: 2.5 }],
  ['orthogonal', [2, 3, 4, 5], { offset: 7, length: 50 }],
  ['orthogonal', [97, 130], { dtype: 'bfloat16', offset: 1001, length: 3000 }],
  ['orthogonal', [256, 256], { seed: 1 }],
  ['orthogonal', [300, 200], { gain: 2.5, seed: 3 }],
  ['deltaOrthogonal', [3, 3, 16, 32], {}],
  ['deltaOrthogonal', [32, 16, 3, 3], { layout: 'torch', dtype: 'float16' }],
  ['deltaOrthogonal', [5, 24, 40], { dtype: 'bfloat16', gain: 1.3 }],
];

export function label([initializer, shape, options]: Case): string {
  return `${initializer}(${JSON.stringify(shape)}, ${JSON.stringify(options)})`;
}

export function run([initializer, shape, options]: Case): ArrayBufferView {
  return nninit[initializer](shape, { seed: 11, ...options }) as ArrayBufferView;
}

export function sha256(view: ArrayBufferView): string {
  return createHash('sha256').update(bytesOf(view)).digest('hex');
}

const FIXTURE = new URL('./fixtures/orthogonal-bytes.json', import.meta.url);

test('orthogonal and deltaOrthogonal: float32, float16 and bfloat16 bytes are unchanged, on both backends', () => {
  const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')).sha256 as Record<string, string>;
  assert.equal(Object.keys(expected).length, PRESERVED.length);
  for (const item of PRESERVED) {
    const name = label(item);
    assert.equal(sha256(withBackend('wasm', () => run(item))), expected[name], `wasm: ${name}`);
    assert.equal(sha256(withBackend('js', () => run(item))), expected[name], `js: ${name}`);
  }
});

// ---- float64 output: computed in float64 ------------------------------------------------------------------------

/** Entries per partial dot product of orthogonalityError. */
const GRAM_BLOCK = 32;

/**
 * max |QᵀQ − I| (rows >= cols: orthonormal columns) or max |QQᵀ − I| (orthonormal rows) of q / gain. Each Gram
 * entry sums dot products of 32 entries with Neumaier's compensated addition, so the check's own rounding stays
 * near 1e-16; a plain running sum over 1024 products would add about sqrt(1024) ulp, as much as it measures.
 */
function orthogonalityError(q: ArrayLike<number>, rows: number, cols: number, gain = 1): number {
  const tall = rows >= cols;
  const k = tall ? cols : rows;
  const count = tall ? rows : cols;
  const sum = new Float64Array(k * k), compensation = new Float64Array(k * k);
  const block = new Float64Array(k * GRAM_BLOCK);
  for (let start = 0; start < count; start += GRAM_BLOCK) {
    const width = Math.min(GRAM_BLOCK, count - start);
    // block[a][i]: entry start + i of orthonormal vector a.
    for (let a = 0; a < k; a++) {
      for (let i = 0; i < width; i++) block[a * GRAM_BLOCK + i] = (tall ? q[(start + i) * cols + a] : q[a * cols + start + i]) / gain;
    }
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let dot = 0;
        for (let i = 0; i < width; i++) dot += block[a * GRAM_BLOCK + i] * block[b * GRAM_BLOCK + i];
        const at = a * k + b, before = sum[at], after = before + dot;
        compensation[at] += Math.abs(before) >= Math.abs(dot) ? (before - after) + dot : (dot - after) + before;
        sum[at] = after;
      }
    }
  }
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) worst = Math.max(worst, Math.abs(sum[a * k + b] + compensation[a * k + b] - (a === b ? 1 : 0)));
  }
  return worst;
}

// LAPACK's float64 QR behind torch.nn.init.orthogonal_ measures 8.9e-16 at 64, 256 and 1024 by the same check.
// Summing the reflectors' norms without compensation gave 4.4e-15 at 1024, which the 2e-15 bound rejects.
test('orthogonal float64: max |QᵀQ − I| at most 2e-15 at n = 64, 256, 1024, tall, wide and rank 4', (t) => {
  const cases: [number[], Record<string, unknown>, number, number][] = [
    [[64, 64], {}, 64, 64], [[256, 256], {}, 256, 256], [[1024, 1024], {}, 1024, 1024],
    [[1000, 300], {}, 1000, 300], [[300, 1000], {}, 300, 1000],
    [[4, 4, 32, 64], {}, 512, 64], [[48, 8, 3, 3], { layout: 'torch' }, 48, 72],
  ];
  for (const [shape, options, rows, cols] of cases) {
    const q = nninit.orthogonal(shape, { seed: rows * 7 + cols, dtype: 'float64', ...options });
    assert.ok(q instanceof Float64Array);
    const error = orthogonalityError(q, rows, cols);
    t.diagnostic(`${rows} x ${cols}: max |QᵀQ − I| = ${error.toExponential(2)}`);
    assert.ok(error <= 2e-15, `${rows} x ${cols}: ${error}`);
  }
});

test('orthogonal float64 is the float32 draw computed in float64: |Q64 − Q32| <= 1e-6, not the float32 widened', (t) => {
  for (const [rows, cols, gain] of [[256, 256, 1], [300, 200, 2.5], [100, 250, 1], [1024, 1024, 1]]) {
    const options = { seed: 3, gain };
    const double = nninit.orthogonal([rows, cols], { ...options, dtype: 'float64' });
    const single = nninit.orthogonal([rows, cols], options);
    let worst = 0, widened = 0;
    for (let i = 0; i < double.length; i++) {
      worst = Math.max(worst, Math.abs(double[i] - single[i]) / gain);
      if (double[i] === single[i]) widened++;
    }
    t.diagnostic(`${rows} x ${cols}: max |Q64 − Q32| = ${worst.toExponential(2)}, ${widened} of ${double.length} entries equal`);
    assert.ok(worst <= 1e-6, `${rows} x ${cols}: ${worst}`);
    assert.ok(widened < double.length / 100, 'float64 output must not be the float32 values');
    if (rows < 1024) assert.ok(orthogonalityError(single, rows, cols, gain) > 1e-8, 'float32 output is orthonormal to float32 accuracy only');
  }
});

test('orthogonal float64: gain multiplies the unit-gain matrix in one float64 rounding', () => {
  const unit = nninit.orthogonal([70, 45], { seed: 6, dtype: 'float64' });
  for (const gain of [2, -1, 2.5, Math.SQRT2]) {
    const scaled = nninit.orthogonal([70, 45], { seed: 6, dtype: 'float64', gain });
    assert.ok(scaled.every((x, i) => x === unit[i] * gain), `gain ${gain}`);
  }
});

test('orthogonal float64: wasm and js agree byte for byte over seeds, shapes, layouts and slices', () => {
  const cases: [number[], Record<string, unknown>][] = [
    [[1, 1], {}], [[2, 5], {}], [[5, 2], { gain: -1.5 }], [[5, 3], {}], [[31, 31], {}], [[32, 32], { seed: 2 ** 40 + 3 }],
    [[33, 33], {}], [[37, 29], { stream: 'rnn' }], [[29, 37], {}], [[70, 45], { seed: 0 }], [[45, 70], { gain: Math.SQRT2 }],
    [[130, 97], {}], [[97, 130], { stream: 12345 }], [[201, 67], {}], [[67, 201], { seed: 9 }],
    [[3, 3, 8, 16], {}], [[2, 3, 5, 7], { seed: 4 }], [[16, 8, 3, 3], { layout: 'torch' }], [[7, 5, 3, 2], { layout: 'torch' }],
    [[2, 3, 4, 5], { offset: 7, length: 50 }], [[97, 130], { offset: 1001, length: 3000 }],
    [[40, 30], { offset: 123, length: 456 }], [[3, 5, 7, 9], { layout: 'torch', offset: 1, length: 944 }],
  ];
  for (const [shape, options] of cases) {
    const o = { seed: 11, dtype: 'float64', ...options } as const;
    const fast = withBackend('wasm', () => nninit.orthogonal(shape, o));
    const reference = withBackend('js', () => nninit.orthogonal(shape, o));
    assert.ok(fast instanceof Float64Array);
    assert.deepEqual(bytesOf(fast), bytesOf(reference), JSON.stringify([shape, options]));
    assert.deepEqual(bytesOf(nninit.orthogonal(shape, o)), bytesOf(fast));
    if ('offset' in options) {
      const whole = nninit.orthogonal(shape, { ...o, offset: undefined, length: undefined });
      const { offset, length } = options as { offset: number; length: number };
      assert.deepEqual(bytesOf(fast), bytesOf(whole.subarray(offset, offset + length)), 'a slice of the whole');
    }
  }
  const seeded = (seed: number) => nninit.orthogonal([20, 20], { seed, dtype: 'float64' });
  assert.notDeepEqual(seeded(1), seeded(2));
});

test('deltaOrthogonal float64: the float64 centre matrix, in both layouts, on both backends', () => {
  const shape = [4, 3, 6, 10]; // keras: kernel 4 x 3, in 6, out 10; centre (1, 1)
  const options = { seed: 5, gain: 2, dtype: 'float64' } as const;
  const kernel = nninit.deltaOrthogonal(shape, options);
  assert.ok(kernel instanceof Float64Array);
  const centre = new Float64Array(60);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < 6; i++) for (let o = 0; o < 10; o++) {
    const value = kernel[((y * 3 + x) * 6 + i) * 10 + o];
    if (y === 1 && x === 1) centre[i * 10 + o] = value;
    else assert.equal(value, 0);
  }
  assert.deepEqual(bytesOf(centre), bytesOf(nninit.orthogonal([6, 10], options)));
  assert.ok(orthogonalityError(centre, 6, 10, 2) < 1e-15);
  const torch = nninit.deltaOrthogonal([10, 6, 4, 3], { ...options, layout: 'torch' });
  for (let i = 0; i < 6; i++) for (let o = 0; o < 10; o++) assert.equal(torch[((o * 6 + i) * 4 + 1) * 3 + 1], centre[i * 10 + o]);
  // A wide centre off the tile sizes, a slice, and the js backend.
  const large = { seed: 8, dtype: 'float64', offset: 17, length: 5000 } as const;
  const fast = nninit.deltaOrthogonal([3, 3, 37, 70], large);
  assert.deepEqual(bytesOf(fast), bytesOf(withBackend('js', () => nninit.deltaOrthogonal([3, 3, 37, 70], large))));
  const whole = nninit.deltaOrthogonal([3, 3, 37, 70], { seed: 8, dtype: 'float64' });
  const middle = new Float64Array(37 * 70);
  for (let i = 0; i < 37; i++) for (let o = 0; o < 70; o++) middle[i * 70 + o] = whole[((1 * 3 + 1) * 37 + i) * 70 + o];
  assert.ok(orthogonalityError(middle, 37, 70) <= 2e-15);
  assert.deepEqual(bytesOf(fast), bytesOf(whole.subarray(17, 5017)));
});

/** Mean of tr Q and of tr(Q)^2 over samples, and whether each is within 4 standard errors of 0 and 1. */
function traceMoments(sample: (index: number) => ArrayLike<number>, n: number, count: number) {
  const traces = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const q = sample(s);
    for (let i = 0; i < n; i++) traces[s] += q[i * n + i];
  }
  const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;
  const standardError = (values: Float64Array, m: number) => Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1) / values.length);
  const squares = traces.map((x) => x * x);
  const m1 = mean(traces), m2 = mean(squares);
  return { m1, m2, zeroMean: Math.abs(m1) <= 4 * standardError(traces, m1), unitSquare: Math.abs(m2 - 1) <= 4 * standardError(squares, m2) };
}

test('orthogonal float64 is Haar for n = 2..8: E[tr Q] = 0 and E[tr(Q)^2] = 1 within 4 standard errors', (t) => {
  const count = 4000;
  for (let n = 2; n <= 8; n++) {
    const result = traceMoments((s) => nninit.orthogonal([n, n], { seed: 2025, stream: s, dtype: 'float64' }), n, count);
    t.diagnostic(`n = ${n}: E[tr Q] = ${result.m1.toFixed(4)}, E[tr(Q)^2] = ${result.m2.toFixed(4)}`);
    assert.ok(result.zeroMean && result.unitSquare, `n = ${n}: ${JSON.stringify(result)}`);
  }
});
