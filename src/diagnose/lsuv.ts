// Layer-sequential unit-variance initialization (Mishkin and Matas, "All you need is a good init", ICLR 2016),
// on the probe's engine.

import type { Seed } from '../core/seed.js';
import { checkKeys, isPlainObject, pathRangeError, pathTypeError } from '../model/errors.js';
import { initModel } from '../model/init.js';
import { parseSpec, type ModelSpecInput, type PolicySpec } from '../model/spec.js';
import type { RuleSpec } from '../model/rules.js';
import type { ParameterPlan } from '../model/types.js';
import { Engine } from './engine.js';
import { compileNetwork } from './network.js';
import { buildSetup, isProbeModel, parseOptions, prepareModel, probeKernels, type PreparedModel, type ProbeModel, type WeightValues } from './probe.js';
import { moments } from './statistics.js';

export interface LsuvOptions {
  /** Seed of the orthogonal start (a spec) and of the N(0, 1) batch when none is given. */
  seed?: Seed | string;
  /** Policy and rules for the spec's other parameters (biases, recurrent and norm layers); not with a model. */
  policy?: PolicySpec;
  rules?: RuleSpec[];
  /** Samples of the N(0, 1) batch when no batch is given (default 256). */
  batch?: number;
  /** As probe's: a convolutional network's input extent, a recurrent network's steps. */
  spatial?: number[];
  steps?: number;
  /** Stop rescaling a layer once |variance - 1| < tolerance (default 0.1, the paper's Tol_var). */
  tolerance?: number;
  /** At most this many rescalings per layer (default 10, the paper's T_max). */
  maxIterations?: number;
}

/** What LSUV did to one layer. */
export interface LsuvLayer {
  readonly name: string;
  /** The weight it rescaled. */
  readonly weight: string;
  /** Rescalings made (0 when the start was already within the tolerance). */
  readonly iterations: number;
  /** The product of the rescalings: the weight is its start times this. */
  readonly scale: number;
  /** Variance of the layer's output (before its activation) on the batch after the last rescaling. */
  readonly variance: number;
  readonly converged: boolean;
}

/** A model ready for probe() and for use: the spec, the rescaled weights, and what LSUV did layer by layer. */
export interface LsuvResult extends ProbeModel {
  readonly weights: Map<string, WeightValues>;
  readonly seed: Seed;
  readonly layers: readonly LsuvLayer[];
}

const LSUV_KEYS = ['tolerance', 'maxIterations'];
const ALLOWED = ['seed', 'policy', 'rules', 'batch', 'spatial', 'steps', ...LSUV_KEYS];

/**
 * LSUV (Mishkin and Matas 2016, Algorithm 1): start from orthonormal weights (Saxe et al. 2014), then, layer by
 * layer in forward order, divide the weight by the standard deviation of the layer's output on the batch until
 * its variance is within `tolerance` of 1, at most `maxIterations` times. The output measured is the layer's
 * affine output before its activation, as PyTorch reimplementations hook the Linear/Conv module; biases are
 * left as they are.
 *
 * `model` is a spec, whose dense and conv weights are drawn orthogonal (`orthogonal` with gain 1, per the spec's
 * layout) and every other parameter by the policy and rules, or `{ spec, weights }`, whose weights are the start
 * as given. Only dense and conv layers are rescaled; recurrent and norm layers keep their values. `batch` is the
 * input, [samples, ...spatial, features] channels last (default: options.batch samples of N(0, 1) from the seed).
 * Deterministic for a seed, and the same bits on the wasm and js backends in every runtime: the probe's kernels
 * compute the same float32 values on both (src/diagnose/kernels.ts), and the scales are float64 arithmetic on them.
 *
 * @example const { weights, layers } = lsuv({ seed: 1, layers: [...] });
 *          probe({ spec, weights })   // every layer's pre-activation variance within 0.1 of 1 on the batch
 */
export function lsuv(model: ModelSpecInput | string | ProbeModel, batch?: ArrayLike<number> | LsuvOptions, options?: LsuvOptions): LsuvResult {
  const fn = 'lsuv';
  if (options === undefined && isPlainObject(batch)) {
    options = batch as LsuvOptions;
    batch = undefined;
  }
  if (batch !== undefined && !(batch instanceof Float32Array || batch instanceof Float64Array || Array.isArray(batch))) {
    throw pathTypeError(fn, 'batch', 'a Float32Array, Float64Array or array of numbers', batch);
  }
  if (options !== undefined && !isPlainObject(options)) throw pathTypeError(fn, 'options', 'an object', options);
  const o: LsuvOptions = options ?? {};
  checkKeys(fn, 'options', o as Record<string, unknown>, ALLOWED);
  const parsed = parseOptions(fn, o as never, LSUV_KEYS);
  if (batch !== undefined) {
    if (o.batch !== undefined) throw new TypeError(`nninit.${fn}: a batch and options.batch exclude each other (the batch's length gives its size)`);
    parsed.input = batch as ArrayLike<number>;
    parsed.inputPath = 'batch';
  }
  const tolerance = o.tolerance ?? 0.1;
  if (typeof tolerance !== 'number' || !(tolerance > 0) || !Number.isFinite(tolerance)) throw pathRangeError(fn, 'options.tolerance', 'a positive number', tolerance);
  const maxIterations = o.maxIterations ?? 10;
  if (typeof maxIterations !== 'number' || !Number.isSafeInteger(maxIterations) || maxIterations < 0) {
    throw pathRangeError(fn, 'options.maxIterations', 'a non-negative integer', maxIterations);
  }

  let prepared: PreparedModel;
  if (isProbeModel(model)) prepared = prepareModel(fn, model, o);
  else {
    // The orthogonal start: the policy's choices, then the caller's rules, then orthogonal for every dense and
    // conv weight (the last matching rule wins).
    const spec = parseSpec(model, { ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.policy !== undefined ? { policy: o.policy } : {}) }, fn);
    const net = compileNetwork(fn, spec, { ...(parsed.spatial ? { spatial: parsed.spatial } : {}), steps: parsed.steps });
    const given = o.rules ?? (typeof model === 'string' ? JSON.parse(model).rules : model.rules) ?? [];
    const orthogonal = net.steps.flatMap((s) => (s.kind === 'dense' || s.kind === 'conv' ? [{ match: s.weight, init: 'orthogonal' as const }] : []));
    prepared = prepareModel(fn, model, { ...o, rules: [...given, ...orthogonal] });
  }
  const setup = buildSetup(fn, prepared, parsed);
  const engine = new Engine(probeKernels(), setup.net, setup.weights, setup.input, setup.samples, setup.projection);

  const layers: LsuvLayer[] = [];
  const scales = new Map<string, number>();
  setup.net.steps.forEach((step, index) => {
    for (let i = engine.done; i < index; i++) engine.forwardStep(i);
    if (step.kind !== 'dense' && step.kind !== 'conv') return;
    const start = setup.weights.get(step.weight)!;
    let scale = 1, iterations = 0, variance = 0, converged = false;
    for (;;) {
      engine.forwardStep(index);
      const pre = engine.runners[index].pre();
      variance = moments(engine.k.view(), pre.offset, pre.rows * pre.cols).std ** 2;
      if (Math.abs(variance - 1) < tolerance) {
        converged = true;
        break;
      }
      // A layer whose output does not vary (zero weights, a dead input) cannot be rescaled to unit variance.
      if (iterations === maxIterations || !(variance > 0) || !Number.isFinite(variance)) break;
      scale /= Math.sqrt(variance);
      iterations++;
      engine.setWeight(step.weight, start, scale);
    }
    scales.set(step.weight, scale);
    layers.push({ name: step.name, weight: step.weight, iterations, scale, variance, converged });
  });

  const weights = new Map<string, WeightValues>();
  for (const [name, values] of prepared.weights) {
    const scale = scales.get(name);
    if (scale === undefined || scale === 1) weights.set(name, values);
    else {
      const source = setup.weights.get(name)!;
      const scaled = source instanceof Float64Array ? new Float64Array(source.length) : new Float32Array(source.length);
      for (let i = 0; i < source.length; i++) scaled[i] = source[i] * scale;
      weights.set(name, scaled);
    }
  }
  if (prepared.plan) Object.defineProperty(weights, 'plan', { value: prepared.plan as readonly ParameterPlan[], enumerable: false });
  Object.defineProperty(weights, 'seed', { value: prepared.seed, enumerable: false });
  return { spec: isProbeModel(model) ? model.spec : model, weights, seed: prepared.seed, layers };
}
