// The safetensors format without files: header bytes against the format crate's own test vectors, round trips
// against initModel's bytes, every validation failure of an untrusted header with its own message, the dtype
// decoders, the statistics, Hugging Face's shard split and the part assignment.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import type { ModelSpecInput, SafetensorsErrorCode } from 'nninit';
import { bytesOf } from './helpers.ts';

const {
  encodeSafetensors, safetensorsChunks, readSafetensors, layoutSafetensors, parseSafetensorsHeader, safetensorsHeaderLength,
  tensorValues, SafetensorsError, planShards, parseByteSize, partOfShard, indexJson, parseIndex, Accumulator, planModel, initModel,
} = nninit;

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const le64 = (n: number | bigint) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
  return bytes;
};

/** A file from header JSON text and data bytes: 8-byte length, the text padded with spaces to 8, the data. */
function file(header: string, data: Uint8Array | number = 0): Uint8Array {
  const json = new TextEncoder().encode(header);
  const padded = Math.ceil(json.length / 8) * 8;
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const bytes = new Uint8Array(8 + padded + body.length);
  bytes.set(le64(padded));
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + padded);
  bytes.set(body, 8 + padded);
  return bytes;
}

const MODEL: ModelSpecInput = {
  seed: 11,
  layers: [
    { type: 'embedding', name: 'emb', vocab: 300, dim: 24 },
    { type: 'lstm', name: 'lstm', in: 24, units: 16 },
    { type: 'dense', name: 'fc', in: 16, out: 7, activation: 'relu' },
    { type: 'layernorm', name: 'ln', dim: 7 },
  ],
};

test('headers match the safetensors crate\'s own test vectors byte for byte', () => {
  // safetensors/src/tensor.rs tests: test_serialization, test_serialization_forced_alignement, test_empty.
  const one = layoutSafetensors([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3] }]);
  assert.deepEqual([...one.header.subarray(0, 8)], [64, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(text(one.header.subarray(8)), '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
  const aligned = layoutSafetensors([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3] }]);
  assert.deepEqual([...aligned.header.subarray(0, 8)], [72, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(text(aligned.header.subarray(8)), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  assert.deepEqual([...layoutSafetensors([]).header], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const meta = layoutSafetensors([], { framework: 'pt' });
  assert.equal(meta.header.length, 48);
  assert.equal(text(meta.header.subarray(8)), '{"__metadata__":{"framework":"pt"}}     ');
});

test('tensors are laid out contiguously, widest dtype first, each aligned to its element size', () => {
  const layout = layoutSafetensors([
    { name: 'a', dtype: 'F16', shape: [3] },
    { name: 'b', dtype: 'F32', shape: [5] },
    { name: 'c', dtype: 'BF16', shape: [1] },
    { name: 'd', dtype: 'F64', shape: [2] },
    { name: 'e', dtype: 'F32', shape: [1] },
  ]);
  assert.deepEqual(layout.tensors.map((t) => [t.name, t.begin, t.end]), [['d', 0, 16], ['b', 16, 36], ['e', 36, 40], ['a', 40, 46], ['c', 46, 48]]);
  assert.equal(layout.header.length % 8, 0);
  assert.equal(layout.fileLength, layout.header.length + 48);
  assert.throws(() => layoutSafetensors([{ name: 'x', dtype: 'F32', shape: [1] }, { name: 'x', dtype: 'F32', shape: [1] }]), /given twice/);
  assert.throws(() => layoutSafetensors([{ name: '__metadata__', dtype: 'F32', shape: [1] }]), TypeError);
  assert.throws(() => layoutSafetensors([], { seed: 1 as unknown as string }), /metadata\.seed must be a string/);
});

test('encodeSafetensors round-trips through readSafetensors to initModel\'s bytes, in every dtype', () => {
  for (const dtype of ['float32', 'float16', 'bfloat16', 'float64'] as const) {
    const weights = initModel(MODEL, { dtype });
    const bytes = encodeSafetensors(weights.plan);
    const read = readSafetensors(bytes, { file: 'model.safetensors' });
    assert.deepEqual(read.metadata, { format: 'pt', 'nninit.version': '0.1.0', 'nninit.seed': '11', 'nninit.policy': 'activation' });
    assert.deepEqual(read.tensors.map((t) => t.name), weights.plan.map((p) => p.name), 'one dtype: plan order');
    for (const t of read.tensors) {
      const p = weights.plan.find((q) => q.name === t.name)!;
      assert.equal(t.dtype, { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64' }[dtype]);
      assert.deepEqual(t.shape, p.shape);
      assert.deepEqual(t.data, bytesOf(weights.get(t.name)!), `${dtype} ${t.name}`);
    }
  }
});

test('safetensorsChunks yields the bytes of encodeSafetensors in chunks of at most chunkBytes', () => {
  const plan = planModel(MODEL, { dtype: 'bfloat16' });
  const whole = encodeSafetensors(plan, { metadata: { format: 'pt' } });
  const chunks = [...safetensorsChunks(plan, { metadata: { format: 'pt' }, chunkBytes: 1000 })];
  assert.ok(chunks.slice(1).every((c) => c.length <= 1000 - (1000 % 8)), 'chunk sizes');
  const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.length;
  }
  assert.deepEqual(joined, whole);
});

// The Rust crate's rule (safetensors/src/tensor.rs): the header is read into a hash map and sorted by data_offsets
// before validation, so any listing order passes; only the data must be contiguous from 0 to the end.
test('header order may differ from data order; tensors come back in data order', () => {
  const bytes = file('{"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array([255, 1, 2]));
  const read = readSafetensors(bytes);
  assert.deepEqual(read.tensors.map((t) => t.name), ['a', 'b']);
  assert.deepEqual([...tensorValues(read.tensors[0])!], [-1]);
  assert.deepEqual([...tensorValues(read.tensors[1])!], [1, 2]);
  assert.equal(read.metadata, undefined);
  // Listed last to first, with an empty tensor at the boundary between the other two.
  const reversed = readSafetensors(file('{"c":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 8));
  assert.deepEqual(reversed.tensors.map((t) => t.name), ['a', 'e', 'c']);
});

/** Each malformed file, the error code it must give, and text its message must contain. */
const BAD: [string, () => Uint8Array, SafetensorsErrorCode, RegExp][] = [
  ['fewer than 8 bytes', () => new Uint8Array(5), 'HeaderTooSmall', /5 bytes, fewer than the 8/],
  ['header length above 100 MB', () => { const b = new Uint8Array(16); b.set(le64(100_000_001)); return b; }, 'HeaderTooLarge', /100000001 bytes, above the format's limit of 100000000/],
  ['header length 2^64 - 1', () => { const b = new Uint8Array(16); b.set(le64((1n << 64n) - 1n)); return b; }, 'HeaderTooLarge', /18446744073709551615/],
  ['header length beyond the file', () => { const b = file('{}'); b.set(le64(4096)); return b; }, 'InvalidHeaderLength', /4096 runs beyond the end of the file \(16 bytes/],
  ['header not UTF-8', () => { const b = file('{"a":1}'); b[10] = 0xff; return b; }, 'InvalidHeader', /not valid UTF-8/],
  ['header not an object', () => file('[1, 2]'), 'InvalidHeaderStart', /must start with '\{'/],
  ['header not JSON', () => file('{"a": {"dtype": "F32",'), 'InvalidHeaderDeserialization', /not valid JSON/],
  ['entry not an object', () => file('{"w":[1,2]}'), 'InvalidTensorEntry', /tensor "w": expected \{ dtype, shape, data_offsets \}/],
  ['unknown dtype', () => file('{"w":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}', 4), 'UnknownDtype', /tensor "w": unknown dtype "F12"/],
  ['no dtype', () => file('{"a":{"shape":[2],"data_offsets":[0,8]}}', 8), 'InvalidTensorEntry', /tensor "a": has no dtype; expected one of .*F32/],
  ['no shape', () => file('{"a":{"dtype":"F32","data_offsets":[0,8]}}', 8), 'InvalidTensorEntry', /tensor "a": has no shape; expected an array/],
  ['no data_offsets', () => file('{"a":{"dtype":"F32","shape":[2]}}', 8), 'InvalidTensorEntry', /tensor "a": has no data_offsets; expected \[begin, end\]/],
  ['an empty entry', () => file('{"a":{}}'), 'InvalidTensorEntry', /tensor "a": has no dtype/],
  ['a dimension written with a fraction', () => file('{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', 8), 'InvalidTensorEntry', /tensor "a": shape\[0\] must be a non-negative integer, got 2\.0 \(integers are written as plain digits/],
  ['an offset written with an exponent', () => file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8e0]}}', 8), 'InvalidTensorEntry', /tensor "a": data_offsets\[1\] must be a non-negative integer, got 8e0/],
  ['a dimension of -0', () => file('{"a":{"dtype":"F32","shape":[2,-0],"data_offsets":[0,0]}}'), 'InvalidTensorEntry', /tensor "a": shape\[1\] must be a non-negative integer, got -0/],
  ['a fractional dimension', () => file('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}', 8), 'InvalidTensorEntry', /shape\[0\] must be a non-negative integer, got 1\.5$/],
  ['negative dimension', () => file('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4), 'InvalidTensorEntry', /tensor "w": shape\[0\] must be a non-negative integer, got -1/],
  ['shape not an array', () => file('{"w":{"dtype":"F32","shape":4,"data_offsets":[0,4]}}', 4), 'InvalidTensorEntry', /tensor "w": shape must be an array/],
  ['offsets not a pair', () => file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', 4), 'InvalidOffset', /tensor "w": data_offsets must be \[begin, end\]/],
  ['offsets unordered', () => file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', 4), 'InvalidOffset', /tensor "w": data_offsets \[4, 0\] end before they begin/],
  ['offsets out of bounds', () => file('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8), 'InvalidOffset', /tensor "w": data_offsets \[0, 16\] run beyond the data, which holds 8 bytes/],
  ['overlapping tensors', () => file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12), 'InvalidOffset', /tensor "b": data_offsets \[4, 12\] overlap those of "a" \[0, 8\]/],
  ['a gap between tensors', () => file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', 12), 'InvalidOffset', /tensor "b": .* gap of 4 bytes after "a"/],
  ['data not starting at 0', () => file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), 'InvalidOffset', /gap of 4 bytes at the start of the data/],
  ['bytes after the last tensor', () => file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 10), 'MetadataIncompleteBuffer', /6 bytes after the last tensor/],
  ['shape disagreeing with the bytes', () => file('{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}', 20), 'TensorInvalidInfo', /tensor "w": shape \[2, 3\] of F32 needs 24 bytes, but data_offsets \[0, 20\] hold 20/],
  ['a shape overflowing 2^53', () => file('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}', 4), 'ValidationOverflow', /tensor "w": shape .* more than 2\^53 - 1 elements/],
  ['packed elements in a partial byte', () => file('{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', 2), 'MisalignedSlice', /12 bits, not a whole number of bytes/],
  ['a repeated tensor name', () => file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4), 'DuplicateName', /the name "w" appears twice/],
  ['a repeated name spelt with an escape', () => file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0077":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4), 'DuplicateName', /"w" appears twice/],
  ['a repeated field', () => file('{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}', 4), 'DuplicateName', /tensor "w": the field "dtype" appears twice/],
  ['non-string metadata', () => file('{"__metadata__":{"format":"pt","epoch":3}}'), 'InvalidMetadata', /__metadata__\.epoch must be a string, got 3/],
  ['metadata not an object', () => file('{"__metadata__":"pt"}'), 'InvalidMetadata', /__metadata__ must be an object/],
  ['more tensors than nninit reads, counted before parsing', () => file(`{${Array.from({ length: 2 ** 18 + 2 }, (_, i) => `"t${i}":0`).join(',')}}`), 'TooManyTensors', /the header lists more than 262144 tensors; nninit reads at most 262144 \(2\^18\)/],
];

test('every malformed header is refused with its own error naming the file and the tensor', () => {
  for (const [what, make, code, message] of BAD) {
    const bytes = make();
    assert.throws(() => readSafetensors(bytes, { file: 'bad.safetensors' }), (error: unknown) => {
      assert.ok(error instanceof SafetensorsError, `${what}: ${String(error)}`);
      assert.equal(error.code, code, `${what}: ${error.message}`);
      assert.match(error.message, /^bad\.safetensors: /, what);
      assert.match(error.message, message, what);
      return true;
    }, what);
  }
});

test('numbers spelt otherwise elsewhere are left alone, and the tensor count is exact up to the cap', () => {
  // Metadata values are strings; a number-like string in them, or in a name, is not a shape.
  const read = readSafetensors(file('{"__metadata__":{"lr":"1e-3"},"2.0":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4));
  assert.deepEqual(read.tensors.map((t) => [t.name, t.shape]), [['2.0', [1]]]);
  // The cap counts tensors, not __metadata__ (the entries of `0` fail only once the count has passed); the writer
  // refuses what the reader would.
  const entries = (count: number) => Array.from({ length: count }, (_, i) => `"t${i}":0`).join(',');
  assert.throws(() => readSafetensors(file(`{${entries(2 ** 18 + 1)}}`)), { code: 'TooManyTensors', message: /lists 262145 tensors/ });
  assert.throws(() => readSafetensors(file(`{"__metadata__":{},${entries(2 ** 18)}}`)), { code: 'InvalidTensorEntry', message: /tensor "t0": expected \{ dtype/ });
  assert.throws(() => layoutSafetensors(Array.from({ length: 2 ** 18 + 1 }, (_, i) => ({ name: `t${i}`, dtype: 'F32' as const, shape: [0] }))), /262145 tensors, more than a file nninit reads may hold \(262144, 2\^18\)/);
  assert.equal(nninit.MAX_HEADER_TENSORS, 2 ** 18);
});

test('the header length is checked against the file before the header is read', () => {
  // A 100 MB header claimed by a 16-byte prefix of a 1 TB file is refused without reading or allocating it.
  const prefix = le64(100_000_001);
  assert.throws(() => safetensorsHeaderLength(prefix, 2 ** 40), { code: 'HeaderTooLarge' });
  assert.equal(safetensorsHeaderLength(le64(64), 100), 64);
  assert.throws(() => parseSafetensorsHeader(new TextEncoder().encode('{}      '), 4), { code: 'InvalidHeaderLength' });
  assert.throws(() => readSafetensors([1, 2, 3] as unknown as Uint8Array), TypeError);
});

test('element decoders: float16, bfloat16 and float8 known values, integers, and packed types left out', () => {
  const decode = (dtype: nninit.SafetensorsDtype, bytes: number[]) => [...tensorValues({ dtype, data: new Uint8Array(bytes) })!];
  assert.deepEqual(decode('F16', [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xff, 0x7b, 0x00, 0x7c]), [1, -2, 2 ** -24, 65504, Infinity]);
  assert.ok(Number.isNaN(decode('F16', [0x01, 0x7c])[0]));
  assert.deepEqual(decode('BF16', [0x80, 0x3f, 0x49, 0x40]), [1, 3.140625]);
  // OCP FP8: E4M3 max 448 (0x7e), 0x7f is NaN; E5M2 max 57344 (0x7b), 0x7c infinity; smallest subnormals.
  assert.deepEqual(decode('F8_E4M3', [0x7e, 0x01, 0xb8]), [448, 2 ** -9, -1]);
  assert.ok(Number.isNaN(decode('F8_E4M3', [0x7f])[0]));
  assert.deepEqual(decode('F8_E5M2', [0x7b, 0x7c, 0x01, 0x3c]), [57344, Infinity, 2 ** -16, 1]);
  assert.deepEqual(decode('I64', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), [-1]);
  assert.deepEqual(decode('BOOL', [0, 1, 7]), [0, 1, 1]);
  assert.deepEqual(decode('U16', [1, 1]), [257]);
  assert.equal(tensorValues({ dtype: 'F4', data: new Uint8Array(1) }), undefined);
  assert.equal(tensorValues({ dtype: 'C64', data: new Uint8Array(8) }), undefined);
  // An odd offset is copied rather than viewed.
  const odd = new Uint8Array([9, 0, 0, 0x80, 0x3f]).subarray(1);
  assert.deepEqual([...tensorValues({ dtype: 'F32', data: odd })!], [1]);
});

test('statistics accumulated chunk by chunk equal a two-pass float64 computation', () => {
  const values = new Float32Array(100_003);
  for (let i = 0; i < values.length; i++) values[i] = 3 + Math.sin(i) * 0.01;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0, min = Infinity, max = -Infinity;
  for (const v of values) {
    squares += (v - mean) ** 2;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  for (const chunk of [values.length, 4096, 777, 1]) {
    const accumulator = new Accumulator();
    for (let at = 0; at < values.length; at += chunk) accumulator.add(values.subarray(at, at + chunk), true);
    const s = accumulator.summary();
    assert.equal(s.count, values.length);
    assert.ok(Math.abs(s.mean - mean) < 1e-12, `mean, chunks of ${chunk}`);
    assert.ok(Math.abs(s.std / Math.sqrt(squares / values.length) - 1) < 1e-9, `std, chunks of ${chunk}: ${s.std}`);
    assert.equal(s.min, min);
    assert.equal(s.max, max);
  }
  const constant = new Accumulator();
  constant.add(new Float32Array(1000).fill(0.1));
  assert.equal(constant.summary().std, 0, 'a constant tensor has std exactly 0');
  const holes = new Accumulator();
  holes.add(new Float64Array([1, NaN, 3, Infinity]), true);
  assert.deepEqual({ ...holes.summary() }, { count: 2, mean: 2, std: 1, min: 1, max: 3, nonFinite: 2 });
  const unranged = new Accumulator();
  unranged.add(new Float32Array([1, 2]));
  assert.ok(Number.isNaN(unranged.summary().min), 'min is unknown when the range was not asked for');
});

test('shards split as huggingface_hub does, and parts take them round robin', () => {
  const GB = 1e9;
  // huggingface_hub's documented example: limit 10GB, tensors [6, 6, 2, 6, 2, 2] GB -> [6], [6+2], [6+2+2].
  assert.deepEqual(planShards([6, 6, 2, 6, 2, 2].map((n) => n * GB), 10 * GB).map((s) => s.tensors), [[0], [1, 2], [3, 4, 5]]);
  // A tensor above the limit gets its own shard, placed when it is met, before the shard being filled.
  const big = planShards([1, 12, 1].map((n) => n * GB), 5 * GB);
  assert.deepEqual(big.map((s) => s.tensors), [[1], [0, 2]]);
  assert.deepEqual(big.map((s) => s.file), ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  assert.deepEqual(planShards([5, 5], undefined, 'gpt2').map((s) => [s.file, s.bytes]), [['gpt2.safetensors', 10]]);
  assert.deepEqual(planShards([], 10).map((s) => s.tensors), [[]]);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((k) => partOfShard(k, 3)), [1, 2, 3, 1, 2, 3, 1]);
  const index = JSON.parse(indexJson(big, ['a', 'b', 'c'], 14 * GB));
  assert.deepEqual(index, { metadata: { total_size: 14 * GB }, weight_map: { b: 'model-00001-of-00002.safetensors', a: 'model-00002-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' } });
});

test('sizes read as Hugging Face reads them, binary units too', () => {
  assert.equal(parseByteSize('2GB'), 2e9);
  assert.equal(parseByteSize('500MB'), 5e8);
  assert.equal(parseByteSize('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseByteSize('4kb'), 4000);
  assert.equal(parseByteSize('1048576'), 1048576);
  for (const bad of ['', 'GB', '2 parsecs', '-1GB', '0', '0.0001KB']) assert.throws(() => parseByteSize(bad), RangeError, bad);
});

test('index files: shard names must stay in the index\'s folder', () => {
  const index = parseIndex('{"metadata":{"total_size":8},"weight_map":{"a":"m-1.safetensors","b":"m-2.safetensors","c":"m-1.safetensors"}}');
  assert.deepEqual(index.files, ['m-1.safetensors', 'm-2.safetensors']);
  assert.equal(index.totalSize, 8);
  for (const bad of ['../secret.safetensors', '/etc/passwd', 'sub/x.safetensors', '..', '']) {
    assert.throws(() => parseIndex(JSON.stringify({ weight_map: { a: bad } }), 'i.json'), /i\.json: weight_map\["a"\] must be a file name in the index's folder/, bad);
  }
  assert.throws(() => parseIndex('{"weight_map":[]}'), { code: 'InvalidIndex' });
  // A name listed twice would otherwise keep its last shard silently, as JSON.parse does.
  assert.throws(() => parseIndex('{"weight_map":{"a":"m-1.safetensors","b":"m-1.safetensors","a":"m-2.safetensors"}}', 'i.json'), /i\.json: weight_map lists "a" twice/);
  assert.throws(() => parseIndex('{"metadata":{"total_size":1,"total_size":2},"weight_map":{}}', 'i.json'), /the key "total_size" appears twice in metadata/);
  for (const total of ['-1', '1.5', '"8"', 'null']) {
    assert.throws(() => parseIndex(`{"metadata":{"total_size":${total}},"weight_map":{}}`, 'i.json'), /i\.json: metadata\.total_size must be a non-negative integer/, total);
  }
  assert.equal(parseIndex('{"weight_map":{}}').totalSize, undefined, 'total_size may be left out');
  const many = JSON.stringify({ weight_map: Object.fromEntries(Array.from({ length: 2 ** 18 + 1 }, (_, i) => [`t${i}`, 'm.safetensors'])) });
  assert.throws(() => parseIndex(many, 'i.json'), { code: 'TooManyTensors', message: /weight_map lists 262145 tensors; nninit reads at most 262144/ });
  assert.throws(() => parseIndex('not json'), /not valid JSON/);
});

test('the version written into files is package.json\'s', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(nninit.planMetadata([])['nninit.version'], pkg.version);
});
