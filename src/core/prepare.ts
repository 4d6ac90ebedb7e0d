// What every initializer shares: the seed and output options, the checks every random initializer starts with,
// and running a fill once all checks have passed.

import type { Backend, Output, StreamKey } from './backend.js';
import { currentBackend } from './runtime.js';
import { streamKey, type Seed, type Stream } from './seed.js';
import { planOutput, OUTPUT_OPTION_KEYS, type OutArray, type OutputOptions, type OutputPlan } from './output.js';
import { checkOptions, checkShape, type CheckedShape } from './validate.js';

export interface SeedOptions {
  /** Integer in [0, 2^64): the Philox key. Omitted: a fresh seed from crypto.getRandomValues. */
  seed?: Seed;
  /** Integer in [0, 2^64) or a string (hashed with FNV-1a 64): the Philox counter's high half. Default 0. */
  stream?: Stream;
}

export interface RandomOptions extends SeedOptions, OutputOptions {}

/**
 * The array an initializer returns for given options: `out` itself when given; else a Float64Array for dtype
 * 'float64', a Uint16Array of bit patterns for 'float16' and 'bfloat16', and a Float32Array by default. A dtype
 * known only as `Dtype` (or an optional one) gives the union of the arrays it may stand for.
 */
export type Result<O> = O extends { out: infer A extends OutArray } ? A
  : 'dtype' extends keyof O ? ArrayOfDtype<O['dtype' & keyof O]>
  : Float32Array;

/** The array of a dtype, distributed over unions; undefined (no dtype) is float32, a wider type any of them. */
type ArrayOfDtype<D> = D extends 'float64' ? Float64Array
  : D extends 'float16' | 'bfloat16' ? Uint16Array
  : D extends 'float32' | undefined ? Float32Array
  : Float32Array | Float64Array | Uint16Array;

const SEED_KEYS = ['seed', 'stream'] as const;
export const RANDOM_KEYS: readonly string[] = [...SEED_KEYS, ...OUTPUT_OPTION_KEYS];

/** A fill of the slice, already parameterized; run only after every argument has been checked. */
export type Fill = (backend: Backend, out: Output, start: number, key: StreamKey) => void;

/** Allocates (or takes the caller's) output and runs the fill on the active backend. */
export function run(plan: OutputPlan, key: StreamKey, fill: Fill): OutArray {
  const out = plan.target();
  if (plan.length > 0) fill(currentBackend(), out, plan.offset, key);
  return plan.result(out);
}

export interface Prepared {
  readonly options: Record<string, unknown>;
  readonly tensor: CheckedShape;
  readonly key: StreamKey;
  readonly plan: OutputPlan;
}

/** The checks every random initializer starts with: options object, shape, seed and stream, output. */
export function prepare(fn: string, shape: unknown, options: object | undefined, keys: readonly string[]): Prepared {
  const checked = checkOptions(fn, options, [...RANDOM_KEYS, ...keys]) as Record<string, unknown>;
  const tensor = checkShape(fn, shape);
  const key = streamKey(fn, checked.seed, checked.stream);
  const plan = planOutput(fn, tensor.size, checked as OutputOptions);
  return { options: checked, tensor, key, plan };
}
