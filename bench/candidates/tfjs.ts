// TF.js 4.22 on its cpu backend and on @tensorflow/tfjs-backend-wasm. TF.js cannot write into a caller's
// buffer, so a call is tf.initializers.X(...).apply(shape) read back with dataSync() and disposed. Its
// orthogonal initializer takes minutes above 512×512, so those measurements run in a worker (tfjs-worker.ts)
// that is terminated at a time cap.

import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Candidate } from './candidate.js';
import { candidateResult, timingsOf, type CandidateResult } from '../results.js';
import { checkOrthogonality, type Sanity } from '../sanity.js';
import type { Family, Timing, Workload } from '../workloads.js';

export type TfjsBackend = 'cpu' | 'wasm';
export const TFJS_BACKENDS: readonly TfjsBackend[] = ['cpu', 'wasm'];

/**
 * tfjs-backend-cpu advises installing tfjs-node on first use in Node, and tfjs-layers' orthogonal initializer
 * warns "Slowness may result" above 2000 elements; both go to console.warn on every run of the benchmark.
 */
const TFJS_NOISE = [/running TensorFlow\.js in Node\.js/, /Slowness may result/];

/** Drops TF.js's two known messages from console.warn until the returned function restores it. */
export function silenceTfjsNoise(): () => void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!TFJS_NOISE.some((pattern) => pattern.test(String(args[0])))) warn.apply(console, args);
  };
  return () => { console.warn = warn; };
}

export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its ${backend} backend`);
}

type TfjsInitializer = ReturnType<typeof tf.initializers.zeros>;

function tfjsInitializer(family: Family): TfjsInitializer {
  switch (family) {
    case 'uniform': return tf.initializers.randomUniform({ minval: 0, maxval: 1 });
    case 'normal': return tf.initializers.randomNormal({ mean: 0, stddev: 1 });
    case 'truncatedNormal': return tf.initializers.truncatedNormal({ mean: 0, stddev: 1 });
    case 'glorotUniform': return tf.initializers.glorotUniform({});
    case 'heNormal': return tf.initializers.heNormal({});
    case 'lecunNormal': return tf.initializers.leCunNormal({});
    case 'orthogonal': return tf.initializers.orthogonal({ gain: 1 });
  }
}

/** One TF.js call for the workload, returning the values it read back. */
export function tfjsCall(family: Family, shape: readonly number[]): () => Float32Array {
  return () => {
    const tensor = tfjsInitializer(family).apply([...shape]);
    const values = tensor.dataSync() as Float32Array;
    tensor.dispose();
    return values;
  };
}

export function tfjsCandidates(workload: Workload): Candidate[] {
  if (workload.family === 'orthogonal') return [];
  const call = tfjsCall(workload.family, workload.shape);
  return TFJS_BACKENDS.map((backend) => {
    let last: Float32Array = new Float32Array(0);
    let restoreConsole = () => {};
    return {
      name: `TF.js ${backend}`,
      group: 'TF.js',
      before: async () => {
        await useTfjsBackend(backend);
        restoreConsole = silenceTfjsNoise();
      },
      after: () => restoreConsole(),
      run: () => { last = call(); },
      output: () => last,
    };
  });
}

/** What tfjs-worker.ts receives. */
export interface TfjsWorkerData {
  readonly backend: TfjsBackend;
  readonly n: number;
  readonly timing: Timing;
}

/** What tfjs-worker.ts posts: ready once TF.js is loaded, then every sample (ms), the check, and done. */
export type TfjsWorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'sample'; readonly ms: number }
  | { readonly kind: 'checked'; readonly orthogonalityError: number }
  | { readonly kind: 'done' };

/**
 * A worker running tfjs-worker.ts. Worker threads do not inherit the tsx loader that `--import tsx` installs
 * in the main thread (Node 20), so the worker registers it before importing the TypeScript file.
 */
function tfjsWorker(data: TfjsWorkerData): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = new URL('../tfjs-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** TF.js orthogonal on one backend, stopped `capSeconds` after TF.js has loaded in the worker. */
export function measureTfjsOrthogonal(workload: Workload, backend: TfjsBackend, capSeconds: number): Promise<CandidateResult> {
  const name = `TF.js ${backend}`;
  const samples: number[] = [];
  let sanity: Sanity = { ok: null, detail: `not checked: no call finished within ${capSeconds} s` };
  const result = (extra?: { capSeconds?: number; error?: string }) =>
    candidateResult(name, 'TF.js', workload.values, timingsOf(samples), sanity, extra);
  const worker = tfjsWorker({ backend, n: workload.shape[0], timing: workload.timing });
  return new Promise((resolve) => {
    let cap: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: CandidateResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(cap);
      void worker.terminate();
      resolve(outcome);
    };
    worker.on('message', (message: TfjsWorkerMessage) => {
      switch (message.kind) {
        case 'ready':
          cap = setTimeout(() => finish(result({ capSeconds })), capSeconds * 1000);
          break;
        case 'sample':
          samples.push(message.ms);
          break;
        case 'checked':
          sanity = checkOrthogonality(message.orthogonalityError);
          break;
        case 'done':
          finish(result());
          break;
      }
    });
    worker.on('error', (error) => {
      sanity = { ok: false, detail: `✗ ${error.message}` };
      finish(result({ error: error.message }));
    });
    worker.on('exit', (code) => finish(result({ error: `the worker exited with code ${code} before finishing` })));
  });
}
