// The public initializers. Each one checks every argument first, turns its parameters into one of the
// kernels' distributions, and only then allocates (or takes the caller's `out`) and fills it. The named
// presets (Glorot, He, LeCun) are one-line specializations of varianceScaling, as in jax.nn.initializers.

import type { OutArray } from './output.js';
import { prepare, run, type Fill, type Prepared, type RandomOptions, type Result } from './prepare.js';
import { FAN_AXIS_KEYS, fanAxes, fansOf, type Axes, type Layout } from './fans.js';
import { gainOf, type Nonlinearity } from './gains.js';
import { fillOutput, planOutput, OUTPUT_OPTION_KEYS, type OutputOptions } from './output.js';
import { checkOptions, checkShape, choiceArgument, numberArgument, rangeError, typeError } from './validate.js';
import {
  normalParameters, truncatedNormalParameters, uniformParameters,
  FLOAT32_MAX, NORMAL_REACH, TRUNCATED_NORMAL_REACH, TRUNCATED_NORMAL_STDDEV_2,
} from './distributions.js';

// ---- option types ---------------------------------------------------------------------------------------------

export interface ConstantOptions extends OutputOptions {}

export interface ConstantValueOptions extends ConstantOptions {
  /**
   * Let `value` be NaN or +-Infinity, or a number too large for float32 (which becomes +-Infinity in float32
   * output), for example a NaN sentinel. Default false: such values are a RangeError, so that no initializer
   * writes a non-finite value by accident.
   */
  allowNonFinite?: boolean;
}

export interface UniformOptions extends RandomOptions {
  /** Lower bound (default 0, as torch.nn.init.uniform_). */
  low?: number;
  /** Upper bound (default 1). */
  high?: number;
}

export interface NormalOptions extends RandomOptions {
  /** Mean (default 0). */
  mean?: number;
  /** Standard deviation (default 1, as torch.nn.init.normal_); `stddev` is accepted as its Keras/JAX spelling. */
  std?: number;
  stddev?: number;
}

export interface TruncatedNormalOptions extends NormalOptions {
  /** Lower cut in standard deviations from the mean (default -2). */
  lower?: number;
  /** Upper cut in standard deviations from the mean (default 2). */
  upper?: number;
}

/**
 * Which fan variance scaling divides by: fanIn, fanOut, their arithmetic mean (fanAvg) or their geometric mean
 * (fanGeoAvg, as JAX's 'fan_geo_avg'). The snake_case spellings of PyTorch, Keras and JAX are accepted too.
 */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg' | 'fanGeoAvg' | 'fan_in' | 'fan_out' | 'fan_avg' | 'fan_geo_avg';

/**
 * - 'normal': N(0, scale / fan), untruncated (JAX's 'normal'; PyTorch's kaiming_normal_/xavier_normal_).
 * - 'truncatedNormal': cut at 2 standard deviations and rescaled by 1 / 0.87962566103423978 so the variance
 *   is still scale / fan (Keras 3's 'truncated_normal', which Keras also calls 'normal'; JAX's 'truncated_normal').
 * - 'uniform': U(-limit, limit) with limit = sqrt(3 scale / fan).
 */
export type Distribution = 'normal' | 'truncatedNormal' | 'uniform';

export interface FanOptions {
  /** Weight layout for fans: 'keras' `[...kernel, in, out]` (default) or 'torch' `[out, in, ...kernel]`. */
  layout?: Layout;
  /**
   * Axis or axes of the inputs (negative ones count from the end), overriding the layout's (JAX's in_axis);
   * see computeFans.
   */
  inAxis?: Axes;
  /** Axis or axes of the outputs, overriding the layout's (JAX's out_axis). */
  outAxis?: Axes;
  /** Axes that count in neither fan, e.g. a stack of independent weights (JAX's batch_axis). */
  batchAxis?: Axes;
}

export interface VarianceScalingOptions extends RandomOptions, FanOptions {
  /** Variance numerator (default 1). */
  scale?: number;
  /** Default 'fanIn'; 'fanGeoAvg' divides by sqrt(fanIn * fanOut), as JAX's 'fan_geo_avg'. */
  mode?: FanMode;
  /** Default 'truncatedNormal', as Keras 3 and JAX. */
  distribution?: Distribution;
}

export interface GlorotOptions extends RandomOptions, FanOptions {
  /** Multiplies the standard deviation (default 1), as PyTorch's xavier_* gain. */
  gain?: number;
}

export interface NormalPresetOptions {
  /**
   * 'truncatedNormal' (default; Keras 3, JAX) or 'normal' (untruncated; PyTorch's *_normal_). Both have the
   * preset's variance exactly.
   */
  distribution?: 'normal' | 'truncatedNormal';
}

export interface HeOptions extends RandomOptions, FanOptions {
  /** Default 'fanIn'. 'fanOut' preserves the variance of gradients in the backward pass. */
  mode?: FanMode;
  /** Nonlinearity after the layer (default 'leaky_relu', as PyTorch's kaiming_*). */
  nonlinearity?: Nonlinearity;
  /** Negative slope of leaky_relu (default 0, which makes the default gain sqrt(2), as for relu). */
  a?: number;
}

export interface LecunOptions extends RandomOptions, FanOptions {}

/**
 * Which of the caller's arguments a distribution's parameters come from, for error messages: the plain
 * samplers' own options, or the one option (scale, gain) a variance-scaling preset derives them from.
 */
type Blame = string;

function overflow(fn: string, blame: Blame, detail: string): RangeError {
  const verb = blame.includes(' and ') ? 'are' : 'is';
  return new RangeError(`nninit.${fn}: ${blame} ${verb} too large: ${detail}, beyond the float32 range (+-${FLOAT32_MAX})`);
}

function uniformFill(fn: string, low: number, high: number, blame: Blame): Fill {
  const parameters = uniformParameters(low, high);
  if (!Number.isFinite(parameters.range) || !Number.isFinite(parameters.low)) {
    throw overflow(fn, blame, `the interval [${low}, ${high}) has width ${high - low}`);
  }
  return (backend, out, start, key) => backend.fillUniform(out, start, key, parameters);
}

/** N(mean, stddev^2), refused when |mean| + NORMAL_REACH stddev, the largest reachable |value|, overflows float32. */
function normalFill(fn: string, mean: number, stddev: number, blame: Blame): Fill {
  const parameters = normalParameters(mean, stddev);
  const reach = Math.abs(parameters.mean) + NORMAL_REACH * parameters.stddev;
  if (!(reach <= FLOAT32_MAX)) {
    throw overflow(fn, blame, `with mean ${mean} and std ${stddev}, values reach |mean| + ${NORMAL_REACH} std = ${reach}`);
  }
  return (backend, out, start, key) => backend.fillNormal(out, start, key, parameters);
}

function truncatedNormalFill(fn: string, mean: number, stddev: number, lower: number, upper: number, blame: Blame): Fill {
  if (stddev === 0) {
    const value = Math.fround(mean);
    return (_backend, out) => fillOutput(out, value);
  }
  // The interval, with infinite bounds capped where the sampler stops (TRUNCATED_NORMAL_REACH), must be float32.
  const low = mean + stddev * Math.max(lower, -TRUNCATED_NORMAL_REACH);
  const high = mean + stddev * Math.min(upper, TRUNCATED_NORMAL_REACH);
  if (!(Math.abs(low) <= FLOAT32_MAX && Math.abs(high) <= FLOAT32_MAX) || !Number.isFinite(Math.fround(stddev))) {
    throw overflow(fn, blame, `with mean ${mean} and std ${stddev}, the interval is (${low}, ${high})`);
  }
  const parameters = truncatedNormalParameters(mean, stddev, lower, upper);
  if (parameters === undefined) {
    throw new RangeError(
      `nninit.${fn}: no float32 value lies strictly between mean + lower * std = ${mean + stddev * lower} and mean + upper * std = ${mean + stddev * upper}`);
  }
  return (backend, out, start, key) => backend.fillTruncatedNormal(out, start, key, parameters);
}

/** std, or its alias stddev; a non-negative finite number. */
function stddevOption(fn: string, options: Record<string, unknown>, fallback: number): number {
  if (options.std !== undefined && options.stddev !== undefined) {
    throw new TypeError(`nninit.${fn}: pass options.std or options.stddev, not both`);
  }
  return numberArgument(fn, stddevName(options), options.stddev ?? options.std, fallback, { min: 0 });
}

/** The spelling of the standard deviation the caller used. */
function stddevName(options: Record<string, unknown>): string {
  return options.stddev !== undefined ? 'options.stddev' : 'options.std';
}

// ---- constants --------------------------------------------------------------------------------------------------

function constantTensor(fn: string, shape: unknown, value: number, options: ConstantOptions | undefined): OutArray {
  const checked = checkOptions(fn, options, OUTPUT_OPTION_KEYS) as OutputOptions;
  const tensor = checkShape(fn, shape);
  return planOutput(fn, tensor.size, checked).fill(value);
}

/**
 * All zeros. Zero weights make every unit of a layer compute the same function and receive the same gradient,
 * so they never differentiate (the symmetry problem); zeros are the usual choice for biases.
 *
 * @example zeros([256])                        // Float32Array(256) of 0
 */
export function zeros<O extends ConstantOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return constantTensor('zeros', shape, 0, options) as Result<O>;
}

/**
 * All ones, e.g. for the scale of a normalization layer.
 *
 * @example ones([64], { dtype: 'float64' })
 */
export function ones<O extends ConstantOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return constantTensor('ones', shape, 1, options) as Result<O>;
}

/**
 * Every element equal to `value` (stored exactly in float64, rounded to nearest in float32). A constant
 * weight matrix has the same symmetry problem as zeros; constants suit biases (for example a forget-gate
 * bias of 1). NaN, infinities and values beyond the float32 range are refused unless
 * `options.allowNonFinite` is true; float16/bfloat16 output rounds by IEEE rules, so values beyond their range
 * (65504 for float16) become +-Infinity there.
 *
 * `value` may also be an array or typed array of exactly `size` numbers, the tensor in row-major order (as
 * Keras's Constant takes an array; Keras broadcasts a smaller one, nninit asks for the whole tensor): element i
 * is value[i], stored the same way, and offset/length select value[offset .. offset + length - 1].
 *
 * @example constant([4, 4], 0.1)
 * @example constant([2, 3], [1, 2, 3, 4, 5, 6], { dtype: 'float64' })
 */
export function constant<O extends ConstantValueOptions = {}>(shape: readonly number[], value: number | ArrayLike<number>, options?: O): Result<O> {
  const fn = 'constant';
  const checked = checkOptions(fn, options, [...OUTPUT_OPTION_KEYS, 'allowNonFinite']) as ConstantValueOptions;
  const allowNonFinite = checked.allowNonFinite ?? false;
  if (typeof allowNonFinite !== 'boolean') throw typeError(fn, 'options.allowNonFinite', 'a boolean', allowNonFinite);
  const tensor = checkShape(fn, shape);
  if (typeof value === 'number') {
    constantValue(fn, 'value', value, allowNonFinite);
    return planOutput(fn, tensor.size, checked).fill(value) as Result<O>;
  }
  const values = constantValues(fn, value, tensor.size, allowNonFinite);
  const plan = planOutput(fn, tensor.size, checked);
  const floats = plan.floats();
  for (let i = 0; i < plan.length; i++) floats[i] = values[plan.offset + i];
  return plan.finish(floats) as Result<O>;
}

/** A constant's value: a number, finite in float32 unless non-finite values are allowed. */
function constantValue(fn: string, argument: string, value: unknown, allowNonFinite: boolean): number {
  if (typeof value !== 'number') throw typeError(fn, argument, 'a number', value);
  if (!allowNonFinite && !Number.isFinite(Math.fround(value))) {
    throw rangeError(fn, argument, 'a number finite in float32 (|value| <= 3.4028234663852886e38; options.allowNonFinite: true permits NaN and infinities)', value);
  }
  return value;
}

/** An array-valued constant: exactly `size` numbers, each checked as constantValue checks one. */
function constantValues(fn: string, value: unknown, size: number, allowNonFinite: boolean): ArrayLike<number> {
  const numeric = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)
    && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array));
  if (!numeric) throw typeError(fn, 'value', 'a number, or an array or typed array of numbers', value);
  const values = value as ArrayLike<unknown>;
  if (values.length !== size) throw rangeError(fn, 'value', `a number or an array of ${size} values (the tensor's size)`, value);
  for (let i = 0; i < size; i++) constantValue(fn, `value[${i}]`, values[i], allowNonFinite);
  return values as ArrayLike<number>;
}

// ---- plain distributions ----------------------------------------------------------------------------------------

/**
 * U[low, high): element i is u_i * (high - low) + low, where u_i is the top 24 bits of stream word i times
 * 2^-24 (so u_i lies in [0, 1 - 2^-24]), computed in float32. Because of float32 rounding an element can equal
 * `high` when |low| is much larger than high - low. Defaults as torch.nn.init.uniform_ (0, 1); Keras uses
 * [-0.05, 0.05] and JAX [0, 0.01).
 *
 * A naive choice of scale: too small and signals vanish through depth, too large and they explode, which is
 * what the variance-scaling initializers below fix by deriving the scale from the fans.
 *
 * @example uniform([784, 256], { low: -0.1, high: 0.1, seed: 42 })
 */
export function uniform<O extends UniformOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'uniform';
  const { options: o, key, plan } = prepare(fn, shape, options, ['low', 'high']);
  const low = numberArgument(fn, 'options.low', o.low, 0);
  const high = numberArgument(fn, 'options.high', o.high, 1);
  if (low > high) throw rangeError(fn, 'options.low', `at most options.high (${high})`, low);
  return run(plan, key, uniformFill(fn, low, high, 'options.low and options.high')) as Result<O>;
}

/**
 * N(mean, std^2) by the Box-Muller transform: stream words 4b, 4b+1 of block b give elements 4b and 4b+1,
 * words 4b+2, 4b+3 give elements 4b+2 and 4b+3, as
 * sqrt(-2 ln u1) * (cos 2 pi u2, sin 2 pi u2) * std + mean, with u1 in (0, 1] and u2 in [0, 1) from the top 24
 * bits of each word. The 24-bit u1 bounds |z| by sqrt(48 ln 2) = 5.77 standard deviations (a tail probability
 * of 8e-9 is lost). Defaults as torch.nn.init.normal_ (0, 1).
 *
 * @example normal([512, 512], { std: 0.02, seed: 7 })
 */
export function normal<O extends NormalOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'normal';
  const { options: o, key, plan } = prepare(fn, shape, options, ['mean', 'std', 'stddev']);
  const mean = numberArgument(fn, 'options.mean', o.mean, 0);
  const stddev = stddevOption(fn, o, 1);
  return run(plan, key, normalFill(fn, mean, stddev, `options.mean and ${stddevName(o)}`)) as Result<O>;
}

/**
 * N(mean, std^2) restricted to (mean + lower std, mean + upper std), by inverse CDF with one stream word per
 * value, clamped to the float32 values strictly inside the bounds. Two samplers, chosen by the interval:
 * - reaching within 1 std of the mean (lower < 1 and upper > -1, which includes the default +-2): with
 *   y_i = erf(lower / sqrt 2) + u_i (erf(upper / sqrt 2) - erf(lower / sqrt 2)), element i is
 *   sqrt(2) erfinv(y_i) * std + mean, with Giles' single-precision erfinv (GPU Computing Gems, 2011). The
 *   float32 y resolves the tails to about 5.4 std (a probability of 3e-8 beyond is not sampled).
 * - entirely beyond 1 std on one side (mirrored to [a, b], a >= 1): in tail coordinates,
 *   x_i = Q^-1(Q(a) (1 - u_i (1 - Q(b) / Q(a)))) with Q the normal upper tail, computed as
 *   w_i = -log Q(a) - log((1 - u_i) + u_i Q(b) / Q(a)) and x_i = Q^-1(e^-w_i), with -log Q(a) and Q(b) / Q(a)
 *   from a double-precision setup and the inverse in float32 (Hastings' start and one Newton step, within
 *   1.6 ulp; assembly/f32math.ts). Intervals as far out as [37, 38] keep their shape (PyTorch's erfinv-based
 *   trunc_normal_ returns a constant beyond about 6 std). The nearer bound may be at most 38 std from the mean.
 *
 * The bounds are in standard deviations, as in Keras 3 and JAX (default +-2). PyTorch's trunc_normal_(a, b)
 * takes absolute bounds: its (mean, std, a, b) is this function's
 * { mean, std, lower: (a - mean) / std, upper: (b - mean) / std }. `std` is the parent normal's; the
 * variance after truncation is smaller (0.7737 std^2 for +-2); varianceScaling corrects for that, this does not.
 *
 * @example truncatedNormal([768, 768], { std: 0.02 })
 * @example truncatedNormal([1000], { lower: 6, upper: 7 })   // the tail beyond 6 sigma, mean 6.157
 */
export function truncatedNormal<O extends TruncatedNormalOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'truncatedNormal';
  const { options: o, key, plan } = prepare(fn, shape, options, ['mean', 'std', 'stddev', 'lower', 'upper']);
  const mean = numberArgument(fn, 'options.mean', o.mean, 0);
  const stddev = stddevOption(fn, o, 1);
  const lower = numberArgument(fn, 'options.lower', o.lower, -2, { finite: false });
  const upper = numberArgument(fn, 'options.upper', o.upper, 2, { finite: false });
  if (!(lower < upper)) throw rangeError(fn, 'options.lower', `less than options.upper (${upper})`, lower);
  const reach = `at most ${TRUNCATED_NORMAL_REACH} standard deviations from the mean (beyond, the tail's probability is below 1e-315)`;
  if (lower > TRUNCATED_NORMAL_REACH) throw rangeError(fn, 'options.lower', reach, lower);
  if (upper < -TRUNCATED_NORMAL_REACH) throw rangeError(fn, 'options.upper', reach, upper);
  return run(plan, key, truncatedNormalFill(fn, mean, stddev, lower, upper, `options.mean and ${stddevName(o)}`)) as Result<O>;
}

// ---- variance scaling -------------------------------------------------------------------------------------------

const FAN_MODES: readonly FanMode[] = ['fanIn', 'fanOut', 'fanAvg', 'fanGeoAvg', 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'];
const DISTRIBUTIONS: readonly Distribution[] = ['normal', 'truncatedNormal', 'uniform'];
const FAN_KEYS = ['layout', ...FAN_AXIS_KEYS] as const;

/** The fan a mode divides by. */
function fanOfMode(mode: FanMode, fanIn: number, fanOut: number): number {
  switch (mode) {
    case 'fanIn': case 'fan_in': return fanIn;
    case 'fanOut': case 'fan_out': return fanOut;
    case 'fanAvg': case 'fan_avg': return (fanIn + fanOut) / 2;
    case 'fanGeoAvg': case 'fan_geo_avg': return Math.sqrt(fanIn * fanOut);
  }
}

interface VarianceSpec {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  /** The caller's option the scale comes from ('options.scale', 'options.gain'), named when it overflows. */
  readonly source: string;
}

/** The one variance-scaling sampler behind varianceScaling and every preset. */
function varianceScaled(fn: string, prepared: Prepared, spec: VarianceSpec): OutArray {
  const { options: o, tensor, key, plan } = prepared;
  const axes = fanAxes(fn, tensor.shape.length, o);
  if (!Number.isFinite(spec.scale)) throw rangeError(fn, spec.source, 'small enough that the variance is finite', o[spec.source.slice('options.'.length)]);
  // An empty tensor has no fans to divide by; every argument has been checked.
  if (tensor.size === 0) return plan.result(plan.target());
  const { fanIn, fanOut } = fansOf(tensor.shape, axes);
  const variance = spec.scale / fanOfMode(spec.mode, fanIn, fanOut);
  return run(plan, key, varianceFill(fn, spec, variance));
}

function varianceFill(fn: string, spec: VarianceSpec, variance: number): Fill {
  switch (spec.distribution) {
    case 'uniform': {
      const limit = Math.sqrt(3 * variance);
      return uniformFill(fn, -limit, limit, spec.source);
    }
    case 'normal':
      return normalFill(fn, 0, Math.sqrt(variance), spec.source);
    case 'truncatedNormal':
      return truncatedNormalFill(fn, 0, Math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV_2, -2, 2, spec.source);
  }
}

/**
 * Variance scaling (Keras 3 VarianceScaling, jax.nn.initializers.variance_scaling): samples with variance
 * scale / n, where n is fanIn, fanOut, (fanIn + fanOut) / 2 or sqrt(fanIn * fanOut) per `mode` (see
 * computeFans for the fans of each layout, and for inAxis, outAxis and batchAxis).
 * - 'truncatedNormal' (default): 2-sigma truncated normal with std sqrt(scale / n) / 0.87962566103423978.
 * - 'normal': N(0, scale / n).
 * - 'uniform': U(-sqrt(3 scale / n), sqrt(3 scale / n)).
 *
 * Every Glorot, He and LeCun initializer below is this function with fixed (scale, mode, distribution).
 *
 * @example varianceScaling([3, 3, 64, 128], { scale: 2, mode: 'fanOut', distribution: 'normal' })
 * @example varianceScaling([8, 512, 64], { mode: 'fanGeoAvg', inAxis: 1, outAxis: 2, batchAxis: 0 })
 */
export function varianceScaling<O extends VarianceScalingOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'varianceScaling';
  const prepared = prepare(fn, shape, options, ['scale', 'mode', 'distribution', ...FAN_KEYS]);
  const o = prepared.options;
  const scale = numberArgument(fn, 'options.scale', o.scale, 1, { min: 0 });
  const mode = choiceArgument(fn, 'options.mode', o.mode, FAN_MODES, 'fanIn');
  const distribution = choiceArgument(fn, 'options.distribution', o.distribution, DISTRIBUTIONS, 'truncatedNormal');
  return varianceScaled(fn, prepared, { scale, mode, distribution, source: 'options.scale' }) as Result<O>;
}

function glorot(fn: string, shape: unknown, options: object | undefined, distribution: Distribution | 'presetNormal'): OutArray {
  const keys = distribution === 'presetNormal' ? ['gain', 'distribution', ...FAN_KEYS] : ['gain', ...FAN_KEYS];
  const prepared = prepare(fn, shape, options, keys);
  const gain = numberArgument(fn, 'options.gain', prepared.options.gain, 1, { min: 0 });
  return varianceScaled(fn, prepared, { scale: gain * gain, mode: 'fanAvg', distribution: presetDistribution(fn, prepared, distribution), source: 'options.gain' });
}

function presetDistribution(fn: string, prepared: Prepared, distribution: Distribution | 'presetNormal'): Distribution {
  if (distribution !== 'presetNormal') return distribution;
  return choiceArgument(fn, 'options.distribution', prepared.options.distribution, ['truncatedNormal', 'normal'] as const, 'truncatedNormal');
}

/**
 * Glorot/Xavier uniform (Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural
 * networks", AISTATS 2010): U(-limit, limit) with limit = gain * sqrt(6 / (fanIn + fanOut)), i.e. variance
 * gain^2 * 2 / (fanIn + fanOut). Keeps forward and backward variances balanced for symmetric, saturating
 * activations: use it with tanh and sigmoid. The Keras/TF.js default for Dense and Conv kernels.
 *
 * @example glorotUniform([784, 256], { seed: 1 })
 */
export function glorotUniform<O extends GlorotOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return glorot('glorotUniform', shape, options, 'uniform') as Result<O>;
}

/**
 * Glorot/Xavier normal (Glorot and Bengio, 2010): variance gain^2 * 2 / (fanIn + fanOut), from a 2-sigma
 * truncated normal rescaled to that variance (Keras 3, JAX) or, with distribution 'normal', untruncated
 * (PyTorch's xavier_normal_). For tanh and sigmoid networks.
 *
 * @example glorotNormal([256, 128], { distribution: 'normal' })
 */
export function glorotNormal<O extends GlorotOptions & NormalPresetOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return glorot('glorotNormal', shape, options, 'presetNormal') as Result<O>;
}

function he(fn: string, shape: unknown, options: object | undefined, distribution: Distribution | 'presetNormal'): OutArray {
  const keys = ['mode', 'nonlinearity', 'a', ...FAN_KEYS, ...(distribution === 'presetNormal' ? ['distribution'] : [])];
  const prepared = prepare(fn, shape, options, keys);
  const o = prepared.options;
  const mode = choiceArgument(fn, 'options.mode', o.mode, FAN_MODES, 'fanIn');
  if (mode !== 'fanIn' && mode !== 'fan_in' && mode !== 'fanOut' && mode !== 'fan_out') throw rangeError(fn, 'options.mode', "'fanIn' or 'fanOut'", mode);
  const gain = gainOf(fn, 'options.nonlinearity', o.nonlinearity ?? 'leaky_relu', 'options.a', o.a ?? 0);
  return varianceScaled(fn, prepared, { scale: gain * gain, mode, distribution: presetDistribution(fn, prepared, distribution), source: 'options.nonlinearity' });
}

/**
 * He/Kaiming uniform (He et al., "Delving deep into rectifiers", ICCV 2015): U(-bound, bound) with
 * bound = gain * sqrt(3 / fan), gain = calculateGain(nonlinearity, a), fan = fanIn or fanOut per `mode`.
 * ReLU zeroes half its inputs, halving the variance; gain sqrt(2) restores it. Use with ReLU and its
 * variants. Defaults as torch.nn.init.kaiming_uniform_ (leaky_relu with a = 0, fanIn), i.e. Keras's
 * he_uniform: variance 2 / fanIn.
 *
 * @example heUniform([3, 3, 3, 64])                                     // conv kernel, Keras layout
 * @example heUniform([64, 3, 3, 3], { layout: 'torch', mode: 'fanOut', nonlinearity: 'relu' })
 */
export function heUniform<O extends HeOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return he('heUniform', shape, options, 'uniform') as Result<O>;
}

/**
 * He/Kaiming normal (He et al., 2015): variance gain^2 / fan, gain = calculateGain(nonlinearity, a), from a
 * 2-sigma truncated normal rescaled to that variance (Keras 3 he_normal, JAX) or, with distribution
 * 'normal', untruncated (PyTorch's kaiming_normal_). For ReLU networks.
 *
 * @example heNormal([1024, 1024], { seed: 3 })
 */
export function heNormal<O extends HeOptions & NormalPresetOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return he('heNormal', shape, options, 'presetNormal') as Result<O>;
}

function lecun(fn: string, shape: unknown, options: object | undefined, distribution: Distribution | 'presetNormal'): OutArray {
  const prepared = prepare(fn, shape, options, distribution === 'presetNormal' ? ['distribution', ...FAN_KEYS] : FAN_KEYS);
  return varianceScaled(fn, prepared, { scale: 1, mode: 'fanIn', distribution: presetDistribution(fn, prepared, distribution), source: 'options.scale' });
}

/**
 * LeCun uniform (LeCun et al., "Efficient BackProp", 1998): U(-sqrt(3 / fanIn), sqrt(3 / fanIn)), variance
 * 1 / fanIn. Keeps unit variance for linear-ish activations; with SELU it is what self-normalizing networks
 * assume (Klambauer et al., 2017).
 *
 * @example lecunUniform([128, 64])
 */
export function lecunUniform<O extends LecunOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return lecun('lecunUniform', shape, options, 'uniform') as Result<O>;
}

/**
 * LeCun normal (LeCun et al., 1998): variance 1 / fanIn, from a 2-sigma truncated normal rescaled to that
 * variance (Keras 3, JAX) or, with distribution 'normal', untruncated. The initializer for SELU networks
 * (Klambauer et al., "Self-Normalizing Neural Networks", NeurIPS 2017); also suits tanh.
 *
 * @example lecunNormal([512, 512])
 */
export function lecunNormal<O extends LecunOptions & NormalPresetOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  return lecun('lecunNormal', shape, options, 'presetNormal') as Result<O>;
}

/** PyTorch's name for glorotUniform. */
export const xavierUniform = glorotUniform;
/** PyTorch's name for glorotNormal. */
export const xavierNormal = glorotNormal;
/** PyTorch's name for heUniform. */
export const kaimingUniform = heUniform;
/** PyTorch's name for heNormal. */
export const kaimingNormal = heNormal;
