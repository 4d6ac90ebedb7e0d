// The benchmark harness end to end in its smoke mode (tiny sizes, millisecond budgets): the files it writes
// have the documented shape. Speed is never asserted here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BenchReport, CandidateResult } from '../bench/results.js';
import { FAMILIES } from '../bench/workloads.js';
import { withFolder } from './cli-helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GROUPS = ['nninit', 'plain JS', 'TF.js', 'native', 'limit'];

function assertCandidateShape(result: CandidateResult, where: string): void {
  assert.equal(typeof result.candidate, 'string', where);
  assert.ok(GROUPS.includes(result.group), `${where}: group ${result.group}`);
  if (result.median === null) {
    assert.equal(typeof result.capSeconds, 'number', `${where}: a missing median needs a cap`);
  } else {
    for (const key of ['median', 'min', 'max', 'valuesPerSecond'] as const) {
      assert.ok(Number.isFinite(result[key]) && (result[key] as number) >= 0, `${where}: ${key} ${result[key]}`);
    }
    assert.ok(result.min! <= result.median && result.median <= result.max!, `${where}: min <= median <= max`);
    assert.ok(Number.isInteger(result.samples) && result.samples >= 1, `${where}: samples ${result.samples}`);
  }
  assert.ok(Number.isInteger(result.threads) && result.threads >= 1, `${where}: threads ${result.threads}`);
  assert.ok([true, false, null].includes(result.sanity.ok), `${where}: sanity.ok ${result.sanity.ok}`);
  assert.equal(typeof result.sanity.detail, 'string', where);
}

test('bench/run.ts --smoke writes latest.json, benchmarks.md and a valid benchmarks.svg', { timeout: 55_000 }, withFolder(async (outDir) => {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out-dir', outDir], {
    cwd: ROOT,
    timeout: 50_000,
    maxBuffer: 16 * 2 ** 20,
  });

  const report = JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8')) as BenchReport;
  assert.equal(report.mode, 'smoke');
  assert.ok(!Number.isNaN(Date.parse(report.date)) && report.date.endsWith('Z'), `date ${report.date}`);
  assert.ok(report.durationSeconds > 0);
  assert.equal(typeof report.machine.cpu, 'string');
  assert.ok(report.machine.cores >= 1 && report.machine.totalMemoryBytes > 0);
  assert.match(report.machine.node, /^v\d+\./);
  assert.equal(typeof report.machine.os, 'string');
  assert.equal(typeof report.machine.v8, 'string');
  for (const key of ['nninit', 'tinybench', 'tfjs', 'tfjsBackendWasm', 'seedrandom'] as const) {
    assert.match(report.versions[key], /^\d+\.\d+/, `versions.${key}`);
  }
  assert.ok(Array.isArray(report.notes));
  assert.deepEqual(report.families, [...FAMILIES]);

  assert.ok(report.workloads.length >= FAMILIES.length - 1, 'one workload per family (orthogonal may be skipped)');
  for (const workload of report.workloads) {
    assert.ok((FAMILIES as readonly string[]).includes(workload.family), workload.id);
    assert.equal(workload.values, workload.shape.reduce((a, b) => a * b, 1), workload.id);
    assert.ok(workload.expectedStd > 0, workload.id);
    const names = workload.results.map((result) => result.candidate);
    assert.ok(names.includes('nninit wasm') && names.includes('nninit js'), `${workload.id}: ${names.join(', ')}`);
    assert.ok(names.includes('nninit pool ×1'), `${workload.id}: the worker pool, ${names.join(', ')}`);
    assert.ok(workload.results.some((result) => result.group === 'limit'), `${workload.id}: the fill ceiling`);
    for (const result of workload.results) assertCandidateShape(result, `${workload.id} ${result.candidate}`);
  }

  const markdown = readFileSync(join(outDir, 'benchmarks.md'), 'utf8');
  assert.match(markdown, /^\| workload \| candidate \| median \| min–max \| values\/s \| threads \|/m);
  assert.match(markdown, /^\| {2}\| nninit pool ×1 \| .* \| 1 \|/m, 'the pool rows, with their threads');
  assert.match(markdown, /\(benchmarks\.svg\)/);

  const svg = readFileSync(join(outDir, 'benchmarks.svg'), 'utf8');
  assert.equal(XMLValidator.validate(svg), true);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg) as Record<string, { '@_xmlns'?: string }>;
  assert.deepEqual(Object.keys(parsed), ['svg']);
  assert.equal(parsed.svg['@_xmlns'], 'http://www.w3.org/2000/svg');
  assert.doesNotMatch(svg, /<script|<foreignObject|@import|href="http/i, 'plain SVG for GitHub: no scripts, no external resources');
}));

const run = promisify(execFile);
const torchMissing = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : 'PyTorch (/usr/bin/python3 with torch) is not installed';

/** The facts every results file records beside its measurements (bench/record.ts). */
function assertFacts(report: Record<string, unknown>, name: string): void {
  assert.equal(report.benchmark, name);
  assert.ok(!Number.isNaN(Date.parse(report.date as string)), 'date');
  assert.ok(report.commit === null || /^[0-9a-f]{40}(\+modified)?$/.test(report.commit as string), `commit ${report.commit}`);
  const load = report.load as { before: number[]; after: number[] };
  assert.equal(load.before.length, 3, 'os.loadavg() at the start');
  assert.equal(load.after.length, 3, 'and at the end');
  assert.match((report.versions as Record<string, string>).node, /^v\d+/);
  assert.equal(typeof report.command, 'string');
}

test('bench/samplers.ts records every call of nninit and PyTorch, and the ratios', { skip: torchMissing, timeout: 60_000 }, withFolder(async (folder) => {
  const out = join(folder, 'samplers.json');
  await run(process.execPath, ['--import', 'tsx', 'bench/samplers.ts', '1', '10000', '--out', out], { cwd: ROOT, timeout: 55_000 });
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assertFacts(report, 'samplers');
  assert.match(report.versions.torch, /^\d+\.\d+/);
  assert.deepEqual(Object.keys(report.families), ['uniform', 'normal', 'truncatedNormal']);
  for (const family of Object.values(report.families) as { nninit: number[]; torch: number[]; ratios: number[] }[]) {
    assert.equal(family.nninit.length, 10);
    assert.equal(family.torch.length, 10);
    assert.equal(family.ratios.length, 1);
  }
}));

test('bench/kernels.ts compiles the 16-block candidate, finds it writes the shipped kernels\' bytes, and records both', { timeout: 60_000 }, withFolder(async (folder) => {
  const out = join(folder, 'kernels.json');
  await run(process.execPath, ['--import', 'tsx', 'bench/kernels.ts', '--rounds', '2', '--out', out], { cwd: ROOT, timeout: 55_000 });
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assertFacts(report, 'kernels');
  assert.deepEqual(report.builds.map((b: { blocksPerGroup: number }) => b.blocksPerGroup), [8, 16]);
  assert.deepEqual(Object.keys(report.kernels), ['fillBits', 'fillUniform']);
  for (const kernel of Object.values(report.kernels) as { samples: number[][]; ratios: number[]; medianRatio: number }[]) {
    assert.equal(kernel.samples[0].length, 2);
    assert.equal(kernel.ratios.length, 2);
    assert.ok(kernel.medianRatio > 0);
  }
}));

test("README's speed tables are what bench/goals.ts makes of the committed bench/results", async () => {
  // Exits 1 when a table was edited by hand or a results file changed without `npm run bench:goals`.
  await run(process.execPath, ['--import', 'tsx', 'bench/goals.ts', '--check'], { cwd: ROOT });
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const goals = /<!-- bench:goals -->\n([\s\S]*?)\n<!-- \/bench:goals -->/.exec(readme)?.[1] ?? '';
  for (const goal of ['`uniform_`', '`normal_`', '`trunc_normal_`', 'heNormal 4096×4096', '`initModel` of GPT-2 small', 'headless Chromium', '`nninit init examples/gpt2-small.json`', 'a 10 GB model']) {
    assert.ok(goals.includes(goal), `the goals table lists ${goal}`);
  }
});

test('bench/goals.ts decides each goal from the results files: met, not met, not measured, and not decided by a run of another size', withFolder(async (folder) => {
  const facts = { date: '2026-01-02T03:04:05.000Z', commit: null, load: { before: [1.25, 1, 1], after: [2.5, 1, 1] }, machine: { cores: 2 } };
  const family = (nninit: number, ratio: number) => ({ medians: { nninit, torch: nninit * ratio }, medianRatio: ratio, ratios: [ratio] });
  const write = (name: string, body: object) => writeFileSync(join(folder, `${name}.json`), JSON.stringify({ ...facts, ...body }));
  write('samplers', {
    command: 'bench/samplers.ts 40 1000000', values: 1e6, rounds: 40, versions: { torch: '1.13' },
    families: { uniform: family(1.3, 2.2), normal: family(2.4, 1.29), truncatedNormal: family(3.5, 11) },
  });
  const candidate = (threads: number, ratio: number) => ({ name: `pool ×${threads}`, threads, median: 100 / ratio, medianRatio: ratio, speedUpOfMedians: ratio, heldMedian: 1 });
  write('pool', {
    command: 'bench/pool.ts 15', rounds: 15,
    workloads: {
      'heNormal-4096x4096-out': { label: 'heNormal', synchronous: { median: 100 }, candidates: [candidate(1, 1), candidate(2, 1.8)] },
      'initModel-gpt2-small': { label: 'initModel', synchronous: { median: 100 }, candidates: [candidate(1, 1), candidate(2, 1.6)] },
    },
  });
  // No medianRoundRatio (an older file): the per-round ratios come from the samples; 2 cores: the main thread by default.
  write('cli', {
    bytes: 497773896, rounds: 3, threads: 2,
    samples: { nninit: [1, 1, 1], nninitOneThread: [0.5, 0.7, 0.6], zerosSync: [0.5, 0.5, 0.4] },
    medianSeconds: { nninit: 1, nninitOneThread: 0.6, zerosSync: 0.5, zeros: 0.4, valuesOnly: 0.3, internal: 0.9 },
    fastestSeconds: { nninit: 1, nninitOneThread: 0.5, zerosSync: 0.4, zeros: 0.3, valuesOnly: 0.3, internal: 0.8 },
    peakRssBytes: 320e6, peakRssBytesOneThread: 90e6,
  });
  write('cli-huge', { command: 'bench/cli.ts --huge 64MB', bytes: 64e6, seconds: { nninit: 1, zerosSync: 0.5 }, ratio: { vsZerosSync: 2 }, peakRssBytes: 80e6 });
  const readme = join(folder, 'README.md');
  writeFileSync(readme, ['goals', 'samplers', 'pool', 'kernels', 'cli'].map((name) => `<!-- bench:${name} -->\nold\n<!-- /bench:${name} -->\n`).join('\ntext\n'));
  await run(process.execPath, ['--import', 'tsx', 'bench/goals.ts', '--results', folder, '--readme', readme], { cwd: ROOT });
  const text = readFileSync(readme, 'utf8');
  const row = (start: string) => text.split('\n').find((line) => line.startsWith(`| ${start}`))?.split(' | ') ?? [];
  assert.deepEqual(row('uniform ≥').slice(2, 4), ['**met**', '2.20× (median of rounds; 1.30 ms against 2.86 ms)']);
  assert.equal(row('normal ≥')[2], '**not met**', '1.29× is short of 1.3×');
  assert.equal(row('truncated normal ≥')[2], '**met**');
  assert.equal(row('heNormal 4096')[2], '**met**');
  assert.equal(row('`initModel`')[2], '**not met**');
  const time = row('`nninit init examples/gpt2-small.json`');
  assert.equal(time[2], '**met**', 'median of 0.5/0.5, 0.7/0.5, 0.6/0.4: 1.4× with --threads 1');
  assert.match(time[3], /^1\.40× with --threads 1, the default there; 2\.00× with --threads 2/);
  assert.equal(time[4], '`npm run bench:cli -- --rounds 3`', 'the command, where the file does not record it');
  assert.match(time[5], /load average 1\.3–2\.5/);
  assert.deepEqual(row('peak RSS of that').slice(2, 4), ['**met**', '90 MB with --threads 1, the default there; 320 MB with --threads 2']);
  assert.equal(row('peak RSS of `nninit init` writing a 10 GB')[2], 'a model under 10 GB: not decided');
  assert.match(text, /<!-- bench:kernels -->\n_Not measured: `npm run bench:kernels` writes bench\/results\/kernels\.json\._\n<!-- \/bench:kernels -->/);
  assert.doesNotMatch(text, /\nold\n/, 'every block regenerated');
  assert.match(text, /\ntext\n/, 'the text between blocks kept');
  // --check passes on what it just wrote, and fails once a figure is edited by hand.
  await run(process.execPath, ['--import', 'tsx', 'bench/goals.ts', '--check', '--results', folder, '--readme', readme], { cwd: ROOT });
  writeFileSync(readme, text.replace('2.20×', '2.30×'));
  await assert.rejects(run(process.execPath, ['--import', 'tsx', 'bench/goals.ts', '--check', '--results', folder, '--readme', readme], { cwd: ROOT }));
}));
