// Maps from raw Philox words to floats. Every kernel fills whole groups of eight blocks (32 words) at `dst`.
// Maps of one word per value run on words in stream order (philoxGroup transposes them in registers; the uniform
// map runs there too, before the transpose); Box-Muller pairs words (0, 1) and (2, 3) of a block, so it maps
// the lane-major words (word k of four blocks per vector) and transposes its results as it stores them. Output
// element i therefore comes from word i (uniform, truncated normal) or from the word pair of its own block
// (Box-Muller normal).
// The scalar functions are the specification the v128 kernels are checked against lane by lane
// (assembly/__tests__) and the arithmetic that src/core/reference.ts repeats with Math.fround.
//
// Words are shifted right by 8 before conversion, so they are below 2^24 and the signed conversion is exact;
// V8 lowers f32x4.convert_i32x4_u to a multi-instruction sequence, f32x4.convert_i32x4_s to one instruction.

import { philoxGroup, prepareRoundKeys, storeTransposed, GROUP_WORDS, IN_ORDER, MAPPED_IN_ORDER } from "./philox";
import {
  broadcast, ONE_AT, logf, logReduce4, logSeries4, logCombine4,
  quarterSin, quarterCos, quarterSinCos4x2, erfinvf, erfinvRatio4,
  normalTailInverse, normalTailStart4, normalTailY4, normalTailBase4, normalTailNewton4,
} from "./f32math";

const GROUP_BYTES: usize = <usize>GROUP_WORDS * 4;
const GROUP_BLOCKS: u64 = <u64>GROUP_WORDS / 4;
const TWO_POW_MINUS_24: f32 = 5.9604644775390625e-8;
const TWO_POW_MINUS_24_AT = memory.data<f32>([TWO_POW_MINUS_24]);
const TWO_POW_24: f32 = 16777216;
const TWO_POW_MINUS_22: f32 = 2.384185791015625e-7;
const TWO_POW_MINUS_22_AT = memory.data<f32>([TWO_POW_MINUS_22]);
const MINUS_TWO: f32 = -2;
const MINUS_TWO_AT = memory.data<f32>([MINUS_TWO]);
// Largest f32 below 1: the clamp that keeps erfinv's argument inside (-1, 1).
const BELOW_ONE: f32 = reinterpret<f32>(0x3f7fffff);
const BELOW_ONE_AT = memory.data<f32>([BELOW_ONE]);
const ABOVE_MINUS_ONE_AT = memory.data<f32>([-BELOW_ONE]);
const SQRT2: f32 = reinterpret<f32>(0x3fb504f3);
const SQRT2_AT = memory.data<f32>([SQRT2]);
// Integer constants of the angle reduction.
const HALF_QUARTER_TURN: u32 = 0x200000; // 2^21: half of a quarter turn in units of 2^-24 turns
const HALF_QUARTER_TURN_AT = memory.data<u32>([HALF_QUARTER_TURN]);
const INT_ONE_AT = memory.data<u32>([1]);
const TWO_POW_24_INT_AT = memory.data<u32>([0x1000000]);
const SIGN_MASK_AT = memory.data<u32>([0x80000000]);

// ---- scalar specification ----------------------------------------------------------------------------------

/** (x < low ? low : x), then (high < x ? high : x): the semantics of f32x4.pmax and f32x4.pmin, one instruction each. */
// @ts-ignore: decorator
@inline function clamp(x: f32, low: f32, high: f32): f32 {
  x = x < low ? low : x;
  return high < x ? high : x;
}

/** The 24 high bits of a word as a multiple of 2^-24 in [0, 1). */
// @ts-ignore: decorator
@inline export function unitOpen(word: u32): f32 {
  return <f32>(word >>> 8) * TWO_POW_MINUS_24;
}

/** The 24 high bits of a word, plus one, as a multiple of 2^-24 in (0, 1]: never zero, so log is finite. */
// @ts-ignore: decorator
@inline export function unitPositive(word: u32): f32 {
  return <f32>((word >>> 8) + 1) * TWO_POW_MINUS_24;
}

export function uniformOf(word: u32, low: f32, range: f32): f32 {
  return unitOpen(word) * range + low;
}

// Results of sinCos2pi and normalPairOf (scalar functions cannot return two values).
export let sinOut: f32 = 0;
export let cosOut: f32 = 0;
export let normalCosine: f32 = 0;
export let normalSine: f32 = 0;

/**
 * sin(2 pi u) and cos(2 pi u) for u = angle * 2^-24, angle a 24-bit integer. The reduction is exact and done on
 * the integer: q = round(4u) = (angle + 2^21) >> 22 and r = 4u - q = (angle - q 2^22) 2^-22, in [-1/2, 1/2];
 * the quarter-turn polynomials at r are then swapped and negated by q mod 4.
 */
export function sinCos2pi(angle: u32): void {
  const q = (angle + HALF_QUARTER_TURN) >>> 22;
  const r = <f32>(<i32>angle - <i32>(q << 22)) * TWO_POW_MINUS_22;
  const z = r * r;
  const s = quarterSin(r, z);
  const c = quarterCos(z);
  let sine = (q & 1) ? c : s;
  let cosine = (q & 1) ? s : c;
  if (q & 2) sine = -sine;
  if ((q + 1) & 2) cosine = -cosine;
  sinOut = sine;
  cosOut = cosine;
}

/** Box-Muller on (radiusWord, angleWord): sqrt(-2 log u1) * (cos 2 pi u2, sin 2 pi u2), scaled and shifted. */
export function normalPairOf(radiusWord: u32, angleWord: u32, mean: f32, stddev: f32): void {
  const radius = sqrt<f32>(<f32>-2 * logf(unitPositive(radiusWord)));
  sinCos2pi(angleWord >>> 8);
  normalCosine = (radius * cosOut) * stddev + mean;
  normalSine = (radius * sinOut) * stddev + mean;
}

/**
 * Inverse-CDF truncated normal: y = start + u * width spans (erf(lower / sqrt 2), erf(upper / sqrt 2)) and
 * x = sqrt(2) erfinv(y) is a standard normal cut to [lower, upper]; the result is clamped to the f32 values
 * strictly inside the bounds, [lowest, highest], which the caller computes.
 */
export function truncatedOf(word: u32, start: f32, width: f32, mean: f32, stddev: f32, lowest: f32, highest: f32): f32 {
  let y = unitOpen(word) * width + start;
  y = clamp(y, -BELOW_ONE, BELOW_ONE);
  const value = (SQRT2 * erfinvf(y)) * stddev + mean;
  return clamp(value, lowest, highest);
}

/**
 * Tail truncated normal, for an interval [a, b] with 1 <= a (the caller mirrors intervals below -1): with
 * Q the standard normal upper-tail probability, x = Q^-1(Q(a) (1 - u (1 - Q(b) / Q(a)))), computed in log space
 * as w = -log Q(a) - log t, t = (1 - u) + u Q(b) / Q(a) (1 - u is exact), then x = normalTailInverse(w). The
 * caller passes logTail = -log Q(a) and ratio = Q(b) / Q(a) (0 for b = infinity) from its double-precision
 * setup, and scale = +-stddev (negative for a mirrored interval); the result is clamped to [lowest, highest].
 */
export function truncatedTailOf(word: u32, logTail: f32, ratio: f32, scale: f32, mean: f32, lowest: f32, highest: f32): f32 {
  const high = word >>> 8;
  const u = <f32>high * TWO_POW_MINUS_24;
  const complement = <f32>(<u32>0x1000000 - high) * TWO_POW_MINUS_24;
  const t = complement + u * ratio;
  const w = logTail + -logf(t);
  return clamp(normalTailInverse(w) * scale + mean, lowest, highest);
}

// ---- v128 kernels --------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function unitOpen4(words: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(words, 8)), broadcast(TWO_POW_MINUS_24_AT));
}

// @ts-ignore: decorator
@inline function unitPositive4(words: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(i32x4.shr_u(words, 8), broadcast(INT_ONE_AT))), broadcast(TWO_POW_MINUS_24_AT));
}

/** Raw stream words for blocks block .. block + 8 * groups - 1. */
export function fillBits(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  for (let g = 0; g < groups; g++) {
    philoxGroup(dst, block, streamLo, streamHi, IN_ORDER);
    dst += GROUP_BYTES;
    block += GROUP_BLOCKS;
  }
}

export function fillUniform(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32,
  low: f32, range: f32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const lowV = f32x4.splat(low);
  // u range = (n 2^-24) range equals n (range 2^-24) bit for bit whenever range 2^-24 is exact (zero, infinite,
  // or not below the smallest normal float; exact exactly when scaling back gives range): both are then the one
  // rounding of the same real product. So one multiply per value is enough, and Philox maps its words in
  // registers before the transpose: one store per vector (1.12x over mapping them in memory with two multiplies).
  const scaled = range * TWO_POW_MINUS_24;
  if (scaled * TWO_POW_24 == range) {
    const scaledV = f32x4.splat(scaled);
    for (let g = 0; g < groups; g++) {
      philoxGroup(dst, block, streamLo, streamHi, MAPPED_IN_ORDER, scaledV, lowV);
      dst += GROUP_BYTES;
      block += GROUP_BLOCKS;
    }
    return;
  }
  // Only a |range| below 2^-102 (or NaN) comes here: u first, then range, as the specification does.
  const rangeV = f32x4.splat(range);
  for (let g = 0; g < groups; g++) {
    philoxGroup(dst, block, streamLo, streamHi, IN_ORDER);
    for (let at = dst, end = dst + GROUP_BYTES; at < end; at += 16) {
      v128.store(at, f32x4.add(f32x4.mul(unitOpen4(v128.load(at)), rangeV), lowV));
    }
    dst += GROUP_BYTES;
    block += GROUP_BLOCKS;
  }
}

/** Largest region one call fills: the host's scratch region has this size (assembly/index.ts). */
export const CHUNK_BYTES: i32 = 65536;

// The normal and truncated-normal kernels run the whole region through short stages, every stage a loop over
// all its vectors. The dependency chains of log, sqrt and the polynomials are long, and a processor keeps only
// so many waiting operations in flight: many independent iterations of a loop with a short chain overlap far
// better than a few of one long chain. Splitting the work this way, with the intermediate values passed through
// the STAGE regions, made the truncated normal about 1.7x and the normal 1.2x faster here (Zen 4, V8 11.3) than
// one loop doing everything; the arithmetic, and so every bit of the output, is the same either way.
const STAGE: usize = memory.data(CHUNK_BYTES, 16);
const STAGE_F: usize = memory.data(CHUNK_BYTES, 16);
const STAGE_S: usize = memory.data(CHUNK_BYTES, 16);
const STAGE_K: usize = memory.data(CHUNK_BYTES, 16);
const STAGE_W: usize = memory.data(CHUNK_BYTES, 16);

/**
 * The logarithm stages of both kernels: logf4 of `bytes / 16` vectors read at `src` every `stride` bytes, as
 * three loops (reduction and division, series, combination) through the STAGE regions. For Box-Muller the
 * vectors hold raw words, x is their unitPositive4 (u1), and log u1 is written back in place of the words;
 * otherwise they hold x itself and -log x goes to STAGE, contiguous. Each loop takes two vectors per
 * iteration (`bytes` is a multiple of 64), which halves the loop's own bookkeeping: a few percent here.
 */
// @ts-ignore: decorator
@inline function stagedLog(src: usize, stride: usize, bytes: usize, boxMuller: bool): void {
  for (let i: usize = 0, at = src; i < bytes; i += 32, at += stride << 1) {
    const words = v128.load(at), words2 = v128.load(at + stride);
    logReduce4(boxMuller ? unitPositive4(words) : words, STAGE_F + i, STAGE_S + i, STAGE_K + i);
    logReduce4(boxMuller ? unitPositive4(words2) : words2, STAGE_F + i + 16, STAGE_S + i + 16, STAGE_K + i + 16);
  }
  for (let i: usize = 0; i < bytes; i += 32) {
    v128.store(STAGE + i, logSeries4(v128.load(STAGE_S + i)));
    v128.store(STAGE + i, logSeries4(v128.load(STAGE_S + i, 16)), 16);
  }
  for (let i: usize = 0, at = src; i < bytes; i += 32, at += stride << 1) {
    const log = logCombine4(v128.load(STAGE_F + i), v128.load(STAGE_S + i), v128.load(STAGE_K + i), v128.load(STAGE + i));
    const log2 = logCombine4(v128.load(STAGE_F + i, 16), v128.load(STAGE_S + i, 16), v128.load(STAGE_K + i, 16), v128.load(STAGE + i, 16));
    if (boxMuller) {
      v128.store(at, log);
      v128.store(at + stride, log2);
    } else {
      v128.store(STAGE + i, f32x4.neg(log));
      v128.store(STAGE + i, f32x4.neg(log2), 16);
    }
  }
}

// The swap (q odd) and the negations of sinCos2pi (bit 1 of q for the sine, of q + 1 for the cosine) only move
// and flip bits, so the v128 kernel does them on the bits: with low = q << 31 (bit 0 of q as the sign bit),
// (s ^ c) masked by low's sign exchanges s and c, and bit 1 of q + 1 is bit 1 of q xor bit 0 of q.

/** The sine's sign (bit 1 of q, moved to the sign bit). */
// @ts-ignore: decorator
@inline function sineSignOf(q: v128): v128 {
  return v128.and(i32x4.shl(q, 30), broadcast(SIGN_MASK_AT));
}

/** s ^ c where q is odd, else zero: xored into s and c, it swaps them. */
// @ts-ignore: decorator
@inline function swapOf(s: v128, c: v128, low: v128): v128 {
  return v128.and(v128.xor(s, c), i32x4.shr_s(low, 31));
}

export function fillNormal(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32,
  mean: f32, stddev: f32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const meanV = f32x4.splat(mean), stddevV = f32x4.splat(stddev);
  const end = dst + <usize>groups * GROUP_BYTES;
  const pairBytes = <usize>groups * GROUP_BYTES / 2;
  for (let at = dst; at < end; at += GROUP_BYTES) {
    philoxGroup(at, block, streamLo, streamHi);
    block += GROUP_BLOCKS;
  }
  // Vectors alternate: radius words (word 0 or 2 of four blocks), then the matching angle words (1 or 3).
  // Radius: log u1 in place of the radius words.
  stagedLog(dst, 32, pairBytes, true);
  // Angle: the exact quarter-turn reduction (see sinCos2pi) and both polynomials, two vectors at a time with
  // their chains interleaved; sine to STAGE_S, cosine to STAGE_F, the quadrant q to STAGE_K. The radius
  // sqrt(-2 log u1) is taken here too, where its long latency overlaps the polynomials' (2% faster than in the
  // logarithm's last loop).
  for (let at = dst, i: usize = 0; at < end; at += 64, i += 32) {
    const angle0 = i32x4.shr_u(v128.load(at, 16), 8);
    const angle1 = i32x4.shr_u(v128.load(at, 48), 8);
    const q0 = i32x4.shr_u(i32x4.add(angle0, broadcast(HALF_QUARTER_TURN_AT)), 22);
    const q1 = i32x4.shr_u(i32x4.add(angle1, broadcast(HALF_QUARTER_TURN_AT)), 22);
    const r0 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(angle0, i32x4.shl(q0, 22))), broadcast(TWO_POW_MINUS_22_AT));
    const r1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(angle1, i32x4.shl(q1, 22))), broadcast(TWO_POW_MINUS_22_AT));
    v128.store(STAGE_K + i, q0);
    v128.store(STAGE_K + i, q1, 16);
    quarterSinCos4x2(r0, f32x4.mul(r0, r0), r1, f32x4.mul(r1, r1), STAGE_S + i, STAGE_F + i);
    v128.store(at, f32x4.sqrt(f32x4.mul(broadcast(MINUS_TWO_AT), v128.load(at))));
    v128.store(at, f32x4.sqrt(f32x4.mul(broadcast(MINUS_TWO_AT), v128.load(at, 32))), 32);
  }
  // Swap and negate by quadrant, scale by the radius, and store in stream order: each iteration maps the two word
  // pairs of four blocks (radius and angle vectors 0, 1, then 2, 3) and transposes the four results in registers.
  for (let at = dst, i: usize = 0; at < end; at += 64, i += 32) {
    const s0 = v128.load(STAGE_S + i), c0 = v128.load(STAGE_F + i), q0 = v128.load(STAGE_K + i);
    const s1 = v128.load(STAGE_S + i, 16), c1 = v128.load(STAGE_F + i, 16), q1 = v128.load(STAGE_K + i, 16);
    const low0 = i32x4.shl(q0, 31), low1 = i32x4.shl(q1, 31);
    const sign0 = sineSignOf(q0), sign1 = sineSignOf(q1);
    const swap0 = swapOf(s0, c0, low0), swap1 = swapOf(s1, c1, low1);
    const radius0 = v128.load(at), radius1 = v128.load(at, 32);
    storeTransposed(at,
      f32x4.add(f32x4.mul(f32x4.mul(radius0, v128.xor(v128.xor(c0, swap0), v128.xor(sign0, low0))), stddevV), meanV),
      f32x4.add(f32x4.mul(f32x4.mul(radius0, v128.xor(v128.xor(s0, swap0), sign0)), stddevV), meanV),
      f32x4.add(f32x4.mul(f32x4.mul(radius1, v128.xor(v128.xor(c1, swap1), v128.xor(sign1, low1))), stddevV), meanV),
      f32x4.add(f32x4.mul(f32x4.mul(radius1, v128.xor(v128.xor(s1, swap1), sign1)), stddevV), meanV));
  }
}

export function fillTruncatedNormal(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32,
  start: f32, width: f32, mean: f32, stddev: f32, lowest: f32, highest: f32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const startV = f32x4.splat(start), widthV = f32x4.splat(width);
  const meanV = f32x4.splat(mean), stddevV = f32x4.splat(stddev);
  const lowestV = f32x4.splat(lowest), highestV = f32x4.splat(highest);
  const bytes = <usize>groups * GROUP_BYTES;
  const end = dst + bytes;
  for (let at = dst; at < end; at += GROUP_BYTES) {
    philoxGroup(at, block, streamLo, streamHi, IN_ORDER);
    block += GROUP_BLOCKS;
  }
  // y in place of the words, and (1 - y)(1 + y), the argument of erfinv's logarithm, at the same offset of STAGE.
  for (let at = dst, stage = STAGE; at < end; at += 16, stage += 16) {
    let y = f32x4.add(f32x4.mul(unitOpen4(v128.load(at)), widthV), startV);
    y = f32x4.pmin(f32x4.pmax(y, broadcast(ABOVE_MINUS_ONE_AT)), broadcast(BELOW_ONE_AT));
    v128.store(at, y);
    const one = broadcast(ONE_AT);
    v128.store(stage, f32x4.mul(f32x4.sub(one, y), f32x4.add(one, y)));
  }
  // w = -log((1 - y)(1 + y)), then erfinv(y) / y from it, in place.
  stagedLog(STAGE, 16, bytes, false);
  for (let i: usize = 0; i < bytes; i += 16) v128.store(STAGE + i, erfinvRatio4(v128.load(STAGE + i)));
  for (let at = dst, stage = STAGE; at < end; at += 16, stage += 16) {
    const x = f32x4.mul(v128.load(stage), v128.load(at));
    const value = f32x4.add(f32x4.mul(f32x4.mul(broadcast(SQRT2_AT), x), stddevV), meanV);
    v128.store(at, f32x4.pmin(f32x4.pmax(value, lowestV), highestV));
  }
}

/** The tail truncated normal (truncatedTailOf) over whole groups, in stages as fillTruncatedNormal. */
export function fillTruncatedNormalTail(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32,
  logTail: f32, ratio: f32, scale: f32, mean: f32, lowest: f32, highest: f32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const logTailV = f32x4.splat(logTail), ratioV = f32x4.splat(ratio);
  const scaleV = f32x4.splat(scale), meanV = f32x4.splat(mean);
  const lowestV = f32x4.splat(lowest), highestV = f32x4.splat(highest);
  const bytes = <usize>groups * GROUP_BYTES;
  const end = dst + bytes;
  for (let at = dst; at < end; at += GROUP_BYTES) {
    philoxGroup(at, block, streamLo, streamHi, IN_ORDER);
    block += GROUP_BLOCKS;
  }
  // t = (1 - u) + u ratio to STAGE.
  for (let at = dst, stage = STAGE; at < end; at += 16, stage += 16) {
    const high = i32x4.shr_u(v128.load(at), 8);
    const u = f32x4.mul(f32x4.convert_i32x4_s(high), broadcast(TWO_POW_MINUS_24_AT));
    const complement = f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(broadcast(TWO_POW_24_INT_AT), high)), broadcast(TWO_POW_MINUS_24_AT));
    v128.store(stage, f32x4.add(complement, f32x4.mul(u, ratioV)));
  }
  // -log t in place.
  stagedLog(STAGE, 16, bytes, false);
  // w = logTail - log t; the start x0 in place of the words, x0^2 / 2 - w to STAGE_W, y = 1 + x0 K to STAGE.
  for (let at = dst, i: usize = 0; at < end; at += 16, i += 16) {
    const w = f32x4.add(logTailV, v128.load(STAGE + i));
    const x0 = normalTailStart4(w);
    v128.store(at, x0);
    v128.store(STAGE_W + i, normalTailBase4(x0, w));
    v128.store(STAGE + i, normalTailY4(x0));
  }
  // -log y in place.
  stagedLog(STAGE, 16, bytes, false);
  // The Newton step, scaled, shifted and clamped, in place of x0.
  for (let at = dst, i: usize = 0; at < end; at += 16, i += 16) {
    const x = normalTailNewton4(v128.load(at), v128.load(STAGE_W + i), f32x4.neg(v128.load(STAGE + i)));
    const value = f32x4.add(f32x4.mul(x, scaleV), meanV);
    v128.store(at, f32x4.pmin(f32x4.pmax(value, lowestV), highestV));
  }
}
