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
