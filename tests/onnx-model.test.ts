// nninit/onnx on real models: PyTorch's own exports and a hand-built model of many operators
// (tests/fixtures/onnx, scripts/onnx-fixtures.py). Each initializer's inferred role, fans and activation; the
// rewritten model equal to the input byte for byte outside the re-initialized tensors' raw data; onnx's checker
// and an independent numpy parse of the written files (when Debian's python3-onnx is installed); onnxruntime-web
// loading and running them, with post-ReLU activations keeping their scale through a deep He-initialized stack;
// external data; and every kind of bad input.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { initParameter, normal, type ParameterPlan } from 'nninit';
import { readOnnx, writeOnnx, type OnnxModel } from 'nninit/onnx';
import { readOnnxFile, writeOnnxFile } from 'nninit/onnx/node';
import { withFolder } from './cli-helpers.ts';

const { onnx } = onnxProto;
const FIXTURES = fileURLToPath(new URL('./fixtures/onnx/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const read = (name: string, options: Parameters<typeof readOnnx>[1] = {}) => readOnnx(fixture(name), { seed: 7, file: name, ...options });
const PYTHON = '/usr/bin/python3';

before(() => {
  ort.env.wasm.numThreads = 1;
});

const byName = (model: OnnxModel) => new Map(model.parameters.map((p) => [p.name, p]));
const bytesOf = (values: ArrayBufferView) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

// ---- what is inferred --------------------------------------------------------------------------------------------

test('a PyTorch CNN: conv weights by the activation after them (through BatchNorm), groups in the fans, Gemm before softmax', () => {
  const model = read('cnn.onnx');
  const p = byName(model);
  assert.equal(model.parameters.length, 10);
  assert.deepEqual([p.get('conv1.weight')!.initializer, p.get('conv1.weight')!.options], ['heNormal', { nonlinearity: 'relu', layout: 'torch' }]);
  assert.deepEqual([p.get('conv1.weight')!.fanIn, p.get('conv1.weight')!.fanOut], [27, 72]);
  // Depthwise (group 8): each unit sees its own channel, fans 9 and 9.
  assert.deepEqual([p.get('depthwise.weight')!.fanIn, p.get('depthwise.weight')!.fanOut, p.get('depthwise.weight')!.kind], [9, 9, 'conv']);
  assert.ok(Math.abs(p.get('depthwise.weight')!.std - Math.sqrt(2 / 9)) < 1e-12);
  // LeakyReLU(0.2) gives He with its slope, read from the float32 attribute as 0.2.
  assert.deepEqual(p.get('pointwise.weight')!.options, { nonlinearity: 'leaky_relu', a: 0.2, layout: 'torch' });
  assert.equal(p.get('head.weight')!.initializer, 'glorotUniform');
  assert.match(p.get('head.weight')!.rule, /^softmax after \/head\/Gemm/);
  // BatchNorm: the exporter shares the scale with the running variance (both ones) through an Identity.
  assert.deepEqual(['bn1.weight', 'bn1.bias'].map((name) => [p.get(name)!.role, p.get(name)!.initializer]), [['scale', 'ones'], ['shift', 'zeros']]);
  assert.match(model.initializers.find((i) => i.name === 'bn1.weight')!.inferred, /scale of BatchNormalization .*; also running variance/);
  for (const name of ['conv1.bias', 'depthwise.bias', 'pointwise.bias', 'head.bias']) assert.equal(p.get(name)!.initializer, 'zeros', name);
  assert.match(model.explain, /cnn\.onnx: ONNX ir_version 8, opset ai\.onnx 17, produced by pytorch 1\.13\.0; 10 initializers: 10 re-initialized, 0 kept/);
  assert.match(model.explain, /weight of Conv \/depthwise\/Conv \(group 8, kernel 3×3\), fans 9\/9, bias depthwise\.bias, then relu/);
});

test('a PyTorch MLP: Gemm with transB is [out, in], tanh gives Glorot, the output layer is linear', () => {
  const model = read('mlp.onnx');
  const p = byName(model);
  for (const [name, fans] of [['fc1.weight', [20, 32]], ['fc2.weight', [32, 16]], ['out.weight', [16, 4]]] as const) {
    assert.equal(p.get(name)!.layout, 'torch', name);
    assert.deepEqual([p.get(name)!.fanIn, p.get(name)!.fanOut], fans, name);
    assert.equal(p.get(name)!.initializer, 'glorotUniform', name);
  }
  assert.match(p.get('fc1.weight')!.rule, /^tanh after \/fc1\/Gemm/);
  assert.match(p.get('out.weight')!.rule, /^linear after \/out\/Gemm/);
});

test('MatMul + Add: the folded weight is [in, out], the Add holds its bias, GELU is found as its Erf pattern', () => {
  const model = read('matmul.onnx');
  const p = byName(model);
  const w1 = p.get('onnx::MatMul_23')!, w2 = p.get('onnx::MatMul_24')!, w3 = p.get('onnx::MatMul_25')!;
  assert.deepEqual([w1.layout, w1.fanIn, w1.fanOut, w1.initializer], ['keras', 20, 32, 'heNormal']);
  assert.match(w2.rule, /^gelu after \/fc2\/MatMul -> He normal/);
  assert.deepEqual([w3.initializer, w3.fanIn, w3.fanOut], ['glorotUniform', 8, 3]);
  assert.deepEqual([p.get('fc1.bias')!.role, p.get('fc1.bias')!.fanIn], ['bias', 20]);
  assert.match(model.initializers.find((i) => i.name === 'onnx::MatMul_24')!.inferred, /then gelu \(the Erf pattern of GELU\)/);
});

test('LSTM and GRU: W, R and B in ONNX gate order, per direction, each gate its own block', () => {
  const lstm = byName(read('lstm.onnx'));
  const W = lstm.get('onnx::LSTM_119')!, R = lstm.get('onnx::LSTM_120')!, B = lstm.get('onnx::LSTM_121')!;
  assert.deepEqual([W.shape, W.fanIn, W.fanOut, W.kind, W.role], [[96, 16], 16, 24, 'recurrent', 'input']);
  assert.deepEqual(R.blocks!.parts.map((part) => part.initializer), ['orthogonal', 'orthogonal', 'orthogonal', 'orthogonal']);
  assert.match(R.rule, /\(i, o, f, c\)/);
  assert.deepEqual([B.shape, B.initializer], [[192], 'zeros']);
  assert.deepEqual([lstm.get('embed.weight')!.kind, lstm.get('embed.weight')!.fanIn, lstm.get('embed.weight')!.fanOut], ['embedding', 16, 50]);
  // Bidirectional GRU: 2 directions x gates z r h.
  const gru = byName(read('gru.onnx'));
  const gR = gru.get('onnx::GRU_198')!;
  assert.deepEqual([gR.shape, gR.blocks!.parts.length], [[72, 12], 6]);
  assert.match(gR.rule, /\(z, r, h, z, r, h\)/);
  assert.match(gru.get('onnx::MatMul_200')!.rule, /^sigmoid after \/head\/MatMul/);
});

test("the 'keras' policy puts the unit forget bias on ONNX's forget gate, block 2 of i o f c, input half only", () => {
  const B = byName(read('lstm.onnx', { policy: 'keras' })).get('onnx::LSTM_121')!;
  assert.deepEqual(B.blocks!.parts.map((part) => part.initializer), ['zeros', 'zeros', 'ones', 'zeros', 'zeros', 'zeros', 'zeros', 'zeros']);
  const values = initParameter(B) as Float32Array;
  for (let i = 0; i < 192; i++) assert.equal(values[i], i >= 48 && i < 72 ? 1 : 0, `element ${i}`);
  // PyTorch's own defaults for the same tensor: U(+-1/sqrt(hidden)) on every element.
  assert.deepEqual(byName(read('lstm.onnx', { policy: 'pytorch' })).get('onnx::LSTM_121')!.options, { low: -1 / Math.sqrt(24), high: 1 / Math.sqrt(24) });
});

test('a model of many operators: ConvTranspose groups, Gemm without transB, a transposed MatMul weight, norms, RNN, PRelu, kept constants', () => {
  const model = read('zoo.onnx');
  const p = byName(model);
  const status = Object.fromEntries(model.initializers.map((i) => [i.name, i.status]));
  // ConvTranspose [C 4, M/group 3, 3, 3], group 2: fanIn 4/2 * 9, fanOut 3 * 9; Elu after it: He.
  assert.deepEqual([p.get('up.weight')!.fanIn, p.get('up.weight')!.fanOut], [18, 27]);
  assert.ok(Math.abs(p.get('up.weight')!.std - Math.sqrt(2 / 18)) < 1e-12);
  // The 'pytorch' policy gives what nn.ConvTranspose2d(4, 6, 3, groups=2) draws: its weight is [4, 3, 3, 3] and
  // torch's fan_in is weight.size(1) * 9 = 27 (fan_out 4 * 9), for the weight's bound and the bias's alike.
  const torch = byName(read('zoo.onnx', { policy: 'pytorch' }));
  const [weight, bias] = [torch.get('up.weight')!, torch.get('up.bias')!];
  assert.deepEqual([weight.initializer, weight.fanIn, weight.fanOut], ['kaimingUniform', 27, 36]);
  assert.ok(Math.abs(weight.std - 1 / Math.sqrt(3 * 27)) < 1e-12, 'U(+-1/sqrt 27)');
  assert.deepEqual(bias.options, { low: -1 / Math.sqrt(27), high: 1 / Math.sqrt(27) });
  // BatchNormalization sits between the stem conv and its ReLU.
  assert.match(p.get('stem.weight')!.rule, /^relu after stem/);
  assert.deepEqual(['stem_bn.mean', 'stem_bn.var'].map((name) => [p.get(name)!.role, p.get(name)!.trainable]), [['runningMean', false], ['runningVariance', false]]);
  assert.deepEqual([p.get('dense.weight')!.layout, p.get('dense.weight')!.fanIn, p.get('dense.weight')!.initializer], ['keras', 294, 'lecunNormal']);
  assert.match(p.get('dense.weight')!.rule, /^selu after dense/);
  assert.deepEqual([p.get('proj.weight')!.layout, p.get('proj.weight')!.fanIn, p.get('proj.weight')!.fanOut], ['torch', 32, 16]);
  assert.match(p.get('proj.weight')!.rule, /^sigmoid after proj/);
  assert.deepEqual([p.get('ln.scale')!.initializer, p.get('ln.bias')!.initializer], ['ones', 'zeros']);
  assert.deepEqual([p.get('rnn.R')!.initializer, p.get('rnn.R')!.shape], ['orthogonal', [8, 8]]);
  assert.equal(p.get('table.weight')!.kind, 'embedding');
  assert.deepEqual([p.get('prelu.slope')!.initializer, p.get('prelu.slope')!.options], ['constant', { value: 0.25 }]);
  assert.deepEqual(
    ['unsqueeze.axes', 'reshape.shape', 'half', 'unused.ids'].map((name) => status[name]),
    ['kept', 'kept', 'kept', 'kept'],
  );
  assert.match(model.initializers.find((i) => i.name === 'half')!.inferred, /kept: a scalar operand of Mul scale/);
  // A rule re-initializes a constant a user names, and keep keeps a parameter.
  const ruled = read('zoo.onnx', { rules: [{ match: 'half', init: 'constant', value: 2 }], keep: ['table.*'] });
  assert.deepEqual(byName(ruled).get('half')!.options, { value: 2 });
  assert.equal(ruled.initializers.find((i) => i.name === 'table.weight')!.status, 'kept');
});

test('one initializer in several roles (a TransformerEncoderLayer export) is planned for each; roles that disagree are an error naming them', () => {
  // PyTorch's exporter stores self_attn.out_proj.bias and the biases of norm1 and norm2 (zeros in a fresh layer)
  // as one initializer, and the scales of norm1 and norm2 (ones) as another.
  const model = read('transformer.onnx');
  const p = byName(model);
  assert.deepEqual([p.get('self_attn.out_proj.bias')!.initializer, p.get('norm1.weight')!.initializer], ['zeros', 'ones']);
  assert.match(model.initializers.find((i) => i.name === 'self_attn.out_proj.bias')!.inferred,
    /^bias of Gemm \/self_attn\/Gemm, fans 32\/32; also bias of LayerNormalization \/norm1\/LayerNormalization; bias of LayerNormalization \/norm2\/LayerNormalization$/);
  // The 'pytorch' policy draws a Linear bias from U(+-1/sqrt 32), but a LayerNorm's bias starts at zero: no one
  // plan is right for the tensor, and the error says which roles want what.
  assert.throws(() => read('transformer.onnx', { policy: 'pytorch' }), (error: Error) => error instanceof RangeError
    && error.message.includes('nninit.readOnnx: transformer.onnx: initializer "self_attn.out_proj.bias" [32] has 3 roles, and the policy gives them different values '
      + '(bias of Gemm /self_attn/Gemm -> uniform(±0.1768); bias of LayerNormalization /norm1/LayerNormalization -> zeros; bias of LayerNormalization /norm2/LayerNormalization -> zeros)')
    && error.message.includes(`rule such as { match: "self_attn.out_proj.bias", init: 'zeros' }, or keep it (keep: ["self_attn.out_proj.bias"])`));
  // A rule gives every role the same values; the shared scales agree (ones) under every policy.
  const ruled = byName(read('transformer.onnx', { policy: 'pytorch', rules: [{ match: 'self_attn.out_proj.bias', init: 'zeros' }] }));
  assert.deepEqual([ruled.get('self_attn.out_proj.bias')!.initializer, ruled.get('norm1.weight')!.initializer], ['zeros', 'ones']);
  assert.deepEqual(initParameter(ruled.get('self_attn.out_proj.bias')!), new Float32Array(32));
  assert.equal(read('transformer.onnx', { policy: 'pytorch', keep: ['self_attn.out_proj.bias'] }).initializers.find((i) => i.name === 'self_attn.out_proj.bias')!.status, 'kept');
  // A tied embedding (the table, and its transpose as the output projection): one parameter, two roles.
  const tied = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tied',
      node: [
        { opType: 'Gather', input: ['E', 'ids'], output: ['h'], name: 'embed', attribute: [{ name: 'axis', type: 2, i: 0 }] },
        { opType: 'Transpose', input: ['E'], output: ['E_t'], name: 'E_t', attribute: [{ name: 'perm', type: 7, ints: [1, 0] }] },
        { opType: 'MatMul', input: ['h', 'E_t'], output: ['logits'], name: 'head' },
      ],
      initializer: [zerosTensor('E', [50, 16])],
    },
  }).finish();
  assert.throws(() => readOnnx(tied, { seed: 1, file: 'tied.onnx' }), /tied\.onnx: initializer "E" \[50, 16\] has 2 roles, and the policy gives them different values \(embedding table of Gather embed -> normal\(std=1\); weight of MatMul head -> glorotUniform\); one initializer is a parameter used twice \(tied weights\).*rule such as \{ match: "E", init: 'normal', std: 1 \}/);
  // A rule whose values depend on fans gives them to each role by its own fans: where those differ (E also as a
  // [50 in, 16 out] MatMul weight, fans 50/16 against the table's 16/50), it is refused as well.
  const twice = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'twice',
      node: [
        { opType: 'Gather', input: ['E', 'ids'], output: ['h'], name: 'embed', attribute: [{ name: 'axis', type: 2, i: 0 }] },
        { opType: 'MatMul', input: ['x', 'E'], output: ['y'], name: 'project' },
      ],
      initializer: [zerosTensor('E', [50, 16])],
    },
  }).finish();
  assert.throws(() => readOnnx(twice, { seed: 1, rules: [{ match: 'E', init: 'heNormal' }] }), /initializer "E" \[50, 16\] has 2 roles, and the policy gives them different values \(embedding table of Gather embed -> heNormal \(fans 16\/50\); weight of MatMul project -> heNormal \(fans 50\/16\)\)/);
  assert.equal(readOnnx(twice, { seed: 1, rules: [{ match: 'E', init: 'uniform', low: -0.1, high: 0.1 }] }).parameters[0].initializer, 'uniform');
  const chosen = readOnnx(tied, { seed: 1, rules: [{ match: 'E', init: 'normal', std: 0.02 }] });
  assert.deepEqual([chosen.parameters[0].initializer, chosen.parameters[0].options], ['normal', { std: 0.02 }]);
});

// ---- what is written ---------------------------------------------------------------------------------------------

/** The byte ranges [start, end) of each initializer's raw_data in a serialized model, by name (independent walk of the wire format). */
function rawDataRanges(bytes: Uint8Array): Map<string, [number, number]> {
  const ranges = new Map<string, [number, number]>();
  const varint = (at: number): [number, number] => {
    let value = 0, shift = 0, pos = at;
    for (;;) {
      const byte = bytes[pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return [value, pos];
      shift += 7;
    }
  };
  const fields = (start: number, end: number, visit: (field: number, wire: number, from: number, to: number) => void) => {
    let pos = start;
    while (pos < end) {
      const [key, afterKey] = varint(pos);
      const field = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) pos = varint(afterKey)[1];
      else if (wire === 1) pos = afterKey + 8;
      else if (wire === 5) pos = afterKey + 4;
      else {
        const [length, from] = varint(afterKey);
        visit(field, wire, from, from + length);
        pos = from + length;
        continue;
      }
      visit(field, wire, afterKey, pos);
    }
  };
  fields(0, bytes.length, (field, _wire, from, to) => {
    if (field !== 7) return;
    fields(from, to, (gField, _gWire, gFrom, gTo) => {
      if (gField !== 5) return;
      let name = '', raw: [number, number] | undefined;
      fields(gFrom, gTo, (tField, _tWire, tFrom, tTo) => {
        if (tField === 8) name = new TextDecoder().decode(bytes.subarray(tFrom, tTo));
        if (tField === 9) raw = [tFrom, tTo];
      });
      if (raw) ranges.set(name, raw);
    });
  });
  return ranges;
}

for (const name of ['cnn.onnx', 'mlp.onnx', 'matmul.onnx', 'lstm.onnx', 'gru.onnx', 'zoo.onnx', 'transformer.onnx']) {
  test(`${name}: the written model is the input byte for byte outside the re-initialized raw_data, which holds the plan's values`, () => {
    const input = fixture(name);
    const model = readOnnx(input, { seed: 11, file: name });
    const output = writeOnnx(model);
    // Every fixture stores its data as raw_data, so lengths and places are unchanged.
    assert.equal(output.length, input.length);
    const ranges = rawDataRanges(output);
    const planned = new Set(model.parameters.map((p) => p.name));
    const mask = new Uint8Array(output.length);
    for (const p of model.parameters) {
      const [from, to] = ranges.get(p.name)!;
      assert.deepEqual(output.subarray(from, to), bytesOf(initParameter(p)), p.name);
      mask.fill(1, from, to);
    }
    for (let i = 0; i < output.length; i++) if (!mask[i]) assert.equal(output[i], input[i], `byte ${i} outside the planned tensors`);
    // And the schema's decoder reads back the same graph, opsets and metadata.
    const a = onnx.ModelProto.decode(input), b = onnx.ModelProto.decode(output);
    assert.deepEqual(b.graph!.node, a.graph!.node);
    assert.deepEqual([b.opsetImport, b.metadataProps, b.producerName, b.irVersion], [a.opsetImport, a.metadataProps, a.producerName, a.irVersion]);
    for (const t of a.graph!.initializer!) if (!planned.has(t.name!)) assert.deepEqual(b.graph!.initializer!.find((u) => u.name === t.name), t, t.name!);
    // The same seed gives the same bytes; another seed other values.
    assert.deepEqual(writeOnnx(readOnnx(input, { seed: 11, file: name })), output);
    assert.notDeepEqual(writeOnnx(readOnnx(input, { seed: 12, file: name })), output);
  });
}

test('tensors stored in float_data are re-encoded as raw_data; float16 and float64 initializers keep their type', () => {
  const w = (name: string, dataType: number, data: object) => ({ name, dims: [4, 3], dataType, ...data });
  const bytes = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [
        { opType: 'MatMul', input: ['x', 'w32'], output: ['y32'], name: 'a' },
        { opType: 'MatMul', input: ['x16', 'w16'], output: ['y16'], name: 'b' },
        { opType: 'MatMul', input: ['x64', 'w64'], output: ['y64'], name: 'c' },
      ],
      initializer: [
        w('w32', 1, { floatData: Array.from({ length: 12 }, (_, i) => i) }),
        w('w16', 10, { int32Data: Array(12).fill(0x3c00) }),
        w('w64', 11, { doubleData: Array(12).fill(0.5) }),
      ],
    },
  }).finish();
  const model = readOnnx(bytes, { seed: 1 });
  assert.deepEqual(model.parameters.map((p) => p.dtype), ['float32', 'float16', 'float64']);
  const written = onnx.ModelProto.decode(writeOnnx(model));
  model.parameters.forEach((p, k) => {
    const t = written.graph!.initializer![k];
    assert.deepEqual(t.rawData, bytesOf(initParameter(p)), p.name);
    assert.deepEqual([t.floatData, t.int32Data, t.doubleData, t.dataType], [[], [], [], [1, 10, 11][k]], p.name);
  });
});

// ---- the reference checker, numpy, onnxruntime -------------------------------------------------------------------

const onnxMissing = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `needs ${PYTHON} with onnx (Debian python3-onnx): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`;
})();

test("onnx's checker accepts every written model, and numpy reads each initializer's values as nninit computed them", { skip: onnxMissing }, withFolder((folder) => {
  const expected: Record<string, Record<string, string>> = {};
  for (const name of ['cnn.onnx', 'mlp.onnx', 'matmul.onnx', 'lstm.onnx', 'gru.onnx', 'zoo.onnx', 'transformer.onnx']) {
    const model = readOnnx(fixture(name), { seed: 3, file: name });
    writeFileSync(join(folder, name), writeOnnx(model));
    expected[name] = Object.fromEntries(model.parameters.map((p) => [p.name, Buffer.from(bytesOf(initParameter(p))).toString('hex').slice(0, 64) + `:${p.size}`]));
  }
  const script = `
import json, sys, onnx
from onnx import numpy_helper
folder, expected = sys.argv[1], json.loads(sys.argv[2])
for name, tensors in expected.items():
    model = onnx.load(f'{folder}/{name}')
    onnx.checker.check_model(model, full_check=True)
    original = onnx.load('${FIXTURES}' + name)
    assert model.graph.node == original.graph.node and model.opset_import == original.opset_import and model.metadata_props == original.metadata_props, name
    for t in model.graph.initializer:
        values = numpy_helper.to_array(t)
        if t.name in tensors:
            got = values.astype('<f4').tobytes().hex()[:64] + f':{values.size}'
            assert got == tensors[t.name], (name, t.name, got, tensors[t.name])
        else:
            assert t == next(u for u in original.graph.initializer if u.name == t.name), (name, t.name)
print('ok')
`;
  const run = spawnSync(PYTHON, ['-c', script, folder, JSON.stringify(expected)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'ok');
}));

test('onnxruntime-web loads and runs every written model, and its outputs are finite', async () => {
  const feeds: Record<string, () => Record<string, ort.Tensor>> = {
    'cnn.onnx': () => ({ x: new ort.Tensor('float32', normal([108], { seed: 1 }) as Float32Array, [1, 3, 6, 6]) }),
    'mlp.onnx': () => ({ x: new ort.Tensor('float32', normal([80], { seed: 1 }) as Float32Array, [4, 20]) }),
    'matmul.onnx': () => ({ x: new ort.Tensor('float32', normal([200], { seed: 1 }) as Float32Array, [2, 5, 20]) }),
    'lstm.onnx': () => ({ ids: new ort.Tensor('int64', BigInt64Array.from({ length: 14 }, (_, i) => BigInt(i * 3 % 50)), [2, 7]) }),
    'gru.onnx': () => ({ x: new ort.Tensor('float32', normal([80], { seed: 1 }) as Float32Array, [2, 5, 8]) }),
    'transformer.onnx': () => ({ x: new ort.Tensor('float32', normal([320], { seed: 1 }) as Float32Array, [2, 5, 32]) }),
    'zoo.onnx': () => ({
      x: new ort.Tensor('float32', normal([100], { seed: 1 }) as Float32Array, [1, 4, 5, 5]),
      ids: new ort.Tensor('int64', BigInt64Array.from([1n, 5n, 9n]), [3]),
    }),
  };
  for (const [name, feed] of Object.entries(feeds)) {
    // zoo.onnx keeps an unused initializer on purpose; onnxruntime would warn about it.
    const session = await ort.InferenceSession.create(writeOnnx(readOnnx(fixture(name), { seed: 5, file: name })), { logSeverityLevel: 3 });
    const outputs = await session.run(feed());
    for (const [output, tensor] of Object.entries(outputs)) {
      const values = tensor.data as Float32Array;
      assert.ok(values.length > 0 && values.every(Number.isFinite), `${name}: ${output}`);
    }
    if (name === 'zoo.onnx') {
      // Softmax rows sum to 1.
      const y = outputs.y.data as Float32Array;
      for (let row = 0; row < 3; row++) assert.ok(Math.abs(y.slice(row * 8, row * 8 + 8).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
    await session.release();
  }
});

// ---- activations keep their scale --------------------------------------------------------------------------------

type Node = { opType: string; input: string[]; output: string[]; name: string; attribute?: object[] };
const valueInfo = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
const zerosTensor = (name: string, dims: number[]) => ({ name, dims, dataType: 1, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });

/** A model whose every ReLU output is a graph output, weights zero (nninit fills them). */
function encodeModel(nodes: Node[], initializer: object[], input: object, outputs: object[]): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'deep', node: nodes, initializer, input: [input], output: outputs } }).finish();
}

function deepMlp(width: number, depth: number, batch: number): Uint8Array {
  const nodes: Node[] = [], initializer: object[] = [], outputs: object[] = [];
  let x = 'x';
  for (let l = 0; l < depth; l++) {
    initializer.push(zerosTensor(`fc${l}.weight`, [width, width]), zerosTensor(`fc${l}.bias`, [width]));
    nodes.push({ opType: 'Gemm', input: [x, `fc${l}.weight`, `fc${l}.bias`], output: [`z${l}`], name: `fc${l}`, attribute: [{ name: 'transB', type: 2, i: 1 }] });
    nodes.push({ opType: 'Relu', input: [`z${l}`], output: [`h${l}`], name: `relu${l}` });
    outputs.push(valueInfo(`h${l}`, [batch, width]));
    x = `h${l}`;
  }
  return encodeModel(nodes, initializer, valueInfo('x', [batch, width]), outputs);
}

function deepConv(channels: number, depth: number, size: number): Uint8Array {
  const nodes: Node[] = [], initializer: object[] = [], outputs: object[] = [];
  let x = 'x';
  for (let l = 0; l < depth; l++) {
    initializer.push(zerosTensor(`conv${l}.weight`, [channels, channels, 3, 3]), zerosTensor(`conv${l}.bias`, [channels]));
    nodes.push({ opType: 'Conv', input: [x, `conv${l}.weight`, `conv${l}.bias`], output: [`z${l}`], name: `conv${l}`, attribute: [{ name: 'kernel_shape', type: 7, ints: [3, 3] }] });
    nodes.push({ opType: 'Relu', input: [`z${l}`], output: [`h${l}`], name: `relu${l}` });
    outputs.push(valueInfo(`h${l}`, [2, channels, size - 2 * (l + 1), size - 2 * (l + 1)]));
    x = `h${l}`;
  }
  return encodeModel(nodes, initializer, valueInfo('x', [2, channels, size, size]), outputs);
}

const meanSquare = (values: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum / values.length;
};

/** Mean squares of every post-ReLU output, relative to the input's. */
async function scales(bytes: Uint8Array, policy: 'activation' | 'pytorch', input: Float32Array, dims: number[], depth: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(writeOnnx(readOnnx(bytes, { seed: 21, policy })));
  const outputs = await session.run({ x: new ort.Tensor('float32', input, dims) });
  await session.release();
  return Array.from({ length: depth }, (_, l) => meanSquare(outputs[`h${l}`].data as Float32Array) / meanSquare(input));
}

test('He from the graph keeps post-ReLU activations at the input\'s scale (within 20%) through deep stacks; PyTorch\'s defaults shrink them', async () => {
  // E[relu(z)^2] = Var(z) / 2 and Var(z) = fanIn * 2 / fanIn * E[h^2]: the mean square is preserved (He et al. 2015).
  const width = 256, depth = 6, batch = 256;
  const x = normal([batch, width], { seed: 99 }) as Float32Array;
  const mlp = await scales(deepMlp(width, depth, batch), 'activation', x, [batch, width], depth);
  mlp.forEach((ratio, l) => assert.ok(Math.abs(ratio - 1) < 0.2, `dense layer ${l}: mean square ${ratio.toFixed(3)} of the input's`));
  // A single draw's gain per layer spreads as O(1/sqrt(channels)) (Hanin and Rolnick 2018): 128 channels keep it
  // within a few percent.
  const convInput = normal([2, 128, 14, 14], { seed: 98 }) as Float32Array;
  const conv = await scales(deepConv(128, 3, 14), 'activation', convInput, [2, 128, 14, 14], 3);
  conv.forEach((ratio, l) => assert.ok(Math.abs(ratio - 1) < 0.2, `conv layer ${l}: mean square ${ratio.toFixed(3)} of the input's`));
  // kaiming_uniform_(a = sqrt 5) has a sixth of that gain per ReLU layer: the same check fails at once.
  const torch = await scales(deepMlp(width, depth, batch), 'pytorch', x, [batch, width], depth);
  assert.ok(torch[0] < 0.25 && torch[depth - 1] < 1e-3, `pytorch policy: ${torch.map((r) => r.toExponential(2)).join(', ')}`);
});

// ---- external data --------------------------------------------------------------------------------------------

test('external data: read through the Node helper, written with a data file of its own; kept tensors copied; onnxruntime runs it', withFolder(async (folder) => {
  // table.weight is kept: its bytes are copied from the input's data file into the new one.
  const model = await readOnnxFile(join(FIXTURES, 'external.onnx'), { seed: 4, keep: ['table.*'] });
  const external = model.initializers.filter((i) => i.external).map((i) => i.name);
  assert.deepEqual(external, ['up.weight', 'dense.weight', 'proj.weight', 'rnn.W', 'rnn.R', 'table.weight']);
  assert.throws(() => writeOnnx(model), /initializer "up\.weight" is stored in the external file external\.onnx\.data; write models with external data with writeOnnxFile/);
  const result = await writeOnnxFile(model, join(folder, 'fresh.onnx'));
  assert.deepEqual(result.files, [join(folder, 'fresh.onnx'), join(folder, 'fresh.onnx.data')]);
  assert.deepEqual(readdirSync(folder).sort(), ['fresh.onnx', 'fresh.onnx.data']);
  const written = onnx.ModelProto.decode(readFileSync(join(folder, 'fresh.onnx')));
  const data = readFileSync(join(folder, 'fresh.onnx.data'));
  const original = readFileSync(join(FIXTURES, 'external.onnx.data'));
  const plans = byName(model);
  for (const [k, t] of written.graph!.initializer!.entries()) {
    const p = plans.get(t.name!);
    if (!external.includes(t.name!)) {
      assert.equal(t.externalData!.length, 0, t.name!);
      if (p) assert.deepEqual(new Uint8Array(t.rawData!), bytesOf(initParameter(p)), t.name!);
      continue;
    }
    const entries = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
    assert.equal(entries.location, 'fresh.onnx.data');
    assert.equal(Number(entries.offset) % 4096, 0, `${t.name}: aligned`);
    const bytes = data.subarray(Number(entries.offset), Number(entries.offset) + Number(entries.length));
    if (p) assert.deepEqual(new Uint8Array(bytes), bytesOf(initParameter(p)), t.name!);
    else {
      const source = model.initializers[k].external!;
      assert.deepEqual(bytes, original.subarray(source.offset, source.offset + source.length), `${t.name}: kept byte for byte`);
    }
  }
  // onnxruntime runs it with its data file, and computes what the same model written inline computes.
  const session = await ort.InferenceSession.create(readFileSync(join(folder, 'fresh.onnx')), { externalData: [{ path: 'fresh.onnx.data', data: new Uint8Array(data) }], logSeverityLevel: 3 });
  const zoo = readOnnx(fixture('zoo.onnx'), { seed: 4, keep: ['table.*'] });
  const inlineBytes = writeOnnx(zoo);
  const inline = await ort.InferenceSession.create(inlineBytes, { logSeverityLevel: 3 });
  const feed = { x: new ort.Tensor('float32', normal([100], { seed: 2 }) as Float32Array, [1, 4, 5, 5]), ids: new ort.Tensor('int64', BigInt64Array.from([0n, 3n, 7n]), [3]) };
  assert.deepEqual((await session.run(feed)).y.data, (await inline.run(feed)).y.data);
  await session.release();
  await inline.release();
  if (!onnxMissing) {
    const check = spawnSync(PYTHON, ['-c', 'import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True); print("ok")', join(folder, 'fresh.onnx')], { encoding: 'utf8' });
    assert.equal(check.stdout.trim(), 'ok', check.stderr);
  }
}));

test('external data that is missing, outside the folder or too short is refused before anything is written', withFolder(async (folder) => {
  copyFileSync(join(FIXTURES, 'external.onnx'), join(folder, 'm.onnx'));
  await assert.rejects(readOnnxFile(join(folder, 'm.onnx')), /m\.onnx: initializer "up\.weight": its external data file .*external\.onnx\.data does not exist/);
  writeFileSync(join(folder, 'external.onnx.data'), new Uint8Array(1000));
  await assert.rejects(readOnnxFile(join(folder, 'm.onnx')), /m\.onnx: initializer "dense\.weight": its 37632 bytes at offset \d+ run beyond the 1000 bytes of .*external\.onnx\.data/);
  assert.deepEqual(readdirSync(folder).sort(), ['external.onnx.data', 'm.onnx']);
  const escaped = readFileSync(join(FIXTURES, 'external.onnx')).toString('latin1').replaceAll('external.onnx.data', '../xternal.onnx.da');
  assert.throws(() => readOnnx(new Uint8Array(Buffer.from(escaped, 'latin1')), { file: 'escape.onnx' }), /escape\.onnx: initializer "up\.weight": external_data location "\.\.\/xternal\.onnx\.da" must be a path inside the model's folder/);
}));

test('an aborted write (Ctrl-C in the command) removes its temporary files and leaves no output', withFolder(async (folder) => {
  // 9.7 MB of weights: more than one 4 MiB chunk, so the abort lands between two.
  const model = readOnnx(deepMlp(1100, 2, 1), { seed: 1 });
  const controller = new AbortController();
  let chunks = 0;
  await assert.rejects(writeOnnxFile(model, join(folder, 'fresh.onnx'), {
    signal: controller.signal,
    onProgress: () => {
      chunks++;
      controller.abort(new DOMException('interrupted', 'AbortError'));
    },
  }), { name: 'AbortError' });
  assert.ok(chunks >= 1);
  assert.deepEqual(readdirSync(folder), []);
  await assert.rejects(writeOnnxFile(model, join(folder, 'fresh.onnx'), { signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.deepEqual(readdirSync(folder), []);
}));

// ---- bad input -------------------------------------------------------------------------------------------------

test('bad input: truncated or foreign bytes, an unknown role, bad options, each a clear error naming the file and tensor', () => {
  const cnn = fixture('cnn.onnx');
  // A file cut short names what the cut falls in: the initializer whose bytes run past the end, or a node.
  assert.throws(() => readOnnx(cnn.subarray(0, cnn.length - 1000), { file: 'cut.onnx' }), (error: Error) => error instanceof RangeError
    && error.message === `nninit.readOnnx: cut.onnx: not a valid ONNX model: the file is cut short or damaged: initializer "head.weight" [10, 576] runs past the end of the file: its bytes 3466 to 26530 are cut at ${cnn.length - 1000}`);
  assert.throws(() => readOnnx(cnn.subarray(0, 100), { file: 'cut.onnx' }), /cut\.onnx: not a valid ONNX model: the file is cut short or damaged: the graph's 2nd node \(bytes 78 to 128\) runs 28 bytes past the end of the file$/);
  const zoo = fixture('zoo.onnx');
  assert.throws(() => readOnnx(zoo.subarray(0, 5000), { file: 'zoo.onnx' }), /zoo\.onnx: not a valid ONNX model: the file is cut short or damaged: initializer "dense\.weight" \[294, 32\] runs past the end of the file: its bytes 1935 to 39592 are cut at 5000$/);
  assert.throws(() => readOnnx(new TextEncoder().encode('{"layers": []}'), { file: 'x.onnx' }), /x\.onnx: not a valid ONNX model/);
  assert.throws(() => readOnnx('model' as never), /nninit\.readOnnx: bytes: expected a Uint8Array or ArrayBuffer/);
  assert.throws(() => readOnnx(cnn, { polcy: 'pytorch' } as never), /nninit\.readOnnx: options\.polcy: unknown field/);
  assert.throws(() => readOnnx(cnn, { policy: 'model' }), /options\.policy: 'model' reproduces the initializers a TF\.js model\.json configures/);
  assert.throws(() => readOnnx(cnn, { keep: ['nothing.*'] }), /options\.keep\[0\]: expected a glob matching a tensor of model\.onnx/);
  assert.throws(() => readOnnx(cnn, { rules: [{ match: 'fc9.*', init: 'zeros' }] }), /model\.onnx: options\.rules\[0\]\.match: "fc9\.\*" matches no parameter/);
  assert.throws(() => writeOnnx({} as never), /nninit\.writeOnnx: model: expected a model from readOnnx/);

  // A float weight of an op nninit has no table for.
  const custom = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Warp', domain: 'com.example', input: ['x', 'warp.weight'], output: ['y'], name: 'warp' }, { opType: 'Add', input: ['y', 'offset'], output: ['z'], name: 'add' }],
      initializer: [zerosTensor('warp.weight', [8, 8]), zerosTensor('offset', [1, 8])],
    },
  }).finish();
  assert.throws(() => readOnnx(custom, { file: 'custom.onnx' }), (error: Error) => error instanceof RangeError
    && /custom\.onnx: cannot tell what 2 initializers "warp\.weight" \[8, 8\] \(input 1 of Warp warp; nninit does not know what input 1 of Warp is\), "offset" \[1, 8\] \(input 1 of Add add; a tensor of 8 values combined element-wise by Add may be a parameter/.test(error.message)
    && /keep them \(keep: \["warp\.weight"\]\) or add a rule such as \{ match: "warp\.weight", init: 'zeros' \}/.test(error.message));
  // The bias of a layer whose weight is not an initializer: the message says where the weight comes from.
  const layer = (nodes: object[], initializer: object[], inputs: string[] = []) => onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'g', node: nodes, initializer, input: inputs.map((name) => valueInfo(name, [4, 4])) },
  }).finish();
  const hints: [Uint8Array, RegExp][] = [
    [layer([{ opType: 'Gemm', input: ['x', 'w', 'b'], output: ['y'], name: 'fc' }], [zerosTensor('b', [4])], ['x', 'w']),
      /"b" \[4\] \(input 2 of Gemm fc; its bias C; the weight B, "w", is a graph input, not an initializer, so there is no layer to plan it with\)/],
    [layer([{ opType: 'DequantizeLinear', input: ['q', 's'], output: ['w'], name: 'dq' }, { opType: 'Conv', input: ['x', 'w', 'b'], output: ['y'], name: 'conv' }], [zerosTensor('b', [4])], ['x', 'q', 's']),
      /"b" \[4\] \(input 2 of Conv conv; its bias B; the weight W, "w", is computed by DequantizeLinear dq, not an initializer, so there is no layer to plan it with\)/],
    [layer([{ opType: 'Gemm', input: ['x', 'nowhere', 'b'], output: ['y'], name: 'fc' }], [zerosTensor('b', [4])], ['x']),
      /\(input 2 of Gemm fc; its bias C; the weight B, "nowhere", is made by no node and is no graph input, so there is no layer to plan it with\)/],
    [layer([{ opType: 'Conv', input: ['x', 'w'], output: ['y'], name: 'conv' }], [zerosTensor('w', [4, 4])], ['x']),
      /"w" \[4, 4\] \(input 1 of Conv conv; its weight W, but dims \[4, 4\] are not those of one\)/],
    [layer([{ opType: 'MatMul', input: ['w', 'x'], output: ['y'], name: 'mm' }], [zerosTensor('w', [4, 4])], ['x']),
      /"w" \[4, 4\] \(input 0 of MatMul mm; its input A \(the left operand\); nninit reads a MatMul's weight as its right operand B\)/],
  ];
  for (const [bytes, message] of hints) assert.throws(() => readOnnx(bytes, { seed: 1 }), message);
  const covered = readOnnx(custom, { seed: 1, rules: [{ match: 'warp.weight', init: 'orthogonal' }], keep: ['offset'] });
  assert.deepEqual(covered.parameters.map((p) => [p.name, p.initializer]), [['warp.weight', 'orthogonal']]);
  assert.match(covered.parameters[0].rule, /options\.rules\[0\]/);
});
