// nninit/onnxruntime with the real onnxruntime-web package in Node: tensors from the adapter feed the weights of
// tiny ONNX models, hand-encoded below, and the outputs match the same arithmetic done here.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { glorotUniform, heNormal, uniform } from 'nninit';
import { createInitializers } from 'nninit/onnxruntime';

const initializers = createInitializers(ort);

before(() => {
  // One thread: the test needs no worker threads, and they would keep Node alive after the test.
  ort.env.wasm.numThreads = 1;
});

// ---- a minimal protobuf writer for ONNX's ModelProto (onnx/onnx.proto3; field numbers below) ----------------

type Part = number[];

function varint(value: number): Part {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** A varint field (wire type 0). */
const integer = (field: number, value: number): Part => [...varint(field * 8), ...varint(value)];
/** A length-delimited field (wire type 2) holding a submessage's bytes. */
const nested = (field: number, ...parts: Part[]): Part => {
  const body = parts.flat();
  return [...varint(field * 8 + 2), ...varint(body.length), ...body];
};
const text = (field: number, value: string): Part => nested(field, [...new TextEncoder().encode(value)]);

/** TensorProto.DataType values. */
const FLOAT = 1, FLOAT16 = 10;

/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } } */
function valueInfo(name: string, elementType: number, dims: readonly number[]): Part {
  const shape = nested(2, ...dims.map((dim) => nested(1, integer(1, dim))));
  return [...text(1, name), ...nested(2, nested(1, integer(1, elementType), shape))];
}

interface Node {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly output: string;
  /** INT attributes (AttributeProto { name = 1, i = 3, type = 20 (INT = 2) }). */
  readonly attributes?: Readonly<Record<string, number>>;
}

/**
 * ModelProto { ir_version = 1, opset_import = 8 { version = 2 }, graph = 7 { node = 1, name = 2, input = 11,
 * output = 12 } }, NodeProto { input = 1, output = 2, op_type = 4, attribute = 5 }.
 */
function model(nodes: readonly Node[], inputs: readonly Part[], outputs: readonly Part[]): Uint8Array {
  const nodeParts = nodes.map((node) => nested(1,
    ...node.inputs.map((input) => text(1, input)),
    text(2, node.output),
    text(4, node.op),
    ...Object.entries(node.attributes ?? {}).map(([name, value]) => nested(5, text(1, name), integer(3, value), integer(20, 2)))));
  const graph = nested(7, ...nodeParts, text(2, 'g'), ...inputs.map((input) => nested(11, input)), ...outputs.map((output) => nested(12, output)));
  return new Uint8Array([...integer(1, 8), ...nested(8, integer(2, 13)), ...graph]);
}

// ---- references -------------------------------------------------------------------------------------------

/** x [k] times w, with w [k, n] ('keras') or [n, k] ('torch'), plus b, in float64. */
function affine(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, k: number, n: number, layout: 'keras' | 'torch'): number[] {
  return Array.from({ length: n }, (_, j) => {
    let sum = b[j];
    for (let i = 0; i < k; i++) sum += x[i] * w[layout === 'keras' ? i * n + j : j * k + i];
    return sum;
  });
}

/** The value of IEEE binary16 bits. */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const k = 48, n = 24;
const x = uniform([1, k], { seed: 99, low: -1, high: 1 });

test('MatMul + Add with W [in, out] (layout keras) and B fed from the adapter', async () => {
  const session = await ort.InferenceSession.create(model(
    [{ op: 'MatMul', inputs: ['X', 'W'], output: 'XW' }, { op: 'Add', inputs: ['XW', 'B'], output: 'Y' }],
    [valueInfo('X', FLOAT, [1, k]), valueInfo('W', FLOAT, [k, n]), valueInfo('B', FLOAT, [n])],
    [valueInfo('Y', FLOAT, [1, n])],
  ));
  const w = initializers.glorotUniform([k, n], { seed: 1, stream: 'W', layout: 'keras' });
  const b = initializers.uniform([n], { seed: 1, stream: 'B', low: -0.5, high: 0.5 });
  assert.deepEqual(w.dims, [k, n]);
  assert.deepEqual(w.data, glorotUniform([k, n], { seed: 1, stream: 'W' }));
  const { Y } = await session.run({ X: new ort.Tensor('float32', x, [1, k]), W: w, B: b });
  assert.deepEqual(Y.dims, [1, n]);
  assertClose(Y.data as Float32Array, affine(x, w.data as Float32Array, b.data as Float32Array, k, n, 'keras'), 1e-5);
  await session.release();
});

test('Gemm with transB = 1 takes W [out, in], the default layout', async () => {
  const session = await ort.InferenceSession.create(model(
    [{ op: 'Gemm', inputs: ['X', 'W', 'B'], output: 'Y', attributes: { transB: 1 } }],
    [valueInfo('X', FLOAT, [1, k]), valueInfo('W', FLOAT, [n, k]), valueInfo('B', FLOAT, [n])],
    [valueInfo('Y', FLOAT, [1, n])],
  ));
  const w = initializers.heNormal([n, k], { seed: 2 });
  assert.deepEqual(w.data, heNormal([n, k], { seed: 2, layout: 'torch' }), 'fanIn is k, read from [out, in]');
  const b = initializers.constant([n], 0.25);
  const { Y } = await session.run({ X: new ort.Tensor('float32', x, [1, k]), W: w, B: b });
  assertClose(Y.data as Float32Array, affine(x, w.data as Float32Array, b.data as Float32Array, k, n, 'torch'), 1e-5);
  await session.release();
});

test('a float16 tensor holds nninit\'s binary16 bits, which ONNX Runtime reads as float16', async () => {
  const w = initializers.glorotUniform([k, n], { seed: 3, layout: 'keras', dtype: 'float16' });
  assert.equal(w.type, 'float16');
  assert.deepEqual(w.dims, [k, n]);
  assert.ok(w.data instanceof Uint16Array);
  assert.deepEqual(w.data, glorotUniform([k, n], { seed: 3, dtype: 'float16' }));

  const session = await ort.InferenceSession.create(model(
    [{ op: 'Cast', inputs: ['H'], output: 'F', attributes: { to: FLOAT } }],
    [valueInfo('H', FLOAT16, [k, n])],
    [valueInfo('F', FLOAT, [k, n])],
  ));
  const { F } = await session.run({ H: w });
  const bits = w.data as Uint16Array;
  assert.deepEqual(Array.from(F.data as Float32Array), Array.from(bits, halfValue));
  // Each half is the float32 value rounded to nearest: within half an ulp of 2^-10 relative.
  const single = glorotUniform([k, n], { seed: 3 });
  single.forEach((value, i) => assert.ok(Math.abs(halfValue(bits[i]) - value) <= Math.abs(value) * 2 ** -11 + 2 ** -25));
  await session.release();
});

test('float64 tensors, structured initializers\' dims, and a rejected dtype', () => {
  const orthogonal = initializers.orthogonal([4 * 8, 8], { seed: 4, dtype: 'float64' }).reshape([1, 4 * 8, 8]);
  assert.equal(orthogonal.type, 'float64');
  assert.deepEqual(orthogonal.dims, [1, 32, 8]);
  const dirac = initializers.dirac([8, 8, 3, 3]);
  assert.deepEqual(dirac.dims, [8, 8, 3, 3]);
  const ones = Array.from(dirac.data as Float32Array).flatMap((value, index) => (value === 0 ? [] : [index]));
  assert.deepEqual(ones, Array.from({ length: 8 }, (_, c) => (c * 8 + c) * 9 + 4), 'out c, in c, centre (1, 1) of [out, in, kh, kw]');
  assert.throws(() => initializers.zeros([2], { dtype: 'bfloat16' as 'float16' }), { name: 'RangeError', message: /zeros: options\.dtype/ });
});

test('createInitializers says at once that it needs the ONNX Runtime module', () => {
  for (const wrong of [{}, undefined, null, 'onnxruntime-web', { Tensor: 1 }]) {
    assert.throws(() => createInitializers(wrong as unknown as typeof ort), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^nninit\.createInitializers: ort must be the ONNX Runtime module/);
      return true;
    });
  }
});
