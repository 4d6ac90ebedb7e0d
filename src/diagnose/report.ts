// What a probe measures: the one data structure the diagnostics produce. Plots, warnings, the claims table and the
// explorer only read it, so every view of an initialization shows the same numbers.

/** Mean, standard deviation and extremes of a set of values (population statistics, in float64). */
export interface Moments {
  readonly mean: number;
  readonly std: number;
  /** Root mean square: sqrt(mean of squares). For one sample, the norm of its vector divided by sqrt(units). */
  readonly rms: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Counts of values in `bins` equal bins over [low, high), with the values below `low` and at or above `high`
 * counted apart. The same bins for every layer of a report, so histograms of different layers compare directly
 * (the "colorful dimension" picture stacks them).
 */
export interface Histogram {
  readonly low: number;
  readonly high: number;
  /** counts.length bins, bin i covering [low + i (high - low) / bins, low + (i + 1) (high - low) / bins). */
  readonly counts: readonly number[];
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
  /** Fraction of units whose post-activation value is zero (ReLU) or below zero's floor for every sample. */
  readonly deadFraction: number;
  /** Fraction of post-activation values in saturation: |tanh| > 0.99, sigmoid < 0.01 or > 0.99; 0 for others. */
  readonly saturatedFraction: number;
  /** Units whose activations over the batch are not identical to another unit's (identical units count as one). */
  readonly distinctUnits: number;
  /** Standard deviation of the loss gradient with respect to the layer's input and its weight. */
  readonly gradientInputStd: number;
  readonly gradientWeightStd: number;
  /** For square weight matrices (after flattening a kernel to [out, in x kernel] only when that is square). */
  readonly singularValues?: SingularValues;
}

/** Why a layer needs attention, in words that name it. */
export interface ProbeWarning {
  readonly layer: string;
  readonly kind: 'vanishing' | 'exploding' | 'saturated' | 'dead' | 'symmetric';
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
