// nninit/tfjs: nninit's initializers as TF.js initializer classes, for kernelInitializer, recurrentInitializer
// and the other initializer arguments of tf.layers. Each class is registered with tf.serialization under
// 'nninit>Name', so model.toJSON() and tf.models.modelFromJSON() round-trip it with its options.
//
// Weights are computed in TF.js's (Keras) layout `[...kernel, in, out]`; options and defaults are nninit's (see
// each initializer's doc comment in nninit), which differ from TF.js's built-ins in places: for example
// RandomUniform defaults to U[0, 1) rather than U[-0.05, 0.05], and the *Normal presets correct the variance
// of the truncated normal where TF.js does not (README, "Where the frameworks differ").
//
// Seeds. Every apply is a pure function of (seed, stream, options, shape): the instance keeps no state, so a
// model rebuilt from its JSON gets exactly the weights the original got, because the JSON holds everything the
// weights depend on (a per-instance call counter would not survive serialization). An instance constructed
// without a seed draws one from crypto.getRandomValues at construction, as Keras 3 does, and, unlike Keras 3,
// serializes it: toJSON then modelFromJSON reproduces unseeded weights too. The cost is that one instance shared
// by two layers of the same shape gives both the same weights: give each layer its own instance (or `stream`).
//
// Options are checked when the instance is constructed, with nninit's own messages, so a typo fails where it is
// made and not when a layer is built; only what depends on the kernel's rank (whether an inAxis, outAxis or
// batchAxis lies within it) waits for apply. The output options (dtype, offset, length, out) and layout are
// refused: TF.js asks for a float32 tensor of the layer's whole shape in its own layout.

import * as tf from '@tensorflow/tfjs';
import {
  deltaOrthogonal, dirac, fnv1a64, glorotNormal, glorotUniform, heNormal, heUniform, identity, lecunNormal,
  lecunUniform, normal, orthogonal, sparse, truncatedNormal, uniform, varianceScaling,
  type DiracOptions, type GlorotOptions, type HeOptions, type IdentityOptions, type LecunOptions,
  type NormalOptions, type NormalPresetOptions, type OrthogonalOptions, type OutputOptions, type Seed,
  type SparseOptions, type Stream, type TruncatedNormalOptions, type UniformOptions, type VarianceScalingOptions,
} from '../index.js';
import { typeError, unknownOptionMessage, unknownOptionOf } from '../core/validate.js';
import { freshSeed } from '../core/seed.js';

/**
 * An adapter class's options: nninit's options for the same initializer, less the output options (the adapter
 * always produces a float32 tensor of the whole shape) and the layout (TF.js stores kernels as Keras does).
 */
export type TfjsConfig<O> = Omit<O, keyof OutputOptions | 'layout'>;

type TfInitializer = ReturnType<typeof tf.initializers.zeros>;

// tf.initializers holds only factory functions: TF.js 4 exports no Initializer class to extend
// (tfjs-layers/src/exports_initializers.ts). Layers accept an initializer object only if it is an instance of
// that class (getInitializer in tfjs-layers/src/initializers.ts), so the adapter takes it from a built-in one.
const Initializer = Object.getPrototypeOf(tf.initializers.zeros().constructor) as abstract new () => TfInitializer;

/**
 * TF.js's JSON form rewrites every string value of a config, camelCase to snake_case on toJSON and back on
 * modelFromJSON (convertTsToPythonic and convertPythonicToTs in tfjs-layers/src/utils/serialization_utils.ts).
 * So the options are kept in the spellings that survive that trip: mode and distribution in camelCase
 * ('fan_in' becomes 'fanIn'), nonlinearity in nninit's snake_case ('leakyRelu' becomes 'leaky_relu').
 */
function canonicalSpelling(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (key === 'mode' || key === 'distribution') return value.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  if (key === 'nonlinearity') return value.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return value;
}

/**
 * A seed or stream as a config value. JSON has no bigint, and a string would be case-rewritten (see
 * canonicalSpelling), so bigints become their decimal digits and a string stream its FNV-1a 64 hash in
 * decimal: the 64-bit stream id nninit derives from the string, so the weights are unchanged.
 */
function encodeKey(value: Seed | Stream): number | string {
  if (typeof value === 'string') return fnv1a64(value).toString();
  return typeof value === 'bigint' ? value.toString() : value;
}

/** The inverse of encodeKey: decimal digits are a 64-bit integer; other values pass through to nninit's checks. */
function decodeKey(value: unknown): unknown {
  return typeof value === 'string' && /^[0-9]+$/.test(value) ? BigInt(value) : value;
}

/** 'HeNormal' for 'nninit>HeNormal': the name registerClass and error messages use. */
function shortName(className: string): string {
  return className.slice(className.indexOf('>') + 1);
}

/** The fan-axis options, whose valid values depend on the rank of the kernel (see emptyShape). */
const FAN_AXIS_OPTIONS = ['inAxis', 'outAxis', 'batchAxis'];

/** Options of nninit's functions that make no sense for a framework initializer. */
const REFUSED_OPTIONS = ['dtype', 'offset', 'length', 'out', 'layout'];

/**
 * The library's "unknown option" error lists every option of the function behind an adapter; the adapter's own
 * list leaves out the ones it refuses, so that the message does not suggest them.
 */
function withoutRefusedOptions(error: unknown): unknown {
  const unknown = unknownOptionOf(error);
  if (!unknown) return error;
  const options = unknown.allowed.filter((option) => !REFUSED_OPTIONS.includes(option));
  return new TypeError(unknownOptionMessage(unknown.fn, unknown.option, options));
}

/** The TF.js face shared by every adapter class: the options, their serialized form, and apply over `generate`. */
abstract class NninitInitializer<Config extends object> extends Initializer {
  /** The options, in the spellings that survive TF.js's JSON form, with the seed drawn if none was given. */
  protected readonly config: Config;

  constructor(config?: Config) {
    super();
    const name = shortName(this.getClassName());
    if (config !== undefined && (config === null || typeof config !== 'object' || Array.isArray(config) || ArrayBuffer.isView(config))) {
      throw typeError(name, 'options', 'an object', config);
    }
    for (const key of REFUSED_OPTIONS) {
      if (config !== undefined && key in config) {
        throw new TypeError(`nninit.${name}: options.${key} is not an option of a TF.js initializer: TF.js takes a float32 tensor of the layer's whole shape, in its own (Keras) layout`);
      }
    }
    const entries = Object.entries(config ?? {}).map(([key, value]) => [key, canonicalSpelling(key, value)]);
    if (this.random() && (config as { seed?: unknown } | undefined)?.seed === undefined) entries.push(['seed', freshSeed()]);
    this.config = Object.fromEntries(entries) as Config;
    // nninit checks every option (shape aside) even for an empty tensor: a bad one throws here.
    try {
      this.generate(this.emptyShape());
    } catch (error) {
      throw withoutRefusedOptions(error);
    }
  }

  /** The float32 values of a tensor of `shape` in the Keras layout. */
  protected abstract generate(shape: number[]): Float32Array;

  /** Whether the initializer draws random numbers (and so takes a seed). */
  protected random(): boolean {
    return true;
  }

  /**
   * An empty tensor of a rank the initializer accepts, generated once to check the options. With fan axes
   * (inAxis, outAxis, batchAxis), whose range depends on the rank of the kernel TF.js will ask for, the rank is
   * chosen so that every axis given lies in range and the non-negative axes and the negative ones (the layout's
   * in -2 and out -1 among them) fall on different axes. Everything that fails on every rank (a non-integer axis,
   * an axis given twice, -1 as inAxis beside the default outAxis -1) still fails here; what depends on the rank
   * (an axis beyond the kernel's rank, -2 and 0 naming one axis of a rank-2 kernel) is checked by apply.
   */
  protected emptyShape(): number[] {
    const axes = FAN_AXIS_OPTIONS.flatMap((key) => {
      const value = (this.config as Record<string, unknown>)[key];
      const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
      return list.filter((axis): axis is number => Number.isSafeInteger(axis));
    });
    if (axes.length === 0) return [0, 0];
    const leading = Math.max(0, ...axes.map((axis) => axis + 1));
    const trailing = Math.max(2, ...axes.map((axis) => -axis));
    return new Array<number>(leading + trailing).fill(0);
  }

  override apply(shape: readonly (number | null)[], dtype?: tf.DataType): tf.Tensor {
    const name = `${shortName(this.getClassName())}.apply`;
    if (dtype !== undefined && dtype !== 'float32') throw typeError(name, 'dtype', "'float32'", dtype);
    if (!shape.every((dimension) => typeof dimension === 'number')) throw typeError(name, 'shape', 'fully defined', shape);
    const dimensions = shape as number[];
    return tf.tensor(this.generate(dimensions), dimensions, 'float32');
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {};
    for (const [key, value] of Object.entries(this.config) as [string, number | string | bigint | undefined][]) {
      if (value === undefined) continue;
      config[key] = key === 'seed' || key === 'stream' ? encodeKey(value) : value as number | string;
    }
    return config;
  }

  /**
   * Rebuilds an instance from getConfig's output. TF.js adds a `customObjects` entry to the config it passes
   * (deserializeKerasObject in tfjs-layers/src/utils/generic_utils.ts) and writes absent options as null.
   */
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
      if (key === 'customObjects' || value === null) continue;
      options[key] = key === 'seed' || key === 'stream' ? decodeKey(value) : value;
    }
    return new cls(options);
  }
}

/** nninit's uniform: U[low, high), default [0, 1). */
export class RandomUniform extends NninitInitializer<TfjsConfig<UniformOptions>> {
  static className = 'nninit>RandomUniform';
  protected generate(shape: number[]) { return uniform(shape, this.config); }
}

/** nninit's normal: N(mean, std^2), default N(0, 1). */
export class RandomNormal extends NninitInitializer<TfjsConfig<NormalOptions>> {
  static className = 'nninit>RandomNormal';
  protected generate(shape: number[]) { return normal(shape, this.config); }
}

/** nninit's truncatedNormal: N(mean, std^2) cut at `lower` and `upper` standard deviations (default +-2). */
export class TruncatedNormal extends NninitInitializer<TfjsConfig<TruncatedNormalOptions>> {
  static className = 'nninit>TruncatedNormal';
  protected generate(shape: number[]) { return truncatedNormal(shape, this.config); }
}

/** nninit's varianceScaling: variance scale / fan, fan per `mode`, drawn from `distribution`. */
export class VarianceScaling extends NninitInitializer<TfjsConfig<VarianceScalingOptions>> {
  static className = 'nninit>VarianceScaling';
  protected generate(shape: number[]) { return varianceScaling(shape, this.config); }
}

/** nninit's glorotUniform: U(-limit, limit), limit = gain sqrt(6 / (fanIn + fanOut)). */
export class GlorotUniform extends NninitInitializer<TfjsConfig<GlorotOptions>> {
  static className = 'nninit>GlorotUniform';
  protected generate(shape: number[]) { return glorotUniform(shape, this.config); }
}

/** nninit's glorotNormal: variance gain^2 2 / (fanIn + fanOut). */
export class GlorotNormal extends NninitInitializer<TfjsConfig<GlorotOptions & NormalPresetOptions>> {
  static className = 'nninit>GlorotNormal';
  protected generate(shape: number[]) { return glorotNormal(shape, this.config); }
}

/** nninit's heUniform: U(-bound, bound), bound = gain sqrt(3 / fan), gain sqrt(2) by default. */
export class HeUniform extends NninitInitializer<TfjsConfig<HeOptions>> {
  static className = 'nninit>HeUniform';
  protected generate(shape: number[]) { return heUniform(shape, this.config); }
}

/** nninit's heNormal: variance gain^2 / fan, 2 / fanIn by default. */
export class HeNormal extends NninitInitializer<TfjsConfig<HeOptions & NormalPresetOptions>> {
  static className = 'nninit>HeNormal';
  protected generate(shape: number[]) { return heNormal(shape, this.config); }
}

/** nninit's lecunUniform: U(-sqrt(3 / fanIn), sqrt(3 / fanIn)). */
export class LecunUniform extends NninitInitializer<TfjsConfig<LecunOptions>> {
  static className = 'nninit>LecunUniform';
  protected generate(shape: number[]) { return lecunUniform(shape, this.config); }
}

/** nninit's lecunNormal: variance 1 / fanIn. */
export class LecunNormal extends NninitInitializer<TfjsConfig<LecunOptions & NormalPresetOptions>> {
  static className = 'nninit>LecunNormal';
  protected generate(shape: number[]) { return lecunNormal(shape, this.config); }
}

/**
 * nninit's orthogonal: a Haar-random matrix times `gain`, flattened as TF.js's Orthogonal does (columns = the
 * last axis). For an LSTM's recurrent kernel `[units, 4 units]` the rows are orthonormal.
 */
export class Orthogonal extends NninitInitializer<TfjsConfig<OrthogonalOptions>> {
  static className = 'nninit>Orthogonal';
  protected generate(shape: number[]) { return orthogonal(shape, this.config); }
}

/** nninit's identity: `gain` on the main diagonal of any 2-D shape (TF.js's Identity requires a square one). */
export class Identity extends NninitInitializer<TfjsConfig<IdentityOptions>> {
  static className = 'nninit>Identity';
  protected generate(shape: number[]) { return identity(shape, this.config); }
  protected override random() { return false; }
}

/** nninit's dirac: the convolution kernel that passes its input channels through. */
export class Dirac extends NninitInitializer<TfjsConfig<DiracOptions>> {
  static className = 'nninit>Dirac';
  protected generate(shape: number[]) { return dirac(shape, this.config); }
  protected override random() { return false; }
  protected override emptyShape() { return [1, 0, 0]; }
}

/** nninit's deltaOrthogonal: an orthogonal channel map at the kernel's spatial centre. */
export class DeltaOrthogonal extends NninitInitializer<TfjsConfig<OrthogonalOptions>> {
  static className = 'nninit>DeltaOrthogonal';
  protected generate(shape: number[]) { return deltaOrthogonal(shape, this.config); }
  protected override emptyShape() { return [1, 0, 0]; }
}

/** nninit's sparse: N(0, std^2) with ceil(sparsity units) zeros per input; `sparsity` is required. */
export class Sparse extends NninitInitializer<TfjsConfig<SparseOptions>> {
  static className = 'nninit>Sparse';

  constructor(config: TfjsConfig<SparseOptions>) {
    super(config);
  }

  protected generate(shape: number[]) { return sparse(shape, this.config); }
}

for (const cls of [
  RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal,
  LecunUniform, LecunNormal, Orthogonal, Identity, Dirac, DeltaOrthogonal, Sparse,
]) {
  tf.serialization.registerClass(cls, 'nninit', shortName(cls.className));
}
