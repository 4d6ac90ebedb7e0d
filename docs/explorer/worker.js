// The explorer's module worker: builds the networks the page asks for and probes them with nninit (the built
// package, dist/), off the page's thread. Only the latest request runs: requests that arrive while a probe runs
// replace one another, so dragging a slider does not queue up work.

import * as nninit from '../../dist/index.js';
import { initializerChoices } from './choices.js';

const { lsuv, probe, ready } = nninit;
const CHOICES = initializerChoices(nninit);

/**
 * Probes a square MLP of the given activations once per initializer.
 * @param {{ activations: string[], width: number, batch: number, seed: number, initializers: string[] }} config
 */
function runAll(config) {
  const { activations, width, batch, seed } = config;
  const spec = {
    seed,
    layers: activations.map((activation, i) => ({ type: 'dense', name: `fc${i + 1}`, in: width, out: width, activation })),
  };
  return config.initializers.map((key) => {
    const choice = CHOICES[key];
    if (!choice) throw new RangeError(`unknown initializer ${JSON.stringify(key)}`);
    let report;
    if (choice.lsuv) {
      const result = lsuv(spec, { seed });
      report = probe({ spec: result.spec, weights: result.weights }, { seed, batch, singularValues: false });
    } else {
      report = probe(choice.rules ? { ...spec, rules: choice.rules(activations) } : spec, { batch, singularValues: false });
    }
    return { key, label: choice.label, report };
  });
}

/** @type {{ id: number, config: any } | undefined} */
let pending;
let busy = false;

function next() {
  const job = pending;
  pending = undefined;
  if (!job) {
    busy = false;
    return;
  }
  const started = performance.now();
  try {
    const runs = runAll(job.config);
    self.postMessage({ id: job.id, runs, milliseconds: performance.now() - started });
  } catch (error) {
    self.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
  // Messages that came in meanwhile are delivered before this timer fires; the latest of them runs next.
  setTimeout(next, 0);
}

ready().then((backend) => self.postMessage({ backend }));
self.onmessage = (event) => {
  pending = event.data;
  if (busy) return;
  busy = true;
  setTimeout(next, 0);
};
