// The worker pool, the same in Node and in browsers; a Host (node.ts, index.ts) supplies the workers.
//
// A call goes through three steps on the calling thread:
// 1. Small work runs inline, as the synchronous call (still answered by a Promise).
// 2. Otherwise the synchronous function itself checks the arguments, on a backend that stops at the first
//    kernel call (every initializer checks everything before its first kernel call), so the errors are the
//    core's own, thrown before any work. A call that needs no kernels (zeros, identity, ...) is complete there.
// 3. The work is split: element i of every sampler depends only on (seed, stream, i, parameters), so the
//    elements [start, start + count) are the synchronous call with that offset and length, computed in any
//    worker. orthogonal and deltaOrthogonal compute a whole matrix: a large one is split into blocks of its
//    Householder factor's columns, one per worker (orthogonal.ts), a small one runs as one task.
// initModel (model.ts) plans on the calling thread and cuts every parameter into slices the same way.

import type { BackendName, FloatArray } from '../core/backend.js';
import { getBackend, installedModule } from '../core/runtime.js';
import { freshSeed } from '../core/seed.js';
import { checkOptions, numberArgument } from '../core/validate.js';
import {
  arrayConstructor, checkedArgs, METHODS, outputShape, sliceCall, splitOf, workEstimate,
  type ArrayName, type Method, type MethodName, type Options, type Output,
} from './methods.js';
import { untilKernels, type OrthogonalCall } from './check.js';
import { columnBlocks, matrixOf, placeBlock, withMatrix, worthSplitting } from './orthogonal.js';
import { MIN_SLICE, MIN_WHOLE, SLICE_ALIGN } from './limits.js';
import { initModelOn } from './model.js';
import type { FromWorker, TaskMessage, SharedOutput } from './protocol.js';
import type { AccumulatorState } from '../formats/stats.js';
import type { Pool, PoolOptions } from './types.js';

export { MIN_SLICE, MIN_WHOLE } from './limits.js';

const MAX_THREADS = 64;

/** One worker as the pool sees it. */
export interface WorkerPort {
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): Promise<void>;
  /** Node: whether the worker keeps the process alive (only while the pool has work). */
  keepAlive(on: boolean): void;
}

export interface Host {
  readonly defaultThreads: number;
  /** Whether SharedArrayBuffer can be used and sent to workers. */
  readonly sharedMemory: boolean;
  spawn(onMessage: (message: FromWorker) => void, onError: (error: Error) => void): WorkerPort;
}

/** A task as the pool queues it: the worker message without the fields the pool adds when it sends it. */
export type TaskRequest = TaskMessage extends infer M ? M extends TaskMessage ? Omit<M, 'id' | 'module' | 'backend'> : never : never;

interface Task {
  readonly message: TaskRequest;
  /** The calling thread's backend when the call was made. */
  readonly backend: BackendName;
  resolve(done: TaskResult): void;
  reject(error: Error): void;
}

/** What a task's worker sends back. */
export interface TaskResult {
  /** One result per call of the task, undefined where it wrote into shared memory. */
  readonly results: (Output | undefined)[];
  /** Per call, the statistics of its values where the task asked for them (ParametersMessage `moments`). */
  readonly states: readonly (AccumulatorState | null)[];
}

/** What a call needs of the pool to run its tasks (see model.ts). */
export interface Dispatch {
  readonly threads: number;
  readonly sharedMemory: boolean;
  /** Queues a task; resolves with one result per call of the task, undefined where it wrote into shared memory. */
  submit(message: TaskRequest): Promise<(Output | undefined)[]>;
  /** submit(), with the statistics the task computed as well. */
  run(message: TaskRequest): Promise<TaskResult>;
  /** Whether a worker has started (loaded its code and kernels) and can take a task at once. */
  started(): boolean;
}

/** The dispatch of each pool, for the pool's own producers (producer.ts). */
const dispatches = new WeakMap<Pool, Dispatch>();

/** The dispatch behind a pool createPool made; undefined for any other object. */
export function dispatchOf(pool: Pool): Dispatch | undefined {
  return dispatches.get(pool);
}

interface Slot {
  readonly port: WorkerPort;
  ready: boolean;
  /** The kernels this worker was sent, so that a module installed later (nninit/lean) follows it. */
  module: WebAssembly.Module | undefined;
  task: (Task & { readonly id: number }) | undefined;
}

// ---- checking a call ------------------------------------------------------------------------------------------------

const OUT_ARRAYS = ['Float32Array', 'Float64Array', 'Uint16Array', 'Uint32Array', 'Float16Array'] as const;

function isOutArray(value: unknown): value is Output {
  return OUT_ARRAYS.some((name) => {
    const constructor = arrayConstructor(name);
    return constructor !== undefined && value instanceof constructor;
  });
}

function isPlainOptions(options: unknown): options is Options {
  return typeof options === 'object' && options !== null && !Array.isArray(options) && !ArrayBuffer.isView(options);
}

/**
 * Runs the synchronous call on the stopping backend. It throws the call's argument error, returns `{ done }`
 * with the finished result of a call that needed no kernels, or, once every argument has been accepted, the
 * matrix the call factors when its first kernel is orthogonal().
 *
 * A 'slices' method writes a caller's `out` only through its kernels, or completely when it needs none (zeros,
 * identity, ...), so its `out` is passed as it is. A 'whole' method may prepare its output before its kernels
 * (deltaOrthogonal zeroes it), so its `out` is swapped for a new array of the same type and length, and only a
 * finished result is copied into the caller's.
 */
function checkCall(method: Method, args: readonly unknown[], options: unknown): { done: Output } | { done?: undefined; orthogonal?: OrthogonalCall } {
  const out = isPlainOptions(options) ? options.out : undefined;
  const stand = splitOf(method, args) === 'whole' && isOutArray(out) ? new (out.constructor as new (length: number) => Output)(out.length) : undefined;
  const probe = checkedArgs(method, args);
  const checked = untilKernels(() => method.call(probe, stand ? { ...(options as Options), out: stand } : options as Options));
  if (probe !== args) return {};
  if (!checked.finished) return { orthogonal: checked.orthogonal };
  if (!stand) return { done: checked.result };
  (out as Float32Array).set(checked.result as Float32Array);
  return { done: out as Output };
}

/**
 * The options of a seeded call without a seed, given one fresh seed drawn on the calling thread (shared by all
 * its slices); anything else as it is.
 */
function withSeed(method: Method, options: unknown): unknown {
  if (!method.seeded || (options !== undefined && !(isPlainOptions(options) && options.seed === undefined))) return options;
  return { ...(options as Options | undefined), seed: freshSeed() };
}

// ---- splitting ------------------------------------------------------------------------------------------------------

/**
 * Boundaries of the slices of [offset, offset + length) for a pool of `threads`: as many slices as threads, but
 * none shorter than MIN_SLICE (inner boundaries are rounded to SLICE_ALIGN, so a slice may be up to half of
 * SLICE_ALIGN shorter); one slice when length < 2 MIN_SLICE.
 */
export function sliceBounds(offset: number, length: number, threads: number): number[] {
  const count = Math.max(1, Math.min(threads, Math.floor(length / MIN_SLICE)));
  const bounds = [offset];
  for (let i = 1; i < count; i++) {
    bounds.push(Math.round((offset + (length * i) / count) / SLICE_ALIGN) * SLICE_ALIGN);
  }
  bounds.push(offset + length);
  return bounds;
}

const ERRORS: Record<string, new (message: string) => Error> = { TypeError, RangeError, Error };

/** Creates a pool on the given host; node.ts and index.ts export it as createPool. */
export function createPoolOn(host: Host, options?: PoolOptions): Pool {
  const fn = 'createPool';
  const checked = checkOptions(fn, options, ['threads']);
  const threads = numberArgument(fn, 'options.threads', checked.threads, host.defaultThreads, { integer: true, min: 1, max: MAX_THREADS });

  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 1;
  let keepingAlive = false;
  let closing: Promise<void> | undefined;
  /** Set when a worker could not start: every call then rejects with it. */
  let broken: Error | undefined;

  function updateKeepAlive(): void {
    const busy = queue.length > 0 || slots.some((slot) => slot.task !== undefined);
    if (busy === keepingAlive) return;
    keepingAlive = busy;
    for (const slot of slots) slot.port.keepAlive(busy);
  }

  function pump(): void {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.ready || slot.task) continue;
      const task = queue.shift()!;
      const id = nextId++;
      slot.task = { ...task, id };
      const module = installedModule();
      const send = module !== slot.module ? module : undefined;
      slot.module = module;
      const message = { ...task.message, id, backend: task.backend, ...(send ? { module: send } : {}) } as TaskMessage;
      slot.port.post(message);
    }
    updateKeepAlive();
  }

  function spawn(): void {
    const slot: Slot = {
      port: host.spawn((message) => received(slot, message), (error) => failed(slot, error)),
      ready: false,
      module: installedModule(),
      task: undefined,
    };
    slots.push(slot);
    slot.port.keepAlive(keepingAlive);
    slot.port.post({ type: 'init', module: slot.module });
  }

  function received(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') {
      slot.ready = true;
    } else {
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      slot.task = undefined;
      if (message.type === 'failed') {
        task.reject(new (ERRORS[message.name] ?? Error)(message.message));
      } else {
        task.resolve({
          results: message.results.map((result) => result
            ? new (arrayConstructor(result.array))(result.buffer, result.byteOffset, result.length)
            : undefined),
          states: message.states ?? [],
        });
      }
    }
    pump();
  }

  function failed(slot: Slot, error: Error): void {
    const index = slots.indexOf(slot);
    if (closing || index < 0) return;
    slots.splice(index, 1);
    void slot.port.terminate();
    const failure = new Error(`nninit pool: a worker ${slot.ready ? 'failed' : 'could not start'}: ${error.message}`, { cause: error });
    slot.task?.reject(failure);
    slot.task = undefined;
    if (!slot.ready) {
      // A worker that cannot start (a missing file, a content security policy) will not start next time either.
      broken = failure;
      for (const task of queue.splice(0)) task.reject(failure);
      for (const other of slots.splice(0)) {
        other.task?.reject(failure);
        void other.port.terminate();
      }
    } else {
      spawn();
    }
    updateKeepAlive();
  }

  function run(message: TaskRequest): Promise<TaskResult> {
    return new Promise((resolve, reject) => {
      if (closing || broken) {
        reject(broken ?? new Error('nninit pool: closed'));
        return;
      }
      queue.push({ message, backend: getBackend(), resolve, reject });
      pump();
    });
  }
  const submit = (message: TaskRequest) => run(message).then((done) => done.results);
  const dispatch: Dispatch = { threads, sharedMemory: host.sharedMemory, submit, run, started: () => slots.some((slot) => slot.ready) };

  for (let i = 0; i < threads; i++) spawn();

  /** The tasks of a checked call, run and assembled into the result the synchronous call returns. */
  async function runSplit(name: MethodName, method: Method, args: readonly unknown[], options: Options | undefined): Promise<Output> {
    const { offset, length, array } = outputShape(method, args, options);
    const ArrayType = arrayConstructor(array);
    const bytesPerElement = ArrayType.BYTES_PER_ELEMENT;
    const out = options?.out as Output | undefined;
    const base: Options = { ...options };
    delete base.out;
    if (method.seeded && base.seed === undefined) base.seed = freshSeed();

    const whole = splitOf(method, args) === 'whole';
    const bounds = whole ? [offset, offset + length] : sliceBounds(offset, length, threads);
    const outShared = out !== undefined && typeof SharedArrayBuffer === 'function' && out.buffer instanceof SharedArrayBuffer;
    let shared: { buffer: SharedArrayBuffer; byteOffset: number } | undefined;
    if (outShared) shared = { buffer: out.buffer as SharedArrayBuffer, byteOffset: out.byteOffset };
    else if (host.sharedMemory) shared = { buffer: new SharedArrayBuffer(length * bytesPerElement), byteOffset: 0 };

    const tasks = bounds.slice(0, -1).map((start, i) => {
      const sliceLength = bounds[i + 1] - start;
      const call = whole ? { args: [...args], options: base } : sliceCall(method, args, base, start, sliceLength);
      const output: SharedOutput | undefined = shared && {
        buffer: shared.buffer, byteOffset: shared.byteOffset + (start - offset) * bytesPerElement, length: sliceLength, array,
      };
      return submit({ type: 'run', method: name, args: call.args, options: call.options, ...(output ? { output } : {}) });
    });
    const results = (await Promise.all(tasks)).map(([result]) => result);

    if (shared) {
      if (outShared) return out;
      const values = new ArrayType(shared.buffer, 0, length);
      if (!out) return values;
      (out as Float32Array).set(values as Float32Array);
      return out;
    }
    if (!out && results.length === 1) return results[0]!;
    const target = out ?? new (ArrayType as unknown as new (length: number) => Output)(length);
    results.forEach((values, i) => (target as Float32Array).set(values as Float32Array, bounds[i] - offset));
    return target;
  }

  /**
   * Runs `start` (which does the checks synchronously and returns the work's promise) unless the pool is closed
   * or broken; a call the closing pool cut short rejects with an error that says so.
   */
  function guarded<T>(name: string, start: () => T | Promise<T>): Promise<T> {
    try {
      if (closing) throw new Error(`nninit.pool.${name}: the pool is closed`);
      if (broken) throw broken;
      return Promise.resolve(start()).catch((error: unknown) => {
        throw closing ? new Error(`nninit.pool.${name}: the pool was closed before the call finished`, { cause: error }) : error;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A large orthogonal or deltaOrthogonal (see orthogonal.ts): the workers compute blocks of the factor's columns
   * into one matrix, and the synchronous call, run again on the calling thread with that matrix as its
   * orthogonal()'s result, makes the result from it. With shared memory the workers write into the matrix, which
   * is the result itself when the call returns the whole float32 or float64 matrix; otherwise each sends its
   * block back.
   */
  async function runColumns(method: Method, args: readonly unknown[], options: Options | undefined, matrixCall: OrthogonalCall): Promise<Output> {
    const { rows, cols, double } = matrixCall;
    const n = Math.max(rows, cols), m = Math.min(rows, cols);
    const { offset, length, array } = outputShape(method, args, options);
    const ArrayType = arrayConstructor(array);
    const out = options?.out as Output | undefined;
    const target = out ?? (host.sharedMemory ? new ArrayType(new SharedArrayBuffer(length * ArrayType.BYTES_PER_ELEMENT), 0, length) : undefined);
    const matrixArray: ArrayName = double ? 'Float64Array' : 'Float32Array';
    const Matrix = arrayConstructor(matrixArray);
    // A result that is the whole matrix, in shared memory, is where the workers write.
    const direct = host.sharedMemory && matrixOf(method, args) === 'orthogonal' && offset === 0 && length === rows * cols && array === matrixArray
      && typeof SharedArrayBuffer === 'function' && target?.buffer instanceof SharedArrayBuffer;
    const matrix = (direct ? target : host.sharedMemory
      ? new Matrix(new SharedArrayBuffer(rows * cols * Matrix.BYTES_PER_ELEMENT), 0, rows * cols)
      : new Matrix(new ArrayBuffer(rows * cols * Matrix.BYTES_PER_ELEMENT), 0, rows * cols)) as FloatArray;
    const output: SharedOutput | undefined = host.sharedMemory
      ? { buffer: matrix.buffer as SharedArrayBuffer, byteOffset: matrix.byteOffset, length: matrix.length, array: matrixArray }
      : undefined;
    const blocks = columnBlocks(n, m, threads);
    const results = await Promise.all(blocks.map(([first, count]) => submit({ type: 'orthogonalColumns', call: matrixCall, first, count, ...(output ? { output } : {}) })));
    if (!output) results.forEach(([block], i) => placeBlock(matrix, block as FloatArray, rows, cols, blocks[i][0], blocks[i][1]));
    const result = withMatrix(matrixCall, matrix, () => method.call(args, target ? { ...options, out: target } : options));
    return target ?? result;
  }

  function call(name: MethodName, args: readonly unknown[], options: unknown): Promise<Output> {
    return guarded(name, () => {
      const method: Method = METHODS[name];
      const threshold = splitOf(method, args) === 'slices' ? MIN_SLICE : MIN_WHOLE;
      if (workEstimate(method, args, options) < threshold) return method.call(args, options as Options);
      const seeded = withSeed(method, options);
      const checked = checkCall(method, args, seeded);
      if (checked.done) return checked.done;
      const matrixCall = checked.orthogonal;
      if (matrixCall && threads > 1 && matrixOf(method, args) && worthSplitting(matrixCall)) {
        return runColumns(method, args, seeded as Options | undefined, matrixCall);
      }
      return runSplit(name, method, args, seeded as Options | undefined);
    });
  }

  function close(): Promise<void> {
    closing ??= (() => {
      const closed = new Error('nninit pool: closed');
      for (const task of queue.splice(0)) task.reject(closed);
      const stopping = slots.splice(0).map((slot) => {
        slot.task?.reject(closed);
        slot.task = undefined;
        return slot.port.terminate();
      });
      return Promise.all(stopping).then(() => undefined);
    })();
    return closing;
  }

  const pool: Record<string, unknown> = {
    threads,
    sharedMemory: host.sharedMemory,
    initModel: (spec: unknown, options: unknown) => guarded('initModel', () => initModelOn(dispatch, spec, options)),
    close,
  };
  for (const name of Object.keys(METHODS) as MethodName[]) {
    const arity = METHODS[name].arity;
    pool[name] = (...args: unknown[]) => call(name, args.slice(0, arity), args[arity]);
  }
  const frozen = Object.freeze(pool) as unknown as Pool;
  dispatches.set(frozen, dispatch);
  return frozen;
}
