// PyTorch's float32 inverse error function (calc_erfinv in aten/src/ATen/native/Math.h), which
// Tensor.erfinv_ applies element by element: a rational first guess (Gary L. Pavlis's translation of
// MATLAB's erfinv: one rational function on |y| <= 0.7 and one in sqrt(-log((1 - |y|) / 2)) beyond), then two
// Newton steps with the C library's erff and expf. PyTorch's AVX2 build fuses each Horner step into one
// multiply-add; the Newton steps divide and so stay unfused.

import { fmaf } from './fma.js';
import { erff, expf, logf } from './libm.js';

const f = Math.fround;

const A = [0.886226899, -1.645349621, 0.914624893, -0.140543331].map(f);
const B = [-2.118377725, 1.442710462, -0.329097515, 0.012229801].map(f);
const C = [-1.970840454, -1.624906493, 3.429567803, 1.641345311].map(f);
const D = [3.543889200, 1.637067800].map(f);
const CENTRAL_RANGE = f(0.7);
const TWO_OVER_SQRT_PI = f(2 / f(Math.sqrt(Math.PI)));

/** calc_erfinv<float>(y) as PyTorch 1.13's AVX2 CPU kernel computes it, for a float32 `y`. */
export function erfinvf(y: number): number {
  const magnitude = Math.abs(y);
  if (magnitude > 1 || Number.isNaN(y)) return NaN;
  if (magnitude === 1) return y > 0 ? Infinity : -Infinity;
  let x: number;
  if (magnitude <= CENTRAL_RANGE) {
    const z = f(y * y);
    const numerator = fmaf(fmaf(fmaf(A[3], z, A[2]), z, A[1]), z, A[0]);
    const denominator = fmaf(fmaf(fmaf(fmaf(B[3], z, B[2]), z, B[1]), z, B[0]), z, 1);
    x = f(f(y * numerator) / denominator);
  } else {
    const z = f(Math.sqrt(-logf(f(f(1 - magnitude) / 2))));
    const numerator = fmaf(fmaf(fmaf(C[3], z, C[2]), z, C[1]), z, C[0]);
    const denominator = fmaf(fmaf(D[1], z, D[0]), z, 1);
    x = f((y < 0 || Object.is(y, -0) ? -Math.abs(numerator) : Math.abs(numerator)) / denominator);
  }
  x = f(x - f(f(erff(x) - y) / f(TWO_OVER_SQRT_PI * expf(f(-x * x)))));
  x = f(x - f(f(erff(x) - y) / f(TWO_OVER_SQRT_PI * expf(f(-x * x)))));
  return x;
}
