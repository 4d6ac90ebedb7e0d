// A large orthogonal or deltaOrthogonal across workers, by blocks of the columns of its Householder factor.
//
// Reflector panel k0 changes only the factor's columns k0 and after, each column through sums over that column
// alone (src/core/householder.ts, orthogonalFactorColumns), so a worker that builds the panels up to its block's
// last column and applies them to its block alone computes exactly those columns of the synchronous result. The
// calling thread learns the matrix the call factors (rows, cols, key, gain, precision) from the check it runs
// anyway (the synchronous call on a stopping backend), the workers compute the blocks into one matrix, and the
// synchronous function then runs again on the calling thread on a backend whose orthogonal() hands it that
// matrix: the slicing, the half-precision rounding and deltaOrthogonal's placement are the synchronous code's
// own.

import type { Backend, FloatArray } from '../core/backend.js';
import { HOUSEHOLDER_BLOCK } from '../core/householder.js';
import { withBackend } from '../core/runtime.js';
import type { ParameterPlan } from '../model/types.js';
import type { OrthogonalCall } from './check.js';
import type { Method } from './methods.js';

/**
 * Fewest factor columns worth splitting, and least work (n m^2, about a third of the flops) to split: below
 * these one worker finishes about as soon as several would (bench/pool.ts measures the sizes around them).
 */
export const MIN_SPLIT_COLUMNS = 256;
export const MIN_SPLIT_WORK = 2 ** 27;

/** Block boundaries fall on multiples of this many columns: whole tiles of the kernels in both precisions. */
const COLUMN_ALIGN = 8;

/**
 * What building one panel costs (its Gaussian vectors, reflectors and T), in columns of its product with the
 * factor: every worker builds the panels its block needs, so a block's cost counts them once more.
 */
const PANEL_COST_COLUMNS = 32;

/**
 * The one matrix a call factors, the whole of its work, and how its result holds it: 'orthogonal' (the result is
 * the matrix, or a slice of it) or 'deltaOrthogonal' (at a kernel's centre); undefined for every other call.
 */
export function matrixOf(method: Method, args: readonly unknown[]): Method['matrix'] {
  if (method.kind !== 'parameter') return method.matrix;
  const p = args[0] as ParameterPlan;
  return (p.initializer === 'orthogonal' || p.initializer === 'deltaOrthogonal') && !p.blocks ? p.initializer : undefined;
}

/** Whether the matrix is large enough for blocks on several workers to pay. */
export function worthSplitting(call: OrthogonalCall): boolean {
  const n = Math.max(call.rows, call.cols), m = Math.min(call.rows, call.cols);
  return m >= MIN_SPLIT_COLUMNS && n * m * m >= MIN_SPLIT_WORK;
}

/** Relative cost of factor columns [first, end) of an n-row factor: the panels before `end`, each built and applied. */
export function blockCost(n: number, first: number, end: number): number {
  let cost = 0;
  for (let k0 = 0; k0 < end; k0 += HOUSEHOLDER_BLOCK) cost += (n - k0) * (PANEL_COST_COLUMNS + end - Math.max(first, k0));
  return cost;
}

/**
 * At most `parts` blocks [first, first + count) covering the m columns of an n x m factor, of about equal cost
 * (later columns cost more: every panel before them changes them), boundaries on multiples of COLUMN_ALIGN.
 */
export function columnBlocks(n: number, m: number, parts: number): [first: number, count: number][] {
  /** The furthest end of a block from `first` whose cost stays within `limit` (at least one step). */
  const furthest = (first: number, limit: number): number => {
    let low = Math.min(m, first + COLUMN_ALIGN), high = m;
    if (blockCost(n, first, high) <= limit) return high;
    while (high - low > COLUMN_ALIGN) {
      const middle = Math.min(m, Math.ceil((low + high) / 2 / COLUMN_ALIGN) * COLUMN_ALIGN);
      if (middle >= high) break;
      if (blockCost(n, first, middle) <= limit) low = middle;
      else high = middle;
    }
    return low;
  };
  const cover = (limit: number): number[] => {
    const ends: number[] = [];
    for (let first = 0; first < m && ends.length <= parts; first = ends[ends.length - 1]) ends.push(furthest(first, limit));
    return ends;
  };
  // The smallest per-block cost limit that `parts` blocks can keep to.
  let low = blockCost(n, 0, m) / parts / 2, high = blockCost(n, 0, m);
  for (let step = 0; step < 40 && high - low > high * 1e-6; step++) {
    const middle = (low + high) / 2;
    if (cover(middle).length <= parts) high = middle;
    else low = middle;
  }
  const ends = cover(high);
  return ends.map((end, i) => {
    const first = i === 0 ? 0 : ends[i - 1];
    return [first, end - first];
  });
}

/**
 * Puts a block computed by orthogonalColumns (rows x count for a tall result, count x cols for a wide one) in
 * its place in the rows x cols matrix: columns first.. of a tall result, rows first.. of a wide one.
 */
export function placeBlock(matrix: FloatArray, block: FloatArray, rows: number, cols: number, first: number, count: number): void {
  if (rows < cols) {
    matrix.set(block, first * cols);
    return;
  }
  for (let i = 0; i < rows; i++) matrix.set(block.subarray(i * count, (i + 1) * count), i * cols + first);
}

const unexpected = (): never => {
  throw new Error('nninit pool: the synchronous call asked for a kernel the assembled orthogonal matrix does not answer');
};

/**
 * Runs the synchronous call `body` with `matrix` as the result of its one orthogonal(): copied into the array
 * the call factors into, unless the workers wrote into that very array.
 */
export function withMatrix<T>(call: OrthogonalCall, matrix: FloatArray, body: () => T): T {
  const replay: Backend = {
    name: 'js',
    philox4x32: unexpected, fillBits: unexpected, fillUniform: unexpected, fillNormal: unexpected, fillTruncatedNormal: unexpected,
    orthogonalColumns: unexpected,
    orthogonal(rows, cols, _key, _gain, out) {
      if (rows !== call.rows || cols !== call.cols || out.length !== matrix.length) unexpected();
      if (out.buffer === matrix.buffer && out.byteOffset === matrix.byteOffset) return;
      out.set(matrix);
    },
  };
  return withBackend(replay, body);
}
