// nninit/pool in Node: every pool method resolves with the bytes of the synchronous call (whole, sliced across
// workers, inline), rejects with the synchronous call's error, never half-writes a caller's `out`, and closes
// cleanly. The transfer-and-copy path that browsers without cross-origin isolation take is checked here too, on
// a pool whose host declines shared memory.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as nninit from 'nninit';
import { createPool, MIN_SLICE, MIN_WHOLE, type Pool } from 'nninit/pool';
import { createPoolOn, sliceBounds, type Host } from '../dist/pool/pool.js';
import { bytesOf } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const S = MIN_SLICE;
const DTYPES = ['float32', 'float64', 'float16', 'bfloat16'] as const;

type Call = [method: string, args: unknown[], options?: Record<string, unknown>];

/** The synchronous call a pool call must reproduce. */
function syncCall([method, args, options]: Call): ArrayBufferView {
  return (nninit as unknown as Record<string, (...a: unknown[]) => ArrayBufferView>)[method](...args, options);
}

function poolCall(pool: Pool, [method, args, options]: Call): Promise<ArrayBufferView> {
  return (pool as unknown as Record<string, (...a: unknown[]) => Promise<ArrayBufferView>>)[method](...args, options);
}

function assertSameBytes(actual: ArrayBufferView, expected: ArrayBufferView, label: string): void {
  assert.equal(actual.constructor, expected.constructor, `${label}: array type`);
  assert.equal(actual.byteLength, expected.byteLength, `${label}: byte length`);
  assert.ok(Buffer.compare(bytesOf(actual), bytesOf(expected)) === 0, `${label}: bytes differ`);
}

/** Initializer calls, each run for every dtype: odd sizes around the slice boundaries, offsets, every method. */
const TENSOR_CALLS: Call[] = [
  ['uniform', [[S - 1]], { seed: 1, low: -2, high: 3 }],
  ['uniform', [[S]], { seed: 1 }],
  ['uniform', [[2 * S + 1]], { seed: 2, stream: 'u' }],
  ['uniform', [[3 * S + 5]], { seed: 3n }],
  ['uniform', [[10 * S + 3]], { seed: 0xffffffffffffffffn, stream: 9 }],
  ['normal', [[1000, 1000]], { seed: 4, mean: 0.5, std: 2, offset: 123457, length: 2 * S + 11 }],
  ['normal', [[2 * S + 7]], { seed: 4, stddev: 3, offset: 5 }],
  ['truncatedNormal', [[3 * S + 7]], { seed: 0x123456789abcdefn, lower: -1, upper: 3 }],
  ['truncatedNormal', [[3 * S]], { seed: 5, std: 0 }],
  ['varianceScaling', [[1024, 1024]], { seed: 6, scale: 2, mode: 'fanOut', distribution: 'uniform', layout: 'torch' }],
  ['varianceScaling', [[1024, 1024]], { seed: 6, mode: 'fanAvg', distribution: 'normal' }],
  ['glorotUniform', [[3, 3, 256, 512]], { seed: 7, stream: 'conv2.kernel' }],
  ['glorotNormal', [[1024, 777]], { seed: 7, distribution: 'normal' }],
  ['xavierUniform', [[777, 1024]], { seed: 8, gain: 2 }],
  ['xavierNormal', [[1024, 1024]], { seed: 8, offset: 999, length: S + 1 }],
  ['heUniform', [[512, 3, 3, 256]], { seed: 9, layout: 'torch', mode: 'fanOut', nonlinearity: 'relu' }],
  ['heNormal', [[1024, 1024]], { seed: 9, stream: 'dense', offset: 1234, length: 3 * S - 1 }],
  ['kaimingUniform', [[1024, 1024]], { seed: 10, a: 0.2 }],
  ['kaimingNormal', [[1024, 1024]], { seed: 10, distribution: 'normal', stream: 2n ** 63n + 5n }],
  ['lecunUniform', [[1200, 700]], { seed: 11 }],
  ['lecunNormal', [[1200, 700]], { seed: 11 }],
  ['zeros', [[3 * S + 1]]],
  ['ones', [[2 * S]], { offset: 3, length: S }],
  ['constant', [[1024, 1024], 0.1]],
  ['identity', [[1024, 1024]], { gain: 3, offset: 1000, length: 2 * S }],
  ['eye', [[700, 1500]]],
  ['dirac', [[3, 3, 256, 512]], { groups: 2 }],
  ['orthogonal', [[64, 48]], { seed: 12 }],
  ['orthogonal', [[512, 300]], { seed: 12 }],
  ['orthogonal', [[300, 512]], { seed: 12, gain: 2, layout: 'torch' }],
  ['orthogonal', [[3, 3, 64, 128]], { seed: 12, stream: 'conv', offset: 17, length: 50_000 }],
  ['deltaOrthogonal', [[3, 3, 128, 256]], { seed: 13 }],
  ['deltaOrthogonal', [[256, 128, 3, 3]], { seed: 13, layout: 'torch', offset: 7, length: 200_000 }],
  ['sparse', [[512, 256]], { seed: 14, sparsity: 0.9 }],
  ['sparse', [[1024, 769]], { seed: 14, sparsity: 0.9 }],
  ['sparse', [[769, 1024]], { seed: 14, sparsity: 0.3, layout: 'torch', offset: 100, length: 2 * S + 5 }],
];

const CALLS: Call[] = [
  ...TENSOR_CALLS.flatMap(([method, args, options]): Call[] => DTYPES.map((dtype) => [method, args, { ...options, dtype }])),
  ['randomBits', [3 * S + 1], { seed: 15, stream: 'bits', offset: 7 }],
  ['randomBits', [S - 3], { seed: 15 }],
];

const label = ([method, args, options]: Call) => `${method}(${JSON.stringify(args)}, ${JSON.stringify(options, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))})`;

const pool = createPool({ threads: 3 });
after(() => pool.close());

test('createPool: every method resolves with the bytes of the synchronous call', async () => {
  const expected = CALLS.map(syncCall);
  const actual = await Promise.all(CALLS.map((call) => poolCall(pool, call)));
  actual.forEach((result, i) => assertSameBytes(result, expected[i], label(CALLS[i])));
});

test('createPool: results land in the caller\'s out, shared or not, and come back as that very array', async () => {
  const call: Call = ['heNormal', [[1024, 1024]], { seed: 21, offset: 3, length: 3 * S }];
  const expected = syncCall(call) as Float32Array;
  const plain = new Float32Array(3 * S);
  const shared = new Float32Array(new SharedArrayBuffer((3 * S + 8) * 4), 16, 3 * S);
  assert.equal(await poolCall(pool, [call[0], call[1], { ...call[2], out: plain }]), plain);
  assert.equal(await poolCall(pool, [call[0], call[1], { ...call[2], out: shared }]), shared);
  assertSameBytes(plain, expected, 'plain out');
  assertSameBytes(shared, expected, 'shared out');
  assert.deepEqual(new Float32Array(shared.buffer, 0, 4), new Float32Array(4), 'nothing written before the shared out');

  const halves = new Uint16Array(1024 * 513);
  await pool.orthogonal([1024, 513], { seed: 2, dtype: 'bfloat16', out: halves });
  assertSameBytes(halves, nninit.orthogonal([1024, 513], { seed: 2, dtype: 'bfloat16' }), 'orthogonal into a Uint16Array');
});

test('createPool: results without out are views of shared memory; a fresh seed is shared by all slices', async () => {
  const result = await pool.uniform([4 * S]);
  assert.ok(result.buffer instanceof SharedArrayBuffer);
  const getRandomValues = crypto.getRandomValues;
  crypto.getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
    (array as unknown as Uint32Array).fill(0x9e3779b9);
    return array;
  };
  try {
    assertSameBytes(await pool.normal([3 * S + 3]), nninit.normal([3 * S + 3]), 'normal without a seed');
  } finally {
    crypto.getRandomValues = getRandomValues;
  }
});

test('createPool: a pool call runs on the calling thread\'s backend, with the same bytes on js', async () => {
  nninit.setBackend('js');
  try {
    const call: Call = ['truncatedNormal', [[2 * S + 3]], { seed: 22, dtype: 'float16' }];
    assertSameBytes(await poolCall(pool, call), syncCall(call), 'js backend');
  } finally {
    nninit.setBackend('wasm');
  }
});

/** Calls the synchronous function rejects, with one or several bad arguments; large enough to be split. */
const BAD_CALLS: Call[] = [
  ['heNormal', ['not a shape']],
  ['heNormal', [[4 * S]], { seed: -1 }],
  ['heNormal', [[4 * S]], { seed: -1, unknownOption: 1 }],
  ['heNormal', [[4 * S]], { mode: 'fanAvg' }],
  ['heNormal', [[4 * S]], { distribution: 'uniform' }],
  ['uniform', [[4 * S]], { low: 2, high: 1 }],
  ['uniform', [[4 * S]], { low: -3e38, high: 3e38 }],
  ['normal', [[4 * S]], { offset: 5 * S }],
  ['normal', [[4 * S]], { offset: 1, length: 4 * S }],
  ['normal', [[4 * S]], { out: new Float32Array(3) }],
  ['normal', [[4 * S]], { out: new Float64Array(4 * S), dtype: 'float32' }],
  ['normal', [[4 * S]], { dtype: 'int8' }],
  ['normal', [[4 * S]], 'options'],
  ['varianceScaling', [[4 * S]], { scale: 1e300, distribution: 'uniform' }],
  ['truncatedNormal', [[4 * S]], { lower: 3, upper: 1 }],
  ['constant', [[4 * S], 'one']],
  ['orthogonal', [[4 * S]]],
  ['orthogonal', [[2 ** 14, 2 ** 14]]],
  ['deltaOrthogonal', [[3, 3, 512, 256]]],
  ['sparse', [[1024, 1024]]],
  ['sparse', [[1024, 1024]], { sparsity: 2 }],
  ['identity', [[4, S]], { gain: 'x' }],
  ['dirac', [[3, 3, 256, 512]], { groups: 3 }],
  ['randomBits', [-1]],
  ['randomBits', [4 * S], { out: new Uint32Array(2) }],
];

test('createPool: a bad call rejects with the synchronous call\'s error, and leaves the caller\'s out alone', async () => {
  for (const call of BAD_CALLS) {
    let expected: Error | undefined;
    try {
      syncCall(call);
    } catch (error) {
      expected = error as Error;
    }
    assert.ok(expected, `${label(call)} should throw synchronously`);
    await assert.rejects(poolCall(pool, call), (error: Error) => {
      assert.equal(error.constructor, expected!.constructor, label(call));
      assert.equal(error.message, expected!.message, label(call));
      return true;
    });
  }
  const out = new Float32Array(4 * S).fill(42);
  await assert.rejects(pool.heNormal([4 * S], { mode: 'fanAvg', out }), RangeError);
  assert.ok(out.every((value) => value === 42), 'out untouched');
});

test('createPool: options are checked, and the default is the core count up to 8', async () => {
  assert.throws(() => createPool({ threads: 0 }), { name: 'RangeError', message: 'nninit.createPool: options.threads must be at least 1, got 0' });
  assert.throws(() => createPool({ threads: 1.5 }), RangeError);
  assert.throws(() => createPool({ threads: 65 }), RangeError);
  assert.throws(() => createPool({ threads: '2' as unknown as number }), TypeError);
  assert.throws(() => createPool({ thread: 2 } as never), { name: 'TypeError', message: /unknown option "thread"/ });
  const defaults = createPool();
  try {
    assert.equal(defaults.threads, Math.min(8, availableParallelism()));
    assert.equal(defaults.sharedMemory, true);
    assert.equal(pool.threads, 3);
  } finally {
    await defaults.close();
  }
});

test('close(): pending calls reject, later calls reject, out stays untouched, and closing twice is one close', async () => {
  const closing = createPool({ threads: 2 });
  const out = new Float32Array(8 * S).fill(42);
  const pending = closing.normal([8 * S], { seed: 1, out });
  const kernel = new Float32Array(3 * 3 * 512 * 512).fill(42);
  const pendingWhole = closing.deltaOrthogonal([3, 3, 512, 512], { seed: 1, out: kernel });
  const inline = closing.normal([10], { seed: 1 });
  const closed = closing.close();
  assert.equal(closing.close(), closed);
  await assert.rejects(pending, { message: 'nninit.pool.normal: the pool was closed before the call finished' });
  assert.ok(out.every((value) => value === 42), 'a non-shared out gets nothing unless every slice finished');
  await assert.rejects(pendingWhole, { message: 'nninit.pool.deltaOrthogonal: the pool was closed before the call finished' });
  assert.ok(kernel.every((value) => value === 42), 'deltaOrthogonal\'s zeros are not written into out ahead of its matrix');
  assertSameBytes(await inline, nninit.normal([10], { seed: 1 }), 'an inline call made before close');
  await closed;
  await assert.rejects(closing.heNormal([10]), { message: 'nninit.pool.heNormal: the pool is closed' });
  await assert.rejects(closing.orthogonal([1024, 1024]), { message: 'nninit.pool.orthogonal: the pool is closed' });
});

/** A Node host that never shares memory: workers transfer their slices back, as in a browser without isolation. */
function copyingHost(workerUrl: URL): Host {
  return {
    defaultThreads: 2,
    sharedMemory: false,
    spawn(onMessage, onError) {
      const worker = new Worker(workerUrl, { execArgv: [] });
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
}

test('without shared memory, slices are transferred and copied: the same bytes, into out only when complete', async () => {
  const copying = createPoolOn(copyingHost(new URL('../dist/pool/node-worker.js', import.meta.url)), { threads: 3 });
  try {
    assert.equal(copying.sharedMemory, false);
    const calls: Call[] = [
      ['heNormal', [[1024, 1024]], { seed: 31, dtype: 'float16', offset: 5, length: 3 * S + 1 }],
      ['uniform', [[S + 5]], { seed: 31 }],
      ['orthogonal', [[512, 256]], { seed: 31, dtype: 'float64' }],
      ['sparse', [[1024, 1024]], { seed: 31, sparsity: 0.5, layout: 'torch' }],
      ['randomBits', [2 * S + 2], { seed: 31 }],
    ];
    for (const call of calls) {
      const result = await poolCall(copying, call);
      assert.ok(!(result.buffer instanceof SharedArrayBuffer), label(call));
      assertSameBytes(result, syncCall(call), label(call));
    }
    const out = new Float64Array(3 * S);
    assert.equal(await copying.lecunNormal([3 * S], { seed: 32, out }), out);
    assertSameBytes(out, nninit.lecunNormal([3 * S], { seed: 32, dtype: 'float64' }), 'copied into out');
  } finally {
    await copying.close();
  }
});

/** A Node host that records the type of every task its workers are sent. */
function recordingHost(sharedMemory: boolean, seen: string[]): Host {
  const inner = copyingHost(new URL('../dist/pool/node-worker.js', import.meta.url));
  return {
    defaultThreads: 2,
    sharedMemory,
    spawn(onMessage, onError) {
      const port = inner.spawn(onMessage, onError);
      return { ...port, post: (message, transfer) => { seen.push((message as { type: string }).type); port.post(message, transfer); } };
    },
  };
}

/** Calls large enough to be split by columns: tall, wide, every dtype, gains, layouts, slices, deltaOrthogonal. */
const COLUMN_CALLS: Call[] = [
  ['orthogonal', [[1024, 512]], { seed: 41 }],
  ['orthogonal', [[512, 1024]], { seed: 41, gain: -2, dtype: 'float64' }],
  ['orthogonal', [[768, 700]], { seed: 42, dtype: 'bfloat16', stream: 'rnn' }],
  ['orthogonal', [[3, 3, 64, 512]], { seed: 43, dtype: 'float16', offset: 1001, length: 100_000 }],
  ['orthogonal', [[600, 20, 30]], { seed: 44, layout: 'torch', offset: 7, length: 300_000 }],
  ['deltaOrthogonal', [[3, 3, 512, 600]], { seed: 45 }],
  ['deltaOrthogonal', [[600, 512, 3]], { seed: 45, layout: 'torch', dtype: 'float64', gain: 1.5 }],
];

test('large orthogonal and deltaOrthogonal calls are split by columns across workers: the synchronous bytes', async () => {
  const expected = COLUMN_CALLS.map(syncCall);
  for (const [threads, sharedMemory] of [[2, true], [3, true], [2, false]] as const) {
    const seen: string[] = [];
    const splitting = createPoolOn(recordingHost(sharedMemory, seen), { threads });
    try {
      for (const [i, call] of COLUMN_CALLS.entries()) {
        seen.length = 0;
        const where = `${threads} threads, shared ${sharedMemory}: ${label(call)}`;
        const result = await poolCall(splitting, call);
        assertSameBytes(result, expected[i], where);
        assert.equal(result.buffer instanceof SharedArrayBuffer, sharedMemory, where);
        assert.deepEqual(seen, Array(threads).fill('orthogonalColumns'), `${where}: one block per worker`);
      }
      // Into a caller's out: shared (the whole float32 matrix is written in place) or not; float64 through
      // initParameter of a plan entry.
      const [method, args, options] = COLUMN_CALLS[0];
      for (const out of [new Float32Array(1024 * 512), new Float32Array(new SharedArrayBuffer(1024 * 512 * 4))]) {
        assert.equal(await poolCall(splitting, [method, args, { ...options, out }]), out);
        assertSameBytes(out, expected[0], `${threads} threads: into ${out.buffer.constructor.name}`);
      }
      const [p] = nninit.planModel({ seed: 46, dtype: 'float64', layers: [{ type: 'param', name: 'w', shape: [700, 900], init: 'orthogonal', gain: 2 }] });
      seen.length = 0;
      assertSameBytes(await splitting.initParameter(p), nninit.initParameter(p), 'initParameter of an orthogonal entry');
      assert.equal(seen.filter((type) => type === 'orthogonalColumns').length, threads);
    } finally {
      await splitting.close();
    }
  }
  // On the js backend the workers compute their blocks on js too.
  const call: Call = ['orthogonal', [[2048, 256]], { seed: 47 }];
  nninit.setBackend('js');
  try {
    assertSameBytes(await poolCall(pool, call), syncCall(call), 'js backend');
  } finally {
    nninit.setBackend('wasm');
  }
  // Small matrices and pools of one thread run whole in one worker.
  const seen: string[] = [];
  const small = createPoolOn(recordingHost(true, seen), { threads: 2 });
  const single = createPoolOn(recordingHost(true, seen), { threads: 1 });
  try {
    await small.orthogonal([512, 256], { seed: 48 });
    await single.orthogonal([1024, 512], { seed: 48 });
    assert.deepEqual(seen.filter((type) => type !== 'init'), ['run', 'run']);
  } finally {
    await small.close();
    await single.close();
  }
});

test('a worker that cannot start rejects the calls waiting for it, and every later call', async () => {
  const broken = createPoolOn(copyingHost(new URL('./no-such-worker.js', import.meta.url)), { threads: 2 });
  try {
    await assert.rejects(broken.heNormal([4 * S], { seed: 1 }), { message: /^nninit pool: a worker could not start: / });
    await assert.rejects(broken.normal([4 * S], { seed: 1 }), { message: /^nninit pool: a worker could not start: / });
  } finally {
    await broken.close();
  }
});

test('an unclosed pool does not keep Node running, and a closed one exits at once', { timeout: 30_000 }, async () => {
  const script = (close: boolean) => `
    import { createPool } from 'nninit/pool';
    const pool = createPool({ threads: 2 });
    const idle = createPool({ threads: 2 });
    const w = await pool.heNormal([1024, 1024], { seed: 1 });
    console.log(w.length);
    ${close ? 'await pool.close(); await idle.close();' : ''}`;
  for (const close of [false, true]) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script(close)], { cwd: ROOT, timeout: 20_000 });
    assert.equal(stdout.trim(), String(1024 * 1024));
  }
});

test('slices: one per thread, none shorter than MIN_SLICE (less half an alignment), covering the call exactly', () => {
  assert.equal(MIN_SLICE, 2 ** 18);
  assert.equal(MIN_WHOLE, 2 ** 16);
  for (const threads of [1, 2, 3, 8]) {
    for (const offset of [0, 1, 1023, 123_457]) {
      for (const length of [S, 2 * S - 1, 2 * S, 3 * S + 5, 10 * S + 3, 64 * S + 1]) {
        const bounds = sliceBounds(offset, length, threads);
        const where = `threads ${threads}, offset ${offset}, length ${length}: ${bounds.join(' ')}`;
        assert.equal(bounds.length - 1, Math.max(1, Math.min(threads, Math.floor(length / S))), where);
        assert.equal(bounds[0], offset, where);
        assert.equal(bounds.at(-1), offset + length, where);
        for (let i = 1; i < bounds.length; i++) assert.ok(bounds[i] - bounds[i - 1] >= S - 512, where);
        for (let i = 1; i < bounds.length - 1; i++) assert.equal(bounds[i] % 1024, 0, where);
      }
    }
  }
});
