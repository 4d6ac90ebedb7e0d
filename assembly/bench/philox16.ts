// A benchmark candidate, never shipped: the Philox4x32-10 word stream and the uniform kernel with sixteen blocks
// per group (four independent sets of four lanes) instead of the shipped eight. bench/kernels.ts compiles this
// entry on its own (build/bench/philox16.wasm; `npm run bench:kernels`) and times its kernels beside the same
// kernels of build/nninit.wasm, round by round, after checking that both write the same bytes.
//
// Everything but the group size is the shipped code's (assembly/philox.ts): the round keys and multipliers
// broadcast from memory, the key xored into the word that is ready first, the uniform map applied in registers
// before the transpose. Sixteen blocks hold 16 state vectors plus four products per set live across a round,
// more than x64's 16 vector registers, so V8 spills some of them; whether the extra independent work pays for
// the spills is what the benchmark measures (bench/results/kernels.json).

import {
  highBitsAffine4, mulhi4, prepareRoundKeys, storeTransposed, MULTIPLIERS, ROUND_KEYS, IN_ORDER, MAPPED_IN_ORDER,
} from "../philox";

/** The shipped module's scratch size (assembly/samplers.ts CHUNK_BYTES), so that a call covers the same blocks. */
const SCRATCH_BYTES: i32 = 65536;
const SCRATCH: usize = memory.data(SCRATCH_BYTES, 16);

const GROUP_WORDS16: i32 = 64;
const GROUP_BYTES16: usize = <usize>GROUP_WORDS16 * 4;
const GROUP_BLOCKS16: u64 = <u64>GROUP_WORDS16 / 4;
const TWO_POW_MINUS_24: f32 = 5.9604644775390625e-8;
const TWO_POW_24: f32 = 16777216;

export function scratchPointer(): usize {
  return SCRATCH;
}

export function scratchBytes(): i32 {
  return SCRATCH_BYTES;
}

export function groupWords(): i32 {
  return GROUP_WORDS16;
}

/** philoxGroup (assembly/philox.ts) of blocks block .. block + 15, as four sets of four lanes. */
// @ts-ignore: decorator
@inline function philoxGroup16(
  dst: usize, block: u64, streamLo: u32, streamHi: u32, layout: i32, scale: v128, offset: v128
): void {
  const base = i32x4.splat(<u32>block);
  const high = i32x4.splat(<u32>(block >>> 32));
  let a0 = i32x4.add(base, i32x4(0, 1, 2, 3)), b0 = i32x4.add(base, i32x4(4, 5, 6, 7));
  let c0 = i32x4.add(base, i32x4(8, 9, 10, 11)), d0 = i32x4.add(base, i32x4(12, 13, 14, 15));
  // A lane whose low word wrapped past 2^32 carries one into the high word (lt is -1 in such lanes).
  let a1 = i32x4.sub(high, v128.lt<u32>(a0, base)), b1 = i32x4.sub(high, v128.lt<u32>(b0, base));
  let c1 = i32x4.sub(high, v128.lt<u32>(c0, base)), d1 = i32x4.sub(high, v128.lt<u32>(d0, base));
  let a2 = i32x4.splat(streamLo), b2 = a2, c2 = a2, d2 = a2;
  let a3 = i32x4.splat(streamHi), b3 = a3, c3 = a3, d3 = a3;
  for (let keys = ROUND_KEYS, end = ROUND_KEYS + 10 * 32; keys < end; keys += 32) {
    const m0 = v128.load32_splat(MULTIPLIERS), m1 = v128.load32_splat(MULTIPLIERS, 4);
    const k0 = v128.load(keys), k1 = v128.load(keys, 16);
    const aHi0 = mulhi4(a0, m0), aLo0 = i32x4.mul(a0, m0);
    const aHi1 = mulhi4(a2, m1), aLo1 = i32x4.mul(a2, m1);
    const bHi0 = mulhi4(b0, m0), bLo0 = i32x4.mul(b0, m0);
    const bHi1 = mulhi4(b2, m1), bLo1 = i32x4.mul(b2, m1);
    const cHi0 = mulhi4(c0, m0), cLo0 = i32x4.mul(c0, m0);
    const cHi1 = mulhi4(c2, m1), cLo1 = i32x4.mul(c2, m1);
    const dHi0 = mulhi4(d0, m0), dLo0 = i32x4.mul(d0, m0);
    const dHi1 = mulhi4(d2, m1), dLo1 = i32x4.mul(d2, m1);
    a0 = v128.xor(aHi1, v128.xor(a1, k0));
    a2 = v128.xor(aHi0, v128.xor(a3, k1));
    a1 = aLo1;
    a3 = aLo0;
    b0 = v128.xor(bHi1, v128.xor(b1, k0));
    b2 = v128.xor(bHi0, v128.xor(b3, k1));
    b1 = bLo1;
    b3 = bLo0;
    c0 = v128.xor(cHi1, v128.xor(c1, k0));
    c2 = v128.xor(cHi0, v128.xor(c3, k1));
    c1 = cLo1;
    c3 = cLo0;
    d0 = v128.xor(dHi1, v128.xor(d1, k0));
    d2 = v128.xor(dHi0, v128.xor(d3, k1));
    d1 = dLo1;
    d3 = dLo0;
  }
  if (layout == IN_ORDER) {
    storeTransposed(dst, a0, a1, a2, a3);
    storeTransposed(dst + 64, b0, b1, b2, b3);
    storeTransposed(dst + 128, c0, c1, c2, c3);
    storeTransposed(dst + 192, d0, d1, d2, d3);
  } else {
    storeTransposed(dst, highBitsAffine4(a0, scale, offset), highBitsAffine4(a1, scale, offset),
      highBitsAffine4(a2, scale, offset), highBitsAffine4(a3, scale, offset));
    storeTransposed(dst + 64, highBitsAffine4(b0, scale, offset), highBitsAffine4(b1, scale, offset),
      highBitsAffine4(b2, scale, offset), highBitsAffine4(b3, scale, offset));
    storeTransposed(dst + 128, highBitsAffine4(c0, scale, offset), highBitsAffine4(c1, scale, offset),
      highBitsAffine4(c2, scale, offset), highBitsAffine4(c3, scale, offset));
    storeTransposed(dst + 192, highBitsAffine4(d0, scale, offset), highBitsAffine4(d1, scale, offset),
      highBitsAffine4(d2, scale, offset), highBitsAffine4(d3, scale, offset));
  }
}

/** The shipped fillBits (assembly/samplers.ts) on groups of sixteen blocks. */
export function fillBits(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const zero = i32x4.splat(0);
  for (let g = 0; g < groups; g++) {
    philoxGroup16(dst, block, streamLo, streamHi, IN_ORDER, zero, zero);
    dst += GROUP_BYTES16;
    block += GROUP_BLOCKS16;
  }
}

/** The shipped fillUniform on groups of sixteen blocks: one multiply per value where range 2^-24 is exact. */
export function fillUniform(
  dst: usize, groups: i32, blockLo: u32, blockHi: u32, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32,
  low: f32, range: f32
): void {
  prepareRoundKeys(seedLo, seedHi);
  let block = (<u64>blockHi << 32) | <u64>blockLo;
  const lowV = f32x4.splat(low);
  const scaled = range * TWO_POW_MINUS_24;
  if (scaled * TWO_POW_24 == range) {
    const scaledV = f32x4.splat(scaled);
    for (let g = 0; g < groups; g++) {
      philoxGroup16(dst, block, streamLo, streamHi, MAPPED_IN_ORDER, scaledV, lowV);
      dst += GROUP_BYTES16;
      block += GROUP_BLOCKS16;
    }
    return;
  }
  const rangeV = f32x4.splat(range), unit = f32x4.splat(TWO_POW_MINUS_24), zero = i32x4.splat(0);
  for (let g = 0; g < groups; g++) {
    philoxGroup16(dst, block, streamLo, streamHi, IN_ORDER, zero, zero);
    for (let at = dst, end = dst + GROUP_BYTES16; at < end; at += 16) {
      const u = f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(v128.load(at), 8)), unit);
      v128.store(at, f32x4.add(f32x4.mul(u, rangeV), lowV));
    }
    dst += GROUP_BYTES16;
    block += GROUP_BLOCKS16;
  }
}
