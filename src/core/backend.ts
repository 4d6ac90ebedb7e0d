import type { HalfFormat } from './half.js';
import type { ProbeKernels } from './probe-kernels.js';

// The sampler interface both backends implement, and the choice between them. Everything above this layer
// (validation, parameters, shapes) is shared, so the two backends only ever differ in speed.

export type BackendName = 'wasm' | 'js';

/** A Philox key and counter prefix: seed (sLo, sHi) is the key, stream (tLo, tHi) the counter's high words. */
export interface StreamKey {
  readonly seedLo: number;
  readonly seedHi: number;
  readonly streamLo: number;
  readonly streamHi: number;
}

export type FloatArray = Float32Array | Float64Array;

/** Half-precision output: the bit patterns of `format` values, rounded to nearest even from float32. */
export interface HalfOutput {
  readonly bits: Uint16Array;
  readonly format: HalfFormat;
}

/** Where a sampler writes: float32 or float64 values, or half-precision bits. */
export type Output = FloatArray | HalfOutput;

/** Number of elements an output holds. */
export function outputLength(out: Output): number {
  return 'bits' in out ? out.bits.length : out.length;
}

/** value = u * range + low, both already rounded to f32. */
export interface UniformParameters {
  readonly low: number;
  readonly range: number;
}

/** value = z * stddev + mean, both already rounded to f32. */
export interface NormalParameters {
  readonly mean: number;
  readonly stddev: number;
}

/**
 * An interval that comes within 1 standard deviation of the mean: y = u * width + start;
 * value = sqrt(2) erfinv(y) * stddev + mean, clamped to [lowest, highest], the f32 values strictly inside the
 * bounds. All fields are f32 values.
 */
export interface CentralTruncatedNormalParameters {
  readonly tail: false;
  readonly start: number;
  readonly width: number;
  readonly mean: number;
  readonly stddev: number;
  readonly lowest: number;
  readonly highest: number;
}

/**
 * An interval [a, b] beyond 1 standard deviation on one side, mirrored to a >= 1: with
 * t = (1 - u) + u ratio and w = logTail - log t, value = x(w) * scale + mean, clamped to [lowest, highest], where
 * x(w) inverts -log Q (assembly/f32math.ts normalTailInverse). logTail = -log Q(a), ratio = Q(b) / Q(a) and
 * scale = +-stddev (negative when mirrored). All fields are f32 values.
 */
export interface TailTruncatedNormalParameters {
  readonly tail: true;
  readonly logTail: number;
  readonly ratio: number;
  readonly scale: number;
  readonly mean: number;
  readonly lowest: number;
  readonly highest: number;
}

export type TruncatedNormalParameters = CentralTruncatedNormalParameters | TailTruncatedNormalParameters;

/**
 * Every fill writes outputLength(out) values: element j of `out` is element start + j of the stream. Callers
 * have validated all arguments, so backends never throw part-way through.
 */
export interface Backend {
  readonly name: BackendName;
  philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array): void;
  fillBits(out: Uint32Array, start: number, key: StreamKey): void;
  fillUniform(out: Output, start: number, key: StreamKey, parameters: UniformParameters): void;
  fillNormal(out: Output, start: number, key: StreamKey, parameters: NormalParameters): void;
  fillTruncatedNormal(out: Output, start: number, key: StreamKey, parameters: TruncatedNormalParameters): void;
  /**
   * A Haar-random rows x cols matrix with orthonormal columns (rows >= cols) or rows (rows < cols), times gain,
   * row-major into `out` (rows * cols values), computed in out's precision (a Float64Array in float64).
   * See src/core/householder.ts for the algorithm and its stream use.
   */
  orthogonal(rows: number, cols: number, key: StreamKey, gain: number, out: FloatArray): void;
  /**
   * Part of orthogonal()'s result, the same bits: columns [first, first + count) of its n x m factor (n =
   * max(rows, cols), m = min(rows, cols)), i.e. the result's columns first.. when rows >= cols (out: rows x count,
   * row-major) or its rows first.. when rows < cols (out: count x cols). Column c of the factor is changed only
   * by the reflector panels that start at or before c, each column by sums of its own, so a block costs the
   * panels up to its last column; orthogonal() is the block first = 0, count = m.
   */
  orthogonalColumns(rows: number, cols: number, key: StreamKey, gain: number, first: number, count: number, out: FloatArray): void;
  /**
   * Sum and sum of squares of (value - shift) over float32 values into out[0], out[1], in the order
   * src/core/moments.ts specifies (the same bits on every backend). A backend without it uses that function.
   */
  shiftedSums?(values: Float32Array, shift: number, out: Float64Array): void;
  /**
   * Reserves `bytes` of the backend's own memory as a staging area, leaving room for at least `leave` bytes of
   * work arrays after it (an orthogonal matrix's), or gives undefined when an area is already reserved or the
   * memory cannot hold both. Float32 outputs of fillUniform, fillNormal and fillTruncatedNormal that lie in the area are written
   * there by the kernels directly, and shiftedSums reads float32 values there where they are: a file writer fills,
   * summarizes and writes its chunks without copying them through the scratch region. The values are the same bits
   * as anywhere else. Only the whole-matrix factorizations (orthogonal), the probe and stage itself grow the
   * memory; a growth detaches every view of the area taken before it (its length becomes 0) but keeps its
   * contents. Memory that has grown is not given back: the area stays part of the process after release().
   */
  stage?(bytes: number, leave?: number): StagingArea | undefined;
  /** The probe's forward/backward kernels (src/diagnose uses its TypeScript ones where a backend has none). */
  readonly probe?: ProbeKernels;
}

/** A region of a backend's memory reserved by Backend.stage. */
export interface StagingArea {
  readonly byteLength: number;
  /**
   * The area as a view of the memory's current buffer. Take it anew after anything that may grow the memory: an
   * older view may be detached.
   */
  bytes(): Uint8Array;
  /** Gives the area back; views of it must not be used after. */
  release(): void;
}

/**
 * Stream elements holding reflector k's Gaussian vector for an n x m factor: column k of an n x m column-major
 * Gaussian matrix from its diagonal down, i.e. normal elements k n + k .. k n + n - 1.
 */
export function reflectorStart(n: number, k: number): number {
  return k * n + k;
}
