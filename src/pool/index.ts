// nninit/pool in browsers (and Deno, Bun, any runtime with module Web Workers): the pool's workers are module
// workers running worker.js. Node resolves nninit/pool to node.ts instead, through the "node" export condition,
// so a browser bundle never sees a Node built-in.

import '../embedded.js';
import { createPoolOn, type Host } from './pool.js';
import type { FromWorker } from './protocol.js';
import type { Pool, PoolOptions } from './types.js';

export type { Pool, PoolOptions } from './types.js';
export { MIN_SLICE, MIN_WHOLE } from './pool.js';
export { sliceProducer, type SliceProducerOptions } from './producer.js';

/** SharedArrayBuffer exists and may be posted to workers: in browsers only on crossOriginIsolated pages. */
function sharedMemoryAvailable(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && scope.crossOriginIsolated !== false;
}

const host: Host = {
  defaultThreads: Math.min(8, globalThis.navigator?.hardwareConcurrency || 4),
  sharedMemory: sharedMemoryAvailable(),
  spawn(onMessage, onError) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      onError(new Error(event.message || 'the worker script failed to load'));
    };
    worker.onmessageerror = () => onError(new Error('a message from the worker could not be read'));
    return {
      post: (message, transfer = []) => worker.postMessage(message, transfer),
      terminate: async () => worker.terminate(),
      keepAlive: () => undefined,
    };
  },
};

/**
 * A pool of `threads` module Web Workers (default: navigator.hardwareConcurrency, at most 8) whose methods are
 * nninit's initializers, each resolving with the same bytes as the synchronous call, computed off the main
 * thread. See README "Every core: createPool".
 *
 * @example
 * const pool = createPool();
 * const q = await pool.orthogonal([2048, 2048], { seed: 1 });   // the page keeps rendering meanwhile
 */
export function createPool(options?: PoolOptions): Pool {
  return createPoolOn(host, options);
}
