// The probe's kernels in plain TypeScript, for the js backend (and wherever WebAssembly SIMD is missing): the
// same operations as assembly/probe.ts, in the same order and the same precision, over a Float32Array heap:
// float32 operations rounded to float32 (a Float32Array store, or Math.fround), float64 ones in float64, and the
// transcendental functions of src/core/probe-math.ts (the wasm module's own float32 ones). So both backends give
// the same bits, and lsuv's scales do not depend on the backend.

import { ACTIVATION_CODES as A, INNER_BLOCK, type ConvGeometry, type ProbeKernels } from '../core/probe-kernels.js';
import { activationf, derivativef, expf, sigmoidf, tanhf } from '../core/probe-math.js';

const fround = Math.fround;

/** TypeScript probe kernels over a growable Float32Array. */
export function createJsProbeKernels(): ProbeKernels {
  let h = new Float32Array(0);
  let row = new Float32Array(0);

  function each(g: ConvGeometry, visit: (columnIndex: number, inputIndex: number, rowStart: number) => void): void {
    const { samples, depth, height, width, channels, c0, groupChannels, kd, kh, kw, channelMajor } = g;
    const positions = depth * height * width, kernel = kd * kh * kw, columns = groupChannels * kernel;
    const pd = (kd - 1) >> 1, ph = (kh - 1) >> 1, pw = (kw - 1) >> 1;
    for (let s = 0; s < samples; s++) {
      const sample = s * positions * channels;
      for (let z = 0; z < depth; z++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
        const rowStart = (((s * depth + z) * height + y) * width + x) * columns;
        for (let dz = 0; dz < kd; dz++) for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
          const q = (dz * kh + dy) * kw + dx;
          const iz = z + dz - pd, iy = y + dy - ph, ix = x + dx - pw;
          const inside = iz >= 0 && iz < depth && iy >= 0 && iy < height && ix >= 0 && ix < width;
          const from = sample + ((iz * height + iy) * width + ix) * channels + c0;
          for (let c = 0; c < groupChannels; c++) {
            visit(rowStart + (channelMajor ? c * kernel + q : q * groupChannels + c), inside ? from + c : -1, rowStart);
          }
        }
      }
    }
  }

  return {
    name: 'js',
    reserve(elements) {
      if (h.length < elements) {
        const grown = new Float32Array(elements);
        grown.set(h);
        h = grown;
      }
      return h;
    },
    view: () => h,

    gemm(m, n, k, a, aRow, aInner, b, bInner, bColumn, c, ldc, accumulate) {
      // Each C(i, j) sums its products in float32, in increasing inner index, one block of INNER_BLOCK at a time
      // from +0, and adds each block's sum to C (the first block replaces C unless accumulating): the order of
      // assembly/probe.ts's tile.
      if (m <= 0 || n <= 0) return;
      if (k <= 0) {
        if (!accumulate) for (let i = 0; i < m; i++) h.fill(0, c + i * ldc, c + i * ldc + n);
        return;
      }
      if (row.length < n) row = new Float32Array(n);
      for (let k0 = 0; k0 < k; k0 += INNER_BLOCK) {
        const end = Math.min(k, k0 + INNER_BLOCK), replace = k0 === 0 && !accumulate;
        for (let i = 0; i < m; i++) {
          row.fill(0, 0, n);
          for (let l = k0; l < end; l++) {
            const s = h[a + i * aRow + l * aInner];
            const bRow = b + l * bInner;
            for (let j = 0; j < n; j++) row[j] += fround(s * h[bRow + j * bColumn]);
          }
          const cRow = c + i * ldc;
          for (let j = 0; j < n; j++) h[cRow + j] = replace ? row[j] : h[cRow + j] + row[j];
        }
      }
    },

    activate(code, slope, rows, cols, pre, post) {
      if (code === A.softmax) {
        for (let i = 0; i < rows; i++) {
          const x = pre + i * cols, y = post + i * cols;
          let largest = -Infinity;
          for (let j = 0; j < cols; j++) largest = Math.max(largest, h[x + j]);
          for (let j = 0; j < cols; j++) h[y + j] = expf(fround(h[x + j] - largest));
          let sum = 0;
          for (let j = 0; j < cols; j++) sum = fround(sum + h[y + j]);
          for (let j = 0; j < cols; j++) h[y + j] /= sum;
        }
        return;
      }
      const leak = fround(slope), count = rows * cols;
      for (let i = 0; i < count; i++) h[post + i] = activationf(code, leak, h[pre + i]);
    },

    activateBackward(code, slope, rows, cols, pre, post, grad) {
      if (code === A.linear) return;
      if (code === A.softmax) {
        for (let i = 0; i < rows; i++) {
          const y = post + i * cols, g = grad + i * cols;
          let dot = 0;
          for (let j = 0; j < cols; j++) dot += h[g + j] * h[y + j];
          for (let j = 0; j < cols; j++) h[g + j] = h[y + j] * (h[g + j] - dot);
        }
        return;
      }
      const leak = fround(slope), count = rows * cols;
      for (let i = 0; i < count; i++) h[grad + i] *= derivativef(code, leak, h[pre + i], h[post + i]);
    },

    addRows(rows, cols, x, v) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) h[x + i * cols + j] += h[v + j];
    },
    addInto(count, src, dst) {
      for (let i = 0; i < count; i++) h[dst + i] += h[src + i];
    },
    gatherRows(count, ids, table, dim, out) {
      for (let i = 0; i < count; i++) {
        const row = table + h[ids + i] * dim;
        h.copyWithin(out + i * dim, row, row + dim);
      }
    },
    swapOuterAxes(na, nb, width, src, dst) {
      for (let a = 0; a < na; a++) for (let b = 0; b < nb; b++) {
        h.copyWithin(dst + (b * na + a) * width, src + (a * nb + b) * width, src + (a * nb + b + 1) * width);
      }
    },
    transposeEach(batch, rows, cols, src, dst) {
      const size = rows * cols;
      for (let n = 0; n < batch; n++) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        h[dst + n * size + j * rows + i] = h[src + n * size + i * cols + j];
      }
    },
    im2col(g, src, dst) {
      each(g, (column, input) => { h[dst + column] = input < 0 ? 0 : h[src + input]; });
    },
    col2im(g, src, dst) {
      each(g, (column, input) => { if (input >= 0) h[dst + input] += h[src + column]; });
    },

    lstmForward(rows, units, pre, act, cPrev, c, hOut) {
      const gates = 4 * units;
      for (let n = 0; n < rows; n++) {
        const p = pre + n * gates, a = act + n * gates, state = n * units;
        for (let j = 0; j < units; j++) {
          const i = sigmoidf(h[p + j]);
          const f = sigmoidf(h[p + units + j]);
          const g = tanhf(h[p + 2 * units + j]);
          const o = sigmoidf(h[p + 3 * units + j]);
          h[a + j] = i; h[a + units + j] = f; h[a + 2 * units + j] = g; h[a + 3 * units + j] = o;
          const cell = fround(fround(f * h[cPrev + state + j]) + fround(i * g));
          h[c + state + j] = cell;
          h[hOut + state + j] = o * tanhf(cell);
        }
      }
    },
    lstmBackward(rows, units, act, cPrev, c, dh, dc, dPre) {
      const gates = 4 * units;
      for (let n = 0; n < rows; n++) {
        const a = act + n * gates, d = dPre + n * gates, state = n * units;
        for (let j = 0; j < units; j++) {
          const i = h[a + j], f = h[a + units + j], g = h[a + 2 * units + j], o = h[a + 3 * units + j];
          const tc = tanhf(h[c + state + j]);
          const gh = h[dh + state + j];
          const gc = h[dc + state + j] + gh * o * (1 - tc * tc);
          h[d + j] = gc * g * i * (1 - i);
          h[d + units + j] = gc * h[cPrev + state + j] * f * (1 - f);
          h[d + 2 * units + j] = gc * i * (1 - g * g);
          h[d + 3 * units + j] = gh * tc * o * (1 - o);
          h[dc + state + j] = gc * f;
        }
      }
    },
    gruForward(rows, units, rBlock, zBlock, nBlock, x, hPart, hPrev, pre, act, hOut) {
      const width = 3 * units, rAt = rBlock * units, zAt = zBlock * units, nAt = nBlock * units;
      for (let n = 0; n < rows; n++) {
        const xRow = x + n * width, hRow = hPart + n * width, pRow = pre + n * width, aRow = act + n * width, state = n * units;
        for (let j = 0; j < units; j++) {
          const rPre = fround(h[xRow + rAt + j] + h[hRow + rAt + j]);
          const zPre = fround(h[xRow + zAt + j] + h[hRow + zAt + j]);
          const r = sigmoidf(rPre), z = sigmoidf(zPre);
          const nPre = fround(h[xRow + nAt + j] + fround(r * h[hRow + nAt + j]));
          const candidate = tanhf(nPre);
          h[pRow + rAt + j] = rPre; h[pRow + zAt + j] = zPre; h[pRow + nAt + j] = nPre;
          h[aRow + rAt + j] = r; h[aRow + zAt + j] = z; h[aRow + nAt + j] = candidate;
          h[hOut + state + j] = fround(fround(1 - z) * candidate) + fround(z * h[hPrev + state + j]);
        }
      }
    },
    gruBackward(rows, units, rBlock, zBlock, nBlock, hPart, hPrev, act, dh, dx, dhPart, dhPrev) {
      const width = 3 * units, rAt = rBlock * units, zAt = zBlock * units, nAt = nBlock * units;
      for (let n = 0; n < rows; n++) {
        const hRow = hPart + n * width, aRow = act + n * width, dxRow = dx + n * width, dhRow = dhPart + n * width, state = n * units;
        for (let j = 0; j < units; j++) {
          const r = h[aRow + rAt + j], z = h[aRow + zAt + j], c = h[aRow + nAt + j];
          const g = h[dh + state + j], previous = h[hPrev + state + j];
          const dnPre = g * (1 - z) * (1 - c * c);
          const drPre = dnPre * h[hRow + nAt + j] * r * (1 - r);
          const dzPre = g * (previous - c) * z * (1 - z);
          h[dxRow + rAt + j] = drPre; h[dxRow + zAt + j] = dzPre; h[dxRow + nAt + j] = dnPre;
          h[dhRow + rAt + j] = drPre; h[dhRow + zAt + j] = dzPre; h[dhRow + nAt + j] = dnPre * r;
          h[dhPrev + state + j] = g * z;
        }
      }
    },

    rowNorm(rows, cols, x, y, scale, shift, hasShift, centered, eps, stats) {
      for (let i = 0; i < rows; i++) {
        const xRow = x + i * cols, yRow = y + i * cols;
        let mean = 0;
        if (centered) {
          for (let j = 0; j < cols; j++) mean += h[xRow + j];
          mean /= cols;
        }
        let squares = 0;
        for (let j = 0; j < cols; j++) {
          const d = h[xRow + j] - mean;
          squares += d * d;
        }
        const inv = 1 / Math.sqrt(squares / cols + eps);
        h[stats + 2 * i] = mean;
        h[stats + 2 * i + 1] = inv;
        for (let j = 0; j < cols; j++) {
          let value = (h[xRow + j] - mean) * inv * h[scale + j];
          if (hasShift) value += h[shift + j];
          h[yRow + j] = value;
        }
      }
    },
    rowNormBackward(rows, cols, x, scale, centered, stats, grad, dx) {
      for (let i = 0; i < rows; i++) {
        const xRow = x + i * cols, gRow = grad + i * cols, dRow = dx + i * cols;
        const mean = h[stats + 2 * i], inv = h[stats + 2 * i + 1];
        let gMean = 0, gxMean = 0;
        for (let j = 0; j < cols; j++) {
          const g = h[gRow + j] * h[scale + j];
          gMean += g;
          gxMean += g * (h[xRow + j] - mean) * inv;
        }
        gMean = centered ? gMean / cols : 0;
        gxMean /= cols;
        for (let j = 0; j < cols; j++) {
          const g = h[gRow + j] * h[scale + j];
          h[dRow + j] = inv * (g - gMean - (h[xRow + j] - mean) * inv * gxMean);
        }
      }
    },
    columnNorm(rows, cols, x, y, scale, shift, eps, stats) {
      for (let j = 0; j < cols; j++) {
        let mean = 0;
        for (let i = 0; i < rows; i++) mean += h[x + i * cols + j];
        mean /= rows;
        let squares = 0;
        for (let i = 0; i < rows; i++) {
          const d = h[x + i * cols + j] - mean;
          squares += d * d;
        }
        const inv = 1 / Math.sqrt(squares / rows + eps);
        h[stats + 2 * j] = mean;
        h[stats + 2 * j + 1] = inv;
        for (let i = 0; i < rows; i++) h[y + i * cols + j] = (h[x + i * cols + j] - mean) * inv * h[scale + j] + h[shift + j];
      }
    },
    columnNormBackward(rows, cols, x, scale, stats, grad, dx) {
      for (let j = 0; j < cols; j++) {
        const mean = h[stats + 2 * j], inv = h[stats + 2 * j + 1], gamma = h[scale + j];
        let gMean = 0, gxMean = 0;
        for (let i = 0; i < rows; i++) {
          const g = h[grad + i * cols + j] * gamma;
          gMean += g;
          gxMean += g * (h[x + i * cols + j] - mean) * inv;
        }
        gMean /= rows;
        gxMean /= rows;
        for (let i = 0; i < rows; i++) {
          const g = h[grad + i * cols + j] * gamma;
          h[dx + i * cols + j] = inv * (g - gMean - (h[x + i * cols + j] - mean) * inv * gxMean);
        }
      }
    },
  };
}
