// Statistics of activation and gradient arrays, in float64 over float32 views: what the probe reports per layer.

import type { Histogram, Moments } from './report.js';

export function moments(values: Float32Array, offset: number, count: number): Moments {
  if (count === 0) return { mean: 0, std: 0, rms: 0, min: 0, max: 0 };
  // One pass, with sums of deviations from a shift near the mean (the mean of the first values), which keeps
  // the variance accurate when |mean| >> std (Chan, Golub and LeVeque 1983, "shifted data" algorithm).
  const head = Math.min(count, 16);
  let shift = 0;
  for (let i = 0; i < head; i++) shift += values[offset + i];
  shift /= head;
  if (!Number.isFinite(shift)) shift = 0;
  let sum = 0, squares = 0, deviations = 0, deviationSquares = 0, min = Infinity, max = -Infinity;
  for (let i = offset, end = offset + count; i < end; i++) {
    const x = values[i];
    const d = x - shift;
    sum += x;
    squares += x * x;
    deviations += d;
    deviationSquares += d * d;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / count;
  const variance = Math.max(0, (deviationSquares - (deviations * deviations) / count) / count);
  return { mean, std: Math.sqrt(variance), rms: Math.sqrt(squares / count), min, max };
}

export interface HistogramBins {
  readonly bins: number;
  readonly low: number;
  readonly high: number;
}

export function histogram(values: Float32Array, offset: number, count: number, { bins, low, high }: HistogramBins): Histogram {
  const counts = new Array<number>(bins).fill(0);
  let below = 0, above = 0;
  const scale = bins / (high - low);
  for (let i = offset, end = offset + count; i < end; i++) {
    const x = values[i];
    if (x < low) below++;
    else if (x >= high || Number.isNaN(x)) above++;
    else counts[Math.min(bins - 1, Math.floor((x - low) * scale))]++;
  }
  return { low, high, counts, below, above };
}

/** Units (columns of a rows x cols block) whose pre-activation is at most zero for every row. */
export function deadUnits(values: Float32Array, offset: number, rows: number, cols: number): number {
  const alive = new Uint8Array(cols);
  for (let i = 0; i < rows; i++) {
    const row = offset + i * cols;
    for (let j = 0; j < cols; j++) if (values[row + j] > 0) alive[j] = 1;
  }
  let dead = 0;
  for (let j = 0; j < cols; j++) if (!alive[j]) dead++;
  return dead;
}

/**
 * Distinct columns of a rows x cols block: columns equal, value for value (compared as numbers, so -0 equals +0 and
 * NaN equals nothing), to another count as one. Columns are grouped by a hash and compared exactly within a group.
 */
export function distinctColumns(values: Float32Array, offset: number, rows: number, cols: number): number {
  const hashes = new Uint32Array(cols).fill(2166136261);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < rows; i++) {
    const row = offset + i * cols;
    for (let j = 0; j < cols; j++) {
      const word = bits[row + j];
      hashes[j] = Math.imul(hashes[j] ^ ((word & 0x7fffffff) === 0 ? 0 : word), 16777619);
    }
  }
  const groups = new Map<number, number[]>();
  let distinct = 0;
  const equal = (a: number, b: number) => {
    for (let i = 0; i < rows; i++) if (values[offset + i * cols + a] !== values[offset + i * cols + b]) return false;
    return true;
  };
  for (let j = 0; j < cols; j++) {
    const group = groups.get(hashes[j]);
    if (!group) {
      groups.set(hashes[j], [j]);
      distinct++;
    } else if (!group.some((other) => equal(j, other))) {
      group.push(j);
      distinct++;
    }
  }
  return distinct;
}

/** Values in saturation for an activation: |tanh| or |softsign| > 0.99, sigmoid < 0.01 or > 0.99. */
export function saturatedCount(values: Float32Array, offset: number, count: number, kind: 'symmetric' | 'sigmoid'): number {
  let saturated = 0;
  const end = offset + count;
  if (kind === 'sigmoid') {
    for (let i = offset; i < end; i++) if (values[i] < 0.01 || values[i] > 0.99) saturated++;
  } else {
    for (let i = offset; i < end; i++) if (Math.abs(values[i]) > 0.99) saturated++;
  }
  return saturated;
}
