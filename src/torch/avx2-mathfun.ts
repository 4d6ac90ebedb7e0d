// One lane of PyTorch's AVX2 logarithm and sine/cosine (log256_ps and sincos256_ps in
// aten/src/ATen/native/cpu/avx_mathfun.h: Giovanni Garberoglio's AVX port of Julien Pommier's sse_mathfun,
// which follows the Cephes single-precision logf/sinf/cosf of Stephen Moshier), evaluated step by step in
// float32. PyTorch's AVX2 kernels are compiled with FMA enabled and GCC's default floating-point contraction,
// so a product whose only uses are additions becomes one fused multiply-add: every Horner step, the range
// reduction y * DP1..DP3, and, where an addition has a product on both sides, the product computed first
// (y * z in both tails). These choices were found by feeding PyTorch 1.13 every possible input: all 2^24 uniform
// values of u1 through the logarithm and all 2^24 of u2 through sine and cosine agree bit for bit.

import { fmaf } from './fma.js';
import { float32Bits, float32FromBits } from './float32-bits.js';

const f = Math.fround;

// Cephes constants as sse_mathfun/avx_mathfun round them to float32.
const MIN_NORMAL = float32FromBits(0x00800000);
const HALF_BITS = float32Bits(0.5);
const SQRT_HALF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);

/**
 * log256_ps for one positive float32 `x` (the AVX2 kernel's only inputs are u1 in (0, 1]). Splits x into a
 * mantissa in [sqrt(1/2), sqrt(2)) and an exponent, then a degree-8 polynomial in the mantissa minus one.
 */
export function log256(x: number): number {
  x = Math.max(x, MIN_NORMAL);
  const bits = float32Bits(x);
  let mantissa = float32FromBits((bits & 0x807fffff) | HALF_BITS); // in [0.5, 1)
  let exponent = f(((bits >>> 23) - 0x7f) + 1);
  const below = mantissa < SQRT_HALF;
  const addBack = below ? mantissa : 0;
  mantissa = f(mantissa - 1);
  if (below) exponent = f(exponent - 1);
  mantissa = f(mantissa + addBack);
  const square = f(mantissa * mantissa);
  let y = LOG_P[0];
  for (let k = 1; k < LOG_P.length; k++) y = fmaf(y, mantissa, LOG_P[k]);
  y = f(y * mantissa);
  y = fmaf(y, square, f(exponent * LOG_Q1));
  y = f(y - f(square * 0.5)); // square * 0.5 is exact, fused or not
  let result = f(mantissa + y);
  result = fmaf(exponent, LOG_Q2, result);
  return result;
}

const FOUR_OVER_PI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.77489497744594108e-8);
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);

/**
 * sincos256_ps for one float32 `x`: writes sin(x) to out[0] and cos(x) to out[1]. Reduces |x| by multiples
 * of pi/4 (j even, Cody-Waite with the three-part pi/4 of Cephes), evaluates both polynomials on the reduced
 * argument and picks or swaps them by the octant; precise for |x| < 8192 as Cephes notes.
 */
export function sincos256(x: number, out: Float64Array | number[]): void {
  const negative = float32Bits(x) >>> 31 === 1;
  let reduced = Math.abs(x);
  let octant = Math.trunc(f(reduced * FOUR_OVER_PI)) | 0;
  octant = (octant + 1) & ~1;
  const y = octant;
  reduced = fmaf(y, MINUS_DP1, reduced);
  reduced = fmaf(y, MINUS_DP2, reduced);
  reduced = fmaf(y, MINUS_DP3, reduced);
  const sinNegative = negative !== ((octant & 4) !== 0);
  const cosNegative = ((octant - 2) & 4) === 0;
  const useSinPolynomialForSin = (octant & 2) === 0;

  const square = f(reduced * reduced);
  let cosine = fmaf(COS_P0, square, COS_P1);
  cosine = fmaf(cosine, square, COS_P2);
  cosine = f(cosine * square);
  cosine = fmaf(cosine, square, -f(square * 0.5));
  cosine = f(cosine + 1);

  let sine = fmaf(SIN_P0, square, SIN_P1);
  sine = fmaf(sine, square, SIN_P2);
  sine = f(sine * square);
  sine = fmaf(sine, reduced, reduced);

  // The kernel blends with masks and subtractions; with one polynomial zeroed by the mask, each result is the
  // other polynomial exactly.
  const sinValue = useSinPolynomialForSin ? sine : cosine;
  const cosValue = useSinPolynomialForSin ? cosine : sine;
  out[0] = sinNegative ? -sinValue : sinValue;
  out[1] = cosNegative ? -cosValue : cosValue;
}
