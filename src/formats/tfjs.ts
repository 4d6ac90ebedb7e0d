// TF.js layers models in and out: readTfjsModel reads a model.json (its topology, Sequential or functional, and
// its weightsManifest), finds each weight's layer, role and the activation that follows, and plans it: the
// 'model' policy (the default) draws each weight from nninit's equivalent of the initializer its layer configures
// (tfjs-initializers.ts); any other policy chooses by the layer's role and activation, as for a spec.
// writeTfjsModel writes model.json and weight shards as TF.js's converter does: one group, cut into files of
// 4 MiB, `group1-shard1ofN.bin`. Pure (JSON and bytes in and out), so it runs in browsers too; formats/node/tfjs.ts
// reads and writes the files.

import { computeFans } from '../core/fans.js';
import type { Seed } from '../core/seed.js';
import type { Activation } from '../model/activations.js';
import { explainPlan } from '../model/explain.js';
import { isPlainObject } from '../model/errors.js';
import { globPattern } from '../model/rules.js';
import type { BlockStructure, ParameterDescriptor, ParameterPlan } from '../model/types.js';
import { checkKeepsUsed, checkOptions, keepGlobs, planWith, seedOf, shapeText, textTable, type ModelFileOptions } from './model-files.js';
import { assemble, fileLayout, planBytes, type FileLayout, type Segment } from './segments.js';
import { configuredInitializer, type Configured } from './tfjs-initializers.js';

export type TfjsReadOptions = ModelFileOptions;

/** One weight of the manifest and what nninit makes of it. */
export interface TfjsWeight {
  readonly name: string;
  readonly shape: readonly number[];
  /** The manifest's dtype: 'float32', 'int32', 'bool', ... */
  readonly dtype: string;
  /** Bytes it takes in the shards (quantized weights take fewer). */
  readonly bytes: number;
  readonly status: 'planned' | 'kept';
  /** Its layer, role and activation, the configured initializer, or why it is kept. */
  readonly inferred: string;
  /** The layer it belongs to, when one was found. */
  readonly layer?: string;
}

/** A parsed TF.js model, planned: what readTfjsModel returns and writeTfjsModel writes. */
export interface TfjsModel {
  readonly format: 'tfjs';
  /** The plan of every re-initialized weight, in manifest order. */
  readonly parameters: readonly ParameterPlan[];
  /** Every weight of the manifest, in order (groups flattened). */
  readonly weights: readonly TfjsWeight[];
  readonly explain: string;
  readonly seed: Seed;
  /** 'model' or the policy's name. */
  readonly policy: string;
  readonly file: string;
}

/** Where a weight's bytes lie in the input: consecutive pieces of shard files. */
interface Location {
  readonly pieces: readonly { readonly path: string; readonly offset: number; readonly length: number }[];
}

interface Source {
  readonly json: Record<string, unknown>;
  readonly entries: readonly Record<string, unknown>[];
  readonly locations: readonly (Location | undefined)[];
  readonly shards?: ReadonlyMap<string, Uint8Array>;
}

const SOURCES = new WeakMap<TfjsModel, Source>();

/** TF.js's converter cuts the weights into files of 4 MiB (tensorflowjs write_weights, shard_size_bytes). */
export const TFJS_SHARD_BYTES = 4 * 1024 * 1024;

const fnRead = 'readTfjsModel';

function fileError(file: string, message: string, fn = fnRead): RangeError {
  return new RangeError(`nninit.${fn}: ${file}: ${message}`);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Bytes per element of each manifest dtype, and of each quantized storage. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Bytes per element of a manifest dtype, or of its quantized storage. */
function bytesPerElement(entry: Record<string, unknown>): number | undefined {
  const quantization = entry.quantization;
  if (isPlainObject(quantization)) return QUANTIZED_BYTES[quantization.dtype as string];
  return DTYPE_BYTES[entry.dtype as string];
}

/**
 * Which weights a group's shards and manifest disagree about, for the message: a shard shorter than the ones
 * before it (TF.js's converter fills every shard but the last), the first weight whose bytes run past the shards,
 * and a weight whose dtype alone would account for the difference.
 */
function misfit(weights: readonly { entry: Record<string, unknown>; start: number; bytes: number }[], paths: readonly string[], shardSizes: readonly number[], total: number, declared: number): string {
  const notes: string[] = [];
  const shortShard = shardSizes.findIndex((size, s) => s > 0 && s < shardSizes.length - 1 && size < shardSizes[0]);
  if (shortShard >= 0) notes.push(`shard ${paths[shortShard]} holds ${shardSizes[shortShard]} bytes, fewer than the ${shardSizes[0]} of ${paths[0]}, and is not the last: it looks cut short`);
  const describe = (w: { entry: Record<string, unknown> }) => `"${w.entry.name as string}" (${w.entry.dtype as string}${isPlainObject(w.entry.quantization) ? ` quantized as ${w.entry.quantization.dtype as string}` : ''} ${shapeText(w.entry.shape as number[])})`;
  if (total < declared) {
    const first = weights.find((w) => w.start + w.bytes > total)!;
    notes.push(`the first weight that does not fit is ${describe(first)}, at bytes ${first.start} to ${first.start + first.bytes} of the group`);
  } else {
    const last = weights[weights.length - 1];
    notes.push(`${total - declared} bytes are left after the last weight${last ? `, ${describe(last)}` : ''}`);
  }
  // A weight whose stored width differs from its declared one by exactly the difference: the other dtypes that
  // would account for it, per weight.
  const difference = declared - total;
  const otherDtypes = (w: { entry: Record<string, unknown> }): string[] => {
    if (isPlainObject(w.entry.quantization)) return [];
    const size = sizeOf(w.entry.shape as number[]);
    if (!(size > 0)) return [];
    return Object.entries(DTYPE_BYTES)
      .filter(([dtype, width]) => dtype !== w.entry.dtype && size * (DTYPE_BYTES[w.entry.dtype as string] - width) === difference)
      .map(([dtype]) => dtype);
  };
  const suspects = weights.map((w) => ({ w, other: otherDtypes(w) })).filter((s) => s.other.length > 0);
  if (suspects.length === 1) {
    notes.push(`the difference is what ${describe(suspects[0].w)} would take as ${suspects[0].other.join(' or ')}: are its dtype and shape right?`);
  }
  return `; ${notes.join('; ')}`;
}

// ---- the topology ------------------------------------------------------------------------------------------------

interface Layer {
  readonly name: string;
  readonly className: string;
  readonly config: Record<string, unknown>;
  /** JSON path of the layer's config in model.json. */
  readonly path: string;
  /** Layers fed by this one. */
  readonly next: string[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** The layers of a topology, nested models and wrapped layers included, each with the layers it feeds. */
function layersOf(file: string, topology: unknown): Map<string, Layer> {
  const layers = new Map<string, Layer>();
  const add = (layer: Layer) => {
    if (!layers.has(layer.name)) layers.set(layer.name, layer);
  };
  const walk = (model: Record<string, unknown>, path: string) => {
    const className = model.class_name;
    const config = model.config;
    const list = Array.isArray(config) ? config : isPlainObject(config) ? config.layers : undefined;
    if (typeof className !== 'string' || !MODEL_CLASSES.has(className) || !Array.isArray(list)) {
      throw fileError(file, `${path}: expected a Sequential or functional model { class_name, config: { layers } }`);
    }
    const listPath = Array.isArray(config) ? `${path}.config` : `${path}.config.layers`;
    const names: string[] = [];
    list.forEach((entry: unknown, index) => {
      const at = `${listPath}[${index}]`;
      if (!isPlainObject(entry) || typeof entry.class_name !== 'string' || !isPlainObject(entry.config)) {
        throw fileError(file, `${at}: expected a layer { class_name, config }`);
      }
      const layerConfig = entry.config;
      const name = typeof entry.name === 'string' ? entry.name : typeof layerConfig.name === 'string' ? layerConfig.name : `${entry.class_name}_${index}`;
      names.push(name);
      const wrapped = layerConfig.layer;
      const wraps = isPlainObject(wrapped) && typeof wrapped.class_name === 'string' && isPlainObject(wrapped.config);
      // A wrapper (TimeDistributed, Bidirectional) makes its wrapped layer's weights: under its own name for
      // TimeDistributed, under the forward_ and backward_ names of its two copies for Bidirectional.
      const layer: Layer = wraps
        ? { name, className: wrapped.class_name as string, config: wrapped.config as Record<string, unknown>, path: `${at}.config.layer.config`, next: [] }
        : { name, className: entry.class_name, config: layerConfig, path: `${at}.config`, next: [] };
      add(layer);
      if (MODEL_CLASSES.has(entry.class_name)) walk(entry, at);
      if (wraps) {
        const innerName = typeof (wrapped.config as Record<string, unknown>).name === 'string' ? (wrapped.config as Record<string, unknown>).name as string : `${name}_inner`;
        for (const alias of [innerName, `forward_${innerName}`, `backward_${innerName}`]) add({ ...layer, name: alias });
      }
    });
    if (className === 'Sequential') {
      for (let i = 0; i + 1 < names.length; i++) layers.get(names[i])!.next.push(names[i + 1]);
      return;
    }
    // Functional: inbound_nodes as Keras 2 and TF.js write them ([[[name, node, tensor, kwargs], ...]]), or as
    // Keras 3 does ([{ args: [{ config: { keras_history: [name, node, tensor] } }] }]).
    list.forEach((entry: Record<string, unknown>, index) => {
      const name = names[index];
      const inbound = (entry as { inbound_nodes?: unknown }).inbound_nodes;
      const sources = new Set<string>();
      const visit = (value: unknown) => {
        if (Array.isArray(value)) {
          if (typeof value[0] === 'string' && typeof value[1] === 'number') sources.add(value[0]);
          else value.forEach(visit);
        } else if (isPlainObject(value)) {
          if (Array.isArray(value.keras_history) && typeof value.keras_history[0] === 'string') sources.add(value.keras_history[0]);
          else Object.values(value).forEach(visit);
        }
      };
      visit(inbound);
      for (const source of sources) layers.get(source)?.next.push(name);
    });
  };
  if (!isPlainObject(topology)) throw fileError(file, 'modelTopology: expected an object');
  const model = isPlainObject(topology.model_config) ? topology.model_config : topology;
  walk(model, isPlainObject(topology.model_config) ? 'modelTopology.model_config' : 'modelTopology');
  return layers;
}

/** TF.js's and Keras's activation names, as nninit's. */
function activationNamed(name: unknown): Activation | 'linear' | undefined {
  if (isPlainObject(name)) return activationNamed(name.class_name ?? (isPlainObject(name.config) ? name.config.name : undefined));
  if (typeof name !== 'string') return undefined;
  const key = name.replace(/_/g, '').toLowerCase();
  const table: Record<string, Activation | 'linear'> = {
    linear: 'linear', relu: { name: 'relu' }, relu6: { name: 'relu' }, elu: { name: 'elu' }, selu: { name: 'selu' },
    sigmoid: { name: 'sigmoid' }, hardsigmoid: { name: 'sigmoid' }, tanh: { name: 'tanh' }, softmax: { name: 'softmax' },
    logsoftmax: { name: 'softmax' }, softsign: { name: 'softsign' }, softplus: { name: 'relu' }, swish: { name: 'swish' },
    silu: { name: 'silu' }, mish: { name: 'mish' }, gelu: { name: 'gelu' }, gelunew: { name: 'gelu' }, leakyrelu: { name: 'leaky_relu', slope: 0.2 },
  };
  return table[key];
}

/** Layers the search for the activation after a layer passes through: they reshape, drop out, normalize, pool by maxima or join. */
const PASS_THROUGH = new Set([
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'BatchNormalization', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D', 'Concatenate', 'Add', 'ZeroPadding1D', 'ZeroPadding2D',
  'ZeroPadding3D', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'TimeDistributed',
]);

function activationAfter(layers: ReadonlyMap<string, Layer>, layer: Layer, depth = 0): { activation: Activation; via: string[] } {
  const own = activationNamed(layer.config.activation);
  if (own && own !== 'linear') return { activation: own, via: [] };
  if (depth > 16) return { activation: { name: 'linear' }, via: [] };
  const found = layer.next.map((name) => {
    const next = layers.get(name);
    if (!next) return { activation: { name: 'linear' } as Activation, via: [] as string[] };
    switch (next.className) {
      case 'Activation': {
        const a = activationNamed(next.config.activation);
        return { activation: a && a !== 'linear' ? a : { name: 'linear' } as Activation, via: [] };
      }
      case 'ReLU': case 'ThresholdedReLU': return { activation: { name: 'relu' } as Activation, via: [] };
      case 'LeakyReLU': {
        const slope = typeof next.config.alpha === 'number' ? next.config.alpha : typeof next.config.negative_slope === 'number' ? next.config.negative_slope : 0.3;
        return { activation: { name: 'leaky_relu', slope } as Activation, via: [] };
      }
      case 'ELU': return { activation: { name: 'elu' } as Activation, via: [] };
      case 'Softmax': return { activation: { name: 'softmax' } as Activation, via: [] };
      // PReLU's slope starts at its alpha_initializer, zeros by default: a ReLU.
      case 'PReLU': return { activation: { name: 'relu' } as Activation, via: [] };
      default:
        if (PASS_THROUGH.has(next.className)) {
          const after = activationAfter(layers, next, depth + 1);
          return { activation: after.activation, via: [next.className, ...after.via] };
        }
        return { activation: { name: 'linear' } as Activation, via: [] };
    }
  });
  const names = new Set(found.map((f) => `${f.activation.name}${f.activation.slope ?? ''}`));
  return names.size === 1 ? found[0] : { activation: { name: 'linear' }, via: [] };
}

// ---- weights ---------------------------------------------------------------------------------------------------

/** Gates of Keras's and TF.js's recurrent layers, in their order (keras/src/layers/rnn/lstm.py, gru.py). */
const RECURRENT: Record<string, { cell: 'lstm' | 'gru' | 'rnn'; gates: string[] }> = {
  LSTM: { cell: 'lstm', gates: ['i', 'f', 'c', 'o'] },
  GRU: { cell: 'gru', gates: ['z', 'r', 'h'] },
  SimpleRNN: { cell: 'rnn', gates: ['h'] },
};

/** The config key of each weight's initializer, and the layers' default when the config has none (Keras and TF.js). */
const INITIALIZER_KEYS: Record<string, { key: string; fallback: string }> = {
  kernel: { key: 'kernel_initializer', fallback: 'GlorotUniform' },
  recurrent_kernel: { key: 'recurrent_initializer', fallback: 'Orthogonal' },
  bias: { key: 'bias_initializer', fallback: 'Zeros' },
  embeddings: { key: 'embeddings_initializer', fallback: 'RandomUniform' },
  gamma: { key: 'gamma_initializer', fallback: 'Ones' },
  beta: { key: 'beta_initializer', fallback: 'Zeros' },
  moving_mean: { key: 'moving_mean_initializer', fallback: 'Zeros' },
  moving_variance: { key: 'moving_variance_initializer', fallback: 'Ones' },
  depthwise_kernel: { key: 'depthwise_initializer', fallback: 'GlorotUniform' },
  pointwise_kernel: { key: 'pointwise_initializer', fallback: 'GlorotUniform' },
  alpha: { key: 'alpha_initializer', fallback: 'Zeros' },
};

const camel = (key: string) => key.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());

/** Weights whose configured initializer counts its fans from their own shape, as Keras's compute_fans does. */
const KERNELS = new Set(['kernel', 'recurrent_kernel', 'depthwise_kernel', 'pointwise_kernel', 'embeddings']);

/**
 * The fans a layer's configured initializers count (Keras's and TF.js's compute_fans of the kernel's shape: the
 * last axis out, the one before it in, the others the receptive field): a kernel's own, and for a bias its
 * kernel's, as a bias carries its weight's fans. Under the 'model' policy the plan reports these, so that a bias
 * row shows its kernel's fans even where the layer's role counts them otherwise (a transposed or depthwise
 * convolution, a recurrent kernel of several gates). Undefined for other weights.
 */
function kerasFans(short: string, shape: readonly number[], siblings: ReadonlyMap<string, readonly number[]>): { fanIn: number; fanOut: number } | undefined {
  const kernel = KERNELS.has(short) ? shape : short === 'bias' ? siblings.get('pointwise_kernel') ?? siblings.get('kernel') ?? siblings.get('depthwise_kernel') : undefined;
  if (!kernel || kernel.length < 2) return undefined;
  const { fanIn, fanOut } = computeFans(kernel, 'keras');
  return { fanIn, fanOut };
}

interface Described {
  readonly descriptor?: Omit<ParameterDescriptor, 'name' | 'layer'>;
  readonly what: string;
  /** Blocks of the configured initializer (unit_forget_bias). */
  readonly forgetGate?: BlockStructure;
}

type Shapes = ReadonlyMap<string, readonly number[]>;

/** What a layer's weight is, with its fans; throws when the manifest's shape does not fit the layer's config. */
function describeWeight(file: string, layers: ReadonlyMap<string, Layer>, layer: Layer, short: string, shape: readonly number[], siblings: Shapes, weight: string): Described {
  const { className, config } = layer;
  const mismatch = (expected: string) => fileError(file, `weightsManifest weight "${weight}" has shape ${shapeText(shape)}, but layer "${layer.name}" (${className}) makes ${expected} (${layer.path})`);
  const activationText = () => {
    const after = activationAfter(layers, layer);
    const via = after.via.length ? ` through ${after.via.join(', ')}` : '';
    return { after, text: `then ${after.activation.name}${after.activation.slope !== undefined ? ` (slope ${after.activation.slope})` : ''}${via}` };
  };
  const num = (key: string, fallback?: number) => (typeof config[key] === 'number' ? config[key] as number : fallback);
  const rank = shape.length;
  const receptiveField = (kernel: readonly number[]) => sizeOf(kernel.slice(0, -2));
  if (className === 'Dense') {
    const units = num('units');
    if (short === 'kernel') {
      if (rank !== 2 || (units !== undefined && shape[1] !== units)) throw mismatch(`[in, ${units}]`);
      const { after, text } = activationText();
      return { descriptor: { shape, layout: 'keras', kind: 'dense', role: 'weight', fanIn: shape[0], fanOut: shape[1], activation: after.activation, layerType: 'dense' }, what: `kernel of Dense ${layer.name}, fans ${shape[0]}/${shape[1]}, ${text}` };
    }
    if (short === 'bias') {
      const kernel = siblings.get('kernel');
      if (rank !== 1 || (units !== undefined && shape[0] !== units)) throw mismatch(`[${units}]`);
      return { descriptor: { shape, layout: 'keras', kind: 'dense', role: 'bias', fanIn: kernel?.[0] ?? shape[0], fanOut: shape[0], layerType: 'dense' }, what: `bias of Dense ${layer.name}` };
    }
  }
  const conv = /^(Conv[123]D)(Transpose)?$/.exec(className);
  if (conv) {
    const filters = num('filters');
    const transpose = conv[2] !== undefined;
    const dims = Number(className[4]);
    if (short === 'kernel') {
      const kernelSize = Array.isArray(config.kernel_size) ? config.kernel_size as number[] : typeof config.kernel_size === 'number' ? Array(dims).fill(config.kernel_size) : undefined;
      const outAxis = transpose ? rank - 2 : rank - 1;
      if (rank !== dims + 2 || (filters !== undefined && shape[outAxis] !== filters) || (kernelSize && kernelSize.some((k, i) => k !== shape[i]))) {
        throw mismatch(transpose ? `[${kernelSize?.join(', ') ?? '...k'}, ${filters}, in]` : `[${kernelSize?.join(', ') ?? '...k'}, in, ${filters}]`);
      }
      const groups = num('groups', 1)!;
      const rf = receptiveField(shape);
      // Conv: [...k, in/groups, out]; ConvTranspose: [...k, out, in]. The fans of the forward direction, per group.
      const fanIn = transpose ? shape[rank - 1] * rf : shape[rank - 2] * rf;
      const fanOut = transpose ? shape[rank - 2] * rf : (shape[rank - 1] / groups) * rf;
      const { after, text } = activationText();
      return { descriptor: { shape, layout: 'keras', kind: 'conv', role: 'weight', fanIn, fanOut, activation: after.activation, layerType: `conv${dims}d` }, what: `kernel of ${className} ${layer.name}${groups > 1 ? ` (groups ${groups})` : ''}, fans ${fanIn}/${fanOut}, ${text}` };
    }
    if (short === 'bias') {
      if (rank !== 1 || (filters !== undefined && shape[0] !== filters)) throw mismatch(`[${filters}]`);
      const kernel = siblings.get('kernel');
      const rf = kernel ? receptiveField(kernel) : 1;
      const fanIn = kernel ? (transpose ? kernel[kernel.length - 1] : kernel[kernel.length - 2]) * rf : shape[0];
      return { descriptor: { shape, layout: 'keras', kind: 'conv', role: 'bias', fanIn, fanOut: shape[0] * rf, layerType: `conv${dims}d` }, what: `bias of ${className} ${layer.name}` };
    }
  }
  if (/^(DepthwiseConv[12]D|SeparableConv[12]D)$/.test(className)) {
    const separable = className.startsWith('Separable');
    if (short === 'depthwise_kernel') {
      const multiplier = num('depth_multiplier', 1)!;
      if (rank < 3 || shape[rank - 1] !== multiplier) throw mismatch(`[...k, in, ${multiplier}]`);
      const rf = receptiveField(shape);
      // One filter bank per input channel: fanIn is the receptive field alone.
      const { after, text } = separable ? { after: { activation: { name: 'linear' } as Activation }, text: 'then its pointwise kernel' } : activationText();
      return { descriptor: { shape, layout: 'keras', kind: 'conv', role: 'weight', fanIn: rf, fanOut: multiplier * rf, activation: after.activation, layerType: 'depthwise' }, what: `depthwise kernel of ${className} ${layer.name}, fans ${rf}/${multiplier * rf}, ${text}` };
    }
    if (short === 'pointwise_kernel' && separable) {
      const { after, text } = activationText();
      return { descriptor: { shape, layout: 'keras', kind: 'conv', role: 'weight', fanIn: shape[rank - 2], fanOut: shape[rank - 1], activation: after.activation, layerType: 'pointwise' }, what: `pointwise kernel of ${className} ${layer.name}, fans ${shape[rank - 2]}/${shape[rank - 1]}, ${text}` };
    }
    if (short === 'bias') {
      const kernel = siblings.get(separable ? 'pointwise_kernel' : 'depthwise_kernel');
      const fanIn = kernel ? (separable ? kernel[kernel.length - 2] : receptiveField(kernel)) : shape[0];
      return { descriptor: { shape, layout: 'keras', kind: 'conv', role: 'bias', fanIn, fanOut: shape[0], layerType: 'conv' }, what: `bias of ${className} ${layer.name}` };
    }
  }
  if (className === 'Embedding' && short === 'embeddings') {
    const inputDim = num('input_dim'), outputDim = num('output_dim');
    if (rank !== 2 || (inputDim !== undefined && shape[0] !== inputDim) || (outputDim !== undefined && shape[1] !== outputDim)) throw mismatch(`[${inputDim}, ${outputDim}]`);
    return { descriptor: { shape, layout: 'keras', kind: 'embedding', role: 'embedding', fanIn: shape[1], fanOut: shape[0], layerType: 'embedding' }, what: `embeddings of Embedding ${layer.name} (vocabulary ${shape[0]}, dimension ${shape[1]})` };
  }
  const recurrent = RECURRENT[className];
  if (recurrent) {
    const units = num('units');
    const gates = recurrent.gates.length;
    const width = units === undefined ? undefined : gates * units;
    const hidden = units ?? (siblings.get('recurrent_kernel')?.[0] ?? 0);
    const common = { layout: 'keras', kind: 'recurrent', cell: recurrent.cell, units: hidden, layerType: recurrent.cell } as const;
    const labels = recurrent.gates;
    if (short === 'kernel') {
      if (rank !== 2 || (width !== undefined && shape[1] !== width)) throw mismatch(`[in, ${width}]`);
      return { descriptor: { ...common, shape, role: 'input', fanIn: shape[0], fanOut: hidden, blocks: { axis: 1, count: gates, labels } }, what: `kernel of ${className} ${layer.name} (gates ${labels.join(' ')}, units ${hidden}), fans ${shape[0]}/${hidden}` };
    }
    if (short === 'recurrent_kernel') {
      if (rank !== 2 || (units !== undefined && (shape[0] !== units || shape[1] !== width))) throw mismatch(`[${units}, ${width}]`);
      return { descriptor: { ...common, shape, role: 'recurrent', fanIn: hidden, fanOut: hidden, blocks: { axis: 1, count: gates, labels } }, what: `recurrent kernel of ${className} ${layer.name} (gates ${labels.join(' ')})` };
    }
    if (short === 'bias') {
      // Keras's GRU with reset_after (its default) keeps an input and a recurrent bias: [2, 3 units].
      const twoBiases = rank === 2 && shape[0] === 2;
      if ((rank !== 1 && !twoBiases) || (width !== undefined && shape[rank - 1] !== width)) throw mismatch(`[${width}]`);
      const blocks = { axis: rank - 1, count: gates, labels };
      const forget = recurrent.cell === 'lstm' && (config.unit_forget_bias === true || config.unitForgetBias === true);
      return {
        descriptor: { ...common, shape, role: 'bias', fanIn: siblings.get('kernel')?.[0] ?? hidden, fanOut: hidden, blocks },
        what: `bias of ${className} ${layer.name} (gates ${labels.join(' ')}${forget ? ', unit_forget_bias' : ''})`,
        ...(forget ? { forgetGate: blocks } : {}),
      };
    }
  }
  if (className === 'BatchNormalization' || className === 'LayerNormalization') {
    const roles: Record<string, ParameterDescriptor['role']> = { gamma: 'scale', beta: 'shift', moving_mean: 'runningMean', moving_variance: 'runningVariance' };
    const role = roles[short];
    if (role && (className === 'BatchNormalization' || role === 'scale' || role === 'shift')) {
      const size = sizeOf(shape);
      const buffer = role === 'runningMean' || role === 'runningVariance';
      return {
        descriptor: { shape, layout: 'keras', kind: 'norm', role, fanIn: size, fanOut: size, layerType: className === 'BatchNormalization' ? 'batchnorm' : 'layernorm', ...(buffer ? { trainable: false } : {}) },
        what: `${short} of ${className} ${layer.name}`,
      };
    }
  }
  return { what: `${short} of ${className} ${layer.name}` };
}

/** The expected weights of the layers nninit knows, by their config: each must be in the manifest. */
function expectedWeights(layer: Layer): string[] {
  const bias = layer.config.use_bias !== false && layer.config.useBias !== false;
  switch (layer.className) {
    case 'Dense': case 'Conv1D': case 'Conv2D': case 'Conv3D': case 'Conv2DTranspose': case 'Conv3DTranspose':
      return ['kernel', ...(bias ? ['bias'] : [])];
    case 'LSTM': case 'GRU': case 'SimpleRNN': return ['kernel', 'recurrent_kernel', ...(bias ? ['bias'] : [])];
    case 'Embedding': return ['embeddings'];
    default: return [];
  }
}

/**
 * Reads a TF.js layers model (model.json as text or parsed; its topology, Sequential or functional, and its
 * weightsManifest) and plans its weights. With the 'model' policy (the default) each weight is drawn from nninit's
 * equivalent of the initializer its layer configures (README: "Where TF.js's own initializers differ"); with any
 * other policy, each weight's role and the activation after its layer choose, as for a spec. Weights that are not
 * float32, and globs in `keep`, are kept. `shards` (file name -> bytes, as the manifest names them) are needed
 * only for weights that are kept; given, they are checked against the manifest.
 *
 * @example const model = readTfjsModel(await (await fetch('model/model.json')).text());
 *          const { modelJson, shards } = writeTfjsModel(model);   // fresh weights, 4 MiB shards
 */
export function readTfjsModel(json: string | object, shards?: Readonly<Record<string, Uint8Array>> | ReadonlyMap<string, Uint8Array>, options?: TfjsReadOptions): TfjsModel {
  const shardMap = shards === undefined ? undefined : shards instanceof Map ? shards as ReadonlyMap<string, Uint8Array> : new Map(Object.entries(shards));
  if (shards !== undefined && ([...shardMap!.values()].some((b) => !(b instanceof Uint8Array)))) {
    throw new TypeError(`nninit.${fnRead}: shards: expected an object or Map of file names to Uint8Array`);
  }
  const sizes = shardMap && new Map([...shardMap].map(([name, bytes]) => [name, bytes.length]));
  return readTfjs(fnRead, json, sizes, shardMap, options);
}

/** readTfjsModel with the shards' sizes only (the Node helper reads their bytes itself). */
export function readTfjs(fn: string, json: string | object, sizes: ReadonlyMap<string, number> | undefined, shards: ReadonlyMap<string, Uint8Array> | undefined, options?: TfjsReadOptions): TfjsModel {
  const o = checkOptions(fn, options);
  const file = o.file ?? 'model.json';
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new RangeError(`nninit.${fn}: ${file}: not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isPlainObject(parsed)) throw new TypeError(`nninit.${fn}: json: expected the text or object of a model.json, got ${parsed === null ? 'null' : typeof parsed}`);
  if (parsed.format !== undefined && parsed.format !== 'layers-model') {
    throw fileError(file, `format ${JSON.stringify(parsed.format)}: nninit reads layers models (format "layers-model"); a graph model has no layers to take initializers from`);
  }
  const manifest = parsed.weightsManifest;
  if (!Array.isArray(manifest)) throw fileError(file, 'weightsManifest: expected an array of { paths, weights }');
  const layers = layersOf(file, parsed.modelTopology);

  // Every weight, in order, with where its bytes lie.
  const entries: Record<string, unknown>[] = [];
  const locations: (Location | undefined)[] = [];
  manifest.forEach((group: unknown, g) => {
    const at = `weightsManifest[${g}]`;
    if (!isPlainObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || group.paths.some((p) => typeof p !== 'string')) {
      throw fileError(file, `${at}: expected { paths: [file names], weights: [{ name, shape, dtype }] }`);
    }
    const paths = group.paths as string[];
    for (const path of paths) {
      if (path.startsWith('/') || path.split(/[/\\]/).includes('..') || /^[a-z]+:/i.test(path)) throw fileError(file, `${at}.paths: ${JSON.stringify(path)} must name a file beside model.json`);
    }
    let offset = 0;
    const groupEntries = group.weights.map((w: unknown, k: number) => {
      const wAt = `${at}.weights[${k}]`;
      if (!isPlainObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || w.shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
        throw fileError(file, `${wAt}: expected { name, shape: [non-negative integers], dtype }`);
      }
      if (w.dtype === 'string') throw fileError(file, `${wAt} ("${w.name}"): string weights are not supported`);
      const perElement = bytesPerElement(w);
      if (perElement === undefined) throw fileError(file, `${wAt} ("${w.name}"): unknown dtype ${JSON.stringify(w.dtype)}${isPlainObject(w.quantization) ? ` or quantization ${JSON.stringify(w.quantization.dtype)}` : ''}`);
      const bytes = sizeOf(w.shape as number[]) * perElement;
      const start = offset;
      offset += bytes;
      return { entry: w, start, bytes };
    });
    // The group's bytes are cut into its files in order.
    const shardSizes = sizes && paths.map((path) => {
      const size = sizes.get(path);
      if (size === undefined) throw fileError(file, `${at}.paths: the weight shard ${path} is missing`);
      return size;
    });
    if (shardSizes) {
      const total = shardSizes.reduce((a, b) => a + b, 0);
      if (total !== offset) throw fileError(file, `${at}: its weights take ${offset} bytes, but its shards (${paths.join(', ')}) hold ${total}${misfit(groupEntries, paths, shardSizes, total, offset)}`);
    }
    for (const { entry, start, bytes } of groupEntries) {
      entries.push(entry);
      if (!shardSizes) {
        locations.push(undefined);
        continue;
      }
      const pieces: { path: string; offset: number; length: number }[] = [];
      let shardStart = 0;
      shardSizes.forEach((size, s) => {
        const lo = Math.max(start, shardStart), hi = Math.min(start + bytes, shardStart + size);
        if (lo < hi) pieces.push({ path: paths[s], offset: lo - shardStart, length: hi - lo });
        shardStart += size;
      });
      locations.push({ pieces });
    }
  });

  // Each weight's layer: the last segment of its name that names a layer ('bidirectional/forward_lstm/kernel').
  const names = new Set<string>();
  const found = entries.map((entry) => {
    const name = entry.name as string;
    if (names.has(name)) throw fileError(file, `weightsManifest: two weights are named "${name}"`);
    names.add(name);
    const segments = name.replace(/:\d+$/, '').split('/');
    for (let i = segments.length - 2; i >= 0; i--) {
      const layer = layers.get(segments[i]);
      if (layer) return { layer, short: segments[segments.length - 1], prefix: segments.slice(0, i + 1).join('/') };
    }
    return undefined;
  });
  const siblingsOf = (prefix: string): Shapes => new Map(entries.flatMap((entry, k) => {
    const f = found[k];
    return f && f.prefix === prefix ? [[f.short, entry.shape as number[]]] : [];
  }));
  // Every weight a known layer makes is in the manifest.
  const present = new Set(found.map((f) => f && `${f.layer.name}/${f.short}`));
  for (const layer of new Set(found.flatMap((f) => (f ? [f.layer] : [])))) {
    for (const short of expectedWeights(layer)) {
      if (!present.has(`${layer.name}/${short}`)) throw fileError(file, `layer "${layer.name}" (${layer.className}) has a ${short}, which weightsManifest lacks (${layer.path})`);
    }
  }

  const modelPolicy = o.policy === undefined || o.policy === 'model';
  const keeps = keepGlobs(o);
  const rules = (o.rules ?? []).map((rule) => (isPlainObject(rule) && typeof rule.match === 'string' ? globPattern(rule.match) : undefined));
  const ruled = (name: string) => rules.some((pattern) => pattern?.test(name));
  const descriptors: ParameterDescriptor[] = [];
  const status: { planned: boolean; inferred: string; layer?: string; note?: string }[] = [];
  const unknown: string[] = [];
  entries.forEach((entry, k) => {
    const name = entry.name as string;
    const shape = entry.shape as number[];
    const f = found[k];
    const keep = keeps.find((glob) => glob.pattern.test(name));
    const described = f && describeWeight(file, layers, f.layer, f.short, shape, siblingsOf(f.prefix), name);
    if (keep) {
      keep.used = true;
      status.push({ planned: false, inferred: `kept (keep ${keep.glob})`, ...(f ? { layer: f.layer.name } : {}) });
      return;
    }
    if (entry.dtype !== 'float32') {
      status.push({ planned: false, inferred: `kept: ${entry.dtype}, not a float type nninit computes`, ...(f ? { layer: f.layer.name } : {}) });
      return;
    }
    const initializerKey = f && INITIALIZER_KEYS[f.short];
    let configured: Configured | undefined;
    const spec = f && initializerKey ? f.layer.config[initializerKey.key] ?? f.layer.config[camel(initializerKey.key)] : undefined;
    // A layer's default applies to the classes nninit knows; another class must configure its initializer.
    if (f && initializerKey && (spec !== undefined || described?.descriptor)) {
      const path = `${f.layer.path}.${initializerKey.key}`;
      try {
        configured = configuredInitializer(spec, path, f.layer.className === 'Embedding' && f.short === 'embeddings' ? 'RandomUniform' : initializerKey.fallback);
      } catch (error) {
        if (modelPolicy && !ruled(name)) throw fileError(file, `weight "${name}": ${(error as Error).message}; give it a rule such as { match: ${JSON.stringify(name)}, init: 'zeros' }`);
      }
    }
    const role = described?.descriptor;
    // PReLU's alpha (and any weight no policy has a role for) keeps its configured initializer under every policy.
    const explicitWanted = modelPolicy || !role;
    if (role && !explicitWanted) {
      descriptors.push({ ...role, name, layer: f!.layer.name, path: f!.layer.path });
      status.push({ planned: true, inferred: described!.what, layer: f!.layer.name });
      return;
    }
    if (configured && explicitWanted) {
      const counted = modelPolicy && role ? kerasFans(f!.short, shape, siblingsOf(f!.prefix)) : undefined;
      const base: Omit<ParameterDescriptor, 'name' | 'layer'> = role ? { ...role, ...counted } : { shape, layout: 'keras', kind: 'param', role: 'param', fanIn: 0, fanOut: 0 };
      const recounted = counted && (counted.fanIn !== role!.fanIn || counted.fanOut !== role!.fanOut)
        ? f!.short === 'bias'
          ? `; the model policy reports its kernel's fans ${counted.fanIn}/${counted.fanOut}, as Keras counts them`
          : `; the model policy reports fans ${counted.fanIn}/${counted.fanOut}, as Keras counts them from its shape`
        : '';
      const forget = described?.forgetGate;
      const why = `${configured.text} of ${f!.layer.name}${forget ? ' with unit_forget_bias' : ''} -> ${configured.initializer}${forget ? ', forget gate ones' : ''}`;
      const parts = forget && forget.labels.map((label) => (label === 'f' ? { initializer: 'ones' as const } : { initializer: configured!.initializer, options: configured!.options }));
      descriptors.push({
        ...base, name, layer: f!.layer.name, path: f!.layer.path,
        explicit: { initializer: configured.initializer, options: configured.options, why, source: modelPolicy ? 'model policy' : `configured; no policy role`, ...(parts ? { parts } : {}) },
      });
      status.push({ planned: true, inferred: `${described!.what}; configured ${configured.text}${configured.note ? ` (${configured.note})` : ''}${recounted}`, layer: f!.layer.name });
      return;
    }
    if (ruled(name)) {
      descriptors.push({ name, shape, layout: 'keras', kind: 'param', role: 'param', fanIn: 0, fanOut: 0, layer: f?.layer.name ?? '' });
      status.push({ planned: true, inferred: `${described?.what ?? 'no layer found'}; planned by a rule`, ...(f ? { layer: f.layer.name } : {}) });
      return;
    }
    unknown.push(`"${name}" ${shapeText(shape)} (${f ? `${f.short} of ${f.layer.className} ${f.layer.name}` : 'no layer of the topology has this name'})`);
    status.push({ planned: false, inferred: 'no role known' });
  });
  checkKeepsUsed(fn, file, keeps);
  if (unknown.length) {
    const first = entries.find((_e, k) => status[k].inferred === 'no role known')!.name as string;
    throw fileError(file, `cannot tell what ${unknown.length === 1 ? 'weight' : `${unknown.length} weights`} ${unknown.slice(0, 6).join(', ')}${unknown.length > 6 ? ', ...' : ''} ${unknown.length === 1 ? 'is' : 'are'}; keep ${unknown.length === 1 ? 'it' : 'them'} (keep: [${JSON.stringify(first)}]) or add a rule such as { match: ${JSON.stringify(first)}, init: 'zeros' }`);
  }

  const seed = seedOf(fn, o);
  const planned = planWith(fn, file, descriptors, { seed, policy: modelPolicy ? 'activation' : o.policy as Exclude<typeof o.policy, 'model'>, rules: o.rules });
  const parameters = modelPolicy
    ? planned.map((p) => ({ ...p, policy: 'model', ...(p.chosenBy === 'model policy' ? { chosenBy: 'model' } : {}) }))
    : planned;
  const policy = modelPolicy ? 'model' : parameters[0]?.policy ?? (typeof o.policy === 'string' ? o.policy : o.policy?.name ?? 'activation');
  const weights: TfjsWeight[] = entries.map((entry, k) => ({
    name: entry.name as string, shape: entry.shape as number[], dtype: entry.dtype as string,
    bytes: sizeOf(entry.shape as number[]) * bytesPerElement(entry)!,
    status: status[k].planned ? 'planned' : 'kept', inferred: status[k].inferred,
    ...(status[k].layer ? { layer: status[k].layer } : {}),
  }));
  const model: TfjsModel = { format: 'tfjs', parameters, weights, seed, policy, file, explain: '' };
  (model as { explain: string }).explain = explainTfjs(model, parsed);
  SOURCES.set(model, { json: parsed, entries, locations, ...(shards ? { shards } : {}) });
  return model;
}

function explainTfjs(model: TfjsModel, json: Record<string, unknown>): string {
  const topology = isPlainObject(json.modelTopology) ? (isPlainObject(json.modelTopology.model_config) ? json.modelTopology.model_config : json.modelTopology) : {};
  const planned = model.weights.filter((w) => w.status === 'planned').length;
  const table = textTable(['weight', 'shape', 'dtype', 'inferred'], model.weights.map((w) => [w.name, shapeText(w.shape), w.dtype, w.inferred]));
  const generated = typeof json.generatedBy === 'string' ? `, generated by ${json.generatedBy}` : '';
  return [
    explainPlan(model.parameters).trimEnd(),
    '',
    `${model.file}: TF.js layers model (${String(topology.class_name ?? '?')}${generated}); ${model.weights.length} weights: ${planned} re-initialized, ${model.weights.length - planned} kept`,
    '',
    table,
    '',
  ].join('\n');
}

function sourceOf(fn: string, model: TfjsModel): Source {
  const source = isPlainObject(model) ? SOURCES.get(model as TfjsModel) : undefined;
  if (!source) throw new TypeError(`nninit.${fn}: model: expected a model from readTfjsModel, got ${model === null ? 'null' : typeof model}`);
  return source;
}

export interface TfjsLayoutOptions {
  /** Bytes per weight shard (default 4 MiB, as TF.js's converter). */
  readonly shardBytes?: number;
  /** The model file's name (default 'model.json'). */
  readonly modelName?: string;
}

/**
 * The files of the written model as segments: model.json (the input's JSON with its weightsManifest replaced by
 * one group whose weights are the input's, in order; re-initialized ones as float32) and the shards
 * `group1-shardKofN.bin`, every weight's bytes one after the other cut every `shardBytes`. Kept weights are 'copy'
 * segments of the input's shards.
 */
export function tfjsFiles(model: TfjsModel, options: TfjsLayoutOptions = {}): FileLayout[] {
  const fn = 'tfjsFiles';
  const source = sourceOf(fn, model);
  const shardBytes = options.shardBytes ?? TFJS_SHARD_BYTES;
  if (!Number.isSafeInteger(shardBytes) || shardBytes < 1) throw new RangeError(`nninit.${fn}: options.shardBytes: expected a positive integer, got ${shardBytes}`);
  const planOf = new Map(model.parameters.map((p) => [p.name, p]));
  // Every weight's bytes, in order.
  const pieces: Segment[] = [];
  const weights = source.entries.map((entry, k) => {
    const p = planOf.get(entry.name as string);
    if (p) {
      pieces.push({ kind: 'values', plan: p, from: 0, to: planBytes(p) });
      const { quantization: _quantization, ...rest } = entry;
      return { ...rest, dtype: 'float32' };
    }
    const location = source.locations[k];
    const length = model.weights[k].bytes;
    if (length > 0) {
      if (!location) {
        throw new TypeError(`nninit.${fn}: ${model.file}: weight "${entry.name}" is kept, and its bytes are in the weight shards, which were not given`);
      }
      for (const piece of location.pieces) pieces.push({ kind: 'copy', source: piece.path, offset: piece.offset, length: piece.length });
    }
    return entry;
  });
  const total = pieces.reduce((sum, segment) => sum + (segment.kind === 'values' ? segment.to - segment.from : segment.kind === 'copy' ? segment.length : segment.bytes.length), 0);
  const count = Math.ceil(total / shardBytes);
  const shardNames = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
  // Cut the pieces at the shard boundaries.
  const shards: Segment[][] = shardNames.map(() => []);
  let at = 0;
  for (const piece of pieces) {
    const length = piece.kind === 'values' ? piece.to - piece.from : piece.kind === 'copy' ? piece.length : piece.bytes.length;
    let done = 0;
    while (done < length) {
      const shard = Math.floor((at + done) / shardBytes);
      const n = Math.min(length - done, (shard + 1) * shardBytes - (at + done));
      if (piece.kind === 'values') shards[shard].push({ kind: 'values', plan: piece.plan, from: piece.from + done, to: piece.from + done + n });
      else if (piece.kind === 'copy') shards[shard].push({ kind: 'copy', source: piece.source, offset: piece.offset + done, length: n });
      else shards[shard].push({ kind: 'bytes', bytes: piece.bytes.subarray(done, done + n) });
      done += n;
    }
    at += length;
  }
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source.json)) json[key] = key === 'weightsManifest' ? [{ paths: shardNames, weights }] : value;
  const text = new TextEncoder().encode(JSON.stringify(json));
  return [
    fileLayout(options.modelName ?? 'model.json', [{ kind: 'bytes', bytes: text }]),
    ...shards.map((segments, i) => fileLayout(shardNames[i], segments)),
  ];
}

/** The written model in memory: model.json's text and the weight shards (see tfjsFiles). */
export interface TfjsFiles {
  readonly modelJson: string;
  readonly shards: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

/**
 * The model with fresh weights: model.json (the input's, but for its weightsManifest) and weight shards of 4 MiB
 * named as TF.js's converter names them, which tf.loadLayersModel loads. Kept weights are copied from the shards
 * given to readTfjsModel.
 */
export function writeTfjsModel(model: TfjsModel, options?: Pick<TfjsLayoutOptions, 'shardBytes'>): TfjsFiles {
  const source = sourceOf('writeTfjsModel', model);
  const [json, ...shards] = tfjsFiles(model, options);
  const read = (name: string, offset: number, length: number) => {
    const bytes = source.shards?.get(name);
    if (!bytes) throw new TypeError(`nninit.writeTfjsModel: ${model.file}: the weight shard ${name} was not given`);
    return bytes.subarray(offset, offset + length);
  };
  return {
    modelJson: new TextDecoder().decode((json.segments[0] as { bytes: Uint8Array }).bytes),
    shards: shards.map((shard) => ({ name: shard.name, bytes: assemble(shard, read) })),
  };
}


/** Where the input holds weight `index`'s bytes: consecutive pieces of its shards (for writers of other formats). */
export function weightPieces(model: TfjsModel, index: number): readonly { readonly path: string; readonly offset: number; readonly length: number }[] {
  const location = sourceOf('weightPieces', model).locations[index];
  if (!location) throw new TypeError(`nninit.weightPieces: ${model.file}: the weight shards' sizes were not given`);
  return location.pieces;
}
