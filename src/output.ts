// Where results go: the dtype, the slice [offset, offset + length) of the full tensor, and the caller's `out`.
// Everything here is checked before anything is allocated or written.

import type { FloatArray } from './backend.js';
import { choiceArgument, numberArgument, typeError, rangeError } from './validate.js';

/**
 * Output element types. Random initializers compute every value in float32 (the kernels' precision);
 * 'float64' stores those same values widened exactly, so a float64 result equals Float64Array.from of the
 * float32 one. Constant-valued initializers store their value exactly in the requested type.
 */
export type Dtype = 'float32' | 'float64';
export const DTYPES: readonly Dtype[] = ['float32', 'float64'];

export interface OutputOptions {
  /** Element type of the result (default 'float32', or the type of `out`). */
  dtype?: Dtype;
  /** First flat (row-major) index of the slice to produce (default 0). */
  offset?: number;
  /** Number of elements to produce (default: the rest of the tensor after `offset`). */
  length?: number;
  /** Array to write into instead of allocating: a Float32Array (or Float64Array for 'float64') of exactly `length` elements. */
  out?: Float32Array | Float64Array;
}

export const OUTPUT_OPTION_KEYS = ['dtype', 'offset', 'length', 'out'] as const;

/** A checked output request; `target()` allocates (or returns the caller's array) once all checks passed. */
export interface OutputPlan {
  readonly offset: number;
  readonly length: number;
  readonly dtype: Dtype;
  target(): FloatArray;
}

function dtypeOfArray(array: unknown): Dtype | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return undefined;
}

export function planOutput(fn: string, size: number, options: OutputOptions): OutputPlan {
  const offset = numberArgument(fn, 'options.offset', options.offset, 0, { integer: true, min: 0 });
  if (offset > size) throw rangeError(fn, 'options.offset', `at most the tensor size ${size}`, offset);
  const length = numberArgument(fn, 'options.length', options.length, size - offset, { integer: true, min: 0 });
  if (offset + length > size) {
    throw rangeError(fn, 'options.length', `at most ${size - offset} (the tensor size ${size} minus options.offset)`, length);
  }
  const out = options.out;
  const outDtype = out === undefined ? undefined : dtypeOfArray(out);
  if (out !== undefined && outDtype === undefined) throw typeError(fn, 'options.out', 'a Float32Array or Float64Array', out);
  const dtype = choiceArgument(fn, 'options.dtype', options.dtype, DTYPES, outDtype ?? 'float32');
  if (out !== undefined) {
    if (outDtype !== dtype) throw typeError(fn, 'options.out', `a ${dtype === 'float32' ? 'Float32Array' : 'Float64Array'} for dtype '${dtype}'`, out);
    if (out.length !== length) throw rangeError(fn, 'options.out', `of length ${length}`, out);
  }
  return {
    offset,
    length,
    dtype,
    target() {
      if (out !== undefined) return out;
      try {
        return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
      } catch (error) {
        throw new RangeError(`nninit.${fn}: cannot allocate ${length} ${dtype} values; pass options.offset and options.length to produce a slice`, { cause: error });
      }
    },
  };
}
