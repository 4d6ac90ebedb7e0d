import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as nninit from 'nninit';
import { bytesOf } from './helpers.ts';
import { withBackend } from './with-backend.ts';

type Initializer = 'orthogonal' | 'deltaOrthogonal';
type Case = readonly [Initializer, readonly number[], Record<string, unknown>];

/**
 * Outputs whose bytes must never change: float32, float16 and bfloat16 results of orthogonal and
 * deltaOrthogonal. tests/fixtures/orthogonal-bytes.json holds their SHA-256 as computed before float64 output
 * got its own float64 computation.
 */
export const PRESERVED: readonly Case[] = [
  ['orthogonal', [1, 1], {}],
  ['orthogonal', [2, 5], {}],
  ['orthogonal', [5, 2], { gain: -1.5 }],
  ['orthogonal', [31, 31], {}],
  ['orthogonal', [33, 33], { dtype: 'float16' }],
  ['orthogonal', [70, 45], { dtype: 'bfloat16' }],
  ['orthogonal', [45, 70], { stream: 'rnn' }],
  ['orthogonal', [3, 3, 8, 16], {}],
  ['orthogonal', [16, 8, 3, 3], { layout: 'torch', dtype: 'float16' }],
  ['orthogonal', [130, 97], { gain: 2.5 }],
  ['orthogonal', [2, 3, 4, 5], { offset: 7, length: 50 }],
  ['orthogonal', [97, 130], { dtype: 'bfloat16', offset: 1001, length: 3000 }],
  ['orthogonal', [256, 256], { seed: 1 }],
  ['orthogonal', [300, 200], { gain: 2.5, seed: 3 }],
  ['deltaOrthogonal', [3, 3, 16, 32], {}],
  ['deltaOrthogonal', [32, 16, 3, 3], { layout: 'torch', dtype: 'float16' }],
  ['deltaOrthogonal', [5, 24, 40], { dtype: 'bfloat16', gain: 1.3 }],
];

export function label([initializer, shape, options]: Case): string {
  return `${initializer}(${JSON.stringify(shape)}, ${JSON.stringify(options)})`;
}

export function run([initializer, shape, options]: Case): ArrayBufferView {
  return nninit[initializer](shape, { seed: 11, ...options }) as ArrayBufferView;
}

export function sha256(view: ArrayBufferView): string {
  return createHash('sha256').update(bytesOf(view)).digest('hex');
}

const FIXTURE = new URL('./fixtures/orthogonal-bytes.json', import.meta.url);

test('orthogonal and deltaOrthogonal: float32, float16 and bfloat16 bytes are unchanged, on both backends', () => {
  const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')).sha256 as Record<string, string>;
  assert.equal(Object.keys(expected).length, PRESERVED.length);
  for (const item of PRESERVED) {
    const name = label(item);
    assert.equal(sha256(withBackend('wasm', () => run(item))), expected[name], `wasm: ${name}`);
    assert.equal(sha256(withBackend('js', () => run(item))), expected[name], `js: ${name}`);
  }
});
