// Float64 orthogonal against float32 and against PyTorch: nninit's orthogonal with dtype 'float64' (computed in
// float64) and 'float32', and torch.nn.init.orthogonal_ on float64 and float32 tensors (one thread, in a
// /usr/bin/python3 child that times its own calls). The four run interleaved, one call each per round, so the
// noise of a shared machine falls on all of them alike; the table gives medians and ratios.
//
//   node --import tsx bench/orthogonal64.ts [rounds]      (default 15, after 2 warm-up rounds)

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as nninit from 'nninit';

const SIZES = [256, 512, 1024];
const WARM_UP_ROUNDS = 2;
const PYTHON = '/usr/bin/python3';

// Reads "n dtype" lines and answers each with the milliseconds one torch.nn.init.orthogonal_ call took on a
// preallocated n x n tensor of that dtype.
const TORCH_TIMER = `
import sys, time, torch
torch.set_num_threads(1)
tensors = {}
print(torch.__version__, flush=True)
for line in sys.stdin:
    n, dtype = line.split()
    tensor = tensors.setdefault(line, torch.empty(int(n), int(n), dtype=getattr(torch, dtype)))
    start = time.perf_counter()
    torch.nn.init.orthogonal_(tensor)
    print((time.perf_counter() - start) * 1000, flush=True)
`;

type Timer = (n: number, dtype: 'float32' | 'float64') => Promise<number>;

/** Starts the Python timer; resolves to its call function and a stop function, or undefined without torch. */
async function startTorch(): Promise<{ time: Timer; stop: () => void; version: string } | undefined> {
  const child = spawn(PYTHON, ['-c', TORCH_TIMER], {
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string | undefined;
  const failed = new Promise<undefined>((resolve) => child.once('error', () => resolve(undefined)));
  const version = await Promise.race([next(), failed]);
  if (version === undefined) {
    child.kill();
    return undefined;
  }
  const time: Timer = async (n, dtype) => {
    child.stdin.write(`${n} ${dtype}\n`);
    return Number(await next());
  };
  return { time, stop: () => child.stdin.end(), version };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timeCall(call: () => void): number {
  const start = performance.now();
  call();
  return performance.now() - start;
}

const shown = (milliseconds: number) => (milliseconds < 10 ? milliseconds.toFixed(2) : milliseconds.toFixed(1)).padStart(7);

async function main(rounds: number): Promise<void> {
  const torch = await startTorch();
  console.log(`nninit ${nninit.getBackend()} backend${torch ? `, PyTorch ${torch.version} (one thread)` : `; PyTorch skipped (${PYTHON} with torch not found)`}`);
  console.log(`medians of ${rounds} interleaved rounds, ms per call\n`);
  console.log('    n | nninit f32 | nninit f64 | torch f32 | torch f64 | f64/f32 nninit | torch f64 / nninit f64');
  for (const n of SIZES) {
    const single = new Float32Array(n * n), double = new Float64Array(n * n);
    const samples: Record<'single' | 'double' | 'torchSingle' | 'torchDouble', number[]> = { single: [], double: [], torchSingle: [], torchDouble: [] };
    for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
      const keep = round >= WARM_UP_ROUNDS;
      const measured = {
        single: timeCall(() => nninit.orthogonal([n, n], { seed: round, out: single })),
        double: timeCall(() => nninit.orthogonal([n, n], { seed: round, dtype: 'float64', out: double })),
        torchSingle: torch ? await torch.time(n, 'float32') : Number.NaN,
        torchDouble: torch ? await torch.time(n, 'float64') : Number.NaN,
      };
      if (keep) for (const key of Object.keys(samples) as (keyof typeof samples)[]) samples[key].push(measured[key]);
    }
    const m = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)])) as Record<keyof typeof samples, number>;
    console.log(`${String(n).padStart(5)} | ${shown(m.single)}    | ${shown(m.double)}    | ${shown(m.torchSingle)}   | ${shown(m.torchDouble)}   | ${(m.double / m.single).toFixed(2).padStart(8)}x      | ${(m.torchDouble / m.double).toFixed(2).padStart(8)}x`);
  }
  torch?.stop();
}

await main(Number(process.argv[2] ?? 15));
