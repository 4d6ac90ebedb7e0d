// The worker pool against the synchronous call: heNormal 4096 x 4096 (16M float32 values) on 1, 2 and 4
// threads (as far as the machine has cores), into a buffer allocated beforehand (shared memory for the pool) and
// into a new array per call, orthogonal 1024 x 1024 and 2048 x 2048 (split by columns on several threads), and
// initModel of GPT-2 small (examples/gpt2-small.json), interleaved one call each per round so the noise of a
// shared machine falls on all of them alike. The table gives medians, the speed-up of the median times and the
// median of each round's own ratio, and how long each pool call held the calling thread.
//
//   node --import tsx bench/pool.ts [rounds] [--out FILE]     (default 15, after 2 warm-up rounds)
//
// Writes bench/results/pool.json (or FILE): every round's times, the medians, the per-round ratios and how long
// each call held the calling thread, with the load and the versions.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import * as nninit from 'nninit';
import { createPool, type Pool } from 'nninit/pool';
import { loadText, median, startRun, writeResults } from './record.js';

const WARM_UP_ROUNDS = 2;
const THREADS = [1, 2, 4].filter((count) => count === 1 || count <= availableParallelism());

interface Candidate {
  readonly name: string;
  /** Runs one call; resolves with the milliseconds the calling thread was held before the call returned. */
  readonly run: (seed: number) => Promise<number>;
}

interface Workload {
  /** Stable key in pool.json. */
  readonly id: string;
  readonly label: string;
  readonly sync: (seed: number) => void;
  readonly candidates: readonly Candidate[];
}

async function held(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const pending = call();
  const returned = performance.now() - start;
  await pending;
  return returned;
}

function workloads(pools: ReadonlyMap<number, Pool>): Workload[] {
  const he = [4096, 4096];
  const plain = new Float32Array(4096 * 4096);
  const shared = new Float32Array(new SharedArrayBuffer(plain.byteLength));
  const heNormal: Workload = {
    id: 'heNormal-4096x4096-out',
    label: 'heNormal 4096×4096 float32 into out',
    sync: (seed) => nninit.heNormal(he, { seed, out: plain }),
    candidates: THREADS.map((threads) => ({
      name: `pool ×${threads}, shared out`,
      run: (seed: number) => held(() => pools.get(threads)!.heNormal(he, { seed, out: shared })),
    })),
  };
  const heNormalAllocating: Workload = {
    id: 'heNormal-4096x4096-new',
    label: 'heNormal 4096×4096 float32, a new array per call',
    sync: (seed) => nninit.heNormal(he, { seed }),
    candidates: THREADS.map((threads) => ({
      name: `pool ×${threads}`,
      run: (seed: number) => held(() => pools.get(threads)!.heNormal(he, { seed })),
    })),
  };
  // orthogonal: one worker computes the whole matrix; several split its factor's columns between them.
  const orthogonals = [1024, 2048].map((size): Workload => {
    const square = [size, size];
    const orthogonalOut = new Float32Array(new SharedArrayBuffer(size * size * 4));
    return {
      id: `orthogonal-${size}x${size}-out`,
      label: `orthogonal ${size}×${size} float32 into out`,
      sync: (seed) => nninit.orthogonal(square, { seed, out: plain.subarray(0, size * size) }),
      candidates: THREADS.map((threads) => ({
        name: threads === 1 ? 'pool ×1 (one worker)' : `pool ×${threads} (blocks of columns)`,
        run: (seed: number) => held(() => pools.get(threads)!.orthogonal(square, { seed, out: orthogonalOut })),
      })),
    };
  });
  const gpt2 = JSON.parse(readFileSync(new URL('../examples/gpt2-small.json', import.meta.url), 'utf8')) as nninit.ModelSpecInput;
  const model: Workload = {
    id: 'initModel-gpt2-small',
    label: 'initModel GPT-2 small (124M values)',
    sync: (seed) => nninit.initModel(gpt2, { seed }),
    candidates: THREADS.map((threads) => ({
      name: `pool ×${threads}`,
      run: (seed: number) => held(() => pools.get(threads)!.initModel(gpt2, { seed })),
    })),
  };
  return [heNormal, heNormalAllocating, ...orthogonals, model];
}

const fixed = (milliseconds: number) => (milliseconds < 10 ? milliseconds.toFixed(2) : milliseconds.toFixed(1));

async function main(rounds: number, outFile: string | undefined): Promise<void> {
  const facts = startRun();
  console.log(`nninit ${nninit.getBackend()} backend, ${availableParallelism()} cores, load average ${loadText()}`);
  console.log(`medians of ${rounds} interleaved rounds after ${WARM_UP_ROUNDS} warm-up rounds\n`);
  const pools = new Map(THREADS.map((threads) => [threads, createPool({ threads })]));
  const results: Record<string, unknown> = {};
  try {
    console.log('| workload | candidate | median | speed-up (medians) | speed-up (per round) | calling thread held |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const workload of workloads(pools)) {
      const syncTimes: number[] = [];
      const times = workload.candidates.map(() => [] as number[]);
      const ratios = workload.candidates.map(() => [] as number[]);
      const holds = workload.candidates.map(() => [] as number[]);
      for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
        const start = performance.now();
        workload.sync(round);
        const syncTime = performance.now() - start;
        const measured: number[] = [];
        for (const [i, candidate] of workload.candidates.entries()) {
          const begin = performance.now();
          const hold = await candidate.run(round);
          measured.push(performance.now() - begin);
          if (round >= WARM_UP_ROUNDS) holds[i].push(hold);
        }
        if (round < WARM_UP_ROUNDS) continue;
        syncTimes.push(syncTime);
        measured.forEach((time, i) => {
          times[i].push(time);
          ratios[i].push(syncTime / time);
        });
      }
      const syncMedian = median(syncTimes);
      results[workload.id] = {
        label: workload.label,
        synchronous: { samples: syncTimes, median: syncMedian },
        candidates: workload.candidates.map((candidate, i) => ({
          name: candidate.name,
          threads: THREADS[i],
          samples: times[i],
          median: median(times[i]),
          ratios: ratios[i],
          speedUpOfMedians: syncMedian / median(times[i]),
          medianRatio: median(ratios[i]),
          heldSamples: holds[i],
          heldMedian: median(holds[i]),
        })),
      };
      console.log(`| ${workload.label} | synchronous | ${fixed(syncMedian)} ms | 1.00× | 1.00× | ${fixed(syncMedian)} ms |`);
      workload.candidates.forEach((candidate, i) => {
        const time = median(times[i]);
        console.log(`|  | ${candidate.name} | ${fixed(time)} ms | ${(syncMedian / time).toFixed(2)}× | ${median(ratios[i]).toFixed(2)}× | ${fixed(median(holds[i]))} ms |`);
      });
    }
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
  const written = writeResults('pool', facts, {
    command: `node --import tsx bench/pool.ts ${rounds}`,
    unit: 'milliseconds per call',
    cores: availableParallelism(),
    threads: THREADS,
    rounds,
    warmUpRounds: WARM_UP_ROUNDS,
    ratio: 'per round: the synchronous call\'s time / the pool call\'s (above 1: the pool is faster)',
    workloads: results,
  }, outFile);
  console.log(`\nload average at the end ${loadText()}; wrote ${written}`);
}

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const rounds = Number(positionals[0] ?? 15);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node --import tsx bench/pool.ts [rounds] [--out FILE]');
  process.exitCode = 2;
} else {
  await main(rounds, flags.out);
}
