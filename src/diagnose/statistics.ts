// Statistics of activation and gradient arrays, in float64 over float32 views: what the probe reports per layer.

import { ACTIVATION_CODES } from '../core/probe-kernels.js';
import { derivativef } from '../core/probe-math.js';
import type { Histogram, Moments } from './report.js';

export function moments(values: Float32Array, offset: number, count: number): Moments {
  if (count === 0) return { mean: 0, std: 0, rms: 0, min: 0, max: 0, nonFinite: 0 };
  // One pass, with sums of deviations from a shift near the mean (the mean of the first values), which keeps
  // the variance accurate when |mean| >> std (Chan, Golub and LeVeque 1983, "shifted data" algorithm).
  const head = Math.min(count, 16);
  let shift = 0;
  for (let i = 0; i < head; i++) shift += values[offset + i];
  shift /= head;
  if (!Number.isFinite(shift)) shift = 0;
  let sum = 0, squares = 0, deviations = 0, deviationSquares = 0, min = Infinity, max = -Infinity, nonFinite = 0;
  for (let i = offset, end = offset + count; i < end; i++) {
    const x = values[i];
    const d = x - shift;
    sum += x;
    squares += x * x;
    deviations += d;
    deviationSquares += d * d;
    if (x < min) min = x;
    if (x > max) max = x;
    if (!Number.isFinite(x)) nonFinite++;
  }
  if (nonFinite) return { mean: NaN, std: NaN, rms: NaN, min: min <= max ? min : NaN, max: min <= max ? max : NaN, nonFinite };
  const mean = sum / count;
  const variance = Math.max(0, (deviationSquares - (deviations * deviations) / count) / count);
  return { mean, std: Math.sqrt(variance), rms: Math.sqrt(squares / count), min, max, nonFinite };
}

export interface HistogramBins {
  readonly bins: number;
  readonly low: number;
  readonly high: number;
}

export function histogram(values: Float32Array, offset: number, count: number, { bins, low, high }: HistogramBins): Histogram {
  const counts = new Array<number>(bins).fill(0);
  let below = 0, above = 0, zeros = 0;
  const scale = bins / (high - low);
  for (let i = offset, end = offset + count; i < end; i++) {
    const x = values[i];
    if (x === 0) zeros++;
    else if (x < low) below++;
    else if (x >= high || Number.isNaN(x)) above++;
    else counts[Math.min(bins - 1, Math.floor((x - low) * scale))]++;
  }
  return { low, high, counts, zeros, below, above };
}

/**
 * The magnitude of f'(x) below which a GELU, SiLU or Mish unit passes no gradient worth the name: a thousandth of
 * a linear unit's. It holds on their far negative tails (GELU below x = -3.81, SiLU and Mish below -8.99) and in
 * a narrow band around the derivative's zero at each one's minimum (GELU [-0.754, -0.750], SiLU [-1.283, -1.274],
 * Mish [-1.196, -1.189]), where a unit stays on every sample only if it hardly varies at all.
 */
export const DEAD_DERIVATIVE = 1e-3;

/** How a unit of an activation can die: ReLU at f' = 0 (x <= 0), the smooth ones where |f'| < DEAD_DERIVATIVE. */
export function deathOf(activation: string): 'relu' | 'smooth' | undefined {
  if (activation === 'relu') return 'relu';
  if (activation === 'gelu' || activation === 'silu' || activation === 'swish' || activation === 'mish') return 'smooth';
  return undefined;
}

/**
 * Dead units among the columns of a rows x cols block of pre-activations: columns where every value is finite and
 * passes no gradient (see deathOf). A column with a positive value is alive at once: every such activation has
 * f' >= 1/2 there. The smooth derivatives (GELU, SiLU, Mish) are functions of x alone: derivativef is given 0 for y.
 */
export function deadUnits(values: Float32Array, offset: number, rows: number, cols: number, activation: string): number {
  const death = deathOf(activation);
  if (!death) return 0;
  const code = ACTIVATION_CODES[activation as keyof typeof ACTIVATION_CODES];
  let dead = 0;
  for (let j = 0; j < cols; j++) {
    let alive = false;
    for (let i = 0; i < rows && !alive; i++) {
      const x = values[offset + i * cols + j];
      if (!(x <= 0) || x === -Infinity) alive = true;
      else if (death === 'smooth' && !(Math.abs(derivativef(code, 0, x, 0)) < DEAD_DERIVATIVE)) alive = true;
    }
    if (!alive) dead++;
  }
  return dead;
}

/** A block of a unit's incoming parameters in the heap: unit j's values at offset + j unitStride + e stride, e < count. */
export interface ParameterBlock {
  readonly offset: number;
  readonly unitStride: number;
  readonly stride: number;
  readonly count: number;
}

/** Distinct, constant and symmetric units (LayerReport's definitions) of a rows x cols block of outputs. */
export function unitGroups(values: Float32Array, offset: number, rows: number, cols: number, parameters: readonly ParameterBlock[]): { distinct: number; constant: number; symmetric: number } {
  const at = (i: number, j: number) => values[offset + i * cols + j];
  let constant = 0;
  const isConstant = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) {
    let same = true;
    for (let i = 1; i < rows && same; i++) same = at(i, j) === at(0, j);
    if (same && at(0, j) === at(0, j)) {
      isConstant[j] = 1;
      constant++;
    }
  }
  const groups = columnGroups(values, offset, rows, cols);
  const sameParameters = (a: number, b: number) => parameters.every((p) => {
    for (let e = 0; e < p.count; e++) if (values[p.offset + a * p.unitStride + e * p.stride] !== values[p.offset + b * p.unitStride + e * p.stride]) return false;
    return true;
  });
  let symmetric = 0;
  for (const group of groups) {
    if (group.length < 2) continue;
    if (!isConstant[group[0]]) {
      symmetric += group.length - 1;
      continue;
    }
    // Constant units: only those with the same incoming parameters as an earlier one of the group are copies.
    const firsts: number[] = [];
    for (const j of group) {
      if (parameters.length && firsts.some((k) => sameParameters(j, k))) symmetric++;
      else firsts.push(j);
    }
  }
  return { distinct: groups.length, constant, symmetric };
}

/**
 * Columns of a rows x cols block grouped by equality, value for value (compared as numbers, so -0 equals +0 and
 * NaN equals nothing): columns are hashed, then compared exactly within a hash.
 */
function columnGroups(values: Float32Array, offset: number, rows: number, cols: number): number[][] {
  const hashes = new Uint32Array(cols).fill(2166136261);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < rows; i++) {
    const row = offset + i * cols;
    for (let j = 0; j < cols; j++) {
      const word = bits[row + j];
      hashes[j] = Math.imul(hashes[j] ^ ((word & 0x7fffffff) === 0 ? 0 : word), 16777619);
    }
  }
  const byHash = new Map<number, number[][]>();
  const groups: number[][] = [];
  const equal = (a: number, b: number) => {
    for (let i = 0; i < rows; i++) if (values[offset + i * cols + a] !== values[offset + i * cols + b]) return false;
    return true;
  };
  for (let j = 0; j < cols; j++) {
    const candidates = byHash.get(hashes[j]) ?? [];
    const group = candidates.find((g) => equal(j, g[0]));
    if (group) group.push(j);
    else {
      const fresh = [j];
      candidates.push(fresh);
      byHash.set(hashes[j], candidates);
      groups.push(fresh);
    }
  }
  return groups;
}

/** How an output saturates: |y| > 0.99 (tanh, softsign), y outside [0.01, 0.99] (sigmoid), a row's max > 0.99 (softmax). */
export type SaturationKind = 'symmetric' | 'sigmoid' | 'softmax';

/**
 * Saturated values of a rows x cols block, and how many were judged: every value, or for softmax every row (a
 * sample's probabilities, nearly one-hot when the largest is above 0.99).
 */
export function saturatedCount(values: Float32Array, offset: number, rows: number, cols: number, kind: SaturationKind): { saturated: number; total: number } {
  let saturated = 0;
  const end = offset + rows * cols;
  if (kind === 'softmax') {
    for (let i = 0; i < rows; i++) {
      let largest = -Infinity;
      for (let j = 0; j < cols; j++) largest = Math.max(largest, values[offset + i * cols + j]);
      if (largest > 0.99) saturated++;
    }
    return { saturated, total: rows };
  }
  if (kind === 'sigmoid') {
    for (let i = offset; i < end; i++) if (values[i] < 0.01 || values[i] > 0.99) saturated++;
  } else {
    for (let i = offset; i < end; i++) if (Math.abs(values[i]) > 0.99) saturated++;
  }
  return { saturated, total: rows * cols };
}
