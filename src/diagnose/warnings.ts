// Warnings derived from a probe report alone: the same numbers the plots show, put in words that name the layer.

import type { LayerReport, Moments, ProbeWarning } from './report.js';

/**
 * When warningsOf speaks up:
 * - overflow: a layer's pre- or post-activation values include NaN or infinities (float32 overflowed): one
 *   warning, at the first such layer. From there on its statistics are NaN, and so is every gradient.
 * - vanishing / exploding activations: a layer's output std below `vanishing` (above `exploding`) times the input
 *   batch's std; exploding also when one layer multiplies the std of what reaches it by more than `growth`
 *   (a single layer that amplifies this much explodes a few layers later, before the cumulative threshold
 *   notices). Vanishing / exploding gradients: the gradient reaching a layer's input below `vanishing` (above
 *   `exploding`) times the gradient reaching the last layer's input. One warning per direction, at the first layer
 *   past the threshold (in forward order for activations, from the output back for gradients). Softmax layers are
 *   left out of the activation checks (probabilities shrink with the number of classes), norm layers and skip
 *   connections out of the one-layer growth check (a norm rescales by design), and a first embedding out of the
 *   gradient checks (no gradient reaches token ids).
 * - saturated: more than `saturated` of a layer's tanh/softsign outputs beyond +-0.99, or sigmoid outputs below
 *   0.01 or above 0.99 (gates of LSTM and GRU cells included), or of its samples' softmax outputs with a largest
 *   probability above 0.99.
 * - dead: more than `dead` of a layer's units pass no gradient on any sample (LayerReport.deadFraction: ReLU
 *   units never above zero; GELU, SiLU and Mish units deep in their negative tails). Deep ReLU stacks show it
 *   even at He initialization: the samples' representations grow alike with depth, so a unit's sign stops
 *   depending on the sample.
 * - symmetric: a layer with units that copy one another (LayerReport.symmetricUnits): such units receive
 *   identical gradients and never differ.
 * Saturated, dead and symmetric layers give one warning each, at the first such layer, counting the others.
 */
export const WARNING_THRESHOLDS = {
  vanishing: 1e-2,
  exploding: 1e2,
  growth: 4,
  saturated: 0.1,
  dead: 0.1,
} as const;

const short = (x: number) => (x === 0 || !Number.isFinite(x) ? String(x) : Number(x.toPrecision(3)).toString());
const percent = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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

  // A first embedding looks up token ids, through which no gradient passes: its gradient is not judged.
  const differentiable = (l: LayerReport) => l.type !== 'embedding';
  const nonFinite = (l: LayerReport) => l.pre.nonFinite + l.post.nonFinite;
  const overflow = layers.findIndex((l) => nonFinite(l) > 0);
  if (overflow >= 0) {
    const l = layers[overflow];
    const later = count(overflow + 1, (x) => nonFinite(x) > 0, 1);
    const values = 2 * l.post.nonFinite >= l.pre.nonFinite ? `${l.post.nonFinite} of its outputs` : `${l.pre.nonFinite} of its pre-activation values`;
    add(l, 'overflow', `activations overflow float32 here: ${values} are infinite or NaN${later ? ` (so are those of ${plural(later, 'later layer')})` : ''}; from here on the statistics are NaN, and so is every layer's gradient, which passes back through here`);
  } else {
    const brokenGradient = (l: LayerReport) => differentiable(l) && !Number.isFinite(l.gradientInputStd);
    let broken = -1;
    for (let i = layers.length - 1; i >= 0 && broken < 0; i--) if (brokenGradient(layers[i])) broken = i;
    if (broken >= 0) {
      add(layers[broken], 'overflow', `gradients overflow float32 from here back: the gradient reaching this layer's input is infinite or NaN (${plural(count(broken, brokenGradient, -1), 'layer')} from here to the input)`);
    }
  }

  // Softmax outputs are probabilities (their std shrinks with the number of classes), and a first embedding
  // passes no gradient (differentiable): those layers are not judged by scale.
  const scaled = (l: LayerReport) => l.activation !== 'softmax';
  if (input.std > 0) {
    const ratio = (l: LayerReport) => l.post.std / input.std;
    // The std reaching a layer: the previous layer's output, or the input batch's.
    const growth = (l: LayerReport) => {
      const before = l.index > 0 ? layers[l.index - 1].post.std : input.std;
      const weighted = l.type !== 'residual' && !/norm$/.test(l.type) && l.type !== 'embedding';
      return weighted && scaled(l) && before > 0 ? l.post.std / before : NaN;
    };
    const vanishing = (l: LayerReport) => scaled(l) && ratio(l) < T.vanishing;
    const exploding = (l: LayerReport) => (scaled(l) && ratio(l) > T.exploding) || growth(l) > T.growth;
    const first = layers.findIndex(vanishing);
    if (first >= 0) {
      const l = layers[first];
      const n = count(first, vanishing, 1);
      add(l, 'vanishing', `activations vanish from here on (${n} of the ${plural(layers.length - first, 'layer')} from here ${n === 1 ? 'has' : 'have'} an output std below ${T.vanishing} times the input's); here it is ${short(l.post.std)}, ${short(ratio(l))} times the input's`);
    }
    const firstUp = layers.findIndex(exploding);
    if (firstUp >= 0) {
      const l = layers[firstUp];
      const why = [
        ...(growth(l) > T.growth ? [`this layer multiplies the std of what reaches it by ${short(growth(l))} (more than ${T.growth})`] : []),
        ...(scaled(l) && ratio(l) > T.exploding ? [`its output std is ${short(ratio(l))} times the input's (more than ${T.exploding})`] : []),
      ].join(', and ');
      const n = count(firstUp, exploding, 1);
      add(l, 'exploding', `activations explode from here on: ${why}; ${n} of the ${plural(layers.length - firstUp, 'layer')} from here ${n === 1 ? 'does' : 'do'} one or the other; here the output std is ${short(l.post.std)}`);
    }
  }
  const last = layers.at(-1);
  const reference = last?.gradientInputStd ?? 0;
  if (last && reference > 0 && Number.isFinite(reference)) {
    const ratio = (l: LayerReport) => l.gradientInputStd / reference;
    for (const [kind, test, word] of [
      ['vanishing', (l: LayerReport) => differentiable(l) && ratio(l) < T.vanishing, 'below'],
      ['exploding', (l: LayerReport) => differentiable(l) && ratio(l) > T.exploding, 'above'],
    ] as const) {
      let first = -1;
      for (let i = layers.length - 1; i >= 0; i--) if (test(layers[i])) { first = i; break; }
      if (first < 0) continue;
      const l = layers[first];
      const n = count(first, test, -1);
      add(l, kind, `gradients ${kind === 'vanishing' ? 'vanish' : 'explode'} from here back (${n} of the ${plural(first + 1, 'layer')} from here to the input ${n === 1 ? 'receives' : 'receive'} a gradient with std ${word} ${kind === 'vanishing' ? T.vanishing : T.exploding} times the last layer's, ${last.name}); here it is ${short(l.gradientInputStd)}, ${short(ratio(l))} times the last layer's`);
    }
  }
  // Per-layer conditions: one warning at the first layer they hold for, counting the later ones.
  const perLayer = (kind: ProbeWarning['kind'], test: (l: LayerReport) => boolean, describe: (l: LayerReport) => string, tail: string) => {
    const hits = layers.filter(test);
    if (!hits.length) return;
    const more = hits.length > 2 ? `; so do ${hits.length - 1} later layers, up to ${hits.at(-1)!.name}` : hits.length === 2 ? `; so does ${hits[1].name}` : '';
    add(hits[0], kind, `${describe(hits[0])}${more}: ${tail}`);
  };
  const saturatedWhat = (l: LayerReport) => l.activation === 'softmax'
    ? `of its samples' softmax outputs are nearly one-hot, their largest probability above 0.99`
    : l.type === 'lstm' || l.type === 'gru'
      ? `of its gate activations are saturated (sigmoid gates outside [0.01, 0.99], tanh candidates beyond ±0.99)`
      : `of its ${l.activation} outputs are saturated`;
  perLayer('saturated', (l) => l.saturatedFraction > T.saturated,
    (l) => `${percent(l.saturatedFraction)} ${saturatedWhat(l)} (more than ${percent(T.saturated)})`,
    'where the derivative is near zero, little gradient passes');
  perLayer('dead', (l) => l.deadFraction > T.dead,
    (l) => `${percent(l.deadFraction)} of its ${l.units} units ${l.activation === 'relu' ? 'never activate' : 'stay where their derivative is below 1e-3'} on the batch (more than ${percent(T.dead)})`,
    'they pass no gradient');
  perLayer('symmetric', (l) => l.symmetricUnits > 0,
    (l) => `only ${l.distinctUnits} of its ${l.units} units differ over the batch, and ${plural(l.symmetricUnits, 'unit copies', 'units copy')} another`,
    'identical units get identical updates and stay identical');
  return warnings;
}
