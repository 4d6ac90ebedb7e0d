// The probe's single-precision elementary functions and activations (assembly/activations.ts), step for step with
// Math.fround after every float32 operation: the js backend's probe kernels (src/diagnose/kernels.ts) compute
// with these, so both backends give the same bits, in every runtime (no engine's Math.exp, Math.tanh or Math.pow
// is involved; the arithmetic is IEEE addition, multiplication and division, exact in double precision and
// rounded once to float32, where double rounding is harmless). Constants are the wasm module's, bit for bit.
// Accuracy is measured in tests/probe-math.test.ts and listed in assembly/activations.ts.

import { ACTIVATION_CODES } from './probe-kernels.js';
import { bitsOfF32, f32FromBits as f32, horner, LN2_HI, LN2_LO } from './reference.js';

export { LN2_HI, LN2_LO };

const fround = Math.fround;

/** The float32 value of x with its low 12 mantissa bits cleared (x a float32). */
const top12 = (x: number) => f32(bitsOfF32(x) & 0xfffff000);

/** Whether the sign bit of x is set (-0 included). */
const signBit = (x: number) => x < 0 || Object.is(x, -0);

export const LOG2E = f32(0x3fb8aa3b);
export const EXP_LOW = -104;
export const EXP_HIGH = 89;
export const SHIFTER = 12582912;
/** 1/2!, ..., 1/8!, rounded to float32. */
const EXP_C2 = 0.5, EXP_C3 = f32(0x3e2aaaab), EXP_C4 = f32(0x3d2aaaab), EXP_C5 = f32(0x3c088889);
const EXP_C6 = f32(0x3ab60b61), EXP_C7 = f32(0x39500d01), EXP_C8 = f32(0x37d00d01);
export const INV_SQRT8 = f32(0x3eb504f3);
export const INV_SQRT_2PI = f32(0x3ecc422a);
export const CDF_CLAMP = 16;
export const SELU_LAMBDA = f32(0x3f867d5f);
export const SELU_LAMBDA_ALPHA = f32(0x3fe10966);
export const MISH_CLAMP = 20;
/** Numerical Recipes' erfc coefficients (assembly/activations.ts ERFC_P), highest degree first. */
const ERFC_P = [
  0x3e2ef945, 0xbf527892, 0x3fbe87b0, 0xbf914e5d, 0x3e8ec7cc,
  0xbe3ec24c, 0x3dc636c9, 0x3ebf88fb, 0x3f8000c7, 0xbfa1fc4e,
].map(f32);

/** 2^k for k in [-128, 127], exact (built by doubling and halving, not by Math.pow). */
const POWERS_OF_TWO = (() => {
  const table = new Float64Array(256);
  table[128] = 1;
  for (let k = 1; k < 128; k++) table[128 + k] = table[127 + k] * 2;
  for (let k = 1; k <= 128; k++) table[128 - k] = table[129 - k] / 2;
  return table;
})();

let reducedK = 0;

/** q = e^r - 1 of x's reduced argument, k in reducedK (assembly/activations.ts expReduce). */
function expReduce(x: number): number {
  const clamped = Math.min(Math.max(x, EXP_LOW), EXP_HIGH);
  const shifted = fround(fround(clamped * LOG2E) + SHIFTER);
  const kf = fround(shifted - SHIFTER);
  // NaN has no k: 0, whose scale factors are 1 (the wasm form's factors from NaN's bits multiply a NaN too).
  reducedK = kf | 0;
  const r = fround(fround(clamped - fround(kf * LN2_HI)) - fround(kf * LN2_LO));
  let p = fround(EXP_C7 + fround(r * EXP_C8));
  p = fround(EXP_C6 + fround(r * p));
  p = fround(EXP_C5 + fround(r * p));
  p = fround(EXP_C4 + fround(r * p));
  p = fround(EXP_C3 + fround(r * p));
  p = fround(EXP_C2 + fround(r * p));
  return fround(r + fround(fround(r * r) * p));
}

const scaleLow = (k: number) => POWERS_OF_TWO[128 + (k >> 1)];
const scaleHigh = (k: number) => POWERS_OF_TWO[128 + k - (k >> 1)];

export function expf(x: number): number {
  const q = expReduce(x);
  const k = reducedK;
  return fround(fround(fround(1 + q) * scaleLow(k)) * scaleHigh(k));
}

export function expm1f(x: number): number {
  const q = expReduce(x);
  const k = reducedK;
  if (k === 0) return q;
  const low = scaleLow(k), high = scaleHigh(k);
  if (k <= 24) {
    const e = fround(low * high);
    return fround(fround(e - 1) + fround(e * q));
  }
  return fround(fround(fround(fround(1 + q) * low) * high) - 1);
}

export function tanhf(x: number): number {
  const a = Math.abs(x);
  const e = expm1f(-fround(a + a));
  const t = Math.abs(fround(-e / fround(2 + e)));
  return signBit(x) ? -t : t;
}

export function sigmoidf(x: number): number {
  const e = expf(-Math.abs(x));
  const d = fround(1 + e);
  return x >= 0 ? fround(1 / d) : fround(e / d);
}

let lastGaussian = 0;

/**
 * Phi(x), the standard normal distribution function; with `gaussian`, also exp(-x^2 / 2) in lastGaussian, which
 * only the derivative needs (assembly/activations.ts normalCdfWith).
 */
function normalCdfWith(x: number, gaussian: boolean): number {
  const u = Math.min(Math.abs(x), CDF_CLAMP);
  const t = fround(1 / fround(1 + fround(u * INV_SQRT8)));
  const p = horner(ERFC_P, t);
  const high = top12(u);
  const low = fround(u - high);
  const headExp = expf(-fround(fround(high * high) * 0.5));
  const tail = fround(fround(low * fround(u + high)) * 0.5);
  if (gaussian) lastGaussian = fround(expf(-tail) * headExp);
  const lower = fround(fround(fround(0.5 * t) * expf(fround(p - tail))) * headExp);
  return x >= 0 ? fround(1 - lower) : lower;
}

/** Phi(x), the standard normal distribution function (assembly/activations.ts normalCdf). */
export function normalCdf(x: number): number {
  return normalCdfWith(x, false);
}

/** Activation codes (src/core/probe-kernels.ts). */
const {
  relu: RELU, leaky_relu: LEAKY_RELU, elu: ELU, selu: SELU, gelu: GELU, silu: SILU, mish: MISH, tanh: TANH,
  sigmoid: SIGMOID, softsign: SOFTSIGN,
} = ACTIVATION_CODES;

/** f(x) of an element-wise activation (assembly/activations.ts activationf); slope a float32. */
export function activationf(code: number, slope: number, x: number): number {
  switch (code) {
    case RELU: return x > 0 ? x : 0 * x;
    case LEAKY_RELU: return x > 0 ? x : fround(slope * x);
    case ELU: return x > 0 ? x : expm1f(x);
    case SELU: return x > 0 ? fround(SELU_LAMBDA * x) : fround(SELU_LAMBDA_ALPHA * expm1f(x));
    case GELU: return fround(x * normalCdf(x));
    case SILU: return fround(x * sigmoidf(x));
    case MISH: {
      const e = expf(Math.min(x, MISH_CLAMP));
      const n = fround(e * fround(e + 2));
      return fround(x * fround(n / fround(n + 2)));
    }
    case TANH: return tanhf(x);
    case SIGMOID: return sigmoidf(x);
    case SOFTSIGN: return fround(x / fround(1 + Math.abs(x)));
    default: return x;
  }
}

/** f'(x) given x and y = f(x) (assembly/activations.ts derivativef). */
export function derivativef(code: number, slope: number, x: number, y: number): number {
  switch (code) {
    case RELU: return x > 0 ? 1 : 0;
    case LEAKY_RELU: return x > 0 ? 1 : slope;
    case ELU: return x > 0 ? 1 : fround(y + 1);
    case SELU: return x > 0 ? SELU_LAMBDA : fround(y + SELU_LAMBDA_ALPHA);
    case GELU: {
      const cdf = normalCdfWith(x, true);
      return fround(cdf + fround(x * fround(INV_SQRT_2PI * lastGaussian)));
    }
    case SILU: {
      const s = sigmoidf(x);
      return fround(s * fround(1 + fround(x * fround(1 - s))));
    }
    case MISH: {
      const e = expf(Math.min(x, MISH_CLAMP));
      const n = fround(e * fround(e + 2));
      const t = fround(n / fround(n + 2));
      return fround(t + fround(fround(x * fround(1 - fround(t * t))) * fround(e / fround(1 + e))));
    }
    case TANH: return fround(1 - fround(y * y));
    case SIGMOID: return fround(y * fround(1 - y));
    case SOFTSIGN: {
      const d = fround(1 + Math.abs(x));
      return fround(1 / fround(d * d));
    }
    default: return 1;
  }
}
