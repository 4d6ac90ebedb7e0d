// Single-precision exp, expm1, tanh, sigmoid and the normal distribution function, and the activations the probe
// (assembly/probe.ts) builds on them, each in a scalar and a v128 form that perform the same IEEE operations in
// the same order, so every lane of the v128 form equals the scalar result bit for bit. src/core/probe-math.ts
// repeats them step for step with Math.fround: the probe's values then depend on neither the backend nor the
// runtime (no engine's Math.exp is involved). Wasm has no fused multiply-add outside relaxed SIMD, so nothing
// fuses. As in assembly/f32math.ts, the v128 code broadcasts its constants from linear memory (NAME_AT).
//
// Accuracy, in float32 ulps of the exact value, measured by bench/probe-math.ts against double precision over
// every 497th float32 of each domain (both signs) and every float32 of [1/2, 2) of each sign, about 40 million
// inputs per function: expf 0.92, expm1f 1.37, tanhf 2.49, sigmoidf 2.31, normalCdf 7.69 (GELU 7.67: most of it
// is Numerical Recipes' fit, 1.2e-7 relative, and its alternating coefficients in float32), ELU 0.82, SELU 1.78,
// SiLU 3.13, Mish 3.87, softsign 1.48. tests/probe-math.test.ts checks a coarser sweep against these figures.

import { broadcast, hornerScalar, hornerStep, horner9x4, HALF, HALF_AT, LN2_HI, LN2_LO, ONE, ONE_AT, TWO, TWO_AT } from "./f32math";

// ---- exp and expm1 ---------------------------------------------------------------------------------------------
// x is clamped to [-104, 89] (e^-104 rounds to 0 in float32, e^89 overflows), then x = k ln 2 + r with
// k = round(x log2 e) and |r| <= ln 2 / 2 (Cody and Waite: ln 2 in two parts, k LN2_HI exact for |k| < 256).
// e^r - 1 = q(r) = r + r^2 P(r), P the Taylor series of (e^r - 1 - r) / r^2 to r^6 (remainder below 6e-10
// relative). k is rounded by adding and subtracting 1.5 * 2^23, which leaves it, as an integer, in the low
// mantissa bits. 2^k is applied as 2^(k >> 1) times 2^(k - (k >> 1)): both factors are normal for every k of the
// clamped range, the first product is exact, and the second rounds once, into the subnormals or to infinity.
export const LOG2E: f32 = reinterpret<f32>(0x3fb8aa3b);
const LOG2E_AT = memory.data<f32>([LOG2E]);
export const EXP_LOW: f32 = -104;
const EXP_LOW_AT = memory.data<f32>([EXP_LOW]);
export const EXP_HIGH: f32 = 89;
const EXP_HIGH_AT = memory.data<f32>([EXP_HIGH]);
export const SHIFTER: f32 = reinterpret<f32>(0x4b400000); // 1.5 * 2^23
const SHIFTER_AT = memory.data<f32>([SHIFTER]);
const SHIFTER_BITS: i32 = 0x4b400000;
const SHIFTER_BITS_AT = memory.data<i32>([SHIFTER_BITS]);
const LN2_HI_AT = memory.data<f32>([LN2_HI]);
const LN2_LO_AT = memory.data<f32>([LN2_LO]);
const EXPONENT_BIAS_AT = memory.data<i32>([127]);
const SMALL_K_AT = memory.data<i32>([24]);
// 1/2!, 1/3!, ..., 1/8!, rounded to float32.
export const EXP_C2: f32 = reinterpret<f32>(0x3f000000);
export const EXP_C3: f32 = reinterpret<f32>(0x3e2aaaab);
export const EXP_C4: f32 = reinterpret<f32>(0x3d2aaaab);
export const EXP_C5: f32 = reinterpret<f32>(0x3c088889);
export const EXP_C6: f32 = reinterpret<f32>(0x3ab60b61);
export const EXP_C7: f32 = reinterpret<f32>(0x39500d01);
export const EXP_C8: f32 = reinterpret<f32>(0x37d00d01);
const EXP_C2_AT = memory.data<f32>([EXP_C2]);
const EXP_C3_AT = memory.data<f32>([EXP_C3]);
const EXP_C4_AT = memory.data<f32>([EXP_C4]);
const EXP_C5_AT = memory.data<f32>([EXP_C5]);
const EXP_C6_AT = memory.data<f32>([EXP_C6]);
const EXP_C7_AT = memory.data<f32>([EXP_C7]);
const EXP_C8_AT = memory.data<f32>([EXP_C8]);

/** k of the last expReduce (the scalar form has one result register besides its return value). */
let reducedK: i32 = 0;
let reducedK4: v128 = i32x4.splat(0);

/** q = e^r - 1 of the reduced argument of x; k in reducedK. */
// @ts-ignore: decorator
@inline function expReduce(x: f32): f32 {
  const clamped = min<f32>(max<f32>(x, EXP_LOW), EXP_HIGH);
  const shifted = clamped * LOG2E + SHIFTER;
  const kf = shifted - SHIFTER;
  reducedK = reinterpret<i32>(shifted) - SHIFTER_BITS;
  const r = (clamped - kf * LN2_HI) - kf * LN2_LO;
  const p = EXP_C2 + r * (EXP_C3 + r * (EXP_C4 + r * (EXP_C5 + r * (EXP_C6 + r * (EXP_C7 + r * EXP_C8)))));
  return r + (r * r) * p;
}

/** 2^(k >> 1) and 2^(k - (k >> 1)). */
// @ts-ignore: decorator
@inline function scaleLow(k: i32): f32 {
  return reinterpret<f32>(((k >> 1) + 127) << 23);
}
// @ts-ignore: decorator
@inline function scaleHigh(k: i32): f32 {
  return reinterpret<f32>((k - (k >> 1) + 127) << 23);
}

export function expf(x: f32): f32 {
  const q = expReduce(x);
  const k = reducedK;
  return ((ONE + q) * scaleLow(k)) * scaleHigh(k);
}

/**
 * e^x - 1, accurate near 0: q itself when k = 0; (2^k - 1) + 2^k q for k <= 24, where 2^k - 1 is exact and only
 * the sum rounds; 2^k (1 + q) - 1 beyond, where the 1 no longer matters.
 */
export function expm1f(x: f32): f32 {
  const q = expReduce(x);
  const k = reducedK;
  if (k == 0) return q;
  const low = scaleLow(k), high = scaleHigh(k);
  if (k <= 24) {
    const e = low * high;
    return (e - ONE) + e * q;
  }
  return ((ONE + q) * low) * high - ONE;
}

// @ts-ignore: decorator
@inline function expReduce4(x: v128): v128 {
  const clamped = f32x4.min(f32x4.max(x, broadcast(EXP_LOW_AT)), broadcast(EXP_HIGH_AT));
  const shifted = f32x4.add(f32x4.mul(clamped, broadcast(LOG2E_AT)), broadcast(SHIFTER_AT));
  const kf = f32x4.sub(shifted, broadcast(SHIFTER_AT));
  reducedK4 = i32x4.sub(shifted, broadcast(SHIFTER_BITS_AT));
  const r = f32x4.sub(f32x4.sub(clamped, f32x4.mul(kf, broadcast(LN2_HI_AT))), f32x4.mul(kf, broadcast(LN2_LO_AT)));
  let p = broadcast(EXP_C8_AT);
  p = hornerStep(EXP_C7_AT, p, r);
  p = hornerStep(EXP_C6_AT, p, r);
  p = hornerStep(EXP_C5_AT, p, r);
  p = hornerStep(EXP_C4_AT, p, r);
  p = hornerStep(EXP_C3_AT, p, r);
  p = hornerStep(EXP_C2_AT, p, r);
  return f32x4.add(r, f32x4.mul(f32x4.mul(r, r), p));
}

// @ts-ignore: decorator
@inline function scaleLow4(k: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.shr_s(k, 1), broadcast(EXPONENT_BIAS_AT)), 23);
}
// @ts-ignore: decorator
@inline function scaleHigh4(k: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.sub(k, i32x4.shr_s(k, 1)), broadcast(EXPONENT_BIAS_AT)), 23);
}

// @ts-ignore: decorator
@inline export function expf4(x: v128): v128 {
  const q = expReduce4(x);
  const k = reducedK4;
  return f32x4.mul(f32x4.mul(f32x4.add(broadcast(ONE_AT), q), scaleLow4(k)), scaleHigh4(k));
}

// @ts-ignore: decorator
@inline export function expm1f4(x: v128): v128 {
  const q = expReduce4(x);
  const k = reducedK4;
  const one = broadcast(ONE_AT);
  const low = scaleLow4(k), high = scaleHigh4(k);
  const e = f32x4.mul(low, high);
  const small = f32x4.add(f32x4.sub(e, one), f32x4.mul(e, q));
  const large = f32x4.sub(f32x4.mul(f32x4.mul(f32x4.add(one, q), low), high), one);
  const result = v128.bitselect(small, large, i32x4.le_s(k, broadcast(SMALL_K_AT)));
  return v128.bitselect(q, result, i32x4.eq(k, i32x4.splat(0)));
}

// ---- tanh and sigmoid ------------------------------------------------------------------------------------------
// tanh |x| = -e / (2 + e) with e = expm1(-2 |x|) in [-1, 0]: no overflow, and relative accuracy near 0; the sign
// of x is copied on. sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below, e = exp(-|x|): both accurate
// relative to the result, and e never overflows.
const SIGN_MASK_AT = memory.data<u32>([0x80000000]);

export function tanhf(x: f32): f32 {
  const a = abs<f32>(x);
  const e = expm1f(-(a + a));
  return copysign<f32>(-e / (TWO + e), x);
}

export function sigmoidf(x: f32): f32 {
  const e = expf(-abs<f32>(x));
  const d = ONE + e;
  return x >= 0 ? ONE / d : e / d;
}

// @ts-ignore: decorator
@inline export function tanhf4(x: v128): v128 {
  const a = f32x4.abs(x);
  const e = expm1f4(f32x4.neg(f32x4.add(a, a)));
  const t = f32x4.div(f32x4.neg(e), f32x4.add(broadcast(TWO_AT), e));
  // copysign: the magnitude of t, the sign bit of x.
  return v128.bitselect(x, t, broadcast(SIGN_MASK_AT));
}

// @ts-ignore: decorator
@inline export function sigmoidf4(x: v128): v128 {
  const e = expf4(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(broadcast(ONE_AT), e);
  return v128.bitselect(f32x4.div(broadcast(ONE_AT), d), f32x4.div(e, d), f32x4.ge(x, f32x4.splat(0)));
}

// ---- the normal distribution function (GELU) -------------------------------------------------------------------
// Phi(-u) = erfc(u / sqrt 2) / 2 for u = |x| >= 0 by the Chebyshev fit of Press et al., Numerical Recipes (2nd
// ed., section 6.2, erfcc; fractional error below 1.2e-7): erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z / 2).
// z^2 / 2 = u^2 / 2 is split exactly, u = uHigh + uLow with uHigh the top 12 bits of u: u^2 / 2 =
// uHigh^2 / 2 (exact) + uLow (u + uHigh) / 2, and exp of each part is taken apart, so the rounding of u^2 does not
// become a relative error of u^2 ulp in the tail. u is clamped to 16, where Phi(-u) is below the float32
// range. Phi(x) = 1 - Phi(-u) for x >= 0.
export const INV_SQRT8: f32 = reinterpret<f32>(0x3eb504f3); // 1 / (2 sqrt 2): z / 2 = u / (2 sqrt 2)
const INV_SQRT8_AT = memory.data<f32>([INV_SQRT8]);
export const INV_SQRT_2PI: f32 = reinterpret<f32>(0x3ecc422a); // 1 / sqrt(2 pi)
const INV_SQRT_2PI_AT = memory.data<f32>([INV_SQRT_2PI]);
export const CDF_CLAMP: f32 = 16;
const CDF_CLAMP_AT = memory.data<f32>([CDF_CLAMP]);
const HIGH_BITS_AT = memory.data<u32>([0xfffff000]);
// Numerical Recipes' coefficients, rounded to float32, highest degree first.
const ERFC_P = memory.data<u32>([
  0x3e2ef945, 0xbf527892, 0x3fbe87b0, 0xbf914e5d, 0x3e8ec7cc,
  0xbe3ec24c, 0x3dc636c9, 0x3ebf88fb, 0x3f8000c7, 0xbfa1fc4e,
]);

/** exp(-x^2 / 2) of the same split, left by normalCdfWith(x, true) / normalCdf4With(x, true) for the derivative. */
let lastGaussian: f32 = 0;
let lastGaussian4: v128 = f32x4.splat(0);

/**
 * Phi(x); with `gaussian` (a compile-time constant at every call) also exp(-x^2 / 2) in lastGaussian. Only the
 * derivative needs that exponential, so the forward forms do not compute it.
 */
// @ts-ignore: decorator
@inline function normalCdfWith(x: f32, gaussian: bool): f32 {
  const u = min<f32>(abs<f32>(x), CDF_CLAMP);
  const t = ONE / (ONE + u * INV_SQRT8);
  const p = hornerScalar(ERFC_P, 9, t);
  const high = reinterpret<f32>(reinterpret<u32>(u) & 0xfffff000);
  const low = u - high;
  const headExp = expf(-((high * high) * HALF));
  const tail = (low * (u + high)) * HALF;
  if (gaussian) lastGaussian = expf(-tail) * headExp;
  const lower = ((HALF * t) * expf(p - tail)) * headExp;
  return x >= 0 ? ONE - lower : lower;
}

export function normalCdf(x: f32): f32 {
  return normalCdfWith(x, false);
}

// @ts-ignore: decorator
@inline function normalCdf4With(x: v128, gaussian: bool): v128 {
  const u = f32x4.min(f32x4.abs(x), broadcast(CDF_CLAMP_AT));
  const one = broadcast(ONE_AT), half = broadcast(HALF_AT);
  const t = f32x4.div(one, f32x4.add(one, f32x4.mul(u, broadcast(INV_SQRT8_AT))));
  const p = horner9x4(ERFC_P, t);
  const high = v128.and(u, broadcast(HIGH_BITS_AT));
  const low = f32x4.sub(u, high);
  const headExp = expf4(f32x4.neg(f32x4.mul(f32x4.mul(high, high), half)));
  const tail = f32x4.mul(f32x4.mul(low, f32x4.add(u, high)), half);
  if (gaussian) lastGaussian4 = f32x4.mul(expf4(f32x4.neg(tail)), headExp);
  const lower = f32x4.mul(f32x4.mul(f32x4.mul(half, t), expf4(f32x4.sub(p, tail))), headExp);
  return v128.bitselect(f32x4.sub(one, lower), lower, f32x4.ge(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline export function normalCdf4(x: v128): v128 {
  return normalCdf4With(x, false);
}

// ---- the activations and their derivatives ---------------------------------------------------------------------
// Codes shared with src/core/probe-kernels.ts (ACTIVATION_CODES). The derivative takes x and y = f(x).

export const LINEAR: i32 = 0;
export const RELU: i32 = 1;
export const LEAKY_RELU: i32 = 2;
export const ELU: i32 = 3;
export const SELU: i32 = 4;
export const GELU: i32 = 5;
export const SILU: i32 = 6;
export const MISH: i32 = 7;
export const TANH: i32 = 8;
export const SIGMOID: i32 = 9;
export const SOFTSIGN: i32 = 10;
export const SOFTMAX: i32 = 11;

/** SELU's lambda and lambda * alpha (Klambauer et al. 2017, eq. 14; PyTorch's torch.nn.SELU), rounded to float32. */
export const SELU_LAMBDA: f32 = reinterpret<f32>(0x3f867d5f);
const SELU_LAMBDA_AT = memory.data<f32>([SELU_LAMBDA]);
export const SELU_LAMBDA_ALPHA: f32 = reinterpret<f32>(0x3fe10966);
const SELU_LAMBDA_ALPHA_AT = memory.data<f32>([SELU_LAMBDA_ALPHA]);
/** Mish's e^x is taken at min(x, 20): tanh(softplus(x)) rounds to 1 from x = 9 on, and e^40 stays finite. */
export const MISH_CLAMP: f32 = 20;
const MISH_CLAMP_AT = memory.data<f32>([MISH_CLAMP]);

/**
 * f(x) for the element-wise activations (not softmax). Mish uses tanh(log(1 + e^x)) = n / (n + 2) with
 * n = e^x (e^x + 2), which needs no logarithm; GELU is x Phi(x) (the exact form, with erf).
 */
export function activationf(code: i32, slope: f32, x: f32): f32 {
  switch (code) {
    case RELU: return x > 0 ? x : <f32>0 * x;
    case LEAKY_RELU: return x > 0 ? x : slope * x;
    case ELU: return x > 0 ? x : expm1f(x);
    case SELU: return x > 0 ? SELU_LAMBDA * x : SELU_LAMBDA_ALPHA * expm1f(x);
    case GELU: return x * normalCdf(x);
    case SILU: return x * sigmoidf(x);
    case MISH: {
      const e = expf(min<f32>(x, MISH_CLAMP));
      const n = e * (e + TWO);
      return x * (n / (n + TWO));
    }
    case TANH: return tanhf(x);
    case SIGMOID: return sigmoidf(x);
    case SOFTSIGN: return x / (ONE + abs<f32>(x));
    default: return x;
  }
}

/** f'(x), given x and y = f(x). */
export function derivativef(code: i32, slope: f32, x: f32, y: f32): f32 {
  switch (code) {
    case RELU: return x > 0 ? ONE : <f32>0;
    case LEAKY_RELU: return x > 0 ? ONE : slope;
    case ELU: return x > 0 ? ONE : y + ONE;
    case SELU: return x > 0 ? SELU_LAMBDA : y + SELU_LAMBDA_ALPHA;
    case GELU: {
      const cdf = normalCdfWith(x, true);
      return cdf + x * (INV_SQRT_2PI * lastGaussian);
    }
    case SILU: {
      const s = sigmoidf(x);
      return s * (ONE + x * (ONE - s));
    }
    case MISH: {
      const e = expf(min<f32>(x, MISH_CLAMP));
      const n = e * (e + TWO);
      const t = n / (n + TWO);
      return t + (x * (ONE - t * t)) * (e / (ONE + e));
    }
    case TANH: return ONE - y * y;
    case SIGMOID: return y * (ONE - y);
    case SOFTSIGN: {
      const d = ONE + abs<f32>(x);
      return ONE / (d * d);
    }
    default: return ONE;
  }
}

/** activationf on four lanes (code is the same for all; the caller picks it outside its loop). */
// @ts-ignore: decorator
@inline export function activationf4(code: i32, slope: v128, x: v128): v128 {
  const zero = f32x4.splat(0), positive = f32x4.gt(x, zero);
  switch (code) {
    case RELU: return v128.bitselect(x, f32x4.mul(zero, x), positive);
    case LEAKY_RELU: return v128.bitselect(x, f32x4.mul(slope, x), positive);
    case ELU: return v128.bitselect(x, expm1f4(x), positive);
    case SELU: return v128.bitselect(f32x4.mul(broadcast(SELU_LAMBDA_AT), x), f32x4.mul(broadcast(SELU_LAMBDA_ALPHA_AT), expm1f4(x)), positive);
    case GELU: return f32x4.mul(x, normalCdf4(x));
    case SILU: return f32x4.mul(x, sigmoidf4(x));
    case MISH: {
      const e = expf4(f32x4.min(x, broadcast(MISH_CLAMP_AT)));
      const two = broadcast(TWO_AT);
      const n = f32x4.mul(e, f32x4.add(e, two));
      return f32x4.mul(x, f32x4.div(n, f32x4.add(n, two)));
    }
    case TANH: return tanhf4(x);
    case SIGMOID: return sigmoidf4(x);
    case SOFTSIGN: return f32x4.div(x, f32x4.add(broadcast(ONE_AT), f32x4.abs(x)));
    default: return x;
  }
}

/** derivativef on four lanes. */
// @ts-ignore: decorator
@inline export function derivativef4(code: i32, slope: v128, x: v128, y: v128): v128 {
  const zero = f32x4.splat(0), one = broadcast(ONE_AT), positive = f32x4.gt(x, zero);
  switch (code) {
    case RELU: return v128.bitselect(one, zero, positive);
    case LEAKY_RELU: return v128.bitselect(one, slope, positive);
    case ELU: return v128.bitselect(one, f32x4.add(y, one), positive);
    case SELU: return v128.bitselect(broadcast(SELU_LAMBDA_AT), f32x4.add(y, broadcast(SELU_LAMBDA_ALPHA_AT)), positive);
    case GELU: {
      const cdf = normalCdf4With(x, true);
      return f32x4.add(cdf, f32x4.mul(x, f32x4.mul(broadcast(INV_SQRT_2PI_AT), lastGaussian4)));
    }
    case SILU: {
      const s = sigmoidf4(x);
      return f32x4.mul(s, f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s))));
    }
    case MISH: {
      const e = expf4(f32x4.min(x, broadcast(MISH_CLAMP_AT)));
      const two = broadcast(TWO_AT);
      const n = f32x4.mul(e, f32x4.add(e, two));
      const t = f32x4.div(n, f32x4.add(n, two));
      return f32x4.add(t, f32x4.mul(f32x4.mul(x, f32x4.sub(one, f32x4.mul(t, t))), f32x4.div(e, f32x4.add(one, e))));
    }
    case TANH: return f32x4.sub(one, f32x4.mul(y, y));
    case SIGMOID: return f32x4.mul(y, f32x4.sub(one, y));
    case SOFTSIGN: {
      const d = f32x4.add(one, f32x4.abs(x));
      return f32x4.div(one, f32x4.mul(d, d));
    }
    default: return one;
  }
}
