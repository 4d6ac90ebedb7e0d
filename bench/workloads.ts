// What the benchmark measures: each workload is one initializer family at one size, with the standard
// deviation a correct sampler must produce and the time budget its candidates get.

export const FAMILIES = [
  'uniform', 'normal', 'truncatedNormal', 'glorotUniform', 'heNormal', 'lecunNormal', 'orthogonal',
] as const;
export type Family = (typeof FAMILIES)[number];

/** 'smoke' is the test suite's tiny run; it is not meant for numbers. */
export type Mode = 'full' | 'quick' | 'smoke';

/** tinybench's sequential semantics: keep going until both the iteration count and the time (ms) are reached. */
export interface Timing {
  readonly time: number;
  readonly iterations: number;
  readonly warmupTime: number;
  readonly warmupIterations: number;
}

export interface Workload {
  /** Stable key in the JSON, e.g. 'heNormal-1024x1024'. */
  readonly id: string;
  readonly family: Family;
  /** For people: 'heNormal 1024×1024'. */
  readonly label: string;
  /** Keras layout [in, out] for the matrices: square, so PyTorch's [out, in] is the same shape. */
  readonly shape: readonly number[];
  /** Number of values written per call. */
  readonly values: number;
  /** Standard deviation of a correct output (1/sqrt(n) for an n×n orthogonal matrix). */
  readonly expectedStd: number;
  readonly timing: Timing;
}

/**
 * Standard deviation of N(0, 1) truncated to ±2: sqrt(1 - 4 φ(2) / (2 Φ(2) - 1)). Keras 3 and JAX divide by it
 * (keras/src/initializers/random_initializers.py, jax/_src/nn/initializers.py: .87962566103423978).
 */
const TRUNCATED_STD_AT_2 = 0.8796256610342398;

interface Sizes {
  /** Value counts of the uniform, normal and truncatedNormal workloads. */
  readonly flat: readonly number[];
  /** n of the n×n glorotUniform, heNormal and lecunNormal workloads. */
  readonly matrix: readonly number[];
  /** n of the n×n orthogonal workloads. */
  readonly orthogonal: readonly number[];
}

const SIZES: Record<Mode, Sizes> = {
  full: { flat: [1e6, 16e6], matrix: [1024, 4096], orthogonal: [64, 256, 512, 1024, 2048] },
  quick: { flat: [1e5, 1e6], matrix: [256, 1024], orthogonal: [64, 128, 256] },
  smoke: { flat: [1e4], matrix: [64], orthogonal: [16] },
};

const TIMING: Record<Mode, Timing> = {
  full: { time: 1000, iterations: 5, warmupTime: 250, warmupIterations: 2 },
  quick: { time: 200, iterations: 3, warmupTime: 50, warmupIterations: 1 },
  smoke: { time: 5, iterations: 2, warmupTime: 0, warmupIterations: 1 },
};

/**
 * Full-mode orthogonal factorizations from 1024×1024 up take seconds per call in plain JS (the js backend's
 * 2048×2048 takes about 27 s), so they get one warm-up and three timed calls instead of a time budget.
 */
const HEAVY_TIMING: Timing = { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1 };
const HEAVY_ORTHOGONAL = 1024;

/** Time cap (s) of each TF.js orthogonal measurement, which runs in a worker that is terminated at the cap. */
export const TFJS_ORTHOGONAL_CAP_SECONDS: Record<Mode, number> = { full: 20, quick: 5, smoke: 2 };

function countLabel(values: number): string {
  if (values >= 1e6 && values % 1e6 === 0) return `${values / 1e6}M`;
  if (values >= 1e3 && values % 1e3 === 0) return `${values / 1e3}k`;
  return String(values);
}

function expectedStd(family: Family, n: number): number {
  switch (family) {
    case 'uniform': return 1 / Math.sqrt(12); // U[0, 1)
    case 'normal': return 1;
    case 'truncatedNormal': return TRUNCATED_STD_AT_2;
    case 'glorotUniform': return Math.sqrt(2 / (n + n)); // fanIn = fanOut = n
    case 'heNormal': return Math.sqrt(2 / n);
    case 'lecunNormal': return Math.sqrt(1 / n);
    case 'orthogonal': return 1 / Math.sqrt(n); // every column has unit norm
  }
}

function flatWorkload(family: Family, values: number, timing: Timing): Workload {
  const label = countLabel(values);
  return { id: `${family}-${label}`, family, label: `${family} ${label}`, shape: [values], values, expectedStd: expectedStd(family, values), timing };
}

function matrixWorkload(family: Family, n: number, timing: Timing): Workload {
  return { id: `${family}-${n}x${n}`, family, label: `${family} ${n}×${n}`, shape: [n, n], values: n * n, expectedStd: expectedStd(family, n), timing };
}

/** The workloads of a mode, in report order, restricted to `families`. */
export function workloadsFor(mode: Mode, families: readonly Family[]): Workload[] {
  const sizes = SIZES[mode];
  const timing = TIMING[mode];
  const workloads: Workload[] = [];
  for (const family of families) {
    if (family === 'uniform' || family === 'normal' || family === 'truncatedNormal') {
      for (const values of sizes.flat) workloads.push(flatWorkload(family, values, timing));
    } else if (family === 'orthogonal') {
      for (const n of sizes.orthogonal) {
        workloads.push(matrixWorkload(family, n, mode === 'full' && n >= HEAVY_ORTHOGONAL ? HEAVY_TIMING : timing));
      }
    } else {
      for (const n of sizes.matrix) workloads.push(matrixWorkload(family, n, timing));
    }
  }
  return workloads;
}
