// The benchmark harness end to end in its smoke mode (tiny sizes, millisecond budgets): the files it writes
// have the documented shape. Speed is never asserted here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BenchReport, CandidateResult } from '../bench/results.js';
import { FAMILIES } from '../bench/workloads.js';

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

test('bench/run.ts --smoke writes latest.json, benchmarks.md and a valid benchmarks.svg', { timeout: 55_000 }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'nninit-bench-'));
  try {
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
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

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

test('bench/samplers.ts records every call of nninit and PyTorch, and the ratios', { skip: torchMissing, timeout: 60_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'nninit-bench-'));
  try {
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
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('bench/kernels.ts compiles the 16-block candidate, finds it writes the shipped kernels\' bytes, and records both', { timeout: 60_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'nninit-bench-'));
  try {
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
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
