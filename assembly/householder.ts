// Random orthogonal matrices by Stewart's method with blocked (compact WY) reflectors: the kernels behind
// orthogonal(). src/core/householder.ts is the specification; every operation here happens in the same order, so
// the two backends give the same bits. Work arrays live in linear memory that the host lays out:
//
//   y       n' x m' f32, row-major: the accumulated Q (n' = n rounded up to a multiple of 4, m' = m to a multiple
//           of 8; the padding starts at zero and stays zero, so the kernels need no remainder loops)
//   v       p' x 32 f32, row-major: one panel of reflectors (unit diagonal, zeros above it and in padding)
//   t       32 x 32 f32: the panel's upper-triangular T
//   w       32 x m' f32: V^T Y, then T V^T Y
//   strip   n' x 16 f32: sixteen columns of a panel of y, copied contiguous
//
// Matrix products vectorize across independent sums only (output columns, or T's rows): every lane
// accumulates its own sum over the inner index in increasing order from +0, rounding after each product and
// each addition, exactly like the scalar loops of the specification. Zero padding adds only +0 terms, which
// leave such a sum's bits unchanged.

/** Columns per cache block of the update: 64 f32 columns of w stay in L1 while the rows of y stream past. */
const COLUMN_BLOCK = 64;

/** Row stride of v and t in bytes: always 32 floats, whatever the panel's width, so tiles use constant offsets. */
const PANEL_ROW: usize = 32 * 4;

/** y = [I_m; 0] over the padded n' x m' storage. */
export function orthogonalStart(y: usize, nPadded: i32, mPadded: i32, m: i32): void {
  memory.fill(y, 0, <usize>nPadded * <usize>mPadded * 4);
  for (let i = 0; i < m; i++) store<f32>(y + ((<usize>i * <usize>mPadded + <usize>i) << 2), 1);
}

/**
 * Reflectors k0 .. k0 + kb - 1 of an n-row matrix from their Gaussian vectors (column j of the panel at
 * gaussian + j n * 4, length n - k0 - j, f32): fills v (p' x 32), t (32 x 32), the signs d_k and tau, all
 * computed in f64 and stored as f32 (signs and tau as f64). `products` holds 32 f64.
 */
export function buildPanel(
  n: i32, k0: i32, kb: i32, pPadded: i32,
  gaussian: usize, v: usize, t: usize, signs: usize, tau: usize, products: usize,
): void {
  const p = n - k0;
  memory.fill(v, 0, <usize>pPadded * PANEL_ROW);
  memory.fill(t, 0, 32 * PANEL_ROW);
  for (let j = 0; j < kb; j++) {
    const length = p - j;
    const x = gaussian + ((<usize>j * <usize>n) << 2);
    const alpha = <f64>load<f32>(x);
    let tailSquares: f64 = 0;
    for (let r = 1; r < length; r++) {
      const value = <f64>load<f32>(x + (<usize>r << 2));
      tailSquares += value * value;
    }
    store<f32>(v + <usize>j * PANEL_ROW + (<usize>j << 2), 1);
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
      store<f32>(v + <usize>(j + r) * PANEL_ROW + (<usize>j << 2), <f32>(<f64>load<f32>(x + (<usize>r << 2)) * scale));
    }
    store<f64>(signAt, beta < 0 ? -1 : 1);
  }
  // T by the forward, column-wise recurrence (LAPACK dlarft): T[0:j, j] = -tau_j T[0:j, 0:j] (V[:, 0:j]^T v_j),
  // in f64 from the stored f32 V and T. The products run two reflectors i per f64x2, summing over rows r.
  for (let j = 0; j < kb; j++) {
    const tauJ = load<f64>(tau + (<usize>j << 3));
    store<f32>(t + <usize>j * PANEL_ROW + (<usize>j << 2), <f32>tauJ);
    memory.fill(products, 0, 32 * 8);
    for (let r = j; r < p; r++) {
      const row = v + <usize>r * PANEL_ROW;
      const vj = f64x2.splat(<f64>load<f32>(row + (<usize>j << 2)));
      for (let i = 0; i < j; i += 2) {
        const at = products + (<usize>i << 3);
        const pair = f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>i << 2)));
        v128.store(at, f64x2.add(v128.load(at), f64x2.mul(pair, vj)));
      }
    }
    for (let i = 0; i < j; i++) {
      let sum: f64 = 0;
      for (let l = i; l < j; l++) {
        sum += <f64>load<f32>(t + <usize>i * PANEL_ROW + (<usize>l << 2)) * load<f64>(products + (<usize>l << 3));
      }
      store<f32>(t + <usize>i * PANEL_ROW + (<usize>j << 2), <f32>(-tauJ * sum));
    }
  }
}

/**
 * Applies I - V T V^T to rows k0.. and columns k0.. of y: W = V^T Y, W = T W, Y = Y - V W. Rows and columns
 * are the padded counts p' = n' - k0 and m' - k0; kb' (a multiple of 4) reflectors.
 */
export function applyPanel(
  y: usize, nPadded: i32, mPadded: i32, k0: i32, kbPadded: i32, v: usize, t: usize, w: usize, strip: usize,
): void {
  const p = nPadded - k0;
  const columns = mPadded - k0;
  const rowBytes = <usize>mPadded << 2;
  const corner = y + (<usize>k0 * <usize>mPadded + <usize>k0) * 4;
  panelProjection(corner, rowBytes, p, columns, kbPadded, v, w, strip);
  panelTriangular(columns, kbPadded, t, w);
  panelUpdate(corner, rowBytes, p, columns, kbPadded, v, w);
}

/**
 * W = V^T Y: 4 reflectors x 8 columns per tile, summing over the panel's rows. Sixteen columns of the panel at a
 * time are first copied to a contiguous strip: walking down a row-major Y touches a new page every row, which
 * costs a TLB miss per load, while the strip is read once per tile of reflectors.
 */
function panelProjection(corner: usize, rowBytes: usize, p: i32, columns: i32, kbPadded: i32, v: usize, w: usize, strip: usize): void {
  const wRowBytes = <usize>columns << 2;
  for (let c = 0; c < columns; c += 16) {
    const width = min(16, columns - c);
    let from = corner + (<usize>c << 2);
    for (let r = 0, to = strip; r < p; r++, to += 64, from += rowBytes) {
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from, 16), 16);
      if (width == 16) {
        v128.store(to, v128.load(from, 32), 32);
        v128.store(to, v128.load(from, 48), 48);
      }
    }
    for (let i = 0; i < kbPadded; i += 4) {
      for (let half = 0; half < width; half += 8) {
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
        let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
        let yAt = strip + (<usize>half << 2);
        for (let vAt = v + (<usize>i << 2), end = vAt + <usize>p * PANEL_ROW; vAt < end; vAt += PANEL_ROW) {
          const y0 = v128.load(yAt), y1 = v128.load(yAt, 16);
          let s = v128.load32_splat(vAt);
          a0 = f32x4.add(a0, f32x4.mul(s, y0)); b0 = f32x4.add(b0, f32x4.mul(s, y1));
          s = v128.load32_splat(vAt, 4);
          a1 = f32x4.add(a1, f32x4.mul(s, y0)); b1 = f32x4.add(b1, f32x4.mul(s, y1));
          s = v128.load32_splat(vAt, 8);
          a2 = f32x4.add(a2, f32x4.mul(s, y0)); b2 = f32x4.add(b2, f32x4.mul(s, y1));
          s = v128.load32_splat(vAt, 12);
          a3 = f32x4.add(a3, f32x4.mul(s, y0)); b3 = f32x4.add(b3, f32x4.mul(s, y1));
          yAt += 64;
        }
        const wAt = w + (<usize>i * wRowBytes) + (<usize>(c + half) << 2);
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
  const wRowBytes = <usize>columns << 2;
  for (let i = 0; i < kbPadded; i++) {
    const tRow = t + <usize>i * PANEL_ROW;
    for (let c = 0; c < columns; c += 8) {
      let a = f32x4.splat(0), b = f32x4.splat(0);
      for (let l = i; l < kbPadded; l++) {
        const s = v128.load32_splat(tRow + (<usize>l << 2));
        const wAt = w + <usize>l * wRowBytes + (<usize>c << 2);
        a = f32x4.add(a, f32x4.mul(s, v128.load(wAt)));
        b = f32x4.add(b, f32x4.mul(s, v128.load(wAt, 16)));
      }
      const wAt = w + <usize>i * wRowBytes + (<usize>c << 2);
      v128.store(wAt, a);
      v128.store(wAt, b, 16);
    }
  }
}

/** Y = Y - V W: 4 rows x 8 columns per tile, summing over the panel's reflectors. */
function panelUpdate(corner: usize, rowBytes: usize, p: i32, columns: i32, kbPadded: i32, v: usize, w: usize): void {
  const wRowBytes = <usize>columns << 2;
  for (let block = 0; block < columns; block += COLUMN_BLOCK) {
    const blockEnd = min(block + COLUMN_BLOCK, columns);
    for (let r = 0; r < p; r += 4) {
      const vRow = v + <usize>r * PANEL_ROW;
      for (let c = block; c < blockEnd; c += 8) {
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
        let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
        let wAt = w + (<usize>c << 2);
        for (let at = vRow, end = vRow + (<usize>kbPadded << 2); at < end; at += 4) {
          const w0 = v128.load(wAt), w1 = v128.load(wAt, 16);
          let s = v128.load32_splat(at);
          a0 = f32x4.add(a0, f32x4.mul(s, w0)); b0 = f32x4.add(b0, f32x4.mul(s, w1));
          s = v128.load32_splat(at, PANEL_ROW);
          a1 = f32x4.add(a1, f32x4.mul(s, w0)); b1 = f32x4.add(b1, f32x4.mul(s, w1));
          s = v128.load32_splat(at, 2 * PANEL_ROW);
          a2 = f32x4.add(a2, f32x4.mul(s, w0)); b2 = f32x4.add(b2, f32x4.mul(s, w1));
          s = v128.load32_splat(at, 3 * PANEL_ROW);
          a3 = f32x4.add(a3, f32x4.mul(s, w0)); b3 = f32x4.add(b3, f32x4.mul(s, w1));
          wAt += wRowBytes;
        }
        const yAt = corner + <usize>r * rowBytes + (<usize>c << 2);
        v128.store(yAt, f32x4.sub(v128.load(yAt), a0)); v128.store(yAt, f32x4.sub(v128.load(yAt, 16), b0), 16);
        const y1 = yAt + rowBytes;
        v128.store(y1, f32x4.sub(v128.load(y1), a1)); v128.store(y1, f32x4.sub(v128.load(y1, 16), b1), 16);
        const y2 = yAt + 2 * rowBytes;
        v128.store(y2, f32x4.sub(v128.load(y2), a2)); v128.store(y2, f32x4.sub(v128.load(y2, 16), b2), 16);
        const y3 = yAt + 3 * rowBytes;
        v128.store(y3, f32x4.sub(v128.load(y3), a3)); v128.store(y3, f32x4.sub(v128.load(y3, 16), b3), 16);
      }
    }
  }
}

/**
 * Writes the rows x cols result to dst as f32 (single = true) or f64: f32(Q[i, j] d_j gain), or its transpose
 * when the result is wide (rows < cols, Q being cols x rows).
 */
export function writeOrthogonal(
  y: usize, mPadded: i32, signs: usize, n: i32, m: i32, gain: f64, transpose: bool, single: bool, dst: usize,
): void {
  const outCols = transpose ? n : m;
  const outRows = transpose ? m : n;
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      const row = transpose ? j : i, column = transpose ? i : j;
      const value = <f32>(<f64>load<f32>(y + ((<usize>row * <usize>mPadded + <usize>column) << 2)) * (load<f64>(signs + (<usize>column << 3)) * gain));
      const index = <usize>i * <usize>outCols + <usize>j;
      if (single) store<f32>(dst + (index << 2), value);
      else store<f64>(dst + (index << 3), <f64>value);
    }
  }
}
