// The data the model layer passes between its parts: parameter descriptors (what a parameter is), policy choices
// (what to draw it from) and plan entries (the exact public call that produces it).

import type { Layout } from '../core/fans.js';
import type { Dtype } from '../core/output.js';
import type { Seed } from '../core/seed.js';
import type { TorchInit } from '../torch/modules.js';
import type { TorchProgram } from '../torch/program.js';
import type { Activation } from './activations.js';
import type { InitializerName, Options } from './registry.js';

/** The kind of layer a parameter belongs to. */
export type LayerKind = 'dense' | 'conv' | 'embedding' | 'norm' | 'recurrent' | 'attention' | 'param';

/**
 * What a parameter does in its layer.
 * - dense, conv: 'weight', 'bias'.
 * - embedding: 'embedding'.
 * - norm: 'scale' (weight / gamma), 'shift' (bias / beta), 'runningMean', 'runningVariance', 'batchCount'
 *   (buffers, not trained).
 * - recurrent: 'input' (input-to-hidden: weight_ih / kernel), 'recurrent' (hidden-to-hidden: weight_hh /
 *   recurrent_kernel), 'bias' (bias_ih, or Keras's single bias), 'recurrentBias' (bias_hh).
 * - attention: 'inProjection' (in_proj_weight, or q/k/v projections), 'inProjectionBias', 'outProjection',
 *   'outProjectionBias'.
 * - param: 'param' (a raw parameter with an explicit initializer).
 */
export type ParameterRole =
  | 'weight' | 'bias' | 'embedding'
  | 'scale' | 'shift' | 'runningMean' | 'runningVariance' | 'batchCount'
  | 'input' | 'recurrent' | 'recurrentBias'
  | 'inProjection' | 'inProjectionBias' | 'outProjection' | 'outProjectionBias'
  | 'param';

/** Equal blocks a parameter is made of along one axis: the gates of a recurrent weight, q/k/v of a fused one. */
export interface BlockStructure {
  readonly axis: number;
  readonly count: number;
  /** One label per block, in order along the axis (gate names such as 'i', 'f', 'g', 'o'; 'q', 'k', 'v'). */
  readonly labels: readonly string[];
}

/**
 * Everything a policy needs to choose an initializer for one parameter, whether it came from a spec (planModel),
 * from names and shapes (planTensors) or from a graph reader (planDescriptors).
 */
export interface ParameterDescriptor {
  /** Full parameter name, e.g. 'h.3.attn.in_proj_weight'; also its stream. */
  readonly name: string;
  readonly shape: readonly number[];
  /** How the tensor stores its axes: 'torch' `[out, in, ...kernel]` or 'keras' `[...kernel, in, out]`. */
  readonly layout: Layout;
  readonly kind: LayerKind;
  readonly role: ParameterRole;
  /** The spec's layer type when known ('conv2d', 'lstm', 'batchnorm', ...). */
  readonly layerType?: string;
  /** The activation that follows the layer (dense and conv). */
  readonly activation?: Activation;
  /**
   * The layer's true fans: inputs and outputs per unit of one block (one gate, one of q/k/v), with groups taken
   * into account (a grouped convolution's fanOut is out / groups * receptiveField). Biases carry their weight's.
   */
  readonly fanIn: number;
  readonly fanOut: number;
  readonly blocks?: BlockStructure;
  /** Recurrent cell ('lstm' | 'gru' | 'rnn') and hidden size. */
  readonly cell?: 'lstm' | 'gru' | 'rnn';
  readonly units?: number;
  /** Attention heads, when known. */
  readonly heads?: number;
  /**
   * Attention whose q, k and v share one fused projection in one module (torch.nn.MultiheadAttention's
   * in_proj_weight, which also zeroes its biases); false or absent for separate projections (q_proj, k_proj,
   * v_proj, out_proj as nn.Linear, Keras's query/key/value). A fused in_proj_weight (with `blocks`) counts as fused.
   */
  readonly fused?: boolean;
  /** Its output is added to a skip connection (GPT-2's residual projections). */
  readonly residualOutput?: boolean;
  /** False for buffers (running statistics); default true. */
  readonly trainable?: boolean;
  /**
   * An initializer the model itself gives the parameter, chosen before any policy: a 'param' layer's, or one a
   * model file configures (a TF.js layer's kernel_initializer). `parts` gives each block of `blocks` its own
   * (TF.js's unit forget bias); `why` and `source` word the plan's rule (default: 'explicit NAME', the path).
   */
  readonly explicit?: {
    readonly initializer: InitializerName;
    readonly options: Options;
    readonly parts?: readonly { readonly initializer: InitializerName; readonly options?: Options }[];
    readonly why?: string;
    readonly source?: string;
  };
  /** The layer instance the parameter belongs to, e.g. 'h.3.attn'. */
  readonly layer: string;
  /** JSON path of that layer in the spec, e.g. 'layers[2].layers[0].layers[1]'. */
  readonly path?: string;
  /**
   * JSON paths of the spec's layers in this parameter's name that have no `name` and are named by their index in
   * their list: inserting a layer before one of them renames the parameter, and so changes its stream.
   */
  readonly indexNamed?: readonly string[];
}

/** One block of a composite parameter. */
export interface BlockPlan {
  readonly initializer: InitializerName;
  readonly options: Options;
  /** `${name}/${k}` for block k. */
  readonly stream: string;
}

/**
 * Where a parameter's values come from with rng 'torch': PyTorch's default generator after
 * torch.manual_seed(seed), the model's torch.nn modules constructed in order, of which this parameter's module
 * is `program.modules[module]`.
 */
export interface TorchSource {
  /** Every module of the model that takes part, in construction order (one object shared by a plan's entries). */
  readonly program: TorchProgram;
  /** Index of the parameter's module in program.modules. */
  readonly module: number;
  /** The parameter's name in its module, PyTorch's: 'weight', 'weight_hh_l1_reverse', 'out_proj.weight'. */
  readonly parameter: string;
  /** The module's constructor as Python spells it: 'nn.Linear(784, 256)'. */
  readonly call: string;
  /** The init steps the constructor runs on this parameter, in order (a draw, perhaps then a fill). */
  readonly steps: readonly TorchInit[];
}

/**
 * One planned parameter: the exact public call that produces it.
 *
 * Without `blocks`, the values are `nninit[initializer](shape, { ...options, seed, stream, dtype })` for random
 * initializers and `nninit[initializer](shape, { ...options, dtype })` for constant ones (`constant` takes
 * `options.value` as its second argument). With `blocks`, the parameter is split into `blocks.parts.length` equal
 * blocks along `blocks.axis` and block k is that call for part k with the block's shape and `stream: part.stream`.
 */
export interface ParameterPlan {
  readonly name: string;
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  readonly layout: Layout;
  readonly dtype: Dtype;
  readonly seed: Seed;
  /** The stream: the parameter's name (unused by initializer 'torch'). */
  readonly stream: string;
  /**
   * The public nninit function, 'blocks' for a composite parameter, or 'torch' for values drawn from PyTorch's
   * generator (rng 'torch', see `torch`).
   */
  readonly initializer: InitializerName | 'blocks' | 'torch';
  /** The exact options passed to it, without seed, stream and dtype ({} for 'blocks'). */
  readonly options: Options;
  readonly blocks?: { readonly axis: number; readonly parts: readonly BlockPlan[] };
  /** The fans the chosen formula used. */
  readonly fanIn: number;
  readonly fanOut: number;
  /** Expected mean and standard deviation of the values. */
  readonly mean: number;
  readonly std: number;
  /** Which rule chose the initializer, and why, in one sentence. */
  readonly rule: string;
  /** 'activation', 'pytorch', ... or 'rules[2]' or 'layers[4]' (a param layer). */
  readonly chosenBy: string;
  /**
   * Rules that also matched this parameter before the one that chose it (the last match wins), as
   * `rules[0] "**.bias"`. explain lists a rule that loses every parameter it matches, since that is usually a typo
   * or rules in the wrong order.
   */
  readonly overriddenRules?: readonly string[];
  /** The policy of the plan (also when a rule chose this parameter). */
  readonly policy: string;
  /**
   * Computes the whole tensor for any slice (orthogonal, and initializer 'torch'): produce it in one call rather
   * than chunk by chunk.
   */
  readonly whole: boolean;
  /**
   * Draws random numbers, and so takes `seed` and `stream` (every block does, for 'blocks'; 'torch' draws from
   * PyTorch's generator): the contract's call is then
   * `nninit[p.initializer](p.shape, { ...p.options, ...(p.random ? { seed: p.seed, stream: p.stream } : {}), dtype })`
   * (`constant` takes `p.options.value` as its second argument). initParameter makes exactly that call.
   */
  readonly random: boolean;
  /** 'torch' on every entry of a plan made with rng 'torch'; absent with nninit's own streams. */
  readonly rng?: 'torch';
  /** With initializer 'torch': the module whose constructor draws the values. */
  readonly torch?: TorchSource;
  readonly kind: LayerKind;
  readonly role: ParameterRole;
  readonly trainable: boolean;
  readonly layer: string;
  readonly path?: string;
  /** As the descriptor's: the layers in the name that are named by their index (see ParameterDescriptor). */
  readonly indexNamed?: readonly string[];
  /**
   * The n_layer a 'gpt2' residual projection's std divides by (0.02 / sqrt(2 n_layer)), and whether it was counted
   * from the model's attention layers rather than given as the policy's nLayer.
   */
  readonly nLayer?: { readonly value: number; readonly counted: boolean };
}
