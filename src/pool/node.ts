// nninit/pool in Node: the pool's workers are worker_threads running node-worker.js. Idle workers do not keep
// the process alive, so a pool that is never closed does not stop Node from exiting.

/// <reference types="node" />

import '../embedded.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createPoolOn, type Host } from './pool.js';
import type { Pool, PoolOptions } from './types.js';

export type { Pool, PoolOptions } from './types.js';
export { MIN_SLICE, MIN_WHOLE } from './pool.js';
export { sliceProducer, type SliceProducerOptions } from './producer.js';

const WORKER = new URL('./node-worker.js', import.meta.url);

const host: Host = {
  defaultThreads: Math.min(8, availableParallelism()),
  sharedMemory: true,
  spawn(onMessage, onError) {
    // The worker runs plain JavaScript, so it needs none of the parent's loader flags (tsx, for one).
    const worker = new Worker(WORKER, { execArgv: [] });
    let stopping = false;
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', (code) => {
      if (!stopping) onError(new Error(`the worker thread exited with code ${code}`));
    });
    return {
      post: (message, transfer = []) => worker.postMessage(message, transfer),
      terminate: async () => {
        stopping = true;
        await worker.terminate();
      },
      keepAlive: (on) => (on ? worker.ref() : worker.unref()),
    };
  },
};

/**
 * A pool of `threads` workers (default: the machine's logical cores, at most 8) whose methods are nninit's
 * initializers, each resolving with the same bytes as the synchronous call. See README "Every core: createPool".
 *
 * @example
 * const pool = createPool();
 * const w = await pool.heNormal([4096, 4096], { seed: 1 });   // the bytes of heNormal([4096, 4096], { seed: 1 })
 * await pool.close();
 */
export function createPool(options?: PoolOptions): Pool {
  return createPoolOn(host, options);
}
