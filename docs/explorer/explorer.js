// The explorer page: controls in, a request to the worker (worker.js probes the networks with nninit), and the
// plots redrawn from the reports it sends back by nninit's plotProbe. The page imports the built package files
// by relative path (../../dist/), so it runs unbuilt from the repository served as it is: `npm run explorer`.

import * as nninit from '../../dist/lean.js';
import { ACTIVATIONS, DEFAULT_INITIALIZERS, initializerChoices, parseLayers } from './choices.js';

const choices = initializerChoices(nninit);
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const activation = /** @type {HTMLSelectElement} */ ($('activation'));
const layers = /** @type {HTMLInputElement} */ ($('layers'));
const depth = /** @type {HTMLInputElement} */ ($('depth'));
const status = $('status');
const plots = $('plots');

for (const name of [...ACTIVATIONS, 'mixed']) {
  const option = new Option(name === 'mixed' ? 'mixed, per layer…' : name, name);
  activation.append(option);
}
for (const [key, choice] of Object.entries(choices)) {
  const label = document.createElement('label');
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'initializer', value: key, checked: DEFAULT_INITIALIZERS.includes(key) });
  label.append(box, choice.label);
  $('initializers').append(label);
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let backend = '…';
let latest = 0;
/** @type {{ activations: string[], width: number, batch: number, seed: number, initializers: string[] } | undefined} */
let shown;

function showStatus(text, error = false) {
  status.textContent = text;
  status.classList.toggle('error', error);
}

/** The controls as a request, or undefined (with the reason shown) when one is invalid. */
function configOf() {
  const mixed = activation.value === 'mixed';
  $('layers-label').hidden = !mixed;
  depth.disabled = mixed;
  $('depth-value').textContent = depth.value;
  let activations;
  try {
    activations = mixed ? parseLayers(layers.value) : Array(Number(depth.value)).fill(activation.value);
    layers.removeAttribute('aria-invalid');
  } catch (error) {
    layers.setAttribute('aria-invalid', 'true');
    showStatus(`Layers: ${error.message}`, true);
    return undefined;
  }
  const initializers = [...document.querySelectorAll('input[name=initializer]:checked')].map((box) => /** @type {HTMLInputElement} */ (box).value);
  if (!initializers.length) {
    showStatus('Choose at least one initializer.', true);
    return undefined;
  }
  const seedBox = /** @type {HTMLInputElement} */ ($('seed'));
  const seedText = seedBox.value.trim();
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !(seed <= 4294967295)) {
    seedBox.setAttribute('aria-invalid', 'true');
    showStatus(`Seed: expected a whole number from 0 to 4294967295, got ${JSON.stringify(seedBox.value)}`, true);
    return undefined;
  }
  seedBox.removeAttribute('aria-invalid');
  return {
    activations, initializers,
    width: Number(/** @type {HTMLSelectElement} */ ($('width')).value),
    batch: Number(/** @type {HTMLSelectElement} */ ($('batch')).value),
    seed,
  };
}

function request() {
  const config = configOf();
  if (!config) return;
  latest += 1;
  document.body.dataset.state = 'running';
  showStatus(`Probing ${config.initializers.length} network${config.initializers.length > 1 ? 's' : ''} of ${config.activations.length} layers × ${config.width}…`);
  worker.postMessage({ id: latest, config });
  shown = config;
}

/** A short description of the layers: 'relu × 30' or 'relu × 10, tanh × 10'. */
function describeLayers(activations) {
  const runs = [];
  for (const a of activations) {
    if (runs.length && runs.at(-1)[0] === a) runs.at(-1)[1] += 1;
    else runs.push([a, 1]);
  }
  return runs.map(([a, n]) => `${a} × ${n}`).join(', ');
}

worker.onmessage = (event) => {
  const message = event.data;
  if (message.backend) {
    backend = message.backend;
    return;
  }
  if (message.id !== latest) return;
  if (message.error) {
    document.body.dataset.state = 'error';
    showStatus(message.error, true);
    return;
  }
  const config = /** @type {NonNullable<typeof shown>} */ (shown);
  const runs = message.runs.map((run) => ({ label: run.label, key: run.key, report: run.report }));
  plots.innerHTML = nninit.plotProbe(runs, {
    id: 'explorer',
    title: `${describeLayers(config.activations)}: ${config.activations.length} dense layers of width ${config.width}`,
    subtitle: `A batch of ${config.batch} samples of N(0, 1), seed ${config.seed}; the gradient is of the loss sum(output · R), R a fixed random projection. A falling std vanishes, a rising one explodes.`,
  });
  document.body.dataset.state = 'ready';
  document.body.dataset.run = String(message.id);
  showStatus(`Probed ${runs.length} network${runs.length > 1 ? 's' : ''} in ${(message.milliseconds / 1000).toFixed(2)} s on the ${backend} backend.`);
};
worker.onerror = (event) => {
  document.body.dataset.state = 'error';
  showStatus(`The worker failed: ${event.message}`, true);
};

$('controls').addEventListener('input', request);
$('controls').addEventListener('submit', (event) => event.preventDefault());
request();

// The measured comparison table, from the data npm run claims wrote.
fetch('../claims.json').then((response) => {
  if (!response.ok) throw new Error(`docs/claims.json: HTTP ${response.status}`);
  return response.json();
}).then((doc) => {
  const { seeds, width, batch, depth: deep } = doc.settings;
  $('claims-settings').textContent = `Square dense MLPs of width ${width} (depth ${deep} unless the experiment says otherwise), ${batch} samples, seeds ${seeds.join(', ')}; ratios are geometric means over the seeds.`;
  const body = /** @type {HTMLTableSectionElement} */ ($('claims-table').querySelector('tbody'));
  for (const c of doc.claims) {
    const row = body.insertRow();
    row.className = c.kind;
    row.insertCell().textContent = c.row;
    row.insertCell().textContent = c.kind === 'nuance' ? `measured nuance: ${c.claim}` : c.claim;
    row.insertCell().textContent = c.measured;
    const holds = row.insertCell();
    holds.className = `holds ${c.holds ? 'yes' : 'no'}`;
    holds.textContent = c.holds ? '✓' : '✗';
    holds.title = `threshold: ${c.threshold}`;
  }
}).catch((error) => {
  $('claims-settings').textContent = `The measured table could not be loaded: ${error.message}`;
});
