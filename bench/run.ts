// The nninit benchmark: every initializer family at two or more sizes, against plain JavaScript, TF.js,
// PyTorch, numpy and the fill ceiling, side by side in one run.
//
//   node --import tsx bench/run.ts [--quick] [--only normal,orthogonal] [--out-dir DIR]
//
// Writes DIR/latest.json (default bench/results; its shape is in bench/results.ts and docs/benchmarks.md),
// and benchmarks.md and benchmarks.svg: into docs/ after a full run of every family, else next to the JSON.
// --smoke is the test suite's run: tiny sizes and time budgets, numbers meaningless.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import * as tf from '@tensorflow/tfjs';
import { version_wasm as tfjsBackendWasmVersion } from '@tensorflow/tfjs-backend-wasm';
import type { Candidate } from './candidates/candidate.js';
import { fillCandidate } from './candidates/limit.js';
import { measureNative, type NativeRun } from './candidates/native.js';
import { hasOrthogonal, nninitCandidates } from './candidates/nninit.js';
import { plainJsCandidates } from './candidates/plainjs.js';
import { closePools, poolCandidates } from './candidates/pool.js';
import { measureTfjsOrthogonal, tfjsCandidates, TFJS_BACKENDS } from './candidates/tfjs.js';
import { consoleTable, markdown, orderedResults, svgChart } from './report.js';
import { candidateResult, type BenchReport, type CandidateResult, type Machine, type Versions, type WorkloadResult } from './results.js';
import { commit, machine, nninitVersion, packageVersion, ROOT } from './record.js';
import { checkOrthogonality, checkStd, NOT_A_SAMPLER, orthogonalityError, standardDeviation, type Sanity } from './sanity.js';
import { FAMILIES, TFJS_ORTHOGONAL_CAP_SECONDS, workloadsFor, type Family, type Mode, type Workload } from './workloads.js';

interface Cli {
  readonly mode: Mode;
  readonly families: readonly Family[];
  /** Where everything goes; undefined: the JSON to bench/results, Markdown and SVG per the header comment. */
  readonly outDir: string | undefined;
}

const USAGE = `usage: node --import tsx bench/run.ts [--quick] [--only ${FAMILIES.join(',')}] [--out-dir DIR]`;

function parseCli(argv: readonly string[]): Cli {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'quick': { type: 'boolean', default: false },
      'smoke': { type: 'boolean', default: false },
      'only': { type: 'string' },
      'out-dir': { type: 'string' },
    },
  });
  const families = values.only === undefined ? FAMILIES : values.only.split(',').map((name) => name.trim());
  const unknown = families.filter((name) => !(FAMILIES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown workload famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}`);
  return {
    mode: values.smoke ? 'smoke' : values.quick ? 'quick' : 'full',
    families: FAMILIES.filter((family) => families.includes(family)),
    outDir: values['out-dir'],
  };
}

// ---- measuring -------------------------------------------------------------------------------------------------

function check(candidate: Candidate, workload: Workload): Sanity {
  if (candidate.group === 'limit') return NOT_A_SAMPLER;
  const output = candidate.output();
  if (workload.family === 'orthogonal') return checkOrthogonality(orthogonalityError(output, workload.shape[0]));
  return checkStd(standardDeviation(output), workload.expectedStd);
}

/** The in-process candidates, one tinybench task each; every task's last output is checked after its timed calls. */
async function benchmark(workload: Workload, candidates: readonly Candidate[]): Promise<CandidateResult[]> {
  const bench = new Bench({ ...workload.timing, throws: false });
  const sanity = new Map<string, Sanity>();
  for (const candidate of candidates) {
    bench.add(candidate.name, candidate.run, {
      async: candidate.async === true,
      beforeAll: async () => { await candidate.before?.(); },
      afterAll: (mode) => {
        candidate.after?.();
        if (mode === 'run') sanity.set(candidate.name, check(candidate, workload));
      },
    });
  }
  await bench.run();
  return bench.tasks.map((task, index) => {
    const { name, group, threads = 1 } = candidates[index];
    const result = task.result;
    if (result.state === 'completed') {
      const { p50, min, max, samplesCount } = result.latency;
      const timings = { median: p50, min, max, samples: samplesCount };
      return candidateResult(name, group, workload.values, timings, sanity.get(name) ?? { ok: null, detail: 'not checked' }, { threads });
    }
    const error = result.state === 'errored' ? result.error.message : `tinybench ended in state ${result.state}`;
    return candidateResult(name, group, workload.values, null, { ok: false, detail: `✗ ${error}` }, { error, threads });
  });
}

async function measureWorkload(workload: Workload, mode: Mode): Promise<CandidateResult[]> {
  const buffer = new Float32Array(workload.values);
  const candidates = [
    ...nninitCandidates(workload, buffer),
    ...poolCandidates(workload),
    ...plainJsCandidates(workload, buffer),
    ...tfjsCandidates(workload),
    fillCandidate(buffer),
  ];
  const results = await benchmark(workload, candidates);
  if (workload.family === 'orthogonal') {
    for (const backend of TFJS_BACKENDS) {
      results.push(await measureTfjsOrthogonal(workload, backend, TFJS_ORTHOGONAL_CAP_SECONDS[mode]));
    }
  }
  return results;
}

// ---- facts about the run -----------------------------------------------------------------------------------------

function versions(native: NativeRun['versions']): Versions {
  return {
    nninit: nninitVersion(),
    // Marked when src/ or assembly/ differ from HEAD: dist/, which is measured, is built from them.
    nninitCommit: commit(['src', 'assembly']),
    // tinybench and seedrandom are imported by the benchmark, so installed.
    tinybench: packageVersion('tinybench')!,
    tfjs: tf.version.tfjs,
    tfjsBackendWasm: tfjsBackendWasmVersion,
    seedrandom: packageVersion('seedrandom')!,
    ...native,
  };
}

// ---- output ------------------------------------------------------------------------------------------------------

function writeAtomically(path: string, content: string): void {
  const temporary = path.replace(/\.json$/, '.tmp.json');
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** Writes the three files; returns their paths. */
function writeOutputs(report: BenchReport, cli: Cli): string[] {
  const resultsDir = cli.outDir ?? join(ROOT, 'bench', 'results');
  const fullRun = report.mode === 'full' && report.families.length === FAMILIES.length;
  const docsDir = cli.outDir ?? (fullRun ? join(ROOT, 'docs') : resultsDir);
  mkdirSync(resultsDir, { recursive: true });
  mkdirSync(docsDir, { recursive: true });
  const json = join(resultsDir, 'latest.json');
  const md = join(docsDir, 'benchmarks.md');
  const svg = join(docsDir, 'benchmarks.svg');
  writeAtomically(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, markdown(report, 'benchmarks.svg'));
  writeFileSync(svg, svgChart(report));
  return [json, md, svg];
}

// ---- main --------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const date = new Date().toISOString();
  const loadBefore = os.loadavg();
  const started = performance.now();
  const notes: string[] = [];

  let workloads = workloadsFor(cli.mode, cli.families);
  if (cli.families.includes('orthogonal') && !hasOrthogonal()) {
    notes.push('nninit.orthogonal is not in this build of nninit: orthogonal workloads skipped');
    workloads = workloads.filter((workload) => workload.family !== 'orthogonal');
  }
  console.log(`nninit benchmark, ${cli.mode} mode: ${workloads.length} workloads on ${machine().cpu}`);
  for (const note of notes) console.log(`note: ${note}`);

  const measured = new Map<string, CandidateResult[]>();
  for (const [index, workload] of workloads.entries()) {
    const workloadStart = performance.now();
    measured.set(workload.id, await measureWorkload(workload, cli.mode));
    console.log(`[${index + 1}/${workloads.length}] ${workload.label} (${((performance.now() - workloadStart) / 1000).toFixed(1)} s)`);
  }

  await closePools();

  console.log('PyTorch and numpy (bench/native.py):');
  const native = await measureNative(workloads);
  for (const note of native.notes) console.log(`note: ${note}`);
  notes.push(...native.notes);

  const workloadResults: WorkloadResult[] = workloads.map(({ id, family, label, shape, values, expectedStd }) => ({
    id, family, label, shape, values, expectedStd,
    results: orderedResults([...(measured.get(id) ?? []), ...(native.results.get(id) ?? [])]),
  }));
  const report: BenchReport = {
    date,
    mode: cli.mode,
    families: cli.families,
    durationSeconds: (performance.now() - started) / 1000,
    load: { before: loadBefore, after: os.loadavg() },
    machine: { ...machine(), node: process.version, v8: process.versions.v8 } satisfies Machine,
    versions: versions(native.versions),
    notes,
    workloads: workloadResults,
  };

  console.log(`\n${consoleTable(report)}\n`);
  const written = writeOutputs(report, cli);
  console.log(`${(report.durationSeconds / 60).toFixed(1)} min; wrote ${written.map((path) => relative(process.cwd(), path)).join(', ')}`);
}

await main();
