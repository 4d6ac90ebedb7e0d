/// <reference types="node" />
// Node only: reading safetensors files and sharded checkpoints from disk, header first and defensively (the
// sizes are checked against the file before the header is read), tensor data in bounded chunks.

import { open, stat, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MAX_HEADER_BYTES, parseSafetensorsHeader, safetensorsHeaderLength, SafetensorsError, type SafetensorsHeader, type SafetensorsTensor } from '../safetensors.js';
import { parseIndex, type ShardIndex } from '../shards.js';
import type { SafetensorsDtype } from '../dtypes.js';

export interface SafetensorsFile {
  readonly path: string;
  /** How messages name the file (the path as the user gave it). */
  readonly label: string;
  readonly size: number;
  readonly header: SafetensorsHeader;
}

/** Reads and validates a file's header (8 + N bytes); the data is not read. */
export async function openSafetensorsFile(path: string, label = path): Promise<SafetensorsFile> {
  const info = await stat(path);
  if (!info.isFile()) throw new SafetensorsError('InvalidHeader', label, 'not a regular file');
  const handle = await open(path, 'r');
  try {
    const first = new Uint8Array(8);
    const { bytesRead } = await handle.read(first, 0, 8, 0);
    const n = safetensorsHeaderLength(first.subarray(0, bytesRead), info.size, { file: label });
    const headerBytes = new Uint8Array(n);
    const read = await handle.read(headerBytes, 0, n, 8);
    if (read.bytesRead !== n) throw new SafetensorsError('InvalidHeaderLength', label, `the file ended after ${read.bytesRead} of the header's ${n} bytes`);
    return { path, label, size: info.size, header: parseSafetensorsHeader(headerBytes, info.size, { file: label }) };
  } finally {
    await handle.close();
  }
}

/** Positional reads of tensor data from one file, through one open handle. */
export interface DataReader {
  /** Reads bytes [position, position + target.length) of a tensor's data into target. */
  read(tensor: SafetensorsTensor, position: number, target: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function openDataReader(file: SafetensorsFile): Promise<DataReader> {
  const handle = await open(file.path, 'r');
  return {
    async read(tensor, position, target) {
      if (position < 0 || position + target.length > tensor.end - tensor.begin) throw new RangeError(`read of ${tensor.name} out of its bounds`);
      let done = 0;
      while (done < target.length) {
        const { bytesRead } = await handle.read(target, done, target.length - done, file.header.dataStart + tensor.begin + position + done);
        if (bytesRead === 0) throw new SafetensorsError('MetadataIncompleteBuffer', file.label, 'the file is shorter than when its header was read', tensor.name);
        done += bytesRead;
      }
    },
    close: () => handle.close(),
  };
}

/** A tensor of a checkpoint on disk: its header entry and the file that holds it. */
export interface CheckpointTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly file: SafetensorsFile;
  readonly entry: SafetensorsTensor;
}

export interface Checkpoint {
  readonly kind: 'safetensors' | 'index';
  readonly path: string;
  readonly files: readonly SafetensorsFile[];
  /** In file order, then data order within each file. */
  readonly tensors: readonly CheckpointTensor[];
  /** The first file's `__metadata__`. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly index?: ShardIndex;
}

/** A checkpoint from one .safetensors file. */
export async function openSafetensorsCheckpoint(path: string, label = path): Promise<Checkpoint> {
  const file = await openSafetensorsFile(path, label);
  return {
    kind: 'safetensors', path, files: [file], metadata: file.header.metadata,
    tensors: file.header.tensors.map((entry) => ({ name: entry.name, dtype: entry.dtype, shape: entry.shape, file, entry })),
  };
}

/**
 * A sharded checkpoint from its index (`model.safetensors.index.json`): every shard's header is read and checked
 * against the index: each tensor of the weight map is in the shard it names, and each tensor of a shard is in the
 * weight map under that shard (so the checkpoint holds at most MAX_HEADER_TENSORS tensors, as its weight map).
 */
export async function openShardedCheckpoint(path: string, label = path): Promise<Checkpoint> {
  // An index lists names and file names only: one larger than a header may be is refused before it is read.
  const { size } = await stat(path);
  if (size > MAX_HEADER_BYTES) throw new SafetensorsError('InvalidIndex', label, `the index holds ${size} bytes, above the ${MAX_HEADER_BYTES} a safetensors header may hold`);
  const index = parseIndex(await readFile(path, 'utf8'), label);
  const folder = dirname(path);
  const labelFolder = dirname(label);
  const files: SafetensorsFile[] = [];
  const tensors: CheckpointTensor[] = [];
  for (const shard of index.files) {
    let file: SafetensorsFile;
    try {
      file = await openSafetensorsFile(join(folder, shard), join(labelFolder, shard));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code) throw new SafetensorsError('InvalidIndex', label, `its shard ${JSON.stringify(shard)} cannot be read (${code})`);
      throw error;
    }
    for (const entry of file.header.tensors) {
      const listed = index.weightMap.get(entry.name);
      if (listed !== shard) {
        throw new SafetensorsError('InvalidIndex', label, listed === undefined
          ? `shard ${JSON.stringify(shard)} holds it, but the weight_map does not list it`
          : `shard ${JSON.stringify(shard)} holds it, but the weight_map puts it in ${JSON.stringify(listed)}`, entry.name);
      }
      tensors.push({ name: entry.name, dtype: entry.dtype, shape: entry.shape, file, entry });
    }
    files.push(file);
  }
  const found = new Set(tensors.map((t) => t.name));
  for (const [name, shard] of index.weightMap) {
    if (!found.has(name)) throw new SafetensorsError('InvalidIndex', label, `the weight_map puts it in ${JSON.stringify(shard)}, which does not hold it`, name);
  }
  return { kind: 'index', path, files, tensors, metadata: files[0]?.header.metadata, index };
}

/** True for a sharded checkpoint's index file name. */
export const isIndexFile = (path: string): boolean => basename(path).endsWith('.safetensors.index.json');
