// The layer catalogue: for each layer type of the spec, its fields (with defaults) and the parameters it owns in
// each layout, with PyTorch's and Keras's names and shapes and in their order. A new layer type is one entry of
// LAYER_TYPES. Containers ('repeat', 'block') hold layers; the spec parser walks them.

import type { Layout } from '../core/fans.js';
import type { Activation, ActivationName } from './activations.js';
import type { InitializerName, Options } from './registry.js';
import type { BlockStructure, LayerKind, ParameterRole } from './types.js';

// ---- the normalized layers (what parseSpec returns) --------------------------------------------------------------

interface LayerCommon {
  /** The layer's own name (its index in its list when the spec gives none; '' for an unnamed block). */
  readonly name: string;
  /** JSON path of the layer in the spec, e.g. 'layers[2].layers[0]'. */
  readonly path: string;
  /** The spec gave no name, so the layer is named by its index (a block without a name has none, and no flag). */
  readonly defaultName?: true;
}

export interface DenseLayer extends LayerCommon {
  readonly type: 'dense';
  readonly in: number;
  readonly out: number;
  readonly activation: ActivationName;
  /** leaky_relu's negative slope (present exactly when activation is 'leaky_relu'). */
  readonly slope?: number;
  readonly bias: boolean;
}

export interface ConvLayer extends LayerCommon {
  readonly type: 'conv1d' | 'conv2d' | 'conv3d';
  readonly in: number;
  readonly out: number;
  /** One size per spatial axis. */
  readonly kernel: readonly number[];
  readonly groups: number;
  readonly activation: ActivationName;
  readonly slope?: number;
  readonly bias: boolean;
}

export interface EmbeddingLayer extends LayerCommon {
  readonly type: 'embedding';
  readonly vocab: number;
  readonly dim: number;
}

export interface NormLayer extends LayerCommon {
  readonly type: 'layernorm' | 'batchnorm' | 'rmsnorm';
  readonly dim: number;
}

export interface RecurrentLayer extends LayerCommon {
  readonly type: 'lstm' | 'gru' | 'rnn';
  readonly in: number;
  readonly units: number;
  readonly bias: boolean;
  /** Stacked layers (PyTorch's num_layers; 'torch' layout only). */
  readonly numLayers: number;
  /** PyTorch's bidirectional ('torch' layout only). */
  readonly bidirectional: boolean;
  /** The cell's activation: 'tanh', or 'relu' for an Elman rnn (PyTorch's nonlinearity). */
  readonly activation: 'tanh' | 'relu';
}

export interface AttentionLayer extends LayerCommon {
  readonly type: 'attention';
  readonly dim: number;
  readonly heads: number;
  /** One [3 dim, dim] in_proj_weight ('torch' layout); Keras's layout always has separate query/key/value. */
  readonly fused: boolean;
  readonly bias: boolean;
}

export interface RepeatLayer extends LayerCommon {
  readonly type: 'repeat';
  readonly count: number;
  /** Each repeated block is wrapped in a skip connection: out = x + block(x). */
  readonly residual: boolean;
  readonly layers: readonly ModelLayer[];
}

export interface BlockLayer extends LayerCommon {
  readonly type: 'block';
  /** out = x + block(x). */
  readonly residual: boolean;
  readonly layers: readonly ModelLayer[];
}

export interface ParamLayer extends LayerCommon {
  readonly type: 'param';
  readonly shape: readonly number[];
  readonly init: InitializerName;
  /** The initializer's options (without seed, stream and output options). */
  readonly options: Options;
}

export type ModelLayer =
  | DenseLayer | ConvLayer | EmbeddingLayer | NormLayer | RecurrentLayer | AttentionLayer | RepeatLayer | BlockLayer | ParamLayer;
export type LayerType = ModelLayer['type'];

// ---- fields -------------------------------------------------------------------------------------------------------

/**
 * How a field is read: 'count' a positive integer, 'boolean', 'activation' a name of ACTIVATIONS, 'slope' a finite
 * number, 'kernel' a positive integer or an array of them, 'layers' a list of layers, 'shape' an array of
 * non-negative integers, 'initializer' a public initializer's name, or a list of allowed strings.
 */
export type FieldKind = 'count' | 'boolean' | 'activation' | 'slope' | 'kernel' | 'layers' | 'shape' | 'initializer' | readonly string[];

export interface FieldSpec {
  readonly kind: FieldKind;
  /** Absent: the field is required. */
  readonly default?: unknown;
}

/** One parameter a layer owns, relative to the layer. */
export interface LayerParameter {
  /** Appended to the layer's full name with a dot ('' for a param layer, which is its own parameter). */
  readonly suffix: string;
  readonly shape: readonly number[];
  readonly kind: LayerKind;
  readonly role: ParameterRole;
  readonly fanIn: number;
  readonly fanOut: number;
  readonly blocks?: BlockStructure;
  readonly cell?: 'lstm' | 'gru' | 'rnn';
  readonly units?: number;
  readonly heads?: number;
  readonly fused?: boolean;
  readonly trainable?: boolean;
  readonly explicit?: { readonly initializer: InitializerName; readonly options: Options };
}

export interface LayerDefinition {
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Checks between fields, after each has been read; returns [field, message] for the first problem. */
  readonly check?: (layer: Record<string, unknown>, layout: Layout) => [field: string, message: string] | undefined;
  /** Parameters in the framework's order: PyTorch's named_parameters() for 'torch', Keras's weights for 'keras'. */
  readonly parameters?: (layer: never, layout: Layout) => LayerParameter[];
  /** Containers: the scopes of their children, relative to the container's name (one per instance). */
  readonly scopes?: (layer: never) => string[];
}

const activationFields = {
  activation: { kind: 'activation', default: 'linear' },
  slope: { kind: 'slope', default: undefined },
} as const satisfies Record<string, FieldSpec>;

const product = (values: readonly number[]) => values.reduce((a, b) => a * b, 1);

// ---- the catalogue ------------------------------------------------------------------------------------------------

const dense: LayerDefinition = {
  fields: { in: { kind: 'count' }, out: { kind: 'count' }, ...activationFields, bias: { kind: 'boolean', default: true } },
  parameters: (layer: DenseLayer, layout: Layout) => {
    const fans = { fanIn: layer.in, fanOut: layer.out };
    return [
      { suffix: layout === 'torch' ? 'weight' : 'kernel', shape: layout === 'torch' ? [layer.out, layer.in] : [layer.in, layer.out], kind: 'dense', role: 'weight', ...fans },
      ...(layer.bias ? [{ suffix: 'bias', shape: [layer.out], kind: 'dense', role: 'bias', ...fans } as const] : []),
    ];
  },
};

const conv: LayerDefinition = {
  fields: {
    in: { kind: 'count' }, out: { kind: 'count' }, kernel: { kind: 'kernel' }, groups: { kind: 'count', default: 1 },
    ...activationFields, bias: { kind: 'boolean', default: true },
  },
  check: (layer) => {
    const groups = layer.groups as number;
    if ((layer.in as number) % groups !== 0) return ['groups', `a divisor of in (${layer.in})`];
    if ((layer.out as number) % groups !== 0) return ['groups', `a divisor of out (${layer.out})`];
    return undefined;
  },
  parameters: (layer: ConvLayer, layout: Layout) => {
    const inPerGroup = layer.in / layer.groups;
    const receptiveField = product(layer.kernel);
    // Each output sees in / groups channels, each input feeds out / groups of them.
    const fans = { fanIn: inPerGroup * receptiveField, fanOut: (layer.out / layer.groups) * receptiveField };
    const shape = layout === 'torch' ? [layer.out, inPerGroup, ...layer.kernel] : [...layer.kernel, inPerGroup, layer.out];
    return [
      { suffix: layout === 'torch' ? 'weight' : 'kernel', shape, kind: 'conv', role: 'weight', ...fans },
      ...(layer.bias ? [{ suffix: 'bias', shape: [layer.out], kind: 'conv', role: 'bias', ...fans } as const] : []),
    ];
  },
};

const embedding: LayerDefinition = {
  fields: { vocab: { kind: 'count' }, dim: { kind: 'count' } },
  // fanIn is the vector size (what Flax's variance_scaling(out_axis=0) divides by), fanOut the vocabulary.
  parameters: (layer: EmbeddingLayer, layout: Layout) => [
    { suffix: layout === 'torch' ? 'weight' : 'embeddings', shape: [layer.vocab, layer.dim], kind: 'embedding', role: 'embedding', fanIn: layer.dim, fanOut: layer.vocab },
  ],
};

function normParameters(names: readonly [string, ParameterRole, boolean][]) {
  return (layer: NormLayer): LayerParameter[] => names.map(([suffix, role, trainable]) =>
    ({ suffix, shape: [layer.dim], kind: 'norm', role, fanIn: layer.dim, fanOut: layer.dim, ...(trainable ? {} : { trainable: false }) }));
}

/** PyTorch's BatchNorm also has an int64 num_batches_tracked buffer, which nninit (floats only) leaves out. */
const norm = (torch: readonly [string, ParameterRole, boolean][], keras: readonly [string, ParameterRole, boolean][]): LayerDefinition => ({
  fields: { dim: { kind: 'count' } },
  parameters: (layer: NormLayer, layout: Layout) => normParameters(layout === 'torch' ? torch : keras)(layer),
});

/** Gates per cell, in each framework's order (torch.nn.LSTM: i f g o; GRU: r z n; Keras LSTM: i f c o; GRU: z r h). */
const GATES = {
  lstm: { torch: ['i', 'f', 'g', 'o'], keras: ['i', 'f', 'c', 'o'] },
  gru: { torch: ['r', 'z', 'n'], keras: ['z', 'r', 'h'] },
  rnn: { torch: ['h'], keras: ['h'] },
} as const;

const recurrent: LayerDefinition = {
  fields: {
    in: { kind: 'count' }, units: { kind: 'count' }, bias: { kind: 'boolean', default: true },
    numLayers: { kind: 'count', default: 1 }, bidirectional: { kind: 'boolean', default: false },
    activation: { kind: ['tanh', 'relu'], default: 'tanh' },
  },
  check: (layer, layout) => {
    if (layout === 'keras' && (layer.numLayers as number) > 1) return ['numLayers', "1 in the 'keras' layout (stack separate layers there)"];
    if (layout === 'keras' && layer.bidirectional) return ['bidirectional', "false in the 'keras' layout (wrap the layer in Bidirectional there)"];
    if (layer.type !== 'rnn' && layer.activation !== 'tanh') return ['activation', `'tanh' for ${layer.type as string} (only rnn takes 'relu')`];
    return undefined;
  },
  parameters: (layer: RecurrentLayer, layout: Layout) => {
    const cell = layer.type, units = layer.units;
    const labels = GATES[cell][layout];
    const gates = labels.length;
    const common = { kind: 'recurrent', cell, units } as const;
    if (layout === 'keras') {
      const blocks = { axis: 1, count: gates, labels };
      const bias: LayerParameter[] = !layer.bias ? []
        // Keras 3's GRU (reset_after=True, the default) keeps an input and a recurrent bias: [2, 3 units].
        : cell === 'gru' ? [{ suffix: 'bias', shape: [2, gates * units], role: 'bias', fanIn: layer.in, fanOut: units, blocks, ...common }]
        : [{ suffix: 'bias', shape: [gates * units], role: 'bias', fanIn: layer.in, fanOut: units, blocks: { ...blocks, axis: 0 }, ...common }];
      return [
        { suffix: 'kernel', shape: [layer.in, gates * units], role: 'input', fanIn: layer.in, fanOut: units, blocks, ...common },
        { suffix: 'recurrent_kernel', shape: [units, gates * units], role: 'recurrent', fanIn: units, fanOut: units, blocks, ...common },
        ...bias,
      ];
    }
    const blocks = { axis: 0, count: gates, labels };
    const parameters: LayerParameter[] = [];
    const directions = layer.bidirectional ? ['', '_reverse'] : [''];
    for (let l = 0; l < layer.numLayers; l++) {
      const inputs = l === 0 ? layer.in : units * directions.length;
      for (const direction of directions) {
        const tag = `_l${l}${direction}`;
        parameters.push(
          { suffix: `weight_ih${tag}`, shape: [gates * units, inputs], role: 'input', fanIn: inputs, fanOut: units, blocks, ...common },
          { suffix: `weight_hh${tag}`, shape: [gates * units, units], role: 'recurrent', fanIn: units, fanOut: units, blocks, ...common },
        );
        if (layer.bias) {
          parameters.push(
            { suffix: `bias_ih${tag}`, shape: [gates * units], role: 'bias', fanIn: inputs, fanOut: units, blocks, ...common },
            { suffix: `bias_hh${tag}`, shape: [gates * units], role: 'recurrentBias', fanIn: units, fanOut: units, blocks, ...common },
          );
        }
      }
    }
    return parameters;
  },
};

const attention: LayerDefinition = {
  fields: { dim: { kind: 'count' }, heads: { kind: 'count' }, fused: { kind: 'boolean', default: true }, bias: { kind: 'boolean', default: true } },
  check: (layer) => ((layer.dim as number) % (layer.heads as number) !== 0 ? ['heads', `a divisor of dim (${layer.dim})`] : undefined),
  parameters: (layer: AttentionLayer, layout: Layout) => {
    const { dim, heads } = layer;
    const common = { kind: 'attention', fanIn: dim, fanOut: dim, heads } as const;
    const qkv = { axis: 0, count: 3, labels: ['q', 'k', 'v'] };
    if (layout === 'keras') {
      // keras.layers.MultiHeadAttention: EinsumDense kernels [dim, heads, headDim] and [heads, headDim, dim].
      const headDim = dim / heads;
      const projection = (name: string): LayerParameter[] => [
        { suffix: `${name}.kernel`, shape: [dim, heads, headDim], role: 'inProjection', ...common },
        ...(layer.bias ? [{ suffix: `${name}.bias`, shape: [heads, headDim], role: 'inProjectionBias', ...common } as const] : []),
      ];
      return [
        ...projection('query'), ...projection('key'), ...projection('value'),
        { suffix: 'attention_output.kernel', shape: [heads, headDim, dim], role: 'outProjection', ...common },
        ...(layer.bias ? [{ suffix: 'attention_output.bias', shape: [dim], role: 'outProjectionBias', ...common } as const] : []),
      ];
    }
    // Fused: one nn.MultiheadAttention owns all four; unfused: four nn.Linear modules.
    const output: LayerParameter[] = [
      { suffix: 'out_proj.weight', shape: [dim, dim], role: 'outProjection', ...common, fused: layer.fused },
      ...(layer.bias ? [{ suffix: 'out_proj.bias', shape: [dim], role: 'outProjectionBias', ...common, fused: layer.fused } as const] : []),
    ];
    if (layer.fused) {
      return [
        { suffix: 'in_proj_weight', shape: [3 * dim, dim], role: 'inProjection', blocks: qkv, ...common, fused: true },
        ...(layer.bias ? [{ suffix: 'in_proj_bias', shape: [3 * dim], role: 'inProjectionBias', blocks: qkv, ...common, fused: true } as const] : []),
        ...output,
      ];
    }
    const projection = (name: string): LayerParameter[] => [
      { suffix: `${name}.weight`, shape: [dim, dim], role: 'inProjection', ...common },
      ...(layer.bias ? [{ suffix: `${name}.bias`, shape: [dim], role: 'inProjectionBias', ...common } as const] : []),
    ];
    return [...projection('q_proj'), ...projection('k_proj'), ...projection('v_proj'), ...output];
  },
};

const param: LayerDefinition = {
  fields: { shape: { kind: 'shape' }, init: { kind: 'initializer' } },
  parameters: (layer: ParamLayer) => [{
    suffix: '', shape: layer.shape, kind: 'param', role: 'param', fanIn: 0, fanOut: 0,
    explicit: { initializer: layer.init, options: layer.options },
  }],
};

/**
 * Every layer type of the spec. Shapes per layout ('torch' | 'keras'):
 * - dense: weight [out, in] | kernel [in, out]; bias [out].
 * - conv1d/2d/3d: weight [out, in/groups, ...kernel] | kernel [...kernel, in/groups, out]; bias [out].
 * - embedding: weight | embeddings [vocab, dim].
 * - layernorm: weight, bias | gamma, beta; batchnorm adds running_mean, running_var | moving_mean, moving_variance
 *   (buffers); rmsnorm: weight | scale. All [dim].
 * - lstm/gru/rnn: weight_ih_l{k} [G units, in], weight_hh_l{k} [G units, units], bias_ih_l{k}, bias_hh_l{k} [G units]
 *   | kernel [in, G units], recurrent_kernel [units, G units], bias [G units] ([2, 3 units] for GRU), with G = 4, 3, 1
 *   gates in each framework's gate order.
 * - attention: in_proj_weight [3 dim, dim], in_proj_bias [3 dim], out_proj.weight [dim, dim], out_proj.bias (fused)
 *   or q_proj/k_proj/v_proj/out_proj .weight/.bias | query/key/value .kernel [dim, heads, dim/heads] and .bias
 *   [heads, dim/heads], attention_output.kernel [heads, dim/heads, dim] and .bias [dim].
 * - param: one tensor named by the layer, with an explicit initializer.
 */
export const LAYER_TYPES: Record<LayerType, LayerDefinition> = {
  dense,
  conv1d: conv,
  conv2d: conv,
  conv3d: conv,
  embedding,
  layernorm: norm([['weight', 'scale', true], ['bias', 'shift', true]], [['gamma', 'scale', true], ['beta', 'shift', true]]),
  batchnorm: norm(
    [['weight', 'scale', true], ['bias', 'shift', true], ['running_mean', 'runningMean', false], ['running_var', 'runningVariance', false]],
    [['gamma', 'scale', true], ['beta', 'shift', true], ['moving_mean', 'runningMean', false], ['moving_variance', 'runningVariance', false]]),
  rmsnorm: norm([['weight', 'scale', true]], [['scale', 'scale', true]]),
  lstm: recurrent,
  gru: recurrent,
  rnn: recurrent,
  attention,
  repeat: {
    fields: { count: { kind: 'count' }, residual: { kind: 'boolean', default: false }, layers: { kind: 'layers' } },
    scopes: (layer: RepeatLayer) => Array.from({ length: layer.count }, (_, i) => String(i)),
  },
  block: {
    fields: { residual: { kind: 'boolean', default: false }, layers: { kind: 'layers' } },
    scopes: () => [''],
  },
  param,
};

export const LAYER_TYPE_NAMES = Object.keys(LAYER_TYPES) as LayerType[];

/** Spatial axes of each convolution type. */
export const CONV_DIMENSIONS: Partial<Record<LayerType, number>> = { conv1d: 1, conv2d: 2, conv3d: 3 };

export type { Activation };
