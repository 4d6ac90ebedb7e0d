// Two builds of the kernel module side by side: each sampler kernel of build/nninit.wasm against the same kernel of
// another build (an earlier commit's, say), called directly on the scratch region, interleaved round by round so that
// the noise of a shared machine falls on both alike. Prints, per kernel, the median time per 10^6 values of each build
// and the median of the per-round ratios; first it checks that both builds write the same bytes.
//
//   node --import tsx bench/kernels.ts BASELINE.wasm [rounds] [--only fillUniform,fillNormal]
//
// (default 200 rounds, after 20 warm-up rounds; each round is 10^6 values, 62 calls of one 64 KiB chunk.)

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  scratchPointer(): number;
  scratchBytes(): number;
  /** Absent from builds of eight-block groups. */
  groupWords?(): number;
  [kernel: string]: unknown;
}

type Fill = (dst: number, groups: number, blockLo: number, blockHi: number, ...rest: number[]) => void;

interface Build {
  readonly name: string;
  readonly kernels: Kernels;
  readonly scratch: number;
  readonly groupsPerChunk: number;
}

const STREAM_KEY = [11, 12, 0x9e3779b9, 77];

/** The kernels and their parameters (after dst, groups, blockLo, blockHi and the stream key). */
const KERNELS: Record<string, readonly number[]> = {
  fillBits: [],
  fillUniform: [-0.75, 1.5],
  fillNormal: [0.25, 2],
  // ±2 standard deviations: start, width = erf(-√2), 2 erf(√2); mean, stddev; the clamp bounds.
  fillTruncatedNormal: [-0.9544997, 1.9089994, 0, 1, -1.9999999, 1.9999999],
  // [6, 7]: -log Q(6), Q(7) / Q(6); scale, mean; the clamp bounds.
  fillTruncatedNormalTail: [20.736742, 0.00129284, 1, 0, 6.0000005, 6.9999995],
};

const VALUES_PER_ROUND = 1e6;

function load(path: string, name: string): Build {
  const module = new WebAssembly.Module(readFileSync(path));
  const kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
  const groupWords = kernels.groupWords?.() ?? 32;
  return { name, kernels, scratch: kernels.scratchPointer(), groupsPerChunk: kernels.scratchBytes() / 4 / groupWords };
}

function fill(build: Build, kernel: string, blockLo: number): void {
  (build.kernels[kernel] as Fill)(build.scratch, build.groupsPerChunk, blockLo, 0, ...STREAM_KEY, ...KERNELS[kernel]);
}

/** Milliseconds for VALUES_PER_ROUND values, in whole chunks. */
function time(build: Build, kernel: string): number {
  const chunkValues = build.kernels.scratchBytes() / 4;
  const calls = Math.ceil(VALUES_PER_ROUND / chunkValues);
  const start = performance.now();
  for (let call = 0; call < calls; call++) fill(build, kernel, call * (chunkValues / 4));
  return ((performance.now() - start) * VALUES_PER_ROUND) / (calls * chunkValues);
}

function bytesOf(build: Build): Uint8Array {
  return new Uint8Array(build.kernels.memory.buffer, build.scratch, build.kernels.scratchBytes()).slice();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { only: { type: 'string' } } });
  if (positionals.length < 1) {
    console.error('usage: node --import tsx bench/kernels.ts BASELINE.wasm [rounds] [--only fillUniform,...]');
    process.exitCode = 2;
    return;
  }
  const rounds = Number(positionals[1] ?? 200);
  const current = fileURLToPath(new URL('../build/nninit.wasm', import.meta.url));
  const builds = [load(positionals[0], 'baseline'), load(current, 'build')];
  const kernels = values.only?.split(',') ?? Object.keys(KERNELS);
  for (const kernel of kernels) {
    if (!(kernel in KERNELS)) throw new Error(`unknown kernel ${kernel}`);
    for (const blockLo of [0, 0xfffffff0, 123457]) {
      const [a, b] = builds.map((build) => (fill(build, kernel, blockLo), bytesOf(build)));
      if (!a.every((byte, i) => byte === b[i])) throw new Error(`${kernel}: the builds differ at block ${blockLo}`);
    }
  }
  console.log(`${rounds} interleaved rounds of ${VALUES_PER_ROUND} values; same bytes from both builds`);
  console.log('kernel                    baseline ms   build ms   baseline / build (median of rounds)');
  for (const kernel of kernels) {
    const samples = builds.map(() => [] as number[]);
    const ratios: number[] = [];
    for (let round = -20; round < rounds; round++) {
      // Alternate which build goes first, so neither always runs on a freshly warmed cache.
      const order = round % 2 ? [0, 1] : [1, 0];
      const times = [0, 0];
      for (const index of order) times[index] = time(builds[index], kernel);
      if (round < 0) continue;
      samples.forEach((list, index) => list.push(times[index]));
      ratios.push(times[0] / times[1]);
    }
    const [baseline, build] = samples.map(median);
    const cells = [baseline.toFixed(3).padStart(11), build.toFixed(3).padStart(9), ` ${median(ratios).toFixed(3)}×`];
    console.log(`${kernel.padEnd(24)}  ${cells.join('  ')}`);
  }
}

main();
