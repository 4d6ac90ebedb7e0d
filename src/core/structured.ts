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
 * Most units per input of a sparse weight with zeros: the mask of one input is planned in an index array of this
 * many 32-bit entries (1 GiB).
 */
export const MAX_SPARSE_UNITS = 2 ** 28;

/**
 * Sparse initialization (Martens, "Deep learning via Hessian-free optimization", ICML 2010), with the semantics
 * of torch.nn.init.sparse_: a 2-D weight of N(0, std^2) values in which, for every input, exactly
 * ceil(sparsity * units) of its weights to the `units` outputs are zero. 'torch' `[units, inputs]` zeroes that
 * many entries of each column, as PyTorch; 'keras' (default) `[inputs, units]` the same entries of each row.
 *
 * Unlike PyTorch, whose mask comes from the global generator whatever generator is passed, the mask comes from
 * the same seeded stream: the values are normal-stream elements 0 .. size - 1, and input j's zeros are chosen by
 * a partial Fisher-Yates shuffle of the unit indices whose step t draws a 53-bit uniform from stream words
 * size + 2 (j units + t) and size + 2 (j units + t) + 1.
 *
 * A slice (offset, length) computes the normal values of the slice and the masks of the inputs it touches only:
 * a run of whole rows in the 'keras' layout, at most `length` columns in the 'torch' layout. Each of those masks
 * costs ceil(sparsity * units) shuffle steps and an index array of `units` entries, so a shape with more than
 * MAX_SPARSE_UNITS units per input (or whose mask would read stream words beyond 2^53, 3 * size > 2^53) is
 * refused with a RangeError, unless sparsity is 0.
 *
 * @example sparse([256, 128], { sparsity: 0.9, seed: 2 })
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
  if (zerosPerInput > 0 && 3 * tensor.size > 2 ** 53) {
    throw new RangeError(`nninit.sparse: shape [${tensor.shape.join(', ')}] is too large to plan: its mask would read stream words beyond 2^53 (3 * size)`);
  }
  if (zerosPerInput > 0 && units > MAX_SPARSE_UNITS) {
    throw new RangeError(
      `nninit.sparse: shape [${tensor.shape.join(', ')}] is too large to plan: ${units} units per input, and the mask of one input is planned over at most MAX_SPARSE_UNITS = 2^28`);
  }
  if (plan.length === 0) return plan.result(plan.target()) as Result<O>;
  const backend = currentBackend();
  const floats = plan.floats();
  backend.fillNormal(floats, plan.offset, key, values);
  if (zerosPerInput > 0) {
    const mask = new SparseMask(fn, units, zerosPerInput, (words, first) => backend.fillBits(words, tensor.size + first, key));
    const first = plan.offset, end = plan.offset + plan.length;
    const zero = (index: number) => {
      if (index >= first && index < end) floats[index - first] = 0;
    };
    if (layout === 'torch') {
      // Column j holds flat indices unit * inputs + j: the slice touches every column, or `length` of them.
      const columns = Math.min(inputs, plan.length);
      for (let k = 0; k < columns; k++) {
        const j = (first + k) % inputs;
        mask.zeros(j, (unit) => zero(unit * inputs + j));
      }
    } else {
      // Row j holds flat indices j * units + unit: the slice touches a run of whole rows.
      for (let j = Math.floor(first / units); j <= Math.floor((end - 1) / units); j++) mask.zeros(j, (unit) => zero(j * units + unit));
    }
  }
  return plan.finish(floats) as Result<O>;
}

/** Words of the stream the masks draw from: `words` gets mask words first .. first + words.length - 1. */
type MaskWords = (words: Uint32Array, first: number) => void;

/** Shuffle steps whose words are taken from the stream at a time. */
const MASK_STEPS_PER_RUN = 4096;

/**
 * The partial Fisher-Yates shuffles of sparse's masks, one input at a time, over one index array that every
 * shuffle leaves as the identity again. Input j's shuffle reads mask words 2 (j units + t) and 2 (j units + t) + 1
 * at step t.
 */
class SparseMask {
  private readonly order: Uint32Array;
  private readonly words: Uint32Array;

  constructor(fn: string, private readonly units: number, private readonly count: number, private readonly fill: MaskWords) {
    this.order = allocateArray(fn, 'uint32', units);
    for (let r = 0; r < units; r++) this.order[r] = r;
    this.words = new Uint32Array(2 * Math.min(count, MASK_STEPS_PER_RUN));
  }

  /** Calls zero(unit) for each of input j's `count` zero units, in shuffle order. */
  zeros(j: number, zero: (unit: number) => void): void {
    const { order, words, units, count } = this;
    for (let run = 0; run < count; run += MASK_STEPS_PER_RUN) {
      const steps = Math.min(MASK_STEPS_PER_RUN, count - run);
      this.fill(words.subarray(0, 2 * steps), 2 * (j * units + run));
      for (let s = 0; s < steps; s++) {
        const t = run + s;
        const u = (words[2 * s] * 2 ** 21 + (words[2 * s + 1] >>> 11)) * 2 ** -53;
        const remaining = units - t;
        const pick = t + Math.min(Math.floor(u * remaining), remaining - 1);
        const unit = order[pick];
        order[pick] = order[t];
        order[t] = unit;
        zero(unit);
      }
    }
    // Back to the identity in O(count): a position p >= count was changed only if its own unit p was picked
    // (a unit leaves a position >= count only by being picked), and then p is among order[0 .. count - 1].
    for (let t = 0; t < count; t++) {
      const unit = order[t];
      if (unit >= count) order[unit] = unit;
    }
    for (let t = 0; t < count; t++) order[t] = t;
  }
}
