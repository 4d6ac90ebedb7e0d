// What the ONNX and TF.js readers share: their options, the planning call and its errors (prefixed with the
// reader's name and the file), --keep globs, and the text table of what was inferred. Pure: no Node built-ins.

import type { Seed } from '../core/seed.js';
import { checkKeys, isPlainObject, pathRangeError, pathTypeError } from '../model/errors.js';
import { globPattern, type RuleSpec } from '../model/rules.js';
import { freshSeed53 } from '../model/seeds.js';
import { parseSeed, type PolicySpec } from '../model/spec.js';
import { planDescriptors } from '../model/tensors.js';
import type { ParameterDescriptor, ParameterPlan } from '../model/types.js';

/** Options of readOnnx and readTfjsModel. */
export interface ModelFileOptions {
  /** Integer in [0, 2^64); default a fresh one (recorded in every plan entry). */
  seed?: Seed | string;
  /** A policy (default 'activation'; for TF.js models, 'model': each layer's configured initializers). */
  policy?: PolicySpec | 'model';
  /** Rules applied after the policy (the last match wins); they also cover tensors no role was found for. */
  rules?: RuleSpec[];
  /** Globs of tensor names to keep unchanged. */
  keep?: string[];
  /** The file's name in messages. */
  file?: string;
}

export interface KeepGlob {
  readonly glob: string;
  readonly pattern: RegExp;
  used: boolean;
}

export function checkOptions(fn: string, options: unknown, extra: readonly string[] = []): ModelFileOptions {
  if (options !== undefined && !isPlainObject(options)) throw pathTypeError(fn, 'options', 'an object', options);
  const o = (options ?? {}) as Record<string, unknown>;
  checkKeys(fn, 'options', o, ['seed', 'policy', 'rules', 'keep', 'file', ...extra]);
  if (o.keep !== undefined && (!Array.isArray(o.keep) || o.keep.some((g) => typeof g !== 'string' || g === ''))) {
    throw pathTypeError(fn, 'options.keep', 'an array of non-empty glob strings', o.keep);
  }
  if (o.file !== undefined && typeof o.file !== 'string') throw pathTypeError(fn, 'options.file', 'a string', o.file);
  return o as ModelFileOptions;
}

export function keepGlobs(options: ModelFileOptions): KeepGlob[] {
  return (options.keep ?? []).map((glob) => ({ glob, pattern: globPattern(glob), used: false }));
}

export function checkKeepsUsed(fn: string, file: string, keeps: readonly KeepGlob[]): void {
  const unused = keeps.findIndex((k) => !k.used);
  if (unused >= 0) throw pathRangeError(fn, `options.keep[${unused}]`, `a glob matching a tensor of ${file}`, keeps[unused].glob);
}

/** The seed to plan with: the option's, else a fresh one. */
export function seedOf(fn: string, options: ModelFileOptions): Seed {
  return options.seed === undefined ? freshSeed53() : parseSeed(fn, 'options.seed', options.seed);
}

/**
 * planDescriptors with the reader's name and the file in front of its messages, which keep their paths
 * (`options.rules[0].match: ...`).
 */
export function planWith(fn: string, file: string, descriptors: readonly ParameterDescriptor[], options: { seed: Seed; policy?: PolicySpec; rules?: RuleSpec[] }): ParameterPlan[] {
  try {
    return planDescriptors(descriptors, {
      seed: options.seed,
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      ...(options.rules !== undefined ? { rules: options.rules } : {}),
    });
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      const message = error.message.replace(/^nninit\.planDescriptors: /, '');
      const Kind = error instanceof TypeError ? TypeError : RangeError;
      throw new Kind(`nninit.${fn}: ${file}: ${message}`, { cause: error });
    }
    throw error;
  }
}

/** The model files' tables (tfjs.ts, onnx.ts) are explain's text tables. */
export { textTable } from '../model/explain.js';

export const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
