/// <reference types="node" />
// What the command reads, by file type: a registry of input formats. Each entry recognizes its files by name and
// turns one into a ModelSource: the tensors to write (computed from a plan entry, or copied), the plan, and the
// metadata that reproduces the run. A new input format (ONNX, a TF.js model.json) is one more entry.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Seed } from '../core/seed.js';
import { planModel } from '../model/plan.js';
import { parseSpec } from '../model/spec.js';
import { describeTensors, planTensors } from '../model/tensors.js';
import { globPattern, type RuleSpec } from '../model/rules.js';
import { freshSeed53 } from '../model/seeds.js';
import type { ParameterPlan } from '../model/types.js';
import type { PolicySetting } from '../model/policies.js';
import { nninitDtype, STORED_AS } from '../formats/dtypes.js';
import { seedText } from '../formats/safetensors.js';
import { NNINIT_VERSION } from '../formats/version.js';
import { isIndexFile, openDataReader, openSafetensorsCheckpoint, openShardedCheckpoint, type Checkpoint, type DataReader } from '../formats/node/read.js';
import type { OutputTensor } from '../formats/node/write.js';
import { classify, InputError, type ErrorContext } from './errors.js';
import type { PlanFlags } from './options.js';
import { isTfjsModelFile, loadOnnx, loadTfjs, onnxModules, onnxOutput, tfjsModules, tfjsOutput, type NativeOutput, type NativeSource } from './model-inputs.js';

/** A model ready to be written or explained. */
export interface ModelSource {
  /** The input format's name. */
  readonly format: string;
  /** The input as the user named it. */
  readonly label: string;
  /** Every tensor to write, in order. */
  readonly tensors: readonly OutputTensor[];
  /** Plan entries of the computed tensors (by name). */
  readonly plan: readonly ParameterPlan[];
  /** Tensors written without a plan entry, and why (copied unchanged, or a constant integer buffer). */
  readonly unplanned: ReadonlyMap<string, string>;
  readonly seed: Seed;
  /** True when the seed came from the flags or the input rather than being drawn fresh. */
  readonly seedGiven: boolean;
  /** `__metadata__` for the files written: everything needed to repeat the run. */
  readonly metadata: Readonly<Record<string, string>>;
  /** How error messages name places in this input. */
  readonly errorContext: ErrorContext;
  /** Releases open files. */
  close(): Promise<void>;
  /** What the user should know about the input that does not stop the run (printed on stderr). */
  readonly warnings?: readonly string[];
  /** Model files (ONNX, TF.js): what explain prints (the plan and what was inferred), and their own writer. */
  readonly explain?: string;
  readonly writeNative?: NativeSource['writeNative'];
}

export interface InputFormat {
  readonly name: string;
  /** What it reads, for --help. */
  readonly description: string;
  matches(path: string): boolean;
  load(path: string, flags: PlanFlags): Promise<ModelSource>;
  /** Inputs written in their own format unless -o names a .safetensors file. */
  readonly output?: NativeOutput;
  /** Accepts --policy model (TF.js: the configured initializers). */
  readonly modelPolicy?: boolean;
  /** Loads the code the format needs (loaded on first use, so that other inputs start without it). */
  preload?(): Promise<unknown>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads an input file; a missing or unreadable file is bad input naming it. */
async function readInput(path: string, encoding: 'utf8'): Promise<string> {
  try {
    return await readFile(path, encoding);
  } catch (error) {
    throw inputFileError(path, error);
  }
}

export function inputFileError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a folder, not a file', ENOTDIR: 'a part of the path is not a folder' };
  if (code && why[code]) return new InputError(`${path}: cannot read the input: ${why[code]}`);
  return error as Error;
}

/** Runs a planning step, turning the model layer's errors into the command's, with the input's names. */
function planning<T>(context: ErrorContext, step: () => T): T {
  try {
    return step();
  } catch (error) {
    const { code, message } = classify(error, context);
    if (code === 2) throw new InputError(message);
    throw error;
  }
}

const policyText = (policy: PolicySetting): string => (Object.keys(policy).length === 1 ? policy.name : JSON.stringify(policy));

/** A model spec (JSON), the whole-model layer's format. */
const specInput: InputFormat = {
  name: 'spec',
  description: 'a model spec (.json): layers, policy, rules, seed (see README "Whole models")',
  matches: (path) => path.endsWith('.json') && !isIndexFile(path),
  async load(path, flags) {
    const text = await readInput(path, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InputError(`${path}: not valid JSON: ${(error as Error).message}`);
    }
    // Rules given as flags apply after the spec's own (the last match wins).
    const specRules = json !== null && typeof json === 'object' && Array.isArray((json as { rules?: unknown }).rules) ? (json as { rules: RuleSpec[] }).rules : [];
    const context: ErrorContext = { file: path, specRules: specRules.length, ruleTexts: flags.ruleTexts };
    const options = {
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
      ...(flags.dtype !== undefined ? { dtype: flags.dtype } : {}),
      ...(flags.layout !== undefined ? { layout: flags.layout } : {}),
      ...(flags.rng !== undefined ? { rng: flags.rng } : {}),
      ...(flags.rules.length ? { rules: [...specRules, ...flags.rules] } : {}),
    };
    if (flags.keep.length) throw new InputError('--keep: applies to checkpoint inputs (.safetensors), whose tensors can be kept; a spec has no values to keep');
    const spec = planning(context, () => parseSpec(text, options, 'planModel'));
    const seedGiven = spec.seed !== undefined;
    const seed = spec.seed ?? freshSeed53();
    const plan = planning(context, () => planModel(text, { ...options, seed }));
    const canonical = JSON.stringify(json);
    return {
      format: 'spec', label: path, plan, seed, seedGiven, unplanned: new Map(), errorContext: context,
      tensors: plan.map((p) => ({ name: p.name, dtype: STORED_AS[p.dtype], shape: p.shape, source: { plan: p } })),
      metadata: {
        format: 'pt',
        'nninit.version': NNINIT_VERSION,
        'nninit.seed': seedText(seed),
        'nninit.policy': policyText(spec.policy),
        'nninit.rules': JSON.stringify(spec.rules.map((r) => ({ match: r.match, init: r.init, ...r.options }))),
        'nninit.dtype': spec.dtype,
        'nninit.layout': spec.layout,
        ...(spec.rng === 'torch' ? { 'nninit.rng': spec.rng } : {}),
        'nninit.input': basename(path),
        'nninit.spec': canonical,
        'nninit.spec_sha256': sha256(canonical),
      },
      close: async () => undefined,
    };
  },
};

/**
 * A checkpoint's tensors, re-initialized under the same names, shapes and dtypes: float tensors are planned from
 * their names and shapes (planTensors: the policy's conventions, then the rules); integer batch counters
 * (num_batches_tracked) become zeros; other non-float tensors (position ids, masks), and float tensors matching
 * --keep, are copied unchanged.
 */
async function loadCheckpoint(format: string, checkpoint: Checkpoint, path: string, flags: PlanFlags): Promise<ModelSource> {
  if (flags.layout !== undefined) throw new InputError('--layout: applies to spec inputs; a checkpoint\'s tensors keep the layouts their names show');
  if (flags.rng !== undefined) throw new InputError(`--rng: applies to spec inputs, whose layers name the torch.nn modules that draw; a checkpoint's tensors have none`);
  const context: ErrorContext = { file: path, ruleTexts: flags.ruleTexts };
  const keep = flags.keep.map((glob) => ({ glob, pattern: globPattern(glob), used: false }));
  const described = planning(context, () => describeTensors(checkpoint.tensors.map((t) => ({ name: t.name, shape: t.shape })), 'planTensors'));
  const unplanned = new Map<string, string>();
  const planned: number[] = [];
  checkpoint.tensors.forEach((t, i) => {
    const kept = keep.find((k) => k.pattern.test(t.name));
    if (kept) {
      kept.used = true;
      unplanned.set(t.name, `kept (--keep ${kept.glob})`);
    } else if (nninitDtype(t.dtype) !== undefined) planned.push(i);
    else if (described[i]?.role === 'batchCount') unplanned.set(t.name, `zeros (${t.dtype} batch counter)`);
    else unplanned.set(t.name, `kept (${t.dtype}, not a float)`);
  });
  for (const k of keep) if (!k.used) throw new InputError(`--keep ${k.glob}: matches no tensor of ${path}`);
  const seedGiven = flags.seed !== undefined;
  const seed = flags.seed !== undefined ? BigInt(flags.seed) : freshSeed53();
  const plannedTensors = planned.map((i) => checkpoint.tensors[i]);
  const raw = planning(context, () => planTensors(plannedTensors.map((t) => ({ name: t.name, shape: t.shape })), {
    seed: seedText(seed),
    ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
    ...(flags.rules.length ? { rules: [...flags.rules] } : {}),
  }));
  // Each tensor keeps its dtype unless --dtype converts them all.
  const plan = raw.map((p, k) => ({ ...p, dtype: flags.dtype ?? nninitDtype(plannedTensors[k].dtype)! }));
  const byName = new Map(plan.map((p) => [p.name, p]));
  const readers = new Map<string, Promise<DataReader>>();
  const reader = (t: Checkpoint['tensors'][number]) => {
    let r = readers.get(t.file.path);
    if (!r) readers.set(t.file.path, (r = openDataReader(t.file)));
    return r;
  };
  const tensors: OutputTensor[] = checkpoint.tensors.map((t) => {
    const p = byName.get(t.name);
    if (p) return { name: t.name, dtype: STORED_AS[p.dtype], shape: t.shape, source: { plan: p } };
    if (unplanned.get(t.name)!.startsWith('zeros')) return { name: t.name, dtype: t.dtype, shape: t.shape, source: { copy: async (_position, target) => { target.fill(0); } } };
    return { name: t.name, dtype: t.dtype, shape: t.shape, source: { copy: async (position, target) => (await reader(t)).read(t.entry, position, target) } };
  });
  const policy = plan[0]?.policy ?? (typeof flags.policy === 'string' ? flags.policy : flags.policy?.name ?? 'activation');
  const inherited = Object.fromEntries(Object.entries(checkpoint.metadata ?? {}).filter(([key]) => !key.startsWith('nninit.')));
  const dataBytes = checkpoint.files.reduce((sum, f) => sum + f.header.dataLength, 0);
  const totalSize = checkpoint.index?.totalSize;
  const warnings = totalSize !== undefined && totalSize !== dataBytes
    ? [`${path}: metadata.total_size is ${totalSize}, but the shards hold ${dataBytes} bytes of tensor data; the output's index gives the true size`]
    : [];
  return {
    format, label: path, plan, seed, seedGiven, unplanned, errorContext: context, tensors, warnings,
    metadata: {
      format: 'pt',
      ...inherited,
      'nninit.version': NNINIT_VERSION,
      'nninit.seed': seedText(seed),
      'nninit.policy': flags.policy === undefined || typeof flags.policy === 'string' ? policy : JSON.stringify(flags.policy),
      'nninit.rules': JSON.stringify(flags.rules),
      ...(flags.dtype ? { 'nninit.dtype': flags.dtype } : {}),
      ...(flags.keep.length ? { 'nninit.keep': JSON.stringify(flags.keep) } : {}),
      'nninit.input': basename(path),
      'nninit.tensors_sha256': sha256(JSON.stringify(checkpoint.tensors.map((t) => [t.name, t.dtype, t.shape]))),
    },
    async close() {
      for (const r of readers.values()) await (await r).close();
    },
  };
}

async function openCheckpointInput(path: string, open: (path: string) => Promise<Checkpoint>): Promise<Checkpoint> {
  try {
    return await open(path);
  } catch (error) {
    throw inputFileError(path, error);
  }
}

const safetensorsInput: InputFormat = {
  name: 'safetensors',
  description: 'a checkpoint (.safetensors): its tensors re-initialized under the same names, shapes and dtypes',
  matches: (path) => path.endsWith('.safetensors'),
  load: async (path, flags) => loadCheckpoint('safetensors', await openCheckpointInput(path, openSafetensorsCheckpoint), path, flags),
};

const indexInput: InputFormat = {
  name: 'safetensors-index',
  description: 'a sharded checkpoint (model.safetensors.index.json and its shards), likewise',
  matches: isIndexFile,
  load: async (path, flags) => loadCheckpoint('safetensors-index', await openCheckpointInput(path, openShardedCheckpoint), path, flags),
};

const tfjsInput: InputFormat = {
  name: 'tfjs',
  description: "a TF.js model (model.json with its weight shards): weights re-initialized by their layers' configured initializers (--policy model, the default) or by a policy, written as model.json and 4 MiB shards (or .safetensors)",
  matches: (path) => !isIndexFile(path) && isTfjsModelFile(path),
  output: tfjsOutput,
  modelPolicy: true,
  preload: tfjsModules,
  load: loadTfjs,
};

const onnxInput: InputFormat = {
  name: 'onnx',
  description: 'an ONNX model (.onnx): initializers re-initialized by their roles in the graph, written as .onnx (or .safetensors)',
  matches: (path) => path.endsWith('.onnx'),
  output: onnxOutput,
  preload: onnxModules,
  load: loadOnnx,
};

/** Every input format, tried in order. */
export const INPUT_FORMATS: readonly InputFormat[] = [indexInput, safetensorsInput, onnxInput, tfjsInput, specInput];

export function inputFormatOf(path: string): InputFormat {
  const format = INPUT_FORMATS.find((f) => f.matches(path));
  if (!format) {
    throw new InputError(`${path}: unknown input type; expected ${INPUT_FORMATS.map((f) => f.description.split(':')[0]).join(', ')}`);
  }
  return format;
}

/** Loads `path` in its format: inputFormatOf's, unless the caller has it already (a .json is read to tell). */
export async function loadInput(path: string, flags: PlanFlags, format: InputFormat = inputFormatOf(path)): Promise<ModelSource> {
  if (flags.modelPolicy && !format.modelPolicy) throw new InputError(`--policy model: reproduces the initializers a TF.js model.json configures; ${path} is ${format.description.split(':')[0]}, which configures none`);
  return format.load(path, flags);
}
