// The staging area of the WebAssembly backend (Backend.stage): the kernels fill float32 arrays that lie in it in
// place and sum them where they are, with the bits of the scratch path and without touching a byte outside the
// array; work arrays and the probe's heap are laid out after it; a memory growth detaches its views but keeps its
// contents; and the file writer, whose chunks live there, writes the bytes of the in-memory encoder even when an
// orthogonal matrix grows the memory while chunks are being written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as nninit from 'nninit';
import type { ModelSpecInput } from 'nninit';
import { createWasmBackend } from '../src/core/wasm.ts';
import { truncatedNormalParameters } from '../src/core/distributions.ts';
import { streamKey } from '../src/core/seed.ts';
import type { Backend, StagingArea } from '../src/core/backend.ts';
import { writeSafetensorsFiles, type OutputTensor } from '../dist/formats/node/write.js';
import { synchronousProducer } from '../dist/formats/producer.js';
import { currentBackend } from '../dist/core/runtime.js';
import { withFolder } from './cli-helpers.ts';

const module = new WebAssembly.Module(readFileSync(new URL('../build/nninit.wasm', import.meta.url)));
const key = streamKey('test', 2026n, 'staging');

type Fill = (backend: Backend, out: Float32Array, start: number) => void;
const SAMPLERS: [string, Fill][] = [
  ['uniform', (b, out, start) => b.fillUniform(out, start, key, { low: -0.5, range: 1 })],
  ['normal', (b, out, start) => b.fillNormal(out, start, key, { mean: 0.25, stddev: 2 })],
  ['truncated normal', (b, out, start) => b.fillTruncatedNormal(out, start, key, truncatedNormalParameters(0, 1, -2, 2)!)],
  ['truncated normal tail', (b, out, start) => b.fillTruncatedNormal(out, start, key, truncatedNormalParameters(0, 1, 6, 7)!)],
];
// Around the kernels' group (32 values) and the scratch region (16384 values); starts at every phase of a block,
// and past 2^32 blocks.
const LENGTHS = [0, 1, 3, 4, 5, 31, 32, 33, 100, 16383, 16384, 16385, 2 * 16384 + 7, 70001];
const STARTS = [0, 1, 2, 3, 5, 1000, 4 * 2 ** 32 + 2];
const SENTINEL = 0xab;

function stageOf(backend: Backend, bytes: number): StagingArea {
  const area = backend.stage!(bytes);
  assert.ok(area, 'an area is reserved');
  return area;
}

test('fills in the staging area give the scratch path\'s bits and write nothing outside their array', () => {
  const backend = createWasmBackend(module);
  const area = stageOf(backend, 300_000 * 4 + 64);
  try {
    for (const [name, fill] of SAMPLERS) {
      for (const length of LENGTHS) {
        for (const start of STARTS) {
          // Every byte alignment a float32 array can have (the kernels' stores need none).
          const at = 16 + 4 * ((length + start) % 4);
          const bytes = area.bytes();
          bytes.fill(SENTINEL);
          const out = new Float32Array(bytes.buffer, bytes.byteOffset + at, length);
          fill(backend, out, start);
          const expected = new Float32Array(length);
          fill(backend, expected, start);
          const where = `${name}, start ${start}, length ${length}`;
          assert.deepEqual(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), new Uint8Array(expected.buffer), where);
          const after = area.bytes();
          assert.ok(after.subarray(0, at).every((b) => b === SENTINEL), `${where}: bytes before the array untouched`);
          assert.ok(after.subarray(at + 4 * length, at + 4 * length + 256).every((b) => b === SENTINEL), `${where}: bytes after the array untouched`);
        }
      }
    }
  } finally {
    area.release();
  }
});

test('sums of values in the staging area are the bits of the copying path', () => {
  const backend = createWasmBackend(module);
  const area = stageOf(backend, 80_000 * 4 + 64);
  try {
    for (const length of [0, 1, 7, 8, 9, 4093, 16384 + 3, 70001]) {
      for (const at of [0, 4, 8, 12]) {
        const bytes = area.bytes();
        const values = new Float32Array(bytes.buffer, bytes.byteOffset + at, length);
        backend.fillNormal(values, 17, key, { mean: 3, stddev: 0.5 });
        const copy = Float32Array.from(values);
        const staged = new Float64Array(2), copied = new Float64Array(2);
        backend.shiftedSums!(values, values[0] ?? 0, staged);
        backend.shiftedSums!(copy, copy[0] ?? 0, copied);
        assert.deepEqual([...staged], [...copied], `length ${length} at byte ${at}`);
      }
    }
  } finally {
    area.release();
  }
});

test('one area at a time; released areas refuse views; work arrays and the probe\'s heap start after the area', () => {
  const backend = createWasmBackend(module);
  const area = stageOf(backend, 1 << 20);
  assert.equal(backend.stage!(16), undefined, 'a second area while one is reserved');
  assert.throws(() => backend.stage!(-1), RangeError);
  assert.throws(() => backend.stage!(16, 0.5), RangeError);
  const probeHeap = backend.probe!.reserve(1000);
  const start = area.bytes().byteOffset;
  assert.ok(probeHeap.byteOffset >= start + area.byteLength, `probe heap at ${probeHeap.byteOffset}, area ${start}..${start + area.byteLength}`);

  // An orthogonal matrix lays out its work arrays after the area, growing the memory: the old view is detached,
  // the contents stay, and the matrix has the bits of a backend without an area.
  const before = area.bytes();
  before.fill(SENTINEL);
  const q = new Float32Array(1024 * 1024);
  backend.orthogonal(1024, 1024, key, 1, q);
  const fresh = new Float32Array(1024 * 1024);
  createWasmBackend(module).orthogonal(1024, 1024, key, 1, fresh);
  assert.deepEqual(new Uint8Array(q.buffer), new Uint8Array(fresh.buffer), 'orthogonal with an area reserved');
  assert.equal(before.byteLength, 0, 'the growth detached the view taken before it');
  assert.ok(area.bytes().every((b) => b === SENTINEL), 'the area keeps its contents through the growth');

  area.release();
  assert.throws(() => area.bytes(), /released/);
  assert.ok(backend.probe!.reserve(1000).byteOffset < start + area.byteLength, 'after release the probe heap starts at the heap base again');
  const again = stageOf(backend, 64);
  again.release();
  // An area and the work arrays asked to be left beside it must fit in the 4 GiB a 32-bit memory addresses.
  assert.equal(backend.stage!(2 ** 32), undefined, 'an area beyond the memory');
  assert.equal(backend.stage!(1 << 20, 2 ** 32 - (1 << 20)), undefined, 'an area without room for the work arrays asked for');
  stageOf(backend, 1 << 20).release();
});

/** Small float32 tensors at odd offsets and an orthogonal matrix (computed whole) big enough to grow memory mid-write. */
const GROWING: ModelSpecInput = {
  seed: 11,
  layers: [
    { type: 'param', name: 'a', shape: [3, 5], init: 'normal', std: 0.5 },
    { type: 'param', name: 'b', shape: [70001], init: 'uniform', low: -1, high: 2 },
    { type: 'param', name: 'c', shape: [300, 257], init: 'truncatedNormal', std: 0.02 },
    { type: 'param', name: 'q', shape: [1536, 1536], init: 'orthogonal' },
    { type: 'param', name: 'd', shape: [4099], init: 'normal', std: 1 },
  ],
};

test('the writer stages its chunks in the backend and writes the encoder\'s bytes, also across a memory growth', withFolder(async (folder) => {
  const plan = nninit.planModel(GROWING);
  const metadata = { format: 'pt' };
  const tensors: OutputTensor[] = plan.map((p) => ({ name: p.name, dtype: 'F32', shape: p.shape, source: { plan: p } }));
  const expected = nninit.encodeSafetensors(plan, { metadata });
  const unstaged = { ...synchronousProducer, stage: undefined };
  // Each tensor's statistics, summed chunk by chunk (the writer's pieces fall elsewhere: equal to rounding).
  const stdOf = new Map(plan.map((p) => {
    const values = nninit.initParameter(p) as Float32Array;
    const reference = new nninit.Accumulator();
    for (let i = 0; i < values.length; i += 1024) reference.add(values.subarray(i, i + 1024));
    return [p.name, reference.summary().std];
  }));
  for (const [chunkBytes, producer] of [[4096, synchronousProducer], [1000, synchronousProducer], [1 << 22, synchronousProducer], [4096, unstaged]] as const) {
    const path = join(folder, `chunks-${chunkBytes}-${producer.stage ? 'staged' : 'unstaged'}.safetensors`);
    // A view of the backend's memory: detached afterwards if the memory grew during the write.
    const witness = currentBackend().probe!.reserve(1);
    const result = await writeSafetensorsFiles(tensors, { path, metadata, chunkBytes, producer });
    if (chunkBytes === 4096 && producer.stage) assert.equal(witness.byteLength, 0, 'the orthogonal matrix grew the memory during the write');
    assert.deepEqual(new Uint8Array(readFileSync(path)), expected, `chunks of ${chunkBytes}, ${producer.stage ? 'staged' : 'unstaged'}`);
    for (const t of result.tensors) {
      const std = stdOf.get(t.name)!;
      assert.ok(Math.abs(t.summary!.std - std) <= 1e-12 * std, `${t.name}: measured std ${t.summary!.std} vs ${std}`);
    }
    // The area is given back: the backend has one to give again.
    const area = currentBackend().stage?.(16);
    assert.ok(area, 'the writer released its staging area');
    area.release();
  }
  assert.deepEqual(readdirSync(folder).filter((name) => name.endsWith('.partial')), []);
}));

/** Grows the backend's memory (by reserving probe heap past its end), as a factorization elsewhere in the process would. */
let grownTo = 256 << 20;
function growMemory(): void {
  grownTo += 1 << 20;
  currentBackend().probe!.reserve(grownTo / 4);
}

test('a slice whose producer awaits while the memory grows, and a checkpoint read across a growth, are written right', withFolder(async (folder) => {
  const plan = nninit.planModel(GROWING).filter((p) => !p.whole);
  const metadata = { format: 'pt' };
  const expected = nninit.encodeSafetensors(plan, { metadata });
  // A producer that keeps the default's staging area but computes after an await, during which the memory grows.
  let grew = 0;
  const awaiting = {
    ...synchronousProducer,
    concurrency: 2,
    fill: async (p: nninit.ParameterPlan, offset: number, out: Float32Array) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (grew++ < 3) growMemory();
      nninit.initParameter(p, { offset, length: out.length, out });
    },
  };
  const computed: OutputTensor[] = plan.map((p) => ({ name: p.name, dtype: 'F32', shape: p.shape, source: { plan: p } }));
  const first = join(folder, 'awaiting.safetensors');
  await writeSafetensorsFiles(computed, { path: first, metadata, chunkBytes: 4096, producer: awaiting });
  assert.ok(grew >= 3, 'the memory grew during fills');
  assert.deepEqual(new Uint8Array(readFileSync(first)), expected, 'slices computed again where a growth detached them');

  // The same tensors copied from that file, the first reads growing the memory before they land.
  const entries = nninit.readSafetensors(new Uint8Array(readFileSync(first))).tensors;
  let reads = 0;
  const copied: OutputTensor[] = entries.map((t) => ({
    name: t.name, dtype: 'F32', shape: t.shape,
    source: {
      copy: async (position: number, target: Uint8Array) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (reads++ < 3) growMemory();
        target.set(t.data.subarray(position, position + target.length));
      },
    },
  }));
  const second = join(folder, 'copied.safetensors');
  await writeSafetensorsFiles(copied, { path: second, metadata, chunkBytes: 4096 });
  assert.ok(reads > 3);
  assert.deepEqual(new Uint8Array(readFileSync(second)), expected, 'reads done again where a growth detached their target');
}));
