// TF.js models in and out: model.json files TF.js saved (tests/fixtures/tfjs, scripts/tfjs-fixtures.ts) planned by
// the 'model' policy (each layer's configured initializer) and by the activation policy; written model.json and
// shards loaded back by TF.js's own loader (tf.loadLayersModel through its HTTP handler, served from disk) with
// exactly the plan's weights; the 'model' policy's draws against the configured initializers' formulas at 4
// standard errors, next to TF.js's own draws (which differ where its truncated normal is not rescaled); 4 MiB
// shards; a Keras-converted model.json; and bad input.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initParameter, readTfjsModel, writeTfjsModel, TFJS_SHARD_BYTES, type ParameterPlan, type TfjsModel } from 'nninit';
import { readTfjsFile, writeTfjsFiles } from 'nninit/node';
import { cli, withFolder } from './cli-helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/tfjs/', import.meta.url));
const SHARD = 'group1-shard1of1.bin';
const fixtureJson = (name: string) => readFileSync(join(FIXTURES, name, 'model.json'), 'utf8');
const fixtureShards = (name: string) => ({ [SHARD]: new Uint8Array(readFileSync(join(FIXTURES, name, SHARD))) });

before(async () => {
  await tf.setBackend('cpu');
});

/** tf.loadLayersModel through TF.js's HTTP handler, its requests answered from files. */
function loadFrom(folder: string, name = 'model.json'): Promise<tf.LayersModel> {
  const fetchFunc = async (url: string) => new Response(readFileSync(join(folder, url.slice(url.lastIndexOf('/') + 1))));
  return tf.loadLayersModel(tf.io.http(`${folder}/${name}`, { fetchFunc }));
}

/** The model's weights as they save, by name: model.json's object and one buffer. */
async function saved(model: tf.LayersModel): Promise<{ json: Record<string, unknown>; data: Uint8Array }> {
  let result!: { json: Record<string, unknown>; data: Uint8Array };
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    result = {
      json: { format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [SHARD], weights: artifacts.weightSpecs }] },
      data: new Uint8Array(artifacts.weightData as ArrayBuffer),
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return result;
}

const plans = (model: TfjsModel) => new Map(model.parameters.map((p) => [p.name, p]));

function assertWeightsEqualPlan(loaded: tf.LayersModel, parameters: readonly ParameterPlan[]): void {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  assert.equal(loaded.weights.length, parameters.length);
  for (const weight of loaded.weights) {
    const p = byName.get(weight.originalName)!;
    assert.ok(p, weight.originalName);
    assert.deepEqual(weight.read().dataSync(), initParameter(p), weight.originalName);
  }
}

// ---- what is inferred and configured ------------------------------------------------------------------------------

test("the 'model' policy draws each weight from nninit's equivalent of its layer's configured initializer", () => {
  const sequential = plans(readTfjsModel(fixtureJson('sequential'), undefined, { seed: 1 }));
  const call = (p: ParameterPlan | undefined) => [p!.initializer, p!.options];
  assert.deepEqual(call(sequential.get('conv/kernel')), ['heNormal', { layout: 'keras' }]);
  assert.deepEqual(call(sequential.get('depthwise/depthwise_kernel')), ['glorotUniform', { layout: 'keras' }]);
  assert.deepEqual(call(sequential.get('hidden/kernel')), ['glorotNormal', { layout: 'keras' }]);
  assert.deepEqual(call(sequential.get('hidden/bias')), ['constant', { value: 0.1 }]);
  assert.deepEqual(call(sequential.get('feature/kernel')), ['normal', { std: 0.05 }]);
  assert.deepEqual(call(sequential.get('logits/kernel')), ['lecunUniform', { layout: 'keras' }]);
  assert.deepEqual(call(sequential.get('logits/bias')), ['uniform', { low: -0.1, high: 0.2 }]);
  assert.deepEqual(['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance'].map((n) => sequential.get(n)!.initializer), ['ones', 'zeros', 'zeros', 'ones']);
  assert.ok([...sequential.values()].every((p) => p.policy === 'model'));
  assert.match(sequential.get('conv/kernel')!.rule, /^VarianceScaling\(scale=2, mode=fan_in, distribution=normal\) of conv -> heNormal \(model policy\)$/);

  const model = readTfjsModel(fixtureJson('functional'), undefined, { seed: 1 });
  const functional = plans(model);
  assert.deepEqual(call(functional.get('gru/kernel')), ['truncatedNormal', { std: 0.1, lower: -2, upper: 2 }]);
  assert.deepEqual(call(functional.get('lstm/recurrent_kernel')), ['orthogonal', { gain: 1.5, layout: 'keras' }]);
  assert.deepEqual(call(functional.get('out/kernel')), ['varianceScaling', { scale: 2, mode: 'fanOut', distribution: 'truncatedNormal', layout: 'keras' }]);
  // unit_forget_bias: the bias initializer on gates i, c, o and ones on f, as TF.js's LSTMCell builds it.
  assert.deepEqual(functional.get('lstm/bias')!.blocks!.parts.map((part) => part.initializer), ['zeros', 'ones', 'zeros', 'zeros']);
  const bias = initParameter(functional.get('lstm/bias')!) as Float32Array;
  assert.deepEqual(Array.from(bias), Array.from({ length: 56 }, (_, i) => (i >= 14 && i < 28 ? 1 : 0)));
  assert.match(model.explain, /kernel of Dense out, fans 28\/3, then sigmoid; configured VarianceScaling\(scale=2, mode=fan_out, distribution=truncated_normal\)/);
  assert.match(readTfjsModel(fixtureJson('sequential'), undefined, { seed: 1 }).explain, /hidden\/kernel .* configured VarianceScaling\(scale=1, mode=fan_avg, distribution=normal\) \(TF\.js's own draw is truncated without rescaling: variance 0\.774x \(tfjs#8594\)\)/);
});

test("under the 'model' policy a bias reports its kernel's fans as Keras counts them, and a truncated normal says its cut in σ", () => {
  for (const name of ['sequential', 'functional']) {
    const model = readTfjsModel(fixtureJson(name), undefined, { seed: 1 });
    const p = plans(model);
    let checked = 0;
    for (const bias of model.parameters.filter((q) => q.name.endsWith('/bias'))) {
      const layer = bias.name.slice(0, -'/bias'.length);
      const kernel = p.get(`${layer}/pointwise_kernel`) ?? p.get(`${layer}/kernel`) ?? p.get(`${layer}/depthwise_kernel`);
      if (!kernel) continue;
      assert.deepEqual([bias.fanIn, bias.fanOut], [kernel.fanIn, kernel.fanOut], bias.name);
      checked++;
    }
    assert.ok(checked >= 4, `${name}: ${checked} biases`);
  }
  // A depthwise kernel [3, 3, 8, 2]: its role's fans are 9/18 (one filter bank per channel), Keras's 72/18.
  const sequential = readTfjsModel(fixtureJson('sequential'), undefined, { seed: 1 });
  assert.deepEqual([plans(sequential).get('depthwise/bias')!.fanIn, plans(sequential).get('depthwise/bias')!.fanOut], [72, 18]);
  assert.match(sequential.weights.find((w) => w.name === 'depthwise/bias')!.inferred, /; the model policy reports its kernel's fans 72\/18, as Keras counts them$/);
  assert.match(sequential.weights.find((w) => w.name === 'depthwise/depthwise_kernel')!.inferred, /fans 9\/18, .*; the model policy reports fans 72\/18, as Keras counts them from its shape$/);
  // Another policy keeps the role's fans for both.
  const activation = plans(readTfjsModel(fixtureJson('sequential'), undefined, { seed: 1, policy: 'activation' }));
  assert.deepEqual([activation.get('depthwise/bias')!.fanIn, activation.get('depthwise/depthwise_kernel')!.fanIn], [9, 9]);
  const functional = readTfjsModel(fixtureJson('functional'), undefined, { seed: 1 });
  assert.match(functional.explain, /gru\/kernel +\[\d+, \d+\] +truncatedNormal\(std=0\.1, ±2σ\) /);
});

test('any other policy chooses by role and by the activation after the layer (through BatchNorm, Dropout, activation layers)', () => {
  const p = plans(readTfjsModel(fixtureJson('sequential'), undefined, { seed: 1, policy: 'activation' }));
  assert.match(p.get('conv/kernel')!.rule, /^relu after conv -> He normal, fan_in 27/);
  // DepthwiseConv2D: one filter bank per channel, fanIn 9; its ReLU is a separate Activation layer.
  assert.deepEqual([p.get('depthwise/depthwise_kernel')!.fanIn, p.get('depthwise/depthwise_kernel')!.fanOut], [9, 18]);
  assert.match(p.get('depthwise/depthwise_kernel')!.rule, /^relu after depthwise/);
  assert.match(p.get('hidden/kernel')!.rule, /^tanh after hidden -> Glorot uniform/);
  // The LeakyReLU layer after Dropout-free feature: He with its alpha.
  assert.deepEqual(p.get('feature/kernel')!.options, { nonlinearity: 'leaky_relu', a: 0.2, layout: 'keras' });
  assert.match(p.get('logits/kernel')!.rule, /^softmax after logits/);
  assert.equal(p.get('hidden/bias')!.initializer, 'zeros');
  const f = plans(readTfjsModel(fixtureJson('functional'), undefined, { seed: 1, policy: 'activation' }));
  assert.match(f.get('side/kernel')!.rule, /^relu after side/);
  assert.equal(f.get('lstm/recurrent_kernel')!.blocks!.parts.length, 4);
  assert.match(f.get('lstm/recurrent_kernel')!.rule, /orthogonal per gate block \(i, f, c, o\)/);
  const keras = plans(readTfjsModel(fixtureJson('functional'), undefined, { seed: 1, policy: 'keras' }));
  assert.deepEqual(keras.get('lstm/bias')!.blocks!.parts.map((part) => part.initializer), ['zeros', 'ones', 'zeros', 'zeros']);
});

test('a Keras-converted model.json: model_config, Keras class names, Keras 3 initializer objects', () => {
  const json = {
    format: 'layers-model', generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.13.1', backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', name: 'input_1' } },
            { class_name: 'Dense', config: { name: 'dense', units: 4, activation: 'relu', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } } },
            { class_name: 'Dense', config: { name: 'dense_1', units: 2, activation: 'linear', use_bias: false, kernel_initializer: { module: 'keras.initializers', class_name: 'HeNormal', config: { seed: null }, registered_name: null } } },
            { class_name: 'Activation', config: { name: 'probabilities', activation: 'softmax' } },
          ],
        },
      },
    },
    weightsManifest: [{ paths: [SHARD], weights: [{ name: 'dense/kernel', shape: [3, 4], dtype: 'float32' }, { name: 'dense/bias', shape: [4], dtype: 'float32' }, { name: 'dense_1/kernel', shape: [4, 2], dtype: 'float32' }] }],
  };
  const configured = plans(readTfjsModel(json, undefined, { seed: 1 }));
  assert.deepEqual([...configured.values()].map((p) => p.initializer), ['glorotUniform', 'zeros', 'heNormal']);
  const chosen = plans(readTfjsModel(JSON.stringify(json), undefined, { seed: 1, policy: 'activation' }));
  assert.match(chosen.get('dense_1/kernel')!.rule, /^softmax after dense_1/);
  assert.match(chosen.get('dense/kernel')!.rule, /^relu after dense/);
});

test('wrapped layers: Bidirectional copies under forward_ and backward_ names, TimeDistributed under its own', async () => {
  const model = tf.sequential({ layers: [
    tf.layers.bidirectional({ name: 'both', layer: tf.layers.lstm({ name: 'lstm', units: 4, returnSequences: true }) as tf.RNN, inputShape: [5, 3] }),
    tf.layers.timeDistributed({ name: 'each', layer: tf.layers.dense({ name: 'step', units: 2, activation: 'relu' }) }),
  ] });
  const { json, data } = await saved(model);
  const planned = readTfjsModel(json, { [SHARD]: data }, { seed: 1, policy: 'activation' });
  const p = plans(planned);
  assert.deepEqual(planned.weights.map((w) => w.layer), ['forward_lstm', 'forward_lstm', 'forward_lstm', 'backward_lstm', 'backward_lstm', 'backward_lstm', 'each', 'each']);
  assert.equal(p.get('both/backward_lstm/recurrent_kernel')!.blocks!.parts.length, 4);
  assert.match(p.get('each/kernel')!.rule, /^relu after each -> He normal, fan_in 8/);
});

// ---- round trips through TF.js -----------------------------------------------------------------------------------

test('written models load in tf.loadLayersModel with exactly the plan\'s weights, and predict', withFolder(async (folder) => {
  for (const [name, policy] of [['sequential', 'model'], ['functional', 'activation']] as const) {
    const out = join(folder, name);
    const { code, stderr, stdout } = await cli('init', join(FIXTURES, name, 'model.json'), '-o', `${out}/`, '--seed', '9', '--policy', policy, '-q');
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    assert.deepEqual(readdirSync(out).sort(), [SHARD, 'model.json']);
    const model = readTfjsModel(fixtureJson(name), undefined, { seed: 9, policy });
    const loaded = await loadFrom(out);
    assertWeightsEqualPlan(loaded, model.parameters);
    // model.json keeps everything but its manifest.
    const { weightsManifest: _a, ...written } = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const { weightsManifest: _b, ...original } = JSON.parse(fixtureJson(name));
    assert.deepEqual(written, original);
    const inputs = name === 'sequential' ? tf.randomNormal([2, 8, 8, 3]) : [tf.zeros([2, 6]), tf.randomNormal([2, 5])];
    const output = loaded.predict(inputs) as tf.Tensor;
    assert.ok((output.dataSync() as Float32Array).every(Number.isFinite));
  }
  // The in-memory writer gives the same files.
  const model = readTfjsModel(fixtureJson('sequential'), undefined, { seed: 9 });
  const files = writeTfjsModel(model);
  assert.equal(files.modelJson, readFileSync(join(folder, 'sequential', 'model.json'), 'utf8'));
  assert.deepEqual(files.shards.map((s) => s.name), [SHARD]);
  assert.deepEqual(files.shards[0].bytes, new Uint8Array(readFileSync(join(folder, 'sequential', SHARD))));
}));

test('weight shards of 4 MiB, named as the converter names them; kept weights copied across shard boundaries', withFolder(async (folder) => {
  // 7.3 MB of weights, saved by TF.js and cut here into 1 MB input shards.
  const big = tf.sequential({ layers: [
    tf.layers.dense({ name: 'wide', inputShape: [1100], units: 1000, activation: 'relu' }),
    tf.layers.dense({ name: 'narrow', units: 700, activation: 'tanh' }),
  ] });
  const { json, data } = await saved(big);
  const input = join(folder, 'in');
  mkdirSync(input);
  const step = 1_000_000, count = Math.ceil(data.length / step);
  const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
  paths.forEach((path, i) => writeFileSync(join(input, path), data.subarray(i * step, (i + 1) * step)));
  (json.weightsManifest as { paths: string[] }[])[0].paths = paths;
  writeFileSync(join(input, 'model.json'), JSON.stringify(json));

  const out = join(folder, 'out', 'model.json');
  const { code, stderr } = await cli('init', join(input, 'model.json'), '-o', out, '--seed', '3', '--keep', 'narrow/kernel', '-q');
  assert.equal(code, 0, stderr);
  const names = readdirSync(join(folder, 'out')).sort();
  assert.deepEqual(names, ['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
  assert.equal(statSync(join(folder, 'out', 'group1-shard1of2.bin')).size, TFJS_SHARD_BYTES);
  assert.equal(statSync(join(folder, 'out', 'group1-shard2of2.bin')).size, data.length - TFJS_SHARD_BYTES);
  const loaded = await loadFrom(join(folder, 'out'));
  const model = await readTfjsFile(join(input, 'model.json'), { seed: 3, keep: ['narrow/kernel'] });
  const byName = plans(model);
  for (const weight of loaded.weights) {
    const p = byName.get(weight.originalName);
    const values = weight.read().dataSync();
    if (p) assert.deepEqual(values, initParameter(p), weight.originalName);
    else assert.deepEqual(values, big.getLayer('narrow').getWeights()[0].dataSync(), `${weight.originalName} kept`);
  }
  // The Node writer with a smaller shard size cuts weights mid-element and TF.js still reads them.
  await writeTfjsFiles(model, join(folder, 'small', 'model.json'), { shardBytes: 999_999 });
  assert.equal(readdirSync(join(folder, 'small')).length, 1 + Math.ceil(data.length / 999_999));
  const small = await loadFrom(join(folder, 'small'));
  for (const weight of small.weights) {
    const p = byName.get(weight.originalName);
    if (p) assert.deepEqual(weight.read().dataSync(), initParameter(p), weight.originalName);
  }
}));

// ---- the 'model' policy's distributions --------------------------------------------------------------------------

/** Sample mean and variance with their standard errors, from the sample's own moments. */
function moments(values: ArrayLike<number>): { mean: number; variance: number; meanError: number; varianceError: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let m2 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return { mean, variance: m2, meanError: Math.sqrt(m2 / n), varianceError: Math.sqrt(Math.max(m4 - m2 * m2, 0) / n) };
}

/** Variance of a standard normal cut at +-2 (Keras's, JAX's and TF.js's truncated normal). */
const TRUNCATED_2 = (() => {
  const phi = Math.exp(-2) / Math.sqrt(2 * Math.PI);
  // 2 Phi(2) - 1 = erf(sqrt 2), by a series.
  let erf = 0, term = Math.SQRT2;
  for (let k = 0; k < 60; k++) {
    erf += term / (2 * k + 1);
    term *= -2 / (k + 1);
  }
  const mass = erf * 2 / Math.sqrt(Math.PI);
  return 1 - (2 * 2 * phi) / mass;
})();

test("'model' draws have the configured initializers' moments (4 SE); TF.js's own differ where it does not rescale its truncated normal", async () => {
  const init = tf.initializers;
  const cases: { name: string; initializer: ReturnType<typeof init.zeros>; mean: number; variance: number; tfjsVariance?: number }[] = [
    { name: 'glorot_uniform', initializer: init.glorotUniform({}), mean: 0, variance: 2 / 700 },
    { name: 'glorot_normal', initializer: init.glorotNormal({}), mean: 0, variance: 2 / 700, tfjsVariance: TRUNCATED_2 * 2 / 700 },
    { name: 'he_normal', initializer: init.heNormal({}), mean: 0, variance: 2 / 400, tfjsVariance: TRUNCATED_2 * 2 / 400 },
    { name: 'he_uniform', initializer: init.heUniform({}), mean: 0, variance: 2 / 400 },
    { name: 'lecun_normal', initializer: init.leCunNormal({}), mean: 0, variance: 1 / 400, tfjsVariance: TRUNCATED_2 / 400 },
    { name: 'scaled_fan_out', initializer: init.varianceScaling({ scale: 3, mode: 'fanOut', distribution: 'uniform' }), mean: 0, variance: 3 / 300 },
    { name: 'random_normal', initializer: init.randomNormal({ mean: 0.1, stddev: 0.2 }), mean: 0.1, variance: 0.04 },
    { name: 'random_uniform', initializer: init.randomUniform({ minval: -0.3, maxval: 0.1 }), mean: -0.1, variance: 0.16 / 12 },
    { name: 'truncated_normal', initializer: init.truncatedNormal({ mean: 0, stddev: 0.1 }), mean: 0, variance: 0.01 * TRUNCATED_2 },
  ];
  const input = tf.input({ shape: [400] });
  const outputs = cases.map((c) => tf.layers.dense({ name: c.name, units: 300, useBias: false, kernelInitializer: c.initializer }).apply(input) as tf.SymbolicTensor);
  const orthogonal = tf.layers.dense({ name: 'orthogonal', units: 64, useBias: false, kernelInitializer: init.orthogonal({ gain: 1.5 }) }).apply(tf.input({ shape: [64] })) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [input, orthogonal.sourceLayer.inboundNodes[0].inputTensors[0]], outputs: [...outputs, orthogonal] });
  const { json, data } = await saved(model);
  const planned = readTfjsModel(json, { [SHARD]: data }, { seed: 17 });
  const byName = plans(planned);
  for (const c of cases) {
    const ours = moments(initParameter(byName.get(`${c.name}/kernel`)!) as Float32Array);
    assert.ok(Math.abs(ours.mean - c.mean) < 4 * ours.meanError, `${c.name}: mean ${ours.mean}, configured ${c.mean}`);
    assert.ok(Math.abs(ours.variance - c.variance) < 4 * ours.varianceError, `${c.name}: variance ${ours.variance}, configured ${c.variance} (SE ${ours.varianceError})`);
    const theirs = moments(model.getLayer(c.name).getWeights()[0].dataSync());
    const expected = c.tfjsVariance ?? c.variance;
    assert.ok(Math.abs(theirs.variance - expected) < 4 * theirs.varianceError, `${c.name}: TF.js's variance ${theirs.variance}, expected ${expected}`);
    if (c.tfjsVariance) assert.ok(Math.abs(theirs.variance - c.variance) > 4 * theirs.varianceError, `${c.name}: TF.js's truncated draw is ${(theirs.variance / c.variance).toFixed(3)} of the configured variance`);
  }
  // Orthogonal with gain 1.5: Q^T Q = 2.25 I.
  const q = initParameter(byName.get('orthogonal/kernel')!) as Float32Array;
  for (let i = 0; i < 64; i += 7) {
    for (let j = 0; j < 64; j += 5) {
      let dot = 0;
      for (let k = 0; k < 64; k++) dot += q[k * 64 + i] * q[k * 64 + j];
      assert.ok(Math.abs(dot - (i === j ? 2.25 : 0)) < 1e-5, `(Q^T Q)[${i}, ${j}] = ${dot}`);
    }
  }
});

// ---- the command and bad input -----------------------------------------------------------------------------------

test('nninit explain shows what was inferred and configured; safetensors output holds the weights under their manifest names', withFolder(async (folder) => {
  const explained = await cli('explain', join(FIXTURES, 'functional', 'model.json'), '--seed', '2');
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /^nninit plan: policy model, layout keras, dtype float32, seed 2/);
  assert.match(explained.stdout, /functional\/model\.json: TF\.js layers model \(Model, generated by TensorFlow\.js tfjs-layers v4\.22\.0\); 13 weights: 13 re-initialized, 0 kept/);
  assert.match(explained.stdout, /lstm\/bias +\[56\] +float32 +bias of LSTM lstm \(gates i f c o, unit_forget_bias\); configured Zeros/);
  const out = join(folder, 'f.safetensors');
  const written = await cli('init', join(FIXTURES, 'functional', 'model.json'), '-o', out, '--seed', '2', '--json');
  assert.equal(written.code, 0, written.stderr);
  // --json reports the metadata a file holds: safetensors output has it, a TF.js model none.
  assert.equal(JSON.parse(written.stdout).metadata['nninit.input'], 'model.json');
  const native = await cli('init', join(FIXTURES, 'functional', 'model.json'), '-o', join(folder, 'tfjs', 'model.json'), '--seed', '2', '--json');
  assert.equal(native.code, 0, native.stderr);
  assert.equal('metadata' in JSON.parse(native.stdout), false);
  const { readSafetensors } = await import('nninit');
  const read = readSafetensors(new Uint8Array(readFileSync(out)));
  const model = readTfjsModel(fixtureJson('functional'), undefined, { seed: 2 });
  assert.deepEqual(read.tensors.map((t) => t.name).sort(), model.parameters.map((p) => p.name).sort());
  for (const p of model.parameters) {
    const t = read.tensors.find((u) => u.name === p.name)!;
    const values = initParameter(p);
    assert.deepEqual(t.data, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), p.name);
  }
}));

test('bad input: missing or short shards, manifest and topology that disagree, unknown weights and initializers; exit 2, nothing written', withFolder(async (folder) => {
  const original = JSON.parse(fixtureJson('sequential'));
  const shard = readFileSync(join(FIXTURES, 'sequential', SHARD));
  const cases: [string, (json: Record<string, any>) => void, Uint8Array | undefined, RegExp][] = [
    ['a missing shard', () => undefined, undefined, /model\.json: weightsManifest\[0\]\.paths: the weight shard group1-shard1of1\.bin is missing/],
    ['a short shard', () => undefined, shard.subarray(0, 1000), /weightsManifest\[0\]: its weights take 37352 bytes, but its shards \(group1-shard1of1\.bin\) hold 1000; the first weight that does not fit is "depthwise\/depthwise_kernel" \(float32 \[3, 3, 8, 2\]\), at bytes 960 to 1536 of the group\n/],
    ['a wrong dtype', (json) => { json.weightsManifest[0].weights[6].dtype = 'complex64'; }, shard,
      /its weights take 70120 bytes, but its shards \(group1-shard1of1\.bin\) hold 37352; the first weight that does not fit is "hidden\/kernel" \(complex64 \[256, 32\]\), at bytes 1600 to 67136 of the group; the difference is what "hidden\/kernel" \(complex64 \[256, 32\]\) would take as float32 or int32: are its dtype and shape right\?\n/],
    ['bytes left over', (json) => { json.weightsManifest[0].weights[11].shape = [5]; }, shard,
      /its weights take 37332 bytes, but its shards \(group1-shard1of1\.bin\) hold 37352; 20 bytes are left after the last weight, "bn\/moving_variance" \(float32 \[8\]\); the difference is what "logits\/bias" \(float32 \[5\]\) would take as complex64: are its dtype and shape right\?\n/],
    ['a shape the layer does not make', (json) => { json.modelTopology.config.layers[5].config.units = 31; }, shard,
      /weightsManifest weight "hidden\/kernel" has shape \[256, 32\], but layer "hidden" \(Dense\) makes \[in, 31\] \(modelTopology\.config\.layers\[5\]\.config\)/],
    ['a weight the manifest lacks', (json) => { json.weightsManifest[0].weights.splice(1, 1); }, shard.subarray(0, 37352 - 32),
      /layer "conv" \(Conv2D\) has a bias, which weightsManifest lacks \(modelTopology\.config\.layers\[0\]\.config\)/],
    ['a weight of no layer', (json) => { json.weightsManifest[0].weights[9].name = 'mystery/bias'; json.modelTopology.config.layers[7].config.use_bias = false; }, shard,
      /cannot tell what weight "mystery\/bias" \[16\] \(no layer of the topology has this name\) is; keep it \(--keep mystery\/bias\) or add a rule such as --rule mystery\/bias=zeros/],
    ['an initializer with no equivalent', (json) => { json.modelTopology.config.layers[5].config.kernel_initializer = { class_name: 'MyInit', config: {} }; }, shard,
      /weight "hidden\/kernel": modelTopology\.config\.layers\[5\]\.config\.kernel_initializer: the initializer "MyInit" has no nninit equivalent; give it a rule/],
    ['a graph model', (json) => { json.format = 'graph-model'; }, shard, /nninit reads layers models/],
    ['string weights', (json) => { json.weightsManifest[0].weights[0].dtype = 'string'; }, shard, /weightsManifest\[0\]\.weights\[0\] \("conv\/kernel"\): string weights are not supported/],
  ];
  for (const [what, edit, bytes, message] of cases) {
    const input = join(folder, 'in');
    rmSync(input, { recursive: true, force: true });
    mkdirSync(input);
    const json = structuredClone(original);
    edit(json);
    writeFileSync(join(input, 'model.json'), JSON.stringify(json));
    if (bytes) writeFileSync(join(input, SHARD), bytes);
    const out = join(folder, 'out');
    const result = await cli('init', join(input, 'model.json'), '-o', `${out}/`, '--seed', '1');
    assert.equal(result.code, 2, `${what}: ${result.stderr}`);
    assert.match(result.stderr, message, what);
    assert.match(result.stderr, /^nninit: error: /, what);
    assert.equal(readdirSync(folder).includes('out'), false, `${what}: no output folder`);
  }
  // Shards cut every N bytes, one of them short: it is named.
  const split = structuredClone(original);
  split.weightsManifest[0].paths = ['a.bin', 'b.bin', 'c.bin'];
  assert.throws(() => readTfjsModel(split, { 'a.bin': shard.subarray(0, 16000), 'b.bin': shard.subarray(16000, 26000), 'c.bin': shard.subarray(32000) }, { file: 'split.json' }),
    /split\.json: weightsManifest\[0\]: its weights take 37352 bytes, but its shards \(a\.bin, b\.bin, c\.bin\) hold 31352; shard b\.bin holds 10000 bytes, fewer than the 16000 of a\.bin, and is not the last: it looks cut short; the first weight that does not fit is /);
  // A model.json cut short is named as the input it is, whatever -o says (it cannot be told from a spec, whose
  // output would be safetensors); so is one that is missing.
  const cut = join(folder, 'cut');
  mkdirSync(cut);
  writeFileSync(join(cut, 'model.json'), fixtureJson('sequential').slice(0, 3000));
  for (const output of [`${folder}/out/model.json`, `${folder}/out/`, `${folder}/out.safetensors`]) {
    for (const command of ['init', 'explain']) {
      const result = await cli(command, join(cut, 'model.json'), ...(command === 'init' ? ['-o', output] : []));
      assert.equal(result.code, 2, `${command} -o ${output}: ${result.stderr}`);
      assert.match(result.stderr, /^nninit: error: .*cut\/model\.json: not valid JSON: /, `${command} -o ${output}`);
    }
    const missing = await cli('init', join(folder, 'none', 'model.json'), '-o', output);
    assert.match(missing.stderr, /^nninit: error: .*none\/model\.json: cannot read the input: no such file\n/, output);
  }
  assert.equal(readdirSync(folder).includes('out'), false);
  // A layer of a class nninit does not know (a custom or renamed one): each weight is drawn from the initializer
  // its config names for it, under every policy (no policy has a role for it); without one it needs a rule.
  const renamed = structuredClone(original);
  renamed.modelTopology.config.layers[5].class_name = 'MyDense';
  for (const policy of ['model', 'activation'] as const) {
    const p = plans(readTfjsModel(renamed, undefined, { seed: 1, policy }));
    assert.deepEqual([p.get('hidden/kernel')!.initializer, p.get('hidden/bias')!.initializer, p.get('hidden/bias')!.options], ['glorotNormal', 'constant', { value: 0.1 }], policy);
    assert.match(p.get('hidden/kernel')!.rule, policy === 'model' ? /\(model policy\)$/ : /\(configured; no policy role\)$/);
  }
  delete renamed.modelTopology.config.layers[5].config.kernel_initializer;
  assert.throws(() => readTfjsModel(renamed, undefined, { seed: 1 }), /cannot tell what weight "hidden\/kernel" \[256, 32\] \(kernel of MyDense hidden\) is/);
  // A rule covers what nothing else does.
  const json = structuredClone(original);
  json.modelTopology.config.layers[5].config.kernel_initializer = { class_name: 'MyInit', config: {} };
  const covered = readTfjsModel(json, undefined, { seed: 1, rules: [{ match: 'hidden/kernel', init: 'orthogonal' }] });
  assert.equal(plans(covered).get('hidden/kernel')!.initializer, 'orthogonal');
  // Library argument errors.
  assert.throws(() => readTfjsModel('{', undefined, { file: 'x.json' }), /nninit\.readTfjsModel: x\.json: not valid JSON/);
  assert.throws(() => readTfjsModel(original, { [SHARD]: 'bytes' } as never), /nninit\.readTfjsModel: shards: expected an object or Map of file names to Uint8Array/);
  assert.throws(() => writeTfjsModel(readTfjsModel(original, undefined, { keep: ['conv/*'] })), /weight "conv\/kernel" is kept, and its bytes are in the weight shards, which were not given/);
  // Flags that do not apply.
  const dtype = await cli('init', join(FIXTURES, 'sequential', 'model.json'), '-o', `${folder}/x/`, '--dtype', 'float16');
  assert.equal(dtype.code, 2);
  assert.match(dtype.stderr, /--dtype: a TF\.js model keeps each tensor's element type/);
  const shards = await cli('init', join(FIXTURES, 'sequential', 'model.json'), '-o', `${folder}/x/`, '--max-shard-size', '1MB');
  assert.match(shards.stderr, /--max-shard-size: splits safetensors output; a TF\.js model is written whole/);
  const spec = await cli('explain', fileURLToPath(new URL('../examples/mlp-mixed.json', import.meta.url)), '--policy', 'model');
  assert.equal(spec.code, 2);
  assert.match(spec.stderr, /--policy model: reproduces the initializers a TF\.js model\.json configures; .*mlp-mixed\.json is a model spec \(\.json\), which configures none/);
}));
