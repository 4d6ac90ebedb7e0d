// Seeds and streams: the Philox key and the high half of its counter. A seed is an integer in [0, 2^64); a
// stream is an integer in [0, 2^64) or a string, hashed to 64 bits with FNV-1a (below). Both split into
// little-end 32-bit words: (lo, hi) = (value mod 2^32, floor(value / 2^32)).

import type { StreamKey } from './backend.js';
import { rangeError, typeError } from './validate.js';

export type Seed = number | bigint;
export type Stream = number | bigint | string;

const TWO_POW_32 = 4294967296;
const TWO_POW_64 = 18446744073709551616;

interface Words {
  lo: number;
  hi: number;
}

function wordsOf(fn: string, argument: string, value: unknown, what: string): Words {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value >= TWO_POW_64) throw rangeError(fn, argument, `${what} in [0, 2^64)`, value);
    const hi = Math.floor(value / TWO_POW_32);
    return { lo: value - hi * TWO_POW_32, hi };
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << 64n) throw rangeError(fn, argument, `${what} in [0, 2^64)`, value);
    return { lo: Number(value & 0xffffffffn), hi: Number(value >> 32n) };
  }
  throw typeError(fn, argument, `${what} (a number or bigint)`, value);
}

/**
 * FNV-1a, 64-bit (Fowler, Noll, Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the UTF-8
 * bytes of a string. This is how a string stream becomes a 64-bit stream id, and it will never change.
 */
export function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** A fresh 64-bit seed from the platform's cryptographic random source. */
export function freshSeed(): bigint {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (BigInt(words[1]) << 32n) | BigInt(words[0]);
}

/** Checks a seed and a stream and returns the Philox key words; no seed means a fresh random one. */
export function streamKey(fn: string, seed: unknown, stream: unknown): StreamKey {
  const seedWords = wordsOf(fn, 'options.seed', seed === undefined ? freshSeed() : seed, 'an integer');
  let streamWords: Words;
  if (stream === undefined) streamWords = { lo: 0, hi: 0 };
  else if (typeof stream === 'string') streamWords = wordsOf(fn, 'options.stream', fnv1a64(stream), 'an integer');
  else {
    if (typeof stream !== 'number' && typeof stream !== 'bigint') {
      throw typeError(fn, 'options.stream', 'an integer in [0, 2^64) or a string', stream);
    }
    streamWords = wordsOf(fn, 'options.stream', stream, 'an integer');
  }
  return { seedLo: seedWords.lo, seedHi: seedWords.hi, streamLo: streamWords.lo, streamHi: streamWords.hi };
}

/** Checks a seed on its own (for createGenerator) and returns it as a bigint. */
export function seedValue(fn: string, seed: unknown): bigint {
  const words = wordsOf(fn, 'seed', seed === undefined ? freshSeed() : seed, 'an integer');
  return (BigInt(words.hi) << 32n) | BigInt(words.lo);
}
