import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nninit from 'nninit';

test('a generator hands call k stream k of its seed', () => {
  const g = nninit.createGenerator(2024);
  assert.equal(g.seed, 2024n);
  const first = g.heNormal([64, 32]);
  const second = g.glorotUniform([32, 10], { gain: 2 });
  const bits = g.randomBits(5, { offset: 3 });
  assert.equal(g.nextStreamId, 3n);
  assert.deepEqual(first, nninit.heNormal([64, 32], { seed: 2024, stream: 0 }));
  assert.deepEqual(second, nninit.glorotUniform([32, 10], { gain: 2, seed: 2024, stream: 1 }));
  assert.deepEqual(bits, nninit.randomBits(5, { seed: 2024, stream: 2, offset: 3 }));
  assert.deepEqual(g.next(), { seed: 2024n, stream: 3n });
});

test('two generators with the same seed replay the same sequence; different seeds do not', () => {
  const run = (seed: number) => {
    const g = nninit.createGenerator(seed);
    return [g.normal([100]), g.uniform([100]), g.truncatedNormal([100])];
  };
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
});

test('a generator refuses options that would override its seed or stream', () => {
  const g = nninit.createGenerator(1);
  assert.throws(() => g.normal([4], { seed: 3 } as object), TypeError);
  assert.throws(() => g.normal([4], { stream: 3 } as object), TypeError);
  assert.equal(g.nextStreamId, 0n);
});

test('a call that fails validation consumes no stream id', () => {
  const g = nninit.createGenerator(9);
  const first = g.heNormal([4]);
  assert.throws(() => g.heNormal([4], { nonlinearity: 'nope' } as object), RangeError);
  assert.throws(() => g.uniform([-1]), RangeError);
  assert.throws(() => g.sparse([4, 4], {} as { sparsity: number }), TypeError);
  assert.throws(() => g.randomBits(-1), RangeError);
  assert.equal(g.nextStreamId, 1n);
  assert.deepEqual(first, nninit.heNormal([4], { seed: 9, stream: 0 }));
  assert.deepEqual(g.normal([5]), nninit.normal([5], { seed: 9, stream: 1 }));
  assert.equal(g.nextStreamId, 2n);
});
