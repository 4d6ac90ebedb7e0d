// Building a 1024-unit TF.js LSTM: nninit's Orthogonal (nninit/tfjs) as the recurrent initializer against
// TF.js's default, its own Orthogonal, which takes a QR decomposition of a 4096 x 1024 Gaussian matrix written
// in TF.js ops (tfjs-layers/src/initializers.ts). Each build runs in a fresh worker thread on TF.js's wasm and
// cpu backends; a build still running after the cap is terminated and reported as "> cap".
//
//   node --import tsx bench/lstm.ts [capSeconds]      (default 120)

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const UNITS = 1024;
const TIMESTEPS = 16;
const FEATURES = 64;

type TfBackend = 'wasm' | 'cpu';
type RecurrentInitializer = 'nninit' | 'tfjs';

interface Job {
  readonly backend: TfBackend;
  readonly recurrent: RecurrentInitializer;
}

type WorkerMessage = { kind: 'started' } | { kind: 'built'; milliseconds: number };

/** In a worker: loads TF.js on the job's backend, then times building the model until its weights exist. */
async function buildModel(job: Job): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  if (job.backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(job.backend);
  const { Orthogonal } = await import('nninit/tfjs');
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);

  post({ kind: 'started' });
  const start = performance.now();
  const model = tf.sequential();
  model.add(tf.layers.lstm({
    units: UNITS,
    inputShape: [TIMESTEPS, FEATURES],
    ...(job.recurrent === 'nninit' ? { recurrentInitializer: new Orthogonal({ seed: 1 }) } : {}),
  }));
  await Promise.all(model.getWeights().map((weight) => weight.data()));
  post({ kind: 'built', milliseconds: performance.now() - start });
}

/** Runs a job in a worker; undefined if the build had not finished `capSeconds` after it started. */
function timeCapped(job: Job, capSeconds: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    // The tsx hooks that `--import tsx` installs do not reach worker threads in Node 20, so the worker installs
    // them itself before loading this file.
    const entry = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(entry, { eval: true, workerData: job });
    let timer: NodeJS.Timeout | undefined;
    const finish = (milliseconds: number | undefined) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(milliseconds);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'started') timer = setTimeout(() => finish(undefined), capSeconds * 1000);
      else finish(message.milliseconds);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;

async function main(capSeconds: number): Promise<void> {
  console.log(`tf.layers.lstm({ units: ${UNITS}, inputShape: [${TIMESTEPS}, ${FEATURES}] }): recurrent kernel [${UNITS}, ${4 * UNITS}], cap ${capSeconds} s`);
  for (const backend of ['wasm', 'cpu'] as const) {
    const nninit = await timeCapped({ backend, recurrent: 'nninit' }, capSeconds);
    const tfjs = await timeCapped({ backend, recurrent: 'tfjs' }, capSeconds);
    const shown = (milliseconds: number | undefined) => (milliseconds === undefined ? `> ${capSeconds} s` : seconds(milliseconds));
    console.log(`TF.js ${backend} backend`);
    console.log(`  nninit Orthogonal          ${shown(nninit)}`);
    console.log(`  TF.js default orthogonal   ${shown(tfjs)}`);
    if (nninit !== undefined) {
      const ratio = (tfjs ?? capSeconds * 1000) / nninit;
      console.log(`  nninit is ${tfjs === undefined ? 'more than ' : ''}${ratio.toFixed(0)}x faster`);
    }
  }
}

if (isMainThread) await main(Number(process.argv[2] ?? 120));
else await buildModel(workerData as Job);
