// torch.nn modules as data: for a module's constructor arguments, its parameters (PyTorch's names and shapes,
// in named_parameters() order) and the init calls its constructor makes, in the order it makes them
// (PyTorch 1.13: reset_parameters of torch/nn/modules/linear.py, conv.py, sparse.py, rnn.py, normalization.py,
// and MultiheadAttention._reset_parameters in activation.py). A generator runs the steps; a model layer can
// read the shapes without drawing anything.

import { checkOptions, describe, rangeError, typeError } from '../core/validate.js';
import type { Nonlinearity } from '../core/gains.js';

export type TorchConvType = 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d';
export type TorchRecurrentType = 'lstm' | 'gru' | 'rnn';

export type TorchModuleSpec =
  | { type: 'linear'; inFeatures: number; outFeatures: number; bias?: boolean }
  | {
    type: TorchConvType; inChannels: number; outChannels: number; kernelSize: number | readonly number[];
    groups?: number; bias?: boolean;
    /** Accepted for a faithful port; they do not change the parameters. */
    stride?: unknown; padding?: unknown; dilation?: unknown; outputPadding?: unknown; paddingMode?: unknown;
  }
  | {
    type: 'embedding'; numEmbeddings: number; embeddingDim: number; paddingIdx?: number;
    maxNorm?: unknown; normType?: unknown; scaleGradByFreq?: unknown; sparse?: unknown;
  }
  | {
    type: TorchRecurrentType; inputSize: number; hiddenSize: number; numLayers?: number; bias?: boolean;
    bidirectional?: boolean; projSize?: number; nonlinearity?: 'tanh' | 'relu'; batchFirst?: unknown; dropout?: unknown;
  }
  | { type: 'layerNorm'; normalizedShape: number | readonly number[]; elementwiseAffine?: boolean; eps?: unknown }
  | {
    type: 'multiheadAttention'; embedDim: number; numHeads: number; bias?: boolean; addBiasKv?: boolean;
    kdim?: number; vdim?: number; dropout?: unknown; addZeroAttn?: unknown; batchFirst?: unknown;
  };

/** The init call a constructor makes on one parameter (torch.nn.init's functions and the fills it uses). */
export type TorchInit =
  | { kind: 'kaimingUniform'; a: number; mode: 'fan_in'; nonlinearity: Nonlinearity }
  | { kind: 'uniform'; a: number; b: number }
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'xavierUniform'; gain: number }
  | { kind: 'xavierNormal'; gain: number }
  | { kind: 'constant'; value: number }
  /** weight[row] = 0, as Embedding's padding_idx. */
  | { kind: 'zeroRow'; row: number };

export interface TorchParameterPlan {
  /** PyTorch's parameter name, e.g. 'weight_ih_l0_reverse' or 'out_proj.bias'. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
}

export interface TorchInitStep {
  readonly parameter: string;
  readonly init: TorchInit;
}

export interface TorchModulePlan {
  readonly type: TorchModuleSpec['type'];
  /** In named_parameters() order. */
  readonly parameters: readonly TorchParameterPlan[];
  /** In the order PyTorch's constructor runs them; only some draw from the generator. */
  readonly steps: readonly TorchInitStep[];
}

/** Parameter name to values, in named_parameters() order. */
export type TorchParameters = Record<string, Float32Array>;

const LINEAR_A = Math.sqrt(5);

function count(fn: string, name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number') throw typeError(fn, name, 'an integer', value);
  if (!Number.isSafeInteger(value) || value < minimum) throw rangeError(fn, name, `an integer >= ${minimum}`, value);
  return value;
}

function flag(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(fn, name, 'a boolean', value);
  return value;
}

function parameter(name: string, shape: readonly number[]): TorchParameterPlan {
  return { name, shape, size: shape.reduce((product, dimension) => product * dimension, 1) };
}

/** nn.Linear's reset_parameters on `prefix`weight [out, in] and `prefix`bias [out]. */
function linearSteps(prefix: string, inFeatures: number, bias: boolean): TorchInitStep[] {
  const steps: TorchInitStep[] = [
    { parameter: `${prefix}weight`, init: { kind: 'kaimingUniform', a: LINEAR_A, mode: 'fan_in', nonlinearity: 'leaky_relu' } },
  ];
  if (bias) {
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    steps.push({ parameter: `${prefix}bias`, init: { kind: 'uniform', a: -bound, b: bound } });
  }
  return steps;
}

const CONV_DIMENSIONS: Record<TorchConvType, number> = {
  conv1d: 1, conv2d: 2, conv3d: 3, convTranspose1d: 1, convTranspose2d: 2, convTranspose3d: 3,
};

const IGNORED: Record<TorchModuleSpec['type'], readonly string[]> = {
  linear: [],
  conv1d: ['stride', 'padding', 'dilation', 'paddingMode'],
  conv2d: ['stride', 'padding', 'dilation', 'paddingMode'],
  conv3d: ['stride', 'padding', 'dilation', 'paddingMode'],
  convTranspose1d: ['stride', 'padding', 'outputPadding', 'dilation', 'paddingMode'],
  convTranspose2d: ['stride', 'padding', 'outputPadding', 'dilation', 'paddingMode'],
  convTranspose3d: ['stride', 'padding', 'outputPadding', 'dilation', 'paddingMode'],
  embedding: ['maxNorm', 'normType', 'scaleGradByFreq', 'sparse'],
  lstm: ['batchFirst', 'dropout'],
  gru: ['batchFirst', 'dropout'],
  rnn: ['batchFirst', 'dropout'],
  layerNorm: ['eps'],
  multiheadAttention: ['dropout', 'addZeroAttn', 'batchFirst'],
};

const KEYS: Record<TorchModuleSpec['type'], readonly string[]> = {
  linear: ['inFeatures', 'outFeatures', 'bias'],
  conv1d: ['inChannels', 'outChannels', 'kernelSize', 'groups', 'bias'],
  conv2d: ['inChannels', 'outChannels', 'kernelSize', 'groups', 'bias'],
  conv3d: ['inChannels', 'outChannels', 'kernelSize', 'groups', 'bias'],
  convTranspose1d: ['inChannels', 'outChannels', 'kernelSize', 'groups', 'bias'],
  convTranspose2d: ['inChannels', 'outChannels', 'kernelSize', 'groups', 'bias'],
  convTranspose3d: ['inChannels', 'outChannels', 'kernelSize', 'groups', 'bias'],
  embedding: ['numEmbeddings', 'embeddingDim', 'paddingIdx'],
  lstm: ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'bidirectional', 'projSize'],
  gru: ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'bidirectional'],
  rnn: ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'bidirectional', 'nonlinearity'],
  layerNorm: ['normalizedShape', 'elementwiseAffine'],
  multiheadAttention: ['embedDim', 'numHeads', 'bias', 'addBiasKv', 'kdim', 'vdim'],
};

function planConv(fn: string, type: TorchConvType, spec: Record<string, unknown>): TorchModulePlan {
  const dimensions = CONV_DIMENSIONS[type];
  const transposed = type.startsWith('convTranspose');
  const inChannels = count(fn, 'inChannels', spec.inChannels, 0);
  const outChannels = count(fn, 'outChannels', spec.outChannels, 0);
  const groups = spec.groups === undefined ? 1 : count(fn, 'groups', spec.groups, 1);
  const bias = flag(fn, 'bias', spec.bias, true);
  if (inChannels % groups !== 0) throw rangeError(fn, 'inChannels', `divisible by groups (${groups})`, inChannels);
  if (outChannels % groups !== 0) throw rangeError(fn, 'outChannels', `divisible by groups (${groups})`, outChannels);
  const kernelSize = typeof spec.kernelSize === 'number' ? new Array<number>(dimensions).fill(spec.kernelSize) : spec.kernelSize;
  if (!Array.isArray(kernelSize) || kernelSize.length !== dimensions) {
    throw typeError(fn, 'kernelSize', `an integer or ${dimensions} integers`, spec.kernelSize);
  }
  kernelSize.forEach((size, axis) => count(fn, `kernelSize[${axis}]`, size, 0));
  const weightShape = transposed
    ? [inChannels, outChannels / groups, ...kernelSize]
    : [outChannels, inChannels / groups, ...kernelSize];
  const parameters = [parameter('weight', weightShape)];
  const steps: TorchInitStep[] = [
    { parameter: 'weight', init: { kind: 'kaimingUniform', a: LINEAR_A, mode: 'fan_in', nonlinearity: 'leaky_relu' } },
  ];
  if (bias) {
    parameters.push(parameter('bias', [outChannels]));
    const fanIn = weightShape.slice(1).reduce((product, dimension) => product * dimension, 1);
    if (fanIn === 0 && outChannels > 0) {
      throw new RangeError(`nninit.${fn}: the weight [${weightShape.join(', ')}] has fan_in 0, for which PyTorch leaves the bias uninitialized`);
    }
    if (fanIn > 0) steps.push({ parameter: 'bias', init: { kind: 'uniform', a: -1 / Math.sqrt(fanIn), b: 1 / Math.sqrt(fanIn) } });
  }
  return { type, parameters, steps };
}

function planRecurrent(fn: string, type: TorchRecurrentType, spec: Record<string, unknown>): TorchModulePlan {
  const inputSize = count(fn, 'inputSize', spec.inputSize, 0);
  const hiddenSize = count(fn, 'hiddenSize', spec.hiddenSize, 1);
  const numLayers = spec.numLayers === undefined ? 1 : count(fn, 'numLayers', spec.numLayers, 1);
  const bias = flag(fn, 'bias', spec.bias, true);
  const directions = flag(fn, 'bidirectional', spec.bidirectional, false) ? 2 : 1;
  const projSize = spec.projSize === undefined ? 0 : count(fn, 'projSize', spec.projSize, 0);
  if (projSize >= hiddenSize) throw rangeError(fn, 'projSize', `smaller than hiddenSize (${hiddenSize})`, projSize);
  if (type === 'rnn' && spec.nonlinearity !== undefined && spec.nonlinearity !== 'tanh' && spec.nonlinearity !== 'relu') {
    throw rangeError(fn, 'nonlinearity', "'tanh' or 'relu'", spec.nonlinearity);
  }
  const gates = type === 'lstm' ? 4 : type === 'gru' ? 3 : 1;
  const gateSize = gates * hiddenSize;
  const realHidden = projSize > 0 ? projSize : hiddenSize;
  const parameters: TorchParameterPlan[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    for (let direction = 0; direction < directions; direction++) {
      const suffix = `_l${layer}${direction === 1 ? '_reverse' : ''}`;
      const layerInput = layer === 0 ? inputSize : realHidden * directions;
      parameters.push(parameter(`weight_ih${suffix}`, [gateSize, layerInput]));
      parameters.push(parameter(`weight_hh${suffix}`, [gateSize, realHidden]));
      if (bias) {
        parameters.push(parameter(`bias_ih${suffix}`, [gateSize]));
        parameters.push(parameter(`bias_hh${suffix}`, [gateSize]));
      }
      if (projSize > 0) parameters.push(parameter(`weight_hr${suffix}`, [projSize, hiddenSize]));
    }
  }
  const bound = 1 / Math.sqrt(hiddenSize);
  const steps = parameters.map((p): TorchInitStep => ({ parameter: p.name, init: { kind: 'uniform', a: -bound, b: bound } }));
  return { type, parameters, steps };
}

function planAttention(fn: string, spec: Record<string, unknown>): TorchModulePlan {
  const embedDim = count(fn, 'embedDim', spec.embedDim, 1);
  const numHeads = count(fn, 'numHeads', spec.numHeads, 1);
  if (embedDim % numHeads !== 0) throw rangeError(fn, 'embedDim', `divisible by numHeads (${numHeads})`, embedDim);
  const bias = flag(fn, 'bias', spec.bias, true);
  const addBiasKv = flag(fn, 'addBiasKv', spec.addBiasKv, false);
  const kdim = spec.kdim === undefined ? embedDim : count(fn, 'kdim', spec.kdim, 1);
  const vdim = spec.vdim === undefined ? embedDim : count(fn, 'vdim', spec.vdim, 1);
  const sameDim = kdim === embedDim && vdim === embedDim;
  const parameters: TorchParameterPlan[] = sameDim
    ? [parameter('in_proj_weight', [3 * embedDim, embedDim])]
    : [parameter('q_proj_weight', [embedDim, embedDim]), parameter('k_proj_weight', [embedDim, kdim]), parameter('v_proj_weight', [embedDim, vdim])];
  if (bias) parameters.push(parameter('in_proj_bias', [3 * embedDim]));
  if (addBiasKv) parameters.push(parameter('bias_k', [1, 1, embedDim]), parameter('bias_v', [1, 1, embedDim]));
  parameters.push(parameter('out_proj.weight', [embedDim, embedDim]));
  if (bias) parameters.push(parameter('out_proj.bias', [embedDim]));
  // out_proj is an nn.Linear, so its own reset_parameters draws before _reset_parameters runs.
  const steps: TorchInitStep[] = linearSteps('out_proj.', embedDim, bias);
  for (const name of sameDim ? ['in_proj_weight'] : ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) {
    steps.push({ parameter: name, init: { kind: 'xavierUniform', gain: 1 } });
  }
  if (bias) {
    steps.push({ parameter: 'in_proj_bias', init: { kind: 'constant', value: 0 } });
    steps.push({ parameter: 'out_proj.bias', init: { kind: 'constant', value: 0 } });
  }
  if (addBiasKv) {
    steps.push({ parameter: 'bias_k', init: { kind: 'xavierNormal', gain: 1 } });
    steps.push({ parameter: 'bias_v', init: { kind: 'xavierNormal', gain: 1 } });
  }
  return { type: 'multiheadAttention', parameters, steps };
}

/**
 * The parameters and init steps of a torch.nn module. Argument names are PyTorch's in camelCase
 * (in_features -> inFeatures, padding_idx -> paddingIdx, proj_size -> projSize); arguments that do not change
 * the parameters (stride, padding, dropout, eps, ...) are accepted and ignored.
 *
 * @example planTorchModule({ type: 'linear', inFeatures: 784, outFeatures: 256 }).parameters
 *   // [{ name: 'weight', shape: [256, 784], size: 200704 }, { name: 'bias', shape: [256], size: 256 }]
 */
export function planTorchModule(spec: TorchModuleSpec): TorchModulePlan {
  if (spec === null || typeof spec !== 'object') throw typeError('torch.module', 'spec', 'a module spec object', spec);
  const type = (spec as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in KEYS)) {
    throw rangeError('torch.module', 'spec.type', `one of ${Object.keys(KEYS).join(', ')}`, type);
  }
  const moduleType = type as TorchModuleSpec['type'];
  const fn = `torch.${moduleType}`;
  const fields = checkOptions(fn, spec as object, ['type', ...KEYS[moduleType], ...IGNORED[moduleType]]) as Record<string, unknown>;
  switch (moduleType) {
    case 'linear': {
      const inFeatures = count(fn, 'inFeatures', fields.inFeatures, 0);
      const outFeatures = count(fn, 'outFeatures', fields.outFeatures, 0);
      const bias = flag(fn, 'bias', fields.bias, true);
      const parameters = [parameter('weight', [outFeatures, inFeatures])];
      if (bias) parameters.push(parameter('bias', [outFeatures]));
      return { type: moduleType, parameters, steps: linearSteps('', inFeatures, bias) };
    }
    case 'conv1d': case 'conv2d': case 'conv3d':
    case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d':
      return planConv(fn, moduleType, fields);
    case 'embedding': {
      const numEmbeddings = count(fn, 'numEmbeddings', fields.numEmbeddings, 0);
      const embeddingDim = count(fn, 'embeddingDim', fields.embeddingDim, 0);
      const steps: TorchInitStep[] = [{ parameter: 'weight', init: { kind: 'normal', mean: 0, std: 1 } }];
      if (fields.paddingIdx !== undefined) {
        const index = fields.paddingIdx;
        if (typeof index !== 'number' || !Number.isInteger(index) || index >= numEmbeddings || index < -numEmbeddings) {
          throw rangeError(fn, 'paddingIdx', `an integer in [-${numEmbeddings}, ${numEmbeddings})`, index);
        }
        steps.push({ parameter: 'weight', init: { kind: 'zeroRow', row: index < 0 ? index + numEmbeddings : index } });
      }
      return { type: moduleType, parameters: [parameter('weight', [numEmbeddings, embeddingDim])], steps };
    }
    case 'lstm': case 'gru': case 'rnn':
      return planRecurrent(fn, moduleType, fields);
    case 'layerNorm': {
      const normalized = typeof fields.normalizedShape === 'number' ? [fields.normalizedShape] : fields.normalizedShape;
      if (!Array.isArray(normalized)) throw typeError(fn, 'normalizedShape', 'an integer or an array of integers', fields.normalizedShape);
      normalized.forEach((size, axis) => count(fn, `normalizedShape[${axis}]`, size, 0));
      if (!flag(fn, 'elementwiseAffine', fields.elementwiseAffine, true)) return { type: moduleType, parameters: [], steps: [] };
      return {
        type: moduleType,
        parameters: [parameter('weight', normalized), parameter('bias', normalized)],
        steps: [
          { parameter: 'weight', init: { kind: 'constant', value: 1 } },
          { parameter: 'bias', init: { kind: 'constant', value: 0 } },
        ],
      };
    }
    case 'multiheadAttention':
      return planAttention(fn, fields);
    default:
      throw rangeError('torch.module', 'spec.type', 'a module type', describe(type));
  }
}

const PYTHON_NAMES: Record<TorchModuleSpec['type'], string> = {
  linear: 'Linear', conv1d: 'Conv1d', conv2d: 'Conv2d', conv3d: 'Conv3d',
  convTranspose1d: 'ConvTranspose1d', convTranspose2d: 'ConvTranspose2d', convTranspose3d: 'ConvTranspose3d',
  embedding: 'Embedding', lstm: 'LSTM', gru: 'GRU', rnn: 'RNN', layerNorm: 'LayerNorm', multiheadAttention: 'MultiheadAttention',
};

const pythonValue = (value: unknown): string =>
  typeof value === 'boolean' ? (value ? 'True' : 'False')
    : typeof value === 'string' ? `'${value}'`
    : Array.isArray(value) ? `(${value.join(', ')}${value.length === 1 ? ',' : ''})`
    : String(value);

/**
 * The constructor call of a module spec as Python spells it, with the arguments that change the parameters and
 * differ from PyTorch's defaults: 'nn.Conv2d(64, 64, 3, groups=64, bias=False)', 'nn.LSTM(256, 512, num_layers=2)'.
 */
export function describeTorchModule(spec: TorchModuleSpec): string {
  planTorchModule(spec);
  const s = spec as Record<string, unknown>;
  const positional: Record<TorchModuleSpec['type'], readonly string[]> = {
    linear: ['inFeatures', 'outFeatures'],
    conv1d: ['inChannels', 'outChannels', 'kernelSize'], conv2d: ['inChannels', 'outChannels', 'kernelSize'],
    conv3d: ['inChannels', 'outChannels', 'kernelSize'], convTranspose1d: ['inChannels', 'outChannels', 'kernelSize'],
    convTranspose2d: ['inChannels', 'outChannels', 'kernelSize'], convTranspose3d: ['inChannels', 'outChannels', 'kernelSize'],
    embedding: ['numEmbeddings', 'embeddingDim'], lstm: ['inputSize', 'hiddenSize'], gru: ['inputSize', 'hiddenSize'],
    rnn: ['inputSize', 'hiddenSize'], layerNorm: ['normalizedShape'], multiheadAttention: ['embedDim', 'numHeads'],
  };
  // Keyword arguments in PyTorch's spelling, with the default each is left out at.
  const keywords: [string, string, unknown][] = [
    ['groups', 'groups', 1], ['paddingIdx', 'padding_idx', undefined], ['numLayers', 'num_layers', 1],
    ['nonlinearity', 'nonlinearity', 'tanh'], ['bias', 'bias', true], ['bidirectional', 'bidirectional', false],
    ['projSize', 'proj_size', 0], ['elementwiseAffine', 'elementwise_affine', true], ['addBiasKv', 'add_bias_kv', false],
    ['kdim', 'kdim', undefined], ['vdim', 'vdim', undefined],
  ];
  const args = positional[spec.type].map((key) => pythonValue(s[key]));
  for (const [key, python, fallback] of keywords) {
    if (s[key] !== undefined && s[key] !== fallback && KEYS[spec.type].includes(key)) args.push(`${python}=${pythonValue(s[key])}`);
  }
  return `nn.${PYTHON_NAMES[spec.type]}(${args.join(', ')})`;
}
