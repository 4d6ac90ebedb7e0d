// A stateful convenience over the stateless stream contract: one seed, and a new stream id for every call.

import * as initializers from './initializers.js';
import { orthogonal, deltaOrthogonal, sparse } from './structured.js';
import { randomBits, type RandomBitsOptions } from './bits.js';
import { seedValue } from './seed.js';
import type { Result } from './prepare.js';

type Random<O> = (shape: readonly number[], options?: O) => unknown;
/**
 * An initializer with the generator's seed and stream: the result type follows the options of each call, and a
 * call without options (where the initializer allows one) gives a Float32Array.
 */
type Bound<F> = F extends (shape: readonly number[], options: infer O) => unknown
  ? (F extends (shape: readonly number[]) => unknown ? { (shape: readonly number[]): Float32Array } : unknown)
    & { <const P extends Omit<NonNullable<O> & object, 'seed' | 'stream'>>(shape: readonly number[], options: P): Result<P> }
  : never;

const RANDOM_INITIALIZERS = {
  uniform: initializers.uniform,
  normal: initializers.normal,
  truncatedNormal: initializers.truncatedNormal,
  varianceScaling: initializers.varianceScaling,
  glorotUniform: initializers.glorotUniform,
  glorotNormal: initializers.glorotNormal,
  xavierUniform: initializers.xavierUniform,
  xavierNormal: initializers.xavierNormal,
  heUniform: initializers.heUniform,
  heNormal: initializers.heNormal,
  kaimingUniform: initializers.kaimingUniform,
  kaimingNormal: initializers.kaimingNormal,
  lecunUniform: initializers.lecunUniform,
  lecunNormal: initializers.lecunNormal,
  orthogonal,
  deltaOrthogonal,
  sparse,
} as const;

export type Generator = { readonly [K in keyof typeof RANDOM_INITIALIZERS]: Bound<(typeof RANDOM_INITIALIZERS)[K]> } & {
  /** The generator's seed. */
  readonly seed: bigint;
  /** The stream id the next call will use. */
  readonly nextStreamId: bigint;
  /** Hands out the next (seed, stream) pair, for calls that take them explicitly. */
  next(): { seed: bigint; stream: bigint };
  randomBits(n: number, options?: Omit<RandomBitsOptions, 'seed' | 'stream'>): Uint32Array;
};

/**
 * A generator that gives call k (counting from 0) the stream k of one seed, so a sequence of calls is
 * reproducible without choosing streams by hand. Only calls that return count: a call that throws (bad
 * arguments) leaves the next stream id unchanged. Calls are equivalent to passing { seed, stream: k }
 * explicitly, which is how a single call can be reproduced on its own later. Without a seed, a fresh one
 * is drawn from crypto.getRandomValues (read it back from `.seed`).
 *
 * @example
 * const g = createGenerator(42);
 * const w1 = g.heNormal([784, 256]);   // stream 0
 * const w2 = g.heNormal([256, 10]);    // stream 1
 */
export function createGenerator(seed?: number | bigint): Generator {
  const value = seedValue('createGenerator', seed);
  let stream = 0n;
  const take = () => ({ seed: value, stream: stream++ });
  /** Runs a call on the next stream id, and spends the id only if the call returns: a rejected call consumes nothing. */
  function onNextStream<R>(name: string, options: unknown, call: (options: object) => R): R {
    if (options !== undefined && options !== null && typeof options === 'object' && ('seed' in options || 'stream' in options)) {
      throw new TypeError(`nninit.generator.${name}: the generator sets options.seed and options.stream; call nninit.${name} directly to choose them`);
    }
    const result = call({ ...(options as object | undefined), seed: value, stream });
    stream++;
    return result;
  }
  const generator: Record<string, unknown> = {
    seed: value,
    get nextStreamId() {
      return stream;
    },
    next: take,
    randomBits: (n: number, options?: Omit<RandomBitsOptions, 'seed' | 'stream'>) =>
      onNextStream('randomBits', options, (o) => randomBits(n, o)),
  };
  for (const [name, initializer] of Object.entries(RANDOM_INITIALIZERS)) {
    generator[name] = (shape: readonly number[], options?: object) =>
      onNextStream(name, options, (o) => (initializer as Random<object>)(shape, o));
  }
  return generator as Generator;
}
