// Probe speed: a 50-layer, width-512 ReLU MLP on a 256-sample batch, forward and backward, on the wasm backend;
// interleaved rounds of the whole probe (weights given), the probe that also initializes the spec, and the matrix
// products alone (the same 150 products through the kernel), as medians. Prints the machine's load with them:
// the machine is shared, so compare the ratios.
//
//   node --import tsx bench/probe.ts [rounds]     (default 7)

import { execFileSync } from 'node:child_process';
import { initModel, probe, type ModelSpecInput } from 'nninit';
// The kernels of the package's own module instance (the one 'nninit' installed the wasm backend in).
import { currentBackend } from '../dist/core/runtime.js';
import { PACK_ELEMENTS } from '../dist/core/probe-kernels.js';

const DEPTH = 50, WIDTH = 512, BATCH = 256;
const rounds = Number(process.argv[2] ?? 7);

const spec: ModelSpecInput = {
  seed: 1,
  layers: Array.from({ length: DEPTH }, (_, i) => ({ type: 'dense', name: `fc${i}`, in: WIDTH, out: WIDTH, activation: 'relu' }) as never),
};
const weights = initModel(spec);

/** The products of one probe (forward, weight gradient, input gradient per layer) through the kernel alone. */
function productsOnly(): void {
  const k = currentBackend().probe!;
  const x = 0, w = x + BATCH * WIDTH, y = w + WIDTH * WIDTH, pack = y + BATCH * WIDTH;
  k.reserve(pack + PACK_ELEMENTS);
  for (let layer = 0; layer < DEPTH; layer++) {
    k.gemm(BATCH, WIDTH, WIDTH, x, WIDTH, 1, w, 1, WIDTH, y, WIDTH, false, pack);
    k.gemm(WIDTH, WIDTH, BATCH, y, 1, WIDTH, x, WIDTH, 1, w, WIDTH, false, pack);
    k.gemm(BATCH, WIDTH, WIDTH, y, WIDTH, 1, w, WIDTH, 1, x, WIDTH, true, pack);
  }
}

const cases: [string, () => void][] = [
  ['probe, weights given', () => probe({ spec, weights }, { singularValues: false })],
  ['probe, spec initialized', () => probe(spec, { singularValues: false })],
  ['matrix products only', productsOnly],
];
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, run] of cases) run();
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of cases) {
    const start = performance.now();
    run();
    times.get(name)!.push(performance.now() - start);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const flops = 3 * 2 * DEPTH * BATCH * WIDTH * WIDTH;
console.log(`${DEPTH}-layer width-${WIDTH} ReLU MLP, batch ${BATCH}, ${rounds} interleaved rounds, medians (min-max):`);
for (const [name, values] of times) {
  console.log(`  ${name.padEnd(24)} ${median(values).toFixed(0).padStart(5)} ms (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})`);
}
console.log(`  products: ${(flops / 1e9).toFixed(1)} GFLOP, ${(flops / median(times.get('matrix products only')!) / 1e6).toFixed(1)} GFLOP/s`);
console.log(`  uptime: ${execFileSync('uptime').toString().trim()}`);
