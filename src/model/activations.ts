// The activations a layer may name, and the variance-preserving family each one calls for: the comparison table
// of the README as data. A new activation is one line.

/**
 * - 'he': He et al. 2015, variance gain^2 / fanIn with calculateGain's gain (sqrt(2) for the ReLU family; for
 *   leaky_relu sqrt(2 / (1 + slope^2))). ELU, GELU, SiLU/Swish and Mish have no closed-form gain; like ReLU they
 *   pass roughly half the variance of their input, and He with ReLU's gain is the usual choice for them.
 * - 'glorot': Glorot and Bengio 2010, variance 2 / (fanIn + fanOut), for symmetric saturating or linear outputs.
 * - 'lecun': LeCun et al. 1998, variance 1 / fanIn, what self-normalizing SELU networks assume (Klambauer et al.
 *   2017).
 */
export type ActivationFamily = 'he' | 'glorot' | 'lecun';

export interface ActivationEntry {
  readonly family: ActivationFamily;
  /** The nonlinearity handed to the He initializers (calculateGain's table). */
  readonly nonlinearity?: 'relu' | 'leaky_relu';
}

export const ACTIVATIONS = {
  linear: { family: 'glorot' },
  relu: { family: 'he', nonlinearity: 'relu' },
  leaky_relu: { family: 'he', nonlinearity: 'leaky_relu' },
  elu: { family: 'he', nonlinearity: 'relu' },
  gelu: { family: 'he', nonlinearity: 'relu' },
  silu: { family: 'he', nonlinearity: 'relu' },
  swish: { family: 'he', nonlinearity: 'relu' },
  mish: { family: 'he', nonlinearity: 'relu' },
  tanh: { family: 'glorot' },
  sigmoid: { family: 'glorot' },
  softsign: { family: 'glorot' },
  softmax: { family: 'glorot' },
  selu: { family: 'lecun' },
} as const satisfies Record<string, ActivationEntry>;

export type ActivationName = keyof typeof ACTIVATIONS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/** PyTorch's nn.LeakyReLU default (and calculateGain's); Keras's LeakyReLU defaults to 0.3, TF.js's alpha too. */
export const DEFAULT_LEAKY_SLOPE = 0.01;

/** The activation after a layer: its name and, for leaky_relu, the negative slope. */
export interface Activation {
  readonly name: ActivationName;
  readonly slope?: number;
}
