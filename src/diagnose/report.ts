// What a probe measures: the one data structure the diagnostics produce. Plots, warnings, the claims table and the
// explorer only read it, so every view of an initialization shows the same numbers.

/**
 * Mean, standard deviation and extremes of a set of values (population statistics, in float64). Values that
 * overflowed float32 (NaN, or infinite) make mean, std and rms NaN: a number computed from them would mislead.
 */
export interface Moments {
  readonly mean: number;
  readonly std: number;
  /** Root mean square: sqrt(mean of squares). For one sample, the norm of its vector divided by sqrt(units). */
  readonly rms: number;
  /** The extremes, infinities included, NaN ignored (NaN when every value is NaN). */
  readonly min: number;
  readonly max: number;
  /** How many of the values are NaN or infinite (0 for a healthy layer). */
  readonly nonFinite: number;
}

/**
 * Counts of values in `bins` equal bins over [low, high), with exact zeros, the values below `low` and those at
 * or above `high` (and NaN) counted apart: zeros + below + above + the bins' counts is every value. The same bins
 * for every layer of a report, so histograms of different layers compare directly (the "colorful dimension"
 * picture stacks them); by default over a range that fits the network's activations (see ProbeOptions.range).
 */
export interface Histogram {
  readonly low: number;
  readonly high: number;
  /** counts.length bins, bin i covering [low + i (high - low) / bins, low + (i + 1) (high - low) / bins), zeros excluded. */
  readonly counts: readonly number[];
  /** Values exactly 0 (a ReLU's inactive outputs), apart from the tiny positives and negatives of the bin around 0. */
  readonly zeros: number;
  readonly below: number;
  readonly above: number;
}

/** Extreme singular values of a square weight matrix: both equal the gain for an orthogonal one. */
export interface SingularValues {
  readonly max: number;
  readonly min: number;
}

/** What one probed layer did to the batch on the way forward and the gradient on the way back. */
export interface LayerReport {
  /** The layer's name as the plan names it (the prefix of its parameters' names, e.g. 'h.3.mlp.fc'). */
  readonly name: string;
  /** The spec's layer type: 'dense', 'conv1d', 'conv2d', 'rnn', 'lstm', 'gru', 'residual' (a skip connection's sum). */
  readonly type: string;
  /** The activation applied after the layer ('linear' when none). */
  readonly activation: string;
  /** Position in forward order, from 0. */
  readonly index: number;
  /** Output units (features or channels) of the layer. */
  readonly units: number;
  /** The initializer the plan chose for the layer's weight, e.g. 'heNormal' (absent for a skip connection's sum). */
  readonly initializer?: string;
  /** Values before the activation (the layer's affine output) and after it, over the batch (and positions/steps). */
  readonly pre: Moments;
  readonly post: Moments;
  /** Histogram of the post-activation values. */
  readonly histogram: Histogram;
  /**
   * Fraction of units that pass (almost) no gradient on any sample of the batch: ReLU units (and an Elman rnn's
   * ReLU units) whose pre-activation is at most 0 on every sample and position; GELU, SiLU/swish and Mish units
   * whose derivative is below DEAD_DERIVATIVE (1e-3) in magnitude on every one (their far negative tails). ELU,
   * SELU and leaky ReLU units are never dead: leaky ReLU's derivative is its slope, and ELU's and SELU's negative
   * branch is a saturation toward -alpha, not a dead unit. A unit with a NaN or infinite pre-activation is not
   * counted (that is an overflow, see Moments.nonFinite).
   */
  readonly deadFraction: number;
  /**
   * Fraction of outputs in saturation: |tanh| or |softsign| > 0.99, sigmoid < 0.01 or > 0.99 (an LSTM's or GRU's
   * gates by the same rules); for softmax, the fraction of samples (and positions) whose largest probability is
   * above 0.99, nearly one-hot; 0 for other activations.
   */
  readonly saturatedFraction: number;
  /** Units whose activations over the batch are not identical to another unit's (identical units count as one). */
  readonly distinctUnits: number;
  /** Units whose output is the same on every sample and position (a dead ReLU, a softmax class that underflows). */
  readonly constantUnits: number;
  /**
   * Units that copy another: identical to it on the whole batch and, if constant there, with the same incoming
   * weights and bias too; counted beyond the first of each group. Constant units with different weights (dead
   * ReLUs, saturated tanh units, an underflowing softmax class) are alike only by accident of the batch; units
   * with identical weights (zero initialization) or identical varying outputs get identical updates and stay
   * identical: that is symmetry.
   */
  readonly symmetricUnits: number;
  /**
   * Standard deviation of the loss gradient with respect to the layer's input and its weight; NaN where a
   * gradient overflowed, and for every layer when a forward value did (backpropagation passes through it).
   */
  readonly gradientInputStd: number;
  readonly gradientWeightStd: number;
  /** For square weight matrices (after flattening a kernel to [out, in x kernel] only when that is square). */
  readonly singularValues?: SingularValues;
}

/** Why a layer needs attention, in words that name it. */
export interface ProbeWarning {
  readonly layer: string;
  readonly kind: 'vanishing' | 'exploding' | 'saturated' | 'dead' | 'symmetric' | 'overflow';
  readonly message: string;
}

/** A probe of one initialized network on one batch. */
export interface ProbeReport {
  /** The seed of the batch, the loss projection and (when the probe initialized the model) the weights. */
  readonly seed: string;
  /** Samples in the batch. */
  readonly batch: number;
  /** Statistics of the input batch. */
  readonly input: Moments;
  /** Probed layers in forward order. */
  readonly layers: readonly LayerReport[];
  /** The synthetic loss: sum over the batch of the network's output dotted with a fixed random projection. */
  readonly loss: number;
  /** Derived from `layers` alone (see warningsOf). */
  readonly warnings: readonly ProbeWarning[];
}
