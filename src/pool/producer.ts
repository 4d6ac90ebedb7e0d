// A chunked file writer's slice producer on a pool (SliceProducer, src/formats/producer.ts): every slice is one
// task that one worker computes straight into the writer's chunk buffer (shared memory) and summarizes there
// for the writer's statistics, so the calling thread only hands out chunks and writes them. Slices are not cut
// further across workers: the writer keeps enough of them in flight to keep every worker busy, and a slice
// summarized whole gives the statistics the writer computes itself, bit for bit. Until the first worker has
// started (tens of milliseconds: a thread, the code, the kernels), the calling thread computes the slices itself
// rather than wait.

import type { SliceArray, SliceProducer } from '../formats/producer.js';
import { sliceState } from '../formats/stats.js';
import { initParameter } from '../model/init.js';
import type { ParameterPlan } from '../model/types.js';
import type { ArrayName } from './methods.js';
import { dispatchOf } from './pool.js';
import type { SharedOutput } from './protocol.js';
import type { Pool } from './types.js';

export interface SliceProducerOptions {
  /**
   * Slices the writer keeps in flight (default: the pool's threads plus 2, so that a worker that finishes finds
   * the next slice queued; the writer holds two more chunks while they are written).
   */
  readonly inFlight?: number;
}

function arrayName(out: SliceArray): ArrayName {
  return out instanceof Float32Array ? 'Float32Array' : out instanceof Float64Array ? 'Float64Array' : 'Uint16Array';
}

/**
 * A SliceProducer for writeSafetensorsFiles (and any chunked writer) whose slices the pool's workers compute,
 * each with its statistics; whole tensors (orthogonal, PyTorch's draws) come from pool.initParameter. Chunk
 * buffers in shared memory (`sharedBuffers`, where the pool has it) are written in place.
 *
 * @example
 * const pool = createPool();
 * try {
 *   await writeSafetensorsFiles(tensors, { path, metadata, producer: sliceProducer(pool) });
 * } finally {
 *   await pool.close();
 * }
 */
export function sliceProducer(pool: Pool, options: SliceProducerOptions = {}): SliceProducer {
  const dispatch = dispatchOf(pool);
  if (!dispatch) throw new TypeError('nninit.sliceProducer: pool must be a pool from createPool');
  const inFlight = options.inFlight ?? pool.threads + 2;
  if (!Number.isInteger(inFlight) || inFlight < 1) throw new RangeError(`nninit.sliceProducer: options.inFlight must be a positive integer, got ${String(inFlight)}`);
  return {
    concurrency: inFlight,
    sharedBuffers: dispatch.sharedMemory,
    async fill(p: ParameterPlan, offset: number, out: SliceArray) {
      if (!dispatch.started()) {
        initParameter(p, { offset, length: out.length, out });
        return sliceState(p.dtype, out);
      }
      const shared = dispatch.sharedMemory && out.buffer instanceof SharedArrayBuffer;
      const output: SharedOutput | undefined = shared
        ? { buffer: out.buffer as SharedArrayBuffer, byteOffset: out.byteOffset, length: out.length, array: arrayName(out) }
        : undefined;
      const { results: [result], states: [state] } = await dispatch.run({
        type: 'parameters', items: [{ plan: p, offset, length: out.length, moments: true, ...(output ? { output } : {}) }],
      });
      if (!output) out.set(result as SliceArray as Float32Array);
      return state ?? undefined;
    },
    whole: (p: ParameterPlan) => pool.initParameter(p),
  };
}
