// The arithmetic of torch.nn.init (PyTorch 1.13, torch/nn/init.py) that turns a shape and an initializer's
// arguments into the bounds or standard deviation of one uniform_ or normal_ call, in float64 in the same
// order as Python, so the float32 values the kernels receive are the same.

import { fansOf } from '../core/fans.js';
import { gainOf } from '../core/gains.js';
import type { Nonlinearity } from '../core/gains.js';
import { rangeError, typeError } from '../core/validate.js';
import { erf } from './libm.js';

/** 'fan_in' or 'fan_out' (any case, as torch lowercases it); 'fanIn' and 'fanOut' are accepted too. */
export type TorchFanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';

/** _calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field. */
export function torchFans(fn: string, shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new RangeError(`nninit.${fn}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got shape [${shape.join(', ')}]`);
  }
  const { fanIn, fanOut } = fansOf(shape, 'torch');
  return { fanIn, fanOut };
}

function fanMode(fn: string, mode: unknown): 'fan_in' | 'fan_out' {
  if (typeof mode !== 'string') throw typeError(fn, 'mode', "'fan_in' or 'fan_out'", mode);
  const lower = mode.toLowerCase();
  if (lower === 'fan_in' || lower === 'fanin') return 'fan_in';
  if (lower === 'fan_out' || lower === 'fanout') return 'fan_out';
  throw rangeError(fn, 'mode', "'fan_in' or 'fan_out'", mode);
}

/** gain / sqrt(fan) of kaiming_uniform_ and kaiming_normal_, with gain = calculate_gain(nonlinearity, a). */
export function kaimingStd(fn: string, shape: readonly number[], a: number, mode: unknown, nonlinearity: unknown): number {
  const { fanIn, fanOut } = torchFans(fn, shape);
  const fan = fanMode(fn, mode) === 'fan_in' ? fanIn : fanOut;
  const gain = gainOf(fn, 'nonlinearity', nonlinearity as Nonlinearity, 'a', a);
  return gain / Math.sqrt(fan);
}

/** gain * sqrt(2 / (fan_in + fan_out)) of xavier_uniform_ and xavier_normal_. */
export function xavierStd(fn: string, shape: readonly number[], gain: number): number {
  const { fanIn, fanOut } = torchFans(fn, shape);
  if (fanIn + fanOut === 0) throw new RangeError(`nninit.${fn}: fan_in + fan_out is 0 for shape [${shape.join(', ')}] (PyTorch divides by it)`);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** sqrt(3) * std: the half-width of the uniform distribution with standard deviation std. */
export function uniformBound(std: number): number {
  return Math.sqrt(3) * std;
}

/** The standard normal CDF as trunc_normal_ writes it: (1 + erf(x / sqrt(2))) / 2. */
function normalCdf(x: number): number {
  return (1 + erf(x / Math.SQRT2)) / 2;
}

export interface TruncNormalPlan {
  /** uniform_ bounds in [-1, 1]: 2 cdf(a) - 1 and 2 cdf(b) - 1. */
  low: number;
  high: number;
  /** The multiplier after erfinv: std * sqrt(2). */
  scale: number;
}

/** The steps of trunc_normal_(mean, std, a, b): uniform_(2l - 1, 2u - 1), erfinv_, mul_(std sqrt 2), add_(mean), clamp_(a, b). */
export function truncNormalPlan(mean: number, std: number, a: number, b: number): TruncNormalPlan {
  const lower = normalCdf((a - mean) / std);
  const upper = normalCdf((b - mean) / std);
  return { low: 2 * lower - 1, high: 2 * upper - 1, scale: std * Math.SQRT2 };
}
