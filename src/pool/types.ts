// The pool's public types: the same initializers as the synchronous API, each returning a Promise.

import type { Result } from '../core/prepare.js';
import type {
  ConstantOptions, ConstantValueOptions, UniformOptions, NormalOptions, TruncatedNormalOptions, VarianceScalingOptions, GlorotOptions,
  NormalPresetOptions, HeOptions, LecunOptions,
} from '../core/initializers.js';
import type { OrthogonalOptions, IdentityOptions, DiracOptions, SparseOptions } from '../core/structured.js';
import type { RandomBitsOptions } from '../core/bits.js';
import type { OutArray } from '../core/output.js';
import type { ModelWeights, SliceOptions } from '../model/init.js';
import type { ParameterPlan } from '../model/types.js';
import type { ModelOptions, ModelSpecInput } from '../model/spec.js';

export interface PoolOptions {
  /** Worker threads (default: the machine's logical cores, at most 8). An integer from 1 to 64. */
  threads?: number;
}

type Shape = readonly number[];

/**
 * A pool of workers running nninit's initializers. Every method takes the arguments of the synchronous
 * function of the same name and resolves with the same bytes; see createPool for how work is split.
 */
export interface Pool {
  /** Number of worker threads. */
  readonly threads: number;
  /**
   * Whether workers write straight into shared memory: always in Node, in browsers when the page is
   * crossOriginIsolated. Otherwise each worker's slice is transferred back and copied into the result.
   */
  readonly sharedMemory: boolean;

  zeros<O extends ConstantOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  ones<O extends ConstantOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  constant<O extends ConstantValueOptions = {}>(shape: Shape, value: number | ArrayLike<number>, options?: O): Promise<Result<O>>;
  uniform<O extends UniformOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  normal<O extends NormalOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  truncatedNormal<O extends TruncatedNormalOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  varianceScaling<O extends VarianceScalingOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  glorotUniform<O extends GlorotOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  glorotNormal<O extends GlorotOptions & NormalPresetOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  xavierUniform<O extends GlorotOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  xavierNormal<O extends GlorotOptions & NormalPresetOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  heUniform<O extends HeOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  heNormal<O extends HeOptions & NormalPresetOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  kaimingUniform<O extends HeOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  kaimingNormal<O extends HeOptions & NormalPresetOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  lecunUniform<O extends LecunOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  lecunNormal<O extends LecunOptions & NormalPresetOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  orthogonal<O extends OrthogonalOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  identity<O extends IdentityOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  eye<O extends IdentityOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  dirac<O extends DiracOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  deltaOrthogonal<O extends OrthogonalOptions = {}>(shape: Shape, options?: O): Promise<Result<O>>;
  sparse<O extends SparseOptions>(shape: Shape, options: O): Promise<Result<O>>;
  randomBits(n: number, options?: RandomBitsOptions): Promise<Uint32Array>;
  /**
   * initModel through the pool: the spec is planned on the calling thread (a bad spec rejects with initModel's
   * error), then the parameters are cut into slices the workers produce with initParameter. The same Map, with
   * the same `seed` and `plan`, and the same bytes, as initModel(spec, options).
   */
  initModel(spec: ModelSpecInput | string, options?: ModelOptions): Promise<ModelWeights>;
  /**
   * initParameter through the pool: elements [offset, offset + length) of one planned parameter, split like a
   * sampler's call (whole for `p.whole` entries), with initParameter's bytes and errors. A chunked writer's
   * slice producer: `{ concurrency: pool.threads, fill: (p, offset, out) => pool.initParameter(p, { offset,
   * length: out.length, out }), whole: (p) => pool.initParameter(p) }`.
   */
  initParameter(p: ParameterPlan, options?: SliceOptions): Promise<OutArray>;

  /**
   * Ends the workers. Calls still pending reject, as do calls made afterwards. Resolves once every worker has
   * stopped; closing again returns the same promise.
   */
  close(): Promise<void>;
}
