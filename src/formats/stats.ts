// Summary statistics of tensor values, accumulated chunk by chunk in float64: count, mean, standard deviation,
// min, max and non-finite values. Chunks are combined with Chan, Golub and LeVeque's pairwise update ("Updating
// formulae and a pairwise algorithm for computing sample variances", 1979), so the result does not depend on how
// a tensor was cut into chunks beyond rounding, and combining in a fixed order makes it reproducible.

import type { Dtype } from '../core/output.js';
import { shiftedSums as float32ShiftedSums } from '../core/shifted-sums.js';
import { elementValues, STORED_AS } from './dtypes.js';

export interface Summary {
  /** Finite values counted. */
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation (divides by count), as a tensor's spread is usually quoted. */
  readonly std: number;
  /** NaN when a chunk was added without its range. */
  readonly min: number;
  readonly max: number;
  /** NaN and infinite values, left out of the other figures. */
  readonly nonFinite: number;
}

/**
 * An Accumulator's state, to send between threads: a worker summarizes the slice it computed and the writer
 * combines the states in the slices' order, which gives the bits the writer would get summarizing them itself.
 */
export interface AccumulatorState {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
  readonly min: number;
  readonly max: number;
  readonly nonFinite: number;
}

const sums = new Float64Array(2);

/**
 * Sum and sum of squares of (value - shift), into `sums`, for values other than float32 (float32 chunks, the
 * common case, go to the core's SIMD kernel: src/core/moments.ts). Two lanes of pairs break the chains of dependent adds.
 * Kept small and apart from add() so that V8 optimizes it on its own.
 */
function shiftedSums(values: ArrayLike<number>, shift: number): void {
  let s0 = 0, s1 = 0, q0 = 0, q1 = 0;
  const n = values.length;
  // The remainder first: its loop runs on every call, so V8 has type feedback for it before optimizing (a tail
  // loop that the first calls never enter made the optimized code bail out again and again).
  const head = n % 4;
  let i = 0;
  for (; i < head; i++) {
    const a = values[i] - shift;
    s0 += a;
    q0 += a * a;
  }
  for (; i < n; i += 4) {
    const a = values[i] - shift, b = values[i + 1] - shift, c = values[i + 2] - shift, d = values[i + 3] - shift;
    s0 += a + b;
    s1 += c + d;
    q0 += a * a + b * b;
    q1 += c * c + d * d;
  }
  sums[0] = s0 + s1;
  sums[1] = q0 + q1;
}

/** Running statistics: feed chunks with add(), read summary(). */
export class Accumulator {
  private count = 0;
  private mean = 0;
  /** Sum of squared deviations from the mean. */
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private nonFinite = 0;

  /**
   * Adds a chunk of values to the moments (and, with `range`, to min and max, which cost as much again: the
   * writer's summary leaves them out).
   */
  add(values: ArrayLike<number>, range = false): void {
    const n = values.length;
    if (n === 0) return;
    // Sums of deviations from the chunk's first value: a constant chunk gives exactly 0, and squares stay small
    // when the mean is far from 0.
    const shift = Number.isFinite(values[0]) ? values[0] : 0;
    if (values instanceof Float32Array) float32ShiftedSums(values, shift, sums);
    else shiftedSums(values, shift);
    const sum = sums[0], squares = sums[1];
    if (!Number.isFinite(sum) || !Number.isFinite(squares)) {
      this.addSlowly(values);
      return;
    }
    let low = NaN, high = NaN;
    if (range) {
      low = Infinity;
      high = -Infinity;
      for (let k = 0; k < n; k++) {
        const value = values[k];
        if (value < low) low = value;
        if (value > high) high = value;
      }
    }
    this.merge(n, shift + sum / n, Math.max(0, squares - (sum * sum) / n), low, high, 0);
  }

  /** The chunk holds NaN or infinities: count them apart, one value at a time. */
  private addSlowly(values: ArrayLike<number>): void {
    let count = 0, mean = 0, m2 = 0, low = Infinity, high = -Infinity, bad = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (!Number.isFinite(value)) {
        bad++;
        continue;
      }
      count++;
      const delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
      if (value < low) low = value;
      if (value > high) high = value;
    }
    this.merge(count, mean, m2, low, high, bad);
  }

  private merge(count: number, mean: number, m2: number, low: number, high: number, nonFinite: number): void {
    this.nonFinite += nonFinite;
    if (count === 0) return;
    const total = this.count + count;
    const delta = mean - this.mean;
    this.m2 += m2 + delta * delta * (this.count * count) / total;
    this.mean += delta * count / total;
    this.count = total;
    // NaN bounds (a chunk added without its range) leave min and max unknown from then on.
    this.min = Number.isNaN(low) ? NaN : Math.min(this.min, low);
    this.max = Number.isNaN(high) ? NaN : Math.max(this.max, high);
  }

  /** Combines another accumulator's values into this one. */
  addAll(other: Accumulator): void {
    this.merge(other.count, other.mean, other.m2, other.min, other.max, other.nonFinite);
  }

  /** The state, exactly: fromState(a.state()) combines as `a` does. */
  state(): AccumulatorState {
    const { count, mean, m2, min, max, nonFinite } = this;
    return { count, mean, m2, min, max, nonFinite };
  }

  static fromState(state: AccumulatorState): Accumulator {
    const accumulator = new Accumulator();
    accumulator.count = state.count;
    accumulator.mean = state.mean;
    accumulator.m2 = state.m2;
    accumulator.min = state.min;
    accumulator.max = state.max;
    accumulator.nonFinite = state.nonFinite;
    return accumulator;
  }

  summary(): Summary {
    const empty = this.count === 0;
    return {
      count: this.count,
      mean: empty ? NaN : this.mean,
      std: empty ? NaN : Math.sqrt(this.m2 / this.count),
      min: empty ? NaN : this.min,
      max: empty ? NaN : this.max,
      nonFinite: this.nonFinite,
    };
  }
}

/**
 * The state of a fresh Accumulator after add() of the values a slice of dtype `dtype` holds (half-precision bits
 * decoded): what the writer records for each piece of a chunk, wherever it is computed.
 */
export function sliceState(dtype: Dtype, slice: Float32Array | Float64Array | Uint16Array): AccumulatorState {
  const accumulator = new Accumulator();
  const values = elementValues(STORED_AS[dtype], new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength));
  if (values) accumulator.add(values);
  return accumulator.state();
}
