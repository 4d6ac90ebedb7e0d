// The arithmetic the probe (src/diagnose/) runs on a network: what each backend provides. Arrays live in one
// float32 heap and are passed as element offsets into it; the wasm backend's heap is the module's linear memory
// from its heap base (src/core/probe-wasm.ts), the js backend's a Float32Array (src/diagnose/kernels.ts). Kernel
// semantics are documented once, in assembly/probe.ts; both backends compute the same bits.

/** Activation codes of assembly/probe.ts. */
export const ACTIVATION_CODES = {
  linear: 0, relu: 1, leaky_relu: 2, elu: 3, selu: 4, gelu: 5, silu: 6, swish: 6, mish: 7,
  tanh: 8, sigmoid: 9, softsign: 10, softmax: 11,
} as const;

/** Inner indices and rows per block of the matrix product (assembly/probe.ts INNER_BLOCK, ROW_BLOCK). */
export const INNER_BLOCK = 256;
export const ROW_BLOCK = 256;

/** Floats of packing scratch the matrix product needs, whatever its size (assembly/probe.ts gemm). */
export const PACK_ELEMENTS = (ROW_BLOCK + 8) * INNER_BLOCK;

/** A convolution's geometry for im2col/col2im: stride 1, 'same' padding, channels last. */
export interface ConvGeometry {
  readonly samples: number;
  /** Spatial extent [depth, height, width], leading axes 1 for 1-D and 2-D convolutions. */
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  /** Channels of the input, and the group's first channel and channel count. */
  readonly channels: number;
  readonly c0: number;
  readonly groupChannels: number;
  /** Kernel extent per axis (1 on absent axes). */
  readonly kd: number;
  readonly kh: number;
  readonly kw: number;
  /** Column order c * K + q (PyTorch's weight layout) rather than q * channels + c (Keras's). */
  readonly channelMajor: boolean;
}

export interface ProbeKernels {
  readonly name: 'wasm' | 'js';
  /** Makes the heap at least `elements` floats long, keeping its contents, and returns a view of it. */
  reserve(elements: number): Float32Array;
  /** The current view of the heap (a reserve() may replace it). */
  view(): Float32Array;
  gemm(m: number, n: number, k: number, a: number, aRow: number, aInner: number,
    b: number, bInner: number, bColumn: number, c: number, ldc: number, accumulate: boolean, pack: number): void;
  activate(code: number, slope: number, rows: number, cols: number, pre: number, post: number): void;
  activateBackward(code: number, slope: number, rows: number, cols: number, pre: number, post: number, grad: number): void;
  addRows(rows: number, cols: number, x: number, v: number): void;
  addInto(count: number, src: number, dst: number): void;
  gatherRows(count: number, ids: number, table: number, dim: number, out: number): void;
  swapOuterAxes(na: number, nb: number, width: number, src: number, dst: number): void;
  transposeEach(batch: number, rows: number, cols: number, src: number, dst: number): void;
  im2col(g: ConvGeometry, src: number, dst: number): void;
  col2im(g: ConvGeometry, src: number, dst: number): void;
  lstmForward(rows: number, units: number, pre: number, act: number, cPrev: number, c: number, h: number): void;
  lstmBackward(rows: number, units: number, act: number, cPrev: number, c: number, dh: number, dc: number, dPre: number): void;
  gruForward(rows: number, units: number, rBlock: number, zBlock: number, nBlock: number,
    x: number, hPart: number, hPrev: number, pre: number, act: number, h: number): void;
  gruBackward(rows: number, units: number, rBlock: number, zBlock: number, nBlock: number,
    hPart: number, hPrev: number, act: number, dh: number, dx: number, dhPart: number, dhPrev: number): void;
  rowNorm(rows: number, cols: number, x: number, y: number, scale: number, shift: number, hasShift: boolean,
    centered: boolean, eps: number, stats: number): void;
  rowNormBackward(rows: number, cols: number, x: number, scale: number, centered: boolean, stats: number, grad: number, dx: number): void;
  columnNorm(rows: number, cols: number, x: number, y: number, scale: number, shift: number, eps: number, stats: number): void;
  columnNormBackward(rows: number, cols: number, x: number, scale: number, stats: number, grad: number, dx: number): void;
}
