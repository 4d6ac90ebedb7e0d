// The nninit command: files written from specs and checkpoints equal the library's bytes, an independent Python
// parse of the header and data agrees, sharded runs split into parts reassemble byte for byte, and every bad input
// exits with code 2 naming the file, JSON path or flag, leaving no file behind. Most runs are in-process (run()
// is what the bin calls); the bin itself is run for exit codes, Ctrl-C, plain stderr in pipes and peak memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as nninit from 'nninit';
import type { ModelSpecInput, ParameterPlan } from 'nninit';
import { run } from '../dist/cli/program.js';
import { classify } from '../dist/cli/errors.js';
import { createProgress, progressLine } from '../dist/cli/progress.js';
import { namingFile, writeFully, writeSafetensorsFiles, type OutputTensor } from '../dist/formats/node/write.js';
import { computedBytes, defaultThreads, POOL_MIN_BYTES } from '../dist/cli/threads.js';
import { cli, withFolder } from './cli-helpers.ts';
import { bytesOf } from './helpers.ts';

const { initModel, planModel, planTensors, initParameter, readSafetensors, encodeSafetensors, explainModel, Accumulator } = nninit;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'safetensors', 'small.safetensors');
const example = (name: string) => join(ROOT, 'examples', `${name}.json`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const STORED = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64' } as const;

const readFile = (path: string) => readSafetensors(new Uint8Array(readFileSync(path)), { file: path });

/** A small model with composite (per-gate orthogonal, whole) and plain parameters. */
const SMALL: ModelSpecInput = {
  seed: 3,
  layers: [
    { type: 'embedding', name: 'emb', vocab: 500, dim: 32 },
    { type: 'lstm', name: 'lstm', in: 32, units: 24 },
    { type: 'attention', name: 'attn', dim: 24, heads: 4 },
    { type: 'dense', name: 'head', in: 24, out: 500, activation: 'softmax' },
    { type: 'layernorm', name: 'ln', dim: 24 },
  ],
};

test('init writes a spec\'s model: the library\'s bytes under its names, with metadata that reproduces it', withFolder(async (folder) => {
  const out = join(folder, 'mlp.safetensors');
  const { code, stdout, stderr } = await cli('init', example('mlp-mixed'), '-o', out);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  const weights = initModel(readFileSync(example('mlp-mixed'), 'utf8'));
  const read = readFile(out);
  assert.deepEqual(read.tensors.map((t) => [t.name, t.dtype, t.shape]), weights.plan.map((p) => [p.name, 'F32', p.shape]));
  for (const t of read.tensors) assert.deepEqual(t.data, bytesOf(weights.get(t.name)!), t.name);
  const spec = JSON.parse(readFileSync(example('mlp-mixed'), 'utf8'));
  const metadata = read.metadata!;
  assert.equal(metadata.format, 'pt');
  assert.equal(metadata['nninit.seed'], '42');
  assert.equal(metadata['nninit.policy'], 'activation');
  assert.equal(metadata['nninit.rules'], '[]');
  assert.equal(metadata['nninit.dtype'], 'float32');
  assert.deepEqual(JSON.parse(metadata['nninit.spec']), spec);
  assert.equal(metadata['nninit.spec_sha256'], sha256(new TextEncoder().encode(JSON.stringify(spec))));
  // The summary: one row per tensor with target and measured std.
  assert.match(stdout, /fc1\.weight\s+\[256, 784\]\s+F32\s+heNormal\(nonlinearity=relu\)\s+784\s+256\s+0\.05051\s+0\.050\d\d/);
  assert.match(stdout, /10 tensors, 244,522 values, 979\.\d kB in 1 file/);
  assert.deepEqual(readdirSync(folder), ['mlp.safetensors'], 'no temporary file left');
}));

test('flags override the spec: seed, policy, rules after the spec\'s, dtype and layout', withFolder(async (folder) => {
  for (const dtype of ['float16', 'bfloat16', 'float64'] as const) {
    const out = join(folder, `${dtype}.safetensors`);
    const { code, stderr } = await cli('init', example('lstm'), '-o', out, '--seed', '18446744073709551615', '--dtype', dtype, '--layout', 'keras',
      '--policy', 'keras', '--rule', '**.bias=constant(0.5)', '--rule', 'decoder.kernel=xavierUniform(gain=1.5)', '--quiet');
    assert.equal(code, 0, stderr);
    const weights = initModel(readFileSync(example('lstm'), 'utf8'), {
      seed: 18446744073709551615n, dtype, layout: 'keras', policy: 'keras',
      rules: [{ match: '**.bias', init: 'constant', value: 0.5 }, { match: 'decoder.kernel', init: 'xavierUniform', gain: 1.5 }],
    });
    const read = readFile(out);
    assert.deepEqual(read.tensors.map((t) => t.name), weights.plan.map((p) => p.name));
    for (const t of read.tensors) {
      assert.equal(t.dtype, STORED[dtype]);
      assert.deepEqual(t.data, bytesOf(weights.get(t.name)!), `${dtype} ${t.name}`);
    }
    assert.equal(read.metadata!['nninit.seed'], '18446744073709551615');
    assert.deepEqual(JSON.parse(read.metadata!['nninit.rules']), [{ match: '**.bias', init: 'constant', value: 0.5 }, { match: 'decoder.kernel', init: 'xavierUniform', gain: 1.5 }]);
  }
}));

test("--rng torch: PyTorch's own values, as nninit/torch builds the modules, named in the table as explain names them", withFolder(async (folder) => {
  const spec = join(folder, 'mlp.json');
  writeFileSync(spec, JSON.stringify({ layers: [
    { type: 'dense', name: 'fc1', in: 20, out: 16, activation: 'relu' },
    { type: 'embedding', name: 'emb', vocab: 10, dim: 16 },
    { type: 'dense', name: 'fc2', in: 16, out: 4 },
  ] }));
  const out = join(folder, 'torch.safetensors');
  const { code, stdout, stderr } = await cli('init', spec, '-o', out, '--seed', '7', '--rng', 'torch');
  assert.equal(code, 0, stderr);
  // torch.manual_seed(7); nn.Linear(20, 16); nn.Embedding(10, 16); nn.Linear(16, 4)
  const g = nninit.createTorchGenerator(7);
  const expected: Record<string, Float32Array> = {};
  for (const [prefix, module] of [['fc1', g.linear(20, 16)], ['emb', g.embedding(10, 16)], ['fc2', g.linear(16, 4)]] as const) {
    for (const [name, values] of Object.entries(module)) expected[`${prefix}.${name}`] = values;
  }
  const read = readFile(out);
  assert.deepEqual(read.tensors.map((t) => t.name), Object.keys(expected));
  for (const t of read.tensors) assert.deepEqual(t.data, bytesOf(expected[t.name]), t.name);
  assert.equal(read.metadata!['nninit.rng'], 'torch');
  assert.equal(read.metadata!['nninit.policy'], 'pytorch');
  assert.match(stdout, /^nninit init .*mlp\.json: policy pytorch, rng torch, seed 7\n/);
  assert.match(stdout, /fc1\.weight +\[16, 20\] +F32 +torch kaiming_uniform_\(a=√5\) /);
  assert.match(stdout, /emb\.weight +\[10, 16\] +F32 +torch normal_\(/);
  const explained = await cli('explain', spec, '--seed', '7', '--rng', 'torch');
  assert.match(explained.stdout, /^nninit plan: policy pytorch, rng torch, layout torch/);
  // The initializer column of init's table is explain's (columns are two or more spaces apart).
  const cell = (text: string, name: string, column: number) => text.split('\n').find((line) => line.startsWith(`${name} `))!.split(/ {2,}/)[column];
  for (const name of Object.keys(expected)) assert.equal(cell(stdout, name, 3), cell(explained.stdout, name, 2), name);
  assert.equal(cell(stdout, 'fc1.bias', 3), 'torch uniform_(±0.2236)');
  // The flag and the spec field give the same file; --rng philox is nninit's streams.
  writeFileSync(join(folder, 'field.json'), JSON.stringify({ ...JSON.parse(readFileSync(spec, 'utf8')), rng: 'torch' }));
  assert.equal((await cli('init', join(folder, 'field.json'), '-o', join(folder, 'field.safetensors'), '--seed', '7', '-q')).code, 0);
  assert.deepEqual(readFile(out).tensors.map((t) => t.data), readFile(join(folder, 'field.safetensors')).tensors.map((t) => t.data));
  const philox = await cli('init', join(folder, 'field.json'), '-o', join(folder, 'philox.safetensors'), '--seed', '7', '--rng', 'philox', '--policy', 'pytorch', '-q');
  assert.equal(philox.code, 0, philox.stderr);
  assert.deepEqual(readFile(join(folder, 'philox.safetensors')).tensors.map((t) => t.data), initModel(readFileSync(spec, 'utf8'), { seed: 7, policy: 'pytorch' }).plan.map((p) => bytesOf(initParameter(p))));
}));

/** Parses safetensors files with plain Python and numpy: header, padding, contiguity, bytes and float64 moments. */
const PYTHON_PARSE = String.raw`
import hashlib, json, struct, sys
import numpy as np
out = {}
for path in sys.argv[1:]:
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    text = raw[8:8 + n].decode('utf-8')
    assert n % 8 == 0, 'header length not a multiple of 8'
    assert text == text.rstrip(' ') + ' ' * (len(text) - len(text.rstrip(' '))), 'padding is not spaces'
    header = json.loads(text)
    metadata = header.pop('__metadata__', {})
    data = raw[8 + n:]
    end = 0
    tensors = []
    for name, info in header.items():   # insertion order: the order the file lists them
        begin, stop = info['data_offsets']
        assert begin == end, 'data is not contiguous in header order: ' + name
        end = stop
        chunk = data[begin:stop]
        if info['dtype'] == 'BF16':
            values = (np.frombuffer(chunk, '<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            values = np.frombuffer(chunk, {'F32': '<f4', 'F16': '<f2', 'F64': '<f8', 'I64': '<i8'}[info['dtype']])
        values = values.astype(np.float64)
        assert values.size == int(np.prod(info['shape'], dtype=np.int64)), 'element count: ' + name
        tensors.append({'name': name, 'dtype': info['dtype'], 'shape': info['shape'],
                        'sha256': hashlib.sha256(chunk).hexdigest(),
                        'mean': float(values.mean()) if values.size else None, 'std': float(values.std()) if values.size else None})
    assert end == len(data), 'bytes after the last tensor'
    out[path] = {'metadata': metadata, 'tensors': tensors}
print(json.dumps(out))
`;

const PYTHON = '/usr/bin/python3';
const numpyMissing = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `needs ${PYTHON} with numpy (Debian python3-numpy): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`;
})();

test('an independent parse with Python and numpy reads the same names, shapes, bytes and moments', { skip: numpyMissing }, withFolder(async (folder) => {
  const files: string[] = [];
  for (const dtype of ['float32', 'bfloat16', 'float16', 'float64'] as const) {
    const spec = join(folder, 'small.json');
    writeFileSync(spec, JSON.stringify(SMALL));
    const out = join(folder, `${dtype}.safetensors`);
    assert.equal((await cli('init', spec, '-o', out, '--dtype', dtype, '--quiet')).code, 0);
    files.push(out);
  }
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', PYTHON_PARSE, ...files], { maxBuffer: 1 << 24 });
  const parsed = JSON.parse(stdout) as Record<string, { metadata: Record<string, string>; tensors: { name: string; dtype: string; shape: number[]; sha256: string; mean: number; std: number }[] }>;
  for (const [index, dtype] of (['float32', 'bfloat16', 'float16', 'float64'] as const).entries()) {
    const weights = initModel(SMALL, { dtype });
    const python = parsed[files[index]];
    assert.equal(python.metadata['nninit.seed'], '3');
    assert.deepEqual(python.tensors.map((t) => t.name), weights.plan.map((p) => p.name));
    for (const t of python.tensors) {
      const p = weights.plan.find((q) => q.name === t.name)!;
      assert.equal(t.dtype, STORED[dtype]);
      assert.deepEqual(t.shape, p.shape);
      assert.equal(t.sha256, sha256(bytesOf(weights.get(t.name)!)), `${dtype} ${t.name}: bytes`);
      const values = nninit.tensorValues({ dtype: STORED[dtype], data: bytesOf(weights.get(t.name)!) })!;
      const ours = new Accumulator();
      ours.add(values);
      const { mean, std } = ours.summary();
      assert.ok(Math.abs(t.mean - mean) <= 1e-12 + 1e-9 * Math.abs(mean), `${dtype} ${t.name}: mean ${t.mean} vs ${mean}`);
      assert.ok(Math.abs(t.std - std) <= 1e-12 + 1e-9 * std, `${dtype} ${t.name}: std ${t.std} vs ${std}`);
    }
  }
}));

test('a checkpoint is re-initialized under the same names, shapes and dtypes; integer buffers are kept or zeroed', withFolder(async (folder) => {
  const out = join(folder, 'fresh.safetensors');
  const { code, stdout, stderr } = await cli('init', FIXTURE, '-o', out, '--seed', '9', '--policy', 'pytorch');
  assert.equal(code, 0, stderr);
  const before = readFile(FIXTURE), after = readFile(out);
  const shapes = (file: typeof before) => new Map(file.tensors.map((t) => [t.name, [t.dtype, t.shape]]));
  assert.deepEqual(shapes(after), shapes(before));
  const floats = before.tensors.filter((t) => !t.dtype.startsWith('I'));
  const plan = planTensors(floats.map((t) => ({ name: t.name, shape: t.shape })), { seed: 9, policy: 'pytorch' });
  for (const p of plan) {
    const dtype = ({ F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64' } as const)[floats.find((t) => t.name === p.name)!.dtype as 'F32'];
    const expected = initParameter({ ...p, dtype } as ParameterPlan);
    assert.deepEqual(after.tensors.find((t) => t.name === p.name)!.data, bytesOf(expected), p.name);
  }
  const data = (file: typeof before, name: string) => file.tensors.find((t) => t.name === name)!.data;
  assert.deepEqual(data(after, 'position_ids'), data(before, 'position_ids'), 'a non-float buffer is copied');
  assert.deepEqual(data(after, 'features.1.num_batches_tracked'), new Uint8Array(8), 'the batch counter restarts at 0');
  assert.notDeepEqual(data(after, 'features.0.weight'), data(before, 'features.0.weight'));
  assert.equal(after.metadata!['nninit.input'], 'small.safetensors');
  assert.match(stdout, /position_ids\s+\[1, 16\]\s+I64\s+kept \(I64, not a float\)/);

  // --keep copies float tensors too; --dtype converts every planned tensor.
  const kept = join(folder, 'kept.safetensors');
  assert.equal((await cli('init', FIXTURE, '-o', kept, '--seed', '9', '--keep', 'features.**', '--dtype', 'float32', '--quiet')).code, 0);
  const keptFile = readFile(kept);
  for (const name of ['features.0.weight', 'features.1.running_var']) assert.deepEqual(data(keptFile, name), data(before, name), name);
  assert.equal(keptFile.tensors.find((t) => t.name === 'embed.weight')!.dtype, 'F32');
  assert.equal(keptFile.tensors.find((t) => t.name === 'classifier.weight')!.dtype, 'F32');
}));

test('a re-sharded output warns about the shards and index of the earlier sharding it leaves beside the new files', withFolder(async (folder) => {
  const input = join(folder, 'spec.json');
  writeFileSync(input, JSON.stringify(SMALL));
  const out = join(folder, 'model.safetensors');
  const three = await cli('init', input, '-o', out, '--max-shard-size', '40KB');
  assert.equal(three.code, 0, three.stderr);
  assert.doesNotMatch(three.stderr, /warning/);
  const shards = readdirSync(folder).filter((name) => name.includes('-of-'));
  assert.ok(shards.length > 1);
  // the same sharding again replaces every file: nothing to say
  assert.doesNotMatch((await cli('init', input, '-o', out, '--max-shard-size', '40KB')).stderr, /warning/);
  // one file now: the old shards and, above all, the old index (which still names them) are left and named
  const one = await cli('init', input, '-o', out);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /nninit: warning: .* also holds .*model-00001-of-/);
  assert.ok(existsSync(join(folder, 'model.safetensors.index.json')), 'nninit deletes nothing it did not write');
  const all = [...shards, 'model.safetensors.index.json'];
  assert.match(one.stderr, all.length > 3 ? new RegExp(`and ${all.length - 3} more`) : /model.safetensors.index.json/);
  // --quiet says nothing
  assert.equal((await cli('init', input, '-o', out, '--quiet')).stderr, '');
}));

test('sharded output: Hugging Face names and index; the index is an input; parts reassemble the single run', withFolder(async (folder) => {
  const spec = join(folder, 'small.json');
  writeFileSync(spec, JSON.stringify(SMALL));
  const single = join(folder, 'single');
  mkdirSync(single);
  assert.equal((await cli('init', spec, '-o', `${single}/`, '--max-shard-size', '40kB', '--quiet')).code, 0);
  const files = readdirSync(single).sort();
  const count = files.length - 1;
  assert.ok(count >= 3, `several shards: ${files.join(', ')}`);
  assert.deepEqual(files, [...Array.from({ length: count }, (_, k) => `model-${String(k + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`), 'model.safetensors.index.json'].sort());
  const index = JSON.parse(readFileSync(join(single, 'model.safetensors.index.json'), 'utf8'));
  const weights = initModel(SMALL);
  assert.deepEqual(Object.keys(index.weight_map).sort(), weights.plan.map((p) => p.name).sort());
  assert.equal(index.metadata.total_size, weights.plan.reduce((sum, p) => sum + p.size * 4, 0));
  for (const [name, shard] of Object.entries(index.weight_map as Record<string, string>)) {
    const t = readFile(join(single, shard)).tensors.find((x) => x.name === name)!;
    assert.deepEqual(t.data, bytesOf(weights.get(name)!), name);
  }
  for (const shard of files.filter((name) => name.endsWith('.safetensors'))) {
    const tensors = readFile(join(single, shard)).tensors;
    const bytes = tensors.reduce((sum, t) => sum + t.data.length, 0);
    assert.ok(bytes <= 40_000 || tensors.length === 1, `${shard}: within the limit, or one tensor larger than it`);
  }

  // Parts write their shards only; together they are the single run, byte for byte.
  const parts = join(folder, 'parts');
  mkdirSync(parts);
  for (let k = 1; k <= 3; k++) {
    const partFolder = join(parts, String(k));
    mkdirSync(partFolder);
    const { code, stderr } = await cli('init', spec, '-o', join(partFolder, 'model.safetensors'), '--max-shard-size', '40kB', '--part', `${k}/3`, '--quiet');
    assert.equal(code, 0, stderr);
    for (const name of readdirSync(partFolder)) {
      const shard = /-(\d{5})-of-/.exec(name);
      if (shard) assert.equal((Number(shard[1]) - 1) % 3 + 1, k, `${name} belongs to part ${k}`);
      else assert.equal(k, 1, 'only part 1 writes the index');
    }
  }
  const union = new Map<string, Buffer>();
  for (let k = 1; k <= 3; k++) for (const name of readdirSync(join(parts, String(k)))) union.set(name, readFileSync(join(parts, String(k), name)));
  assert.deepEqual([...union.keys()].sort(), files);
  for (const name of files) assert.ok(union.get(name)!.equals(readFileSync(join(single, name))), `${name} equals the single run's`);

  // More parts than shards: the extra parts have nothing to write.
  const idle = await cli('init', spec, '-o', join(folder, 'idle.safetensors'), '--max-shard-size', '40kB', '--part', `${count + 1}/${count + 1}`);
  assert.equal(idle.code, 0);
  assert.match(idle.stdout, /nothing to write/);

  // The index is an input of inspect and of init (re-initializing every shard's tensors).
  const inspect = await cli('inspect', join(single, 'model.safetensors.index.json'), '--json');
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal(JSON.parse(inspect.stdout).tensors.length, weights.plan.length);
  const again = join(folder, 'again.safetensors');
  assert.equal((await cli('init', join(single, 'model.safetensors.index.json'), '-o', again, '--seed', '3', '--quiet')).code, 0);
  assert.deepEqual(new Set(readFile(again).tensors.map((t) => t.name)), new Set(weights.plan.map((p) => p.name)));
}));

test('the streamed writer gives encodeSafetensors\'s bytes for any chunk size and a producer that answers out of order', withFolder(async (folder) => {
  const plan = planModel(SMALL, { dtype: 'bfloat16' });
  const metadata = { format: 'pt' };
  const expected = encodeSafetensors(plan, { metadata });
  const tensors: OutputTensor[] = plan.map((p) => ({ name: p.name, dtype: 'BF16', shape: p.shape, source: { plan: p } }));
  let calls = 0;
  const shuffled = {
    concurrency: 3,
    // Resolves after a varying delay, so later slices often finish first.
    fill: (p: ParameterPlan, offset: number, out: Uint16Array) => new Promise<void>((resolve) => {
      setTimeout(() => { initParameter(p, { offset, length: out.length, out }); resolve(); }, (calls++ * 7) % 5);
    }),
    whole: async (p: ParameterPlan) => initParameter(p),
  };
  for (const [chunkBytes, producer] of [[4096, undefined], [1000, shuffled], [1 << 22, shuffled]] as const) {
    const path = join(folder, `chunks-${chunkBytes}.safetensors`);
    const result = await writeSafetensorsFiles(tensors, { path, metadata, chunkBytes, ...(producer ? { producer: producer as never } : {}) });
    assert.deepEqual(new Uint8Array(readFileSync(path)), expected, `chunks of ${chunkBytes}${producer ? ', out of order' : ''}`);
    const emb = result.tensors.find((t) => t.name === 'emb.weight')!.summary!;
    const reference = new Accumulator();
    reference.add(nninit.tensorValues({ dtype: 'BF16', data: bytesOf(initParameter(plan[0])) })!);
    assert.ok(Math.abs(emb.std - reference.summary().std) < 1e-12, 'measured std does not depend on the chunking');
  }
  // A failing producer leaves no file, not even a temporary one.
  const failing = { concurrency: 1, fill: () => { throw new Error('disk on fire'); }, whole: () => { throw new Error('disk on fire'); } };
  const path = join(folder, 'failed.safetensors');
  await assert.rejects(writeSafetensorsFiles(tensors, { path, metadata, producer: failing as never }), /disk on fire/);
  assert.equal(existsSync(path), false);
  assert.deepEqual(readdirSync(folder).filter((name) => name.includes('failed')), []);
}));

/** A model with plain, composite, orthogonal (whole) and PyTorch-drawn (rng 'torch', whole) parameters, 11 MB in float32. */
const MIXED: ModelSpecInput = {
  seed: 5,
  layers: [
    { type: 'embedding', name: 'emb', vocab: 3000, dim: 512 },
    { type: 'lstm', name: 'lstm', in: 512, units: 256 },
    { type: 'param', name: 'rot', shape: [512, 512], init: 'orthogonal', gain: 2 },
    { type: 'dense', name: 'head', in: 256, out: 3000, activation: 'softmax' },
  ],
};
const TORCH_DRAWN: ModelSpecInput = {
  seed: 3, rng: 'torch', layout: 'torch', policy: 'pytorch',
  layers: [
    { type: 'dense', name: 'fc1', in: 1024, out: 512, activation: 'relu' },
    { type: 'layernorm', name: 'norm', dim: 512 },
    { type: 'dense', name: 'fc2', in: 512, out: 1000 },
  ],
};

test('--threads: workers write the bytes and the measured statistics of the main thread, in every dtype', withFolder(async (folder) => {
  const specs: [string, ModelSpecInput, string[]][] = [
    ['mixed float32', MIXED, []], ['mixed bfloat16', MIXED, ['--dtype', 'bfloat16']], ['mixed float16 in shards', MIXED, ['--dtype', 'float16', '--max-shard-size', '3MB']],
    ['mixed float64', MIXED, ['--dtype', 'float64']], ['rng torch', TORCH_DRAWN, []],
  ];
  for (const [what, spec, flags] of specs) {
    const input = join(folder, 'spec.json');
    writeFileSync(input, JSON.stringify(spec));
    const runs = [];
    for (const threads of ['1', '3']) {
      const out = join(folder, `t${threads}`);
      mkdirSync(out);
      const { code, stdout, stderr } = await cli('init', input, '-o', join(out, 'model.safetensors'), '--json', '--threads', threads, ...flags);
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      assert.equal(report.threads, Number(threads), what);
      // every figure of a tensor's measured statistics is a number: the range the writer does not track is left out, not null
      for (const t of report.tensors) assert.deepEqual(Object.keys(t.measured).sort(), ['count', 'mean', 'nonFinite', 'std'], `${what}: ${t.name}`);
      const files = readdirSync(out).sort();
      runs.push({ report, files: files.map((name) => readFileSync(join(out, name))) });
      rmSync(out, { recursive: true });
    }
    const [one, three] = runs;
    assert.equal(three.files.length, one.files.length, what);
    three.files.forEach((bytes, i) => assert.ok(bytes.equals(one.files[i]), `${what}: file ${i} differs`));
    // The summaries are combined from the same pieces' float64 sums in the same order: equal to the last bit.
    assert.deepEqual(three.report.tensors, one.report.tensors, `${what}: summaries`);
  }
  // Values equal the library's (the file of one thread is checked against initModel elsewhere).
  const weights = initModel(MIXED);
  const input = join(folder, 'spec.json');
  writeFileSync(input, JSON.stringify(MIXED));
  const out = join(folder, 'mixed.safetensors');
  assert.equal((await cli('init', input, '-o', out, '--threads', '2', '--quiet')).code, 0);
  for (const t of readFile(out).tensors) assert.deepEqual(t.data, bytesOf(weights.get(t.name)!), t.name);
}));

test('--threads by default: the cores but one, up to 8, for models of 256 MiB or more', () => {
  assert.deepEqual([1, 2, 3, 4, 8, 9, 64].map(defaultThreads), [1, 1, 2, 3, 7, 8, 8]);
  assert.equal(POOL_MIN_BYTES, 2 ** 28);
  const plan = planModel({ seed: 1, layers: [{ type: 'param', name: 'w', shape: [2 ** 13, 2 ** 13], init: 'normal' }] });
  const tensors: OutputTensor[] = plan.map((p) => ({ name: p.name, dtype: 'F32', shape: p.shape, source: { plan: p } }));
  const whole = { folder: '.', stem: 'm', shards: [{ number: 1, file: 'm.safetensors', tensors: [0], bytes: 2 ** 28 }], mine: [{ number: 1, file: 'm.safetensors', tensors: [0], bytes: 2 ** 28 }], totalSize: 2 ** 28 };
  assert.equal(computedBytes(tensors, whole as never), 2 ** 28);
  assert.equal(computedBytes([{ ...tensors[0], source: { copy: async () => undefined } }], whole as never), 0, 'copied tensors are not computed');
  assert.equal(computedBytes(tensors, { ...whole, mine: [] } as never), 0, 'shards of other parts are not computed');
});

test('the streamed writer through a pool\'s slice producer: the same bytes and statistics, shared chunks or copies', withFolder(async (folder) => {
  const { createPool, sliceProducer } = await import('nninit/pool');
  const { createPoolOn } = await import('../dist/pool/pool.js');
  const { Worker } = await import('node:worker_threads');
  const plan = planModel(MIXED, { dtype: 'float16' });
  const metadata = { format: 'pt' };
  const expected = encodeSafetensors(plan, { metadata });
  const tensors: OutputTensor[] = plan.map((p) => ({ name: p.name, dtype: 'F16', shape: p.shape, source: { plan: p } }));
  const reference = await writeSafetensorsFiles(tensors, { path: join(folder, 'reference.safetensors'), metadata, chunkBytes: 1 << 20 });
  // A pool that shares memory, and one that does not (a browser page without cross-origin isolation).
  const copying = createPoolOn({
    defaultThreads: 2, sharedMemory: false,
    spawn(onMessage, onError) {
      const worker = new Worker(new URL('../dist/pool/node-worker.js', import.meta.url), { execArgv: [] });
      worker.on('message', onMessage);
      worker.on('error', onError);
      return { post: (message, transfer = []) => worker.postMessage(message, transfer as ArrayBuffer[]), terminate: async () => { await worker.terminate(); }, keepAlive: () => undefined };
    },
  }, { threads: 2 });
  const shared = createPool({ threads: 3 });
  try {
    assert.equal(sliceProducer(shared).sharedBuffers, true);
    assert.equal(sliceProducer(copying).sharedBuffers, false);
    assert.equal(sliceProducer(shared).concurrency, 5);
    assert.equal(sliceProducer(shared, { inFlight: 9 }).concurrency, 9);
    assert.throws(() => sliceProducer(shared, { inFlight: 0 }), RangeError);
    assert.throws(() => sliceProducer({} as never), TypeError);
    for (const [pool, chunkBytes] of [[shared, 1 << 20], [shared, 1000], [copying, 1 << 20]] as const) {
      const path = join(folder, `pool-${chunkBytes}-${pool.sharedMemory}.safetensors`);
      const result = await writeSafetensorsFiles(tensors, { path, metadata, chunkBytes, producer: sliceProducer(pool) });
      assert.deepEqual(new Uint8Array(readFileSync(path)), expected, `chunks of ${chunkBytes}, shared ${pool.sharedMemory}`);
      if (chunkBytes === 1 << 20) assert.deepEqual(result.tensors.map((t) => t.summary), reference.tensors.map((t) => t.summary), 'summaries, bit for bit');
    }
    // A closed pool fails the write, leaving no file.
    await shared.close();
    const path = join(folder, 'closed.safetensors');
    await assert.rejects(writeSafetensorsFiles(tensors, { path, metadata, producer: sliceProducer(shared) }), /closed/);
    assert.equal(existsSync(path), false);
  } finally {
    await shared.close();
    await copying.close();
  }
}));

test('explain prints the plan without computing values, for specs and checkpoints', async () => {
  const spec = await cli('explain', example('cnn'));
  assert.equal(spec.code, 0);
  assert.equal(spec.stdout, explainModel(readFileSync(example('cnn'), 'utf8')));
  const json = await cli('explain', example('cnn'), '--json', '--seed', '5');
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.seed, '5');
  assert.equal(parsed.plan[0].seed, '5', 'seeds are strings in JSON');
  const checkpoint = await cli('explain', FIXTURE, '--seed', '1');
  assert.equal(checkpoint.code, 0);
  assert.match(checkpoint.stdout, /features\.0\.weight\s+\[8, 3, 3, 3\]/);
  assert.match(checkpoint.stdout, /not planned \(2\):\n {2}features\.1\.num_batches_tracked: zeros \(I64 batch counter\)\n {2}position_ids: kept \(I64, not a float\)/);
});

test('inspect lists tensors with their statistics, and the metadata', async () => {
  const { code, stdout } = await cli('inspect', FIXTURE, '--json');
  assert.equal(code, 0);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.metadata, { format: 'pt' });
  const read = readFile(FIXTURE);
  for (const t of read.tensors) {
    const row = report.tensors.find((r: { name: string }) => r.name === t.name);
    const expected = new Accumulator();
    expected.add(nninit.tensorValues(t)!, true);
    assert.deepEqual(row.stats, { ...expected.summary() }, t.name);
    assert.equal(row.bytes, t.data.length);
  }
  const text = await cli('inspect', FIXTURE);
  assert.match(text.stdout, /^.*small\.safetensors: 11 tensors, 491 values, 1\.60 kB of tensor data/);
  assert.match(text.stdout, /position_ids\s+I64\s+\[1, 16\]\s+128\s+7\.5\s+4\.61\s+0\s+15/);
  const headerOnly = await cli('inspect', FIXTURE, '--no-stats');
  assert.doesNotMatch(headerOnly.stdout, /bytes\s+mean\s+std/);
  assert.match(headerOnly.stdout, /position_ids\s+I64\s+\[1, 16\]\s+128\n/);
});

test('tables of 200,000 tensors: inspect, explain and the model files\' table print every row', withFolder(async (folder) => {
  // A checkpoint of one tensor larger than inspect's 4 MiB reads and 200,000 one-element tensors after it.
  const count = 200_000, bigValues = 1_500_000;
  const values = new Float32Array(bigValues + count);
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 0.37) * (1 + (i % 7));
  const entries = [`"big":{"dtype":"F32","shape":[${bigValues}],"data_offsets":[0,${bigValues * 4}]}`];
  for (let i = 0; i < count; i++) {
    const begin = (bigValues + i) * 4;
    entries.push(`"t${String(i).padStart(6, '0')}":{"dtype":"F32","shape":[1],"data_offsets":[${begin},${begin + 4}]}`);
  }
  const path = join(folder, 'many.safetensors');
  const bytes = rawFile(`{${entries.join(',')}}`, values.byteLength);
  Buffer.from(values.buffer).copy(bytes, bytes.length - values.byteLength);
  writeFileSync(path, bytes);
  const text = await cli('inspect', path);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.match(lines[0], /: 200001 tensors, 1,700,000 values/);
  assert.equal(lines.filter((line) => /^t\d{6} /.test(line)).length, count);
  const json = JSON.parse((await cli('inspect', path, '--json')).stdout);
  for (const [name, from, to] of [['big', 0, bigValues], ['t000000', bigValues, bigValues + 1], ['t199999', bigValues + count - 1, bigValues + count]] as const) {
    // inspect reads 4 MiB at a time: 2^20 float32 values.
    const expected = new Accumulator();
    for (let at = from; at < to; at += 2 ** 20) expected.add(values.subarray(at, Math.min(to, at + 2 ** 20)), true);
    assert.deepEqual(json.tensors.find((t: { name: string }) => t.name === name).stats, { ...expected.summary() }, name);
  }
  // explain's table, from a plan of as many entries (planned once, renamed: the table only reads them).
  const [entry] = planModel({ seed: 1, layers: [{ type: 'dense', name: 'fc', in: 4, out: 2 }] });
  const plan = Array.from({ length: count }, (_, i) => ({ ...entry, name: `p${i}` }));
  assert.equal(nninit.explainPlan(plan).split('\n').filter((line) => /^p\d+ /.test(line)).length, count);
  const { textTable } = await import('../dist/formats/model-files.js');
  assert.equal(textTable(['a', 'b'], Array.from({ length: count }, (_, i) => [String(i), 'x'])).split('\n').length, count + 1);
}));

/** Header JSON with data bytes, as a file. */
function rawFile(header: string, dataBytes: number): Buffer {
  const json = Buffer.from(header);
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = Buffer.alloc(8 + padded + dataBytes, 0);
  bytes.writeBigUInt64LE(BigInt(padded));
  json.copy(bytes, 8);
  bytes.fill(0x20, 8 + json.length, 8 + padded);
  return bytes;
}

const GOOD = '{"a.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';

/** Inputs written into the input folder before a run: file name -> contents. */
type Files = Record<string, string | Buffer>;

/** Bad inputs: the arguments (IN = the input folder, OUT = the output file), files to create, and the message. */
const BAD_INPUTS: [string, string[], Files, RegExp][] = [
  ['no output flag', ['init', 'IN/spec.json'], { 'spec.json': '{"layers":[]}' }, /required option '-o, --output <path>'/],
  ['an unknown flag', ['init', 'IN/spec.json', '-o', 'OUT', '--sed', '1'], { 'spec.json': '{"layers":[]}' }, /unknown option '--sed'/],
  ['an unknown command', ['initialize', 'IN/spec.json'], {}, /unknown command 'initialize'/],
  ['a missing input', ['init', 'IN/none.json', '-o', 'OUT'], {}, /IN\/none\.json: cannot read the input: no such file/],
  ['an input of unknown type', ['init', 'IN/model.bin', '-o', 'OUT'], { 'model.bin': 'x' }, /IN\/model\.bin: unknown input type; expected a sharded checkpoint/],
  ['an input that is a folder', ['init', 'IN/', '-o', 'OUT'], {}, /unknown input type/],
  ['a spec that is not JSON', ['init', 'IN/spec.json', '-o', 'OUT'], { 'spec.json': '{"layers": [' }, /IN\/spec\.json: not valid JSON/],
  ['a spec with a bad field', ['init', 'IN/spec.json', '-o', 'OUT'], { 'spec.json': '{"layers":[{"type":"dense","in":4,"out":0}]}' }, /IN\/spec\.json: layers\[0\]\.out: expected a positive integer, got 0/],
  ['a spec with an unknown layer type', ['init', 'IN/spec.json', '-o', 'OUT'], { 'spec.json': '{"layers":[{"type":"densee","in":4,"out":2}]}' }, /IN\/spec\.json: layers\[0\]\.type: expected one of 'dense'/],
  ['a spec rule with a bad initializer', ['init', 'IN/spec.json', '-o', 'OUT'], { 'spec.json': '{"layers":[{"type":"dense","in":4,"out":2}],"rules":[{"match":"**","init":"he"}]}' }, /IN\/spec\.json: rules\[0\]\.init: expected one of zeros/],
  ['a bad --seed', ['init', 'IN/spec.json', '-o', 'OUT', '--seed', '1.5'], { 'spec.json': '{"layers":[]}' }, /--seed: expected an integer in \[0, 2\^64\), got 1\.5/],
  ['a --seed of 2^64', ['init', 'IN/spec.json', '-o', 'OUT', '--seed', '18446744073709551616'], { 'spec.json': '{"layers":[]}' }, /--seed: expected an integer/],
  ['an unknown --policy', ['init', 'IN/spec.json', '-o', 'OUT', '--policy', 'gpt3'], { 'spec.json': '{"layers":[]}' }, /--policy: expected one of activation, pytorch, keras, flax, gpt2, got gpt3/],
  ['a --policy parameter it does not take', ['init', 'IN/spec.json', '-o', 'OUT', '--policy', 'keras(nLayer=3)'], { 'spec.json': '{"layers":[]}' }, /--policy\.nLayer: unknown field|--policy \(nLayer\)|nLayer: unknown field/],
  ['a malformed --rule', ['init', 'IN/spec.json', '-o', 'OUT', '--rule', 'zeros'], { 'spec.json': '{"layers":[]}' }, /--rule zeros: expected GLOB=INIT/],
  ['a --rule matching nothing', ['init', 'IN/spec.json', '-o', 'OUT', '--rule', 'fc9.*=zeros'], { 'spec.json': '{"layers":[{"type":"dense","name":"fc","in":4,"out":2}]}' }, /--rule 'fc9\.\*=zeros' \(match\): "fc9\.\*" matches no parameter/],
  ['a --rule option the initializer rejects', ['init', 'IN/spec.json', '-o', 'OUT', '--rule', 'fc.weight=heNormal(gain=2)'], { 'spec.json': '{"layers":[{"type":"dense","name":"fc","in":4,"out":2}]}' }, /--rule 'fc\.weight=heNormal\(gain=2\)' \(gain\) \(on fc\.weight\): unknown option "gain" of heNormal/],
  ['a bad --dtype', ['init', 'IN/spec.json', '-o', 'OUT', '--dtype', 'float8'], { 'spec.json': '{"layers":[]}' }, /--dtype: expected one of float32, float16, bfloat16, float64, got float8/],
  ['a bad --layout', ['init', 'IN/spec.json', '-o', 'OUT', '--layout', 'jax'], { 'spec.json': '{"layers":[]}' }, /--layout: expected one of torch, keras, got jax/],
  ['a bad --rng', ['init', 'IN/spec.json', '-o', 'OUT', '--rng', 'mt'], { 'spec.json': '{"layers":[]}' }, /--rng: expected one of philox, torch, got mt/],
  ['--rng torch with another --policy', ['init', 'IN/spec.json', '-o', 'OUT', '--rng', 'torch', '--policy', 'keras'], { 'spec.json': '{"layers":[]}' }, /^nninit: error: --policy: expected 'pytorch' with --rng 'torch'/],
  ['--rng torch with a spec\'s own policy', ['init', 'IN/spec.json', '-o', 'OUT', '--rng', 'torch'], { 'spec.json': '{"policy":"activation","layers":[]}' }, /IN\/spec\.json: policy: expected 'pytorch' with --rng 'torch'/],
  ['--rng torch with --layout keras', ['explain', 'IN/spec.json', '--rng', 'torch', '--layout', 'keras'], { 'spec.json': '{"layers":[]}' }, /--layout: expected 'torch' with --rng 'torch'/],
  ['--rng with a checkpoint', ['init', 'IN/m.safetensors', '-o', 'OUT', '--rng', 'torch'], { 'm.safetensors': rawFile(GOOD, 16) }, /--rng: applies to spec inputs/],
  ['a bad --max-shard-size', ['init', 'IN/spec.json', '-o', 'OUT', '--max-shard-size', '2 parsecs'], { 'spec.json': '{"layers":[]}' }, /--max-shard-size: expected a size such as 2GB/],
  ['a --part beyond its count', ['init', 'IN/spec.json', '-o', 'OUT', '--part', '4/3', '--seed', '1'], { 'spec.json': '{"layers":[]}' }, /--part: expected K\/N with 1 <= K <= N/],
  ['a --part of 0', ['init', 'IN/spec.json', '-o', 'OUT', '--part', '0/3', '--seed', '1'], { 'spec.json': '{"layers":[]}' }, /--part: expected K\/N/],
  ['a bad --threads', ['init', 'IN/spec.json', '-o', 'OUT', '--threads', '0'], { 'spec.json': '{"layers":[]}' }, /--threads: expected an integer from 1 to 64, got 0/],
  ['a --threads that is not a number', ['init', 'IN/spec.json', '-o', 'OUT', '--threads', 'all'], { 'spec.json': '{"layers":[]}' }, /--threads: expected an integer from 1 to 64, got all/],
  ['a --part without a seed', ['init', 'IN/spec.json', '-o', 'OUT', '--part', '1/2'], { 'spec.json': '{"layers":[{"type":"dense","in":4,"out":2}]}' }, /--part 1\/2: every part must draw from the same seed; give --seed N \(or a seed in the spec\)/],
  ['--keep with a spec', ['init', 'IN/spec.json', '-o', 'OUT', '--keep', 'a'], { 'spec.json': '{"layers":[]}' }, /--keep: applies to checkpoint inputs/],
  ['an output folder below a file', ['init', 'IN/spec.json', '-o', 'IN/spec.json/sub/model.safetensors'], { 'spec.json': '{"layers":[]}' }, /-o IN\/spec\.json\/sub\/model\.safetensors: IN\/spec\.json is not a folder/],
  ['an output that is not .safetensors', ['init', 'IN/spec.json', '-o', 'IN/model.bin'], { 'spec.json': '{"layers":[]}' }, /-o IN\/model\.bin: expected a file name ending in \.safetensors, or a folder/],
  ['--layout with a checkpoint', ['init', 'IN/m.safetensors', '-o', 'OUT', '--layout', 'torch'], { 'm.safetensors': rawFile(GOOD, 16) }, /--layout: applies to spec inputs/],
  ['--keep matching nothing', ['init', 'IN/m.safetensors', '-o', 'OUT', '--keep', 'b.*'], { 'm.safetensors': rawFile(GOOD, 16) }, /--keep b\.\*: matches no tensor of IN\/m\.safetensors/],
  ['a tensor no convention covers', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile('{"mystery":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}', 12) }, /IN\/m\.safetensors: no naming convention or rule covers tensor "mystery" \[3\]; add a rule such as --rule mystery=zeros/],
  ['a header length beyond the file', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': (() => { const b = rawFile(GOOD, 16); b.writeBigUInt64LE(1000n); return b; })() }, /IN\/m\.safetensors: the header length 1000 runs beyond the end of the file/],
  ['a header above 100 MB', ['inspect', 'IN/m.safetensors'], { 'm.safetensors': (() => { const b = rawFile(GOOD, 16); b.writeBigUInt64LE(200_000_000n); return b; })() }, /IN\/m\.safetensors: the header length is 200000000 bytes, above the format's limit/],
  ['a header that is not JSON', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile('{"a.weight":{"dtype":"F32",', 16) }, /IN\/m\.safetensors: the header is not valid JSON/],
  ['an unknown dtype', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile(GOOD.replace('F32', 'F31'), 16) }, /IN\/m\.safetensors: tensor "a\.weight": unknown dtype "F31"/],
  ['offsets out of bounds', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile(GOOD.replace('[0,16]', '[0,32]').replace('[2,2]', '[4,2]'), 16) }, /tensor "a\.weight": data_offsets \[0, 32\] run beyond the data/],
  ['overlapping offsets', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile('{"a.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a.bias":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12) }, /tensor "a\.bias": data_offsets \[4, 12\] overlap those of "a\.weight"/],
  ['offsets ending before they begin', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile(GOOD.replace('[0,16]', '[16,0]'), 16) }, /tensor "a\.weight": data_offsets \[16, 0\] end before they begin/],
  ['a shape disagreeing with the bytes', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile(GOOD.replace('[2,2]', '[2,3]'), 16) }, /tensor "a\.weight": shape \[2, 3\] of F32 needs 24 bytes/],
  ['a tensor without data_offsets', ['inspect', 'IN/m.safetensors'], { 'm.safetensors': rawFile('{"a":{"dtype":"F32","shape":[2]}}', 8) }, /IN\/m\.safetensors: tensor "a": has no data_offsets; expected \[begin, end\]/],
  ['a tensor without a dtype', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile('{"a.weight":{"shape":[2],"data_offsets":[0,8]}}', 8) }, /IN\/m\.safetensors: tensor "a\.weight": has no dtype/],
  ['a tensor without a shape', ['explain', 'IN/m.safetensors'], { 'm.safetensors': rawFile('{"a.weight":{"dtype":"F32","data_offsets":[0,8]}}', 8) }, /IN\/m\.safetensors: tensor "a\.weight": has no shape/],
  ['a dimension written as 2.0', ['init', 'IN/m.safetensors', '-o', 'OUT'], { 'm.safetensors': rawFile(GOOD.replace('[2,2]', '[2,2.0]'), 16) }, /tensor "a\.weight": shape\[1\] must be a non-negative integer, got 2\.0/],
  ['more tensors than a header may list', ['inspect', 'IN/m.safetensors'], { 'm.safetensors': rawFile(`{${Array.from({ length: 2 ** 18 + 2 }, (_, i) => `"t${i}":0`).join(',')}}`, 0) }, /IN\/m\.safetensors: the header lists more than 262144 tensors; nninit reads at most 262144 \(2\^18\)/],
  ['a repeated tensor name', ['inspect', 'IN/m.safetensors'], { 'm.safetensors': rawFile('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4) }, /IN\/m\.safetensors: the name "w" appears twice/],
  ['non-string metadata', ['inspect', 'IN/m.safetensors'], { 'm.safetensors': rawFile('{"__metadata__":{"step":1}}', 0) }, /__metadata__\.step must be a string/],
  ['an index naming a missing shard', ['init', 'IN/model.safetensors.index.json', '-o', 'OUT'], { 'model.safetensors.index.json': '{"weight_map":{"a.weight":"model-00001-of-00002.safetensors"}}' }, /IN\/model\.safetensors\.index\.json: its shard "model-00001-of-00002\.safetensors" cannot be read \(ENOENT\)/],
  ['an index escaping its folder', ['inspect', 'IN/model.safetensors.index.json'], { 'model.safetensors.index.json': '{"weight_map":{"a.weight":"../m.safetensors"}}' }, /must be a file name in the index's folder/],
  ['an index listing a tensor twice', ['init', 'IN/model.safetensors.index.json', '-o', 'OUT'], { 'model.safetensors.index.json': '{"weight_map":{"a.weight":"m.safetensors","a.weight":"n.safetensors"}}', 'm.safetensors': rawFile(GOOD, 16) }, /IN\/model\.safetensors\.index\.json: weight_map lists "a\.weight" twice/],
  ['an index whose total_size is not a number', ['inspect', 'IN/model.safetensors.index.json'], { 'model.safetensors.index.json': '{"metadata":{"total_size":"16"},"weight_map":{"a.weight":"m.safetensors"}}', 'm.safetensors': rawFile(GOOD, 16) }, /metadata\.total_size must be a non-negative integer/],
  ['an index disagreeing with its shard', ['init', 'IN/model.safetensors.index.json', '-o', 'OUT'], { 'model.safetensors.index.json': '{"weight_map":{"a.bias":"m.safetensors"}}', 'm.safetensors': rawFile(GOOD, 16) }, /tensor "a\.weight": shard "m\.safetensors" holds it, but the weight_map does not list it/],
];

test("an index's wrong total_size is a note in inspect and a warning in init, not an error", withFolder(async (folder) => {
  writeFileSync(join(folder, 'm.safetensors'), rawFile(GOOD, 16));
  const index = join(folder, 'model.safetensors.index.json');
  writeFileSync(index, '{"metadata":{"total_size":99},"weight_map":{"a.weight":"m.safetensors"}}');
  const inspected = await cli('inspect', index);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /note: the index's total_size is 99, the shards hold 16 bytes of tensor data/);
  const out = join(folder, 'out', 'model.safetensors');
  const written = await cli('init', index, '-o', out, '--seed', '1');
  assert.equal(written.code, 0, written.stderr);
  assert.match(written.stderr, /^nninit: warning: .*model\.safetensors\.index\.json: metadata\.total_size is 99, but the shards hold 16 bytes/);
  assert.equal((await cli('init', index, '-o', out, '--seed', '1', '-q')).stderr, '', '--quiet prints nothing but errors');
}));

test('every bad input exits with code 2, names the file, JSON path or flag, and writes nothing', withFolder(async (folder) => {
  for (const [what, args, files, message] of BAD_INPUTS) {
    const input = join(folder, 'in'), output = join(folder, 'out');
    rmSync(input, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
    mkdirSync(input);
    mkdirSync(output);
    for (const [name, contents] of Object.entries(files)) writeFileSync(join(input, name), contents);
    const argv = args.map((a) => a.replace(/^IN/, input).replace(/^OUT$/, join(output, 'model.safetensors')));
    const { code, stdout, stderr } = await cli(...argv);
    assert.equal(code, 2, `${what}: exit code (stderr: ${stderr})`);
    assert.match(stderr.replaceAll(input, 'IN'), message, what);
    assert.match(stderr, /^nninit: /, `${what}: the message says where it comes from`);
    assert.equal(stdout.includes('Error:'), false, what);
    assert.deepEqual(readdirSync(output), [], `${what}: nothing written`);
    assert.deepEqual(readdirSync(input).sort(), Object.keys(files).sort(), `${what}: nothing written beside the input`);
  }
}));

test("-o's missing folders are created for every output format, and removed again when the write fails", withFolder(async (folder) => {
  const root = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const outputs: [string, string, string[]][] = [
    [example('mlp-mixed'), join(folder, 'a', 'b', 'model.safetensors'), ['model.safetensors']],
    [example('mlp-mixed'), join(folder, 'shards', 'x') + '/', ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']],
    [join(root, 'onnx', 'mlp.onnx'), join(folder, 'c', 'd', 'fresh.onnx'), ['fresh.onnx']],
    [join(root, 'tfjs', 'sequential', 'model.json'), join(folder, 'e', 'f', 'model.json'), ['group1-shard1of1.bin', 'model.json']],
  ];
  for (const [input, output, files] of outputs) {
    const sharded = output.includes('shards') ? ['--max-shard-size', '500kB'] : [];
    // An interrupted write (the signal a Ctrl-C raises) leaves none of the folders it made.
    const aborted = await run(['init', input, '-o', output, '--seed', '1', '-q', ...sharded], { stdout: { write: () => undefined }, stderr: { write: () => undefined, isTTY: false }, signal: AbortSignal.abort() });
    assert.equal(aborted, 130, output);
    assert.deepEqual(readdirSync(folder), [], `${output}: nothing left after an interrupted write`);
    const { code, stderr } = await cli('init', input, '-o', output, '--seed', '1', '-q', ...sharded);
    assert.equal(code, 0, `${output}: ${stderr}`);
    assert.deepEqual(readdirSync(output.endsWith('/') ? output : join(output, '..')).sort(), files, output);
    rmSync(join(folder, readdirSync(folder)[0]), { recursive: true });
  }
  // A folder that cannot be made is refused before anything is read.
  writeFileSync(join(folder, 'file'), '');
  const refused = await cli('init', join(root, 'onnx', 'mlp.onnx'), '-o', join(folder, 'file', 'sub', 'm.onnx'));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /-o .*file\/sub\/m\.onnx: .*file is not a folder/);
}));

test('errors that are not bad input exit with 1, interruptions with 130', () => {
  assert.equal(classify(new Error('boom'), {}).code, 1);
  assert.equal(classify(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' }), {}).code, 1);
  assert.equal(classify(new RangeError('Invalid array length'), {}).code, 1, 'a RangeError that is not the library\'s is not bad input');
  assert.equal(classify(new DOMException('interrupted by SIGINT', 'AbortError'), {}).code, 130);
  assert.equal(classify(new TypeError('nninit.planModel: options.seed: expected an integer seed, got 1.5'), {}).message, '--seed: expected an integer seed, got 1.5');
});

test('a full disk names the file being written: ENOSPC of a write through a handle carries no path of its own', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  const handle = await open('/dev/full', 'w');
  let error: unknown;
  try {
    await writeFully(handle, new Uint8Array(4096), 0);
  } catch (caught) {
    error = caught;
  } finally {
    await handle.close();
  }
  assert.equal((error as { code?: string }).code, 'ENOSPC');
  assert.equal((error as { path?: string }).path, undefined, 'Node names no file');
  assert.equal(classify(namingFile(error, 'out/model.safetensors'), {}).message, 'out/model.safetensors: ENOSPC: no space left on device, write');
  const read = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', syscall: 'read' });
  assert.equal((namingFile(read, 'out/model.safetensors') as { path?: string }).path, undefined, 'a read is not the output\'s');
});

test('progress: a line redrawn in place on a terminal, nothing but plain lines elsewhere', () => {
  const line = progressLine({ bytesDone: 250e6, bytesTotal: 500e6, label: 'h.3.mlp.c_fc.weight' }, 0.5);
  assert.equal(line, ' 50% [############------------] 250.0 MB / 500.0 MB  500.0 MB/s  ETA 500 ms  h.3.mlp.c_fc.weight');
  assert.equal(progressLine({ bytesDone: 1, bytesTotal: 2, label: 'x'.repeat(200) }, 1, 60).length, 60 - 1);
  let clock = 0;
  const tty: string[] = [], pipe: string[] = [];
  const onTty = createProgress({ write: (t: string) => tty.push(t), isTTY: true, columns: 100 }, { enabled: true, now: () => clock });
  const onPipe = createProgress({ write: (t: string) => pipe.push(t), isTTY: false }, { enabled: true, now: () => clock });
  for (clock = 0; clock <= 40_000; clock += 50) {
    onTty.update({ bytesDone: clock, bytesTotal: 40_000, label: 't' });
    onPipe.update({ bytesDone: clock, bytesTotal: 40_000, label: 't' });
  }
  onTty.done();
  onPipe.done();
  assert.ok(tty.length > 100 && tty.length <= 402, `redrawn at most 10 times a second: ${tty.length}`);
  assert.ok(tty.every((t) => t.startsWith('\r\x1b[2K')));
  assert.equal(pipe.length, 2, 'one plain line per 15 s');
  assert.ok(pipe.every((t) => /^nninit: [^\r\x1b]*\n$/.test(t)), pipe.join(''));
  const silent: string[] = [];
  createProgress({ write: (t: string) => silent.push(t), isTTY: true }, { enabled: false }).update({ bytesDone: 1, bytesTotal: 1, label: '' });
  assert.deepEqual(silent, []);
});

/**
 * The modules the bin loads for `argv`, seen through a resolve hook: files below the package's folder, each file of
 * the bundle (dist/cli/main.js and its chunks in dist/cli/bin/, see scripts/bundle-cli.mjs) replaced by the
 * sources it holds, as esbuild's metafile lists them (src/cli/program.ts, node_modules/commander/index.js, ...).
 */
function modulesLoaded(...argv: string[]): { files: string[]; modules: string[] } {
  const hook = `export async function resolve(specifier, context, next) { const r = await next(specifier, context); if (r.url.startsWith('file:')) console.error('loaded ' + r.url); return r; }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const child = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, BIN, ...argv], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const root = new URL('..', import.meta.url).href;
  const files = [...new Set([...child.stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1].slice(root.length)))];
  const bundle = JSON.parse(readFileSync(join(ROOT, 'build', 'cli-bundle.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return { files, modules: files.flatMap((file) => (bundle.outputs[file] ? Object.keys(bundle.outputs[file].inputs) : [file])) };
}

test('the bin loads the ONNX and TF.js formats, the probe and plots, and the worker pool only for the commands that need them', withFolder(async (folder) => {
  const heavy = /node_modules\/(protobufjs|onnx-proto)\/|(src|dist)\/formats\/(node\/)?(onnx|tfjs)|(src|dist)\/diagnose\/(probe|engine|plot\/)|(src|dist)\/pool\//;
  const spec = join(folder, 'spec.json');
  writeFileSync(spec, JSON.stringify({ seed: 1, layers: [{ type: 'dense', name: 'fc', in: 4, out: 4 }] }));
  for (const argv of [['--version'], ['explain', example('mlp-mixed'), '--seed', '1'], ['init', spec, '-o', join(folder, 'out.safetensors'), '--threads', '1', '--quiet']]) {
    const { files, modules } = modulesLoaded(...argv);
    assert.ok(modules.includes('src/cli/program.ts'), `the hook sees the command's modules: ${modules.join(', ')}`);
    assert.deepEqual(modules.filter((url) => heavy.test(url)), [], `nninit ${argv[0]} starts without them`);
    // The bundle: the command's seventy-odd modules come in a few files, which Node loads faster (scripts/bundle-cli.mjs).
    assert.ok(files.length <= 12, `nninit ${argv[0]} loads ${files.length} files: ${files.join(', ')}`);
  }
  // An ONNX input loads the ONNX reader (and not the pool or the probe).
  const onnx = modulesLoaded('explain', join(ROOT, 'tests', 'fixtures', 'onnx', 'mlp.onnx'), '--seed', '1').modules;
  assert.ok(onnx.some((url) => url.includes('node_modules/onnx-proto/')), 'the ONNX schema loads for an ONNX input');
  assert.deepEqual(onnx.filter((url) => /(src|dist)\/pool\/|(src|dist)\/diagnose\/probe/.test(url)), []);
}));

/** About 1 GB of float32 in one tensor: the bin's memory stays bounded, and the file is written in chunks. */
const BIG = JSON.stringify({ seed: 1, layers: [{ type: 'param', name: 'big', shape: [16384, 16384], init: 'uniform', low: -1, high: 1 }] });

test('the bin: --version, exit codes, and bounded memory for a 1 GB model with plain stderr', { timeout: 120_000 }, withFolder(async (folder) => {
  const exec = promisify(execFile);
  const version = `${nninit.planMetadata([])['nninit.version']}\n`;
  assert.equal((await exec(process.execPath, [BIN, '--version'])).stdout, version);
  // The README's command: npx runs the package's own bin from its folder, which must be executable.
  assert.equal(statSync(BIN).mode & 0o111, 0o111, 'dist/cli/main.js is executable');
  assert.equal((await exec('npx', ['--no', '--', 'nninit', '--version'], { cwd: ROOT })).stdout, version);
  // A pipe closed early ends the command quietly.
  const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" explain "${example('gpt2-small')}" --json | head -1`], { encoding: 'utf8' });
  assert.equal(piped.stdout, '{\n');
  assert.equal(piped.stderr, '', 'no EPIPE trace');
  const bad = spawnSync(process.execPath, [BIN, 'init', join(folder, 'none.json'), '-o', join(folder, 'x.safetensors')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /none\.json: cannot read the input: no such file/);

  const spec = join(folder, 'big.json');
  writeFileSync(spec, BIG);
  const out = join(folder, 'big.safetensors');
  // Through a worker pool (three workers, whatever the machine's cores), whose chunks and workers count too.
  const { stdout, stderr } = await exec(process.execPath, [BIN, 'init', spec, '-o', out, '--json', '--threads', '3'], { maxBuffer: 1 << 24 });
  const report = JSON.parse(stdout);
  assert.equal(statSync(out).size, report.bytes);
  assert.ok(report.bytes > 2 ** 30, `about 1 GB: ${report.bytes}`);
  assert.ok(report.peakRssBytes < 300e6, `peak RSS ${(report.peakRssBytes / 1e6).toFixed(0)} MB, bounded below 300 MB`);
  assert.equal(report.threads, 3);
  assert.doesNotMatch(stderr, /[\r\x1b]/, 'no control characters when stderr is not a terminal');
  // Spot-check values at the start, the middle and the end against the library.
  const plan = planModel(BIG)[0];
  const { openSync, readSync, closeSync } = await import('node:fs');
  const fd = openSync(out, 'r');
  try {
    const prefix = new Uint8Array(8);
    readSync(fd, prefix, 0, 8, 0);
    const dataStart = 8 + Number(new DataView(prefix.buffer).getBigUint64(0, true));
    assert.equal(statSync(out).size, dataStart + plan.size * 4);
    for (const offset of [0, 123_456_789, plan.size - 1024]) {
      const slice = initParameter(plan, { offset, length: 1024 });
      const bytes = new Uint8Array(4096);
      readSync(fd, bytes, 0, 4096, dataStart + offset * 4);
      assert.deepEqual(bytes, bytesOf(slice), `elements at ${offset}`);
    }
  } finally {
    closeSync(fd);
  }
}));

test('Ctrl-C during a write, once or twice, or the terminal closing (SIGHUP), leaves neither the output nor a temporary file', { timeout: 60_000 }, withFolder(async (folder) => {
  const spec = join(folder, 'big.json');
  writeFileSync(spec, BIG);
  for (const [signal, presses, exitCode] of [['SIGINT', 1, 130], ['SIGINT', 2, 130], ['SIGHUP', 1, 129]] as const) {
    const out = join(folder, `out-${signal}-${presses}`);
    mkdirSync(out);
    // The first run computes on a worker pool, which ends with the write.
    const threads = presses === 1 ? ['--threads', '2'] : [];
    const child = spawn(process.execPath, [BIN, 'init', spec, '-o', join(out, 'model.safetensors'), ...threads], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the temporary file is there and growing, then interrupt.
    const started = Date.now();
    while (!readdirSync(out).some((name) => name.endsWith('.partial') && statSync(join(out, name)).size > 1e6)) {
      assert.ok(Date.now() - started < 30_000, 'the write started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill(signal);
    // A second press while the first is being handled exits at once, removing the temporary file synchronously.
    if (presses === 2) setTimeout(() => child.kill(signal), 3);
    assert.equal(await exited, exitCode, stderr);
    if (presses === 1) assert.match(stderr, /interrupted; no output was written/);
    assert.deepEqual(readdirSync(out), [], `${presses} ${signal}`);
  }
}));

test('the README shows what `nninit init examples/gpt2-small.json` prints', withFolder(async (folder) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const shown = /```\n(nninit init examples\/gpt2-small\.json: [\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(shown, 'the README has the output block');
  const out = join(folder, 'gpt2.safetensors');
  const { code, stdout } = await cli('init', example('gpt2-small'), '-o', out);
  assert.equal(code, 0);
  const lines = stdout.replace(example('gpt2-small'), 'examples/gpt2-small.json').replace(out, 'gpt2.safetensors').trimEnd().split('\n');
  const expected = shown.split('\n');
  // Every line shown is printed, in order; the elided rows are h.1 to h.11, and the timing line varies.
  let at = 0;
  for (const line of expected) {
    if (line.startsWith('… (h.1 to h.11')) {
      const skipped = lines.slice(at).findIndex((l) => l.startsWith('transformer.h.11.mlp.c_proj.bias'));
      assert.equal(skipped + 1, 132, 'the elided rows: h.1 to h.11, 12 each');
      at += skipped + 1;
      continue;
    }
    if (/^[\d.]+ m?s \(/.test(line)) {
      assert.match(lines[at++], /^[\d.]+ m?s \([\d.]+ [kMG]?B\/s\)$/);
      continue;
    }
    assert.equal(lines[at++], line);
  }
  assert.equal(at, lines.length);
}));
