// Planning without a spec: checkpoint tensors recognized by their names and shapes, and reader-made descriptors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import type { ModelSpecInput, TensorInfo } from 'nninit';

const { planModel, planTensors, planDescriptors, describeTensors, initParameter } = nninit;

/** Hugging Face GPT2Model's state dict: Conv1D weights are [in, out]. */
function hfGpt2(layers: number, dim: number, vocab: number, context: number, prefix = ''): TensorInfo[] {
  const tensors: TensorInfo[] = [{ name: `${prefix}wte.weight`, shape: [vocab, dim] }, { name: `${prefix}wpe.weight`, shape: [context, dim] }];
  for (let i = 0; i < layers; i++) {
    const h = `${prefix}h.${i}`;
    tensors.push(
      { name: `${h}.ln_1.weight`, shape: [dim] }, { name: `${h}.ln_1.bias`, shape: [dim] },
      { name: `${h}.attn.c_attn.weight`, shape: [dim, 3 * dim] }, { name: `${h}.attn.c_attn.bias`, shape: [3 * dim] },
      { name: `${h}.attn.c_proj.weight`, shape: [dim, dim] }, { name: `${h}.attn.c_proj.bias`, shape: [dim] },
      { name: `${h}.ln_2.weight`, shape: [dim] }, { name: `${h}.ln_2.bias`, shape: [dim] },
      { name: `${h}.mlp.c_fc.weight`, shape: [dim, 4 * dim] }, { name: `${h}.mlp.c_fc.bias`, shape: [4 * dim] },
      { name: `${h}.mlp.c_proj.weight`, shape: [4 * dim, dim] }, { name: `${h}.mlp.c_proj.bias`, shape: [dim] },
    );
  }
  tensors.push({ name: `${prefix}ln_f.weight`, shape: [dim] }, { name: `${prefix}ln_f.bias`, shape: [dim] });
  return tensors;
}

test('planTensors: a Hugging Face GPT-2 checkpoint under the gpt2 policy', () => {
  const tensors = hfGpt2(12, 768, 50257, 1024);
  const plan = planTensors(tensors, { policy: 'gpt2', seed: 1 });
  assert.deepEqual(plan.map((p) => p.name), tensors.map((t) => t.name));
  assert.equal(plan.reduce((sum, p) => sum + p.size, 0), 124_439_808);
  const by = (name: string) => plan.find((p) => p.name === name)!;
  for (const name of ['wte.weight', 'wpe.weight', 'h.5.attn.c_attn.weight', 'h.5.mlp.c_fc.weight']) assert.deepEqual(by(name).options, { std: 0.02 }, name);
  for (const name of ['h.5.attn.c_proj.weight', 'h.5.mlp.c_proj.weight']) assert.deepEqual(by(name).options, { std: 0.02 / Math.sqrt(24) }, name);
  for (const name of ['h.5.attn.c_attn.bias', 'h.5.mlp.c_proj.bias', 'ln_f.bias', 'h.0.ln_1.bias']) assert.equal(by(name).initializer, 'zeros', name);
  assert.equal(by('h.11.ln_2.weight').initializer, 'ones');
  // Conv1D weights are [in, out]: c_fc's fans are (768, 3072), the same as nanoGPT's Linear [3072, 768].
  assert.deepEqual([by('h.0.mlp.c_fc.weight').layout, by('h.0.mlp.c_fc.weight').fanIn, by('h.0.mlp.c_fc.weight').fanOut], ['keras', 768, 3072]);
  // The activation policy knows c_fc feeds a GELU, and takes c_attn's fans per q/k/v block.
  const activation = planTensors(tensors.slice(0, 14), { seed: 1 });
  assert.match(activation.find((p) => p.name === 'h.0.mlp.c_fc.weight')!.rule, /gelu after h.0.mlp.c_fc -> He normal, fan_in 768/);
  assert.match(activation.find((p) => p.name === 'h.0.attn.c_attn.weight')!.rule, /fans 768\/768 per block/);
});

test('planTensors: nanoGPT names (Linear [out, in], a transformer. prefix, an untied lm_head)', () => {
  const tensors = hfGpt2(2, 64, 100, 32, 'transformer.').map((t) =>
    (/c_(attn|proj|fc)\.weight$/.test(t.name) ? { name: t.name, shape: [t.shape[1], t.shape[0]] } : t));
  tensors.push({ name: 'lm_head.weight', shape: [100, 64] });
  const plan = planTensors(tensors, { policy: 'gpt2', seed: 1 });
  const by = (name: string) => plan.find((p) => p.name === name)!;
  assert.equal(by('transformer.h.1.mlp.c_fc.weight').layout, 'torch');
  assert.deepEqual(by('transformer.h.1.mlp.c_proj.weight').options, { std: 0.02 / Math.sqrt(4) });
  assert.deepEqual(by('transformer.h.1.attn.c_proj.weight').options, { std: 0.02 / Math.sqrt(4) });
  assert.deepEqual(by('lm_head.weight').options, { std: 0.02 });
});

test("planTensors reproduces planModel's plan from the names and shapes alone", () => {
  const spec: ModelSpecInput = {
    seed: 3,
    layers: [
      { type: 'embedding', name: 'embed', vocab: 50, dim: 16 },
      { type: 'dense', name: 'fc', in: 16, out: 32 },
      { type: 'conv2d', name: 'conv', in: 4, out: 8, kernel: [3, 5] },
      { type: 'batchnorm', name: 'bn', dim: 8 },
      { type: 'lstm', name: 'lstm', in: 16, units: 8 },
      { type: 'gru', name: 'gru', in: 8, units: 8 },
      { type: 'rnn', name: 'rnn', in: 8, units: 4 },
      { type: 'attention', name: 'attn', dim: 16, heads: 4 },
      { type: 'layernorm', name: 'ln', dim: 16 },
    ],
  };
  const cases = [['pytorch', 'torch'], ['flax', 'torch'], ['flax', 'keras'], ['keras', 'keras'], ['gpt2', 'torch']] as const;
  for (const [policy, layout] of cases) {
    const expected = planModel(spec, { policy, layout });
    const actual = planTensors(expected.map(({ name, shape }) => ({ name, shape })), { policy, seed: 3 });
    assert.deepEqual(
      actual.map((p) => [p.name, p.initializer, p.options, p.blocks]),
      expected.map((p) => [p.name, p.initializer, p.options, p.blocks]),
      `${policy} / ${layout}`,
    );
  }
});

test('planTensors: Keras names with / and :0, and the error for a tensor nothing covers', () => {
  const tensors = [
    { name: 'lstm/lstm_cell/kernel:0', shape: [10, 32] },
    { name: 'lstm/lstm_cell/recurrent_kernel:0', shape: [8, 32] },
    { name: 'lstm/lstm_cell/bias:0', shape: [32] },
    { name: 'dense/kernel:0', shape: [8, 3] },
    { name: 'dense/bias:0', shape: [3] },
    { name: 'temperature', shape: [] },
  ];
  assert.throws(() => planTensors(tensors, { policy: 'keras', seed: 1 }), (e: Error) => e instanceof RangeError && e.message.includes('"temperature" []'));
  const plan = planTensors(tensors, { policy: 'keras', seed: 1, rules: [{ match: 'temperature', init: 'ones' }] });
  assert.deepEqual(plan.map((p) => p.initializer), ['glorotUniform', 'orthogonal', 'blocks', 'glorotUniform', 'zeros', 'ones']);
  assert.deepEqual([...initParameter(plan[2])].map((v, i) => [Math.floor(i / 8), v]).filter(([, v]) => v).map(([gate]) => gate), new Array(8).fill(1));
  assert.equal(describeTensors(tensors)[5], undefined);
  assert.equal(describeTensors(tensors)[1]!.cell, 'lstm');
});

test('planDescriptors: a reader describes the parameters, the policy table chooses', () => {
  const plan = planDescriptors([
    { name: 'Conv_0.W', shape: [16, 3, 3, 3], layout: 'torch', kind: 'conv', role: 'weight', activation: { name: 'leaky_relu', slope: 0.2 }, fanIn: 27, fanOut: 144, layer: 'Conv_0' },
    { name: 'Gemm_1.W', shape: [10, 64], layout: 'torch', kind: 'dense', role: 'weight', activation: { name: 'tanh' }, fanIn: 64, fanOut: 10, layer: 'Gemm_1' },
  ], { seed: 5 });
  assert.deepEqual(plan[0].options, { nonlinearity: 'leaky_relu', a: 0.2, layout: 'torch' });
  assert.equal(plan[1].initializer, 'glorotUniform');
  assert.throws(() => planDescriptors([{ name: 'x', shape: [2], layout: 'torch', kind: 'linear' as never, role: 'weight', fanIn: 2, fanOut: 2, layer: '' }]),
    (e: Error) => e instanceof RangeError && e.message.includes('descriptors[0].kind'));
});

test("the layer catalogue keeps PyTorch's parameter order", () => {
  const names = planModel({ seed: 1, layers: [{ type: 'lstm', name: 'l', in: 3, units: 2, numLayers: 2, bidirectional: true }] }).map((p) => p.name.slice(2));
  assert.deepEqual(names.slice(0, 8), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse']);
  assert.equal(planModel({ seed: 1, layers: [{ type: 'lstm', name: 'l', in: 3, units: 2, numLayers: 2, bidirectional: true }] })[8].shape[1], 4);
});
