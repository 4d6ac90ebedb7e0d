// The pool's methods as data: for each synchronous function of the core (and the model layer's initParameter),
// how its arguments are laid out, whether it takes a seed, and whether its work splits into independent slices.
// The main thread and the workers share this table, so both call exactly the functions `import 'nninit'` exports.

import {
  zeros, ones, constant, uniform, normal, truncatedNormal, varianceScaling,
  glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal,
} from '../core/initializers.js';
import { orthogonal, identity, dirac, deltaOrthogonal, sparse } from '../core/structured.js';
import { randomBits } from '../core/bits.js';
import { initParameter } from '../model/init.js';
import type { ParameterPlan } from '../model/types.js';

export type Options = Record<string, unknown>;

/** What a synchronous call returns: the initializers' arrays, or randomBits' words. */
export type Output = Float32Array | Float64Array | Uint16Array | Uint32Array | (ArrayBufferView & { readonly length: number });

type Call = (args: readonly unknown[], options: Options | undefined) => Output;

/**
 * - 'slices': element i depends only on (seed, stream, i, parameters), so the call over [start, start + count)
 *   is the call with that offset and length: the work splits into slices computed anywhere, in any order.
 * - 'whole': the result is computed from the whole matrix at once (orthogonal, deltaOrthogonal), so the call
 *   runs as one task. (sparse slices: a slice draws the masks of the inputs it touches only.)
 */
export type Split = 'slices' | 'whole';

export interface Method {
  readonly call: Call;
  /** Arguments before the options object: the shape, constant's value, or randomBits' count. */
  readonly arity: number;
  /** Takes options.seed; a call without one gets a fresh seed on the calling thread, shared by all its slices. */
  readonly seeded: boolean;
  readonly split: Split;
  /**
   * What the first argument is: a shape (default), randomBits' word count, or initParameter's plan entry (whose
   * size and dtype give the output, and whose `whole` flag decides the split).
   */
  readonly kind?: 'words' | 'parameter';
  /**
   * The one matrix the call factors (see orthogonal.ts), which workers can compute in blocks of columns: the
   * result is that matrix ('orthogonal') or holds it at a kernel's centre ('deltaOrthogonal').
   */
  readonly matrix?: 'orthogonal' | 'deltaOrthogonal';
}

const shaped = (fn: (shape: readonly number[], options?: never) => Output, seeded: boolean, split: Split): Method => ({
  call: (args, options) => fn(args[0] as readonly number[], options as never),
  arity: 1,
  seeded,
  split,
});

/** Every initializer by its public name (aliases included), and randomBits. */
export const METHODS = {
  zeros: shaped(zeros, false, 'slices'),
  ones: shaped(ones, false, 'slices'),
  constant: {
    call: (args, options) => constant(args[0] as readonly number[], args[1] as number | ArrayLike<number>, options as never),
    arity: 2,
    seeded: false,
    split: 'slices',
  },
  uniform: shaped(uniform, true, 'slices'),
  normal: shaped(normal, true, 'slices'),
  truncatedNormal: shaped(truncatedNormal, true, 'slices'),
  varianceScaling: shaped(varianceScaling, true, 'slices'),
  glorotUniform: shaped(glorotUniform, true, 'slices'),
  glorotNormal: shaped(glorotNormal, true, 'slices'),
  xavierUniform: shaped(glorotUniform, true, 'slices'),
  xavierNormal: shaped(glorotNormal, true, 'slices'),
  heUniform: shaped(heUniform, true, 'slices'),
  heNormal: shaped(heNormal, true, 'slices'),
  kaimingUniform: shaped(heUniform, true, 'slices'),
  kaimingNormal: shaped(heNormal, true, 'slices'),
  lecunUniform: shaped(lecunUniform, true, 'slices'),
  lecunNormal: shaped(lecunNormal, true, 'slices'),
  identity: shaped(identity, false, 'slices'),
  eye: shaped(identity, false, 'slices'),
  dirac: shaped(dirac, false, 'slices'),
  orthogonal: { ...shaped(orthogonal, true, 'whole'), matrix: 'orthogonal' },
  deltaOrthogonal: { ...shaped(deltaOrthogonal, true, 'whole'), matrix: 'deltaOrthogonal' },
  sparse: shaped(sparse as (shape: readonly number[], options?: never) => Output, true, 'slices'),
  randomBits: {
    call: (args, options) => randomBits(args[0] as number, options as never),
    arity: 1,
    seeded: true,
    split: 'slices',
    kind: 'words',
  },
  initParameter: {
    call: (args, options) => initParameter(args[0] as ParameterPlan, options as never) as Output,
    arity: 1,
    seeded: false,
    split: 'slices',
    kind: 'parameter',
  },
} satisfies Record<string, Method>;

export type MethodName = keyof typeof METHODS;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(METHODS, name);
}

/** Typed-array constructors by name, as results travel between threads. */
export type ArrayName = 'Float32Array' | 'Float64Array' | 'Uint16Array' | 'Uint32Array' | 'Float16Array';

type ArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Output;

export function arrayConstructor(name: ArrayName): ArrayConstructor & { readonly BYTES_PER_ELEMENT: number } {
  return (globalThis as unknown as Record<ArrayName, ArrayConstructor & { readonly BYTES_PER_ELEMENT: number }>)[name];
}

/** The slice [offset, offset + length) of the tensor a checked call produces, and its array type. */
export interface OutputShape {
  readonly offset: number;
  readonly length: number;
  readonly array: ArrayName;
}

const ARRAY_OF_DTYPE: Record<string, ArrayName> = {
  float32: 'Float32Array', float64: 'Float64Array', float16: 'Uint16Array', bfloat16: 'Uint16Array',
};

/**
 * The output of a call whose arguments the core has accepted, by the defaults the core documents: offset 0,
 * length the rest of the tensor, dtype that of `out` or float32.
 */
export function outputShape(method: Method, args: readonly unknown[], options: Options | undefined): OutputShape {
  const o = options ?? {};
  const out = o.out as Output | undefined;
  const offset = (o.offset as number | undefined) ?? 0;
  if (method.kind === 'words') return { offset, length: args[0] as number, array: 'Uint32Array' };
  const plan = method.kind === 'parameter' ? args[0] as ParameterPlan : undefined;
  const size = plan ? plan.size : (args[0] as readonly number[]).reduce((product, dimension) => product * dimension, 1);
  const length = (o.length as number | undefined) ?? size - offset;
  const dtype = (o.dtype as string | undefined) ?? plan?.dtype ?? 'float32';
  return { offset, length, array: out !== undefined ? arrayNameOf(out) : ARRAY_OF_DTYPE[dtype] };
}

/** How a call splits: initParameter's plan entry says whether it computes its whole tensor for any slice. */
export function splitOf(method: Method, args: readonly unknown[]): Split {
  if (method.kind !== 'parameter') return method.split;
  const plan = args[0] as Partial<ParameterPlan> | null;
  return typeof plan === 'object' && plan !== null && plan.whole === true ? 'whole' : 'slices';
}

/**
 * The arguments to check a call with on the stopping backend. An entry drawn by PyTorch's generator (rng 'torch')
 * computes its values with its own code, which no backend stops, so its options are checked on a stand-in entry
 * of zeros with the same name, shape, size and dtype: initParameter checks options the same way for every entry.
 */
export function checkedArgs(method: Method, args: readonly unknown[]): readonly unknown[] {
  if (method.kind !== 'parameter') return args;
  const plan = args[0] as Partial<ParameterPlan> | null;
  if (typeof plan !== 'object' || plan === null || plan.initializer !== 'torch') return args;
  const { torch: _torch, blocks: _blocks, ...rest } = plan as ParameterPlan & { torch?: unknown };
  return [{ ...rest, initializer: 'zeros', options: {}, whole: false }];
}

/** The constructor name of an `out` the core accepted (subclasses included). */
function arrayNameOf(out: Output): ArrayName {
  if (out instanceof Float32Array) return 'Float32Array';
  if (out instanceof Float64Array) return 'Float64Array';
  if (out instanceof Uint16Array) return 'Uint16Array';
  if (out instanceof Uint32Array) return 'Uint32Array';
  return 'Float16Array';
}

/**
 * The work a call asks for, from its raw arguments: output elements for 'slices' methods, tensor elements for
 * 'whole' ones; 0 when the arguments are not even numbers (the synchronous call then reports them).
 */
export function workEstimate(method: Method, args: readonly unknown[], options: unknown): number {
  if (method.kind === 'words') return typeof args[0] === 'number' ? args[0] : 0;
  const first = args[0] as { size?: unknown } | null;
  let size: number;
  if (method.kind === 'parameter') {
    if (typeof first !== 'object' || first === null || typeof first.size !== 'number') return 0;
    size = first.size;
  } else {
    if (!Array.isArray(first) || !first.every((dimension) => typeof dimension === 'number')) return 0;
    size = (first as number[]).reduce((product, dimension) => product * dimension, 1);
  }
  const length = splitOf(method, args) === 'slices' && typeof options === 'object' && options !== null
    ? (options as Options).length : undefined;
  const elements = typeof length === 'number' ? length : size;
  return Number.isFinite(elements) ? elements : 0;
}

/** The arguments and options of the call that computes elements [start, start + count) of a 'slices' call. */
export function sliceCall(method: Method, args: readonly unknown[], options: Options, start: number, count: number): { args: unknown[]; options: Options } {
  if (method.kind === 'words') return { args: [count], options: { ...options, offset: start } };
  return { args: [...args], options: { ...options, offset: start, length: count } };
}
