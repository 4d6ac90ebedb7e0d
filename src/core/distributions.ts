// From a distribution's parameters (double precision, as the caller gives them) to the f32 parameters the
// kernels take. Both backends receive exactly these numbers, so they need no arithmetic of their own here.

import type { NormalParameters, TruncatedNormalParameters, UniformParameters } from './backend.js';

const fround = Math.fround;

/**
 * Standard deviation of the standard normal truncated to (-2, 2): sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)).
 * Keras 3 and JAX divide by it so that a 2-sigma truncated normal has exactly the requested variance
 * (keras/src/initializers/random_initializers.py, jax/_src/nn/initializers.py); TF.js does not (tfjs#8594).
 */
export const TRUNCATED_NORMAL_STDDEV_2 = 0.87962566103423978;

/** Largest finite float32, (2 - 2^-23) 2^127. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Largest |z| of the normal sampler, rounded up: Box-Muller's radius sqrt(-2 ln u1) with u1 >= 2^-24 is at most
 * sqrt(48 ln 2) = 5.768. A normal's values are bounded by |mean| + NORMAL_REACH std.
 */
export const NORMAL_REACH = 5.8;

/**
 * How far, in standard deviations, the truncated-normal sampler reaches: bounds beyond it act as infinite, and an
 * interval that lies entirely beyond it on one side is refused (its probability is below 1e-315).
 */
export const TRUNCATED_NORMAL_REACH = 38;

/**
 * The error function in double precision: erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)),
 * a series of positive terms (no cancellation), summed until the terms stop changing the sum; |erf(x)| rounds
 * to 1 beyond |x| = 6. Accurate to a few ulp, far more than the f32 kernels need.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 6) return 1;
  if (x < -6) return -1;
  const square = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * square) / (2 * n + 1);
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-square) * sum;
}

/**
 * The scaled complementary error function erfcx(z) = e^(z^2) erfc(z) for z >= 0, in double precision. Below
 * z = 2, from the series erf above (erfc(2) = 0.0047, so 1 - erf loses at most 2.4 of its 16 digits); from 2 on,
 * the continued fraction erfcx(z) = 1 / (sqrt(pi) (z + (1/2) / (z + (2/2) / (z + (3/2) / (z + ...))))) cut
 * after 100 terms and evaluated from the bottom up, which matches scipy.special.erfcx to 2 ulp there.
 */
export function erfcx(z: number): number {
  if (z < 2) return Math.exp(z * z) * (1 - erf(z));
  let fraction = z;
  for (let k = 100; k >= 1; k--) fraction = z + (k / 2) / fraction;
  return 1 / (Math.sqrt(Math.PI) * fraction);
}

/** -log Q(x) for x >= 0, Q the standard normal upper-tail probability: x^2 / 2 - log(erfcx(x / sqrt 2) / 2). */
export function minusLogNormalTail(x: number): number {
  if (x === Infinity) return Infinity;
  return (x * x) / 2 - Math.log(erfcx(x / Math.SQRT2) / 2);
}

/**
 * Where the truncated normal switches samplers: an interval that reaches within TAIL_START standard deviations
 * of the mean is sampled through erfinv, whose float32 argument resolves it well; one that lies entirely beyond
 * it on one side is sampled in tail coordinates.
 */
export const TAIL_START = 1;

const bits = new DataView(new ArrayBuffer(4));

/** The f32 value next to `x` (itself an f32) in the direction of `direction` (+1 or -1). */
function nextFloat32(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * 1.401298464324817e-45;
  bits.setFloat32(0, x);
  const raw = bits.getUint32(0);
  bits.setUint32(0, (x > 0) === (direction > 0) ? raw + 1 : raw - 1);
  return bits.getFloat32(0);
}

/** The smallest f32 strictly greater than x. */
export function float32Above(x: number): number {
  const rounded = fround(x);
  return rounded > x ? rounded : nextFloat32(rounded, 1);
}

/** The largest f32 strictly less than x. */
export function float32Below(x: number): number {
  const rounded = fround(x);
  return rounded < x ? rounded : nextFloat32(rounded, -1);
}

/** U[low, high): value = u * f32(high - low) + f32(low). */
export function uniformParameters(low: number, high: number): UniformParameters {
  return { low: fround(low), range: fround(high - low) };
}

/** N(mean, stddev^2): value = z * f32(stddev) + f32(mean). */
export function normalParameters(mean: number, stddev: number): NormalParameters {
  return { mean: fround(mean), stddev: fround(stddev) };
}

/**
 * N(mean, stddev^2) cut to [mean + lower stddev, mean + upper stddev] by inverse CDF. Returns undefined when
 * no f32 lies strictly inside the bounds. A zero stddev gives the constant `mean` (the caller handles it), and
 * the caller refuses intervals entirely beyond TRUNCATED_NORMAL_REACH.
 *
 * An interval that reaches within TAIL_START of the mean keeps the erfinv sampler: y from
 * erf(lower / sqrt 2) to erf(upper / sqrt 2). Beyond it, y would resolve the interval too coarsely (it is
 * within 2^-24 of +-1 from 5.4 standard deviations on), so the interval is mirrored to [a, b] with a >= 1 and
 * sampled through -log Q: logTail = -log Q(a) and ratio = Q(b) / Q(a), both computed here in double precision.
 */
export function truncatedNormalParameters(
  mean: number, stddev: number, lower: number, upper: number,
): TruncatedNormalParameters | undefined {
  const lowest = float32Above(mean + stddev * lower);
  const highest = float32Below(mean + stddev * upper);
  if (!(lowest <= highest)) return undefined;
  if (lower >= TAIL_START || upper <= -TAIL_START) {
    const above = lower >= TAIL_START;
    const [a, b] = above ? [lower, upper] : [-upper, -lower];
    const logTail = minusLogNormalTail(a);
    const ratio = Math.exp(logTail - minusLogNormalTail(b));
    return {
      tail: true, logTail: fround(logTail), ratio: fround(ratio), scale: fround(above ? stddev : -stddev), mean: fround(mean),
      lowest, highest,
    };
  }
  const start = erf(lower / Math.SQRT2);
  const end = erf(upper / Math.SQRT2);
  return { tail: false, start: fround(start), width: fround(end - start), mean: fround(mean), stddev: fround(stddev), lowest, highest };
}
