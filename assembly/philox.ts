// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
// the variant of Random123's philox4x32 with 10 rounds. Vectors: tests/fixtures/philox4x32-10.kat.
//
// Stream layout (the reproducibility contract): raw word i of the stream (seed s, stream t) is word i % 4 of
//   philox4x32([blockLo, blockHi, tLo, tHi], [sLo, sHi]),  block = floor(i / 4).
// `philoxGroup` produces eight consecutive blocks at once, one block per v128 lane; the samplers map the
// words lane by lane and store the results in stream order.

// Round multipliers and Weyl key increments (Random123 philox.h; the golden ratio and sqrt(3) - 1 in 32 bits).
export const PHILOX_M0: u32 = 0xd2511f53;
export const PHILOX_M1: u32 = 0xcd9e8d57;
export const PHILOX_W0: u32 = 0x9e3779b9;
export const PHILOX_W1: u32 = 0xbb67ae85;

/** Scalar Philox4x32-10 of one block; writes the four output words to `dst`. The SIMD path is checked against it. */
export function philoxBlock(dst: usize, c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    const product0 = <u64>PHILOX_M0 * <u64>c0;
    const product1 = <u64>PHILOX_M1 * <u64>c2;
    const hi0 = <u32>(product0 >>> 32), lo0 = <u32>product0;
    const hi1 = <u32>(product1 >>> 32), lo1 = <u32>product1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  store<u32>(dst, c0, 0);
  store<u32>(dst, c1, 4);
  store<u32>(dst, c2, 8);
  store<u32>(dst, c3, 12);
}

// Round keys for the current seed, one splatted (k0, k1) pair per round, written once per kernel call.
export const ROUND_KEYS: usize = memory.data(10 * 32, 16);

/** Fills ROUND_KEYS for the key (seedLo, seedHi): round r uses k + r * W, the Weyl sequence of the key. */
export function prepareRoundKeys(seedLo: u32, seedHi: u32): void {
  let k0 = seedLo, k1 = seedHi;
  for (let round: usize = 0; round < 10; round++) {
    v128.store(ROUND_KEYS + (round << 5), i32x4.splat(k0));
    v128.store(ROUND_KEYS + (round << 5), i32x4.splat(k1), 16);
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
}

// The multipliers in memory, broadcast by v128.load32_splat inside the round loop: V8 (Node 20) rebuilds a
// splatted constant there with three instructions (a 64-bit move, a move to the vector register and an unpack),
// where the broadcast load is one. Measured: 5% more words per second.
export const MULTIPLIERS: usize = memory.data<u32>([PHILOX_M0, PHILOX_M1]);

/** High words of the four 32x32-bit products c * m. */
// @ts-ignore: decorator
@inline export function mulhi4(c: v128, m: v128): v128 {
  return v128.shuffle<u32>(i64x2.extmul_low_i32x4_u(c, m), i64x2.extmul_high_i32x4_u(c, m), 1, 3, 5, 7);
}

/** Stores four blocks held one per lane (word k of every block in ck) as 16 words in stream order. */
// @ts-ignore: decorator
@inline export function storeTransposed(dst: usize, c0: v128, c1: v128, c2: v128, c3: v128): void {
  const t0 = v128.shuffle<u32>(c0, c1, 0, 4, 1, 5);
  const t1 = v128.shuffle<u32>(c2, c3, 0, 4, 1, 5);
  const t2 = v128.shuffle<u32>(c0, c1, 2, 6, 3, 7);
  const t3 = v128.shuffle<u32>(c2, c3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<u32>(t0, t1, 0, 1, 4, 5), 0);
  v128.store(dst, v128.shuffle<u32>(t0, t1, 2, 3, 6, 7), 16);
  v128.store(dst, v128.shuffle<u32>(t2, t3, 0, 1, 4, 5), 32);
  v128.store(dst, v128.shuffle<u32>(t2, t3, 2, 3, 6, 7), 48);
}

/**
 * Words per group: eight blocks, run as two independent sets of four lanes. The round loop is bound by the
 * vector pipes, not by its dependency chain: V8 lowers each extmul to two unpacks and a multiply, so a round of
 * four blocks is 10 shuffles, 6 multiplies and 4 xors. Two sets keep both pipes busy without spilling; three
 * measured 1% faster but do not divide the 64 KiB chunk, four (16 blocks) spill registers and measured 1-2%
 * slower (Zen 4, V8 11.3), and unrolling the rounds was slower still. The 16-block variant is kept as a
 * benchmark candidate (assembly/bench/philox16.ts, `npm run bench:kernels`), measured beside these kernels.
 */
export const GROUP_WORDS: i32 = 32;

/** How philoxGroup leaves its words (a constant argument, so that inlining keeps one branch). */
export const LANE_MAJOR: i32 = 0;
export const IN_ORDER: i32 = 1;
export const MAPPED_IN_ORDER: i32 = 2;

/** u * scale + offset on four lanes, u the 24 high bits of each word: the uniform map (samplers.ts uniformOf). */
// @ts-ignore: decorator
@inline export function highBitsAffine4(words: v128, scale: v128, offset: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(words, 8)), scale), offset);
}

/**
 * Philox4x32-10 of blocks `block .. block+7` (a 64-bit block counter that may carry into its high word),
 * stream words (streamLo, streamHi) and the key last given to prepareRoundKeys; stores 32 values at `dst`:
 * - LANE_MAJOR: the words as eight vectors, vector 4h + k holding word k of blocks block + 4h .. block + 4h + 3.
 *   Samplers that pair words map these lane by lane and then restore stream order with storeTransposed.
 * - IN_ORDER: the words in stream order, transposed in registers.
 * - MAPPED_IN_ORDER: highBitsAffine4(word, scale, offset) of each word in stream order, mapped in registers
 *   before the transpose (the map is lane by lane, so it commutes with it): one store per vector.
 */
// @ts-ignore: decorator
@inline export function philoxGroup(
  dst: usize, block: u64, streamLo: u32, streamHi: u32,
  layout: i32 = LANE_MAJOR, scale: v128 = i32x4.splat(0), offset: v128 = i32x4.splat(0)
): void {
  const base = i32x4.splat(<u32>block);
  const high = i32x4.splat(<u32>(block >>> 32));
  let a0 = i32x4.add(base, i32x4(0, 1, 2, 3));
  let b0 = i32x4.add(base, i32x4(4, 5, 6, 7));
  // A lane whose low word wrapped past 2^32 carries one into the high word (lt is -1 in such lanes).
  let a1 = i32x4.sub(high, v128.lt<u32>(a0, base));
  let b1 = i32x4.sub(high, v128.lt<u32>(b0, base));
  let a2 = i32x4.splat(streamLo), b2 = a2;
  let a3 = i32x4.splat(streamHi), b3 = a3;
  for (let keys = ROUND_KEYS, end = ROUND_KEYS + 10 * 32; keys < end; keys += 32) {
    const m0 = v128.load32_splat(MULTIPLIERS), m1 = v128.load32_splat(MULTIPLIERS, 4);
    const k0 = v128.load(keys), k1 = v128.load(keys, 16);
    const aHi0 = mulhi4(a0, m0), aLo0 = i32x4.mul(a0, m0);
    const aHi1 = mulhi4(a2, m1), aLo1 = i32x4.mul(a2, m1);
    const bHi0 = mulhi4(b0, m0), bLo0 = i32x4.mul(b0, m0);
    const bHi1 = mulhi4(b2, m1), bLo1 = i32x4.mul(b2, m1);
    // c0' = hi(c2 m1) ^ c1 ^ k0 and c2' = hi(c0 m0) ^ c3 ^ k1, grouped so that the key joins the word that is
    // ready early and one xor follows the multiply (xor is associative: the same bits). Measured: 6% faster.
    a0 = v128.xor(aHi1, v128.xor(a1, k0));
    a2 = v128.xor(aHi0, v128.xor(a3, k1));
    a1 = aLo1;
    a3 = aLo0;
    b0 = v128.xor(bHi1, v128.xor(b1, k0));
    b2 = v128.xor(bHi0, v128.xor(b3, k1));
    b1 = bLo1;
    b3 = bLo0;
  }
  if (layout == LANE_MAJOR) {
    v128.store(dst, a0, 0);
    v128.store(dst, a1, 16);
    v128.store(dst, a2, 32);
    v128.store(dst, a3, 48);
    v128.store(dst, b0, 64);
    v128.store(dst, b1, 80);
    v128.store(dst, b2, 96);
    v128.store(dst, b3, 112);
  } else if (layout == IN_ORDER) {
    storeTransposed(dst, a0, a1, a2, a3);
    storeTransposed(dst + 64, b0, b1, b2, b3);
  } else {
    storeTransposed(dst, highBitsAffine4(a0, scale, offset), highBitsAffine4(a1, scale, offset),
      highBitsAffine4(a2, scale, offset), highBitsAffine4(a3, scale, offset));
    storeTransposed(dst + 64, highBitsAffine4(b0, scale, offset), highBitsAffine4(b1, scale, offset),
      highBitsAffine4(b2, scale, offset), highBitsAffine4(b3, scale, offset));
  }
}
