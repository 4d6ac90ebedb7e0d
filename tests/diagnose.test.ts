// The probe against an independent float64 forward and backward pass (tests/diagnose-reference.ts), on both
// backends, for every layer type and activation it runs; then its options, errors and warnings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import type { ModelSpecInput, ProbeReport, LayerReport } from 'nninit';
import { referencePass, stats, pooledStd, df, type ReferenceLayer } from './diagnose-reference.ts';
import { withBackend } from './with-backend.ts';

const { probe, initModel, normal, warningsOf } = nninit;

const SEED = 11;
/** Relative tolerance for float32 arithmetic against float64: a few hundred ulps accumulated over layers. */
const RELATIVE = 2e-4;

function close(actual: number, expected: number, scale: number, what: string): void {
  const error = Math.abs(actual - expected);
  assert.ok(error <= RELATIVE * Math.max(Math.abs(expected), scale) + 1e-30, `${what}: ${actual} vs ${expected} (error ${error.toExponential(2)}, scale ${scale.toExponential(2)})`);
}

/** The activations that can die (report.ts: ReLU at f' = 0, the smooth ones where |f'| < 1e-3). */
const DYING = new Set(['relu', 'gelu', 'silu', 'swish', 'mish']);

/** Dead, saturated and distinct counts of a reference layer, by the definitions of report.ts. */
function referenceCounts(r: ReferenceLayer, l: LayerReport, cell?: string) {
  const cols = r.units, rows = r.post.length / cols;
  let dead = 0;
  const preCols = r.pre.length / rows;
  const dies = cell === 'rnn' ? l.activation === 'relu' : !cell && DYING.has(l.activation);
  if (dies) {
    for (let j = 0; j < preCols; j++) {
      let alive = false;
      for (let i = 0; i < rows; i++) if (!(Math.abs(df(l.activation, 0, r.pre[i * preCols + j])) < (l.activation === 'relu' ? 0.5 : 1e-3))) alive = true;
      if (!alive) dead++;
    }
  }
  let saturated = 0, total = 0;
  const symmetric = (v: number) => Math.abs(v) > 0.99, sigmoid = (v: number) => v < 0.01 || v > 0.99;
  if (r.gates) {
    const gates = r.gates.length / rows, u = gates / (cell === 'lstm' ? 4 : 3);
    const tanhBlock = 2;
    for (let i = 0; i < r.gates.length; i++) {
      const block = Math.floor((i % gates) / u);
      if (block === tanhBlock ? symmetric(r.gates[i]) : sigmoid(r.gates[i])) saturated++;
      total++;
    }
  } else if (l.activation === 'tanh' || l.activation === 'softsign') {
    for (const v of r.post) if (symmetric(v)) saturated++;
    total = r.post.length;
  } else if (l.activation === 'sigmoid') {
    for (const v of r.post) if (sigmoid(v)) saturated++;
    total = r.post.length;
  } else if (l.activation === 'softmax') {
    // A sample's probabilities are nearly one-hot when the largest is above 0.99.
    for (let i = 0; i < rows; i++) if (Math.max(...r.post.slice(i * cols, (i + 1) * cols)) > 0.99) saturated++;
    total = rows;
  }
  return { deadFraction: dead / preCols, saturated, total, rows };
}

interface Case {
  spec: ModelSpecInput & { layers: Record<string, unknown>[] };
  spatial?: number[];
  samples?: number;
  policy?: string;
  cells?: (string | undefined)[];
}

/** Probes `spec` on `backend` with an explicit input and compares every layer with the float64 pass. */
function compare(c: Case, backend: 'wasm' | 'js'): ProbeReport {
  const spec = { seed: SEED, ...c.spec, ...(c.policy ? { policy: c.policy } : {}) } as ModelSpecInput;
  const weights = initModel(spec);
  const samples = c.samples ?? 16;
  const spatial = c.spatial ?? [];
  const first = firstLayer(c.spec.layers);
  const perSample = spatial.reduce((a, b) => a * b, 1) * (first.type === 'embedding' ? 1 : (first.in ?? first.dim) as number);
  // Token ids for a first embedding (every id of the vocabulary in turn), else N(0, 1) values.
  const input = first.type === 'embedding'
    ? Float32Array.from({ length: samples * perSample }, (_, i) => (i * 7) % (first.vocab as number))
    : normal([samples * perSample], { seed: 3, stream: 'test.input' });
  const report = withBackend(backend, () => probe({ spec, weights }, { input, ...(c.spatial ? { spatial } : {}), steps: spatial[0] ?? 16 }));
  const outputWidth = report.layers.at(-1)!.units * (lastPositions(report, samples));
  const projection = normal([samples * outputWidth], { seed: SEED, stream: 'probe.projection' });
  const ref = referencePass(spec as never, weights as Map<string, Float32Array>, input, samples, spatial, projection);
  assert.equal(report.layers.length, ref.layers.length, 'layer count');
  assert.equal(report.batch, samples);
  close(report.loss, ref.loss, Math.abs(ref.loss) + 1, 'loss');
  report.layers.forEach((l, i) => {
    const r = ref.layers[i];
    const where = `${backend} ${l.name} (${l.type} ${l.activation})`;
    assert.equal(l.name, r.name, `${where}: name`);
    assert.equal(l.index, i);
    assert.equal(l.units, r.units, `${where}: units`);
    for (const [part, values] of [['pre', r.pre], ['post', r.post]] as const) {
      const expected = stats(values);
      const scale = expected.rms;
      for (const key of ['mean', 'std', 'rms', 'min', 'max'] as const) close(l[part][key], expected[key], scale, `${where}: ${part}.${key}`);
    }
    const counts = referenceCounts(r, l, c.cells?.[i]);
    close(l.deadFraction, counts.deadFraction, 0, `${where}: deadFraction`);
    // A value within float32 rounding of a saturation threshold may fall either side of it.
    assert.ok(Math.abs(l.saturatedFraction * counts.total - counts.saturated) <= 2, `${where}: saturated ${l.saturatedFraction * counts.total} vs ${counts.saturated}`);
    const h = l.histogram;
    assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.zeros + h.below + h.above, r.post.length, `${where}: histogram total`);
    const expectedBins = new Array(h.counts.length).fill(0);
    let zeros = 0;
    for (const v of r.post) {
      if (v === 0) zeros++;
      else if (v >= h.low && v < h.high) expectedBins[Math.floor((v - h.low) / ((h.high - h.low) / h.counts.length))]++;
    }
    assert.ok(Math.abs(h.zeros - zeros) <= 2, `${where}: exact zeros ${h.zeros} vs ${zeros}`);
    h.counts.forEach((count, b) => assert.ok(Math.abs(count - expectedBins[b]) <= 2, `${where}: histogram bin ${b}: ${count} vs ${expectedBins[b]}`));
    const gi = stats(r.gradInput!).std;
    close(l.gradientInputStd, gi, gi, `${where}: gradientInputStd`);
    const gw = r.gradWeights ? pooledStd(r.gradWeights) : 0;
    close(l.gradientWeightStd, gw, gw, `${where}: gradientWeightStd`);
  });
  return report;
}

function firstLayer(layers: Record<string, unknown>[]): Record<string, unknown> {
  const l = layers[0];
  return l.type === 'repeat' || l.type === 'block' ? firstLayer(l.layers as Record<string, unknown>[]) : l;
}

function lastPositions(report: ProbeReport, samples: number): number {
  const last = report.layers.at(-1)!;
  // rows per sample = values / (samples x units); recovered from the histogram's total.
  const h = last.histogram;
  return (h.counts.reduce((a, b) => a + b, 0) + h.below + h.above) / (samples * last.units);
}

const ACTIVATIONS = ['linear', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'swish', 'mish', 'tanh', 'sigmoid', 'softsign', 'softmax'];

const CASES: Record<string, Case> = {
  'dense, every activation (pytorch policy: nonzero biases)': {
    policy: 'pytorch',
    spec: { layers: ACTIVATIONS.map((activation, i) => ({ type: 'dense', name: `fc${i}`, in: i === 0 ? 10 : 12, out: 12, activation, ...(activation === 'leaky_relu' ? { slope: 0.2 } : {}) })) },
  },
  'dense in the keras layout, a linear layer without bias': {
    spec: { layout: 'keras', layers: [
      { type: 'dense', name: 'a', in: 9, out: 13, activation: 'gelu' },
      { type: 'dense', name: 'b', in: 13, out: 7, bias: false },
    ] },
  },
  'conv1d and conv2d (groups, even kernel) flattened into dense, torch layout': {
    policy: 'pytorch',
    spatial: [5, 6],
    spec: { layers: [
      { type: 'conv2d', name: 'c1', in: 3, out: 8, kernel: 3, activation: 'relu' },
      { type: 'conv2d', name: 'c2', in: 8, out: 8, kernel: [2, 3], groups: 4, activation: 'tanh' },
      { type: 'conv2d', name: 'c3', in: 8, out: 8, kernel: 1, groups: 8, bias: false },
      { type: 'dense', name: 'head', in: 240, out: 5, activation: 'softmax' },
    ] },
  },
  'conv2d in the keras layout, flattened position-major': {
    policy: 'pytorch',
    spatial: [4, 3],
    spec: { layout: 'keras', layers: [
      { type: 'conv2d', name: 'c1', in: 2, out: 6, kernel: [3, 2], groups: 2, activation: 'elu' },
      { type: 'dense', name: 'head', in: 72, out: 4 },
    ] },
  },
  'conv1d with a dense layer per position': {
    spatial: [7],
    spec: { layers: [
      { type: 'conv1d', name: 'c', in: 4, out: 6, kernel: 4, activation: 'silu' },
      { type: 'dense', name: 'd', in: 6, out: 3, activation: 'sigmoid' },
    ] },
  },
  'conv3d': {
    policy: 'pytorch',
    spatial: [3, 4, 2],
    spec: { layers: [{ type: 'conv3d', name: 'c', in: 2, out: 4, kernel: [3, 2, 3], activation: 'mish' }] },
  },
  'rnn (tanh, relu), lstm and gru, torch layout': {
    policy: 'pytorch',
    spatial: [5],
    cells: ['rnn', 'rnn', 'lstm', 'gru', undefined],
    spec: { layers: [
      { type: 'rnn', name: 'r1', in: 6, units: 7 },
      { type: 'rnn', name: 'r2', in: 7, units: 7, activation: 'relu' },
      { type: 'lstm', name: 'l', in: 7, units: 5 },
      { type: 'gru', name: 'g', in: 5, units: 6 },
      { type: 'dense', name: 'd', in: 6, out: 3 },
    ] },
  },
  'lstm, gru and rnn in the keras layout (unit forget bias, reset_after GRU biases)': {
    policy: 'keras',
    spatial: [4],
    cells: ['lstm', 'gru', 'rnn'],
    spec: { layout: 'keras', layers: [
      { type: 'lstm', name: 'l', in: 3, units: 5 },
      { type: 'gru', name: 'g', in: 5, units: 4 },
      { type: 'rnn', name: 'r', in: 4, units: 4 },
    ] },
  },
  'a first embedding (token ids) feeding an lstm and a softmax decoder': {
    spatial: [6],
    cells: [undefined, 'lstm', undefined],
    spec: { layers: [
      { type: 'embedding', name: 'embed', vocab: 11, dim: 5 },
      { type: 'lstm', name: 'l', in: 5, units: 4 },
      { type: 'dense', name: 'decoder', in: 4, out: 11, activation: 'softmax' },
    ] },
  },
  'residual repeats and blocks with layernorm, rmsnorm and batchnorm': {
    policy: 'pytorch',
    spec: { layers: [
      { type: 'dense', name: 'in', in: 8, out: 16, activation: 'relu' },
      { type: 'repeat', name: 'res', count: 2, residual: true, layers: [
        { type: 'layernorm', name: 'ln', dim: 16 },
        { type: 'dense', name: 'fc', in: 16, out: 16, activation: 'gelu' },
        { type: 'block', residual: true, name: 'inner', layers: [{ type: 'rmsnorm', name: 'rms', dim: 16 }, { type: 'dense', name: 'p', in: 16, out: 16 }] },
      ] },
      { type: 'batchnorm', name: 'bn', dim: 16 },
      { type: 'dense', name: 'out', in: 16, out: 4 },
    ] },
  },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`probe matches a float64 forward/backward pass, the same report on both backends: ${name}`, () => {
    const [wasm, js] = (['wasm', 'js'] as const).map((backend) => compare(c, backend));
    // The js kernels do the wasm kernels' float32 operations in the same order, with the same float32 functions:
    // every number of the report, forward and backward, is the same.
    assert.deepEqual(js, wasm);
  });
}

test('a stacked recurrent layer (numLayers 2) is probed as two layers named name.l0 and name.l1', () => {
  const stacked = { seed: 5, layers: [{ type: 'lstm', name: 'l', in: 4, units: 6, numLayers: 2 }] } as ModelSpecInput;
  const weights = initModel(stacked);
  const report = probe({ spec: stacked, weights }, { batch: 8, steps: 3 });
  assert.deepEqual(report.layers.map((l) => l.name), ['l.l0', 'l.l1']);
  const split = { seed: 5, layers: [{ type: 'lstm', name: 'a', in: 4, units: 6 }, { type: 'lstm', name: 'b', in: 6, units: 6 }] } as ModelSpecInput;
  const rename = new Map<string, Float32Array>();
  for (const [key, values] of weights) rename.set(key.replace(/^l\.(.*)_l0$/, 'a.$1_l0').replace(/^l\.(.*)_l1$/, 'b.$1_l0'), values as Float32Array);
  const same = probe({ spec: split, weights: rename }, { batch: 8, steps: 3, seed: report.seed });
  assert.deepEqual(same.layers.map((l) => l.post), report.layers.map((l) => l.post));
  assert.deepEqual(same.layers.map((l) => l.gradientWeightStd), report.layers.map((l) => l.gradientWeightStd));
});

test('zero weights leave one distinct unit per layer, and warningsOf says so', () => {
  const spec = { seed: 1, rules: [{ match: '**.weight', init: 'zeros' }], layers: [
    { type: 'dense', name: 'a', in: 8, out: 16, activation: 'tanh' },
    { type: 'dense', name: 'b', in: 16, out: 16, activation: 'sigmoid' },
  ] } as ModelSpecInput;
  const report = probe(spec, { batch: 32 });
  assert.deepEqual(report.layers.map((l) => l.distinctUnits), [1, 1]);
  assert.deepEqual(report.warnings.filter((w) => w.kind === 'symmetric').map((w) => w.layer), ['a']);
  assert.match(report.warnings.find((w) => w.kind === 'symmetric')!.message, /^a: only 1 of its 16 units differ over the batch, and 15 units copy another; so does b: identical units/);
  assert.deepEqual(report.layers.map((l) => [l.constantUnits, l.symmetricUnits]), [[16, 15], [16, 15]], 'constant, and copies: the same weights');
  assert.deepEqual(report.warnings, warningsOf(report));
});

test('the default batch is 256 samples of N(0, 1) from the seed; the report records the seed', () => {
  const spec = { seed: 42, layers: [{ type: 'dense', name: 'fc', in: 64, out: 32, activation: 'relu' }] } as ModelSpecInput;
  const report = probe(spec);
  assert.equal(report.batch, 256);
  assert.equal(report.seed, '42');
  const input = normal([256 * 64], { seed: 42, stream: 'probe.input' });
  const expected = stats(input);
  close(report.input.std, expected.std, 1, 'input std');
  close(report.input.mean, expected.mean, 1, 'input mean');
  // The same seed repeats the report; another seed changes it.
  assert.deepEqual(probe(spec), report);
  assert.notEqual(probe(spec, { seed: 43 }).loss, report.loss);
  // The options' seed overrides the spec's, for the weights too.
  assert.deepEqual(probe(spec, { seed: 43 }), probe({ ...spec, seed: 43 }));
});

test('singular values: orthogonal weights have both extremes at the gain, a Gaussian square matrix spreads them', () => {
  const spec = { seed: 3, rules: [{ match: 'q.weight', init: 'orthogonal', gain: 2 }], layers: [
    { type: 'dense', name: 'q', in: 48, out: 48 },
    { type: 'dense', name: 'g', in: 48, out: 48, activation: 'relu' },
    { type: 'dense', name: 'wide', in: 48, out: 20 },
  ] } as ModelSpecInput;
  const report = probe(spec, { batch: 8, singularValues: true });
  assert.equal(probe(spec, { batch: 8 }).layers[0].singularValues, undefined, 'off by default');
  const [q, g, wide] = report.layers;
  assert.ok(Math.abs(q.singularValues!.max - 2) < 1e-5 && Math.abs(q.singularValues!.min - 2) < 1e-5, JSON.stringify(q.singularValues));
  // He normal 48 x 48, std sqrt(2/48): the extremes of a square Gaussian matrix are near 2 sqrt(n) std and well below it.
  const weights = initModel(spec);
  const w = weights.get('g.weight') as Float32Array;
  const { max, min } = g.singularValues!;
  assert.ok(max > 1.5 * Math.sqrt(48 * 2 / 48) && max < 2.5 * Math.sqrt(2), `max ${max}`);
  assert.ok(min > 0 && min < 0.3 * max, `min ${min}`);
  // Check both against the eigenvalues of W^T W by the power method in float64 here.
  const n = 48, gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += w[r * n + i] * w[r * n + j];
    gram[i * n + j] = sum;
  }
  let v = new Float64Array(n).fill(1), lambda = 0;
  for (let it = 0; it < 5000; it++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[i] += gram[i * n + j] * v[j];
    lambda = Math.hypot(...next);
    v = next.map((x) => x / lambda);
  }
  assert.ok(Math.abs(Math.sqrt(lambda) - max) < 1e-6 * max, `power method ${Math.sqrt(lambda)} vs ${max}`);
  // min^2 is the smallest eigenvalue: det(gram - min^2 I) changes sign around it (Gaussian elimination).
  const det = (shift: number) => {
    const a = gram.map((x, i) => (i % (n + 1) === 0 ? x - shift : x));
    let sign = 1;
    for (let k = 0; k < n; k++) {
      let p = k;
      for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
      if (p !== k) { sign = -sign; for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j], a[k * n + j]]; }
      if (a[k * n + k] < 0) sign = -sign;
      for (let i = k + 1; i < n; i++) {
        const factor = a[i * n + k] / a[k * n + k];
        for (let j = k; j < n; j++) a[i * n + j] -= factor * a[k * n + j];
      }
    }
    return sign;
  };
  assert.notEqual(det(min * min * (1 - 1e-6)), det(min * min * (1 + 1e-6)), 'an eigenvalue of W^T W lies at min^2');
  assert.equal(wide.singularValues, undefined, 'not square');
  // Off by option, and limited by side.
  assert.equal(probe(spec, { batch: 8, singularValues: false }).layers[0].singularValues, undefined);
  assert.equal(probe(spec, { batch: 8, singularValues: 32 }).layers[0].singularValues, undefined);
});

test('probe accepts float64 and half-precision weights, and JSON text', () => {
  const spec = { seed: 9, layers: [{ type: 'dense', name: 'fc', in: 16, out: 8, activation: 'tanh' }] };
  const base = probe(spec as ModelSpecInput, { batch: 16 });
  const w64 = initModel(spec as ModelSpecInput, { dtype: 'float64' });
  const r64 = probe({ spec: spec as ModelSpecInput, weights: w64 }, { batch: 16 });
  close(r64.layers[0].post.std, base.layers[0].post.std, 1e-3, 'float64 weights');
  const half = { ...spec, dtype: 'bfloat16' };
  const rHalf = probe({ spec: JSON.stringify(half), weights: initModel(half as ModelSpecInput) }, { batch: 16 });
  assert.ok(Math.abs(rHalf.layers[0].post.std / base.layers[0].post.std - 1) < 1e-2, 'bfloat16 weights decode');
  const f16 = { ...spec, dtype: 'float16' };
  const rF16 = probe({ spec: f16 as ModelSpecInput, weights: initModel(f16 as ModelSpecInput) }, { batch: 16 });
  assert.ok(Math.abs(rF16.layers[0].post.std / base.layers[0].post.std - 1) < 1e-3, 'float16 weights decode');
  assert.deepEqual(probe(JSON.stringify(spec), { batch: 16 }), base);
});

test('spatial extent: given, inferred from a flattening dense layer, and the error when neither fits', () => {
  const cnn = { seed: 1, layers: [
    { type: 'conv2d', name: 'c', in: 3, out: 4, kernel: 3, activation: 'relu' },
    { type: 'dense', name: 'head', in: 36, out: 2 },
  ] } as ModelSpecInput;
  const inferred = probe(cnn, { batch: 4 });
  const h = inferred.layers[0].histogram;
  assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.zeros + h.below + h.above, 4 * 9 * 4);
  assert.throws(() => probe(cnn, { batch: 4, spatial: [4, 4] }), /layers\[1\] \(head\): in = 36 does not match the 4 features reaching it \(or 4 x 16 positions = 64 flattened\)/);
  const odd = { seed: 1, layers: [{ type: 'conv2d', name: 'c', in: 3, out: 4, kernel: 3 }, { type: 'dense', name: 'd', in: 20, out: 2 }] } as ModelSpecInput;
  assert.throws(() => probe(odd, { batch: 4 }), RangeError);
});

test('layers the probe does not run, and bad options, are refused with the layer or option named', () => {
  const emb = { layers: [{ type: 'dense', in: 4, out: 4 }, { type: 'embedding', name: 'wte', vocab: 10, dim: 4 }] } as ModelSpecInput;
  assert.throws(() => probe(emb, { seed: 1 }), /layers\[1\] \(wte\): an embedding is probed only as the first layer/);
  const first = { seed: 1, layers: [{ type: 'embedding', name: 'wte', vocab: 10, dim: 4 }] } as ModelSpecInput;
  assert.throws(() => probe(first, { input: [1, 2, 10], steps: 1 }), /options\.input\[2\]: expected a token id, an integer in \[0, 10\), got 10/);
  const attn = { layers: [{ type: 'attention', name: 'attn', dim: 8, heads: 2 }] } as ModelSpecInput;
  assert.throws(() => probe(attn, { seed: 1 }), /layers\[0\] \(attn\): attention layers are not probed/);
  const bi = { layers: [{ type: 'lstm', name: 'l', in: 4, units: 4, bidirectional: true }] } as ModelSpecInput;
  assert.throws(() => probe(bi, { seed: 1 }), /bidirectional/);
  const mlp = { seed: 1, layers: [{ type: 'dense', name: 'a', in: 4, out: 5 }, { type: 'dense', name: 'b', in: 6, out: 2 }] } as ModelSpecInput;
  assert.throws(() => probe(mlp), /layers\[1\] \(b\): in = 6 does not match the 5 features/);
  const ok = { seed: 1, layers: [{ type: 'dense', name: 'a', in: 4, out: 5 }] } as ModelSpecInput;
  assert.throws(() => probe(ok, { batch: 0 }), /options\.batch: expected a positive integer/);
  assert.throws(() => probe(ok, { batch: 4, input: new Float32Array(8) }), /exclude each other/);
  assert.throws(() => probe(ok, { input: new Float32Array(7) }), /options\.input: expected a multiple of 4 values \(samples x \[4\]\), got 7$/);
  assert.throws(() => probe(ok, { range: [1, 1] }), /options\.range/);
  assert.throws(() => probe(ok, { bachSize: 3 } as never), /options\.bachSize: unknown field/);
  const weights = initModel(ok);
  assert.throws(() => probe({ spec: ok, weights }, { policy: 'keras' }), /policy and options\.rules initialize a spec/);
  const missing = new Map(weights);
  missing.delete('a.weight');
  assert.throws(() => probe({ spec: ok, weights: missing }), /no parameter "a\.weight"/);
  const short = new Map(weights).set('a.weight', new Float32Array(3));
  assert.throws(() => probe({ spec: ok, weights: short }), /weights "a\.weight": expected 20 values \(shape \[5,4\]\), got 3$/);
  // A param layer computes nothing and is skipped.
  const withParam = { seed: 1, layers: [{ type: 'param', name: 'scale', shape: [4], init: 'ones' }, { type: 'dense', name: 'a', in: 4, out: 5 }] } as ModelSpecInput;
  assert.deepEqual(probe(withParam, { batch: 4 }).layers.map((l) => l.name), ['a']);
});

test('warningsOf names the layer where activations vanish or explode, units saturate or die', () => {
  const mlp = (init: Record<string, unknown>, activation: string, depth = 8, bias?: Record<string, unknown>) => ({
    seed: 2,
    rules: [{ match: '**.weight', ...init }, ...(bias ? [{ match: '**.bias', ...bias }] : [])],
    layers: Array.from({ length: depth }, (_, i) => ({ type: 'dense', name: `fc${i}`, in: 64, out: 64, activation })),
  }) as ModelSpecInput;
  const kinds = (report: ProbeReport) => report.warnings.map((w) => `${w.kind} ${w.layer}`);

  // N(0, 0.01^2) tanh: each layer scales the std by 0.01 * sqrt(64) = 0.08, so the second layer is the first
  // below 1e-2 of the input's; gradients shrink alike on the way back.
  const small = probe(mlp({ init: 'normal', std: 0.01 }, 'tanh'), { batch: 64 });
  assert.deepEqual(kinds(small).filter((k) => k.startsWith('vanishing')), ['vanishing fc1', 'vanishing fc5']);
  assert.match(small.warnings[0].message, /^fc1: activations vanish from here on \(7 of the 7 layers from here have an output std below 0\.01 times the input's\); here it is /);
  // N(0, 1) ReLU: each layer multiplies the std by about sqrt(64) x 0.58 = 4.7 (a ReLU keeps 0.58 of a unit normal), past the one-layer growth of 4 at once.
  const large = probe(mlp({ init: 'normal', std: 1 }, 'relu'), { batch: 64 });
  assert.ok(kinds(large).includes('exploding fc0'), kinds(large).join(', '));
  assert.match(large.warnings.find((w) => w.kind === 'exploding')!.message, /^fc0: activations explode from here on: this layer multiplies the std of what reaches it by \d\.\d+ \(more than 4\); 8 of the 8 layers/);
  // N(0, 1) tanh saturates from the first layer on.
  const saturated = probe(mlp({ init: 'normal', std: 1 }, 'tanh', 2), { batch: 64 });
  assert.deepEqual(kinds(saturated).filter((k) => k.startsWith('saturated')), ['saturated fc0']);
  assert.match(saturated.warnings.find((w) => w.kind === 'saturated')!.message, /^fc0: \d\d% of its tanh outputs are saturated \(more than 10%\); so does fc1: /);
  // A ReLU layer whose biases push every unit below zero: all dead.
  const dead = probe(mlp({ init: 'heNormal' }, 'relu', 2, { init: 'constant', value: -100 }), { batch: 64 });
  assert.ok(kinds(dead).includes('dead fc0'), kinds(dead).join(', '));
  assert.match(dead.warnings.find((w) => w.kind === 'dead')!.message, /fc0: 100% of its 64 units never activate/);
  // Dead ReLU units are all zero, hence alike, but that is death, not symmetry.
  assert.ok(!kinds(dead).some((k) => k.startsWith('symmetric')));
  // He on ReLU keeps the scale: nothing vanishes or explodes (a deep narrow ReLU stack may still lose units).
  assert.deepEqual(kinds(probe(mlp({ init: 'heNormal' }, 'relu'), { batch: 64 })).filter((k) => /vanish|explod/.test(k)), []);
});

test('a first embedding draws token ids uniformly from the seed; the report\'s input is the embedded vectors', () => {
  const spec = { seed: 4, layers: [{ type: 'embedding', name: 'e', vocab: 1000, dim: 8 }, { type: 'dense', name: 'd', in: 8, out: 8, activation: 'tanh' }] } as ModelSpecInput;
  const report = probe(spec, { batch: 64, steps: 4 });
  // N(0, 1) embeddings (the activation policy): the looked-up vectors have std near 1.
  assert.ok(Math.abs(report.input.std - 1) < 0.1, `embedded input std ${report.input.std}`);
  assert.deepEqual(report.input, report.layers[0].post);
  assert.equal(report.layers[0].gradientInputStd, 0, 'token ids get no gradient');
  assert.ok(report.layers[0].gradientWeightStd > 0);
  assert.deepEqual(report.warnings, []);
  // The ids: floor(word * vocab / 2^32) of randomBits from the input stream.
  const ids = Float32Array.from(nninit.randomBits(64 * 4, { seed: 4, stream: 'probe.input' }), (w) => Math.floor((w * 1000) / 2 ** 32));
  assert.deepEqual(probe(spec, { input: ids, steps: 4 }), report);
});

test('dead units: only where the derivative vanishes on every sample; ELU, SELU and leaky ReLU never die', () => {
  const stack = (activation: string, bias?: number, depth = 12) => ({
    seed: 3, rules: [{ match: '**.weight', init: 'heNormal' }, ...(bias === undefined ? [] : [{ match: '**.bias', init: 'constant', value: bias }])],
    layers: Array.from({ length: depth }, (_, i) => ({ type: 'dense', name: `fc${i}`, in: 64, out: 64, activation })),
  }) as ModelSpecInput;
  // Units far below zero: an ELU or SELU unit saturates toward -alpha, a leaky ReLU unit passes `slope` of the
  // gradient: none of them is dead, however negative.
  for (const activation of ['elu', 'selu', 'leaky_relu']) {
    const report = probe(stack(activation, -20, 3), { batch: 64 });
    assert.deepEqual(report.layers.map((l) => l.deadFraction), [0, 0, 0], activation);
    assert.ok(!report.warnings.some((w) => w.kind === 'dead'), `${activation}: ${report.warnings.map((w) => w.message).join('; ')}`);
  }
  // GELU at -2 still passes gradient (f'(-2) = -0.085); at -10 it does not (|f'| below 1e-20).
  assert.deepEqual(probe(stack('gelu', -2, 1), { batch: 64 }).layers.map((l) => l.deadFraction), [0]);
  const deep = probe(stack('gelu', -10, 1), { batch: 64 });
  assert.deepEqual(deep.layers.map((l) => l.deadFraction), [1]);
  assert.match(deep.warnings.find((w) => w.kind === 'dead')!.message, /^fc0: 100% of its 64 units stay where their derivative is below 1e-3 on the batch/);
  // The same for SiLU and Mish, whose derivative is below 1e-3 in magnitude from -9 down (and -0.012 at -6).
  for (const activation of ['silu', 'mish']) {
    assert.deepEqual(probe(stack(activation, -20, 1), { batch: 64 }).layers.map((l) => l.deadFraction), [1], activation);
    assert.deepEqual(probe(stack(activation, -3, 1), { batch: 64 }).layers.map((l) => l.deadFraction), [0], activation);
  }
  // A deep He-initialized SELU stack has no dead units (the old definition counted a third of them).
  const selu = probe(stack('selu', undefined, 20), { batch: 64 });
  assert.ok(selu.layers.every((l) => l.deadFraction === 0));
});

test('softmax: an underflowing class is not symmetry, and nearly one-hot rows count as saturated', () => {
  // examples/mlp-mixed.json with N(0, 1) weights: the output softmax's probabilities are nearly one-hot, and one
  // class underflows to 0 on every sample (so only 9 of 10 units differ), which is no symmetry: its weights differ.
  const spec = JSON.parse(readFileSync(new URL('../examples/mlp-mixed.json', import.meta.url), 'utf8')) as ModelSpecInput;
  const report = probe(spec, { rules: [{ match: '**.weight', init: 'normal', std: 1 }] });
  const out = report.layers.at(-1)!;
  assert.equal(out.activation, 'softmax');
  assert.ok(out.distinctUnits < out.units && out.constantUnits > 0, `${out.distinctUnits} distinct, ${out.constantUnits} constant`);
  assert.equal(out.symmetricUnits, 0);
  assert.ok(!report.warnings.some((w) => w.kind === 'symmetric'), report.warnings.map((w) => w.message).join('\n'));
  assert.ok(out.saturatedFraction > 0.5, `softmax saturated ${out.saturatedFraction}`);
  const head = probe({ seed: 1, rules: [{ match: '**.weight', init: 'normal', std: 1 }], layers: [
    { type: 'dense', name: 'h', in: 64, out: 64, activation: 'relu' },
    { type: 'dense', name: 'out', in: 64, out: 10, activation: 'softmax' },
  ] } as ModelSpecInput);
  assert.match(head.warnings.find((w) => w.kind === 'saturated')!.message, /^out: \d+% of its samples' softmax outputs are nearly one-hot, their largest probability above 0\.99/);
  // tanh units held at +1 or -1 on every sample by large biases are constant, and alike, but not copies: their
  // weights differ.
  const saturated = probe({ seed: 1, rules: [{ match: '**.weight', init: 'normal', std: 0.01 }, { match: '**.bias', init: 'normal', std: 50 }],
    layers: Array.from({ length: 3 }, (_, i) => ({ type: 'dense', name: `t${i}`, in: 64, out: 64, activation: 'tanh' })) } as ModelSpecInput, { batch: 16 });
  assert.ok(saturated.layers.every((l) => l.constantUnits > 48 && l.distinctUnits < 16), JSON.stringify(saturated.layers.map((l) => [l.constantUnits, l.distinctUnits])));
  assert.ok(saturated.layers.every((l) => l.symmetricUnits === 0));
});

test('overflow: NaN and infinite values are reported as such, not as dead units or zero gradients', () => {
  // N(0, 1) weights on a 60-layer width-128 ReLU stack: each layer multiplies the std by about 6.5, so float32
  // overflows after some 40 layers.
  const report = probe(nninit.mlpSpec('normal-1', 'relu', 60, 128, 1), { batch: 128 });
  const first = report.layers.findIndex((l) => l.pre.nonFinite + l.post.nonFinite > 0);
  assert.ok(first > 30 && first < 50, `first overflow at ${first}`);
  for (const l of report.layers.slice(first)) {
    assert.ok(Number.isNaN(l.post.std) && Number.isNaN(l.post.mean), `${l.name}: ${JSON.stringify(l.post)}`);
    assert.equal(l.deadFraction, 0, `${l.name}: NaN is not dead`);
  }
  assert.ok(report.layers.slice(0, first).every((l) => Number.isFinite(l.post.std) && l.post.nonFinite === 0));
  // Every gradient passes back through the overflowed layers: NaN, not the zeros a ReLU's derivative of NaN gives.
  assert.ok(report.layers.every((l) => Number.isNaN(l.gradientInputStd) && Number.isNaN(l.gradientWeightStd)));
  const overflow = report.warnings.filter((w) => w.kind === 'overflow');
  assert.deepEqual(overflow.map((w) => w.layer), [report.layers[first].name]);
  assert.match(overflow[0].message, new RegExp(`^${report.layers[first].name}: activations overflow float32 here: \\d+ of its outputs are infinite or NaN \\(so are those of ${59 - first} later layers\\)`));
  // The dead-unit warning, if any, stops before the overflow.
  const dead = report.warnings.find((w) => w.kind === 'dead');
  if (dead) assert.ok(!/up to fc(\d+)/.test(dead.message) || Number(/up to fc(\d+)/.exec(dead.message)![1]) <= first);
  // NaN outputs land above the histogram's range.
  const h = report.layers.at(-1)!.histogram;
  assert.equal(h.above, 128 * 128);
});
