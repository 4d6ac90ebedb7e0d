// Checking a call before any work: the synchronous function itself runs on a backend that stops at its first
// kernel call. Every initializer checks all of its arguments before it calls the backend (src/core/backend.ts),
// so the errors are the core's own, thrown where the synchronous call would throw them.

import type { Backend } from '../core/backend.js';
import { withBackend } from '../core/runtime.js';

const STOP = Symbol('nninit pool: arguments checked');
const stop = (): never => {
  throw STOP;
};
const stopBackend: Backend = {
  name: 'js',
  philox4x32: stop, fillBits: stop, fillUniform: stop, fillNormal: stop, fillTruncatedNormal: stop, orthogonal: stop, orthogonalColumns: stop,
};

/**
 * Runs `body` on the stopping backend: throws its argument error, returns `{ result }` when it finished without
 * a kernel (zeros, identity, ...), or undefined when it reached its first kernel call with every argument accepted.
 */
export function untilKernels<T>(body: () => T): { result: T } | undefined {
  try {
    return { result: withBackend(stopBackend, body) };
  } catch (error) {
    if (error === STOP) return undefined;
    throw error;
  }
}
