// Whole models with rng 'torch': initModel(spec, { rng: 'torch', seed }) against PyTorch 1.13 building the same
// torch.nn modules in order after torch.manual_seed(seed) (committed fixtures always; live random models where
// /usr/bin/python3 has PyTorch on the reference platform), slices and dtypes of the plan entries, the generator's
// skipping, and the errors for what PyTorch does not define.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nninit from 'nninit';
import { createTorchGenerator, type TorchModuleSpec } from 'nninit/torch';
import type { LayerSpec, ModelSpecInput, ParameterPlan } from 'nninit';
import { MersenneTwister } from '../src/torch/mt19937.ts';
import { FIXTURE_SCRIPT, PYTHON, referenceMismatch, seededRandom } from '../scripts/torch-parity.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/torch/pytorch-1.13-models.json', import.meta.url));

interface Recorded {
  length: number;
  sha256: string;
  head: number[];
}

interface ModelCase {
  name: string;
  spec: ModelSpecInput;
  seed: number;
  results: [string, Recorded][];
}

const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { platform: { torch: string; cpu_capability: string }; cases: ModelCase[] };

function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

const sha256 = (values: ArrayBufferView) => createHash('sha256').update(bytesOf(values)).digest('hex');

/** Checks a model's arrays against PyTorch's records: the same names in the same order, the same float32 bytes. */
function assertSameAsTorch(weights: Map<string, unknown>, results: [string, Recorded][], where: string): number {
  assert.deepEqual([...weights.keys()], results.map(([name]) => name), `${where}: names and order as PyTorch's state_dict()`);
  let values = 0;
  for (const [name, recorded] of results) {
    const array = weights.get(name) as Float32Array;
    assert.ok(array instanceof Float32Array, `${where}: ${name} is a Float32Array`);
    assert.deepEqual(Array.from(new Uint32Array(array.buffer, array.byteOffset, Math.min(8, array.length))), recorded.head, `${where}: ${name}, first values' bits`);
    assert.equal(sha256(array), recorded.sha256, `${where}: ${name}`);
    values += array.length;
  }
  return values;
}

const caseOf = (name: string) => fixture.cases.find((c) => c.name === name)!;

test('fixtures: initModel with rng torch equals PyTorch 1.13 building the modules in order, bit for bit', (t) => {
  assert.match(fixture.platform.torch, /^1\.13/);
  assert.equal(fixture.platform.cpu_capability, 'AVX2');
  let values = 0;
  for (const c of fixture.cases) {
    const weights = nninit.initModel(c.spec, { rng: 'torch', seed: c.seed });
    values += assertSameAsTorch(weights, c.results, `${c.name}, seed ${c.seed}`);
  }
  // The examples as committed, with the option overriding their 'activation' policy, give the same values.
  const example = caseOf('examples/cnn.json');
  const committed = readFileSync(fileURLToPath(new URL('../examples/cnn.json', import.meta.url)), 'utf8');
  assertSameAsTorch(nninit.initModel(committed, { policy: 'pytorch', rng: 'torch', seed: example.seed }), example.results, 'examples/cnn.json as committed');
  t.diagnostic(`${fixture.cases.length} models, ${values} values identical to PyTorch ${fixture.platform.torch}`);
});

test('rng torch in the spec, the default policy, and the plan entries', () => {
  const c = caseOf('transformer');
  const plan = nninit.planModel({ ...c.spec, rng: 'torch', seed: c.seed });
  assert.ok(plan.every((p) => p.rng === 'torch' && p.policy === 'pytorch'));
  const drawn = plan.filter((p) => p.initializer === 'torch');
  assert.deepEqual(drawn.map((p) => p.name), [
    'wte.weight', 'wpe.weight', 'h.0.attn.in_proj_weight', 'h.0.attn.out_proj.weight', 'h.0.mlp.c_fc.weight', 'h.0.mlp.c_fc.bias',
    'h.0.mlp.c_proj.weight', 'h.0.mlp.c_proj.bias', 'h.1.attn.in_proj_weight', 'h.1.attn.out_proj.weight', 'h.1.mlp.c_fc.weight',
    'h.1.mlp.c_fc.bias', 'h.1.mlp.c_proj.weight', 'h.1.mlp.c_proj.bias', 'lm_head.weight',
  ]);
  assert.ok(drawn.every((p) => p.whole && p.torch!.program === drawn[0].torch!.program));
  // out_proj.bias is drawn by its Linear, then zeroed by MultiheadAttention: a fill in the plan.
  const bias = plan.find((p) => p.name === 'h.0.attn.out_proj.bias')!;
  assert.equal(bias.initializer, 'zeros');
  const outProj = plan.find((p) => p.name === 'h.1.attn.out_proj.weight')!;
  assert.equal(outProj.torch!.call, 'nn.MultiheadAttention(32, 4)');
  assert.equal(outProj.torch!.parameter, 'out_proj.weight');
  assert.deepEqual(outProj.torch!.steps, [{ kind: 'kaimingUniform', a: Math.sqrt(5), mode: 'fan_in', nonlinearity: 'leaky_relu' }]);
  assert.equal(outProj.rule, 'nn.MultiheadAttention(32, 4).out_proj.weight, drawing module 6 of 9 (pytorch policy, rng torch)');
  const explained = nninit.explainModel({ ...c.spec, rng: 'torch', seed: c.seed });
  assert.match(explained, /^nninit plan: policy pytorch, rng torch, layout torch, dtype float32, seed 1234\nvalues: torch\.manual_seed\(1234\), then the model's torch\.nn modules built in order \(9 of them draw\)/);
  assert.match(explained, /h\.0\.attn\.in_proj_weight +\[96, 32\] +torch xavier_uniform_ /);
  assert.match(explained, /h\.0\.attn\.out_proj\.bias +\[32\] +zeros /);
  // The spec field and the option agree; the plain plan is unchanged by the option's absence.
  assertSameAsTorch(nninit.initModel({ ...c.spec, rng: 'torch' }, { seed: c.seed }), c.results, 'rng as a spec field');
  assert.ok(nninit.planModel(c.spec, { seed: 1 }).every((p) => p.rng === undefined && p.initializer !== 'torch'));
});

test('initParameter slices of rng torch entries equal initModel, in any order, offset and dtype', () => {
  const c = caseOf('every layer type');
  const plan = nninit.planModel(c.spec, { rng: 'torch', seed: c.seed });
  const weights = nninit.initModel(c.spec, { rng: 'torch', seed: c.seed });
  const random = seededRandom(11);
  const order = plan.map((_, i) => i);
  // In plan order (each call resumes where the previous one started), reversed, and shuffled.
  const orders = [order, [...order].reverse(), [...order].sort(() => random() - 0.5)];
  for (const indices of orders) {
    for (const index of indices) {
      const p = plan[index];
      const whole = weights.get(p.name) as Float32Array;
      assert.equal(sha256(nninit.initParameter(p)), sha256(whole), p.name);
      const offset = Math.floor(random() * p.size), length = Math.floor(random() * (p.size - offset + 1));
      assert.deepEqual(nninit.initParameter(p, { offset, length }), whole.subarray(offset, offset + length), `${p.name} [${offset}, +${length})`);
    }
  }
  // A copy of an entry (as a worker receives it) has its own program object and computes the same values.
  const copy = structuredClone(plan.find((p) => p.name === 'tinier.weight')!) as ParameterPlan;
  assert.deepEqual(nninit.initParameter(copy), weights.get('tinier.weight'));
  // Another seed on the same program starts over rather than resuming from this seed's state.
  const other = nninit.initModel(c.spec, { rng: 'torch', seed: 99 });
  for (const name of ['lstm.weight_hh_l0', 'last.weight']) {
    nninit.initParameter(plan.find((p) => p.name === 'tinier.weight')!);
    assert.deepEqual(nninit.initParameter({ ...plan.find((p) => p.name === name)!, seed: 99 }), other.get(name), `${name} with seed 99`);
  }
  // Other dtypes are the float32 values converted as tensor.to(dtype) converts them.
  const lstm = plan.find((p) => p.name === 'lstm.weight_ih_l1')!;
  const floats = weights.get(lstm.name) as Float32Array;
  assert.deepEqual(nninit.initParameter(lstm, { dtype: 'float64' }), Float64Array.from(floats));
  assert.deepEqual(nninit.initParameter(lstm, { dtype: 'bfloat16', offset: 3, length: 20 }), Uint16Array.from(floats.subarray(3, 23), nninit.bfloat16Bits));
  const out = new Uint16Array(5);
  assert.equal(nninit.initParameter(lstm, { dtype: 'float16', offset: 7, length: 5, out }), out);
  assert.deepEqual(out, Uint16Array.from(floats.subarray(7, 12), nninit.float16Bits));
  const halves = nninit.initModel(c.spec, { rng: 'torch', seed: c.seed, dtype: 'float16' });
  assert.deepEqual(halves.get(lstm.name), Uint16Array.from(floats, nninit.float16Bits));
  assert.deepEqual(halves.get('cls'), new Uint16Array(8));
});

test('the generator skips a module exactly as constructing it advances it', () => {
  for (const count of [0, 1, 623, 624, 625, 1247, 5000]) {
    const filled = new MersenneTwister(5), skipped = new MersenneTwister(5);
    filled.nextUint32();
    skipped.nextUint32();
    filled.fill(new Uint32Array(count));
    skipped.discard(count);
    assert.deepEqual([skipped.left, skipped.next, skipped.nextUint32()], [filled.left, filled.next, filled.nextUint32()], `discard(${count})`);
  }
  const modules: TorchModuleSpec[] = [
    { type: 'embedding', numEmbeddings: 3, embeddingDim: 5 }, // 15 normals: the float64 path, caching one value
    { type: 'linear', inFeatures: 7, outFeatures: 3 },
    { type: 'embedding', numEmbeddings: 1, embeddingDim: 3 }, // starts from the cached value
    { type: 'embedding', numEmbeddings: 5, embeddingDim: 7 }, // 35 normals: 16-lanes path with a redone tail
    { type: 'multiheadAttention', embedDim: 8, numHeads: 2, addBiasKv: true, kdim: 5, vdim: 3 },
    { type: 'lstm', inputSize: 5, hiddenSize: 8, bidirectional: true, projSize: 3 },
    { type: 'conv2d', inChannels: 4, outChannels: 6, kernelSize: [3, 1], groups: 2 },
    { type: 'layerNorm', normalizedShape: [4, 6] },
    { type: 'embedding', numEmbeddings: 2, embeddingDim: 16 },
  ];
  for (let skip = 0; skip < modules.length; skip++) {
    const built = createTorchGenerator(9), passed = createTorchGenerator(9);
    let parameters: Record<string, Float32Array> = {};
    modules.forEach((spec, index) => {
      if (index === skip) {
        parameters = built.module(spec);
        passed.skipModule(spec);
      } else {
        built.module(spec);
        passed.module(spec);
      }
    });
    assert.deepEqual(passed.getState(), built.getState(), `skipping module ${skip}`);
    for (const [name, values] of Object.entries(parameters)) {
      const one = createTorchGenerator(9);
      modules.slice(0, skip).forEach((spec) => one.skipModule(spec));
      assert.deepEqual(one.moduleParameter(modules[skip], name), values, `moduleParameter ${name} of module ${skip}`);
    }
  }
  assert.throws(() => createTorchGenerator(0).moduleParameter({ type: 'linear', inFeatures: 2, outFeatures: 3 }, 'bais'),
    { name: 'RangeError', message: /name must be one of weight, bias, got "bais"/ });
  assert.equal(nninit.createTorchGenerator(0).skipModule({ type: 'linear', inFeatures: 2, outFeatures: 3 }).rand(1).length, 1);
});

test('describeTorchModule spells constructors as Python', async () => {
  const { describeTorchModule } = await import('nninit/torch');
  assert.equal(describeTorchModule({ type: 'conv2d', inChannels: 64, outChannels: 64, kernelSize: 3, groups: 64, bias: false }), 'nn.Conv2d(64, 64, 3, groups=64, bias=False)');
  assert.equal(describeTorchModule({ type: 'rnn', inputSize: 3, hiddenSize: 5, numLayers: 2, nonlinearity: 'relu', bidirectional: true }), "nn.RNN(3, 5, num_layers=2, nonlinearity='relu', bidirectional=True)");
  assert.equal(describeTorchModule({ type: 'layerNorm', normalizedShape: [4] }), 'nn.LayerNorm((4,))');
  assert.equal(describeTorchModule({ type: 'multiheadAttention', embedDim: 8, numHeads: 2, kdim: 5 }), 'nn.MultiheadAttention(8, 2, kdim=5)');
});

test('rng torch errors name the option, rule or layer PyTorch does not define', () => {
  const dense: LayerSpec = { type: 'dense', name: 'fc', in: 4, out: 3 };
  const cases: [ModelSpecInput, Record<string, unknown>, RegExp][] = [
    [{ layers: [dense] }, { rng: 'numpy' }, /^nninit\.planModel: options\.rng: expected one of 'philox', 'torch', got "numpy"$/],
    [{ rng: 'mt' as never, layers: [dense] }, {}, /^nninit\.planModel: rng: expected one of 'philox', 'torch', got "mt"$/],
    [{ layers: [dense] }, { rng: 'torch', layout: 'keras' }, /^nninit\.planModel: options\.layout: expected 'torch' with options\.rng 'torch' .*got "keras"$/],
    [{ layout: 'keras', rng: 'torch', layers: [dense] }, {}, /^nninit\.planModel: layout: expected 'torch' with rng 'torch'/],
    [{ policy: 'activation', layers: [dense] }, { rng: 'torch' }, /^nninit\.planModel: policy: expected 'pytorch' with options\.rng 'torch' .*got "activation"$/],
    [{ layers: [dense] }, { rng: 'torch', policy: { name: 'gpt2', nLayer: 2 } }, /^nninit\.planModel: options\.policy: expected 'pytorch' with options\.rng 'torch'/],
    [{ layers: [dense], rules: [{ match: 'fc.bias', init: 'heNormal' }] }, { rng: 'torch' }, /^nninit\.planModel: rules\[0\]\.init: expected an initializer that draws nothing \(zeros, ones, constant, identity, eye, dirac\) with rng 'torch'.*got "heNormal"$/],
    [{ layers: [dense] }, { rng: 'torch', rules: [{ match: 'fc.*', init: 'orthogonal' }] }, /^nninit\.planModel: options\.rules\[0\]\.init: expected an initializer that draws nothing/],
    [{ layers: [dense, { type: 'param', name: 'pos', shape: [4], init: 'normal', std: 0.02 }] }, { rng: 'torch' }, /^nninit\.planModel: layers\[1\]\.init: expected an initializer that draws nothing .*a param layer is no torch\.nn module/],
    [{ layers: [{ type: 'block', layers: [{ type: 'attention', dim: 8, heads: 2, fused: false }] }] }, { rng: 'torch' }, /^nninit\.planModel: layers\[0\]\.layers\[0\]\.fused: expected true with rng 'torch' \(nn\.MultiheadAttention keeps q, k and v in one in_proj_weight/],
  ];
  for (const [spec, options, message] of cases) {
    assert.throws(() => nninit.planModel(spec, options as never), (error: Error) => error instanceof RangeError && message.test(error.message), `${JSON.stringify(options)}: ${message}`);
  }
  // What rng 'torch' accepts: fills in rules and param layers, rmsnorm, the spec's own pytorch policy.
  // A fill rule replaces a parameter after its module drew it: the draws after it are unchanged.
  const accepted = nninit.initModel({ policy: 'pytorch', layers: [dense, { type: 'rmsnorm', name: 'rms', dim: 3 }, { type: 'param', name: 'pos', shape: [2], init: 'constant', value: 0.5 }, { ...dense, name: 'fc2' }], rules: [{ match: 'fc.weight', init: 'eye' }] }, { rng: 'torch', seed: 0 });
  assert.deepEqual([...accepted.keys()], ['fc.weight', 'fc.bias', 'rms.weight', 'pos', 'fc2.weight', 'fc2.bias']);
  const g = createTorchGenerator(0);
  const [fc, fc2] = [g.linear(4, 3), g.linear(4, 3)];
  assert.deepEqual(accepted.get('fc.weight'), nninit.eye([3, 4]));
  assert.deepEqual([accepted.get('fc.bias'), accepted.get('fc2.weight'), accepted.get('fc2.bias')], [fc.bias, fc2.weight, fc2.bias]);
  assert.deepEqual([accepted.get('rms.weight'), accepted.get('pos')], [new Float32Array([1, 1, 1]), new Float32Array([0.5, 0.5])]);
  assert.throws(() => nninit.initModel({ layers: [dense] }, { rng: 'torch', layout: 'keras', dtype: 'float16' }), RangeError);
});

/** Random small models over every layer type PyTorch builds, nested in repeats and blocks, with fills. */
function randomModel(random: () => number): ModelSpecInput {
  const integer = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  let names = 0;
  // Unique names, so no two parameters collide; half the blocks unnamed (their children keep the scope).
  const layer = (depth: number): LayerSpec => {
    const spec = unnamed(depth);
    return spec.type === 'block' && random() < 0.5 ? spec : { ...spec, name: `l${names++}` };
  };
  const unnamed = (depth: number): LayerSpec => {
    const type = pick(['dense', 'dense', 'conv1d', 'conv2d', 'conv3d', 'embedding', 'embedding', 'layernorm', 'batchnorm', 'rmsnorm', 'lstm', 'gru', 'rnn', 'attention', 'param', ...(depth < 2 ? ['repeat', 'block'] : [])] as const);
    switch (type) {
      case 'dense': return { type, in: integer(1, 120), out: integer(1, 120), bias: random() < 0.8 };
      case 'conv1d': case 'conv2d': case 'conv3d': {
        const groups = pick([1, 1, 2, 3]);
        const dimensions = { conv1d: 1, conv2d: 2, conv3d: 3 }[type];
        return { type, in: groups * integer(1, 4), out: groups * integer(1, 5), groups, kernel: Array.from({ length: dimensions }, () => integer(1, 3)), bias: random() < 0.7 };
      }
      case 'embedding': return { type, vocab: integer(1, 30), dim: pick([1, 2, 3, 5, 8, 16, 17]) };
      case 'layernorm': case 'batchnorm': case 'rmsnorm': return { type, dim: integer(1, 20) };
      case 'lstm': case 'gru': case 'rnn':
        return { type, in: integer(1, 12), units: integer(1, 10), numLayers: integer(1, 2), bidirectional: random() < 0.3, bias: random() < 0.8, ...(type === 'rnn' ? { activation: pick(['tanh', 'relu']) } : {}) };
      case 'attention': {
        const heads = integer(1, 3);
        return { type, dim: heads * integer(1, 6), heads, bias: random() < 0.8 };
      }
      case 'param': return { type, shape: [integer(1, 3), integer(1, 4)], init: pick(['zeros', 'ones']) };
      case 'repeat': return { type, count: integer(1, 3), layers: Array.from({ length: integer(1, 3) }, () => layer(depth + 1)) };
      case 'block': return { type, layers: Array.from({ length: integer(1, 3) }, () => layer(depth + 1)) };
    }
  };
  const layers = Array.from({ length: integer(1, 6) }, () => layer(0));
  return { layers, ...(random() < 0.3 ? { rules: [{ match: '**', init: 'constant', value: 0.25 }] } : {}) };
}

test('live: random models agree with PyTorch building them, bit for bit', (t) => {
  const mismatch = referenceMismatch();
  if (mismatch !== undefined) {
    t.skip(`${mismatch}; the fixtures still ran`);
    return;
  }
  const programSeed = Number(process.env.NNINIT_TORCH_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`program seed ${programSeed} (rerun with NNINIT_TORCH_SEED=${programSeed})`);
  const random = seededRandom(programSeed);
  const program = Array.from({ length: 40 }, () => ({ spec: randomModel(random), seed: Math.floor(random() * 2 ** 32) }));
  const output = execFileSync(PYTHON, [FIXTURE_SCRIPT, '--run-models'], { input: JSON.stringify(program), maxBuffer: 1 << 28 });
  const torch = JSON.parse(output.toString('utf8')) as { platform: { torch: string }; results: [string, Recorded][][] };
  assert.match(torch.platform.torch, /^1\.13/);
  let values = 0;
  program.forEach(({ spec, seed }, index) => {
    const where = `program seed ${programSeed}, model ${index} ${JSON.stringify(spec)}, seed ${seed}`;
    values += assertSameAsTorch(nninit.initModel(spec, { rng: 'torch', seed }), torch.results[index], where);
  });
  t.diagnostic(`${program.length} models, ${values} values identical`);
});
