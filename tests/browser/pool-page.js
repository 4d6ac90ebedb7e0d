// The pool test page: nninit/pool loaded unbundled (dist/pool/index.js, the browser entry), its cases digested,
// and the frame gaps measured while a 2048 x 2048 orthogonal is computed, first by the pool, then synchronously on
// this thread for comparison.

import * as nninit from '../../dist/index.js';
import { createPool } from '../../dist/pool/index.js';
import { digest, digestPoolCases, LARGE_ORTHOGONAL } from './pool-cases.js';

/**
 * Largest gap between animation frames (ms) while `work` runs, counting from the frame before it starts to
 * the first frame after it ends.
 * @param {() => unknown} work
 */
async function largestFrameGap(work) {
  await new Promise((resolve) => requestAnimationFrame(resolve));
  let last = performance.now();
  let largest = 0;
  let running = true;
  /** @param {number} now */
  const frame = (now) => {
    largest = Math.max(largest, now - last);
    last = now;
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const result = await work();
  await new Promise((resolve) => requestAnimationFrame(resolve));
  running = false;
  largest = Math.max(largest, performance.now() - last);
  return { result, largest };
}

/** @type {Window & { nninitPoolTest?: () => Promise<unknown> }} */
const page = window;
page.nninitPoolTest = async () => {
  await nninit.ready();
  const pool = createPool({ threads: 2 });
  try {
    const cases = await digestPoolCases(pool);
    const [shape, options] = LARGE_ORTHOGONAL;
    const started = performance.now();
    const pooled = await largestFrameGap(() => pool.orthogonal(shape, options));
    const poolMilliseconds = performance.now() - started;
    // On a shared machine another process can take this page's core for a moment: one more measurement tells
    // such a stall (not repeated) from a freeze (repeated; the call on this thread below shows one).
    const again = pooled.largest < 100 ? undefined : await largestFrameGap(() => pool.orthogonal(shape, options));
    const inline = await largestFrameGap(() => nninit.orthogonal(shape, options));
    return {
      crossOriginIsolated: window.crossOriginIsolated,
      sharedMemory: pool.sharedMemory,
      threads: pool.threads,
      cases,
      orthogonal: await digest(/** @type {ArrayBufferView} */ (pooled.result)),
      poolFrameGap: pooled.largest,
      poolFrameGapAgain: again?.largest,
      poolMilliseconds,
      inlineFrameGap: inline.largest,
      inlineMatches: (await digest(/** @type {ArrayBufferView} */ (inline.result))).sha256,
    };
  } finally {
    await pool.close();
  }
};
