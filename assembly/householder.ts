// Random orthogonal matrices by Stewart's method with blocked (compact WY) reflectors: the kernels behind
// orthogonal(). src/core/householder.ts is the specification; every operation here happens in the same order, so
// the two backends give the same bits. Every kernel exists in two precisions, chosen by the output dtype: the
// working storage T is f32 (float32, float16 and bfloat16 outputs; f32x4 products) or f64 (float64 output; f64x2
// products). The exports below are the two instances of one generic kernel each. Work arrays live in linear
// memory that the host lays out:
//
//   y       n' x m' T, row-major: columns first .. first + count - 1 of the accumulated Q (n' = n rounded up to a
//           multiple of 4, m' = count rounded up to a multiple of a tile's 8 f32 or 4 f64 columns; the padding
//           starts at zero and stays zero, so the kernels need no remainder loops). The whole factor is the
//           block first = 0, count = m. Column c of Q is changed only by the panels that start at or before it,
//           and each column's sums are its own, so a block's columns are bit for bit those of the whole factor.
//   v       p' x 32 T, row-major: one panel of reflectors (unit diagonal, zeros above it and in padding)
//   t       32 x 32 T: the panel's upper-triangular T
//   w       32 x m' T: V^T Y, then T V^T Y
//   strip   n' x 64 bytes: sixteen f32 or eight f64 columns of a panel of y, copied contiguous
//
// Matrix products vectorize across independent sums only (output columns, or T's rows): every lane
// accumulates its own sum over the inner index in increasing order from +0, rounding after each product and
// each addition, exactly like the scalar loops of the specification. Zero padding adds only +0 terms, which
// leave such a sum's bits unchanged. A tile is always 4 x 2 vectors: 4 x 8 f32 or 4 x 4 f64 values.

/** Reflectors per panel, and the row stride of v and t in elements whatever the panel's width. */
const PANEL_WIDTH: usize = 32;

/** Bytes of w's columns per cache block of the update: 64 f32 or 32 f64 columns of w stay in L1. */
const COLUMN_BLOCK_BYTES: i32 = 256;

/** Bytes of y's columns per strip copied by the projection: one cache line per row. */
const STRIP_BYTES: i32 = 64;

/** y = columns first .. first + count - 1 of [I_m; 0] over the padded n' x m' storage (m' = its row stride). */
function orthogonalStartOf<T>(y: usize, nPadded: i32, mPadded: i32, first: i32, count: i32): void {
  memory.fill(y, 0, <usize>nPadded * <usize>mPadded * sizeof<T>());
  for (let j = 0; j < count; j++) store<T>(y + (<usize>(first + j) * <usize>mPadded + <usize>j) * sizeof<T>(), <T>1);
}

export function orthogonalStart(y: usize, nPadded: i32, mPadded: i32, first: i32, count: i32): void {
  orthogonalStartOf<f32>(y, nPadded, mPadded, first, count);
}

export function orthogonalStart64(y: usize, nPadded: i32, mPadded: i32, first: i32, count: i32): void {
  orthogonalStartOf<f64>(y, nPadded, mPadded, first, count);
}

/**
 * x[1]^2 + ... + x[length - 1]^2 of f32 values in f64: a plain running sum for f32 work, Neumaier's compensated
 * sum for f64 work (see sumOfTailSquares in the specification for why).
 */
function sumOfTailSquares<T>(x: usize, length: i32): f64 {
  let sum: f64 = 0;
  if (sizeof<T>() == 4) {
    for (let r = 1; r < length; r++) {
      const value = <f64>load<f32>(x + (<usize>r << 2));
      sum += value * value;
    }
    return sum;
  }
  let compensation: f64 = 0;
  for (let r = 1; r < length; r++) {
    const value = <f64>load<f32>(x + (<usize>r << 2));
    const square = value * value;
    const next = sum + square;
    compensation += sum >= square ? (sum - next) + square : (square - next) + sum;
    sum = next;
  }
  return sum + compensation;
}

/**
 * Reflectors k0 .. k0 + kb - 1 of an n-row matrix from their Gaussian vectors (column j of the panel at
 * gaussian + j n * 4, length n - k0 - j, f32): fills v (p' x 32), t (32 x 32), the signs d_k and tau, all
 * computed in f64 and stored as T (signs and tau as f64). `products` holds 32 f64.
 */
function buildPanelOf<T>(
  n: i32, k0: i32, kb: i32, pPadded: i32,
  gaussian: usize, v: usize, t: usize, signs: usize, tau: usize, products: usize,
): void {
  const size = sizeof<T>();
  const panelRow = PANEL_WIDTH * size;
  const p = n - k0;
  memory.fill(v, 0, <usize>pPadded * panelRow);
  memory.fill(t, 0, PANEL_WIDTH * panelRow);
  for (let j = 0; j < kb; j++) {
    const length = p - j;
    const x = gaussian + ((<usize>j * <usize>n) << 2);
    const alpha = <f64>load<f32>(x);
    const tailSquares = sumOfTailSquares<T>(x, length);
    store<T>(v + <usize>j * panelRow + <usize>j * size, <T>1);
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
      store<T>(v + <usize>(j + r) * panelRow + <usize>j * size, <T>(<f64>load<f32>(x + (<usize>r << 2)) * scale));
    }
    store<f64>(signAt, beta < 0 ? -1 : 1);
  }
  // T by the forward, column-wise recurrence (LAPACK dlarft): T[0:j, j] = -tau_j T[0:j, 0:j] (V[:, 0:j]^T v_j),
  // in f64 from the stored V and T. The products run two reflectors i per f64x2, summing over rows r.
  for (let j = 0; j < kb; j++) {
    const tauJ = load<f64>(tau + (<usize>j << 3));
    store<T>(t + <usize>j * panelRow + <usize>j * size, <T>tauJ);
    memory.fill(products, 0, PANEL_WIDTH * 8);
    for (let r = j; r < p; r++) {
      const row = v + <usize>r * panelRow;
      const vj = f64x2.splat(<f64>load<T>(row + <usize>j * size));
      for (let i = 0; i < j; i += 2) {
        const at = products + (<usize>i << 3);
        let pair: v128;
        if (sizeof<T>() == 4) pair = f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>i << 2)));
        else pair = v128.load(row + (<usize>i << 3));
        v128.store(at, f64x2.add(v128.load(at), f64x2.mul(pair, vj)));
      }
    }
    for (let i = 0; i < j; i++) {
      let sum: f64 = 0;
      for (let l = i; l < j; l++) {
        sum += <f64>load<T>(t + <usize>i * panelRow + <usize>l * size) * load<f64>(products + (<usize>l << 3));
      }
      store<T>(t + <usize>i * panelRow + <usize>j * size, <T>(-tauJ * sum));
    }
  }
}

export function buildPanel(
  n: i32, k0: i32, kb: i32, pPadded: i32,
  gaussian: usize, v: usize, t: usize, signs: usize, tau: usize, products: usize,
): void {
  buildPanelOf<f32>(n, k0, kb, pPadded, gaussian, v, t, signs, tau, products);
}

export function buildPanel64(
  n: i32, k0: i32, kb: i32, pPadded: i32,
  gaussian: usize, v: usize, t: usize, signs: usize, tau: usize, products: usize,
): void {
  buildPanelOf<f64>(n, k0, kb, pPadded, gaussian, v, t, signs, tau, products);
}

/**
 * Applies I - V T V^T to rows k0.. of y's columns start.. (the block's columns of Q from k0 on: start =
 * max(0, k0 - first), a multiple of a tile): W = V^T Y, W = T W, Y = Y - V W. Rows and columns are the padded
 * counts p' = n' - k0 and m' - start; kb' (a multiple of 4) reflectors.
 */
function applyPanelOf<T>(
  y: usize, nPadded: i32, mPadded: i32, k0: i32, start: i32, kbPadded: i32, v: usize, t: usize, w: usize, strip: usize,
): void {
  const p = nPadded - k0;
  const columns = mPadded - start;
  const rowBytes = <usize>mPadded * sizeof<T>();
  const corner = y + (<usize>k0 * <usize>mPadded + <usize>start) * sizeof<T>();
  panelProjection<T>(corner, rowBytes, p, columns, kbPadded, v, w, strip);
  panelTriangular<T>(columns, kbPadded, t, w);
  panelUpdate<T>(corner, rowBytes, p, columns, kbPadded, v, w);
}

export function applyPanel(
  y: usize, nPadded: i32, mPadded: i32, k0: i32, start: i32, kbPadded: i32, v: usize, t: usize, w: usize, strip: usize,
): void {
  applyPanelOf<f32>(y, nPadded, mPadded, k0, start, kbPadded, v, t, w, strip);
}

export function applyPanel64(
  y: usize, nPadded: i32, mPadded: i32, k0: i32, start: i32, kbPadded: i32, v: usize, t: usize, w: usize, strip: usize,
): void {
  applyPanelOf<f64>(y, nPadded, mPadded, k0, start, kbPadded, v, t, w, strip);
}

/**
 * W = V^T Y: 4 reflectors x 2 vectors of columns per tile, summing over the panel's rows. A strip of the panel's
 * columns (64 bytes per row) is first copied contiguous: walking down a row-major Y touches a new page every
 * row, which costs a TLB miss per load, while the strip is read once per tile of reflectors.
 */
function panelProjection<T>(corner: usize, rowBytes: usize, p: i32, columns: i32, kbPadded: i32, v: usize, w: usize, strip: usize): void {
  const size = sizeof<T>();
  const panelRow = PANEL_WIDTH * size;
  const stripColumns = STRIP_BYTES / <i32>size;
  const tileColumns = 32 / <i32>size;
  const wRowBytes = <usize>columns * size;
  for (let c = 0; c < columns; c += stripColumns) {
    const width = min(stripColumns, columns - c);
    let from = corner + <usize>c * size;
    for (let r = 0, to = strip; r < p; r++, to += STRIP_BYTES, from += rowBytes) {
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from, 16), 16);
      if (width == stripColumns) {
        v128.store(to, v128.load(from, 32), 32);
        v128.store(to, v128.load(from, 48), 48);
      }
    }
    for (let i = 0; i < kbPadded; i += 4) {
      for (let half = 0; half < width; half += tileColumns) {
        let a0 = v128.splat<T>(0), b0 = v128.splat<T>(0), a1 = v128.splat<T>(0), b1 = v128.splat<T>(0);
        let a2 = v128.splat<T>(0), b2 = v128.splat<T>(0), a3 = v128.splat<T>(0), b3 = v128.splat<T>(0);
        let yAt = strip + <usize>half * size;
        for (let vAt = v + <usize>i * size, end = vAt + <usize>p * panelRow; vAt < end; vAt += panelRow) {
          const y0 = v128.load(yAt), y1 = v128.load(yAt, 16);
          let s = v128.load_splat<T>(vAt);
          a0 = v128.add<T>(a0, v128.mul<T>(s, y0)); b0 = v128.add<T>(b0, v128.mul<T>(s, y1));
          s = v128.load_splat<T>(vAt, size);
          a1 = v128.add<T>(a1, v128.mul<T>(s, y0)); b1 = v128.add<T>(b1, v128.mul<T>(s, y1));
          s = v128.load_splat<T>(vAt, 2 * size);
          a2 = v128.add<T>(a2, v128.mul<T>(s, y0)); b2 = v128.add<T>(b2, v128.mul<T>(s, y1));
          s = v128.load_splat<T>(vAt, 3 * size);
          a3 = v128.add<T>(a3, v128.mul<T>(s, y0)); b3 = v128.add<T>(b3, v128.mul<T>(s, y1));
          yAt += STRIP_BYTES;
        }
        const wAt = w + <usize>i * wRowBytes + <usize>(c + half) * size;
        v128.store(wAt, a0); v128.store(wAt, b0, 16);
        v128.store(wAt + wRowBytes, a1); v128.store(wAt + wRowBytes, b1, 16);
        v128.store(wAt + 2 * wRowBytes, a2); v128.store(wAt + 2 * wRowBytes, b2, 16);
        v128.store(wAt + 3 * wRowBytes, a3); v128.store(wAt + 3 * wRowBytes, b3, 16);
      }
    }
  }
}

/** W = T W in place: row i reads rows l >= i only, so ascending i never reads a row it has overwritten. */
function panelTriangular<T>(columns: i32, kbPadded: i32, t: usize, w: usize): void {
  const size = sizeof<T>();
  const tileColumns = 32 / <i32>size;
  const wRowBytes = <usize>columns * size;
  for (let i = 0; i < kbPadded; i++) {
    const tRow = t + <usize>i * PANEL_WIDTH * size;
    for (let c = 0; c < columns; c += tileColumns) {
      let a = v128.splat<T>(0), b = v128.splat<T>(0);
      for (let l = i; l < kbPadded; l++) {
        const s = v128.load_splat<T>(tRow + <usize>l * size);
        const wAt = w + <usize>l * wRowBytes + <usize>c * size;
        a = v128.add<T>(a, v128.mul<T>(s, v128.load(wAt)));
        b = v128.add<T>(b, v128.mul<T>(s, v128.load(wAt, 16)));
      }
      const wAt = w + <usize>i * wRowBytes + <usize>c * size;
      v128.store(wAt, a);
      v128.store(wAt, b, 16);
    }
  }
}

/** Y = Y - V W: 4 rows x 2 vectors of columns per tile, summing over the panel's reflectors. */
function panelUpdate<T>(corner: usize, rowBytes: usize, p: i32, columns: i32, kbPadded: i32, v: usize, w: usize): void {
  const size = sizeof<T>();
  const panelRow = PANEL_WIDTH * size;
  const columnBlock = COLUMN_BLOCK_BYTES / <i32>size;
  const tileColumns = 32 / <i32>size;
  const wRowBytes = <usize>columns * size;
  for (let block = 0; block < columns; block += columnBlock) {
    const blockEnd = min(block + columnBlock, columns);
    for (let r = 0; r < p; r += 4) {
      const vRow = v + <usize>r * panelRow;
      for (let c = block; c < blockEnd; c += tileColumns) {
        let a0 = v128.splat<T>(0), b0 = v128.splat<T>(0), a1 = v128.splat<T>(0), b1 = v128.splat<T>(0);
        let a2 = v128.splat<T>(0), b2 = v128.splat<T>(0), a3 = v128.splat<T>(0), b3 = v128.splat<T>(0);
        let wAt = w + <usize>c * size;
        for (let at = vRow, end = vRow + <usize>kbPadded * size; at < end; at += size) {
          const w0 = v128.load(wAt), w1 = v128.load(wAt, 16);
          let s = v128.load_splat<T>(at);
          a0 = v128.add<T>(a0, v128.mul<T>(s, w0)); b0 = v128.add<T>(b0, v128.mul<T>(s, w1));
          s = v128.load_splat<T>(at, panelRow);
          a1 = v128.add<T>(a1, v128.mul<T>(s, w0)); b1 = v128.add<T>(b1, v128.mul<T>(s, w1));
          s = v128.load_splat<T>(at, 2 * panelRow);
          a2 = v128.add<T>(a2, v128.mul<T>(s, w0)); b2 = v128.add<T>(b2, v128.mul<T>(s, w1));
          s = v128.load_splat<T>(at, 3 * panelRow);
          a3 = v128.add<T>(a3, v128.mul<T>(s, w0)); b3 = v128.add<T>(b3, v128.mul<T>(s, w1));
          wAt += wRowBytes;
        }
        const yAt = corner + <usize>r * rowBytes + <usize>c * size;
        v128.store(yAt, v128.sub<T>(v128.load(yAt), a0)); v128.store(yAt, v128.sub<T>(v128.load(yAt, 16), b0), 16);
        const y1 = yAt + rowBytes;
        v128.store(y1, v128.sub<T>(v128.load(y1), a1)); v128.store(y1, v128.sub<T>(v128.load(y1, 16), b1), 16);
        const y2 = yAt + 2 * rowBytes;
        v128.store(y2, v128.sub<T>(v128.load(y2), a2)); v128.store(y2, v128.sub<T>(v128.load(y2, 16), b2), 16);
        const y3 = yAt + 3 * rowBytes;
        v128.store(y3, v128.sub<T>(v128.load(y3), a3)); v128.store(y3, v128.sub<T>(v128.load(y3, 16), b3), 16);
      }
    }
  }
}

/**
 * Writes the block's n x m columns of Q (m = count; signs points at d_first) to dst as f32: f32(Q[i, j] d_j
 * gain), or its transpose when the result is wide (rows < cols, Q being cols x rows): the whole rows x cols
 * result for the whole factor, else the result's columns (tall) or rows (wide) first .. first + count - 1.
 */
export function writeOrthogonal(
  y: usize, mPadded: i32, signs: usize, n: i32, m: i32, gain: f64, transpose: bool, dst: usize,
): void {
  const outCols = transpose ? n : m;
  const outRows = transpose ? m : n;
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      const row = transpose ? j : i, column = transpose ? i : j;
      const value = <f32>(<f64>load<f32>(y + ((<usize>row * <usize>mPadded + <usize>column) << 2)) * (load<f64>(signs + (<usize>column << 3)) * gain));
      store<f32>(dst + ((<usize>i * <usize>outCols + <usize>j) << 2), value);
    }
  }
}

/** writeOrthogonal from an f64 y to f64: Q[i, j] d_j gain, or its transpose when the result is wide. */
export function writeOrthogonal64(
  y: usize, mPadded: i32, signs: usize, n: i32, m: i32, gain: f64, transpose: bool, dst: usize,
): void {
  const outCols = transpose ? n : m;
  const outRows = transpose ? m : n;
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      const row = transpose ? j : i, column = transpose ? i : j;
      const value = load<f64>(y + ((<usize>row * <usize>mPadded + <usize>column) << 3)) * (load<f64>(signs + (<usize>column << 3)) * gain);
      store<f64>(dst + ((<usize>i * <usize>outCols + <usize>j) << 3), value);
    }
  }
}
