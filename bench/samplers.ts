// nninit's single-thread samplers against PyTorch's, side by side: uniform, normal and truncated normal (wasm backend,
// into a caller's Float32Array) against torch.nn.init's uniform_, normal_ and trunc_normal_ on a preallocated float32
// tensor (one thread, in a /usr/bin/python3 child that times its own calls, the calls of bench/native.py). Each round
// makes CALLS calls of nninit, then CALLS calls of PyTorch, each timed alone, for each family in turn, so both run warm
// as in a benchmark loop while the noise of a shared machine falls on both, and on every family, alike; the table gives the medians over all calls and the median of
// the per-round ratios (PyTorch's round median / nninit's).
//
//   node --import tsx bench/samplers.ts [rounds] [values] [--out FILE]   (default 40 rounds of 10^6 values, 4 warm-up)
//
// Writes bench/results/samplers.json (or FILE): every call's time, the medians, the per-round ratios, the load and
// the versions; without PyTorch it prints so and writes nothing.

import { parseArgs } from 'node:util';
import * as nninit from 'nninit';
import { PYTHON, startPythonTimer } from './python.js';
import { loadText, median, startRun, writeResults } from './record.js';

const WARM_UP_ROUNDS = 4;
const CALLS = 10;
const FAMILIES = ['uniform', 'normal', 'truncatedNormal'] as const;
type Family = (typeof FAMILIES)[number];

// Reads "family n calls" lines and answers each with the milliseconds each of the calls took, on a preallocated
// tensor, separated by spaces.
const TORCH_TIMER = `
import sys, time, torch
torch.set_num_threads(1)
init = torch.nn.init
tensors = {}
calls = {
    "uniform": lambda t: init.uniform_(t, 0.0, 1.0),
    "normal": lambda t: init.normal_(t, 0.0, 1.0),
    "truncatedNormal": lambda t: init.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0),
}
print(torch.__version__, flush=True)
for line in sys.stdin:
    family, n, count = line.split()
    tensor = tensors.setdefault(n, torch.empty(int(n), dtype=torch.float32))
    times = []
    for _ in range(int(count)):
        start = time.perf_counter()
        calls[family](tensor)
        times.append((time.perf_counter() - start) * 1000)
    print(" ".join(map(str, times)), flush=True)
`;

/** One call of nninit's sampler, with the options of bench/candidates/nninit.ts. */
function nninitCall(family: Family, out: Float32Array): () => void {
  const shape = [out.length];
  switch (family) {
    case 'uniform': {
      const options = { seed: 42, out, low: 0, high: 1 };
      return () => nninit.uniform(shape, options);
    }
    case 'normal': {
      const options = { seed: 42, out, mean: 0, std: 1 };
      return () => nninit.normal(shape, options);
    }
    case 'truncatedNormal': {
      const options = { seed: 42, out, mean: 0, std: 1 };
      return () => nninit.truncatedNormal(shape, options);
    }
  }
}

function timeCalls(call: () => void, calls: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    call();
    times.push(performance.now() - start);
  }
  return times;
}

async function main(rounds: number, n: number, outFile: string | undefined): Promise<void> {
  const torch = await startPythonTimer(TORCH_TIMER);
  if (!torch) {
    console.log(`PyTorch not found (${PYTHON} with torch): nothing to compare, nothing written`);
    return;
  }
  const facts = startRun({ torch: torch.version });
  nninit.setBackend('wasm');
  console.log(`nninit wasm backend against PyTorch ${torch.version} (one thread), ${n} float32 values per call; load ${loadText()}`);
  console.log(`${rounds} interleaved rounds of ${CALLS} calls each; medians, ms per call\n`);
  console.log('sampler          | nninit | PyTorch | PyTorch / nninit');
  const out = new Float32Array(n);
  const families: Record<string, { nninit: number[]; torch: number[]; ratios: number[]; medians: { nninit: number; torch: number }; medianRatio: number }> = {};
  // Rounds outside, families inside: each family's rounds spread over the whole run, so a slow spell of the machine
  // (this VM's speed drifts by up to 1.5x for tenths of a second at a time) falls on every family alike rather than
  // on whichever family happened to be running.
  const calls = FAMILIES.map((family) => nninitCall(family, out));
  const own: number[][] = FAMILIES.map(() => []), theirs: number[][] = FAMILIES.map(() => []), ratios: number[][] = FAMILIES.map(() => []);
  for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
    for (let f = 0; f < FAMILIES.length; f++) {
      const mine = timeCalls(calls[f], CALLS);
      const other = (await torch.ask(`${FAMILIES[f]} ${n} ${CALLS}`)).split(' ').map(Number);
      if (round < WARM_UP_ROUNDS) continue;
      own[f].push(...mine);
      theirs[f].push(...other);
      ratios[f].push(median(other) / median(mine));
    }
  }
  FAMILIES.forEach((family, f) => {
    families[family] = {
      nninit: own[f], torch: theirs[f], ratios: ratios[f],
      medians: { nninit: median(own[f]), torch: median(theirs[f]) }, medianRatio: median(ratios[f]),
    };
    const cells = [median(own[f]).toFixed(3).padStart(6), median(theirs[f]).toFixed(3).padStart(7), `${median(ratios[f]).toFixed(2).padStart(6)}x`];
    console.log(`${family.padEnd(16)} | ${cells.join(' | ')}`);
  });
  torch.stop();
  const written = writeResults('samplers', facts, {
    command: `node --import tsx bench/samplers.ts ${rounds} ${n}`,
    unit: 'milliseconds per call',
    values: n,
    rounds,
    warmUpRounds: WARM_UP_ROUNDS,
    callsPerRound: CALLS,
    ratio: 'per round: median of PyTorch\'s calls / median of nninit\'s (above 1: nninit is faster)',
    torchCalls: { uniform: 'torch.nn.init.uniform_(t, 0, 1)', normal: 'torch.nn.init.normal_(t, 0, 1)', truncatedNormal: 'torch.nn.init.trunc_normal_(t, 0, 1, -2, 2)' },
    families,
  }, outFile);
  console.log(`load ${loadText()}; wrote ${written}`);
}

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const rounds = Number(positionals[0] ?? 40), values = Number(positionals[1] ?? 1e6);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(values) || values < 1) {
  console.error('usage: node --import tsx bench/samplers.ts [rounds] [values] [--out FILE]');
  process.exitCode = 2;
} else {
  await main(rounds, values, flags.out);
}
