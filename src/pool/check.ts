// Checking a call before any work: the synchronous function itself runs on a backend that stops at its first
// kernel call. Every initializer checks all of its arguments before it calls the backend (src/core/backend.ts),
// so the errors are the core's own, thrown where the synchronous call would throw them.

import type { Backend, StreamKey } from '../core/backend.js';
import { withBackend } from '../core/runtime.js';

/** The matrix a call factors, as its first kernel call, orthogonal(), receives it. */
export interface OrthogonalCall {
  readonly rows: number;
  readonly cols: number;
  readonly key: StreamKey;
  readonly gain: number;
  /** Computed in float64 (a float64 result), else in float32. */
  readonly double: boolean;
}

const STOP = Symbol('nninit pool: arguments checked');
const stop = (): never => {
  throw STOP;
};
let recorded: OrthogonalCall | undefined;
const stopBackend: Backend = {
  name: 'js',
  philox4x32: stop, fillBits: stop, fillUniform: stop, fillNormal: stop, fillTruncatedNormal: stop, orthogonalColumns: stop,
  orthogonal(rows, cols, key, gain, out) {
    recorded = { rows, cols, key: { ...key }, gain, double: out instanceof Float64Array };
    throw STOP;
  },
};

/**
 * Runs `body` on the stopping backend: throws its argument error, returns `{ finished: true, result }` when it
 * finished without a kernel (zeros, identity, ...), or `{ finished: false, orthogonal }` when it reached its first
 * kernel call with every argument accepted (`orthogonal`: that call's matrix when the kernel was orthogonal()).
 */
export function untilKernels<T>(body: () => T): { finished: true; result: T } | { finished: false; orthogonal: OrthogonalCall | undefined } {
  recorded = undefined;
  try {
    return { finished: true, result: withBackend(stopBackend, body) };
  } catch (error) {
    if (error === STOP) return { finished: false, orthogonal: recorded };
    throw error;
  } finally {
    recorded = undefined;
  }
}
