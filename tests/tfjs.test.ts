// nninit/tfjs with the real @tensorflow/tfjs on its cpu backend: layers initialized by the adapter classes
// have the variances of their formulas, the classes survive model.toJSON() and tf.models.modelFromJSON()
// with every option, and seeds reproduce weights.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { heNormal, orthogonal, varianceScaling as nninitVarianceScaling } from 'nninit';
import {
  DeltaOrthogonal, Dirac, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal, LecunUniform,
  Orthogonal, RandomNormal, RandomUniform, Sparse, TruncatedNormal, VarianceScaling,
} from 'nninit/tfjs';

before(async () => {
  await tf.setBackend('cpu');
});

/**
 * Checks that the mean square of `values` (mean 0) estimates `variance`: the relative error of a mean of n
 * squares has standard deviation sqrt((kurtosis - 1) / n), and kurtosis 3 (the normal's) bounds every
 * distribution used here (uniform 1.8, truncated normal less than 3). Five standard deviations.
 */
function assertVariance(values: Float32Array, variance: number, what: string): void {
  let squares = 0;
  for (const value of values) squares += value * value;
  const measured = squares / values.length;
  const tolerance = 5 * Math.sqrt(2 / values.length);
  assert.ok(Math.abs(measured / variance - 1) < tolerance,
    `${what}: variance ${measured}, expected ${variance} within a relative ${tolerance.toFixed(3)}`);
}

function weightValues(layer: tf.layers.Layer, index: number): Float32Array {
  return layer.getWeights()[index].dataSync() as Float32Array;
}

/** An LSTM over [8, 32] inputs, a 3x3 convolution and a dense layer, each kernel from nninit. */
function buildModel(seed: number | bigint): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.lstm({
    units: 64, inputShape: [8, 32], returnSequences: true,
    kernelInitializer: new GlorotUniform({ seed, stream: 'lstm.kernel' }),
    recurrentInitializer: new Orthogonal({ seed, stream: 'lstm.recurrent' }),
  }));
  model.add(tf.layers.reshape({ targetShape: [8, 8, 8] }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, kernelInitializer: new HeUniform({ seed, stream: 'conv' }) }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, kernelInitializer: new HeNormal({ seed, stream: 'dense' }) }));
  return model;
}

test('kernels of an LSTM, a conv2d and a dense layer have their formulas\' variances', () => {
  const [lstm, , conv, , dense] = buildModel(42n).layers;

  const kernel = weightValues(lstm, 0);
  assert.deepEqual(lstm.getWeights()[0].shape, [32, 256]);
  assertVariance(kernel, 2 / (32 + 256), 'LSTM kernel, Glorot uniform');

  // Orthogonal [64, 256]: the rows are orthonormal.
  const recurrent = weightValues(lstm, 1);
  assert.deepEqual(lstm.getWeights()[1].shape, [64, 256]);
  let worst = 0;
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++) {
      let dot = 0;
      for (let k = 0; k < 256; k++) dot += recurrent[i * 256 + k] * recurrent[j * 256 + k];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  assert.ok(worst < 1e-5, `LSTM recurrent kernel: max |W Wt - I| = ${worst}`);

  assert.deepEqual(conv.getWeights()[0].shape, [3, 3, 8, 64]);
  assertVariance(weightValues(conv, 0), 2 / (3 * 3 * 8), 'conv2d kernel, He uniform (fanIn 72)');

  assert.deepEqual(dense.getWeights()[0].shape, [6 * 6 * 64, 10]);
  assertVariance(weightValues(dense, 0), 2 / (6 * 6 * 64), 'dense kernel, He normal (fanIn 2304)');
});

test('the adapter computes nninit\'s values in TF.js\'s layout', () => {
  const seed = 7;
  assert.deepEqual(new HeNormal({ seed, stream: 'a' }).apply([20, 30]).dataSync(), heNormal([20, 30], { seed, stream: 'a' }));
  assert.deepEqual(new Orthogonal({ seed, gain: 2 }).apply([3, 3, 4, 16]).dataSync(), orthogonal([3, 3, 4, 16], { seed, gain: 2 }));
});

test('seeds: a seed reproduces weights, streams separate them, unseeded instances draw their own', () => {
  const first = buildModel(5).getWeights().map((weight) => weight.dataSync());
  const second = buildModel(5).getWeights().map((weight) => weight.dataSync());
  assert.deepEqual(first, second);
  const other = buildModel(6).getWeights().map((weight) => weight.dataSync());
  assert.notDeepEqual(first[0], other[0]);

  const shared = new HeNormal({ seed: 5 });
  assert.deepEqual(shared.apply([8, 8]).dataSync(), shared.apply([8, 8]).dataSync(), 'a seeded instance is stateless');
  assert.notDeepEqual(new HeNormal({ seed: 5, stream: 1 }).apply([8, 8]).dataSync(), shared.apply([8, 8]).dataSync());
  // Without a seed, each instance draws one at construction: instances differ, an instance repeats itself.
  const unseeded = new HeNormal();
  assert.notDeepEqual(unseeded.apply([8, 8]).dataSync(), new HeNormal().apply([8, 8]).dataSync());
  assert.deepEqual(unseeded.apply([8, 8]).dataSync(), unseeded.apply([8, 8]).dataSync());
});

test('an unseeded initializer serializes the seed it drew: modelFromJSON reproduces its weights', async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 12, inputShape: [20], kernelInitializer: new HeNormal() }));
  model.add(tf.layers.dense({ units: 6, kernelInitializer: new Orthogonal({ gain: 2 }), biasInitializer: new RandomUniform({ low: -1 }) }));
  const config = model.layers[0].getConfig().kernelInitializer as { config: Record<string, unknown> };
  assert.match(String(config.config.seed), /^[0-9]+$/, 'the drawn seed, as its decimal digits');
  const restored = await tf.models.modelFromJSON(JSON.parse(JSON.stringify(model.toJSON(null, false))));
  model.layers.forEach((layer, i) => {
    layer.getWeights().forEach((weight, k) => {
      assert.deepEqual(restored.layers[i].getWeights()[k].dataSync(), weight.dataSync(), `layer ${i} weight ${k}`);
    });
  });
});

test('constructors validate their options with the core\'s messages, before any layer is built', () => {
  const fails = (make: () => unknown, kind: typeof TypeError | typeof RangeError, pattern: RegExp) => {
    assert.throws(make, (error: unknown) => {
      assert.ok(error instanceof kind, `${String(error)} is not a ${kind.name}`);
      assert.match((error as Error).message, pattern);
      return true;
    });
  };
  fails(() => new HeNormal(5 as unknown as object), TypeError, /^nninit\.HeNormal: options must be an object, got 5/);
  fails(() => new HeNormal('abc' as unknown as object), TypeError, /^nninit\.HeNormal: options must be an object, got "abc"/);
  fails(() => new HeNormal([1] as unknown as object), TypeError, /options must be an object/);
  fails(() => new HeNormal({ seed: -1 }), RangeError, /^nninit\.heNormal: options\.seed must be an integer in \[0, 2\^64\)/);
  fails(() => new HeNormal({ sed: 1 } as object), TypeError, /unknown option "sed"/);
  // the list of options it gives leaves out the ones a TF.js initializer refuses
  assert.throws(() => new HeNormal({ sed: 1 } as object), (error: Error) => /the options are .*seed/.test(error.message) && !/\b(dtype|offset|length|out|layout)\b/.test(error.message.split('the options are ')[1]));
  fails(() => new GlorotUniform({ gain: NaN }), RangeError, /options\.gain must be a finite number/);
  fails(() => new HeNormal({ mode: 'fanAvg' }), RangeError, /options\.mode/);
  fails(() => new Orthogonal({ gain: 1e39 }), RangeError, /options\.gain/);
  fails(() => new Sparse({} as { sparsity: number }), TypeError, /options\.sparsity/);
  fails(() => new Dirac({ groups: 0 }), RangeError, /options\.groups/);
  fails(() => new Identity({ seed: 1 } as object), TypeError, /unknown option "seed"/);
  for (const option of ['dtype', 'offset', 'length', 'out', 'layout']) {
    fails(() => new HeNormal({ [option]: undefined ?? 1 } as object), TypeError,
      new RegExp(`^nninit\\.HeNormal: options\\.${option} is not an option of a TF\\.js initializer`));
  }
});

/** Layers holding every adapter class, each with non-default options; bigint seeds and string streams included. */
function everyClassModel(): tf.Sequential {
  const big = 2n ** 64n - 1n;
  const dense = [
    new RandomUniform({ seed: big, stream: 'Uniform_Layer', low: -0.2, high: 0.3 }),
    new RandomNormal({ seed: 1, stream: 2n ** 40n, mean: 0.1, std: 0.02 }),
    new TruncatedNormal({ seed: 2, stddev: 0.05, lower: -1, upper: 3 }),
    new VarianceScaling({ seed: 3, scale: 1.5, mode: 'fan_avg', distribution: 'uniform' }),
    new GlorotUniform({ seed: 4, gain: 1.2 }),
    new GlorotNormal({ seed: 5, distribution: 'normal' }),
    new HeUniform({ seed: 6, mode: 'fanOut', nonlinearity: 'leaky_relu', a: 0.2 }),
    new HeNormal({ seed: 7, nonlinearity: 'conv_transpose2d', distribution: 'truncatedNormal' }),
    new LecunUniform({ seed: 8 }),
    new LecunNormal({ seed: 9, distribution: 'normal' }),
    new Orthogonal({ seed: 2n ** 53n + 1n, stream: 'rnn.recurrent', gain: 0.5 }),
    new Identity({ gain: 3 }),
    new Sparse({ seed: 10, sparsity: 0.25, std: 0.3 }),
  ];
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 16, inputShape: [16], kernelInitializer: dense[0] }));
  for (const initializer of dense.slice(1)) model.add(tf.layers.dense({ units: 16, kernelInitializer: initializer }));
  model.add(tf.layers.reshape({ targetShape: [4, 4, 1] }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, kernelInitializer: new DeltaOrthogonal({ seed: 11, gain: 2 }) }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 1, kernelInitializer: new Dirac({ groups: 2 }) }));
  return model;
}

test('model.toJSON() and tf.models.modelFromJSON() round-trip every class, its options and its weights', async () => {
  const model = everyClassModel();
  const json = model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
  const text = JSON.stringify(json);
  for (const name of ['RandomUniform', 'Orthogonal', 'Sparse', 'Dirac', 'DeltaOrthogonal', 'Identity']) {
    assert.ok(text.includes(`"nninit>${name}"`), `the JSON names nninit>${name}`);
  }
  const restored = await tf.models.modelFromJSON(JSON.parse(text));

  assert.equal(restored.layers.length, model.layers.length);
  model.layers.forEach((layer, i) => {
    const original = layer.getConfig().kernelInitializer;
    if (original === undefined) return;
    const again = restored.layers[i].getConfig().kernelInitializer as { className: string };
    assert.deepEqual(again, original, `layer ${i}`);
    assert.ok(again.className.startsWith('nninit>'), `layer ${i} keeps nninit's class`);
    assert.deepEqual(restored.layers[i].getWeights()[0].dataSync(), layer.getWeights()[0].dataSync(), `layer ${i} ${again.className} weights`);
  });

  const first = model.layers[0].getConfig().kernelInitializer as { config: Record<string, unknown> };
  assert.equal(first.config.seed, '18446744073709551615', 'a bigint seed is stored as its decimal digits');
  const heUniformConfig = (model.layers[6].getConfig().kernelInitializer as { config: Record<string, unknown> }).config;
  assert.deepEqual(heUniformConfig, { seed: 6, mode: 'fanOut', nonlinearity: 'leaky_relu', a: 0.2 });
});

test('apply rejects a dtype other than float32 and an undefined dimension, naming the argument', () => {
  assert.throws(() => new HeNormal({ seed: 1 }).apply([4, 4], 'int32'), { name: 'TypeError', message: /HeNormal\.apply: dtype/ });
  assert.throws(() => new HeNormal({ seed: 1 }).apply([null, 4]), { name: 'TypeError', message: /HeNormal\.apply: shape/ });
});

test('fan axes for kernels of rank 3 and more are accepted at construction; what depends on the rank waits for apply', () => {
  const conv = new HeNormal({ inAxis: 2, outAxis: 3, seed: 1 });
  assert.deepEqual(conv.apply([3, 3, 16, 32]).dataSync(), heNormal([3, 3, 16, 32], { inAxis: 2, outAxis: 3, seed: 1 }));
  const stacked = new HeNormal({ batchAxis: 0, seed: 2 });
  assert.deepEqual(stacked.apply([8, 64, 32]).dataSync(), heNormal([8, 64, 32], { batchAxis: 0, seed: 2 }));
  for (const options of [{ inAxis: -3 }, { inAxis: [0, 1, 2] }, { inAxis: 0, outAxis: [1, 2, 3] }, { outAxis: 4, inAxis: [-2, -3] }]) {
    const made = new VarianceScaling({ ...options, seed: 3, mode: 'fanGeoAvg' });
    assert.deepEqual(made.apply([2, 3, 4, 5, 6]).dataSync(), nninitVarianceScaling([2, 3, 4, 5, 6], { ...options, seed: 3, mode: 'fanGeoAvg' }), JSON.stringify(options));
  }
  // The options survive the JSON round trip.
  assert.deepEqual(conv.getConfig(), { inAxis: 2, outAxis: 3, seed: 1 });
  // Wrong on every rank: still refused by the constructor.
  assert.throws(() => new HeNormal({ inAxis: 1.5 }), { name: 'RangeError', message: /options\.inAxis/ });
  assert.throws(() => new HeNormal({ inAxis: '1' } as never), { name: 'TypeError', message: /options\.inAxis/ });
  assert.throws(() => new HeNormal({ inAxis: [0, 0] }), { name: 'RangeError', message: /options\.inAxis twice/ });
  assert.throws(() => new HeNormal({ inAxis: 1, batchAxis: 1 }), { name: 'RangeError', message: /options\.inAxis and options\.batchAxis/ });
  assert.throws(() => new HeNormal({ inAxis: -1 }), { name: 'RangeError', message: /options\.inAxis and options\.outAxis/ });
  // Wrong for this kernel only: refused by apply, with the core's message.
  assert.throws(() => new HeNormal({ inAxis: 5, seed: 1 }).apply([2, 3]), { name: 'RangeError', message: /options\.inAxis must be an integer in \[-2, 2\)/ });
  assert.throws(() => stacked.apply([8, 64]), { name: 'RangeError', message: /options\.batchAxis/ });
});
