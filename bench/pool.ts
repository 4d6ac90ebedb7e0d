// The worker pool against the synchronous call: heNormal 4096 x 4096 (16M float32 values) on 1, 2 and 4
// threads (as far as the machine has cores), into a buffer allocated beforehand (shared memory for the pool) and
// into a new array per call, orthogonal 1024 x 1024 and 2048 x 2048 (split by columns on several threads), and
// initModel of GPT-2 small (examples/gpt2-small.json), interleaved one call each per round so the noise of a
// shared machine falls on all of them alike. The table gives medians, the speed-up of the median times and the
// median of each round's own ratio, and how long each pool call held the calling thread.
//
//   node --import tsx bench/pool.ts [rounds]      (default 15, after 2 warm-up rounds)

import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import * as nninit from 'nninit';
import { createPool, type Pool } from 'nninit/pool';

const WARM_UP_ROUNDS = 2;
const THREADS = [1, 2, 4].filter((count) => count === 1 || count <= availableParallelism());

interface Candidate {
  readonly name: string;
  /** Runs one call; resolves with the milliseconds the calling thread was held before the call returned. */
  readonly run: (seed: number) => Promise<number>;
}

interface Workload {
  readonly label: string;
  readonly sync: (seed: number) => void;
  readonly candidates: readonly Candidate[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
    label: 'heNormal 4096×4096 float32 into out',
    sync: (seed) => nninit.heNormal(he, { seed, out: plain }),
    candidates: THREADS.map((threads) => ({
      name: `pool ×${threads}, shared out`,
      run: (seed: number) => held(() => pools.get(threads)!.heNormal(he, { seed, out: shared })),
    })),
  };
  const heNormalAllocating: Workload = {
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

async function main(rounds: number): Promise<void> {
  const load = loadavg();
  console.log(`nninit ${nninit.getBackend()} backend, ${availableParallelism()} cores, load average ${load.map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`medians of ${rounds} interleaved rounds after ${WARM_UP_ROUNDS} warm-up rounds\n`);
  const pools = new Map(THREADS.map((threads) => [threads, createPool({ threads })]));
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
      console.log(`| ${workload.label} | synchronous | ${fixed(syncMedian)} ms | 1.00× | 1.00× | ${fixed(syncMedian)} ms |`);
      workload.candidates.forEach((candidate, i) => {
        const time = median(times[i]);
        console.log(`|  | ${candidate.name} | ${fixed(time)} ms | ${(syncMedian / time).toFixed(2)}× | ${median(ratios[i]).toFixed(2)}× | ${fixed(median(holds[i]))} ms |`);
      });
    }
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
  console.log(`\nload average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

const rounds = Number(process.argv[2] ?? 15);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node --import tsx bench/pool.ts [rounds]');
  process.exitCode = 2;
} else {
  await main(rounds);
}
