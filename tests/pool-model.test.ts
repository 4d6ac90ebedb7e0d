// pool.initModel: the same Map as initModel (names in order, seed, plan) and the same bytes for every parameter,
// for the example models (plain, composite and orthogonal parameters), every dtype, with and without shared
// memory; a bad spec rejects with initModel's error before any work.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as nninit from 'nninit';
import { createPool } from 'nninit/pool';
import { createPoolOn, type Host } from '../dist/pool/pool.js';
import { bytesOf } from './helpers.ts';

const example = (name: string) => JSON.parse(readFileSync(new URL(`../examples/${name}.json`, import.meta.url), 'utf8'));

function assertSameWeights(actual: nninit.ModelWeights, expected: nninit.ModelWeights, label: string): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], `${label}: parameter names in plan order`);
  assert.equal(actual.seed, expected.seed, `${label}: seed`);
  assert.deepEqual(actual.plan, expected.plan, `${label}: plan`);
  for (const [name, values] of expected) {
    const got = actual.get(name)!;
    assert.equal(got.constructor, values.constructor, `${label} ${name}: array type`);
    assert.ok(Buffer.compare(bytesOf(got), bytesOf(values)) === 0, `${label} ${name}: bytes differ`);
  }
}

/** Values drawn as torch.nn builds these modules (rng 'torch'): one sequential run, plus the layernorm's fills. */
const TORCH_MODEL = {
  seed: 3, rng: 'torch', layout: 'torch',
  layers: [
    { type: 'dense', name: 'fc1', in: 1024, out: 512, activation: 'relu' },
    { type: 'lstm', name: 'rnn', in: 512, units: 256 },
    { type: 'layernorm', name: 'norm', dim: 256 },
    { type: 'dense', name: 'fc2', in: 256, out: 100 },
  ],
};

const pool = createPool({ threads: 3 });
after(() => pool.close());

const CASES: [string, unknown, nninit.ModelOptions | undefined][] = [
  ['gpt2-small', example('gpt2-small'), undefined],
  ['lstm float16', example('lstm'), { dtype: 'float16' }],
  ['cnn float64 seed 7', example('cnn'), { seed: 7, dtype: 'float64' }],
  ['mlp-mixed bfloat16, decimal-string seed', example('mlp-mixed'), { seed: '12345678901234567890', dtype: 'bfloat16' }],
  ['one small layer (inline)', { seed: 1, layers: [{ type: 'dense', name: 'fc', in: 30, out: 20, activation: 'relu' }] }, undefined],
  ['rng torch: dense, LSTM, layernorm, dense', TORCH_MODEL, undefined],
  ['rng torch, small (inline)', { ...TORCH_MODEL, layers: TORCH_MODEL.layers.slice(2) }, { dtype: 'float16' }],
];

test('pool.initModel gives initModel\'s Map and bytes for every example model', async () => {
  for (const [label, spec, options] of CASES) {
    assertSameWeights(await pool.initModel(spec as nninit.ModelSpecInput, options), nninit.initModel(spec as nninit.ModelSpecInput, options), label);
  }
});

test('pool.initModel without a seed draws one on the calling thread for every slice, and records it', async () => {
  const spec = { layers: [{ type: 'dense', name: 'fc', in: 2048, out: 1024, activation: 'relu' }] };
  const getRandomValues = crypto.getRandomValues;
  crypto.getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
    (array as unknown as Uint32Array).fill(0x5bd1e995);
    return array;
  };
  try {
    assertSameWeights(await pool.initModel(spec), nninit.initModel(spec), 'fresh seed');
  } finally {
    crypto.getRandomValues = getRandomValues;
  }
});

test('pool.initModel rejects a bad spec with initModel\'s error', async () => {
  const bad: [unknown, unknown][] = [
    [{ layers: [{ type: 'dense', name: 'fc', in: 0.5, out: 4 }] }, undefined],
    [{ layers: [{ type: 'nope' }] }, undefined],
    [example('gpt2-small'), { dtype: 'int8' }],
    [example('gpt2-small'), { unknown: 1 }],
    ['{ not json', undefined],
  ];
  for (const [spec, options] of bad) {
    let expected: Error | undefined;
    try {
      nninit.initModel(spec as never, options as never);
    } catch (error) {
      expected = error as Error;
    }
    assert.ok(expected, `${JSON.stringify(spec).slice(0, 60)} should throw`);
    await assert.rejects(pool.initModel(spec as never, options as never), (error: Error) => {
      assert.equal(error.constructor, expected!.constructor);
      assert.equal(error.message, expected!.message);
      return true;
    });
  }
});

test('pool.initModel without shared memory: the workers\' arrays transferred and assembled, the same bytes', async () => {
  const host: Host = {
    defaultThreads: 2,
    sharedMemory: false,
    spawn(onMessage, onError) {
      const worker = new Worker(new URL('../dist/pool/node-worker.js', import.meta.url), { execArgv: [] });
      let stopping = false;
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', (code) => stopping || onError(new Error(`exit ${code}`)));
      return {
        post: (message, transfer = []) => worker.postMessage(message, transfer as ArrayBuffer[]),
        terminate: async () => {
          stopping = true;
          await worker.terminate();
        },
        keepAlive: (on) => (on ? worker.ref() : worker.unref()),
      };
    },
  };
  const copying = createPoolOn(host, { threads: 2 });
  try {
    for (const [name, spec] of [['lstm', example('lstm')], ['cnn', example('cnn')], ['rng torch', TORCH_MODEL]] as const) {
      const weights = await copying.initModel(spec as nninit.ModelSpecInput, { seed: 5 });
      assert.ok([...weights.values()].every((values) => !(values.buffer instanceof SharedArrayBuffer)));
      assertSameWeights(weights, nninit.initModel(spec as nninit.ModelSpecInput, { seed: 5 }), `${name} copied`);
    }
  } finally {
    await copying.close();
  }
});

test('pool.initModel after close rejects', async () => {
  const closing = createPool({ threads: 1 });
  const pending = assert.rejects(closing.initModel(example('lstm')), { message: 'nninit.pool.initModel: the pool was closed before the call finished' });
  await closing.close();
  await pending;
  await assert.rejects(closing.initModel(example('lstm')), { message: 'nninit.pool.initModel: the pool is closed' });
});

test('pool.initParameter gives initParameter\'s bytes and errors: plain, composite, orthogonal and rng torch entries', async () => {
  const plan = [
    ...nninit.planModel(example('gpt2-small'), { seed: 9 }).slice(0, 5),
    ...nninit.planModel(example('lstm'), { seed: 9, dtype: 'bfloat16' }),
    ...nninit.planModel(TORCH_MODEL).slice(0, 4),
  ];
  assert.ok(plan.some((p) => p.blocks) && plan.some((p) => p.whole && p.initializer !== 'torch') && plan.some((p) => p.initializer === 'torch'));
  for (const p of plan) {
    const slices: (nninit.SliceOptions | undefined)[] = [undefined, { offset: Math.floor(p.size / 3), length: Math.floor(p.size / 2) }];
    for (const options of slices) {
      const label = `${p.name} ${JSON.stringify(options)}`;
      const expected = nninit.initParameter(p, options);
      const actual = await pool.initParameter(p, options);
      assert.equal(actual.constructor, expected.constructor, label);
      assert.ok(Buffer.compare(bytesOf(actual), bytesOf(expected)) === 0, `${label}: bytes differ`);
    }
  }
  const big = plan[0];
  const out = new Float32Array(new SharedArrayBuffer(big.size * 4));
  assert.equal(await pool.initParameter(big, { out }), out);
  assert.ok(Buffer.compare(bytesOf(out), bytesOf(nninit.initParameter(big))) === 0, 'into a shared out');
  const torchEntry = plan.at(-1)!;
  const bad: [nninit.ParameterPlan, unknown][] = [
    [big, { offset: -1 }],
    [big, { length: big.size + 1 }],
    [big, { out: new Float64Array(big.size), dtype: 'float32' }],
    [torchEntry, { offset: torchEntry.size + 1 }],
    [torchEntry, { out: new Float32Array(3) }],
    [{ name: 'x' } as never, undefined],
  ];
  for (const [p, options] of bad) {
    let expected: Error | undefined;
    try {
      nninit.initParameter(p, options as never);
    } catch (error) {
      expected = error as Error;
    }
    assert.ok(expected, `${p.name} ${Object.keys(options ?? {}).join(', ')} should throw`);
    await assert.rejects(pool.initParameter(p, options as never), { name: expected.name, message: expected.message });
  }
});
