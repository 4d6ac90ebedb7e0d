// PyTorch 1.13's CPU sampling kernels for float32 tensors, as its x86-64 AVX2 build runs them
// (aten/src/ATen/native/cpu/DistributionTemplates.h, aten/src/ATen/core/DistributionsHelper.h and
// TransformationHelper.h). Each kernel takes words from the generator's Mersenne Twister in the same order
// and number as PyTorch and writes a contiguous row-major Float32Array.

import { log256, sincos256 } from './avx2-mathfun.js';
import { erfinvf } from './erfinv.js';
import { fma, fmaf } from './fma.js';
import type { MersenneTwister } from './mt19937.js';

const f = Math.fround;
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
const CHUNK = 4096;

/** The state a kernel reads and advances: the engine, and the cached second value of the double Box-Muller. */
export interface RandomSource {
  readonly engine: MersenneTwister;
  nextDoubleNormal: number | undefined;
}

const words = new Uint32Array(CHUNK);

/**
 * uniform_(from, to) on float32 (uniform_real_distribution<float>): per element one 32-bit word, its low 24
 * bits times 2^-24, then x * (to - from) + from with from, to and their difference in float32, the
 * multiply-add fused into one rounding as the AVX2 build compiles it.
 */
export function fillUniform(source: RandomSource, out: Float32Array, from: number, to: number): void {
  const low = f(from), range = f(f(to) - low);
  for (let start = 0; start < out.length; start += CHUNK) {
    const count = Math.min(CHUNK, out.length - start);
    source.engine.fill(count === CHUNK ? words : words.subarray(0, count));
    for (let k = 0; k < count; k++) out[start + k] = fmaf((words[k] & 0xffffff) * TWO_POW_MINUS_24, range, low);
  }
}

const sinCos = new Float64Array(2);
const TWO_PI_FLOAT = f(2 * Math.PI);

/**
 * normal_fill_16_AVX2: Box-Muller on the 16 uniforms at data[at..at+16): lanes j and j + 8 take
 * u1 = 1 - data[j] and u2 = data[j + 8] to radius * cos and radius * sin, radius = sqrt(-2 log u1) and angle
 * 2 pi u2, all in float32 with the AVX2 log and sincos, then value * std + mean in one fused step.
 */
function boxMuller16(data: Float32Array, at: number, mean: number, std: number): void {
  for (let lane = 0; lane < 8; lane++) {
    const u1 = f(1 - data[at + lane]);
    const u2 = data[at + lane + 8];
    const radius = f(Math.sqrt(f(-2 * log256(u1))));
    sincos256(f(TWO_PI_FLOAT * u2), sinCos);
    data[at + lane] = fmaf(f(radius * sinCos[1]), std, mean);
    data[at + lane + 8] = fmaf(f(radius * sinCos[0]), std, mean);
  }
}

/**
 * One standard normal from normal_distribution<double>: two 53-bit uniforms (two words each, high word first),
 * r = sqrt(-2 log(1 - u2)), theta = 2 pi u1; r sin(theta) is cached for the next call and r cos(theta)
 * returned. The caller scales it.
 */
function standardNormalDouble(source: RandomSource): number {
  const cached = source.nextDoubleNormal;
  if (cached !== undefined) {
    source.nextDoubleNormal = undefined;
    return cached;
  }
  const engine = source.engine;
  const u1 = ((engine.nextUint32() & 0x1fffff) * TWO_POW_32 + engine.nextUint32()) * TWO_POW_MINUS_53;
  const u2 = ((engine.nextUint32() & 0x1fffff) * TWO_POW_32 + engine.nextUint32()) * TWO_POW_MINUS_53;
  const radius = Math.sqrt(-2 * Math.log(1 - u2));
  const theta = 2 * Math.PI * u1;
  source.nextDoubleNormal = radius * Math.sin(theta);
  return radius * Math.cos(theta);
}

/**
 * normal_(mean, std) on float32. A tensor of at least 16 elements takes the vectorized path: one uniform per
 * element first, then Box-Muller on groups of 16; when the size is not a multiple of 16, 16 fresh uniforms
 * replace the last 16 elements and that group is transformed again. Smaller tensors draw each element from
 * normal_distribution<double> with (mean, std) in double, value * std + mean fused, then rounded to float32.
 */
export function fillNormal(source: RandomSource, out: Float32Array, mean: number, std: number): void {
  const size = out.length;
  if (size >= 16) {
    fillUniform(source, out, 0, 1);
    const mean32 = f(mean), std32 = f(std);
    for (let start = 0; start + 16 <= size; start += 16) boxMuller16(out, start, mean32, std32);
    if (size % 16 !== 0) {
      const tail = out.subarray(size - 16);
      fillUniform(source, tail, 0, 1);
      boxMuller16(tail, 0, mean32, std32);
    }
    return;
  }
  for (let k = 0; k < size; k++) out[k] = f(fma(standardNormalDouble(source), std, mean));
}

/**
 * Tensor.erfinv_ on float32 (calc_erfinv, element by element), in place.
 */
export function applyErfinv(data: Float32Array): void {
  for (let k = 0; k < data.length; k++) data[k] = erfinvf(data[k]);
}
