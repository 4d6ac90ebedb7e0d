// Two builds of the kernel module side by side: each sampler kernel of one build against the same kernel of the
// other, called directly on the scratch region, interleaved round by round (alternating which goes first) so that
// the noise of a shared machine falls on both alike. First it checks that both builds write the same bytes; then it
// gives, per kernel, the median time per 10^6 values of each build and the median of the per-round ratios.
//
//   node --import tsx bench/kernels.ts [--rounds 200] [--only fillBits,fillUniform] [--out FILE]
//       The shipped kernels (build/nninit.wasm) against the 16-block Philox candidate (assembly/bench/philox16.ts,
//       compiled here into build/bench/philox16.wasm, never shipped): the kernels both export (fillBits, the bare
//       word stream, and fillUniform). Writes bench/results/kernels.json (npm run bench:kernels).
//   node --import tsx bench/kernels.ts --baseline OLD.wasm [--rounds 200] [--out FILE]
//       An earlier build's kernels (OLD.wasm, from another commit) against this build's: every sampler kernel.
//       Writes bench/results/kernels-baseline.json.
//
// (Each round is 10^6 values, 62 calls of one 64 KiB chunk, after 20 warm-up rounds.)

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadText, median, ROOT, startRun, writeResults } from './record.js';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  scratchPointer(): number;
  scratchBytes(): number;
  /** Absent from builds of eight-block groups before it was added. */
  groupWords?(): number;
  [kernel: string]: unknown;
}

type Fill = (dst: number, groups: number, blockLo: number, blockHi: number, ...rest: number[]) => void;

interface Build {
  readonly name: string;
  readonly path: string;
  readonly kernels: Kernels;
  readonly scratch: number;
  readonly groupWords: number;
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
const WARM_UP_ROUNDS = 20;
const SHIPPED = join(ROOT, 'build', 'nninit.wasm');
const CANDIDATE_CONFIG = 'assembly/bench/asconfig.json';
const CANDIDATE = join(ROOT, 'build', 'bench', 'philox16.wasm');

/**
 * Compiles the 16-block candidate by its own config (assembly/bench/asconfig.json: the options of the shipped
 * module's release target, and this entry alone).
 */
function buildCandidate(): void {
  mkdirSync(join(ROOT, 'build', 'bench'), { recursive: true });
  const asc = join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, '--config', CANDIDATE_CONFIG, '--target', 'release'], { cwd: ROOT, stdio: 'inherit' });
}

function load(path: string, name: string): Build {
  const module = new WebAssembly.Module(readFileSync(path));
  const kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
  const groupWords = kernels.groupWords?.() ?? 32;
  return { name, path: path.replace(ROOT, ''), kernels, scratch: kernels.scratchPointer(), groupWords, groupsPerChunk: kernels.scratchBytes() / 4 / groupWords };
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

const USAGE = 'usage: node --import tsx bench/kernels.ts [--baseline OLD.wasm] [--rounds N] [--only fillBits,...] [--out FILE]';

function main(): void {
  const { values } = parseArgs({
    options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '200' }, only: { type: 'string' }, out: { type: 'string' } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const facts = startRun();
  let builds: [Build, Build];
  if (values.baseline) {
    builds = [load(values.baseline, 'baseline'), load(SHIPPED, 'build')];
  } else {
    buildCandidate();
    builds = [load(SHIPPED, 'shipped'), load(CANDIDATE, 'candidate')];
  }
  const exported = Object.keys(KERNELS).filter((kernel) => builds.every((build) => typeof build.kernels[kernel] === 'function'));
  const kernels = values.only?.split(',') ?? exported;
  for (const kernel of kernels) {
    if (!exported.includes(kernel)) throw new Error(`${kernel}: not a kernel both builds export (${exported.join(', ')})`);
    for (const blockLo of [0, 0xfffffff0, 123457]) {
      const [a, b] = builds.map((build) => (fill(build, kernel, blockLo), bytesOf(build)));
      if (!a.every((byte, i) => byte === b[i])) throw new Error(`${kernel}: the builds differ at block ${blockLo}`);
    }
  }
  const [first, second] = builds;
  console.log(`${first.name} (${first.path}, ${first.groupWords / 4} blocks per group) against ${second.name} (${second.path}, ${second.groupWords / 4}); load ${loadText()}`);
  console.log(`${rounds} interleaved rounds of ${VALUES_PER_ROUND} values after ${WARM_UP_ROUNDS} warm-up rounds; same bytes from both builds`);
  console.log(`kernel                    ${first.name.padStart(11)} ms  ${second.name.padStart(9)} ms   ${first.name} / ${second.name} (median of rounds; above 1: ${second.name} faster)`);
  const results: Record<string, { samples: [number[], number[]]; medians: [number, number]; ratios: number[]; medianRatio: number }> = {};
  for (const kernel of kernels) {
    const samples: [number[], number[]] = [[], []];
    const ratios: number[] = [];
    for (let round = -WARM_UP_ROUNDS; round < rounds; round++) {
      // Alternate which build goes first, so neither always runs on a freshly warmed cache.
      const order = round % 2 ? [0, 1] : [1, 0];
      const times = [0, 0];
      for (const index of order) times[index] = time(builds[index], kernel);
      if (round < 0) continue;
      samples[0].push(times[0]);
      samples[1].push(times[1]);
      ratios.push(times[0] / times[1]);
    }
    const medians: [number, number] = [median(samples[0]), median(samples[1])];
    results[kernel] = { samples, medians, ratios, medianRatio: median(ratios) };
    const cells = [medians[0].toFixed(3).padStart(11), medians[1].toFixed(3).padStart(9), ` ${median(ratios).toFixed(3)}×`];
    console.log(`${kernel.padEnd(24)}  ${cells.join('  ')}`);
  }
  const name = values.baseline ? 'kernels-baseline' : 'kernels';
  const written = writeResults(name, facts, {
    command: `node --import tsx bench/kernels.ts${values.baseline ? ` --baseline ${values.baseline}` : ''} --rounds ${rounds}`,
    unit: 'milliseconds per 10^6 values',
    builds: builds.map((build) => ({ name: build.name, path: build.path, blocksPerGroup: build.groupWords / 4 })),
    rounds,
    warmUpRounds: WARM_UP_ROUNDS,
    ratio: `${first.name} time / ${second.name} time, per round (above 1: ${second.name} is faster)`,
    kernels: results,
  }, values.out);
  console.log(`wrote ${written}`);
}

main();
