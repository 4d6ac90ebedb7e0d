// The arithmetic under nninit/torch, each piece against an independent reference: the fused multiply-adds
// against exact BigInt rational arithmetic, the Mersenne Twister against the C++ standard's known answer, and
// the C library functions and PyTorch's erfinv against the real ones through /usr/bin/python3 (glibc through
// ctypes, PyTorch through torch.erfinv) when they are there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fma, fmaf } from '../src/torch/fma.ts';
import { MersenneTwister } from '../src/torch/mt19937.ts';
import { erf, erff, expf, logf } from '../src/torch/libm.ts';
import { erfinvf } from '../src/torch/erfinv.ts';
import { referenceMismatch, seededRandom } from '../scripts/torch-parity.ts';

const PYTHON = '/usr/bin/python3';

// ---- exact reference arithmetic -----------------------------------------------------------------------------

/** A finite double as an exact (integer mantissa, power of two) pair. */
function exact(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mantissa: sign * fraction, exponent: -1074 };
  return { mantissa: sign * (fraction | (1n << 52n)), exponent: biased - 1075 };
}

/**
 * a * b + c rounded once to nearest-even with `precision` significant bits (24 or 53), from the exact integer
 * sum: an implementation that shares nothing with the code under test. Normal results only.
 */
function roundedMultiplyAdd(a: number, b: number, c: number, precision: number): number {
  const x = exact(a), y = exact(b), z = exact(c);
  const productExponent = x.exponent + y.exponent;
  const low = Math.min(productExponent, z.exponent);
  const total = ((x.mantissa * y.mantissa) << BigInt(productExponent - low)) + (z.mantissa << BigInt(z.exponent - low));
  if (total === 0n) return 0;
  const negative = total < 0n;
  let magnitude = negative ? -total : total;
  const bits = magnitude.toString(2).length;
  let exponent = low;
  const drop = bits - precision;
  if (drop > 0) {
    const remainder = magnitude & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    magnitude >>= BigInt(drop);
    exponent += drop;
    if (remainder > half || (remainder === half && (magnitude & 1n) === 1n)) magnitude += 1n;
  }
  const value = Number(magnitude) * 2 ** exponent;
  return negative ? -value : value;
}

/** Triples whose float64 sum lands on a float32 halfway point with a remainder beyond it: double rounding fails. */
function halfwayTriples(random: () => number, count: number): number[][] {
  const triples: number[][] = [];
  for (let n = 0; n < count; n++) {
    // (2^i (1 - 2^-t)) (2^j (1 + 2^-t)) = 2^(i+j) - 2^(i+j-2t): a halfway bit of c's grid and a tiny remainder.
    const t = 15 + (n % 9), i = (n % 7) - 3, j = (n % 5) - 2;
    const a = Math.fround(2 ** i * (1 - 2 ** -t)), b = Math.fround(2 ** j * (1 + 2 ** -t));
    const grid = 2 ** 23 + Math.floor(random() * 2 ** 23);
    const c = Math.fround(grid * 2 ** (i + j + 1)) * (n % 2 ? 1 : -1);
    triples.push([a, b, c], [-a, b, -c]);
  }
  return triples;
}

test('fmaf rounds a * b + c once, where rounding through float64 breaks ties the wrong way', () => {
  const random = seededRandom(11);
  const bits = new Uint32Array(1), view = new Float32Array(bits.buffer);
  const randomFloat = () => {
    bits[0] = (random() * 2 ** 32) >>> 0;
    return Math.abs(view[0]) > 1e-15 && Math.abs(view[0]) < 1e15 ? view[0] : 1.5; // keep results normal float32
  };
  const triples = halfwayTriples(random, 2000);
  for (let n = 0; n < 20000; n++) triples.push([randomFloat(), randomFloat(), randomFloat()]);
  let doubleRoundingWrong = 0;
  for (const [a, b, c] of triples) {
    const expected = roundedMultiplyAdd(a, b, c, 24);
    assert.equal(fmaf(a, b, c), expected, `fmaf(${a}, ${b}, ${c})`);
    if (Math.fround(a * b + c) !== expected) doubleRoundingWrong++;
  }
  assert.ok(doubleRoundingWrong >= 1000, `the halfway cases must defeat plain double rounding (${doubleRoundingWrong})`);
});

test('fma (float64) rounds a * b + c once, including near-cancellation', () => {
  const random = seededRandom(12);
  let unfusedWrong = 0;
  for (let n = 0; n < 20000; n++) {
    const a = (random() - 0.5) * 2 ** Math.floor(random() * 40 - 20);
    const b = (random() - 0.5) * 2 ** Math.floor(random() * 40 - 20);
    const c = n % 3 === 0 ? -(a * b) : n % 3 === 1 ? -(a * b) * (1 + (random() - 0.5) * 2 ** -50) : (random() - 0.5) * 4;
    const expected = roundedMultiplyAdd(a, b, c, 53);
    assert.equal(fma(a, b, c), expected, `fma(${a}, ${b}, ${c})`);
    if (a * b + c !== expected) unfusedWrong++;
  }
  assert.ok(unfusedWrong > 5000);
  // (1 + 2^-k)^2 + c with the exact sum a hair above or below the halfway point 1 + 2^-(k-1) + 2^-53: only the
  // last few bits of c decide the rounding.
  let ties = 0;
  for (let k = 27; k <= 40; k++) {
    for (let m = 70; m <= 104; m += 2) {
      for (const hair of [2 ** -m, -(2 ** -m), 0]) {
        const a = 1 + 2 ** -k, c = 2 ** -53 - 2 ** (-2 * k) + hair;
        for (const [x, y, z] of [[a, a, c], [-a, a, -c], [a, -a, -c]]) {
          const expected = roundedMultiplyAdd(x, y, z, 53);
          assert.equal(fma(x, y, z), expected, `fma(${x}, ${y}, ${z})`);
          if (x * y + z !== expected) ties++;
        }
      }
    }
  }
  assert.ok(ties > 100, `halfway cases the unfused sum gets wrong: ${ties}`);
  // a * b = s (1 - 2^-2t) with s half a step of c's grid: c + a * b rounds through two ties (high + c, then
  // the remainders), and only the product's last bit, far below both, decides.
  for (let t = 27; t <= 40; t++) {
    for (let n = 0; n < 40; n++) {
      const scale = 2 ** ((n % 9) - 4), s = 2 ** -53 * scale;
      const c = (1 + (Math.floor(random() * 2 ** 31) * 2 + (n % 2)) * 2 ** -52) * scale; // odd and even last bits
      for (const [x, y, z] of [[s * (1 + 2 ** -t), 1 - 2 ** -t, c], [-s * (1 + 2 ** -t), 1 - 2 ** -t, c], [s * (1 + 2 ** -t), 1 - 2 ** -t, -c]]) {
        assert.equal(fma(x, y, z), roundedMultiplyAdd(x, y, z, 53), `fma(${x}, ${y}, ${z})`);
      }
    }
  }
});

test('MersenneTwister: the C++ standard known answer and bulk fills equal single draws', () => {
  const engine = new MersenneTwister(5489);
  let word = 0;
  for (let k = 0; k < 10000; k++) word = engine.nextUint32();
  assert.equal(word, 4123659995); // [rand.predef]: the 10000th output of mt19937 default-constructed
  const single = new MersenneTwister(77), bulk = new MersenneTwister(77);
  const expected = Array.from({ length: 3000 }, () => single.nextUint32());
  const filled = new Uint32Array(3000);
  bulk.fill(filled.subarray(0, 1));
  bulk.fill(filled.subarray(1, 700));
  bulk.fill(filled.subarray(700));
  assert.deepEqual(Array.from(filled), expected);
});

// ---- against glibc and PyTorch --------------------------------------------------------------------------------

/** Runs a Python snippet that reads float32 (or float64) inputs from stdin and writes outputs of the same type. */
function python(code: string, input: Float32Array | Float64Array): Float32Array | Float64Array | undefined {
  const result = spawnSync(PYTHON, ['-c', code], { input: Buffer.from(input.buffer, input.byteOffset, input.byteLength), maxBuffer: 1 << 28 });
  if (result.status !== 0) return undefined;
  const out = result.stdout;
  const copy = out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  return input instanceof Float32Array ? new Float32Array(copy) : new Float64Array(copy);
}

const GLIBC_FLOAT = (name: string) => `
import ctypes, sys, array
libm = ctypes.CDLL('libm.so.6')
fn = libm.${name}; fn.restype = ctypes.c_float; fn.argtypes = [ctypes.c_float]
xs = array.array('f'); xs.frombytes(sys.stdin.buffer.read())
sys.stdout.buffer.write(array.array('f', [fn(x) for x in xs]).tobytes())
`;

function floatsIn(random: () => number, count: number, low: number, high: number): Float32Array {
  return Float32Array.from({ length: count }, () => low + (high - low) * random() ** 3);
}

test('expf, logf and erff agree with glibc bit for bit', (t) => {
  const mismatch = referenceMismatch(false);
  if (mismatch !== undefined) {
    t.skip(mismatch);
    return;
  }
  const random = seededRandom(13);
  const cases: [string, (x: number) => number, Float32Array][] = [
    ['expf', expf, Float32Array.from([...floatsIn(random, 40000, -17, 0), ...floatsIn(random, 10000, -103, 88)].map((x) => -Math.abs(x) * (random() < 0.9 ? 1 : -1)))],
    ['logf', logf, Float32Array.from([...floatsIn(random, 40000, 0, 1), ...floatsIn(random, 10000, 0, 1e30)].map((x) => x || 1))],
    ['erff', erff, Float32Array.from([...floatsIn(random, 50000, -6.5, 6.5)])],
  ];
  for (const [name, fn, inputs] of cases) {
    const glibc = python(GLIBC_FLOAT(name), inputs);
    if (glibc === undefined) {
      t.skip(`${PYTHON} with ctypes is not available`);
      return;
    }
    for (let k = 0; k < inputs.length; k++) {
      if (!Object.is(fn(inputs[k]), glibc[k])) assert.fail(`${name}(${inputs[k]}) = ${fn(inputs[k])}, glibc ${glibc[k]}`);
    }
  }
});

test("erf (float64) agrees with Python's math.erf to the last bit in nearly every case", (t) => {
  const random = seededRandom(14);
  const inputs = Float64Array.from({ length: 50000 }, () => (random() - 0.5) * 14 * random());
  const python64 = python('import math, sys, array\nxs = array.array("d"); xs.frombytes(sys.stdin.buffer.read())\nsys.stdout.buffer.write(array.array("d", [math.erf(x) for x in xs]).tobytes())', inputs);
  if (python64 === undefined) {
    t.skip(`${PYTHON} is not available`);
    return;
  }
  let identical = 0;
  for (let k = 0; k < inputs.length; k++) {
    const ours = erf(inputs[k]), theirs = python64[k];
    if (ours === theirs) identical++;
    else assert.ok(Math.abs(ours - theirs) <= Number.EPSILON * Math.abs(theirs), `erf(${inputs[k]}): ${ours} against ${theirs}`);
    // trunc_normal_ rounds its bounds 2 erf(.) - 1 to float32: those must always agree.
    assert.equal(Math.fround(2 * ours - 1), Math.fround(2 * theirs - 1));
  }
  t.diagnostic(`${(100 * identical / inputs.length).toFixed(3)}% identical in float64 (Math.exp is not glibc's exp)`);
  assert.ok(identical / inputs.length > 0.99);
});

test("erfinvf agrees with torch.erfinv bit for bit", (t) => {
  const mismatch = referenceMismatch();
  if (mismatch !== undefined) {
    t.skip(mismatch);
    return;
  }
  const random = seededRandom(15);
  const bits = Uint32Array.from({ length: 100000 }, () => ((random() * 0x3f800000) | 0) | (random() < 0.5 ? 0x80000000 : 0));
  const inputs = new Float32Array(bits.buffer);
  const torch = python('import sys, numpy, torch\nx = numpy.frombuffer(sys.stdin.buffer.read(), dtype=numpy.float32).copy()\nsys.stdout.buffer.write(torch.from_numpy(x).erfinv().numpy().tobytes())', inputs);
  if (torch === undefined) {
    t.skip(`${PYTHON} cannot import torch`);
    return;
  }
  for (let k = 0; k < inputs.length; k++) {
    if (!Object.is(erfinvf(inputs[k]), torch[k])) assert.fail(`erfinv(${inputs[k]}) = ${erfinvf(inputs[k])}, PyTorch ${torch[k]}`);
  }
});
