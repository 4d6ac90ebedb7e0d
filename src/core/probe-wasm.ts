// The probe kernels of the WebAssembly module (assembly/probe.ts) over its linear memory. src/core/wasm.ts, the
// one owner of the instance, hands the exports here, where the heap starts (after a staging area, if one is
// reserved) and its one way of growing the memory. The orthogonal kernels also lay out their work arrays there:
// the probe runs synchronously and draws every random value it needs before it lays out its heap, so the two
// never interleave.

import type { ConvGeometry, ProbeKernels } from './probe-kernels.js';

/** The module's probe exports: byte addresses, i32 booleans. */
export interface ProbeExports {
  readonly memory: WebAssembly.Memory;
  gemm(m: number, n: number, k: number, a: number, aRow: number, aInner: number,
    b: number, bInner: number, bColumn: number, c: number, ldc: number, accumulate: number, pack: number): void;
  activate(code: number, slope: number, rows: number, cols: number, pre: number, post: number): void;
  activateBackward(code: number, slope: number, rows: number, cols: number, pre: number, post: number, grad: number): void;
  addRows(rows: number, cols: number, x: number, v: number): void;
  addInto(count: number, src: number, dst: number): void;
  gatherRows(count: number, ids: number, table: number, dim: number, out: number): void;
  swapOuterAxes(na: number, nb: number, width: number, src: number, dst: number): void;
  transposeEach(batch: number, rows: number, cols: number, src: number, dst: number): void;
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  lstmForward(rows: number, units: number, pre: number, act: number, cPrev: number, c: number, h: number): void;
  lstmBackward(rows: number, units: number, act: number, cPrev: number, c: number, dh: number, dc: number, dPre: number): void;
  gruForward(...args: number[]): void;
  gruBackward(...args: number[]): void;
  rowNorm(...args: number[]): void;
  rowNormBackward(...args: number[]): void;
  columnNorm(...args: number[]): void;
  columnNormBackward(...args: number[]): void;
}

/** What the owner of the instance provides: where the heap starts now, and growth of memory to a byte end. */
export interface ProbeHeap {
  heapStart(): number;
  /** Grows the module's memory, if needed, so that bytes below `end` exist. */
  grow(end: number): void;
}

export function createWasmProbeKernels(k: ProbeExports, { heapStart, grow }: ProbeHeap): ProbeKernels {
  let base = heapStart();
  let elements = 0;
  let buffer: ArrayBuffer | undefined;
  let heap = new Float32Array(0);
  /** Byte address of element offset i. */
  const at = (i: number) => base + i * 4;
  const flag = (value: boolean) => (value ? 1 : 0);
  const geometry = (g: ConvGeometry) => [g.samples, g.depth, g.height, g.width, g.channels, g.c0, g.groupChannels, g.kd, g.kh, g.kw, flag(g.channelMajor)];

  function view(): Float32Array {
    if (buffer !== k.memory.buffer || heap.length !== elements || heap.byteOffset !== base) {
      buffer = k.memory.buffer;
      heap = new Float32Array(buffer, base, elements);
    }
    return heap;
  }

  return {
    name: 'wasm',
    reserve(count) {
      base = heapStart();
      grow(base + count * 4);
      elements = Math.max(elements, count);
      return view();
    },
    view,
    gemm(m, n, kk, a, aRow, aInner, b, bInner, bColumn, c, ldc, accumulate, pack) {
      k.gemm(m, n, kk, at(a), aRow, aInner, at(b), bInner, bColumn, at(c), ldc, flag(accumulate), at(pack));
    },
    activate: (code, slope, rows, cols, pre, post) => k.activate(code, slope, rows, cols, at(pre), at(post)),
    activateBackward: (code, slope, rows, cols, pre, post, grad) => k.activateBackward(code, slope, rows, cols, at(pre), at(post), at(grad)),
    addRows: (rows, cols, x, v) => k.addRows(rows, cols, at(x), at(v)),
    addInto: (count, src, dst) => k.addInto(count, at(src), at(dst)),
    gatherRows: (count, ids, table, dim, out) => k.gatherRows(count, at(ids), at(table), dim, at(out)),
    swapOuterAxes: (na, nb, width, src, dst) => k.swapOuterAxes(na, nb, width, at(src), at(dst)),
    transposeEach: (batch, rows, cols, src, dst) => k.transposeEach(batch, rows, cols, at(src), at(dst)),
    im2col: (g, src, dst) => k.im2col(...geometry(g), at(src), at(dst)),
    col2im: (g, src, dst) => k.col2im(...geometry(g), at(src), at(dst)),
    lstmForward: (rows, units, pre, act, cPrev, c, h) => k.lstmForward(rows, units, at(pre), at(act), at(cPrev), at(c), at(h)),
    lstmBackward: (rows, units, act, cPrev, c, dh, dc, dPre) => k.lstmBackward(rows, units, at(act), at(cPrev), at(c), at(dh), at(dc), at(dPre)),
    gruForward: (rows, units, rBlock, zBlock, nBlock, x, hPart, hPrev, pre, act, h) =>
      k.gruForward(rows, units, rBlock, zBlock, nBlock, at(x), at(hPart), at(hPrev), at(pre), at(act), at(h)),
    gruBackward: (rows, units, rBlock, zBlock, nBlock, hPart, hPrev, act, dh, dx, dhPart, dhPrev) =>
      k.gruBackward(rows, units, rBlock, zBlock, nBlock, at(hPart), at(hPrev), at(act), at(dh), at(dx), at(dhPart), at(dhPrev)),
    rowNorm: (rows, cols, x, y, scale, shift, hasShift, centered, eps, stats) =>
      k.rowNorm(rows, cols, at(x), at(y), at(scale), at(shift), flag(hasShift), flag(centered), eps, at(stats)),
    rowNormBackward: (rows, cols, x, scale, centered, stats, grad, dx) =>
      k.rowNormBackward(rows, cols, at(x), at(scale), flag(centered), at(stats), at(grad), at(dx)),
    columnNorm: (rows, cols, x, y, scale, shift, eps, stats) => k.columnNorm(rows, cols, at(x), at(y), at(scale), at(shift), eps, at(stats)),
    columnNormBackward: (rows, cols, x, scale, stats, grad, dx) => k.columnNormBackward(rows, cols, at(x), at(scale), at(stats), at(grad), at(dx)),
  };
}
