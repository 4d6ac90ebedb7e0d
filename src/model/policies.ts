// Policies: tables from a parameter descriptor (layer kind and parameter role, with activation, fans and block
// structure) to the initializer it gets. A new policy is one entry of POLICIES; a new rule of a policy is one
// line of its table. Each choice says why, and each policy names its sources.

import { ACTIVATIONS } from './activations.js';
import type { InitializerName, Options } from './registry.js';
import type { LayerKind, ParameterDescriptor, ParameterRole } from './types.js';

/** What a policy picks for one parameter. */
export interface Choice {
  readonly initializer: InitializerName;
  readonly options?: Options;
  /**
   * The fans the formula divides by, when they are not the ones the tensor's shape gives (per-block fans of a
   * fused or gated weight, Keras's einsum kernels). The planner then draws the same distribution through the
   * plain initializer (uniform, normal or truncatedNormal) with the variance those fans give.
   */
  readonly fans?: { readonly fanIn: number; readonly fanOut: number };
  /** Each block of the descriptor's block structure gets this initializer separately (stream `${name}/${k}`). */
  readonly perBlock?: boolean;
  /** Block k gets parts[k] (constant per-gate values such as Keras's unit forget bias). */
  readonly parts?: readonly { readonly initializer: InitializerName; readonly options?: Options }[];
  /** Why, in a few words: "relu after fc1 -> He normal, fan_in 784". */
  readonly why: string;
  /** gpt2's residual projections: the n_layer divided by, and whether it was counted from attention layers. */
  readonly nLayer?: { readonly value: number; readonly counted: boolean };
}

export type PolicyName = 'activation' | 'pytorch' | 'keras' | 'flax' | 'gpt2';

/** A policy and its parameters; only 'gpt2' takes any. */
export interface PolicySetting {
  readonly name: PolicyName;
  /** gpt2: the number of transformer blocks n_layer (default: the number of attention layers in the model). */
  readonly nLayer?: number;
  /** gpt2: the std of linear and embedding weights, HF's initializer_range (default 0.02). */
  readonly std?: number;
}

export interface PolicyContext {
  readonly setting: PolicySetting;
  /** Attention layers in the model (the gpt2 policy's default n_layer). */
  readonly attentionLayers: number;
}

export type ChoiceRule = (d: ParameterDescriptor, context: PolicyContext) => Choice;
export type PolicyTable = Partial<Record<`${LayerKind}.${ParameterRole}`, ChoiceRule>>;

export interface PolicyDefinition {
  /** One line for explain and the README. */
  readonly summary: string;
  /** Where each choice comes from. */
  readonly sources: readonly string[];
  readonly table: PolicyTable;
  /** The policy asked for what this table lacks. */
  readonly fallback?: PolicyName;
  /** The parameters of a PolicySetting this policy reads. */
  readonly parameters?: readonly ('nLayer' | 'std')[];
}

/** Four significant digits, for the sentences of the plan. */
export function short(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const text = Number(value.toPrecision(4)).toString();
  return text.length > 10 ? value.toExponential(3) : text;
}

const zeros = (why: string): Choice => ({ initializer: 'zeros', why: `${why} -> zeros` });
const ones = (why: string): Choice => ({ initializer: 'ones', why: `${why} -> ones` });
const of = (d: ParameterDescriptor) => (d.layer ? ` of ${d.layer}` : '');
const trueFans = (d: ParameterDescriptor) => ({ fanIn: d.fanIn, fanOut: d.fanOut });

/** Normalization layers: every framework starts them as the identity map (scale 1, shift 0, fresh statistics). */
const NORMS: PolicyTable = {
  'norm.scale': (d) => ones(`norm scale${of(d)}`),
  'norm.shift': (d) => zeros(`norm shift${of(d)}`),
  'norm.runningMean': (d) => zeros(`running mean${of(d)}`),
  'norm.runningVariance': (d) => ones(`running variance${of(d)}`),
  'norm.batchCount': (d) => zeros(`batch count${of(d)}`),
};

const ANY_BIAS = ['dense.bias', 'conv.bias', 'recurrent.bias', 'recurrent.recurrentBias', 'attention.inProjectionBias', 'attention.outProjectionBias'] as const;
const zeroBiases = (): PolicyTable => Object.fromEntries(ANY_BIAS.map((key) => [key, (d: ParameterDescriptor) => zeros(`bias${of(d)}`)]));

// ---- 'activation': the comparison table --------------------------------------------------------------------------

/** He for the ReLU family, Glorot for saturating and linear outputs, LeCun for SELU: by the layer's activation. */
function byActivation(d: ParameterDescriptor): Choice {
  const activation = d.activation ?? { name: 'linear' };
  const entry = ACTIVATIONS[activation.name];
  const after = d.activation
    ? `${activation.name}${activation.slope !== undefined ? ` (slope ${activation.slope})` : ''} after ${d.layer || d.name}`
    : `activation of ${d.layer || d.name} unknown (taken as linear)`;
  switch (entry.family) {
    case 'he': {
      const options: Options = entry.nonlinearity === 'leaky_relu'
        ? { nonlinearity: 'leaky_relu', a: activation.slope ?? 0.01 }
        : { nonlinearity: 'relu' };
      return { initializer: 'heNormal', options, fans: trueFans(d), why: `${after} -> He normal, fan_in ${d.fanIn}` };
    }
    case 'glorot':
      return { initializer: 'glorotUniform', fans: trueFans(d), why: `${after} -> Glorot uniform, fans ${d.fanIn}/${d.fanOut}` };
    case 'lecun':
      return { initializer: 'lecunNormal', fans: trueFans(d), why: `${after} -> LeCun normal, fan_in ${d.fanIn}` };
  }
}

const ACTIVATION_POLICY: PolicyDefinition = {
  summary: 'each layer by its activation: He for the ReLU family, Glorot for tanh/sigmoid/softmax/linear, LeCun for SELU; orthogonal recurrent gates',
  sources: [
    'He et al., "Delving deep into rectifiers", ICCV 2015',
    'Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural networks", AISTATS 2010',
    'Klambauer et al., "Self-Normalizing Neural Networks", NeurIPS 2017 (LeCun normal for SELU)',
    'Saxe et al., "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks", ICLR 2014 (orthogonal)',
  ],
  table: {
    ...zeroBiases(),
    ...NORMS,
    'dense.weight': byActivation,
    'conv.weight': byActivation,
    'embedding.embedding': (d) => ({ initializer: 'normal', options: { std: 1 }, why: `embedding${of(d)} -> N(0, 1)` }),
    'recurrent.input': (d) => ({
      initializer: 'glorotUniform', fans: trueFans(d),
      why: `input-to-hidden${of(d)} -> Glorot uniform, fans ${d.fanIn}/${d.fanOut} per gate`,
    }),
    'recurrent.recurrent': (d) => ({
      initializer: 'orthogonal', options: { gain: 1 }, perBlock: true,
      why: `hidden-to-hidden${of(d)} -> orthogonal per gate block${d.blocks ? ` (${d.blocks.labels.join(', ')})` : ''}`,
    }),
    'attention.inProjection': (d) => ({
      initializer: 'glorotUniform', fans: trueFans(d),
      why: `q/k/v projection${of(d)} -> Glorot uniform, fans ${d.fanIn}/${d.fanOut} per block`,
    }),
    'attention.outProjection': (d) => ({
      initializer: 'glorotUniform', fans: trueFans(d), why: `output projection${of(d)} -> Glorot uniform, fans ${d.fanIn}/${d.fanOut}`,
    }),
  },
};

// ---- 'pytorch': torch.nn modules' own reset_parameters -----------------------------------------------------------

/** Linear and Conv*d weights: kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / 6), bound gain sqrt(3 / fan_in) = 1 / sqrt(fan_in). */
const torchLinearWeight = (what: string) => (d: ParameterDescriptor): Choice => {
  const fans = torchFans(d);
  return {
    initializer: 'kaimingUniform', options: { a: Math.sqrt(5) }, fans,
    why: `${what}${of(d)} -> kaiming_uniform_(a=sqrt 5) = U(+-1/sqrt(${fans.fanIn}))`,
  };
};

/**
 * The fans torch's _calculate_fan_in_and_fan_out gives a weight: for ConvTranspose*d, whose weight is
 * [in, out/groups, k...], fan_in = size(1) * k (the descriptor's forward fan_out) and fan_out = size(0) * k,
 * rather than the forward fans the descriptor holds; for every other layer, those.
 */
function torchFans(d: ParameterDescriptor): { fanIn: number; fanOut: number } {
  if (!d.layerType?.startsWith('convtranspose')) return { fanIn: d.fanIn, fanOut: d.fanOut };
  if (d.role !== 'weight') return { fanIn: d.fanOut, fanOut: d.fanIn };
  return { fanIn: d.fanOut, fanOut: d.shape[0] * d.shape.slice(2).reduce((a, b) => a * b, 1) };
}

/** Linear and Conv*d biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in (0 when fan_in is 0). */
const torchLinearBias = (what: string) => (d: ParameterDescriptor): Choice => {
  const { fanIn } = torchFans(d);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return { initializer: 'uniform', options: { low: -bound, high: bound }, why: `${what} bias${of(d)} -> U(+-1/sqrt(${fanIn}))` };
};

/** RNN, LSTM, GRU: every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)). */
const torchRecurrent: ChoiceRule = (d) => {
  const units = d.units ?? d.fanOut;
  const bound = units > 0 ? 1 / Math.sqrt(units) : 0;
  const name = { input: 'weight_ih', recurrent: 'weight_hh', bias: 'bias_ih', recurrentBias: 'bias_hh' }[d.role as string] ?? d.role;
  return { initializer: 'uniform', options: { low: -bound, high: bound }, why: `${d.cell ?? 'recurrent'} ${name}${of(d)} -> U(+-1/sqrt(${units}))` };
};

/** Fans PyTorch's xavier_uniform_ sees: the whole fused [3 dim, dim] in_proj_weight. */
const torchInProjectionFans = (d: ParameterDescriptor) =>
  ({ fanIn: d.fanIn, fanOut: d.fanOut * (d.blocks?.count ?? 1) });

/** q, k and v in one projection of one nn.MultiheadAttention (rather than separate nn.Linear modules). */
const fusedAttention = (d: ParameterDescriptor) => d.fused ?? d.blocks !== undefined;

const PYTORCH_POLICY: PolicyDefinition = {
  summary: "torch.nn modules' defaults: kaiming_uniform_(a=sqrt 5) weights, U(+-1/sqrt fan_in) biases, N(0, 1) embeddings, U(+-1/sqrt hidden) recurrent",
  sources: [
    'torch/nn/modules/linear.py Linear.reset_parameters; conv.py _ConvNd.reset_parameters',
    'torch/nn/modules/sparse.py Embedding.reset_parameters (normal_)',
    'torch/nn/modules/rnn.py RNNBase.reset_parameters (uniform_ +-1/sqrt(hidden_size))',
    'torch/nn/modules/activation.py MultiheadAttention._reset_parameters (xavier_uniform_ in_proj, zero biases)',
    'separate q_proj/k_proj/v_proj/out_proj as nn.Linear (e.g. HF transformers models/bart/modeling_bart.py BartAttention)',
    'torch/nn/modules/normalization.py LayerNorm, RMSNorm; batchnorm.py _NormBase.reset_parameters',
  ],
  table: {
    ...NORMS,
    'dense.weight': torchLinearWeight('Linear weight'),
    'dense.bias': torchLinearBias('Linear'),
    'conv.weight': torchLinearWeight('Conv weight'),
    'conv.bias': torchLinearBias('Conv'),
    'embedding.embedding': (d) => ({ initializer: 'normal', options: { std: 1 }, why: `Embedding${of(d)} -> normal_ N(0, 1)` }),
    'recurrent.input': torchRecurrent,
    'recurrent.recurrent': torchRecurrent,
    'recurrent.bias': torchRecurrent,
    'recurrent.recurrentBias': torchRecurrent,
    // Fused: nn.MultiheadAttention, whose _reset_parameters draws in_proj_weight by xavier_uniform_ and zeroes both
    // biases; its out_proj is a Linear (reset as one when built). Separate q/k/v/out projections (fused: false, the
    // keras layout, HF's q_proj ... out_proj) are nn.Linear modules with Linear's defaults.
    'attention.inProjection': (d) => {
      if (!fusedAttention(d)) return torchLinearWeight('q/k/v projection (an nn.Linear)')(d);
      const fans = torchInProjectionFans(d);
      return { initializer: 'xavierUniform', fans, why: `MultiheadAttention in_proj${of(d)} -> xavier_uniform_, fans ${fans.fanIn}/${fans.fanOut}` };
    },
    'attention.inProjectionBias': (d) => (fusedAttention(d) ? zeros(`MultiheadAttention in_proj_bias${of(d)}`)
      : torchLinearBias('q/k/v projection (an nn.Linear)')(d)),
    'attention.outProjection': (d) => torchLinearWeight(fusedAttention(d) ? 'MultiheadAttention out_proj (a Linear)' : 'output projection (an nn.Linear)')(d),
    'attention.outProjectionBias': (d) => (fusedAttention(d) ? zeros(`MultiheadAttention out_proj.bias${of(d)}`)
      : torchLinearBias('output projection (an nn.Linear)')(d)),
  },
};

// ---- 'keras': Keras 3 layer defaults -----------------------------------------------------------------------------

/**
 * The forget gate's block is the one labelled 'f': block 1 in Keras's (i, f, c, o) and PyTorch's (i, f, g, o),
 * block 2 in ONNX's (i, o, f, c). An ONNX B holds each direction's input biases then its recurrent ones ('rf'):
 * only the input half gets the 1, as Keras has one bias.
 */
const FORGET_GATE = 'f';

/**
 * Fans of Keras's MultiHeadAttention kernels, which are 3-D einsum kernels that keras.initializers' compute_fans
 * treats like convolutions (receptive field = product of all axes but the last two): query/key/value
 * [dim, heads, headDim] -> (heads dim, headDim dim); attention_output [heads, headDim, dim] -> (dim, heads dim).
 */
function kerasAttentionFans(d: ParameterDescriptor): { fanIn: number; fanOut: number } | undefined {
  if (d.heads === undefined) return undefined;
  const dim = d.fanIn, headDim = dim / d.heads;
  return d.role === 'inProjection' ? { fanIn: d.heads * dim, fanOut: headDim * dim } : { fanIn: dim, fanOut: dim * d.heads };
}

const kerasAttention: ChoiceRule = (d) => {
  const fans = kerasAttentionFans(d) ?? trueFans(d);
  const note = d.heads === undefined ? ' (heads unknown: 2-D fans)' : ' (einsum kernel fans)';
  return { initializer: 'glorotUniform', fans, why: `MultiHeadAttention ${d.role === 'inProjection' ? 'query/key/value' : 'output'} kernel${of(d)} -> glorot_uniform, fans ${fans.fanIn}/${fans.fanOut}${note}` };
};

const KERAS_POLICY: PolicyDefinition = {
  summary: 'Keras 3 defaults: glorot_uniform kernels, orthogonal recurrent kernels, zero biases with unit_forget_bias, U(+-0.05) embeddings',
  sources: [
    'keras/src/layers/core/dense.py, convolutional/base_conv.py (glorot_uniform, zeros)',
    'keras/src/layers/core/embedding.py (embeddings_initializer="uniform": RandomUniform(-0.05, 0.05))',
    'keras/src/layers/rnn/lstm.py LSTMCell (orthogonal recurrent, unit_forget_bias=True), gru.py, simple_rnn.py',
    'keras/src/layers/attention/multi_head_attention.py (glorot_uniform EinsumDense kernels, zero biases)',
    'keras/src/initializers/initializer.py compute_fans',
  ],
  table: {
    ...zeroBiases(),
    ...NORMS,
    'dense.weight': (d) => ({ initializer: 'glorotUniform', why: `Dense kernel${of(d)} -> glorot_uniform` }),
    'conv.weight': (d) => ({ initializer: 'glorotUniform', why: `Conv kernel${of(d)} -> glorot_uniform` }),
    'embedding.embedding': (d) => ({ initializer: 'uniform', options: { low: -0.05, high: 0.05 }, why: `Embedding${of(d)} -> RandomUniform(-0.05, 0.05)` }),
    'recurrent.input': (d) => ({ initializer: 'glorotUniform', why: `${d.cell ?? 'recurrent'} kernel${of(d)} -> glorot_uniform over all gates` }),
    'recurrent.recurrent': (d) => ({ initializer: 'orthogonal', options: { gain: 1 }, why: `${d.cell ?? 'recurrent'} recurrent_kernel${of(d)} -> orthogonal over all gates` }),
    'recurrent.bias': (d) => {
      if (d.cell !== 'lstm' || !d.blocks) return zeros(`${d.cell ?? 'recurrent'} bias${of(d)}`);
      const parts = d.blocks.labels.map((label) => ({ initializer: (label === FORGET_GATE ? 'ones' : 'zeros') as InitializerName }));
      return { initializer: 'zeros', parts, why: `lstm bias${of(d)} -> zeros, forget gate ones (unit_forget_bias)` };
    },
    'recurrent.recurrentBias': (d) => zeros(`${d.cell ?? 'recurrent'} recurrent bias${of(d)} (Keras has one bias)`),
    'attention.inProjection': kerasAttention,
    'attention.outProjection': kerasAttention,
  },
};

// ---- 'flax': Flax linen defaults ---------------------------------------------------------------------------------

const FLAX_POLICY: PolicyDefinition = {
  summary: 'Flax linen defaults: lecun_normal kernels, zero biases, N(0, 1/dim) embeddings, orthogonal recurrent kernels per gate',
  sources: [
    'flax/linen/linear.py Dense, Conv, DenseGeneral (default_kernel_init = lecun_normal(), zeros bias)',
    'flax/linen/linear.py Embed (default_embed_init = variance_scaling(1.0, "fan_in", "normal", out_axis=0))',
    'flax/linen/recurrent.py LSTMCell, GRUCell, SimpleCell (one Dense per gate; orthogonal recurrent kernels)',
    'flax/linen/attention.py MultiHeadDotProductAttention (DenseGeneral q/k/v/out)',
  ],
  table: {
    ...zeroBiases(),
    ...NORMS,
    'dense.weight': (d) => ({ initializer: 'lecunNormal', why: `Dense kernel${of(d)} -> lecun_normal, fan_in ${d.fanIn}` }),
    'conv.weight': (d) => ({ initializer: 'lecunNormal', why: `Conv kernel${of(d)} -> lecun_normal, fan_in ${d.fanIn}` }),
    // variance_scaling(1, fan_in, normal, out_axis=0) on [vocab, dim]: in_axis -2 and out_axis 0 are both the
    // vocab axis, so fan_in = dim and the embedding is N(0, 1 / dim).
    'embedding.embedding': (d) => ({
      initializer: 'normal', options: { std: 1 / Math.sqrt(d.fanIn) }, fans: trueFans(d),
      why: `Embed${of(d)} -> variance_scaling(1, fan_in, normal, out_axis=0) = N(0, 1/${d.fanIn})`,
    }),
    'recurrent.input': (d) => ({ initializer: 'lecunNormal', why: `${d.cell ?? 'recurrent'} input kernels${of(d)} -> lecun_normal, fan_in ${d.fanIn}` }),
    'recurrent.recurrent': (d) => ({
      initializer: 'orthogonal', options: { gain: 1 }, perBlock: true,
      why: `${d.cell ?? 'recurrent'} hidden kernels${of(d)} -> orthogonal per gate (one Dense per gate)`,
    }),
    'attention.inProjection': (d) => ({ initializer: 'lecunNormal', fans: trueFans(d), why: `DenseGeneral query/key/value${of(d)} -> lecun_normal, fan_in ${d.fanIn}` }),
    'attention.outProjection': (d) => ({ initializer: 'lecunNormal', fans: trueFans(d), why: `DenseGeneral out${of(d)} -> lecun_normal, fan_in ${d.fanIn}` }),
  },
};

// ---- 'gpt2': GPT-2 as in HF transformers and nanoGPT ---------------------------------------------------------------

/** The std of linear and embedding weights: HF's initializer_range. */
const gptStd = (context: PolicyContext) => context.setting.std ?? 0.02;

/** n_layer: the policy's nLayer, else the number of attention layers (one per GPT-2 block). */
function nLayerOf(d: ParameterDescriptor, context: PolicyContext): number {
  const nLayer = context.setting.nLayer ?? context.attentionLayers;
  if (nLayer > 0) return nLayer;
  throw new RangeError(`the gpt2 policy scales the residual projection ${d.name} by 1/sqrt(2 n_layer), and the model has no attention layer to count n_layer from; pass policy: { name: 'gpt2', nLayer }`);
}

/** N(0, std) for weights; the residual projections N(0, std / sqrt(2 n_layer)) (GPT-2 paper, section 2.3). */
const gptWeight = (what: string): ChoiceRule => (d, context) => {
  const std = gptStd(context);
  if (d.residualOutput || d.role === 'outProjection') {
    const nLayer = nLayerOf(d, context);
    return {
      initializer: 'normal', options: { std: std / Math.sqrt(2 * nLayer) }, why: `residual projection${of(d)} -> N(0, ${std}/sqrt(2*${nLayer}))`,
      nLayer: { value: nLayer, counted: context.setting.nLayer === undefined },
    };
  }
  return { initializer: 'normal', options: { std }, why: `${what}${of(d)} -> N(0, ${std})` };
};

const GPT2_POLICY: PolicyDefinition = {
  summary: 'GPT-2: N(0, 0.02) linear and embedding weights, residual projections N(0, 0.02/sqrt(2 n_layer)), zero biases; other modules as pytorch',
  sources: [
    'Radford et al., "Language Models are Unsupervised Multitask Learners", 2019, section 2.3',
    'huggingface/transformers models/gpt2/modeling_gpt2.py GPT2PreTrainedModel._init_weights',
    'karpathy/nanoGPT model.py GPT._init_weights and the c_proj.weight special case',
  ],
  parameters: ['nLayer', 'std'],
  fallback: 'pytorch',
  table: {
    ...NORMS,
    'dense.weight': gptWeight('linear weight'),
    'dense.bias': (d) => zeros(`linear bias${of(d)}`),
    'embedding.embedding': (d, context) => ({ initializer: 'normal', options: { std: gptStd(context) }, why: `embedding${of(d)} -> N(0, ${gptStd(context)})` }),
    'attention.inProjection': gptWeight('attention c_attn'),
    'attention.inProjectionBias': (d) => zeros(`attention c_attn bias${of(d)}`),
    'attention.outProjection': gptWeight('attention c_proj'),
    'attention.outProjectionBias': (d) => zeros(`attention c_proj bias${of(d)}`),
  },
};

/** Every policy by name. */
export const POLICIES: Record<PolicyName, PolicyDefinition> = {
  activation: ACTIVATION_POLICY,
  pytorch: PYTORCH_POLICY,
  keras: KERAS_POLICY,
  flax: FLAX_POLICY,
  gpt2: GPT2_POLICY,
};

export const POLICY_NAMES = Object.keys(POLICIES) as PolicyName[];

/** The policy's choice for a descriptor, through its fallback; undefined when no table has the kind and role. */
export function choose(d: ParameterDescriptor, context: PolicyContext): { choice: Choice; policy: PolicyName } | undefined {
  let name: PolicyName | undefined = context.setting.name;
  while (name !== undefined) {
    const rule = POLICIES[name].table[`${d.kind}.${d.role}`];
    if (rule) return { choice: rule(d, context), policy: name };
    name = POLICIES[name].fallback;
  }
  return undefined;
}
