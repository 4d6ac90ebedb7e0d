// Random orthogonal matrices by Stewart's method, in the pure-TypeScript backend: the specification that
// assembly/householder.ts follows operation for operation, so both backends give the same bits.
//
// Q = H_0 H_1 ... H_{m-1} [I_m; 0] diag(d) for an n x m result (n >= m). Reflector H_k acts on rows k..n-1
// and is the Householder reflector of a Gaussian vector x_k of length n - k; d_k is the sign of the diagonal
// entry R_kk that reflector produces. Householder QR of an n x m Gaussian matrix builds its k-th reflector from
// a vector that is again standard Gaussian and independent of the earlier ones (rotation invariance), so
// this product has the distribution of Q from that QR, and multiplying by the signs of diag(R) makes it Haar
// (Stewart, SIAM J. Numer. Anal. 17(3), 1980; Mezzadri, Notices AMS 54(5), 2007). It skips the QR's
// factorization half: 2nm^2 - 2m^3/3 flops instead of twice that.
//
// Reflectors are applied in blocks of HOUSEHOLDER_BLOCK with the compact WY form (Schreiber and Van Loan, 1989):
// H_k0 ... H_{k0+b-1} = I - V T V^T, so most of the work is two matrix products. There are two working
// precisions, chosen by the output dtype, on the same float32 Gaussian vectors:
// - float32 (float32, float16 and bfloat16 outputs): each reflector and T are computed in float64 and stored in
//   float32; Q accumulates in float32 (2048 x 2048 stays orthonormal to about 1e-6).
// - float64 (float64 output): the same float64 reflectors and T are kept in float64 and Q accumulates in float64
//   (orthonormal to about 1e-15), so the result is the float32 one's Haar draw, computed more accurately.
// Every sum runs over its index in increasing order from +0, rounding after every operation, which the SIMD
// kernels keep by vectorizing across independent sums only.

const fround = Math.fround;

/** Reflectors per block. Part of the algorithm's definition: a different block size rounds differently. */
export const HOUSEHOLDER_BLOCK = 32;

/** Storage of the working matrices: its element type is the working precision. */
export type WorkArray = Float32Array | Float64Array;

/** Writes x_k, the n - k Gaussian values of reflector k, into `out`. */
export type GaussianColumn = (k: number, out: Float32Array) => void;

/**
 * x[1]^2 + ... + x[length - 1]^2 in float64 (each square of a float32 is exact). Float32 work adds them in a
 * plain running sum. Float64 work adds them with Neumaier's compensation: the plain sum's rounding (up to
 * sqrt(n) ulp) leaves tau and v slightly inconsistent (tau ||v||^2 != 2), and the stretch that gives every
 * column accumulates over the reflectors: 1024 x 1024 results were orthonormal to 4.4e-15 with the plain sum.
 */
function sumOfTailSquares(x: Float32Array, length: number, compensated: boolean): number {
  let sum = 0;
  if (!compensated) {
    for (let r = 1; r < length; r++) sum += x[r] * x[r];
    return sum;
  }
  let compensation = 0;
  for (let r = 1; r < length; r++) {
    const square = x[r] * x[r];
    const next = sum + square;
    compensation += sum >= square ? (sum - next) + square : (square - next) + sum;
    sum = next;
  }
  return sum + compensation;
}

/**
 * Builds the panel of reflectors k0 .. k0 + kb - 1 for an n-row matrix: V (p x kb row-major, p = n - k0, unit
 * diagonal, zeros above it), T (kb x kb upper triangular) and the signs d_k. Everything is computed in float64
 * and stored in the precision of v and t (rounded to float32, or kept, as a Float32Array or Float64Array store).
 */
export function buildPanel(
  n: number, k0: number, kb: number, column: GaussianColumn,
  v: WorkArray, t: WorkArray, signs: Float64Array, gaussian: Float32Array,
): void {
  const p = n - k0;
  const tau = new Float64Array(kb);
  v.fill(0, 0, p * kb);
  for (let j = 0; j < kb; j++) {
    const length = p - j;
    const x = gaussian.subarray(0, length);
    column(k0 + j, x);
    const alpha = x[0];
    const tailSquares = sumOfTailSquares(x, length, v instanceof Float64Array);
    v[j * kb + j] = 1;
    if (tailSquares === 0) {
      // Nothing below the diagonal to annihilate: H = I and R_kk = alpha (LAPACK dlarfg).
      tau[j] = 0;
      signs[k0 + j] = alpha < 0 ? -1 : 1;
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + tailSquares);
    const beta = alpha >= 0 ? -norm : norm;
    tau[j] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let r = 1; r < length; r++) v[(j + r) * kb + j] = x[r] * scale;
    signs[k0 + j] = beta < 0 ? -1 : 1;
  }
  // T by the forward, column-wise recurrence (LAPACK dlarft): T[0:j, j] = -tau_j T[0:j, 0:j] (V[:, 0:j]^T v_j),
  // in float64 from the stored V and T.
  t.fill(0, 0, kb * kb);
  const products = new Float64Array(kb);
  for (let j = 0; j < kb; j++) {
    t[j * kb + j] = tau[j];
    products.fill(0);
    for (let r = j; r < p; r++) {
      const vj = v[r * kb + j];
      for (let i = 0; i < j; i++) products[i] += v[r * kb + i] * vj;
    }
    for (let i = 0; i < j; i++) {
      let sum = 0;
      for (let l = i; l < j; l++) sum += t[i * kb + l] * products[l];
      t[i * kb + j] = -tau[j] * sum;
    }
  }
}

/**
 * Applies I - V T V^T to rows k0.. of columns start .. start + columns - 1 of y (n rows, row stride `stride`,
 * float32): W = V^T Y, W = T W, Y = Y - V W. These are the columns of Q from k0 on; columns before k0 are still
 * unit vectors zero in these rows, so they are skipped.
 */
export function applyPanel(
  y: Float32Array, n: number, stride: number, k0: number, start: number, columns: number, kb: number,
  v: Float32Array, t: Float32Array, w: Float32Array,
): void {
  const p = n - k0;
  for (let i = 0; i < kb; i++) {
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (let r = 0; r < p; r++) sum = fround(sum + fround(v[r * kb + i] * y[(k0 + r) * stride + start + c]));
      w[i * columns + c] = sum;
    }
  }
  for (let i = 0; i < kb; i++) {
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (let l = i; l < kb; l++) sum = fround(sum + fround(t[i * kb + l] * w[l * columns + c]));
      w[i * columns + c] = sum;
    }
  }
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (let i = 0; i < kb; i++) sum = fround(sum + fround(v[r * kb + i] * w[i * columns + c]));
      const at = (k0 + r) * stride + start + c;
      y[at] = y[at] - sum;
    }
  }
}

/** applyPanel in float64: the same three products, in the same order, every operation rounded to float64. */
export function applyPanel64(
  y: Float64Array, n: number, stride: number, k0: number, start: number, columns: number, kb: number,
  v: Float64Array, t: Float64Array, w: Float64Array,
): void {
  const p = n - k0;
  for (let i = 0; i < kb; i++) {
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (let r = 0; r < p; r++) sum = sum + v[r * kb + i] * y[(k0 + r) * stride + start + c];
      w[i * columns + c] = sum;
    }
  }
  for (let i = 0; i < kb; i++) {
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (let l = i; l < kb; l++) sum = sum + t[i * kb + l] * w[l * columns + c];
      w[i * columns + c] = sum;
    }
  }
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (let i = 0; i < kb; i++) sum = sum + v[r * kb + i] * w[i * columns + c];
      const at = (k0 + r) * stride + start + c;
      y[at] = y[at] - sum;
    }
  }
}

/**
 * Columns [first, first + count) of the n x m orthonormal-column factor before signs and gain, row-major in y
 * (n x count), accumulated in y's precision; returns the column signs d (those of the block's columns are set).
 *
 * Reflector panel k0 changes only columns k0 and after, and each column through sums over that column alone, so
 * the block needs only the panels that start at or before its last column, and its columns are bit for bit
 * those of the whole factor (the block first = 0, count = m) whatever the block: a worker pool computes a large
 * orthogonal as blocks of columns, each building the panels it needs.
 */
export function orthogonalFactorColumns(n: number, m: number, first: number, count: number, column: GaussianColumn, y: WorkArray): Float64Array {
  const b = HOUSEHOLDER_BLOCK;
  // A panel holds at most min(32, m) reflectors: a thin matrix needs no room for 32.
  const width = Math.min(b, m);
  y.fill(0, 0, n * count);
  for (let j = 0; j < count; j++) y[(first + j) * count + j] = 1;
  const signs = new Float64Array(m);
  const gaussian = new Float32Array(n);
  const Work = y instanceof Float64Array ? Float64Array : Float32Array;
  const v = new Work(n * width), t = new Work(width * width), w = new Work(width * count);
  for (let k0 = Math.floor((first + count - 1) / b) * b; k0 >= 0; k0 -= b) {
    const kb = Math.min(b, m - k0);
    buildPanel(n, k0, kb, column, v, t, signs, gaussian);
    const start = Math.max(0, k0 - first);
    if (y instanceof Float64Array) applyPanel64(y, n, count, k0, start, count - start, kb, v as Float64Array, t as Float64Array, w as Float64Array);
    else applyPanel(y, n, count, k0, start, count - start, kb, v as Float32Array, t as Float32Array, w as Float32Array);
  }
  return signs;
}

/**
 * The block's entries of the rows x cols result from y (n x count, columns first.. of Q): out[i, j] =
 * Q[i, first + j] d_(first + j) gain (rows >= cols; out is rows x count) or out[j, i] = the same (rows < cols, Q
 * then being cols x rows; out is count x cols), in out's precision, which is y's: rounded to float32 from a
 * float32 y, float64 from a float64 one. For the whole factor (first = 0, count = m) this is the whole result.
 */
export function writeOrthogonal(
  y: WorkArray, signs: Float64Array, n: number, first: number, count: number, gain: number, transpose: boolean, out: WorkArray,
): void {
  if (!transpose) {
    for (let i = 0; i < n; i++) for (let j = 0; j < count; j++) out[i * count + j] = y[i * count + j] * (signs[first + j] * gain);
  } else {
    for (let j = 0; j < count; j++) for (let i = 0; i < n; i++) out[j * n + i] = y[i * count + j] * (signs[first + j] * gain);
  }
}
