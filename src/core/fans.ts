// Fan-in and fan-out: the one place nninit turns a weight shape into the sizes variance scaling divides by.

import { checkOptions, checkShape, choiceArgument, rangeError, typeError } from './validate.js';

/**
 * Weight layouts.
 * - 'keras' (default): `[in, out]` for dense layers, `[...kernel, in, out]` for convolutions. Keras, TF.js
 *   (channelsLast) and JAX (in_axis=-2, out_axis=-1) store kernels this way.
 * - 'torch': `[out, in]` for linear layers, `[out, in, ...kernel]` for convolutions. PyTorch and ONNX do.
 */
export type Layout = 'keras' | 'torch';
export const LAYOUTS: readonly Layout[] = ['keras', 'torch'];

/** An axis of a shape, or several: integers in [-rank, rank), negative ones counting from the end. */
export type Axes = number | readonly number[];

/**
 * Which axes hold the inputs and outputs, as jax.nn.initializers' in_axis, out_axis and batch_axis. Axes you give
 * override the layout's default axes for that role; the layout supplies the others ('keras': in -2, out -1;
 * 'torch': in 1, out 0; no batch axes). Every axis in no role is part of the receptive field.
 */
export interface FanAxesOptions {
  /** Layout whose default axes apply where no axis is given (default 'keras'). */
  layout?: Layout;
  /** Axis or axes of the inputs: fanIn = product of their sizes times the receptive field. */
  inAxis?: Axes;
  /** Axis or axes of the outputs: fanOut = product of their sizes times the receptive field. */
  outAxis?: Axes;
  /** Axes left out of both fans, e.g. a stack of independent weights (default none). */
  batchAxis?: Axes;
}

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Product of the axes in no role (the kernel's spatial axes); 1 for dense weights. */
  readonly receptiveField: number;
}

/** Resolved roles of a shape's axes (non-negative indices), or undefined for the layout's rank-based rule. */
export interface FanAxes {
  readonly layout: Layout;
  readonly inAxes?: readonly number[];
  readonly outAxes?: readonly number[];
  readonly batchAxes?: readonly number[];
}

export const FAN_AXIS_KEYS = ['inAxis', 'outAxis', 'batchAxis'] as const;

/**
 * Fans of a weight of the given shape.
 *
 * Without axes, by the layout:
 * - rank 0: fanIn = fanOut = 1; rank 1 `[n]`: fanIn = fanOut = n (as Keras 3's compute_fans; PyTorch and JAX
 *   raise for these ranks, TF.js uses sqrt(n)).
 * - rank 2: 'keras' `[in, out]`, 'torch' `[out, in]`; receptiveField = 1.
 * - rank >= 3 (1-D, 2-D and 3-D convolutions, and beyond): receptiveField = product of the kernel dimensions,
 *   fanIn = in * receptiveField, fanOut = out * receptiveField, with 'keras' `[...kernel, in, out]` and
 *   'torch' `[out, in, ...kernel]`. As in every framework, grouped convolutions' fanOut is not divided by
 *   groups, and a transposed convolution's roles follow the stored axes.
 *
 * With `inAxis`, `outAxis` or `batchAxis` (JAX's _compute_fans semantics, jax/_src/nn/initializers.py):
 * fanIn = (product of the input axes) * receptiveField and fanOut = (product of the output axes) *
 * receptiveField, where receptiveField is the product of the axes in no role; batch axes count nowhere. Axes
 * not given come from the layout (in -2 and out -1 for 'keras', in 1 and out 0 for 'torch'). The shape needs
 * rank 2 or more then (JAX raises for rank 0 and 1), each axis must lie in [-rank, rank), and no axis may
 * appear twice (RangeError naming the option).
 *
 * @example computeFans([3, 3, 64, 128])                 // { fanIn: 576, fanOut: 1152, receptiveField: 9 }
 * @example computeFans([128, 64, 3, 3], 'torch')        // the same kernel in PyTorch's layout
 * @example computeFans([2, 3, 4, 5], { inAxis: [0, 1], outAxis: [2, 3] })   // { fanIn: 6, fanOut: 20, receptiveField: 1 }
 * @example computeFans([8, 64, 128], { batchAxis: 0 })  // 8 stacked [64, 128] weights: fanIn 64, fanOut 128
 */
export function computeFans(shape: readonly number[], layoutOrOptions: Layout | FanAxesOptions = 'keras'): Fans {
  const fn = 'computeFans';
  const checked = checkShape(fn, shape).shape;
  if (typeof layoutOrOptions === 'string' || layoutOrOptions === undefined) {
    return fansOf(checked, { layout: choiceArgument(fn, 'layout', layoutOrOptions, LAYOUTS, 'keras') });
  }
  if (layoutOrOptions === null || typeof layoutOrOptions !== 'object') {
    throw typeError(fn, 'layout', "'keras', 'torch' or an options object { layout, inAxis, outAxis, batchAxis }", layoutOrOptions);
  }
  const options = checkOptions(fn, layoutOrOptions, ['layout', ...FAN_AXIS_KEYS]) as Record<string, unknown>;
  return fansOf(checked, fanAxes(fn, checked.length, options));
}

/** The layout and axis options of a fan-using call, checked against the shape's rank. */
export function fanAxes(fn: string, rank: number, options: Record<string, unknown>): FanAxes {
  const layout = choiceArgument(fn, 'options.layout', options.layout, LAYOUTS, 'keras');
  if (options.inAxis === undefined && options.outAxis === undefined && options.batchAxis === undefined) return { layout };
  if (rank < 2) {
    throw rangeError(fn, 'shape', 'of rank 2 or more when options.inAxis, options.outAxis or options.batchAxis is given', `a shape of rank ${rank}`);
  }
  const defaults = layout === 'keras' ? { in: [rank - 2], out: [rank - 1] } : { in: [1], out: [0] };
  const roles: [string, readonly number[]][] = [
    ['options.inAxis', options.inAxis === undefined ? defaults.in : axesArgument(fn, 'options.inAxis', options.inAxis, rank)],
    ['options.outAxis', options.outAxis === undefined ? defaults.out : axesArgument(fn, 'options.outAxis', options.outAxis, rank)],
    ['options.batchAxis', options.batchAxis === undefined ? [] : axesArgument(fn, 'options.batchAxis', options.batchAxis, rank)],
  ];
  const owner = new Map<number, string>();
  for (const [name, axes] of roles) {
    for (const axis of axes) {
      const previous = owner.get(axis);
      if (previous !== undefined) {
        const role = previous === name ? `${name} twice` : `both ${previous} and ${name}`;
        throw new RangeError(`nninit.${fn}: axis ${axis} of the rank-${rank} shape is in ${role}${previous === name ? '' : ' (an axis has one role)'}`);
      }
      owner.set(axis, name);
    }
  }
  return { layout, inAxes: roles[0][1], outAxes: roles[1][1], batchAxes: roles[2][1] };
}

/** An axis or an array of axes, each an integer in [-rank, rank); returned as non-negative indices. */
function axesArgument(fn: string, argument: string, value: unknown, rank: number): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list)) throw typeError(fn, argument, 'an axis (an integer) or an array of axes', value);
  return list.map((axis: unknown, k) => {
    const name = typeof value === 'number' ? argument : `${argument}[${k}]`;
    if (typeof axis !== 'number') throw typeError(fn, name, 'an integer', axis);
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw rangeError(fn, name, `an integer in [${-rank}, ${rank}) for a shape of rank ${rank}`, axis);
    return axis < 0 ? axis + rank : axis;
  });
}

const product = (values: readonly number[]) => values.reduce((a, b) => a * b, 1);

/** computeFans for a shape and axes (or a layout) already checked. */
export function fansOf(shape: readonly number[], layoutOrAxes: Layout | FanAxes): Fans {
  const axes = typeof layoutOrAxes === 'string' ? { layout: layoutOrAxes } : layoutOrAxes;
  if (axes.inAxes && axes.outAxes && axes.batchAxes) {
    const inSize = product(axes.inAxes.map((axis) => shape[axis]));
    const outSize = product(axes.outAxes.map((axis) => shape[axis]));
    const roles = new Set([...axes.inAxes, ...axes.outAxes, ...axes.batchAxes]);
    const receptiveField = product(shape.filter((_, axis) => !roles.has(axis)));
    return { fanIn: inSize * receptiveField, fanOut: outSize * receptiveField, receptiveField };
  }
  const { layout } = axes;
  const rank = shape.length;
  if (rank === 0) return { fanIn: 1, fanOut: 1, receptiveField: 1 };
  if (rank === 1) return { fanIn: shape[0], fanOut: shape[0], receptiveField: 1 };
  const kernel = layout === 'keras' ? shape.slice(0, rank - 2) : shape.slice(2);
  const receptiveField = product(kernel);
  const inputs = layout === 'keras' ? shape[rank - 2] : shape[1];
  const outputs = layout === 'keras' ? shape[rank - 1] : shape[0];
  return { fanIn: inputs * receptiveField, fanOut: outputs * receptiveField, receptiveField };
}
