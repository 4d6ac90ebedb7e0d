// The plan's fans, mean and std for every initializer and option family (fan axes, every mode, array constants,
// truncated normals far in a tail), against the values initModel then computes: within 4 standard errors of the
// sample's moments for random initializers, exactly for the deterministic ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import type { ModelSpecInput } from 'nninit';

type Case = [init: string, shape: number[], options: Record<string, unknown>];

const CASES: Case[] = [
  ['zeros', [300, 200], {}],
  ['ones', [300, 200], {}],
  ['constant', [4, 5], { value: 0.25 }],
  ['constant', [4, 5], { value: Array.from({ length: 20 }, (_, i) => (i * 7) % 11 - 3) }],
  ['uniform', [300, 400], {}],
  ['uniform', [300, 400], { low: -3, high: 5 }],
  ['normal', [300, 400], { mean: 2, std: 3 }],
  ['normal', [300, 400], { stddev: 0.5 }],
  ['truncatedNormal', [300, 400], {}],
  ['truncatedNormal', [300, 400], { mean: 1, std: 2, lower: -1, upper: 3 }],
  ['truncatedNormal', [300, 400], { lower: -1, upper: Infinity }],
  ['truncatedNormal', [300, 400], { lower: -0.001, upper: 0.001 }],
  ['truncatedNormal', [300, 400], { lower: 3, upper: 30 }],
  ['truncatedNormal', [300, 400], { lower: 6, upper: 7 }],
  ['truncatedNormal', [300, 400], { lower: -9, upper: -8 }],
  ['truncatedNormal', [300, 400], { lower: 10, upper: 10.5 }],
  ['truncatedNormal', [300, 400], { lower: 30, upper: Infinity, std: 0.1 }],
  ['truncatedNormal', [300, 400], { lower: -Infinity, upper: -30 }],
  ['truncatedNormal', [300, 400], { lower: 20, upper: 20.001 }],
  ['varianceScaling', [300, 400], {}],
  ['varianceScaling', [300, 400], { mode: 'fanOut', distribution: 'normal', scale: 2 }],
  ['varianceScaling', [300, 400], { mode: 'fanAvg', distribution: 'uniform', scale: 3 }],
  ['varianceScaling', [300, 400], { mode: 'fanGeoAvg', distribution: 'normal' }],
  ['varianceScaling', [300, 400], { mode: 'fan_geo_avg', distribution: 'uniform' }],
  ['varianceScaling', [3, 3, 64, 128], { mode: 'fanAvg' }],
  ['varianceScaling', [128, 64, 3, 3], { layout: 'torch', mode: 'fanOut', distribution: 'normal' }],
  ['varianceScaling', [8, 64, 32, 16], { inAxis: [0, 1], outAxis: -1, mode: 'fanGeoAvg' }],
  ['varianceScaling', [16, 96, 80], { batchAxis: 0, mode: 'fanOut', distribution: 'uniform' }],
  ['glorotUniform', [300, 400], {}],
  ['glorotUniform', [3, 3, 16, 32], { inAxis: 2, outAxis: 3, gain: 2 }],
  ['glorotNormal', [300, 400], { distribution: 'normal' }],
  ['xavierUniform', [400, 300], { layout: 'torch' }],
  ['xavierNormal', [16, 96, 80], { batchAxis: 0 }],
  ['heUniform', [300, 400], {}],
  ['heNormal', [300, 400], { mode: 'fanOut', nonlinearity: 'tanh' }],
  ['heNormal', [8, 512, 64], { batchAxis: 0, nonlinearity: 'relu' }],
  ['heNormal', [3, 3, 16, 32], { inAxis: 2, outAxis: 3 }],
  ['kaimingUniform', [400, 300], { layout: 'torch', nonlinearity: 'leaky_relu', a: Math.sqrt(5) }],
  ['kaimingNormal', [32, 64, 5, 5], { layout: 'torch', mode: 'fan_out', distribution: 'normal' }],
  ['lecunUniform', [300, 400], {}],
  ['lecunNormal', [16, 96, 80], { batchAxis: [0], inAxis: -1, outAxis: -2 }],
  ['orthogonal', [512, 256], { gain: 2 }],
  ['orthogonal', [128, 3, 3, 64], { layout: 'torch' }],
  ['identity', [300, 500], { gain: 3 }],
  ['eye', [500, 300], {}],
  ['dirac', [64, 32, 3, 3], { layout: 'torch', groups: 2 }],
  ['dirac', [3, 3, 32, 64], {}],
  ['deltaOrthogonal', [3, 3, 64, 128], { gain: 1.5 }],
  ['sparse', [400, 300], { sparsity: 0.3 }],
  ['sparse', [400, 300], { sparsity: 0.9, std: 2, layout: 'torch' }],
];

const DETERMINISTIC = new Set(['zeros', 'ones', 'constant', 'identity', 'eye', 'dirac']);

function sampleMoments(values: Float32Array): { n: number; mean: number; variance: number; fourth: number } {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0, fourth = 0;
  for (const v of values) {
    squares += (v - mean) ** 2;
    fourth += (v - mean) ** 4;
  }
  return { n, mean, variance: squares / n, fourth: fourth / n };
}

test("the plan's fans, mean and std match the computed values for every initializer and option family (4 SE)", () => {
  for (const [init, shape, options] of CASES) {
    const rest = options;
    const spec: ModelSpecInput = { seed: 11, layout: 'keras', layers: [{ type: 'param', name: 'p', shape, init: init as never, ...rest }] };
    const what = `${init} ${JSON.stringify(shape)} ${JSON.stringify(rest, (_k, v) => (v === Infinity ? 'Infinity' : v))}`;
    const weights = nninit.initModel(spec);
    const p = weights.plan[0];
    const values = weights.get('p') as Float32Array;
    assert.ok(Number.isFinite(p.mean) && Number.isFinite(p.std), `${what}: plan mean ${p.mean}, std ${p.std}`);
    if (!['zeros', 'ones', 'constant', 'uniform', 'normal', 'truncatedNormal'].includes(init)) {
      const layout = (rest.layout as 'torch' | 'keras' | undefined) ?? 'keras';
      const axes = Object.fromEntries(Object.entries(rest).filter(([key]) => ['inAxis', 'outAxis', 'batchAxis'].includes(key)));
      const fans = nninit.computeFans(shape, { layout, ...axes });
      assert.deepEqual([p.fanIn, p.fanOut], [fans.fanIn, fans.fanOut], `${what}: fans`);
    }
    const sample = sampleMoments(values);
    if (DETERMINISTIC.has(init)) {
      assert.ok(Math.abs(sample.mean - p.mean) <= 1e-9 * Math.max(1, Math.abs(p.mean)), `${what}: mean ${sample.mean} vs plan ${p.mean}`);
      assert.ok(Math.abs(Math.sqrt(sample.variance) - p.std) <= 1e-6 * Math.max(1e-3, p.std), `${what}: std ${Math.sqrt(sample.variance)} vs plan ${p.std}`);
      continue;
    }
    const meanError = Math.abs(sample.mean - p.mean) / Math.sqrt(sample.variance / sample.n);
    const planVariance = p.std * p.std;
    const varianceError = Math.abs(sample.variance - planVariance) / Math.sqrt((sample.fourth - sample.variance ** 2) / sample.n);
    assert.ok(meanError < 4, `${what}: mean ${sample.mean} is ${meanError.toFixed(1)} SE from the plan's ${p.mean}`);
    assert.ok(varianceError < 4, `${what}: std ${Math.sqrt(sample.variance)} is ${varianceError.toFixed(1)} SE (of the variance) from the plan's ${p.std}`);
  }
});

test('the fans and std of a param layer follow its fan axes and mode, as the core computes them', () => {
  const plan = nninit.planModel({
    seed: 1,
    layout: 'keras',
    layers: [
      { type: 'param', name: 'conv', shape: [3, 3, 16, 32], init: 'heNormal', inAxis: 2, outAxis: 3 },
      { type: 'param', name: 'heads', shape: [8, 512, 64], init: 'heNormal', batchAxis: 0 },
      { type: 'param', name: 'geo', shape: [300, 1200], init: 'varianceScaling', mode: 'fanGeoAvg', distribution: 'normal' },
    ],
  });
  const [conv, heads, geo] = plan;
  // He with inAxis 2, outAxis 3: the kernel axes are in no role, so fanIn = 16 * 9 (receptive field), not 3 * 16.
  assert.deepEqual([conv.fanIn, conv.fanOut], [144, 288]);
  assert.ok(Math.abs(conv.std - Math.sqrt(2 / 144)) < 1e-12);
  assert.deepEqual([heads.fanIn, heads.fanOut], [512, 64]);
  assert.ok(Math.abs(heads.std - Math.sqrt(2 / 512)) < 1e-12);
  assert.ok(Math.abs(geo.std - Math.sqrt(1 / Math.sqrt(300 * 1200))) < 1e-12);
});
