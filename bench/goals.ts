// The README's speed tables, generated from the committed results (bench/results/*.json), never written by hand:
// the goals of the speed issues with met / not met and the measurement behind each, and the tables of the
// samplers against PyTorch, of the pool, of the 16-block kernel candidate and of the command against the disk.
//
//   node --import tsx bench/goals.ts           rewrites the marked blocks of README.md (npm run bench:goals)
//   node --import tsx bench/goals.ts --check   exits 1 if README.md differs from what the results give
//   [--results DIR] [--readme FILE]            other results (default bench/results) or another README
//
// A block sits between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; a results file that is missing, or that
// lacks a figure, makes its rows say "not measured" and how to measure it.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultThreads } from '../dist/cli/threads.js';
import { median, RESULTS, ROOT } from './record.js';

// ---- the results files, as far as the goals read them ---------------------------------------------------------------

/** os.loadavg() as an array, or as the text "1.85 1.57 2.25" (files written before bench/record.ts). */
type Load = readonly number[] | string;

interface Facts {
  readonly date: string;
  readonly commit?: string | null;
  readonly load?: { readonly before?: Load; readonly after?: Load };
  readonly machine?: { readonly cores?: number };
  readonly versions?: Readonly<Record<string, string | null>>;
  /** The command that measured it (absent from files written before bench/record.ts). */
  readonly command?: string;
}

interface SamplersResults extends Facts {
  readonly values: number;
  readonly rounds: number;
  readonly families: Record<string, { medians: { nninit: number; torch: number }; medianRatio: number; ratios: number[] }>;
}

interface PoolCandidate {
  readonly name: string;
  readonly threads: number;
  readonly median: number;
  readonly medianRatio: number;
  readonly speedUpOfMedians: number;
  readonly heldMedian: number;
}

interface PoolResults extends Facts {
  readonly rounds: number;
  readonly workloads: Record<string, { label: string; synchronous: { median: number }; candidates: PoolCandidate[] }>;
}

interface KernelsResults extends Facts {
  readonly rounds: number;
  readonly builds: { name: string; blocksPerGroup: number }[];
  readonly kernels: Record<string, { medians: [number, number]; medianRatio: number }>;
}

interface CliResults extends Facts {
  readonly bytes: number;
  readonly rounds: number;
  readonly samples: Record<string, number[]>;
  readonly medianSeconds: Record<string, number>;
  readonly fastestSeconds: Record<string, number>;
  readonly medianCpuSeconds?: Record<string, number>;
  readonly medianRoundRatio?: { vsZerosSync: number; oneThreadVsZerosSync: number };
  readonly threads: number;
  readonly defaultThreads?: number;
  readonly peakRssBytes: number;
  readonly peakRssBytesOneThread: number;
}

interface HugeResults extends Facts {
  readonly bytes: number;
  readonly seconds: { nninit: number; zerosSync: number };
  readonly ratio: { vsZerosSync: number };
  readonly peakRssBytes: number;
}

/** Where the results files are read from (--results). */
let resultsFolder = RESULTS;

function read<T>(name: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(join(resultsFolder, `${name}.json`), 'utf8');
  } catch {
    return undefined;
  }
  // A file that is there but unreadable is an error, not "not measured".
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${join(resultsFolder, `${name}.json`)}: ${(error as Error).message}`);
  }
}

// ---- text ---------------------------------------------------------------------------------------------------------

const times = (ratio: number) => `${ratio.toFixed(2)}×`;
const ms = (milliseconds: number) => (milliseconds < 10 ? `${milliseconds.toFixed(2)} ms` : `${milliseconds.toFixed(1)} ms`);
const seconds = (value: number) => `${value.toFixed(3)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
/** The one-minute load average of a recorded os.loadavg(). */
const oneMinute = (load: Load | undefined) => (typeof load === 'string' ? Number(load.split(' ')[0]) : load?.[0]);
const loadOf = (facts: Facts) => {
  const during = [oneMinute(facts.load?.before), oneMinute(facts.load?.after)].filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return during.length ? `load average ${[...new Set(during.map((x) => x.toFixed(1)))].join('–')}` : 'load not recorded';
};
/** Where a figure comes from: the file, the run's date, rounds and load. */
const source = (name: string, facts: Facts, rounds?: number) =>
  `[${name}.json](bench/results/${name}.json), ${facts.date.slice(0, 10)}${rounds ? `, ${rounds} round${rounds === 1 ? '' : 's'}` : ''}, ${loadOf(facts)}`;
const code = (text: string) => `\`${text}\``;

interface Goal {
  readonly goal: string;
  readonly target: string;
  /** true or false: measured; a string: how it is checked otherwise; undefined: not measured. */
  readonly met?: boolean | string;
  readonly measured: string;
  /** The command that measured it. */
  readonly command: string;
  readonly source: string;
}

const NOT_MEASURED = (command: string) => ({ measured: 'not measured', command: code(command), source: '–' });

function samplerGoal(results: SamplersResults | undefined, family: string, label: string, torch: string, target: number): Goal {
  const goal = `${label} ≥ ${target}× PyTorch's \`${torch}\` (10⁶ float32, one thread)`;
  const entry = results?.families?.[family];
  if (!results || !entry) return { goal, target: `≥ ${target}×`, ...NOT_MEASURED('npm run bench:samplers') };
  // A run of another size (a quick one) is shown but does not decide the goal.
  const met = results.values === 1e6 ? entry.medianRatio >= target : `${results.values.toLocaleString('en')} values a call: not decided`;
  return {
    goal, target: `≥ ${target}×`, met,
    measured: `${times(entry.medianRatio)} (median of rounds; ${ms(entry.medians.nninit)} against ${ms(entry.medians.torch)})`,
    command: code(results.command ?? 'npm run bench:samplers'),
    source: source('samplers', results, results.rounds),
  };
}

function poolGoal(results: PoolResults | undefined, id: string, goal: string, target: number): Goal {
  const candidate = results?.workloads?.[id]?.candidates.find((c) => c.threads === 2);
  if (!results) return { goal, target: `≥ ${target}×`, ...NOT_MEASURED('npm run bench:pool') };
  if (!candidate) return { goal, target: `≥ ${target}×`, ...NOT_MEASURED('npm run bench:pool'), measured: 'not measured: the machine of pool.json has fewer than 2 cores' };
  const sync = results.workloads[id].synchronous.median;
  return {
    goal, target: `≥ ${target}×`, met: candidate.medianRatio >= target,
    measured: `${times(candidate.medianRatio)} (median of rounds; ${ms(candidate.median)} against ${ms(sync)} synchronously)`,
    command: code(results.command ?? 'npm run bench:pool'),
    source: source('pool', results, results.rounds),
  };
}

/** The per-round ratios of the GPT-2 run, from the file's own medians or, in older files, from its samples. */
function cliRatios(results: CliResults): { vsZerosSync: number; oneThreadVsZerosSync: number } | undefined {
  if (results.medianRoundRatio) return results.medianRoundRatio;
  const { nninit, nninitOneThread, zerosSync } = results.samples ?? {};
  if (!nninit?.length || nninit.length !== zerosSync?.length || nninitOneThread?.length !== zerosSync.length) return undefined;
  return {
    vsZerosSync: median(nninit.map((t, k) => t / zerosSync[k])),
    oneThreadVsZerosSync: median(nninitOneThread.map((t, k) => t / zerosSync[k])),
  };
}

/** GPT-2 small's two goals: time against writing zeros, and peak RSS; both for the threads the command uses by default. */
function cliGoals(results: CliResults | undefined): Goal[] {
  const time = '`nninit init examples/gpt2-small.json` (GPT-2 small, 497.8 MB float32) against Node writing as many zero bytes to the same disk and syncing them';
  const memory = 'peak RSS of that `nninit init examples/gpt2-small.json`';
  const ratios = results && cliRatios(results);
  if (!results || !ratios) {
    return [{ goal: time, target: '≤ 1.5×', ...NOT_MEASURED('npm run bench:cli') }, { goal: memory, target: '< 300 MB', ...NOT_MEASURED('npm run bench:cli') }];
  }
  // Threads `nninit init` uses by itself on the measuring machine (1: the main thread, the --threads 1 rows).
  const own = results.defaultThreads ?? (results.machine?.cores ? defaultThreads(results.machine.cores) : 1);
  const pool = results.threads;
  const mainThread = own === 1;
  const ratio = mainThread ? ratios.oneThreadVsZerosSync : ratios.vsZerosSync;
  const other = mainThread ? ratios.vsZerosSync : ratios.oneThreadVsZerosSync;
  const rss = mainThread ? results.peakRssBytesOneThread : results.peakRssBytes;
  const otherRss = mainThread ? results.peakRssBytes : results.peakRssBytesOneThread;
  const mine = `${mainThread ? '--threads 1' : `--threads ${pool}`}, the default there`;
  const theirs = mainThread ? `--threads ${pool}` : '--threads 1';
  const command = code(results.command ?? `npm run bench:cli -- --rounds ${results.rounds}`);
  const from = source('cli', results, results.rounds);
  return [
    {
      goal: time, target: '≤ 1.5×', met: ratio <= 1.5, command, source: from,
      measured: `${times(ratio)} with ${mine}; ${times(other)} with ${theirs} (medians of each round's ratio)`,
    },
    {
      goal: memory, target: '< 300 MB', met: rss < 300e6, command, source: from,
      measured: `${megabytes(rss)} with ${mine}; ${megabytes(otherRss)} with ${theirs}`,
    },
  ];
}

/** The 10 GB model's memory goal (bench/cli.ts --huge). */
function hugeGoal(results: HugeResults | undefined): Goal {
  const goal = 'peak RSS of `nninit init` writing a 10 GB model (synthetic, 8192×8192 float32 layers)';
  if (!results) return { goal, target: '< 300 MB', ...NOT_MEASURED('npm run bench:cli -- --huge 10GB') };
  const command = code(results.command ?? 'npm run bench:cli -- --huge 10GB');
  const measured = `${megabytes(results.peakRssBytes)} for ${(results.bytes / 1e9).toFixed(1)} GB; ${results.seconds.nninit.toFixed(1)} s, ${times(results.ratio.vsZerosSync)} the time of writing and syncing as many zeros`;
  // A smaller model does not show the goal.
  const met = results.bytes >= 10e9 ? results.peakRssBytes < 300e6 : 'a model under 10 GB: not decided';
  return { goal, target: '< 300 MB', met, measured, command, source: source('cli-huge', results) };
}

/** A goal no benchmark file records: the test that fails when it is missed. */
const testedGoal = (goal: string, target: string, test: string, measured: string): Goal =>
  ({ goal, target, met: 'checked by `npm test`', measured, command: code(`node --import tsx --test ${test}`), source: `[${test}](${test})` });

function goalsBlock(): string {
  const samplers = read<SamplersResults>('samplers');
  const pool = read<PoolResults>('pool');
  const cli = read<CliResults>('cli');
  const huge = read<HugeResults>('cli-huge');
  const goals: Goal[] = [
    samplerGoal(samplers, 'uniform', 'uniform', 'uniform_', 2.1),
    samplerGoal(samplers, 'normal', 'normal', 'normal_', 1.3),
    samplerGoal(samplers, 'truncatedNormal', 'truncated normal', 'trunc_normal_', 10),
    poolGoal(pool, 'heNormal-4096x4096-out', 'heNormal 4096×4096 (16M float32) on a pool of 2 threads against the synchronous call', 1.7),
    poolGoal(pool, 'initModel-gpt2-small', '`initModel` of GPT-2 small through a pool of 2 threads against the synchronous call', 1.7),
    testedGoal('a page keeps drawing frames while a pool computes `orthogonal([2048, 2048])` in headless Chromium, and gets Node\'s bytes',
      'largest frame gap < 100 ms', 'tests/pool-browser.test.ts', 'the test fails above 100 ms (it prints the gap, and the gap of the same call on the page\'s thread)'),
    ...cliGoals(cli),
    hugeGoal(huge),
  ];
  const met = (goal: Goal) => (goal.met === undefined ? '–' : typeof goal.met === 'string' ? goal.met : goal.met ? '**met**' : '**not met**');
  return [
    '| goal | target | met | measured | measured by | run |',
    '|---|---|---|---|---|---|',
    ...goals.map((g) => `| ${g.goal} | ${g.target} | ${met(g)} | ${g.measured} | ${g.command} | ${g.source} |`),
  ].join('\n');
}

function samplersBlock(): string {
  const results = read<SamplersResults>('samplers');
  if (!results) return '_Not measured: `npm run bench:samplers` writes bench/results/samplers.json._';
  const rows = Object.entries({ uniform: 'uniform', normal: 'normal', truncatedNormal: 'truncated normal' }).map(([family, label]) => {
    const entry = results.families[family];
    return entry ? `| ${label} | ${ms(entry.medians.nninit)} | ${ms(entry.medians.torch)} | ${times(entry.medianRatio)} |` : `| ${label} | – | – | – |`;
  });
  return [
    `${results.values.toLocaleString('en')} float32 per call, PyTorch ${results.versions?.torch ?? '?'} on one thread; ${source('samplers', results, results.rounds)}.`,
    '',
    '| sampler | nninit wasm | PyTorch | PyTorch / nninit (median of rounds) |',
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function poolBlock(): string {
  const results = read<PoolResults>('pool');
  if (!results) return '_Not measured: `npm run bench:pool` writes bench/results/pool.json._';
  const threads = [...new Set(Object.values(results.workloads).flatMap((w) => w.candidates.map((c) => c.threads)))];
  const rows = Object.values(results.workloads).map((w) => {
    const cells = threads.map((t) => {
      const c = w.candidates.find((candidate) => candidate.threads === t);
      return c ? `${ms(c.median)} (${times(c.medianRatio)})` : '–';
    });
    const widest = w.candidates[w.candidates.length - 1];
    return `| ${w.label} | ${ms(w.synchronous.median)} | ${cells.join(' | ')} | ${widest ? ms(widest.heldMedian) : '–'} |`;
  });
  return [
    `Medians, with the median of each round's speed-up over the synchronous call; "held" is how long a call of the widest pool kept the calling thread busy. ${source('pool', results, results.rounds)}.`,
    '',
    `| workload | synchronous | ${threads.map((t) => `pool ×${t}`).join(' | ')} | held (pool ×${threads[threads.length - 1]}) |`,
    `|---|---:|${threads.map(() => '---:').join('|')}|---:|`,
    ...rows,
  ].join('\n');
}

function kernelsBlock(): string {
  const results = read<KernelsResults>('kernels');
  if (!results) return '_Not measured: `npm run bench:kernels` writes bench/results/kernels.json._';
  const [shipped, candidate] = results.builds;
  const rows = Object.entries(results.kernels).map(([kernel, k]) =>
    `| \`${kernel}\` | ${k.medians[0].toFixed(3)} ms | ${k.medians[1].toFixed(3)} ms | ${times(k.medianRatio)} |`);
  return [
    `Milliseconds per 10⁶ values, the same bytes from both; ${source('kernels', results, results.rounds)}.`,
    '',
    `| kernel | shipped (${shipped.blocksPerGroup} blocks per group) | candidate (${candidate.blocksPerGroup} blocks) | shipped / candidate (median of rounds; above 1: the candidate is faster) |`,
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function cliBlock(): string {
  const results = read<CliResults>('cli');
  if (!results) return '_Not measured: `npm run bench:cli` writes bench/results/cli.json._';
  const m = results.medianSeconds, f = results.fastestSeconds, c = results.medianCpuSeconds ?? {};
  const cpu = (key: string) => (c[key] === undefined ? '' : seconds(c[key]));
  const row = (label: string, key: string, withCpu = false) => `| ${label} | ${seconds(m[key])} | ${seconds(f[key])} | ${withCpu ? cpu(key) : ''} |`;
  return [
    `| ${results.rounds} round${results.rounds === 1 ? '' : 's'}, ${loadOf(results)}, ${results.date.slice(0, 10)} ([cli.json](bench/results/cli.json)) | median | fastest round | CPU (median) |`,
    '|---|---:|---:|---:|',
    row(`\`nninit init examples/gpt2-small.json --threads ${results.threads}\` (child process, wall)`, 'nninit', true),
    row('— its own timing (plan, write, sync, rename)', 'internal'),
    row('`nninit init examples/gpt2-small.json --threads 1` (child process, wall)', 'nninitOneThread', true),
    row('the values alone, chunk by chunk into one buffer, no file (in-process, one thread)', 'valuesOnly'),
    row(`Node writing ${(results.bytes / 1e6).toFixed(1)} MB of zeros, then fsync (child process, wall)`, 'zerosSync', true),
    row(`Node writing ${(results.bytes / 1e6).toFixed(1)} MB of zeros, page cache only (child process, wall)`, 'zeros'),
  ].join('\n');
}

const BLOCKS: Record<string, () => string> = { goals: goalsBlock, samplers: samplersBlock, pool: poolBlock, kernels: kernelsBlock, cli: cliBlock };

/** README text with every marked block regenerated. */
function regenerate(readme: string): string {
  let text = readme;
  for (const [name, make] of Object.entries(BLOCKS)) {
    const open = `<!-- bench:${name} -->`, close = `<!-- /bench:${name} -->`;
    const start = text.indexOf(open), end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} ... ${close} block`);
    text = `${text.slice(0, start + open.length)}\n${make()}\n${text.slice(end)}`;
  }
  return text;
}

function main(): void {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false }, results: { type: 'string' }, readme: { type: 'string' } },
  });
  if (values.results) resultsFolder = resolve(values.results);
  const path = values.readme ? resolve(values.readme) : join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const next = regenerate(readme);
  if (values.check) {
    if (next !== readme) {
      console.error(`${path}: the generated speed tables differ from ${resultsFolder}: run npm run bench:goals`);
      process.exitCode = 1;
    }
    return;
  }
  if (next !== readme) writeFileSync(path, next);
  console.log(next === readme ? `${path} is up to date` : `${path}: speed tables regenerated from ${resultsFolder}`);
}

main();
