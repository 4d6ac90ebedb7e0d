// Where a writer's values come from. A writer asks a producer for slices of planned parameters, chunk by chunk,
// and for whole tensors where the plan says `whole` (orthogonal computes its whole matrix for any slice). The
// default producer calls initParameter on the calling thread; a worker pool can stand in for it, and a writer
// keeps up to `concurrency` slices in flight so that several workers fill chunks while earlier ones are written.
// Values depend only on the plan entry and the slice (the stream contract), so any producer gives the same bytes.

import type { StagingArea } from '../core/backend.js';
import type { OutArray } from '../core/output.js';
import { currentBackend } from '../core/runtime.js';
import { initParameter } from '../model/init.js';
import type { ParameterPlan } from '../model/types.js';
import type { AccumulatorState } from './stats.js';

/** What initParameter fills for a dtype: Float32Array, Float64Array, or Uint16Array bits for half types. */
export type SliceArray = Float32Array | Float64Array | Uint16Array;

export interface SliceProducer {
  /** Slices a writer may have in flight at once: 1 for a synchronous producer, a pool's thread count or more. */
  readonly concurrency: number;
  /**
   * Whether the writer's chunk buffers should be SharedArrayBuffers: the producer's workers then write each
   * slice in place rather than into memory of their own that is copied.
   */
  readonly sharedBuffers?: boolean;
  /**
   * Writes elements [offset, offset + out.length) of `p` into `out` (an array of p.dtype's type). It may resolve
   * with sliceState(p.dtype, out), the slice's statistics computed where its values were (a worker), which the
   * writer then uses as they are instead of summarizing the slice on its own thread: the same bits either way.
   */
  fill(p: ParameterPlan, offset: number, out: SliceArray): void | Promise<void | AccumulatorState>;
  /** The whole tensor, for plans with `p.whole`. */
  whole(p: ParameterPlan): OutArray | Promise<OutArray>;
  /**
   * A staging area of the backend that computes on this thread (see Backend.stage), for a writer's chunk buffers,
   * with room for `leave` bytes of work arrays beside it: slices are then computed, summarized and written where
   * they are, without copies. Undefined where the backend has none, its one area is taken or the memory cannot
   * hold it; the writer then uses buffers of its own. A fill given a slice of the area must not keep it across an
   * await: a growth of the memory meanwhile detaches it (the writer then computes that slice again, apart).
   */
  stage?(bytes: number, leave?: number): StagingArea | undefined;
}

/** initParameter on the calling thread. */
export const synchronousProducer: SliceProducer = {
  concurrency: 1,
  fill(p, offset, out) {
    initParameter(p, { offset, length: out.length, out });
  },
  whole: (p) => initParameter(p),
  stage: (bytes, leave) => currentBackend().stage?.(bytes, leave),
};
