// Orthogonal and structured initializers: matrices whose structure, not just their variance, is the point.

import type { FloatArray } from './backend.js';
import { currentBackend } from './runtime.js';
import { prepare, type RandomOptions, type Result } from './prepare.js';
import { LAYOUTS, type Layout } from './fans.js';
import { planOutput, OUTPUT_OPTION_KEYS, type OutArray, type OutputOptions, type OutputPlan } from './output.js';
import { allocateArray, checkOptions, checkShape, choiceArgument, numberArgument, rangeError, type CheckedShape } from './validate.js';
import { normalParameters, FLOAT32_MAX, NORMAL_REACH } from './distributions.js';
import { orthogonalWorkingBytes } from './wasm.js';

/** Largest n * m the orthogonal factor is computed for: its float64 working matrix is then at most 1 GiB. */
export const MAX_ORTHOGONAL_ELEMENTS = 2 ** 27;

/**
 * Most bytes the Householder product of one orthogonal matrix may work in: WebAssembly's 4 GiB of memory less
 * 1 MiB for the module's own. Both backends refuse the same shapes.
 */
export const MAX_ORTHOGONAL_WORKING_BYTES = 2 ** 32 - 2 ** 20;

/**
 * Refuses a rows x cols matrix whose working storage (orthogonalWorkingBytes: the kernels keep 32 reflector
 * columns per row, so a very tall, thin matrix needs far more than its own size) exceeds
 * MAX_ORTHOGONAL_WORKING_BYTES, naming the shape.
 */
function checkWorkingMemory(fn: string, rows: number, cols: number, dtype: string, shape: readonly number[]): void {
  const precision = dtype === 'float64' ? 'float64' : 'float32';
  const bytes = orthogonalWorkingBytes(rows, cols, precision === 'float64');
  if (bytes <= MAX_ORTHOGONAL_WORKING_BYTES) return;
  const gib = (bytes / 2 ** 30).toFixed(1);
  throw rangeError(fn, 'shape', `a matrix whose Householder product fits in 4 GiB of WebAssembly memory (a ${rows} x ${cols} one in ${precision} needs ${gib} GiB: its reflector panels keep 32 columns per row, however narrow the matrix)`, shape);
}

export interface OrthogonalOptions extends RandomOptions {
  /** Multiplies the matrix (default 1). */
  gain?: number;
  /** How a shape of rank > 2 is flattened to a matrix (default 'keras'); see orthogonal. */
  layout?: Layout;
}

export interface IdentityOptions extends OutputOptions {
  /** Value on the diagonal (default 1). */
  gain?: number;
}

export interface DiracOptions extends OutputOptions {
  /** Convolution groups; must divide the output channels (default 1). */
  groups?: number;
  /** Kernel layout: 'keras' `[...kernel, in, out]` (default) or 'torch' `[out, in, ...kernel]`. */
  layout?: Layout;
}

export interface SparseOptions extends RandomOptions {
  /** Fraction of each column's entries set to zero, in [0, 1] (required). */
  sparsity: number;
  /** Standard deviation of the non-zero entries (default 0.01, as torch.nn.init.sparse_). */
  std?: number;
  /** 'keras' `[in, out]` (default) or 'torch' `[out, in]`; see sparse. */
  layout?: Layout;
}

/** A float array for the whole tensor: the plan's own floats() when it covers the whole tensor. */
function wholeTensor(fn: string, plan: OutputPlan, size: number): FloatArray {
  if (plan.offset === 0 && plan.length === size) return plan.floats();
  return allocateArray(fn, plan.dtype === 'float64' ? 'float64' : 'float32', size);
}

/**
 * The gain of orthogonal and deltaOrthogonal: |gain| at most 2^127, half the float32 range, so that entries of
 * Q (at most 1 in magnitude, up to float32 rounding) times gain stay finite.
 */
function matrixGain(fn: string, value: unknown): number {
  const gain = numberArgument(fn, 'options.gain', value, 1);
  if (Math.abs(gain) > 2 ** 127) throw rangeError(fn, 'options.gain', 'at most 2^127 in magnitude, so that gain * Q fits in float32', gain);
  return gain;
}

/** Hands the plan's slice of a whole-tensor array (from wholeTensor) to the caller. */
function deliver(plan: OutputPlan, full: FloatArray): OutArray {
  if (full.length === plan.length) return plan.finish(full);
  const floats = plan.floats();
  floats.set(full.subarray(plan.offset, plan.offset + plan.length));
  return plan.finish(floats);
}

function matrixDimensions(fn: string, tensor: CheckedShape, layout: Layout): [rows: number, cols: number] {
  const shape = tensor.shape;
  if (shape.length < 2) throw rangeError(fn, 'shape', 'of rank 2 or more', shape);
  if (layout === 'torch') return [shape[0], tensor.size / shape[0] || 0];
  const cols = shape[shape.length - 1];
  return [cols === 0 ? 0 : tensor.size / cols, cols];
}

/**
 * A random orthogonal matrix (Saxe, McClelland and Ganguli, "Exact solutions to the nonlinear dynamics of
 * learning in deep linear neural networks", ICLR 2014): every singular value equals `gain`, so signals and
 * gradients keep their norm through any depth of linear layers; the usual choice for recurrent weights and
 * very deep networks.
 *
 * The shape is flattened to a rows x cols matrix: 'keras' (default) takes rows = product of all axes but the
 * last and cols = the last axis, as Keras 3, JAX and TF.js; 'torch' takes rows = shape[0] and cols = the rest,
 * as torch.nn.init.orthogonal_. The result has orthonormal columns when rows >= cols and orthonormal rows
 * otherwise (the transpose of the tall case), times `gain`.
 *
 * The matrix is Haar-distributed (uniform over orthogonal matrices). nninit uses Stewart's method (1980): the
 * product of n Householder reflectors of Gaussian vectors, with the signs Mezzadri's fix gives the QR of a
 * Gaussian matrix. This has exactly the distribution of PyTorch's, Keras's and JAX's QR-with-sign-fix result
 * at half the flops. With n = max(rows, cols), reflector k's Gaussian vector is the float32 normal-stream
 * elements k n + k .. k n + n - 1, whatever the dtype. Reflectors are built in float64 and applied in blocks of
 * 32 (compact WY form) by SIMD matrix products in the output's precision:
 * - float32, float16, bfloat16: reflectors stored in float32, float32 products; max |QᵀQ − I| about 4e-7 up to
 *   2048 x 2048 (float16/bfloat16 then round each value).
 * - float64: everything in float64 (not the float32 result widened); max |QᵀQ − I| about 9e-16 up to
 *   2048 x 2048, as LAPACK's float64 QR. It is the same Haar draw as float32's for the same seed and stream,
 *   the two differing by about 2e-7 per entry, and costs about twice the time.
 * offset/length slices are taken from the full matrix, computed whole. A matrix of more than
 * MAX_ORTHOGONAL_ELEMENTS elements, or whose working storage exceeds MAX_ORTHOGONAL_WORKING_BYTES (a very tall,
 * thin one: the kernels keep 32 reflector columns per row), is a RangeError.
 *
 * @example orthogonal([256, 256], { seed: 1 })
 * @example orthogonal([3, 3, 64, 64], { gain: Math.SQRT2 })    // conv kernel: a 576 x 64 matrix
 */
export function orthogonal<O extends OrthogonalOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'orthogonal';
  const { options: o, tensor, key, plan } = prepare(fn, shape, options, ['gain', 'layout']);
  const gain = matrixGain(fn, o.gain);
  const layout = choiceArgument(fn, 'options.layout', o.layout, LAYOUTS, 'keras');
  const [rows, cols] = matrixDimensions(fn, tensor, layout);
  if (tensor.size > MAX_ORTHOGONAL_ELEMENTS) {
    throw rangeError(fn, 'shape', `at most ${MAX_ORTHOGONAL_ELEMENTS} elements (a ${rows} x ${cols} matrix is too large to factor in memory)`, shape);
  }
  checkWorkingMemory(fn, rows, cols, plan.dtype, shape);
  if (plan.length === 0) return plan.result(plan.target()) as Result<O>;
  const full = wholeTensor(fn, plan, tensor.size);
  currentBackend().orthogonal(rows, cols, key, gain, full);
  return deliver(plan, full) as Result<O>;
}

/**
 * The identity matrix times `gain`, for any 2-D shape: ones on the main diagonal (min(rows, cols) of them) and
 * zeros elsewhere, as torch.nn.init.eye_ and Keras's Identity (TF.js requires a square shape). An identity
 * recurrent matrix is the IRNN initialization (Le, Jaitly and Hinton, 2015).
 *
 * @example identity([128, 128])
 */
export function identity<O extends IdentityOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'identity';
  const o = checkOptions(fn, options, ['gain', ...OUTPUT_OPTION_KEYS]) as IdentityOptions;
  const tensor = checkShape(fn, shape);
  if (tensor.shape.length !== 2) throw rangeError(fn, 'shape', 'of rank 2', shape);
  const gain = numberArgument(fn, 'options.gain', o.gain, 1);
  if (!Number.isFinite(Math.fround(gain))) throw rangeError(fn, 'options.gain', 'finite in float32 (|gain| <= 3.4028234663852886e38)', gain);
  const plan = planOutput(fn, tensor.size, o);
  const out = plan.floats().fill(0);
  const [rows, cols] = tensor.shape;
  // Diagonal entry i sits at flat index i (cols + 1): visit only those inside the slice.
  const stride = cols + 1;
  const first = Math.ceil(plan.offset / stride);
  const last = Math.min(Math.min(rows, cols) - 1, Math.floor((plan.offset + plan.length - 1) / stride));
  for (let i = first; i <= last; i++) out[i * stride - plan.offset] = gain;
  return plan.finish(out) as Result<O>;
}

/** The same as identity. */
export const eye = identity;

function spatialDimensions(fn: string, tensor: CheckedShape, layout: Layout): { out: number; in: number; kernel: readonly number[] } {
  const shape = tensor.shape;
  if (shape.length < 3 || shape.length > 5) throw rangeError(fn, 'shape', 'a 1-D, 2-D or 3-D convolution kernel (rank 3, 4 or 5)', shape);
  return layout === 'torch'
    ? { out: shape[0], in: shape[1], kernel: shape.slice(2) }
    : { out: shape[shape.length - 1], in: shape[shape.length - 2], kernel: shape.slice(0, -2) };
}

/** Flat index of kernel[o][i][position] in the given layout. */
function kernelIndex(layout: Layout, shape: readonly number[], o: number, i: number, position: readonly number[]): number {
  const spatial = position.reduce((index, p, axis) => index * shape[layout === 'torch' ? axis + 2 : axis] + p, 0);
  const rank = shape.length;
  if (layout === 'torch') {
    const kernelSize = shape.slice(2).reduce((a, b) => a * b, 1);
    return (o * shape[1] + i) * kernelSize + spatial;
  }
  return (spatial * shape[rank - 2] + i) * shape[rank - 1] + o;
}

/**
 * The Dirac delta kernel: a convolution that passes its input through unchanged. With PyTorch's semantics
 * (torch.nn.init.dirac_): zeros, then for each group g and each d < min(out / groups, in) a one at
 * [out = g (out / groups) + d, in = d] and at spatial index floor(k / 2) along every kernel axis. In the Keras
 * layout `[...kernel, in, out]` the same ones sit at [floor(k / 2)..., d, g (out / groups) + d], so both
 * layouts describe the same convolution. For odd k it is an exact identity map; for even k it shifts by one.
 *
 * @example dirac([3, 3, 16, 16])                       // Keras conv2d kernel
 * @example dirac([32, 16, 3], { layout: 'torch', groups: 2 })
 */
export function dirac<O extends DiracOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'dirac';
  const o = checkOptions(fn, options, ['groups', 'layout', ...OUTPUT_OPTION_KEYS]) as DiracOptions;
  const tensor = checkShape(fn, shape);
  const layout = choiceArgument(fn, 'options.layout', o.layout, LAYOUTS, 'keras');
  const dims = spatialDimensions(fn, tensor, layout);
  const groups = numberArgument(fn, 'options.groups', o.groups, 1, { integer: true, min: 1 });
  if (dims.out % groups !== 0) throw rangeError(fn, 'options.groups', `a divisor of the ${dims.out} output channels`, groups);
  const plan = planOutput(fn, tensor.size, o);
  const out = plan.floats().fill(0);
  const centre = dims.kernel.map((k) => Math.floor(k / 2));
  const perGroup = dims.out / groups;
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < Math.min(perGroup, dims.in); d++) {
      const index = kernelIndex(layout, tensor.shape, g * perGroup + d, d, centre) - plan.offset;
      if (index >= 0 && index < plan.length) out[index] = 1;
    }
  }
  return plan.finish(out) as Result<O>;
}

/**
 * Delta-orthogonal convolution kernel (Xiao et al., "Dynamical isometry and a mean field theory of CNNs",
 * ICML 2018; jax.nn.initializers.delta_orthogonal): zeros except at the spatial centre, floor((k - 1) / 2) along
 * every kernel axis as in JAX, which holds an in x out matrix with orthonormal rows times `gain`. At
 * initialization the convolution is then an orthogonal map of the channels, which lets very deep plain CNNs
 * train. Requires out >= in. The centre matrix is orthogonal([in, out]) of the same seed, stream and dtype
 * (computed in float64 for float64 output), placed as [centre..., i, o] ('keras') or [o, i, centre...]
 * ('torch'), so both layouts hold the same map.
 *
 * @example deltaOrthogonal([3, 3, 64, 64], { seed: 4 })
 */
export function deltaOrthogonal<O extends OrthogonalOptions = {}>(shape: readonly number[], options?: O): Result<O> {
  const fn = 'deltaOrthogonal';
  const { options: o, tensor, key, plan } = prepare(fn, shape, options, ['gain', 'layout']);
  const gain = matrixGain(fn, o.gain);
  const layout = choiceArgument(fn, 'options.layout', o.layout, LAYOUTS, 'keras');
  const dims = spatialDimensions(fn, tensor, layout);
  if (dims.out < dims.in) throw rangeError(fn, 'shape', `a kernel with at least as many output as input channels (out ${dims.out} < in ${dims.in})`, shape);
  if (dims.in * dims.out > MAX_ORTHOGONAL_ELEMENTS) throw rangeError(fn, 'shape', 'a kernel whose in x out matrix fits in memory', shape);
  checkWorkingMemory(fn, dims.in, dims.out, plan.dtype, shape);
  const out = plan.floats().fill(0);
  if (plan.length === 0) return plan.finish(out) as Result<O>;
  const size = dims.in * dims.out;
  const matrix = allocateArray(fn, plan.dtype === 'float64' ? 'float64' : 'float32', size);
  currentBackend().orthogonal(dims.in, dims.out, key, gain, matrix);
  const centre = dims.kernel.map((k) => Math.floor((k - 1) / 2));
  for (let i = 0; i < dims.in; i++) {
    for (let oc = 0; oc < dims.out; oc++) {
      const index = kernelIndex(layout, tensor.shape, oc, i, centre) - plan.offset;
      if (index >= 0 && index < plan.length) out[index] = matrix[i * dims.out + oc];
    }
  }
  return plan.finish(out) as Result<O>;
}

/**
 * Feistel rounds of sparse's keyed permutations, one stream word each (an even number: rounds go in pairs). Fewer
 * rounds leave the cycle-walked permutations of small domains measurably non-uniform: over 10^6 keys, the
 * chi-square of pi(u) < k against k / units is off by up to 19 standard errors for 5 to 9 units with 8 rounds,
 * 3.3 with 10, within 1.3 with 12.
 */
const SPARSE_ROUNDS = 12;

/** Inputs whose round keys are taken from the stream at a time. */
const SPARSE_INPUTS_PER_RUN = 4096;

/**
 * Sparse initialization (Martens, "Deep learning via Hessian-free optimization", ICML 2010), with the semantics
 * of torch.nn.init.sparse_: a 2-D weight of N(0, std^2) values in which, for every input, exactly
 * k = ceil(sparsity * units) of its weights to the `units` outputs are zero. 'torch' `[units, inputs]` zeroes
 * that many entries of each column, as PyTorch; 'keras' (default) `[inputs, units]` the same entries of each row.
 *
 * Unlike PyTorch, whose mask comes from the global generator whatever generator is passed, the mask comes from
 * the same seeded stream, and is a pure function of (seed, stream, shape, sparsity), so that any element can be
 * computed alone:
 * - The values are normal-stream elements 0 .. size - 1 (as normal() with std).
 * - Unit u of input j is zero exactly when pi_j(u) < k, where pi_j is a keyed pseudo-random permutation of
 *   [0, units): exactly k units of each input are zero, each one with probability k / units.
 * - pi_j is a balanced Feistel network on 2h bits, h = max(1, ceil(bits(units - 1) / 2)), made a permutation of
 *   [0, units) by cycle walking (apply it again while the result is >= units; Black and Rogaway, CT-RSA 2002):
 *   with x = L 2^h + R, rounds r = 0, 2, ..., 10 are the pairs L ^= F(R, key_r), then R ^= F(L, key_r+1),
 *   and the result is L 2^h + R. F(R, key) = mix(R xor key) >>> (32 - h), where mix is the 32-bit hash
 *   x ^= x >>> 16, x *= 0x7feb352d, x ^= x >>> 15, x *= 0x846ca68b, x ^= x >>> 16 (products mod 2^32).
 * - key_0 .. key_11 of input j are stream words 4 b + 12 j .. 4 b + 12 j + 11, b = ceil(size / 4): the Philox
 *   blocks after the values' blocks, three per input.
 * All of it is 32-bit integer arithmetic, the same on every backend and runtime.
 *
 * A slice (offset, length) computes the normal values of the slice and the mask bits of its own elements only:
 * for each input it touches, whichever is cheaper of testing pi_j at the slice's units, listing the k zero units
 * (pi_j^-1 of 0 .. k - 1) or listing the units - k non-zero ones. A slice of 8 elements of any shape costs
 * microseconds; a whole tensor costs min(k, units - k) permutation evaluations per input. The mask reads stream
 * words below 4 b + 12 inputs, which must stay within 2^53 (shapes of about 2^53 elements are refused with a
 * RangeError naming the shape, unless sparsity is 0 or 1).
 *
 * @example sparse([256, 128], { sparsity: 0.9, seed: 2 })
 * @example sparse([1, 2 ** 31], { sparsity: 0.5, seed: 1, offset: 0, length: 8 })   // 8 values, in microseconds
 */
export function sparse<O extends SparseOptions>(shape: readonly number[], options: O): Result<O> {
  const fn = 'sparse';
  const { options: o, tensor, key, plan } = prepare(fn, shape, options, ['sparsity', 'std', 'layout']);
  if (tensor.shape.length !== 2) throw rangeError(fn, 'shape', 'of rank 2', shape);
  const sparsity = numberArgument(fn, 'options.sparsity', o.sparsity, undefined, { min: 0, max: 1 });
  const stddev = numberArgument(fn, 'options.std', o.std, 0.01, { min: 0 });
  const layout = choiceArgument(fn, 'options.layout', o.layout, LAYOUTS, 'keras');
  const values = normalParameters(0, stddev);
  if (!(NORMAL_REACH * values.stddev <= FLOAT32_MAX)) {
    throw rangeError(fn, 'options.std', `at most ${FLOAT32_MAX / NORMAL_REACH} (${NORMAL_REACH} std must fit in float32)`, stddev);
  }
  const [units, inputs] = layout === 'torch' ? tensor.shape : [tensor.shape[1], tensor.shape[0]];
  const zerosPerInput = Math.ceil(sparsity * units);
  const firstKeyWord = 4 * Math.ceil(tensor.size / 4);
  if (zerosPerInput > 0 && zerosPerInput < units && firstKeyWord + SPARSE_ROUNDS * inputs > 2 ** 53) {
    throw new RangeError(`nninit.sparse: shape [${tensor.shape.join(', ')}] is too large to plan: its mask would read stream words beyond 2^53 (4 ceil(size / 4) + ${SPARSE_ROUNDS} inputs)`);
  }
  if (plan.length === 0) return plan.result(plan.target()) as Result<O>;
  const backend = currentBackend();
  const floats = plan.floats();
  backend.fillNormal(floats, plan.offset, key, values);
  if (zerosPerInput === units) floats.fill(0);
  else if (zerosPerInput > 0) {
    const mask = new SparseMask(units, zerosPerInput, (words, input) => backend.fillBits(words, firstKeyWord + SPARSE_ROUNDS * input, key));
    const first = plan.offset, end = plan.offset + plan.length;
    if (layout === 'torch') {
      // Column j holds flat indices unit * inputs + j: the slice touches every column, or `length` of them, each at
      // the units u with first <= u * inputs + j < end.
      const columns = Math.min(inputs, plan.length);
      const start = first % inputs;
      const runs: [number, number][] = start + columns <= inputs ? [[start, columns]] : [[start, inputs - start], [0, start + columns - inputs]];
      for (const [from, count] of runs) {
        mask.forInputs(from, count, (j) => {
          const low = Math.max(0, Math.ceil((first - j) / inputs));
          const high = Math.min(units, Math.ceil((end - j) / inputs));
          mask.zeros(j, low, high, (unit) => { floats[unit * inputs + j - first] = 0; });
        });
      }
    } else {
      // Row j holds flat indices j * units + unit: the slice touches a run of rows, the first and last in part.
      const firstRow = Math.floor(first / units), lastRow = Math.floor((end - 1) / units);
      mask.forInputs(firstRow, lastRow - firstRow + 1, (j) => {
        const low = Math.max(0, first - j * units), high = Math.min(units, end - j * units);
        mask.zeros(j, low, high, (unit) => { floats[j * units + unit - first] = 0; });
      });
    }
  }
  return plan.finish(floats) as Result<O>;
}

/** Stream words of the mask: `words` gets the round keys of each input from `input` on. */
type RoundKeyWords = (words: Uint32Array, input: number) => void;

/** The 32-bit finalizer of sparse's Feistel rounds (Wellons's lowbias32): a bijection with full avalanche. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The keyed permutations pi_j of sparse's masks (see sparse): the Feistel network on 2h bits, forward and
 * inverse, with cycle walking into [0, units), and the choice of how to find the zero units of a range.
 */
class SparseMask {
  private readonly half: number;
  private readonly scale: number;
  private readonly shift: number;
  private readonly words = new Uint32Array(SPARSE_ROUNDS * SPARSE_INPUTS_PER_RUN);
  /** The same round keys read as int32: the xor takes them as int32 anyway, and they stay small integers in V8. */
  private readonly keys = new Int32Array(this.words.buffer);
  private keyBase = 0;
  private kept = new Uint8Array(0);

  constructor(private readonly units: number, private readonly count: number, private readonly fill: RoundKeyWords) {
    let bits = 0;
    while (2 ** bits < units) bits++;
    this.half = Math.max(1, Math.ceil(bits / 2));
    this.scale = 2 ** this.half;
    this.shift = 32 - this.half;
  }

  /** Calls visit(j) for inputs from .. from + count - 1, with their round keys loaded. */
  forInputs(from: number, count: number, visit: (j: number) => void): void {
    for (let run = 0; run < count; run += SPARSE_INPUTS_PER_RUN) {
      const inputs = Math.min(SPARSE_INPUTS_PER_RUN, count - run);
      this.keyBase = from + run;
      this.fill(this.words.subarray(0, SPARSE_ROUNDS * inputs), this.keyBase);
      for (let k = 0; k < inputs; k++) visit(this.keyBase + k);
    }
  }

  /** pi_j(unit), for an input whose keys are loaded: the rounds in order, until the result is below units. */
  forward(j: number, unit: number): number {
    const { keys, scale, shift, units } = this;
    const at = SPARSE_ROUNDS * (j - this.keyBase);
    let left = Math.floor(unit / scale), right = unit - left * scale;
    for (;;) {
      for (let r = at; r < at + SPARSE_ROUNDS; r += 2) {
        left ^= mix32(right ^ keys[r]) >>> shift;
        right ^= mix32(left ^ keys[r + 1]) >>> shift;
      }
      const high = left * scale;
      if (high < units && high + right < units) return high + right;
    }
  }

  /** pi_j^-1(position), for an input whose keys are loaded: the rounds undone in reverse order. */
  inverse(j: number, position: number): number {
    const { keys, scale, shift, units } = this;
    const at = SPARSE_ROUNDS * (j - this.keyBase);
    let left = Math.floor(position / scale), right = position - left * scale;
    for (;;) {
      for (let r = at + SPARSE_ROUNDS - 2; r >= at; r -= 2) {
        right ^= mix32(left ^ keys[r + 1]) >>> shift;
        left ^= mix32(right ^ keys[r]) >>> shift;
      }
      const high = left * scale;
      if (high < units && high + right < units) return high + right;
    }
  }

  /** Calls zero(unit) for each zero unit of input j in [low, high), by the cheapest of three equivalent ways. */
  zeros(j: number, low: number, high: number, zero: (unit: number) => void): void {
    const { units, count } = this;
    const span = high - low;
    if (span <= 0) return;
    if (span <= Math.min(count, units - count)) {
      for (let unit = low; unit < high; unit++) if (this.forward(j, unit) < count) zero(unit);
    } else if (count <= units - count) {
      for (let position = 0; position < count; position++) {
        const unit = this.inverse(j, position);
        if (unit >= low && unit < high) zero(unit);
      }
    } else {
      if (this.kept.length < span) this.kept = new Uint8Array(span);
      const kept = this.kept;
      kept.fill(0, 0, span);
      for (let position = count; position < units; position++) {
        const unit = this.inverse(j, position);
        if (unit >= low && unit < high) kept[unit - low] = 1;
      }
      for (let k = 0; k < span; k++) if (kept[k] === 0) zero(low + k);
    }
  }
}
