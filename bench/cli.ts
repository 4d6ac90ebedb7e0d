// The nninit command against the disk: `nninit init` of a model spec (GPT-2 small by default, 124M float32
// parameters, about 500 MB) side by side with Node writing the same number of zero bytes to the same folder, each
// a fresh child process timed from spawn to exit, interleaved round by round so that the noise of a shared machine
// falls on all of them alike. nninit syncs its files to disk before renaming them, so the fair baseline is zeros
// written and fsync'ed; zeros left in the page cache (no fsync) are shown too. Every run writes a new file: before
// each one, untimed, the files of the runs before are removed and the disk is synced, so that no run pays for
// another's writeback or for freeing another's blocks (this machine's disk is mounted with online discard, where
// freeing 500 MB is work the next journal commit does, and nninit's final rename and folder sync commit). The command runs twice per round:
// on a worker pool of the machine's cores (at least two) and with --threads 1 (the main thread only).
// Also: the values alone (computed chunk by chunk into one buffer, no file, one thread), the peak RSS, and the
// CPU time of each child (user + system, every thread), the work a run needs however loaded the machine is.
//
//   node --import tsx bench/cli.ts [--rounds 9] [--spec examples/gpt2-small.json] [--dir DIR (default: the temp folder)] [--out FILE]
//                                  writes bench/results/cli.json (or FILE)
//   node --import tsx bench/cli.ts --huge 10GB [--dir DIR]      one run of a synthetic model of that size, against
//                                  zeros written and synced; writes bench/results/cli-huge.json
//   node --import tsx bench/cli.ts --sizes 16MB,64MB,256MB [--rounds 9]
//                                  synthetic models of those sizes, a pool of the machine's cores against
//                                  --threads 1: where the pool starts to pay (src/cli/threads.ts POOL_MIN_BYTES);
//                                  writes bench/results/cli-sizes.json
//
// Every run records its samples, medians, ratios, the load, the commit and the versions; removes every model file it
// writes.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as nninit from 'nninit';
import { DEFAULT_THREADS } from '../dist/cli/threads.js';
import { loadText, median, ROOT, startRun, writeResults } from './record.js';

const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const CHUNK = 4 * 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    spec: { type: 'string', default: join(ROOT, 'examples', 'gpt2-small.json') },
    dir: { type: 'string' },
    out: { type: 'string' },
    huge: { type: 'string' },
    sizes: { type: 'string' },
  },
});

/** A child that writes `bytes` zero bytes in 4 MiB writes, with or without fsync, as nninit writes its chunks. */
const ZERO_WRITER = `
const fs = require('node:fs');
const [path, total, sync] = process.argv.slice(1);
const buffer = new Uint8Array(${CHUNK});
const fd = fs.openSync(path, 'w');
for (let left = Number(total); left > 0; left -= buffer.length) fs.writeSync(fd, buffer, 0, Math.min(left, buffer.length));
if (sync === 'sync') fs.fsyncSync(fd);
fs.closeSync(fd);
const usage = process.cpuUsage();
console.log(JSON.stringify({ cpuSeconds: (usage.user + usage.system) / 1e6 }));
`;

interface Timed {
  readonly seconds: number;
  readonly stdout: string;
}

function timedChild(args: readonly string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve({ seconds, stdout });
      else reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
  });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Computes every value of a plan chunk by chunk into one reused buffer, as the command does, writing nothing. */
function valuesOnly(plan: readonly nninit.ParameterPlan[]): number {
  const started = performance.now();
  const buffer = new ArrayBuffer(CHUNK);
  for (const p of plan) {
    if (p.whole) {
      nninit.initParameter(p);
      continue;
    }
    const perChunk = CHUNK / 4;
    for (let offset = 0; offset < p.size; offset += perChunk) {
      const length = Math.min(perChunk, p.size - offset);
      nninit.initParameter(p, { offset, length, out: new Float32Array(buffer, 0, length) });
    }
  }
  return (performance.now() - started) / 1000;
}

/** A spec of normal float32 layers of `bytes` in all, `width` columns each (the last one shorter): a transformer's shapes. */
function syntheticSpec(bytes: number, width: number, path: string): number {
  const layers: unknown[] = [];
  let left = Math.floor(bytes / 4);
  for (let k = 0; left > 0; k++) {
    const rows = Math.min(width, Math.ceil(left / width));
    layers.push({ type: 'param', name: `layer${k}`, shape: [rows, width], init: 'normal', std: 0.02 });
    left -= rows * width;
  }
  writeFileSync(path, JSON.stringify({ seed: 1, layers }));
  return layers.length;
}

async function huge(size: string, folder: string): Promise<void> {
  const facts = startRun();
  const bytes = nninit.parseByteSize(size);
  // Square dense layers of 8192 x 8192 float32 (256 MiB each) and a remainder.
  const spec = join(folder, 'huge.json');
  const count = syntheticSpec(bytes, 8192, spec);
  console.log(`nninit init of ${count} tensors, ${mb(bytes)} float32, into ${folder}; load ${loadText()}`);
  const run = await timedChild([BIN, 'init', spec, '-o', join(folder, 'huge.safetensors'), '--json']);
  const report = JSON.parse(run.stdout) as { bytes: number; peakRssBytes: number; seconds: number };
  console.log(`wrote ${mb(report.bytes)} in ${run.seconds.toFixed(1)} s (${mb(report.bytes / run.seconds)}/s); peak RSS ${mb(report.peakRssBytes)}; load ${loadText()}`);
  rmSync(join(folder, 'huge.safetensors'), { force: true });
  execFileSync('sync');
  const zeros = await timedChild(['-e', ZERO_WRITER, join(folder, 'zeros.bin'), String(report.bytes), 'sync']);
  console.log(`zeros + fsync, same size: ${zeros.seconds.toFixed(1)} s; ratio ${(run.seconds / zeros.seconds).toFixed(2)}; load ${loadText()}`);
  const written = writeResults('cli-huge', facts, {
    command: `node --import tsx bench/cli.ts --huge ${size}`,
    unit: 'seconds (child process, spawn to exit)',
    tensors: count,
    bytes: report.bytes,
    seconds: { nninit: run.seconds, nninitOwnTiming: report.seconds, zerosSync: zeros.seconds },
    ratio: { vsZerosSync: run.seconds / zeros.seconds },
    peakRssBytes: report.peakRssBytes,
  }, args.out);
  console.log(`wrote ${written}`);
}

/** Models of the given sizes: the command with its default threads against --threads 1, interleaved, medians. */
async function sizes(list: string, folder: string, rounds: number): Promise<void> {
  const facts = startRun();
  const rows: Record<string, unknown>[] = [];
  const poolThreads = Math.max(2, Math.min(8, os.availableParallelism()));
  console.log(`nninit init of synthetic float32 models (layers of 1024 columns), --threads ${poolThreads} against --threads 1, ${rounds} interleaved rounds, medians; load ${loadText()}`);
  console.log(`| size | --threads 1 | --threads ${poolThreads} | speed-up | fastest round: --threads 1 | --threads ${poolThreads} | speed-up |`);
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of list.split(',')) {
    const spec = join(folder, 'sized.json');
    syntheticSpec(nninit.parseByteSize(size), 1024, spec);
    const out = join(folder, 'sized.safetensors');
    const times: Record<'one' | 'pool', number[]> = { one: [], pool: [] };
    for (let round = 0; round < rounds + 1; round++) {
      for (const which of (round % 2 ? ['one', 'pool'] : ['pool', 'one']) as ('one' | 'pool')[]) {
        const run = await timedChild([BIN, 'init', spec, '-o', out, '--json', '--threads', which === 'one' ? '1' : String(poolThreads)]);
        // The first round warms the page cache and the disk.
        if (round > 0) times[which].push(run.seconds);
      }
    }
    const one = median(times.one), pool = median(times.pool);
    const oneFastest = Math.min(...times.one), poolFastest = Math.min(...times.pool);
    const ratios = times.one.map((t, k) => t / times.pool[k]);
    rows.push({ size, bytes: nninit.parseByteSize(size), samples: times, medians: { one, pool }, speedUpOfMedians: one / pool, perRoundRatios: ratios, medianRatio: median(ratios), poolFasterRounds: ratios.filter((r) => r > 1).length });
    console.log(`| ${size} | ${one.toFixed(3)} s | ${pool.toFixed(3)} s | ${(one / pool).toFixed(2)}× | ${oneFastest.toFixed(3)} s | ${poolFastest.toFixed(3)} s | ${(oneFastest / poolFastest).toFixed(2)}× |`);
  }
  console.log(execFileSync('uptime', { encoding: 'utf8' }).trim());
  const written = writeResults('cli-sizes', facts, {
    command: `node --import tsx bench/cli.ts --sizes ${list} --rounds ${rounds}`,
    unit: 'seconds (child process, spawn to exit)',
    threads: { one: 1, pool: poolThreads },
    rounds,
    ratio: 'per round: --threads 1 time / pool time (above 1: the pool is faster)',
    sizes: rows,
  }, args.out);
  console.log(`wrote ${written}`);
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(args.dir ?? os.tmpdir(), 'nninit-bench-'));
  try {
    if (args.huge) {
      await huge(args.huge, folder);
      return;
    }
    if (args.sizes) {
      await sizes(args.sizes, folder, Number(args.rounds));
      return;
    }
    const rounds = Number(args.rounds);
    const facts = startRun();
    const spec = args.spec;
    const plan = nninit.planModel(readFileSync(spec, 'utf8'));
    const out = join(folder, 'model.safetensors');
    const zeros = join(folder, 'zeros.bin');
    const loadBefore = loadText();
    /** Removes the files of earlier runs and syncs, untimed: each run starts on a quiet disk and writes a new file. */
    const settle = () => {
      rmSync(out, { force: true });
      rmSync(zeros, { force: true });
      execFileSync('sync');
    };
    // One run first: it gives the file size to match, and warms the page cache and the disk.
    const first = JSON.parse((await timedChild([BIN, 'init', spec, '-o', out, '--json'])).stdout) as { bytes: number };
    const bytes = first.bytes;
    // The command on a pool of the machine's cores (at least two), and on the main thread alone; DEFAULT_THREADS
    // says which of the two it picks by itself.
    const poolThreads = Math.max(2, Math.min(8, os.availableParallelism()));
    const samples: Record<string, number[]> = { nninit: [], nninitOneThread: [], zerosSync: [], zeros: [], valuesOnly: [], internal: [] };
    // CPU seconds (user + system, every thread) of each child: the work a run needs whatever the load.
    const cpu: Record<string, number[]> = { nninit: [], nninitOneThread: [], zerosSync: [] };
    let peakRss = 0;
    let peakRssOneThread = 0;
    let threads = 0;
    const candidates: [string, () => Promise<void>][] = [
      ['nninit', async () => {
        const run = await timedChild([BIN, 'init', spec, '-o', out, '--json', '--threads', String(poolThreads)]);
        const report = JSON.parse(run.stdout) as { peakRssBytes: number; seconds: number; threads: number; cpuSeconds: number };
        samples.nninit.push(run.seconds);
        cpu.nninit.push(report.cpuSeconds);
        samples.internal.push(report.seconds);
        peakRss = Math.max(peakRss, report.peakRssBytes);
        threads = report.threads;
      }],
      ['nninitOneThread', async () => {
        const run = await timedChild([BIN, 'init', spec, '-o', out, '--json', '--threads', '1']);
        const report = JSON.parse(run.stdout) as { peakRssBytes: number; cpuSeconds: number };
        samples.nninitOneThread.push(run.seconds);
        cpu.nninitOneThread.push(report.cpuSeconds);
        peakRssOneThread = Math.max(peakRssOneThread, report.peakRssBytes);
      }],
      ['zerosSync', async () => {
        const run = await timedChild(['-e', ZERO_WRITER, zeros, String(bytes), 'sync']);
        samples.zerosSync.push(run.seconds);
        cpu.zerosSync.push((JSON.parse(run.stdout) as { cpuSeconds: number }).cpuSeconds);
      }],
      ['zeros', async () => { samples.zeros.push((await timedChild(['-e', ZERO_WRITER, zeros, String(bytes), 'nosync'])).seconds); }],
      ['valuesOnly', async () => { samples.valuesOnly.push(valuesOnly(plan)); }],
    ];
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no candidate always follows another.
      for (let k = 0; k < candidates.length; k++) {
        settle();
        await candidates[(k + round) % candidates.length][1]();
      }
      settle();
      process.stderr.write(`round ${round + 1}/${rounds}: nninit ${samples.nninit.at(-1)!.toFixed(3)} s, --threads 1 ${samples.nninitOneThread.at(-1)!.toFixed(3)} s, zeros+fsync ${samples.zerosSync.at(-1)!.toFixed(3)} s\n`);
    }
    const loadAfter = loadText();
    const m = Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, median(list)]));
    // The fastest round of each: what a run takes when the machine leaves it alone.
    const fastest = Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, Math.min(...list)]));
    const perRound = {
      vsZerosSync: samples.nninit.map((t, k) => t / samples.zerosSync[k]),
      oneThreadVsZerosSync: samples.nninitOneThread.map((t, k) => t / samples.zerosSync[k]),
    };
    const report = {
      command: `node --import tsx bench/cli.ts --rounds ${rounds}${args.spec === join(ROOT, 'examples', 'gpt2-small.json') ? '' : ` --spec ${args.spec}`}`,
      unit: 'seconds (child process, spawn to exit; valuesOnly in-process)',
      spec: spec.replace(ROOT, ''),
      bytes,
      rounds,
      medianSeconds: m,
      fastestSeconds: fastest,
      medianCpuSeconds: Object.fromEntries(Object.entries(cpu).map(([key, list]) => [key, median(list)])),
      samples,
      cpuSamples: cpu,
      threads,
      ratio: { vsZerosSync: m.nninit / m.zerosSync, vsZeros: m.nninit / m.zeros, oneThreadVsZerosSync: m.nninitOneThread / m.zerosSync },
      // Each round's own ratios (the candidates of one round ran back to back), and their medians.
      perRoundRatios: perRound,
      medianRoundRatio: { vsZerosSync: median(perRound.vsZerosSync), oneThreadVsZerosSync: median(perRound.oneThreadVsZerosSync) },
      /** Threads `nninit init` uses by itself on this machine (1: the main thread, the --threads 1 rows). */
      defaultThreads: DEFAULT_THREADS,
      peakRssBytes: peakRss,
      peakRssBytesOneThread: peakRssOneThread,
    };
    const written = writeResults('cli', facts, report, args.out);
    const rows = [
      [`nninit init --threads ${threads} (child, wall)`, m.nninit, 'nninit'],
      ['  its own timing (plan + write + sync)', m.internal, 'internal'],
      ['nninit init --threads 1 (child, wall)', m.nninitOneThread, 'nninitOneThread'],
      ['  values only (in-process, no file, 1 thread)', m.valuesOnly, 'valuesOnly'],
      ['zeros + fsync (child, wall)', m.zerosSync, 'zerosSync'],
      ['zeros, page cache only (child, wall)', m.zeros, 'zeros'],
    ] as const;
    console.log(`${spec.replace(ROOT, '')}: ${mb(bytes)}, ${rounds} interleaved rounds, medians (fastest round); load before ${loadBefore}, after ${loadAfter}`);
    for (const [name, seconds, key] of rows) console.log(`  ${name.padEnd(46)} ${seconds.toFixed(3)} s (${fastest[key].toFixed(3)} s)  ${mb(bytes / seconds)}/s`);
    console.log(`  nninit / zeros+fsync = ${report.ratio.vsZerosSync.toFixed(2)}, nninit / zeros = ${report.ratio.vsZeros.toFixed(2)}, --threads 1 / zeros+fsync = ${report.ratio.oneThreadVsZerosSync.toFixed(2)}`);
    console.log(`  fastest rounds: nninit / zeros+fsync = ${(fastest.nninit / fastest.zerosSync).toFixed(2)}, --threads 1 / zeros+fsync = ${(fastest.nninitOneThread / fastest.zerosSync).toFixed(2)}`);
    console.log(`  peak RSS ${mb(peakRss)} (${threads} threads), ${mb(peakRssOneThread)} (--threads 1); by default the command uses ${DEFAULT_THREADS === 1 ? 'the main thread only' : `${DEFAULT_THREADS} threads`} here`);
    const c = report.medianCpuSeconds;
    console.log(`  CPU seconds (user + system, all threads; medians): nninit ${c.nninit.toFixed(3)}, --threads 1 ${c.nninitOneThread.toFixed(3)}, zeros+fsync ${c.zerosSync.toFixed(3)}; on ${os.cpus().length} cores nninit needs at least ${(c.nninit / os.cpus().length).toFixed(3)} s of wall time`);
    console.log(`  ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
    console.log(`wrote ${written}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
