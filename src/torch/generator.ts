// A JavaScript twin of PyTorch's default CPU generator: seeded as torch.manual_seed seeds it, advanced exactly
// as PyTorch 1.13's float32 sampling on x86-64 with AVX2 advances it, and producing the same bits.

import { checkShape, numberArgument, typeError, rangeError, describe } from '../core/validate.js';
import type { Nonlinearity } from '../core/gains.js';
import { applyErfinv, fillNormal, fillUniform, type RandomSource } from './kernels.js';
import { kaimingStd, truncNormalPlan, uniformBound, xavierStd, type TorchFanMode } from './init.js';
import { MersenneTwister, STATE_WORDS } from './mt19937.js';
import { planTorchModule, type TorchInit, type TorchModulePlan, type TorchModuleSpec, type TorchParameters } from './modules.js';

/** A seed as torch.manual_seed takes it: an integer in [-2^63, 2^64), negative values as their two's complement. */
export type TorchSeed = number | bigint;

/** A shape: an array of non-negative integer dimensions, or one number for a 1-D tensor. */
export type TorchShape = number | readonly number[];

/** The seed of a new torch.Generator() (default_rng_seed_val in c10/core/GeneratorImpl.h). */
export const TORCH_DEFAULT_SEED = 67280421310721n;

/** Bytes in torch.get_rng_state() of a CPU generator (the CPUGeneratorImplState struct). */
export const TORCH_STATE_BYTES = 5056;

const FLOAT32_MAX = 3.4028234663852886e38;

export interface UniformArguments {
  /** Lower bound (default 0). */
  a?: number;
  /** Upper bound (default 1). */
  b?: number;
}

export interface NormalArguments {
  /** Mean (default 0). */
  mean?: number;
  /** Standard deviation (default 1). */
  std?: number;
}

export interface TruncNormalArguments extends NormalArguments {
  /** Lower cut, an absolute value like PyTorch's (default -2). */
  a?: number;
  /** Upper cut, absolute (default 2). */
  b?: number;
}

export interface KaimingArguments {
  /** Negative slope of leaky_relu (default 0). */
  a?: number;
  /** 'fan_in' (default) or 'fan_out'. */
  mode?: TorchFanMode;
  /** Default 'leaky_relu'. */
  nonlinearity?: Nonlinearity;
}

export interface XavierArguments {
  /** Default 1. */
  gain?: number;
}

function parseSeed(fn: string, seed: unknown): bigint {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) throw rangeError(fn, 'seed', 'an integer (a bigint beyond 2^53)', seed);
    seed = BigInt(seed);
  }
  if (typeof seed !== 'bigint') throw typeError(fn, 'seed', 'an integer (number or bigint)', seed);
  if (seed < -(1n << 63n) || seed >= 1n << 64n) throw rangeError(fn, 'seed', 'an integer in [-2^63, 2^64)', seed);
  return BigInt.asUintN(64, seed);
}

function sizeOf(fn: string, shape: unknown): { shape: readonly number[]; size: number } {
  const checked = checkShape(fn, typeof shape === 'number' ? [shape] : shape);
  if (checked.size > 2 ** 31 - 1) throw new RangeError(`nninit.${fn}: shape [${checked.shape.join(', ')}] has more elements than a Float32Array can hold`);
  return checked;
}

/**
 * Python-style arguments: positional values, or one object with the same names as keywords. Returns the
 * values in `names` order.
 */
function pythonArguments(fn: string, names: readonly string[], values: readonly unknown[]): unknown[] {
  const first = values[0];
  if (first !== null && typeof first === 'object') {
    if (values.length > 1) throw new TypeError(`nninit.${fn}: pass the arguments positionally or as one object, not both`);
    for (const key of Object.keys(first)) {
      if (!names.includes(key)) throw new TypeError(`nninit.${fn}: unknown argument "${key}"; the arguments are ${names.join(', ')}`);
    }
    return names.map((name) => (first as Record<string, unknown>)[name]);
  }
  if (values.length > names.length) throw new TypeError(`nninit.${fn}: at most ${names.length} arguments after the shape (${names.join(', ')}), got ${values.length}`);
  return names.map((_, index) => values[index]);
}

function finite(fn: string, name: string, value: unknown, fallback: number): number {
  return numberArgument(fn, name, value, fallback);
}

/** uniform_'s checks (aten/src/ATen/native/DistributionTemplates.h, uniform_impl_). */
function checkUniformBounds(fn: string, from: number, to: number): void {
  if (Math.abs(from) > FLOAT32_MAX) throw rangeError(fn, 'a', 'within the float32 range', from);
  if (Math.abs(to) > FLOAT32_MAX) throw rangeError(fn, 'b', 'within the float32 range', to);
  if (from > to) throw rangeError(fn, 'a', `at most b (${to}): uniform_ draws from [a, b)`, from);
  if (to - from > FLOAT32_MAX) throw new RangeError(`nninit.${fn}: b - a = ${to - from} exceeds the largest float32`);
}

/**
 * PyTorch's default CPU generator in JavaScript. Every method draws exactly the 32-bit words PyTorch 1.13 draws
 * for the same call on a float32 tensor, in the same order, so a sequence of calls after
 * `createTorchGenerator(seed)` returns what the same sequence returns after `torch.manual_seed(seed)`.
 * Tensors come back as new Float32Arrays in PyTorch's (row-major, contiguous) layout.
 */
export class TorchGenerator {
  private readonly source: RandomSource;
  private seed: bigint;
  /** torch's cached float normal; no float32 CPU kernel reads it, but get/set_rng_state carry it. */
  private nextFloatNormal: number | undefined = undefined;

  constructor(seed: TorchSeed = TORCH_DEFAULT_SEED) {
    this.seed = parseSeed('createTorchGenerator', seed);
    this.source = { engine: new MersenneTwister(Number(this.seed & 0xffffffffn)), nextDoubleNormal: undefined };
  }

  /** torch.manual_seed(seed): reseeds the Mersenne Twister with seed mod 2^32 and forgets any cached normal. */
  manualSeed(seed: TorchSeed): this {
    this.seed = parseSeed('torch.manualSeed', seed);
    this.source.engine.seed(Number(this.seed & 0xffffffffn));
    this.source.nextDoubleNormal = undefined;
    this.nextFloatNormal = undefined;
    return this;
  }

  /** torch.initial_seed(): the last seed given, as an unsigned 64-bit integer. */
  initialSeed(): bigint {
    return this.seed;
  }

  /**
   * torch.get_rng_state(): the 5056-byte CPUGeneratorImplState, little-endian, byte for byte as PyTorch writes
   * it. `torch.ByteTensor(list(bytes))` (or `torch.from_numpy(numpy.frombuffer(bytes, numpy.uint8))`) passed
   * to torch.set_rng_state continues this generator's sequence in Python.
   */
  getState(): Uint8Array {
    const bytes = new Uint8Array(TORCH_STATE_BYTES);
    const view = new DataView(bytes.buffer);
    const engine = this.source.engine;
    view.setBigUint64(0, this.seed, true);
    view.setInt32(8, engine.left, true);
    view.setInt32(12, 1, true);
    view.setBigUint64(16, BigInt(engine.next), true);
    for (let k = 0; k < STATE_WORDS; k++) view.setUint32(24 + 8 * k, engine.state[k], true);
    if (this.source.nextDoubleNormal !== undefined) {
      view.setFloat64(5024, this.source.nextDoubleNormal, true);
      view.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== undefined) {
      view.setFloat32(5048, this.nextFloatNormal, true);
      bytes[5052] = 1;
    }
    return bytes;
  }

  /** torch.set_rng_state(state): resumes from bytes that torch.get_rng_state() (or getState) produced. */
  setState(state: Uint8Array): this {
    const fn = 'torch.setState';
    if (!(state instanceof Uint8Array)) throw typeError(fn, 'state', `a Uint8Array of ${TORCH_STATE_BYTES} bytes`, state);
    if (state.length !== TORCH_STATE_BYTES) throw rangeError(fn, 'state', `${TORCH_STATE_BYTES} bytes long`, state);
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const left = view.getInt32(8, true);
    const seeded = view.getInt32(12, true);
    const next = view.getBigUint64(16, true);
    if (seeded === 0 || left <= 0 || left > STATE_WORDS || next > BigInt(STATE_WORDS)) {
      throw new RangeError(`nninit.${fn}: not a valid Mersenne Twister state (left ${left}, next ${next}, seeded ${seeded})`);
    }
    const engine = this.source.engine;
    for (let k = 0; k < STATE_WORDS; k++) engine.state[k] = view.getUint32(24 + 8 * k, true);
    engine.left = left;
    engine.next = Number(next);
    this.seed = view.getBigUint64(0, true);
    this.source.nextDoubleNormal = view.getInt32(5040, true) !== 0 ? view.getFloat64(5024, true) : undefined;
    this.nextFloatNormal = state[5052] !== 0 ? view.getFloat32(5048, true) : undefined;
    return this;
  }

  // ---- tensors --------------------------------------------------------------------------------------------

  /** torch.rand(shape): U[0, 1) as uniform_(0, 1). */
  rand(shape: TorchShape): Float32Array {
    const { size } = sizeOf('torch.rand', shape);
    const out = new Float32Array(size);
    fillUniform(this.source, out, 0, 1);
    return out;
  }

  /** torch.randn(shape): N(0, 1) as normal_(0, 1). */
  randn(shape: TorchShape): Float32Array {
    const { size } = sizeOf('torch.randn', shape);
    const out = new Float32Array(size);
    fillNormal(this.source, out, 0, 1);
    return out;
  }

  /**
   * torch.nn.init.uniform_(tensor, a=0, b=1) on torch.empty(shape): per element, the low 24 bits of one word
   * times 2^-24 mapped to x * (b - a) + a in float32 (one fused rounding).
   *
   * @example g.uniform_([3, 4], -0.1, 0.1)   // or g.uniform_([3, 4], { a: -0.1, b: 0.1 })
   */
  uniform_(shape: TorchShape, ...args: [a?: number, b?: number] | [UniformArguments]): Float32Array {
    const fn = 'torch.uniform_';
    const { size } = sizeOf(fn, shape);
    const [aValue, bValue] = pythonArguments(fn, ['a', 'b'], args);
    const a = finite(fn, 'a', aValue, 0), b = finite(fn, 'b', bValue, 1);
    checkUniformBounds(fn, a, b);
    const out = new Float32Array(size);
    fillUniform(this.source, out, a, b);
    return out;
  }

  /**
   * torch.nn.init.normal_(tensor, mean=0, std=1) on torch.empty(shape). Tensors of 16 or more elements: Box-Muller
   * in float32 on groups of 16 uniforms; fewer: Box-Muller in float64, one pair per two elements, the second
   * value of the last pair kept for the next small call (as PyTorch keeps it in the generator).
   *
   * @example g.normal_([768, 768], 0, 0.02)
   */
  normal_(shape: TorchShape, ...args: [mean?: number, std?: number] | [NormalArguments]): Float32Array {
    const fn = 'torch.normal_';
    const { size } = sizeOf(fn, shape);
    const [meanValue, stdValue] = pythonArguments(fn, ['mean', 'std'], args);
    const mean = finite(fn, 'mean', meanValue, 0);
    const std = numberArgument(fn, 'std', stdValue, 1, { min: 0 });
    return this.normalTensor(size, mean, std);
  }

  /**
   * torch.nn.init.trunc_normal_(tensor, mean=0, std=1, a=-2, b=2): N(mean, std^2) cut to the absolute interval
   * [a, b] by the inverse CDF, in PyTorch's steps: uniform_(2 cdf((a - mean)/std) - 1, 2 cdf((b - mean)/std) - 1),
   * erfinv_, mul_(std sqrt 2), add_(mean), clamp_(a, b), each in float32. (PyTorch warns when mean lies more than
   * 2 std outside [a, b]; the values are computed the same way here, without the warning.)
   *
   * @example g.truncNormal_([768, 3072], 0, 0.02)   // timm's ViT weights: a, b = -2, 2 are absolute
   */
  truncNormal_(shape: TorchShape, ...args: [mean?: number, std?: number, a?: number, b?: number] | [TruncNormalArguments]): Float32Array {
    const fn = 'torch.truncNormal_';
    const { size } = sizeOf(fn, shape);
    const [meanValue, stdValue, aValue, bValue] = pythonArguments(fn, ['mean', 'std', 'a', 'b'], args);
    const mean = finite(fn, 'mean', meanValue, 0);
    const std = numberArgument(fn, 'std', stdValue, 1, { above: 0 });
    const a = finite(fn, 'a', aValue, -2), b = finite(fn, 'b', bValue, 2);
    if (a > b) throw rangeError(fn, 'a', `at most b (${b})`, a);
    const plan = truncNormalPlan(mean, std, a, b);
    const out = new Float32Array(size);
    fillUniform(this.source, out, plan.low, plan.high);
    applyErfinv(out);
    const scale = Math.fround(plan.scale), shift = Math.fround(mean);
    const lowest = Math.fround(a), highest = Math.fround(b);
    for (let k = 0; k < size; k++) {
      const value = Math.fround(Math.fround(out[k] * scale) + shift);
      // clamp_ keeps NaN; erfinv_ gives none for these inputs.
      out[k] = value < lowest ? lowest : value > highest ? highest : value;
    }
    return out;
  }

  /**
   * torch.nn.init.kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'):
   * U(-bound, bound), bound = sqrt(3) * gain / sqrt(fan), gain = calculate_gain(nonlinearity, a).
   *
   * @example g.kaimingUniform_([256, 784], Math.sqrt(5))   // nn.Linear(784, 256)'s weight
   */
  kaimingUniform_(shape: TorchShape, ...args: [a?: number, mode?: TorchFanMode, nonlinearity?: Nonlinearity] | [KaimingArguments]): Float32Array {
    const fn = 'torch.kaimingUniform_';
    const checked = sizeOf(fn, shape);
    const [aValue, mode, nonlinearity] = pythonArguments(fn, ['a', 'mode', 'nonlinearity'], args);
    const a = finite(fn, 'a', aValue, 0);
    if (checked.size === 0) return new Float32Array(0); // PyTorch returns before computing fans
    const bound = uniformBound(kaimingStd(fn, checked.shape, a, mode ?? 'fan_in', nonlinearity ?? 'leaky_relu'));
    const out = new Float32Array(checked.size);
    fillUniform(this.source, out, -bound, bound);
    return out;
  }

  /**
   * torch.nn.init.kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'): N(0, std^2),
   * std = gain / sqrt(fan).
   */
  kaimingNormal_(shape: TorchShape, ...args: [a?: number, mode?: TorchFanMode, nonlinearity?: Nonlinearity] | [KaimingArguments]): Float32Array {
    const fn = 'torch.kaimingNormal_';
    const checked = sizeOf(fn, shape);
    const [aValue, mode, nonlinearity] = pythonArguments(fn, ['a', 'mode', 'nonlinearity'], args);
    const a = finite(fn, 'a', aValue, 0);
    if (checked.size === 0) return new Float32Array(0);
    const std = kaimingStd(fn, checked.shape, a, mode ?? 'fan_in', nonlinearity ?? 'leaky_relu');
    return this.normalTensor(checked.size, 0, std);
  }

  /**
   * torch.nn.init.xavier_uniform_(tensor, gain=1): U(-bound, bound), bound = sqrt(3) * gain * sqrt(2 / (fan_in + fan_out)).
   */
  xavierUniform_(shape: TorchShape, ...args: [gain?: number] | [XavierArguments]): Float32Array {
    const fn = 'torch.xavierUniform_';
    const checked = sizeOf(fn, shape);
    const [gainValue] = pythonArguments(fn, ['gain'], args);
    const bound = uniformBound(xavierStd(fn, checked.shape, finite(fn, 'gain', gainValue, 1)));
    checkUniformBounds(fn, -bound, bound);
    const out = new Float32Array(checked.size);
    fillUniform(this.source, out, -bound, bound);
    return out;
  }

  /** torch.nn.init.xavier_normal_(tensor, gain=1): N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)). */
  xavierNormal_(shape: TorchShape, ...args: [gain?: number] | [XavierArguments]): Float32Array {
    const fn = 'torch.xavierNormal_';
    const checked = sizeOf(fn, shape);
    const [gainValue] = pythonArguments(fn, ['gain'], args);
    const std = xavierStd(fn, checked.shape, finite(fn, 'gain', gainValue, 1));
    if (!(std >= 0)) throw rangeError(fn, 'gain', 'non-negative (normal_ needs std >= 0)', gainValue);
    return this.normalTensor(checked.size, 0, std);
  }

  private normalTensor(size: number, mean: number, std: number): Float32Array {
    const out = new Float32Array(size);
    fillNormal(this.source, out, mean, std);
    return out;
  }

  // ---- modules --------------------------------------------------------------------------------------------

  /**
   * Constructs a torch.nn module's parameters as PyTorch's constructor does, drawing from this generator in
   * PyTorch's order. Returns { name: Float32Array } in named_parameters() order with PyTorch's names.
   */
  module(spec: TorchModuleSpec): TorchParameters {
    return this.construct(planTorchModule(spec), () => true);
  }

  /**
   * One parameter of module(spec), leaving the generator where module(spec) leaves it: the draws of the other
   * parameters are skipped (see skipModule), not computed.
   *
   * @example g.moduleParameter({ type: 'lstm', inputSize: 64, hiddenSize: 128 }, 'weight_hh_l0')
   */
  moduleParameter(spec: TorchModuleSpec, name: string): Float32Array {
    const plan = planTorchModule(spec);
    if (!plan.parameters.some((parameter) => parameter.name === name)) {
      throw rangeError(`torch.${plan.type}`, 'name', `one of ${plan.parameters.map((parameter) => parameter.name).join(', ')}`, name);
    }
    return this.construct(plan, (parameter) => parameter === name)[name];
  }

  /**
   * Advances the generator exactly as module(spec) does, without computing any value: a uniform draw (uniform_,
   * kaiming_uniform_, xavier_uniform_) passes over one word per element, a normal draw of 16 or more elements
   * over its size plus 16 when the size is not a multiple of 16. A normal draw of fewer than 16 elements is
   * computed, because it reads and leaves the cached normal.
   */
  skipModule(spec: TorchModuleSpec): this {
    this.construct(planTorchModule(spec), () => false);
    return this;
  }

  /** Runs a module's init steps in order, computing the parameters `wanted` selects and skipping the others' draws. */
  private construct(plan: TorchModulePlan, wanted: (parameter: string) => boolean): TorchParameters {
    const values: TorchParameters = {};
    const shapes = new Map(plan.parameters.map((parameter) => [parameter.name, parameter.shape]));
    for (const parameter of plan.parameters) if (wanted(parameter.name)) values[parameter.name] = new Float32Array(parameter.size);
    for (const step of plan.steps) {
      const shape = shapes.get(step.parameter)!;
      const target = values[step.parameter];
      if (target) this.applyStep(step.init, shape, target);
      else this.skipStep(step.init, shape);
    }
    return values;
  }

  private applyStep(init: TorchInit, shape: readonly number[], target: Float32Array): void {
    switch (init.kind) {
      case 'kaimingUniform':
        target.set(this.kaimingUniform_(shape, init.a, init.mode, init.nonlinearity));
        break;
      case 'uniform':
        target.set(this.uniform_(shape, init.a, init.b));
        break;
      case 'normal':
        target.set(this.normal_(shape, init.mean, init.std));
        break;
      case 'xavierUniform':
        target.set(this.xavierUniform_(shape, init.gain));
        break;
      case 'xavierNormal':
        target.set(this.xavierNormal_(shape, init.gain));
        break;
      case 'constant':
        target.fill(init.value);
        break;
      case 'zeroRow': {
        const rowLength = shape.slice(1).reduce((product, dimension) => product * dimension, 1);
        target.fill(0, init.row * rowLength, (init.row + 1) * rowLength);
        break;
      }
      default:
        throw new TypeError(`nninit.torch.module: unknown init ${describe(init)}`);
    }
  }

  /** The words applyStep would take, passed over: the kernels take one per uniform element (fillUniform, fillNormal). */
  private skipStep(init: TorchInit, shape: readonly number[]): void {
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    switch (init.kind) {
      case 'kaimingUniform': case 'uniform': case 'xavierUniform':
        this.source.engine.discard(size);
        break;
      case 'normal': case 'xavierNormal':
        if (size >= 16) this.source.engine.discard(size % 16 === 0 ? size : size + 16);
        else this.applyStep(init, shape, new Float32Array(size));
        break;
      case 'constant': case 'zeroRow':
        break;
      default:
        throw new TypeError(`nninit.torch.module: unknown init ${describe(init)}`);
    }
  }

  /** nn.Linear(inFeatures, outFeatures, bias=True): weight [out, in] kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(in), 1/sqrt(in)). */
  linear(inFeatures: number, outFeatures: number, options: LinearOptions = {}): TorchParameters {
    return this.module({ type: 'linear', inFeatures, outFeatures, ...options });
  }

  /** nn.Conv1d(inChannels, outChannels, kernelSize, groups=1, bias=True): weight [out, in/groups, k]. */
  conv1d(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvOptions = {}): TorchParameters {
    return this.module({ type: 'conv1d', inChannels, outChannels, kernelSize, ...options });
  }

  /** nn.Conv2d: weight [out, in/groups, kh, kw]. */
  conv2d(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvOptions = {}): TorchParameters {
    return this.module({ type: 'conv2d', inChannels, outChannels, kernelSize, ...options });
  }

  /** nn.Conv3d: weight [out, in/groups, kd, kh, kw]. */
  conv3d(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvOptions = {}): TorchParameters {
    return this.module({ type: 'conv3d', inChannels, outChannels, kernelSize, ...options });
  }

  /** nn.ConvTranspose1d: weight [in, out/groups, k]. */
  convTranspose1d(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvTransposeOptions = {}): TorchParameters {
    return this.module({ type: 'convTranspose1d', inChannels, outChannels, kernelSize, ...options });
  }

  /** nn.ConvTranspose2d: weight [in, out/groups, kh, kw]. */
  convTranspose2d(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvTransposeOptions = {}): TorchParameters {
    return this.module({ type: 'convTranspose2d', inChannels, outChannels, kernelSize, ...options });
  }

  /** nn.ConvTranspose3d: weight [in, out/groups, kd, kh, kw]. */
  convTranspose3d(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvTransposeOptions = {}): TorchParameters {
    return this.module({ type: 'convTranspose3d', inChannels, outChannels, kernelSize, ...options });
  }

  /** nn.Embedding(numEmbeddings, embeddingDim, padding_idx=None): weight N(0, 1), the padding row zeroed. */
  embedding(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}): TorchParameters {
    return this.module({ type: 'embedding', numEmbeddings, embeddingDim, ...options });
  }

  /** nn.LSTM(inputSize, hiddenSize, ...): every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)), layer by layer. */
  lstm(inputSize: number, hiddenSize: number, options: LstmOptions = {}): TorchParameters {
    return this.module({ type: 'lstm', inputSize, hiddenSize, ...options });
  }

  /** nn.GRU(inputSize, hiddenSize, ...): as lstm with 3 gates. */
  gru(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}): TorchParameters {
    return this.module({ type: 'gru', inputSize, hiddenSize, ...options });
  }

  /** nn.RNN(inputSize, hiddenSize, ...): as lstm with 1 gate. */
  rnn(inputSize: number, hiddenSize: number, options: RnnOptions = {}): TorchParameters {
    return this.module({ type: 'rnn', inputSize, hiddenSize, ...options });
  }

  /** nn.LayerNorm(normalizedShape, elementwise_affine=True): weight ones, bias zeros; draws nothing. */
  layerNorm(normalizedShape: number | readonly number[], options: LayerNormOptions = {}): TorchParameters {
    return this.module({ type: 'layerNorm', normalizedShape, ...options });
  }

  /**
   * nn.MultiheadAttention(embedDim, numHeads, bias=True, add_bias_kv=False, kdim=None, vdim=None): the output
   * projection is an nn.Linear built first (so it draws first), then the input projection xavier_uniform_,
   * both biases set to zero and bias_k/bias_v xavier_normal_.
   */
  multiheadAttention(embedDim: number, numHeads: number, options: AttentionOptions = {}): TorchParameters {
    return this.module({ type: 'multiheadAttention', embedDim, numHeads, ...options });
  }
}

/** A size per spatial axis, or one for all of them, as PyTorch's `_size_1_t` ... `_size_3_t`. */
export type TorchSize = number | readonly number[];

/**
 * Options of nn.Linear: `bias` (default true). PyTorch's `device` and `dtype` are not taken (the values are the
 * float32 CPU ones).
 */
export interface LinearOptions {
  bias?: boolean;
}

/**
 * Options of nn.Conv1d, nn.Conv2d, nn.Conv3d. `groups` and `bias` shape the parameters; the others are accepted
 * for a faithful port and ignored, as they change the forward pass, not the parameters or the draws.
 */
export interface ConvOptions {
  groups?: number;
  bias?: boolean;
  /** Accepted and ignored. */
  stride?: TorchSize;
  /** Accepted and ignored. */
  padding?: TorchSize | 'same' | 'valid';
  /** Accepted and ignored. */
  dilation?: TorchSize;
  /** Accepted and ignored. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

/** Options of nn.ConvTranspose1d/2d/3d: as ConvOptions (numeric padding only), and `outputPadding`, also ignored. */
export interface ConvTransposeOptions extends Omit<ConvOptions, 'padding'> {
  /** Accepted and ignored. */
  padding?: TorchSize;
  /** Accepted and ignored. */
  outputPadding?: TorchSize;
}

/** Options of nn.Embedding: `paddingIdx` zeroes its row; the others are accepted and ignored. */
export interface EmbeddingOptions {
  paddingIdx?: number;
  /** Accepted and ignored. */
  maxNorm?: number;
  /** Accepted and ignored. */
  normType?: number;
  /** Accepted and ignored. */
  scaleGradByFreq?: boolean;
  /** Accepted and ignored. */
  sparse?: boolean;
}

/** Options of nn.LSTM, nn.GRU and nn.RNN; `batchFirst` and `dropout` are accepted and ignored. */
export interface RecurrentOptions {
  numLayers?: number;
  bias?: boolean;
  bidirectional?: boolean;
  /** Accepted and ignored. */
  batchFirst?: boolean;
  /** Accepted and ignored. */
  dropout?: number;
}

/** Options of nn.LSTM: RecurrentOptions and `projSize`. */
export interface LstmOptions extends RecurrentOptions {
  projSize?: number;
}

/** Options of nn.RNN: RecurrentOptions and `nonlinearity` (checked, and ignored: it does not change the draws). */
export interface RnnOptions extends RecurrentOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of nn.LayerNorm: `elementwiseAffine` (default true); `eps` is accepted and ignored. */
export interface LayerNormOptions {
  elementwiseAffine?: boolean;
  /** Accepted and ignored. */
  eps?: number;
}

/** Options of nn.MultiheadAttention; `dropout`, `addZeroAttn` and `batchFirst` are accepted and ignored. */
export interface AttentionOptions {
  bias?: boolean;
  addBiasKv?: boolean;
  kdim?: number;
  vdim?: number;
  /** Accepted and ignored. */
  dropout?: number;
  /** Accepted and ignored. */
  addZeroAttn?: boolean;
  /** Accepted and ignored. */
  batchFirst?: boolean;
}

/**
 * A generator that reproduces torch.manual_seed(seed) followed by the same calls in PyTorch 1.13 (float32,
 * x86-64 CPU with AVX2). Without a seed it starts where torch.Generator() does (seed 67280421310721).
 *
 * @example
 * const g = createTorchGenerator(0);   // torch.manual_seed(0)
 * g.rand(5);                           // torch.rand(5): 0.4963, 0.7682, 0.0885, 0.1320, 0.3074
 * const fc = g.linear(784, 256);       // nn.Linear(784, 256): { weight, bias }
 */
export function createTorchGenerator(seed?: TorchSeed): TorchGenerator {
  return new TorchGenerator(seed);
}

