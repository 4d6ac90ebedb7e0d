// Compiled by `tsc -p tests/types` (npm test): nninit/pool's methods resolve with the types of the synchronous
// calls' results. Each @ts-expect-error line must be an error.

import { createPool, type Pool } from 'nninit/pool';
import type { Dtype, ModelWeights } from 'nninit';

declare const pool: Pool;
declare const dtype: Dtype;

const single: Promise<Float32Array> = pool.heNormal([4]);
const double: Promise<Float64Array> = pool.orthogonal([2, 2], { dtype: 'float64' });
const half: Promise<Uint16Array> = pool.normal([4], { seed: 1, dtype: 'bfloat16' });
const table: Promise<Float64Array> = pool.constant([2, 2], [1, 2, 3, 4], { dtype: 'float64' });
const written: Promise<Float64Array> = pool.uniform([4], { out: new Float64Array(4) });
const masked: Promise<Float32Array> = pool.sparse([4, 4], { sparsity: 0.5 });
const words: Promise<Uint32Array> = pool.randomBits(8, { seed: 1 });
const model: Promise<ModelWeights> = pool.initModel({ layers: [{ type: 'dense', name: 'fc', in: 4, out: 2 }] });
// @ts-expect-error: a dtype that is not a literal may give any of the arrays
const notSingle: Promise<Float32Array> = pool.heNormal([4], { dtype });
// @ts-expect-error: sparse needs its options, through the pool too
pool.sparse([4, 4]);
// @ts-expect-error: the pool's one option is threads
createPool({ thread: 2 });
const threads: number = createPool({ threads: 2 }).threads;

export { single, double, half, table, written, masked, words, model, notSingle, threads };
