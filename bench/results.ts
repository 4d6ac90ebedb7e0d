// The shape of bench/results/latest.json; docs/benchmarks.md describes it for readers.

import type { Sanity } from './sanity.js';
import type { Family, Mode, Workload } from './workloads.js';

export type Group = 'nninit' | 'plain JS' | 'TF.js' | 'native' | 'limit';

export interface CandidateResult {
  readonly candidate: string;
  readonly group: Group;
  /** Threads the candidate computes on: 1, except nninit's pool rows (every native library is held to one). */
  readonly threads: number;
  /** Milliseconds per call; null when no call finished (see `capSeconds`) or the candidate threw. */
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Timed calls the statistics come from. */
  readonly samples: number;
  /** Workload values / median seconds. */
  readonly valuesPerSecond: number | null;
  /** Set when a time cap stopped the measurement; with median null, one call takes longer than this. */
  readonly capSeconds?: number;
  readonly error?: string;
  readonly sanity: Sanity;
}

/** A workload's description as in bench/workloads.ts, and what every candidate measured on it. */
export interface WorkloadResult extends Pick<Workload, 'id' | 'family' | 'label' | 'shape' | 'values' | 'expectedStd'> {
  readonly results: CandidateResult[];
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly totalMemoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
}

/** Version of each library measured; null when it was not available. */
export interface Versions {
  readonly nninit: string;
  readonly nninitCommit: string | null;
  readonly tinybench: string;
  readonly tfjs: string;
  readonly tfjsBackendWasm: string;
  readonly seedrandom: string;
  readonly python: string | null;
  readonly torch: string | null;
  readonly numpy: string | null;
}

export interface BenchReport {
  /** ISO 8601 time the run started. */
  readonly date: string;
  readonly mode: Mode;
  /** The --only families, or all of them. */
  readonly families: readonly Family[];
  readonly durationSeconds: number;
  /** os.loadavg() (1, 5 and 15 minutes) when the run started and when it ended: how shared the machine was. */
  readonly load?: { readonly before: readonly number[]; readonly after: readonly number[] };
  readonly machine: Machine;
  readonly versions: Versions;
  /** Candidates that were skipped, and why. */
  readonly notes: readonly string[];
  readonly workloads: readonly WorkloadResult[];
}

/** Statistics of the timed calls, in milliseconds. */
export interface Timings {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

/** Median (mean of the middle two for an even count), min and max; null without samples. */
export function timingsOf(samples: readonly number[]): Timings | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], samples: sorted.length };
}

export function candidateResult(
  candidate: string, group: Group, values: number, timings: Timings | null,
  sanity: Sanity, extra: { readonly capSeconds?: number; readonly error?: string; readonly threads?: number } = {},
): CandidateResult {
  const { threads = 1, ...rest } = extra;
  return {
    candidate,
    group,
    threads,
    median: timings?.median ?? null,
    min: timings?.min ?? null,
    max: timings?.max ?? null,
    samples: timings?.samples ?? 0,
    valuesPerSecond: timings ? values / (timings.median / 1000) : null,
    ...rest,
    sanity,
  };
}
