// What an in-process candidate gives the harness: one call to time, and the values that call produced.

import type { Group } from '../results.js';

export interface Candidate {
  readonly name: string;
  readonly group: Group;
  /** Threads the candidate computes on (default 1). */
  readonly threads?: number;
  /** Before the candidate's warm-up and again before its timed calls: selects its backend, for example. */
  readonly before?: () => void | Promise<void>;
  /** After the candidate's warm-up and timed calls. */
  readonly after?: () => void;
  /**
   * One call: writes the workload's values into a buffer allocated beforehand where the library allows it.
   * Asynchronous for the pool, whose timed window then includes awaiting the result.
   */
  readonly run: () => void | Promise<void>;
  readonly async?: boolean;
  /** The values of the last call, for the sanity check. */
  readonly output: () => ArrayLike<number>;
}
