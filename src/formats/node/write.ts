/// <reference types="node" />
// Node only: writing a model as safetensors, one file or Hugging Face shards, streamed in fixed-size chunks so
// that memory stays bounded whatever the model's size.
//
// Each file's data is cut into chunks of `chunkBytes`; a chunk is one buffer of a small ring, filled with the
// pieces of the tensors it covers (computed by the producer, copied from a whole tensor, or read from an input
// checkpoint), summarized for the statistics, and written at its position while the next chunk is filled. With
// the default producer the ring lives in the WebAssembly backend's staging area: the kernels fill it, sum it and
// the writes read it where it is, with no copy in between. Files
// go to hidden temporary names in the target folder, are synced, and are renamed only once every file of the run
// is complete (the index last): an error or an abort removes the temporary files, and the output names never
// hold a partial file.

import { unlinkSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { StagingArea } from '../../core/backend.js';
import type { OutArray } from '../../core/output.js';
import { orthogonalWorkingBytes } from '../../core/wasm.js';
import type { ParameterPlan } from '../../model/types.js';
import { elementValues, LITTLE_ENDIAN, SAFETENSORS_DTYPES, type SafetensorsDtype } from '../dtypes.js';
import { synchronousProducer, type SliceArray, type SliceProducer } from '../producer.js';
import { layoutSafetensors, type Layout, type TensorSpec } from '../safetensors.js';
import { indexFileName, indexJson, partOfShard, planShards, type Shard } from '../shards.js';
import { Accumulator, type AccumulatorState, type Summary } from '../stats.js';

/** Where a tensor's bytes come from: a plan entry (computed), or a reader of bytes to copy (from a checkpoint). */
export type TensorSource =
  | { readonly plan: ParameterPlan }
  | { readonly copy: (position: number, target: Uint8Array) => Promise<void> };

export interface OutputTensor extends TensorSpec {
  readonly source: TensorSource;
}

export interface Progress {
  /** Bytes of this run's files written so far, and in all. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** The tensor being written and its file name. */
  readonly tensor: string;
  readonly file: string;
}

export interface WriteOptions {
  /** `<folder>/<stem>.safetensors`: the file, or the stem and folder of the shards and their index. */
  readonly path: string;
  /** Every file's `__metadata__`. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Split into Hugging Face shards of at most this many bytes of tensor data each. */
  readonly maxShardSize?: number;
  /** Write only the shards of part `index` of `count` (see partOfShard); part 1 writes the index. */
  readonly part?: { readonly index: number; readonly count: number };
  /** Where values come from (default: initParameter on this thread). */
  readonly producer?: SliceProducer;
  /** Bytes per chunk (default 4 MiB; a multiple of 8). */
  readonly chunkBytes?: number;
  /** Aborting stops at the next chunk, removes the temporary files and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

export interface WrittenTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly file: string;
  /** Statistics of the values written (undefined for dtypes without numeric values, such as packed sub-byte floats). */
  readonly summary: Summary | undefined;
  readonly copied: boolean;
  /** Its index in the list given to writeSafetensorsFiles. */
  readonly index: number;
}

export interface WritePlan {
  readonly folder: string;
  readonly stem: string;
  /** Every shard of the model (one when not sharded). */
  readonly shards: readonly Shard[];
  /** The shards this run writes. */
  readonly mine: readonly Shard[];
  /** The index file name, when the model has several shards and this run writes it. */
  readonly index?: string;
  /** Sum of the tensors' byte lengths (the index's total_size). */
  readonly totalSize: number;
}

export interface WriteResult extends WritePlan {
  /** Paths of the files written, the index last. */
  readonly files: readonly string[];
  /** Tensors written by this run, in the order given. */
  readonly tensors: readonly WrittenTensor[];
  /** Bytes of the files written. */
  readonly bytes: number;
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Flush to disk every this many bytes, so the disk works while values are computed rather than all at the end. */
const SYNC_EVERY = 64 * 1024 * 1024;

/** Bytes of a tensor's data (its element count times the dtype's width). */
const tensorBytes = (t: TensorSpec): number => t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPES[t.dtype] / 8;

/** The output path's folder and stem: `out/model.safetensors` -> ('out', 'model'). */
export function outputStem(path: string): { folder: string; stem: string } {
  const name = basename(path);
  return { folder: dirname(path), stem: name.endsWith('.safetensors') ? name.slice(0, -'.safetensors'.length) : name };
}

/** Which files a run writes: the shards (Hugging Face's split), this part's share of them, and the index. */
export function planWrite(tensors: readonly TensorSpec[], options: Pick<WriteOptions, 'path' | 'maxShardSize' | 'part'>): WritePlan {
  const { folder, stem } = outputStem(options.path);
  const sizes = tensors.map(tensorBytes);
  const shards = planShards(sizes, options.maxShardSize, stem);
  const part = options.part;
  const mine = part ? shards.filter((s) => partOfShard(s.number, part.count) === part.index) : shards;
  const writesIndex = shards.length > 1 && (!part || part.index === 1);
  return { folder, stem, shards, mine, ...(writesIndex ? { index: indexFileName(stem) } : {}), totalSize: sizes.reduce((a, b) => a + b, 0) };
}

/**
 * A chunk buffer. bytes() gives a view of it, to be taken anew after anything that may grow the backend's memory:
 * a view of a staging area taken before a growth is detached (length 0), though the contents stay.
 */
interface Slot {
  bytes(): Uint8Array;
}

/** `count` chunk buffers of `bytes`: in a staging area, or shared memory where the producer's workers fill them. */
function chunkSlots(count: number, bytes: number, staging: StagingArea | undefined, shared: boolean): Slot[] {
  return Array.from({ length: count }, (_, k): Slot => {
    if (staging) return { bytes: () => staging.bytes().subarray(k * bytes, (k + 1) * bytes) };
    const view = new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    return { bytes: () => view };
  });
}

/** A fixed set of chunk buffers handed out and returned. */
class Ring {
  private readonly waiting: ((slot: Slot) => void)[] = [];
  constructor(private readonly free: Slot[]) {}
  take(): Slot | Promise<Slot> {
    return this.free.pop() ?? new Promise((resolve) => this.waiting.push(resolve));
  }
  give(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}

/**
 * Work arrays the whole tensors of a write may need in the backend's memory beside a staging area: at most those
 * of an orthogonal factorization of a column of as many elements, since the kernels keep 32 reflector columns per
 * row and the tallest matrix of a size needs the most.
 */
function wholeWorkingBytes(tensors: readonly OutputTensor[]): number {
  let most = 0;
  for (const t of tensors) {
    if (!('plan' in t.source) || !t.source.plan.whole) continue;
    most = Math.max(most, orthogonalWorkingBytes(t.source.plan.size, 1, t.dtype === 'F64'));
  }
  return most;
}

/** Whether a view was detached (its buffer's memory grew): its length is then 0. */
const detached = (view: ArrayBufferView, length: number): boolean => view.byteLength !== length;

function sliceArray(dtype: SafetensorsDtype, buffer: ArrayBufferLike, byteOffset: number, length: number): SliceArray {
  if (dtype === 'F32') return new Float32Array(buffer, byteOffset, length);
  if (dtype === 'F64') return new Float64Array(buffer, byteOffset, length);
  return new Uint16Array(buffer, byteOffset, length);
}

/** A piece of a chunk: bytes [from, to) of one tensor's data, at `at` in the chunk. */
interface Piece {
  readonly tensor: number;
  readonly from: number;
  readonly to: number;
  readonly at: number;
  /** Its place among the tensor's pieces, which is the order its statistics are combined in. */
  readonly order: number;
}

/** One file being written: its layout, temporary path and handle. */
interface OpenFile {
  readonly shard: Shard;
  readonly layout: Layout;
  readonly temp: string;
  readonly final: string;
  handle?: FileHandle;
}

export async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** System calls on an output file's handle, whose errors name no file. */
const OUTPUT_SYSCALLS = new Set(['write', 'fsync', 'fdatasync', 'close']);

/**
 * A system error of a write (ENOSPC, EDQUOT, EIO) names no file, since writes go through a handle: `path` set to
 * the file being written (its final name, the one the user gave), so that the message names it. Errors of reads
 * (a checkpoint's tensors copied) are left alone.
 */
export function namingFile(error: unknown, path: string): unknown {
  const system = error as { syscall?: unknown; path?: unknown };
  if (error instanceof Error && OUTPUT_SYSCALLS.has(system.syscall as string) && system.path === undefined) system.path = path;
  return error;
}

/**
 * Temporary files being written, by every call in this process: a process that must exit at once (a second
 * Ctrl-C) removes them synchronously with removeTemporaryFiles().
 */
const temporaryFiles = new Set<string>();

/** A hidden temporary name beside the final one, unique to this process and call, registered until renamed or removed. */
export function temporaryPath(final: string): string {
  const path = join(dirname(final), `.${basename(final)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  temporaryFiles.add(path);
  return path;
}

export async function renameTemporary(temp: string, final: string): Promise<void> {
  await rename(temp, final);
  temporaryFiles.delete(temp);
}

export async function removeTemporary(temp: string): Promise<void> {
  await unlink(temp).catch(() => undefined);
  temporaryFiles.delete(temp);
}

/** Removes, synchronously, every temporary file a write in this process has not yet renamed or removed. */
export function removeTemporaryFiles(): void {
  for (const path of temporaryFiles) {
    try {
      unlinkSync(path);
    } catch {
      // Not created yet, or already gone.
    }
  }
  temporaryFiles.clear();
}

/**
 * Writes tensors as safetensors (see the file's header comment). Values of computed tensors are byte-identical to
 * initParameter's for their plan entries, whatever the producer, chunk size or part.
 */
export async function writeSafetensorsFiles(tensors: readonly OutputTensor[], options: WriteOptions): Promise<WriteResult> {
  if (!LITTLE_ENDIAN) throw new Error('nninit: this platform stores numbers big-endian; safetensors is little-endian');
  const plan = planWrite(tensors, options);
  const producer = options.producer ?? synchronousProducer;
  const chunkBytes = Math.max(8, Math.floor((options.chunkBytes ?? DEFAULT_CHUNK_BYTES) / 8) * 8);
  const signal = options.signal;
  signal?.throwIfAborted();

  const files: OpenFile[] = plan.mine.map((shard) => {
    const final = join(plan.folder, shard.file);
    return { shard, final, temp: temporaryPath(final), layout: layoutSafetensors(shard.tensors.map((t) => tensors[t]), options.metadata) };
  });
  const bytesTotal = files.reduce((sum, f) => sum + f.layout.fileLength, 0);
  const partsOf = new Map<number, Accumulator[]>();
  const written: WrittenTensor[] = [];
  let bytesDone = 0;
  let indexTemp: string | undefined;

  const shared = producer.sharedBuffers === true && typeof SharedArrayBuffer === 'function';
  const ringSize = Math.max(2, producer.concurrency) + 2;
  const staging = shared ? undefined : producer.stage?.(ringSize * chunkBytes, wholeWorkingBytes(tensors));
  const ring = new Ring(chunkSlots(ringSize, chunkBytes, staging, shared));
  const wholes = new Map<number, Promise<OutArray>>();
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();

  try {
    for (const file of files) {
      try {
        file.handle = await open(file.temp, 'wx', 0o644);
        const handle = file.handle;
        await writeFully(handle, file.layout.header, 0);
        bytesDone += file.layout.header.length;
        let sinceSync = 0;
        let syncing: Promise<void> | undefined;
        const dataStart = file.layout.header.length;
        const laidOut = file.layout.tensors;
        for (const t of laidOut) {
          const tensor = tensors[file.shard.tensors[t.index]];
          written.push({
            name: t.name, dtype: t.dtype, shape: t.shape, file: file.shard.file, summary: undefined,
            copied: 'copy' in tensor.source, index: file.shard.tensors[t.index],
          });
        }
        // Walk the data in chunks; each chunk lists the pieces of the tensors it covers.
        let next = 0;
        const pieceCount = new Map<number, number>();
        for (let chunkStart = 0; chunkStart < file.layout.dataLength; chunkStart += chunkBytes) {
          if (failure) throw failure;
          signal?.throwIfAborted();
          const chunkEnd = Math.min(chunkStart + chunkBytes, file.layout.dataLength);
          const pieces: Piece[] = [];
          while (next < laidOut.length && laidOut[next].end <= chunkStart) next++;
          for (let k = next; k < laidOut.length && laidOut[k].begin < chunkEnd; k++) {
            const t = laidOut[k];
            const from = Math.max(chunkStart, t.begin), to = Math.min(chunkEnd, t.end);
            if (from >= to) continue;
            const index = file.shard.tensors[t.index];
            const order = pieceCount.get(index) ?? 0;
            pieceCount.set(index, order + 1);
            pieces.push({ tensor: index, from: from - t.begin, to: to - t.begin, at: from - chunkStart, order });
          }
          // A whole tensor's factorization may grow the backend's memory, which would detach the views that writes
          // and reads in flight have of the staging area: they finish first.
          if (staging && pieces.some((piece) => computesWhole(piece.tensor))) await Promise.all([...inFlight]);
          const taken = ring.take();
          const slot = taken instanceof Promise ? await taken : taken;
          const task = fillAndWrite(slot, pieces, chunkEnd - chunkStart, dataStart + chunkStart, file).finally(() => ring.give(slot));
          const tracked: Promise<void> = task.then(() => {
            inFlight.delete(tracked);
            sinceSync += chunkEnd - chunkStart;
            if (sinceSync >= SYNC_EVERY && !syncing) {
              sinceSync = 0;
              syncing = handle.datasync().then(() => { syncing = undefined; }, (error) => { failure ??= error; });
            }
          }, (error) => {
            inFlight.delete(tracked);
            failure ??= error;
          });
          inFlight.add(tracked);
        }
        await Promise.all(inFlight);
        if (failure) throw failure;
        await syncing;
        if (failure) throw failure;
        await handle.sync();
        await handle.close();
        file.handle = undefined;
      } catch (error) {
        throw namingFile(error, file.final);
      }
    }

    // Every file is complete: give them their names, the index last, so that a reader never finds an index whose
    // shards are missing.
    const paths: string[] = [];
    for (const file of files) {
      await renameTemporary(file.temp, file.final);
      paths.push(file.final);
    }
    if (plan.index) {
      const final = join(plan.folder, plan.index);
      indexTemp = temporaryPath(final);
      const text = indexJson(plan.shards, tensors.map((t) => t.name), plan.totalSize);
      const handle = await open(indexTemp, 'wx', 0o644);
      try {
        await writeFully(handle, new TextEncoder().encode(text), 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await renameTemporary(indexTemp, final);
      indexTemp = undefined;
      paths.push(final);
    }
    await syncFolder(plan.folder);

    const summaries = written.map((w) => {
      const parts = partsOf.get(w.index);
      if (!parts) return { ...w, summary: undefined };
      const total = new Accumulator();
      for (const part of parts) total.addAll(part);
      return { ...w, summary: total.summary() };
    });
    summaries.sort((a, b) => a.index - b.index);
    return { ...plan, files: paths, tensors: summaries, bytes: bytesTotal };
  } catch (error) {
    await Promise.allSettled(inFlight);
    for (const file of files) {
      await file.handle?.close().catch(() => undefined);
      await removeTemporary(file.temp);
    }
    if (indexTemp) await removeTemporary(indexTemp);
    throw error;
  } finally {
    // Nothing reads or writes the ring any more.
    staging?.release();
  }

  /**
   * Fills a chunk with its pieces, records their statistics (the producer's, where it summarized a piece where it
   * computed it; otherwise summarized here), and writes it.
   */
  async function fillAndWrite(slot: Slot, pieces: readonly Piece[], length: number, position: number, file: OpenFile): Promise<void> {
    const states: (AccumulatorState | void)[] = [];
    const filling: Promise<void>[] = [];
    pieces.forEach((piece, i) => {
      const filled = fillPiece(slot, piece);
      if (filled) filling.push(filled.then((state) => { states[i] = state; }));
    });
    if (filling.length) await Promise.all(filling);
    const chunk = slot.bytes().subarray(0, length);
    pieces.forEach((piece, i) => {
      const tensor = tensors[piece.tensor];
      let accumulator: Accumulator;
      const state = states[i];
      if (state) {
        accumulator = Accumulator.fromState(state);
      } else {
        const values = elementValues(tensor.dtype, chunk.subarray(piece.at, piece.at + piece.to - piece.from));
        if (!values) return;
        accumulator = new Accumulator();
        accumulator.add(values);
      }
      const parts = partsOf.get(piece.tensor) ?? [];
      parts[piece.order] = accumulator;
      partsOf.set(piece.tensor, parts);
    });
    await untilAttached(() => slot.bytes().subarray(0, length), (view) => writeFully(file.handle!, view, position));
    bytesDone += length;
    options.onProgress?.({ bytesDone, bytesTotal, tensor: tensors[pieces[pieces.length - 1].tensor].name, file: file.shard.file });
  }

  function fillPiece(slot: Slot, piece: Piece): void | Promise<AccumulatorState | void> {
    const tensor = tensors[piece.tensor];
    const bytes = piece.to - piece.from;
    const target = () => slot.bytes().subarray(piece.at, piece.at + bytes);
    const source = tensor.source;
    if ('copy' in source) return untilAttached(target, (view) => source.copy(piece.from, view));
    const p = source.plan;
    const width = SAFETENSORS_DTYPES[tensor.dtype] / 8;
    if (p.whole) {
      let whole = wholes.get(piece.tensor);
      if (!whole) {
        whole = Promise.resolve(producer.whole(p));
        wholes.set(piece.tensor, whole);
      }
      return whole.then((values) => {
        target().set(new Uint8Array(values.buffer, values.byteOffset + piece.from, bytes));
        if (piece.to === values.byteLength) wholes.delete(piece.tensor);
      });
    }
    const offset = piece.from / width, count = bytes / width;
    const view = target();
    const out = sliceArray(tensor.dtype, view.buffer, view.byteOffset, count);
    // A growth of the backend's memory while the slice is computed into the staging area (a factorization
    // elsewhere in the process, between a producer's awaits) detaches `out`: the slice is then computed apart and
    // copied in, and summarized here.
    const apart = (): void | Promise<void> => {
      const values = sliceArray(tensor.dtype, new ArrayBuffer(bytes), 0, count);
      const copy = () => { target().set(new Uint8Array(values.buffer)); };
      const done = producer.fill(p, offset, values);
      return done ? Promise.resolve(done).then(copy) : copy();
    };
    let filled: ReturnType<SliceProducer['fill']> = undefined;
    try {
      filled = producer.fill(p, offset, out);
    } catch (error) {
      if (!detached(out, bytes)) throw error;
    }
    if (filled) {
      return Promise.resolve(filled).then(
        (state) => (detached(out, bytes) ? apart() : state),
        (error: unknown) => (detached(out, bytes) ? apart() : Promise.reject(error)));
    }
    return detached(out, bytes) ? apart() : undefined;
  }

  /** Whether a piece of this tensor would compute a whole tensor now: the first piece of a whole plan. */
  function computesWhole(index: number): boolean {
    const source = tensors[index].source;
    return 'plan' in source && source.plan.whole && !wholes.has(index);
  }
}

/**
 * Runs an operation on a view of memory that the backend may detach meanwhile (its memory grew, and may have
 * moved): a checkpoint read into a piece of a chunk, or a chunk's write, which reads the memory it was given until
 * it completes. If the view was detached, the operation runs again on a fresh view of where the bytes are now; an
 * error counts only when the view stayed attached.
 */
async function untilAttached(view: () => Uint8Array, op: (view: Uint8Array) => Promise<unknown>): Promise<void> {
  for (;;) {
    const current = view();
    const length = current.byteLength;
    try {
      await op(current);
    } catch (error) {
      if (!detached(current, length)) throw error;
    }
    if (!detached(current, length)) return;
  }
}

/** Syncs a folder so that renames in it survive a crash (best effort: not every platform can open a folder). */
export async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open folders; the renames are still done.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
