// The planner: descriptors -> policy choice -> rules -> the exact public call for each parameter. Pure: it computes
// no values, but it runs every call once with length 0, so that any argument the core would reject is reported
// here, with the JSON path of what chose it, before a value is computed.

import type { Layout } from '../core/fans.js';
import type { Dtype } from '../core/output.js';
import type { Seed } from '../core/seed.js';
import { unknownOptionOf } from '../core/validate.js';
import { freshSeed53 } from './seeds.js';
import { rethrowAt } from './errors.js';
import { choose, type Choice, type PolicyContext, type PolicySetting } from './policies.js';
import { INITIALIZERS, fansFor, plainDraw, type InitializerName, type Moments, type Options } from './registry.js';
import type { Rule } from './rules.js';
import { describeSpec, parseSpec, type ModelOptions, type ModelSpec, type ModelSpecInput } from './spec.js';
import { torchModel, withTorchSources } from './torch-rng.js';
import type { BlockPlan, ParameterDescriptor, ParameterPlan } from './types.js';

/** Everything the planner needs besides the descriptors. */
export interface PlanSettings {
  readonly seed?: Seed;
  readonly policy: PolicySetting;
  readonly rules: readonly Rule[];
  readonly dtype: Dtype;
}

interface Realized {
  readonly initializer: InitializerName;
  readonly options: Options;
  readonly fanIn: number;
  readonly fanOut: number;
  readonly moments: Moments;
  readonly whole: boolean;
}

/**
 * The call for one tensor (or block): the named initializer, or its plain draw when the fans differ. Each call is
 * first run with length 0 (`check`), so that the core reports a bad argument before any fan or moment is derived
 * from it.
 */
function realize(shape: readonly number[], layout: Layout, choice: Pick<Choice, 'initializer' | 'options' | 'fans'>,
  fallbackFans: () => { fanIn: number; fanOut: number }, check: (initializer: InitializerName, options: Options) => void): Realized {
  const entry = INITIALIZERS[choice.initializer];
  const options: Options = { ...choice.options };
  if (entry.layout && options.layout === undefined) options.layout = layout;
  check(choice.initializer, options);
  if (entry.variance) {
    const shapeFans = fansFor(shape, options, layout);
    if (choice.fans) {
      const wanted = entry.variance(options, { ...choice.fans, receptiveField: 1 });
      if (wanted.variance !== entry.variance(options, shapeFans).variance) {
        const plain = plainDraw(wanted);
        const realized = realize(shape, layout, plain, () => choice.fans!, check);
        return { ...realized, fanIn: choice.fans.fanIn, fanOut: choice.fans.fanOut };
      }
    }
    const fans = choice.fans ?? shapeFans;
    return { initializer: choice.initializer, options, fanIn: fans.fanIn, fanOut: fans.fanOut, moments: entry.moments(shape, options, layout), whole: entry.whole };
  }
  const fans = choice.fans ?? fallbackFans();
  return { initializer: choice.initializer, options, fanIn: fans.fanIn, fanOut: fans.fanOut, moments: entry.moments(shape, options, layout), whole: entry.whole };
}

/** Mean and std over equal blocks with the given moments. */
function pooled(parts: readonly Moments[]): Moments {
  const mean = parts.reduce((sum, m) => sum + m.mean, 0) / parts.length;
  const square = parts.reduce((sum, m) => sum + m.std * m.std + m.mean * m.mean, 0) / parts.length;
  return { mean, std: Math.sqrt(Math.max(0, square - mean * mean)) };
}

interface Chosen {
  readonly choice: Choice;
  readonly chosenBy: string;
  /** Where an error in the choice's arguments is reported. */
  readonly where: string;
  readonly suffix: string;
  /**
   * The JSON path of the object that holds the choice's options when the user wrote them (a param layer, a rule),
   * and what they apply to (' (on h.0.weight)' for a rule): an error about one option then names the option's own
   * path (`layers[0].mode`).
   */
  readonly options?: { readonly at: string; readonly subject: string };
}

/** Options the plan sets itself: never valid in a param layer or a rule, so never listed as valid there. */
export const PLAN_SET_OPTIONS = ['seed', 'stream', 'dtype', 'offset', 'length', 'out'];

/**
 * Rethrows an error of a planned call where it was chosen. For options the user wrote, an unknown option or one
 * the core rejects is named by its own JSON path, and the options listed as valid leave out what the plan sets.
 */
function rethrowChoice(fn: string, chosen: Chosen, error: unknown): never {
  const written = chosen.options;
  if (written && (error instanceof TypeError || error instanceof RangeError)) {
    const unknown = unknownOptionOf(error);
    if (unknown) {
      const { fn: initializer, option: key, allowed } = unknown;
      const valid = [...(initializer === 'constant' ? ['value'] : []), ...allowed.filter((option) => !PLAN_SET_OPTIONS.includes(option))];
      throw new TypeError(`nninit.${fn}: ${written.at}.${key}${written.subject}: unknown option "${key}" of ${initializer}; its options are ${valid.join(', ')}`, { cause: error });
    }
    // The message's subject: the constant's value (value[3]), or the options it opens with ('options.mean and
    // options.std are too large'), of which the first the user wrote is named.
    const value = /^nninit\.constant: (value(?:\[\d+\])?) /.exec(error.message);
    const subject = /^nninit\.\w+: ((?:options\.\w+(?:, | and )?)+)/.exec(error.message)?.[1];
    const mentioned = subject ? [...subject.matchAll(/options\.(\w+)/g)].map((match) => match[1]) : [];
    const key = value?.[1] ?? mentioned.find((option) => option in (chosen.choice.options ?? {})) ?? mentioned[0];
    if (key !== undefined) {
      const where = `${written.at}.${key}${written.subject}`;
      if (error instanceof TypeError) throw new TypeError(`nninit.${fn}: ${where}: ${error.message}`, { cause: error });
      throw new RangeError(`nninit.${fn}: ${where}: ${error.message}`, { cause: error });
    }
  }
  rethrowAt(fn, chosen.where, error);
}

/**
 * The fans a descriptor reports: the layer's own, or for a param layer (and a tensor no convention describes) the
 * core's fans of its shape with its explicit initializer's layout and fan axes.
 */
function fansOfDescriptor(d: ParameterDescriptor): { fanIn: number; fanOut: number } {
  if (d.kind !== 'param') return { fanIn: d.fanIn, fanOut: d.fanOut };
  const fans = fansFor(d.shape, d.explicit?.options ?? {}, d.layout);
  return { fanIn: fans.fanIn, fanOut: fans.fanOut };
}

/**
 * Plans parameters from descriptors: the policy's choice for each (a param's explicit initializer as given), then
 * the rules (the last match wins; a rule that matches nothing is an error), then the exact call.
 */
export function planFromDescriptors(fn: string, descriptors: readonly ParameterDescriptor[], settings: PlanSettings): ParameterPlan[] {
  const seen = new Map<string, ParameterDescriptor>();
  for (const d of descriptors) {
    const before = seen.get(d.name);
    if (before) throw new RangeError(`nninit.${fn}: two parameters are named "${d.name}" (${before.path ?? 'a tensor'} and ${d.path ?? 'a tensor'}); give the layers distinct names`);
    seen.set(d.name, d);
  }
  const seed = settings.seed ?? freshSeed53();
  const context: PolicyContext = {
    setting: settings.policy,
    attentionLayers: descriptors.filter((d) => d.kind === 'attention' && d.role === 'outProjection').length,
  };
  const policyName = settings.policy.name;
  const used = new Set<Rule>();
  /** Per parameter, the rules that matched it before the one that decides it (the last match wins). */
  const overridden = new Map<string, string[]>();

  const chosen = descriptors.map((d): Chosen => {
    let result: Chosen;
    if (d.explicit) {
      const { initializer, options, parts, why, source } = d.explicit;
      result = {
        choice: { initializer, options, why: why ?? `explicit ${initializer}`, ...(parts ? { parts } : {}) },
        chosenBy: source ?? d.path ?? d.name, where: d.path ?? d.name, suffix: `(${source ?? `param layer ${d.path ?? d.name}`})`,
        ...(source === undefined && d.path !== undefined ? { options: { at: d.path, subject: '' } } : {}),
      };
    } else {
      let picked;
      try {
        picked = choose(d, context);
      } catch (error) {
        rethrowAt(fn, d.path ? `${d.path} (${d.name})` : d.name, error);
      }
      if (!picked) {
        result = {
          choice: { initializer: 'zeros', why: '' }, chosenBy: '', where: d.name,
          suffix: `no rule of the '${policyName}' policy covers ${d.kind} ${d.role}`,
        };
      } else {
        result = { choice: picked.choice, chosenBy: policyName, where: d.path ? `${d.path} (${d.name})` : d.name, suffix: `(${picked.policy} policy)` };
      }
    }
    const matched: Rule[] = [];
    for (const rule of settings.rules) {
      if (!rule.pattern.test(d.name)) continue;
      used.add(rule);
      matched.push(rule);
      result = {
        choice: { initializer: rule.init, options: rule.options, why: `rule "${rule.match}" -> ${rule.init}` },
        chosenBy: rule.path, where: `${rule.path} (on ${d.name})`, suffix: `(${rule.path})`, options: { at: rule.path, subject: ` (on ${d.name})` },
      };
    }
    if (matched.length > 1) overridden.set(d.name, matched.slice(0, -1).map((rule) => `${rule.path} "${rule.match}"`));
    if (result.chosenBy === '') throw new RangeError(`nninit.${fn}: ${result.where}: ${result.suffix}; add a rule { match: "${d.name}", init, ... }`);
    return result;
  });
  for (const rule of settings.rules) {
    if (!used.has(rule)) {
      const names = descriptors.slice(0, 6).map((d) => d.name).join(', ');
      throw new RangeError(`nninit.${fn}: ${rule.path}.match: "${rule.match}" matches no parameter (the parameters are ${names}${descriptors.length > 6 ? ', ...' : ''}); a rule must match something`);
    }
  }

  const plan = descriptors.map((d, index) => {
    const p = planOne(fn, d, chosen[index], seed, settings.dtype, policyName);
    const earlier = overridden.get(d.name);
    return earlier ? { ...p, overriddenRules: earlier } : p;
  });
  const streams = new Set<string>();
  for (const p of plan) {
    for (const stream of p.blocks ? p.blocks.parts.map((part) => part.stream) : [p.stream]) {
      if (streams.has(stream)) throw new RangeError(`nninit.${fn}: the stream "${stream}" of ${p.name} is also another parameter's; rename one of them`);
      streams.add(stream);
    }
  }
  return plan;
}

function planOne(fn: string, d: ParameterDescriptor, chosen: Chosen, seed: Seed, dtype: Dtype, policy: string): ParameterPlan {
  const { choice } = chosen;
  const size = d.shape.reduce((a, b) => a * b, 1);
  const blockwise = (choice.perBlock || choice.parts) && d.blocks && d.blocks.count > 1;
  let realized: Realized;
  let blocks: ParameterPlan['blocks'];
  try {
    if (blockwise) {
      const { axis, count } = d.blocks!;
      const blockShape = d.shape.map((n, i) => (i === axis ? n / count : n));
      const parts = Array.from({ length: count }, (_, k) => realize(blockShape, d.layout, choice.parts?.[k] ?? choice, () => fansOfDescriptor(d),
        (initializer, options) => dryRun(initializer, blockShape, options, seed, `${d.name}/${k}`, dtype)));
      blocks = { axis, parts: parts.map((part, k): BlockPlan => ({ initializer: part.initializer, options: part.options, stream: `${d.name}/${k}` })) };
      realized = {
        initializer: parts[0].initializer, options: {}, fanIn: parts[0].fanIn, fanOut: parts[0].fanOut,
        moments: pooled(parts.map((part) => part.moments)), whole: parts.some((part) => part.whole),
      };
    } else {
      realized = realize(d.shape, d.layout, choice, () => fansOfDescriptor(d),
        (initializer, options) => dryRun(initializer, d.shape, options, seed, d.name, dtype));
    }
  } catch (error) {
    rethrowChoice(fn, chosen, error);
  }
  return {
    name: d.name,
    shape: d.shape.slice(),
    size,
    layout: d.layout,
    dtype,
    seed,
    stream: d.name,
    initializer: blocks ? 'blocks' : realized.initializer,
    options: blocks ? {} : realized.options,
    ...(blocks ? { blocks } : {}),
    fanIn: realized.fanIn,
    fanOut: realized.fanOut,
    mean: realized.moments.mean,
    std: realized.moments.std,
    rule: `${choice.why} ${chosen.suffix}`,
    chosenBy: chosen.chosenBy,
    policy,
    whole: realized.whole,
    random: blocks ? blocks.parts.some((part) => INITIALIZERS[part.initializer].random) : INITIALIZERS[realized.initializer].random,
    kind: d.kind,
    role: d.role,
    trainable: d.trainable ?? true,
    layer: d.layer,
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.indexNamed?.length ? { indexNamed: d.indexNamed } : {}),
    ...(choice.nLayer ? { nLayer: choice.nLayer } : {}),
  };
}

/** Runs the call with length 0: every check the core makes, no value computed. */
function dryRun(initializer: InitializerName, shape: readonly number[], options: Options, seed: Seed, stream: string, dtype: Dtype): void {
  const entry = INITIALIZERS[initializer];
  entry.call(shape as number[], { ...options, ...(entry.random ? { seed, stream } : {}), dtype, offset: 0, length: 0 });
}

/**
 * Plans a model: for each parameter, in order, the public nninit call that produces it, with the fans, target std
 * and the rule that chose it. Computes no values. Without a seed (in the spec or the options), a fresh 53-bit
 * seed is drawn from crypto.getRandomValues and recorded in every entry, so the run can be repeated.
 *
 * @example planModel({ layers: [{ type: 'dense', name: 'fc1', in: 784, out: 256, activation: 'relu' }] }, { seed: 1 })[0].rule
 *   // 'relu after fc1 -> He normal, fan_in 784 (activation policy)'
 */
export function planModel(spec: ModelSpecInput | string, options?: ModelOptions): ParameterPlan[] {
  return planSpec('planModel', spec, options).plan;
}

/**
 * planModel with the seed it used (also when the model has no parameters) and the parsed spec. With rng 'torch'
 * the pytorch policy's plan is planned as usual, then the parameters the modules draw take their values from
 * PyTorch's generator (see torch-rng.ts).
 */
export function planSpec(fn: string, spec: ModelSpecInput | string, options?: ModelOptions): { plan: ParameterPlan[]; seed: Seed; spec: ModelSpec } {
  const parsed = parseSpec(spec, options, fn);
  const seed = parsed.seed ?? freshSeed53();
  const torch = parsed.rng === 'torch' ? torchModel(fn, parsed) : undefined;
  const plan = planFromDescriptors(fn, describeSpec(parsed), { ...parsed, seed });
  return { plan: torch ? withTorchSources(plan, torch) : plan, seed, spec: parsed };
}
