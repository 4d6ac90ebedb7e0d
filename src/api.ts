// The public API shared by every entry point (index.ts embeds the WebAssembly binary, lean.ts loads it from a URL).

export {
  zeros, ones, constant,
  uniform, normal, truncatedNormal,
  varianceScaling,
  glorotUniform, glorotNormal, xavierUniform, xavierNormal,
  heUniform, heNormal, kaimingUniform, kaimingNormal,
  lecunUniform, lecunNormal,
} from './core/initializers.js';
export type { SeedOptions, RandomOptions, Result } from './core/prepare.js';
export type {
  ConstantOptions, UniformOptions, NormalOptions, TruncatedNormalOptions,
  FanMode, Distribution, FanOptions, VarianceScalingOptions, GlorotOptions, NormalPresetOptions, HeOptions, LecunOptions,
} from './core/initializers.js';
export { orthogonal, identity, eye, dirac, deltaOrthogonal, sparse, MAX_ORTHOGONAL_ELEMENTS } from './core/structured.js';
export type { OrthogonalOptions, IdentityOptions, DiracOptions, SparseOptions } from './core/structured.js';
export { computeFans, type Fans, type Layout } from './core/fans.js';
export { calculateGain, type Nonlinearity } from './core/gains.js';
export { philox4x32, randomBits, type RandomBitsOptions } from './core/bits.js';
export { createGenerator, type Generator } from './core/generator.js';
export { fnv1a64, type Seed, type Stream } from './core/seed.js';
export { setBackend, getBackend, ready } from './core/runtime.js';
export type { BackendName } from './core/backend.js';
export { float16View, type Dtype, type OutputOptions, type OutArray } from './core/output.js';
export { float16Bits, bfloat16Bits, type HalfFormat } from './core/half.js';
export { TRUNCATED_NORMAL_STDDEV_2 } from './core/distributions.js';
