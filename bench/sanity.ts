// The check every candidate's output goes through: a benchmark of a sampler that draws the wrong distribution
// would compare unlike things, so such results are marked instead of silently ranked. bench/native.py computes
// the same statistics for the Python candidates.

export interface Sanity {
  /** null: nothing to check (the fill ceiling), or the run stopped before an output existed. */
  readonly ok: boolean | null;
  readonly detail: string;
}

/** Relative error allowed in the standard deviation (2%); that of N normal values has standard error 1/sqrt(2N). */
export const STD_TOLERANCE = 0.02;

/** Largest |QᵀQ − I| entry accepted: float32 rounding of a 2048×2048 factor stays near 1e-5. */
export const ORTHOGONALITY_TOLERANCE = 1e-3;

/** QᵀQ is checked on at most this many evenly spaced columns: the full product costs n³. */
export const ORTHOGONALITY_COLUMNS = 64;

export const NOT_A_SAMPLER: Sanity = { ok: null, detail: 'ceiling, not a sampler' };

/** Population standard deviation, accumulated in float64 in two passes. */
export function standardDeviation(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

/** Columns 0, s, 2s, ... with s = max(1, floor(n / ORTHOGONALITY_COLUMNS)). */
function checkedColumns(n: number): number[] {
  const stride = Math.max(1, Math.floor(n / ORTHOGONALITY_COLUMNS));
  const columns: number[] = [];
  for (let column = 0; column < n; column += stride) columns.push(column);
  return columns;
}

/** max |(QᵀQ − I)_ij| over the checked columns i, j of the row-major n×n matrix q. */
export function orthogonalityError(q: ArrayLike<number>, n: number): number {
  const columns = checkedColumns(n);
  let worst = 0;
  for (let a = 0; a < columns.length; a++) {
    for (let b = a; b < columns.length; b++) {
      let dot = 0;
      for (let row = 0; row < n; row++) dot += q[row * n + columns[a]] * q[row * n + columns[b]];
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

export function checkStd(measured: number, expected: number): Sanity {
  const ratio = measured / expected;
  const ok = Math.abs(ratio - 1) <= STD_TOLERANCE;
  return { ok, detail: `${ok ? '' : '✗ '}std ${ratio.toFixed(3)}×` };
}

export function checkOrthogonality(error: number): Sanity {
  const ok = error <= ORTHOGONALITY_TOLERANCE;
  return { ok, detail: `${ok ? '' : '✗ '}max |QᵀQ − I| ${error.toExponential(1)}` };
}
