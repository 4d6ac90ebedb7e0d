// What the explorer offers: activations, and initializers as rules over the network's weights. Shared by the page
// (labels, controls) and the worker (the rules), each passing in the nninit module it loaded.

/** Activations of the controls; 'mixed' reads a per-layer list instead. */
export const ACTIVATIONS = ['relu', 'tanh', 'selu', 'sigmoid', 'gelu', 'leaky_relu', 'elu', 'silu', 'linear'];

/** The initializers compared by default. */
export const DEFAULT_INITIALIZERS = ['xavier', 'he', 'lecun', 'orthogonal-gain'];

/**
 * The claims' presets (one rule over every weight), and three that depend on each layer's activation: orthogonal
 * with calculateGain(activation), the 'activation' policy (He for ReLU, Xavier for tanh, LeCun for SELU, ...),
 * and LSUV.
 * @param {{ INITIALIZER_PRESETS: Record<string, { label: string, rule: object }>, calculateGain: (name: string) => number }} nninit
 * @returns {Record<string, { label: string, rules?: (activations: string[]) => object[], lsuv?: boolean }>}
 */
export function initializerChoices(nninit) {
  const gainOf = (/** @type {string} */ activation) => (['relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'linear'].includes(activation) ? nninit.calculateGain(activation) : 1);
  return {
    ...Object.fromEntries(Object.entries(nninit.INITIALIZER_PRESETS).map(([key, preset]) => [key, { label: preset.label, rules: () => [{ match: '**.weight', ...preset.rule }] }])),
    'orthogonal-gain': {
      label: 'orthogonal (activation gain)',
      rules: (activations) => activations.map((activation, i) => ({ match: `fc${i + 1}.weight`, init: 'orthogonal', gain: gainOf(activation) })),
    },
    policy: { label: 'activation policy (per layer)' },
    lsuv: { label: 'LSUV', lsuv: true },
  };
}

/**
 * The layers' activations from 'relu*10, tanh*5, selu' (or ×): each name repeated its count (default 1).
 * @param {string} text
 * @returns {string[]}
 */
export function parseLayers(text) {
  const activations = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z_]+)\s*(?:[*×x]\s*(\d+))?$/i.exec(part);
    if (!match || !ACTIVATIONS.includes(match[1].toLowerCase())) throw new RangeError(`"${part}": expected ACTIVATION or ACTIVATION*COUNT, with one of ${ACTIVATIONS.join(', ')}`);
    const count = match[2] === undefined ? 1 : Number(match[2]);
    if (!(count >= 1 && count <= 200)) throw new RangeError(`"${part}": a count from 1 to 200`);
    for (let i = 0; i < count; i++) activations.push(match[1].toLowerCase());
  }
  if (!activations.length) throw new RangeError('no layers: write e.g. relu*10, tanh*10');
  if (activations.length > 200) throw new RangeError(`${activations.length} layers: at most 200`);
  return activations;
}
