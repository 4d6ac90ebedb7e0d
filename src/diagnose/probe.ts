// probe(): push a batch through an initialized network and back, and report what each layer did to it.

import { randomBits } from '../core/bits.js';
import { normal } from '../core/initializers.js';
import { currentBackend } from '../core/runtime.js';
import type { ProbeKernels } from '../core/probe-kernels.js';
import type { Seed } from '../core/seed.js';
import type { OutArray } from '../core/output.js';
import type { ActivationName } from '../model/activations.js';
import { checkKeys, isPlainObject, pathRangeError, pathTypeError } from '../model/errors.js';
import { initModel } from '../model/init.js';
import { freshSeed53 } from '../model/seeds.js';
import type { PolicySpec, ModelSpec, ModelSpecInput } from '../model/spec.js';
import { parseSeed, parseSpec } from '../model/spec.js';
import type { RuleSpec } from '../model/rules.js';
import type { ParameterPlan } from '../model/types.js';
import { Engine, type Region } from './engine.js';
import { createJsProbeKernels } from './kernels.js';
import { compileNetwork, positionsOf, type Network } from './network.js';
import type { LayerReport, ProbeReport, SingularValues } from './report.js';
import { extremeSingularValues } from './singular.js';
import { deadUnits, histogram, moments, saturatedCount, unitGroups, type HistogramBins } from './statistics.js';
import { warningsOf } from './warnings.js';

/** An initialized model: its spec and its parameters' values by name (initModel's Map, or any such Map). */
export interface ProbeModel {
  readonly spec: ModelSpecInput | string;
  readonly weights: ReadonlyMap<string, WeightValues>;
}

/** A parameter's values: float32 or float64, half-precision bits (as the spec's dtype says), or plain numbers. */
export type WeightValues = OutArray | ArrayLike<number>;

export interface ProbeOptions {
  /**
   * Seed of the input batch and the loss projection, and of the weights when probe() initializes a spec
   * (default: the spec's seed, or the model's `weights.seed`, else a fresh one; the report records it).
   */
  seed?: Seed | string;
  /** Policy and rules for initializing a spec (as initModel's options); not allowed with a model. */
  policy?: PolicySpec;
  rules?: RuleSpec[];
  /** Samples of N(0, 1) input (default 256). */
  batch?: number;
  /** An explicit input batch instead: [samples, ...spatial, features] values, channels last. */
  input?: ArrayLike<number>;
  /**
   * Spatial extent of each sample: a convolutional network's input size (default: inferred from a dense layer
   * that flattens the last convolution's output, else 32, 8 x 8 or 4 x 4 x 4), or, before dense layers, positions
   * they apply to one by one.
   */
  spatial?: number[];
  /** Time steps a recurrent network is unrolled for (default 16). */
  steps?: number;
  /** Histogram bins (default 60). */
  bins?: number;
  /**
   * The histogram's range [low, high), the same for every layer. Default: one that fits the network's outputs,
   * [-1, 1) when every layer ends in tanh or softsign (recurrent cells included), [0, 1) when every one ends in
   * sigmoid or softmax, [0, 4) when every one is nonnegative (ReLU, with sigmoid or softmax), else [-3, 3).
   */
  range?: [number, number];
  /**
   * Extreme singular values of square weights: false for none (the default), true for all, or the largest side
   * to compute them for. Each costs a float64 LU factorization and two Lanczos runs, about 0.03 s for a 256 x 256
   * matrix and 0.2 s for 512 x 512, more than the rest of a probe: ask for them when they are the question.
   */
  singularValues?: boolean | number;
}

const OPTION_KEYS = ['seed', 'policy', 'rules', 'batch', 'input', 'spatial', 'steps', 'bins', 'range', 'singularValues'];
const DEFAULT_BATCH = 256;
const DEFAULT_STEPS = 16;
const DEFAULT_BINS = 60;
const INPUT_STREAM = 'probe.input';
const PROJECTION_STREAM = 'probe.projection';

let jsKernels: ProbeKernels | undefined;

/** The active backend's probe kernels: WebAssembly where installed, else the TypeScript ones. */
export function probeKernels(): ProbeKernels {
  return currentBackend().probe ?? (jsKernels ??= createJsProbeKernels());
}

function positiveInteger(fn: string, path: string, value: unknown): number {
  if (typeof value !== 'number') throw pathTypeError(fn, path, 'a positive integer', value);
  if (!Number.isSafeInteger(value) || value < 1) throw pathRangeError(fn, path, 'a positive integer', value);
  return value;
}

/** Whether the argument is a ProbeModel ({ spec, weights }) rather than a spec. */
export function isProbeModel(value: unknown): value is ProbeModel {
  return isPlainObject(value) && 'weights' in value && 'spec' in value;
}

export interface PreparedModel {
  readonly spec: ModelSpec;
  readonly weights: ReadonlyMap<string, WeightValues>;
  readonly plan?: readonly ParameterPlan[];
  readonly seed: Seed;
}

/** The parsed spec and weights of a spec (initialized here) or a model, with the seed the probe uses. */
export function prepareModel(fn: string, model: unknown, options: { seed?: Seed | string; policy?: PolicySpec; rules?: RuleSpec[] }): PreparedModel {
  if (isProbeModel(model)) {
    if (options.policy !== undefined || options.rules !== undefined) {
      throw new TypeError(`nninit.${fn}: options.policy and options.rules initialize a spec; this model already has its weights`);
    }
    if (!(model.weights instanceof Map)) throw pathTypeError(fn, 'model.weights', 'a Map of parameter names to arrays', model.weights);
    const spec = parseSpec(model.spec, undefined, fn);
    const given = (model.weights as { seed?: Seed }).seed;
    const seed = options.seed !== undefined ? parseSeed(fn, 'options.seed', options.seed) : spec.seed ?? given ?? freshSeed53();
    return { spec, weights: model.weights, plan: (model.weights as { plan?: ParameterPlan[] }).plan, seed };
  }
  const modelOptions = {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    ...(options.rules !== undefined ? { rules: options.rules } : {}),
    dtype: 'float32' as const,
  };
  const spec = parseSpec(model as ModelSpecInput, modelOptions, fn);
  const weights = initModel(model as ModelSpecInput, modelOptions);
  return { spec, weights, plan: weights.plan, seed: weights.seed };
}

/** Half-precision bit patterns as numbers. */
function decodeHalf(bits: Uint16Array, format: 'float16' | 'bfloat16'): Float32Array {
  const out = new Float32Array(bits.length);
  if (format === 'bfloat16') {
    new Uint32Array(out.buffer).set(Uint32Array.from(bits, (b) => b << 16));
    return out;
  }
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i], sign = b & 0x8000 ? -1 : 1, exponent = (b >> 10) & 0x1f, mantissa = b & 0x3ff;
    out[i] = exponent === 0 ? sign * mantissa * 2 ** -24
      : exponent === 31 ? (mantissa ? NaN : sign * Infinity)
      : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** Every parameter the network reads, checked for presence and size, as numbers. */
export function checkedWeights(fn: string, net: Network, prepared: PreparedModel): Map<string, ArrayLike<number>> {
  const out = new Map<string, ArrayLike<number>>();
  for (const [name, shape] of net.parameters) {
    const values = prepared.weights.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values === undefined) throw new RangeError(`nninit.${fn}: the model has no parameter "${name}" (shape [${shape}]), which its spec's layer needs`);
    const float16 = ArrayBuffer.isView(values) && values.constructor.name === 'Float16Array';
    if (!(values instanceof Float32Array || values instanceof Float64Array || values instanceof Uint16Array || Array.isArray(values) || float16)) {
      throw pathTypeError(fn, `weights "${name}"`, 'a Float32Array, Float64Array, half-precision Uint16Array or array of numbers', values);
    }
    if (values.length !== size) throw pathRangeError(fn, `weights "${name}"`, `${size} values (shape [${shape}])`, values.length);
    if (values instanceof Uint16Array) {
      const format = prepared.spec.dtype;
      if (format !== 'float16' && format !== 'bfloat16') {
        throw new TypeError(`nninit.${fn}: weights "${name}" is a Uint16Array, but the spec's dtype is ${format}; half-precision bits need dtype 'float16' or 'bfloat16'`);
      }
      out.set(name, decodeHalf(values, format));
    } else out.set(name, float16 ? Float32Array.from(values as unknown as ArrayLike<number>) : values as ArrayLike<number>);
  }
  return out;
}

export interface ParsedOptions {
  samples?: number;
  input?: ArrayLike<number>;
  /** Where the input came from, for errors. */
  inputPath: string;
  spatial?: number[];
  steps: number;
  bins: number;
  range?: [number, number];
  singularSide: number;
}

export function parseOptions(fn: string, options: ProbeOptions | undefined, extraKeys: readonly string[] = []): ParsedOptions {
  if (options !== undefined && !isPlainObject(options)) throw pathTypeError(fn, 'options', 'an object', options);
  const o = (options ?? {}) as ProbeOptions;
  checkKeys(fn, 'options', o as Record<string, unknown>, [...OPTION_KEYS, ...extraKeys]);
  if (o.batch !== undefined && o.input !== undefined) throw new TypeError(`nninit.${fn}: options.batch and options.input exclude each other (the input's length gives the batch)`);
  const samples = o.batch === undefined ? undefined : positiveInteger(fn, 'options.batch', o.batch);
  if (o.input !== undefined && !(o.input instanceof Float32Array || o.input instanceof Float64Array || Array.isArray(o.input))) {
    throw pathTypeError(fn, 'options.input', 'a Float32Array, Float64Array or array of numbers', o.input);
  }
  let spatial: number[] | undefined;
  if (o.spatial !== undefined) {
    if (!Array.isArray(o.spatial) || o.spatial.length > 3) throw pathTypeError(fn, 'options.spatial', 'an array of at most 3 positive integers', o.spatial);
    spatial = o.spatial.map((n, i) => positiveInteger(fn, `options.spatial[${i}]`, n));
  }
  const steps = o.steps === undefined ? DEFAULT_STEPS : positiveInteger(fn, 'options.steps', o.steps);
  const bins = o.bins === undefined ? DEFAULT_BINS : positiveInteger(fn, 'options.bins', o.bins);
  let range: [number, number] | undefined;
  if (o.range !== undefined) {
    if (!Array.isArray(o.range) || o.range.length !== 2 || !o.range.every(Number.isFinite) || !(o.range[0] < o.range[1])) {
      throw pathRangeError(fn, 'options.range', 'two finite numbers [low, high] with low < high', o.range);
    }
    range = [o.range[0], o.range[1]];
  }
  let singularSide = 0;
  if (o.singularValues !== undefined) {
    if (typeof o.singularValues === 'boolean') singularSide = o.singularValues ? Infinity : 0;
    else singularSide = positiveInteger(fn, 'options.singularValues', o.singularValues);
  }
  return { ...(samples ? { samples } : {}), ...(o.input ? { input: o.input } : {}), inputPath: 'options.input', ...(spatial ? { spatial } : {}), steps, bins, ...(range ? { range } : {}), singularSide };
}

/** Everything a run of the engine needs: the compiled network, weights, batch and projection. */
export interface ProbeSetup {
  readonly prepared: PreparedModel;
  readonly net: Network;
  readonly weights: Map<string, ArrayLike<number>>;
  readonly samples: number;
  readonly input: ArrayLike<number>;
  readonly projection: Float32Array;
  readonly options: ParsedOptions;
}

export function setUp(fn: string, model: unknown, options: ProbeOptions | undefined, extraKeys: readonly string[] = []): ProbeSetup {
  const parsed = parseOptions(fn, options, extraKeys);
  return buildSetup(fn, prepareModel(fn, model, options ?? {}), parsed);
}

/** The network of a prepared model, its checked weights, the input batch and the projection. */
export function buildSetup(fn: string, prepared: PreparedModel, parsed: ParsedOptions): ProbeSetup {
  const net = compileNetwork(fn, prepared.spec, { ...(parsed.spatial ? { spatial: parsed.spatial } : {}), steps: parsed.steps });
  const weights = checkedWeights(fn, net, prepared);
  const inputShape = net.tensors[0];
  const perSample = positionsOf(inputShape) * inputShape.features;
  let samples = parsed.samples ?? DEFAULT_BATCH;
  let input: ArrayLike<number>;
  const first = net.steps[0];
  const vocab = first.kind === 'embedding' ? first.vocab : 0;
  if (parsed.input) {
    if (parsed.input.length === 0 || parsed.input.length % perSample !== 0) {
      const what = vocab ? `token ids (samples x ${perSample} steps)` : `values (samples x [${[...inputShape.spatial, inputShape.features]}])`;
      throw pathRangeError(fn, parsed.inputPath, `a multiple of ${perSample} ${what}`, parsed.input.length);
    }
    if (vocab) {
      const bad = Array.prototype.findIndex.call(parsed.input, (id: number) => !Number.isInteger(id) || id < 0 || id >= vocab);
      if (bad >= 0) throw pathRangeError(fn, `${parsed.inputPath}[${bad}]`, `a token id, an integer in [0, ${vocab})`, parsed.input[bad]);
    }
    samples = parsed.input.length / perSample;
    input = parsed.input;
  } else if (vocab) {
    // Token ids uniform over the vocabulary: id = floor(word * vocab / 2^32) of the input stream's words.
    input = Float32Array.from(randomBits(samples * perSample, { seed: prepared.seed, stream: INPUT_STREAM }), (word) => Math.floor((word * vocab) / 2 ** 32));
  } else {
    input = normal([samples, perSample], { seed: prepared.seed, stream: INPUT_STREAM });
  }
  const output = net.tensors[net.output];
  // One projection value per output value of every sample: a projection shared by all samples would give every
  // sample the same output gradient, which a batch-statistics layer (batchnorm) cancels exactly.
  const projection = normal([samples, positionsOf(output) * output.features], { seed: prepared.seed, stream: PROJECTION_STREAM });
  return { prepared, net, weights, samples, input, projection, options: parsed };
}

/** The values of a (possibly strided) region, contiguous. */
function gather(view: Float32Array, r: Region): { values: Float32Array; offset: number } {
  const stride = r.stride ?? r.cols;
  if (stride === r.cols) return { values: view, offset: r.offset };
  const values = new Float32Array(r.rows * r.cols);
  for (let i = 0; i < r.rows; i++) values.set(view.subarray(r.offset + i * stride, r.offset + i * stride + r.cols), i * r.cols);
  return { values, offset: 0 };
}

function initializerOf(plan: readonly ParameterPlan[] | undefined, names: readonly (string | undefined)[]): string | undefined {
  if (!plan) return undefined;
  const found = names.filter((n): n is string => n !== undefined).map((name) => {
    const p = plan.find((entry) => entry.name === name);
    if (!p) return undefined;
    return p.blocks ? [...new Set(p.blocks.parts.map((part) => part.initializer))].join('/') : p.initializer;
  }).filter((n): n is string => n !== undefined);
  return found.length ? [...new Set(found)].join(' + ') : undefined;
}

/** A step's activation: its own for dense, conv and recurrent steps (LSTM and GRU cells always 'tanh'), else 'linear'. */
function activationOf(step: Network['steps'][number]): ActivationName {
  return step.kind === 'dense' || step.kind === 'conv' || step.kind === 'recurrent' ? step.activation : 'linear';
}

/** What a step's output values are bounded by: [-1, 1], [0, 1], [0, inf) or nothing. */
function outputBound(step: Network['steps'][number]): 'symmetric' | 'unit' | 'nonnegative' | 'none' {
  const activation = activationOf(step);
  if (activation === 'tanh' || activation === 'softsign') return 'symmetric';
  if (activation === 'sigmoid' || activation === 'softmax') return 'unit';
  return activation === 'relu' ? 'nonnegative' : 'none';
}

/** The default histogram range of a network (ProbeOptions.range). */
export function histogramRange(net: Network): [number, number] {
  const bounds = new Set(net.steps.map(outputBound));
  if (bounds.size === 1 && bounds.has('symmetric')) return [-1, 1];
  if (bounds.size === 1 && bounds.has('unit')) return [0, 1];
  if (!bounds.has('symmetric') && !bounds.has('none')) return [0, 4];
  return [-3, 3];
}

/**
 * Runs the forward and backward passes and builds the report. Exported for lsuv and the claims, which reuse one
 * engine across passes.
 */
export function runProbe(setup: ProbeSetup, engine: Engine): ProbeReport {
  const { net, samples, options, prepared } = setup;
  const k = engine.k;
  const [low, high] = options.range ?? histogramRange(net);
  const bins: HistogramBins = { bins: options.bins, low, high };
  const partial: Omit<LayerReport, 'gradientInputStd' | 'gradientWeightStd'>[] = [];
  engine.done = 0;
  net.steps.forEach((step, index) => {
    engine.forwardStep(index);
    const runner = engine.runners[index];
    const view = k.view();
    const out = engine.tensorRegion(step.output);
    const count = out.rows * out.cols;
    const pre = runner.pre();
    let saturated = 0, saturatedTotal = 0;
    for (const { region, kind } of runner.saturation()) {
      const { values, offset } = gather(view, region);
      const counted = saturatedCount(values, offset, region.rows, region.cols, kind);
      saturated += counted.saturated;
      saturatedTotal += counted.total;
    }
    const dead = runner.deadSource();
    const groups = unitGroups(view, out.offset, out.rows, out.cols, runner.unitParameters());
    let singularValues: SingularValues | undefined;
    const squares = runner.squareWeights().filter((r) => r.rows <= options.singularSide);
    if (squares.length) {
      const each = squares.map((r) => {
        const { values, offset } = gather(view, r);
        return extremeSingularValues(values.subarray(offset, offset + r.rows * r.cols), r.rows);
      });
      singularValues = { max: Math.max(...each.map((s) => s.max)), min: Math.min(...each.map((s) => s.min)) };
    }
    const weightNames = step.kind === 'dense' || step.kind === 'conv' ? [step.weight]
      : step.kind === 'recurrent' ? [step.inputWeight, step.recurrentWeight]
      : step.kind === 'norm' ? [step.scale] : step.kind === 'embedding' ? [step.table] : [];
    const initializer = initializerOf(prepared.plan, weightNames);
    partial.push({
      name: step.name,
      type: step.type,
      activation: activationOf(step),
      index,
      units: out.cols,
      ...(initializer ? { initializer } : {}),
      pre: moments(view, pre.offset, pre.rows * pre.cols),
      post: moments(view, out.offset, count),
      histogram: histogram(view, out.offset, count, bins),
      deadFraction: dead ? deadUnits(view, dead.region.offset, dead.region.rows, dead.region.cols, dead.activation) / dead.region.cols : 0,
      saturatedFraction: saturatedTotal ? saturated / saturatedTotal : 0,
      distinctUnits: groups.distinct,
      constantUnits: groups.constant,
      symmetricUnits: groups.symmetric,
      ...(singularValues ? { singularValues } : {}),
    });
  });
  const loss = engine.loss();
  engine.startBackward();
  // A NaN or infinite forward value at step i leaves every gradient meaningless: the gradient reaching any layer
  // passes back through the output, hence through step i and all after it. They are reported as NaN, not as the
  // zeros that a ReLU's derivative of NaN would give.
  const poisoned = partial.some((l) => l.pre.nonFinite + l.post.nonFinite > 0);
  const gradients: { input: number; weight: number }[] = [];
  for (let index = net.steps.length - 1; index >= 0; index--) {
    engine.backwardStep(index);
    const input = engine.tensorRegion(net.steps[index].input);
    gradients[index] = poisoned ? { input: NaN, weight: NaN } : {
      input: moments(k.view(), engine.gradAt[net.steps[index].input], input.rows * input.cols).std,
      weight: engine.runners[index].gradientWeightStd,
    };
  }
  const layers: LayerReport[] = partial.map((l, i) => ({ ...l, gradientInputStd: gradients[i].input, gradientWeightStd: gradients[i].weight }));
  // A network that starts with an embedding is fed token ids: its input, for the report, is the embedded vectors.
  const inputTensor = net.steps[0].kind === 'embedding' ? engine.tensorRegion(net.steps[0].output) : engine.tensorRegion(0);
  const inputMoments = moments(k.view(), inputTensor.offset, inputTensor.rows * inputTensor.cols);
  return { seed: String(prepared.seed), batch: samples, input: inputMoments, layers, loss, warnings: warningsOf({ input: inputMoments, layers }) };
}

/**
 * Probes an initialized network: pushes a batch (by default 256 samples of N(0, 1), seeded) forward through
 * every layer with its activation, then backward from the synthetic loss sum(output * R), element by element,
 * with a fixed projection R of the output's shape, and reports per layer the statistics of ProbeReport
 * (src/diagnose/report.ts). The input is `normal([batch, inputSize], { seed, stream: 'probe.input' })` and R
 * `normal([batch, outputSize], { seed, stream: 'probe.projection' })`, so a report is reproducible from its seed.
 *
 * `model` is a spec (initialized here with initModel and options.seed/policy/rules) or `{ spec, weights }` with
 * weights by parameter name (initModel's Map, or values from anywhere in the spec's layout). Runs dense,
 * conv1d/2d/3d (stride 1, 'same' zero padding), rnn/lstm/gru (unrolled options.steps steps from a zero state,
 * forward direction), layernorm/rmsnorm (per position) and batchnorm (training mode: batch statistics), inside
 * repeat/block containers with or without residual connections. An embedding may be the first layer: the
 * batch is then token ids, uniform over the vocabulary (`randomBits` of the input stream scaled down), or given
 * as options.input, and the report's `input` describes the embedded vectors. Attention layers, embeddings
 * elsewhere and bidirectional recurrent layers are refused with a RangeError naming them; param layers are
 * skipped (they compute nothing).
 *
 * @example const report = probe({ seed: 1, layers: [{ type: 'dense', in: 512, out: 512, activation: 'tanh' }] });
 *          report.layers[0].post.std; warningsOf(report)
 */
export function probe(model: ModelSpecInput | string | ProbeModel, options?: ProbeOptions): ProbeReport {
  const setup = setUp('probe', model, options);
  const engine = new Engine(probeKernels(), setup.net, setup.weights, setup.input, setup.samples, setup.projection);
  return runProbe(setup, engine);
}
