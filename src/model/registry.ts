// The public initializers as data for the planner: how to call each one, whether it draws from a stream, whether
// it takes a layout, how its variance follows from the fans, and the mean and standard deviation of what it
// produces (for explain and the tests). Only the core's public functions are used.

import {
  zeros, ones, constant, uniform, normal, truncatedNormal, varianceScaling,
  glorotUniform, glorotNormal, xavierUniform, xavierNormal, heUniform, heNormal, kaimingUniform, kaimingNormal,
  lecunUniform, lecunNormal,
} from '../core/initializers.js';
import { orthogonal, identity, eye, dirac, deltaOrthogonal, sparse } from '../core/structured.js';
import { computeFans, FAN_AXIS_KEYS, type Fans, type FanAxesOptions, type Layout } from '../core/fans.js';
import { calculateGain, type Nonlinearity } from '../core/gains.js';
import { erfcx, minusLogNormalTail, TRUNCATED_NORMAL_STDDEV_2 } from '../core/distributions.js';
import type { OutArray } from '../core/output.js';

export type InitializerName =
  | 'zeros' | 'ones' | 'constant' | 'uniform' | 'normal' | 'truncatedNormal' | 'varianceScaling'
  | 'glorotUniform' | 'glorotNormal' | 'xavierUniform' | 'xavierNormal'
  | 'heUniform' | 'heNormal' | 'kaimingUniform' | 'kaimingNormal' | 'lecunUniform' | 'lecunNormal'
  | 'orthogonal' | 'identity' | 'eye' | 'dirac' | 'deltaOrthogonal' | 'sparse';

export type Options = Record<string, unknown>;
type Call = (shape: number[], options: Options) => OutArray;

/** The distribution and variance a fan-based initializer draws from, given the fans it divides by. */
export interface VarianceFormula {
  readonly variance: number;
  readonly distribution: 'normal' | 'truncatedNormal' | 'uniform';
}

export interface Moments {
  readonly mean: number;
  readonly std: number;
}

export interface InitializerEntry {
  readonly call: Call;
  /** Takes seed and stream (and so counts as random); constants and structured fills do not. */
  readonly random: boolean;
  /** Takes options.layout. */
  readonly layout: boolean;
  /** Computes the whole tensor for any slice (orthogonal and its relatives): produce such tensors in one call. */
  readonly whole: boolean;
  /** For fan-based initializers: variance and distribution from the fans. */
  readonly variance?: (options: Options, fans: Fans) => VarianceFormula;
  readonly moments: (shape: readonly number[], options: Options, layout: Layout) => Moments;
}

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const centred = (std: number): Moments => ({ mean: 0, std });

/** A constant's moments: one value, or the mean and population std of an array of all the values. */
function constantMoments(value: unknown): Moments {
  if (typeof value === 'number') return { mean: value, std: 0 };
  const values = (Array.isArray(value) || ArrayBuffer.isView(value) ? value : []) as ArrayLike<number>;
  if (values.length === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}

/** Mean and standard deviation of a tensor of `size` values of which `count` equal `value` and the rest 0. */
function sparseOnes(size: number, count: number, value: number): Moments {
  if (size === 0) return { mean: 0, std: 0 };
  const fraction = count / size;
  return { mean: value * fraction, std: Math.abs(value) * Math.sqrt(fraction * (1 - fraction)) };
}

/**
 * The fans the core divides by for these options: computeFans with the call's layout and its inAxis, outAxis and
 * batchAxis (the same function the initializers use).
 */
export function fansFor(shape: readonly number[], options: Options, layout: Layout): Fans {
  const axes: FanAxesOptions = { layout: (options.layout as Layout | undefined) ?? layout };
  for (const key of FAN_AXIS_KEYS) if (options[key] !== undefined) (axes as Record<string, unknown>)[key] = options[key];
  return computeFans(shape as number[], axes);
}

/** The fan a variance-scaling mode divides by, in both spellings (as the core's varianceScaling). */
function fanOf(mode: unknown, fans: Fans): number {
  switch (mode) {
    case 'fanOut': case 'fan_out': return fans.fanOut;
    case 'fanAvg': case 'fan_avg': return (fans.fanIn + fans.fanOut) / 2;
    case 'fanGeoAvg': case 'fan_geo_avg': return Math.sqrt(fans.fanIn * fans.fanOut);
    default: return fans.fanIn;
  }
}

function presetDistribution(options: Options): 'normal' | 'truncatedNormal' {
  return options.distribution === 'normal' ? 'normal' : 'truncatedNormal';
}

const glorotVariance = (distribution: (o: Options) => VarianceFormula['distribution']) =>
  (options: Options, fans: Fans): VarianceFormula => ({
    variance: num(options.gain, 1) ** 2 * 2 / (fans.fanIn + fans.fanOut),
    distribution: distribution(options),
  });

const heVariance = (distribution: (o: Options) => VarianceFormula['distribution']) =>
  (options: Options, fans: Fans): VarianceFormula => {
    // As the core's he(): the slope defaults to 0 (gain sqrt(2)), not calculateGain's 0.01.
    const gain = calculateGain((options.nonlinearity ?? 'leaky_relu') as Nonlinearity, num(options.a, 0));
    return { variance: gain * gain / fanOf(options.mode, fans), distribution: distribution(options) };
  };

const lecunVariance = (distribution: (o: Options) => VarianceFormula['distribution']) =>
  (options: Options, fans: Fans): VarianceFormula => ({ variance: 1 / fans.fanIn, distribution: distribution(options) });

function fanBased(call: Call, variance: NonNullable<InitializerEntry['variance']>): InitializerEntry {
  return {
    call, random: true, layout: true, whole: false, variance,
    moments: (shape, options, layout) => (sizeOf(shape) === 0 ? centred(0) : centred(Math.sqrt(variance(options, fansFor(shape, options, layout)).variance))),
  };
}

/** Rows and columns of the matrix orthogonal() factors a shape into (see its doc comment). */
function matrixOf(shape: readonly number[], options: Options, layout: Layout): [number, number] {
  const size = sizeOf(shape);
  const flatten = (options.layout as Layout | undefined) ?? layout;
  if (flatten === 'torch') return [shape[0], shape[0] ? size / shape[0] : 0];
  const cols = shape[shape.length - 1];
  return [cols ? size / cols : 0, cols];
}

/** in and out channels of a convolution kernel in a layout. */
function channelsOf(shape: readonly number[], layout: Layout): { in: number; out: number } {
  return layout === 'torch' ? { out: shape[0], in: shape[1] } : { out: shape[shape.length - 1], in: shape[shape.length - 2] };
}

const fixed = (call: Call, moments: InitializerEntry['moments'], whole = false): InitializerEntry =>
  ({ call, random: false, layout: false, whole, moments });

export const INITIALIZERS: Record<InitializerName, InitializerEntry> = {
  zeros: fixed((s, o) => zeros(s, o), () => constantMoments(0)),
  ones: fixed((s, o) => ones(s, o), () => constantMoments(1)),
  constant: fixed(
    (s, { value, ...rest }) => constant(s, value as number, rest),
    (_s, o) => constantMoments(o.value ?? 0)),
  uniform: {
    call: (s, o) => uniform(s, o), random: true, layout: false, whole: false,
    moments: (_s, o) => {
      const low = num(o.low, 0), high = num(o.high, 1);
      return { mean: (low + high) / 2, std: (high - low) / Math.sqrt(12) };
    },
  },
  normal: {
    call: (s, o) => normal(s, o), random: true, layout: false, whole: false,
    moments: (_s, o) => ({ mean: num(o.mean, 0), std: num(o.std ?? o.stddev, 1) }),
  },
  truncatedNormal: {
    call: (s, o) => truncatedNormal(s, o), random: true, layout: false, whole: false,
    moments: (_s, o) => truncatedMoments(num(o.mean, 0), num(o.std ?? o.stddev, 1), num(o.lower, -2), num(o.upper, 2)),
  },
  varianceScaling: fanBased((s, o) => varianceScaling(s, o), (o, fans) => ({
    variance: num(o.scale, 1) / fanOf(o.mode, fans),
    distribution: (o.distribution as VarianceFormula['distribution'] | undefined) ?? 'truncatedNormal',
  })),
  glorotUniform: fanBased((s, o) => glorotUniform(s, o), glorotVariance(() => 'uniform')),
  glorotNormal: fanBased((s, o) => glorotNormal(s, o), glorotVariance(presetDistribution)),
  xavierUniform: fanBased((s, o) => xavierUniform(s, o), glorotVariance(() => 'uniform')),
  xavierNormal: fanBased((s, o) => xavierNormal(s, o), glorotVariance(presetDistribution)),
  heUniform: fanBased((s, o) => heUniform(s, o), heVariance(() => 'uniform')),
  heNormal: fanBased((s, o) => heNormal(s, o), heVariance(presetDistribution)),
  kaimingUniform: fanBased((s, o) => kaimingUniform(s, o), heVariance(() => 'uniform')),
  kaimingNormal: fanBased((s, o) => kaimingNormal(s, o), heVariance(presetDistribution)),
  lecunUniform: fanBased((s, o) => lecunUniform(s, o), lecunVariance(() => 'uniform')),
  lecunNormal: fanBased((s, o) => lecunNormal(s, o), lecunVariance(presetDistribution)),
  orthogonal: {
    call: (s, o) => orthogonal(s, o), random: true, layout: true, whole: true,
    // Every singular value is |gain|, so the squares sum to gain^2 min(rows, cols) over rows * cols entries.
    moments: (s, o, layout) => centred(Math.abs(num(o.gain, 1)) / Math.sqrt(Math.max(...matrixOf(s, o, layout), 1))),
  },
  identity: fixed((s, o) => identity(s, o), (s, o) => sparseOnes(sizeOf(s), Math.min(s[0], s[1]), num(o.gain, 1))),
  eye: fixed((s, o) => eye(s, o), (s, o) => sparseOnes(sizeOf(s), Math.min(s[0], s[1]), num(o.gain, 1))),
  dirac: {
    call: (s, o) => dirac(s, o), random: false, layout: true, whole: false,
    moments: (s, o, layout) => {
      const channels = channelsOf(s, (o.layout as Layout | undefined) ?? layout);
      const groups = num(o.groups, 1);
      return sparseOnes(sizeOf(s), groups * Math.min(channels.out / groups, channels.in), 1);
    },
  },
  deltaOrthogonal: {
    call: (s, o) => deltaOrthogonal(s, o), random: true, layout: true, whole: true,
    // The centre holds an in x out matrix with orthonormal rows: in * gain^2 in squares over the whole kernel.
    moments: (s, o, layout) => centred(Math.abs(num(o.gain, 1)) * Math.sqrt(channelsOf(s, (o.layout as Layout | undefined) ?? layout).in / sizeOf(s))),
  },
  sparse: {
    call: (s, o) => sparse(s, o as never), random: true, layout: true, whole: false,
    moments: (s, o, layout) => {
      const units = ((o.layout as Layout | undefined) ?? layout) === 'torch' ? s[0] : s[1];
      const zerosPerInput = Math.ceil(num(o.sparsity, 0) * units);
      return centred(num(o.std, 0.01) * Math.sqrt(units ? (units - zerosPerInput) / units : 0));
    },
  },
};

export const INITIALIZER_NAMES = Object.keys(INITIALIZERS) as InitializerName[];

/**
 * The plain draw with a fan-based initializer's distribution and variance, for fans other than the ones its shape
 * gives (per-block fans of fused and gated weights, Keras's einsum kernels): the same variance-scaling sampler
 * the core uses, spelled as the public plain initializer.
 * - uniform: U(-sqrt(3 v), sqrt(3 v)); normal: N(0, v); truncatedNormal: 2-sigma cut with std sqrt(v) / 0.8796.
 */
export function plainDraw(formula: VarianceFormula): { initializer: InitializerName; options: Options } {
  const std = Math.sqrt(formula.variance);
  switch (formula.distribution) {
    case 'uniform': {
      const limit = Math.sqrt(3 * formula.variance);
      return { initializer: 'uniform', options: { low: -limit, high: limit } };
    }
    case 'normal':
      return { initializer: 'normal', options: { std } };
    case 'truncatedNormal':
      return { initializer: 'truncatedNormal', options: { std: std / TRUNCATED_NORMAL_STDDEV_2, lower: -2, upper: 2 } };
  }
}

// ---- the normal distribution, for the moments of truncated normals -------------------------------------------

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** phi(x) / Q(x) for x >= 0 (the inverse Mills ratio), Q the upper tail: sqrt(2 / pi) / erfcx(x / sqrt 2). */
const millsRatio = (x: number) => SQRT_2_OVER_PI / erfcx(x / Math.SQRT2);

/**
 * Mean and std of N(mean, std^2) restricted to (mean + lower std, mean + upper std). With the interval mirrored
 * so that its nearer bound a >= 0 lies above the mean, every quantity is taken relative to Q(a), the mass beyond
 * a, with the core's erfcx-based tail functions: r = Q(b) / Q(a) = exp(-log Q(a) + log Q(b)) and the ratios
 * phi(a) / Q(a), phi(b) / Q(a) = r phi(b) / Q(b). Then, with mass = 1 - r (by expm1) the interval's mass over
 * Q(a), shift = (phi(a) - phi(b)) / mass and variance = 1 + (a phi(a) - b phi(b)) / mass - shift^2, which stay exact far
 * in a tail ([30, inf): mean 30.033), where differences of CDFs cancel to 0. An interval across the mean uses
 * the CDFs directly (its mass is at least about a third of the smaller side's half).
 */
export function truncatedMoments(mean: number, std: number, lower: number, upper: number): Moments {
  if (upper <= 0) {
    const mirrored = truncatedMoments(-mean, std, -upper, -lower);
    return { mean: -mirrored.mean, std: mirrored.std };
  }
  let shift: number, spread: number;
  if (lower >= 0 && (upper - lower) * upper <= 1) return narrowTailMoments(mean, std, lower, upper);
  if (lower >= 0) {
    const a = lower, b = upper;
    const logRatio = minusLogNormalTail(a) - minusLogNormalTail(b);
    const ratio = Math.exp(logRatio), mass = -Math.expm1(logRatio);
    const pa = millsRatio(a), pb = b === Infinity ? 0 : ratio * millsRatio(b);
    shift = (pa - pb) / mass;
    spread = (a * pa - (b === Infinity ? 0 : b * pb)) / mass;
  } else {
    const mass = normalCdf(upper) - normalCdf(lower);
    const pa = normalPdf(lower), pb = normalPdf(upper);
    shift = (pa - pb) / mass;
    spread = ((Number.isFinite(lower) ? lower * pa : 0) - (Number.isFinite(upper) ? upper * pb : 0)) / mass;
  }
  return { mean: mean + std * shift, std: std * Math.sqrt(Math.max(0, 1 + spread - shift * shift)) };
}

/**
 * truncatedMoments of a narrow interval [a, b] above the mean, one across which the log-density changes by at
 * most (b - a) b <= 1: the closed form would subtract nearly equal squares there ([20, 20.0001] has variance
 * 8e-10 beside a shift of 20), so the moments of t = x - a, whose density is proportional to exp(-a t - t^2 / 2) on
 * [0, b - a], are integrated directly (composite Simpson, 128 panels; relative error below 1e-10 for so smooth
 * an integrand).
 */
function narrowTailMoments(mean: number, std: number, a: number, b: number): Moments {
  const panels = 128, width = b - a, h = width / panels;
  const integral = (f: (t: number) => number) => {
    let sum = 0;
    for (let i = 0; i <= panels; i++) {
      const t = i * h;
      sum += (i === 0 || i === panels ? 1 : i % 2 ? 4 : 2) * f(t) * Math.exp(-a * t - t * t / 2);
    }
    return sum * h / 3;
  };
  const mass = integral(() => 1);
  if (!(mass > 0)) return { mean: mean + std * a, std: 0 };
  const offset = integral((t) => t) / mass;
  const variance = integral((t) => (t - offset) ** 2) / mass;
  return { mean: mean + std * (a + offset), std: std * Math.sqrt(variance) };
}

/** The standard normal CDF, through erfcx on the side of the nearer tail. */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const tail = 0.5 * erfcx(Math.abs(x) / Math.SQRT2) * Math.exp(-x * x / 2);
  return x >= 0 ? 1 - tail : tail;
}

const normalPdf = (x: number) => (Number.isFinite(x) ? Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI) : 0);
