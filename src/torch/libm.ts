// The C library functions PyTorch's CPU kernels and Python's math module call on the reference platform
// (Debian 12, glibc 2.36, x86-64 with FMA), evaluated the way glibc evaluates them so that the last bit agrees:
//
// - expf and logf: glibc's table-driven single-precision functions (Szabolcs Nagy, 2017; sysdeps/ieee754/flt-32
//   e_expf.c, e_logf.c and their data files), computed in double and rounded once. On processors with FMA and
//   AVX2, glibc selects builds of them compiled with FMA, where GCC fuses each product into the addition
//   that consumes it; the same fusions are written out here.
// - erff: the Sun fdlibm single-precision erf (Sun Microsystems 1993, float version by Ian Lance Taylor) in
//   glibc's flt-32/s_erff.c, all in float32 without fused operations, calling expf above.
// - erf: the double-precision fdlibm erf that Python's math.erf calls (dbl-64/s_erf.c). Its exp is Math.exp
//   here, so a result can differ from glibc's in the last bit in rare cases; its only use (trunc_normal_'s
//   bounds, rounded to float32 afterwards) makes that invisible except in about one case in 10^8.

import { fma } from './fma.js';
import { float32Bits, float32FromBits } from './float32-bits.js';

const f = Math.fround;

/** A C99 hexadecimal floating-point literal such as "-0x1.62e42fefa39efp-1", exactly. */
function hexFloat(literal: string): number {
  const match = /^(-?)0x([0-9a-f])\.?([0-9a-f]*)p([+-]?\d+)$/i.exec(literal);
  if (match === null) throw new Error(`bad hexadecimal float ${literal}`);
  const [, sign, lead, fraction, exponent] = match;
  const mantissa = parseInt(lead + fraction, 16); // at most 53 bits: exact
  const value = mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign === '-' ? -value : value;
}

// ---- expf ----------------------------------------------------------------------------------------------------

const EXP2F_TABLE_BITS = 5;
const EXP2F_N = 1 << EXP2F_TABLE_BITS;
// 2^(i/32) rounded to double for i = 0..31: glibc's __exp2f_data.tab[i] + (i << 47), as bit patterns.
const EXP2F_TABLE = new Float64Array([
  '3ff0000000000000', '3ff059b0d3158574', '3ff0b5586cf9890f', '3ff11301d0125b51',
  '3ff172b83c7d517b', '3ff1d4873168b9aa', '3ff2387a6e756238', '3ff29e9df51fdee1',
  '3ff306fe0a31b715', '3ff371a7373aa9cb', '3ff3dea64c123422', '3ff44e086061892d',
  '3ff4bfdad5362a27', '3ff5342b569d4f82', '3ff5ab07dd485429', '3ff6247eb03a5585',
  '3ff6a09e667f3bcd', '3ff71f75e8ec5f74', '3ff7a11473eb0187', '3ff82589994cce13',
  '3ff8ace5422aa0db', '3ff93737b0cdc5e5', '3ff9c49182a3f090', '3ffa5503b23e255d',
  '3ffae89f995ad3ad', '3ffb7f76f2fb5e47', '3ffc199bdd85529c', '3ffcb720dcef9069',
  '3ffd5818dcfba487', '3ffdfc97337b9b5f', '3ffea4afa2a490da', '3fff50765b6e4540',
].map((hex) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, parseInt(hex.slice(0, 8), 16));
  view.setUint32(4, parseInt(hex.slice(8), 16));
  return view.getFloat64(0);
}));
const EXP2F_SHIFT = hexFloat('0x1.8p+52');
const INV_LN2_N = hexFloat('0x1.71547652b82fep+0') * EXP2F_N;
const EXPF_C0 = hexFloat('0x1.c6af84b912394p-5') / EXP2F_N / EXP2F_N / EXP2F_N;
const EXPF_C1 = hexFloat('0x1.ebfce50fac4f3p-3') / EXP2F_N / EXP2F_N;
const EXPF_C2 = hexFloat('0x1.62e42ff0c52d6p-1') / EXP2F_N;
const POWER_OFFSET = 160;
const POWERS_OF_TWO = Float64Array.from({ length: 2 * POWER_OFFSET }, (_, index) => 2 ** (index - POWER_OFFSET));
const EXPF_OVERFLOW = hexFloat('0x1.62e42ep6'); // log(2^128)
const EXPF_UNDERFLOW = hexFloat('-0x1.9fe368p6'); // log(2^-150)

/** glibc's expf (FMA build) for a float32 `x`. */
export function expf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > EXPF_OVERFLOW) return Infinity;
  if (x < EXPF_UNDERFLOW) return 0;
  // x * 32 / ln 2 = k + r, k the nearest integer (by the 1.5 * 2^52 shift), r in [-1/2, 1/2]; the product
  // is fused into both of its uses.
  const shifted = fma(INV_LN2_N, x, EXP2F_SHIFT);
  const k = shifted - EXP2F_SHIFT;
  const r = fma(INV_LN2_N, x, -k);
  // 2^(k/32) = 2^(i/32) * 2^m with k = 32 m + i, 0 <= i < 32 (|k| < 2^13 here).
  const scale = EXP2F_TABLE[k & (EXP2F_N - 1)] * POWERS_OF_TWO[(k >> EXP2F_TABLE_BITS) + POWER_OFFSET];
  const z = fma(EXPF_C0, r, EXPF_C1);
  const r2 = r * r;
  let y = fma(EXPF_C2, r, 1);
  y = fma(z, r2, y);
  return f(y * scale);
}

// ---- logf ----------------------------------------------------------------------------------------------------

const LOGF_TABLE_BITS = 4;
const LOGF_N = 1 << LOGF_TABLE_BITS;
// glibc's __logf_data: for each of 16 subintervals of [0x3f330000, 2 * 0x3f330000), 1/c and log(c).
const LOGF_INVC = [
  '0x1.661ec79f8f3bep+0', '0x1.571ed4aaf883dp+0', '0x1.49539f0f010bp+0', '0x1.3c995b0b80385p+0',
  '0x1.30d190c8864a5p+0', '0x1.25e227b0b8eap+0', '0x1.1bb4a4a1a343fp+0', '0x1.12358f08ae5bap+0',
  '0x1.0953f419900a7p+0', '0x1p+0', '0x1.e608cfd9a47acp-1', '0x1.ca4b31f026aap-1',
  '0x1.b2036576afce6p-1', '0x1.9c2d163a1aa2dp-1', '0x1.886e6037841edp-1', '0x1.767dcf5534862p-1',
].map(hexFloat);
const LOGF_LOGC = [
  '-0x1.57bf7808caadep-2', '-0x1.2bef0a7c06ddbp-2', '-0x1.01eae7f513a67p-2', '-0x1.b31d8a68224e9p-3',
  '-0x1.6574f0ac07758p-3', '-0x1.1aa2bc79c81p-3', '-0x1.a4e76ce8c0e5ep-4', '-0x1.1973c5a611cccp-4',
  '-0x1.252f438e10c1ep-5', '0x0p+0', '0x1.aa5aa5df25984p-5', '0x1.c5e53aa362eb4p-4',
  '0x1.526e57720db08p-3', '0x1.bc2860d22477p-3', '0x1.1058bc8a07ee1p-2', '0x1.4043057b6ee09p-2',
].map(hexFloat);
const LOGF_LN2 = hexFloat('0x1.62e42fefa39efp-1');
const LOGF_A0 = hexFloat('-0x1.00ea348b88334p-2');
const LOGF_A1 = hexFloat('0x1.5575b0be00b6ap-2');
const LOGF_A2 = hexFloat('-0x1.ffffef20a4123p-2');
const LOGF_OFF = 0x3f330000;

/** glibc's logf (FMA build) for a float32 `x`. */
export function logf(x: number): number {
  let bits = float32Bits(x);
  if (bits === 0x3f800000) return 0;
  if (bits - 0x00800000 >>> 0 >= 0x7f800000 - 0x00800000) {
    if ((bits & 0x7fffffff) === 0) return -Infinity;
    if (bits === 0x7f800000) return x;
    if (bits >>> 31 === 1 || bits >= 0x7f800000) return NaN;
    bits = float32Bits(f(x * 2 ** 23)) - (23 << 23); // subnormal: normalize
  }
  // x = 2^k z with z in [OFF, 2 OFF), in subinterval i around c.
  const offset = (bits - LOGF_OFF) | 0;
  const i = (offset >>> (23 - LOGF_TABLE_BITS)) % LOGF_N;
  const k = offset >> 23;
  const z = float32FromBits((bits - (offset & (0x1ff << 23))) >>> 0);
  const r = fma(z, LOGF_INVC[i], -1);
  const y0 = fma(k, LOGF_LN2, LOGF_LOGC[i]);
  const r2 = r * r;
  let y = fma(LOGF_A1, r, LOGF_A2);
  y = fma(LOGF_A0, r2, y);
  y = fma(y, r2, y0 + r);
  return f(y);
}

// ---- erff (fdlibm, float) ------------------------------------------------------------------------------------

const ERX = f(8.4506291151e-01);
const EFX = f(1.2837916613e-01);
const PP = [1.2837916613e-01, -3.2504209876e-01, -2.8481749818e-02, -5.7702702470e-03, -2.3763017452e-05].map(f);
const QQ = [0, 3.9791721106e-01, 6.5022252500e-02, 5.0813062117e-03, 1.3249473704e-04, -3.9602282413e-06].map(f);
const PA = [
  -2.3621185683e-03, 4.1485610604e-01, -3.7220788002e-01, 3.1834661961e-01, -1.1089469492e-01,
  3.5478305072e-02, -2.1663755178e-03,
].map(f);
const QA = [0, 1.0642088205e-01, 5.4039794207e-01, 7.1828655899e-02, 1.2617121637e-01, 1.3637083583e-02, 1.1984500103e-02].map(f);
const RA = [
  -9.8649440333e-03, -6.9385856390e-01, -1.0558626175e+01, -6.2375331879e+01, -1.6239666748e+02,
  -1.8460508728e+02, -8.1287437439e+01, -9.8143291473e+00,
].map(f);
const SA = [
  0, 1.9651271820e+01, 1.3765776062e+02, 4.3456588745e+02, 6.4538726807e+02, 4.2900814819e+02,
  1.0863500214e+02, 6.5702495575e+00, -6.0424413532e-02,
].map(f);
const RB = [
  -9.8649431020e-03, -7.9928326607e-01, -1.7757955551e+01, -1.6063638306e+02, -6.3756646729e+02,
  -1.0250950928e+03, -4.8351919556e+02,
].map(f);
const SB = [
  0, 3.0338060379e+01, 3.2579251099e+02, 1.5367296143e+03, 3.1998581543e+03, 2.5530502930e+03,
  4.7452853394e+02, -2.2440952301e+01,
].map(f);

/** Horner's rule in float32, highest coefficient last: c[0] + s (c[1] + s (c[2] + ...)). */
function hornerFloat(coefficients: readonly number[], s: number, from = 0): number {
  let value = coefficients[coefficients.length - 1];
  for (let k = coefficients.length - 2; k >= from; k--) value = f(coefficients[k] + f(s * value));
  return value;
}

/** 1 + s (q[1] + s (q[2] + ...)) in float32. */
function hornerOneFloat(coefficients: readonly number[], s: number): number {
  return f(1 + f(s * hornerFloat(coefficients, s, 1)));
}

/** glibc's erff for a float32 `x`. */
export function erff(x: number): number {
  const bits = float32Bits(x);
  const negative = bits >>> 31 === 1;
  const magnitudeBits = bits & 0x7fffffff;
  if (magnitudeBits >= 0x7f800000) return Number.isNaN(x) ? x : negative ? -1 : 1;
  if (magnitudeBits < 0x3f580000) { // |x| < 0.84375
    if (magnitudeBits < 0x31800000) { // |x| < 2^-28
      if (magnitudeBits < 0x04000000) return f(0.0625 * f(f(16 * x) + f(f(16 * EFX) * x)));
      return f(x + f(EFX * x));
    }
    const z = f(x * x);
    const r = hornerFloat(PP, z);
    const s = hornerOneFloat(QQ, z);
    const y = f(r / s);
    return f(x + f(x * y));
  }
  if (magnitudeBits < 0x3fa00000) { // 0.84375 <= |x| < 1.25
    const s = f(Math.abs(x) - 1);
    const p = hornerFloat(PA, s);
    const q = hornerOneFloat(QA, s);
    return negative ? f(-ERX - f(p / q)) : f(ERX + f(p / q));
  }
  if (magnitudeBits >= 0x40c00000) return negative ? f(1e-30 - 1) : f(1 - 1e-30); // |x| >= 6
  const magnitude = Math.abs(x);
  const s = f(1 / f(magnitude * magnitude));
  let r: number, q: number;
  if (magnitudeBits < 0x4036db6e) { // |x| < 1 / 0.35
    r = hornerFloat(RA, s);
    q = hornerOneFloat(SA, s);
  } else {
    r = hornerFloat(RB, s);
    q = hornerOneFloat(SB, s);
  }
  // exp(-x^2 - 0.5625 + R/S) as exp(-z^2 - 0.5625) exp((z - x)(z + x) + R/S), z = x with 12 low bits cleared.
  const z = float32FromBits(float32Bits(magnitude) & 0xfffff000);
  const product = f(expf(f(f(-z * z) - 0.5625)) * expf(f(f(f(z - magnitude) * f(z + magnitude)) + f(r / q))));
  return negative ? f(f(product / magnitude) - 1) : f(1 - f(product / magnitude));
}

// ---- erf (fdlibm, double) ------------------------------------------------------------------------------------

const ERX_D = 8.45062911510467529297e-01;
const EFX_D = 1.28379167095512586316e-01;
const PP_D = [1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05];
const QQ_D = [0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06];
const PA_D = [-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03];
const QA_D = [0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02];
const RA_D = [-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01, -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02, -8.12874355063065934246e+01, -9.81432934416914548592e+00];
const SA_D = [0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02, 6.57024977031928170135e+00, -6.04244152148580987438e-02];
const RB_D = [-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01, -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03, -4.83519191608651397019e+02];
const SB_D = [0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03, 3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02, -2.24409524465858183362e+01];

/** Evaluates c[0] + s c[1] + s^2 c[2] + ... in glibc's order: pairs (c[2j] + s c[2j+1]) combined by powers of s^2. */
function pairedPolynomial(coefficients: readonly number[], s: number, first: number): number {
  const s2 = s * s, s4 = s2 * s2, s6 = s4 * s2, s8 = s4 * s4;
  const powers = [1, s2, s4, s6, s8];
  let sum = 0;
  for (let j = 0, k = 0; k < coefficients.length; j++, k += 2) {
    const term = k + 1 < coefficients.length ? (k === 0 ? first : coefficients[k]) + s * coefficients[k + 1] : coefficients[k];
    sum = j === 0 ? term : sum + powers[j] * term;
  }
  return sum;
}

const doubleScratch = new Float64Array(1);
const doubleWords = new Uint32Array(doubleScratch.buffer);
const DOUBLE_LOW = (() => {
  doubleScratch[0] = 1 + 2 ** -52;
  return doubleWords[0] === 1 ? 0 : 1;
})();

/** The double-precision erf of glibc (fdlibm), with Math.exp for its exponentials. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const magnitude = Math.abs(x);
  const negative = x < 0 || Object.is(x, -0);
  if (magnitude < 0.84375) {
    if (magnitude < 2 ** -28) return x + EFX_D * x;
    const z = x * x;
    const r = pairedPolynomial(PP_D, z, PP_D[0]);
    const s = pairedPolynomial(QQ_D, z, 1);
    return x + x * (r / s);
  }
  if (magnitude < 1.25) {
    const s = magnitude - 1;
    const p = pairedPolynomial(PA_D, s, PA_D[0]);
    const q = pairedPolynomial(QA_D, s, 1);
    return negative ? -ERX_D - p / q : ERX_D + p / q;
  }
  if (magnitude >= 6) return negative ? -1 : 1;
  const s = 1 / (magnitude * magnitude);
  const small = magnitude < 1 / 0.35;
  const r = small ? pairedPolynomial(RA_D, s, RA_D[0]) : pairedPolynomial(RB_D, s, RB_D[0]);
  const q = small ? pairedPolynomial(SA_D, s, 1) : pairedPolynomial(SB_D, s, 1);
  doubleScratch[0] = magnitude;
  doubleWords[DOUBLE_LOW] = 0;
  const z = doubleScratch[0];
  const product = Math.exp(-z * z - 0.5625) * Math.exp((z - magnitude) * (z + magnitude) + r / q);
  return negative ? product / magnitude - 1 : 1 - product / magnitude;
}
