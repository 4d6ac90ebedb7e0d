// The pure-TypeScript backend: the same algorithms as assembly/philox.ts, assembly/f32math.ts and
// assembly/samplers.ts, step for step, with Math.fround after every single-precision operation. Rounding a
// double-precision +, -, *, / or sqrt of two f32 values once to f32 gives the correctly rounded f32 result
// (the double format has more than 2 * 24 + 2 significand bits), so these functions reproduce the wasm kernels
// bit for bit. Keep the order of operations identical to the AssemblyScript when changing either.

import {
  outputLength, reflectorStart, type Backend, type StreamKey, type Output, type UniformParameters, type NormalParameters,
  type CentralTruncatedNormalParameters, type TailTruncatedNormalParameters,
} from './backend.js';
import { halfBitsOf } from './half.js';
import { shiftedSumsFloat32 } from './moments.js';
import { orthogonalFactorColumns, writeOrthogonal } from './householder.js';

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

/** Value j of a run of words, handed to `emit` by a sampler's run function. */
type Emit = (j: number, value: number) => void;

/**
 * Takes out's stream words in runs of up to CHUNK_WORDS and has mapRun turn each run into values, handing value j
 * of a run that starts at stream element `first` to emit as element first + j; values outside
 * [start, start + length) are dropped. With `pairs`, runs cover whole word pairs (2k, 2k + 1), as Box-Muller
 * needs: they start at an even element and end after an odd one (CHUNK_WORDS is even).
 */
function fillMapped(
  out: Output, start: number, key: StreamKey, pairs: boolean, mapRun: (words: Uint32Array, emit: Emit) => void,
): void {
  const write = writerOf(out);
  const words = new Uint32Array(CHUNK_WORDS);
  const end = start + outputLength(out);
  const runsEnd = pairs ? end + (end % 2) : end;
  for (let first = pairs ? start - (start % 2) : start; first < end; first += CHUNK_WORDS) {
    const run = words.subarray(0, Math.min(CHUNK_WORDS, runsEnd - first));
    streamWords(run, first, key);
    mapRun(run, (j, value) => {
      const i = first + j;
      if (i >= start && i < end) write(i - start, value);
    });
  }
}

// ---- single-precision elementary functions (assembly/f32math.ts) ------------------------------------------------

// One float32 seen as its bits (the platform's byte order is the same for both views).
const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);
export function f32FromBits(bits: number): number {
  bitsView[0] = bits;
  return floatView[0];
}
export function bitsOfF32(value: number): number {
  floatView[0] = value;
  return bitsView[0];
}

const SQRT_HALF_BITS = 0x3f3504f3;
/** ln 2 in two parts (Cody and Waite): k LN2_HI is exact for |k| < 256. */
export const LN2_HI = f32FromBits(0x3f317200);
export const LN2_LO = f32FromBits(0x35bfbe8e);
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
  return logCombine(f, s, k, logSeries(s));
}

/** r = z R(z), z = s^2 (assembly/f32math.ts logSeries4). */
function logSeries(s: number): number {
  const z = fround(s * s);
  return fround(z * fround(LOG_C1 + fround(z * fround(LOG_C2 + fround(z * fround(LOG_C3 + fround(z * LOG_C4)))))));
}

/** log x from f, s, k and r (assembly/f32math.ts logCombine4). */
function logCombine(f: number, s: number, dk: number, r: number): number {
  const halfSquare = fround(fround(0.5 * f) * f);
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
  return fround(erfinvRatio(-logf(fround(fround(1 - x) * fround(1 + x)))) * x);
}

/** erfinv(x) / x from w = -log((1 - x)(1 + x)): the central or the tail polynomial. */
function erfinvRatio(w: number): number {
  return w < 5 ? polynomial8(ERFINV_CENTRAL, fround(w - 2.5)) : polynomial8(ERFINV_TAIL, fround(fround(Math.sqrt(w)) - 3));
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

// ---- inverse of the normal upper tail (assembly/f32math.ts normalTailInverse) ---------------------------------

const TAIL_C0 = f32FromBits(0x4020fe3b);
const TAIL_C1 = f32FromBits(0x3f4d87c6);
const TAIL_C2 = f32FromBits(0x3c2936c6);
const TAIL_D1 = f32FromBits(0x3fb76599);
const TAIL_D2 = f32FromBits(0x3e41cfbc);
const TAIL_D3 = f32FromBits(0x3aab7132);
const TAIL_K = f32FromBits(0x3eb504f3);
const TAIL_Q_SCALE = f32FromBits(0x402aaaab);
const LN2 = f32FromBits(0x3f317218);
const SQRT_HALF_PI = f32FromBits(0x3fa06c99);
// scripts/fit-truncated-tail.py, highest degree first.
const TAIL_F = [
  0x3703c560, 0xb8c25d98, 0xb8a11215, 0x3a5327ee, 0x3a5d4c91, 0xbbbb327a, 0xbc5fa2ba, 0x3d32be68, 0x3ef62054, 0xbf561866,
].map(f32FromBits);
const TAIL_E = [0xba77e6fd, 0xbadd2b06, 0x3c36100f, 0x3d8d34bd, 0x3e554e96, 0x3eddda8d].map(f32FromBits);

/** Hastings' start x0 from w (Abramowitz and Stegun 26.2.23). */
function normalTailStart(w: number): number {
  const s = fround(Math.sqrt(fround(w + w)));
  const numerator = fround(TAIL_C0 + fround(s * fround(TAIL_C1 + fround(s * TAIL_C2))));
  const denominator = fround(1 + fround(s * fround(TAIL_D1 + fround(s * fround(TAIL_D2 + fround(s * TAIL_D3))))));
  return fround(s - fround(numerator / denominator));
}

/** c[0] q^n + ... + c[n] by Horner's rule, rounding every step. */
export function horner(c: readonly number[], q: number): number {
  let p = c[0];
  for (let k = 1; k < c.length; k++) p = fround(fround(p * q) + c[k]);
  return p;
}

/** y = 1 + x0 K, the argument of the Newton step's logarithm. */
function normalTailY(x0: number): number {
  return fround(1 + fround(x0 * TAIL_K));
}

/** (x0 x0) / 2 - w. */
function normalTailBase(x0: number, w: number): number {
  return fround(fround(fround(x0 * x0) * 0.5) - w);
}

/** The Newton step from x0 (assembly/f32math.ts normalTailNewton). */
function normalTailNewton(x0: number, base: number, logY: number): number {
  const t = fround(1 / normalTailY(x0));
  const q = fround(fround(t * TAIL_Q_SCALE) - 1);
  const f = horner(TAIL_F, q);
  const e = horner(TAIL_E, q);
  const g = fround(base + fround(fround(logY - f) + LN2));
  return fround(x0 - fround(g * fround(e * fround(t * SQRT_HALF_PI))));
}

/** x with -log Q(x) = w, for w >= -log Q(1) (assembly/f32math.ts normalTailInverse). */
export function normalTailInverse(w: number): number {
  const x0 = normalTailStart(w);
  return normalTailNewton(x0, normalTailBase(x0, w), logf(normalTailY(x0)));
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
  const radius = radiusOf(logf(unitPositive(radiusWord)));
  sinCos2pi(angleWord >>> 8, sinCos);
  pair[0] = scaled(radius, sinCos[1], mean, stddev);
  pair[1] = scaled(radius, sinCos[0], mean, stddev);
}

/** Box-Muller's radius sqrt(-2 log u1) from log u1. */
function radiusOf(logU1: number): number {
  return fround(Math.sqrt(fround(-2 * logU1)));
}

/** (radius * trig) * stddev + mean: one output of a Box-Muller pair. */
function scaled(radius: number, trig: number, mean: number, stddev: number): number {
  return fround(fround(fround(radius * trig) * stddev) + mean);
}

/** (x < low ? low : x), then (high < x ? high : x): f32x4.pmax then f32x4.pmin. */
function clamp(x: number, low: number, high: number): number {
  x = x < low ? low : x;
  return high < x ? high : x;
}

export function truncatedOf(word: number, p: CentralTruncatedNormalParameters): number {
  return truncatedValue(erfinvf(truncatedY(word, p)), p);
}

/** y = u * width + start, kept inside (-1, 1). */
function truncatedY(word: number, p: CentralTruncatedNormalParameters): number {
  return clamp(fround(fround(unitOpen(word) * p.width) + p.start), -BELOW_ONE, BELOW_ONE);
}

/** sqrt(2) erfinv(y) * stddev + mean, clamped to the f32 values strictly inside the bounds. */
function truncatedValue(erfinvY: number, p: CentralTruncatedNormalParameters): number {
  return clamp(fround(fround(fround(SQRT2 * erfinvY) * p.stddev) + p.mean), p.lowest, p.highest);
}

/** The tail sampler (assembly/samplers.ts truncatedTailOf). */
export function truncatedTailOf(word: number, p: TailTruncatedNormalParameters): number {
  return tailValue(normalTailInverse(tailW(p, logf(tailT(word, p)))), p);
}

/** t = (1 - u) + u ratio; 1 - u is exact. */
function tailT(word: number, p: TailTruncatedNormalParameters): number {
  const high = word >>> 8;
  return fround((0x1000000 - high) * TWO_POW_MINUS_24 + fround(high * TWO_POW_MINUS_24 * p.ratio));
}

/** w = logTail - log t. */
function tailW(p: TailTruncatedNormalParameters, logT: number): number {
  return fround(p.logTail + -logT);
}

/** x * scale + mean, clamped to the f32 values strictly inside the bounds. */
function tailValue(x: number, p: TailTruncatedNormalParameters): number {
  return clamp(fround(fround(x * p.scale) + p.mean), p.lowest, p.highest);
}

// ---- staged runs ------------------------------------------------------------------------------------------------
// The fills below evaluate a run of words one step at a time, every step a loop over the whole run, as the wasm
// kernels do. Each float32 operation here is a double operation plus a Math.fround (a round trip through float32
// registers), so the dependency chain of one value is long; loops over short steps let the processor overlap
// many values, about 3x faster than mapping one value at a time. The steps are the functions above, in the same
// order, so the bits are the same. A store to a Float32Array rounds exactly as Math.fround does.

const stageX = new Float32Array(CHUNK_WORDS);
const stageXBits = new Uint32Array(stageX.buffer);
const stageM = new Float32Array(CHUNK_WORDS);
const stageMBits = new Uint32Array(stageM.buffer);
const stageF = new Float32Array(CHUNK_WORDS);
const stageS = new Float32Array(CHUNK_WORDS);
const stageK = new Float32Array(CHUNK_WORDS);
const stageR = new Float32Array(CHUNK_WORDS);
const stageY = new Float32Array(CHUNK_WORDS);

/** stageR[j] = logf(stageX[j]) for j < n, as logf's steps in four loops. */
function stagedLogs(n: number): void {
  for (let j = 0; j < n; j++) {
    const shifted = (stageXBits[j] + (0x3f800000 - SQRT_HALF_BITS)) >>> 0;
    stageK[j] = (shifted >>> 23) - 127;
    stageMBits[j] = (shifted & 0x007fffff) + SQRT_HALF_BITS;
  }
  for (let j = 0; j < n; j++) {
    const f = fround(stageM[j] - 1);
    stageF[j] = f;
    stageS[j] = f / fround(2 + f);
  }
  for (let j = 0; j < n; j++) stageR[j] = logSeries(stageS[j]);
  for (let j = 0; j < n; j++) stageR[j] = logCombine(stageF[j], stageS[j], stageK[j], stageR[j]);
}

/** Element j of the run's values: truncatedOf(words[j], p), passed to emit(j, value). */
function truncatedRun(words: Uint32Array, p: CentralTruncatedNormalParameters, emit: Emit): void {
  const n = words.length;
  for (let j = 0; j < n; j++) {
    const y = truncatedY(words[j], p);
    stageY[j] = y;
    stageX[j] = fround(1 - y) * fround(1 + y);
  }
  stagedLogs(n);
  for (let j = 0; j < n; j++) stageR[j] = erfinvRatio(-stageR[j]);
  for (let j = 0; j < n; j++) emit(j, truncatedValue(fround(stageR[j] * stageY[j]), p));
}

const stageBase = new Float32Array(CHUNK_WORDS);

/** Element j of the run's values: truncatedTailOf(words[j], p), passed to emit(j, value), in the kernel's stages. */
function truncatedTailRun(words: Uint32Array, p: TailTruncatedNormalParameters, emit: Emit): void {
  const n = words.length;
  for (let j = 0; j < n; j++) stageX[j] = tailT(words[j], p);
  stagedLogs(n);
  for (let j = 0; j < n; j++) {
    const w = tailW(p, stageR[j]);
    const x0 = normalTailStart(w);
    stageY[j] = x0;
    stageBase[j] = normalTailBase(x0, w);
    stageX[j] = normalTailY(x0);
  }
  stagedLogs(n);
  for (let j = 0; j < n; j++) emit(j, tailValue(normalTailNewton(stageY[j], stageBase[j], stageR[j]), p));
}

/** Box-Muller on the run's word pairs (words.length is even): normalPairOf of pair k passed to emit(2k, ...). */
function normalRun(words: Uint32Array, p: NormalParameters, emit: Emit): void {
  const pairs = words.length / 2;
  for (let k = 0; k < pairs; k++) stageX[k] = unitPositive(words[2 * k]);
  stagedLogs(pairs);
  for (let k = 0; k < pairs; k++) stageR[k] = radiusOf(stageR[k]);
  for (let k = 0; k < pairs; k++) {
    sinCos2pi(words[2 * k + 1] >>> 8, sinCos);
    stageS[k] = sinCos[0];
    stageF[k] = sinCos[1];
  }
  for (let k = 0; k < pairs; k++) {
    emit(2 * k, scaled(stageR[k], stageF[k], p.mean, p.stddev));
    emit(2 * k + 1, scaled(stageR[k], stageS[k], p.mean, p.stddev));
  }
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
    fillMapped(out, start, key, false, (words, emit) => {
      for (let j = 0; j < words.length; j++) emit(j, uniformOf(words[j], p.low, p.range));
    });
  },

  fillNormal(out: Output, start: number, key: StreamKey, p: NormalParameters) {
    fillMapped(out, start, key, true, (words, emit) => normalRun(words, p, emit));
  },

  fillTruncatedNormal(out, start, key, p) {
    if (p.tail) fillMapped(out, start, key, false, (words, emit) => truncatedTailRun(words, p, emit));
    else fillMapped(out, start, key, false, (words, emit) => truncatedRun(words, p, emit));
  },

  orthogonal(rows, cols, key, gain, out) {
    referenceBackend.orthogonalColumns(rows, cols, key, gain, 0, Math.min(rows, cols), out);
  },

  orthogonalColumns(rows, cols, key, gain, first, count, out) {
    const n = Math.max(rows, cols), m = Math.min(rows, cols);
    const y = out instanceof Float64Array ? new Float64Array(n * count) : new Float32Array(n * count);
    const standard = { mean: 0, stddev: 1 };
    const column = (k: number, x: Float32Array) => referenceBackend.fillNormal(x, reflectorStart(n, k), key, standard);
    const signs = orthogonalFactorColumns(n, m, first, count, column, y);
    writeOrthogonal(y, signs, n, first, count, gain, rows < cols, out);
  },

  shiftedSums: shiftedSumsFloat32,
};
