/// <reference types="node" />
// Model files as inputs of the command: an ONNX model (.onnx) and a TF.js model (model.json and its weight
// shards). Each is re-initialized in its own format by default (the output follows the input: an ONNX in gives
// an ONNX out, a TF.js model.json gives model.json and shards in the output folder), or written as safetensors
// when -o names a .safetensors file. The registry entries are in inputs.ts.

import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ParameterPlan } from '../model/types.js';
import { seedText } from '../formats/safetensors.js';
import { NNINIT_VERSION } from '../formats/version.js';
import type { SafetensorsDtype } from '../formats/dtypes.js';
import type { OnnxModel } from '../formats/onnx.js';
import type { TfjsModel } from '../formats/tfjs.js';
import { folderReader } from '../formats/node/segments.js';
import type { Summary } from '../formats/stats.js';
import type { OutputTensor, WriteResult, WrittenTensor } from '../formats/node/write.js';
import { InputError, classify, quote, type ErrorContext } from './errors.js';
import { checkOutputFolder } from './output.js';
import type { PlanFlags } from './options.js';

/** What the command needs of a model source written in its own format (see ModelSource in inputs.ts). */
export interface NativeSource {
  readonly explain: string;
  writeNative(path: string, options: { signal?: AbortSignal; onProgress?: (p: { bytesDone: number; bytesTotal: number; tensor: string }) => void }): Promise<WriteResult>;
}

/** How -o is read for an input written in its own format. */
export interface NativeOutput {
  /** 'an .onnx file', for messages. */
  readonly what: string;
  /** The output path -o names, checked (its folder is writable, or can be created: see output.ts). */
  resolve(output: string): Promise<string>;
}

export const onnxOutput: NativeOutput = {
  what: 'an ONNX model',
  async resolve(output) {
    const info = await stat(output).catch(() => undefined);
    let path = output;
    if (info?.isDirectory() || /[/\\]$/.test(output)) path = join(output, 'model.onnx');
    else if (!output.endsWith('.onnx')) throw new InputError(`-o ${output}: expected a file name ending in .onnx (an ONNX input is written as ONNX), a .safetensors file, or a folder`);
    await checkOutputFolder(`-o ${output}`, dirname(path));
    if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new InputError(`-o ${output}: ${path} is a folder`);
    return path;
  },
};

/** Flags that do not apply to model files, refused with the reason. */
function refuseFlags(flags: PlanFlags, what: string): void {
  if (flags.dtype !== undefined) throw new InputError(`--dtype: ${what} keeps each tensor's element type`);
  if (flags.layout !== undefined) throw new InputError(`--layout: applies to spec inputs; ${what} has its own layouts`);
  if (flags.rng !== undefined) throw new InputError(`--rng: applies to spec inputs, whose layers name the torch.nn modules that draw; ${what} is planned from its graph`);
}

/** A library error as the command's: flags named as flags (`options.keep[k]` becomes `--keep GLOB`). */
function planningError(path: string, error: unknown, flags: PlanFlags, context: ErrorContext): never {
  if (error instanceof TypeError || error instanceof RangeError) {
    const { code, message } = classify(error, context);
    const keep = /options\.keep\[(\d+)\]/.exec(message);
    if (keep) throw new InputError(`--keep ${flags.keep[Number(keep[1])]}: matches no tensor of ${path}`);
    // The library suggests `keep: ["name"]`; the command's flag is --keep.
    if (code === 2) throw new InputError(message.replace(/\(keep: \[("(?:[^"\\]|\\.)*")\]\)/g, (_whole, name: string) => `(--keep ${quote(JSON.parse(name) as string)})`));
  }
  throw error;
}

function inputError(path: string, error: unknown): never {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a folder, not a file', ENOTDIR: 'a part of the path is not a folder' };
  if (code && why[code]) throw new InputError(`${path}: cannot read the input: ${why[code]}`);
  throw error;
}

/** The planning flags a model file's reader takes: seed, rules and --keep (the policy as the caller resolves it). */
function readerOptions<Policy>(flags: PlanFlags, policy: Policy | undefined) {
  return {
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(policy !== undefined ? { policy } : {}),
    ...(flags.rules.length ? { rules: [...flags.rules] } : {}),
    ...(flags.keep.length ? { keep: [...flags.keep] } : {}),
  };
}

/** Reads a model file: a file system error names the file, a planning error the flag behind it. */
async function readModel<Model>(path: string, flags: PlanFlags, context: ErrorContext, read: () => Promise<Model>): Promise<Model> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) inputError(path, error);
    planningError(path, error, flags, context);
  }
}

/** The rows of a native write, as the safetensors writer reports them. */
function writeResult(path: string, files: readonly string[], bytes: number, tensors: readonly { name: string; dtype: string; shape: readonly number[] }[], summaries: ReadonlyMap<string, Summary>, planned: ReadonlySet<string>): WriteResult {
  const file = basename(path);
  const written: WrittenTensor[] = tensors.map((t, index) => ({
    name: t.name, dtype: t.dtype as SafetensorsDtype, shape: t.shape, file, summary: summaries.get(t.name), copied: !planned.has(t.name), index,
  }));
  const shard = { file, number: 1, tensors: tensors.map((_, index) => index), bytes };
  return { folder: dirname(path), stem: file, shards: [shard], mine: [shard], totalSize: bytes, files, tensors: written, bytes };
}

/** Metadata of a safetensors file written from a model file. */
function safetensorsMetadata(path: string, plan: readonly ParameterPlan[], seed: unknown, flags: PlanFlags): Record<string, string> {
  return {
    format: 'pt',
    'nninit.version': NNINIT_VERSION,
    'nninit.seed': seedText(seed as bigint),
    'nninit.policy': plan[0]?.policy ?? (typeof flags.policy === 'string' ? flags.policy : flags.policy?.name ?? 'activation'),
    'nninit.rules': JSON.stringify(flags.rules),
    ...(flags.keep.length ? { 'nninit.keep': JSON.stringify(flags.keep) } : {}),
    'nninit.input': basename(path),
  };
}

// ---- ONNX -----------------------------------------------------------------------------------------------------------

/**
 * The ONNX reader and writer (protobufjs and the ONNX schema): loaded only for an ONNX input, as they are most of
 * the command's start otherwise.
 */
export const onnxModules = () => Promise.all([import('../formats/onnx.js'), import('../formats/onnx-schema.js'), import('../formats/node/onnx.js')]);

export async function loadOnnx(path: string, flags: PlanFlags) {
  refuseFlags(flags, 'an ONNX model');
  const [{ initializerData }, { ELEMENT_TYPES }, { readOnnxFile, writeOnnxFile }] = await onnxModules();
  const context: ErrorContext = { ruleTexts: flags.ruleTexts };
  const model: OnnxModel = await readModel(path, flags, context, () => readOnnxFile(path, readerOptions(flags, flags.policy)));
  const planned = new Set(model.parameters.map((p) => p.name));
  const unplanned = new Map(model.initializers.filter((i) => i.status === 'kept').map((i) => [i.name, i.inferred]));
  const byName = new Map(model.parameters.map((p) => [p.name, p]));
  const reader = folderReader(dirname(path));
  const source = {
    format: 'onnx', label: path, plan: model.parameters, unplanned, seed: model.seed, seedGiven: flags.seed !== undefined,
    errorContext: context, explain: model.explain,
    metadata: safetensorsMetadata(path, model.parameters, model.seed, flags),
    /** As safetensors: every initializer under its name and dims; kept ones copied. */
    get tensors(): OutputTensor[] {
      return model.initializers.map((init): OutputTensor => {
        const dtype = ELEMENT_TYPES[init.dataType].safetensors;
        if (!dtype) throw new InputError(`${path}: initializer "${init.name}" is ${init.type}, which safetensors cannot hold; write an .onnx file`);
        const p = byName.get(init.name);
        if (p) return { name: init.name, dtype, shape: init.dims, source: { plan: p } };
        if (init.external) {
          const { location, offset } = init.external;
          return { name: init.name, dtype, shape: init.dims, source: { copy: (position, target) => reader.read(location, offset + position, target) } };
        }
        const data = initializerData(model, init.name)!;
        return { name: init.name, dtype, shape: init.dims, source: { copy: async (position, target) => { target.set(data.subarray(position, position + target.length)); } } };
      });
    },
    async writeNative(output: string, options: Parameters<NativeSource['writeNative']>[1]): Promise<WriteResult> {
      const result = await writeOnnxFile(model, output, options);
      return writeResult(output, result.files, result.bytes, model.initializers.map((i) => ({ name: i.name, dtype: i.type, shape: i.dims })), result.summaries, planned);
    },
    close: () => reader.close(),
  };
  return source;
}


// ---- TF.js ----------------------------------------------------------------------------------------------------------

/** The TF.js model reader and writer, loaded only for a TF.js input. */
export const tfjsModules = () => Promise.all([import('../formats/tfjs.js'), import('../formats/node/tfjs.js')]);

/**
 * A .json file is a TF.js model when it has a modelTopology or a weightsManifest (a spec has neither). The file is
 * read to tell: one that cannot be read, or is not JSON, is bad input naming it (rather than taken for a spec and
 * refused later for what -o says).
 */
export function isTfjsModelFile(path: string): boolean {
  if (!path.endsWith('.json')) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    inputError(path, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return json !== null && typeof json === 'object' && ('modelTopology' in json || 'weightsManifest' in json);
}

export const tfjsOutput: NativeOutput = {
  what: 'a TF.js model',
  async resolve(output) {
    const info = await stat(output).catch(() => undefined);
    let path = output;
    if (info?.isDirectory() || /[/\\]$/.test(output)) path = join(output, 'model.json');
    else if (!output.endsWith('.json')) throw new InputError(`-o ${output}: expected a model.json path (its weight shards go beside it), a folder, or a .safetensors file`);
    await checkOutputFolder(`-o ${output}`, dirname(path));
    if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new InputError(`-o ${output}: ${path} is a folder`);
    return path;
  },
};

export async function loadTfjs(path: string, flags: PlanFlags) {
  refuseFlags(flags, 'a TF.js model');
  const [{ weightPieces }, { readTfjsFile, writeTfjsFiles }] = await tfjsModules();
  const context: ErrorContext = { ruleTexts: flags.ruleTexts };
  const model: TfjsModel = await readModel(path, flags, context, () => readTfjsFile(path, readerOptions(flags, flags.modelPolicy ? 'model' as const : flags.policy)));
  const planned = new Set(model.parameters.map((p) => p.name));
  const unplanned = new Map(model.weights.filter((w) => w.status === 'kept').map((w) => [w.name, w.inferred]));
  const byName = new Map(model.parameters.map((p) => [p.name, p]));
  const reader = folderReader(dirname(path));
  const source = {
    format: 'tfjs', label: path, plan: model.parameters, unplanned, seed: model.seed, seedGiven: flags.seed !== undefined,
    errorContext: context, explain: model.explain,
    metadata: safetensorsMetadata(path, model.parameters, model.seed, flags),
    /** As safetensors: every weight under its manifest name; kept ones copied from the shards. */
    get tensors(): OutputTensor[] {
      return model.weights.map((w, k): OutputTensor => {
        const p = byName.get(w.name);
        if (p) return { name: w.name, dtype: 'F32', shape: w.shape, source: { plan: p } };
        const dtype = ({ float32: 'F32', int32: 'I32', bool: 'BOOL', complex64: 'C64' } as Record<string, SafetensorsDtype>)[w.dtype];
        const width = ({ F32: 4, I32: 4, BOOL: 1, C64: 8 } as Record<string, number>)[dtype ?? ''];
        if (!dtype || w.bytes !== w.shape.reduce((a, b) => a * b, 1) * width) {
          throw new InputError(`${path}: weight "${w.name}" is ${w.dtype} stored quantized, which safetensors output does not convert; write a TF.js model`);
        }
        const pieces = weightPieces(model, k);
        return {
          name: w.name, dtype, shape: w.shape,
          source: {
            async copy(position, target) {
              // The weight's bytes lie in consecutive pieces of the input's shards.
              let start = 0, done = 0;
              for (const piece of pieces) {
                const lo = Math.max(position + done, start), hi = Math.min(position + target.length, start + piece.length);
                if (lo < hi) {
                  await reader.read(piece.path, piece.offset + (lo - start), target.subarray(lo - position, hi - position));
                  done = hi - position;
                }
                start += piece.length;
              }
            },
          },
        };
      });
    },
    async writeNative(output: string, options: Parameters<NativeSource['writeNative']>[1]): Promise<WriteResult> {
      const result = await writeTfjsFiles(model, output, options);
      return writeResult(output, result.files, result.bytes, model.weights.map((w) => ({ name: w.name, dtype: planned.has(w.name) ? 'float32' : w.dtype, shape: w.shape })), result.summaries, planned);
    },
    close: () => reader.close(),
  };
  return source;
}
