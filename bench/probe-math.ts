// Accuracy of the probe's float32 functions (src/core/probe-math.ts, the same bits as assembly/activations.ts)
// against double precision, in float32 ulps of the exact value: over every `stride`-th float32 bit pattern of
// each function's domain (both signs), and, with `exhaustive`, over every float32 of [1/2, 2) of each sign (the
// arguments that reach the polynomials unreduced). The figures in assembly/activations.ts come from
//
//   node --import tsx bench/probe-math.ts            (stride 497 and the exhaustive binades: a few minutes)
//
// tests/probe-math.test.ts runs a coarser sweep of the same functions against those figures.

import { expf, expm1f, tanhf, sigmoidf, normalCdf, activationf } from '../src/core/probe-math.js';
import { erfcx } from '../src/core/distributions.js';
import { ACTIVATION_CODES as A } from '../src/core/probe-kernels.js';

/** erfc in double precision: erfcx(z) e^(-z^2) for z >= 0 (src/core/distributions.ts, 1e-14 relative). */
const erfc = (z: number) => (z >= 0 ? erfcx(z) * Math.exp(-z * z) : 2 - erfcx(-z) * Math.exp(-z * z));
export const normalCdfReference = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const LAMBDA = 1.0507009873554804934193349852946, ALPHA = 1.6732632423543772848170429916717;

export interface MathCase {
  readonly name: string;
  readonly f: (x: number) => number;
  /** The exact function, in double precision. */
  readonly exact: (x: number) => number;
  /** The inputs measured: [low, high]. Below `low` the exact value is subnormal or zero in float32. */
  readonly low: number;
  readonly high: number;
}

export const MATH_CASES: readonly MathCase[] = [
  { name: 'expf', f: expf, exact: Math.exp, low: -87, high: 89 },
  { name: 'expm1f', f: expm1f, exact: Math.expm1, low: -Infinity, high: 89 },
  { name: 'tanhf', f: tanhf, exact: Math.tanh, low: -Infinity, high: Infinity },
  { name: 'sigmoidf', f: sigmoidf, exact: (x) => 1 / (1 + Math.exp(-x)), low: -87, high: Infinity },
  { name: 'normalCdf', f: normalCdf, exact: normalCdfReference, low: -13, high: Infinity },
  { name: 'elu', f: (x) => activationf(A.elu, 0, x), exact: (x) => (x > 0 ? x : Math.expm1(x)), low: -Infinity, high: Infinity },
  { name: 'selu', f: (x) => activationf(A.selu, 0, x), exact: (x) => (x > 0 ? LAMBDA * x : LAMBDA * ALPHA * Math.expm1(x)), low: -Infinity, high: 1e38 },
  { name: 'gelu', f: (x) => activationf(A.gelu, 0, x), exact: (x) => x * normalCdfReference(x), low: -13, high: Infinity },
  { name: 'silu', f: (x) => activationf(A.silu, 0, x), exact: (x) => x / (1 + Math.exp(-x)), low: -87, high: Infinity },
  { name: 'mish', f: (x) => activationf(A.mish, 0, x), exact: (x) => x * Math.tanh(Math.log1p(Math.exp(x))), low: -87, high: 1e38 },
  { name: 'softsign', f: (x) => activationf(A.softsign, 0, x), exact: (x) => x / (1 + Math.abs(x)), low: -1e38, high: 1e38 },
];

const bits32 = new Float32Array(1);
const word32 = new Uint32Array(bits32.buffer);

/** The ulp of a float32 in the binade of the exact value x. */
export function ulpOf(x: number): number {
  const a = Math.abs(x);
  return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

export interface Accuracy {
  readonly name: string;
  readonly ulp: number;
  readonly at: number;
  readonly inputs: number;
  /** Inputs where the exact value rounds outside float32's range and the function did not return that infinity. */
  readonly overflowMismatches: number;
}

export function measure(c: MathCase, stride: number, exhaustive: boolean): Accuracy {
  let ulp = 0, at = NaN, inputs = 0, overflowMismatches = 0;
  const visit = (x: number) => {
    if (!(x >= c.low && x <= c.high)) return;
    inputs++;
    const exact = c.exact(x);
    const got = c.f(x);
    if (!Number.isFinite(Math.fround(exact))) {
      if (got !== Math.fround(exact)) overflowMismatches++;
      return;
    }
    const error = Math.abs(got - exact) / ulpOf(exact);
    if (error > ulp) {
      ulp = error;
      at = x;
    }
  };
  const both = (bits: number) => {
    for (const sign of [0, 0x80000000]) {
      word32[0] = (bits | sign) >>> 0;
      visit(bits32[0]);
    }
  };
  for (let bits = 0; bits < 0x7f800000; bits += stride) both(bits);
  if (exhaustive) for (let bits = 0x3f000000; bits < 0x40000000; bits++) both(bits);
  return { name: c.name, ulp, at, inputs, overflowMismatches };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stride = Number(process.argv[2] ?? 497);
  console.log(`float32 ulps against double precision: every ${stride}th float32 of each domain and every float32 of ±[1/2, 2)`);
  for (const c of MATH_CASES) {
    const started = performance.now();
    const r = measure(c, stride, true);
    console.log(`  ${r.name.padEnd(10)} ${r.ulp.toFixed(2).padStart(6)} ulp at ${r.at} (${r.inputs} inputs${r.overflowMismatches ? `, ${r.overflowMismatches} overflow mismatches` : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}
