// A pool worker's side of the protocol, the same in Node and in browsers: install the kernels it is sent, then
// run each task as the synchronous calls it describes, into shared memory or into arrays it transfers back.

import { currentBackend, installModule, setBackend } from '../core/runtime.js';
import { sliceState, type AccumulatorState } from '../formats/stats.js';
import { initParameter } from '../model/init.js';
import { initTorchEntries } from '../model/torch-rng.js';
import { arrayConstructor, isMethodName, METHODS, type ArrayName, type Output } from './methods.js';
import { placeBlock } from './orthogonal.js';
import type { FromWorker, SharedOutput, TaskMessage, ToWorker, TransferredArray } from './protocol.js';

export type Post = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

function arrayNameOf(result: Output): ArrayName {
  for (const name of ['Float32Array', 'Float64Array', 'Uint16Array', 'Uint32Array'] as const) {
    if (result instanceof arrayConstructor(name)) return name;
  }
  return 'Float16Array';
}

function view(output: SharedOutput | undefined): Output | undefined {
  return output && new (arrayConstructor(output.array))(output.buffer, output.byteOffset, output.length);
}

/**
 * Runs every call of a task; each result is null when it went into shared memory. The statistics a
 * 'parameters' task asks for go into `states`.
 */
function runTask(message: TaskMessage, states: (AccumulatorState | null)[]): (Output | null)[] {
  setBackend(message.backend);
  if (message.type === 'torchEntries') {
    const drawn = initTorchEntries(message.plans);
    return message.plans.map((plan, i) => {
      const values = drawn.get(plan.name) as Output;
      const out = view(message.outputs[i]);
      if (!out) return values;
      (out as Float32Array).set(values as Float32Array);
      return null;
    });
  }
  if (message.type === 'orthogonalColumns') {
    const { call: { rows, cols, key, gain, double }, first, count, output } = message;
    const block = new (double ? Float64Array : Float32Array)(Math.max(rows, cols) * count);
    currentBackend().orthogonalColumns(rows, cols, key, gain, first, count, block);
    if (!output) return [block];
    placeBlock(view(output) as Float32Array | Float64Array, block, rows, cols, first, count);
    return [null];
  }
  if (message.type === 'parameters') {
    return message.items.map(({ plan, offset, length, output, moments }) => {
      const out = view(output);
      const result = initParameter(plan, { offset, length, ...(out ? { out: out as Float32Array } : {}) }) as Output;
      states.push(moments ? sliceState(plan.dtype, (out ?? result) as Float32Array) : null);
      return out ? null : result;
    });
  }
  const { method, args, options, output } = message;
  if (!isMethodName(method)) throw new TypeError(`nninit pool worker: unknown method ${String(method)}`);
  const out = view(output);
  const result = METHODS[method].call(args, out ? { ...options, out } : options);
  return [out ? null : result];
}

/** Handles one message from the pool. Never throws: a failed task is reported as such. */
export function handleMessage(message: ToWorker, post: Post): void {
  if (message.module) installModule(message.module);
  if (message.type === 'init') {
    post({ type: 'ready' });
    return;
  }
  try {
    const transfer: ArrayBuffer[] = [];
    const states: (AccumulatorState | null)[] = [];
    const results = runTask(message, states).map((result): TransferredArray | null => {
      if (!result) return null;
      const buffer = result.buffer as ArrayBuffer;
      if (!transfer.includes(buffer)) transfer.push(buffer);
      return { buffer, byteOffset: result.byteOffset, length: result.length, array: arrayNameOf(result) };
    });
    post({ type: 'done', id: message.id, results, ...(states.some((state) => state) ? { states } : {}) }, transfer);
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : new Error(String(error));
    post({ type: 'failed', id: message.id, name, message: text });
  }
}
