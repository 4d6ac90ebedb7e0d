// TF.js orthogonal calls for measureTfjsOrthogonal (candidates/tfjs.ts), which terminates this worker at its
// time cap. Warm-up and timed calls follow tinybench's sequential semantics (both the count and the time must
// be reached), so these figures compare with the in-process ones.

import { parentPort, workerData } from 'node:worker_threads';
import { silenceTfjsNoise, tfjsCall, useTfjsBackend, type TfjsWorkerData, type TfjsWorkerMessage } from './candidates/tfjs.js';
import { orthogonalityError } from './sanity.js';

/** A call this long is dominated by its work, not by compilation: it is its own warm-up and counts as a sample. */
const SELF_WARMING_MS = 1000;

const { backend, n, timing } = workerData as TfjsWorkerData;
const port = parentPort!;
const post = (message: TfjsWorkerMessage) => port.postMessage(message);

silenceTfjsNoise();
await useTfjsBackend(backend);
const call = tfjsCall('orthogonal', [n, n]);
post({ kind: 'ready' });

let samples = 0;
let spent = 0;

function timedCall(): { ms: number; values: Float32Array } {
  const start = performance.now();
  const values = call();
  return { ms: performance.now() - start, values };
}

function record(ms: number, values: Float32Array): void {
  post({ kind: 'sample', ms });
  if (samples === 0) post({ kind: 'checked', orthogonalityError: orthogonalityError(values, n) });
  samples++;
  spent += ms;
}

const warmupStart = performance.now();
for (let calls = 0; calls < timing.warmupIterations || performance.now() - warmupStart < timing.warmupTime; calls++) {
  const { ms, values } = timedCall();
  if (ms >= SELF_WARMING_MS) {
    record(ms, values);
    break;
  }
}
while (samples < timing.iterations || spent < timing.time) {
  const { ms, values } = timedCall();
  record(ms, values);
}
post({ kind: 'done' });
