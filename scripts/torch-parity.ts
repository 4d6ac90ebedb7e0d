// Measures nninit/torch against live PyTorch: random seeds, shapes and arguments through both, compared element
// by element (identical fraction and largest difference in units in the last place, per function), and with
// --sweep every 24-bit uniform through normal_'s vectorized Box-Muller and through trunc_normal_.
//
//   node --import tsx scripts/torch-parity.ts [--cases 200] [--seed 1] [--sweep]
//   node --import tsx scripts/torch-parity.ts --speed [--rounds 15]   # time against PyTorch instead, interleaved
//
// Needs /usr/bin/python3 with torch (Debian: apt-get install python3-torch). tests/torch-parity.test.ts uses
// the same call format and runner on the committed fixtures and on a smaller live run.

import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorchGenerator, type TorchGenerator, type TorchModuleSpec } from 'nninit/torch';
import { MersenneTwister } from '../src/torch/mt19937.ts';
import { PYTHON, startPythonTimer } from '../bench/python.ts';
import { median } from '../bench/record.ts';

export { PYTHON };
export const FIXTURE_SCRIPT = fileURLToPath(new URL('./torch-fixtures.py', import.meta.url));

export interface Call {
  fn: string;
  shape?: number | number[];
  [argument: string]: unknown;
}

export interface Case {
  seed: number | string;
  calls: Call[];
}

export interface Recorded {
  length: number;
  sha256: string;
  head: number[];
  values?: string;
}

export type Result = Recorded | { parameters: [string, Recorded][] } | null;

/**
 * Why this machine cannot serve as the reference nninit/torch reproduces (PyTorch 1.13 taking its AVX2 kernels,
 * glibc 2.36 picking its FMA builds of expf/logf), or undefined when it can. `needTorch: false` checks only the
 * C library and the processor.
 */
export function referenceMismatch(needTorch = true): string | undefined {
  const probe = [
    'import json, platform',
    'flags = set()',
    'try:',
    '    flags = set(next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split(":")[1].split())',
    'except Exception:',
    '    pass',
    'info = {"libc": platform.libc_ver(), "fma": "fma" in flags and "avx2" in flags}',
    'try:',
    '    import torch',
    '    info["torch"] = torch.__version__',
    '    info["capability"] = [l.split(":", 1)[1].strip() for l in torch.__config__.show().splitlines() if "CPU capability usage" in l]',
    'except Exception:',
    '    pass',
    'print(json.dumps(info))',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', probe], { encoding: 'utf8' });
  if (result.status !== 0) return `${PYTHON} is not available`;
  const info = JSON.parse(result.stdout) as { libc: [string, string]; fma: boolean; torch?: string; capability?: string[] };
  if (info.libc[0] !== 'glibc' || info.libc[1] !== '2.36') return `the C library is ${info.libc.join(' ')}, not glibc 2.36`;
  if (!info.fma) return 'the processor lacks FMA or AVX2, so glibc and PyTorch take other code paths';
  if (!needTorch) return undefined;
  if (info.torch === undefined) return `${PYTHON} cannot import torch (Debian: apt-get install python3-torch)`;
  if (!info.torch.startsWith('1.13')) return `PyTorch is ${info.torch}, not 1.13`;
  if (!['AVX2', 'AVX512'].includes(info.capability?.[0] ?? '')) return `PyTorch uses its ${info.capability?.[0] ?? 'unknown'} kernels, not AVX2`;
  return undefined;
}

function record(bytes: Uint8Array, length: number, head: readonly number[], withValues: boolean): Recorded {
  const result: Recorded = { length, sha256: createHash('sha256').update(bytes).digest('hex'), head: head.slice(0, 8) };
  if (withValues) result.values = Buffer.from(bytes).toString('base64');
  return result;
}

function recordFloats(values: Float32Array, withValues: boolean): Recorded {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return record(bytes, values.length, Array.from(new Uint32Array(values.buffer, values.byteOffset, Math.min(8, values.length))), withValues);
}

/** The Mersenne Twister's output tempering undone. */
function untemper(word: number): number {
  let y = word >>> 0;
  let x = y;
  for (let k = 0; k < 2; k++) x = (y ^ (x >>> 18)) >>> 0;
  y = x;
  for (let k = 0; k < 3; k++) x = (y ^ ((x << 15) & 0xefc60000)) >>> 0;
  y = x;
  for (let k = 0; k < 5; k++) x = (y ^ ((x << 7) & 0x9d2c5680)) >>> 0;
  y = x;
  for (let k = 0; k < 3; k++) x = (y ^ (x >>> 11)) >>> 0;
  return x;
}

/** Puts g in a state whose next words.length (<= 623) outputs are `words`, as the fixture script does for torch. */
export function emitWords(g: TorchGenerator, words: ArrayLike<number>): void {
  const state = g.getState();
  const view = new DataView(state.buffer);
  view.setInt32(8, 624, true);
  view.setBigUint64(16, 0n, true);
  for (let k = 0; k < 624; k++) view.setBigUint64(24 + 8 * k, BigInt(k < words.length ? untemper(words[k]) : 0), true);
  view.setInt32(5040, 0, true);
  state[5052] = 0;
  g.setState(state);
}

/**
 * The state with its cached float64 normal rounded to float32, as the fixture script records it: that value
 * comes from Math.log/Math.sin/Math.cos here and from glibc's in PyTorch, which differ in the last bit for a
 * few percent of arguments, while the float32 element it becomes is the same.
 */
function comparableState(state: Uint8Array): Uint8Array {
  const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
  view.setFloat64(5024, Math.fround(view.getFloat64(5024, true)), true);
  return state;
}

function runCall(g: TorchGenerator, call: Call, withValues: boolean): Result {
  const shape = call.shape as number | number[];
  const a = call as unknown as Record<string, never>;
  const floats = (values: Float32Array) => recordFloats(values, withValues);
  switch (call.fn) {
    case 'rand': return floats(g.rand(shape));
    case 'randn': return floats(g.randn(shape));
    case 'uniform_': return floats(g.uniform_(shape, { a: a.a, b: a.b }));
    case 'normal_': return floats(g.normal_(shape, { mean: a.mean, std: a.std }));
    case 'truncNormal_': return floats(g.truncNormal_(shape, { mean: a.mean, std: a.std, a: a.a, b: a.b }));
    case 'kaimingUniform_': return floats(g.kaimingUniform_(shape, { a: a.a, mode: a.mode, nonlinearity: a.nonlinearity }));
    case 'kaimingNormal_': return floats(g.kaimingNormal_(shape, { a: a.a, mode: a.mode, nonlinearity: a.nonlinearity }));
    case 'xavierUniform_': return floats(g.xavierUniform_(shape, { gain: a.gain }));
    case 'xavierNormal_': return floats(g.xavierNormal_(shape, { gain: a.gain }));
    case 'module': {
      const parameters = g.module(call.spec as TorchModuleSpec);
      return { parameters: Object.entries(parameters).map(([name, values]) => [name, floats(values)]) };
    }
    case 'getState': {
      const state = comparableState(g.getState());
      return record(state, state.length, Array.from(state.subarray(0, 8)), withValues);
    }
    case 'setState':
      emitWords(g, call.words as number[]);
      return null;
    default:
      throw new Error(`unknown call ${call.fn}`);
  }
}

/** nninit/torch's side of a case: createTorchGenerator(seed), then the calls. */
export function runCase(testCase: Case, withValues = false): Result[] {
  const g = createTorchGenerator(typeof testCase.seed === 'string' ? BigInt(testCase.seed) : testCase.seed);
  return testCase.calls.map((call) => runCall(g, call, withValues));
}

/** PyTorch's side of a program, through scripts/torch-fixtures.py --run. */
export function runTorch(program: Case[], withValues = false): { platform: Record<string, string>; results: Result[][] } {
  const args = [FIXTURE_SCRIPT, '--run', ...(withValues ? ['--values'] : [])];
  const output = execFileSync(PYTHON, args, { input: JSON.stringify(program), maxBuffer: 1 << 30 });
  return JSON.parse(output.toString('utf8'));
}

export function describeCall(testCase: Case, index: number): string {
  const { fn, ...rest } = testCase.calls[index];
  return `seed ${testCase.seed}, call ${index}: ${fn}(${JSON.stringify(rest)})`;
}

/** mulberry32: a small seeded generator for choosing test programs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random cases over every function and module, with sizes around each path boundary and some large ones. */
export function randomProgram(random: () => number, cases: number, maxSize = 20000): Case[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const integer = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const size = () => {
    const r = random();
    if (r < 0.3) return integer(1, 15);
    if (r < 0.6) return pick([16, 17, 31, 32, 33, 48, 63, 64, 65]) + integer(0, 2) * 16;
    return integer(1, maxSize);
  };
  const matrix = (): number[] => {
    const total = size();
    const rows = Math.max(1, Math.floor(Math.sqrt(total) * (0.5 + random())));
    const columns = Math.max(1, Math.round(total / rows));
    return random() < 0.2 ? [rows, columns, integer(1, 3), integer(1, 3)] : [rows, columns];
  };
  const scale = () => pick([1, 0.02, 0.5, 3, 1e-3, 17]);
  const nonlinearities = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu', 'conv2d'];
  const calls: (() => Call)[] = [
    () => ({ fn: 'rand', shape: [size()] }),
    () => ({ fn: 'randn', shape: matrix() }),
    () => {
      const a = (random() - 0.7) * scale();
      return { fn: 'uniform_', shape: matrix(), a, b: a + random() * scale() };
    },
    () => ({ fn: 'normal_', shape: [size()], mean: (random() - 0.5) * scale(), std: random() * scale() }),
    () => {
      const std = random() * scale() + 1e-3;
      const mean = (random() - 0.5) * std;
      const a = random() < 0.5 ? -2 : mean - std * (0.2 + 3 * random());
      return { fn: 'truncNormal_', shape: [size()], mean, std, a, b: random() < 0.5 ? 2 : mean + std * (0.2 + 3 * random()) };
    },
    () => ({ fn: 'kaimingUniform_', shape: matrix(), a: pick([0, Math.sqrt(5), 0.2]), mode: pick(['fan_in', 'fan_out']), nonlinearity: pick(nonlinearities) }),
    () => ({ fn: 'kaimingNormal_', shape: matrix(), a: pick([0, 0.1]), mode: pick(['fan_in', 'fan_out']), nonlinearity: pick(nonlinearities) }),
    () => ({ fn: 'xavierUniform_', shape: matrix(), gain: pick([1, 5 / 3, Math.SQRT2]) }),
    () => ({ fn: 'xavierNormal_', shape: matrix(), gain: pick([1, 0.5]) }),
    () => ({ fn: 'module', spec: randomModule(random, pick, integer) }),
  ];
  const program: Case[] = [];
  for (let k = 0; k < cases; k++) {
    const seed = random() < 0.1 ? String(BigInt(integer(0, 2 ** 31)) * 4294967296n + BigInt(integer(0, 2 ** 31))) : integer(0, 2 ** 32 - 1);
    const list: Call[] = [];
    const count = integer(1, 5);
    for (let c = 0; c < count; c++) list.push(pick(calls)());
    list.push({ fn: 'getState' });
    program.push({ seed, calls: list });
  }
  return program;
}

function randomModule(random: () => number, pick: <T>(items: readonly T[]) => T, integer: (low: number, high: number) => number): TorchModuleSpec {
  const type = pick(['linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose2d', 'embedding', 'lstm', 'gru', 'rnn', 'layerNorm', 'multiheadAttention'] as const);
  const bias = random() < 0.8;
  switch (type) {
    case 'linear': return { type, inFeatures: integer(1, 300), outFeatures: integer(1, 300), bias };
    case 'conv1d': case 'conv2d': case 'conv3d': case 'convTranspose2d': {
      const groups = pick([1, 1, 2, 4]);
      const dimensions = type === 'conv1d' ? 1 : type === 'conv3d' ? 3 : 2;
      const kernelSize = random() < 0.5 ? integer(1, 5) : Array.from({ length: dimensions }, () => integer(1, 4));
      return { type, inChannels: groups * integer(1, 8), outChannels: groups * integer(1, 16), kernelSize, groups, bias };
    }
    case 'embedding': {
      const numEmbeddings = integer(1, 500);
      return random() < 0.5
        ? { type, numEmbeddings, embeddingDim: integer(1, 64) }
        : { type, numEmbeddings, embeddingDim: integer(1, 64), paddingIdx: integer(-numEmbeddings, numEmbeddings - 1) };
    }
    case 'lstm': case 'gru': case 'rnn': {
      const hiddenSize = integer(1, 40);
      const spec = { type, inputSize: integer(1, 40), hiddenSize, numLayers: integer(1, 3), bias, bidirectional: random() < 0.3 };
      return type === 'lstm' && random() < 0.3 && hiddenSize > 1 ? { ...spec, type, projSize: integer(1, hiddenSize - 1) } : spec;
    }
    case 'layerNorm': return { type, normalizedShape: random() < 0.5 ? integer(1, 64) : [integer(1, 8), integer(1, 8)], elementwiseAffine: random() < 0.8 };
    case 'multiheadAttention': {
      const numHeads = pick([1, 2, 4, 8]);
      const embedDim = numHeads * integer(1, 16);
      return random() < 0.7
        ? { type, embedDim, numHeads, bias, addBiasKv: random() < 0.3 }
        : { type, embedDim, numHeads, bias, addBiasKv: random() < 0.5, kdim: integer(1, 40), vdim: integer(1, 40) };
    }
  }
}

// ---- measurement ---------------------------------------------------------------------------------------------

interface Tally {
  elements: number;
  identical: number;
  maxUlp: number;
}

function floatsOf(recorded: Recorded): Float32Array {
  const bytes = Buffer.from(recorded.values!, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Distance in float32 steps (ordered bit patterns), with equal NaNs and equal infinities at distance 0. */
function ulpDistance(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const ordered = (x: number) => {
    const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
    return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
  };
  return Math.abs(ordered(a) - ordered(b));
}

function tally(tallies: Map<string, Tally>, name: string, mine: Float32Array, theirs: Float32Array): void {
  const entry = tallies.get(name) ?? { elements: 0, identical: 0, maxUlp: 0 };
  if (mine.length !== theirs.length) throw new Error(`${name}: ${mine.length} elements against PyTorch's ${theirs.length}`);
  for (let k = 0; k < mine.length; k++) {
    const distance = ulpDistance(mine[k], theirs[k]);
    entry.elements++;
    if (distance === 0) entry.identical++;
    else entry.maxUlp = Math.max(entry.maxUlp, distance);
  }
  tallies.set(name, entry);
}

function measure(cases: number, seed: number): void {
  const program = randomProgram(seededRandom(seed), cases);
  const torch = runTorch(program, true);
  const tallies = new Map<string, Tally>();
  let states = 0, statesIdentical = 0;
  program.forEach((testCase, caseIndex) => {
    const mine = runCase(testCase, true);
    testCase.calls.forEach((call, index) => {
      const ours = mine[index], theirs = torch.results[caseIndex][index];
      if (call.fn === 'getState') {
        states++;
        if ((ours as Recorded).sha256 === (theirs as Recorded).sha256) statesIdentical++;
      } else if (call.fn === 'module') {
        const name = `module ${(call.spec as TorchModuleSpec).type}`;
        const ourParameters = (ours as { parameters: [string, Recorded][] }).parameters;
        const theirParameters = (theirs as { parameters: [string, Recorded][] }).parameters;
        if (ourParameters.map(([parameter]) => parameter).join() !== theirParameters.map(([parameter]) => parameter).join()) {
          throw new Error(`${describeCall(testCase, index)}: parameter names differ`);
        }
        ourParameters.forEach(([, recorded], p) => tally(tallies, name, floatsOf(recorded), floatsOf(theirParameters[p][1])));
      } else {
        tally(tallies, call.fn, floatsOf(ours as Recorded), floatsOf(theirs as Recorded));
      }
    });
  });
  console.log(`PyTorch ${torch.platform.torch} (${torch.platform.cpu_capability}), ${cases} random cases from seed ${seed}`);
  console.log('| function | elements | bit-identical | max ulp |');
  console.log('|---|---:|---:|---:|');
  for (const [name, entry] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`| ${name} | ${entry.elements} | ${(100 * entry.identical / entry.elements).toFixed(entry.identical === entry.elements ? 0 : 4)}% | ${entry.maxUlp} |`);
  }
  console.log(`| generator state after each case | ${states} | ${(100 * statesIdentical / states).toFixed(0)}% | |`);
}

function sweep(): void {
  const directory = mkdtempSync(join(tmpdir(), 'nninit-torch-sweep-'));
  try {
    execFileSync(PYTHON, [FIXTURE_SCRIPT, '--sweep', directory], { stdio: 'inherit' });
    const info = JSON.parse(readFileSync(join(directory, 'sweep.json'), 'utf8'));
    const load = (name: string) => {
      const bytes = readFileSync(join(directory, name));
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    };
    const count = 1 << 24;
    const g = createTorchGenerator(0);
    const compare = (name: string, torchValues: Float32Array, compute: (start: number, words: Uint32Array) => Float32Array, perState: number) => {
      let identical = 0, maxUlp = 0;
      const words = new Uint32Array(perState);
      for (let start = 0; start < count; start += perState) {
        const used = Math.min(perState, count - start);
        const mine = compute(start, words.subarray(0, used));
        for (let k = 0; k < mine.length; k++) {
          const distance = ulpDistance(mine[k], torchValues[start + k]);
          if (distance === 0) identical++;
          else maxUlp = Math.max(maxUlp, distance);
        }
      }
      console.log(`| ${name} | ${count} | ${(100 * identical / count).toFixed(identical === count ? 0 : 6)}% | ${maxUlp} |`);
    };
    // Groups of 8 first-half words and 8 second-half words, as the script arranged them.
    const boxMuller = (fixedFirst: number | undefined, fixedSecond: number | undefined, take: 'first' | 'second') =>
      (start: number, slot: Uint32Array) => {
        const groups = slot.length / 8;
        const words = new Uint32Array(groups * 16);
        for (let group = 0; group < groups; group++) {
          for (let lane = 0; lane < 8; lane++) {
            const word = start + group * 8 + lane;
            words[group * 16 + lane] = fixedFirst ?? word;
            words[group * 16 + 8 + lane] = fixedSecond ?? word;
          }
        }
        emitWords(g, words);
        const values = g.randn(groups * 16);
        const out = new Float32Array(groups * 8);
        for (let group = 0; group < groups; group++) {
          out.set(values.subarray(group * 16 + (take === 'first' ? 0 : 8), group * 16 + (take === 'first' ? 8 : 16)), group * 8);
        }
        return out;
      };
    const trunc = (std: number) => (start: number, slot: Uint32Array) => {
      for (let k = 0; k < slot.length; k++) slot[k] = start + k;
      emitWords(g, slot);
      return g.truncNormal_(slot.length, 0, std, -2, 2);
    };
    console.log(`Every 24-bit uniform through PyTorch ${info.platform.torch} (${info.platform.cpu_capability}) and nninit/torch`);
    console.log('| sweep | values | bit-identical | max ulp |');
    console.log('|---|---:|---:|---:|');
    compare('radius sqrt(-2 log u1), all u1', load('radius.f32'), boxMuller(undefined, 0, 'first'), 304);
    compare('2 cos(2 pi u2), all u2', load('cos2.f32'), boxMuller(info.radius_two_word, undefined, 'first'), 304);
    compare('2 sin(2 pi u2), all u2', load('sin2.f32'), boxMuller(info.radius_two_word, undefined, 'second'), 304);
    compare('trunc_normal_(std=1, a=-2, b=2)', load('trunc-default.f32'), trunc(1), 608);
    compare('trunc_normal_(std=0.02, a=-2, b=2)', load('trunc-std0.02.f32'), trunc(0.02), 608);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * nninit/torch against PyTorch (one thread) on the same calls of 10^6 float32 elements, interleaved: in each round
 * every call runs once in a PyTorch process kept open for the purpose and once here, one right after the other
 * (which goes first alternates by round), and each pair gives a ratio. Reported: the medians of each side's times
 * and the median ratio with its range over the rounds, and the load average before and after, since on a shared
 * machine the figures move with it.
 */
async function speed(rounds: number): Promise<void> {
  const calls: [string, (g: TorchGenerator) => unknown, string][] = [
    ['rand', (g) => g.rand(1e6), 'torch.rand(1000000)'],
    ['uniform_', (g) => g.uniform_(1e6, -0.1, 0.1), 'init.uniform_(torch.empty(1000000), -0.1, 0.1)'],
    ['randn', (g) => g.randn(1e6), 'torch.randn(1000000)'],
    ['kaimingNormal_', (g) => g.kaimingNormal_([1000, 1000]), 'init.kaiming_normal_(torch.empty(1000, 1000))'],
    ['truncNormal_', (g) => g.truncNormal_(1e6, 0, 0.02), 'init.trunc_normal_(torch.empty(1000000), 0, 0.02)'],
  ];
  // The PyTorch side: prints its version, then reads a call's index per line, runs it once and prints its
  // milliseconds.
  const code = [
    'import sys, time, torch', 'from torch.nn import init', 'torch.set_num_threads(1)', 'torch.manual_seed(0)',
    `calls = [compile(s, "<call>", "eval") for s in ${JSON.stringify(calls.map(([, , statement]) => statement))}]`,
    'print(torch.__version__, flush=True)',
    'for line in sys.stdin:',
    '    call = calls[int(line)]',
    '    start = time.perf_counter()',
    '    eval(call)',
    '    print((time.perf_counter() - start) * 1000, flush=True)',
  ].join('\n');
  const python = await startPythonTimer(code, 'inherit');
  if (!python) throw new Error('the PyTorch process did not start');
  const torchTime = async (k: number): Promise<number> => {
    const answer = await python.ask(String(k));
    if (answer === '') throw new Error('the PyTorch process ended');
    return Number(answer);
  };
  const g = createTorchGenerator(0);
  const ownTime = (k: number): number => {
    const start = performance.now();
    calls[k][1](g);
    return performance.now() - start;
  };
  const loadBefore = loadavg();
  const engine = new MersenneTwister(0), words = new Uint32Array(1e6);
  const twister: number[] = [];
  const times = calls.map(() => ({ own: [] as number[], torch: [] as number[], ratio: [] as number[] }));
  try {
    // One warm-up round on each side (JIT, allocator, PyTorch's first calls), not counted.
    for (let k = 0; k < calls.length; k++) {
      await torchTime(k);
      ownTime(k);
    }
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      engine.fill(words);
      twister.push(performance.now() - start);
      for (let k = 0; k < calls.length; k++) {
        let own: number, torch: number;
        if (round % 2 === 0) {
          torch = await torchTime(k);
          own = ownTime(k);
        } else {
          own = ownTime(k);
          torch = await torchTime(k);
        }
        times[k].own.push(own);
        times[k].torch.push(torch);
        times[k].ratio.push(own / torch);
      }
    }
  } finally {
    python.stop();
  }
  const loadAfter = loadavg();
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' ');
  console.log(`${rounds} interleaved rounds on ${cpus().length} cores; load average ${load(loadBefore)} before, ${load(loadAfter)} after`);
  console.log(`Mersenne Twister alone: ${median(twister).toFixed(1)} ms for 10^6 words (median)`);
  console.log('| 10^6 float32 values | nninit/torch (median) | PyTorch 1.13, 1 thread (median) | nninit/torch ÷ PyTorch, per round: median (range) |');
  console.log('|---|---:|---:|---:|');
  calls.forEach(([name], k) => {
    const { own, torch, ratio } = times[k];
    const range = `${Math.min(...ratio).toFixed(1)}–${Math.max(...ratio).toFixed(1)}`;
    console.log(`| \`${name}\` | ${median(own).toFixed(1)} ms | ${median(torch).toFixed(1)} ms | ${median(ratio).toFixed(1)}× (${range}) |`);
  });
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const index = args.indexOf(name);
    return index >= 0 ? Number(args[index + 1]) : fallback;
  };
  const mismatch = referenceMismatch();
  if (mismatch !== undefined) {
    console.error(`cannot compare against the reference PyTorch here: ${mismatch}`);
    process.exit(2);
  }
  if (args.includes('--speed')) {
    void speed(option('--rounds', 15));
    return;
  }
  measure(option('--cases', 200), option('--seed', 1));
  if (args.includes('--sweep')) sweep();
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
