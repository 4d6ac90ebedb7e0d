// The safetensors format (huggingface/safetensors): 8 bytes of little-endian header length N, N bytes of JSON
// header, then the tensors' bytes, contiguous. The header maps each tensor name to { dtype, shape, data_offsets }
// (offsets relative to the end of the header), plus an optional "__metadata__" map of strings to strings.
//
// This module is pure (bytes and headers in and out, no Node built-ins), so it runs in browsers too. Reading
// treats the file as untrusted, as the format's own Rust crate does: every size is checked against the file before
// anything sized by the file is allocated, and every inconsistency is its own error naming the file and tensor.

import type { ParameterPlan } from '../model/types.js';
import { elementValues, isSafetensorsDtype, SAFETENSORS_DTYPES, SAFETENSORS_DTYPE_NAMES, STORED_AS, type SafetensorsDtype } from './dtypes.js';
import { NNINIT_VERSION } from './version.js';
import { initParameter } from '../model/init.js';
import type { SliceArray } from './producer.js';

/** The header may not exceed 100,000,000 bytes (the Rust crate's MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
/**
 * Most tensors one header (or one sharded checkpoint) may hold: 2^18, the model layer's cap on a spec's parameters.
 * The format sets no such limit, but a header of 100 MB can list 1.6 million empty tensors, and every tensor costs
 * its reader memory and time (about 0.5 KB and 5 us to parse, then planning, the tables): the count is checked
 * before the JSON is parsed. The largest published checkpoints hold about 10^5 tensors in all.
 */
export const MAX_HEADER_TENSORS = 2 ** 18;
const METADATA_KEY = '__metadata__';

// ---- errors ------------------------------------------------------------------------------------------------------

/**
 * Why a file is not valid safetensors. The codes follow the Rust crate's `SafeTensorError` where one exists:
 * HeaderTooSmall, HeaderTooLarge, InvalidHeaderLength, InvalidHeader (not UTF-8), InvalidHeaderStart (not '{'),
 * InvalidHeaderDeserialization (not JSON), InvalidOffset, TensorInvalidInfo (bytes disagree with shape and dtype),
 * MetadataIncompleteBuffer (bytes after the last tensor), ValidationOverflow, MisalignedSlice; and nninit's own:
 * UnknownDtype, InvalidTensorEntry, InvalidMetadata, DuplicateName, TooManyTensors (above MAX_HEADER_TENSORS),
 * InvalidIndex (a sharded checkpoint's index).
 */
export type SafetensorsErrorCode =
  | 'HeaderTooSmall' | 'HeaderTooLarge' | 'InvalidHeaderLength' | 'InvalidHeader' | 'InvalidHeaderStart'
  | 'InvalidHeaderDeserialization' | 'InvalidOffset' | 'TensorInvalidInfo' | 'MetadataIncompleteBuffer'
  | 'ValidationOverflow' | 'MisalignedSlice' | 'UnknownDtype' | 'InvalidTensorEntry' | 'InvalidMetadata'
  | 'DuplicateName' | 'TooManyTensors' | 'InvalidIndex';

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    /** The file as the caller named it. */
    readonly file: string,
    message: string,
    /** The tensor the error is about, when there is one. */
    readonly tensor?: string,
  ) {
    super(`${file}: ${tensor !== undefined ? `tensor ${JSON.stringify(tensor)}: ` : ''}${message}`);
  }
}

// ---- the header ----------------------------------------------------------------------------------------------------

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte offsets [begin, end) relative to the first byte after the header. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** N: the JSON header's length in bytes (padding included). */
  readonly headerLength: number;
  /** 8 + N: where the tensors' bytes start in the file. */
  readonly dataStart: number;
  /** Bytes of tensor data: the file's size minus dataStart. */
  readonly dataLength: number;
  /** `__metadata__`, or undefined when the header has none. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /** In data order (by offset), which is the order in which nninit writes them. */
  readonly tensors: readonly SafetensorsTensor[];
}

export interface ReadOptions {
  /** How errors name the file (default 'safetensors'). */
  file?: string;
}

/**
 * N from the first 8 bytes of a file of `fileSize` bytes, checked before the header is read or allocated: at
 * least 8 bytes, N at most MAX_HEADER_BYTES, and 8 + N within the file.
 */
export function safetensorsHeaderLength(first: Uint8Array, fileSize: number, options: ReadOptions = {}): number {
  const file = options.file ?? 'safetensors';
  if (fileSize < 8 || first.length < 8) {
    throw new SafetensorsError('HeaderTooSmall', file, `the file holds ${Math.min(fileSize, first.length)} bytes, fewer than the 8 bytes of the header length`);
  }
  const length = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError('HeaderTooLarge', file, `the header length is ${length} bytes, above the format's limit of ${MAX_HEADER_BYTES}`);
  }
  const n = Number(length);
  if (8 + n > fileSize) {
    throw new SafetensorsError('InvalidHeaderLength', file, `the header length ${n} runs beyond the end of the file (${fileSize} bytes, so at most ${fileSize - 8})`);
  }
  return n;
}

const describeJson = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const tooManyTensors = (file: string, count?: number) => new SafetensorsError('TooManyTensors', file,
  `the header lists ${count ?? `more than ${MAX_HEADER_TENSORS}`} tensors; nninit reads at most ${MAX_HEADER_TENSORS} (2^18) from one file or checkpoint`);

/**
 * Members of the top-level object of JSON text, counted without parsing it and given up on past `limit`: a
 * header's tensors are bounded before JSON.parse builds them (the text need not be valid JSON).
 */
function countTopLevelMembers(text: string, limit: number): number {
  let depth = 0, count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    else if (c === 0x3a /* : */ && depth === 1 && ++count > limit) return count;
  }
  return count;
}

/** What scanHeaderText finds first: a repeated key, or a number in a shape or data_offsets that is not plain digits. */
type TextProblem =
  | { readonly kind: 'duplicate'; readonly key: string; readonly within?: string }
  | { readonly kind: 'literal'; readonly tensor: string; readonly field: string; readonly index: number; readonly token: string };

const OFFSET_FIELDS = new Set(['shape', 'data_offsets']);
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]*)$/;

/**
 * Checks JSON text for what JSON.parse hides. A repeated key: JSON.parse keeps the last of duplicate keys
 * silently, so two tensors of one name would otherwise pass (the key of the enclosing top-level entry is given as
 * `within`). A number in a tensor's shape or data_offsets spelt other than as plain digits (2.0, 2e0, -0): the Rust
 * crate reads those fields as unsigned integers (serde), which refuses such numbers, while JSON.parse gives 2 for
 * 2.0 (`literals` false leaves this out, for other JSON files). The text must already be valid JSON.
 */
export function scanHeaderText(text: string, literals = true): TextProblem | undefined {
  interface Frame {
    /** Objects: the keys so far, and the last one read. */
    readonly keys?: Set<string>;
    key?: string;
    expectKey: boolean;
    /** Arrays: the key they are the value of, and the index of the current element. */
    readonly field?: string;
    index: number;
  }
  const stack: Frame[] = [];
  let topKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) return { kind: 'duplicate', key, ...(stack.length > 1 ? { within: topKey } : {}) };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
        if (stack.length === 1) topKey = key;
      }
    } else if (c === 0x7b /* { */) stack.push({ keys: new Set(), expectKey: true, index: 0 });
    else if (c === 0x5b /* [ */) stack.push({ field: stack[stack.length - 1]?.key, expectKey: false, index: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && /[-+.eE0-9]/.test(text[end])) end++;
      const token = text.slice(i, end);
      const top = stack[stack.length - 1];
      // A tensor's shape or data_offsets: an array in an entry of the top-level object.
      if (literals && stack.length === 3 && top.field !== undefined && OFFSET_FIELDS.has(top.field) && topKey !== METADATA_KEY && !PLAIN_INTEGER.test(token)) {
        return { kind: 'literal', tensor: topKey!, field: top.field, index: top.index, token };
      }
      i = end - 1;
    }
  }
  return undefined;
}

function checkedInteger(file: string, tensor: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SafetensorsError('InvalidTensorEntry', file, `${what} must be a non-negative integer, got ${describeJson(value)}`, tensor);
  }
  if (!Number.isSafeInteger(value)) throw new SafetensorsError('ValidationOverflow', file, `${what} ${value} is beyond 2^53 - 1`, tensor);
  return value;
}

/** Bytes a tensor of this dtype and shape occupies, with overflow and packing checks. */
function byteLengthOf(file: string, tensor: string, dtype: SafetensorsDtype, shape: readonly number[]): number {
  let elements = 1;
  for (const dimension of shape) {
    elements *= dimension;
    if (!Number.isSafeInteger(elements)) throw new SafetensorsError('ValidationOverflow', file, `shape [${shape.join(', ')}] has more than 2^53 - 1 elements`, tensor);
  }
  const bits = elements * SAFETENSORS_DTYPES[dtype];
  if (!Number.isSafeInteger(bits)) throw new SafetensorsError('ValidationOverflow', file, `shape [${shape.join(', ')}] of ${dtype} is beyond 2^53 - 1 bits`, tensor);
  if (bits % 8 !== 0) throw new SafetensorsError('MisalignedSlice', file, `shape [${shape.join(', ')}] of ${dtype} is ${bits} bits, not a whole number of bytes`, tensor);
  return bits / 8;
}

/**
 * Parses and validates the N header bytes of a file of `fileSize` bytes (8 + N + the tensors' bytes). Checks, each
 * with its own error: UTF-8, a JSON object, no repeated name or field, `__metadata__` a map of strings to
 * strings, every tensor's dtype known, shape non-negative integers, data_offsets [begin, end] with begin <= end
 * within the data, bytes = elements x dtype width, and the tensors covering the data exactly: no overlap, no gap,
 * nothing after the last one. Header order may differ from data order (the format allows it); `tensors` is
 * returned in data order.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, options: ReadOptions = {}): SafetensorsHeader {
  const file = options.file ?? 'safetensors';
  const headerLength = headerBytes.length;
  const dataStart = 8 + headerLength;
  if (dataStart > fileSize) throw new SafetensorsError('InvalidHeaderLength', file, `the header length ${headerLength} runs beyond the end of the file (${fileSize} bytes)`);
  const dataLength = fileSize - dataStart;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('InvalidHeader', file, 'the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new SafetensorsError('InvalidHeaderStart', file, `the header must start with '{', got ${JSON.stringify(text.slice(0, 12))}`);
  // One member may be __metadata__; the exact count of tensors is checked once the header is parsed.
  const members = countTopLevelMembers(text, MAX_HEADER_TENSORS + 1);
  if (members > MAX_HEADER_TENSORS + 1) throw tooManyTensors(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError('InvalidHeaderDeserialization', file, `the header is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new SafetensorsError('InvalidHeaderDeserialization', file, `the header must be a JSON object, got ${describeJson(json)}`);
  const tensorCount = Object.keys(json).length - (METADATA_KEY in json ? 1 : 0);
  if (tensorCount > MAX_HEADER_TENSORS) throw tooManyTensors(file, tensorCount);
  const problem = scanHeaderText(text);
  if (problem?.kind === 'duplicate') {
    if (problem.within === undefined) throw new SafetensorsError('DuplicateName', file, `the name ${JSON.stringify(problem.key)} appears twice in the header`);
    throw new SafetensorsError('DuplicateName', file, `the field ${JSON.stringify(problem.key)} appears twice`, problem.within === METADATA_KEY ? undefined : problem.within);
  }
  if (problem?.kind === 'literal') {
    const exact = Number.isInteger(Number(problem.token)) && Number(problem.token) >= 0;
    throw new SafetensorsError('InvalidTensorEntry', file, `${problem.field}[${problem.index}] must be a non-negative integer, got ${problem.token}${exact ? ' (integers are written as plain digits, without a fraction or exponent, as the format\'s reader requires)' : ''}`, problem.tensor);
  }

  let metadata: Record<string, string> | undefined;
  const tensors: SafetensorsTensor[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === METADATA_KEY) {
      if (!isObject(entry)) throw new SafetensorsError('InvalidMetadata', file, `__metadata__ must be an object of strings, got ${describeJson(entry)}`);
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'string') throw new SafetensorsError('InvalidMetadata', file, `__metadata__.${key} must be a string, got ${describeJson(value)}`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    if (!isObject(entry)) throw new SafetensorsError('InvalidTensorEntry', file, `expected { dtype, shape, data_offsets }, got ${describeJson(entry)}`, name);
    const { dtype, shape, data_offsets: offsets } = entry;
    // Each missing field is named on its own, before any is read.
    if (dtype === undefined) throw new SafetensorsError('InvalidTensorEntry', file, `has no dtype; expected one of ${SAFETENSORS_DTYPE_NAMES.join(', ')}`, name);
    if (shape === undefined) throw new SafetensorsError('InvalidTensorEntry', file, 'has no shape; expected an array of non-negative integers', name);
    if (offsets === undefined) throw new SafetensorsError('InvalidTensorEntry', file, 'has no data_offsets; expected [begin, end]', name);
    if (!isSafetensorsDtype(dtype)) {
      throw new SafetensorsError('UnknownDtype', file, `unknown dtype ${describeJson(dtype)}; the format's dtypes are ${SAFETENSORS_DTYPE_NAMES.join(', ')}`, name);
    }
    if (!Array.isArray(shape)) throw new SafetensorsError('InvalidTensorEntry', file, `shape must be an array of non-negative integers, got ${describeJson(shape)}`, name);
    const dimensions = shape.map((dimension: unknown, axis) => checkedInteger(file, name, `shape[${axis}]`, dimension));
    if (!Array.isArray(offsets) || offsets.length !== 2) {
      throw new SafetensorsError('InvalidOffset', file, `data_offsets must be [begin, end], got ${describeJson(offsets)}`, name);
    }
    const begin = checkedInteger(file, name, 'data_offsets[0]', offsets[0]);
    const end = checkedInteger(file, name, 'data_offsets[1]', offsets[1]);
    if (end < begin) throw new SafetensorsError('InvalidOffset', file, `data_offsets [${begin}, ${end}] end before they begin`, name);
    if (end > dataLength) {
      throw new SafetensorsError('InvalidOffset', file, `data_offsets [${begin}, ${end}] run beyond the data, which holds ${dataLength} bytes (file ${fileSize} bytes, header ${headerLength})`, name);
    }
    const bytes = byteLengthOf(file, name, dtype, dimensions);
    if (bytes !== end - begin) {
      throw new SafetensorsError('TensorInvalidInfo', file, `shape [${dimensions.join(', ')}] of ${dtype} needs ${bytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`, name);
    }
    tensors.push({ name, dtype, shape: dimensions, begin, end });
  }

  const ordered = tensors.map((t, i) => ({ t, i })).sort((a, b) => a.t.begin - b.t.begin || a.t.end - b.t.end || a.i - b.i).map(({ t }) => t);
  let position = 0;
  let previous: SafetensorsTensor | undefined;
  for (const t of ordered) {
    if (t.begin < position) {
      throw new SafetensorsError('InvalidOffset', file, `data_offsets [${t.begin}, ${t.end}] overlap those of ${JSON.stringify(previous!.name)} [${previous!.begin}, ${previous!.end}]`, t.name);
    }
    if (t.begin > position) {
      const after = previous ? `after ${JSON.stringify(previous.name)} [${previous.begin}, ${previous.end}]` : 'at the start of the data';
      throw new SafetensorsError('InvalidOffset', file, `data_offsets [${t.begin}, ${t.end}] leave a gap of ${t.begin - position} bytes ${after}; tensors must be contiguous`, t.name);
    }
    position = t.end;
    previous = t;
  }
  if (position !== dataLength) {
    throw new SafetensorsError('MetadataIncompleteBuffer', file, `the tensors end at data byte ${position}, but the file holds ${dataLength} bytes of data: ${dataLength - position} bytes after the last tensor belong to none`);
  }
  return { headerLength, dataStart, dataLength, metadata, tensors: ordered };
}

/** A tensor read from bytes: its header entry and a view of its data (no copy). */
export interface SafetensorsEntry extends SafetensorsTensor {
  readonly data: Uint8Array;
}

/**
 * Reads a whole safetensors file held in memory (a browser's fetched bytes, say), validating it as parseSafetensorsHeader
 * does. Tensors come in data order; `data` views the input.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadOptions = {}): { metadata: Readonly<Record<string, string>> | undefined; tensors: SafetensorsEntry[] } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`nninit.readSafetensors: bytes must be a Uint8Array, got ${describeJson(bytes)}`);
  const n = safetensorsHeaderLength(bytes.subarray(0, 8), bytes.length, options);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length, options);
  return {
    metadata: header.metadata,
    tensors: header.tensors.map((t) => ({ ...t, data: bytes.subarray(header.dataStart + t.begin, header.dataStart + t.end) })),
  };
}

/**
 * A tensor's elements as numbers, for float and integer dtypes (float16 and bfloat16 decoded to float32 values,
 * 64-bit integers to doubles); undefined for complex and packed sub-byte dtypes.
 */
export function tensorValues(entry: { dtype: SafetensorsDtype; data: Uint8Array }): ArrayLike<number> | undefined {
  return elementValues(entry.dtype, entry.data);
}

// ---- writing -------------------------------------------------------------------------------------------------------

/** A tensor to be written: its name, dtype and shape. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
}

export interface LaidOutTensor extends TensorSpec {
  readonly begin: number;
  readonly end: number;
  /** Its index in the list given to layoutSafetensors. */
  readonly index: number;
}

export interface Layout {
  /** The first 8 + N bytes of the file: the header length and the padded JSON header. */
  readonly header: Uint8Array;
  /** In data order (= header order). */
  readonly tensors: readonly LaidOutTensor[];
  readonly dataLength: number;
  /** header.length + dataLength. */
  readonly fileLength: number;
}

const encoder = new TextEncoder();

/**
 * The header of a file holding these tensors, and where each one's bytes go. Tensors keep the given order,
 * except that they are sorted (stably) by element width, widest first, so that every tensor starts at a multiple
 * of its element size: a reader can view the data in place (the Rust crate's writer orders by alignment too). The
 * JSON is compact, `__metadata__` first, padded with spaces to a multiple of 8 bytes so that the data starts
 * 8-aligned. Names must be unique, non-empty and not `__metadata__`; metadata values must be strings.
 */
export function layoutSafetensors(tensors: readonly TensorSpec[], metadata?: Readonly<Record<string, string>>): Layout {
  const fn = 'nninit.layoutSafetensors';
  if (tensors.length > MAX_HEADER_TENSORS) throw new RangeError(`${fn}: ${tensors.length} tensors, more than a file nninit reads may hold (${MAX_HEADER_TENSORS}, 2^18)`);
  const names = new Set<string>();
  tensors.forEach((t, i) => {
    if (typeof t.name !== 'string' || t.name === '' || t.name === METADATA_KEY) throw new TypeError(`${fn}: tensors[${i}].name must be a non-empty string other than ${METADATA_KEY}, got ${describeJson(t.name)}`);
    if (names.has(t.name)) throw new RangeError(`${fn}: tensors[${i}].name ${JSON.stringify(t.name)} is given twice`);
    names.add(t.name);
    if (!isSafetensorsDtype(t.dtype)) throw new RangeError(`${fn}: tensors[${i}].dtype must be one of ${SAFETENSORS_DTYPE_NAMES.join(', ')}, got ${describeJson(t.dtype)}`);
    if (!Array.isArray(t.shape) || t.shape.some((n) => !Number.isSafeInteger(n) || n < 0)) {
      throw new TypeError(`${fn}: tensors[${i}].shape must be an array of non-negative integers, got ${describeJson(t.shape)}`);
    }
  });
  if (metadata !== undefined) {
    if (!isObject(metadata)) throw new TypeError(`${fn}: metadata must be an object of strings, got ${describeJson(metadata)}`);
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new TypeError(`${fn}: metadata.${key} must be a string, got ${describeJson(value)}`);
    }
  }
  const order = tensors.map((t, index) => ({ t, index })).sort((a, b) => SAFETENSORS_DTYPES[b.t.dtype] - SAFETENSORS_DTYPES[a.t.dtype] || a.index - b.index);
  let position = 0;
  const laidOut = order.map(({ t, index }): LaidOutTensor => {
    const bytes = byteLengthOf(fn, t.name, t.dtype, t.shape);
    const begin = position;
    position += bytes;
    if (!Number.isSafeInteger(position)) throw new RangeError(`${fn}: the tensors hold more than 2^53 - 1 bytes`);
    return { name: t.name, dtype: t.dtype, shape: t.shape.slice(), begin, end: position, index };
  });
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  for (const t of laidOut) parts.push(`${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(t.dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${t.begin},${t.end}]}`);
  const json = encoder.encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > MAX_HEADER_BYTES) throw new RangeError(`${fn}: the header would be ${padded} bytes, above the format's limit of ${MAX_HEADER_BYTES}`);
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { header, tensors: laidOut, dataLength: position, fileLength: header.length + position };
}

/** JSON-safe text of a seed (plans may hold bigint seeds). */
export const seedText = (seed: number | bigint): string => String(seed);

/** The metadata nninit records: format "pt" (what PyTorch loaders expect), its version, the seed and the policy. */
export function planMetadata(plan: readonly ParameterPlan[], extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const first = plan[0];
  return {
    format: 'pt',
    'nninit.version': NNINIT_VERSION,
    ...(first ? { 'nninit.seed': seedText(first.seed), 'nninit.policy': first.policy } : {}),
    ...extra,
  };
}

/** The safetensors tensor list of a plan: each parameter under its name, shape and dtype. */
export function planTensorSpecs(plan: readonly ParameterPlan[]): TensorSpec[] {
  return plan.map((p) => ({ name: p.name, dtype: STORED_AS[p.dtype], shape: p.shape }));
}

export interface EncodeOptions {
  /** `__metadata__` (default planMetadata(plan)). */
  metadata?: Readonly<Record<string, string>>;
  /** Bytes per chunk of safetensorsChunks (default 4 MiB, rounded down to whole 8-byte elements). */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

function arrayFor(p: ParameterPlan, buffer: ArrayBuffer, byteOffset: number, length: number): SliceArray {
  if (p.dtype === 'float32') return new Float32Array(buffer, byteOffset, length);
  if (p.dtype === 'float64') return new Float64Array(buffer, byteOffset, length);
  return new Uint16Array(buffer, byteOffset, length);
}

function checkEndianness(fn: string): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error(`nninit.${fn}: this platform stores numbers big-endian; safetensors is little-endian`);
}

/**
 * A whole model as one safetensors file in memory: a plan (planModel, planTensors) in, bytes out, each parameter
 * computed straight into the result. For large models prefer safetensorsChunks (bounded memory) or the command.
 *
 * @example const bytes = encodeSafetensors(planModel(spec, { seed: 1 }));
 *          await (await navigator.storage.getDirectory()).getFileHandle('model.safetensors', { create: true }) ...
 */
export function encodeSafetensors(plan: readonly ParameterPlan[], options: EncodeOptions = {}): Uint8Array {
  checkEndianness('encodeSafetensors');
  const layout = layoutSafetensors(planTensorSpecs(plan), options.metadata ?? planMetadata(plan));
  const bytes = new Uint8Array(layout.fileLength);
  bytes.set(layout.header);
  const start = layout.header.length;
  for (const t of layout.tensors) {
    const p = plan[t.index];
    // Sorting by width keeps every tensor aligned to its element size, and the data starts 8-aligned.
    if (p.whole) {
      const values = initParameter(p);
      bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), start + t.begin);
    } else {
      initParameter(p, { out: arrayFor(p, bytes.buffer, start + t.begin, p.size) });
    }
  }
  return bytes;
}

/**
 * The same bytes as encodeSafetensors, as a sequence of chunks of at most `chunkBytes` (the header first), so a
 * browser can stream a model of any size to a file or a network request with bounded memory. Each chunk is a
 * fresh array the caller may keep. Parameters with `p.whole` (orthogonal) are computed in one call.
 *
 * @example const stream = new ReadableStream({ pull(c) { const r = chunks.next(); r.done ? c.close() : c.enqueue(r.value); } });
 */
export function* safetensorsChunks(plan: readonly ParameterPlan[], options: EncodeOptions = {}): Generator<Uint8Array, void, undefined> {
  checkEndianness('safetensorsChunks');
  const chunkBytes = Math.max(8, Math.floor((options.chunkBytes ?? DEFAULT_CHUNK_BYTES) / 8) * 8);
  const layout = layoutSafetensors(planTensorSpecs(plan), options.metadata ?? planMetadata(plan));
  yield layout.header.slice();
  for (const t of layout.tensors) {
    const p = plan[t.index];
    const width = (t.end - t.begin) / Math.max(p.size, 1);
    if (p.whole) {
      const values = initParameter(p);
      const all = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let at = 0; at < all.length; at += chunkBytes) yield all.slice(at, at + chunkBytes);
      continue;
    }
    const perChunk = chunkBytes / width;
    for (let offset = 0; offset < p.size; offset += perChunk) {
      const length = Math.min(perChunk, p.size - offset);
      const buffer = new ArrayBuffer(length * width);
      initParameter(p, { offset, length, out: arrayFor(p, buffer, 0, length) });
      yield new Uint8Array(buffer);
    }
  }
}
