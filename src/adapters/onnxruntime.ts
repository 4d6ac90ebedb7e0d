// nninit/onnxruntime: nninit's initializers as ONNX Runtime tensors: weights to feed to a session's inputs, or
// whose data to write into a model's initializers.
//
// onnxruntime-web, onnxruntime-node and onnxruntime-react-native share one Tensor API (onnxruntime-common), so
// the adapter takes the package the caller already loaded instead of importing one of them: it needs only the
// constructor `new ort.Tensor(type, data, dims)`, typed structurally below, and adds no dependency.
//
// Layouts. ONNX stores most weights as PyTorch does, so these helpers default to layout 'torch' `[out, in, ...k]`
// wherever nninit reads fans:
// - Conv W `[M, C / group, ...k]` and Gemm B with transB = 1 `[N, K]` = `[out, in]`: the default.
// - MatMul B `[K, N]` = `[in, out]`, and Gemm B with transB = 0: pass `layout: 'keras'`.
// - ConvTranspose W `[C, M / group, ...k]`: the fans follow the stored axes, as PyTorch's do for its weights.
// - LSTM and GRU W `[directions, gates hidden, input]`, R `[directions, gates hidden, hidden]`: generate each
//   direction's `[gates hidden, input]` matrix (rank 2, so the fans are those of a dense weight) and reshape,
//   e.g. `initializers.orthogonal([4 * hidden, hidden]).reshape([1, 4 * hidden, hidden])`.
// (Operator shapes from the ONNX operator specification, https://onnx.ai/onnx/operators/.)

import {
  constant, deltaOrthogonal, dirac, glorotNormal, glorotUniform, heNormal, heUniform, identity, lecunNormal,
  lecunUniform, normal, ones, orthogonal, sparse, truncatedNormal, uniform, varianceScaling, zeros,
  type ConstantOptions, type ConstantValueOptions, type DiracOptions, type GlorotOptions, type HeOptions, type IdentityOptions,
  type Layout, type LecunOptions, type NormalOptions, type NormalPresetOptions, type OrthogonalOptions, type SparseOptions,
  type TruncatedNormalOptions, type UniformOptions, type VarianceScalingOptions,
} from '../index.js';
import { rangeError, typeError } from '../core/validate.js';

/**
 * ONNX element types the helpers produce: 'float32' (Float32Array), 'float64' (Float64Array) and 'float16'
 * (a Uint16Array of IEEE binary16 bit patterns, which is what ort.Tensor takes for float16).
 */
export type OrtFloatType = 'float32' | 'float16' | 'float64';
const ORT_FLOAT_TYPES: readonly OrtFloatType[] = ['float32', 'float16', 'float64'];

/** The part of an ONNX Runtime package the helpers use: `ort.Tensor`'s (type, data, dims) constructor. */
export interface OrtModule<T> {
  readonly Tensor: new (type: OrtFloatType, data: Float32Array | Uint16Array | Float64Array, dims: readonly number[]) => T;
}

/**
 * A helper's options: the nninit initializer's, with `dtype` the tensor's element type (default 'float32').
 * The tensor always holds the whole shape, so there is no offset, length or out.
 */
export type OrtOptions<O> = Omit<O, 'dtype' | 'offset' | 'length' | 'out'> & { dtype?: OrtFloatType };

/** nninit's initializers, each returning an ort.Tensor with `dims` as its shape. */
export interface OrtInitializers<T> {
  zeros(dims: readonly number[], options?: OrtOptions<ConstantOptions>): T;
  ones(dims: readonly number[], options?: OrtOptions<ConstantOptions>): T;
  constant(dims: readonly number[], value: number | ArrayLike<number>, options?: OrtOptions<ConstantValueOptions>): T;
  uniform(dims: readonly number[], options?: OrtOptions<UniformOptions>): T;
  normal(dims: readonly number[], options?: OrtOptions<NormalOptions>): T;
  truncatedNormal(dims: readonly number[], options?: OrtOptions<TruncatedNormalOptions>): T;
  varianceScaling(dims: readonly number[], options?: OrtOptions<VarianceScalingOptions>): T;
  glorotUniform(dims: readonly number[], options?: OrtOptions<GlorotOptions>): T;
  glorotNormal(dims: readonly number[], options?: OrtOptions<GlorotOptions & NormalPresetOptions>): T;
  heUniform(dims: readonly number[], options?: OrtOptions<HeOptions>): T;
  heNormal(dims: readonly number[], options?: OrtOptions<HeOptions & NormalPresetOptions>): T;
  lecunUniform(dims: readonly number[], options?: OrtOptions<LecunOptions>): T;
  lecunNormal(dims: readonly number[], options?: OrtOptions<LecunOptions & NormalPresetOptions>): T;
  orthogonal(dims: readonly number[], options?: OrtOptions<OrthogonalOptions>): T;
  identity(dims: readonly number[], options?: OrtOptions<IdentityOptions>): T;
  dirac(dims: readonly number[], options?: OrtOptions<DiracOptions>): T;
  deltaOrthogonal(dims: readonly number[], options?: OrtOptions<OrthogonalOptions>): T;
  sparse(dims: readonly number[], options: OrtOptions<SparseOptions>): T;
}

type Generate<O> = (shape: readonly number[], options: O) => Float32Array | Uint16Array | Float64Array;

/**
 * nninit's initializers bound to an ONNX Runtime package. Fan-based and structured initializers default to
 * layout 'torch'; see the top of this module for which layout each operator's weight needs.
 *
 * @example
 * import * as ort from 'onnxruntime-web';
 * const initializers = createInitializers(ort);
 * const feeds = {
 *   W: initializers.heNormal([256, 784], { seed: 1 }),                 // Gemm, transB = 1: [out, in]
 *   V: initializers.glorotUniform([256, 10], { layout: 'keras' }),     // MatMul: [in, out]
 *   B: initializers.zeros([256], { dtype: 'float16' }),
 * };
 */
export function createInitializers<T>(ort: OrtModule<T>): OrtInitializers<T> {
  if (typeof (ort as { Tensor?: unknown } | null | undefined)?.Tensor !== 'function') {
    throw typeError('createInitializers', 'ort',
      "the ONNX Runtime module (import * as ort from 'onnxruntime-web', -node or -react-native), whose Tensor constructor the helpers use", ort);
  }
  function tensor<O>(fn: string, generate: Generate<O>) {
    return (dims: readonly number[], options?: OrtOptions<O>): T => {
      const type = options?.dtype ?? 'float32';
      if (!ORT_FLOAT_TYPES.includes(type)) throw rangeError(fn, 'options.dtype', "'float32', 'float16' or 'float64'", type);
      return new ort.Tensor(type, generate(dims, { ...options, dtype: type } as O), dims);
    };
  }
  function weight<O extends { layout?: Layout }>(fn: string, generate: Generate<O>) {
    return tensor<O>(fn, (shape, options) => generate(shape, { ...options, layout: options.layout ?? 'torch' }));
  }

  return {
    zeros: tensor('zeros', zeros),
    ones: tensor('ones', ones),
    constant: (dims, value, options) => tensor<ConstantValueOptions>('constant', (shape, o) => constant(shape, value, o))(dims, options),
    uniform: tensor('uniform', uniform),
    normal: tensor('normal', normal),
    truncatedNormal: tensor('truncatedNormal', truncatedNormal),
    varianceScaling: weight('varianceScaling', varianceScaling),
    glorotUniform: weight('glorotUniform', glorotUniform),
    glorotNormal: weight('glorotNormal', glorotNormal),
    heUniform: weight('heUniform', heUniform),
    heNormal: weight('heNormal', heNormal),
    lecunUniform: weight('lecunUniform', lecunUniform),
    lecunNormal: weight('lecunNormal', lecunNormal),
    orthogonal: weight('orthogonal', orthogonal),
    identity: tensor('identity', identity),
    dirac: weight('dirac', dirac),
    deltaOrthogonal: weight('deltaOrthogonal', deltaOrthogonal),
    sparse: weight('sparse', sparse),
  };
}
