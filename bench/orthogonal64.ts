// Float64 orthogonal against float32 and against PyTorch: nninit's orthogonal with dtype 'float64' (computed in
// float64) and 'float32', and torch.nn.init.orthogonal_ on float64 and float32 tensors (one thread, in a
// /usr/bin/python3 child that times its own calls). The four run interleaved, one call each per round, so the
// noise of a shared machine falls on all of them alike; the table gives medians and ratios.
//
//   node --import tsx bench/orthogonal64.ts [rounds]      (default 15, after 2 warm-up rounds)

import * as nninit from 'nninit';
import { PYTHON, startPythonTimer } from './python.js';
import { median } from './record.js';

const SIZES = [256, 512, 1024];
const WARM_UP_ROUNDS = 2;

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

function timeCall(call: () => void): number {
  const start = performance.now();
  call();
  return performance.now() - start;
}

const shown = (milliseconds: number) => (milliseconds < 10 ? milliseconds.toFixed(2) : milliseconds.toFixed(1)).padStart(7);

async function main(rounds: number): Promise<void> {
  const torch = await startPythonTimer(TORCH_TIMER);
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
        torchSingle: torch ? Number(await torch.ask(`${n} float32`)) : Number.NaN,
        torchDouble: torch ? Number(await torch.ask(`${n} float64`)) : Number.NaN,
      };
      if (keep) for (const key of Object.keys(samples) as (keyof typeof samples)[]) samples[key].push(measured[key]);
    }
    const m = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)])) as Record<keyof typeof samples, number>;
    console.log(`${String(n).padStart(5)} | ${shown(m.single)}    | ${shown(m.double)}    | ${shown(m.torchSingle)}   | ${shown(m.torchDouble)}   | ${(m.double / m.single).toFixed(2).padStart(8)}x      | ${(m.torchDouble / m.double).toFixed(2).padStart(8)}x`);
  }
  torch?.stop();
}

await main(Number(process.argv[2] ?? 15));
