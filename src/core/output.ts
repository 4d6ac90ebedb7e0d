// Where results go: the dtype, the slice [offset, offset + length) of the full tensor, and the caller's `out`.
// Everything here is checked before anything is allocated or written.

import type { FloatArray, HalfOutput, Output } from './backend.js';
import { convertToHalf, halfBitsOf, type HalfFormat } from './half.js';
import { allocateArray, choiceArgument, numberArgument, typeError, rangeError } from './validate.js';

/**
 * Output element types. Random initializers compute every value in float32 (the kernels' precision);
 * 'float64' stores those same values widened exactly, so a float64 result equals Float64Array.from of the
 * float32 one (except orthogonal and deltaOrthogonal, which compute float64 output in float64). 'float16' and 'bfloat16'
 * return a Uint16Array of IEEE binary16 or bfloat16 bit patterns, each the float32 value rounded to nearest
 * even. Constant-valued initializers store their value exactly in float32 and float64 (rounded for halves).
 */
export type Dtype = 'float32' | 'float64' | 'float16' | 'bfloat16';
export const DTYPES: readonly Dtype[] = ['float32', 'float64', 'float16', 'bfloat16'];

/** The Float16Array of runtimes that have one (ES2025); typed loosely so the library builds without it. */
interface Float16ArrayLike extends ArrayBufferView {
  readonly length: number;
}
const Float16ArrayConstructor = (globalThis as { Float16Array?: new (buffer: ArrayBufferLike, offset: number, length: number) => Float16ArrayLike }).Float16Array;

export type OutArray = Float32Array | Float64Array | Uint16Array | Float16ArrayLike;

export interface OutputOptions {
  /** Element type of the result (default 'float32', or the type of `out`). */
  dtype?: Dtype;
  /** First flat (row-major) index of the slice to produce (default 0). */
  offset?: number;
  /** Number of elements to produce (default: the rest of the tensor after `offset`). */
  length?: number;
  /**
   * Array to write into instead of allocating, of exactly `length` elements: a Float32Array, a Float64Array,
   * a Uint16Array (with dtype 'float16' or 'bfloat16'), or a Float16Array where the runtime has one.
   */
  out?: OutArray;
}

export const OUTPUT_OPTION_KEYS = ['dtype', 'offset', 'length', 'out'] as const;

/** A checked output request. Nothing is allocated until one of the methods is called. */
export interface OutputPlan {
  readonly offset: number;
  readonly length: number;
  readonly dtype: Dtype;
  /** The output a sampler writes: the caller's array or a new one; half dtypes give bits and format. */
  target(): Output;
  /** The array handed back to the caller for a target. */
  result(target: Output): OutArray;
  /** A float array for the slice: the output itself for float dtypes, a float32 staging array for halves. */
  floats(): FloatArray;
  /** Completes floats(): converts to half bits where needed; returns the caller's array. */
  finish(floats: FloatArray): OutArray;
  /** Fills the slice with one value (stored exactly in float32/float64, rounded for halves). */
  fill(value: number): OutArray;
}

function isFloat16Array(array: unknown): array is Float16ArrayLike {
  return Float16ArrayConstructor !== undefined && array instanceof Float16ArrayConstructor;
}

function dtypeOfArray(array: unknown): Dtype | 'half' | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (isFloat16Array(array)) return 'float16';
  if (array instanceof Uint16Array) return 'half';
  return undefined;
}

const ARRAY_FOR: Record<Dtype, string> = {
  float32: 'a Float32Array', float64: 'a Float64Array', float16: 'a Uint16Array or Float16Array', bfloat16: 'a Uint16Array',
};

export function planOutput(fn: string, size: number, options: OutputOptions): OutputPlan {
  const offset = numberArgument(fn, 'options.offset', options.offset, 0, { integer: true, min: 0 });
  if (offset > size) throw rangeError(fn, 'options.offset', `at most the tensor size ${size}`, offset);
  const length = numberArgument(fn, 'options.length', options.length, size - offset, { integer: true, min: 0 });
  if (offset + length > size) {
    throw rangeError(fn, 'options.length', `at most ${size - offset} (the tensor size ${size} minus options.offset)`, length);
  }
  const out = options.out;
  const outKind = out === undefined ? undefined : dtypeOfArray(out);
  if (out !== undefined && outKind === undefined) {
    throw typeError(fn, 'options.out', 'a Float32Array, Float64Array, Uint16Array or Float16Array', out);
  }
  if (outKind === 'half' && options.dtype === undefined) {
    throw typeError(fn, 'options.dtype', "'float16' or 'bfloat16' when options.out is a Uint16Array", options.dtype);
  }
  const dtype = choiceArgument(fn, 'options.dtype', options.dtype, DTYPES, outKind === 'half' || outKind === undefined ? 'float32' : outKind);
  if (out !== undefined) {
    const fits = outKind === dtype || (outKind === 'half' && (dtype === 'float16' || dtype === 'bfloat16'));
    if (!fits) throw typeError(fn, 'options.out', `${ARRAY_FOR[dtype]} for dtype '${dtype}'`, out);
    if (out.length !== length) throw rangeError(fn, 'options.out', `of length ${length}`, out);
  }
  const half: HalfFormat | undefined = dtype === 'float16' || dtype === 'bfloat16' ? dtype : undefined;

  const allocate = (): OutArray => allocateArray(fn, dtype, length);

  let array: OutArray | undefined;
  const output = () => (array ??= out ?? allocate());
  const target = (): Output => {
    const values = output();
    if (!half) return values as FloatArray;
    return { bits: new Uint16Array(values.buffer, values.byteOffset, length), format: half } satisfies HalfOutput;
  };
  const plan: OutputPlan = {
    offset,
    length,
    dtype,
    target,
    result: () => output(),
    floats() {
      const values = output();
      return half ? allocateArray(fn, 'float32', length) : values as FloatArray;
    },
    finish(floats) {
      const values = target();
      if ('bits' in values) convertToHalf(floats, values.bits, values.format);
      return output();
    },
    fill(value) {
      fillOutput(target(), value);
      return output();
    },
  };
  return plan;
}

/** Sets every element of an output to one value: stored exactly in float32/float64, rounded for halves. */
export function fillOutput(out: Output, value: number): void {
  if ('bits' in out) out.bits.fill(halfBitsOf(out.format)(Math.fround(value)));
  else out.fill(value);
}

/** A Float16Array view of half bits where the runtime has Float16Array (ES2025); a TypeError elsewhere. */
export function float16View(bits: Uint16Array): Float16ArrayLike {
  if (!Float16ArrayConstructor) throw new TypeError('nninit.float16View: this runtime has no Float16Array');
  if (!(bits instanceof Uint16Array)) throw typeError('float16View', 'bits', 'a Uint16Array', bits);
  return new Float16ArrayConstructor(bits.buffer, bits.byteOffset, bits.length);
}
