import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { philox4x32, randomBits, setBackend, getBackend, fnv1a64, createGenerator } from 'nninit';
import { philoxReference, streamWord } from './helpers.ts';

const BACKENDS = ['wasm', 'js'] as const;

function knownAnswers(): { counter: number[]; key: number[]; expected: number[] }[] {
  const text = readFileSync(new URL('./fixtures/philox4x32-10.kat', import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line.trim() && !line.startsWith('#')).map((line) => {
    const words = line.trim().split(/\s+/).map((hex) => parseInt(hex, 16));
    return { counter: words.slice(0, 4), key: words.slice(4, 6), expected: words.slice(6, 10) };
  });
}

test('the Node build runs on the wasm backend from import', () => {
  assert.equal(getBackend(), 'wasm');
});

for (const backend of BACKENDS) {
  test(`philox4x32 reproduces the Random123 known-answer vectors (${backend})`, () => {
    setBackend(backend);
    const vectors = knownAnswers();
    assert.equal(vectors.length, 3);
    for (const { counter, key, expected } of vectors) {
      assert.deepEqual([...philox4x32(counter, key)], expected);
    }
  });

  test(`randomBits follows the stream layout, checked against an independent BigInt Philox (${backend})`, () => {
    setBackend(backend);
    const cases: [bigint, bigint, number, number][] = [
      [0n, 0n, 0, 37],
      [42n, 7n, 3, 101],
      [0xffffffffffffffffn, 0xfedcba9876543210n, 16381, 9], // crosses the 16384-word wasm scratch chunk
      [123456789012345678n, 1n, 4 * 0xfffffffe + 1, 23], // block counter carries into its high word
      [5n, 2n ** 63n, 2 ** 40 + 2, 13],
    ];
    for (const [seed, stream, offset, n] of cases) {
      const words = randomBits(n, { seed, stream, offset });
      for (let i = 0; i < n; i++) {
        assert.equal(words[i], streamWord(seed, stream, BigInt(offset + i)), `seed ${seed} stream ${stream} word ${offset + i}`);
      }
    }
  });
}

test('randomBits is the same on both backends over long runs crossing the scratch chunk', () => {
  const options = { seed: 99, stream: 'weights', offset: 5 };
  setBackend('wasm');
  const fast = randomBits(70001, options);
  setBackend('js');
  const reference = randomBits(70001, options);
  setBackend('wasm');
  assert.deepEqual(fast, reference);
});

test('numbers and bigints name the same seed; string streams hash with FNV-1a 64', () => {
  setBackend('wasm');
  assert.deepEqual(randomBits(8, { seed: 2 ** 40 + 5 }), randomBits(8, { seed: 2n ** 40n + 5n }));
  // Published FNV-1a 64 test vectors (Fowler/Noll/Vo reference test suite).
  assert.equal(fnv1a64(''), 0xcbf29ce484222325n);
  assert.equal(fnv1a64('a'), 0xaf63dc4c8601ec8cn);
  assert.equal(fnv1a64('foobar'), 0x85944171f73967e8n);
  assert.deepEqual(randomBits(8, { seed: 1, stream: 'foobar' }), randomBits(8, { seed: 1, stream: 0x85944171f73967e8n }));
});

test('the reference Philox in the tests agrees with the known-answer file too', () => {
  for (const { counter, key, expected } of knownAnswers()) assert.deepEqual(philoxReference(counter, key), expected);
});

test('without a seed every call draws a fresh one', () => {
  assert.notDeepEqual(randomBits(4), randomBits(4));
  assert.notEqual(createGenerator().seed, createGenerator().seed);
});
