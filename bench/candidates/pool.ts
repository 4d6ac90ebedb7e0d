// nninit's worker pool (nninit/pool) with 1, 2 and 4 threads, as many as the machine has cores for, writing
// into a buffer of shared memory allocated beforehand (the pool's zero-copy path). Each timed call includes
// awaiting the workers. orthogonal runs whole in one worker, so it gets the one-thread row only.

import { availableParallelism } from 'node:os';
import { setBackend } from 'nninit';
import { createPool, type Pool } from 'nninit/pool';
import type { Candidate } from './candidate.js';
import type { Workload } from '../workloads.js';

const THREADS = [1, 2, 4];
const SEED = 42;

const pools = new Map<number, Pool>();

/** One pool per thread count for the whole run, so worker start-up is never timed. */
function poolOf(threads: number): Pool {
  let pool = pools.get(threads);
  if (!pool) {
    pool = createPool({ threads });
    pools.set(threads, pool);
  }
  return pool;
}

export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  pools.clear();
}

type Call = (pool: Pool) => Promise<unknown>;

function callFor(workload: Workload, out: Float32Array): Call {
  const shape = workload.shape;
  const seeded = { seed: SEED, out };
  switch (workload.family) {
    case 'uniform': {
      const options = { seed: SEED, out, low: 0, high: 1 };
      return (pool) => pool.uniform(shape, options);
    }
    case 'normal': {
      const options = { seed: SEED, out, mean: 0, std: 1 };
      return (pool) => pool.normal(shape, options);
    }
    case 'truncatedNormal': {
      const options = { seed: SEED, out, mean: 0, std: 1 };
      return (pool) => pool.truncatedNormal(shape, options);
    }
    case 'glorotUniform': return (pool) => pool.glorotUniform(shape, seeded);
    case 'heNormal': return (pool) => pool.heNormal(shape, seeded);
    case 'lecunNormal': return (pool) => pool.lecunNormal(shape, seeded);
    case 'orthogonal': return (pool) => pool.orthogonal(shape, seeded);
  }
}

export function poolCandidates(workload: Workload): Candidate[] {
  const out = new Float32Array(new SharedArrayBuffer(workload.values * 4));
  const call = callFor(workload, out);
  const cores = availableParallelism();
  const threads = workload.family === 'orthogonal' ? [1] : THREADS.filter((count) => count === 1 || count <= cores);
  return threads.map((count) => ({
    name: `nninit pool ×${count}`,
    group: 'nninit',
    threads: count,
    async: true,
    // The pool runs on the calling thread's backend, which the js candidate before it left on 'js'.
    before: () => { setBackend('wasm'); poolOf(count); },
    run: async () => { await call(poolOf(count)); },
    output: () => out,
  }));
}
