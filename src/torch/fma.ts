// Float32 and float64 fused multiply-add with one rounding, as x86-64 FMA3 computes them (vfmadd*ss/sd), for
// the places where PyTorch's AVX2 build compiles `a * b + c` into one instruction.
//
// float32: a product of two float32 values has at most 48 significant bits, so it is exact in float64, and
// only the sum is rounded. Rounding it to float64 and then to float32 gives the single rounding except when the
// float64 sum lands exactly halfway between two float32 values; there the exact remainder (a two-sum) decides,
// which is what rounding the float64 sum to odd achieves in general (Boldo & Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008).
//
// float64: the product is split exactly into two parts (Dekker/Veltkamp) and the sum of three terms rounded
// once, by Boldo & Melquiond's emulated FMA, which also rounds to odd on the way.

const word64 = new Float64Array(1);
const words32 = new Uint32Array(word64.buffer);
// Typed arrays use the platform's byte order; find which 32-bit half holds the low mantissa bits.
const LOW = (() => {
  word64[0] = 1 + 2 ** -52;
  return words32[0] === 1 ? 0 : 1;
})();
const HIGH = 1 - LOW;

/**
 * x + y rounded to odd, given sum = fl(x + y) and error = x + y - sum from a two-sum: sum itself when exact,
 * else whichever of the two float64 values around the exact sum has an odd last bit.
 */
function roundToOdd(sum: number, error: number): number {
  if (error === 0 || !Number.isFinite(sum)) return sum;
  word64[0] = sum;
  if (error < 0 !== sum < 0) {
    // |sum| is above the exact magnitude: step one ulp toward zero to reach the truncated value.
    if (words32[LOW] === 0) words32[HIGH] -= 1;
    words32[LOW] -= 1;
  }
  words32[LOW] |= 1;
  return word64[0];
}

/** a + b = sum + error exactly (Knuth's TwoSum), for finite a, b whose sum does not overflow. */
function twoSumError(a: number, b: number, sum: number): number {
  const bVirtual = sum - a;
  const aVirtual = sum - bVirtual;
  return (a - aVirtual) + (b - bVirtual);
}

/**
 * fmaf(a, b, c): a * b + c rounded once to float32. a, b and c must be float32 values.
 *
 * The float64 sum s = fl(a * b + c) rounds to the right float32 unless it landed exactly halfway between two
 * float32 values (no other float32 halfway point can lie between s and the exact sum, or s would not be the
 * nearest float64). Only then does the sign of the two-sum error decide, which is what rounding to odd does.
 */
export function fmaf(a: number, b: number, c: number): number {
  const product = a * b;
  const sum = product + c;
  const rounded = Math.fround(sum);
  // Across s from `rounded`: a float32 other than `rounded` exactly when s is a halfway point.
  const mirror = 2 * sum - rounded;
  if (mirror === rounded || Math.fround(mirror) !== mirror) return rounded;
  return breakTie(product, c, sum, rounded, mirror);
}

/** fmaf when the float64 sum is halfway between the float32 values `rounded` and `mirror`. */
function breakTie(product: number, c: number, sum: number, rounded: number, mirror: number): number {
  if (!Number.isFinite(sum) || !Number.isFinite(mirror)) return Math.fround(roundToOdd(sum, twoSumError(product, c, sum)));
  const error = twoSumError(product, c, sum);
  if (error === 0) return rounded; // a true tie: Math.fround already broke it to even
  return error > 0 ? Math.max(rounded, mirror) : Math.min(rounded, mirror);
}

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/**
 * fma(a, b, c): a * b + c rounded once to float64, for finite arguments away from overflow and underflow. The
 * emulated FMA of Boldo & Melquiond (2008): the exact product high + low, c + low and high + (c + low) by
 * two-sums, then the two small remainders added and rounded to odd, and one final rounding to nearest.
 *
 * Rounding to odd only matters when the final sum lands exactly halfway between two float64 values, so the
 * common case adds the remainders to nearest and looks for that tie instead.
 */
export function fma(a: number, b: number, c: number): number {
  const high = a * b;
  if (!Number.isFinite(high) || !Number.isFinite(c)) return high + c;
  let split = SPLITTER * a;
  const aHigh = split - (split - a), aLow = a - aHigh;
  split = SPLITTER * b;
  const bHigh = split - (split - b), bLow = b - bHigh;
  const low = ((aHigh * bHigh - high) + aHigh * bLow + aLow * bHigh) + aLow * bLow;
  const middle = c + low;
  const middleError = twoSumError(c, low, middle);
  const sum = high + middle;
  const sumError = twoSumError(high, middle, sum);
  const remainder = middleError + sumError;
  const remainderError = twoSumError(middleError, sumError, remainder);
  if (remainderError === 0) return sum + remainder;
  if (!(Math.abs(remainder) <= Math.abs(sum) * 2 ** -50)) return sum + roundToOdd(remainder, remainderError);
  // |remainderError| is below half a step of the grid sum + remainder lies on, so it can only break a tie.
  const rounded = sum + remainder;
  const roundingError = twoSumError(sum, remainder, rounded);
  const across = 2 * roundingError;
  if (roundingError !== 0 && (rounded + across) - rounded === across) {
    return remainderError > 0 === roundingError > 0 ? rounded + across : rounded;
  }
  return rounded;
}
