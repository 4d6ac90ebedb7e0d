// The public initializers as data for the planner: how to call each one, whether it draws from a stream, whether
// it takes a layout, how its variance follows from the fans, and the mean and standard deviation of what it
// produces (for explain and the tests). Only the core's public functions are used.

import {
  zeros, ones, constant, uniform, normal, truncatedNormal, varianceScaling,
  glorotUniform, glorotNormal, xavierUniform, xavierNormal, heUniform, heNormal, kaimingUniform, kaimingNormal,
  lecunUniform, lecunNormal,
} from '../core/initializers.js';
import { orthogonal, identity, eye, dirac, deltaOrthogonal, sparse } from '../core/structured.js';
import { computeFans, type Fans, type Layout } from '../core/fans.js';
import { calculateGain, type Nonlinearity } from '../core/gains.js';
import { TRUNCATED_NORMAL_STDDEV_2 } from '../core/distributions.js';
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
const constantMoments = (value: number): Moments => ({ mean: value, std: 0 });

/** Mean and standard deviation of a tensor of `size` values of which `count` equal `value` and the rest 0. */
function sparseOnes(size: number, count: number, value: number): Moments {
  if (size === 0) return { mean: 0, std: 0 };
  const fraction = count / size;
  return { mean: value * fraction, std: Math.abs(value) * Math.sqrt(fraction * (1 - fraction)) };
}

function fanOf(mode: unknown, fans: Fans): number {
  if (mode === 'fanOut' || mode === 'fan_out') return fans.fanOut;
  if (mode === 'fanAvg' || mode === 'fan_avg') return (fans.fanIn + fans.fanOut) / 2;
  return fans.fanIn;
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
    moments: (shape, options, layout) => centred(Math.sqrt(variance(options, computeFans(shape as number[], layout)).variance)),
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
    (_s, o) => constantMoments(num(o.value, 0))),
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
    call: (s, o) => sparse(s, o as never), random: true, layout: true, whole: true,
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

const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(x) for x >= 0: Maclaurin series of erf below 2.5, Lentz's continued fraction above (double accuracy). */
function erfcPositive(x: number): number {
  if (x < 2.5) {
    let term = x, sum = x;
    for (let n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= -x * x / n;
      sum += term / (2 * n + 1);
    }
    return 1 - 2 * sum / SQRT_PI;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))
  let f = x, c = x, d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = x + a * d;
    c = x + a / c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** The standard normal CDF. */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const tail = 0.5 * erfcPositive(Math.abs(x) / Math.SQRT2);
  return x >= 0 ? 1 - tail : tail;
}

const normalPdf = (x: number) => (Number.isFinite(x) ? Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI) : 0);

/** Mean and std of N(mean, std^2) restricted to (mean + lower std, mean + upper std). */
export function truncatedMoments(mean: number, std: number, lower: number, upper: number): Moments {
  const mass = normalCdf(upper) - normalCdf(lower);
  const pa = normalPdf(lower), pb = normalPdf(upper);
  const shift = (pa - pb) / mass;
  const spread = ((Number.isFinite(lower) ? lower * pa : 0) - (Number.isFinite(upper) ? upper * pb : 0)) / mass;
  return { mean: mean + std * shift, std: std * Math.sqrt(Math.max(0, 1 + spread - shift * shift)) };
}
