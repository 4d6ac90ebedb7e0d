// sparse: the mask is the documented keyed permutation per input (unit u of input j is zero when pi_j(u) < k),
// written again here from its description; exactly k zeros per input, each unit zero with probability k / units;
// a slice costs what the slice needs, whatever the shape; bit identity across backends, slices and dtypes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

interface SparseCase {
  shape: [number, number];
  sparsity: number;
  std?: number;
  layout?: 'keras' | 'torch';
  seed: number;
  stream?: number | string;
}

const ROUNDS = 12;

/** a * b mod 2^32 for 32-bit unsigned a and b, from 16-bit halves (exact in doubles; no Math.imul). */
function multiply32(a: number, b: number): number {
  const low = a * (b % 65536);
  const high = ((a * Math.floor(b / 65536)) % 65536) * 65536;
  return (low + high) % 2 ** 32;
}

/** The 32-bit hash of the documented round function, written with unsigned arithmetic. */
function hash(x: number): number {
  x = (x ^ Math.floor(x / 65536)) >>> 0;
  x = multiply32(x, 0x7feb352d);
  x = (x ^ Math.floor(x / 32768)) >>> 0;
  x = multiply32(x, 0x846ca68b);
  return (x ^ Math.floor(x / 65536)) >>> 0;
}

/** Units and inputs of a case: 'torch' [units, inputs], 'keras' [inputs, units]. */
const dimensions = (c: SparseCase) => (c.layout === 'torch' ? { units: c.shape[0], inputs: c.shape[1] } : { units: c.shape[1], inputs: c.shape[0] });

/**
 * pi_j of the documentation: a Feistel network on 2h bits with round keys from stream words
 * 4 ceil(size / 4) + 12 j + r, in the textbook form (L, R) -> (R, L xor F(R)), applied again while >= units.
 */
function permutation(c: SparseCase, j: number): (unit: number) => number {
  const { units } = dimensions(c);
  const size = c.shape[0] * c.shape[1];
  const keys = nninit.randomBits(ROUNDS, { seed: c.seed, stream: c.stream, offset: 4 * Math.ceil(size / 4) + ROUNDS * j });
  let bits = 0;
  while (2 ** bits < units) bits++;
  const h = Math.max(1, Math.ceil(bits / 2));
  const F = (half: number, key: number) => Math.floor(hash((half ^ key) >>> 0) / 2 ** (32 - h));
  return (unit) => {
    let x = unit;
    do {
      let left = Math.floor(x / 2 ** h), right = x % 2 ** h;
      for (let r = 0; r < ROUNDS; r++) [left, right] = [right, left ^ F(right, keys[r])];
      x = left * 2 ** h + right;
    } while (x >= units);
    return x;
  };
}

const zerosOf = (c: SparseCase) => Math.ceil(c.sparsity * dimensions(c).units);

/** Element `flat` of the documented tensor: the normal stream's value, or 0 where the mask says so. */
function referenceAt(c: SparseCase, flat: number, pi: (j: number) => (unit: number) => number): number {
  const { units, inputs } = dimensions(c);
  const [unit, input] = c.layout === 'torch' ? [Math.floor(flat / inputs), flat % inputs] : [flat % units, Math.floor(flat / units)];
  if (pi(input)(unit) < zerosOf(c)) return 0;
  return nninit.normal([c.shape[0] * c.shape[1]], { seed: c.seed, stream: c.stream, std: c.std ?? 0.01, offset: flat, length: 1 })[0];
}

/** The whole documented tensor. */
function wholeTensorReference(c: SparseCase): Float32Array {
  const { units, inputs } = dimensions(c);
  const full = nninit.normal([c.shape[0] * c.shape[1]], { seed: c.seed, stream: c.stream, std: c.std ?? 0.01 });
  const k = zerosOf(c);
  for (let j = 0; j < inputs; j++) {
    const pi = permutation(c, j);
    for (let unit = 0; unit < units; unit++) {
      if (pi(unit) < k) full[c.layout === 'torch' ? unit * inputs + j : j * units + unit] = 0;
    }
  }
  return full;
}

const CASES: SparseCase[] = [
  { shape: [40, 30], sparsity: 0.3, seed: 13 },
  { shape: [30, 40], sparsity: 0.9, layout: 'torch', seed: 13 },
  { shape: [1, 1], sparsity: 1, seed: 1 },
  { shape: [7, 1], sparsity: 0.5, layout: 'torch', seed: 2, stream: 'w' },
  { shape: [1, 700], sparsity: 0.25, std: 0.5, seed: 3 },
  { shape: [700, 3], sparsity: 0.01, layout: 'torch', seed: 4 },
  { shape: [65, 300], sparsity: 0, seed: 5 },
  { shape: [300, 65], sparsity: 0.999, layout: 'torch', seed: 6, stream: 3 },
  { shape: [128, 257], sparsity: 0.5, seed: 7 },
  { shape: [33, 5], sparsity: 0.6, seed: 8 },
  { shape: [2, 1025], sparsity: 0.7, layout: 'torch', seed: 9 },
];

test('sparse equals the documented mask bit for bit, whole and sliced, on both backends and all dtypes', () => {
  for (const c of CASES) {
    const reference = wholeTensorReference(c);
    const options = { sparsity: c.sparsity, std: c.std, layout: c.layout, seed: c.seed, stream: c.stream };
    const size = reference.length;
    const slices: [number, number][] = [
      [0, size], [0, 1], [size - 1, 1], [Math.floor(size / 3), Math.ceil(size / 2)], [5 % size, Math.min(8, size - 5 % size)],
      [Math.floor(size / 7), Math.min(size - Math.floor(size / 7), 3 * c.shape[1] + 2)],
    ];
    for (const backend of ['wasm', 'js'] as const) {
      for (const [offset, length] of slices) {
        const part = withBackend(backend, () => nninit.sparse(c.shape, { ...options, offset, length }));
        assert.deepEqual(bytesOf(part), bytesOf(reference.subarray(offset, offset + length)), `${JSON.stringify(c)} ${backend} [${offset}, +${length})`);
      }
    }
    for (const dtype of ['float64', 'float16', 'bfloat16'] as const) {
      const converted = nninit.sparse(c.shape, { ...options, dtype, offset: 1 % size, length: size - (1 % size) });
      const expected = dtype === 'float64' ? Float64Array.from(reference.subarray(1 % size))
        : Uint16Array.from(reference.subarray(1 % size), dtype === 'float16' ? nninit.float16Bits : nninit.bfloat16Bits);
      assert.deepEqual(bytesOf(converted), bytesOf(expected), `${JSON.stringify(c)} ${dtype}`);
    }
  }
});

/** The mask of a tensor: 1 where sparse gives 0 and the normal stream does not (a normal value can be 0 itself). */
function maskOf(c: SparseCase): Uint8Array {
  const values = nninit.sparse(c.shape, { sparsity: c.sparsity, layout: c.layout, seed: c.seed, stream: c.stream });
  const normal = nninit.normal([values.length], { seed: c.seed, stream: c.stream, std: 0.01 });
  return Uint8Array.from(values, (value, i) => Number(value === 0 && normal[i] !== 0));
}

test('exactly ceil(sparsity * units) zeros per input, for many shapes, sparsities and both layouts', () => {
  let checked = 0;
  for (const units of [1, 2, 3, 5, 16, 17, 100, 1000, 4097]) {
    for (const sparsity of [0.01, 0.1, 0.3, 0.5, 0.77, 0.9, 1]) {
      for (const layout of ['keras', 'torch'] as const) {
        const inputs = Math.max(3, Math.floor(20000 / units));
        const c: SparseCase = { shape: layout === 'torch' ? [units, inputs] : [inputs, units], sparsity, layout, seed: units };
        const mask = maskOf(c);
        const k = zerosOf(c);
        for (let j = 0; j < inputs; j++) {
          let zeros = 0;
          for (let unit = 0; unit < units; unit++) zeros += mask[layout === 'torch' ? unit * inputs + j : j * units + unit];
          assert.equal(zeros, k, `${JSON.stringify(c)} input ${j}`);
        }
        checked++;
      }
    }
  }
  assert.equal(checked, 9 * 7 * 2);
});

test('each unit is zero with probability k / units, across inputs and across seeds (chi-square and per unit, 4 SE)', () => {
  const check = (counts: Float64Array, trials: number, p: number, what: string) => {
    const units = counts.length, variance = trials * p * (1 - p);
    let chi = 0;
    for (let unit = 0; unit < units; unit++) {
      const z = (counts[unit] - trials * p) / Math.sqrt(variance);
      assert.ok(Math.abs(z) < 4, `${what}: unit ${unit} is zero ${counts[unit]} times in ${trials}, ${z.toFixed(2)} SE from ${trials * p}`);
      chi += z * z;
    }
    // Exactly k zeros per input tie the counts together: sum z^2 (units - 1) / units is chi-square with units - 1
    // degrees of freedom, mean units - 1 and standard deviation sqrt(2 (units - 1)).
    const statistic = chi * (units - 1) / units, freedom = units - 1;
    assert.ok(Math.abs(statistic - freedom) < 4 * Math.sqrt(2 * freedom), `${what}: chi-square ${statistic.toFixed(1)} with ${freedom} degrees of freedom`);
  };
  // Across inputs, for domains with and without cycle walking.
  for (const [units, sparsity] of [[2, 0.5], [3, 0.5], [5, 0.3], [7, 0.5], [16, 0.25], [17, 0.5], [100, 0.9], [257, 0.1]] as const) {
    const inputs = Math.floor(400000 / units);
    const c: SparseCase = { shape: [inputs, units], sparsity, seed: 31 };
    const mask = maskOf(c), counts = new Float64Array(units);
    for (let i = 0; i < mask.length; i++) counts[i % units] += mask[i];
    check(counts, inputs, zerosOf(c) / units, `[${inputs}, ${units}] sparsity ${sparsity}`);
  }
  // Across seeds, for one small input in the torch layout.
  for (const units of [5, 9]) {
    const counts = new Float64Array(units);
    const seeds = 20000;
    let k = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const c: SparseCase = { shape: [units, 1], sparsity: 0.4, layout: 'torch', seed };
      k = zerosOf(c);
      maskOf(c).forEach((zero, unit) => { counts[unit] += zero; });
    }
    check(counts, seeds, k / units, `[${units}, 1] torch over ${seeds} seeds`);
  }
});

test('a slice of any shape costs what the slice needs: milliseconds and no whole-row memory', () => {
  const cases: (SparseCase & { offset: number })[] = [
    { shape: [1, 2 ** 31], sparsity: 0.5, seed: 1, offset: 0 },
    { shape: [1, 2 ** 28], sparsity: 0.5, seed: 1, offset: 2 ** 28 - 8 },
    { shape: [2 ** 26, 2 ** 26], sparsity: 0.5, seed: 1, offset: 0 },
    { shape: [2 ** 26, 2 ** 26], sparsity: 0.9, seed: 2, layout: 'torch', offset: 2 ** 51 + 12345 },
    { shape: [2 ** 31, 1], sparsity: 0.5, seed: 3, layout: 'torch', offset: 2 ** 30 },
    { shape: [2 ** 20, 2 ** 20], sparsity: 0.75, seed: 22, stream: 'big', offset: 777 * 2 ** 20 + 4096 },
  ];
  for (const c of cases) {
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const part = nninit.sparse(c.shape, { sparsity: c.sparsity, layout: c.layout, seed: c.seed, stream: c.stream, offset: c.offset, length: 8 });
    const elapsed = performance.now() - started;
    const grown = process.memoryUsage().rss - before;
    assert.ok(elapsed < 200, `${JSON.stringify(c.shape)}: ${elapsed.toFixed(1)} ms for 8 values`);
    assert.ok(grown < 64 * 2 ** 20, `${JSON.stringify(c.shape)}: memory grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
    const permutations = new Map<number, (unit: number) => number>();
    const pi = (j: number) => permutations.get(j) ?? permutations.set(j, permutation(c, j)).get(j)!;
    const expected = Float32Array.from({ length: 8 }, (_, k) => referenceAt(c, c.offset + k, pi));
    assert.deepEqual(bytesOf(part), bytesOf(expected), JSON.stringify(c));
    assert.deepEqual(bytesOf(withBackend('js', () => nninit.sparse(c.shape, { sparsity: c.sparsity, layout: c.layout, seed: c.seed, stream: c.stream, offset: c.offset, length: 8 }))), bytesOf(part));
  }
});

test('a sparse tensor whose mask would read beyond stream word 2^53 is a RangeError naming the shape', () => {
  const namesShape = (shape: string) => (error: unknown) => {
    assert.ok(error instanceof RangeError, String(error));
    assert.ok(error.message.startsWith('nninit.sparse: shape ') && error.message.includes(shape), error.message);
    return true;
  };
  // 15 * 2^49 elements in 2^49 inputs: 4 ceil(size / 4) + 12 inputs > 2^53.
  assert.throws(() => nninit.sparse([2 ** 49, 15], { seed: 1, sparsity: 0.5, offset: 0, length: 8 }), namesShape(`[${2 ** 49}, 15]`));
  // Without a mask to plan (no zeros, or all zeros) any slice is fine.
  assert.deepEqual(nninit.sparse([2 ** 49, 15], { seed: 1, sparsity: 0, offset: 2 ** 52, length: 3 }),
    nninit.normal([15 * 2 ** 49], { seed: 1, std: 0.01, offset: 2 ** 52, length: 3 }));
  assert.ok(nninit.sparse([2 ** 49, 15], { seed: 1, sparsity: 1, offset: 5, length: 4 }).every((x) => x === 0));
});
