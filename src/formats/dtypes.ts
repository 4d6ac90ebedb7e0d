// The element types a safetensors file may hold, what nninit writes, and how stored elements become numbers (for
// inspect's statistics and the summary's measured std). Pure: no Node built-ins.

import type { Dtype } from '../core/output.js';

/**
 * Every dtype of the safetensors format (huggingface/safetensors `Dtype`), with its width in bits. Sub-byte types
 * (F4, F6_*) pack elements, so a tensor's byte length is its element count times the width over 8, which must be
 * whole.
 */
export const SAFETENSORS_DTYPES = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8,
  I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64,
} as const satisfies Record<string, number>;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;
export const SAFETENSORS_DTYPE_NAMES = Object.keys(SAFETENSORS_DTYPES) as SafetensorsDtype[];

/** The dtypes nninit computes, and their safetensors names. */
export const STORED_AS: Readonly<Record<Dtype, SafetensorsDtype>> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64' };

/** The nninit dtype of a safetensors float dtype it can produce; undefined for every other dtype. */
export function nninitDtype(dtype: SafetensorsDtype): Dtype | undefined {
  switch (dtype) {
    case 'F32': return 'float32';
    case 'F16': return 'float16';
    case 'BF16': return 'bfloat16';
    case 'F64': return 'float64';
    default: return undefined;
  }
}

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, value);
}

/** Bytes per element of a byte-aligned dtype (sub-byte dtypes have none). */
export function bytesPerElement(dtype: SafetensorsDtype): number | undefined {
  const bits = SAFETENSORS_DTYPES[dtype];
  return bits % 8 === 0 ? bits / 8 : undefined;
}

export const BYTES_OF: Readonly<Record<Dtype, number>> = { float32: 4, float64: 8, float16: 2, bfloat16: 2 };

// ---- decoding ---------------------------------------------------------------------------------------------------

let float16Table: Float32Array | undefined;

/** Value of every binary16 bit pattern: exact, since each binary16 value is a float32 value. */
function float16Values(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    table[bits] = exponent === 0 ? sign * mantissa * 2 ** -24
      : exponent === 31 ? (mantissa ? NaN : sign * Infinity)
      : sign * (1024 + mantissa) * 2 ** (exponent - 25);
  }
  return (float16Table = table);
}

/**
 * An 8-bit float's value (OCP 8-bit floating point spec, which PyTorch's float8_e4m3fn and float8_e5m2 follow):
 * E4M3 has bias 7, no infinities, and NaN at S.1111.111; E5M2 is IEEE-like with bias 15.
 */
function float8Values(exponentBits: number, mantissaBits: number, ieee: boolean): Float32Array {
  const table = new Float32Array(256);
  const bias = 2 ** (exponentBits - 1) - 1;
  const top = 2 ** exponentBits - 1;
  for (let bits = 0; bits < 256; bits++) {
    const sign = bits & 0x80 ? -1 : 1;
    const exponent = (bits >>> mantissaBits) & top;
    const mantissa = bits & (2 ** mantissaBits - 1);
    const scale = 2 ** mantissaBits;
    if (ieee && exponent === top) table[bits] = mantissa ? NaN : sign * Infinity;
    else if (!ieee && exponent === top && mantissa === scale - 1) table[bits] = NaN;
    else table[bits] = exponent === 0 ? sign * (mantissa / scale) * 2 ** (1 - bias) : sign * (1 + mantissa / scale) * 2 ** (exponent - bias);
  }
  return table;
}

let e4m3Table: Float32Array | undefined;
let e5m2Table: Float32Array | undefined;

/**
 * The elements of raw little-endian bytes as numbers, or undefined for dtypes without a plain numeric reading
 * (complex, packed sub-byte floats, the E8M0 scale type). 64-bit integers are converted to the nearest double.
 * `bytes` must hold whole elements; it is copied where its offset is not aligned to the element.
 */
export function elementValues(dtype: SafetensorsDtype, bytes: Uint8Array): ArrayLike<number> | undefined {
  const size = bytesPerElement(dtype);
  if (size === undefined) return undefined;
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const count = aligned.byteLength / size;
  const { buffer, byteOffset } = aligned;
  switch (dtype) {
    case 'F32': return new Float32Array(buffer, byteOffset, count);
    case 'F64': return new Float64Array(buffer, byteOffset, count);
    case 'F16': return mapped(new Uint16Array(buffer, byteOffset, count), float16Values());
    case 'BF16': {
      const widened = new Uint32Array(count);
      const source = new Uint16Array(buffer, byteOffset, count);
      for (let i = 0; i < count; i++) widened[i] = source[i] << 16;
      return new Float32Array(widened.buffer);
    }
    case 'F8_E4M3': return mapped(aligned, (e4m3Table ??= float8Values(4, 3, false)));
    case 'F8_E5M2': return mapped(aligned, (e5m2Table ??= float8Values(5, 2, true)));
    case 'BOOL': return Uint8Array.from(aligned, (byte) => (byte ? 1 : 0));
    case 'U8': return aligned;
    case 'I8': return new Int8Array(buffer, byteOffset, count);
    case 'I16': return new Int16Array(buffer, byteOffset, count);
    case 'U16': return new Uint16Array(buffer, byteOffset, count);
    case 'I32': return new Int32Array(buffer, byteOffset, count);
    case 'U32': return new Uint32Array(buffer, byteOffset, count);
    case 'I64': return Float64Array.from(new BigInt64Array(buffer, byteOffset, count), Number);
    case 'U64': return Float64Array.from(new BigUint64Array(buffer, byteOffset, count), Number);
    default: return undefined;
  }
}

function mapped(codes: ArrayLike<number>, table: Float32Array): Float32Array {
  const values = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = table[codes[i]];
  return values;
}

/** The values nninit wrote for a dtype, from the array initParameter fills (half types are bit patterns). */
export function writtenValues(dtype: Dtype, array: Float32Array | Float64Array | Uint16Array): ArrayLike<number> {
  if (dtype === 'float32' || dtype === 'float64') return array;
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return elementValues(STORED_AS[dtype], bytes)!;
}

/** True where typed arrays store numbers little-endian (the format's byte order); nninit refuses to write otherwise. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
