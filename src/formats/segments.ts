// A file described as the pieces it is made of, so that one description serves both the in-memory writers (bytes
// out, for browsers) and the Node writer that streams to disk: bytes given as they are (headers, and every part of
// an input that is kept), the values of a planned parameter (computed by initParameter, a byte range of its
// little-endian data), or bytes of another file that the caller reads (an ONNX model's external data, a TF.js
// weight shard). Pure: no Node built-ins.

import { initParameter } from '../model/init.js';
import type { ParameterPlan } from '../model/types.js';
import { BYTES_OF, LITTLE_ENDIAN } from './dtypes.js';

export type Segment =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** Bytes [from, to) of the parameter's data in its dtype, little-endian. */
  | { readonly kind: 'values'; readonly plan: ParameterPlan; readonly from: number; readonly to: number }
  /** `length` bytes at `offset` of the input file `source` (a path relative to the input's folder). */
  | { readonly kind: 'copy'; readonly source: string; readonly offset: number; readonly length: number };

export interface FileLayout {
  /** File name, no folder. */
  readonly name: string;
  readonly segments: readonly Segment[];
  /** Sum of the segments' lengths. */
  readonly length: number;
}

export const segmentLength = (segment: Segment): number =>
  segment.kind === 'bytes' ? segment.bytes.length : segment.kind === 'values' ? segment.to - segment.from : segment.length;

/** Bytes of a plan entry's data. */
export const planBytes = (p: ParameterPlan): number => p.size * BYTES_OF[p.dtype];

export function fileLayout(name: string, segments: readonly Segment[]): FileLayout {
  return { name, segments, length: segments.reduce((sum, segment) => sum + segmentLength(segment), 0) };
}

/** Values of a plan entry, computed whole or for elements [offset, offset + length), as bytes. */
export function valueBytes(p: ParameterPlan, offset = 0, length = p.size - offset): Uint8Array {
  const values = initParameter(p, { offset, length });
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Elements of at most this many bytes are computed at once when a file is assembled in memory. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Writes bytes [from, to) of a parameter's data into `target`, chunk by chunk; the whole tensor at once where the
 * plan computes it whole (orthogonal). `whole` caches such tensors between calls.
 */
export function fillValues(p: ParameterPlan, from: number, to: number, target: Uint8Array, whole?: Map<ParameterPlan, Uint8Array>): void {
  if (!LITTLE_ENDIAN) throw new Error('nninit: this platform stores numbers big-endian; model files store them little-endian');
  const width = BYTES_OF[p.dtype];
  if (p.whole) {
    let bytes = whole?.get(p);
    if (!bytes) {
      bytes = valueBytes(p);
      whole?.set(p, bytes);
    }
    target.set(bytes.subarray(from, to));
    if (to === bytes.length) whole?.delete(p);
    return;
  }
  // Whole elements around [from, to); a range that starts or ends inside an element (a TF.js shard boundary) takes
  // the element's bytes it covers.
  const step = Math.max(1, Math.floor(CHUNK_BYTES / width));
  const first = Math.floor(from / width), last = Math.ceil(to / width);
  for (let element = first; element < last; element += step) {
    const count = Math.min(step, last - element);
    const bytes = valueBytes(p, element, count);
    const lo = Math.max(from, element * width), hi = Math.min(to, (element + count) * width);
    target.set(bytes.subarray(lo - element * width, hi - element * width), lo - from);
  }
}

/**
 * The file's bytes in memory. `read` supplies the bytes of 'copy' segments; without it, a file that needs some is
 * an error naming the source.
 */
export function assemble(file: FileLayout, read?: (source: string, offset: number, length: number) => Uint8Array): Uint8Array {
  const out = new Uint8Array(file.length);
  const whole = new Map<ParameterPlan, Uint8Array>();
  let at = 0;
  for (const segment of file.segments) {
    const length = segmentLength(segment);
    const target = out.subarray(at, at + length);
    if (segment.kind === 'bytes') target.set(segment.bytes);
    else if (segment.kind === 'values') fillValues(segment.plan, segment.from, segment.to, target, whole);
    else {
      if (!read) throw new TypeError(`${file.name} needs ${length} bytes of ${segment.source}, which were not given`);
      const bytes = read(segment.source, segment.offset, segment.length);
      if (bytes.length !== segment.length) throw new RangeError(`${segment.source}: expected ${segment.length} bytes at offset ${segment.offset}, got ${bytes.length}`);
      target.set(bytes);
    }
    at += length;
  }
  return out;
}
