// Sum and sum of squares of (value - shift) over float32 values, in float64, for the statistics a file writer
// records of every chunk. The order of the additions is part of the contract, so that src/core/moments.ts can
// give the same bits in plain float64 arithmetic: value i of a chunk goes to lane i % 8 of eight running sums
// (and eight running sums of squares), d = f64(value) - shift, sum[lane] += d, squares[lane] += d * d (a product
// rounded, then a sum rounded: no fused multiply-add). The lanes are then combined as
// ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7)).
//
// Here the eight lanes are four f64x2 accumulators per quantity, eight values per step. The host
// (src/core/wasm.ts) copies a chunk into the scratch region piece by piece; the accumulators stay in ACCUMULATORS
// between calls, so a chunk cut into pieces of a multiple of 8 values gives the bits of one call.

/** Lanes of the running sums: ACCUMULATORS holds 8 f64 sums, then 8 f64 sums of squares; RESULT the combined two. */
const ACCUMULATORS: usize = memory.data(128, 16);
const RESULT: usize = memory.data(16, 16);

export function momentsPointer(): usize {
  return RESULT;
}

/**
 * Adds `count` float32 values at `at` (8-byte aligned) to the running sums, starting from zero when `first` is
 * nonzero, and writes the combined sum and sum of squares to RESULT. Every call but a chunk's last passes a
 * multiple of 8 values, which keeps each value in its lane.
 */
export function shiftedSums(at: usize, count: i32, shift: f64, first: i32): void {
  let s0: v128, s1: v128, s2: v128, s3: v128, q0: v128, q1: v128, q2: v128, q3: v128;
  if (first) {
    s0 = f64x2.splat(0); s1 = s0; s2 = s0; s3 = s0; q0 = s0; q1 = s0; q2 = s0; q3 = s0;
  } else {
    s0 = v128.load(ACCUMULATORS); s1 = v128.load(ACCUMULATORS, 16);
    s2 = v128.load(ACCUMULATORS, 32); s3 = v128.load(ACCUMULATORS, 48);
    q0 = v128.load(ACCUMULATORS, 64); q1 = v128.load(ACCUMULATORS, 80);
    q2 = v128.load(ACCUMULATORS, 96); q3 = v128.load(ACCUMULATORS, 112);
  }
  const offset = f64x2.splat(shift);
  const whole = count & ~7;
  let i = 0;
  for (; i < whole; i += 8) {
    const from = at + (<usize>i << 2);
    // Two floats per 8-byte load, promoted: a converting load, cheaper than a 16-byte load and a shuffle.
    const d0 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(from)), offset);
    const d1 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(from, 8)), offset);
    const d2 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(from, 16)), offset);
    const d3 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(from, 24)), offset);
    s0 = f64x2.add(s0, d0); q0 = f64x2.add(q0, f64x2.mul(d0, d0));
    s1 = f64x2.add(s1, d1); q1 = f64x2.add(q1, f64x2.mul(d1, d1));
    s2 = f64x2.add(s2, d2); q2 = f64x2.add(q2, f64x2.mul(d2, d2));
    s3 = f64x2.add(s3, d3); q3 = f64x2.add(q3, f64x2.mul(d3, d3));
  }
  v128.store(ACCUMULATORS, s0); v128.store(ACCUMULATORS, s1, 16);
  v128.store(ACCUMULATORS, s2, 32); v128.store(ACCUMULATORS, s3, 48);
  v128.store(ACCUMULATORS, q0, 64); v128.store(ACCUMULATORS, q1, 80);
  v128.store(ACCUMULATORS, q2, 96); v128.store(ACCUMULATORS, q3, 112);
  // The last 0..7 values, one at a time into their lanes.
  for (; i < count; i++) {
    const d = <f64>load<f32>(at + (<usize>i << 2)) - shift;
    const lane = ACCUMULATORS + (<usize>(i & 7) << 3);
    store<f64>(lane, load<f64>(lane) + d);
    store<f64>(lane, load<f64>(lane, 64) + d * d, 64);
  }
  const sums = f64x2.add(
    f64x2.add(v128.load(ACCUMULATORS), v128.load(ACCUMULATORS, 16)),
    f64x2.add(v128.load(ACCUMULATORS, 32), v128.load(ACCUMULATORS, 48)),
  );
  const squares = f64x2.add(
    f64x2.add(v128.load(ACCUMULATORS, 64), v128.load(ACCUMULATORS, 80)),
    f64x2.add(v128.load(ACCUMULATORS, 96), v128.load(ACCUMULATORS, 112)),
  );
  store<f64>(RESULT, f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1));
  store<f64>(RESULT, f64x2.extract_lane(squares, 0) + f64x2.extract_lane(squares, 1), 8);
}
