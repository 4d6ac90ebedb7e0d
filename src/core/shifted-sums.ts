// The chunk sums of the file writers' statistics on the active backend (src/core/moments.ts specifies them;
// every backend gives the same bits).

import { shiftedSumsFloat32 } from './moments.js';
import { currentBackend } from './runtime.js';

/** Writes [sum of (v - shift), sum of (v - shift)^2] over float32 `values` into out[0], out[1]. */
export function shiftedSums(values: Float32Array, shift: number, out: Float64Array): void {
  const backend = currentBackend();
  if (backend.shiftedSums) backend.shiftedSums(values, shift, out);
  else shiftedSumsFloat32(values, shift, out);
}
