// The cases the browser tests compute in Chromium (on a page and in a module worker) and in Node, to be
// compared byte for byte. Every function here takes the nninit module namespace, so the same list runs against
// /dist/index.js in the browser and 'nninit' in Node. Plain JavaScript, so the browser loads it without a build.

/** @typedef {typeof import('nninit')} Nninit */
/** @typedef {{ name: string, bytes: number, sha256: string }} CaseDigest */
/** @typedef {{ backendAtImport: string, backendAfterReady: string, active: CaseDigest[], js: CaseDigest[] }} Report */

const DTYPES = /** @type {const} */ (['float32', 'float64', 'float16', 'bfloat16']);

/** Initializer calls, each run once per dtype: every initializer, bigint seeds, string streams, odd slices. */
const CALLS = /** @type {[string, (nninit: Nninit, dtype: { dtype: typeof DTYPES[number] }) => ArrayBufferView][]} */ ([
  ['zeros [7, 5]', (n, o) => n.zeros([7, 5], o)],
  ['ones [3]', (n, o) => n.ones([3], o)],
  ['constant [4, 4] 0.1', (n, o) => n.constant([4, 4], 0.1, o)],
  ['uniform [1000] low -2 high 3', (n, o) => n.uniform([1000], { seed: 1, low: -2, high: 3, ...o })],
  ['uniform offset 3 length 5', (n, o) => n.uniform([64], { seed: 1, offset: 3, length: 5, ...o })],
  ['normal [257, 3] mean 0.5 std 2', (n, o) => n.normal([257, 3], { seed: 2, mean: 0.5, std: 2, ...o })],
  ['truncatedNormal bigint seed, cut (-1, 3)', (n, o) => n.truncatedNormal([333], { seed: 0x123456789abcdefn, lower: -1, upper: 3, ...o })],
  ['truncatedNormal tail (6, 7)', (n, o) => n.truncatedNormal([333], { seed: 3, lower: 6, upper: 7, ...o })],
  ['truncatedNormal mirrored tail (-inf, -3) offset 5', (n, o) => n.truncatedNormal([333], { seed: 3, lower: -Infinity, upper: -3, mean: 1, std: 2, offset: 5, length: 300, ...o })],
  ['varianceScaling uniform fanOut', (n, o) => n.varianceScaling([3, 3, 8, 16], { seed: 4, scale: 2, mode: 'fanOut', distribution: 'uniform', ...o })],
  ['varianceScaling normal fanAvg', (n, o) => n.varianceScaling([50, 20], { seed: 4, mode: 'fanAvg', distribution: 'normal', ...o })],
  ['glorotUniform string stream', (n, o) => n.glorotUniform([3, 3, 16, 32], { seed: 5, stream: 'conv2.kernel', ...o })],
  ['glorotNormal seed 2^64 - 1', (n, o) => n.glorotNormal([64, 32], { seed: 0xffffffffffffffffn, stream: 7, ...o })],
  ['heUniform torch fanOut relu', (n, o) => n.heUniform([64, 3, 3, 3], { seed: 8, layout: 'torch', mode: 'fanOut', nonlinearity: 'relu', ...o })],
  ['heNormal offset 1234 length 777', (n, o) => n.heNormal([100, 100], { seed: 9, stream: 'dense', offset: 1234, length: 777, ...o })],
  ['heNormal untruncated, bigint stream', (n, o) => n.heNormal([129, 31], { seed: 9, stream: 2n ** 63n + 5n, distribution: 'normal', ...o })],
  ['lecunUniform [17, 5]', (n, o) => n.lecunUniform([17, 5], { seed: 10, ...o })],
  ['lecunNormal [40, 40]', (n, o) => n.lecunNormal([40, 40], { seed: 10, ...o })],
  ['orthogonal [64, 48]', (n, o) => n.orthogonal([64, 48], { seed: 11, ...o })],
  ['orthogonal [24, 40] torch gain 2', (n, o) => n.orthogonal([24, 40], { seed: 11, gain: 2, layout: 'torch', ...o })],
  ['orthogonal [3, 3, 8, 16] offset 17 length 100', (n, o) => n.orthogonal([3, 3, 8, 16], { seed: 11, stream: 'conv', offset: 17, length: 100, ...o })],
  ['identity [5, 7] gain 3', (n, o) => n.identity([5, 7], { gain: 3, ...o })],
  ['dirac [3, 3, 4, 8] groups 2', (n, o) => n.dirac([3, 3, 4, 8], { groups: 2, ...o })],
  ['dirac torch [8, 4, 3] offset 5 length 50', (n, o) => n.dirac([8, 4, 3], { layout: 'torch', offset: 5, length: 50, ...o })],
  ['deltaOrthogonal [3, 3, 8, 16]', (n, o) => n.deltaOrthogonal([3, 3, 8, 16], { seed: 12, ...o })],
  ['sparse [40, 30] sparsity 0.3', (n, o) => n.sparse([40, 30], { seed: 13, sparsity: 0.3, ...o })],
  ['sparse torch [30, 40] sparsity 0.9', (n, o) => n.sparse([30, 40], { seed: 13, sparsity: 0.9, layout: 'torch', ...o })],
]);

/** @type {{ name: string, run: (nninit: Nninit) => ArrayBufferView }[]} */
export const CASES = [
  ...CALLS.flatMap(([name, call]) => DTYPES.map((dtype) => ({ name: `${name} ${dtype}`, run: (/** @type {Nninit} */ n) => call(n, { dtype }) }))),
  { name: 'randomBits 1001 from offset 7', run: (n) => n.randomBits(1001, { seed: 14, stream: 'bits', offset: 7 }) },
];

/** @param {ArrayBuffer} buffer */
function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs every case on the active backend; returns each output's byte length and SHA-256.
 * @param {Nninit} nninit
 * @returns {Promise<CaseDigest[]>}
 */
export async function digestCases(nninit) {
  const digests = [];
  for (const { name, run } of CASES) {
    const out = run(nninit);
    const bytes = new Uint8Array(/** @type {ArrayBuffer} */ (out.buffer), out.byteOffset, out.byteLength);
    digests.push({ name, bytes: bytes.length, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)) });
  }
  return digests;
}

/**
 * Waits for ready(), digests the cases on the backend then active, then again with the js backend forced.
 * @param {Nninit} nninit
 * @param {string} backendAtImport getBackend() right after the import, before ready() was awaited
 * @returns {Promise<Report>}
 */
export async function report(nninit, backendAtImport) {
  const backendAfterReady = await nninit.ready();
  const active = await digestCases(nninit);
  nninit.setBackend('js');
  const js = await digestCases(nninit);
  return { backendAtImport, backendAfterReady, active, js };
}
