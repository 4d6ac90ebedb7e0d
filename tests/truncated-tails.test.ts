// The truncated normal anywhere within 38 standard deviations: intervals far in one tail keep their shape
// (mean, variance and the whole CDF) and agree byte for byte across backends. Exact moments come from
// tests/fixtures/truncated-normal-moments.json (mpmath; scripts/truncated-normal-moments.py), checked against an
// independent Simpson integration here, which also gives the CDF for the Kolmogorov-Smirnov tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import { bytesOf, ksCritical, ksStatistic, minusLogTailReference, momentsWithin, truncatedNormalReference, ulp32 } from './helpers.ts';
import { truncatedTailOf } from '../src/core/reference.ts';
import { truncatedNormalParameters } from '../src/core/distributions.ts';
import { withBackend } from './with-backend.ts';

interface FixtureRow { lower: number | string; upper: number | string; mean: number; variance: number; fourth: number }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/truncated-normal-moments.json', import.meta.url), 'utf8')) as { intervals: FixtureRow[] };
const bound = (value: number | string) => (typeof value === 'number' ? value : value === 'Infinity' ? Infinity : -Infinity);
const EXACT = fixture.intervals.map((row) => ({ ...row, lower: bound(row.lower), upper: bound(row.upper) }));

const N = 1_000_000;

test('the Simpson reference reproduces the mpmath moments of the fixture', () => {
  for (const row of EXACT) {
    const reference = truncatedNormalReference(row.lower, row.upper);
    const where = `[${row.lower}, ${row.upper}]`;
    assert.ok(Math.abs(reference.mean - row.mean) <= 1e-9 * Math.max(1, Math.abs(row.mean)), `${where} mean ${reference.mean} vs ${row.mean}`);
    assert.ok(Math.abs(reference.variance / row.variance - 1) <= 1e-8, `${where} variance ${reference.variance} vs ${row.variance}`);
    assert.ok(Math.abs(reference.fourth / row.fourth - 1) <= 1e-7, `${where} fourth moment ${reference.fourth} vs ${row.fourth}`);
  }
});

for (const row of EXACT) {
  test(`truncatedNormal [${row.lower}, ${row.upper}]: mean and variance within 4 standard errors at 10^6, KS, inside the bounds`, () => {
    const values = nninit.truncatedNormal([N], { lower: row.lower, upper: row.upper, seed: 2026, stream: 'tails' });
    const failure = momentsWithin(values, row.mean, row.variance, row.fourth);
    assert.equal(failure, undefined, failure);
    const reference = truncatedNormalReference(row.lower, row.upper);
    const sorted = Float64Array.from(values).sort();
    const d = ksStatistic(sorted, reference.cdf);
    assert.ok(d < ksCritical(N), `KS statistic ${d}, critical ${ksCritical(N)}`);
    assert.ok(sorted[0] > row.lower && sorted[N - 1] < row.upper, `values from ${sorted[0]} to ${sorted[N - 1]}: every value strictly inside the bounds`);
    let distinct = 1;
    for (let i = 1; i < N; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
    assert.ok(distinct > 20000, `${distinct} distinct values: the interval must not collapse`);
  });
}

test('each tail value is within 2.5 ulp of the exact inverse CDF at its u (double precision, Newton on -log Q)', (t) => {
  for (const [a, b] of [[1, Infinity], [1, 1.0001], [3, 30], [6, 7], [10, 10.5], [37, 38]]) {
    const p = truncatedNormalParameters(0, 1, a, b)!;
    assert.ok(p.tail, `[${a}, ${b}] uses the tail sampler`);
    const logTail = minusLogTailReference(a).value;
    const ratio = b === Infinity ? 0 : Math.exp(logTail - minusLogTailReference(b).value);
    let worst = 0;
    for (let i = 0; i <= 150; i++) {
      const high = Math.round((i / 150) * (2 ** 24 - 1));
      const u = high * 2 ** -24;
      const got = truncatedTailOf(high * 256, p);
      // x with -log Q(x) = -log Q(a) - log((1 - u) + u ratio), from the sampler's own value.
      const w = logTail - Math.log((1 - u) + u * ratio);
      let x = got;
      for (let step = 0; step < 3; step++) {
        const r = minusLogTailReference(x);
        x -= (r.value - w) / r.derivative;
      }
      const exact = Math.min(Math.max(x, p.lowest), p.highest);
      worst = Math.max(worst, Math.abs(got - exact) / ulp32(Math.max(got, exact)));
    }
    t.diagnostic(`[${a}, ${b}]: max error ${worst.toFixed(2)} ulp`);
    assert.ok(worst <= 2.5, `[${a}, ${b}]: ${worst} ulp`);
  }
});

test('a tail interval scales with mean and std: N(2, 0.5^2) cut at [6, 7] standard deviations', () => {
  const row = EXACT.find((r) => r.lower === 6 && r.upper === 7)!;
  const values = nninit.truncatedNormal([N], { mean: 2, std: 0.5, lower: 6, upper: 7, seed: 7 });
  const failure = momentsWithin(values, 2 + 0.5 * row.mean, 0.25 * row.variance, 0.0625 * row.fourth);
  assert.equal(failure, undefined, failure);
});

const TAIL_CASES: Record<string, { lower: number; upper: number; mean?: number; std?: number }> = {
  'above [6, 7]': { lower: 6, upper: 7, mean: -1, std: 2 },
  'below (-inf, -3]': { lower: -Infinity, upper: -3 },
  'far [37, 38]': { lower: 37, upper: 38, std: 1e-3 },
  'narrow [1, 1.0001]': { lower: 1, upper: 1.0001 },
};

for (const [name, parameters] of Object.entries(TAIL_CASES)) {
  test(`tail sampler ${name}: wasm and js agree byte for byte over seeds, offsets and dtypes; slices are exact`, () => {
    const shape = [75, 333];
    for (const [s, seed] of [0, 1, 2 ** 53 - 1, 0xfedcba9876543210n].entries()) {
      for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
        const options = { ...parameters, seed, stream: s === 1 ? 'layer.weight' : s, offset: (s * 7919) % 1000, length: 24000, dtype };
        const fast = withBackend('wasm', () => nninit.truncatedNormal(shape, options));
        const reference = withBackend('js', () => nninit.truncatedNormal(shape, options));
        assert.deepEqual(bytesOf(fast), bytesOf(reference), `seed ${seed} ${dtype}`);
      }
    }
    const full = nninit.truncatedNormal(shape, { ...parameters, seed: 77 });
    for (const [offset, length] of [[1, 4], [16381, 7], [16383, 8000], [24970, 5]]) {
      assert.deepEqual(bytesOf(nninit.truncatedNormal(shape, { ...parameters, seed: 77, offset, length })), bytesOf(full.subarray(offset, offset + length)));
    }
  });
}

test('intervals entirely beyond 38 standard deviations are refused, naming the bound', () => {
  assert.throws(() => nninit.truncatedNormal([4], { lower: 39, upper: 40 }), { name: 'RangeError', message: /options\.lower must be at most 38/ });
  assert.throws(() => nninit.truncatedNormal([4], { lower: -Infinity, upper: -38.5 }), { name: 'RangeError', message: /options\.upper/ });
  assert.equal(nninit.truncatedNormal([4], { lower: 37.9, upper: Infinity, seed: 1 }).every((x) => x > 37.9 && x < 39), true);
});
