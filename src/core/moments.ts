// Sum and sum of squares of (value - shift) over float32 values, in float64: the sums behind the statistics a
// file writer records of every chunk it writes. This is the specification and the js backend's implementation;
// assembly/moments.ts computes the same bits with SIMD. The order of the additions is fixed, so the result
// depends on the values only, never on the backend: value i goes to lane i % 8 of eight running sums,
// d = value - shift, sum[lane] += d, squares[lane] += d * d (each operation rounded to float64), and the lanes
// combine as ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7)).

/** Writes [sum of (v - shift), sum of (v - shift)^2] over `values` into out[0], out[1]. */
export function shiftedSumsFloat32(values: Float32Array, shift: number, out: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  let q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0;
  const n = values.length;
  const whole = n - (n % 8);
  let i = 0;
  for (; i < whole; i += 8) {
    const d0 = values[i] - shift, d1 = values[i + 1] - shift, d2 = values[i + 2] - shift, d3 = values[i + 3] - shift;
    const d4 = values[i + 4] - shift, d5 = values[i + 5] - shift, d6 = values[i + 6] - shift, d7 = values[i + 7] - shift;
    s0 += d0; q0 += d0 * d0;
    s1 += d1; q1 += d1 * d1;
    s2 += d2; q2 += d2 * d2;
    s3 += d3; q3 += d3 * d3;
    s4 += d4; q4 += d4 * d4;
    s5 += d5; q5 += d5 * d5;
    s6 += d6; q6 += d6 * d6;
    s7 += d7; q7 += d7 * d7;
  }
  // The last 0..7 values, in lanes 0..6.
  const tail = n - whole;
  if (tail > 0) { const d = values[i] - shift; s0 += d; q0 += d * d; }
  if (tail > 1) { const d = values[i + 1] - shift; s1 += d; q1 += d * d; }
  if (tail > 2) { const d = values[i + 2] - shift; s2 += d; q2 += d * d; }
  if (tail > 3) { const d = values[i + 3] - shift; s3 += d; q3 += d * d; }
  if (tail > 4) { const d = values[i + 4] - shift; s4 += d; q4 += d * d; }
  if (tail > 5) { const d = values[i + 5] - shift; s5 += d; q5 += d * d; }
  if (tail > 6) { const d = values[i + 6] - shift; s6 += d; q6 += d * d; }
  out[0] = ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7));
  out[1] = ((q0 + q2) + (q4 + q6)) + ((q1 + q3) + (q5 + q7));
}
