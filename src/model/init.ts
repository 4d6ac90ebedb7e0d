// Values: any slice of one planned parameter (what a chunked writer or a worker pool calls), and whole models.

import type { Dtype, OutArray } from '../core/output.js';
import { allocateArray } from '../core/validate.js';
import type { Seed } from '../core/seed.js';
import { checkKeys, isPlainObject, pathRangeError, pathTypeError, rethrowAt } from './errors.js';
import { parseSeed } from './spec.js';
import { planSpec } from './plan.js';
import { INITIALIZERS, type InitializerName, type Options } from './registry.js';
import type { ModelOptions, ModelSpecInput } from './spec.js';
import { initTorchEntries, initTorchParameter } from './torch-rng.js';
import type { ParameterPlan } from './types.js';

export interface SliceOptions {
  /** First flat (row-major) index of the slice (default 0). */
  offset?: number;
  /** Number of elements (default: the rest of the parameter). */
  length?: number;
  /** Element type (default: the plan's dtype). */
  dtype?: Dtype;
  /** Array to write into, of exactly `length` elements (as the core's `out`). */
  out?: OutArray;
}

const DTYPES: readonly Dtype[] = ['float32', 'float64', 'float16', 'bfloat16'];
const Float16 = (globalThis as { Float16Array?: new (...args: never[]) => ArrayBufferView }).Float16Array;

function dtypeFits(out: unknown, dtype: Dtype): boolean {
  if (dtype === 'float32') return out instanceof Float32Array;
  if (dtype === 'float64') return out instanceof Float64Array;
  return out instanceof Uint16Array || (dtype === 'float16' && Float16 !== undefined && out instanceof Float16);
}

/** The array a slice is written to: the caller's (as raw 16-bit words for half types) or a new one. */
function targetOf(dtype: Dtype, length: number, out: OutArray | undefined): Float32Array | Float64Array | Uint16Array {
  if (out === undefined) return dtype === 'float32' ? new Float32Array(length) : dtype === 'float64' ? new Float64Array(length) : new Uint16Array(length);
  if (out instanceof Float32Array || out instanceof Float64Array || out instanceof Uint16Array) return out;
  return new Uint16Array(out.buffer, out.byteOffset, length);
}

function call(initializer: InitializerName, shape: readonly number[], options: Options, seed: Seed, stream: string, output: Options): OutArray {
  const entry = INITIALIZERS[initializer];
  return entry.call(shape as number[], { ...options, ...(entry.random ? { seed, stream } : {}), ...output });
}

/**
 * Elements [offset, offset + length) of one planned parameter, byte-identical to the same elements of initModel's
 * array, for any slice and any dtype. A pure function of the plan entry (which carries the seed), so slices can be
 * produced in any order, by chunks, in workers or on other machines.
 *
 * A plain parameter is one core call with the slice's offset and length. A composite parameter (`p.blocks`) is
 * produced block by block: block k is `nninit[part.initializer](blockShape, { ...part.options, seed, stream:
 * `${name}/${k}` })`, and its elements are placed where the block lies along `blocks.axis`. Parameters with
 * `p.whole` (orthogonal) compute their whole matrix for every call: produce them in one call.
 *
 * An initializer 'torch' entry (rng 'torch') is its module's draw from PyTorch's generator: the call seeds it,
 * passes over the draws of the modules before (without computing them; sequential calls on one plan resume
 * where the previous call started) and computes the parameter whole (`p.whole`).
 *
 * @example const p = planModel(spec, { seed: 1 })[0];
 *          initParameter(p, { offset: 1024, length: 1024 })   // === initModel(spec, { seed: 1 }).get(p.name).subarray(1024, 2048)
 */
export function initParameter(p: ParameterPlan, options?: SliceOptions): OutArray {
  const fn = 'initParameter';
  if (!isPlainObject(p) || typeof p.name !== 'string' || !Array.isArray(p.shape)) throw pathTypeError(fn, 'p', 'a plan entry from planModel or planTensors', p);
  if (options !== undefined && !isPlainObject(options)) throw pathTypeError(fn, 'options', 'an object', options);
  const o: SliceOptions = options ?? {};
  checkKeys(fn, 'options', o as Record<string, unknown>, ['offset', 'length', 'dtype', 'out']);
  const offset = o.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset > p.size) {
    throw pathRangeError(fn, 'options.offset', `an integer in [0, ${p.size}]`, offset);
  }
  const length = o.length ?? p.size - offset;
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || offset + length > p.size) {
    throw pathRangeError(fn, 'options.length', `an integer in [0, ${p.size - offset}] (the size ${p.size} minus options.offset)`, length);
  }
  const dtype = o.dtype ?? (o.out instanceof Float64Array ? 'float64' : o.out instanceof Float32Array ? 'float32' : p.dtype);
  if (!DTYPES.includes(dtype)) throw pathRangeError(fn, 'options.dtype', `one of ${DTYPES.join(', ')}`, dtype);
  if (o.out !== undefined) {
    if (!dtypeFits(o.out, dtype)) throw pathTypeError(fn, 'options.out', `an array for dtype '${dtype}'`, o.out);
    if (o.out.length !== length) throw pathRangeError(fn, 'options.out', `an array of length ${length}`, o.out);
  }
  const seed = checkEntry(fn, p);
  if (p.initializer === 'torch') return initTorchParameter({ ...p, seed }, { dtype, offset, length, ...(o.out ? { out: o.out } : {}) });
  if (!p.blocks) return call(p.initializer as InitializerName, p.shape, p.options, seed, p.stream, { dtype, offset, length, ...(o.out ? { out: o.out } : {}) });

  // Every block's call is checked (length 0) before any block writes into the target.
  const blockShape = p.shape.map((n, i) => (i === p.blocks!.axis ? n / p.blocks!.parts.length : n));
  p.blocks.parts.forEach((part, k) => {
    try {
      call(part.initializer, blockShape, part.options, seed, part.stream, { dtype, offset: 0, length: 0 });
    } catch (error) {
      rethrowAt(fn, `p.blocks.parts[${k}]`, error);
    }
  });
  const target = targetOf(dtype, length, o.out);
  if (length > 0) fillBlocks({ ...p, seed }, offset, length, dtype, target);
  return o.out ?? target;
}

/**
 * Checks what initParameter reads from a plan entry, before anything is written: its shape and size, its
 * initializer, its options, and a composite's blocks. Returns the seed, which may also be a decimal string (as
 * planToJSON writes seeds beyond 2^53).
 */
function checkEntry(fn: string, p: ParameterPlan): Seed {
  const shape = p.shape as unknown[];
  if (shape.some((n) => typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)) throw pathTypeError(fn, 'p.shape', 'an array of non-negative integers', p.shape);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (p.size !== size) throw pathRangeError(fn, 'p.size', `the product of p.shape (${size})`, p.size);
  const seed = parseSeed(fn, 'p.seed', p.seed);
  if (p.initializer === 'torch') return seed;
  const known = (name: unknown): name is InitializerName => typeof name === 'string' && Object.prototype.hasOwnProperty.call(INITIALIZERS, name);
  if (p.initializer !== 'blocks' && !known(p.initializer)) throw pathRangeError(fn, 'p.initializer', `a public initializer's name, 'blocks' or 'torch'`, p.initializer);
  if (!isPlainObject(p.options)) throw pathTypeError(fn, 'p.options', 'an object', p.options);
  if (typeof p.stream !== 'string') throw pathTypeError(fn, 'p.stream', 'a string (the parameter\'s name)', p.stream);
  if (p.initializer !== 'blocks') return seed;
  const blocks = p.blocks as { axis?: unknown; parts?: unknown } | undefined;
  if (!isPlainObject(blocks) || !Array.isArray(blocks.parts) || blocks.parts.length === 0) {
    throw pathTypeError(fn, 'p.blocks', "{ axis, parts } for initializer 'blocks'", p.blocks);
  }
  const axis = blocks.axis, count = blocks.parts.length;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < 0 || axis >= shape.length || (shape[axis] as number) % count !== 0) {
    throw pathRangeError(fn, 'p.blocks.axis', `an axis of p.shape whose size divides into the ${count} blocks`, axis);
  }
  (blocks.parts as unknown[]).forEach((part, k) => {
    const where = `p.blocks.parts[${k}]`;
    if (!isPlainObject(part)) throw pathTypeError(fn, where, '{ initializer, options, stream }', part);
    if (!known(part.initializer)) throw pathRangeError(fn, `${where}.initializer`, "a public initializer's name", part.initializer);
    if (!isPlainObject(part.options)) throw pathTypeError(fn, `${where}.options`, 'an object', part.options);
    if (typeof part.stream !== 'string') throw pathTypeError(fn, `${where}.stream`, 'a string', part.stream);
  });
  return seed;
}

/**
 * Composite parameters: the shape is (outer, along, inner) around the block axis; block k holds `along / count`
 * of the `along` positions, so within each outer index it is one run of `run` elements. The runs a slice needs
 * from block k are consecutive elements [first, last) of the block, produced by one core call and copied.
 */
function fillBlocks(p: ParameterPlan, offset: number, length: number, dtype: Dtype, target: Float32Array | Float64Array | Uint16Array): void {
  const { axis, parts } = p.blocks!;
  const shape = p.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const along = shape[axis];
  const count = parts.length;
  const run = (along / count) * inner;
  const stride = along * inner;
  const blockShape = shape.map((n, i) => (i === axis ? n / count : n));
  const end = offset + length;
  const firstOuter = Math.floor(offset / stride), lastOuter = Math.min(outer - 1, Math.floor((end - 1) / stride));
  parts.forEach((part, k) => {
    // Overlap of [offset, end) with run (o, k) = [o stride + k run, o stride + (k + 1) run).
    let first = -1, last = -1;
    for (let o = firstOuter; o <= lastOuter; o++) {
      const start = o * stride + k * run;
      const lo = Math.max(start, offset), hi = Math.min(start + run, end);
      if (lo >= hi) continue;
      const blockLo = o * run + (lo - start), blockHi = o * run + (hi - start);
      first = first < 0 ? blockLo : Math.min(first, blockLo);
      last = Math.max(last, blockHi);
    }
    if (first < 0) return;
    const values = call(part.initializer, blockShape, part.options, p.seed, part.stream, { dtype, offset: first, length: last - first }) as Float32Array | Float64Array | Uint16Array;
    for (let o = firstOuter; o <= lastOuter; o++) {
      const start = o * stride + k * run;
      const lo = Math.max(start, offset), hi = Math.min(start + run, end);
      if (lo >= hi) continue;
      const from = o * run + (lo - start) - first;
      (target as Float32Array).set((values as Float32Array).subarray(from, from + hi - lo), lo - offset);
    }
  });
}

/** The arrays of a model, by parameter name in plan order, with the seed used and the plan. */
export interface ModelWeights extends Map<string, OutArray> {
  /** The seed the values were drawn with (a fresh one when none was given): pass it again to repeat the run. */
  readonly seed: Seed;
  readonly plan: readonly ParameterPlan[];
}

/** What to do instead when initModel cannot hold a parameter in memory. */
const WHOLE_MODEL_HINT = 'use initParameter slices (initParameter(p, { offset, length })) or the nninit command, which writes a model in chunks';

const ARRAY_KINDS = { float32: 'float32', float64: 'float64', float16: 'float16', bfloat16: 'bfloat16' } as const;

/**
 * The arrays of every parameter of a plan, allocated before any value is computed: one that the engine cannot
 * allocate (allocateArray's rule, the one every initializer follows) is a RangeError naming the parameter and
 * its JSON path, so that initModel fails before any work rather than after the parameters before it.
 */
function allocateAll(fn: string, plan: readonly ParameterPlan[]): OutArray[] {
  return plan.map((p) => {
    try {
      return allocateArray(fn, ARRAY_KINDS[p.dtype], p.size, WHOLE_MODEL_HINT);
    } catch (error) {
      const where = p.path ? `${p.path} (${p.name})` : p.name;
      throw new RangeError(`nninit.${fn}: ${where}: ${(error as Error).message.replace(`nninit.${fn}: `, '')}`, { cause: error });
    }
  });
}

/**
 * Initializes a whole model: planModel, then every parameter's values. Parameter `p` equals, byte for byte,
 * `nninit[p.initializer](p.shape, { ...p.options, seed, stream: p.name, dtype })` (composite parameters: see
 * initParameter), with two exceptions the spec controls: a layer without a `name` is named by its index in its
 * list, so inserting a layer before it renames it (and changes its stream); and under the 'gpt2' policy without
 * `nLayer`, n_layer is the number of attention layers, so adding or removing one rescales every residual
 * projection. Name the layers and pin nLayer, and adding, removing or reordering other layers never changes a
 * parameter. With rng 'torch', the initializer 'torch' entries come from one run of PyTorch's generator through
 * the model's modules in order.
 *
 * Every array is allocated before any value is computed; a parameter too large to hold in memory is a
 * RangeError naming it (produce such a model with initParameter slices or the nninit command).
 *
 * @example const weights = initModel({ seed: 42, layers: [{ type: 'dense', name: 'fc1', in: 784, out: 256, activation: 'relu' }] });
 *          weights.get('fc1.weight')   // Float32Array(200704), He normal
 */
export function initModel(spec: ModelSpecInput | string, options?: ModelOptions): ModelWeights {
  const fn = 'initModel';
  const { plan, seed } = planSpec(fn, spec, options);
  const arrays = allocateAll(fn, plan);
  const weights = new Map<string, OutArray>();
  plan.forEach((p, i) => weights.set(p.name, arrays[i]));
  initTorchEntries(plan, weights);
  plan.forEach((p, i) => {
    if (p.initializer !== 'torch') initParameter(p, { out: arrays[i], dtype: p.dtype });
  });
  return Object.defineProperties(weights, {
    seed: { value: seed, enumerable: false },
    plan: { value: plan, enumerable: false },
  }) as ModelWeights;
}
