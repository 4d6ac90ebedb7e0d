// The nninit kernel module. It owns one fixed scratch region; the host (src/core/wasm.ts) streams every output
// through it in chunks, so linear memory never grows with the size of a tensor.

export { philoxBlock } from "./philox";
import { GROUP_WORDS } from "./philox";
import { CHUNK_BYTES } from "./samplers";
export { fillBits, fillUniform, fillNormal, fillTruncatedNormal, fillTruncatedNormalTail } from "./samplers";

/** Size of the scratch region in bytes: 64 KiB (16384 values per call) sits in L2. */
const SCRATCH_BYTES: i32 = CHUNK_BYTES;
const SCRATCH: usize = memory.data(SCRATCH_BYTES, 16);

export function scratchPointer(): usize {
  return SCRATCH;
}

export function scratchBytes(): i32 {
  return SCRATCH_BYTES;
}

/** Words per kernel call unit: every fill kernel writes whole groups of this many words. */
export function groupWords(): i32 {
  return GROUP_WORDS;
}

export {
  orthogonalStart, buildPanel, applyPanel, writeOrthogonal,
  orthogonalStart64, buildPanel64, applyPanel64, writeOrthogonal64,
} from "./householder";

/** First free byte after the module's static data, 16-byte aligned: the host lays out work arrays from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}
export { toFloat16, toBfloat16 } from "./half";

// The probe's forward and backward arithmetic (src/core/probe-wasm.ts drives it).
export {
  gemm, activate, activateBackward, addRows, addInto, gatherRows, swapOuterAxes, transposeEach, im2col, col2im,
  lstmForward, lstmBackward, gruForward, gruBackward, rowNorm, rowNormBackward, columnNorm, columnNormBackward,
} from "./probe";

// The sums behind a written chunk's statistics (src/core/moments.ts is the specification).
export { shiftedSums, momentsPointer } from "./moments";
