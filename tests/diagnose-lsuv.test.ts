// LSUV: after it, every rescaled layer's output variance on the batch is within the tolerance of 1, checked by the
// independent float64 forward pass; the start is orthogonal; the result is deterministic for a seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lsuv, normal, initModel, probe } from 'nninit';
import type { ModelSpecInput } from 'nninit';
import { referencePass, stats } from './diagnose-reference.ts';
import { withBackend } from './with-backend.ts';

const SPEC = {
  seed: 21,
  layers: [
    { type: 'conv2d', name: 'c1', in: 3, out: 8, kernel: 3, activation: 'relu' },
    { type: 'conv2d', name: 'c2', in: 8, out: 8, kernel: 3, activation: 'tanh' },
    { type: 'dense', name: 'fc1', in: 128, out: 64, activation: 'relu' },
    { type: 'repeat', name: 'res', count: 2, residual: true, layers: [{ type: 'dense', name: 'fc', in: 64, out: 64, activation: 'selu' }] },
    { type: 'dense', name: 'out', in: 64, out: 10, activation: 'softmax' },
  ],
} as ModelSpecInput;
const SPATIAL = [4, 4];
const SAMPLES = 64;
const batch = normal([SAMPLES * 16 * 3], { seed: 5, stream: 'lsuv.batch' });

test('after lsuv every dense and conv layer has unit output variance within 0.1 on the batch (float64 pass)', () => {
  for (const backend of ['wasm', 'js'] as const) {
    const result = withBackend(backend, () => lsuv(SPEC, batch, { spatial: SPATIAL }));
    assert.deepEqual(result.layers.map((l) => l.name), ['c1', 'c2', 'fc1', 'res.0.fc', 'res.1.fc', 'out']);
    const projection = normal([SAMPLES * 10], { seed: 0, stream: 'unused' });
    const ref = referencePass(SPEC as never, result.weights as Map<string, Float32Array>, batch, SAMPLES, SPATIAL, projection);
    for (const layer of result.layers) {
      const r = ref.layers.find((l) => l.name === layer.name)!;
      const variance = stats(r.pre).std ** 2;
      assert.ok(Math.abs(variance - 1) < 0.1 + 1e-4, `${backend} ${layer.name}: variance ${variance}`);
      assert.ok(layer.converged && layer.iterations >= 1 && layer.iterations <= 10, `${backend} ${layer.name}: ${JSON.stringify(layer)}`);
      assert.ok(Math.abs(layer.variance - variance) < 1e-4, `${backend} ${layer.name}: reported ${layer.variance}, float64 ${variance}`);
    }
  }
});

test('lsuv gives the same bits on the wasm and js backends: dense, conv, recurrent and every activation', () => {
  const nets: [string, ModelSpecInput, number[], number][] = [
    ['the conv and residual net above', SPEC, SPATIAL, SAMPLES],
    ['a dense net of every element-wise activation, torch policy', {
      seed: 31, policy: 'pytorch',
      layers: ['relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'mish', 'tanh', 'sigmoid', 'softsign', 'softmax']
        .map((activation, i) => ({ type: 'dense', name: `fc${i}`, in: i ? 24 : 10, out: 24, activation, ...(activation === 'leaky_relu' ? { slope: 0.1 } : {}) })),
    } as ModelSpecInput, [], 48],
    ['conv1d into an lstm, a gru and a dense head, keras layout', {
      seed: 32, layout: 'keras',
      layers: [
        { type: 'conv1d', name: 'c', in: 3, out: 8, kernel: 3, activation: 'gelu' },
        { type: 'lstm', name: 'l', in: 8, units: 8 },
        { type: 'gru', name: 'g', in: 8, units: 6 },
        { type: 'dense', name: 'h', in: 6, out: 4, activation: 'mish' },
      ],
    } as ModelSpecInput, [7], 24],
  ];
  for (const [name, spec, spatial, samples] of nets) {
    const perSample = (spatial.length ? spatial.reduce((a, b) => a * b, 1) : 1) * ((spec as { layers: { in: number }[] }).layers[0].in);
    const input = normal([samples * perSample], { seed: 6, stream: 'lsuv.backends' });
    const options = spatial.length ? { spatial } : {};
    const [wasm, js] = (['wasm', 'js'] as const).map((backend) => withBackend(backend, () => lsuv(spec, input, options)));
    assert.deepEqual(js.layers, wasm.layers, `${name}: iterations, scales and variances`);
    for (const [parameter, values] of wasm.weights) {
      const a = new Uint8Array((values as Float32Array).buffer), b = new Uint8Array((js.weights.get(parameter) as Float32Array).buffer);
      assert.ok(Buffer.compare(a, b) === 0, `${name}: ${parameter} differs between the backends`);
    }
  }
});

test('the start is orthogonal: a rescaled weight divided by its scale has orthonormal rows', () => {
  const result = lsuv(SPEC, batch, { spatial: SPATIAL });
  const layer = result.layers.find((l) => l.name === 'res.0.fc')!;
  const w = result.weights.get(layer.weight) as Float32Array;
  const n = 64;
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let dot = 0;
    for (let c = 0; c < n; c++) dot += w[i * n + c] * w[j * n + c];
    worst = Math.max(worst, Math.abs(dot / layer.scale ** 2 - (i === j ? 1 : 0)));
  }
  assert.ok(worst < 1e-5, `W W^T / scale^2 is I to ${worst}`);
  // Biases are not touched; the rescaled weight is the orthogonal start times the scale.
  const start = initModel(SPEC, { rules: [{ match: 'res.0.fc.weight', init: 'orthogonal' }] }).get('res.0.fc.weight') as Float32Array;
  assert.deepEqual(w, start.map((x) => x * layer.scale));
  assert.deepEqual(result.weights.get('fc1.bias'), initModel(SPEC).get('fc1.bias'));
});

test('lsuv is deterministic for a seed, and its default batch comes from the seed', () => {
  const a = lsuv(SPEC, { spatial: SPATIAL, batch: 32 });
  const b = lsuv(SPEC, { spatial: SPATIAL, batch: 32 });
  for (const [name, values] of a.weights) assert.deepEqual(b.weights.get(name), values, name);
  const c = lsuv(SPEC, { spatial: SPATIAL, batch: 32, seed: 22 });
  assert.notDeepEqual(c.weights.get('fc1.weight'), a.weights.get('fc1.weight'));
  // The default batch is probe's: N(0, 1) from the seed, stream 'probe.input'.
  const explicit = lsuv(SPEC, normal([32, 48], { seed: 21, stream: 'probe.input' }), { spatial: SPATIAL });
  assert.deepEqual(explicit.layers, a.layers);
  // The result is a model probe() takes: every layer's pre-activation variance is near 1 on that batch.
  const report = probe(a, { spatial: SPATIAL, batch: 32, seed: 21 });
  for (const l of report.layers) if (l.type !== 'residual') assert.ok(Math.abs(l.pre.std ** 2 - 1) < 0.1, `${l.name} ${l.pre.std}`);
});

test('a model keeps its weights as the start; a zero layer cannot be rescaled and says so', () => {
  const spec = { seed: 3, rules: [{ match: 'b.weight', init: 'zeros' }], layers: [
    { type: 'dense', name: 'a', in: 16, out: 16, activation: 'tanh' },
    { type: 'dense', name: 'b', in: 16, out: 16 },
  ] } as ModelSpecInput;
  const weights = initModel(spec);
  const result = lsuv({ spec, weights }, { batch: 64 });
  const [a, b] = result.layers;
  assert.ok(a.converged);
  assert.deepEqual(result.weights.get('a.weight'), (weights.get('a.weight') as Float32Array).map((x) => x * a.scale));
  assert.equal(b.converged, false);
  assert.equal(b.iterations, 0);
  assert.equal(b.variance, 0);
  assert.equal(result.weights.get('b.weight'), weights.get('b.weight'));
  // A tight tolerance with few iterations stops at maxIterations.
  const tight = lsuv(spec, { batch: 64, tolerance: 1e-12, maxIterations: 2 });
  assert.equal(tight.layers[0].iterations, 2);
});

test('lsuv rejects bad arguments, naming them', () => {
  assert.throws(() => lsuv(SPEC, batch, { spatial: SPATIAL, tolerance: 0 }), /options\.tolerance: expected a positive number/);
  assert.throws(() => lsuv(SPEC, batch, { spatial: SPATIAL, maxIterations: 1.5 }), /options\.maxIterations/);
  assert.throws(() => lsuv(SPEC, batch, { spatial: SPATIAL, batch: 8 }), /exclude each other/);
  assert.throws(() => lsuv(SPEC, new Float32Array(10), { spatial: SPATIAL }), /nninit\.lsuv: batch: expected a multiple of 48 values/);
  assert.throws(() => lsuv(SPEC, 'x' as never), /batch: expected a Float32Array/);
  assert.throws(() => lsuv(SPEC, { bins: 3 } as never), /options\.bins: unknown field/);
});
