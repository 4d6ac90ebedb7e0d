/// <reference types="node" />
// Node only: ONNX models as files. readOnnxFile reads a .onnx file (up to protobuf's 2 GB) and checks its external
// data files (each initializer's location, offset and length, relative to the model's folder) before anything is
// written; writeOnnxFile writes the re-initialized model, and a data file beside it when the model keeps
// initializers in external data, streamed and renamed into place only once complete.

import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { onnxFiles, readOnnx, type OnnxModel, type OnnxReadOptions } from '../onnx.js';
import { MAX_PROTOBUF_BYTES } from '../onnx-schema.js';
import type { Summary } from '../stats.js';
import { folderReader, writeSegmentFiles, type SegmentProgress } from './segments.js';

/** The folder each model read from a file came from: external data is read relative to it. */
const FOLDERS = new WeakMap<OnnxModel, string>();

function readError(path: string, message: string): RangeError {
  return new RangeError(`nninit.readOnnxFile: ${path}: ${message}`);
}

/**
 * readOnnx of a file, with its external data checked: every location must name a file in the model's folder
 * (or below it) holding the initializer's bytes at its offset.
 */
export async function readOnnxFile(path: string, options?: Omit<OnnxReadOptions, 'file'>): Promise<OnnxModel> {
  const info = await stat(path);
  if (!info.isFile()) throw readError(path, 'not a regular file');
  if (info.size > MAX_PROTOBUF_BYTES) throw readError(path, `${info.size} bytes is beyond protobuf's 2 GB limit; larger models keep their weights in external data files`);
  const bytes = await readFile(path);
  const model = readOnnx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { ...options, file: path });
  const folder = dirname(path);
  const sizes = new Map<string, number>();
  for (const init of model.initializers) {
    if (!init.external) continue;
    const { location, offset, length } = init.external;
    let size = sizes.get(location);
    if (size === undefined) {
      const data = await stat(join(folder, location)).catch(() => undefined);
      if (!data?.isFile()) throw readError(path, `initializer "${init.name}": its external data file ${join(folder, location)} does not exist`);
      sizes.set(location, (size = data.size));
    }
    if (offset + length > size) throw readError(path, `initializer "${init.name}": its ${length} bytes at offset ${offset} run beyond the ${size} bytes of ${join(folder, location)}`);
  }
  FOLDERS.set(model, folder);
  return model;
}

export interface OnnxWriteOptions {
  /** The input's folder, for models with external data not read by readOnnxFile. */
  readonly inputFolder?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SegmentProgress) => void;
}

export interface OnnxWriteResult {
  /** The model file, then its data file if it has one. */
  readonly files: readonly string[];
  readonly bytes: number;
  /** Statistics of the values written, by parameter name. */
  readonly summaries: ReadonlyMap<string, Summary>;
}

/**
 * Writes the model with fresh weights to `path` (see writeOnnx); a model with external initializers gets a data
 * file `${basename(path)}.data` beside it, holding the new values and the kept tensors' bytes.
 */
export async function writeOnnxFile(model: OnnxModel, path: string, options: OnnxWriteOptions = {}): Promise<OnnxWriteResult> {
  const name = basename(path);
  const files = onnxFiles(model, { modelName: name, dataLocation: `${name}.data` });
  const inputFolder = options.inputFolder ?? FOLDERS.get(model);
  const reader = inputFolder === undefined ? undefined : folderReader(inputFolder);
  try {
    return await writeSegmentFiles(dirname(path), files, {
      ...(reader ? { read: reader.read } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await reader?.close();
  }
}
