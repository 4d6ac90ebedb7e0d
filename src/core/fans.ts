// Fan-in and fan-out: the one place nninit turns a weight shape into the sizes variance scaling divides by.

import { checkShape, choiceArgument } from './validate.js';

/**
 * Weight layouts.
 * - 'keras' (default): `[in, out]` for dense layers, `[...kernel, in, out]` for convolutions. Keras, TF.js
 *   (channelsLast) and JAX (in_axis=-2, out_axis=-1) store kernels this way.
 * - 'torch': `[out, in]` for linear layers, `[out, in, ...kernel]` for convolutions. PyTorch and ONNX do.
 */
export type Layout = 'keras' | 'torch';
export const LAYOUTS: readonly Layout[] = ['keras', 'torch'];

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Product of the spatial (kernel) dimensions; 1 for dense weights. */
  readonly receptiveField: number;
}

/**
 * Fans of a weight of the given shape.
 *
 * - rank 0: fanIn = fanOut = 1; rank 1 `[n]`: fanIn = fanOut = n (as Keras 3's compute_fans; PyTorch and JAX
 *   raise for these ranks, TF.js uses sqrt(n)).
 * - rank 2: 'keras' `[in, out]`, 'torch' `[out, in]`; receptiveField = 1.
 * - rank >= 3 (1-D, 2-D and 3-D convolutions, and beyond): receptiveField = product of the kernel dimensions,
 *   fanIn = in * receptiveField, fanOut = out * receptiveField, with 'keras' `[...kernel, in, out]` and
 *   'torch' `[out, in, ...kernel]`. As in every framework, grouped convolutions' fanOut is not divided by
 *   groups, and a transposed convolution's roles follow the stored axes.
 *
 * @example computeFans([3, 3, 64, 128])                 // { fanIn: 576, fanOut: 1152, receptiveField: 9 }
 * @example computeFans([128, 64, 3, 3], 'torch')        // the same kernel in PyTorch's layout
 */
export function computeFans(shape: readonly number[], layout: Layout = 'keras'): Fans {
  const checked = checkShape('computeFans', shape).shape;
  return fansOf(checked, choiceArgument('computeFans', 'layout', layout, LAYOUTS, 'keras'));
}

/** computeFans for a shape and layout already checked. */
export function fansOf(shape: readonly number[], layout: Layout): Fans {
  const rank = shape.length;
  if (rank === 0) return { fanIn: 1, fanOut: 1, receptiveField: 1 };
  if (rank === 1) return { fanIn: shape[0], fanOut: shape[0], receptiveField: 1 };
  const kernel = layout === 'keras' ? shape.slice(0, rank - 2) : shape.slice(2);
  const receptiveField = kernel.reduce((product, dimension) => product * dimension, 1);
  const inputs = layout === 'keras' ? shape[rank - 2] : shape[1];
  const outputs = layout === 'keras' ? shape[rank - 1] : shape[0];
  return { fanIn: inputs * receptiveField, fanOut: outputs * receptiveField, receptiveField };
}
