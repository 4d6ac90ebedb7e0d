// Single-precision elementary functions shared by the samplers, each in a scalar and a v128 form that perform
// the same IEEE operations in the same order. src/reference.ts repeats them step for step with Math.fround, so
// every backend produces the same bits. Wasm has no fused multiply-add outside relaxed SIMD, so nothing fuses.
// The constants are stored as bit patterns; scripts/derive-constants.mjs shows where each one comes from.

/** One Horner step on four lanes: coefficient + p * w, rounded after the product and after the sum. */
// @ts-ignore: decorator
@inline function hornerStep(coefficient: f32, p: v128, w: v128): v128 {
  return f32x4.add(f32x4.splat(coefficient), f32x4.mul(p, w));
}

// ---- natural logarithm -------------------------------------------------------------------------------------
// x = 2^k * m with m in [sqrt(1/2), sqrt(2)); f = m - 1 (exact); s = f / (2 + f), so that
// log(m) = log((1 + s) / (1 - s)) = 2s + (2/3)s^3 + (2/5)s^5 + ... = f - f^2/2 + s (f^2/2 + R(s^2)),
// with R(z) = (2/3)z + (2/5)z^2 + (2/7)z^3 + (2/9)z^4 (Taylor; |s| <= 0.1716 leaves a 2e-9 relative remainder).
// ln 2 is split so that k * LN2_HI is exact for every exponent k.
// Measured over every input of the Box-Muller grid (n * 2^-24): at most 0.86 ulp from double-precision log.
// Precondition: x is positive and normal (no zero, subnormal, infinity or NaN reaches it).
export const SQRT_HALF_BITS: u32 = 0x3f3504f3; // f32 nearest sqrt(1/2)
export const LN2_HI: f32 = reinterpret<f32>(0x3f317200); // ln 2 rounded to 16 significant bits
export const LN2_LO: f32 = reinterpret<f32>(0x35bfbe8e); // ln 2 - LN2_HI
export const LOG_C1: f32 = reinterpret<f32>(0x3f2aaaab); // 2/3
export const LOG_C2: f32 = reinterpret<f32>(0x3ecccccd); // 2/5
export const LOG_C3: f32 = reinterpret<f32>(0x3e924925); // 2/7
export const LOG_C4: f32 = reinterpret<f32>(0x3e638e39); // 2/9

export function logf(x: f32): f32 {
  const shifted = reinterpret<u32>(x) + (0x3f800000 - SQRT_HALF_BITS);
  const k = <i32>(shifted >>> 23) - 127;
  const m = reinterpret<f32>((shifted & 0x007fffff) + SQRT_HALF_BITS);
  const f = m - <f32>1;
  const s = f / (<f32>2 + f);
  const z = s * s;
  const r = z * (LOG_C1 + z * (LOG_C2 + z * (LOG_C3 + z * LOG_C4)));
  const halfSquare = (<f32>0.5 * f) * f;
  const dk = <f32>k;
  const low = s * (halfSquare + r) + dk * LN2_LO;
  return (f - (halfSquare - low)) + dk * LN2_HI;
}

// @ts-ignore: decorator
@inline export function logf4(x: v128): v128 {
  const shifted = i32x4.add(x, i32x4.splat(0x3f800000 - SQRT_HALF_BITS));
  const k = i32x4.sub(i32x4.shr_u(shifted, 23), i32x4.splat(127));
  const m = i32x4.add(v128.and(shifted, i32x4.splat(0x007fffff)), i32x4.splat(SQRT_HALF_BITS));
  const f = f32x4.sub(m, f32x4.splat(1));
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2), f));
  const z = f32x4.mul(s, s);
  let p = f32x4.splat(LOG_C4);
  p = hornerStep(LOG_C3, p, z);
  p = hornerStep(LOG_C2, p, z);
  p = hornerStep(LOG_C1, p, z);
  const r = f32x4.mul(z, p);
  const halfSquare = f32x4.mul(f32x4.mul(f32x4.splat(0.5), f), f);
  const dk = f32x4.convert_i32x4_s(k);
  const low = f32x4.add(f32x4.mul(s, f32x4.add(halfSquare, r)), f32x4.mul(dk, f32x4.splat(LN2_LO)));
  return f32x4.add(f32x4.sub(f, f32x4.sub(halfSquare, low)), f32x4.mul(dk, f32x4.splat(LN2_HI)));
}

// ---- sine and cosine of a quarter turn ---------------------------------------------------------------------
// For r in [-1/2, 1/2]: sin(pi r / 2) = r * S(r^2) and cos(pi r / 2) = 1 + r^2 * C(r^2), the Taylor series of
// sin and cos at (pi/2) r, truncated after r^9 and r^10 (remainders below 3e-9 relative). Callers reduce a turn
// fraction u exactly: 4u = n + r with integer n, then pick and negate these by n mod 4. Measured over every
// u = i * 2^-24: sin(2 pi u) and cos(2 pi u) are within 1.72 ulp of double-precision Math.sin / Math.cos.
export const SIN_C1: f32 = reinterpret<f32>(0x3fc90fdb); //  (pi/2)
export const SIN_C3: f32 = reinterpret<f32>(0xbf255de7); // -(pi/2)^3 / 3!
export const SIN_C5: f32 = reinterpret<f32>(0x3da335e3); //  (pi/2)^5 / 5!
export const SIN_C7: f32 = reinterpret<f32>(0xbb996966); // -(pi/2)^7 / 7!
export const SIN_C9: f32 = reinterpret<f32>(0x39283c1a); //  (pi/2)^9 / 9!
export const COS_C2: f32 = reinterpret<f32>(0xbf9de9e6); // -(pi/2)^2 / 2!
export const COS_C4: f32 = reinterpret<f32>(0x3e81e0f8); //  (pi/2)^4 / 4!
export const COS_C6: f32 = reinterpret<f32>(0xbcaae9e4); // -(pi/2)^6 / 6!
export const COS_C8: f32 = reinterpret<f32>(0x3a70fa83); //  (pi/2)^8 / 8!
export const COS_C10: f32 = reinterpret<f32>(0xb7d368f9); // -(pi/2)^10 / 10!

// @ts-ignore: decorator
@inline export function quarterSin(r: f32, z: f32): f32 {
  return r * (SIN_C1 + z * (SIN_C3 + z * (SIN_C5 + z * (SIN_C7 + z * SIN_C9))));
}

// @ts-ignore: decorator
@inline export function quarterCos(z: f32): f32 {
  return <f32>1 + z * (COS_C2 + z * (COS_C4 + z * (COS_C6 + z * (COS_C8 + z * COS_C10))));
}

// @ts-ignore: decorator
@inline export function quarterSin4(r: v128, z: v128): v128 {
  let p = f32x4.splat(SIN_C9);
  p = hornerStep(SIN_C7, p, z);
  p = hornerStep(SIN_C5, p, z);
  p = hornerStep(SIN_C3, p, z);
  p = hornerStep(SIN_C1, p, z);
  return f32x4.mul(r, p);
}

// @ts-ignore: decorator
@inline export function quarterCos4(z: v128): v128 {
  let p = f32x4.splat(COS_C10);
  p = hornerStep(COS_C8, p, z);
  p = hornerStep(COS_C6, p, z);
  p = hornerStep(COS_C4, p, z);
  p = hornerStep(COS_C2, p, z);
  return hornerStep(1, p, z);
}

// ---- inverse error function --------------------------------------------------------------------------------
// M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition (2011), single-precision
// version: w = -log((1 - x)(1 + x)); a degree-8 polynomial in w - 2.5 when w < 5 (|x| < 0.9966), otherwise in
// sqrt(w) - 3; erfinv(x) = p * x. Coefficients are Giles' published values. The v128 form selects per lane
// between the two polynomials, which gives the same bits as the scalar branch. Domain: |x| < 1.
export const ERFINV_CENTRAL_8: f32 = reinterpret<f32>(0x32f16588); // 2.81022636e-08
export const ERFINV_CENTRAL_7: f32 = reinterpret<f32>(0x34b84b36); // 3.43273939e-07
export const ERFINV_CENTRAL_6: f32 = reinterpret<f32>(0xb66c7357); // -3.5233877e-06
export const ERFINV_CENTRAL_5: f32 = reinterpret<f32>(0xb6935ac1); // -4.39150654e-06
export const ERFINV_CENTRAL_4: f32 = reinterpret<f32>(0x396532db); // 0.00021858087
export const ERFINV_CENTRAL_3: f32 = reinterpret<f32>(0xbaa45408); // -0.00125372503
export const ERFINV_CENTRAL_2: f32 = reinterpret<f32>(0xbb88e4ef); // -0.00417768164
export const ERFINV_CENTRAL_1: f32 = reinterpret<f32>(0x3e7c8f63); // 0.246640727
export const ERFINV_CENTRAL_0: f32 = reinterpret<f32>(0x3fc02e2f); // 1.50140941
export const ERFINV_TAIL_8: f32 = reinterpret<f32>(0xb951f09b); // -0.000200214257
export const ERFINV_TAIL_7: f32 = reinterpret<f32>(0x38d3b56b); // 0.000100950558
export const ERFINV_TAIL_6: f32 = reinterpret<f32>(0x3ab0dc72); // 0.00134934322
export const ERFINV_TAIL_5: f32 = reinterpret<f32>(0xbb70bde7); // -0.00367342844
export const ERFINV_TAIL_4: f32 = reinterpret<f32>(0x3bbc127b); // 0.00573950773
export const ERFINV_TAIL_3: f32 = reinterpret<f32>(0xbbf9c5d7); // -0.0076224613
export const ERFINV_TAIL_2: f32 = reinterpret<f32>(0x3c1aa57e); // 0.00943887047
export const ERFINV_TAIL_1: f32 = reinterpret<f32>(0x3f8036db); // 1.00167406
export const ERFINV_TAIL_0: f32 = reinterpret<f32>(0x40354f7e); // 2.83297682

export function erfinvf(x: f32): f32 {
  let w = -logf((<f32>1 - x) * (<f32>1 + x));
  let p: f32;
  if (w < <f32>5) {
    w = w - <f32>2.5;
    p = ERFINV_CENTRAL_8;
    p = ERFINV_CENTRAL_7 + p * w;
    p = ERFINV_CENTRAL_6 + p * w;
    p = ERFINV_CENTRAL_5 + p * w;
    p = ERFINV_CENTRAL_4 + p * w;
    p = ERFINV_CENTRAL_3 + p * w;
    p = ERFINV_CENTRAL_2 + p * w;
    p = ERFINV_CENTRAL_1 + p * w;
    p = ERFINV_CENTRAL_0 + p * w;
  } else {
    w = sqrt<f32>(w) - <f32>3;
    p = ERFINV_TAIL_8;
    p = ERFINV_TAIL_7 + p * w;
    p = ERFINV_TAIL_6 + p * w;
    p = ERFINV_TAIL_5 + p * w;
    p = ERFINV_TAIL_4 + p * w;
    p = ERFINV_TAIL_3 + p * w;
    p = ERFINV_TAIL_2 + p * w;
    p = ERFINV_TAIL_1 + p * w;
    p = ERFINV_TAIL_0 + p * w;
  }
  return p * x;
}

// @ts-ignore: decorator
@inline export function erfinvf4(x: v128): v128 {
  const one = f32x4.splat(1);
  const w = f32x4.neg(logf4(f32x4.mul(f32x4.sub(one, x), f32x4.add(one, x))));
  const central = v128.lt<f32>(w, f32x4.splat(5));
  const wc = f32x4.sub(w, f32x4.splat(2.5));
  let p = f32x4.splat(ERFINV_CENTRAL_8);
  p = hornerStep(ERFINV_CENTRAL_7, p, wc);
  p = hornerStep(ERFINV_CENTRAL_6, p, wc);
  p = hornerStep(ERFINV_CENTRAL_5, p, wc);
  p = hornerStep(ERFINV_CENTRAL_4, p, wc);
  p = hornerStep(ERFINV_CENTRAL_3, p, wc);
  p = hornerStep(ERFINV_CENTRAL_2, p, wc);
  p = hornerStep(ERFINV_CENTRAL_1, p, wc);
  p = hornerStep(ERFINV_CENTRAL_0, p, wc);
  // The tail polynomial only matters beyond 2.9 standard deviations; skip it when no lane is there.
  if (!v128.all_true<i32>(central)) {
    const wt = f32x4.sub(f32x4.sqrt(w), f32x4.splat(3));
    let pt = f32x4.splat(ERFINV_TAIL_8);
    pt = hornerStep(ERFINV_TAIL_7, pt, wt);
    pt = hornerStep(ERFINV_TAIL_6, pt, wt);
    pt = hornerStep(ERFINV_TAIL_5, pt, wt);
    pt = hornerStep(ERFINV_TAIL_4, pt, wt);
    pt = hornerStep(ERFINV_TAIL_3, pt, wt);
    pt = hornerStep(ERFINV_TAIL_2, pt, wt);
    pt = hornerStep(ERFINV_TAIL_1, pt, wt);
    pt = hornerStep(ERFINV_TAIL_0, pt, wt);
    p = v128.bitselect(p, pt, central);
  }
  return f32x4.mul(p, x);
}
