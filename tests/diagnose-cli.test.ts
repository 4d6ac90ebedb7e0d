// nninit diagnose: a spec in, the plots and the report out, the table and warnings (naming layers) on stdout or as
// JSON; a checkpoint's own weights probed with its spec; every bad input exits 2 naming the file or flag before
// anything is written, and no temporary file is left behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { initModel, probe, type ModelSpecInput } from 'nninit';
import { run } from '../dist/cli/program.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await run(argv, { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; }, isTTY: false } });
  return { code, stdout, stderr };
}

function withFolder(body: (folder: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nninit-diagnose-'));
    try {
      await body(folder);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
}

/** 12 tanh layers of width 48: steady with the activation policy (Xavier), vanishing with N(0, 0.01²). */
const DEEP: ModelSpecInput = {
  seed: 9,
  layers: Array.from({ length: 12 }, (_, i) => ({ type: 'dense', name: `fc${i + 1}`, in: 48, out: 48, activation: 'tanh' })) as never,
};

test('a spec in: the table and warnings on stdout, the plots and a report naming the layers written', withFolder(async (folder) => {
  const spec = join(folder, 'deep.json');
  writeFileSync(spec, JSON.stringify(DEEP));
  const plot = join(folder, 'deep.svg'), report = join(folder, 'deep.md');
  const result = await cli('diagnose', spec, '--rule', '**.weight=normal(std=0.01)', '--batch', '64', '--plot', plot, '--report', report);
  assert.equal(result.code, 0, result.stderr);
  // The same probe run by the library gives the warnings the command prints and reports.
  const expected = probe(DEEP, { batch: 64, rules: [{ match: '**.weight', init: 'normal', std: 0.01 }] });
  assert.ok(expected.warnings.length > 0);
  assert.equal(expected.warnings[0].kind, 'vanishing');
  for (const w of expected.warnings) {
    assert.ok(result.stdout.includes(w.message), `stdout has: ${w.message}`);
  }
  assert.match(result.stdout, /^nninit diagnose .*deep\.json: 12 layers, batch 64, seed 9/);
  for (const layer of expected.layers) assert.match(result.stdout, new RegExp(`\\b${layer.name}\\s+dense\\s+tanh\\s+normal`));
  assert.match(result.stdout, new RegExp(`wrote ${plot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, `));

  const svg = readFileSync(plot, 'utf8');
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /Activation std per layer/);
  // The std line carries the report's numbers: the input's, then every layer's.
  const values = /data-y="([^"]+)"/.exec(svg)![1].split(',').map(Number);
  assert.deepEqual(values, [expected.input.std, ...expected.layers.map((l) => l.post.std)].map((v) => Number(v.toPrecision(5))));

  const markdown = readFileSync(report, 'utf8');
  assert.match(markdown, /^# nninit diagnose: /);
  assert.match(markdown, /!\[[^\]]*\]\(deep\.svg\)/, 'the report shows the plot beside it');
  for (const w of expected.warnings) assert.ok(markdown.includes(`- **${w.kind}** at \`${w.layer}\`: ${w.message}`), w.message);
  for (const layer of expected.layers) assert.match(markdown, new RegExp(`^\\| \\d+ \\| \`${layer.name}\` \\| dense \\| tanh \\|`, 'm'));
  assert.deepEqual(readdirSync(folder).sort(), ['deep.json', 'deep.md', 'deep.svg']);
}));

test('--json prints the report; --report alone puts the plots beside it; a steady network has no warnings', withFolder(async (folder) => {
  const spec = join(folder, 'deep.json');
  writeFileSync(spec, JSON.stringify(DEEP));
  const result = await cli('diagnose', spec, '--json', '--batch', '32', '--seed', '4', '--report', join(folder, 'out.md'));
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout);
  const expected = probe(DEEP, { batch: 32, seed: 4 });
  assert.equal(parsed.report.seed, '4');
  assert.deepEqual(parsed.report.layers.map((l: { post: { std: number } }) => l.post.std), expected.layers.map((l) => l.post.std));
  assert.deepEqual(parsed.report.warnings, []);
  assert.deepEqual(parsed.files, [join(folder, 'out.svg'), join(folder, 'out.md')]);
  assert.match(readFileSync(join(folder, 'out.md'), 'utf8'), /## Warnings\n\nNone: /);
  assert.deepEqual(readdirSync(folder).sort(), ['deep.json', 'out.md', 'out.svg']);
  // Nothing asked to be written: nothing is.
  const quiet = await cli('diagnose', spec, '--batch', '16');
  assert.equal(quiet.code, 0);
  assert.doesNotMatch(quiet.stdout, /wrote/);
  assert.deepEqual(readdirSync(folder).sort(), ['deep.json', 'out.md', 'out.svg']);
}));

test('a checkpoint with --spec: its own weights are probed, as the library probes them', withFolder(async (folder) => {
  const spec = join(folder, 'deep.json');
  writeFileSync(spec, JSON.stringify(DEEP));
  const checkpoint = join(folder, 'deep.safetensors');
  assert.equal((await cli('init', spec, '-o', checkpoint, '--seed', '11', '-q')).code, 0);
  const result = await cli('diagnose', checkpoint, '--spec', spec, '--seed', '11', '--batch', '32', '--json');
  assert.equal(result.code, 0, result.stderr);
  const expected = probe({ spec: DEEP, weights: initModel(DEEP, { seed: 11 }) }, { seed: 11, batch: 32 });
  const parsed = JSON.parse(result.stdout);
  assert.deepEqual(parsed.report.layers.map((l: { post: { std: number } }) => l.post.std), expected.layers.map((l) => l.post.std));
  assert.deepEqual(parsed.report.layers.map((l: { gradientInputStd: number }) => l.gradientInputStd), expected.layers.map((l) => l.gradientInputStd));
  assert.equal(parsed.spec, spec);
}));

test('bad input exits 2 naming the file or flag, before anything is written', withFolder(async (folder) => {
  const spec = join(folder, 'deep.json');
  writeFileSync(spec, JSON.stringify(DEEP));
  writeFileSync(join(folder, 'broken.json'), '{ "layers": [');
  writeFileSync(join(folder, 'bad-layer.json'), JSON.stringify({ layers: [{ type: 'dense', name: 'a', in: 4, out: -1 }] }));
  assert.equal((await cli('init', spec, '-o', join(folder, 'w.safetensors'), '--seed', '1', '-q')).code, 0);
  const before = readdirSync(folder).sort();
  const plot = join(folder, 'p.svg'), report = join(folder, 'r.md');
  const cases: [string[], RegExp][] = [
    [[spec, '--batch', 'ten', '--plot', plot], /--batch: expected a positive integer, got "ten"/],
    [[spec, '--batch', '0', '--report', report], /--batch: expected a positive integer/],
    [[spec, '--plot', join(folder, 'p.png')], /--plot .*p\.png: expected a file name ending in \.svg/],
    [[spec, '--report', join(folder, 'missing', 'r.md')], /--report .*r\.md: the folder .*missing does not exist/],
    [[spec, '--plot', join(folder, 'x.svg'), '--report', join(folder, 'x.md'), '--seed', '-3'], /--seed: expected an integer/],
    [[spec, '--rule', 'nothing', '--plot', plot], /--rule nothing: expected GLOB=INIT/],
    [[spec, '--rule', 'fc99.weight=zeros', '--plot', plot], /--rule fc99\.weight=zeros/],
    [[spec, '--policy', 'nonsense', '--plot', plot], /--policy: expected one of/],
    [[spec, '--policy', 'model', '--plot', plot], /--policy model: applies to TF.js model files/],
    [[join(folder, 'broken.json'), '--plot', plot], /broken\.json: the spec is not valid JSON/],
    [[join(folder, 'bad-layer.json'), '--plot', plot], /bad-layer\.json: layers\[0\]\.out/],
    [[join(folder, 'none.json'), '--plot', plot], /none\.json: cannot read the input: no such file/],
    [[join(folder, 'w.safetensors'), '--plot', plot], /w\.safetensors: a checkpoint's tensors do not say how its layers connect.*--spec/],
    [[join(folder, 'w.safetensors'), '--spec', spec, '--policy', 'pytorch', '--plot', plot], /--policy: initializes a spec; .*w\.safetensors has its weights already/],
    [[spec, '--spec', spec, '--plot', plot], /--spec: applies to \.safetensors inputs/],
    [[join(folder, 'model.onnx'), '--plot', plot], /model\.onnx: unknown input type/],
  ];
  for (const [args, message] of cases) {
    const result = await cli('diagnose', ...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.equal(result.stdout, '');
    assert.deepEqual(readdirSync(folder).sort(), before, `${args.join(' ')}: nothing written, no temporary file left`);
  }
  // A checkpoint whose spec names a tensor it does not hold.
  const other = join(folder, 'other.json');
  writeFileSync(other, JSON.stringify({ layers: [{ type: 'dense', name: 'head', in: 48, out: 2 }] }));
  const missing = await cli('diagnose', join(folder, 'w.safetensors'), '--spec', other, '--plot', plot);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /w\.safetensors \(with --spec .*other\.json\): the model has no parameter "head\.weight"/);
  // The executable's own exit code.
  const bin = spawnSync(process.execPath, [BIN, 'diagnose', spec, '--batch', 'x'], { encoding: 'utf8' });
  assert.equal(bin.status, 2);
  assert.match(bin.stderr, /--batch/);
}));
