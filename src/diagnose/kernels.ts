// The probe's kernels in plain TypeScript, for the js backend (and wherever WebAssembly SIMD is missing): the
// same operations as assembly/probe.ts, in the same order, over a Float32Array heap. Sums run in float64 and
// round once on store, so results agree with the wasm kernels to float32 rounding, not bit for bit.

import { ACTIVATION_CODES as A, type ConvGeometry, type ProbeKernels } from '../core/probe-kernels.js';

const SELU_LAMBDA = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.39894228040143267793994605993438;

/** erfc with fractional error below 1.2e-7 (Press et al., Numerical Recipes, 2nd ed., section 6.2, erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));

export function activation(code: number, slope: number, x: number): number {
  switch (code) {
    case A.elu: return x > 0 ? x : Math.expm1(x);
    case A.selu: return x > 0 ? SELU_LAMBDA * x : SELU_LAMBDA * SELU_ALPHA * Math.expm1(x);
    case A.gelu: return 0.5 * x * erfc(-x * INV_SQRT2);
    case A.silu: return x * sigmoid(x);
    case A.mish: return x * Math.tanh(softplus(x));
    case A.tanh: return Math.tanh(x);
    case A.sigmoid: return sigmoid(x);
    case A.softsign: return x / (1 + Math.abs(x));
    case A.relu: return x > 0 ? x : 0;
    case A.leaky_relu: return x > 0 ? x : slope * x;
    default: return x;
  }
}

export function derivative(code: number, slope: number, x: number, y: number): number {
  switch (code) {
    case A.elu: return x > 0 ? 1 : y + 1;
    case A.selu: return x > 0 ? SELU_LAMBDA : y + SELU_LAMBDA * SELU_ALPHA;
    case A.gelu: return 0.5 * erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case A.silu: {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case A.mish: {
      const t = Math.tanh(softplus(x));
      return t + x * (1 - t * t) * sigmoid(x);
    }
    case A.tanh: return 1 - y * y;
    case A.sigmoid: return y * (1 - y);
    case A.softsign: {
      const d = 1 + Math.abs(x);
      return 1 / (d * d);
    }
    case A.relu: return x > 0 ? 1 : 0;
    case A.leaky_relu: return x > 0 ? 1 : slope;
    default: return 1;
  }
}

/** TypeScript probe kernels over a growable Float32Array. */
export function createJsProbeKernels(): ProbeKernels {
  let h = new Float32Array(0);
  let row = new Float64Array(0);

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
      if (row.length < n) row = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        row.fill(0, 0, n);
        for (let l = 0; l < k; l++) {
          const s = h[a + i * aRow + l * aInner];
          if (s === 0) continue;
          const bRow = b + l * bInner;
          for (let j = 0; j < n; j++) row[j] += s * h[bRow + j * bColumn];
        }
        const cRow = c + i * ldc;
        for (let j = 0; j < n; j++) h[cRow + j] = accumulate ? h[cRow + j] + row[j] : row[j];
      }
    },

    activate(code, slope, rows, cols, pre, post) {
      if (code === A.softmax) {
        for (let i = 0; i < rows; i++) {
          const x = pre + i * cols, y = post + i * cols;
          let largest = -Infinity;
          for (let j = 0; j < cols; j++) largest = Math.max(largest, h[x + j]);
          let sum = 0;
          for (let j = 0; j < cols; j++) sum += Math.exp(h[x + j] - largest);
          for (let j = 0; j < cols; j++) h[y + j] = Math.exp(h[x + j] - largest) / sum;
        }
        return;
      }
      const count = rows * cols;
      for (let i = 0; i < count; i++) h[post + i] = activation(code, slope, h[pre + i]);
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
      const count = rows * cols;
      for (let i = 0; i < count; i++) h[grad + i] *= derivative(code, slope, h[pre + i], h[post + i]);
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
          const i = Math.fround(sigmoid(h[p + j]));
          const f = Math.fround(sigmoid(h[p + units + j]));
          const g = Math.fround(Math.tanh(h[p + 2 * units + j]));
          const o = Math.fround(sigmoid(h[p + 3 * units + j]));
          h[a + j] = i; h[a + units + j] = f; h[a + 2 * units + j] = g; h[a + 3 * units + j] = o;
          const cell = Math.fround(f * h[cPrev + state + j] + i * g);
          h[c + state + j] = cell;
          h[hOut + state + j] = o * Math.tanh(cell);
        }
      }
    },
    lstmBackward(rows, units, act, cPrev, c, dh, dc, dPre) {
      const gates = 4 * units;
      for (let n = 0; n < rows; n++) {
        const a = act + n * gates, d = dPre + n * gates, state = n * units;
        for (let j = 0; j < units; j++) {
          const i = h[a + j], f = h[a + units + j], g = h[a + 2 * units + j], o = h[a + 3 * units + j];
          const tc = Math.tanh(h[c + state + j]);
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
          const rPre = Math.fround(h[xRow + rAt + j] + h[hRow + rAt + j]);
          const zPre = Math.fround(h[xRow + zAt + j] + h[hRow + zAt + j]);
          const r = Math.fround(sigmoid(rPre)), z = Math.fround(sigmoid(zPre));
          const nPre = Math.fround(h[xRow + nAt + j] + r * h[hRow + nAt + j]);
          const candidate = Math.fround(Math.tanh(nPre));
          h[pRow + rAt + j] = rPre; h[pRow + zAt + j] = zPre; h[pRow + nAt + j] = nPre;
          h[aRow + rAt + j] = r; h[aRow + zAt + j] = z; h[aRow + nAt + j] = candidate;
          h[hOut + state + j] = (1 - z) * candidate + z * h[hPrev + state + j];
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
        for (let j = 0; j < cols; j++) squares += (h[xRow + j] - mean) ** 2;
        const inv = 1 / Math.sqrt(squares / cols + eps);
        h[stats + 2 * i] = mean;
        h[stats + 2 * i + 1] = inv;
        for (let j = 0; j < cols; j++) h[yRow + j] = (h[xRow + j] - mean) * inv * h[scale + j] + (hasShift ? h[shift + j] : 0);
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
        for (let i = 0; i < rows; i++) squares += (h[x + i * cols + j] - mean) ** 2;
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
