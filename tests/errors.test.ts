// Bad input: a TypeError or RangeError whose message names the argument, thrown before anything is written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';

type Call = () => unknown;

function throwsNaming(call: Call, kind: typeof TypeError | typeof RangeError, argument: string): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.ok((error as Error).message.includes(argument), `message "${(error as Error).message}" does not name ${argument}`);
    return true;
  });
}

const RANDOM = ['uniform', 'normal', 'truncatedNormal', 'varianceScaling', 'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal'] as const;
const ALL = [...RANDOM, 'zeros', 'ones'] as const;
const call = (name: string, shape: unknown, options?: unknown) => () => (nninit as unknown as Record<string, (s: unknown, o?: unknown) => unknown>)[name](shape, options);

test('shape dimensions that are negative, fractional, NaN or Infinity', () => {
  for (const name of ALL) {
    throwsNaming(call(name, [3, -1]), RangeError, 'shape[1]');
    throwsNaming(call(name, [2.5, 3]), RangeError, 'shape[0]');
    throwsNaming(call(name, [NaN]), RangeError, 'shape[0]');
    throwsNaming(call(name, [4, Infinity]), RangeError, 'shape[1]');
    throwsNaming(call(name, [4, '5']), TypeError, 'shape[1]');
    throwsNaming(call(name, 5), TypeError, 'shape');
    throwsNaming(call(name, [2 ** 30, 2 ** 30, 2 ** 30]), RangeError, 'shape');
  }
});

test('seeds that are not integers in [0, 2^64)', () => {
  for (const name of RANDOM) {
    throwsNaming(call(name, [4], { seed: 1.5 }), RangeError, 'options.seed');
    throwsNaming(call(name, [4], { seed: -1 }), RangeError, 'options.seed');
    throwsNaming(call(name, [4], { seed: 2 ** 64 }), RangeError, 'options.seed');
    throwsNaming(call(name, [4], { seed: 2n ** 64n }), RangeError, 'options.seed');
    throwsNaming(call(name, [4], { seed: -1n }), RangeError, 'options.seed');
    throwsNaming(call(name, [4], { seed: NaN }), RangeError, 'options.seed');
    throwsNaming(call(name, [4], { seed: '7' }), TypeError, 'options.seed');
    throwsNaming(call(name, [4], { stream: 0.5 }), RangeError, 'options.stream');
    throwsNaming(call(name, [4], { stream: {} }), TypeError, 'options.stream');
  }
  throwsNaming(() => nninit.createGenerator(-3), RangeError, 'seed');
  throwsNaming(() => nninit.randomBits(4, { seed: 0.25 }), RangeError, 'options.seed');
});

test('distribution parameters', () => {
  throwsNaming(call('normal', [4], { std: -1 }), RangeError, 'options.std');
  throwsNaming(call('normal', [4], { stddev: -0.5 }), RangeError, 'options.stddev');
  throwsNaming(call('truncatedNormal', [4], { std: -1 }), RangeError, 'options.std');
  throwsNaming(call('normal', [4], { std: NaN }), RangeError, 'options.std');
  throwsNaming(call('normal', [4], { mean: Infinity }), RangeError, 'options.mean');
  throwsNaming(call('normal', [4], { std: 1, stddev: 1 }), TypeError, 'options.std');
  throwsNaming(call('truncatedNormal', [4], { lower: 2, upper: 2 }), RangeError, 'options.lower');
  throwsNaming(call('truncatedNormal', [4], { lower: 3, upper: -1 }), RangeError, 'options.lower');
  throwsNaming(call('truncatedNormal', [4], { lower: NaN }), RangeError, 'options.lower');
  throwsNaming(call('uniform', [4], { low: 1, high: 0 }), RangeError, 'options.low');
  throwsNaming(call('uniform', [4], { low: -3e38, high: 3e38 }), RangeError, 'uniform');
  throwsNaming(call('varianceScaling', [4], { scale: -1 }), RangeError, 'options.scale');
  throwsNaming(call('varianceScaling', [4], { mode: 'fanSum' }), RangeError, 'options.mode');
  throwsNaming(call('varianceScaling', [4], { distribution: 'gamma' }), RangeError, 'options.distribution');
  throwsNaming(call('varianceScaling', [4], { layout: 'nchw' }), RangeError, 'options.layout');
  throwsNaming(call('heNormal', [4], { mode: 'fanAvg' }), RangeError, 'options.mode');
  throwsNaming(call('heNormal', [4], { distribution: 'uniform' }), RangeError, 'options.distribution');
  throwsNaming(call('glorotUniform', [4], { gain: -1 }), RangeError, 'options.gain');
  throwsNaming(call('normal', [4], { sdtev: 1 }), TypeError, 'sdtev');
  throwsNaming(call('zeros', [4], { seed: 1 }), TypeError, 'seed');
  throwsNaming(call('uniform', [4], 'fast'), TypeError, 'options');
  throwsNaming(() => nninit.constant([4], '1' as unknown as number), TypeError, 'value');
});

test('an unknown nonlinearity, and a bad leaky_relu slope', () => {
  throwsNaming(() => nninit.calculateGain('gelu' as 'relu'), RangeError, 'nonlinearity');
  throwsNaming(() => nninit.calculateGain(3 as unknown as 'relu'), TypeError, 'nonlinearity');
  throwsNaming(() => nninit.calculateGain('leaky_relu', true as unknown as number), TypeError, 'param');
  throwsNaming(call('heUniform', [4], { nonlinearity: 'swish' }), RangeError, 'options.nonlinearity');
  throwsNaming(call('heUniform', [4], { a: NaN }), RangeError, 'options.a');
});

test('out of the wrong type or length, offset and length outside the tensor', () => {
  for (const name of ALL) {
    throwsNaming(call(name, [10], { out: new Float32Array(9) }), RangeError, 'options.out');
    throwsNaming(call(name, [10], { out: new Uint8Array(10) }), TypeError, 'options.out');
    throwsNaming(call(name, [10], { out: [0, 0, 0] }), TypeError, 'options.out');
    throwsNaming(call(name, [10], { out: new Float32Array(10), dtype: 'float64' }), TypeError, 'options.out');
    throwsNaming(call(name, [10], { dtype: 'int8' }), RangeError, 'options.dtype');
    throwsNaming(call(name, [10], { offset: 11 }), RangeError, 'options.offset');
    throwsNaming(call(name, [10], { offset: -1 }), RangeError, 'options.offset');
    throwsNaming(call(name, [10], { offset: 1.5 }), RangeError, 'options.offset');
    throwsNaming(call(name, [10], { offset: 4, length: 7 }), RangeError, 'options.length');
    throwsNaming(call(name, [10], { length: -2 }), RangeError, 'options.length');
    throwsNaming(call(name, [10], { out: new Float32Array(3), offset: 4, length: 4 }), RangeError, 'options.out');
  }
  throwsNaming(() => nninit.randomBits(4, { out: new Uint32Array(3) }), RangeError, 'options.out');
  throwsNaming(() => nninit.randomBits(-4), RangeError, 'n');
  throwsNaming(() => nninit.philox4x32([0, 0, 0], [0, 0]), RangeError, 'counter');
  throwsNaming(() => nninit.philox4x32([0, 0, 0, 2 ** 32], [0, 0]), RangeError, 'counter[3]');
  throwsNaming(() => nninit.setBackend('gpu' as 'js'), RangeError, 'name');
});

test("a caller's out is never half-written: every rejected call leaves it untouched", () => {
  const sentinel = 12345.5;
  const out = new Float32Array(16).fill(sentinel);
  const rejected: Call[] = [
    call('normal', [16], { out, std: -1 }),
    call('truncatedNormal', [16], { out, lower: 1, upper: 0 }),
    call('truncatedNormal', [16], { out, mean: 1, std: 1e-45, lower: -1, upper: 1 }),
    call('heNormal', [16], { out, nonlinearity: 'nope' }),
    call('uniform', [16], { out, seed: -1 }),
    call('glorotNormal', [4, 4], { out, layout: 'nope' }),
    call('varianceScaling', [4, 4], { out, distribution: 'nope' }),
    call('lecunNormal', [4, 4], { out, offset: 1 }),
    call('uniform', [16], { out, low: 2, high: 1 }),
  ];
  for (const rejectedCall of rejected) {
    assert.throws(rejectedCall);
    assert.ok(out.every((x) => x === sentinel));
  }
});

test('a truncated normal with no float32 strictly inside its bounds is rejected', () => {
  // Bounds 1 + 2^-24 -+ 1e-9 lie strictly between the adjacent float32 values 1 and 1 + 2^-23.
  throwsNaming(call('truncatedNormal', [4], { mean: 1 + 2 ** -24, std: 1e-9, lower: -1, upper: 1 }), RangeError, 'truncatedNormal');
  assert.equal(nninit.truncatedNormal([4], { mean: 1, std: 1e-9, lower: -1, upper: 1, seed: 1 }).every((x) => x === 1), true);
});

/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

test('parameters whose values would overflow float32 are rejected, naming the argument', () => {
  throwsNaming(call('normal', [2 ** 20], { std: 1e38 }), RangeError, 'options.std');
  throwsNaming(call('normal', [4], { stddev: 1e38 }), RangeError, 'options.stddev');
  for (const argument of ['options.mean', 'options.std']) {
    throwsNaming(call('normal', [65536], { mean: 3e38, std: 1e38 }), RangeError, argument);
    throwsNaming(call('normal', [4], { mean: -3.4e38, std: 1e37 }), RangeError, argument);
  }
  throwsNaming(call('truncatedNormal', [4], { std: 1e39 }), RangeError, 'options.std');
  throwsNaming(call('truncatedNormal', [4], { mean: 3e38, std: 1e38 }), RangeError, 'options.mean');
  throwsNaming(call('sparse', [4, 4], { sparsity: 0.5, std: 1e38 }), RangeError, 'options.std');
  for (const dtype of ['float32', 'float64']) {
    throwsNaming(call('orthogonal', [4, 4], { gain: 1e39, dtype }), RangeError, 'options.gain');
    throwsNaming(call('orthogonal', [4, 4], { gain: -3e38, dtype }), RangeError, 'options.gain');
    throwsNaming(call('deltaOrthogonal', [3, 4, 4], { gain: 1e39, dtype }), RangeError, 'options.gain');
    throwsNaming(call('identity', [4, 4], { gain: 1e39, dtype }), RangeError, 'options.gain');
    throwsNaming(call('identity', [4, 4], { gain: -Infinity, dtype }), RangeError, 'options.gain');
  }
  // The largest accepted parameters give finite values only.
  assert.ok(allFinite(nninit.normal([1 << 16], { std: FLOAT32_MAX / 5.8, seed: 1 })));
  assert.ok(allFinite(nninit.normal([1 << 16], { mean: -1e38, std: (FLOAT32_MAX - 1e38) / 5.8, seed: 2 })));
  assert.ok(allFinite(nninit.orthogonal([16, 16], { gain: 2 ** 127, seed: 3 })));
  assert.ok(allFinite(nninit.identity([3, 3], { gain: FLOAT32_MAX })));
  assert.ok(allFinite(nninit.truncatedNormal([1 << 16], { mean: 3e38, std: 1e37, seed: 4 })));
});

test('constant rejects NaN and values that overflow float32 unless allowNonFinite is set', () => {
  for (const value of [NaN, Infinity, -Infinity, 1e39, -3.5e38]) {
    throwsNaming(() => nninit.constant([4], value), RangeError, 'value');
    throwsNaming(() => nninit.constant([4], value, { dtype: 'float64' }), RangeError, 'value');
  }
  assert.deepEqual([...nninit.constant([2], FLOAT32_MAX)], [FLOAT32_MAX, FLOAT32_MAX]);
  assert.ok(Number.isNaN(nninit.constant([2], NaN, { allowNonFinite: true })[1]));
  assert.deepEqual([...nninit.constant([2], -Infinity, { allowNonFinite: true })], [-Infinity, -Infinity]);
  assert.deepEqual([...nninit.constant([1], 1e39, { allowNonFinite: true })], [Infinity]);
  assert.deepEqual([...nninit.constant([1], 1e39, { allowNonFinite: true, dtype: 'float64' })], [1e39]);
  throwsNaming(() => nninit.constant([1], 1, { allowNonFinite: 'yes' as unknown as boolean }), TypeError, 'options.allowNonFinite');
});

test('half-precision outputs may overflow to infinity by IEEE rules (documented), float32 never does', () => {
  const half = nninit.normal([4096], { std: 1e5, seed: 5, dtype: 'float16' });
  assert.ok(half.includes(0x7c00) && half.includes(0xfc00));
  assert.ok(allFinite(nninit.normal([4096], { std: 1e5, seed: 5 })));
});

test('every allocation goes through one check: a RangeError naming the function and the slice options', () => {
  const allocation = (fn: string) => (error: unknown) => {
    assert.ok(error instanceof RangeError, String(error));
    assert.match(error.message, new RegExp(`^nninit\\.${fn}: cannot allocate .*options\\.offset`));
    return true;
  };
  for (const dtype of ['float32', 'float64', 'float16', 'bfloat16']) {
    assert.throws(() => nninit.identity([2 ** 26, 2 ** 26], { dtype } as { dtype: 'float16' }), allocation('identity'));
    assert.throws(() => nninit.dirac([2 ** 24, 2 ** 24, 3], { layout: 'torch', dtype } as { dtype: 'float16' }), allocation('dirac'));
    assert.throws(() => nninit.deltaOrthogonal([2 ** 22, 2 ** 22, 4, 4], { seed: 1, dtype } as { dtype: 'float16' }), allocation('deltaOrthogonal'));
    assert.throws(() => nninit.heNormal([2 ** 26, 2 ** 26], { seed: 1, dtype } as { dtype: 'float16' }), allocation('heNormal'));
  }
  assert.throws(() => nninit.randomBits(2 ** 40), allocation('randomBits'));
});

test('an overflowing scale or gain names the option the caller passed', () => {
  throwsNaming(call('glorotUniform', [4, 4], { gain: 1e200 }), RangeError, 'options.gain');
  throwsNaming(call('glorotNormal', [4, 4], { gain: 1e200 }), RangeError, 'options.gain');
  throwsNaming(call('glorotNormal', [4, 4], { gain: 3e38, distribution: 'normal' }), RangeError, 'options.gain');
  for (const distribution of ['truncatedNormal', 'normal', 'uniform']) {
    throwsNaming(call('varianceScaling', [4, 4], { scale: 1e300, distribution }), RangeError, 'options.scale');
    throwsNaming(call('varianceScaling', [4, 4], { scale: 1e78, distribution }), RangeError, 'options.scale');
  }
});
