// nninit diagnose: a spec in, the plots and the report out, the table and warnings (naming layers) on stdout or as
// JSON; a checkpoint's own weights probed with its spec; every bad input exits 2 naming the file or flag before
// anything is written, and no temporary file is left behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { initModel, probe, type ModelSpecInput } from 'nninit';
import { cli, withFolder } from './cli-helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

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

test('--spatial, --steps, --bins and --range reach the probe; an extent the spec cannot give names --spatial', withFolder(async (folder) => {
  // A conv2d whose flattening dense layer takes 20 values: 4 channels x 5 positions, which no square extent gives.
  const odd = join(folder, 'odd.json');
  const spec = { seed: 3, layers: [{ type: 'conv2d', name: 'c', in: 3, out: 4, kernel: 3, activation: 'relu' }, { type: 'dense', name: 'd', in: 20, out: 2 }] };
  writeFileSync(odd, JSON.stringify(spec));
  const refused = await cli('diagnose', odd, '--batch', '4');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /odd\.json: layers\[1\] \(d\): in = 20 does not match .*; pass the input's extent as --spatial$/m);
  assert.doesNotMatch(refused.stderr, /options\./);
  const result = await cli('diagnose', odd, '--batch', '4', '--spatial', '1x5', '--bins', '8', '--range', '-1,1', '--json');
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout);
  const expected = probe(spec as ModelSpecInput, { batch: 4, spatial: [1, 5], bins: 8, range: [-1, 1], singularValues: 256 });
  assert.deepEqual(parsed.report.layers[0].histogram, expected.layers[0].histogram);
  assert.equal(parsed.report.layers[0].histogram.counts.length, 8);
  assert.equal(parsed.report.layers[0].histogram.low, -1);
  // A recurrent network's steps.
  const rnn = join(folder, 'rnn.json');
  writeFileSync(rnn, JSON.stringify({ seed: 2, layers: [{ type: 'lstm', name: 'l', in: 3, units: 4 }] }));
  const steps = JSON.parse((await cli('diagnose', rnn, '--batch', '2', '--steps', '5', '--json')).stdout);
  assert.equal(steps.report.layers[0].post.nonFinite, 0);
  assert.equal(steps.report.layers[0].histogram.counts.reduce((a: number, b: number) => a + b, 0) + steps.report.layers[0].histogram.zeros
    + steps.report.layers[0].histogram.below + steps.report.layers[0].histogram.above, 2 * 5 * 4);
  for (const [args, message] of [
    [['--spatial', '0x5'], /--spatial: expected one to three positive integers such as 32, 28x28 or 4x4x4, got "0x5"/],
    [['--spatial', '2x2x2x2'], /--spatial: expected one to three positive integers/],
    [['--range', '3,-3'], /--range: expected LOW,HIGH with LOW < HIGH, such as -3,3, got "3,-3"/],
    [['--range', '1'], /--range: expected LOW,HIGH/],
    [['--bins', '0'], /--bins: expected a positive integer, got "0"/],
    [['--singular-values', 'some'], /--singular-values: expected a positive integer, 0 or all, got "some"/],
  ] as const) {
    const bad = await cli('diagnose', odd, ...args);
    assert.equal(bad.code, 2, args.join(' '));
    assert.match(bad.stderr, message);
  }
}));

test('--report puts its plots beside it and names them; it replaces only its own earlier plots', withFolder(async (folder) => {
  const spec = join(folder, 'deep.json');
  writeFileSync(spec, JSON.stringify(DEEP));
  const report = join(folder, 'r.md'), svg = join(folder, 'r.svg');
  writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"><title>my own figure</title></svg>\n');
  const refused = await cli('diagnose', spec, '--batch', '8', '--report', report);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--report .*r\.md: its plots would replace .*r\.svg, which exists and is not a plot written by nninit diagnose; name another file with --plot/);
  assert.equal(readFileSync(svg, 'utf8'), '<svg xmlns="http://www.w3.org/2000/svg"><title>my own figure</title></svg>\n');
  assert.deepEqual(readdirSync(folder).sort(), ['deep.json', 'r.svg']);
  rmSync(svg);
  const first = await cli('diagnose', spec, '--batch', '8', '--report', report);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stdout.includes(`wrote ${svg}, ${report}`), first.stdout);
  // A rerun replaces the command's own plots.
  const again = await cli('diagnose', spec, '--batch', '16', '--report', report);
  assert.equal(again.code, 0, again.stderr);
  assert.match(readFileSync(report, 'utf8'), /batch of 16 samples/);
}));

test('an overflowing network shows NaN in the table and an overflow warning', withFolder(async (folder) => {
  const spec = join(folder, 'deep.json');
  writeFileSync(spec, JSON.stringify({ seed: 1, layers: Array.from({ length: 60 }, (_, i) => ({ type: 'dense', name: `fc${i + 1}`, in: 128, out: 128, activation: 'relu' })) }));
  const result = await cli('diagnose', spec, '--rule', '**.weight=normal(std=1)', '--batch', '32');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^60\s+fc60\s+dense\s+relu\s+normal\s+128\s+NaN\s+NaN\s+NaN\s+NaN\s/m);
  assert.match(result.stdout, /overflow: fc\d+: activations overflow float32 here/);
  assert.doesNotMatch(result.stdout, /dead: .*up to fc60/);
}));
