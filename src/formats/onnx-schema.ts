// ONNX's protobuf schema, as the onnx-proto package compiles it (protobufjs static code generated from onnx.proto
// of ONNX 1.10.2), and the protobuf library it is built on. Messages are decoded by the schema's own decoders;
// protobufjs's Reader also walks the fields of the ModelProto and GraphProto to find the byte ranges of the graph
// and of each initializer, so that a rewritten model is the input's bytes with only its changed tensors
// re-encoded. Fields a newer ONNX added (unknown to this schema) are skipped by the decoders and copied unchanged
// by the writer. Pure: no Node built-ins.

import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';
import type { Dtype } from '../core/output.js';
import type { SafetensorsDtype } from './dtypes.js';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

const { Reader, Writer } = protobuf;

/** The protobuf limit on a serialized message: models beyond it keep their weights in external data. */
export const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

/** ModelProto.graph, GraphProto.initializer, and the TensorProto fields that hold data (onnx.proto field numbers). */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_FLOAT_DATA = 4, TENSOR_INT32_DATA = 5, TENSOR_STRING_DATA = 6, TENSOR_INT64_DATA = 7, TENSOR_RAW_DATA = 9;
const TENSOR_DOUBLE_DATA = 10, TENSOR_UINT64_DATA = 11, TENSOR_EXTERNAL_DATA = 13;
const DATA_FIELDS = [TENSOR_FLOAT_DATA, TENSOR_INT32_DATA, TENSOR_STRING_DATA, TENSOR_INT64_DATA, TENSOR_RAW_DATA, TENSOR_DOUBLE_DATA, TENSOR_UINT64_DATA];
const LENGTH_DELIMITED = 2;

/** An element type of TensorProto.DataType: its name, bits per element, and what nninit and safetensors call it. */
export interface ElementType {
  readonly name: string;
  /** Bits per element (4 for the packed 4-bit types); 0 for STRING, whose elements have no fixed width. */
  readonly bits: number;
  /** The nninit dtype that computes it (float types nninit can produce). */
  readonly dtype?: Dtype;
  readonly safetensors?: SafetensorsDtype;
}

/** TensorProto.DataType by number (onnx.proto; 17 to 23 were added after the schema of onnx-proto, in ONNX 1.14 to 1.18). */
export const ELEMENT_TYPES: Readonly<Record<number, ElementType>> = {
  1: { name: 'FLOAT', bits: 32, dtype: 'float32', safetensors: 'F32' },
  2: { name: 'UINT8', bits: 8, safetensors: 'U8' },
  3: { name: 'INT8', bits: 8, safetensors: 'I8' },
  4: { name: 'UINT16', bits: 16, safetensors: 'U16' },
  5: { name: 'INT16', bits: 16, safetensors: 'I16' },
  6: { name: 'INT32', bits: 32, safetensors: 'I32' },
  7: { name: 'INT64', bits: 64, safetensors: 'I64' },
  8: { name: 'STRING', bits: 0 },
  9: { name: 'BOOL', bits: 8, safetensors: 'BOOL' },
  10: { name: 'FLOAT16', bits: 16, dtype: 'float16', safetensors: 'F16' },
  11: { name: 'DOUBLE', bits: 64, dtype: 'float64', safetensors: 'F64' },
  12: { name: 'UINT32', bits: 32, safetensors: 'U32' },
  13: { name: 'UINT64', bits: 64, safetensors: 'U64' },
  14: { name: 'COMPLEX64', bits: 64, safetensors: 'C64' },
  15: { name: 'COMPLEX128', bits: 128 },
  16: { name: 'BFLOAT16', bits: 16, dtype: 'bfloat16', safetensors: 'BF16' },
  17: { name: 'FLOAT8E4M3FN', bits: 8, safetensors: 'F8_E4M3' },
  18: { name: 'FLOAT8E4M3FNUZ', bits: 8 },
  19: { name: 'FLOAT8E5M2', bits: 8, safetensors: 'F8_E5M2' },
  20: { name: 'FLOAT8E5M2FNUZ', bits: 8 },
  21: { name: 'UINT4', bits: 4 },
  22: { name: 'INT4', bits: 4 },
  23: { name: 'FLOAT4E2M1', bits: 4, safetensors: 'F4' },
};

/** TensorProto.DataLocation EXTERNAL. */
export const EXTERNAL = 1;

/** A protobufjs int64 (a Long, or a number) as a number; undefined when beyond 2^53. */
export function integer(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && 'toNumber' in value) {
    const long = value as { toNumber(): number; toString(): string };
    const n = long.toNumber();
    return Number.isSafeInteger(n) && String(n) === long.toString() ? n : undefined;
  }
  return undefined;
}

/** A varint, as protobufjs writes it. */
export function varint(value: number): Uint8Array {
  return Writer.create().uint32(value).finish();
}

/** The key of a length-delimited field: (field << 3) | 2. */
export const lengthDelimitedKey = (field: number): Uint8Array => varint((field << 3) | LENGTH_DELIMITED);

/** A field's place in a message: its key starts at `start`, its length varint at `lengthAt`, its content spans [contentStart, end). */
export interface FieldRange {
  readonly start: number;
  readonly lengthAt: number;
  readonly contentStart: number;
  readonly end: number;
}

export interface DataRanges {
  /** Every field that holds the tensor's elements (raw_data, float_data, ...), in order. */
  readonly data: readonly FieldRange[];
  /** Every external_data entry, in order. */
  readonly external: readonly FieldRange[];
}

export interface ModelRanges {
  readonly graph: FieldRange;
  /** One per GraphProto.initializer, in order. */
  readonly initializers: readonly FieldRange[];
}

/** Reads the fields of a message in [start, end) with protobufjs's Reader, reporting each one's place. */
function walkFields(bytes: Uint8Array, start: number, end: number, visit: (field: number, range: FieldRange | undefined) => void): void {
  const reader = Reader.create(bytes.subarray(0, end));
  reader.pos = start;
  while (reader.pos < end) {
    const fieldStart = reader.pos;
    const key = reader.uint32();
    const field = key >>> 3, wireType = key & 7;
    if (wireType === LENGTH_DELIMITED) {
      const lengthAt = reader.pos;
      const length = reader.uint32();
      const contentStart = reader.pos;
      if (contentStart + length > end) throw new RangeError(`field ${field} at byte ${fieldStart} runs ${contentStart + length - end} bytes beyond its message`);
      reader.pos = contentStart + length;
      visit(field, { start: fieldStart, lengthAt, contentStart, end: contentStart + length });
    } else {
      reader.skipType(wireType);
      visit(field, undefined);
    }
  }
}

/** The byte ranges of the graph and its initializers in a serialized ModelProto. */
export function modelRanges(bytes: Uint8Array): ModelRanges {
  const graphs: FieldRange[] = [];
  walkFields(bytes, 0, bytes.length, (field, range) => {
    if (field === MODEL_GRAPH && range) graphs.push(range);
  });
  if (graphs.length !== 1) {
    throw new RangeError(graphs.length === 0 ? 'the model has no graph' : `the model's graph is stored in ${graphs.length} pieces (protobuf merges them); nninit rewrites models whose graph is one field`);
  }
  const initializers: FieldRange[] = [];
  walkFields(bytes, graphs[0].contentStart, graphs[0].end, (field, range) => {
    if (field === GRAPH_INITIALIZER && range) initializers.push(range);
  });
  return { graph: graphs[0], initializers };
}

/** GraphProto's node and initializer fields, and the TensorProto fields read to name one (onnx.proto). */
const GRAPH_NODE = 1;
const TENSOR_DIMS = 1, TENSOR_NAME = 8;
const VARINT = 0;

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;

/**
 * Where a serialized ModelProto that does not decode is cut short or damaged, in words: the first field whose
 * length runs past the end of the file, named as far as the bytes before the cut allow (an initializer by its
 * name and dims, a node by its place in the graph), or undefined when every length fits (the damage is elsewhere).
 */
export function truncationOf(bytes: Uint8Array): string | undefined {
  /** Visits the fields of [start, end) until a visit returns words; undefined when none does or a key cannot be read. */
  const walk = (start: number, end: number, visit: (field: number, wireType: number, reader: protobuf.Reader, contentEnd: number) => string | undefined): string | undefined => {
    const reader = Reader.create(bytes);
    reader.pos = start;
    try {
      while (reader.pos < end) {
        const key = reader.uint32();
        const field = key >>> 3, wireType = key & 7;
        if (wireType !== LENGTH_DELIMITED) {
          const found = visit(field, wireType, reader, reader.pos);
          if (found) return found;
          reader.skipType(wireType);
          continue;
        }
        const length = reader.uint32();
        const contentStart = reader.pos;
        const found = visit(field, wireType, reader, contentStart + length);
        if (found) return found;
        reader.pos = contentStart + length;
      }
    } catch {
      return undefined;
    }
    return undefined;
  };
  const cut = (contentEnd: number) => contentEnd > bytes.length;
  return walk(0, bytes.length, (field, wireType, reader, contentEnd) => {
    if (wireType !== LENGTH_DELIMITED || !cut(contentEnd)) return undefined;
    const contentStart = reader.pos;
    if (field !== MODEL_GRAPH) return `field ${field} of the model at byte ${contentStart} needs ${contentEnd - contentStart} bytes, ${contentEnd - bytes.length} more than the file has`;
    let nodes = 0, initializers = 0;
    const inGraph = walk(contentStart, bytes.length, (graphField, graphWire, graphReader, end) => {
      if (graphWire !== LENGTH_DELIMITED) return undefined;
      const start = graphReader.pos;
      if (graphField === GRAPH_NODE) nodes++;
      if (graphField === GRAPH_INITIALIZER) initializers++;
      if (!cut(end)) return undefined;
      if (graphField !== GRAPH_INITIALIZER) {
        return `${graphField === GRAPH_NODE ? `the graph's ${ordinal(nodes)} node` : `field ${graphField} of the graph`} (bytes ${start} to ${end}) runs ${end - bytes.length} bytes past the end of the file`;
      }
      let name: string | undefined;
      const dims: number[] = [];
      walk(start, bytes.length, (tensorField, tensorWire, tensorReader, tensorEnd) => {
        if (tensorField === TENSOR_NAME && tensorWire === LENGTH_DELIMITED && !cut(tensorEnd)) name = new TextDecoder().decode(bytes.subarray(tensorReader.pos, tensorEnd));
        if (tensorField === TENSOR_DIMS && tensorWire === VARINT) {
          const dim = Reader.create(bytes);
          dim.pos = tensorReader.pos;
          dims.push(Number(dim.int64()));
        }
        if (tensorField === TENSOR_DIMS && tensorWire === LENGTH_DELIMITED && !cut(tensorEnd)) {
          // Packed dims, as proto3 writers store them.
          const packed = Reader.create(bytes.subarray(tensorReader.pos, tensorEnd));
          while (packed.pos < packed.len) dims.push(Number(packed.int64()));
        }
        return undefined;
      });
      const what = name !== undefined
        ? `initializer "${name}"${dims.length ? ` [${dims.join(', ')}]` : ''}`
        : `the graph's ${ordinal(initializers)} initializer (its name is past the cut)`;
      return `${what} runs past the end of the file: its bytes ${start} to ${end} are cut at ${bytes.length}`;
    });
    return inGraph ?? `the graph needs ${contentEnd - contentStart} bytes from byte ${contentStart}, ${contentEnd - bytes.length} more than the file has`;
  });
}

/** Where a serialized TensorProto keeps its elements and its external_data entries. */
export function dataRanges(bytes: Uint8Array, tensor: FieldRange): DataRanges {
  const data: FieldRange[] = [], external: FieldRange[] = [];
  const reader = Reader.create(bytes.subarray(0, tensor.end));
  reader.pos = tensor.contentStart;
  while (reader.pos < tensor.end) {
    const start = reader.pos;
    const key = reader.uint32();
    const field = key >>> 3, wireType = key & 7;
    const lengthAt = reader.pos;
    reader.skipType(wireType);
    const range = { start, lengthAt, contentStart: lengthAt, end: reader.pos };
    if (DATA_FIELDS.includes(field)) data.push(range);
    else if (field === TENSOR_EXTERNAL_DATA && wireType === LENGTH_DELIMITED) external.push(range);
  }
  return { data, external };
}

export const RAW_DATA_FIELD = TENSOR_RAW_DATA;
export const EXTERNAL_DATA_FIELD = TENSOR_EXTERNAL_DATA;

/** A StringStringEntryProto field of a TensorProto's external_data, encoded by the schema. */
export function externalDataEntry(key: string, value: string): Uint8Array {
  const entry = onnx.StringStringEntryProto.encode({ key, value }).finish();
  return concat([lengthDelimitedKey(TENSOR_EXTERNAL_DATA), varint(entry.length), entry]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
