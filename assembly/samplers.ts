// Maps from raw Philox words to floats. Every kernel fills whole groups of eight blocks (32 words) at `dst`:
// philoxGroup leaves the words lane-major (word k of four blocks per vector), the kernel maps them lane by lane
// in place, and storeTransposed rewrites each half-group in stream order. Output element i therefore comes
// from word i (uniform, truncated normal) or from the word pair of its own block (Box-Muller normal).
// The scalar functions are the specification the v128 kernels are checked against lane by lane
// (assembly/__tests__) and the arithmetic that src/reference.ts repeats with Math.fround.
//
// Words are shifted right by 8 before conversion, so they are below 2^24 and the signed conversion is exact;
// V8 lowers f32x4.convert_i32x4_u to a multi-instruction sequence, f32x4.convert_i32x4_s to one instruction.

import { philoxGroup, prepareRoundKeys, storeTransposed, GROUP_WORDS } from "./philox";
import { logf, logf4, quarterSin, quarterCos, quarterSin4, quarterCos4, erfinvf, erfinvf4 } from "./f32math";

const GROUP_BYTES: usize = <usize>GROUP_WORDS * 4;
const GROUP_BLOCKS: u64 = <u64>GROUP_WORDS / 4;
const TWO_POW_MINUS_24: f32 = 5.9604644775390625e-8;
// Largest f32 below 1: the clamp that keeps erfinv's argument inside (-1, 1).
const BELOW_ONE: f32 = reinterpret<f32>(0x3f7fffff);
const SQRT2: f32 = reinterpret<f32>(0x3fb504f3);

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
 * sin(2 pi u) and cos(2 pi u) for u in [0, 1): 4u = n + r exactly, with n = floor(4u + 1/2) and r in
 * [-1/2, 1/2], then the quarter-turn polynomials at r, swapped and negated by n mod 4.
 */
export function sinCos2pi(u: f32): void {
  const turns = u * <f32>4;
  const quadrant = floor<f32>(turns + <f32>0.5);
  const r = turns - quadrant;
  const z = r * r;
  const s = quarterSin(r, z);
  const c = quarterCos(z);
  const q = <i32>quadrant;
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
  sinCos2pi(unitOpen(angleWord));
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

// ---- v128 kernels --------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function unitOpen4(words: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(words, 8)), f32x4.splat(TWO_POW_MINUS_24));
}

// @ts-ignore: decorator
@inline function unitPositive4(words: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(i32x4.shr_u(words, 8), i32x4.splat(1))), f32x4.splat(TWO_POW_MINUS_24));
}

/** Restores stream order of a mapped group: two half-groups of four lane-major vectors. */
// @ts-ignore: decorator
@inline function storeGroupInOrder(dst: usize): void {
  for (let half: usize = 0; half < GROUP_BYTES; half += 64) {
    const at = dst + half;
    storeTransposed(at, v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48));
  }
}

/** Raw stream words for blocks block .. block + 8 * groups - 1. */
export function fillBits(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  for (let g = 0; g < groups; g++) {
    philoxGroup(dst, block, streamLo, streamHi);
    storeGroupInOrder(dst);
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
  const lowV = f32x4.splat(low), rangeV = f32x4.splat(range);
  for (let g = 0; g < groups; g++) {
    philoxGroup(dst, block, streamLo, streamHi);
    for (let at = dst, end = dst + GROUP_BYTES; at < end; at += 16) {
      v128.store(at, f32x4.add(f32x4.mul(unitOpen4(v128.load(at)), rangeV), lowV));
    }
    storeGroupInOrder(dst);
    dst += GROUP_BYTES;
    block += GROUP_BLOCKS;
  }
}

/** Box-Muller on four lanes of (radius word at `at`, angle word at `at + 16`); results replace the words. */
// @ts-ignore: decorator
@inline function normalPair4(at: usize, meanV: v128, stddevV: v128): void {
  const radius = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), logf4(unitPositive4(v128.load(at)))));
  const turns = f32x4.mul(unitOpen4(v128.load(at, 16)), f32x4.splat(4));
  const quadrant = f32x4.floor(f32x4.add(turns, f32x4.splat(0.5)));
  const r = f32x4.sub(turns, quadrant);
  const z = f32x4.mul(r, r);
  const s = quarterSin4(r, z);
  const c = quarterCos4(z);
  const q = i32x4.trunc_sat_f32x4_s(quadrant);
  const swap = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  // Quadrants 2, 3 negate the sine; quadrants 1, 2 negate the cosine: move bit 1 of q (or q + 1) to the sign.
  const sine = v128.xor(v128.bitselect(c, s, swap), i32x4.shl(v128.and(q, i32x4.splat(2)), 30));
  const cosine = v128.xor(v128.bitselect(s, c, swap), i32x4.shl(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), 30));
  v128.store(at, f32x4.add(f32x4.mul(f32x4.mul(radius, cosine), stddevV), meanV));
  v128.store(at, f32x4.add(f32x4.mul(f32x4.mul(radius, sine), stddevV), meanV), 16);
}

export function fillNormal(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32,
  mean: f32, stddev: f32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const meanV = f32x4.splat(mean), stddevV = f32x4.splat(stddev);
  for (let g = 0; g < groups; g++) {
    philoxGroup(dst, block, streamLo, streamHi);
    // Lane-major words 0 and 1 (and 2 and 3) of the same blocks are adjacent vectors: each pair is one draw.
    for (let at = dst, end = dst + GROUP_BYTES; at < end; at += 32) {
      normalPair4(at, meanV, stddevV);
    }
    storeGroupInOrder(dst);
    dst += GROUP_BYTES;
    block += GROUP_BLOCKS;
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
  const belowOne = f32x4.splat(BELOW_ONE), aboveMinusOne = f32x4.splat(-BELOW_ONE);
  for (let g = 0; g < groups; g++) {
    philoxGroup(dst, block, streamLo, streamHi);
    for (let at = dst, end = dst + GROUP_BYTES; at < end; at += 16) {
      let y = f32x4.add(f32x4.mul(unitOpen4(v128.load(at)), widthV), startV);
      y = f32x4.pmin(f32x4.pmax(y, aboveMinusOne), belowOne);
      const value = f32x4.add(f32x4.mul(f32x4.mul(f32x4.splat(SQRT2), erfinvf4(y)), stddevV), meanV);
      v128.store(at, f32x4.pmin(f32x4.pmax(value, lowestV), highestV));
    }
    storeGroupInOrder(dst);
    dst += GROUP_BYTES;
    block += GROUP_BLOCKS;
  }
}
