// The initializers a TF.js (or Keras) model.json configures, as nninit's equivalents: what the 'model' policy
// draws. Serialized forms: a string identifier ('glorotUniform', 'he_normal'), `{ class_name, config }` as TF.js
// and Keras 2 write it (TF.js writes GlorotUniform and the other presets as VarianceScaling), Keras 3's
// `{ module, class_name, config, registered_name }`, and nninit's own 'nninit>Name' classes (nninit/tfjs).
//
// Where TF.js's own draw differs from the equivalent (tfjs-layers/src/initializers.ts, 4.22):
// - VarianceScaling with distribution 'normal' (so HeNormal, GlorotNormal, LeCunNormal) draws a normal truncated at
//   2 sigma without rescaling it, so its variance is 0.774 of the configured one (tfjs#8594); nninit draws what the
//   configuration asks for, as Keras does: truncated with the std divided by 0.8796.
// - RandomUniform reads `minval || -0.05` and `maxval || 0.05`, so a configured 0 becomes -0.05 (or 0.05);
//   RandomNormal and TruncatedNormal read `stddev || 0.05`. nninit takes the configuration as written. (TF.js writes
//   the value it used, so a model.json that TF.js saved already holds -0.05.)
// - Its fans of shapes of rank 1 or above 5 are sqrt(size) each; nninit's (Keras 3's) are (size, size).
// - A configured seed seeds TF.js's generator; nninit draws from its own seed and the parameter's stream instead.

import { isPlainObject } from '../model/errors.js';
import type { InitializerName, Options } from '../model/registry.js';

export interface Configured {
  readonly initializer: InitializerName;
  readonly options: Options;
  /** The configuration as written, briefly: 'VarianceScaling(scale=2, mode=fan_in, distribution=normal)'. */
  readonly text: string;
  /** Where TF.js's own draw differs from this one. */
  readonly note?: string;
}

const TRUNCATION_NOTE = "TF.js's own draw is truncated without rescaling: variance 0.774x (tfjs#8594)";

/** 'GlorotUniform', 'glorotUniform', 'glorot_uniform' -> 'glorotuniform'. */
const normalized = (name: string) => name.replace(/_/g, '').toLowerCase();

function modeOf(value: unknown, path: string): 'fanIn' | 'fanOut' | 'fanAvg' {
  switch (typeof value === 'string' ? normalized(value) : value) {
    case undefined: case null: case 'fanin': return 'fanIn';
    case 'fanout': return 'fanOut';
    case 'fanavg': return 'fanAvg';
    default: throw new RangeError(`${path}.mode: expected fan_in, fan_out or fan_avg, got ${JSON.stringify(value)}`);
  }
}

function numberOf(config: Record<string, unknown>, key: string, fallback: number, path: string): number {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${path}.${key}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

const PRESETS: Record<string, { scale: number; mode: 'fanIn' | 'fanAvg'; uniform: InitializerName; normal: InitializerName }> = {
  glorot: { scale: 1, mode: 'fanAvg', uniform: 'glorotUniform', normal: 'glorotNormal' },
  he: { scale: 2, mode: 'fanIn', uniform: 'heUniform', normal: 'heNormal' },
  lecun: { scale: 1, mode: 'fanIn', uniform: 'lecunUniform', normal: 'lecunNormal' },
};

/** VarianceScaling(scale, mode, distribution) as a preset where it is one, else varianceScaling. */
function varianceScaled(scale: number, mode: 'fanIn' | 'fanOut' | 'fanAvg', distribution: string, text: string): Configured {
  const kind = distribution === 'uniform' ? 'uniform' : distribution === 'untruncatednormal' ? 'untruncated' : 'truncated';
  const note = distribution === 'normal' ? TRUNCATION_NOTE : undefined;
  const preset = Object.values(PRESETS).find((p) => p.scale === scale && p.mode === mode);
  if (preset) {
    const initializer = kind === 'uniform' ? preset.uniform : preset.normal;
    return { initializer, options: kind === 'untruncated' ? { distribution: 'normal' } : {}, text, ...(note ? { note } : {}) };
  }
  const nninitDistribution = kind === 'uniform' ? 'uniform' : kind === 'untruncated' ? 'normal' : 'truncatedNormal';
  return { initializer: 'varianceScaling', options: { scale, mode, distribution: nninitDistribution }, text, ...(note ? { note } : {}) };
}

/** nninit's own classes (nninit/tfjs): 'nninit>HeNormal' is heNormal with the serialized options. */
const NNINIT_CLASSES: Record<string, InitializerName> = {
  RandomUniform: 'uniform', RandomNormal: 'normal', TruncatedNormal: 'truncatedNormal', VarianceScaling: 'varianceScaling',
  GlorotUniform: 'glorotUniform', GlorotNormal: 'glorotNormal', HeUniform: 'heUniform', HeNormal: 'heNormal',
  LecunUniform: 'lecunUniform', LecunNormal: 'lecunNormal', Orthogonal: 'orthogonal', Identity: 'identity',
  Dirac: 'dirac', DeltaOrthogonal: 'deltaOrthogonal', Sparse: 'sparse',
};

function argumentsText(config: Record<string, unknown>): string {
  const entries = Object.entries(config).filter(([key, value]) => key !== 'seed' && value !== null && value !== undefined);
  return entries.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ');
}

/**
 * nninit's equivalent of a configured initializer; `fallback` is the layer's default when the configuration has
 * none. Throws a RangeError naming `path` for anything it does not know.
 */
export function configuredInitializer(spec: unknown, path: string, fallback: string): Configured {
  let className: string;
  let config: Record<string, unknown> = {};
  if (spec === undefined || spec === null) {
    className = fallback;
  } else if (typeof spec === 'string') {
    className = spec;
  } else if (isPlainObject(spec) && typeof (spec.class_name ?? spec.className) === 'string') {
    className = (spec.class_name ?? spec.className) as string;
    if (spec.config !== undefined && spec.config !== null) {
      if (!isPlainObject(spec.config)) throw new RangeError(`${path}.config: expected an object, got ${JSON.stringify(spec.config)}`);
      config = spec.config;
    }
  } else {
    throw new RangeError(`${path}: expected an initializer name or { class_name, config }, got ${JSON.stringify(spec)}`);
  }
  const written = `${className}${Object.keys(config).length ? `(${argumentsText(config)})` : ''}`;
  if (className.startsWith('nninit>')) {
    const initializer = NNINIT_CLASSES[className.slice('nninit>'.length)];
    if (!initializer) throw new RangeError(`${path}: unknown nninit class ${JSON.stringify(className)}`);
    const { seed: _seed, stream: _stream, ...options } = config;
    if (typeof options.distribution === 'string') options.distribution = options.distribution === 'truncated_normal' ? 'truncatedNormal' : options.distribution;
    return { initializer, options, text: written };
  }
  switch (normalized(className)) {
    case 'zeros': case 'zero': return { initializer: 'zeros', options: {}, text: written };
    case 'ones': case 'one': return { initializer: 'ones', options: {}, text: written };
    case 'constant': return { initializer: 'constant', options: { value: config.value ?? 0 }, text: written };
    case 'randomuniform': case 'uniform': {
      const low = numberOf(config, 'minval', -0.05, path), high = numberOf(config, 'maxval', 0.05, path);
      const note = low === 0 || high === 0 ? `TF.js would read ${low === 0 ? 'minval 0 as -0.05' : 'maxval 0 as 0.05'} (\`minval || -0.05\`)` : undefined;
      return { initializer: 'uniform', options: { low, high }, text: written, ...(note ? { note } : {}) };
    }
    // A mean of 0 is nninit's default and left out, so that explain spells the call as 'normal(std=0.05)' and
    // 'truncatedNormal(std=0.02, ±2σ)'; nninit's truncatedNormal cuts at -2 and 2 standard deviations by default,
    // as TF.js's TruncatedNormal does, and with a mean the cut is left to that default, so that no bound is printed
    // without its unit.
    case 'randomnormal': case 'normal': {
      const mean = numberOf(config, 'mean', 0, path), std = numberOf(config, 'stddev', 0.05, path);
      return { initializer: 'normal', options: mean === 0 ? { std } : { mean, std }, text: written };
    }
    case 'truncatednormal': {
      const mean = numberOf(config, 'mean', 0, path), std = numberOf(config, 'stddev', 0.05, path);
      return { initializer: 'truncatedNormal', options: mean === 0 ? { std, lower: -2, upper: 2 } : { mean, std }, text: written };
    }
    case 'variancescaling': {
      const distribution = normalized(typeof config.distribution === 'string' ? config.distribution : 'normal');
      if (!['normal', 'truncatednormal', 'untruncatednormal', 'uniform'].includes(distribution)) {
        throw new RangeError(`${path}.config.distribution: expected normal, truncated_normal, untruncated_normal or uniform, got ${JSON.stringify(config.distribution)}`);
      }
      return varianceScaled(numberOf(config, 'scale', 1, path), modeOf(config.mode, `${path}.config`), distribution, written);
    }
    case 'glorotuniform': return varianceScaled(1, 'fanAvg', 'uniform', written);
    case 'glorotnormal': return varianceScaled(1, 'fanAvg', 'truncatednormal', written);
    case 'heuniform': return varianceScaled(2, 'fanIn', 'uniform', written);
    case 'henormal': return varianceScaled(2, 'fanIn', 'truncatednormal', written);
    case 'lecununiform': return varianceScaled(1, 'fanIn', 'uniform', written);
    case 'lecunnormal': return varianceScaled(1, 'fanIn', 'truncatednormal', written);
    case 'orthogonal': case 'orthogonalinitializer': return { initializer: 'orthogonal', options: { gain: numberOf(config, 'gain', 1, path) }, text: written };
    case 'identity': case 'identityinitializer': return { initializer: 'identity', options: { gain: numberOf(config, 'gain', 1, path) }, text: written };
    default:
      throw new RangeError(`${path}: the initializer ${JSON.stringify(className)} has no nninit equivalent`);
  }
}
