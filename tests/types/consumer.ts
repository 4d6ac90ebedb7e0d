// Compiled by `tsc -p tests/types` (npm test) against the built package, as a consumer would compile it: the
// types of results must be the arrays returned at run time. Each @ts-expect-error line must be an error.

import {
  computeFans, constant, createGenerator, heNormal, normal, orthogonal, sparse, truncatedNormal, uniform, zeros, identity,
  type Dtype, type HeOptions,
} from 'nninit';

declare const dtype: Dtype;
declare const options: HeOptions;

// Literal dtypes, and no dtype, keep their precise types.
const single: Float32Array = heNormal([4]);
const singleWithOptions: Float32Array = heNormal([4], { seed: 1 });
const double: Float64Array = heNormal([4], { dtype: 'float64' });
const half: Uint16Array = normal([4], { dtype: 'float16' });
const brain: Uint16Array = uniform([4], { dtype: 'bfloat16' });
const written: Float64Array = orthogonal([2, 2], { out: new Float64Array(4) });
const zero: Float32Array = zeros([3]);
const eye: Float64Array = identity([2, 2], { dtype: 'float64' });

// A dtype that is not a literal can be any of the arrays.
const anyDtype = heNormal([4], { dtype });
const union: Float32Array | Float64Array | Uint16Array = anyDtype;
// @ts-expect-error: it may be a Float64Array or a Uint16Array at run time
const notSingle: Float32Array = anyDtype;
// @ts-expect-error: the same for an options object typed HeOptions, whose dtype may be anything
const fromOptions: Float32Array = heNormal([4], options);
// @ts-expect-error: and for the other initializers
const truncated: Float32Array = truncatedNormal([4], { dtype });
// @ts-expect-error: constants too
const constants: Float32Array = constant([4], 1, { dtype });
// @ts-expect-error: sparse takes required options
const masked: Float32Array = sparse([4, 4], { sparsity: 0.5, dtype });

// A generator's methods follow the options of each call.
const g = createGenerator(1);
const fromGenerator: Float32Array = g.heNormal([4]);
const fromGenerator64: Float64Array = g.heNormal([4], { dtype: 'float64' });
// @ts-expect-error: a non-literal dtype gives the union here as well
const fromGeneratorAny: Float32Array = g.heNormal([4], { dtype });
const fromGeneratorSparse: Float32Array = g.sparse([4, 4], { sparsity: 0.5 });
// @ts-expect-error: sparse needs its options, through a generator too
g.sparse([4, 4]);

// Array-valued constants and fan axes.
const table: Float64Array = constant([2, 2], [1, 2, 3, 4], { dtype: 'float64' });
const stacked: Float32Array = heNormal([8, 64, 32], { batchAxis: 0, mode: 'fan_out' });
const fans: { fanIn: number; fanOut: number } = computeFans([2, 3, 4, 5], { inAxis: [0, 1], outAxis: -1 });

export {
  single, singleWithOptions, double, half, brain, written, zero, eye, union, notSingle, fromOptions, truncated,
  constants, masked, fromGenerator, fromGenerator64, fromGeneratorAny, fromGeneratorSparse, table, stacked, fans,
};
