// The messages between the pool and its workers. Everything in them is structured-cloneable; results that do
// not go into shared memory travel back as transferred ArrayBuffers.

import type { BackendName } from '../core/backend.js';
import type { ParameterPlan } from '../model/types.js';
import type { AccumulatorState } from '../formats/stats.js';
import type { OrthogonalCall } from './check.js';
import type { ArrayName, MethodName, Options } from './methods.js';

/** The first message a worker gets: the compiled kernels, if the calling thread has them. */
export interface InitMessage {
  readonly type: 'init';
  readonly module: WebAssembly.Module | undefined;
}

/** Where a task writes: `length` elements of type `array` at `byteOffset` of a SharedArrayBuffer. */
export interface SharedOutput {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
  readonly array: ArrayName;
}

/** What every task carries: its id, the calling thread's backend, and the kernels if this worker lacks them. */
interface TaskFields {
  readonly id: number;
  /** The calling thread's backend, so that a pool call runs on the backend the synchronous call would. */
  readonly backend: BackendName;
  /** The kernels installed on the calling thread since this worker was sent them (nninit/lean's loadWasm). */
  readonly module?: WebAssembly.Module;
}

/** One synchronous call, run in a worker. Without `output` the worker returns its own array, transferred. */
export interface RunMessage extends TaskFields {
  readonly type: 'run';
  readonly method: MethodName;
  readonly args: readonly unknown[];
  readonly options: Options;
  readonly output?: SharedOutput;
}

/**
 * Slices of planned model parameters, each initParameter(plan, { offset, length }); with `moments`, the worker
 * also summarizes the values (sliceState) for a file writer's statistics.
 */
export interface ParametersMessage extends TaskFields {
  readonly type: 'parameters';
  readonly items: readonly {
    readonly plan: ParameterPlan; readonly offset: number; readonly length: number; readonly output?: SharedOutput; readonly moments?: boolean;
  }[];
}

/**
 * The entries of a plan drawn from PyTorch's generator (rng 'torch'): one sequential run of the model's modules,
 * as initModel makes it, so they travel together to one worker.
 */
export interface TorchEntriesMessage extends TaskFields {
  readonly type: 'torchEntries';
  readonly plans: readonly ParameterPlan[];
  readonly outputs: readonly (SharedOutput | undefined)[];
}

/**
 * Columns [first, first + count) of the factor of one orthogonal matrix (orthogonalColumns), into their places in
 * the whole rows x cols matrix in shared memory, or returned as the block itself.
 */
export interface OrthogonalColumnsMessage extends TaskFields {
  readonly type: 'orthogonalColumns';
  readonly call: OrthogonalCall;
  readonly first: number;
  readonly count: number;
  readonly output?: SharedOutput;
}

export type TaskMessage = RunMessage | ParametersMessage | TorchEntriesMessage | OrthogonalColumnsMessage;

export type ToWorker = InitMessage | TaskMessage;

export interface ReadyMessage {
  readonly type: 'ready';
}

/** An array a worker computed itself, its buffer transferred. */
export interface TransferredArray {
  readonly buffer: ArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
  readonly array: ArrayName;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly id: number;
  /** Per call of the task (one for 'run'): the worker's own result, or null where it wrote into shared memory. */
  readonly results: readonly (TransferredArray | null)[];
  /** Per call of a 'parameters' task: the statistics of its values where asked for, else null. */
  readonly states?: readonly (AccumulatorState | null)[];
}

export interface FailedMessage {
  readonly type: 'failed';
  readonly id: number;
  readonly name: string;
  readonly message: string;
}

export type FromWorker = ReadyMessage | DoneMessage | FailedMessage;
