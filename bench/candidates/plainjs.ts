// What JavaScript code does without a library: loops over Math.random or seedrandom's alea (the generator TF.js
// samples with). Each source has its own loop so every call site stays monomorphic for V8, as hand-written
// code would be. The scaled workloads (glorotUniform, heNormal, lecunNormal) use the same loops scaled to the
// expected standard deviation; the normal ones are untruncated, as PyTorch's kaiming_normal_.

import seedrandom from 'seedrandom';
import type { Candidate } from './candidate.js';
import type { Workload } from '../workloads.js';

type Random = () => number;

function uniformMathRandom(out: Float32Array, low: number, high: number): void {
  const range = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + range * Math.random();
}

function uniformAlea(out: Float32Array, low: number, high: number, random: Random): void {
  const range = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + range * random();
}

/** Box and Muller (1958): sqrt(-2 ln u1) (cos 2πu2, sin 2πu2); 1 - Math.random() lies in (0, 1]. */
function boxMullerMathRandom(out: Float32Array, std: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - Math.random())) * std;
    const angle = 2 * Math.PI * Math.random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
}

function boxMullerAlea(out: Float32Array, std: number, random: Random): void {
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random())) * std;
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
}

/** Marsaglia and Bray (1964): a point uniform in the unit disc, no trigonometry; TF.js's method. */
function polarMathRandom(out: Float32Array, std: number): void {
  let i = 0;
  while (i < out.length) {
    let x: number, y: number, s: number;
    do {
      x = 2 * Math.random() - 1;
      y = 2 * Math.random() - 1;
      s = x * x + y * y;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt(-2 * Math.log(s) / s) * std;
    out[i++] = x * factor;
    if (i < out.length) out[i++] = y * factor;
  }
}

/** Box–Muller pairs, each value kept when within ±bound: 95.4% acceptance at bound 2. */
function truncatedBoxMullerMathRandom(out: Float32Array, std: number, bound: number): void {
  let i = 0;
  while (i < out.length) {
    const radius = Math.sqrt(-2 * Math.log(1 - Math.random()));
    const angle = 2 * Math.PI * Math.random();
    const first = radius * Math.cos(angle);
    const second = radius * Math.sin(angle);
    if (Math.abs(first) <= bound) out[i++] = first * std;
    if (i < out.length && Math.abs(second) <= bound) out[i++] = second * std;
  }
}

function candidate(name: string, out: Float32Array, run: () => void): Candidate {
  return { name, group: 'plain JS', run, output: () => out };
}

function uniformCandidates(out: Float32Array, low: number, high: number): Candidate[] {
  const alea = seedrandom.alea('nninit-bench');
  return [
    candidate('Math.random loop', out, () => uniformMathRandom(out, low, high)),
    candidate('alea loop', out, () => uniformAlea(out, low, high, alea)),
  ];
}

function normalCandidates(out: Float32Array, std: number): Candidate[] {
  const alea = seedrandom.alea('nninit-bench');
  return [
    candidate('Box–Muller (Math.random)', out, () => boxMullerMathRandom(out, std)),
    candidate('Marsaglia polar (Math.random)', out, () => polarMathRandom(out, std)),
    candidate('Box–Muller (alea)', out, () => boxMullerAlea(out, std, alea)),
  ];
}

export function plainJsCandidates(workload: Workload, buffer: Float32Array): Candidate[] {
  switch (workload.family) {
    case 'uniform': return uniformCandidates(buffer, 0, 1);
    case 'glorotUniform': {
      const limit = Math.sqrt(3) * workload.expectedStd;
      return uniformCandidates(buffer, -limit, limit);
    }
    case 'normal':
    case 'heNormal':
    case 'lecunNormal':
      return normalCandidates(buffer, workload.expectedStd);
    case 'truncatedNormal':
      return [candidate('Box–Muller + 2σ rejection (Math.random)', buffer, () => truncatedBoxMullerMathRandom(buffer, 1, 2))];
    case 'orthogonal':
      return [];
  }
}
