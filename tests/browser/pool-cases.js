// The pool calls the browser pool test makes in Chromium, and Node makes synchronously, to be compared byte for
// byte. Each call takes an object with nninit's initializers: the nninit module namespace (synchronous) or a pool
// (the same methods, returning Promises). Sizes straddle the pool's slice and inline thresholds. Plain JavaScript,
// so the browser loads it without a build.

/** @typedef {{ name: string, bytes: number, sha256: string }} CaseDigest */
/** @typedef {Record<string, (...args: any[]) => any>} Initializers */

const S = 2 ** 18;

/** @type {[string, (n: Initializers) => ArrayBufferView | Promise<ArrayBufferView>][]} */
export const POOL_CASES = [
  ['uniform [S - 1] (inline)', (n) => n.uniform([S - 1], { seed: 1, low: -2, high: 3 })],
  ['uniform [3S + 5]', (n) => n.uniform([3 * S + 5], { seed: 1 })],
  ['normal [1000, 1000] offset 123457 length 2S + 11 float64', (n) => n.normal([1000, 1000], { seed: 2, std: 2, offset: 123457, length: 2 * S + 11, dtype: 'float64' })],
  ['truncatedNormal [2S + 3] bigint seed float16', (n) => n.truncatedNormal([2 * S + 3], { seed: 0x123456789abcdefn, lower: -1, upper: 3, dtype: 'float16' })],
  ['heNormal [1024, 1024] string stream bfloat16', (n) => n.heNormal([1024, 1024], { seed: 3, stream: 'dense', dtype: 'bfloat16' })],
  ['glorotUniform [3, 3, 256, 512]', (n) => n.glorotUniform([3, 3, 256, 512], { seed: 4, stream: 'conv' })],
  ['lecunNormal [1200, 700] untruncated', (n) => n.lecunNormal([1200, 700], { seed: 5, distribution: 'normal' })],
  ['zeros [3S]', (n) => n.zeros([3 * S])],
  ['identity [1024, 1024] gain 3', (n) => n.identity([1024, 1024], { gain: 3 })],
  ['orthogonal [512, 300] torch', (n) => n.orthogonal([512, 300], { seed: 6, layout: 'torch' })],
  ['orthogonal [300, 512] float64 offset 9 length 100000', (n) => n.orthogonal([300, 512], { seed: 6, dtype: 'float64', offset: 9, length: 100000 })],
  ['deltaOrthogonal [3, 3, 128, 256]', (n) => n.deltaOrthogonal([3, 3, 128, 256], { seed: 7 })],
  ['sparse [1024, 769] sparsity 0.9', (n) => n.sparse([1024, 769], { seed: 8, sparsity: 0.9 })],
  ['randomBits 2S + 1 offset 7', (n) => n.randomBits(2 * S + 1, { seed: 9, offset: 7 })],
  ['initModel: embedding, LSTM (orthogonal gates), dense; every parameter in order', async (n) => concatenate(await n.initModel(MODEL))],
];

/** A model of plain, composite and orthogonal parameters, 1.2M values in all. */
const MODEL = {
  seed: 11,
  layers: [
    { type: 'embedding', name: 'embed', vocab: 2000, dim: 128 },
    { type: 'lstm', name: 'lstm', in: 128, units: 256 },
    { type: 'dense', name: 'decoder', in: 256, out: 2000, activation: 'softmax' },
  ],
};

/** @param {Map<string, ArrayBufferView>} weights */
function concatenate(weights) {
  const parts = [...weights.values()].map((view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** The matrix whose computation must not freeze a page (tensorflow/tfjs#270). */
export const LARGE_ORTHOGONAL = /** @type {const} */ ([[2048, 2048], { seed: 10 }]);

/** @param {ArrayBufferView} view */
export async function digest(view) {
  // crypto.subtle.digest refuses views of shared memory, so those are copied first.
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const hash = await crypto.subtle.digest('SHA-256', bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice());
  return { bytes: bytes.length, sha256: Array.from(new Uint8Array(hash), (byte) => byte.toString(16).padStart(2, '0')).join('') };
}

/**
 * Runs every case (all at once, as an application would) and digests the results.
 * @param {Initializers} initializers
 * @returns {Promise<CaseDigest[]>}
 */
export async function digestPoolCases(initializers) {
  const results = await Promise.all(POOL_CASES.map(([, run]) => run(initializers)));
  return Promise.all(results.map(async (result, i) => ({ name: POOL_CASES[i][0], ...(await digest(result)) })));
}
