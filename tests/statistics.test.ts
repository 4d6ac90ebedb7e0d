// Distribution checks on 10^6 samples per initializer: sample mean and variance within 4 standard errors of the
// formula (standard errors from the distribution's own fourth moment), and Kolmogorov-Smirnov against the exact
// CDF for the three base samplers. Seeds are fixed, so each check is deterministic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { ksCritical, ksStatistic, momentsWithin, standardNormalPdf, truncatedMoments } from './helpers.ts';

const N = 1_000_000;

/** Standard normal CDF on a fine grid (cumulative Simpson integration of the pdf), linearly interpolated. */
const PHI_STEP = 1 / 1024;
const PHI_RANGE = 9;
const phiTable = (() => {
  const count = 2 * PHI_RANGE / PHI_STEP;
  const table = new Float64Array(count + 1);
  let cumulative = 0;
  for (let i = 1; i <= count; i++) {
    const a = -PHI_RANGE + (i - 1) * PHI_STEP;
    const b = a + PHI_STEP;
    cumulative += (PHI_STEP / 6) * (standardNormalPdf(a) + 4 * standardNormalPdf((a + b) / 2) + standardNormalPdf(b));
    table[i] = cumulative;
  }
  return table;
})();
function phi(x: number): number {
  if (x <= -PHI_RANGE) return 0;
  if (x >= PHI_RANGE) return 1;
  const position = (x + PHI_RANGE) / PHI_STEP;
  const i = Math.floor(position);
  return phiTable[i] + (phiTable[i + 1] - phiTable[i]) * (position - i);
}

// Moments of the base shapes: for U(-a, a), mu4 / var^2 = 9/5; for a normal, 3.
const UNIFORM_KURTOSIS = 9 / 5;
const NORMAL_KURTOSIS = 3;
const truncated2 = truncatedMoments(-2, 2);
const TRUNCATED_KURTOSIS = truncated2.fourth / truncated2.variance ** 2;

function expectMoments(values: Float32Array, mean: number, variance: number, kurtosis: number): void {
  const failure = momentsWithin(values, mean, variance, kurtosis * variance * variance);
  assert.equal(failure, undefined, failure);
}

test('uniform: moments and KS against (x - low) / (high - low)', () => {
  const low = -2, high = 3;
  const values = nninit.uniform([1000, 1000], { low, high, seed: 11 });
  expectMoments(values, (low + high) / 2, (high - low) ** 2 / 12, UNIFORM_KURTOSIS);
  assert.ok(ksStatistic(values, (x) => (x - low) / (high - low)) < ksCritical(N));
  assert.ok(values.every((x) => x >= low && x < high));
});

test('normal: moments and KS against Phi((x - mean) / std)', () => {
  const mean = 0.5, std = 1.5;
  const values = nninit.normal([N], { mean, std, seed: 12 });
  expectMoments(values, mean, std * std, NORMAL_KURTOSIS);
  const d = ksStatistic(values, (x) => phi((x - mean) / std));
  assert.ok(d < ksCritical(N), `KS statistic ${d}`);
});

for (const [lower, upper] of [[-2, 2], [-1, 3], [0.5, 4.5], [-6, 6]]) {
  test(`truncatedNormal (${lower}, ${upper}): moments, KS against the truncated CDF, every value strictly inside`, () => {
    const mean = -1, std = 2;
    const values = nninit.truncatedNormal([N], { mean, std, lower, upper, seed: 13 });
    const m = truncatedMoments(lower, upper);
    expectMoments(values, mean + std * m.mean, std * std * m.variance, m.fourth / m.variance ** 2);
    const from = phi(lower), mass = phi(upper) - from;
    const d = ksStatistic(values, (x) => (phi((x - mean) / std) - from) / mass);
    assert.ok(d < ksCritical(N), `KS statistic ${d}`);
    const lo = mean + std * lower, hi = mean + std * upper;
    assert.ok(values.every((x) => x > lo && x < hi));
  });
}

test('the truncation constant is the standard deviation of N(0, 1) cut at +-2', () => {
  assert.ok(Math.abs(Math.sqrt(truncated2.variance) - nninit.TRUNCATED_NORMAL_STDDEV_2) < 1e-12);
});

// [name, draw, expected variance worked out by hand, kurtosis of the distribution]
const SCALED: [string, () => Float32Array, number, number][] = [
  // Dense [in, out] = [400, 2600]: fanIn 400, fanOut 2600, fanAvg 1500.
  ['glorotUniform [400, 2600]', () => nninit.glorotUniform([400, 2600], { seed: 1 }) as Float32Array, 2 / 3000, UNIFORM_KURTOSIS],
  ['glorotNormal gain 2 [400, 2600]', () => nninit.glorotNormal([400, 2600], { gain: 2, seed: 2 }) as Float32Array, 4 * 2 / 3000, TRUNCATED_KURTOSIS],
  ['xavierNormal untruncated [400, 2600]', () => nninit.xavierNormal([400, 2600], { distribution: 'normal', seed: 3 }) as Float32Array, 2 / 3000, NORMAL_KURTOSIS],
  // Conv [3, 3, 256, 512] (keras): receptive field 9, fanIn 2304, fanOut 4608.
  ['heUniform [3, 3, 256, 512]', () => nninit.heUniform([3, 3, 256, 512], { seed: 4 }) as Float32Array, 2 / 2304, UNIFORM_KURTOSIS],
  ['heNormal [3, 3, 256, 512]', () => nninit.heNormal([3, 3, 256, 512], { seed: 5 }) as Float32Array, 2 / 2304, TRUNCATED_KURTOSIS],
  // The same kernel in torch layout [512, 256, 3, 3], fanOut mode, tanh gain 5/3.
  ['kaimingNormal torch fanOut tanh', () => nninit.kaimingNormal([512, 256, 3, 3], { layout: 'torch', mode: 'fanOut', nonlinearity: 'tanh', distribution: 'normal', seed: 6 }) as Float32Array, (25 / 9) / 4608, NORMAL_KURTOSIS],
  // leaky_relu slope 0.2: gain^2 = 2 / 1.04.
  ['kaimingUniform leaky 0.2 [1000, 1000]', () => nninit.kaimingUniform([1000, 1000], { a: 0.2, seed: 7 }) as Float32Array, 2 / 1.04 / 1000, UNIFORM_KURTOSIS],
  ['lecunUniform [250, 4000]', () => nninit.lecunUniform([250, 4000], { seed: 8 }) as Float32Array, 1 / 250, UNIFORM_KURTOSIS],
  ['lecunNormal [250, 4000]', () => nninit.lecunNormal([250, 4000], { seed: 9 }) as Float32Array, 1 / 250, TRUNCATED_KURTOSIS],
  // varianceScaling, scale 3, [5, 5, 40, 1000] (keras): rf 25, fanIn 1000, fanOut 25000, fanAvg 13000.
  ['varianceScaling truncated fanAvg', () => nninit.varianceScaling([5, 5, 40, 1000], { scale: 3, mode: 'fanAvg', seed: 10 }) as Float32Array, 3 / 13000, TRUNCATED_KURTOSIS],
  ['varianceScaling normal fanOut', () => nninit.varianceScaling([5, 5, 40, 1000], { scale: 3, mode: 'fanOut', distribution: 'normal', seed: 11 }) as Float32Array, 3 / 25000, NORMAL_KURTOSIS],
  ['varianceScaling uniform fanIn', () => nninit.varianceScaling([5, 5, 40, 1000], { scale: 3, distribution: 'uniform', seed: 12 }) as Float32Array, 3 / 1000, UNIFORM_KURTOSIS],
];

for (const [name, draw, variance, kurtosis] of SCALED) {
  test(`${name}: mean 0 and variance ${variance.toPrecision(4)} within 4 standard errors`, () => {
    const values = draw();
    assert.ok(values.length >= N);
    expectMoments(values, 0, variance, kurtosis);
  });
}

test('the moment check itself rejects a wrong variance (the test can fail)', () => {
  const values = nninit.heNormal([1000, 1000], { seed: 1 }) as Float32Array;
  // TF.js's uncorrected truncated normal has 0.7737 of the variance: this must be detected.
  assert.notEqual(momentsWithin(values, 0, 0.7737 * 2 / 1000, TRUNCATED_KURTOSIS * (2 / 1000) ** 2), undefined);
});
