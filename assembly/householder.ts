// Random orthogonal matrices by Stewart's method with blocked (compact WY) reflectors: the kernels behind
// orthogonal(). src/householder.ts is the specification; every operation here happens in the same order, so
// the two backends give the same bits. Work arrays live in linear memory that the host lays out:
//
//   y       n' x m' f64, row-major: the accumulated Q (n' = n and m' = m rounded up to multiples of 4; the
//           padding rows and columns start at zero and stay zero, so the kernels need no remainder loops)
//   v       p' x kb' f64, row-major: one panel of reflectors (unit diagonal, zeros above it and in padding)
//   t       kb' x kb' f64: the panel's upper-triangular T
//   w       kb' x m' f64: V^T Y, then T V^T Y
//   strip   n' x 8 f64: eight columns of a panel of y, copied contiguous
//
// Matrix products vectorize across output columns only: every lane accumulates its own sum over the inner
// index in increasing order from +0, exactly like the scalar loops of the specification. Zero padding adds
// only +0 terms, which leave such a sum's bits unchanged.

/** Columns per cache block of the products: 64 f64 columns of a panel stay in L2 (y) or L1 (w). */
const COLUMN_BLOCK = 64;

/** y = [I_m; 0] over the padded n' x m' storage. */
export function orthogonalStart(y: usize, nPadded: i32, mPadded: i32, m: i32): void {
  memory.fill(y, 0, <usize>nPadded * <usize>mPadded * 8);
  for (let i = 0; i < m; i++) store<f64>(y + ((<usize>i * <usize>mPadded + <usize>i) << 3), 1);
}

/**
 * Reflectors k0 .. k0 + kb - 1 of an n-row matrix from their Gaussian vectors (column j of the panel at
 * gaussian + j n * 4, length n - k0 - j, f32): fills v (p' x kb'), t (kb' x kb'), the signs d_k and tau.
 */
export function buildPanel(
  n: i32, k0: i32, kb: i32, kbPadded: i32, pPadded: i32,
  gaussian: usize, v: usize, t: usize, signs: usize, tau: usize, products: usize,
): void {
  const p = n - k0;
  memory.fill(v, 0, <usize>pPadded * <usize>kbPadded * 8);
  memory.fill(t, 0, <usize>kbPadded * <usize>kbPadded * 8);
  for (let j = 0; j < kb; j++) {
    const length = p - j;
    const x = gaussian + ((<usize>j * <usize>n) << 2);
    const alpha = <f64>load<f32>(x);
    let tailSquares: f64 = 0;
    for (let r = 1; r < length; r++) {
      const value = <f64>load<f32>(x + (<usize>r << 2));
      tailSquares += value * value;
    }
    store<f64>(v + ((<usize>j * <usize>kbPadded + <usize>j) << 3), 1);
    const signAt = signs + (<usize>(k0 + j) << 3);
    if (tailSquares == 0) {
      // Nothing below the diagonal to annihilate: H = I and R_kk = alpha (LAPACK dlarfg).
      store<f64>(tau + (<usize>j << 3), 0);
      store<f64>(signAt, alpha < 0 ? -1 : 1);
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + tailSquares);
    const beta = alpha >= 0 ? -norm : norm;
    store<f64>(tau + (<usize>j << 3), (beta - alpha) / beta);
    const scale = 1 / (alpha - beta);
    for (let r = 1; r < length; r++) {
      store<f64>(v + ((<usize>(j + r) * <usize>kbPadded + <usize>j) << 3), <f64>load<f32>(x + (<usize>r << 2)) * scale);
    }
    store<f64>(signAt, beta < 0 ? -1 : 1);
  }
  // T by the forward, column-wise recurrence (LAPACK dlarft): T[0:j, j] = -tau_j T[0:j, 0:j] (V[:, 0:j]^T v_j).
  for (let j = 0; j < kb; j++) {
    const tauJ = load<f64>(tau + (<usize>j << 3));
    store<f64>(t + ((<usize>j * <usize>kbPadded + <usize>j) << 3), tauJ);
    for (let i = 0; i < j; i++) {
      let sum: f64 = 0;
      for (let r = j; r < p; r++) {
        const row = v + ((<usize>r * <usize>kbPadded) << 3);
        sum += load<f64>(row + (<usize>i << 3)) * load<f64>(row + (<usize>j << 3));
      }
      store<f64>(products + (<usize>i << 3), sum);
    }
    for (let i = 0; i < j; i++) {
      let sum: f64 = 0;
      for (let l = i; l < j; l++) {
        sum += load<f64>(t + ((<usize>i * <usize>kbPadded + <usize>l) << 3)) * load<f64>(products + (<usize>l << 3));
      }
      store<f64>(t + ((<usize>i * <usize>kbPadded + <usize>j) << 3), -tauJ * sum);
    }
  }
}

/**
 * Applies I - V T V^T to rows k0.. and columns k0.. of y: W = V^T Y, W = T W, Y = Y - V W. Rows and columns
 * are the padded counts p' = n' - k0 and m' - k0; kb' is a multiple of 4.
 */
export function applyPanel(
  y: usize, nPadded: i32, mPadded: i32, k0: i32, kbPadded: i32, v: usize, t: usize, w: usize, strip: usize,
): void {
  const p = nPadded - k0;
  const columns = mPadded - k0;
  const rowBytes = <usize>mPadded << 3;
  const corner = y + (<usize>k0 * <usize>mPadded + <usize>k0) * 8;

  panelProjection(corner, rowBytes, p, columns, kbPadded, v, w, strip);
  panelTriangular(columns, kbPadded, t, w);
  panelUpdate(corner, rowBytes, p, columns, kbPadded, v, w);
}

/**
 * W = V^T Y: 4 reflectors x 4 columns per tile, summing over the panel's rows. Eight columns of the panel at a
 * time are first copied to a contiguous strip: walking down a row-major Y touches a new page every row, which
 * costs a TLB miss per load, while the strip is read once per tile of reflectors.
 */
function panelProjection(corner: usize, rowBytes: usize, p: i32, columns: i32, kbPadded: i32, v: usize, w: usize, strip: usize): void {
  const wRowBytes = <usize>columns << 3;
  const vRowBytes = <usize>kbPadded << 3;
  for (let c = 0; c < columns; c += 8) {
    const width = min(8, columns - c);
    let from = corner + (<usize>c << 3);
    for (let r = 0, to = strip; r < p; r++, to += 64, from += rowBytes) {
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from, 16), 16);
      if (width == 8) {
        v128.store(to, v128.load(from, 32), 32);
        v128.store(to, v128.load(from, 48), 48);
      }
    }
    for (let i = 0; i < kbPadded; i += 4) {
      for (let half = 0; half < width; half += 4) {
        let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
        let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
        let yAt = strip + (<usize>half << 3);
        let vAt = v + (<usize>i << 3);
        for (let r = 0; r < p; r++) {
          const y0 = v128.load(yAt), y1 = v128.load(yAt, 16);
          let s = v128.load64_splat(vAt);
          a0 = f64x2.add(a0, f64x2.mul(s, y0)); b0 = f64x2.add(b0, f64x2.mul(s, y1));
          s = v128.load64_splat(vAt, 8);
          a1 = f64x2.add(a1, f64x2.mul(s, y0)); b1 = f64x2.add(b1, f64x2.mul(s, y1));
          s = v128.load64_splat(vAt, 16);
          a2 = f64x2.add(a2, f64x2.mul(s, y0)); b2 = f64x2.add(b2, f64x2.mul(s, y1));
          s = v128.load64_splat(vAt, 24);
          a3 = f64x2.add(a3, f64x2.mul(s, y0)); b3 = f64x2.add(b3, f64x2.mul(s, y1));
          yAt += 64;
          vAt += vRowBytes;
        }
        const wAt = w + (<usize>i * wRowBytes) + (<usize>(c + half) << 3);
        v128.store(wAt, a0); v128.store(wAt, b0, 16);
        v128.store(wAt + wRowBytes, a1); v128.store(wAt + wRowBytes, b1, 16);
        v128.store(wAt + 2 * wRowBytes, a2); v128.store(wAt + 2 * wRowBytes, b2, 16);
        v128.store(wAt + 3 * wRowBytes, a3); v128.store(wAt + 3 * wRowBytes, b3, 16);
      }
    }
  }
}

/** W = T W in place: row i reads rows l >= i only, so ascending i never reads a row it has overwritten. */
function panelTriangular(columns: i32, kbPadded: i32, t: usize, w: usize): void {
  const wRowBytes = <usize>columns << 3;
  for (let i = 0; i < kbPadded; i++) {
    for (let c = 0; c < columns; c += 4) {
      let a = f64x2.splat(0), b = f64x2.splat(0);
      for (let l = i; l < kbPadded; l++) {
        const s = v128.load64_splat(t + ((<usize>i * <usize>kbPadded + <usize>l) << 3));
        const wAt = w + <usize>l * wRowBytes + (<usize>c << 3);
        a = f64x2.add(a, f64x2.mul(s, v128.load(wAt)));
        b = f64x2.add(b, f64x2.mul(s, v128.load(wAt, 16)));
      }
      const wAt = w + <usize>i * wRowBytes + (<usize>c << 3);
      v128.store(wAt, a);
      v128.store(wAt, b, 16);
    }
  }

}

/** Y = Y - V W: 4 rows x 4 columns per tile, summing over the panel's reflectors. */
function panelUpdate(corner: usize, rowBytes: usize, p: i32, columns: i32, kbPadded: i32, v: usize, w: usize): void {
  const wRowBytes = <usize>columns << 3;
  const vRowBytes = <usize>kbPadded << 3;
  for (let block = 0; block < columns; block += COLUMN_BLOCK) {
    const blockEnd = min(block + COLUMN_BLOCK, columns);
    for (let r = 0; r < p; r += 4) {
      const vRow = v + <usize>r * vRowBytes;
      for (let c = block; c < blockEnd; c += 4) {
        let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
        let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
        let wAt = w + (<usize>c << 3);
        for (let i = 0; i < kbPadded; i++) {
          const w0 = v128.load(wAt), w1 = v128.load(wAt, 16);
          const at = vRow + (<usize>i << 3);
          let s = v128.load64_splat(at);
          a0 = f64x2.add(a0, f64x2.mul(s, w0)); b0 = f64x2.add(b0, f64x2.mul(s, w1));
          s = v128.load64_splat(at + vRowBytes);
          a1 = f64x2.add(a1, f64x2.mul(s, w0)); b1 = f64x2.add(b1, f64x2.mul(s, w1));
          s = v128.load64_splat(at + 2 * vRowBytes);
          a2 = f64x2.add(a2, f64x2.mul(s, w0)); b2 = f64x2.add(b2, f64x2.mul(s, w1));
          s = v128.load64_splat(at + 3 * vRowBytes);
          a3 = f64x2.add(a3, f64x2.mul(s, w0)); b3 = f64x2.add(b3, f64x2.mul(s, w1));
          wAt += wRowBytes;
        }
        const yAt = corner + <usize>r * rowBytes + (<usize>c << 3);
        v128.store(yAt, f64x2.sub(v128.load(yAt), a0)); v128.store(yAt, f64x2.sub(v128.load(yAt, 16), b0), 16);
        const y1 = yAt + rowBytes;
        v128.store(y1, f64x2.sub(v128.load(y1), a1)); v128.store(y1, f64x2.sub(v128.load(y1, 16), b1), 16);
        const y2 = yAt + 2 * rowBytes;
        v128.store(y2, f64x2.sub(v128.load(y2), a2)); v128.store(y2, f64x2.sub(v128.load(y2, 16), b2), 16);
        const y3 = yAt + 3 * rowBytes;
        v128.store(y3, f64x2.sub(v128.load(y3), a3)); v128.store(y3, f64x2.sub(v128.load(y3, 16), b3), 16);
      }
    }
  }
}

/**
 * Writes the rows x cols result to dst as f32 (single = true) or f64: Q[i, j] d_j gain, or its transpose when
 * the result is wide (rows < cols, Q being cols x rows).
 */
export function writeOrthogonal(
  y: usize, mPadded: i32, signs: usize, n: i32, m: i32, gain: f64, transpose: bool, single: bool, dst: usize,
): void {
  const outCols = transpose ? n : m;
  const outRows = transpose ? m : n;
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      const row = transpose ? j : i, column = transpose ? i : j;
      const value = load<f64>(y + ((<usize>row * <usize>mPadded + <usize>column) << 3)) * (load<f64>(signs + (<usize>column << 3)) * gain);
      const index = <usize>i * <usize>outCols + <usize>j;
      if (single) store<f32>(dst + (index << 2), <f32>value);
      else store<f64>(dst + (index << 3), value);
    }
  }
}
