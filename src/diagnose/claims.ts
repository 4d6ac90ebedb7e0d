// The comparison table's claims as experiments: deep MLPs initialized by each method, probed over several seeds,
// each claim checked against its threshold. Pure computation (no Node built-ins): `npm run claims` writes the
// results to docs/, the tests check the thresholds, and a browser can run small versions in a worker.

import { calculateGain } from '../core/gains.js';
import type { ModelSpecInput } from '../model/spec.js';
import type { RuleSpec } from '../model/rules.js';
import { probe } from './probe.js';
import type { ProbeReport } from './report.js';

/** Weight initializers of the table, as rules over every weight (biases stay zero). */
export const INITIALIZER_PRESETS = {
  zero: { label: 'zero', rule: { init: 'zeros' } },
  'normal-0.01': { label: 'N(0, 0.01²)', rule: { init: 'normal', std: 0.01 } },
  'normal-1': { label: 'N(0, 1)', rule: { init: 'normal', std: 1 } },
  xavier: { label: 'Xavier (gain 1)', rule: { init: 'glorotUniform' } },
  'xavier-tanh': { label: 'Xavier (gain 5/3)', rule: { init: 'glorotUniform', gain: 5 / 3 } },
  he: { label: 'He', rule: { init: 'heNormal', nonlinearity: 'relu' } },
  lecun: { label: 'LeCun', rule: { init: 'lecunNormal' } },
  orthogonal: { label: 'orthogonal (gain 1)', rule: { init: 'orthogonal' } },
} as const satisfies Record<string, { label: string; rule: Omit<RuleSpec, 'match'> }>;

export type InitializerPreset = keyof typeof INITIALIZER_PRESETS;
export const INITIALIZER_PRESET_NAMES = Object.keys(INITIALIZER_PRESETS) as InitializerPreset[];

/** A plain MLP of `depth` square dense layers: the network every depth experiment probes. */
export function mlpSpec(preset: InitializerPreset, activation: string, depth: number, width: number, seed: number): ModelSpecInput {
  return {
    seed,
    layers: Array.from({ length: depth }, (_, i) => ({ type: 'dense', name: `fc${i + 1}`, in: width, out: width, activation }) as never),
    rules: [{ match: '**.weight', ...INITIALIZER_PRESETS[preset].rule } as RuleSpec],
  };
}

export interface ClaimsOptions {
  /** Seeds of the networks and batches (default 1..5): ratios are geometric means over them. */
  seeds?: readonly number[];
  /** Width of the square layers (default 256; the saturation claim uses its own 512) and samples per batch (256). */
  width?: number;
  batch?: number;
  /** Depth of the deep experiments (default 50; the orthogonal ones use twice it, the small-weights one 20). */
  depth?: number;
  /** Called after each probe, for progress. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** One network configuration, probed once per seed. */
export interface DepthSeries {
  readonly id: string;
  readonly initializer: InitializerPreset;
  readonly label: string;
  readonly activation: string;
  readonly depth: number;
  readonly width: number;
  readonly seeds: readonly number[];
  /** Per seed, per layer: post-activation std, the std of the gradient reaching the layer's input, saturated fraction. */
  readonly postStd: readonly (readonly number[])[];
  readonly gradientStd: readonly (readonly number[])[];
  readonly saturated: readonly (readonly number[])[];
  readonly distinctUnits: readonly (readonly number[])[];
  /** Per layer, over seeds: geometric mean of the stds, arithmetic mean of the saturated fraction. */
  readonly postStdGeomean: readonly number[];
  readonly gradientStdGeomean: readonly number[];
  readonly saturatedMean: readonly number[];
  /**
   * The first seed's post-activation histograms, one per layer (the "colorful dimension" picture): the bins'
   * counts, and per layer the exact zeros and the values below and above the range.
   */
  readonly histograms: {
    readonly low: number; readonly high: number; readonly counts: readonly (readonly number[])[];
    readonly zeros: readonly number[]; readonly below: readonly number[]; readonly above: readonly number[];
  };
  /** The first seed's last layer: post mean and std; and the input's rms and last layer's rms (norm ratio). */
  readonly lastMean: readonly number[];
  readonly normRatio: readonly number[];
}

/** One claim of the table: the experiment, its threshold, what was measured, and whether it holds. */
export interface ClaimResult {
  readonly id: string;
  /** The table's row it tests. */
  readonly row: 'zero' | 'naive random' | 'Xavier/Glorot' | 'He/Kaiming' | 'LeCun' | 'orthogonal';
  readonly claim: string;
  readonly experiment: string;
  readonly threshold: string;
  readonly measured: string;
  /** The measured number the threshold applies to. */
  readonly value: number;
  readonly holds: boolean;
  /** The claim as the table words it, or a nuance the measurement adds. */
  readonly kind: 'claim' | 'nuance';
  /** A few words for the comparison table's cell. */
  readonly summary: string;
}

export interface ClaimsData {
  readonly settings: { readonly seeds: readonly number[]; readonly width: number; readonly batch: number; readonly depth: number };
  readonly series: readonly DepthSeries[];
  readonly claims: readonly ClaimResult[];
}

const geomean = (values: readonly number[]) => Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
/** Three significant digits, as the table prints them. */
export const sig3 = (x: number) => (x === 0 || !Number.isFinite(x) ? String(x) : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5 ? x.toExponential(2) : Number(x.toPrecision(3)).toString());

interface Config {
  id: string;
  initializer: InitializerPreset;
  activation: string;
  depth: number;
  width: number;
  /** Overrides the preset's rule (the orthogonal gain per activation). */
  rule?: Omit<RuleSpec, 'match'>;
  /** Probe at least this many seeds (the given ones, then the next integers after the largest). */
  minSeeds?: number;
}

/** `seeds`, extended by the integers after its largest to at least `count` seeds. */
function atLeast(seeds: readonly number[], count: number): readonly number[] {
  const out = [...seeds];
  for (let next = Math.max(0, ...seeds) + 1; out.length < count; next++) out.push(next);
  return out;
}

function runSeries(c: Config, seeds: readonly number[], batch: number, tick: (label: string) => void): DepthSeries {
  const reports: ProbeReport[] = seeds.map((seed) => {
    const spec = mlpSpec(c.initializer, c.activation, c.depth, c.width, seed);
    if (c.rule) spec.rules = [{ match: '**.weight', ...c.rule } as RuleSpec];
    const report = probe(spec, { batch, singularValues: false });
    tick(`${c.id} seed ${seed}`);
    return report;
  });
  const perLayer = (pick: (r: ProbeReport, i: number) => number) => reports.map((r) => r.layers.map((_, i) => pick(r, i)));
  const postStd = perLayer((r, i) => r.layers[i].post.std);
  const gradientStd = perLayer((r, i) => r.layers[i].gradientInputStd);
  const saturated = perLayer((r, i) => r.layers[i].saturatedFraction);
  const byLayer = (series: number[][], reduce: (v: number[]) => number) => series[0].map((_, i) => reduce(series.map((s) => s[i])));
  const first = reports[0];
  return {
    id: c.id,
    initializer: c.initializer,
    // A rule's gain replaces the preset's in the label: 'orthogonal (gain 1.41)'.
    label: c.rule && 'gain' in c.rule && c.initializer === 'orthogonal' ? `orthogonal (gain ${sig3(c.rule.gain as number)})` : INITIALIZER_PRESETS[c.initializer].label,
    activation: c.activation,
    depth: c.depth,
    width: c.width,
    seeds,
    postStd,
    gradientStd,
    saturated,
    distinctUnits: perLayer((r, i) => r.layers[i].distinctUnits),
    postStdGeomean: byLayer(postStd, (v) => (v.every((x) => x > 0) ? geomean(v) : mean(v))),
    gradientStdGeomean: byLayer(gradientStd, (v) => (v.every((x) => x > 0) ? geomean(v) : mean(v))),
    saturatedMean: byLayer(saturated, mean),
    histograms: {
      low: first.layers[0].histogram.low, high: first.layers[0].histogram.high, counts: first.layers.map((l) => l.histogram.counts),
      zeros: first.layers.map((l) => l.histogram.zeros), below: first.layers.map((l) => l.histogram.below), above: first.layers.map((l) => l.histogram.above),
    },
    lastMean: reports.map((r) => r.layers.at(-1)!.post.mean),
    normRatio: reports.map((r) => r.layers.at(-1)!.post.rms / r.input.rms),
  };
}

/** Last-over-first post std per seed, and their geometric mean. */
function depthRatio(s: DepthSeries): { perSeed: number[]; geomean: number } {
  const perSeed = s.postStd.map((layers) => layers.at(-1)! / layers[0]);
  return { perSeed, geomean: geomean(perSeed) };
}

/**
 * Runs every experiment of the table and checks each claim. With the defaults (5 seeds, width 256, batch 256,
 * depth 50) it probes about 60 networks, some 20 s on the wasm backend; smaller settings make a quick preview.
 */
export function runClaims(options: ClaimsOptions = {}): ClaimsData {
  const seeds = options.seeds ?? [1, 2, 3, 4, 5];
  const width = options.width ?? 256, batch = options.batch ?? 256, depth = options.depth ?? 50;
  const tanhGain = calculateGain('tanh'), reluGain = calculateGain('relu');
  const configs: Config[] = [
    { id: 'zero-sigmoid', initializer: 'zero', activation: 'sigmoid', depth: 5, width: Math.min(width, 64) },
    { id: 'normal-0.01-tanh', initializer: 'normal-0.01', activation: 'tanh', depth: Math.min(depth, 20), width },
    { id: 'normal-1-tanh', initializer: 'normal-1', activation: 'tanh', depth: 10, width: 2 * width },
    { id: 'xavier-tanh', initializer: 'xavier', activation: 'tanh', depth, width },
    { id: 'xavier-5/3-tanh', initializer: 'xavier-tanh', activation: 'tanh', depth, width },
    { id: 'lecun-tanh', initializer: 'lecun', activation: 'tanh', depth, width },
    { id: 'he-tanh', initializer: 'he', activation: 'tanh', depth, width },
    { id: 'xavier-relu', initializer: 'xavier', activation: 'relu', depth, width },
    // A deep ReLU stack's last/first ratio spreads most from network to network (0.4 to 1.4 over seeds 1-5 at
    // depth 50): the claim with a two-sided band gets 7 seeds.
    { id: 'he-relu', initializer: 'he', activation: 'relu', depth, width, minSeeds: 7 },
    { id: 'orthogonal-relu', initializer: 'orthogonal', activation: 'relu', depth, width, rule: { init: 'orthogonal', gain: reluGain } },
    { id: 'lecun-selu', initializer: 'lecun', activation: 'selu', depth, width },
    { id: 'lecun-relu', initializer: 'lecun', activation: 'relu', depth, width },
    { id: 'he-selu', initializer: 'he', activation: 'selu', depth, width },
    { id: 'orthogonal-linear', initializer: 'orthogonal', activation: 'linear', depth: 2 * depth, width },
    { id: 'xavier-linear', initializer: 'xavier', activation: 'linear', depth: 2 * depth, width },
  ];
  const seedsOf = (c: Config) => atLeast(seeds, c.minSeeds ?? 0);
  const total = configs.reduce((sum, c) => sum + seedsOf(c).length, 0);
  let done = 0;
  const tick = (label: string) => options.onProgress?.(++done, total, label);
  const series = new Map(configs.map((c) => [c.id, runSeries(c, seedsOf(c), batch, tick)]));
  const s = (id: string) => series.get(id)!;
  const claims: ClaimResult[] = [];
  const add = (claim: Omit<ClaimResult, 'measured' | 'summary'> & { measured?: string; summary: string }) =>
    claims.push({ ...claim, measured: claim.measured ?? sig3(claim.value) });
  const n = seeds.length;
  const seedsText = (count: number) => `geometric mean over ${count} seed${count > 1 ? 's' : ''}`;

  const zero = s('zero-sigmoid');
  const distinctMax = Math.max(...zero.distinctUnits.flat());
  add({
    id: 'zero-symmetry', summary: `${distinctMax} distinct unit per layer`, row: 'zero', kind: 'claim', claim: 'symmetry: every unit of a layer is identical',
    experiment: `${zero.depth}-layer sigmoid MLP, width ${zero.width}, zero weights and biases`,
    threshold: '1 distinct unit in every layer', value: distinctMax, measured: `${distinctMax} (most distinct units in any layer, any seed)`,
    holds: distinctMax === 1,
  });

  const small = s('normal-0.01-tanh');
  const smallRatio = depthRatio(small);
  add({
    id: 'naive-small-vanishes', summary: `N(0, 0.01²), tanh: std ratio ${sig3(smallRatio.geomean)} at depth ${small.depth}`, row: 'naive random', kind: 'claim', claim: 'too small: activations vanish with depth',
    experiment: `${small.depth}-layer tanh MLP, width ${width}, N(0, 0.01²) weights`,
    threshold: 'last/first layer output std < 1e-3', value: smallRatio.geomean, holds: smallRatio.perSeed.every((r) => r < 1e-3),
  });

  const large = s('normal-1-tanh');
  const saturation = Math.min(...large.saturated.flat());
  add({
    id: 'naive-large-saturates', summary: `N(0, 1), tanh: ${sig3(100 * saturation)}% saturated`, row: 'naive random', kind: 'claim', claim: 'too large: tanh units saturate',
    experiment: `${large.depth}-layer tanh MLP, width ${large.width}, N(0, 1) weights`,
    threshold: 'more than 80% of outputs with |tanh| > 0.99', value: saturation, measured: `${sig3(100 * saturation)}% (least saturated layer, any seed)`,
    holds: saturation > 0.8,
  });

  const xavier53 = depthRatio(s('xavier-5/3-tanh'));
  add({
    id: 'xavier-tanh-steady', summary: `tanh, gain 5/3: std ratio ${sig3(xavier53.geomean)}`, row: 'Xavier/Glorot', kind: 'claim', claim: 'steady variance for tanh (with the tanh gain 5/3)',
    experiment: `${depth}-layer tanh MLP, width ${width}, Glorot uniform with gain 5/3 = calculateGain('tanh')`,
    threshold: 'last/first layer output std in [0.3, 3]', value: xavier53.geomean, measured: `${sig3(xavier53.geomean)} (${seedsText(n)})`,
    holds: xavier53.geomean >= 0.3 && xavier53.geomean <= 3,
  });
  const xavier1 = depthRatio(s('xavier-tanh'));
  add({
    id: 'xavier-tanh-gain1-decays', summary: `gain 1: ${sig3(xavier1.geomean)}`, row: 'Xavier/Glorot', kind: 'nuance', claim: 'plain Xavier (gain 1) on tanh is not flat: tanh shrinks what it passes on, which the gain 5/3 makes up',
    experiment: `${depth}-layer tanh MLP, width ${width}, Glorot uniform with gain 1`,
    threshold: 'last/first layer output std < 0.3', value: xavier1.geomean, measured: `${sig3(xavier1.geomean)} (${seedsText(n)})`,
    holds: xavier1.geomean < 0.3,
  });
  const backward = (id: string) => geomean(s(id).gradientStd.map((layers) => layers[0] / layers.at(-1)!));
  const xavier53Backward = backward('xavier-5/3-tanh'), xavier1Backward = backward('xavier-tanh');
  add({
    id: 'xavier-tanh-gradient-grows', summary: `but the gradient grows ${sig3(xavier53Backward)}x toward the input with gain 5/3`, row: 'Xavier/Glorot', kind: 'nuance',
    claim: 'the gain 5/3 keeps the forward signal flat but puts tanh past its order-to-chaos transition (weight variance 1/fanIn, Schoenholz et al. 2017): the gradient grows toward the input',
    experiment: `${depth}-layer tanh MLP, width ${width}: gradient reaching the first layer's input over the one reaching the last layer's`,
    threshold: 'ratio > 10 with gain 5/3', value: xavier53Backward,
    measured: `${sig3(xavier53Backward)} with gain 5/3, ${sig3(xavier1Backward)} with gain 1 (${seedsText(n)})`,
    holds: xavier53Backward > 10,
  });
  const xavierRelu = depthRatio(s('xavier-relu'));
  const expected = 2 ** (-(depth - 1) / 2);
  add({
    id: 'xavier-relu-decays', summary: `ReLU: ${sig3(xavierRelu.geomean)} = ${sig3(xavierRelu.geomean / expected)} x 2^(-(L-1)/2)`, row: 'Xavier/Glorot', kind: 'claim', claim: 'less suited to ReLU: the std halves in variance at every layer',
    experiment: `${depth}-layer ReLU MLP, width ${width}, Glorot uniform`,
    threshold: `last/first layer output std within a factor 4 of 2^(-(L - 1)/2) = ${sig3(expected)}`, value: xavierRelu.geomean / expected,
    measured: `${sig3(xavierRelu.geomean)}, ${sig3(xavierRelu.geomean / expected)} times 2^(-(L - 1)/2) (${seedsText(n)})`,
    holds: xavierRelu.geomean / expected >= 0.25 && xavierRelu.geomean / expected <= 4,
  });

  const he = depthRatio(s('he-relu'));
  add({
    id: 'he-relu-steady', summary: `ReLU: std ratio ${sig3(he.geomean)}`, row: 'He/Kaiming', kind: 'claim', claim: 'steady for ReLU',
    experiment: `${depth}-layer ReLU MLP, width ${width}, He normal`,
    threshold: 'last/first layer output std in [0.5, 2]', value: he.geomean, measured: `${sig3(he.geomean)} (${seedsText(s('he-relu').seeds.length)})`,
    holds: he.geomean >= 0.5 && he.geomean <= 2,
  });
  const heSelu = depthRatio(s('he-selu'));
  add({
    id: 'he-selu-drifts', summary: `SELU: ${sig3(heSelu.geomean)} (grows)`, row: 'He/Kaiming', kind: 'claim', claim: 'less suited elsewhere: on SELU its doubled variance breaks self-normalization',
    experiment: `${depth}-layer SELU MLP, width ${width}, He normal`,
    threshold: 'last/first layer output std > 2', value: heSelu.geomean, measured: `${sig3(heSelu.geomean)} (${seedsText(n)})`,
    holds: heSelu.geomean > 2,
  });
  const heTanh = depthRatio(s('he-tanh'));
  add({
    id: 'he-tanh-steady', summary: `tanh: ${sig3(heTanh.geomean)}`, row: 'He/Kaiming', kind: 'nuance', claim: "on tanh, He's gain sqrt 2 is close to tanh's 5/3: the forward signal stays steady",
    experiment: `${depth}-layer tanh MLP, width ${width}, He normal`,
    threshold: 'last/first layer output std in [0.5, 2]', value: heTanh.geomean, measured: `${sig3(heTanh.geomean)} (${seedsText(n)})`,
    holds: heTanh.geomean >= 0.5 && heTanh.geomean <= 2,
  });

  const selu = s('lecun-selu');
  const seluMean = mean(selu.lastMean), seluStd = mean(selu.postStd.map((layers) => layers.at(-1)!));
  add({
    id: 'lecun-selu-normalizes', summary: `SELU: mean ${sig3(seluMean)}, std ${sig3(seluStd)} at depth ${depth}`, row: 'LeCun', kind: 'claim', claim: 'steady for SELU: activations stay near mean 0, std 1',
    experiment: `${depth}-layer SELU MLP, width ${width}, LeCun normal`,
    threshold: 'last layer mean within 0.1 of 0 and std within 0.2 of 1', value: seluStd,
    measured: `mean ${sig3(seluMean)}, std ${sig3(seluStd)} (mean over ${n} seeds)`,
    holds: Math.abs(seluMean) < 0.1 && Math.abs(seluStd - 1) < 0.2,
  });
  const lecunRelu = depthRatio(s('lecun-relu'));
  add({
    id: 'lecun-relu-decays', row: 'LeCun', kind: 'claim', claim: 'less suited to ReLU: variance 1/fanIn loses half of it at every ReLU, as Xavier does',
    experiment: `${depth}-layer ReLU MLP, width ${width}, LeCun normal`,
    threshold: `last/first layer output std within a factor 4 of 2^(-(L - 1)/2) = ${sig3(expected)}`, value: lecunRelu.geomean / expected,
    summary: `ReLU: ${sig3(lecunRelu.geomean)} = ${sig3(lecunRelu.geomean / expected)} x 2^(-(L-1)/2)`,
    measured: `${sig3(lecunRelu.geomean)}, ${sig3(lecunRelu.geomean / expected)} times 2^(-(L - 1)/2) (${seedsText(n)})`,
    holds: lecunRelu.geomean / expected >= 0.25 && lecunRelu.geomean / expected <= 4,
  });
  const lecunTanh = depthRatio(s('lecun-tanh'));
  add({
    id: 'lecun-tanh-decays', summary: `tanh: std ratio ${sig3(lecunTanh.geomean)} (decays)`, row: 'LeCun', kind: 'nuance', claim: 'on tanh, LeCun (variance 1/fanIn) decays like Xavier with gain 1: steady only with a gain',
    experiment: `${depth}-layer tanh MLP, width ${width}, LeCun normal`,
    threshold: 'last/first layer output std < 0.3', value: lecunTanh.geomean, measured: `${sig3(lecunTanh.geomean)} (${seedsText(n)})`,
    holds: lecunTanh.geomean < 0.3,
  });

  const orthogonal = s('orthogonal-linear'), gaussian = s('xavier-linear');
  const drift = Math.max(...orthogonal.normRatio.map((r) => Math.abs(r - 1)));
  const gaussianDrift = geomean(gaussian.normRatio.map((r) => Math.abs(Math.log(r))));
  add({
    id: 'orthogonal-norm', summary: `linear, depth ${orthogonal.depth}: norm kept to ${sig3(drift)}`, row: 'orthogonal', kind: 'claim', claim: 'preserves the norm through deep linear stacks',
    experiment: `${orthogonal.depth}-layer linear MLP, width ${width}, orthogonal (gain 1)`,
    threshold: '|output rms / input rms - 1| < 1e-3', value: drift, measured: `${sig3(drift)} (largest over ${n} seeds)`,
    holds: drift < 1e-3,
  });
  add({
    id: 'gaussian-norm-drifts', summary: `(Gaussian: drifts ${sig3(gaussianDrift)} in log)`, row: 'orthogonal', kind: 'nuance', claim: 'a Gaussian matrix of the same variance does not: the norm drifts like a random walk',
    experiment: `${gaussian.depth}-layer linear MLP, width ${width}, Glorot uniform (variance 1/fan)`,
    threshold: '|log(output rms / input rms)| > 1e-2', value: gaussianDrift, measured: `${sig3(gaussianDrift)} (${seedsText(n)})`,
    holds: gaussianDrift > 1e-2,
  });
  const orthRelu = depthRatio(s('orthogonal-relu'));
  add({
    id: 'orthogonal-relu-steady', summary: `ReLU, gain sqrt 2: std ratio ${sig3(orthRelu.geomean)}`, row: 'orthogonal', kind: 'nuance', claim: 'with the ReLU gain sqrt 2, orthogonal weights keep a deep ReLU stack steady too',
    experiment: `${depth}-layer ReLU MLP, width ${width}, orthogonal with gain sqrt 2`,
    threshold: 'last/first layer output std in [0.5, 2]', value: orthRelu.geomean, measured: `${sig3(orthRelu.geomean)} (${seedsText(n)})`,
    holds: orthRelu.geomean >= 0.5 && orthRelu.geomean <= 2,
  });
  return { settings: { seeds, width, batch, depth }, series: [...series.values()], claims };
}
