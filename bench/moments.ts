// The sums behind a written chunk's statistics (src/core/moments.ts), on one 4 MiB float32 chunk: the wasm
// backend (copy into scratch + SIMD kernel), its two parts apart, the js backend's mirror of the same lane order,
// and the generic loop the writer keeps for other element types (here on the same float32 values). Rounds are
// interleaved, alternating which goes first; medians of 10 calls per round, with ratios to the generic loop.
//
//   node --import tsx bench/moments.ts [--rounds 31]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWasmBackend } from '../src/core/wasm.js';
import { shiftedSumsFloat32 } from '../src/core/moments.js';
import { median, ROOT } from './record.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '31' } } });
const rounds = Number(flags.rounds);
const module = new WebAssembly.Module(readFileSync(join(ROOT, 'build/nninit.wasm')));
const wasm = createWasmBackend(module);
const raw = new WebAssembly.Instance(module, {}).exports as unknown as {
  memory: WebAssembly.Memory; scratchPointer(): number; scratchBytes(): number;
  shiftedSums(at: number, count: number, shift: number, first: number): void;
};
const scratch = raw.scratchPointer(), piece = raw.scratchBytes() / 4;
const pieces = new Float32Array(raw.memory.buffer, scratch, piece);

const n = 1 << 20;
const values = new Float32Array(n);
for (let i = 0; i < n; i++) values[i] = Math.sin(i * 0.7) * 0.02;
const shift = values[0];
const out = new Float64Array(2);

/** The generic loop of src/formats/stats.ts (two lanes of pairs). */
function generic(x: ArrayLike<number>, s: number): void {
  let s0 = 0, s1 = 0, q0 = 0, q1 = 0;
  const length = x.length, head = length % 4;
  let i = 0;
  for (; i < head; i++) { const a = x[i] - s; s0 += a; q0 += a * a; }
  for (; i < length; i += 4) {
    const a = x[i] - s, b = x[i + 1] - s, c = x[i + 2] - s, d = x[i + 3] - s;
    s0 += a + b; s1 += c + d; q0 += a * a + b * b; q1 += c * c + d * d;
  }
  out[0] = s0 + s1;
  out[1] = q0 + q1;
}

const candidates: Record<string, () => void> = {
  generic: () => generic(values, shift),
  wasm: () => wasm.shiftedSums!(values, shift, out),
  'wasm copy only': () => { for (let d = 0; d < n; d += piece) pieces.set(values.subarray(d, d + piece)); },
  'wasm kernel only': () => { for (let d = 0; d < n; d += piece) raw.shiftedSums(scratch, piece, shift, d === 0 ? 1 : 0); },
  js: () => shiftedSumsFloat32(values, shift, out),
};
const names = Object.keys(candidates);
const times = new Map(names.map((name) => [name, [] as number[]]));
for (let round = -10; round < rounds; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    const start = performance.now();
    for (let k = 0; k < 10; k++) candidates[name]();
    if (round >= 0) times.get(name)!.push((performance.now() - start) / 10);
  }
}
const base = median(times.get('generic')!);
for (const name of names) {
  const ms = median(times.get(name)!);
  console.log(`${name.padEnd(18)} ${ms.toFixed(3)} ms per 4 MiB   generic/this ${(base / ms).toFixed(2)}x`);
}
