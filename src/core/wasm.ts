// The one owner of the WebAssembly boundary: it decodes the embedded binary, instantiates it, and streams every
// output through the module's fixed scratch region in chunks, so that memory use does not grow with tensor size.
// Callers' arrays never alias wasm memory, and a later memory.grow cannot invalidate anything a caller holds,
// with one exception asked for by name: a staging area (Backend.stage), whose views the kernels fill and read in
// place and whose holder takes views anew after anything that may grow the memory.

import { outputLength, reflectorStart, type Backend, type Output, type StagingArea, type StreamKey } from './backend.js';
import { HOUSEHOLDER_BLOCK } from './householder.js';
import { createWasmProbeKernels, type ProbeExports } from './probe-wasm.js';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  scratchPointer(): number;
  scratchBytes(): number;
  groupWords(): number;
  philoxBlock(dst: number, c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void;
  fillBits(dst: number, groups: number, blockLo: number, blockHi: number, ...key: number[]): void;
  fillUniform(dst: number, groups: number, blockLo: number, blockHi: number, ...rest: number[]): void;
  fillNormal(dst: number, groups: number, blockLo: number, blockHi: number, ...rest: number[]): void;
  fillTruncatedNormal(dst: number, groups: number, blockLo: number, blockHi: number, ...rest: number[]): void;
  fillTruncatedNormalTail(dst: number, groups: number, blockLo: number, blockHi: number, ...rest: number[]): void;
  heapBase(): number;
  orthogonalStart(y: number, nPadded: number, mPadded: number, first: number, count: number): void;
  orthogonalStart64(y: number, nPadded: number, mPadded: number, first: number, count: number): void;
  buildPanel(n: number, k0: number, kb: number, pPadded: number,
    gaussian: number, v: number, t: number, signs: number, tau: number, products: number): void;
  buildPanel64(n: number, k0: number, kb: number, pPadded: number,
    gaussian: number, v: number, t: number, signs: number, tau: number, products: number): void;
  applyPanel(y: number, nPadded: number, mPadded: number, k0: number, start: number, kbPadded: number, v: number, t: number, w: number, strip: number): void;
  applyPanel64(y: number, nPadded: number, mPadded: number, k0: number, start: number, kbPadded: number, v: number, t: number, w: number, strip: number): void;
  writeOrthogonal(y: number, mPadded: number, signs: number, n: number, m: number, gain: number,
    transpose: number, dst: number): void;
  writeOrthogonal64(y: number, mPadded: number, signs: number, n: number, m: number, gain: number,
    transpose: number, dst: number): void;
  toFloat16(at: number, count: number): void;
  toBfloat16(at: number, count: number): void;
  momentsPointer(): number;
  shiftedSums(at: number, count: number, shift: number, first: number): void;
}

const PAGE_BYTES = 65536;
/** Bytes a 32-bit WebAssembly memory can address. */
const MEMORY_LIMIT = 2 ** 32;
const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/**
 * Bytes of each working array of the Householder product for `count` columns of an n x m factor, in the order
 * the orthogonal kernels take them (see assembly/householder.ts): y, v, t, w, strip, the Gaussian vectors of a
 * panel, signs, tau, products, and the written block. The kernels keep V and T at a row stride of 32 reflectors,
 * so a thin matrix still needs 32 columns of V per row.
 */
export function orthogonalLayout(n: number, m: number, count: number, double: boolean): number[] {
  const b = HOUSEHOLDER_BLOCK;
  const bytes = double ? 8 : 4;
  const nPadded = roundUp(n, 4), mPadded = roundUp(count, 32 / bytes);
  return [
    nPadded * mPadded * bytes, nPadded * b * bytes, b * b * bytes, b * mPadded * bytes, nPadded * 64,
    Math.min(b, m) * n * 4, m * 8, b * 8, b * 8, n * count * bytes,
  ];
}

/**
 * WebAssembly memory an orthogonal rows x cols result needs beyond the module's own (64 KiB of scratch and
 * constants), 16-byte aligned as laid out: at most 4 GiB can be addressed.
 */
export function orthogonalWorkingBytes(rows: number, cols: number, double: boolean): number {
  const m = Math.min(rows, cols);
  return orthogonalLayout(Math.max(rows, cols), m, m, double).reduce((sum, size) => sum + roundUp(size, 16), 0);
}

const TWO_POW_32 = 4294967296;

// A minimal module whose one function returns a v128 constant: it validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code section: no locals, v128.const
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0x0b, // end
]);

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Instantiates the module (no imports) and wraps it as a Backend. */
export function createWasmBackend(module: WebAssembly.Module): Backend {
  const kernels = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  const scratch = kernels.scratchPointer();
  const chunkWords = kernels.scratchBytes() / 4;
  // Kernels fill whole groups of Philox blocks (assembly/philox.ts GROUP_WORDS); the scratch region holds a whole
  // number of them.
  const groupWords = kernels.groupWords();
  let buffer: ArrayBuffer | undefined;
  let floats = new Float32Array(0);
  let words = new Uint32Array(0);
  let halves = new Uint16Array(0);
  let moments = new Float64Array(0);
  const momentsAt = kernels.momentsPointer();
  /** The staging area, reserved at the heap's base; work arrays are laid out after it. */
  let staging: StagingArea | undefined;
  let stagingBytes = 0;
  const heapBase = roundUp(kernels.heapBase(), 16);
  const heapStart = () => heapBase + stagingBytes;

  function grow(end: number): void {
    const missing = Math.ceil(end / PAGE_BYTES) - kernels.memory.buffer.byteLength / PAGE_BYTES;
    if (missing > 0) kernels.memory.grow(missing);
  }

  function views(): void {
    if (buffer !== kernels.memory.buffer) {
      buffer = kernels.memory.buffer;
      floats = new Float32Array(buffer, scratch, chunkWords);
      words = new Uint32Array(buffer, scratch, chunkWords);
      halves = new Uint16Array(buffer, scratch, chunkWords);
      moments = new Float64Array(buffer, momentsAt, 2);
    }
  }

  /**
   * Streams elements [start, start + length) into `out`: in place for a float32 array in the module's memory (of
   * the staging area, or a work array of the orthogonal kernels),
   * otherwise through the scratch region, where each pass generates whole groups from
   * the block holding the first wanted element, converts them in place for half-precision outputs, and copies
   * the wanted part out.
   */
  function fillChunked(
    out: Output | Uint32Array, start: number,
    kernel: (dst: number, groups: number, blockLo: number, blockHi: number) => void,
  ): void {
    if (out instanceof Float32Array && out.buffer === kernels.memory.buffer) fillInPlace(out, start, kernel);
    else throughScratch(out, start, kernel);
  }

  function throughScratch(
    out: Output | Uint32Array, start: number,
    kernel: (dst: number, groups: number, blockLo: number, blockHi: number) => void,
  ): void {
    const length = out instanceof Uint32Array ? out.length : outputLength(out);
    let written = 0;
    while (written < length) {
      const first = start + written;
      const firstBlock = Math.floor(first / 4);
      const skip = first - firstBlock * 4;
      const take = Math.min(length - written, chunkWords - skip);
      const blockHi = Math.floor(firstBlock / TWO_POW_32);
      const groups = Math.ceil((skip + take) / groupWords);
      kernel(scratch, groups, firstBlock - blockHi * TWO_POW_32, blockHi);
      views();
      if (out instanceof Uint32Array) {
        out.set(words.subarray(skip, skip + take), written);
      } else if ('bits' in out) {
        (out.format === 'float16' ? kernels.toFloat16 : kernels.toBfloat16)(scratch, groups * groupWords);
        out.bits.set(halves.subarray(skip, skip + take), written);
      } else {
        out.set(floats.subarray(skip, skip + take), written);
      }
      written += take;
    }
  }

  /**
   * Fills a float32 array of the staging area: the kernel writes whole groups of blocks into it directly, from the
   * first block that starts in it; the 0..3 elements before that block and the part group at the end go through
   * the scratch region, so that nothing outside the array is written. A kernel writes a group's values at the same places wherever it starts, so the bits are
   * those of the scratch path.
   */
  function fillInPlace(
    out: Float32Array, start: number,
    kernel: (dst: number, groups: number, blockLo: number, blockHi: number) => void,
  ): void {
    const length = out.length;
    const head = Math.min(length, (4 - (start % 4)) % 4);
    const groups = Math.floor((length - head) / groupWords);
    const body = groups * groupWords;
    if (head > 0) throughScratch(out.subarray(0, head), start, kernel);
    // At most a scratch region's worth of groups per call: the kernels keep per-call working values in fixed
    // regions of that size.
    const most = Math.floor(chunkWords / groupWords);
    for (let done = 0; done < groups;) {
      const count = Math.min(most, groups - done);
      const firstBlock = (start + head + done * groupWords) / 4;
      const blockHi = Math.floor(firstBlock / TWO_POW_32);
      kernel(out.byteOffset + (head + done * groupWords) * 4, count, firstBlock - blockHi * TWO_POW_32, blockHi);
      done += count;
    }
    if (head + body < length) throughScratch(out.subarray(head + body), start + head + body, kernel);
  }

  /** Lays out `sizes` (bytes) from the heap's start, 16-byte aligned, growing memory as needed; returns the offsets. */
  function allocate(sizes: number[]): number[] {
    let at = heapStart();
    const offsets = sizes.map((size) => {
      const offset = at;
      at = roundUp(at + size, 16);
      return offset;
    });
    grow(at);
    return offsets;
  }

  const backend: Backend = {
    name: 'wasm',
    probe: createWasmProbeKernels(kernels as unknown as ProbeExports, { heapStart, grow }),

    philox4x32(counter, key, out) {
      kernels.philoxBlock(scratch, counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
      views();
      out.set(words.subarray(0, 4));
    },

    fillBits(out, start, key: StreamKey) {
      fillChunked(out, start, (dst, groups, blockLo, blockHi) =>
        kernels.fillBits(dst, groups, blockLo, blockHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi));
    },

    fillUniform(out, start, key, p) {
      fillChunked(out, start, (dst, groups, blockLo, blockHi) =>
        kernels.fillUniform(dst, groups, blockLo, blockHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi, p.low, p.range));
    },

    fillNormal(out, start, key, p) {
      fillChunked(out, start, (dst, groups, blockLo, blockHi) =>
        kernels.fillNormal(dst, groups, blockLo, blockHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi, p.mean, p.stddev));
    },

    fillTruncatedNormal(out, start, key, p) {
      if (p.tail) {
        fillChunked(out, start, (dst, groups, blockLo, blockHi) =>
          kernels.fillTruncatedNormalTail(dst, groups, blockLo, blockHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi,
            p.logTail, p.ratio, p.scale, p.mean, p.lowest, p.highest));
        return;
      }
      fillChunked(out, start, (dst, groups, blockLo, blockHi) =>
        kernels.fillTruncatedNormal(dst, groups, blockLo, blockHi, key.streamLo, key.streamHi, key.seedLo, key.seedHi,
          p.start, p.width, p.mean, p.stddev, p.lowest, p.highest));
    },

    orthogonal(rows, cols, key, gain, out) {
      backend.orthogonalColumns(rows, cols, key, gain, 0, Math.min(rows, cols), out);
    },

    orthogonalColumns(rows, cols, key, gain, first, count, out) {
      const n = Math.max(rows, cols), m = Math.min(rows, cols);
      const b = HOUSEHOLDER_BLOCK;
      // A float64 out is computed in f64 (tiles of 4 columns), a float32 one in f32 (tiles of 8 columns). The
      // kernels start the block on a whole tile: `skip` columns before `first` are computed and not written.
      const double = out instanceof Float64Array;
      const bytes = double ? 8 : 4;
      const skip = first % 8;
      const nPadded = roundUp(n, 4), mPadded = roundUp(count + skip, 32 / bytes);
      const layout = orthogonalLayout(n, m, count + skip, double);
      const [y, v, t, w, strip, gaussian, signs, tau, products, dst] = allocate(layout);
      const heap = kernels.memory.buffer;
      (double ? kernels.orthogonalStart64 : kernels.orthogonalStart)(y, nPadded, mPadded, first - skip, count + skip);
      const standard = { mean: 0, stddev: 1 };
      // Panels that start after the block's last column leave it alone.
      for (let k0 = Math.floor((first + count - 1) / b) * b; k0 >= 0; k0 -= b) {
        const kb = Math.min(b, m - k0);
        for (let j = 0; j < kb; j++) {
          const k = k0 + j;
          backend.fillNormal(new Float32Array(heap, gaussian + j * n * 4, n - k), reflectorStart(n, k), key, standard);
        }
        const kbPadded = roundUp(kb, 4);
        (double ? kernels.buildPanel64 : kernels.buildPanel)(n, k0, kb, nPadded - k0, gaussian, v, t, signs, tau, products);
        const start = Math.max(0, k0 - (first - skip));
        (double ? kernels.applyPanel64 : kernels.applyPanel)(y, nPadded, mPadded, k0, start, kbPadded, v, t, w, strip);
      }
      const transpose = rows < cols ? 1 : 0;
      (double ? kernels.writeOrthogonal64 : kernels.writeOrthogonal)(y + skip * bytes, mPadded, signs + first * 8, n, count, gain, transpose, dst);
      out.set(double ? new Float64Array(heap, dst, n * count) : new Float32Array(heap, dst, n * count));
    },

    shiftedSums(values, shift, out) {
      if (values.buffer === kernels.memory.buffer) {
        // The values are in the staging area: summed where they are.
        kernels.shiftedSums(values.byteOffset, values.length, shift, 1);
        views();
        out[0] = moments[0];
        out[1] = moments[1];
        return;
      }
      // The values live in JS memory: copy them into the scratch region a piece at a time (a multiple of 8
      // values, so each keeps its lane; the kernel carries the running sums from piece to piece).
      views();
      const n = values.length;
      let done = 0;
      do {
        const take = Math.min(n - done, chunkWords);
        floats.set(values.subarray(done, done + take));
        kernels.shiftedSums(scratch, take, shift, done === 0 ? 1 : 0);
        done += take;
      } while (done < n);
      out[0] = moments[0];
      out[1] = moments[1];
    },

    stage(bytes, leave = 0) {
      for (const [name, value] of [['bytes', bytes], ['leave', leave]] as const) {
        if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`nninit: stage(bytes, leave): expected ${name} to be a non-negative integer, got ${String(value)}`);
      }
      if (staging !== undefined) return undefined;
      const reserved = roundUp(bytes, 16);
      if (heapBase + reserved + leave > MEMORY_LIMIT) return undefined;
      try {
        grow(heapBase + reserved);
      } catch {
        // The engine refused the memory (address space or a limit of the process): the caller's own buffers do.
        return undefined;
      }
      stagingBytes = reserved;
      const area: StagingArea = {
        byteLength: bytes,
        bytes: () => {
          if (staging !== area) throw new Error('nninit: this staging area was released');
          return new Uint8Array(kernels.memory.buffer, heapBase, bytes);
        },
        release: () => {
          if (staging !== area) return;
          staging = undefined;
          stagingBytes = 0;
        },
      };
      staging = area;
      return area;
    },
  };
  return backend;
}
