// Direct access to the Philox stream: one block, or a run of raw words.

import { currentBackend } from './runtime.js';
import { streamKey, type Seed, type Stream } from './seed.js';
import { allocateArray, checkOptions, numberArgument, rangeError, typeError } from './validate.js';

function wordArray(fn: string, argument: string, value: unknown, length: number): number[] {
  if (!(Array.isArray(value) || value instanceof Uint32Array)) throw typeError(fn, argument, `an array of ${length} unsigned 32-bit integers`, value);
  if (value.length !== length) throw rangeError(fn, argument, `of length ${length}`, value);
  const words: number[] = [];
  for (let i = 0; i < length; i++) {
    const word: unknown = value[i];
    if (typeof word !== 'number' || !Number.isInteger(word) || word < 0 || word > 0xffffffff) {
      throw rangeError(fn, `${argument}[${i}]`, 'an integer in [0, 2^32)', word);
    }
    words.push(word);
  }
  return words;
}

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) of one block: the
 * counter is four 32-bit words, the key two; returns the four output words. Matches Random123's philox4x32.
 *
 * @example philox4x32([0, 0, 0, 0], [0, 0])   // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>): Uint32Array {
  const c = wordArray('philox4x32', 'counter', counter, 4);
  const k = wordArray('philox4x32', 'key', key, 2);
  const out = new Uint32Array(4);
  currentBackend().philox4x32(c, k, out);
  return out;
}

export interface RandomBitsOptions {
  seed?: Seed;
  stream?: Stream;
  /** Index of the first word (default 0). */
  offset?: number;
  /** A Uint32Array of exactly n elements to write into. */
  out?: Uint32Array;
}

/**
 * Words offset .. offset + n - 1 of the stream (seed, stream): word i is word i % 4 of
 * philox4x32([block mod 2^32, floor(block / 2^32), stream lo, stream hi], [seed lo, seed hi]), block = floor(i / 4).
 * Every random initializer is a function of these words.
 *
 * @example randomBits(8, { seed: 1, stream: 'layer1', offset: 4 })
 */
export function randomBits(n: number, options?: RandomBitsOptions): Uint32Array {
  const fn = 'randomBits';
  const o = checkOptions(fn, options, ['seed', 'stream', 'offset', 'out']);
  const count = numberArgument(fn, 'n', n, undefined, { integer: true, min: 0 });
  const offset = numberArgument(fn, 'options.offset', o.offset, 0, { integer: true, min: 0 });
  if (!Number.isSafeInteger(offset + count)) throw rangeError(fn, 'options.offset', 'such that offset + n < 2^53', offset);
  const key = streamKey(fn, o.seed, o.stream);
  if (o.out !== undefined) {
    if (!(o.out instanceof Uint32Array)) throw typeError(fn, 'options.out', 'a Uint32Array', o.out);
    if (o.out.length !== count) throw rangeError(fn, 'options.out', `of length ${count}`, o.out);
  }
  const out = o.out ?? allocateArray(fn, 'uint32', count, 'pass a smaller n and options.offset to take the stream in parts');
  if (count > 0) currentBackend().fillBits(out, offset, key);
  return out;
}
