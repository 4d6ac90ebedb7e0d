// Extreme singular values of a square matrix, in float64: the largest by Lanczos iteration on W^T W, the
// smallest by Lanczos on (W^T W)^-1 = W^-1 W^-T through an LU factorization with partial pivoting (Golub and
// Van Loan, Matrix Computations, 4th ed., sections 3.4 and 10.1). Both use full reorthogonalization, so the
// extreme Ritz value converges from inside the spectrum; iteration stops when it has changed by less than 1e-10
// of itself over three steps, or after `MAX_STEPS`. The cost is dominated by the factorization, 2n^3/3 flops.

import type { SingularValues } from './report.js';

const MAX_STEPS = 120;
const TOLERANCE = 1e-10;

/** Largest eigenvalue of the symmetric tridiagonal matrix (alpha on the diagonal, beta beside it), by bisection. */
function largestEigenvalue(alpha: readonly number[], beta: readonly number[]): number {
  const k = alpha.length;
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < k; i++) {
    const radius = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < k - 1 ? Math.abs(beta[i]) : 0);
    low = Math.min(low, alpha[i] - radius);
    high = Math.max(high, alpha[i] + radius);
  }
  // Sturm count: eigenvalues below x are the negative pivots of T - x I.
  const below = (x: number) => {
    let count = 0, d = 1;
    for (let i = 0; i < k; i++) {
      d = alpha[i] - x - (i > 0 ? (beta[i - 1] * beta[i - 1]) / d : 0);
      if (d === 0) d = -1e-300;
      if (d < 0) count++;
    }
    return count;
  };
  for (let iteration = 0; iteration < 200 && high - low > 1e-15 * Math.max(Math.abs(low), Math.abs(high)); iteration++) {
    const middle = 0.5 * (low + high);
    if (below(middle) < k) low = middle;
    else high = middle;
  }
  return high;
}

/** The largest eigenvalue of a symmetric positive semi-definite operator of dimension n, by Lanczos. */
function lanczosLargest(n: number, apply: (v: Float64Array, out: Float64Array) => void): number {
  const basis: Float64Array[] = [];
  let v = new Float64Array(n);
  // A fixed start with every component nonzero (a Weyl sequence), so the result is deterministic.
  for (let i = 0; i < n; i++) v[i] = ((i * 0.6180339887498949) % 1) + 0.5;
  let norm = 0;
  for (let i = 0; i < n; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < n; i++) v[i] /= norm;
  const alpha: number[] = [], beta: number[] = [];
  const w = new Float64Array(n);
  let last = 0, steady = 0;
  for (let step = 0; step < Math.min(n, MAX_STEPS); step++) {
    basis.push(v);
    apply(v, w);
    let a = 0;
    for (let i = 0; i < n; i++) a += w[i] * v[i];
    alpha.push(a);
    // Full reorthogonalization (twice, which is enough in floating point: Giraud et al. 2005).
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += w[i] * q[i];
        for (let i = 0; i < n; i++) w[i] -= dot * q[i];
      }
    }
    const estimate = largestEigenvalue(alpha, beta);
    steady = Math.abs(estimate - last) <= TOLERANCE * Math.abs(estimate) ? steady + 1 : 0;
    last = estimate;
    norm = 0;
    for (let i = 0; i < n; i++) norm += w[i] * w[i];
    norm = Math.sqrt(norm);
    if (steady >= 3 || norm <= 1e-13 * Math.max(Math.abs(estimate), 1e-300)) break;
    beta.push(norm);
    v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = w[i] / norm;
  }
  return last;
}

/** LU with partial pivoting in place (row-major n x n); undefined when a pivot is zero (W is singular). */
function factorize(a: Float64Array, n: number): Int32Array | undefined {
  const pivots = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    let best = k, largest = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const value = Math.abs(a[i * n + k]);
      if (value > largest) {
        largest = value;
        best = i;
      }
    }
    if (largest === 0) return undefined;
    pivots[k] = best;
    if (best !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j];
        a[k * n + j] = a[best * n + j];
        a[best * n + j] = t;
      }
    }
    const pivot = a[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const factor = (a[i * n + k] /= pivot);
      if (factor === 0) continue;
      const row = i * n, pivotRow = k * n;
      for (let j = k + 1; j < n; j++) a[row + j] -= factor * a[pivotRow + j];
    }
  }
  return pivots;
}

/** x = W^-1 b from P W = L U: apply P, solve L y = P b, then U x = y. */
function solve(lu: Float64Array, pivots: Int32Array, n: number, b: Float64Array, x: Float64Array): void {
  x.set(b);
  for (let k = 0; k < n; k++) {
    const p = pivots[k];
    if (p !== k) {
      const t = x[k];
      x[k] = x[p];
      x[p] = t;
    }
  }
  for (let i = 0; i < n; i++) {
    let sum = x[i];
    for (let j = 0; j < i; j++) sum -= lu[i * n + j] * x[j];
    x[i] = sum;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i];
    for (let j = i + 1; j < n; j++) sum -= lu[i * n + j] * x[j];
    x[i] = sum / lu[i * n + i];
  }
}

/** x = W^-T b: solve U^T y = b, then L^T z = y, then undo the row exchanges. */
function solveTransposed(lu: Float64Array, pivots: Int32Array, n: number, b: Float64Array, x: Float64Array): void {
  x.set(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i];
    for (let j = 0; j < i; j++) sum -= lu[j * n + i] * x[j];
    x[i] = sum / lu[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i];
    for (let j = i + 1; j < n; j++) sum -= lu[j * n + i] * x[j];
    x[i] = sum;
  }
  for (let k = n - 1; k >= 0; k--) {
    const p = pivots[k];
    if (p !== k) {
      const t = x[k];
      x[k] = x[p];
      x[p] = t;
    }
  }
}

/** Largest and smallest singular values of the square n x n matrix `w` (row-major). */
export function extremeSingularValues(w: ArrayLike<number>, n: number): SingularValues {
  const a = Float64Array.from({ length: n * n }, (_, i) => w[i]);
  const t = new Float64Array(n);
  const max = Math.sqrt(lanczosLargest(n, (v, out) => {
    // out = W^T (W v)
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += a[i * n + j] * v[j];
      t[i] = sum;
    }
    out.fill(0);
    for (let i = 0; i < n; i++) {
      const ti = t[i], row = i * n;
      for (let j = 0; j < n; j++) out[j] += a[row + j] * ti;
    }
  }));
  if (max === 0) return { max: 0, min: 0 };
  const pivots = factorize(a, n);
  if (!pivots) return { max, min: 0 };
  const inverse = lanczosLargest(n, (v, out) => {
    solveTransposed(a, pivots, n, v, t);
    solve(a, pivots, n, t, out);
  });
  return { max, min: inverse > 0 && Number.isFinite(inverse) ? 1 / Math.sqrt(inverse) : 0 };
}
