// Independent references for the tests: nothing here is imported from the code under test.

/** Philox4x32-10 written from the Random123 description with BigInt arithmetic. */
export function philoxReference(counter: readonly number[], key: readonly number[]): number[] {
  const M0 = 0xd2511f53n, M1 = 0xcd9e8d57n, W0 = 0x9e3779b9n, W1 = 0xbb67ae85n, MASK = 0xffffffffn;
  let [c0, c1, c2, c3] = counter.map(BigInt);
  let [k0, k1] = key.map(BigInt);
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) & MASK;
      k1 = (k1 + W1) & MASK;
    }
    const p0 = M0 * c0, p1 = M1 * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & MASK, p1 & MASK, ((p0 >> 32n) ^ c3 ^ k1) & MASK, p0 & MASK];
  }
  return [c0, c1, c2, c3].map(Number);
}

/** Word i of stream (seed, stream) by the documented layout, from the reference Philox. */
export function streamWord(seed: bigint, stream: bigint, index: bigint): number {
  const block = index / 4n;
  const mask = 0xffffffffn;
  const words = philoxReference(
    [Number(block & mask), Number(block >> 32n), Number(stream & mask), Number(stream >> 32n)],
    [Number(seed & mask), Number(seed >> 32n)],
  );
  return words[Number(index % 4n)];
}

/** Composite Simpson integral of f over [a, b] with n (even) panels. */
export function integrate(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 ? 4 : 2);
  return (sum * h) / 3;
}

export const standardNormalPdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

/** Standard normal CDF by integration from 0 (accurate to ~1e-12 for |x| < 8). */
export function standardNormalCdf(x: number): number {
  const half = integrate(standardNormalPdf, 0, Math.abs(x), 2000);
  return x >= 0 ? 0.5 + half : 0.5 - half;
}

/** Moments of the standard normal truncated to [a, b], by integration. */
export function truncatedMoments(a: number, b: number): { mass: number; mean: number; variance: number; fourth: number } {
  const mass = integrate(standardNormalPdf, a, b);
  const mean = integrate((x) => x * standardNormalPdf(x), a, b) / mass;
  const variance = integrate((x) => (x - mean) ** 2 * standardNormalPdf(x), a, b) / mass;
  const fourth = integrate((x) => (x - mean) ** 4 * standardNormalPdf(x), a, b) / mass;
  return { mass, mean, variance, fourth };
}

export interface SampleMoments {
  mean: number;
  variance: number;
}

export function moments(values: ArrayLike<number>): SampleMoments {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

/**
 * Checks sample mean and variance against a distribution's mean, variance and fourth central moment, each
 * within `z` standard errors (SE(mean) = sqrt(var / n), SE(var) = sqrt((mu4 - var^2) / n)).
 */
export function momentsWithin(values: ArrayLike<number>, mean: number, variance: number, fourth: number, z = 4): string | undefined {
  const n = values.length;
  const sample = moments(values);
  const meanError = Math.abs(sample.mean - mean) / Math.sqrt(variance / n);
  const varianceError = Math.abs(sample.variance - variance) / Math.sqrt((fourth - variance * variance) / n);
  if (meanError > z) return `mean ${sample.mean} is ${meanError.toFixed(2)} standard errors from ${mean}`;
  if (varianceError > z) return `variance ${sample.variance} is ${varianceError.toFixed(2)} standard errors from ${variance}`;
  return undefined;
}

/** Kolmogorov-Smirnov statistic of a sample against a continuous CDF. */
export function ksStatistic(values: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

/** KS critical value at significance 0.001 for large n: 1.949 / sqrt(n). */
export const ksCritical = (n: number) => 1.949 / Math.sqrt(n);

export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Ulp of the float32 format at x (spacing of f32 values around |x|). */
export function ulp32(x: number): number {
  const a = Math.abs(x);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

export interface TruncatedNormalReference {
  mean: number;
  variance: number;
  /** Fourth central moment. */
  fourth: number;
  /** CDF of the truncated distribution. */
  cdf(x: number): number;
}

/**
 * N(0, 1) truncated to [a, b], by composite Simpson integration of the density scaled by e^(c^2 / 2), c the bound
 * nearer to 0 (0 when the interval contains it), so nothing underflows even at 38 standard deviations. Infinite
 * (or far) bounds are cut where the scaled density has fallen below e^-90. The CDF is the cumulative integral
 * at every second node, interpolated linearly.
 */
export function truncatedNormalReference(a: number, b: number, panels = 2 ** 18): TruncatedNormalReference {
  if (b <= 0) {
    const mirrored = truncatedNormalReference(-b, -a, panels);
    return { mean: -mirrored.mean, variance: mirrored.variance, fourth: mirrored.fourth, cdf: (x) => 1 - mirrored.cdf(-x) };
  }
  const c = a > 0 ? a : 0;
  const lo = a > 0 ? a : Math.max(a, -14);
  // Where (c^2 - x^2) / 2 = -90 beyond c.
  const hi = Math.min(b, Math.sqrt(c * c + 180));
  const density = (x: number) => Math.exp((c * c - x * x) / 2);
  const h = (hi - lo) / panels;
  const integrate = (f: (x: number) => number) => {
    let sum = f(lo) + f(hi);
    for (let i = 1; i < panels; i++) sum += f(lo + i * h) * (i % 2 ? 4 : 2);
    return (sum * h) / 3;
  };
  const mass = integrate(density);
  const mean = integrate((x) => x * density(x)) / mass;
  const variance = integrate((x) => (x - mean) ** 2 * density(x)) / mass;
  const fourth = integrate((x) => (x - mean) ** 4 * density(x)) / mass;
  const cumulative = new Float64Array(panels / 2 + 1);
  for (let k = 1; k <= panels / 2; k++) {
    const x0 = lo + (2 * k - 2) * h;
    cumulative[k] = cumulative[k - 1] + (h / 3) * (density(x0) + 4 * density(x0 + h) + density(x0 + 2 * h)) / mass;
  }
  const cdf = (x: number) => {
    if (x <= lo) return 0;
    if (x >= hi) return 1;
    const position = (x - lo) / (2 * h);
    const k = Math.min(Math.floor(position), panels / 2 - 1);
    return cumulative[k] + (cumulative[k + 1] - cumulative[k]) * (position - k);
  };
  return { mean, variance, fourth, cdf };
}

/**
 * -log Q(x) for x >= 1, Q the standard normal upper tail, in double precision: x^2 / 2 + log(2 pi) / 2 - log R(x)
 * with the Mills ratio R(x) = Q(x) / phi(x) = integral over s >= 0 of e^(-x s - s^2 / 2), by Simpson.
 */
export function minusLogTailReference(x: number): { value: number; derivative: number } {
  const end = Math.min(12, 60 / x);
  const panels = 20000;
  const h = end / panels;
  const f = (s: number) => Math.exp(-x * s - s * s / 2);
  let sum = f(0) + f(end);
  for (let i = 1; i < panels; i++) sum += f(i * h) * (i % 2 ? 4 : 2);
  const mills = (sum * h) / 3;
  return { value: (x * x) / 2 + Math.log(2 * Math.PI) / 2 - Math.log(mills), derivative: 1 / mills };
}
