// nninit/torch's generator API: known answers from PyTorch 1.13, how calls advance the generator, the state
// format, argument forms and errors, and the module plans.

import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import {
  createTorchGenerator, planTorchModule, TORCH_DEFAULT_SEED, TORCH_STATE_BYTES,
} from 'nninit/torch';

const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

test('known answers: torch.manual_seed(0); torch.rand(5) and torch.randn(4)', () => {
  const g = createTorchGenerator(0);
  // Bit patterns printed by PyTorch 1.13 (torch.rand(5).numpy().view(numpy.uint32)).
  assert.deepEqual(bitsOf(g.rand(5)), [1056839000, 1061464623, 1035285416, 1040659200, 1050502790]);
  assert.deepEqual(bitsOf(g.manualSeed(0).randn([2, 2])), [1069891420, 3197516880, 3221975369, 1058112694]);
  assert.equal(nninit.createTorchGenerator, createTorchGenerator);
});

test('seeds: torch.manual_seed semantics, the default seed of torch.Generator()', () => {
  assert.equal(createTorchGenerator().initialSeed(), TORCH_DEFAULT_SEED);
  assert.equal(createTorchGenerator(-1).initialSeed(), 2n ** 64n - 1n);
  assert.deepEqual(createTorchGenerator(-1).rand(4), createTorchGenerator(2n ** 64n - 1n).rand(4));
  // Only the low 32 bits seed the Mersenne Twister.
  assert.deepEqual(createTorchGenerator(2 ** 32 + 7).rand(9), createTorchGenerator(7).rand(9));
  assert.notDeepEqual(createTorchGenerator(8).rand(9), createTorchGenerator(7).rand(9));
  for (const bad of [2n ** 64n, -(2n ** 63n) - 1n, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
    assert.throws(() => createTorchGenerator(bad), RangeError);
  }
  assert.throws(() => createTorchGenerator('1' as unknown as number), TypeError);
});

test('a sequence of calls continues one stream; small normal_ calls share the cached second value', () => {
  const split = createTorchGenerator(3), whole = createTorchGenerator(3);
  assert.deepEqual([...split.rand(10), ...split.rand(700)], [...whole.rand(710)]);
  // Below 16 elements each pair of a float64 Box-Muller gives two elements; an odd count leaves one cached.
  assert.deepEqual([...split.randn(3), ...split.randn(1)], [...whole.randn(4)]);
  // The vectorized path (16 or more) does not touch the cache: it survives until the next small call.
  const a = createTorchGenerator(4), b = createTorchGenerator(4);
  const first = a.randn(5);
  a.randn(40);
  const cached = a.randn(1)[0];
  const all = b.randn(6);
  assert.deepEqual([...first], [...all.subarray(0, 5)]);
  assert.equal(cached, all[5]);
  // manual_seed forgets it.
  const c = createTorchGenerator(4);
  c.randn(5);
  c.manualSeed(4);
  assert.deepEqual(c.randn(1), createTorchGenerator(4).randn(1));
});

test('normal_ of 16 or more elements recomputes the last 16 from fresh uniforms when the size is not a multiple of 16', () => {
  const g = createTorchGenerator(9), h = createTorchGenerator(9);
  const seventeen = g.randn(17);
  const uniforms = h.rand(17 + 16);
  // Element 0 comes from the first group's Box-Muller (u1 = 1 - rand[0], u2 = rand[8]); elements 1..16 from the
  // last 16 uniforms drawn afterwards, so the first element matches randn(16)'s.
  assert.equal(seventeen[0], createTorchGenerator(9).randn(16)[0]);
  assert.equal(uniforms.length, 33);
  // 17 + 16 words consumed in all: the next draw matches.
  assert.deepEqual(g.rand(3), h.rand(3));
});

test('getState/setState: 5056 bytes in torch.get_rng_state() layout, resuming exactly', () => {
  const g = createTorchGenerator(123);
  g.randn(3); // leaves a cached normal
  const saved = g.getState();
  assert.equal(saved.length, TORCH_STATE_BYTES);
  const view = new DataView(saved.buffer);
  assert.equal(view.getBigUint64(0, true), 123n);
  assert.equal(view.getInt32(12, true), 1);
  assert.equal(view.getInt32(5040, true), 1);
  const next = [...g.randn(3), ...g.rand(1000)];
  const h = createTorchGenerator(0).setState(saved);
  assert.equal(h.initialSeed(), 123n);
  assert.deepEqual([...h.randn(3), ...h.rand(1000)], next);
  assert.deepEqual(h.getState(), g.getState());
  const broken = saved.slice();
  new DataView(broken.buffer).setInt32(8, 0, true);
  assert.throws(() => h.setState(broken), /not a valid Mersenne Twister state/);
  assert.throws(() => h.setState(saved.subarray(1)), RangeError);
  assert.throws(() => h.setState([...saved] as unknown as Uint8Array), TypeError);
});

test('arguments: positional as in Python or one object of keywords, with PyTorch defaults', () => {
  const same = (make: (g: nninit.TorchGenerator) => Float32Array, other: (g: nninit.TorchGenerator) => Float32Array) =>
    assert.deepEqual(make(createTorchGenerator(5)), other(createTorchGenerator(5)));
  same((g) => g.uniform_([4, 5], -0.5, 0.5), (g) => g.uniform_([4, 5], { a: -0.5, b: 0.5 }));
  same((g) => g.uniform_([30]), (g) => g.rand(30));
  same((g) => g.normal_([40], 1, 2), (g) => g.normal_([40], { std: 2, mean: 1 }));
  same((g) => g.normal_(40), (g) => g.randn([40]));
  same((g) => g.truncNormal_([50]), (g) => g.truncNormal_([50], 0, 1, -2, 2));
  same((g) => g.truncNormal_([50], { std: 0.02 }), (g) => g.truncNormal_([50], 0, 0.02, -2, 2));
  same((g) => g.kaimingUniform_([20, 30]), (g) => g.kaimingUniform_([20, 30], { a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' }));
  same((g) => g.kaimingUniform_([20, 30], 0, 'FAN_OUT'), (g) => g.kaimingUniform_([20, 30], { mode: 'fanOut' }));
  same((g) => g.kaimingNormal_([20, 30], 0, 'fan_in', 'relu'), (g) => g.kaimingNormal_([20, 30], { nonlinearity: 'relu' }));
  same((g) => g.xavierUniform_([20, 30], 2), (g) => g.xavierUniform_([20, 30], { gain: 2 }));
  same((g) => g.xavierNormal_([20, 30]), (g) => g.xavierNormal_([20, 30], { gain: 1 }));
  // kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's nn.Linear weight.
  same((g) => g.kaimingUniform_([7, 50], Math.sqrt(5)), (g) => g.linear(50, 7, { bias: false }).weight);
});

test('truncNormal_ stays inside the absolute bounds and has the truncated moments', () => {
  const values = createTorchGenerator(6).truncNormal_([200000], 1, 2, -1, 4);
  let sum = 0, squares = 0;
  for (const value of values) {
    assert.ok(value >= -1 && value <= 4);
    sum += value;
    squares += value * value;
  }
  // N(1, 4) cut to [-1, 4], i.e. standard bounds alpha = -1, beta = 1.5: mean 1 + 2 (phi(alpha) - phi(beta)) / Z.
  const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  const cdf = (x: number) => 0.5 * (1 + erfApprox(x / Math.SQRT2));
  const z = cdf(1.5) - cdf(-1);
  const mean = 1 + 2 * (phi(-1) - phi(1.5)) / z;
  const variance = 4 * (1 + (-1 * phi(-1) - 1.5 * phi(1.5)) / z - ((phi(-1) - phi(1.5)) / z) ** 2);
  const n = values.length;
  const sampleMean = sum / n, sampleVariance = squares / n - sampleMean ** 2;
  assert.ok(Math.abs(sampleMean - mean) < 4 * Math.sqrt(variance / n), `mean ${sampleMean} against ${mean}`);
  // Four standard errors; sqrt(2 / n) sigma^2 is the normal's, an upper bound for this lighter-tailed distribution.
  assert.ok(Math.abs(sampleVariance - variance) < 4 * Math.sqrt(2 / n) * variance, `variance ${sampleVariance} against ${variance}`);
});

/** erf by its Maclaurin series (|x| < 2.5) and Laplace's continued fraction for erfc beyond: about 1e-12. */
function erfApprox(x: number): number {
  const t = Math.abs(x);
  if (t < 2.5) {
    let term = t, sum = t;
    for (let k = 1; k < 80; k++) {
      term *= -t * t / k;
      sum += term / (2 * k + 1);
    }
    return Math.sign(x) * sum * 2 / Math.sqrt(Math.PI);
  }
  let fraction = 0;
  for (let k = 60; k >= 1; k--) fraction = (k / 2) / (t + fraction);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + fraction));
}

test('errors name the argument and leave the generator untouched', () => {
  const g = createTorchGenerator(1);
  const before = g.getState();
  const cases: [() => unknown, RegExp, ErrorConstructor][] = [
    [() => g.rand([2, -1]), /shape\[1\]/, RangeError],
    [() => g.rand('5' as unknown as number), /shape/, TypeError],
    [() => g.uniform_([3], 1, 0), /a must be at most b/, RangeError],
    [() => g.uniform_([3], 0, 1e39), /b must be within the float32 range/, RangeError],
    [() => g.uniform_([3], -3e38, 3e38), /exceeds the largest float32/, RangeError],
    [() => g.uniform_([3], { low: 1 } as object), /unknown argument "low"/, TypeError],
    [() => g.uniform_([3], { a: 1 }, 2 as never), /positionally or as one object/, TypeError],
    [() => g.normal_([3], 0, -1), /std must be at least 0/, RangeError],
    [() => g.normal_([3], NaN), /mean must be a finite number/, RangeError],
    [() => g.truncNormal_([3], 0, 0), /std must be greater than 0/, RangeError],
    [() => g.truncNormal_([3], 0, 1, 2, -2), /a must be at most b/, RangeError],
    [() => g.kaimingUniform_([5]), /fewer than 2 dimensions/, RangeError],
    [() => g.kaimingNormal_([5, 5], 0, 'fan_avg' as never), /mode must be 'fan_in' or 'fan_out'/, RangeError],
    [() => g.kaimingNormal_([5, 5], 0, 'fan_in', 'gelu' as never), /nonlinearity must be one of/, RangeError],
    [() => g.xavierUniform_([0, 0]), /fan_in \+ fan_out is 0/, RangeError],
    [() => g.xavierNormal_([4, 4], -1), /gain must be non-negative/, RangeError],
    [() => g.linear(3, -1), /outFeatures must be an integer >= 0/, RangeError],
    [() => g.conv2d(3, 4, 3, { groups: 2 }), /inChannels must be divisible by groups/, RangeError],
    [() => g.conv2d(4, 4, [3, 3, 3]), /kernelSize must be an integer or 2 integers/, TypeError],
    [() => g.conv1d(0, 4, 3), /fan_in 0/, RangeError],
    [() => g.embedding(5, 3, { paddingIdx: 5 }), /paddingIdx must be an integer in \[-5, 5\)/, RangeError],
    [() => g.lstm(3, 4, { projSize: 4 }), /projSize must be smaller than hiddenSize/, RangeError],
    [() => g.lstm(3, 4, { numLayers: 0 }), /numLayers must be an integer >= 1/, RangeError],
    [() => g.multiheadAttention(10, 3), /embedDim must be divisible by numHeads/, RangeError],
    [() => g.module({ type: 'batchNorm' } as never), /spec.type must be one of/, RangeError],
    [() => g.module({ type: 'linear', inFeatures: 2, outFeatures: 2, biases: true } as never), /unknown option "biases"/, TypeError],
  ];
  for (const [call, message, kind] of cases) {
    assert.throws(call, (error: Error) => error instanceof kind && message.test(error.message) && error.message.startsWith('nninit.torch.'), String(message));
  }
  assert.deepEqual(g.getState(), before);
});

test('zero-element tensors draw nothing, as in PyTorch', () => {
  const g = createTorchGenerator(2), h = createTorchGenerator(2);
  assert.equal(g.rand([3, 0]).length, 0);
  assert.equal(g.randn([0]).length, 0);
  assert.equal(g.kaimingUniform_([0, 5]).length, 0);
  assert.equal(g.kaimingNormal_([0, 3]).length, 0);
  assert.equal(g.xavierUniform_([0, 5]).length, 0);
  assert.deepEqual(g.rand(5), h.rand(5));
});

test('planTorchModule: PyTorch names and shapes in named_parameters order, init steps in constructor order', () => {
  const names = (spec: nninit.TorchModuleSpec) => planTorchModule(spec).parameters.map((p) => `${p.name}[${p.shape.join(',')}]`);
  assert.deepEqual(names({ type: 'linear', inFeatures: 784, outFeatures: 256 }), ['weight[256,784]', 'bias[256]']);
  assert.deepEqual(names({ type: 'conv2d', inChannels: 8, outChannels: 12, kernelSize: [3, 5], groups: 4, stride: 2, padding: 1 }), ['weight[12,2,3,5]', 'bias[12]']);
  assert.deepEqual(names({ type: 'convTranspose1d', inChannels: 6, outChannels: 4, kernelSize: 2, groups: 2, bias: false }), ['weight[6,2,2]']);
  assert.deepEqual(names({ type: 'lstm', inputSize: 5, hiddenSize: 8, numLayers: 2, bidirectional: true, projSize: 3 }), [
    'weight_ih_l0[32,5]', 'weight_hh_l0[32,3]', 'bias_ih_l0[32]', 'bias_hh_l0[32]', 'weight_hr_l0[3,8]',
    'weight_ih_l0_reverse[32,5]', 'weight_hh_l0_reverse[32,3]', 'bias_ih_l0_reverse[32]', 'bias_hh_l0_reverse[32]', 'weight_hr_l0_reverse[3,8]',
    'weight_ih_l1[32,6]', 'weight_hh_l1[32,3]', 'bias_ih_l1[32]', 'bias_hh_l1[32]', 'weight_hr_l1[3,8]',
    'weight_ih_l1_reverse[32,6]', 'weight_hh_l1_reverse[32,3]', 'bias_ih_l1_reverse[32]', 'bias_hh_l1_reverse[32]', 'weight_hr_l1_reverse[3,8]',
  ]);
  assert.deepEqual(names({ type: 'gru', inputSize: 4, hiddenSize: 2, bias: false }), ['weight_ih_l0[6,4]', 'weight_hh_l0[6,2]']);
  assert.deepEqual(names({ type: 'layerNorm', normalizedShape: [4, 6] }), ['weight[4,6]', 'bias[4,6]']);
  assert.deepEqual(names({ type: 'layerNorm', normalizedShape: 4, elementwiseAffine: false }), []);
  const attention = planTorchModule({ type: 'multiheadAttention', embedDim: 8, numHeads: 2, addBiasKv: true, kdim: 5, vdim: 3 });
  assert.deepEqual(attention.parameters.map((p) => p.name), [
    'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias',
  ]);
  // out_proj is an nn.Linear constructed first: it draws before the input projections.
  assert.deepEqual(attention.steps.map((s) => `${s.parameter}:${s.init.kind}`), [
    'out_proj.weight:kaimingUniform', 'out_proj.bias:uniform', 'q_proj_weight:xavierUniform', 'k_proj_weight:xavierUniform',
    'v_proj_weight:xavierUniform', 'in_proj_bias:constant', 'out_proj.bias:constant', 'bias_k:xavierNormal', 'bias_v:xavierNormal',
  ]);
  const values = createTorchGenerator(0).multiheadAttention(8, 2);
  assert.ok(values['out_proj.bias'].every((v) => v === 0) && values.in_proj_bias.every((v) => v === 0));
  const embedding = createTorchGenerator(0).embedding(6, 3, { paddingIdx: -2 });
  assert.deepEqual([...embedding.weight.subarray(12, 15)], [0, 0, 0]);
  assert.ok(embedding.weight.subarray(0, 12).every((v) => v !== 0));
});

test("README's first nninit/torch example is the one tests/types compiles, and options that do not change the parameters change nothing", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## PyTorch parity'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)![1].trim();
  const typed = readFileSync(new URL('./types/torch-consumer.ts', import.meta.url), 'utf8');
  assert.equal(/\/\/ README:begin\n([\s\S]*?)\/\/ README:end/.exec(typed)![1].trim(), example);
  // Accepted and ignored: the same draws as without them.
  const ignored: [string, (g: ReturnType<typeof createTorchGenerator>) => unknown, (g: ReturnType<typeof createTorchGenerator>) => unknown][] = [
    ['conv2d', (g) => g.conv2d(3, 8, 3, { padding: 1, stride: 2, dilation: [1, 1], paddingMode: 'reflect' }), (g) => g.conv2d(3, 8, 3)],
    ['conv1d', (g) => g.conv1d(3, 8, 3, { padding: 'same' }), (g) => g.conv1d(3, 8, 3)],
    ['convTranspose2d', (g) => g.convTranspose2d(8, 4, 4, { stride: 2, padding: 1, outputPadding: 1 }), (g) => g.convTranspose2d(8, 4, 4)],
    ['lstm', (g) => g.lstm(16, 32, { numLayers: 2, dropout: 0.1, batchFirst: true }), (g) => g.lstm(16, 32, { numLayers: 2 })],
    ['embedding', (g) => g.embedding(50, 8, { maxNorm: 1, normType: 2, scaleGradByFreq: true, sparse: true }), (g) => g.embedding(50, 8)],
    ['layerNorm', (g) => g.layerNorm(8, { eps: 1e-6 }), (g) => g.layerNorm(8)],
    ['multiheadAttention', (g) => g.multiheadAttention(16, 4, { dropout: 0.1, batchFirst: true, addZeroAttn: true }), (g) => g.multiheadAttention(16, 4)],
  ];
  for (const [what, withOptions, without] of ignored) {
    const a = createTorchGenerator(5), b = createTorchGenerator(5);
    assert.deepEqual(withOptions(a), without(b), what);
    assert.deepEqual(a.getState(), b.getState(), what);
  }
});

test('nninit exports everything nninit/torch exports, as the same values', async () => {
  const torch = await import('nninit/torch');
  for (const [name, value] of Object.entries(torch)) assert.equal((nninit as Record<string, unknown>)[name], value, name);
});
