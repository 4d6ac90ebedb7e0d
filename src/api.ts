// The public API shared by every entry point (index.ts embeds the WebAssembly binary, lean.ts loads it from a URL).

export {
  zeros, ones, constant,
  uniform, normal, truncatedNormal,
  varianceScaling,
  glorotUniform, glorotNormal, xavierUniform, xavierNormal,
  heUniform, heNormal, kaimingUniform, kaimingNormal,
  lecunUniform, lecunNormal,
} from './initializers.js';
export type { SeedOptions, RandomOptions, Result } from './core.js';
export type {
  ConstantOptions, UniformOptions, NormalOptions, TruncatedNormalOptions,
  FanMode, Distribution, FanOptions, VarianceScalingOptions, GlorotOptions, NormalPresetOptions, HeOptions, LecunOptions,
} from './initializers.js';
export { orthogonal, identity, eye, dirac, deltaOrthogonal, sparse, MAX_ORTHOGONAL_ELEMENTS } from './structured.js';
export type { OrthogonalOptions, IdentityOptions, DiracOptions, SparseOptions } from './structured.js';
export { computeFans, type Fans, type Layout } from './fans.js';
export { calculateGain, type Nonlinearity } from './gains.js';
export { philox4x32, randomBits, type RandomBitsOptions } from './bits.js';
export { createGenerator, type Generator } from './generator.js';
export { fnv1a64, type Seed, type Stream } from './seed.js';
export { setBackend, getBackend, ready } from './runtime.js';
export type { BackendName } from './backend.js';
export { float16View, type Dtype, type OutputOptions, type OutArray } from './output.js';
export { float16Bits, bfloat16Bits, type HalfFormat } from './half.js';
export { TRUNCATED_NORMAL_STDDEV_2 } from './distributions.js';
