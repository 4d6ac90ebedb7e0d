// The pure-TypeScript backend: the same algorithms as assembly/philox.ts, assembly/f32math.ts and
// assembly/samplers.ts, step for step, with Math.fround after every single-precision operation. Rounding a
// double-precision +, -, *, / or sqrt of two f32 values once to f32 gives the correctly rounded f32 result
// (the double format has more than 2 * 24 + 2 significand bits), so these functions reproduce the wasm kernels
// bit for bit. Keep the order of operations identical to the AssemblyScript when changing either.

import { outputLength, reflectorStart, type Backend, type StreamKey, type Output, type UniformParameters, type NormalParameters, type TruncatedNormalParameters } from './backend.js';
import { halfBitsOf } from './half.js';
import { orthogonalFactor, writeOrthogonal } from './householder.js';

const fround = Math.fround;

// ---- Philox4x32-10 -------------------------------------------------------------------------------------------

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

const M0_LOW = PHILOX_M0 & 0xffff, M0_HIGH = PHILOX_M0 >>> 16;
const M1_LOW = PHILOX_M1 & 0xffff, M1_HIGH = PHILOX_M1 >>> 16;

/**
 * High 32 bits of the 64-bit product a * m of two unsigned 32-bit words, from 16-bit halves: with
 * t = aLow mLow, u = aHigh mLow + (t >> 16) and v = aLow mHigh + (u mod 2^16), a * m is
 * (aHigh mHigh + (u >> 16) + (v >> 16)) 2^32 + (v mod 2^16) 2^16 + (t mod 2^16). Every one of t, u, v and the
 * result is below 2^32, so int32 arithmetic modulo 2^32 (Math.imul, | 0) holds their bits exactly and >>> reads
 * them back as unsigned; V8 keeps all of it in 32-bit integer registers. Returns the bits as an int32.
 */
function mulhi32(a: number, mLow: number, mHigh: number): number {
  const aLow = a & 0xffff, aHigh = a >>> 16;
  const t = Math.imul(aLow, mLow);
  const u = (Math.imul(aHigh, mLow) + (t >>> 16)) | 0;
  const v = (Math.imul(aLow, mHigh) + (u & 0xffff)) | 0;
  return (Math.imul(aHigh, mHigh) + (u >>> 16) + (v >>> 16)) | 0;
}

/** Philox4x32-10 of one block; writes the four words to out[at .. at+3]. */
export function philoxBlock(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array, at: number,
): void {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + PHILOX_W0) | 0;
      k1 = (k1 + PHILOX_W1) | 0;
    }
    const hi0 = mulhi32(c0, M0_LOW, M0_HIGH), lo0 = Math.imul(PHILOX_M0, c0);
    const hi1 = mulhi32(c2, M1_LOW, M1_HIGH), lo1 = Math.imul(PHILOX_M1, c2);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[at] = c0;
  out[at + 1] = c1;
  out[at + 2] = c2;
  out[at + 3] = c3;
}

const TWO_POW_32 = 4294967296;

/** Writes stream words start .. start + out.length - 1 into out, block by block. */
function streamWords(out: Uint32Array, start: number, key: StreamKey): void {
  const end = start + out.length;
  const block = new Uint32Array(4);
  for (let first = Math.floor(start / 4) * 4; first < end; first += 4) {
    const index = first / 4;
    const indexHi = Math.floor(index / TWO_POW_32);
    const indexLo = index - indexHi * TWO_POW_32;
    if (first >= start && first + 4 <= end) {
      philoxBlock(indexLo, indexHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi, out, first - start);
      continue;
    }
    // A block cut by either end of the range: only part of it is wanted.
    philoxBlock(indexLo, indexHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi, block, 0);
    for (let i = Math.max(first, start); i < Math.min(first + 4, end); i++) out[i - start] = block[i - first];
  }
}

/** Words per pass of the fills below: they take stream words in runs of this many, then map them. */
const CHUNK_WORDS = 4096;

/** Element i of out = map(stream word start + i), for the samplers that use one word per element. */
function fillMapped(out: Output, start: number, key: StreamKey, map: (word: number) => number): void {
  const write = writerOf(out);
  const words = new Uint32Array(CHUNK_WORDS);
  const length = outputLength(out);
  for (let done = 0; done < length; done += CHUNK_WORDS) {
    const run = words.subarray(0, Math.min(CHUNK_WORDS, length - done));
    streamWords(run, start + done, key);
    for (let j = 0; j < run.length; j++) write(done + j, map(run[j]));
  }
}

// ---- single-precision elementary functions (assembly/f32math.ts) ------------------------------------------------

// One float32 seen as its bits (the platform's byte order is the same for both views).
const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);
function f32FromBits(bits: number): number {
  bitsView[0] = bits;
  return floatView[0];
}
function bitsOfF32(value: number): number {
  floatView[0] = value;
  return bitsView[0];
}

const SQRT_HALF_BITS = 0x3f3504f3;
const LN2_HI = f32FromBits(0x3f317200);
const LN2_LO = f32FromBits(0x35bfbe8e);
const LOG_C1 = f32FromBits(0x3f2aaaab);
const LOG_C2 = f32FromBits(0x3ecccccd);
const LOG_C3 = f32FromBits(0x3e924925);
const LOG_C4 = f32FromBits(0x3e638e39);

/** Natural logarithm of a positive normal f32 (assembly/f32math.ts logf). */
export function logf(x: number): number {
  const shifted = (bitsOfF32(x) + (0x3f800000 - SQRT_HALF_BITS)) >>> 0;
  const k = (shifted >>> 23) - 127;
  const m = f32FromBits((shifted & 0x007fffff) + SQRT_HALF_BITS);
  const f = fround(m - 1);
  const s = fround(f / fround(2 + f));
  const z = fround(s * s);
  const r = fround(z * fround(LOG_C1 + fround(z * fround(LOG_C2 + fround(z * fround(LOG_C3 + fround(z * LOG_C4)))))));
  const halfSquare = fround(fround(0.5 * f) * f);
  const dk = k;
  const low = fround(fround(s * fround(halfSquare + r)) + fround(dk * LN2_LO));
  return fround(fround(f - fround(halfSquare - low)) + fround(dk * LN2_HI));
}

const SIN_C1 = f32FromBits(0x3fc90fdb);
const SIN_C3 = f32FromBits(0xbf255de7);
const SIN_C5 = f32FromBits(0x3da335e3);
const SIN_C7 = f32FromBits(0xbb996966);
const SIN_C9 = f32FromBits(0x39283c1a);
const COS_C2 = f32FromBits(0xbf9de9e6);
const COS_C4 = f32FromBits(0x3e81e0f8);
const COS_C6 = f32FromBits(0xbcaae9e4);
const COS_C8 = f32FromBits(0x3a70fa83);
const COS_C10 = f32FromBits(0xb7d368f9);

/** sin(pi r / 2) for r in [-1/2, 1/2], given z = r * r. */
export function quarterSin(r: number, z: number): number {
  return fround(r * fround(SIN_C1 + fround(z * fround(SIN_C3 + fround(z * fround(SIN_C5 + fround(z * fround(SIN_C7 + fround(z * SIN_C9)))))))));
}

/** cos(pi r / 2) for r in [-1/2, 1/2], given z = r * r. */
export function quarterCos(z: number): number {
  return fround(1 + fround(z * fround(COS_C2 + fround(z * fround(COS_C4 + fround(z * fround(COS_C6 + fround(z * fround(COS_C8 + fround(z * COS_C10))))))))));
}

// M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition (2011): single-precision
// coefficients, highest degree first.
const ERFINV_CENTRAL = [0x32f16588, 0x34b84b36, 0xb66c7357, 0xb6935ac1, 0x396532db, 0xbaa45408, 0xbb88e4ef, 0x3e7c8f63, 0x3fc02e2f].map(f32FromBits);
const ERFINV_TAIL = [0xb951f09b, 0x38d3b56b, 0x3ab0dc72, 0xbb70bde7, 0x3bbc127b, 0xbbf9c5d7, 0x3c1aa57e, 0x3f8036db, 0x40354f7e].map(f32FromBits);

/** Inverse error function for |x| < 1 (assembly/f32math.ts erfinvf). */
export function erfinvf(x: number): number {
  let w = -logf(fround(fround(1 - x) * fround(1 + x)));
  let coefficients: number[];
  if (w < 5) {
    w = fround(w - 2.5);
    coefficients = ERFINV_CENTRAL;
  } else {
    w = fround(fround(Math.sqrt(w)) - 3);
    coefficients = ERFINV_TAIL;
  }
  return fround(polynomial8(coefficients, w) * x);
}

/** c[0] w^8 + ... + c[8] by Estrin's scheme, grouped as assembly/f32math.ts polynomial8. */
function polynomial8(c: number[], w: number): number {
  const w2 = fround(w * w), w4 = fround(w2 * w2);
  const p01 = fround(c[1] + fround(c[0] * w));
  const p23 = fround(c[3] + fround(c[2] * w));
  const p45 = fround(c[5] + fround(c[4] * w));
  const p67 = fround(c[7] + fround(c[6] * w));
  const high = fround(p23 + fround(w2 * p01));
  const low = fround(p67 + fround(w2 * p45));
  return fround(c[8] + fround(fround(low + fround(w4 * high)) * w));
}

// ---- maps from words to values (assembly/samplers.ts) ---------------------------------------------------------

const TWO_POW_MINUS_24 = 5.9604644775390625e-8;
const BELOW_ONE = f32FromBits(0x3f7fffff);
const SQRT2 = f32FromBits(0x3fb504f3);

/** The 24 high bits of a word as a multiple of 2^-24 in [0, 1). Exact, so no rounding is needed. */
export function unitOpen(word: number): number {
  return (word >>> 8) * TWO_POW_MINUS_24;
}

/** The 24 high bits of a word, plus one, as a multiple of 2^-24 in (0, 1]. */
export function unitPositive(word: number): number {
  return ((word >>> 8) + 1) * TWO_POW_MINUS_24;
}

export function uniformOf(word: number, low: number, range: number): number {
  return fround(fround(unitOpen(word) * range) + low);
}

const TWO_POW_MINUS_22 = 2.384185791015625e-7;
const HALF_QUARTER_TURN = 0x200000;

/**
 * sin(2 pi u) and cos(2 pi u) for u = angle * 2^-24, angle a 24-bit integer. The reduction is exact and done on
 * the integer: q = round(4u) = (angle + 2^21) >> 22 and r = 4u - q = (angle - q 2^22) 2^-22, in [-1/2, 1/2];
 * the quarter-turn polynomials at r are then swapped and negated by q mod 4. Writes [sin, cos].
 */
export function sinCos2pi(angle: number, out: Float64Array): void {
  const q = (angle + HALF_QUARTER_TURN) >>> 22;
  const r = (angle - q * 0x400000) * TWO_POW_MINUS_22;
  const z = fround(r * r);
  const s = quarterSin(r, z);
  const c = quarterCos(z);
  let sine = (q & 1) ? c : s;
  let cosine = (q & 1) ? s : c;
  if (q & 2) sine = -sine;
  if ((q + 1) & 2) cosine = -cosine;
  out[0] = sine;
  out[1] = cosine;
}

const sinCos = new Float64Array(2);

/** Box-Muller on one (radius, angle) word pair; writes the cosine branch to pair[0] and the sine branch to pair[1]. */
export function normalPairOf(radiusWord: number, angleWord: number, mean: number, stddev: number, pair: Float64Array): void {
  const radius = fround(Math.sqrt(fround(-2 * logf(unitPositive(radiusWord)))));
  sinCos2pi(angleWord >>> 8, sinCos);
  pair[0] = fround(fround(fround(radius * sinCos[1]) * stddev) + mean);
  pair[1] = fround(fround(fround(radius * sinCos[0]) * stddev) + mean);
}

/** (x < low ? low : x), then (high < x ? high : x): f32x4.pmax then f32x4.pmin. */
function clamp(x: number, low: number, high: number): number {
  x = x < low ? low : x;
  return high < x ? high : x;
}

export function truncatedOf(word: number, p: TruncatedNormalParameters): number {
  let y = fround(fround(unitOpen(word) * p.width) + p.start);
  y = clamp(y, -BELOW_ONE, BELOW_ONE);
  const value = fround(fround(fround(SQRT2 * erfinvf(y)) * p.stddev) + p.mean);
  return clamp(value, p.lowest, p.highest);
}

// ---- the backend ------------------------------------------------------------------------------------------------

/** Stores a float32 value at an index of an output, converting it for half-precision outputs. */
function writerOf(out: Output): (index: number, value: number) => void {
  if ('bits' in out) {
    const convert = halfBitsOf(out.format);
    return (index, value) => {
      out.bits[index] = convert(value);
    };
  }
  return (index, value) => {
    out[index] = value;
  };
}

export const referenceBackend: Backend = {
  name: 'js',

  philox4x32(counter, key, out) {
    philoxBlock(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out, 0);
  },

  fillBits(out, start, key) {
    streamWords(out, start, key);
  },

  fillUniform(out: Output, start: number, key: StreamKey, p: UniformParameters) {
    fillMapped(out, start, key, (word) => uniformOf(word, p.low, p.range));
  },

  fillNormal(out: Output, start: number, key: StreamKey, p: NormalParameters) {
    const write = writerOf(out);
    const words = new Uint32Array(CHUNK_WORDS);
    const pair = new Float64Array(2);
    const end = start + outputLength(out);
    // Words (2k, 2k + 1) of the stream give elements 2k and 2k + 1: runs start at an even index.
    for (let first = start - (start % 2); first < end; first += CHUNK_WORDS) {
      const run = words.subarray(0, Math.min(CHUNK_WORDS, end + (end % 2) - first));
      streamWords(run, first, key);
      for (let j = 0; j < run.length; j += 2) {
        normalPairOf(run[j], run[j + 1], p.mean, p.stddev, pair);
        const i = first + j;
        if (i >= start) write(i - start, pair[0]);
        if (i + 1 < end) write(i + 1 - start, pair[1]);
      }
    }
  },

  fillTruncatedNormal(out: Output, start: number, key: StreamKey, p: TruncatedNormalParameters) {
    fillMapped(out, start, key, (word) => truncatedOf(word, p));
  },

  orthogonal(rows, cols, key, gain, out) {
    const n = Math.max(rows, cols), m = Math.min(rows, cols);
    const y = new Float32Array(n * m);
    const standard = { mean: 0, stddev: 1 };
    const signs = orthogonalFactor(n, m, (k, x) => referenceBackend.fillNormal(x, reflectorStart(n, k), key, standard), y);
    writeOrthogonal(y, signs, n, m, gain, rows < cols, out);
  },
};
