// The probe's arithmetic: a float32 matrix product with arbitrary operand strides, convolution by im2col,
// activations and their derivatives, recurrent cells and normalizations, each forward and backward. The host
// (src/core/probe-wasm.ts) lays every array out in linear memory from heapBase() and passes byte addresses;
// src/diagnose/kernels.ts is the plain TypeScript version of every kernel for the js backend, step for step in
// the same order and precision (float32 operations rounded as float32, float64 ones in float64), so the two
// backends give the same bits. Transcendental functions are assembly/activations.ts's own float32 ones.

import {
  activationf, activationf4, derivativef, derivativef4, expf, expf4, sigmoidf, tanhf,
  LINEAR, RELU, LEAKY_RELU, ELU, SELU, GELU, SILU, MISH, TANH, SIGMOID, SOFTSIGN, SOFTMAX,
} from "./activations";
import { ONE } from "./f32math";
export { LINEAR, RELU, LEAKY_RELU, ELU, SELU, GELU, SILU, MISH, TANH, SIGMOID, SOFTSIGN, SOFTMAX };

// ---- matrix product --------------------------------------------------------------------------------------------
//
// C = A B (or C += A B) for an m x k A and a k x n B, each read through two element strides, so that a transpose
// is only a choice of strides: A(i, l) at a + (i aRow + l aInner) * 4, B(l, j) at b + (l bInner + j bColumn) * 4.
// C is row-major with ldc elements per row. The same 4 x 2-vector tile as the Householder update (householder.ts
// panelUpdate): four rows by eight columns, each lane summing over the inner index in increasing order. Both
// operands are first copied into contiguous panels (the usual packing of blocked matrix products): A in panels
// of four rows interleaved, `ROW_BLOCK` rows by `INNER_BLOCK` inner indices at a time, and B in strips of eight
// columns, so the tile reads two streams with constant offsets whatever the strides, and partial tiles are
// zero-padded, not special cased. `pack` is host scratch of (ROW_BLOCK + 8) * INNER_BLOCK floats.

/** Inner indices per block: a packed B strip (8 KiB) stays in L1 while every row panel passes over it. */
export const INNER_BLOCK: i32 = 256;

/** Rows per block: a packed block of A (256 KiB) stays in L2 while the strips of B pass over it. */
export const ROW_BLOCK: i32 = 256;

/** Where a partial tile is spilled before its valid part is stored: 4 rows x 8 floats. */
const TILE = memory.data(128, 16);

/** Panels of four rows of A, columns k0 .. k0 + kc - 1: panel p holds, for each l, A(4p + r, k0 + l) for r = 0..3. */
function packRows(m: i32, kc: i32, a: usize, aRow: i32, aInner: i32, pack: usize): void {
  const rowStep = <usize>aRow << 2, innerStep = <usize>aInner << 2;
  let to = pack;
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    const panelStart = a + <usize>i * rowStep;
    if (rows == 4) {
      let from = panelStart;
      for (let l = 0; l < kc; l++, from += innerStep, to += 16) {
        store<f32>(to, load<f32>(from));
        store<f32>(to, load<f32>(from + rowStep), 4);
        store<f32>(to, load<f32>(from + 2 * rowStep), 8);
        store<f32>(to, load<f32>(from + 3 * rowStep), 12);
      }
    } else {
      let from = panelStart;
      for (let l = 0; l < kc; l++, from += innerStep, to += 16) {
        v128.store(to, f32x4.splat(0));
        for (let r = 0; r < rows; r++) store<f32>(to + (<usize>r << 2), load<f32>(from + <usize>r * rowStep));
      }
    }
  }
}

/** A strip of B: for each l, B(k0 + l, j .. j + width - 1), zero-padded to eight floats. */
function packColumns(kc: i32, width: i32, b: usize, bInner: i32, bColumn: i32, strip: usize): void {
  const innerStep = <usize>bInner << 2, columnStep = <usize>bColumn << 2;
  let from = b, to = strip;
  if (width == 8 && bColumn == 1) {
    for (let l = 0; l < kc; l++, from += innerStep, to += 32) {
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from, 16), 16);
    }
    return;
  }
  for (let l = 0; l < kc; l++, from += innerStep, to += 32) {
    v128.store(to, f32x4.splat(0));
    v128.store(to, f32x4.splat(0), 16);
    for (let j = 0; j < width; j++) store<f32>(to + (<usize>j << 2), load<f32>(from + <usize>j * columnStep));
  }
}

/** One 4 x 8 tile of C from a packed row panel and a packed strip, over kc inner indices. */
// @ts-ignore: decorator
@inline function tile(kc: i32, panel: usize, strip: usize, c: usize, ldc: i32, rows: i32, width: i32, add: bool): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let at = panel, bt = strip;
  for (const end = panel + (<usize>kc << 4); at < end; at += 16, bt += 32) {
    const y0 = v128.load(bt), y1 = v128.load(bt, 16);
    let s = v128.load32_splat(at);
    a0 = f32x4.add(a0, f32x4.mul(s, y0)); b0 = f32x4.add(b0, f32x4.mul(s, y1));
    s = v128.load32_splat(at, 4);
    a1 = f32x4.add(a1, f32x4.mul(s, y0)); b1 = f32x4.add(b1, f32x4.mul(s, y1));
    s = v128.load32_splat(at, 8);
    a2 = f32x4.add(a2, f32x4.mul(s, y0)); b2 = f32x4.add(b2, f32x4.mul(s, y1));
    s = v128.load32_splat(at, 12);
    a3 = f32x4.add(a3, f32x4.mul(s, y0)); b3 = f32x4.add(b3, f32x4.mul(s, y1));
  }
  const rowBytes = <usize>ldc << 2;
  if (rows == 4 && width == 8) {
    if (add) {
      a0 = f32x4.add(v128.load(c), a0); b0 = f32x4.add(v128.load(c, 16), b0);
      a1 = f32x4.add(v128.load(c + rowBytes), a1); b1 = f32x4.add(v128.load(c + rowBytes, 16), b1);
      a2 = f32x4.add(v128.load(c + 2 * rowBytes), a2); b2 = f32x4.add(v128.load(c + 2 * rowBytes, 16), b2);
      a3 = f32x4.add(v128.load(c + 3 * rowBytes), a3); b3 = f32x4.add(v128.load(c + 3 * rowBytes, 16), b3);
    }
    v128.store(c, a0); v128.store(c, b0, 16);
    v128.store(c + rowBytes, a1); v128.store(c + rowBytes, b1, 16);
    v128.store(c + 2 * rowBytes, a2); v128.store(c + 2 * rowBytes, b2, 16);
    v128.store(c + 3 * rowBytes, a3); v128.store(c + 3 * rowBytes, b3, 16);
    return;
  }
  v128.store(TILE, a0); v128.store(TILE, b0, 16);
  v128.store(TILE, a1, 32); v128.store(TILE, b1, 48);
  v128.store(TILE, a2, 64); v128.store(TILE, b2, 80);
  v128.store(TILE, a3, 96); v128.store(TILE, b3, 112);
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * rowBytes;
    for (let j = 0; j < width; j++) {
      const to = row + (<usize>j << 2);
      const value = load<f32>(TILE + (<usize>(r * 8 + j) << 2));
      store<f32>(to, add ? load<f32>(to) + value : value);
    }
  }
}

export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, aRow: i32, aInner: i32,
  b: usize, bInner: i32, bColumn: i32,
  c: usize, ldc: i32, accumulate: bool, pack: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + ((<usize>i * <usize>ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const strip = pack + ((<usize>ROW_BLOCK * <usize>INNER_BLOCK) << 2);
  for (let k0 = 0; k0 < k; k0 += INNER_BLOCK) {
    const kc = min(INNER_BLOCK, k - k0);
    const add = accumulate || k0 > 0;
    for (let i0 = 0; i0 < m; i0 += ROW_BLOCK) {
      const mc = min(ROW_BLOCK, m - i0);
      packRows(mc, kc, a + ((<usize>i0 * <usize>aRow + <usize>k0 * <usize>aInner) << 2), aRow, aInner, pack);
      for (let j = 0; j < n; j += 8) {
        const width = min(8, n - j);
        packColumns(kc, width, b + ((<usize>k0 * <usize>bInner + <usize>j * <usize>bColumn) << 2), bInner, bColumn, strip);
        for (let i = 0; i < mc; i += 4) {
          tile(kc, pack + ((<usize>i * <usize>kc) << 2), strip, c + ((<usize>(i0 + i) * <usize>ldc + <usize>j) << 2), ldc, min(4, mc - i), width, add);
        }
      }
    }
  }
}

// ---- activations ---------------------------------------------------------------------------------------------
//
// The element-wise activations and their derivatives are assembly/activations.ts's float32 functions, four lanes
// at a time with the remainder in scalar form (the same bits either way); ReLU, leaky ReLU and the identity are
// exact and take a shorter path. Softmax is taken over each row of `cols` values (the feature axis), in float32:
// exp(x - max), summed in order, each divided by the sum.

/** post[i] = f(pre[i]) for `count` values, f fixed: inlined once per activation code, so the switch folds away. */
// @ts-ignore: decorator
@inline function activateEach(code: i32, slope: f32, count: usize, pre: usize, post: usize): void {
  const slope4 = f32x4.splat(slope);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) v128.store(post + (i << 2), activationf4(code, slope4, v128.load(pre + (i << 2))));
  for (; i < count; i++) store<f32>(post + (i << 2), activationf(code, slope, load<f32>(pre + (i << 2))));
}

/** grad[i] *= f'(pre[i]) given post[i] = f(pre[i]), as activateEach. */
// @ts-ignore: decorator
@inline function backwardEach(code: i32, slope: f32, count: usize, pre: usize, post: usize, grad: usize): void {
  const slope4 = f32x4.splat(slope);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    const at = i << 2;
    v128.store(grad + at, f32x4.mul(v128.load(grad + at), derivativef4(code, slope4, v128.load(pre + at), v128.load(post + at))));
  }
  for (; i < count; i++) {
    const at = i << 2;
    store<f32>(grad + at, load<f32>(grad + at) * derivativef(code, slope, load<f32>(pre + at), load<f32>(post + at)));
  }
}

/** post = f(pre) for rows x cols values (softmax: over each row). `slope` is leaky ReLU's, rounded to float32. */
export function activate(code: i32, slope: f64, rows: i32, cols: i32, pre: usize, post: usize): void {
  const count = <usize>rows * <usize>cols;
  const leak = <f32>slope;
  switch (code) {
    case SOFTMAX: {
      for (let i = 0; i < rows; i++) {
        const x = pre + ((<usize>i * <usize>cols) << 2), y = post + ((<usize>i * <usize>cols) << 2);
        let largest: f32 = -Infinity;
        for (let j = 0; j < cols; j++) largest = max<f32>(largest, load<f32>(x + (<usize>j << 2)));
        const shift = f32x4.splat(largest);
        let j = 0;
        for (; j + 4 <= cols; j += 4) v128.store(y + (<usize>j << 2), expf4(f32x4.sub(v128.load(x + (<usize>j << 2)), shift)));
        for (; j < cols; j++) store<f32>(y + (<usize>j << 2), expf(load<f32>(x + (<usize>j << 2)) - largest));
        let sum: f32 = 0;
        for (j = 0; j < cols; j++) sum += load<f32>(y + (<usize>j << 2));
        const total = f32x4.splat(sum);
        for (j = 0; j + 4 <= cols; j += 4) v128.store(y + (<usize>j << 2), f32x4.div(v128.load(y + (<usize>j << 2)), total));
        for (; j < cols; j++) store<f32>(y + (<usize>j << 2), load<f32>(y + (<usize>j << 2)) / sum);
      }
      return;
    }
    case LINEAR:
    case RELU:
    case LEAKY_RELU: {
      const factor: f32 = code == LINEAR ? 1 : code == RELU ? 0 : leak;
      const zero = f32x4.splat(0), factor4 = f32x4.splat(factor);
      let i: usize = 0;
      for (; i + 4 <= count; i += 4) {
        const x = v128.load(pre + (i << 2));
        // x > 0 ? x : factor * x, lane by lane (factor 1 for the identity).
        v128.store(post + (i << 2), v128.bitselect(x, f32x4.mul(factor4, x), f32x4.gt(x, zero)));
      }
      for (; i < count; i++) {
        const x = load<f32>(pre + (i << 2));
        store<f32>(post + (i << 2), x > 0 ? x : factor * x);
      }
      return;
    }
    case ELU: activateEach(ELU, leak, count, pre, post); return;
    case SELU: activateEach(SELU, leak, count, pre, post); return;
    case GELU: activateEach(GELU, leak, count, pre, post); return;
    case SILU: activateEach(SILU, leak, count, pre, post); return;
    case MISH: activateEach(MISH, leak, count, pre, post); return;
    case TANH: activateEach(TANH, leak, count, pre, post); return;
    case SIGMOID: activateEach(SIGMOID, leak, count, pre, post); return;
    case SOFTSIGN: activateEach(SOFTSIGN, leak, count, pre, post); return;
    default: unreachable();
  }
}

/** grad = grad * f'(pre), in place: the gradient with respect to the output becomes that of the input. */
export function activateBackward(code: i32, slope: f64, rows: i32, cols: i32, pre: usize, post: usize, grad: usize): void {
  const count = <usize>rows * <usize>cols;
  const leak = <f32>slope;
  switch (code) {
    case LINEAR: return;
    case SOFTMAX: {
      // dx = y * (g - sum_j g_j y_j) over each row, the sum in double precision.
      for (let i = 0; i < rows; i++) {
        const y = post + ((<usize>i * <usize>cols) << 2), g = grad + ((<usize>i * <usize>cols) << 2);
        let dot: f64 = 0;
        for (let j = 0; j < cols; j++) dot += <f64>load<f32>(g + (<usize>j << 2)) * <f64>load<f32>(y + (<usize>j << 2));
        for (let j = 0; j < cols; j++) {
          const at = g + (<usize>j << 2);
          store<f32>(at, <f32>(<f64>load<f32>(y + (<usize>j << 2)) * (<f64>load<f32>(at) - dot)));
        }
      }
      return;
    }
    case RELU:
    case LEAKY_RELU: {
      const factor: f32 = code == RELU ? 0 : leak;
      const zero = f32x4.splat(0), factor4 = f32x4.splat(factor);
      let i: usize = 0;
      for (; i + 4 <= count; i += 4) {
        const x = v128.load(pre + (i << 2)), g = v128.load(grad + (i << 2));
        v128.store(grad + (i << 2), v128.bitselect(g, f32x4.mul(factor4, g), f32x4.gt(x, zero)));
      }
      for (; i < count; i++) {
        const x = load<f32>(pre + (i << 2)), g = load<f32>(grad + (i << 2));
        store<f32>(grad + (i << 2), x > 0 ? g : factor * g);
      }
      return;
    }
    case ELU: backwardEach(ELU, leak, count, pre, post, grad); return;
    case SELU: backwardEach(SELU, leak, count, pre, post, grad); return;
    case GELU: backwardEach(GELU, leak, count, pre, post, grad); return;
    case SILU: backwardEach(SILU, leak, count, pre, post, grad); return;
    case MISH: backwardEach(MISH, leak, count, pre, post, grad); return;
    case TANH: backwardEach(TANH, leak, count, pre, post, grad); return;
    case SIGMOID: backwardEach(SIGMOID, leak, count, pre, post, grad); return;
    case SOFTSIGN: backwardEach(SOFTSIGN, leak, count, pre, post, grad); return;
    default: unreachable();
  }
}

// ---- element-wise helpers and layout changes -------------------------------------------------------------------

/** x[i, j] += v[j] for a rows x cols x. */
export function addRows(rows: i32, cols: i32, x: usize, v: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = x + ((<usize>i * <usize>cols) << 2);
    for (let j = 0; j < cols; j++) {
      const at = row + (<usize>j << 2);
      store<f32>(at, load<f32>(at) + load<f32>(v + (<usize>j << 2)));
    }
  }
}

/** dst[i] += src[i]. */
export function addInto(count: i32, src: usize, dst: usize): void {
  let i: usize = 0;
  for (; i + 4 <= <usize>count; i += 4) v128.store(dst + (i << 2), f32x4.add(v128.load(dst + (i << 2)), v128.load(src + (i << 2))));
  for (; i < <usize>count; i++) store<f32>(dst + (i << 2), load<f32>(dst + (i << 2)) + load<f32>(src + (i << 2)));
}

/** Row ids[i] of a table of `dim` columns into row i of out, for `count` ids (integers stored as f32). */
export function gatherRows(count: i32, ids: usize, table: usize, dim: i32, out: usize): void {
  const bytes = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    memory.copy(out + <usize>i * bytes, table + <usize><i32>load<f32>(ids + (<usize>i << 2)) * bytes, bytes);
  }
}

/** dst[b, a, :] = src[a, b, :] for src of shape [na, nb, width]: batch-major <-> step-major sequences. */
export function swapOuterAxes(na: i32, nb: i32, width: i32, src: usize, dst: usize): void {
  const bytes = <usize>width << 2;
  for (let a = 0; a < na; a++) {
    for (let b = 0; b < nb; b++) {
      memory.copy(dst + (<usize>b * <usize>na + <usize>a) * bytes, src + (<usize>a * <usize>nb + <usize>b) * bytes, bytes);
    }
  }
}

/** dst[n, j, i] = src[n, i, j] for each of `batch` rows x cols matrices. */
export function transposeEach(batch: i32, rows: i32, cols: i32, src: usize, dst: usize): void {
  const size = <usize>rows * <usize>cols;
  for (let n = 0; n < batch; n++) {
    const from = src + ((<usize>n * size) << 2), to = dst + ((<usize>n * size) << 2);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        store<f32>(to + ((<usize>j * <usize>rows + <usize>i) << 2), load<f32>(from + ((<usize>i * <usize>cols + <usize>j) << 2)));
      }
    }
  }
}

// ---- convolution by im2col -------------------------------------------------------------------------------------
//
// Stride 1, 'same' zero padding (PyTorch's padding='same': `before` = (k - 1) / 2 zeros before each axis, the
// rest after), channels last: a sample is [depth, height, width, channels] (1-D and 2-D convolutions have unit
// leading axes). Row p of a sample's columns is output position p; column (c, q) holds input channel
// c0 + c at position p + q - before, with q running over the kernel's positions, ordered c * K + q when
// channelMajor (PyTorch's weight [out, in, ...kernel]) and q * channels + c otherwise (Keras's [...kernel, in, out]).

/**
 * The one traversal of im2col and col2im: for every sample, output position, kernel offset and channel, the
 * column element and the input element it mirrors. `adjoint` false copies input to columns (zeros outside the
 * input); true adds each column element to its input element (skipping the padding).
 */
// @ts-ignore: decorator
@inline function columnPass(
  adjoint: bool, samples: i32, depth: i32, height: i32, width: i32, channels: i32, c0: i32, groupChannels: i32,
  kd: i32, kh: i32, kw: i32, channelMajor: bool, image: usize, cols: usize,
): void {
  const positions = depth * height * width, kernel = kd * kh * kw;
  const columns = groupChannels * kernel;
  const pd = (kd - 1) >> 1, ph = (kh - 1) >> 1, pw = (kw - 1) >> 1;
  for (let s = 0; s < samples; s++) {
    const sample = image + ((<usize>s * <usize>positions * <usize>channels) << 2);
    for (let z = 0; z < depth; z++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const row = cols + ((<usize>((s * depth + z) * height + y) * <usize>width + <usize>x) * <usize>columns << 2);
      for (let dz = 0; dz < kd; dz++) for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
        const q = (dz * kh + dy) * kw + dx;
        const iz = z + dz - pd, iy = y + dy - ph, ix = x + dx - pw;
        const inside = iz >= 0 && iz < depth && iy >= 0 && iy < height && ix >= 0 && ix < width;
        if (adjoint && !inside) continue;
        const at = sample + ((<usize>((iz * height + iy) * width + ix) * <usize>channels + <usize>c0) << 2);
        for (let c = 0; c < groupChannels; c++) {
          const column = row + (<usize>(channelMajor ? c * kernel + q : q * groupChannels + c) << 2);
          const pixel = at + (<usize>c << 2);
          if (adjoint) store<f32>(pixel, load<f32>(pixel) + load<f32>(column));
          else store<f32>(column, inside ? load<f32>(pixel) : 0);
        }
      }
    }
  }
}

/** Columns of a chunk of samples for channels c0 .. c0 + groupChannels - 1 of src: [samples x positions, groupChannels x K]. */
export function im2col(
  samples: i32, depth: i32, height: i32, width: i32, channels: i32, c0: i32, groupChannels: i32,
  kd: i32, kh: i32, kw: i32, channelMajor: bool, src: usize, dst: usize,
): void {
  columnPass(false, samples, depth, height, width, channels, c0, groupChannels, kd, kh, kw, channelMajor, src, dst);
}

/** The adjoint of im2col: dst (channels c0 .. c0 + groupChannels - 1) += each column value at its input position. */
export function col2im(
  samples: i32, depth: i32, height: i32, width: i32, channels: i32, c0: i32, groupChannels: i32,
  kd: i32, kh: i32, kw: i32, channelMajor: bool, src: usize, dst: usize,
): void {
  columnPass(true, samples, depth, height, width, channels, c0, groupChannels, kd, kh, kw, channelMajor, dst, src);
}

// ---- recurrent cells -------------------------------------------------------------------------------------------
//
// One time step for `rows` samples of `units` units. The host computes the gate pre-activations with gemm
// (input and recurrent products plus biases) and passes the previous state (zeros before the first step). The
// forward steps compute in float32, the backward steps in float64 from float32 values, rounded on store.

/**
 * LSTM (Hochreiter and Schmidhuber 1997, with a forget gate; PyTorch's nn.LSTM equations): pre holds the gates
 * i, f, g, o (blocks of `units`; Keras's i, f, c, o are in the same places). act = (sigma(i), sigma(f), tanh(g),
 * sigma(o)), c = f c' + i g, h = o tanh(c).
 */
export function lstmForward(rows: i32, units: i32, pre: usize, act: usize, cPrev: usize, c: usize, h: usize): void {
  const gates = <usize>units << 2;
  for (let n = 0; n < rows; n++) {
    const p = pre + <usize>n * (gates << 2), a = act + <usize>n * (gates << 2);
    const state = <usize>n * gates;
    for (let j = 0; j < units; j++) {
      const at = <usize>j << 2;
      const i = sigmoidf(load<f32>(p + at));
      const f = sigmoidf(load<f32>(p + gates + at));
      const g = tanhf(load<f32>(p + 2 * gates + at));
      const o = sigmoidf(load<f32>(p + 3 * gates + at));
      store<f32>(a + at, i);
      store<f32>(a + gates + at, f);
      store<f32>(a + 2 * gates + at, g);
      store<f32>(a + 3 * gates + at, o);
      const cell = f * load<f32>(cPrev + state + at) + i * g;
      store<f32>(c + state + at, cell);
      store<f32>(h + state + at, o * tanhf(cell));
    }
  }
}

/**
 * Backward through one LSTM step. dh: the gradient reaching h_t (from the layer's output and from step t + 1);
 * dc: on entry the gradient reaching c_t from step t + 1, on exit the one reaching c_{t-1}. Writes the gradient
 * of the gate pre-activations to dPre.
 */
export function lstmBackward(rows: i32, units: i32, act: usize, cPrev: usize, c: usize, dh: usize, dc: usize, dPre: usize): void {
  const gates = <usize>units << 2;
  for (let n = 0; n < rows; n++) {
    const a = act + <usize>n * (gates << 2), d = dPre + <usize>n * (gates << 2);
    const state = <usize>n * gates;
    for (let j = 0; j < units; j++) {
      const at = <usize>j << 2;
      const i = <f64>load<f32>(a + at), f = <f64>load<f32>(a + gates + at);
      const g = <f64>load<f32>(a + 2 * gates + at), o = <f64>load<f32>(a + 3 * gates + at);
      const tc = <f64>tanhf(load<f32>(c + state + at));
      const gh = <f64>load<f32>(dh + state + at);
      const gc = <f64>load<f32>(dc + state + at) + gh * o * (1 - tc * tc);
      store<f32>(d + at, <f32>(gc * g * i * (1 - i)));
      store<f32>(d + gates + at, <f32>(gc * <f64>load<f32>(cPrev + state + at) * f * (1 - f)));
      store<f32>(d + 2 * gates + at, <f32>(gc * i * (1 - g * g)));
      store<f32>(d + 3 * gates + at, <f32>(gh * tc * o * (1 - o)));
      store<f32>(dc + state + at, <f32>(gc * f));
    }
  }
}

/**
 * GRU (Cho et al. 2014, with the reset gate applied after the recurrent product as PyTorch's nn.GRU and Keras's
 * reset_after=True): r = sigma(x_r + h_r), z = sigma(x_z + h_z), n = tanh(x_n + r h_n), h = (1 - z) n + z h'.
 * x and hPart hold the input and recurrent products with their biases, their r, z, n blocks at block indices
 * rBlock, zBlock, nBlock (PyTorch orders r, z, n; Keras z, r, h). pre receives the gates' pre-activations.
 */
export function gruForward(
  rows: i32, units: i32, rBlock: i32, zBlock: i32, nBlock: i32,
  x: usize, hPart: usize, hPrev: usize, pre: usize, act: usize, h: usize,
): void {
  const block = <usize>units << 2, rowBytes: usize = 3 * block;
  const rAt = <usize>rBlock * block, zAt = <usize>zBlock * block, nAt = <usize>nBlock * block;
  for (let n = 0; n < rows; n++) {
    const xRow = x + <usize>n * rowBytes, hRow = hPart + <usize>n * rowBytes;
    const pRow = pre + <usize>n * rowBytes, aRow = act + <usize>n * rowBytes;
    const state = <usize>n * block;
    for (let j = 0; j < units; j++) {
      const at = <usize>j << 2;
      const rPre = load<f32>(xRow + rAt + at) + load<f32>(hRow + rAt + at);
      const zPre = load<f32>(xRow + zAt + at) + load<f32>(hRow + zAt + at);
      const r = sigmoidf(rPre), z = sigmoidf(zPre);
      const nPre = load<f32>(xRow + nAt + at) + r * load<f32>(hRow + nAt + at);
      const candidate = tanhf(nPre);
      store<f32>(pRow + rAt + at, rPre); store<f32>(pRow + zAt + at, zPre); store<f32>(pRow + nAt + at, nPre);
      store<f32>(aRow + rAt + at, r); store<f32>(aRow + zAt + at, z); store<f32>(aRow + nAt + at, candidate);
      store<f32>(h + state + at, (ONE - z) * candidate + z * load<f32>(hPrev + state + at));
    }
  }
}

/**
 * Backward through one GRU step: from dh (the gradient reaching h_t), the gradients of the input part (dx), of
 * the recurrent part (dhPart, to multiply by the recurrent weight) and the direct part z dh of the gradient
 * reaching h_{t-1} (dhPrev; the host adds dhPart W_hh).
 */
export function gruBackward(
  rows: i32, units: i32, rBlock: i32, zBlock: i32, nBlock: i32,
  hPart: usize, hPrev: usize, act: usize, dh: usize, dx: usize, dhPart: usize, dhPrev: usize,
): void {
  const block = <usize>units << 2, rowBytes: usize = 3 * block;
  const rAt = <usize>rBlock * block, zAt = <usize>zBlock * block, nAt = <usize>nBlock * block;
  for (let n = 0; n < rows; n++) {
    const hRow = hPart + <usize>n * rowBytes, aRow = act + <usize>n * rowBytes;
    const dxRow = dx + <usize>n * rowBytes, dhRow = dhPart + <usize>n * rowBytes;
    const state = <usize>n * block;
    for (let j = 0; j < units; j++) {
      const at = <usize>j << 2;
      const r = <f64>load<f32>(aRow + rAt + at), z = <f64>load<f32>(aRow + zAt + at), c = <f64>load<f32>(aRow + nAt + at);
      const g = <f64>load<f32>(dh + state + at), previous = <f64>load<f32>(hPrev + state + at);
      const dnPre = g * (1 - z) * (1 - c * c);
      const drPre = dnPre * <f64>load<f32>(hRow + nAt + at) * r * (1 - r);
      const dzPre = g * (previous - c) * z * (1 - z);
      store<f32>(dxRow + rAt + at, <f32>drPre); store<f32>(dxRow + zAt + at, <f32>dzPre); store<f32>(dxRow + nAt + at, <f32>dnPre);
      store<f32>(dhRow + rAt + at, <f32>drPre); store<f32>(dhRow + zAt + at, <f32>dzPre); store<f32>(dhRow + nAt + at, <f32>(dnPre * r));
      store<f32>(dhPrev + state + at, <f32>(g * z));
    }
  }
}

// ---- normalization ---------------------------------------------------------------------------------------------
//
// Statistics in f64. stats receives, per normalized group, the mean (0 for RMSNorm) and 1 / sqrt(variance + eps)
// (RMSNorm: 1 / sqrt(mean square + eps)); the backward pass reads them.

/** LayerNorm (centered) or RMSNorm over each row of cols values: y = (x - mean) * inv * scale + shift. */
export function rowNorm(rows: i32, cols: i32, x: usize, y: usize, scale: usize, shift: usize, hasShift: bool, centered: bool, eps: f64, stats: usize): void {
  for (let i = 0; i < rows; i++) {
    const xRow = x + ((<usize>i * <usize>cols) << 2), yRow = y + ((<usize>i * <usize>cols) << 2);
    let mean: f64 = 0;
    if (centered) {
      for (let j = 0; j < cols; j++) mean += <f64>load<f32>(xRow + (<usize>j << 2));
      mean /= cols;
    }
    let squares: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const d = <f64>load<f32>(xRow + (<usize>j << 2)) - mean;
      squares += d * d;
    }
    const inv = 1 / Math.sqrt(squares / cols + eps);
    store<f32>(stats + (<usize>i << 3), <f32>mean);
    store<f32>(stats + (<usize>i << 3), <f32>inv, 4);
    for (let j = 0; j < cols; j++) {
      const at = <usize>j << 2;
      let value = (<f64>load<f32>(xRow + at) - mean) * inv * <f64>load<f32>(scale + at);
      if (hasShift) value += <f64>load<f32>(shift + at);
      store<f32>(yRow + at, <f32>value);
    }
  }
}

/** dx of rowNorm: inv (g - mean(g) - xhat mean(g xhat)) with g = grad * scale (RMSNorm: no mean(g) term). */
export function rowNormBackward(rows: i32, cols: i32, x: usize, scale: usize, centered: bool, stats: usize, grad: usize, dx: usize): void {
  for (let i = 0; i < rows; i++) {
    const xRow = x + ((<usize>i * <usize>cols) << 2), gRow = grad + ((<usize>i * <usize>cols) << 2);
    const dRow = dx + ((<usize>i * <usize>cols) << 2);
    const mean = <f64>load<f32>(stats + (<usize>i << 3)), inv = <f64>load<f32>(stats + (<usize>i << 3), 4);
    let gMean: f64 = 0, gxMean: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const at = <usize>j << 2;
      const g = <f64>load<f32>(gRow + at) * <f64>load<f32>(scale + at);
      gMean += g;
      gxMean += g * (<f64>load<f32>(xRow + at) - mean) * inv;
    }
    gMean = centered ? gMean / cols : 0;
    gxMean /= cols;
    for (let j = 0; j < cols; j++) {
      const at = <usize>j << 2;
      const g = <f64>load<f32>(gRow + at) * <f64>load<f32>(scale + at);
      const xhat = (<f64>load<f32>(xRow + at) - mean) * inv;
      store<f32>(dRow + at, <f32>(inv * (g - gMean - xhat * gxMean)));
    }
  }
}

/** BatchNorm in training mode: each column normalized over the rows (samples and positions). */
export function columnNorm(rows: i32, cols: i32, x: usize, y: usize, scale: usize, shift: usize, eps: f64, stats: usize): void {
  for (let j = 0; j < cols; j++) {
    const column = x + (<usize>j << 2), rowBytes = <usize>cols << 2;
    let mean: f64 = 0;
    for (let i = 0; i < rows; i++) mean += <f64>load<f32>(column + <usize>i * rowBytes);
    mean /= rows;
    let squares: f64 = 0;
    for (let i = 0; i < rows; i++) {
      const d = <f64>load<f32>(column + <usize>i * rowBytes) - mean;
      squares += d * d;
    }
    const inv = 1 / Math.sqrt(squares / rows + eps);
    store<f32>(stats + (<usize>j << 3), <f32>mean);
    store<f32>(stats + (<usize>j << 3), <f32>inv, 4);
    const gamma = <f64>load<f32>(scale + (<usize>j << 2)), beta = <f64>load<f32>(shift + (<usize>j << 2));
    for (let i = 0; i < rows; i++) {
      const at = <usize>i * rowBytes + (<usize>j << 2);
      store<f32>(y + at, <f32>((<f64>load<f32>(x + at) - mean) * inv * gamma + beta));
    }
  }
}

export function columnNormBackward(rows: i32, cols: i32, x: usize, scale: usize, stats: usize, grad: usize, dx: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let j = 0; j < cols; j++) {
    const mean = <f64>load<f32>(stats + (<usize>j << 3)), inv = <f64>load<f32>(stats + (<usize>j << 3), 4);
    const gamma = <f64>load<f32>(scale + (<usize>j << 2));
    let gMean: f64 = 0, gxMean: f64 = 0;
    for (let i = 0; i < rows; i++) {
      const at = <usize>i * rowBytes + (<usize>j << 2);
      const g = <f64>load<f32>(grad + at) * gamma;
      gMean += g;
      gxMean += g * (<f64>load<f32>(x + at) - mean) * inv;
    }
    gMean /= rows;
    gxMean /= rows;
    for (let i = 0; i < rows; i++) {
      const at = <usize>i * rowBytes + (<usize>j << 2);
      const g = <f64>load<f32>(grad + at) * gamma;
      store<f32>(dx + at, <f32>(inv * (g - gMean - (<f64>load<f32>(x + at) - mean) * inv * gxMean)));
    }
  }
}
