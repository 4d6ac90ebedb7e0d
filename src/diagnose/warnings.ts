// Warnings derived from a probe report alone: the same numbers the plots show, put in words that name the layer.

import type { LayerReport, Moments, ProbeWarning } from './report.js';

/**
 * When warningsOf speaks up:
 * - vanishing / exploding activations: a layer's output std below `vanishing` (above `exploding`) times the input
 *   batch's std; vanishing / exploding gradients: the gradient reaching a layer's input below `vanishing` (above
 *   `exploding`) times the gradient reaching the last layer's input. One warning per direction, at the first
 *   layer past the threshold (in forward order for activations, from the output back for gradients). Softmax
 *   layers are left out of the activation checks (probabilities shrink with the number of classes) and a first
 *   embedding out of the gradient checks (no gradient reaches token ids).
 * - saturated: more than `saturated` of a layer's tanh/softsign outputs beyond +-0.99, or sigmoid outputs below
 *   0.01 or above 0.99 (gates of LSTM and GRU cells included).
 * - dead: more than `dead` of a layer's ReLU-family units at or below zero on every sample. Deep ReLU stacks
 *   show it even at He initialization: the samples' representations grow alike with depth, so a unit's sign
 *   stops depending on the sample.
 * - symmetric: a layer with units identical to one another over the whole batch, beyond the dead units (which
 *   are all zero, hence alike): such units receive identical gradients and never differ.
 * Saturated, dead and symmetric layers give one warning each, at the first such layer, counting the others.
 */
export const WARNING_THRESHOLDS = {
  vanishing: 1e-2,
  exploding: 1e2,
  saturated: 0.1,
  dead: 0.1,
} as const;

const short = (x: number) => (x === 0 || !Number.isFinite(x) ? String(x) : Number(x.toPrecision(3)).toString());
const percent = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

/** The warnings of a report's layers (in forward order, grouped by kind). */
export function warningsOf(report: { readonly input: Moments; readonly layers: readonly LayerReport[] }): ProbeWarning[] {
  const { layers, input } = report;
  const warnings: ProbeWarning[] = [];
  const T = WARNING_THRESHOLDS;
  const add = (layer: LayerReport, kind: ProbeWarning['kind'], message: string) => warnings.push({ layer: layer.name, kind, message: `${layer.name}: ${message}` });
  const count = (from: number, test: (l: LayerReport) => boolean, step: 1 | -1) => {
    let n = 0;
    for (let i = from; i >= 0 && i < layers.length; i += step) if (test(layers[i])) n++;
    return n;
  };

  // Softmax outputs are probabilities (their std shrinks with the number of classes), and a first embedding
  // looks up token ids, through which no gradient passes: those layers are not judged by scale.
  const scaled = (l: LayerReport) => l.activation !== 'softmax';
  const differentiable = (l: LayerReport) => l.type !== 'embedding';
  if (input.std > 0) {
    const ratio = (l: LayerReport) => l.post.std / input.std;
    for (const [kind, test, word] of [
      ['vanishing', (l: LayerReport) => scaled(l) && ratio(l) < T.vanishing, 'below'],
      ['exploding', (l: LayerReport) => scaled(l) && (ratio(l) > T.exploding || !Number.isFinite(l.post.std)), 'above'],
    ] as const) {
      const first = layers.findIndex(test);
      if (first < 0) continue;
      const l = layers[first];
      add(l, kind, `activations ${kind === 'vanishing' ? 'vanish' : 'explode'} from here on (${count(first, test, 1)} of the ${layers.length - first} layers from here have an output std ${word} ${kind === 'vanishing' ? T.vanishing : T.exploding} times the input's); here it is ${short(l.post.std)}, ${short(ratio(l))} times the input's`);
    }
  }
  const last = layers.at(-1);
  const reference = last?.gradientInputStd ?? 0;
  if (last && reference > 0 && Number.isFinite(reference)) {
    const ratio = (l: LayerReport) => l.gradientInputStd / reference;
    for (const [kind, test, word] of [
      ['vanishing', (l: LayerReport) => differentiable(l) && ratio(l) < T.vanishing, 'below'],
      ['exploding', (l: LayerReport) => differentiable(l) && (ratio(l) > T.exploding || !Number.isFinite(l.gradientInputStd)), 'above'],
    ] as const) {
      let first = -1;
      for (let i = layers.length - 1; i >= 0; i--) if (test(layers[i])) { first = i; break; }
      if (first < 0) continue;
      const l = layers[first];
      add(l, kind, `gradients ${kind === 'vanishing' ? 'vanish' : 'explode'} from here back (${count(first, test, -1)} of the ${first + 1} layers from here to the input receive a gradient with std ${word} ${kind === 'vanishing' ? T.vanishing : T.exploding} times the last layer's, ${last.name}); here it is ${short(l.gradientInputStd)}, ${short(ratio(l))} times the last layer's`);
    }
  }
  // Per-layer conditions: one warning at the first layer they hold for, counting the later ones.
  const perLayer = (kind: ProbeWarning['kind'], test: (l: LayerReport) => boolean, describe: (l: LayerReport) => string, tail: string) => {
    const hits = layers.filter(test);
    if (!hits.length) return;
    const more = hits.length > 2 ? `; so do ${hits.length - 1} later layers, up to ${hits.at(-1)!.name}` : hits.length === 2 ? `; so does ${hits[1].name}` : '';
    add(hits[0], kind, `${describe(hits[0])}${more}: ${tail}`);
  };
  perLayer('saturated', (l) => l.saturatedFraction > T.saturated,
    (l) => `${percent(l.saturatedFraction)} of its ${l.activation} outputs are saturated (more than ${percent(T.saturated)})`,
    'where the derivative is near zero, little gradient passes');
  perLayer('dead', (l) => l.deadFraction > T.dead,
    (l) => `${percent(l.deadFraction)} of its ${l.units} units never activate on the batch (more than ${percent(T.dead)})`,
    'they pass no gradient');
  const dead = (l: LayerReport) => Math.round(l.deadFraction * l.units);
  perLayer('symmetric', (l) => l.units > 1 && l.units - l.distinctUnits - Math.max(0, dead(l) - 1) > 0,
    (l) => `only ${l.distinctUnits} of its ${l.units} units differ over the batch${dead(l) > 1 ? ` (its ${dead(l)} dead units count as one)` : ''}`,
    'identical units get identical updates and stay identical');
  return warnings;
}
