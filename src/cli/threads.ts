/// <reference types="node" />
// Where `nninit init` computes values: on worker threads (nninit/pool) when the run computes enough of them for
// the pool's start to pay, otherwise on the main thread. Either way the bytes and the statistics are the same.

import type { SliceProducer } from '../formats/producer.js';
import type { OutputTensor, WritePlan } from '../formats/node/write.js';
import { SAFETENSORS_DTYPES } from '../formats/dtypes.js';
import { createPool, sliceProducer } from '../pool/node.js';
import type { Pool } from '../pool/types.js';
import { availableParallelism } from 'node:os';

/**
 * Fewest bytes of computed values for which the command starts a pool: starting the workers costs about
 * 30-60 ms, which 64 MB of values (about 50 ms on one thread) repays on two (bench/cli.ts --sizes).
 */
export const POOL_MIN_BYTES = 64 * 1024 * 1024;

/** The default number of threads: the pool's own (the machine's cores, at most 8). */
export const DEFAULT_THREADS = Math.min(8, availableParallelism());

export interface Producing {
  /** Threads computing values: 1 when the main thread does. */
  readonly threads: number;
  /** The writer's producer, or undefined for the main thread's. */
  readonly producer?: SliceProducer;
  /** Ends the workers; resolves at once when there are none. */
  close(): Promise<void>;
}

/** Bytes of values this run computes: tensors of the shards it writes that are planned rather than copied. */
export function computedBytes(tensors: readonly OutputTensor[], plan: WritePlan): number {
  let bytes = 0;
  for (const shard of plan.mine) {
    for (const index of shard.tensors) {
      const t = tensors[index];
      if ('plan' in t.source) bytes += t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPES[t.dtype] / 8;
    }
  }
  return bytes;
}

/**
 * A pool of `threads` when more than one are asked for (--threads) and the run computes anything; by default
 * (`threads` undefined) a pool of DEFAULT_THREADS when the run computes POOL_MIN_BYTES or more.
 */
export function startProducing(tensors: readonly OutputTensor[], plan: WritePlan, asked?: number): Producing {
  const bytes = computedBytes(tensors, plan);
  const threads = asked ?? DEFAULT_THREADS;
  if (threads <= 1 || bytes === 0 || (asked === undefined && bytes < POOL_MIN_BYTES)) return { threads: 1, close: async () => undefined };
  const pool: Pool = createPool({ threads });
  return { threads, producer: sliceProducer(pool), close: () => pool.close() };
}
