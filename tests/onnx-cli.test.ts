// The nninit command on ONNX models: init writes the library's bytes (an .onnx in gives an .onnx out, or
// safetensors when -o says so), explain prints the inference table, and bad input exits with code 2 naming the
// file and tensor, leaving nothing written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { initParameter, readSafetensors } from 'nninit';
import { readOnnx, writeOnnx, initializerData } from 'nninit/onnx';
import { cli, withFolder } from './cli-helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/onnx/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

test('init model.onnx -o fresh.onnx writes what writeOnnx writes, and reports each initializer', withFolder(async (folder) => {
  const out = join(folder, 'fresh.onnx');
  const { code, stdout, stderr } = await cli('init', fixture('zoo.onnx'), '-o', out, '--seed', '8', '--policy', 'flax');
  assert.equal(code, 0, stderr);
  assert.deepEqual(new Uint8Array(readFileSync(out)), writeOnnx(readOnnx(readFileSync(fixture('zoo.onnx')), { seed: 8, policy: 'flax' })));
  assert.match(stdout, /^nninit init .*zoo\.onnx: policy flax, seed 8\n/);
  assert.match(stdout, /dense\.weight +\[294, 32\] +FLOAT +lecunNormal +294 +32 +0\.05832 +0\.05\d+/);
  assert.match(stdout, /reshape\.shape +\[2\] +INT64 +kept: INT64, not a float type nninit computes/);
  assert.match(stdout, /22 tensors, .* in 1 file: .*fresh\.onnx\n/);
  // A folder gets model.onnx; the output follows the input.
  const again = await cli('init', fixture('mlp.onnx'), '-o', `${folder}/`, '--seed', '8', '-q');
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(readdirSync(folder).sort(), ['fresh.onnx', 'model.onnx']);
}));

test('init model.onnx -o x.safetensors writes every initializer under its name and dims, kept ones byte for byte', withFolder(async (folder) => {
  const out = join(folder, 'zoo.safetensors');
  const { code, stderr } = await cli('init', fixture('zoo.onnx'), '-o', out, '--seed', '8', '-q');
  assert.equal(code, 0, stderr);
  const model = readOnnx(readFileSync(fixture('zoo.onnx')), { seed: 8 });
  const read = readSafetensors(new Uint8Array(readFileSync(out)));
  assert.deepEqual(read.tensors.map((t) => t.name).sort(), model.initializers.map((i) => i.name).sort());
  for (const init of model.initializers) {
    const t = read.tensors.find((u) => u.name === init.name)!;
    assert.deepEqual(t.shape, init.dims, init.name);
    const p = model.parameters.find((q) => q.name === init.name);
    const expected = p ? initParameter(p) : initializerData(model, init.name)!;
    assert.deepEqual(t.data, new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength), init.name);
  }
  assert.equal(read.tensors.find((t) => t.name === 'reshape.shape')!.dtype, 'I64');
  assert.equal(read.metadata!['nninit.input'], 'zoo.onnx');
  // --json reports the metadata the file holds: safetensors output has it, an ONNX file none.
  const reports = await Promise.all([out, join(folder, 'zoo.onnx')].map((o) => cli('init', fixture('zoo.onnx'), '-o', o, '--seed', '8', '--json')));
  assert.deepEqual(JSON.parse(reports[0].stdout).metadata, read.metadata);
  assert.equal('metadata' in JSON.parse(reports[1].stdout), false);
}));

test('explain model.onnx prints the plan and the inference table; --json gives the plan and what is kept', async () => {
  const { code, stdout } = await cli('explain', fixture('gru.onnx'), '--seed', '1');
  assert.equal(code, 0);
  assert.match(stdout, /^nninit plan: policy activation, layout keras\+torch, dtype float32, seed 1\n/);
  assert.match(stdout, /gru\.onnx: ONNX ir_version 8, opset ai\.onnx 17, produced by pytorch 1\.13\.0; 5 initializers: 5 re-initialized, 0 kept/);
  assert.match(stdout, /onnx::GRU_198 +\[2, 36, 12\] +FLOAT +R of GRU \/gru\/GRU \(2 directions × gates z r h, hidden 12\), planned as \[72, 12\]/);
  assert.doesNotMatch(stdout, /not planned/);
  const json = await cli('explain', fixture('zoo.onnx'), '--seed', '1', '--json');
  const report = JSON.parse(json.stdout);
  assert.equal(report.plan.length, 18);
  assert.equal(report.unplanned.half, 'kept: a scalar operand of Mul scale');
  assert.equal('metadata' in report, false, 'an ONNX input is written as ONNX, which holds no safetensors metadata');
});

test("init transformer.onnx --policy pytorch: the shared zero bias takes the rule it asks for, and explain's --rule spelling works as given", withFolder(async (folder) => {
  const refused = await cli('explain', fixture('transformer.onnx'), '--policy', 'pytorch', '--seed', '2');
  assert.equal(refused.code, 2);
  const rule = /--rule (\S+), or keep it/.exec(refused.stderr)![1];
  assert.equal(rule, 'self_attn.out_proj.bias=zeros');
  const out = join(folder, 'fresh.onnx');
  const { code, stderr } = await cli('init', fixture('transformer.onnx'), '-o', out, '--policy', 'pytorch', '--seed', '2', '--rule', rule, '-q');
  assert.equal(code, 0, stderr);
  const written = onnxProto.onnx.ModelProto.decode(readFileSync(out));
  const bias = written.graph!.initializer!.find((t) => t.name === 'self_attn.out_proj.bias')!;
  assert.deepEqual(new Uint8Array(bias.rawData!), new Uint8Array(128));
  // A suggested rule with options is spelled as the flag takes it.
  const tied = onnxProto.onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tied',
      node: [
        { opType: 'Gather', input: ['E', 'ids'], output: ['h'], name: 'embed' },
        { opType: 'Transpose', input: ['E'], output: ['E_t'], name: 'E_t' },
        { opType: 'MatMul', input: ['h', 'E_t'], output: ['logits'], name: 'head' },
      ],
      initializer: [{ name: 'E', dims: [50, 16], dataType: 1, rawData: new Uint8Array(3200) }],
    },
  }).finish();
  writeFileSync(join(folder, 'tied.onnx'), tied);
  const tiedRefused = await cli('explain', join(folder, 'tied.onnx'), '--seed', '2');
  assert.equal(tiedRefused.code, 2);
  assert.match(tiedRefused.stderr, /a rule such as --rule 'E=normal\(std=1\)', or keep it \(--keep E\)/);
  const tiedRule = /--rule '([^']+)'/.exec(tiedRefused.stderr)![1];
  const tiedOk = await cli('explain', join(folder, 'tied.onnx'), '--seed', '2', '--rule', tiedRule);
  assert.equal(tiedOk.code, 0, tiedOk.stderr);
  assert.match(tiedOk.stdout, /E +\[50, 16\] +normal\(std=1\)/);
}));

test('bad ONNX input exits with 2, names the file and tensor, and writes nothing', withFolder(async (folder) => {
  const input = join(folder, 'in');
  const output = join(folder, 'out');
  mkdirSync(output);
  const cnn = readFileSync(fixture('cnn.onnx'));
  const { onnx } = onnxProto;
  const custom = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }],
    graph: { name: 'g', node: [{ opType: 'Warp', domain: 'com.example', input: ['x', 'warp.weight'], output: ['y'], name: 'warp' }], initializer: [{ name: 'warp.weight', dims: [4, 4], dataType: 1, rawData: new Uint8Array(64) }] },
  }).finish();
  const cases: [string, string[], Record<string, Uint8Array>, RegExp][] = [
    ['a truncated file', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx'], { 'm.onnx': cnn.subarray(0, 20000) }, /IN\/m\.onnx: not a valid ONNX model: the file is cut short or damaged: initializer "head\.weight" \[10, 576\] runs past the end of the file: its bytes 3466 to 26530 are cut at 20000\n/],
    ['an initializer of unknown role', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx'], { 'm.onnx': custom },
      /IN\/m\.onnx: cannot tell what initializer "warp\.weight" \[4, 4\] \(input 1 of Warp warp; nninit does not know what input 1 of Warp is\) is; keep it \(--keep warp\.weight\) or add a rule such as --rule warp\.weight=zeros/],
    ['missing external data', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx'], { 'm.onnx': readFileSync(fixture('external.onnx')) }, /IN\/m\.onnx: initializer "up\.weight": its external data file IN\/external\.onnx\.data does not exist/],
    ['a rule matching nothing', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx', '--rule', 'fc9.*=zeros'], { 'm.onnx': cnn }, /IN\/m\.onnx: --rule 'fc9\.\*=zeros' \(match\): "fc9\.\*" matches no parameter/],
    ['a keep matching nothing', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx', '--keep', 'fc9.*'], { 'm.onnx': cnn }, /--keep fc9\.\*: matches no tensor of IN\/m\.onnx/],
    ['--dtype', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx', '--dtype', 'float16'], { 'm.onnx': cnn }, /--dtype: an ONNX model keeps each tensor's element type/],
    ['--policy model', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx', '--policy', 'model'], { 'm.onnx': cnn }, /--policy model: reproduces the initializers a TF\.js model\.json configures; IN\/m\.onnx is an ONNX model \(\.onnx\)/],
    ['shards of an ONNX output', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx', '--max-shard-size', '1MB'], { 'm.onnx': cnn }, /--max-shard-size: splits safetensors output; an ONNX model is written whole/],
    ['another extension', ['init', 'IN/m.onnx', '-o', 'OUT/m.pb'], { 'm.onnx': cnn }, /-o OUT\/m\.pb: expected a file name ending in \.onnx \(an ONNX input is written as ONNX\), a \.safetensors file, or a folder/],
    ['a missing input', ['init', 'IN/none.onnx', '-o', 'OUT/m.onnx'], {}, /IN\/none\.onnx: cannot read the input: no such file/],
    ['roles of one initializer that disagree', ['init', 'IN/m.onnx', '-o', 'OUT/m.onnx', '--policy', 'pytorch'], { 'm.onnx': readFileSync(fixture('transformer.onnx')) },
      /IN\/m\.onnx: initializer "self_attn\.out_proj\.bias" \[32\] has 3 roles, and the policy gives them different values \(bias of Gemm \/self_attn\/Gemm -> uniform\(±0\.1768\); bias of LayerNormalization \/norm1\/LayerNormalization -> zeros; .*\. Choose its values with a rule such as --rule self_attn\.out_proj\.bias=zeros, or keep it \(--keep self_attn\.out_proj\.bias\)\n/],
  ];
  for (const [what, args, files, message] of cases) {
    rmSync(input, { recursive: true, force: true });
    mkdirSync(input);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(input, name), bytes);
    const result = await cli(...args.map((a) => a.replace(/^IN/, input).replace(/^OUT/, output)));
    assert.equal(result.code, 2, `${what}: ${result.stderr}`);
    assert.match(result.stderr.replaceAll(input, 'IN').replaceAll(output, 'OUT'), message, what);
    assert.match(result.stderr, /^nninit: error: /, what);
    assert.deepEqual(readdirSync(output), [], `${what}: nothing written`);
    assert.deepEqual(readdirSync(input).sort(), Object.keys(files).sort(), `${what}: nothing written beside the input`);
  }
  // With its data file beside it, the external model is written with a data file of its own.
  copyFileSync(fixture('external.onnx'), join(input, 'm.onnx'));
  copyFileSync(fixture('external.onnx.data'), join(input, 'external.onnx.data'));
  const ok = await cli('init', join(input, 'm.onnx'), '-o', join(output, 'm.onnx'), '--seed', '1', '-q');
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(readdirSync(output).sort(), ['m.onnx', 'm.onnx.data']);
}));

test("the help says init writes ONNX and TF.js models too, and README's explain of cnn.onnx is what the command prints", async () => {
  const main = await cli('--help');
  assert.match(main.stdout.replace(/\s+/g, ' '), /write them as safetensors, or re-initialize ONNX and TF\.js models in their own format/);
  assert.match(main.stdout.replace(/\s+/g, ' '), / init \[options\] <input> write an initialized model: safetensors .* or an ONNX or TF\.js input re-initialized in its own format/);
  const init = await cli('init', '--help');
  assert.match(init.stdout.replace(/\s+/g, ' '), /write an initialized model: safetensors \(one file, or Hugging Face shards and their index\), or an ONNX or TF\.js input re-initialized in its own format/);
  assert.match(init.stdout, /nninit init model\.onnx -o fresh\.onnx/);
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf('`nninit explain tests/fixtures/onnx/cnn.onnx --seed 42`');
  assert.ok(at > 0, 'README shows the command with its seed');
  const block = /```\n([\s\S]*?)```/.exec(readme.slice(at))![1];
  const { code, stdout } = await cli('explain', fixture('cnn.onnx'), '--seed', '42');
  assert.equal(code, 0);
  assert.equal(stdout.replace(fixture('cnn.onnx'), 'tests/fixtures/onnx/cnn.onnx'), block);
});
