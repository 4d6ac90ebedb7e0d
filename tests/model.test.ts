// The whole-model layer: the stream contract bit for bit, slices, each policy's distributions against the
// frameworks' formulas (4 standard errors), rules, spec errors with their JSON paths, seeds, explain.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import type { ModelSpecInput, ParameterPlan, OutArray } from 'nninit';
import { moments, truncatedMoments } from './helpers.ts';

const { planModel, initModel, initParameter, explainModel, explainPlan, parseSpec } = nninit;
const call = nninit as unknown as Record<string, (shape: number[], ...rest: unknown[]) => OutArray>;
const bytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const example = (name: string) => readFileSync(new URL(`../examples/${name}.json`, import.meta.url), 'utf8');

/** A model with one layer of every kind, small enough to initialize in milliseconds. */
const MODEL: ModelSpecInput = {
  seed: 7,
  layers: [
    { type: 'dense', name: 'fc1', in: 512, out: 256, activation: 'relu' },
    { type: 'dense', name: 'fc2', in: 256, out: 128, activation: 'tanh' },
    { type: 'dense', name: 'fc3', in: 128, out: 64, activation: 'selu' },
    { type: 'conv2d', name: 'conv', in: 16, out: 32, kernel: 3, groups: 2, activation: 'leaky_relu', slope: 0.2 },
    { type: 'embedding', name: 'emb', vocab: 1000, dim: 64 },
    { type: 'lstm', name: 'lstm', in: 64, units: 32 },
    { type: 'gru', name: 'gru', in: 32, units: 32 },
    { type: 'attention', name: 'attn', dim: 64, heads: 4 },
    { type: 'layernorm', name: 'ln', dim: 64 },
    { type: 'batchnorm', name: 'bn', dim: 32 },
  ],
};

/** What a plan entry's contract says its values are, computed independently of initParameter. */
function expectedValues(p: ParameterPlan, dtype: string): OutArray {
  const single = (initializer: string, shape: number[], options: Record<string, unknown>, stream: string) => {
    const random = !['zeros', 'ones', 'constant', 'identity', 'eye', 'dirac'].includes(initializer);
    const seedStream = random ? { seed: p.seed, stream } : {};
    if (initializer === 'constant') {
      const { value, ...rest } = options;
      return call.constant(shape, value, { ...rest, dtype });
    }
    return call[initializer](shape, { ...options, ...seedStream, dtype });
  };
  if (!p.blocks) return single(p.initializer, [...p.shape], p.options, p.name);
  const { axis, parts } = p.blocks;
  const blockShape = p.shape.map((n, i) => (i === axis ? n / parts.length : n));
  const blocks = parts.map((part, k) => {
    assert.equal(part.stream, `${p.name}/${k}`);
    return single(part.initializer, blockShape, part.options, part.stream);
  });
  const result = new (blocks[0].constructor as new (n: number) => OutArray)(p.size);
  const coordinates = new Array(p.shape.length).fill(0);
  for (let i = 0; i < p.size; i++) {
    let rest = i;
    for (let a = p.shape.length - 1; a >= 0; a--) {
      coordinates[a] = rest % p.shape[a];
      rest = Math.floor(rest / p.shape[a]);
    }
    const k = Math.floor(coordinates[axis] / blockShape[axis]);
    let inner = 0;
    for (let a = 0; a < p.shape.length; a++) inner = inner * blockShape[a] + (a === axis ? coordinates[a] % blockShape[a] : coordinates[a]);
    (result as Float32Array)[i] = (blocks[k] as Float32Array)[inner];
  }
  return result;
}

test('the stream contract: every parameter equals its public call, bit for bit, in every policy, layout and dtype', () => {
  for (const policy of ['activation', 'pytorch', 'keras', 'flax', 'gpt2'] as const) {
    for (const layout of ['torch', 'keras'] as const) {
      for (const dtype of ['float32', 'bfloat16'] as const) {
        const weights = initModel(MODEL, { policy, layout, dtype });
        for (const p of weights.plan) {
          assert.deepEqual(bytes(weights.get(p.name)!), bytes(expectedValues(p, dtype)), `${policy}/${layout}/${dtype} ${p.name}`);
        }
      }
    }
  }
});

test('composite parameters are drawn block by block from streams name/k, along the right axis', () => {
  const torch = planModel(MODEL, { layout: 'torch' }).find((p) => p.name === 'lstm.weight_hh_l0')!;
  assert.equal(torch.initializer, 'blocks');
  assert.deepEqual(torch.blocks!.parts.map((part) => part.stream), [0, 1, 2, 3].map((k) => `lstm.weight_hh_l0/${k}`));
  assert.equal(torch.blocks!.axis, 0);
  const keras = planModel(MODEL, { layout: 'keras' }).find((p) => p.name === 'lstm.recurrent_kernel')!;
  assert.equal(keras.blocks!.axis, 1);
  // Each gate's block of the torch weight is an orthogonal 32 x 32 matrix.
  const w = initModel(MODEL).get('lstm.weight_hh_l0') as Float32Array;
  for (let k = 0; k < 4; k++) {
    const q = w.subarray(k * 1024, (k + 1) * 1024);
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 32; j++) {
        let dot = 0;
        for (let r = 0; r < 32; r++) dot += q[r * 32 + i] * q[r * 32 + j];
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-5, `gate ${k}: column ${i} . column ${j} = ${dot}`);
      }
    }
  }
  // Keras's unit forget bias: zeros, ones, zeros, zeros over the i, f, c, o gates.
  const bias = initModel(MODEL, { policy: 'keras', layout: 'keras' }).get('lstm.bias') as Float32Array;
  assert.deepEqual([...bias].map((v, i) => [Math.floor(i / 32), v]).filter(([, v]) => v !== 0).map(([k]) => k), new Array(32).fill(1));
});

test('inserting, removing and reordering layers changes no other parameter, bit for bit', () => {
  const base = initModel(MODEL, { policy: 'keras' });
  const layers = MODEL.layers;
  const variants = [
    [...layers.slice(0, 3), { type: 'dense', name: 'extra', in: 64, out: 64, activation: 'relu' }, ...layers.slice(3)],
    layers.filter((layer) => layer.name !== 'fc2'),
    [...layers].reverse(),
  ];
  for (const variant of variants) {
    const other = initModel({ ...MODEL, layers: variant as never }, { policy: 'keras' });
    let shared = 0;
    for (const [name, values] of other) {
      if (!base.has(name)) continue;
      shared++;
      assert.deepEqual(bytes(values), bytes(base.get(name)!), name);
    }
    assert.ok(shared >= base.size - 2);
  }
});

test('initParameter: any slice, into any out, equals the same slice of initModel, composite parameters included', () => {
  // Strided blocks (flax's per-gate orthogonal on Keras's [units, 4 units]), contiguous blocks and per-gate constants.
  for (const [layout, policy] of [['torch', 'activation'], ['keras', 'flax'], ['keras', 'keras']] as const) {
    const weights = initModel(MODEL, { policy, layout });
    const plan = weights.plan;
    let state = 12345;
    const next = (n: number) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
    for (const p of plan) {
      const full = weights.get(p.name) as Float32Array;
      for (let trial = 0; trial < 6; trial++) {
        const offset = next(p.size + 1);
        const length = next(p.size - offset + 1);
        const slice = initParameter(p, { offset, length });
        assert.deepEqual(bytes(slice), bytes(full.subarray(offset, offset + length)), `${p.name} [${offset}, +${length})`);
      }
      const halves = initModel(MODEL, { policy, layout, dtype: 'float16' }).get(p.name)!;
      const out = new Uint16Array(Math.min(37, p.size));
      const offset = p.size - out.length;
      assert.equal(initParameter(p, { offset, out, dtype: 'float16' }), out);
      assert.deepEqual([...out], [...(halves as Uint16Array).subarray(offset)], `${p.name} float16 tail`);
      // A float32 plan sliced as float64 equals a float64 plan (orthogonal computes float64 output in float64).
      const wide = initModel(MODEL, { policy, layout, dtype: 'float64' }).get(p.name) as Float64Array;
      const tail = Math.max(0, p.size - 50);
      assert.deepEqual(bytes(initParameter(p, { dtype: 'float64', offset: tail })), bytes(wide.subarray(tail)), `${p.name} float64`);
    }
  }
});

test('initParameter checks its arguments before writing', () => {
  const p = planModel(MODEL).find((entry) => entry.name === 'lstm.weight_hh_l0')!;
  const out = new Float32Array(10).fill(9);
  assert.throws(() => initParameter(p, { offset: p.size, length: 10, out }), (e: Error) => e instanceof RangeError && e.message.includes('options.length'));
  assert.throws(() => initParameter(p, { offset: -1 }), (e: Error) => e instanceof RangeError && e.message.includes('options.offset'));
  assert.throws(() => initParameter(p, { out: new Float32Array(3) }), (e: Error) => e instanceof RangeError && e.message.includes('options.out'));
  assert.throws(() => initParameter(p, { length: 10, out: new Float64Array(10), dtype: 'float32' }), (e: Error) => e instanceof TypeError && e.message.includes('options.out'));
  assert.throws(() => initParameter(p, { lenght: 3 } as never), (e: Error) => e instanceof TypeError && e.message.includes('options.lenght'));
  assert.ok(out.every((v) => v === 9));
});

// ---- policies against the frameworks' formulas ---------------------------------------------------------------------

type Expected = { uniform: number } | { normal: number } | { truncated: number } | { constant: number } | { orthogonal: 'blocks' | 'whole' } | { pieces: number[] };

const TRUNCATED = truncatedMoments(-2, 2);
const glorot = (fanIn: number, fanOut: number) => ({ uniform: Math.sqrt(6 / (fanIn + fanOut)) });

/** Each policy's distribution per parameter, from the frameworks' documented formulas, written out here. */
const EXPECTED: Record<string, { layout: 'torch' | 'keras'; params: Record<string, Expected> }> = {
  activation: {
    layout: 'torch',
    params: {
      'fc1.weight': { truncated: Math.sqrt(2 / 512) }, 'fc1.bias': { constant: 0 },
      'fc2.weight': glorot(256, 128), 'fc3.weight': { truncated: Math.sqrt(1 / 128) },
      // leaky_relu slope 0.2: gain^2 = 2 / 1.04; fan_in = 16 / 2 * 9.
      'conv.weight': { truncated: Math.sqrt(2 / 1.04 / 72) },
      'emb.weight': { normal: 1 },
      'lstm.weight_ih_l0': glorot(64, 32), 'lstm.weight_hh_l0': { orthogonal: 'blocks' }, 'lstm.bias_ih_l0': { constant: 0 },
      'gru.weight_hh_l0': { orthogonal: 'blocks' },
      'attn.in_proj_weight': glorot(64, 64), 'attn.out_proj.weight': glorot(64, 64), 'attn.in_proj_bias': { constant: 0 },
      'ln.weight': { constant: 1 }, 'ln.bias': { constant: 0 }, 'bn.running_var': { constant: 1 }, 'bn.running_mean': { constant: 0 },
    },
  },
  pytorch: {
    layout: 'torch',
    params: {
      'fc1.weight': { uniform: 1 / Math.sqrt(512) }, 'fc1.bias': { uniform: 1 / Math.sqrt(512) },
      'fc3.weight': { uniform: 1 / Math.sqrt(128) }, 'conv.weight': { uniform: 1 / Math.sqrt(72) }, 'conv.bias': { uniform: 1 / Math.sqrt(72) },
      'emb.weight': { normal: 1 },
      'lstm.weight_ih_l0': { uniform: 1 / Math.sqrt(32) }, 'lstm.weight_hh_l0': { uniform: 1 / Math.sqrt(32) },
      'lstm.bias_hh_l0': { uniform: 1 / Math.sqrt(32) }, 'gru.bias_ih_l0': { uniform: 1 / Math.sqrt(32) },
      'attn.in_proj_weight': glorot(64, 192), 'attn.in_proj_bias': { constant: 0 },
      'attn.out_proj.weight': { uniform: 1 / Math.sqrt(64) }, 'attn.out_proj.bias': { constant: 0 },
      'ln.weight': { constant: 1 }, 'bn.bias': { constant: 0 },
    },
  },
  keras: {
    layout: 'keras',
    params: {
      'fc1.kernel': glorot(512, 256), 'fc1.bias': { constant: 0 }, 'fc2.kernel': glorot(256, 128),
      // Keras's compute_fans on [3, 3, 8, 32]: receptive field 9, fans 72 and 288 (not divided by groups).
      'conv.kernel': glorot(72, 288),
      'emb.embeddings': { uniform: 0.05 },
      'lstm.kernel': glorot(64, 128), 'lstm.recurrent_kernel': { orthogonal: 'whole' }, 'lstm.bias': { pieces: [0, 1, 0, 0] },
      'gru.kernel': glorot(32, 96), 'gru.bias': { constant: 0 },
      // EinsumDense kernels [64, 4, 16] and [4, 16, 64]: fans (256, 1024) and (64, 256).
      'attn.query.kernel': glorot(256, 1024), 'attn.value.kernel': glorot(256, 1024), 'attn.attention_output.kernel': glorot(64, 256),
      'attn.key.bias': { constant: 0 },
      'ln.gamma': { constant: 1 }, 'ln.beta': { constant: 0 }, 'bn.moving_variance': { constant: 1 },
    },
  },
  flax: {
    layout: 'keras',
    params: {
      'fc1.kernel': { truncated: Math.sqrt(1 / 512) }, 'fc1.bias': { constant: 0 }, 'conv.kernel': { truncated: Math.sqrt(1 / 72) },
      'emb.embeddings': { normal: 1 / 8 },
      'lstm.kernel': { truncated: Math.sqrt(1 / 64) }, 'lstm.recurrent_kernel': { orthogonal: 'blocks' }, 'lstm.bias': { constant: 0 },
      'attn.query.kernel': { truncated: Math.sqrt(1 / 64) }, 'attn.attention_output.kernel': { truncated: Math.sqrt(1 / 64) },
    },
  },
  gpt2: {
    layout: 'torch',
    params: {
      'fc1.weight': { normal: 0.02 }, 'fc1.bias': { constant: 0 }, 'emb.weight': { normal: 0.02 },
      'attn.in_proj_weight': { normal: 0.02 }, 'attn.in_proj_bias': { constant: 0 },
      // One attention layer: n_layer 1, residual std 0.02 / sqrt(2).
      'attn.out_proj.weight': { normal: 0.02 / Math.SQRT2 },
      'conv.weight': { uniform: 1 / Math.sqrt(72) }, 'lstm.weight_hh_l0': { uniform: 1 / Math.sqrt(32) }, 'ln.weight': { constant: 1 },
    },
  },
};

function within(values: ArrayLike<number>, mean: number, variance: number, fourth: number, what: string): void {
  const n = values.length, sample = moments(values);
  const meanError = Math.abs(sample.mean - mean) / Math.sqrt(variance / n);
  const varianceError = Math.abs(sample.variance - variance) / Math.sqrt((fourth - variance * variance) / n);
  assert.ok(meanError < 4, `${what}: mean ${sample.mean} is ${meanError.toFixed(1)} SE from ${mean}`);
  assert.ok(varianceError < 4, `${what}: variance ${sample.variance} is ${varianceError.toFixed(1)} SE from ${variance}`);
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

test("each policy's std and bounds per parameter match the frameworks' formulas (4 standard errors)", () => {
  for (const [policy, { layout, params }] of Object.entries(EXPECTED)) {
    const weights = initModel(MODEL, { policy: policy as never, layout });
    for (const [name, expected] of Object.entries(params)) {
      const values = weights.get(name) as Float32Array;
      const p = weights.plan.find((entry) => entry.name === name)!;
      assert.ok(values && p, `${policy}: ${name} planned`);
      const what = `${policy} ${name}`;
      if ('uniform' in expected) {
        const b = expected.uniform;
        assert.ok(maxAbs(values) <= b * (1 + 1e-6), `${what}: max ${maxAbs(values)} > bound ${b}`);
        if (values.length >= 2000) assert.ok(maxAbs(values) > 0.99 * b, `${what}: max ${maxAbs(values)} well below bound ${b}`);
        within(values, 0, b * b / 3, b ** 4 / 5, what);
        assert.ok(Math.abs(p.std - b / Math.sqrt(3)) < 1e-9 * b, `${what}: plan std ${p.std}`);
      } else if ('normal' in expected) {
        const s = expected.normal;
        within(values, 0, s * s, 3 * s ** 4, what);
        assert.ok(Math.abs(p.std - s) < 1e-9 * s, `${what}: plan std ${p.std}`);
      } else if ('truncated' in expected) {
        // A 2-sigma truncated normal rescaled so that its variance is the formula's.
        const s = expected.truncated, parent = s / Math.sqrt(TRUNCATED.variance);
        assert.ok(maxAbs(values) <= 2 * parent * (1 + 1e-6), `${what}: beyond the 2-sigma cut`);
        within(values, 0, s * s, TRUNCATED.fourth * parent ** 4, what);
        assert.ok(Math.abs(p.std - s) < 1e-6 * s, `${what}: plan std ${p.std} vs ${s}`);
      } else if ('constant' in expected) {
        assert.ok(values.every((v) => v === expected.constant), `${what}: not all ${expected.constant}`);
      } else if ('pieces' in expected) {
        const block = values.length / expected.pieces.length;
        assert.ok(values.every((v, i) => v === expected.pieces[Math.floor(i / block)]), `${what}: per-gate constants`);
      } else {
        assert.equal(p.initializer, expected.orthogonal === 'blocks' ? 'blocks' : 'orthogonal', what);
      }
    }
  }
});

// ---- rules --------------------------------------------------------------------------------------------------------

test('rules: globs (* within a segment, ** across), the last match wins, options reach the initializer', () => {
  const spec: ModelSpecInput = {
    seed: 1,
    layers: [
      { type: 'dense', name: 'fc1', in: 8, out: 8 },
      { type: 'repeat', name: 'h', count: 2, layers: [{ type: 'dense', name: 'mlp', in: 8, out: 8 }] },
    ],
    rules: [
      { match: '*.weight', init: 'orthogonal', gain: 2 },
      { match: 'h.**.bias', init: 'constant', value: 0.5 },
      { match: 'h.1.*.bias', init: 'ones' },
    ],
  };
  const plan = planModel(spec);
  const by = (name: string) => plan.find((p) => p.name === name)!;
  assert.equal(by('fc1.weight').initializer, 'orthogonal');
  assert.deepEqual(by('fc1.weight').options, { gain: 2, layout: 'torch' });
  assert.equal(by('fc1.weight').chosenBy, 'rules[0]');
  assert.notEqual(by('h.0.mlp.weight').chosenBy, 'rules[0]', "'*' does not cross a dot");
  assert.equal(by('h.0.mlp.bias').initializer, 'constant');
  assert.equal(by('h.1.mlp.bias').initializer, 'ones');
  assert.equal(by('fc1.bias').initializer, 'zeros');
  const weights = initModel(spec);
  assert.ok((weights.get('h.0.mlp.bias') as Float32Array).every((v) => v === 0.5));
  // Options replace the spec's rules.
  assert.equal(planModel(spec, { rules: [{ match: 'fc1.bias', init: 'ones' }] }).find((p) => p.name === 'h.1.mlp.bias')!.initializer, 'zeros');
});

function throwsAt(run: () => unknown, kind: typeof TypeError | typeof RangeError, ...parts: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    for (const part of parts) assert.ok((error as Error).message.includes(part), `"${(error as Error).message}" does not name ${part}`);
    return true;
  });
}

test('rule errors name the rule: no match, unknown initializer, reserved keys, bad options', () => {
  const layers = [{ type: 'dense', name: 'fc1', in: 8, out: 8 }] as ModelSpecInput['layers'];
  throwsAt(() => planModel({ layers, rules: [{ match: 'fc1.weight', init: 'ones' }, { match: 'fc2.*', init: 'zeros' }] }), RangeError, 'rules[1].match', 'fc2.*', 'matches no parameter');
  throwsAt(() => planModel({ layers, rules: [{ match: 'fc1.weight', init: 'heNormall' as never }] }), RangeError, 'rules[0].init');
  throwsAt(() => planModel({ layers, rules: [{ match: 'fc1.weight', init: 'heNormal', seed: 3 }] }), TypeError, 'rules[0].seed');
  throwsAt(() => planModel({ layers, rules: [{ match: 'fc1.weight', init: 'heNormal', mode: 'fanSideways' }] }), RangeError, 'rules[0]', 'fc1.weight', 'options.mode');
  throwsAt(() => planModel({ layers, rules: [{ match: 'fc1.weight', init: 'heNormal', gain: 2 }] }), TypeError, 'rules[0]', 'gain');
  throwsAt(() => planModel({ layers, rules: [{ match: '', init: 'zeros' }] }), TypeError, 'rules[0].match');
  throwsAt(() => planModel({ layers }, { rules: [{ match: 'nope', init: 'zeros' }] }), RangeError, 'options.rules[0].match');
});

// ---- the spec -----------------------------------------------------------------------------------------------------

test('spec errors name the JSON path, and a typo never passes silently', () => {
  const dense = { type: 'dense', in: 4, out: 4 };
  const cases: [unknown, unknown, typeof TypeError | typeof RangeError, string][] = [
    [{ layers: [dense, dense, dense, { type: 'conv2d', in: 3, out: 8, kernel: '3' }] }, undefined, TypeError, 'layers[3].kernel: expected a positive integer or an array of 2 of them'],
    [{ layers: [{ type: 'conv1d', in: 3, out: 8, kernel: [3, 3] }] }, undefined, RangeError, 'layers[0].kernel'],
    [{ layers: [{ ...dense, activaton: 'relu' }] }, undefined, TypeError, 'layers[0].activaton: unknown field'],
    [{ layer: [] }, undefined, TypeError, 'layer: unknown field'],
    [{ layers: [dense, { type: 'dens', in: 4, out: 4 }] }, undefined, RangeError, 'layers[1].type'],
    [{ layers: [{ type: 'dense', out: 4 }] }, undefined, TypeError, 'layers[0].in'],
    [{ layers: [{ type: 'dense', in: 0, out: 4 }] }, undefined, RangeError, 'layers[0].in: expected a positive integer'],
    [{ layers: [{ type: 'conv2d', in: 6, out: 8, kernel: 3, groups: 4 }] }, undefined, RangeError, 'layers[0].groups'],
    [{ layers: [{ type: 'attention', dim: 10, heads: 4 }] }, undefined, RangeError, 'layers[0].heads'],
    [{ layers: [{ ...dense, activation: 'relu', slope: 0.1 }] }, undefined, RangeError, 'layers[0].slope'],
    [{ layers: [{ ...dense, activation: 'relux' }] }, undefined, RangeError, 'layers[0].activation'],
    [{ layers: [{ ...dense, name: 'a b' }] }, undefined, RangeError, 'layers[0].name'],
    [{ layers: [{ ...dense, name: 'a/b' }] }, undefined, RangeError, 'layers[0].name'],
    [{ layers: [dense, { type: 'repeat', name: 'h', count: 2, layers: [{ type: 'dense', in: 4 }] }] }, undefined, TypeError, 'layers[1].layers[0].out'],
    [{ layers: [{ ...dense, name: 'x' }, { ...dense, name: 'x' }] }, undefined, RangeError, 'layers[0] and layers[1]'],
    [{ layers: [{ type: 'lstm', in: 4, units: 4, numLayers: 2 }], layout: 'keras' }, undefined, RangeError, 'layers[0].numLayers'],
    [{ layers: [{ type: 'param', name: 'p', shape: [2, 2], init: 'heNormal', mod: 'fanIn' }] }, undefined, TypeError, 'layers[0]', 'mod'],
    [{ layers: [{ type: 'param', name: 'p', shape: [2, -2], init: 'zeros' }] }, undefined, RangeError, 'layers[0].shape[1]'],
    [{ layers: [{ type: 'param', name: 'p', shape: [2, 2], init: 'sparse' }] }, undefined, TypeError, 'layers[0]', 'sparsity'],
    [{ layers: [dense], seed: -1 }, undefined, RangeError, 'seed'],
    [{ layers: [dense], seed: '12x' }, undefined, RangeError, 'seed'],
    [{ layers: [dense], policy: 'torch' }, undefined, RangeError, 'policy'],
    [{ layers: [dense], policy: { name: 'keras', nLayer: 3 } }, undefined, TypeError, 'policy.nLayer: unknown field'],
    [{ layers: [dense], policy: { name: 'gpt2', nLayer: 0 } }, undefined, RangeError, 'policy.nLayer'],
    [{ layers: [dense] }, { layout: 'tf' }, RangeError, 'options.layout'],
    [{ layers: [dense] }, { sed: 3 }, TypeError, 'options.sed: unknown field'],
    [{ layers: [dense] }, { dtype: 'int8' }, RangeError, 'options.dtype'],
    ['{"layers": [', undefined, TypeError, 'not valid JSON'],
    [{ layers: 'dense' }, undefined, TypeError, 'layers: expected an array'],
  ];
  for (const [spec, options, kind, ...parts] of cases) {
    throwsAt(() => planModel(spec as never, options as never), kind, ...parts);
    throwsAt(() => initModel(spec as never, options as never), kind, ...parts);
  }
});

test('parseSpec: the normalized spec, options over spec fields, and the link from each parameter to its layer', () => {
  const spec = parseSpec(example('gpt2-small'), { dtype: 'bfloat16' });
  assert.equal(spec.dtype, 'bfloat16');
  assert.equal(spec.seed, 42);
  assert.deepEqual(spec.policy, { name: 'gpt2', nLayer: 12 });
  const transformer = spec.layers[0];
  assert.equal(transformer.type, 'block');
  if (transformer.type !== 'block') return;
  const repeat = transformer.layers[2];
  assert.equal(repeat.type, 'repeat');
  if (repeat.type !== 'repeat') return;
  assert.equal(repeat.count, 12);
  assert.equal(repeat.residual, false);
  assert.deepEqual(repeat.layers.map((layer) => [layer.type, layer.name, 'residual' in layer ? layer.residual : undefined]), [['block', '', true], ['block', '', true]]);
  const plan = planModel(example('gpt2-small'));
  const cFc = plan.find((p) => p.name === 'transformer.h.3.mlp.c_fc.weight')!;
  assert.equal(cFc.layer, 'transformer.h.3.mlp.c_fc');
  assert.equal(cFc.path, 'layers[0].layers[2].layers[1].layers[1].layers[0]');
  const defaults = parseSpec({ layers: [{ type: 'dense', in: 2, out: 3 }, { type: 'conv1d', in: 2, out: 2, kernel: 5 }] });
  assert.deepEqual(defaults.layers[0], { type: 'dense', name: '0', defaultName: true, path: 'layers[0]', in: 2, out: 3, activation: 'linear', bias: true });
  assert.deepEqual(defaults.layers[1], { type: 'conv1d', name: '1', defaultName: true, path: 'layers[1]', in: 2, out: 2, kernel: [5], groups: 1, activation: 'linear', bias: true });
  assert.equal(defaults.layout, 'torch');
  assert.equal(planModel({ seed: 1, layout: 'keras', layers: [{ type: 'dense', in: 2, out: 3 }] }, { layout: 'torch', seed: 2 })[0].name, '0.weight');
  assert.equal(planModel({ seed: 1, layers: [{ type: 'dense', in: 2, out: 3 }] }, { seed: 2 })[0].seed, 2);
});

test('seeds: a fresh 53-bit seed when none is given, shown in the plan and carried by the weights; 64-bit seeds as strings', () => {
  const spec: ModelSpecInput = { layers: [{ type: 'dense', name: 'fc', in: 16, out: 16, activation: 'relu' }] };
  const a = planModel(spec), b = planModel(spec);
  assert.ok(Number.isSafeInteger(a[0].seed) && a[0].seed >= 0);
  assert.ok(a.every((p) => p.seed === a[0].seed));
  assert.notEqual(a[0].seed, b[0].seed);
  assert.ok(explainModel(spec).split('\n')[0].match(/seed \d+$/));
  const weights = initModel(spec);
  const again = initModel(spec, { seed: weights.seed });
  assert.deepEqual(bytes(again.get('fc.weight')!), bytes(weights.get('fc.weight')!));
  const big = initModel({ ...spec, seed: '18446744073709551615' });
  assert.equal(big.seed, 18446744073709551615n);
  assert.deepEqual(bytes(big.get('fc.weight')!), bytes(call.heNormal([16, 16], { nonlinearity: 'relu', layout: 'torch', seed: 2n ** 64n - 1n, stream: 'fc.weight' })));
});

// ---- examples and explain -------------------------------------------------------------------------------------------

test('GPT-2 small: 124,439,808 parameters (HF GPT2Model), nanoGPT names and shapes, residual projections at 0.02/sqrt(24)', () => {
  const plan = planModel(example('gpt2-small'));
  assert.equal(plan.reduce((sum, p) => sum + p.size, 0), 124_439_808);
  assert.equal(plan.length, 148);
  // nanoGPT's GPT.state_dict() order and shapes (model.py: transformer.wte, wpe, h[i].{ln_1, attn, ln_2, mlp}, ln_f).
  const block = (i: number): [string, number[]][] => [
    [`ln_1.weight`, [768]], [`ln_1.bias`, [768]], [`attn.c_attn.weight`, [2304, 768]], [`attn.c_attn.bias`, [2304]],
    [`attn.c_proj.weight`, [768, 768]], [`attn.c_proj.bias`, [768]], [`ln_2.weight`, [768]], [`ln_2.bias`, [768]],
    [`mlp.c_fc.weight`, [3072, 768]], [`mlp.c_fc.bias`, [3072]], [`mlp.c_proj.weight`, [768, 3072]], [`mlp.c_proj.bias`, [768]],
  ].map(([name, shape]) => [`transformer.h.${i}.${name}`, shape as number[]]);
  assert.deepEqual(plan.map((p) => [p.name, p.shape]), [
    ['transformer.wte.weight', [50257, 768]], ['transformer.wpe.weight', [1024, 768]],
    ...Array.from({ length: 12 }, (_, i) => block(i)).flat(),
    ['transformer.ln_f.weight', [768]], ['transformer.ln_f.bias', [768]],
  ]);
  const residual = plan.filter((p) => p.name.endsWith('c_proj.weight'));
  assert.equal(residual.length, 24);
  for (const p of residual) assert.deepEqual(p.options, { std: 0.02 / Math.sqrt(24) });
  for (const p of plan.filter((entry) => /(c_attn|c_fc)\.weight$|^transformer\.w[tp]e/.test(entry.name))) assert.deepEqual(p.options, { std: 0.02 }, p.name);
  for (const p of plan.filter((entry) => entry.name.endsWith('.bias'))) assert.equal(p.initializer, 'zeros', p.name);
  // The pool and the writer slice big tensors: a slice of wte costs only its own elements.
  const wte = plan[0];
  const slice = initParameter(wte, { offset: 1000 * 768, length: 768 }) as Float32Array;
  assert.deepEqual(bytes(slice), bytes(call.normal([50257, 768], { std: 0.02, seed: 42, stream: 'transformer.wte.weight', offset: 1000 * 768, length: 768 })));
});

test('docs/examples and README hold the current explain output of every example (npm run docs:examples)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const name of ['mlp-mixed', 'cnn', 'lstm', 'gpt2-small']) {
    const text = readFileSync(new URL(`../docs/examples/${name}.txt`, import.meta.url), 'utf8');
    assert.equal(text, explainModel(example(name)), `docs/examples/${name}.txt is stale: run npm run docs:examples`);
    assert.ok(readme.includes(`\`\`\`\n${text}\`\`\``), `README.md does not show docs/examples/${name}.txt as it is`);
  }
  const mixed = explainModel(example('mlp-mixed'));
  assert.match(mixed, /relu after fc1 -> He normal, fan_in 784 \(activation policy\)/);
  assert.match(mixed, /tanh after fc2 -> Glorot uniform/);
  assert.match(mixed, /selu after fc4 -> LeCun normal/);
  assert.match(mixed, /244,522 trainable parameters/);
});

test('initModel checks that every parameter can be allocated before computing any, naming the one that cannot', () => {
  for (const options of [{}, { dtype: 'bfloat16' as const }, { rng: 'torch' as const }]) {
    const spec: ModelSpecInput = {
      seed: 1,
      layers: [
        // Planned in milliseconds, computed in about 4 s: if it were computed first, the error would come late.
        'rng' in options ? { type: 'param', name: 'first', shape: [4096, 4096], init: 'ones' }
          : { type: 'param', name: 'first', shape: [4096, 4096], init: 'orthogonal' },
        { type: 'dense', name: 'fc', in: 2048, out: 2048 },
        { type: 'embedding', name: 'big', vocab: 2 ** 26, dim: 2 ** 26 },
      ],
    };
    const started = performance.now();
    throwsAt(() => initModel(spec, options), RangeError,
      'nninit.initModel: layers[2] (big.weight): cannot allocate 4503599627370496', 'initParameter', 'nninit command');
    assert.ok(performance.now() - started < 1000, `${JSON.stringify(options)}: the error took ${(performance.now() - started).toFixed(0)} ms`);
  }
  // The plan itself is fine: a slice of the huge parameter is cheap.
  const big = planModel({ seed: 1, layers: [{ type: 'embedding', name: 'big', vocab: 2 ** 26, dim: 2 ** 26 }] })[0];
  assert.deepEqual(bytes(initParameter(big, { offset: 2 ** 51, length: 4 })), bytes(call.normal([2 ** 52], { seed: 1, stream: 'big.weight', offset: 2 ** 51, length: 4 })));
});

test('a huge repeat count or a deep nesting is a RangeError naming its path, before anything is expanded', () => {
  const dense = { type: 'dense', in: 8, out: 8 } as const;
  for (const count of [2 ** 40, 1e6, 2 ** 17 + 1]) {
    const started = performance.now();
    throwsAt(() => planModel({ seed: 1, layers: [dense, { type: 'repeat', name: 'h', count, layers: [dense] }] }), RangeError,
      'nninit.planModel: layers[1].count: expected a count whose expansion stays within 262144', 'so at most 131072');
    assert.ok(performance.now() - started < 100, `count ${count}: ${(performance.now() - started).toFixed(0)} ms`);
  }
  // Nothing to plan in each repeat is still 2^40 names to walk.
  throwsAt(() => planModel({ seed: 1, layers: [{ type: 'repeat', name: 'h', count: 2 ** 40, layers: [] }] }), RangeError, 'layers[0].count');
  // Nested repeats multiply: the outer count is named.
  throwsAt(() => planModel({ seed: 1, layers: [{ type: 'repeat', name: 'a', count: 1024, layers: [{ type: 'repeat', name: 'b', count: 1024, layers: [dense] }] }] }),
    RangeError, 'layers[0].count', 'each repeat holds 2048 parameters');
  // Several repeats within the limit each, beyond it together.
  throwsAt(() => planModel({ seed: 1, layers: [1, 2, 3].map((i) => ({ type: 'repeat', name: `h${i}`, count: 50000, layers: [dense] })) }),
    RangeError, 'nninit.planModel: layers: the model expands to 300000 parameters', 'layers[0].count (100000 parameters');
  // The limit itself plans (2^17 repeats of two parameters would; a smaller model keeps the test quick).
  assert.equal(planModel({ seed: 1, layers: [{ type: 'repeat', name: 'h', count: 1000, layers: [dense] }] }).length, 2000);

  const nested = (depth: number) => {
    let layer: Record<string, unknown> = dense;
    for (let i = 0; i < depth; i++) layer = { type: 'block', layers: [layer] };
    return { seed: 1, layers: [layer] } as ModelSpecInput;
  };
  assert.equal(planModel(nested(63))[0].name, '0.weight');
  for (const depth of [64, 1000, 10000]) {
    throwsAt(() => planModel(nested(depth)), RangeError, `nninit.planModel: layers[0]${'.layers[0]'.repeat(64)}: blocks and repeats nest more than 64 deep`);
  }
});

test('the two exceptions to the stream contract a spec controls are shown by explain: index names and a counted n_layer', () => {
  const block = (name?: string) => ({ type: 'block', ...(name ? { name } : {}), residual: true, layers: [{ type: 'attention', name: 'attn', dim: 8, heads: 2 }, { type: 'dense', name: 'proj', in: 8, out: 8 }] });
  const counted: ModelSpecInput = { seed: 3, policy: 'gpt2', layers: [block('b0'), block('b1')] as never };
  const plan = planModel(counted);
  const projection = plan.find((p) => p.name === 'b0.attn.out_proj.weight')!;
  assert.deepEqual(projection.nLayer, { value: 2, counted: true });
  assert.equal(projection.std, 0.02 / Math.sqrt(4));
  const text = explainModel(counted);
  assert.match(text.split('\n')[0], /^nninit plan: policy gpt2 \(n_layer 2, counted from the attention layers\),/);
  assert.match(text, /\nnotes:\n- n_layer 2 is counted from the attention layers: adding or removing one rescales every residual projection; pin it with policy \{ name: 'gpt2', nLayer: 2 \}/);
  // The exception itself: a third block rescales b0's residual projection (same stream, other std)...
  const third = planModel({ ...counted, layers: [...counted.layers, block('b2')] as never }).find((p) => p.name === 'b0.attn.out_proj.weight')!;
  assert.equal(third.std, 0.02 / Math.sqrt(6));
  // ...and a pinned n_layer does not.
  const pinned: ModelSpecInput = { ...counted, policy: { name: 'gpt2', nLayer: 2 } };
  const again = planModel({ ...pinned, layers: [...counted.layers, block('b2')] as never }).find((p) => p.name === 'b0.attn.out_proj.weight')!;
  assert.deepEqual(again.nLayer, { value: 2, counted: false });
  assert.deepEqual(bytes(initParameter(again)), bytes(initParameter(planModel(pinned).find((p) => p.name === 'b0.attn.out_proj.weight')!)));
  assert.match(explainModel(pinned).split('\n')[0], /policy gpt2 \(n_layer 2\),/);
  assert.doesNotMatch(explainModel(pinned), /notes:/);

  // Index names: the unnamed layers are flagged in the plan and in explain.
  const unnamed: ModelSpecInput = { seed: 3, layers: [{ type: 'dense', in: 4, out: 4 }, { type: 'repeat', name: 'h', count: 2, layers: [{ type: 'dense', in: 4, out: 4 }] }] };
  const entries = planModel(unnamed);
  assert.deepEqual(entries.map((p) => [p.name, p.indexNamed]), [
    ['0.weight', ['layers[0]']], ['0.bias', ['layers[0]']],
    ['h.0.0.weight', ['layers[1].layers[0]']], ['h.0.0.bias', ['layers[1].layers[0]']],
    ['h.1.0.weight', ['layers[1].layers[0]']], ['h.1.0.bias', ['layers[1].layers[0]']],
  ]);
  assert.match(explainModel(unnamed), /\n- 2 layers have no name and are named by their index \(layers\[0\], layers\[1\]\.layers\[0\]\): inserting a layer before one renames its parameters/);
  // The exception itself: a layer inserted first renames '0' to '1', which draws other values.
  const shifted = initModel({ ...unnamed, layers: [{ type: 'dense', in: 4, out: 4 }, ...unnamed.layers] });
  assert.notDeepEqual(bytes(shifted.get('1.weight')!), bytes(initModel(unnamed).get('0.weight')!));
  // Named layers are not flagged.
  assert.equal(planModel(MODEL).some((p) => p.indexNamed), false);
  assert.doesNotMatch(explainModel(MODEL), /notes:/);
});

test("'pytorch': separate attention projections are nn.Linear modules; only nn.MultiheadAttention's fused ones are xavier with zero biases", () => {
  const linear = (p: ParameterPlan, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    assert.ok(Math.abs(p.std - bound / Math.sqrt(3)) < 1e-12 * bound, `${p.name}: std ${p.std}`);
    const values = initParameter(p) as Float32Array;
    assert.ok(maxAbs(values) <= bound * (1 + 1e-6) && (values.length < 2000 || maxAbs(values) > 0.99 * bound), `${p.name}: max ${maxAbs(values)} vs bound ${bound}`);
  };
  const layers = [{ type: 'attention', name: 'a', dim: 64, heads: 4 }] as ModelSpecInput['layers'];
  const keras = planModel({ seed: 2, layers }, { policy: 'pytorch', layout: 'keras' });
  assert.deepEqual(keras.map((p) => p.name), ['query', 'key', 'value', 'attention_output'].flatMap((m) => [`a.${m}.kernel`, `a.${m}.bias`]));
  for (const p of keras) linear(p, 64);
  const separate = planModel({ seed: 2, layers: [{ ...layers[0], fused: false }] }, { policy: 'pytorch' });
  for (const p of separate) linear(p, 64);
  const fused = planModel({ seed: 2, layers }, { policy: 'pytorch' });
  assert.deepEqual(fused.map((p) => [p.name, p.initializer]), [
    ['a.in_proj_weight', 'xavierUniform'], ['a.in_proj_bias', 'zeros'], ['a.out_proj.weight', 'kaimingUniform'], ['a.out_proj.bias', 'zeros'],
  ]);
  // A checkpoint's names say which: out_proj beside an in_proj_weight is nn.MultiheadAttention's.
  const tensors = nninit.planTensors([
    { name: 'm.attn.in_proj_weight', shape: [24, 8] }, { name: 'm.attn.out_proj.weight', shape: [8, 8] }, { name: 'm.attn.out_proj.bias', shape: [8] },
    { name: 'b.self_attn.q_proj.weight', shape: [8, 8] }, { name: 'b.self_attn.q_proj.bias', shape: [8] },
    { name: 'b.self_attn.out_proj.weight', shape: [8, 8] }, { name: 'b.self_attn.out_proj.bias', shape: [8] },
  ], { policy: 'pytorch', seed: 1 });
  assert.deepEqual(tensors.map((p) => p.initializer), ['xavierUniform', 'kaimingUniform', 'zeros', 'kaimingUniform', 'uniform', 'kaimingUniform', 'uniform']);
});

test('globs: ** is zero or more whole segments, * stays within one, and explain names a rule that decides nothing', () => {
  const spec: ModelSpecInput = {
    seed: 1,
    layers: [
      { type: 'dense', name: 'fc', in: 2, out: 2 },
      { type: 'repeat', name: 'h', count: 2, layers: [{ type: 'block', name: 'mlp', layers: [{ type: 'dense', name: 'c_fc', in: 2, out: 2 }] }] },
      { type: 'param', name: 'h.weight', shape: [2], init: 'ones' },
      { type: 'param', name: 'scale', shape: [2], init: 'ones' },
    ],
  };
  const matched = (glob: string) => planModel(spec, { rules: [{ match: glob, init: 'constant', value: 7 }] }).filter((p) => p.options.value === 7).map((p) => p.name);
  const all = planModel(spec).map((p) => p.name);
  assert.deepEqual(all, ['fc.weight', 'fc.bias', 'h.0.mlp.c_fc.weight', 'h.0.mlp.c_fc.bias', 'h.1.mlp.c_fc.weight', 'h.1.mlp.c_fc.bias', 'h.weight', 'scale']);
  assert.deepEqual(matched('**'), all);
  assert.deepEqual(matched('*'), ['scale']);
  assert.deepEqual(matched('**.scale'), ['scale']);
  assert.deepEqual(matched('scale.**'), ['scale']);
  assert.deepEqual(matched('h.**.weight'), ['h.0.mlp.c_fc.weight', 'h.1.mlp.c_fc.weight', 'h.weight']);
  assert.deepEqual(matched('h.**'), ['h.0.mlp.c_fc.weight', 'h.0.mlp.c_fc.bias', 'h.1.mlp.c_fc.weight', 'h.1.mlp.c_fc.bias', 'h.weight']);
  assert.deepEqual(matched('**.weight'), ['fc.weight', 'h.0.mlp.c_fc.weight', 'h.1.mlp.c_fc.weight', 'h.weight']);
  assert.deepEqual(matched('h.*.*.*.bias'), ['h.0.mlp.c_fc.bias', 'h.1.mlp.c_fc.bias']);
  assert.deepEqual(matched('**.c_*.bias'), ['h.0.mlp.c_fc.bias', 'h.1.mlp.c_fc.bias']);
  assert.deepEqual(matched('**.**.fc.*'), ['fc.weight', 'fc.bias']);
  // ** never reaches into a segment, and every segment has a name.
  for (const glob of ['**weight', 'fc**', '***', 'h..weight', '.fc.weight', 'fc.']) {
    throwsAt(() => matched(glob), RangeError, 'options.rules[0].match', JSON.stringify(glob));
  }
  // A rule whose every parameter a later rule takes is usually a mistake: the entries say which rules they
  // overrode, and explain names the rule that decides nothing.
  const shadowed = planModel(spec, { rules: [{ match: 'fc.weight', init: 'ones' }, { match: '**', init: 'zeros' }] });
  assert.deepEqual(shadowed[0].overriddenRules, ['options.rules[0] "fc.weight"']);
  assert.equal(shadowed[1].overriddenRules, undefined);
  assert.match(explainPlan(shadowed), /\n- options\.rules\[0\] "fc\.weight" decides no parameter: later rules match every parameter it matches \(fc\.weight goes to options\.rules\[1\]\)/);
  // One it still decides is fine: the catch-all first, the special case after.
  const plan = planModel(spec, { rules: [{ match: '**', init: 'zeros' }, { match: 'fc.weight', init: 'ones' }] });
  assert.deepEqual(plan.map((p) => p.initializer), ['ones', ...new Array(7).fill('zeros')]);
  assert.deepEqual(plan[0].overriddenRules, ['options.rules[0] "**"']);
  assert.doesNotMatch(explainPlan(plan), /decides no parameter/);
});

test('an option of a param layer or a rule is named by its own path, and the valid options listed are the ones it may set', () => {
  const p = (init: string, options: Record<string, unknown>, shape = [4, 4]) => ({ layers: [{ type: 'param', name: 'p', shape, init, ...options }] }) as ModelSpecInput;
  throwsAt(() => planModel(p('heNormal', { mode: 'fanSideways' })), RangeError, 'nninit.planModel: layers[0].mode: nninit.heNormal: options.mode must be one of');
  throwsAt(() => planModel(p('sparse', {})), TypeError, 'nninit.planModel: layers[0].sparsity: nninit.sparse: options.sparsity must be a number');
  throwsAt(() => planModel(p('normal', { std: 1e38 })), RangeError, 'nninit.planModel: layers[0].std: nninit.normal:');
  throwsAt(() => planModel(p('constant', { value: [1, 2, NaN, 4] }, [4])), RangeError, 'nninit.planModel: layers[0].value[2]: nninit.constant: value[2] must be');
  const unknown = (run: () => unknown, prefix: string, initializer: string) => assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.ok(error.message.startsWith(prefix), error.message);
    const list = error.message.slice(error.message.indexOf('its options are ') + 'its options are '.length).split(', ');
    for (const reserved of ['seed', 'stream', 'dtype', 'offset', 'length', 'out']) assert.ok(!list.includes(reserved), `${error.message} lists ${reserved}`);
    assert.ok(/unknown option "\w+" of /.test(error.message) && error.message.includes(` of ${initializer}; `), error.message);
    return true;
  });
  unknown(() => planModel(p('heNormal', { gian: 2 })), 'nninit.planModel: layers[0].gian: unknown option "gian" of heNormal; its options are mode, nonlinearity, a,', 'heNormal');
  unknown(() => planModel(p('constant', { value: 1, vlaue: 2 })), 'nninit.planModel: layers[0].vlaue: unknown option "vlaue" of constant; its options are value, allowNonFinite', 'constant');
  const layers = [{ type: 'dense', name: 'fc', in: 4, out: 4 }] as ModelSpecInput['layers'];
  unknown(() => planModel({ layers, rules: [{ match: 'fc.weight', init: 'orthogonal', gian: 2 }] }), 'nninit.planModel: rules[0].gian (on fc.weight): unknown option "gian" of orthogonal; its options are gain, layout', 'orthogonal');
  throwsAt(() => planModel({ layers }, { rules: [{ match: 'fc.*', init: 'uniform', low: 1, high: 0 }] }), RangeError, 'nninit.planModel: options.rules[0].low (on fc.weight): nninit.uniform: options.low must be at most options.high');
});

test('plan entries say whether they draw (p.random), so the contract call is one generic line', () => {
  for (const policy of ['activation', 'keras'] as const) {
    const weights = initModel(MODEL, { policy, layout: policy === 'keras' ? 'keras' : 'torch' });
    for (const p of weights.plan) {
      if (p.blocks) {
        assert.equal(p.random, p.blocks.parts.some((part) => !['zeros', 'ones', 'constant'].includes(part.initializer)), p.name);
        continue;
      }
      const { value, ...rest } = p.options;
      const options = { ...rest, ...(p.random ? { seed: p.seed, stream: p.stream } : {}), dtype: p.dtype };
      const values = p.initializer === 'constant' ? call.constant([...p.shape], value, options) : call[p.initializer]([...p.shape], options);
      assert.deepEqual(bytes(values), bytes(weights.get(p.name)!), `${policy} ${p.name}`);
    }
  }
  assert.equal(planModel(MODEL, { policy: 'pytorch', rng: 'torch' }).find((p) => p.name === 'fc1.weight')!.random, true);
});

test('explain shortens long arrays of options', () => {
  const text = explainModel({ seed: 1, layout: 'keras', layers: [
    { type: 'param', name: 'c', shape: [1000], init: 'constant', value: Array.from({ length: 1000 }, (_, i) => i) },
    { type: 'param', name: 'h', shape: [8, 16, 4], init: 'heNormal', inAxis: [0, 1] },
  ] });
  assert.match(text, /\nc +\[1000\] +constant\(value=\[0, 1, 2, … 1000 values\]\) +1000 +1000 +288\.7 /);
  assert.match(text, /\nh +\[8, 16, 4\] +heNormal\(inAxis=\[0, 1\]\) +128 +4 /);
  assert.ok(text.split('\n').every((line) => line.length < 200), 'no line holds the array');
});

test('initParameter checks the entry and every block before writing into out', () => {
  const plan = planModel(MODEL);
  const gates = plan.find((p) => p.name === 'lstm.weight_hh_l0')!;
  const fc = plan.find((p) => p.name === 'fc1.weight')!;
  const out = new Float32Array(gates.size).fill(7);
  const lastBad = { ...gates, blocks: { axis: 0, parts: [...gates.blocks!.parts.slice(0, 3), { initializer: 'orthogonal' as const, options: { gain: 1e39 }, stream: 'x' }] } };
  throwsAt(() => initParameter(lastBad, { out }), RangeError, 'nninit.initParameter: p.blocks.parts[3]: nninit.orthogonal: options.gain');
  assert.ok(out.every((v) => v === 7), 'out untouched');
  throwsAt(() => initParameter({ ...gates, blocks: { axis: 5, parts: gates.blocks!.parts } }, { out }), RangeError, 'p.blocks.axis');
  throwsAt(() => initParameter({ ...gates, blocks: { axis: 1, parts: gates.blocks!.parts.slice(0, 3) } }, { out }), RangeError, 'p.blocks.axis');
  throwsAt(() => initParameter({ ...gates, blocks: { axis: 0, parts: [{ ...gates.blocks!.parts[0], initializer: 'nope' as never }, ...gates.blocks!.parts.slice(1)] } }, { out }), RangeError, 'p.blocks.parts[0].initializer');
  assert.ok(out.every((v) => v === 7), 'out untouched');
  throwsAt(() => initParameter({ ...fc, initializer: 'nope' as never }), RangeError, 'p.initializer');
  throwsAt(() => initParameter({ ...fc, shape: [2, 2] }), RangeError, 'p.size');
  throwsAt(() => initParameter({ ...fc, seed: -1 }), RangeError, 'p.seed');
});

test('seeds: a JSON number above 2^53 is refused in favour of a decimal string; planToJSON writes bigint seeds as strings', () => {
  const layers = [{ type: 'lstm', name: 'l', in: 3, units: 4 }, { type: 'dense', name: 'd', in: 4, out: 4 }] as ModelSpecInput['layers'];
  throwsAt(() => planModel(JSON.stringify({ seed: 18446744073709551615, layers })), RangeError, 'seed: expected a seed of at most 2^53 - 1 as a number', 'decimal string');
  throwsAt(() => planModel({ layers }, { seed: 2 ** 53 + 2 }), RangeError, 'options.seed');
  assert.equal(planModel({ seed: 2 ** 53 - 1, layers })[0].seed, 2 ** 53 - 1);
  const plan = planModel({ seed: '18446744073709551615', layers });
  assert.throws(() => JSON.stringify(plan), TypeError, 'JSON has no bigint');
  const text = nninit.planToJSON(plan);
  const parsed = JSON.parse(text) as ParameterPlan[];
  assert.equal(parsed[0].seed, '18446744073709551615');
  parsed.forEach((p, i) => assert.deepEqual(bytes(initParameter(p)), bytes(initParameter(plan[i])), p.name));
});
