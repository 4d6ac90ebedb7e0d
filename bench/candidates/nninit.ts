// nninit on each of its backends, writing into the workload's buffer through `out`.

import * as nninit from 'nninit';
import type { Candidate } from './candidate.js';
import type { Workload } from '../workloads.js';

type Initializer = (shape: readonly number[], options: { seed: number; out: Float32Array }) => Float32Array;

/** Any fixed seed: Philox is counter-based, so a repeated seed costs exactly what a fresh one does. */
const SEED = 42;

/** orthogonal is the newest initializer; builds of nninit without it still run every other workload. */
export function hasOrthogonal(): boolean {
  return typeof (nninit as Record<string, unknown>).orthogonal === 'function';
}

/** One call of the workload's initializer, with its options object built once. */
function callFor(workload: Workload, out: Float32Array): () => void {
  const shape = workload.shape;
  const seed = SEED;
  const seeded = { seed, out };
  switch (workload.family) {
    case 'uniform': {
      const options = { seed, out, low: 0, high: 1 };
      return () => nninit.uniform(shape, options);
    }
    case 'normal': {
      const options = { seed, out, mean: 0, std: 1 };
      return () => nninit.normal(shape, options);
    }
    case 'truncatedNormal': {
      const options = { seed, out, mean: 0, std: 1 };
      return () => nninit.truncatedNormal(shape, options);
    }
    case 'glorotUniform': return () => nninit.glorotUniform(shape, seeded);
    case 'heNormal': return () => nninit.heNormal(shape, seeded);
    case 'lecunNormal': return () => nninit.lecunNormal(shape, seeded);
    case 'orthogonal': {
      const orthogonal = (nninit as Record<string, unknown>).orthogonal as Initializer;
      return () => orthogonal(shape, seeded);
    }
  }
}

export function nninitCandidates(workload: Workload, buffer: Float32Array): Candidate[] {
  const call = callFor(workload, buffer);
  return (['wasm', 'js'] as const).map((backend) => ({
    name: `nninit ${backend}`,
    group: 'nninit',
    before: () => nninit.setBackend(backend),
    run: call,
    output: () => buffer,
  }));
}
