// The sums behind a written chunk's statistics: the SIMD kernel and the js backend give the same bits (the
// order of additions src/core/moments.ts specifies), both agree with a plain float64 sum, and the statistics
// agree with the generic path the writer takes for float64 values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import { createWasmBackend } from '../src/core/wasm.ts';
import { referenceBackend } from '../src/core/reference.ts';
import { shiftedSumsFloat32 } from '../src/core/moments.ts';
import { withBackend } from './with-backend.ts';

const { Accumulator } = nninit;
const wasm = createWasmBackend(new WebAssembly.Module(readFileSync(new URL('../build/nninit.wasm', import.meta.url))));

/** Deterministic awkward values: magnitudes from 1e-30 to 1e30, both signs, negative and positive zeros. */
function awkward(n: number, seed: number): Float32Array {
  const values = new Float32Array(n);
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let i = 0; i < n; i++) {
    const kind = next();
    const sign = next() < 0.5 ? -1 : 1;
    if (kind < 0.05) values[i] = -0;
    else if (kind < 0.08) values[i] = 0;
    else if (kind < 0.2) values[i] = sign * 10 ** (next() * 60 - 30);
    else values[i] = sign * (next() * 3 + 0.25);
  }
  return values;
}

const LENGTHS = [0, 1, 3, 4, 5, 7, 8, 9, 4093, 65536 + 3];

function sumsOf(run: (values: Float32Array, shift: number, out: Float64Array) => void, values: Float32Array, shift: number): Float64Array {
  const out = new Float64Array([NaN, NaN]);
  run(values, shift, out);
  return out;
}

const bits = (value: number) => new BigUint64Array(new Float64Array([value]).buffer)[0];

test('shiftedSums: the SIMD kernel and the js backend give the same bits on awkward lengths and values', () => {
  for (const n of LENGTHS) {
    for (const seed of [1, 2, 3]) {
      const values = awkward(n, seed * 7919 + n);
      for (const shift of [0, -0, n > 0 ? values[0] : 0, 1e20, -2.5]) {
        const fromWasm = sumsOf(wasm.shiftedSums!.bind(wasm), values, shift);
        const fromJs = sumsOf(referenceBackend.shiftedSums!, values, shift);
        for (const k of [0, 1]) {
          assert.equal(bits(fromWasm[k]), bits(fromJs[k]), `n=${n} seed=${seed} shift=${shift} ${k ? 'squares' : 'sum'}: ${fromWasm[k]} vs ${fromJs[k]}`);
        }
        if (n === 0) assert.deepEqual([...fromWasm], [0, 0]);
      }
    }
  }
  // Subarrays at every alignment: the kernel copies the values, so their offset in their buffer does not matter.
  const long = awkward(70000, 5);
  for (const offset of [1, 2, 3]) {
    const values = long.subarray(offset, offset + 65539);
    assert.deepEqual(sumsOf(wasm.shiftedSums!.bind(wasm), values, 0.5), sumsOf(shiftedSumsFloat32, values, 0.5));
  }
});

test('shiftedSums: within eight values each lands in its own lane, combined in the order specified', () => {
  // Within 8 values, lane order is sequential: exactly a plain loop's result.
  const few = Float32Array.from([1e8, 1, -1e8, 1, 3, 7, -2, 0.1]);
  const out = sumsOf(wasm.shiftedSums!.bind(wasm), few, 0);
  // Lanes combine as ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7)).
  const d = Array.from(few);
  assert.equal(out[0], ((d[0] + d[2]) + (d[4] + d[6])) + ((d[1] + d[3]) + (d[5] + d[7])));
  assert.equal(out[1], ((d[0] ** 2 + d[2] ** 2) + (d[4] ** 2 + d[6] ** 2)) + ((d[1] ** 2 + d[3] ** 2) + (d[5] ** 2 + d[7] ** 2)));
});

test('shiftedSums: agree with a float64 reference sum of the float32 inputs', () => {
  for (const n of LENGTHS) {
    const raw = awkward(n, 11 + n).map((v) => (Math.abs(v) > 1e6 || (v !== 0 && Math.abs(v) < 1e-6) ? v * 0 + 1.5 : v));
    const shift = n > 0 ? raw[0] : 0;
    let sum = 0, squares = 0, absolute = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.fround(raw[i]) - shift;
      sum += d;
      squares += d * d;
      absolute += Math.abs(d);
    }
    for (const backend of [wasm, referenceBackend]) {
      const out = sumsOf(backend.shiftedSums!.bind(backend), raw, shift);
      // Both are float64 sums of the same terms in different orders: each within n ulps of the sum of magnitudes.
      const tolerance = (n + 1) * 2 ** -52;
      assert.ok(Math.abs(out[0] - sum) <= tolerance * absolute, `${backend.name} n=${n}: ${out[0]} vs ${sum}`);
      assert.ok(Math.abs(out[1] - squares) <= tolerance * squares, `${backend.name} n=${n}: ${out[1]} vs ${squares}`);
    }
  }
});

/** Standard normal float32 values from a seeded Box-Muller transform. */
function normals(n: number, mean: number): Float32Array {
  const values = new Float32Array(n);
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  for (let i = 0; i < n; i++) values[i] = mean + Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return values;
}

test('Accumulator: float32 chunks give the statistics of the float64 path within 1e-12, the same bits on both backends', () => {
  for (const mean of [0, 3]) {
    const values = normals(1_000_000, mean);
    const summaries = (['wasm', 'js'] as const).map((name) => withBackend(name, () => {
      const accumulator = new Accumulator();
      for (let at = 0; at < values.length; at += 262147) accumulator.add(values.subarray(at, at + 262147));
      return { summary: accumulator.summary(), state: accumulator.state() };
    }));
    assert.deepEqual(summaries[0].state, summaries[1].state);
    // Float64 values take the generic loop.
    const generic = new Accumulator();
    const wide = Float64Array.from(values);
    for (let at = 0; at < wide.length; at += 262147) generic.add(wide.subarray(at, at + 262147));
    const expected = generic.summary(), actual = summaries[0].summary;
    assert.equal(actual.count, expected.count);
    assert.ok(Math.abs(actual.mean - expected.mean) <= 1e-12 * Math.max(Math.abs(expected.mean), expected.std), `mean ${actual.mean} vs ${expected.mean}`);
    assert.ok(Math.abs(actual.std - expected.std) <= 1e-12 * expected.std, `std ${actual.std} vs ${expected.std}`);
  }
});

test('Accumulator: a float32 chunk holding NaN or infinities still counts them apart on both backends', () => {
  const values = Float32Array.from([1, NaN, 2, Infinity, 3, -Infinity, 4, 5, 6]);
  for (const name of ['wasm', 'js'] as const) {
    const summary = withBackend(name, () => {
      const accumulator = new Accumulator();
      accumulator.add(values);
      return accumulator.summary();
    });
    assert.equal(summary.count, 6);
    assert.equal(summary.nonFinite, 3);
    assert.equal(summary.mean, 3.5);
  }
});
