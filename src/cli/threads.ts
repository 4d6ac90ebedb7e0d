/// <reference types="node" />
// Where `nninit init` computes values: on worker threads (nninit/pool) when the machine has cores to spare and the
// run computes enough values for the pool's start to pay, otherwise on the main thread. Either way the bytes and
// the statistics are the same.
//
// Writing costs a core too: the kernel copies every chunk into the page cache and writes it back, about 0.2-0.3 s
// of CPU per 500 MB here, which the main thread's writes keep busy while it computes. On this project's 2-core
// machine a pool of two workers therefore gained nothing over the main thread on GPT-2 small, or lost (bench/cli.ts),
// and lost 7-16% on models of 32-256 MB (bench/cli.ts --sizes), though the values alone scale 1.8-1.9x
// (bench/pool.ts, initModel): the pool's workers take the core the writes need and add their start (about 70 ms
// and 0.12-0.15 s of CPU for two). So by default the pool gets the cores but one, and only when that is two or more.

import type { SliceProducer } from '../formats/producer.js';
import type { OutputTensor, WritePlan } from '../formats/node/write.js';
import { SAFETENSORS_DTYPES } from '../formats/dtypes.js';
import type { Pool } from '../pool/types.js';
import { availableParallelism } from 'node:os';

/**
 * Fewest bytes of computed values for which the command starts a pool by default: about 0.25 s of values on one
 * thread, several times what the workers' start costs.
 */
export const POOL_MIN_BYTES = 256 * 1024 * 1024;

/** Worker threads by default on a machine of `cores` logical cores: all but one, at most 8; 1 means none. */
export function defaultThreads(cores: number): number {
  return Math.max(1, Math.min(8, cores - 1));
}

/** The default number of threads on this machine. */
export const DEFAULT_THREADS = defaultThreads(availableParallelism());

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
 * (`threads` undefined) a pool of DEFAULT_THREADS when the run computes POOL_MIN_BYTES or more. The pool's code
 * loads only then: a run on the main thread starts without it.
 */
export async function startProducing(tensors: readonly OutputTensor[], plan: WritePlan, asked?: number): Promise<Producing> {
  const bytes = computedBytes(tensors, plan);
  const threads = asked ?? DEFAULT_THREADS;
  if (threads <= 1 || bytes === 0 || (asked === undefined && bytes < POOL_MIN_BYTES)) return { threads: 1, close: async () => undefined };
  const { createPool, sliceProducer } = await import('../pool/node.js');
  const pool: Pool = createPool({ threads });
  return { threads, producer: sliceProducer(pool), close: () => pool.close() };
}
