// The model spec: parsing and checking (every error names its JSON path, before anything is computed), the
// normalized spec the other layers walk, and its expansion into parameter descriptors.

import type { Layout } from '../core/fans.js';
import type { Dtype } from '../core/output.js';
import type { Seed } from '../core/seed.js';
import { ACTIVATION_NAMES, DEFAULT_LEAKY_SLOPE, type ActivationName } from './activations.js';
import { checkKeys, isPlainObject, joinPath, pathRangeError, pathTypeError } from './errors.js';
import { CONV_DIMENSIONS, LAYER_TYPES, LAYER_TYPE_NAMES, type FieldKind, type LayerType, type ModelLayer } from './layers.js';
import { POLICIES, POLICY_NAMES, type PolicyName, type PolicySetting } from './policies.js';
import { INITIALIZER_NAMES, type InitializerName } from './registry.js';
import { parseRules, type Rule, type RuleSpec } from './rules.js';
import type { ParameterDescriptor } from './types.js';

/** A layer as written in a spec: `type`, an optional `name`, and the type's fields (see LAYER_TYPES). */
export interface LayerSpec {
  type: LayerType;
  name?: string;
  [field: string]: unknown;
}

/** A policy as written: its name, or `{ name, ...parameters }` ('gpt2' takes nLayer and std). */
export type PolicySpec = PolicyName | PolicySetting;

/**
 * Where random values come from: 'philox' (default), nninit's counter-based streams, one per parameter (the
 * stream contract); 'torch', PyTorch's default CPU generator after torch.manual_seed(seed), the spec's torch.nn
 * modules constructed in order (only with the 'pytorch' policy and the 'torch' layout).
 */
export type RngName = 'philox' | 'torch';
export const RNG_NAMES: readonly RngName[] = ['philox', 'torch'];

/** A model spec as written (JSON text or a JS object). Unknown fields are errors. */
export interface ModelSpecInput {
  /** Integer in [0, 2^64): a number, a bigint, or a decimal string (for seeds beyond 2^53 in JSON). */
  seed?: Seed | string;
  policy?: PolicySpec;
  layout?: Layout;
  dtype?: Dtype;
  rng?: RngName;
  rules?: RuleSpec[];
  layers: LayerSpec[];
  /** Free text, for example files. */
  description?: string;
}

/**
 * Options of planModel, initModel and explainModel. Each overrides the spec's field of the same name (`rules`
 * replaces the spec's rules). Unknown options are errors, so later options (such as a choice of generator) can be
 * added without a typo passing silently.
 */
export interface ModelOptions {
  seed?: Seed | string;
  policy?: PolicySpec;
  rules?: RuleSpec[];
  dtype?: Dtype;
  layout?: Layout;
  rng?: RngName;
}

/** The parsed spec, options applied, every default filled in. */
export interface ModelSpec {
  /** Undefined when neither spec nor options give one (planModel then draws a fresh seed). */
  readonly seed?: Seed;
  readonly policy: PolicySetting;
  readonly layout: Layout;
  readonly dtype: Dtype;
  readonly rng: RngName;
  readonly rules: readonly Rule[];
  readonly layers: readonly ModelLayer[];
  readonly description?: string;
}

const SPEC_KEYS = ['seed', 'policy', 'layout', 'dtype', 'rng', 'rules', 'layers', 'description'];
export const MODEL_OPTION_KEYS = ['seed', 'policy', 'rules', 'dtype', 'layout', 'rng'];
const LAYOUT_NAMES: readonly Layout[] = ['torch', 'keras'];
const DTYPE_NAMES: readonly Dtype[] = ['float32', 'float64', 'float16', 'bfloat16'];
const RESERVED_OPTIONS = ['seed', 'stream', 'dtype', 'offset', 'length', 'out'];
/** Names are dot-separated segments of letters, digits, '_' and '-'; '/' is kept for block streams (`name/k`). */
const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

function choice<T extends string>(fn: string, path: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string') throw pathTypeError(fn, path, `one of ${quoted(choices)}`, value);
  if (!(choices as readonly string[]).includes(value)) throw pathRangeError(fn, path, `one of ${quoted(choices)}`, value);
  return value as T;
}

export function parseSeed(fn: string, path: string, value: unknown): Seed {
  if (typeof value === 'string') {
    if (!/^[0-9]+$/.test(value)) throw pathRangeError(fn, path, 'an integer in [0, 2^64) (a decimal string)', value);
    value = BigInt(value);
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw pathRangeError(fn, path, 'an integer in [0, 2^64)', value);
    if (!Number.isSafeInteger(value)) {
      // JSON numbers are doubles: 18446744073709551615 arrives as 2^64, and 2^53 + 1 as 2^53.
      throw pathRangeError(fn, path, 'a seed of at most 2^53 - 1 as a number (larger ones lose digits as JSON numbers); write it as a decimal string ("seed": "18446744073709551615") or a bigint', value);
    }
    return value;
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << 64n) throw pathRangeError(fn, path, 'an integer in [0, 2^64)', value);
    return value;
  }
  throw pathTypeError(fn, path, 'an integer seed (a number, a bigint or a decimal string)', value);
}

export function parsePolicy(fn: string, path: string, value: unknown): PolicySetting {
  if (typeof value === 'string') return { name: choice(fn, path, value, POLICY_NAMES) };
  if (!isPlainObject(value)) throw pathTypeError(fn, path, `a policy name (${quoted(POLICY_NAMES)}) or { name, ...parameters }`, value);
  const name = choice(fn, joinPath(path, 'name'), value.name, POLICY_NAMES);
  checkKeys(fn, path, value, ['name', ...(POLICIES[name].parameters ?? [])]);
  const setting: { name: PolicyName; nLayer?: number; std?: number } = { name };
  if (value.nLayer !== undefined) setting.nLayer = positiveInteger(fn, joinPath(path, 'nLayer'), value.nLayer);
  if (value.std !== undefined) {
    if (typeof value.std !== 'number' || !(value.std > 0) || !Number.isFinite(value.std)) throw pathRangeError(fn, joinPath(path, 'std'), 'a positive number', value.std);
    setting.std = value.std;
  }
  return setting;
}

function positiveInteger(fn: string, path: string, value: unknown): number {
  if (typeof value !== 'number') throw pathTypeError(fn, path, 'a positive integer', value);
  if (!Number.isSafeInteger(value) || value < 1) throw pathRangeError(fn, path, 'a positive integer', value);
  return value;
}

function shapeField(fn: string, path: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw pathTypeError(fn, path, 'an array of non-negative integers', value);
  let size = 1;
  value.forEach((dimension: unknown, axis) => {
    if (typeof dimension !== 'number' || !Number.isSafeInteger(dimension) || dimension < 0) {
      throw pathRangeError(fn, joinPath(path, axis), 'a non-negative integer', dimension);
    }
    size *= dimension;
  });
  if (!Number.isSafeInteger(size)) throw pathRangeError(fn, path, 'a shape of at most 2^53 - 1 elements', value);
  return value.slice();
}

function readField(fn: string, path: string, kind: FieldKind, value: unknown, layout: Layout, type: LayerType, depth: number): unknown {
  if (Array.isArray(kind)) return choice(fn, path, value, kind);
  switch (kind) {
    case 'count':
      return positiveInteger(fn, path, value);
    case 'boolean':
      if (typeof value !== 'boolean') throw pathTypeError(fn, path, 'true or false', value);
      return value;
    case 'activation':
      return choice(fn, path, value, ACTIVATION_NAMES);
    case 'slope':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw pathTypeError(fn, path, 'a finite number', value);
      return value;
    case 'kernel': {
      const dimensions = CONV_DIMENSIONS[type] ?? 1;
      const expected = `a positive integer or an array of ${dimensions} of them`;
      if (typeof value === 'number') return Array.from({ length: dimensions }, () => positiveInteger(fn, path, value));
      if (!Array.isArray(value)) throw pathTypeError(fn, path, expected, value);
      if (value.length !== dimensions || value.some((k) => typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1)) {
        throw pathRangeError(fn, path, expected, value);
      }
      return value.slice();
    }
    case 'layers':
      return parseLayers(fn, path, value, layout, depth + 1);
    case 'shape':
      return shapeField(fn, path, value);
    case 'initializer':
      return choice(fn, path, value, INITIALIZER_NAMES);
  }
}

function parseLayer(fn: string, path: string, value: unknown, index: number, layout: Layout, depth: number): ModelLayer {
  if (!isPlainObject(value)) throw pathTypeError(fn, path, 'a layer { type, ... }', value);
  if (depth > MAX_SPEC_DEPTH) {
    throw new RangeError(`nninit.${fn}: ${path}: blocks and repeats nest more than ${MAX_SPEC_DEPTH} deep here; flatten the spec`);
  }
  const type = choice(fn, joinPath(path, 'type'), value.type, LAYER_TYPE_NAMES);
  const definition = LAYER_TYPES[type];
  const fieldNames = Object.keys(definition.fields);
  let name = type === 'block' ? '' : String(index);
  if (value.name !== undefined) {
    if (typeof value.name !== 'string' || !NAME.test(value.name)) {
      throw pathRangeError(fn, joinPath(path, 'name'), "a name of dot-separated segments of letters, digits, '_' and '-'", value.name);
    }
    name = value.name;
  }
  const layer: Record<string, unknown> = { type, name, path, ...(value.name === undefined && type !== 'block' ? { defaultName: true } : {}) };
  const options: Record<string, unknown> = {};
  if (type === 'param') {
    // A param layer's other fields are its initializer's options, checked by the initializer when planned.
    for (const [key, option] of Object.entries(value)) {
      if (key === 'type' || key === 'name' || key in definition.fields) continue;
      if (RESERVED_OPTIONS.includes(key)) throw new TypeError(`nninit.${fn}: ${joinPath(path, key)}: a param layer cannot set ${key}; the plan sets seed, stream and the output`);
      options[key] = option;
    }
    layer.options = options;
  } else {
    checkKeys(fn, path, value, ['type', 'name', ...fieldNames]);
  }
  for (const [field, spec] of Object.entries(definition.fields)) {
    const raw = value[field];
    if (raw === undefined) {
      if (!('default' in spec)) throw pathTypeError(fn, joinPath(path, field), `a value (${type} requires ${field})`, raw);
      if (spec.default !== undefined) layer[field] = spec.default;
      continue;
    }
    layer[field] = readField(fn, joinPath(path, field), spec.kind, raw, layout, type, depth);
  }
  if ('slope' in definition.fields) {
    if (layer.activation === 'leaky_relu') layer.slope ??= DEFAULT_LEAKY_SLOPE;
    else if (layer.slope !== undefined) throw pathRangeError(fn, joinPath(path, 'slope'), "no slope unless activation is 'leaky_relu'", layer.slope);
  }
  const problem = definition.check?.(layer, layout);
  if (problem) throw pathRangeError(fn, joinPath(path, problem[0]), problem[1], layer[problem[0]]);
  if (type === 'repeat') {
    // Checked before anything is expanded: a count of 2^40 must not build 2^40 names.
    const each = expandedSize(layer.layers as ModelLayer[], layout);
    const count = layer.count as number;
    if (each.parameters * count > MAX_SPEC_PARAMETERS || (each.layers + 1) * count > MAX_SPEC_PARAMETERS) {
      const most = Math.floor(MAX_SPEC_PARAMETERS / Math.max(each.parameters, each.layers + 1));
      throw pathRangeError(fn, joinPath(path, 'count'),
        `a count whose expansion stays within ${MAX_SPEC_PARAMETERS} (2^18) parameters and layers (each repeat holds ${each.parameters} parameters in ${each.layers} layers, so at most ${most})`, count);
    }
  }
  return layer as unknown as ModelLayer;
}

function parseLayers(fn: string, path: string, value: unknown, layout: Layout, depth = 1): ModelLayer[] {
  if (!Array.isArray(value)) throw pathTypeError(fn, path, 'an array of layers', value);
  return value.map((layer: unknown, index) => parseLayer(fn, joinPath(path, index), layer, index, layout, depth));
}

/**
 * Most parameters (and layers) a spec may expand to. Planning costs about 20 us and 3 KB per parameter, so 2^18
 * plan in about 6 s and 800 MB; the largest published models hold about 10^5 tensors.
 */
export const MAX_SPEC_PARAMETERS = 2 ** 18;

/** Deepest nesting of blocks and repeats in a spec (a layer at depth 1 is in the top-level list). */
export const MAX_SPEC_DEPTH = 64;

/** The parameters and layers (containers included) a list of parsed layers expands to, without expanding any repeat. */
function expandedSize(layers: readonly ModelLayer[], layout: Layout): { parameters: number; layers: number } {
  let parameters = 0, count = 0;
  for (const layer of layers) {
    if (layer.type === 'repeat' || layer.type === 'block') {
      const inner = expandedSize(layer.layers, layout);
      const times = layer.type === 'repeat' ? layer.count : 1;
      parameters += times * inner.parameters;
      count += 1 + times * (inner.layers + (layer.type === 'repeat' ? 1 : 0));
    } else {
      parameters += LAYER_TYPES[layer.type].parameters!(layer as never, layout).length;
      count += 1;
    }
  }
  return { parameters, layers: count };
}

/**
 * Parses and checks a spec (JSON text or an object) with options applied over it. Errors are TypeError or
 * RangeError naming the JSON path (`layers[3].kernel: expected a positive integer or an array of 2 of them`).
 *
 * @example parseSpec({ layers: [{ type: 'dense', in: 784, out: 10 }] }).layers[0]
 *   // { type: 'dense', name: '0', path: 'layers[0]', in: 784, out: 10, activation: 'linear', bias: true }
 */
export function parseSpec(spec: ModelSpecInput | string, options?: ModelOptions, fn = 'parseSpec'): ModelSpec {
  let input: unknown = spec;
  if (typeof spec === 'string') {
    try {
      input = JSON.parse(spec);
    } catch (error) {
      throw new TypeError(`nninit.${fn}: spec is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!isPlainObject(input)) throw pathTypeError(fn, 'spec', 'an object { layers, ... } or its JSON text', input);
  checkKeys(fn, '', input, SPEC_KEYS);
  if (options !== undefined && !isPlainObject(options)) throw pathTypeError(fn, 'options', 'an object', options);
  const given: Record<string, unknown> = options ?? {};
  checkKeys(fn, 'options', given, MODEL_OPTION_KEYS);
  const pick = (key: string): [unknown, string] => (given[key] !== undefined ? [given[key], `options.${key}`] : [input[key], key]);

  const [rngValue, rngPath] = pick('rng');
  const rng = rngValue === undefined ? 'philox' : choice(fn, rngPath, rngValue, RNG_NAMES);
  const [layoutValue, layoutPath] = pick('layout');
  const layout = layoutValue === undefined ? 'torch' : choice(fn, layoutPath, layoutValue, LAYOUT_NAMES);
  if (rng === 'torch' && layout !== 'torch') {
    throw pathRangeError(fn, layoutPath, `'torch' with ${rngPath} 'torch' (torch.nn modules hold their parameters in the torch layout)`, layoutValue);
  }
  const [dtypeValue, dtypePath] = pick('dtype');
  const dtype = dtypeValue === undefined ? 'float32' : choice(fn, dtypePath, dtypeValue, DTYPE_NAMES);
  const [seedValue, seedPath] = pick('seed');
  const seed = seedValue === undefined ? undefined : parseSeed(fn, seedPath, seedValue);
  const [policyValue, policyPath] = pick('policy');
  // With rng 'torch' the values are what torch.nn modules draw, which the 'pytorch' policy describes.
  const policy = policyValue === undefined ? { name: rng === 'torch' ? 'pytorch' as const : 'activation' as const } : parsePolicy(fn, policyPath, policyValue);
  if (rng === 'torch' && policy.name !== 'pytorch') {
    throw pathRangeError(fn, policyPath, `'pytorch' with ${rngPath} 'torch' (the values are what the torch.nn modules' constructors draw)`, policyValue);
  }
  const [rulesValue, rulesPath] = pick('rules');
  const rules = parseRules(fn, rulesValue, rulesPath);
  if (input.description !== undefined && typeof input.description !== 'string') throw pathTypeError(fn, 'description', 'a string', input.description);
  if (input.layers === undefined) throw pathTypeError(fn, 'layers', 'an array of layers', undefined);
  const layers = parseLayers(fn, 'layers', input.layers, layout);
  const total = expandedSize(layers, layout);
  if (total.parameters > MAX_SPEC_PARAMETERS || total.layers > MAX_SPEC_PARAMETERS) {
    const largest = layers
      .map((layer) => ({ layer, size: expandedSize([layer], layout) }))
      .sort((a, b) => Math.max(b.size.parameters, b.size.layers) - Math.max(a.size.parameters, a.size.layers))
      .slice(0, 3)
      .map(({ layer, size }) => `${layer.type === 'repeat' ? joinPath(layer.path, 'count') : layer.path} (${size.parameters} parameters, ${size.layers} layers)`);
    throw new RangeError(`nninit.${fn}: layers: the model expands to ${total.parameters} parameters in ${total.layers} layers, more than ${MAX_SPEC_PARAMETERS} (2^18); the largest are ${largest.join(', ')}`);
  }
  return { ...(seed !== undefined ? { seed } : {}), policy, layout, dtype, rng, rules, layers, ...(input.description !== undefined ? { description: input.description as string } : {}) };
}

export const scoped = (scope: string, name: string) => (scope && name ? `${scope}.${name}` : scope || name);

/**
 * The parameters of a parsed spec, in order, as descriptors. A layer whose output is added to a skip connection
 * (the last layer of a residual repeat or block) marks its weight as a residual output.
 */
export function describeSpec(spec: ModelSpec): ParameterDescriptor[] {
  const descriptors: ParameterDescriptor[] = [];
  const walk = (layers: readonly ModelLayer[], scope: string, lastFeedsSkip: boolean, unnamed: readonly string[]): void => {
    layers.forEach((layer, index) => {
      const feedsSkip = lastFeedsSkip && index === layers.length - 1;
      const full = scoped(scope, layer.name);
      const indexNamed = layer.defaultName ? [...unnamed, layer.path] : unnamed;
      const definition = LAYER_TYPES[layer.type];
      if (definition.scopes && (layer.type === 'repeat' || layer.type === 'block')) {
        const instances = definition.scopes(layer as never);
        instances.forEach((instance, i) => walk(layer.layers, scoped(full, instance), layer.residual || (feedsSkip && i === instances.length - 1), indexNamed));
        return;
      }
      const activation = 'activation' in layer && (layer.type === 'dense' || layer.type.startsWith('conv'))
        ? { name: layer.activation as ActivationName, ...('slope' in layer && layer.slope !== undefined ? { slope: layer.slope } : {}) }
        : undefined;
      for (const parameter of definition.parameters!(layer as never, spec.layout)) {
        const { suffix, ...rest } = parameter;
        const residual = feedsSkip && (rest.role === 'weight' || rest.role === 'outProjection');
        descriptors.push({
          ...rest,
          name: suffix ? scoped(full, suffix) : full,
          layout: spec.layout,
          layerType: layer.type,
          ...(activation ? { activation } : {}),
          ...(residual ? { residualOutput: true } : {}),
          layer: full,
          path: layer.path,
          ...(indexNamed.length ? { indexNamed } : {}),
        });
      }
    });
  };
  walk(spec.layers, '', false, []);
  return descriptors;
}

export type { InitializerName };
