// Recommended gains per nonlinearity: the one place nninit keeps PyTorch's table (torch/nn/init.py,
// calculate_gain), so that gain^2 / fan keeps activations' variance steady through a layer.

import { numberArgument, rangeError, typeError } from './validate.js';

export type Nonlinearity =
  | 'linear'
  | 'conv1d' | 'conv2d' | 'conv3d'
  | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

const UNIT_GAIN: readonly string[] = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid',
];

export const NONLINEARITIES: readonly Nonlinearity[] = [...UNIT_GAIN as Nonlinearity[], 'tanh', 'relu', 'leaky_relu', 'selu'];

/**
 * The gain PyTorch recommends for a nonlinearity:
 *
 * | nonlinearity | gain |
 * |---|---|
 * | linear, conv{1,2,3}d, conv_transpose{1,2,3}d, sigmoid | 1 |
 * | tanh | 5/3 |
 * | relu | sqrt(2) |
 * | leaky_relu | sqrt(2 / (1 + slope^2)), slope = `param`, default 0.01 |
 * | selu | 3/4 |
 *
 * SELU's 3/4 is PyTorch's choice for self-normalizing networks initialized with kaiming_normal_/fan_in
 * (Klambauer et al., 2017 use LeCun normal, gain 1); `param` is only read for leaky_relu.
 *
 * @example calculateGain('relu')              // 1.4142135623730951
 * @example calculateGain('leaky_relu', 0.2)   // sqrt(2 / 1.04)
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  return gainOf('calculateGain', 'nonlinearity', nonlinearity, 'param', param);
}

/** calculateGain with the caller's names for the arguments, for initializers that take them as options. */
export function gainOf(fn: string, nonlinearityName: string, nonlinearity: unknown, paramName: string, param: unknown): number {
  if (typeof nonlinearity !== 'string') throw typeError(fn, nonlinearityName, 'a nonlinearity name', nonlinearity);
  if (UNIT_GAIN.includes(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = numberArgument(fn, paramName, param, 0.01);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw rangeError(fn, nonlinearityName, `one of ${NONLINEARITIES.join(', ')}`, nonlinearity);
  }
}
