// The messages between the pool and its workers. Everything in them is structured-cloneable; results that do
// not go into shared memory travel back as transferred ArrayBuffers.

import type { BackendName } from '../core/backend.js';
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

/** One synchronous call, run in a worker. Without `output` the worker returns its own array, transferred. */
export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly method: MethodName;
  readonly args: readonly unknown[];
  readonly options: Options;
  /** The calling thread's backend, so that a pool call runs on the backend the synchronous call would. */
  readonly backend: BackendName;
  readonly output?: SharedOutput;
}

export type ToWorker = InitMessage | RunMessage;

export interface ReadyMessage {
  readonly type: 'ready';
}

export interface DoneMessage {
  readonly type: 'done';
  readonly id: number;
  /** The worker's own result when the task had no shared output. */
  readonly result?: { readonly buffer: ArrayBuffer; readonly byteOffset: number; readonly length: number; readonly array: ArrayName };
}

export interface FailedMessage {
  readonly type: 'failed';
  readonly id: number;
  readonly name: string;
  readonly message: string;
}

export type FromWorker = ReadyMessage | DoneMessage | FailedMessage;
