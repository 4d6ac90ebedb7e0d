// A pool worker's side of the protocol, the same in Node and in browsers: install the kernels it is sent, then
// run each task as the synchronous call it describes, into shared memory or into an array it transfers back.

import { installModule, setBackend } from '../core/runtime.js';
import { arrayConstructor, isMethodName, METHODS, type ArrayName, type Output } from './methods.js';
import type { FromWorker, ToWorker } from './protocol.js';

export type Post = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

function arrayNameOf(result: Output): ArrayName {
  for (const name of ['Float32Array', 'Float64Array', 'Uint16Array', 'Uint32Array'] as const) {
    if (result instanceof arrayConstructor(name)) return name;
  }
  return 'Float16Array';
}

/** Handles one message from the pool. Never throws: a failed task is reported as such. */
export function handleMessage(message: ToWorker, post: Post): void {
  if (message.type === 'init') {
    if (message.module) installModule(message.module);
    post({ type: 'ready' });
    return;
  }
  const { id, method, args, options, backend, output } = message;
  try {
    if (!isMethodName(method)) throw new TypeError(`nninit pool worker: unknown method ${String(method)}`);
    setBackend(backend);
    const out = output && new (arrayConstructor(output.array))(output.buffer, output.byteOffset, output.length);
    const result = METHODS[method].call(args, out ? { ...options, out } : options);
    if (out) {
      post({ type: 'done', id });
    } else {
      const buffer = result.buffer as ArrayBuffer;
      post({ type: 'done', id, result: { buffer, byteOffset: result.byteOffset, length: result.length, array: arrayNameOf(result) } }, [buffer]);
    }
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : new Error(String(error));
    post({ type: 'failed', id, name, message: text });
  }
}
