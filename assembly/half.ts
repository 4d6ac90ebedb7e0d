// float32 -> binary16 and bfloat16 bit patterns, eight values at a time, in place: the 4-byte floats at `at`
// become 2-byte halves at the start of the same region (each block of eight is read before it is written, and
// writes never pass reads). src/core/half.ts is the scalar specification; the branches there are per-lane selects
// here. Round to nearest, ties to even.

const MAGNITUDE = i32x4.splat(0x7fffffff);

// @ts-ignore: decorator
@inline function float16Lanes(raw: v128): v128 {
  const sign = v128.and(i32x4.shr_u(raw, 16), i32x4.splat(0x8000));
  const magnitude = v128.and(raw, MAGNITUDE);
  const normal = i32x4.shr_u(
    i32x4.sub(i32x4.add(i32x4.add(magnitude, i32x4.splat(0xfff)), v128.and(i32x4.shr_u(magnitude, 13), i32x4.splat(1))), i32x4.splat(0x38000000)),
    13,
  );
  // Below 2^-14: count units of 2^-24; the product is exact and f32x4.nearest rounds half to even.
  const subnormal = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(magnitude, f32x4.splat(16777216))));
  let result = v128.bitselect(subnormal, normal, i32x4.lt_s(magnitude, i32x4.splat(0x38800000)));
  result = v128.bitselect(i32x4.splat(0x7c00), result, i32x4.ge_s(magnitude, i32x4.splat(0x477ff000)));
  result = v128.bitselect(i32x4.splat(0x7e00), result, i32x4.gt_s(magnitude, i32x4.splat(0x7f800000)));
  return v128.or(result, sign);
}

// @ts-ignore: decorator
@inline function bfloat16Lanes(raw: v128): v128 {
  const rounded = i32x4.shr_u(i32x4.add(i32x4.add(raw, i32x4.splat(0x7fff)), v128.and(i32x4.shr_u(raw, 16), i32x4.splat(1))), 16);
  const quiet = v128.or(v128.and(i32x4.shr_u(raw, 16), i32x4.splat(0x8000)), i32x4.splat(0x7fc0));
  return v128.bitselect(quiet, rounded, i32x4.gt_s(v128.and(raw, MAGNITUDE), i32x4.splat(0x7f800000)));
}

/** Converts `count` (a multiple of 8) float32 values at `at` to binary16 bits in place. */
export function toFloat16(at: usize, count: i32): void {
  for (let i = 0; i < count; i += 8) {
    const from = at + (<usize>i << 2);
    const low = float16Lanes(v128.load(from)), high = float16Lanes(v128.load(from, 16));
    v128.store(at + (<usize>i << 1), i16x8.narrow_i32x4_u(low, high));
  }
}

/** Converts `count` (a multiple of 8) float32 values at `at` to bfloat16 bits in place. */
export function toBfloat16(at: usize, count: i32): void {
  for (let i = 0; i < count; i += 8) {
    const from = at + (<usize>i << 2);
    const low = bfloat16Lanes(v128.load(from)), high = bfloat16Lanes(v128.load(from, 16));
    v128.store(at + (<usize>i << 1), i16x8.narrow_i32x4_u(low, high));
  }
}
