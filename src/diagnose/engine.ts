// Runs a compiled network on a batch through the backend's probe kernels: lays out one heap (weights, every
// activation tensor, what the backward pass needs, gradients, shared scratch), then the forward pass step by
// step and the backward pass in reverse. Gradients accumulate: every gradient buffer starts at zero and each step
// adds its input's gradient, so a tensor read by a layer and by a skip connection gets both.
//
// Heap use, in floats: the weights, three times the activations (outputs, pre-activations, gradients), and
// scratch for the largest step (the im2col columns of a chunk of samples, a recurrent layer's time-major copies).

import { ACTIVATION_CODES, PACK_ELEMENTS, type ConvGeometry, type ProbeKernels } from '../core/probe-kernels.js';
import { positionsOf, type ConvStep, type DenseStep, type EmbeddingStep, type Network, type NormStep, type RecurrentStep, type ResidualStep, type Step } from './network.js';
import { deathOf, moments, type ParameterBlock, type SaturationKind } from './statistics.js';

/** Floats of im2col columns per chunk of samples: 4 MiB, so a convolution over a large batch needs no more. */
const COLUMN_CHUNK = 1 << 20;

const round4 = (n: number) => Math.ceil(n / 4) * 4;
const codeOf = (activation: string) => ACTIVATION_CODES[activation as keyof typeof ACTIVATION_CODES];

/** A rows x cols block of the heap, rows `stride` floats apart (default cols). */
export interface Region {
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly stride?: number;
}

/** What a step tells the report besides its input and output tensors. */
export interface StepView {
  /** Values before the activation. */
  pre(): Region;
  /** Values that saturate, and how ('symmetric': |y| > 0.99; 'sigmoid': y < 0.01 or > 0.99; 'softmax': a row's max > 0.99). */
  saturation(): readonly { readonly region: Region; readonly kind: SaturationKind }[];
  /** Pre-activation columns that decide dead units, with their activation (statistics.ts deathOf), or undefined. */
  deadSource(): { readonly region: Region; readonly activation: string } | undefined;
  /** Each output unit's incoming weights and bias in the heap (symmetry: copies share them), [] for steps without. */
  unitParameters(): readonly ParameterBlock[];
  /** Weight matrices checked for orthogonality: square ones, [rows, cols] row-major at offset. */
  squareWeights(): readonly Region[];
  /** Std of the last backward pass's weight gradient (0 without weights). */
  readonly gradientWeightStd: number;
}

abstract class Runner implements StepView {
  gradientWeightStd = 0;
  constructor(readonly step: Step, protected readonly e: Engine) {}
  /** Persistent buffers, allocated once. */
  abstract allocate(alloc: (floats: number) => number): void;
  /** Sizes of the scratch buffers the step uses while it runs (shared by all steps). */
  abstract scratch(): number[];
  abstract forward(): void;
  abstract backward(): void;
  abstract pre(): Region;
  saturation(): readonly { readonly region: Region; readonly kind: SaturationKind }[] {
    return [];
  }
  deadSource(): { readonly region: Region; readonly activation: string } | undefined {
    return undefined;
  }
  unitParameters(): readonly ParameterBlock[] {
    return [];
  }
  squareWeights(): readonly Region[] {
    return [];
  }
  /** The output tensor as rows x features. */
  protected out(): Region {
    return this.e.tensorRegion(this.step.output);
  }
  protected in(): Region {
    return this.e.tensorRegion(this.step.input);
  }
  /** Standard deviation of `count` floats at `offset` of the heap. */
  protected std(offset: number, count: number): number {
    return moments(this.e.k.view(), offset, count).std;
  }
}

/** Activation after an affine map: post = f(pre); saturation and dead units by the activation. */
abstract class AffineRunner extends Runner {
  protected preAt = 0;
  protected get affine() {
    return this.step as DenseStep | ConvStep;
  }
  pre(): Region {
    const out = this.out();
    return { offset: this.preAt, rows: out.rows, cols: out.cols };
  }
  override saturation() {
    const a = this.affine.activation;
    if (a === 'tanh' || a === 'softsign') return [{ region: this.out(), kind: 'symmetric' as const }];
    if (a === 'sigmoid') return [{ region: this.out(), kind: 'sigmoid' as const }];
    if (a === 'softmax') return [{ region: this.out(), kind: 'softmax' as const }];
    return [];
  }
  override deadSource() {
    const activation = this.affine.activation;
    return deathOf(activation) ? { region: this.pre(), activation } : undefined;
  }
  /**
   * Unit j's incoming parameters, `width` weights each: row j of torch's [out, width] weight, column j of keras's
   * [width, out] kernel, and its bias when the layer has one.
   */
  protected affineBlocks(width: number): ParameterBlock[] {
    const s = this.affine, w = this.e.weight(s.weight);
    const weights = s.layout === 'torch' ? { offset: w, unitStride: width, stride: 1, count: width } : { offset: w, unitStride: 1, stride: s.out, count: width };
    return s.bias ? [weights, { offset: this.e.weight(s.bias), unitStride: 1, stride: 0, count: 1 }] : [weights];
  }
  protected activate(): void {
    const s = this.affine, out = this.out();
    this.e.k.activate(codeOf(s.activation), s.slope, out.rows, out.cols, this.preAt, out.offset);
  }
  protected activateBackward(): void {
    const s = this.affine, out = this.out();
    this.e.k.activateBackward(codeOf(s.activation), s.slope, out.rows, out.cols, this.preAt, out.offset, this.e.gradAt[s.output]);
  }
}

class DenseRunner extends AffineRunner {
  private get s() {
    return this.step as DenseStep;
  }
  /** Rows of the product: samples x positions, or samples when the input is flattened. */
  private get rows() {
    return this.out().rows;
  }
  /** W(l, j) strides of the forward product X W^T (torch [out, in]) or X K (keras [in, out]), and of the backward dY W. */
  private strides() {
    const { in: n, out: m, layout } = this.s;
    return layout === 'torch'
      ? { forward: [1, n], backward: [n, 1] }
      : { forward: [m, 1], backward: [1, m] };
  }
  allocate(alloc: (floats: number) => number) {
    this.preAt = alloc(this.rows * this.s.out);
  }
  scratch() {
    const s = this.s;
    return [s.in * s.out, ...(s.flatten === 'torch' ? [this.rows * s.in, this.rows * s.in] : [])];
  }
  /** The input as a rows x in matrix: the tensor itself, or (torch order) each sample's [positions, features] transposed into scratch. */
  private inputMatrix(): number {
    const s = this.s, x = this.in();
    if (s.flatten !== 'torch') return x.offset;
    const [, flat] = this.e.scratchAt;
    const features = this.e.net.tensors[s.input].features;
    this.e.k.transposeEach(this.rows, x.rows / this.rows, features, x.offset, flat);
    return flat;
  }
  forward() {
    const s = this.s, k = this.e.k, [bi, bc] = this.strides().forward;
    k.gemm(this.rows, s.out, s.in, this.inputMatrix(), s.in, 1, this.e.weight(s.weight), bi, bc, this.preAt, s.out, false, this.e.pack);
    if (s.bias) k.addRows(this.rows, s.out, this.preAt, this.e.weight(s.bias));
    this.activate();
  }
  backward() {
    const s = this.s, k = this.e.k, e = this.e;
    const rows = this.rows, g = e.gradAt[s.output];
    this.activateBackward();
    const [dW, flat, back] = e.scratchAt;
    k.gemm(s.out, s.in, rows, g, 1, s.out, this.inputMatrix(), s.in, 1, dW, s.in, false, e.pack);
    this.gradientWeightStd = this.std(dW, s.in * s.out);
    const [bi, bc] = this.strides().backward;
    if (s.flatten !== 'torch') {
      k.gemm(rows, s.in, s.out, g, s.out, 1, e.weight(s.weight), bi, bc, e.gradAt[s.input], s.in, true, e.pack);
      return;
    }
    const features = e.net.tensors[s.input].features;
    k.gemm(rows, s.in, s.out, g, s.out, 1, e.weight(s.weight), bi, bc, flat, s.in, false, e.pack);
    k.transposeEach(rows, features, s.in / features, flat, back);
    k.addInto(rows * s.in, back, e.gradAt[s.input]);
  }
  override squareWeights() {
    const s = this.s;
    return s.in === s.out ? [{ offset: this.e.weight(s.weight), rows: s.out, cols: s.in }] : [];
  }
  override unitParameters(): ParameterBlock[] {
    return this.affineBlocks(this.s.in);
  }
}

class ConvRunner extends AffineRunner {
  private get s() {
    return this.step as ConvStep;
  }
  private get geometry() {
    const s = this.s;
    const kernel = s.kernel[0] * s.kernel[1] * s.kernel[2];
    const positions = s.extent[0] * s.extent[1] * s.extent[2];
    const groupIn = s.in / s.groups, groupOut = s.out / s.groups;
    const columns = groupIn * kernel;
    const chunk = Math.max(1, Math.min(this.e.samples, Math.floor(COLUMN_CHUNK / (positions * columns))));
    return { kernel, positions, groupIn, groupOut, columns, chunk };
  }
  private convGeometry(samples: number, group: number): ConvGeometry {
    const s = this.s, { groupIn } = this.geometry;
    return {
      samples, depth: s.extent[0], height: s.extent[1], width: s.extent[2], channels: s.in, c0: group * groupIn,
      groupChannels: groupIn, kd: s.kernel[0], kh: s.kernel[1], kw: s.kernel[2], channelMajor: s.layout === 'torch',
    };
  }
  /** Offset of group g's weights, and W(l, j) strides forward (columns x W_g) and backward (dY_g x W_g^T). */
  private weightOf(group: number) {
    const s = this.s, { groupOut, columns } = this.geometry, w = this.e.weight(s.weight);
    return s.layout === 'torch'
      ? { at: w + group * groupOut * columns, forward: [1, columns], backward: [columns, 1] }
      : { at: w + group * groupOut, forward: [s.out, 1], backward: [1, s.out] };
  }
  allocate(alloc: (floats: number) => number) {
    this.preAt = alloc(this.out().rows * this.s.out);
  }
  scratch() {
    const { chunk, positions, columns } = this.geometry;
    return [chunk * positions * columns, chunk * positions * columns, this.s.out * columns];
  }
  forward() {
    const s = this.s, e = this.e, k = e.k, { positions, groupOut, columns, chunk } = this.geometry;
    const [cols] = e.scratchAt, x = this.in().offset;
    for (let first = 0; first < e.samples; first += chunk) {
      const samples = Math.min(chunk, e.samples - first), rows = samples * positions;
      for (let g = 0; g < s.groups; g++) {
        k.im2col(this.convGeometry(samples, g), x + first * positions * s.in, cols);
        const w = this.weightOf(g);
        k.gemm(rows, groupOut, columns, cols, columns, 1, w.at, w.forward[0], w.forward[1],
          this.preAt + first * positions * s.out + g * groupOut, s.out, false, e.pack);
      }
    }
    if (s.bias) k.addRows(this.out().rows, s.out, this.preAt, e.weight(s.bias));
    this.activate();
  }
  backward() {
    const s = this.s, e = this.e, k = e.k, { positions, groupOut, columns, chunk } = this.geometry;
    const [cols, dcols, dW] = e.scratchAt, x = this.in().offset, g0 = e.gradAt[s.output], dx = e.gradAt[s.input];
    this.activateBackward();
    for (let first = 0; first < e.samples; first += chunk) {
      const samples = Math.min(chunk, e.samples - first), rows = samples * positions;
      for (let g = 0; g < s.groups; g++) {
        const geometry = this.convGeometry(samples, g), w = this.weightOf(g);
        const dy = g0 + first * positions * s.out + g * groupOut;
        k.im2col(geometry, x + first * positions * s.in, cols);
        k.gemm(groupOut, columns, rows, dy, 1, s.out, cols, columns, 1, dW + g * groupOut * columns, columns, first > 0, e.pack);
        k.gemm(rows, columns, groupOut, dy, s.out, 1, w.at, w.backward[0], w.backward[1], dcols, columns, false, e.pack);
        k.col2im(geometry, dcols, dx + first * positions * s.in);
      }
    }
    this.gradientWeightStd = this.std(dW, s.out * columns);
  }
  override squareWeights() {
    const s = this.s, { columns } = this.geometry;
    // The kernel flattened to [out, in/groups x kernel]; in the keras layout that matrix is the transpose of
    // the stored [kernel x in/groups, out] one, which has the same singular values.
    return s.out === columns ? [{ offset: this.e.weight(s.weight), rows: s.out, cols: columns }] : [];
  }
  override unitParameters(): ParameterBlock[] {
    // Channel j's kernel: row j of torch's [out, in/groups x kernel], column j of keras's [kernel x in/groups, out].
    // Channels of different groups read different inputs, but a constant channel's copies must match anyway.
    return this.affineBlocks(this.geometry.columns);
  }
}

/** Gate blocks per cell, and where PyTorch's and Keras's orders put the GRU's r, z, n. */
const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;
const GRU_BLOCKS = { torch: [0, 1, 2], keras: [1, 0, 2] } as const;

class RecurrentRunner extends Runner {
  private xT = 0; private preAt = 0; private act = 0; private cT = 0; private hT = 0; private hPart = 0;
  private xPart = 0; private zeros = 0; private inputBias = 0; private recurrentBias = 0;
  private get s() {
    return this.step as RecurrentStep;
  }
  private get sizes() {
    const s = this.s, gates = GATES[s.cell] * s.units;
    return { n: this.e.samples, t: s.steps, gates, rows: this.e.samples * s.steps };
  }
  private strides(width: number) {
    const { gates } = this.sizes;
    return this.s.layout === 'torch' ? { forward: [1, width], backward: [width, 1] } : { forward: [gates, 1], backward: [1, gates] };
  }
  allocate(alloc: (floats: number) => number) {
    const s = this.s, { n, rows, gates } = this.sizes;
    this.xT = alloc(rows * s.in);
    this.preAt = alloc(rows * gates);
    this.hT = alloc(rows * s.units);
    this.zeros = alloc(n * Math.max(s.units, 1));
    this.inputBias = alloc(gates);
    this.recurrentBias = alloc(gates);
    if (s.cell !== 'rnn') this.act = alloc(rows * gates);
    if (s.cell === 'lstm') this.cT = alloc(rows * s.units);
    if (s.cell === 'gru') {
      this.hPart = alloc(rows * gates);
      this.xPart = alloc(rows * gates);
    }
  }
  scratch() {
    const s = this.s, { n, rows, gates } = this.sizes;
    return [rows * s.units, rows * gates, rows * gates, n * s.units, n * s.units, rows * s.in, rows * s.in, gates * Math.max(s.in, s.units)];
  }
  /** Biases in the heap as the cells want them: input and recurrent vectors of `gates` floats (zeros if absent). */
  prepareBiases(): void {
    const s = this.s, e = this.e, h = e.k.view(), { gates } = this.sizes;
    h.fill(0, this.zeros, this.zeros + this.sizes.n * s.units);
    h.fill(0, this.inputBias, this.inputBias + gates);
    h.fill(0, this.recurrentBias, this.recurrentBias + gates);
    const copy = (from: number, to: number) => h.copyWithin(to, from, from + gates);
    if (s.inputBias) copy(e.weight(s.inputBias), this.inputBias);
    if (s.recurrentBias) copy(e.weight(s.recurrentBias), this.recurrentBias);
    if (s.kerasBias) {
      copy(e.weight(s.kerasBias), this.inputBias);
      if (s.cell === 'gru') copy(e.weight(s.kerasBias) + gates, this.recurrentBias);
    }
    // LSTM and Elman cells add both biases to the same sum: fold them into one.
    if (s.cell !== 'gru') for (let i = 0; i < gates; i++) h[this.inputBias + i] += h[this.recurrentBias + i];
  }
  forward() {
    const s = this.s, e = this.e, k = e.k, { n, t, gates, rows } = this.sizes, u = s.units;
    this.prepareBiases();
    const wih = e.weight(s.inputWeight), whh = e.weight(s.recurrentWeight);
    const fi = this.strides(s.in).forward, fh = this.strides(u).forward;
    k.swapOuterAxes(n, t, s.in, this.in().offset, this.xT);
    const inputPart = s.cell === 'gru' ? this.xPart : this.preAt;
    k.gemm(rows, gates, s.in, this.xT, s.in, 1, wih, fi[0], fi[1], inputPart, gates, false, e.pack);
    k.addRows(rows, gates, inputPart, this.inputBias);
    const [rBlock, zBlock, nBlock] = GRU_BLOCKS[s.layout];
    for (let step = 0; step < t; step++) {
      const h = this.hT + step * n * u, hPrev = step > 0 ? h - n * u : this.zeros;
      const pre = this.preAt + step * n * gates;
      if (s.cell === 'gru') {
        const part = this.hPart + step * n * gates;
        if (step > 0) k.gemm(n, gates, u, hPrev, u, 1, whh, fh[0], fh[1], part, gates, false, e.pack);
        else k.view().fill(0, part, part + n * gates);
        k.addRows(n, gates, part, this.recurrentBias);
        k.gruForward(n, u, rBlock, zBlock, nBlock, this.xPart + step * n * gates, part, hPrev, pre, this.act + step * n * gates, h);
        continue;
      }
      if (step > 0) k.gemm(n, gates, u, hPrev, u, 1, whh, fh[0], fh[1], pre, gates, true, e.pack);
      if (s.cell === 'rnn') k.activate(codeOf(s.activation), 0, n, u, pre, h);
      else k.lstmForward(n, u, pre, this.act + step * n * gates, step > 0 ? this.cT + (step - 1) * n * u : this.zeros, this.cT + step * n * u, h);
    }
    k.swapOuterAxes(t, n, u, this.hT, this.out().offset);
  }
  backward() {
    const s = this.s, e = this.e, k = e.k, { n, t, gates, rows } = this.sizes, u = s.units;
    const [dhT, dPre, dhPart, dc, direct, dxT, dx, dW] = e.scratchAt;
    const wih = e.weight(s.inputWeight), whh = e.weight(s.recurrentWeight);
    const bi = this.strides(s.in).backward, bh = this.strides(u).backward;
    const [rBlock, zBlock, nBlock] = GRU_BLOCKS[s.layout];
    k.swapOuterAxes(n, t, u, e.gradAt[s.output], dhT);
    k.view().fill(0, dc, dc + n * u);
    // The gradient of the gate pre-activations: dhT itself for an Elman cell (gates = units), else dPre.
    const gatesGrad = s.cell === 'rnn' ? dhT : dPre;
    for (let step = t - 1; step >= 0; step--) {
      const dh = dhT + step * n * u, hPrev = step > 0 ? this.hT + (step - 1) * n * u : this.zeros;
      const into = dh - n * u;
      const d = gatesGrad + step * n * gates;
      if (s.cell === 'rnn') k.activateBackward(codeOf(s.activation), 0, n, u, this.preAt + step * n * u, this.hT + step * n * u, dh);
      else if (s.cell === 'lstm') {
        k.lstmBackward(n, u, this.act + step * n * gates, step > 0 ? this.cT + (step - 1) * n * u : this.zeros, this.cT + step * n * u, dh, dc, d);
      } else {
        k.gruBackward(n, u, rBlock, zBlock, nBlock, this.hPart + step * n * gates, hPrev, this.act + step * n * gates, dh, d, dhPart + step * n * gates, direct);
      }
      if (step === 0) continue;
      if (s.cell === 'gru') {
        k.addInto(n * u, direct, into);
        k.gemm(n, u, gates, dhPart + step * n * gates, gates, 1, whh, bh[0], bh[1], into, u, true, e.pack);
      } else {
        k.gemm(n, u, gates, d, gates, 1, whh, bh[0], bh[1], into, u, true, e.pack);
      }
    }
    k.gemm(gates, s.in, rows, gatesGrad, 1, gates, this.xT, s.in, 1, dW, s.in, false, e.pack);
    const inputGradient = moments(k.view(), dW, gates * s.in);
    const recurrentSource = s.cell === 'gru' ? dhPart : gatesGrad;
    k.gemm(gates, u, rows - n, recurrentSource + n * gates, 1, gates, this.hT, u, 1, dW, u, false, e.pack);
    const recurrentGradient = moments(k.view(), dW, gates * u);
    this.gradientWeightStd = pooled(inputGradient, gates * s.in, recurrentGradient, gates * u);
    k.gemm(rows, s.in, gates, gatesGrad, gates, 1, wih, bi[0], bi[1], dxT, s.in, false, e.pack);
    k.swapOuterAxes(t, n, s.in, dxT, dx);
    k.addInto(rows * s.in, dx, e.gradAt[s.input]);
  }
  pre(): Region {
    return { offset: this.preAt, rows: this.sizes.rows, cols: this.sizes.gates };
  }
  override unitParameters(): ParameterBlock[] {
    // Unit j's rows of every gate: row b u + j of torch's [gates, in] and [gates, units] (and the biases), column
    // b u + j of keras's [in, gates] and [units, gates] (and its bias rows).
    const s = this.s, u = s.units, { gates } = this.sizes, e = this.e, blocks = GATES[s.cell];
    const torch = s.layout === 'torch';
    const out: ParameterBlock[] = [];
    for (let b = 0; b < blocks; b++) {
      for (const [name, width] of [[s.inputWeight, s.in], [s.recurrentWeight, u]] as const) {
        const w = e.weight(name);
        out.push(torch ? { offset: w + b * u * width, unitStride: width, stride: 1, count: width } : { offset: w + b * u, unitStride: 1, stride: gates, count: width });
      }
      for (const bias of [s.inputBias, s.recurrentBias]) if (bias) out.push({ offset: e.weight(bias) + b * u, unitStride: 1, stride: 0, count: 1 });
      if (s.kerasBias) {
        const rowsOfBias = s.cell === 'gru' ? 2 : 1;
        out.push({ offset: e.weight(s.kerasBias) + b * u, unitStride: 1, stride: gates, count: rowsOfBias });
      }
    }
    return out;
  }
  override saturation() {
    const s = this.s, { rows, gates } = this.sizes, u = s.units;
    if (s.cell === 'rnn') return s.activation === 'tanh' ? [{ region: this.out(), kind: 'symmetric' as const }] : [];
    // Gate activations, `gates` per row: sigmoid gates and the tanh candidate, each counted by its own rule.
    const tanhBlock = s.cell === 'lstm' ? 2 : GRU_BLOCKS[s.layout][2];
    const blocks = gates / u;
    const regions: { region: Region; kind: SaturationKind }[] = [];
    for (let b = 0; b < blocks; b++) {
      regions.push({ region: { offset: this.act + b * u, rows, cols: u, stride: gates }, kind: b === tanhBlock ? 'symmetric' : 'sigmoid' });
    }
    return regions;
  }
  override deadSource() {
    return this.s.cell === 'rnn' && this.s.activation === 'relu' ? { region: this.pre(), activation: 'relu' } : undefined;
  }
  override squareWeights() {
    // Each gate's hidden-to-hidden block is units x units: [gates, units] torch rows, or a column block of keras's [units, gates].
    const s = this.s, u = s.units, w = this.e.weight(s.recurrentWeight), blocks = GATES[s.cell];
    return Array.from({ length: blocks }, (_, b) => (s.layout === 'torch'
      ? { offset: w + b * u * u, rows: u, cols: u }
      : { offset: w + b * u, rows: u, cols: u, stride: blocks * u }));
  }
}

function pooled(a: { mean: number; std: number }, na: number, b: { mean: number; std: number }, nb: number): number {
  const total = na + nb;
  const mean = (a.mean * na + b.mean * nb) / total;
  return Math.sqrt(((a.std ** 2 + (a.mean - mean) ** 2) * na + (b.std ** 2 + (b.mean - mean) ** 2) * nb) / total);
}

class NormRunner extends Runner {
  private stats = 0;
  private zeros = 0;
  private get s() {
    return this.step as NormStep;
  }
  private get rowWise() {
    return this.s.norm !== 'batchnorm';
  }
  allocate(alloc: (floats: number) => number) {
    const out = this.out();
    this.stats = alloc(2 * (this.rowWise ? out.rows : out.cols));
    this.zeros = alloc(this.s.dim);
  }
  scratch() {
    const out = this.out();
    return [out.rows * out.cols];
  }
  forward() {
    const s = this.s, e = this.e, k = e.k, x = this.in(), y = this.out();
    const scale = e.weight(s.scale), shift = s.shift ? e.weight(s.shift) : this.zeros;
    k.view().fill(0, this.zeros, this.zeros + s.dim);
    if (this.rowWise) k.rowNorm(x.rows, x.cols, x.offset, y.offset, scale, shift, s.shift !== undefined, s.norm === 'layernorm', s.eps, this.stats);
    else k.columnNorm(x.rows, x.cols, x.offset, y.offset, scale, shift, s.eps, this.stats);
  }
  backward() {
    const s = this.s, e = this.e, k = e.k, x = this.in(), g = e.gradAt[s.output];
    const [dx] = e.scratchAt, scale = e.weight(s.scale);
    if (this.rowWise) k.rowNormBackward(x.rows, x.cols, x.offset, scale, s.norm === 'layernorm', this.stats, g, dx);
    else k.columnNormBackward(x.rows, x.cols, x.offset, scale, this.stats, g, dx);
    k.addInto(x.rows * x.cols, dx, e.gradAt[s.input]);
    // The scale's gradient: the sum over rows of the output gradient times the normalized input.
    const h = k.view(), dScale = new Float64Array(x.cols);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < x.cols; j++) {
        const group = this.rowWise ? i : j;
        const xhat = (h[x.offset + i * x.cols + j] - h[this.stats + 2 * group]) * h[this.stats + 2 * group + 1];
        dScale[j] += h[g + i * x.cols + j] * xhat;
      }
    }
    let mean = 0;
    for (const v of dScale) mean += v / x.cols;
    let squares = 0;
    for (const v of dScale) squares += (v - mean) ** 2 / x.cols;
    this.gradientWeightStd = Math.sqrt(squares);
  }
  pre() {
    return this.out();
  }
  override unitParameters(): ParameterBlock[] {
    const s = this.s, e = this.e;
    return [{ offset: e.weight(s.scale), unitStride: 1, stride: 0, count: 1 }, ...(s.shift ? [{ offset: e.weight(s.shift), unitStride: 1, stride: 0, count: 1 }] : [])];
  }
}

/** A lookup of token ids: no gradient reaches the ids; the table's gradient is the output's summed per id. */
class EmbeddingRunner extends Runner {
  private get s() {
    return this.step as EmbeddingStep;
  }
  allocate() {}
  scratch() {
    return [];
  }
  forward() {
    const out = this.out();
    this.e.k.gatherRows(out.rows, this.in().offset, this.e.weight(this.s.table), this.s.dim, out.offset);
  }
  backward() {
    const s = this.s, h = this.e.k.view(), ids = this.in(), g = this.e.gradAt[s.output];
    // The table's gradient: rows of ids that occur hold the sums of their positions' gradients, the rest zero.
    const rows = new Map<number, Float64Array>();
    for (let i = 0; i < ids.rows; i++) {
      const id = h[ids.offset + i];
      let row = rows.get(id);
      if (!row) rows.set(id, (row = new Float64Array(s.dim)));
      for (let j = 0; j < s.dim; j++) row[j] += h[g + i * s.dim + j];
    }
    const count = s.vocab * s.dim;
    let sum = 0, squares = 0;
    for (const row of rows.values()) for (const v of row) { sum += v; squares += v * v; }
    const mean = sum / count;
    this.gradientWeightStd = Math.sqrt(Math.max(0, squares / count - mean * mean));
  }
  pre() {
    return this.out();
  }
  override unitParameters(): ParameterBlock[] {
    // Feature j of every token: column j of the [vocab, dim] table.
    const s = this.s;
    return [{ offset: this.e.weight(s.table), unitStride: 1, stride: s.dim, count: s.vocab }];
  }
}

class ResidualRunner extends Runner {
  private get s() {
    return this.step as ResidualStep;
  }
  allocate() {}
  scratch() {
    return [];
  }
  forward() {
    const s = this.s, k = this.e.k, out = this.out(), skip = this.e.tensorRegion(s.skip), h = k.view();
    h.copyWithin(out.offset, skip.offset, skip.offset + out.rows * out.cols);
    k.addInto(out.rows * out.cols, this.e.tensorRegion(s.body).offset, out.offset);
  }
  backward() {
    const s = this.s, e = this.e, out = this.out(), count = out.rows * out.cols;
    e.k.addInto(count, e.gradAt[s.output], e.gradAt[s.skip]);
    e.k.addInto(count, e.gradAt[s.output], e.gradAt[s.body]);
  }
  pre() {
    return this.out();
  }
}

const RUNNERS = {
  dense: DenseRunner, conv: ConvRunner, recurrent: RecurrentRunner, norm: NormRunner, embedding: EmbeddingRunner, residual: ResidualRunner,
} as const;

/** The network, its weights and a batch laid out in one heap, ready to run forward and backward. */
export class Engine {
  readonly runners: Runner[];
  /** Offsets of every tensor and of its gradient. */
  readonly tensorAt: number[] = [];
  readonly gradAt: number[] = [];
  /** Offsets of the shared scratch buffers of the step running now. */
  scratchAt: number[] = [];
  readonly pack: number;
  readonly projection: number;
  private readonly weights = new Map<string, number>();
  private readonly scratchBase: number;
  private readonly gradients: [number, number];
  /** Forward steps done since the input was written. */
  done = 0;

  constructor(
    readonly k: ProbeKernels,
    readonly net: Network,
    weights: ReadonlyMap<string, ArrayLike<number>>,
    input: ArrayLike<number>,
    readonly samples: number,
    projection: ArrayLike<number>,
  ) {
    let top = 0;
    const alloc = (floats: number) => {
      const at = top;
      top += round4(Math.max(floats, 1));
      return at;
    };
    for (const name of net.parameters.keys()) this.weights.set(name, alloc(weights.get(name)!.length));
    for (const shape of net.tensors) this.tensorAt.push(alloc(samples * positionsOf(shape) * shape.features));
    this.runners = net.steps.map((step) => new RUNNERS[step.kind](step, this));
    for (const runner of this.runners) runner.allocate(alloc);
    const gradientsStart = top;
    for (const shape of net.tensors) this.gradAt.push(alloc(samples * positionsOf(shape) * shape.features));
    this.gradients = [gradientsStart, top];
    const output = net.tensors[net.output];
    this.projection = alloc(samples * positionsOf(output) * output.features);
    this.scratchBase = top;
    const scratch = Math.max(0, ...this.runners.map((r) => r.scratch().reduce((sum, n) => sum + round4(Math.max(n, 1)), 0)));
    top += scratch;
    this.pack = alloc(PACK_ELEMENTS);

    const h = k.reserve(top);
    for (const [name, at] of this.weights) h.set(weights.get(name)!, at);
    h.set(input, this.tensorAt[0]);
    h.set(projection, this.projection);
  }

  /** Offset of a named parameter's values. */
  weight(name: string): number {
    return this.weights.get(name)!;
  }

  tensorRegion(id: number): Region {
    const shape = this.net.tensors[id];
    return { offset: this.tensorAt[id], rows: this.samples * positionsOf(shape), cols: shape.features };
  }

  private enter(runner: Runner): void {
    let at = this.scratchBase;
    this.scratchAt = runner.scratch().map((n) => {
      const offset = at;
      at += round4(Math.max(n, 1));
      return offset;
    });
  }

  /** Runs forward step `index` (steps before it must have run). */
  forwardStep(index: number): void {
    const runner = this.runners[index];
    this.enter(runner);
    runner.forward();
    this.done = Math.max(this.done, index + 1);
  }

  /** The synthetic loss: the sum of the outputs times the projection, element by element. */
  loss(): number {
    const h = this.k.view(), out = this.tensorRegion(this.net.output);
    let sum = 0;
    for (let i = 0, count = out.rows * out.cols; i < count; i++) sum += h[out.offset + i] * h[this.projection + i];
    return sum;
  }

  /** Zeroes every gradient and seeds the output's with the projection (the loss's gradient). */
  startBackward(): void {
    const h = this.k.view(), out = this.tensorRegion(this.net.output);
    h.fill(0, this.gradients[0], this.gradients[1]);
    h.copyWithin(this.gradAt[this.net.output], this.projection, this.projection + out.rows * out.cols);
  }

  backwardStep(index: number): void {
    const runner = this.runners[index];
    this.enter(runner);
    runner.backward();
  }

  /** Writes values * factor (rounded to float32) over a parameter's values in the heap (LSUV). */
  setWeight(name: string, values: ArrayLike<number>, factor: number): void {
    const h = this.k.view(), at = this.weight(name);
    for (let i = 0; i < values.length; i++) h[at + i] = values[i] * factor;
  }

  /** A copy of a parameter's current values. */
  readWeight(name: string): Float32Array {
    const at = this.weight(name), size = this.net.parameters.get(name)!.reduce((a, b) => a * b, 1);
    return this.k.view().slice(at, at + size);
  }
}

