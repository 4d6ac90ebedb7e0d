/// <reference types="node" />
// Node only: writes files laid out as segments (formats/segments.ts) to disk, chunk by chunk through one buffer,
// so memory stays bounded whatever the model's size; the statistics of every computed parameter are gathered on
// the way. As for safetensors, every file goes to a hidden temporary name in its folder, is synced, and all are
// renamed only once every file is complete: an error or an abort removes them, and no output name ever holds a
// partial file.

import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutArray } from '../../core/output.js';
import { initParameter } from '../../model/init.js';
import type { ParameterPlan } from '../../model/types.js';
import { BYTES_OF, LITTLE_ENDIAN, writtenValues } from '../dtypes.js';
import type { FileLayout } from '../segments.js';
import { Accumulator, type Summary } from '../stats.js';
import { namingFile, removeTemporary, renameTemporary, syncFolder, temporaryPath, writeFully } from './write.js';

export interface SegmentProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** The tensor being written, when the bytes are a tensor's. */
  readonly tensor: string;
  readonly file: string;
}

export interface SegmentWriteOptions {
  /** Reads `length` bytes at `offset` of an input file named by a 'copy' segment into `target`. */
  readonly read?: (source: string, offset: number, target: Uint8Array) => Promise<void>;
  /** Aborting stops at the next chunk, removes the temporary files and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SegmentProgress) => void;
  /** Bytes per write (default 4 MiB). */
  readonly chunkBytes?: number;
}

export interface SegmentWriteResult {
  /** Paths of the files written, in the order given. */
  readonly files: readonly string[];
  readonly bytes: number;
  /** Statistics of every computed parameter's values, by name. */
  readonly summaries: ReadonlyMap<string, Summary>;
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Writes the files into `folder` (see the header comment). */
export async function writeSegmentFiles(folder: string, files: readonly FileLayout[], options: SegmentWriteOptions = {}): Promise<SegmentWriteResult> {
  if (!LITTLE_ENDIAN) throw new Error('nninit: this platform stores numbers big-endian; model files store them little-endian');
  const chunkBytes = Math.max(64, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const signal = options.signal;
  signal?.throwIfAborted();
  const bytesTotal = files.reduce((sum, f) => sum + f.length, 0);
  const temps = files.map((f) => temporaryPath(join(folder, f.name)));
  const accumulators = new Map<string, Accumulator>();
  /** The next element of each parameter not yet counted in its statistics (a shard boundary may split one). */
  const counted = new Map<ParameterPlan, number>();
  const wholes = new Map<ParameterPlan, OutArray>();
  // Two buffers: one is written while the next is filled.
  const buffers = [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
  let buffer = buffers[0];
  let pending: Promise<void> | undefined;
  let bytesDone = 0;
  let handle: FileHandle | undefined;

  // The values of one slice are computed into this, rather than a new array each time.
  const scratch = new ArrayBuffer(chunkBytes + 8);
  const scratchFor = (p: ParameterPlan, elements: number) => (p.dtype === 'float32' ? new Float32Array(scratch, 0, elements)
    : p.dtype === 'float64' ? new Float64Array(scratch, 0, elements) : new Uint16Array(scratch, 0, elements));
  const count = (p: ParameterPlan, firstElement: number, array: OutArray) => {
    const values = array as Float32Array | Float64Array | Uint16Array;
    const next = counted.get(p) ?? 0;
    const skip = next - firstElement;
    if (skip >= values.length) return;
    const fresh = skip > 0 ? values.subarray(skip) : values;
    let accumulator = accumulators.get(p.name);
    if (!accumulator) accumulators.set(p.name, (accumulator = new Accumulator()));
    accumulator.add(writtenValues(p.dtype, fresh));
    counted.set(p, firstElement + values.length);
  };

  // The file being written, named by a write's system error (a full disk).
  let writing: string | undefined;
  try {
    for (let f = 0; f < files.length; f++) {
      const file = files[f];
      writing = join(folder, file.name);
      handle = await open(temps[f], 'wx', 0o644);
      let position = 0, filled = 0, label = '';
      const flush = async () => {
        if (filled === 0) return;
        signal?.throwIfAborted();
        // The other buffer's write must be done before that buffer is filled again.
        await pending;
        const bytes = buffer.subarray(0, filled), at = position, tensor = label;
        position += filled;
        filled = 0;
        pending = writeFully(handle!, bytes, at).then(() => {
          bytesDone += bytes.length;
          options.onProgress?.({ bytesDone, bytesTotal, tensor, file: file.name });
        });
        buffer = buffer === buffers[0] ? buffers[1] : buffers[0];
      };
      /** Room in the buffer, flushing it when full. */
      const room = async () => {
        if (filled === buffer.length) await flush();
        return buffer.length - filled;
      };
      for (const segment of file.segments) {
        if (segment.kind === 'bytes') {
          for (let at = 0; at < segment.bytes.length;) {
            const n = Math.min(await room(), segment.bytes.length - at);
            buffer.set(segment.bytes.subarray(at, at + n), filled);
            filled += n;
            at += n;
          }
        } else if (segment.kind === 'copy') {
          label = segment.source;
          if (!options.read) throw new Error(`nninit: ${file.name} needs bytes of ${segment.source}, and no reader was given`);
          for (let at = 0; at < segment.length;) {
            const n = Math.min(await room(), segment.length - at);
            await options.read(segment.source, segment.offset + at, buffer.subarray(filled, filled + n));
            filled += n;
            at += n;
          }
        } else {
          const p = segment.plan;
          label = p.name;
          const width = BYTES_OF[p.dtype];
          if (p.whole) {
            let values = wholes.get(p);
            if (!values) {
              values = initParameter(p);
              wholes.set(p, values);
              count(p, 0, values);
            }
            const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
            for (let at = segment.from; at < segment.to;) {
              const n = Math.min(await room(), segment.to - at);
              buffer.set(bytes.subarray(at, at + n), filled);
              filled += n;
              at += n;
            }
            if (segment.to === bytes.length) wholes.delete(p);
            continue;
          }
          for (let at = segment.from; at < segment.to;) {
            // Whole elements from the one holding byte `at`, as many as fit; the first and last may be cut.
            const space = await room();
            const element = Math.floor(at / width);
            const last = Math.min(Math.ceil((at + space) / width), Math.ceil(segment.to / width));
            const elements = Math.max(1, Math.min(last - element, Math.floor(space / width) + 1));
            const values = initParameter(p, { offset: element, length: elements, out: scratchFor(p, elements) });
            count(p, element, values);
            const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
            const from = at - element * width;
            const n = Math.min(space, segment.to - at, bytes.length - from);
            buffer.set(bytes.subarray(from, from + n), filled);
            filled += n;
            at += n;
          }
        }
      }
      await flush();
      await pending;
      pending = undefined;
      if (position !== file.length) throw new Error(`nninit: ${file.name}: wrote ${position} bytes of ${file.length}`);
      await handle.sync();
      await handle.close();
      handle = undefined;
    }
    writing = undefined;
    const paths = files.map((f) => join(folder, f.name));
    for (let f = 0; f < files.length; f++) await renameTemporary(temps[f], paths[f]);
    await syncFolder(folder);
    const summaries = new Map([...accumulators].map(([name, accumulator]) => [name, accumulator.summary()]));
    return { files: paths, bytes: bytesTotal, summaries };
  } catch (error) {
    await pending?.catch(() => undefined);
    await handle?.close().catch(() => undefined);
    for (const temp of temps) await removeTemporary(temp);
    throw writing ? namingFile(error, writing) : error;
  }
}


/** Positional reads of files in one folder (an ONNX model's external data, TF.js weight shards), one handle each. */
export interface FolderReader {
  read(source: string, offset: number, target: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function folderReader(folder: string): FolderReader {
  const handles = new Map<string, Promise<FileHandle>>();
  return {
    async read(source, offset, target) {
      let opened = handles.get(source);
      if (!opened) handles.set(source, (opened = open(join(folder, source), 'r')));
      const handle = await opened;
      let done = 0;
      while (done < target.length) {
        const { bytesRead } = await handle.read(target, done, target.length - done, offset + done);
        if (bytesRead === 0) throw new RangeError(`${join(folder, source)}: the file ended at byte ${offset + done}, before the ${target.length} bytes read from ${offset}`);
        done += bytesRead;
      }
    },
    async close() {
      for (const opened of handles.values()) await (await opened.catch(() => undefined))?.close();
      handles.clear();
    },
  };
}
