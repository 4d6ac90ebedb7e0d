// A parsed model spec as the probe runs it: a straight list of steps over activation tensors, each tensor
// [samples, ...spatial, features] (channels last). Containers are flattened; a residual container adds a step
// that sums its input and its body's output. Every shape is checked here, before anything is computed, and an
// error names the layer's JSON path.

import type { Layout } from '../core/fans.js';
import type { ActivationName } from '../model/activations.js';
import { LAYER_TYPES, type ConvLayer, type DenseLayer, type EmbeddingLayer, type ModelLayer, type NormLayer, type RecurrentLayer } from '../model/layers.js';
import type { ModelSpec } from '../model/spec.js';

/** Per-sample shape of an activation tensor. */
export interface TensorShape {
  /** Spatial axes (or the time axis of a sequence); [] for a plain feature vector. */
  readonly spatial: readonly number[];
  readonly features: number;
}

export const positionsOf = (shape: TensorShape) => shape.spatial.reduce((a, b) => a * b, 1);

interface StepCommon {
  /** The layer's full name (the prefix of its parameters' names). */
  readonly name: string;
  /** The spec's layer type, or 'residual'. */
  readonly type: string;
  readonly path: string;
  /** Tensor ids read and written. */
  readonly input: number;
  readonly output: number;
}

export interface DenseStep extends StepCommon {
  readonly kind: 'dense';
  readonly in: number;
  readonly out: number;
  readonly activation: ActivationName;
  readonly slope: number;
  readonly weight: string;
  readonly bias?: string;
  /** 'none': applied at every position (or to a plain vector); otherwise the input is flattened per sample in this order. */
  readonly flatten: 'none' | 'torch' | 'keras';
  readonly layout: Layout;
}

export interface ConvStep extends StepCommon {
  readonly kind: 'conv';
  readonly in: number;
  readonly out: number;
  readonly groups: number;
  /** Kernel and spatial extent as [depth, height, width] (leading 1s for 1-D and 2-D). */
  readonly kernel: readonly [number, number, number];
  readonly extent: readonly [number, number, number];
  readonly activation: ActivationName;
  readonly slope: number;
  readonly weight: string;
  readonly bias?: string;
  readonly layout: Layout;
}

export interface RecurrentStep extends StepCommon {
  readonly kind: 'recurrent';
  readonly cell: 'lstm' | 'gru' | 'rnn';
  readonly in: number;
  readonly units: number;
  readonly steps: number;
  /** The cell's activation: tanh, or relu for an Elman rnn. */
  readonly activation: 'tanh' | 'relu';
  readonly inputWeight: string;
  readonly recurrentWeight: string;
  /** PyTorch: bias_ih and bias_hh. Keras: one bias ([2, 3 units] for a GRU: input and recurrent rows). */
  readonly inputBias?: string;
  readonly recurrentBias?: string;
  readonly kerasBias?: string;
  readonly layout: Layout;
}

export interface NormStep extends StepCommon {
  readonly kind: 'norm';
  readonly norm: 'layernorm' | 'batchnorm' | 'rmsnorm';
  readonly dim: number;
  readonly scale: string;
  readonly shift?: string;
  readonly eps: number;
}

/** A lookup table as the first layer: its input is token ids (tensor 0, one id per position, stored as floats). */
export interface EmbeddingStep extends StepCommon {
  readonly kind: 'embedding';
  readonly vocab: number;
  readonly dim: number;
  readonly table: string;
}

export interface ResidualStep extends StepCommon {
  readonly kind: 'residual';
  /** The container's input (the skip) and its body's output; `input` is the skip too. */
  readonly skip: number;
  readonly body: number;
}

export type Step = DenseStep | ConvStep | RecurrentStep | NormStep | EmbeddingStep | ResidualStep;

export interface Network {
  readonly steps: readonly Step[];
  /** Shape of every tensor by id; tensor 0 is the input batch. */
  readonly tensors: readonly TensorShape[];
  readonly output: number;
  /** Parameter names the probe reads, with the shapes the spec gives them. */
  readonly parameters: ReadonlyMap<string, readonly number[]>;
  /** The spatial extent used for the input (given, inferred from a flattening dense layer, or the default). */
  readonly spatial: readonly number[];
}

export interface NetworkOptions {
  /** Spatial extent of the input of a convolutional network, or of every sample (then dense layers apply per position). */
  readonly spatial?: readonly number[];
  /** Time steps of a recurrent network's input. */
  readonly steps: number;
}

/** Normalization epsilons per layout: PyTorch's LayerNorm/BatchNorm 1e-5, Keras's 1e-3 (RMSNorm: 1e-6 both). */
const EPS: Record<Layout, Record<NormStep['norm'], number>> = {
  torch: { layernorm: 1e-5, batchnorm: 1e-5, rmsnorm: 1e-6 },
  keras: { layernorm: 1e-3, batchnorm: 1e-3, rmsnorm: 1e-6 },
};

/** Input extent of a convolution when the options give none: small enough for a 256-sample batch. */
const DEFAULT_SPATIAL: Record<number, readonly number[]> = { 1: [32], 2: [8, 8], 3: [4, 4, 4] };
const CONV_AXES: Record<string, number> = { conv1d: 1, conv2d: 2, conv3d: 3 };

const scoped = (scope: string, name: string) => (scope && name ? `${scope}.${name}` : scope || name);

class ShapeError extends RangeError {
  constructor(message: string, readonly inferSpatial?: readonly number[]) {
    super(message);
  }
}

/** The layers in forward order, containers expanded, with full names and whether they open or close a residual. */
type Flat =
  | { readonly layer: ModelLayer; readonly name: string }
  | { readonly open: string; readonly path: string }
  | { readonly close: string; readonly path: string };

function flatten(layers: readonly ModelLayer[], scope: string, out: Flat[]): Flat[] {
  for (const layer of layers) {
    const full = scoped(scope, layer.name);
    if (layer.type === 'repeat' || layer.type === 'block') {
      const instances = LAYER_TYPES[layer.type].scopes!(layer as never);
      for (const instance of instances) {
        const name = scoped(full, instance);
        if (layer.residual) out.push({ open: name, path: layer.path });
        flatten(layer.layers, name, out);
        if (layer.residual) out.push({ close: name, path: layer.path });
      }
    } else {
      out.push({ layer, name: full });
    }
  }
  return out;
}

function parameterNames(layer: ModelLayer, name: string, layout: Layout): Map<string, readonly number[]> {
  const names = new Map<string, readonly number[]>();
  for (const p of LAYER_TYPES[layer.type].parameters!(layer as never, layout)) names.set(p.suffix, p.shape);
  const full = (suffix: string) => (suffix ? `${name}.${suffix}` : name);
  return new Map([...names].map(([suffix, shape]) => [full(suffix), shape]));
}

/** [s, ..., s] (`axes` times) when value = s^axes for an integer s. */
function perfectPower(value: number, axes: number): number[] | undefined {
  const side = Math.round(value ** (1 / axes));
  return side ** axes === value ? Array.from({ length: axes }, () => side) : undefined;
}

/**
 * The probe's program for a spec. Throws a RangeError naming the layer for shapes that do not chain and for
 * layers the probe does not run (attention, bidirectional recurrent, an embedding after the first layer).
 */
export function compileNetwork(fn: string, spec: ModelSpec, options: NetworkOptions): Network {
  try {
    return compile(fn, spec, options, options.spatial);
  } catch (error) {
    if (error instanceof ShapeError && error.inferSpatial && options.spatial === undefined) {
      return compile(fn, spec, options, error.inferSpatial);
    }
    throw error;
  }
}

function compile(fn: string, spec: ModelSpec, options: NetworkOptions, givenSpatial: readonly number[] | undefined): Network {
  const layout = spec.layout;
  const flat = flatten(spec.layers, '', []);
  const computing = flat.filter((f): f is { layer: ModelLayer; name: string } => 'layer' in f && f.layer.type !== 'param');
  if (computing.length === 0) throw new RangeError(`nninit.${fn}: the model has no layer the probe can run (dense, conv, recurrent, norm)`);
  const at = (layer: ModelLayer, name: string) => `${layer.path} (${name})`;
  const firstIsOpen = flat.findIndex((f) => 'open' in f) >= 0 && flat.findIndex((f) => 'open' in f) < flat.indexOf(computing[0]);
  computing.forEach(({ layer, name }, index) => {
    if (layer.type === 'embedding' && (index > 0 || firstIsOpen)) {
      throw new RangeError(`nninit.${fn}: ${at(layer, name)}: an embedding is probed only as the first layer, outside residual blocks (its input is token ids, which only the batch can be)`);
    }
    if (layer.type === 'attention') {
      throw new RangeError(`nninit.${fn}: ${at(layer, name)}: attention layers are not probed yet (the probe runs dense, conv1d/2d/3d, rnn/lstm/gru and norm layers, with residual containers, and a first embedding)`);
    }
  });

  const first = computing[0].layer;
  let spatial: readonly number[];
  let usedDefault = false;
  if (givenSpatial !== undefined) spatial = givenSpatial;
  else if (first.type in CONV_AXES) {
    spatial = DEFAULT_SPATIAL[CONV_AXES[first.type]];
    usedDefault = true;
  } else if (first.type === 'lstm' || first.type === 'gru' || first.type === 'rnn' || first.type === 'embedding') spatial = [options.steps];
  else spatial = [];
  const firstFeatures = first.type === 'embedding' ? 1
    : first.type === 'dense' || first.type in CONV_AXES || first.type === 'lstm' || first.type === 'gru' || first.type === 'rnn'
      ? (first as DenseLayer).in
      : (first as NormLayer).dim;

  const tensors: TensorShape[] = [{ spatial, features: firstFeatures }];
  const steps: Step[] = [];
  const parameters = new Map<string, readonly number[]>();
  const open: { name: string; tensor: number }[] = [];
  let current = 0;
  const push = (shape: TensorShape) => tensors.push(shape) - 1;

  for (const item of flat) {
    if ('open' in item) {
      open.push({ name: item.open, tensor: current });
      continue;
    }
    if ('close' in item) {
      const { name, tensor } = open.pop()!;
      const skip = tensors[tensor], body = tensors[current];
      if (skip.features !== body.features || positionsOf(skip) !== positionsOf(body) || skip.spatial.length !== body.spatial.length) {
        throw new RangeError(`nninit.${fn}: ${item.path} (${name}): a residual block must keep its input's shape, [${[...skip.spatial, skip.features]}], but its layers produce [${[...body.spatial, body.features]}]`);
      }
      const output = push(skip);
      steps.push({ kind: 'residual', name, type: 'residual', path: item.path, input: tensor, output, skip: tensor, body: current });
      current = output;
      continue;
    }
    const { layer, name } = item;
    if (layer.type === 'param') continue;
    const names = parameterNames(layer, name, layout);
    const shape = tensors[current];
    const where = at(layer, name);
    const common = { name, type: layer.type, path: layer.path, input: current };
    const need = (suffix: string) => {
      const full = `${name}.${suffix}`;
      parameters.set(full, names.get(full)!);
      return full;
    };
    const activationOf = (l: DenseLayer | ConvLayer) => ({ activation: l.activation, slope: l.slope ?? 0 });

    switch (layer.type) {
      case 'dense': {
        let flattenOrder: DenseStep['flatten'] = 'none';
        let outShape: TensorShape = { spatial: shape.spatial, features: layer.out };
        if (layer.in !== shape.features) {
          const positions = positionsOf(shape);
          if (positions > 1 && layer.in === shape.features * positions) {
            flattenOrder = layout;
            outShape = { spatial: [], features: layer.out };
          } else {
            const inferred = usedDefault && shape.spatial.length > 0 && layer.in % shape.features === 0
              ? perfectPower(layer.in / shape.features, shape.spatial.length) : undefined;
            throw new ShapeError(
              `nninit.${fn}: ${where}: in = ${layer.in} does not match the ${shape.features} features reaching it` +
              (positions > 1 ? ` (or ${shape.features} x ${positions} positions = ${shape.features * positions} flattened); pass the input's extent as options.spatial` : ''),
              inferred,
            );
          }
        }
        const output = push(outShape);
        steps.push({
          ...common, kind: 'dense', output, in: layer.in, out: layer.out, ...activationOf(layer),
          weight: need(layout === 'torch' ? 'weight' : 'kernel'), ...(layer.bias ? { bias: need('bias') } : {}),
          flatten: flattenOrder, layout,
        });
        current = output;
        break;
      }
      case 'conv1d':
      case 'conv2d':
      case 'conv3d': {
        const axes = CONV_AXES[layer.type];
        if (shape.spatial.length !== axes) {
          throw new RangeError(`nninit.${fn}: ${where}: a ${layer.type} needs ${axes} spatial axes, but its input is [${[...shape.spatial, shape.features]}] per sample${steps.length === 0 ? '; pass options.spatial' : ''}`);
        }
        if (layer.in !== shape.features) throw new RangeError(`nninit.${fn}: ${where}: in = ${layer.in} does not match the ${shape.features} channels reaching it`);
        const pad = (values: readonly number[]) => [...Array(3 - values.length).fill(1), ...values] as [number, number, number];
        const output = push({ spatial: shape.spatial, features: layer.out });
        steps.push({
          ...common, kind: 'conv', output, in: layer.in, out: layer.out, groups: layer.groups, kernel: pad(layer.kernel),
          extent: pad(shape.spatial), ...activationOf(layer), weight: need(layout === 'torch' ? 'weight' : 'kernel'),
          ...(layer.bias ? { bias: need('bias') } : {}), layout,
        });
        current = output;
        break;
      }
      case 'lstm':
      case 'gru':
      case 'rnn': {
        const r = layer as RecurrentLayer;
        if (r.bidirectional) throw new RangeError(`nninit.${fn}: ${where}: bidirectional recurrent layers are not probed (the probe runs the forward direction only)`);
        if (shape.spatial.length !== 1) {
          throw new RangeError(`nninit.${fn}: ${where}: a ${r.type} needs a sequence [steps, features] per sample, but its input is [${[...shape.spatial, shape.features]}]`);
        }
        if (r.in !== shape.features) throw new RangeError(`nninit.${fn}: ${where}: in = ${r.in} does not match the ${shape.features} features reaching it`);
        for (let l = 0; l < r.numLayers; l++) {
          const output = push({ spatial: shape.spatial, features: r.units });
          const tag = `_l${l}`;
          const torch = layout === 'torch';
          steps.push({
            ...common, input: current, kind: 'recurrent', output, cell: r.type, in: l === 0 ? r.in : r.units, units: r.units,
            steps: shape.spatial[0], activation: r.activation,
            ...(r.numLayers > 1 ? { name: `${name}.l${l}` } : {}),
            inputWeight: need(torch ? `weight_ih${tag}` : 'kernel'),
            recurrentWeight: need(torch ? `weight_hh${tag}` : 'recurrent_kernel'),
            ...(r.bias ? (torch ? { inputBias: need(`bias_ih${tag}`), recurrentBias: need(`bias_hh${tag}`) } : { kerasBias: need('bias') }) : {}),
            layout,
          });
          current = output;
        }
        break;
      }
      case 'embedding': {
        const e = layer as EmbeddingLayer;
        const output = push({ spatial: shape.spatial, features: e.dim });
        steps.push({ ...common, kind: 'embedding', output, vocab: e.vocab, dim: e.dim, table: need(layout === 'torch' ? 'weight' : 'embeddings') });
        current = output;
        break;
      }
      case 'layernorm':
      case 'batchnorm':
      case 'rmsnorm': {
        const n = layer as NormLayer;
        if (n.dim !== shape.features) throw new RangeError(`nninit.${fn}: ${where}: dim = ${n.dim} does not match the ${shape.features} features reaching it`);
        const torch = layout === 'torch';
        const output = push(shape);
        steps.push({
          ...common, kind: 'norm', output, norm: n.type, dim: n.dim, eps: EPS[layout][n.type],
          scale: need(torch ? 'weight' : n.type === 'rmsnorm' ? 'scale' : 'gamma'),
          ...(n.type === 'rmsnorm' ? {} : { shift: need(torch ? 'bias' : 'beta') }),
        });
        current = output;
        break;
      }
      default:
        throw new RangeError(`nninit.${fn}: ${where}: ${layer.type} layers are not probed`);
    }
  }
  return { steps, tensors, output: current, parameters, spatial };
}
