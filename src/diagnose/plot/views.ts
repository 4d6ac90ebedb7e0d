// The plots of the diagnostics, as views of their data: probe reports (one network, or several compared) and the
// claims experiments' data (docs/claims.json). Each function only reads what it is given and returns SVG text;
// the numbers drawn are the report's, and every line carries them in data-* attributes.

import type { ClaimsData, DepthSeries } from '../claims.js';
import type { ProbeReport } from '../report.js';
import { renderChart, type Chart, type HeatmapPanel, type LinePanel, type LineSeries, type Panel } from './chart.js';

/** A probe report with the name it is shown under (and a colour key, e.g. an initializer preset's name). */
export interface ProbeRun {
  readonly label: string;
  readonly report: ProbeReport;
  readonly key?: string;
}

export interface PlotOptions {
  /** Replaces the default title / subtitle. */
  readonly title?: string;
  readonly subtitle?: string;
  readonly footnote?: string;
  /** Width in pixels (default 960), panels per row (default 2), plot-area height (default 220). */
  readonly width?: number;
  readonly columns?: number;
  readonly panelHeight?: number;
  /** Prefix of ids inside the SVG: give each plot inlined in one page its own. */
  readonly id?: string;
}

const layerNumbers = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * LeCun's variance 1/fanIn equals Xavier's 2/(fanIn + fanOut) on square layers, so their lines coincide: LeCun's
 * is dashed, and Xavier's shows through it.
 */
const dashedKeys = new Set(['lecun']);

/** What initialized a report's layers, in a few words: 'heNormal', or 'heNormal, xavierUniform' when mixed. */
export function initializersOf(report: ProbeReport): string {
  const names = [...new Set(report.layers.map((l) => l.initializer).filter((n): n is string => n !== undefined))];
  return names.length ? names.join(', ') : 'probe';
}

function runsOf(input: ProbeReport | ProbeRun | readonly (ProbeReport | ProbeRun)[]): ProbeRun[] {
  const list = Array.isArray(input) ? input : [input];
  return list.map((item: ProbeReport | ProbeRun) => ('report' in item ? item : { label: initializersOf(item), report: item }));
}

/**
 * A note on the series a log scale cannot draw in full: those zero at every layer, and those that overflow
 * float32 (NaN from some layer on), which would otherwise vanish from the panel without a word.
 */
function undrawnNote(runs: readonly ProbeRun[], pick: (l: ProbeReport['layers'][number]) => number, what: string): string | undefined {
  const notes: string[] = [];
  for (const r of runs) {
    const values = r.report.layers.map(pick);
    const overflow = values.findIndex((v) => Number.isNaN(v));
    if (overflow >= 0) notes.push(`${r.label}: ${overflow === 0 ? 'NaN at every layer' : `overflows float32 at layer ${overflow + 1}, not drawn from there`}`);
    else if (values.length && values.every((v) => v === 0)) notes.push(`${r.label}: ${what} 0 at every layer, which a log scale cannot draw`);
  }
  return notes.length ? notes.join('; ') : undefined;
}

/** Output std of every layer against its depth, log scale: the input's std at layer 0. */
export function activationStdPanel(runs: readonly ProbeRun[], title = 'Activation std per layer'): LinePanel {
  const note = undrawnNote(runs, (l) => l.post.std, 'std');
  return {
    kind: 'lines', title,
    x: { label: 'layer (0: the input batch)', integer: true },
    y: { label: 'std of the layer\'s output', type: 'log' },
    series: runs.map((r) => ({ label: r.label, key: r.key, x: [0, ...layerNumbers(r.report.layers.length)], y: [r.report.input.std, ...r.report.layers.map((l) => l.post.std)], dashed: dashedKeys.has(r.key ?? '') })),
    ...(note ? { note } : {}),
  };
}

/** The std of the loss gradient reaching each layer's input, log scale. */
export function gradientStdPanel(runs: readonly ProbeRun[], title = 'Gradient std per layer'): LinePanel {
  const note = undrawnNote(runs, (l) => l.gradientInputStd, 'gradient std');
  return {
    kind: 'lines', title,
    x: { label: 'layer (the gradient flows from the last back to 1)', integer: true },
    y: { label: 'std of dL/d(layer input)', type: 'log' },
    series: runs.map((r) => ({ label: r.label, key: r.key, x: layerNumbers(r.report.layers.length), y: r.report.layers.map((l) => l.gradientInputStd), dashed: dashedKeys.has(r.key ?? '') })),
    ...(note ? { note } : {}),
  };
}

function fractionPanel(runs: readonly ProbeRun[], title: string, label: string, pick: (l: ProbeReport['layers'][number]) => number): LinePanel {
  return {
    kind: 'lines', title,
    x: { label: 'layer', integer: true },
    y: { label, domain: [0, 1] },
    series: runs.map((r) => ({ label: r.label, key: r.key, x: layerNumbers(r.report.layers.length), y: r.report.layers.map(pick) })),
  };
}

/** The "colorful dimension" picture of one report: each layer's histogram of output values as a column. */
export function histogramPanel(run: ProbeRun, title = `Histograms of layer outputs: ${run.label}`): HeatmapPanel {
  const layers = run.report.layers;
  const h = layers[0]?.histogram ?? { low: -3, high: 3, counts: [] };
  return {
    kind: 'heatmap', title,
    x: { label: 'layer', integer: true },
    y: { label: 'output value' },
    columns: layerNumbers(layers.length),
    counts: layers.map((l) => l.histogram.counts),
    low: h.low, high: h.high,
    edges: { zeros: layers.map((l) => l.histogram.zeros), below: layers.map((l) => l.histogram.below), above: layers.map((l) => l.histogram.above) },
  };
}

/**
 * The probe's picture of one network or several compared: activation std and gradient std per layer (log
 * scales), the saturated and dead fractions where there are any, and each network's histograms per layer.
 */
export function plotProbe(input: ProbeReport | ProbeRun | readonly (ProbeReport | ProbeRun)[], options: PlotOptions = {}): string {
  const runs = runsOf(input);
  const panels: Panel[] = [activationStdPanel(runs), gradientStdPanel(runs)];
  const any = (pick: (l: ProbeReport['layers'][number]) => number) => runs.some((r) => r.report.layers.some((l) => pick(l) > 0));
  if (any((l) => l.saturatedFraction)) panels.push(fractionPanel(runs, 'Saturated outputs', 'fraction saturated', (l) => l.saturatedFraction));
  if (any((l) => l.deadFraction)) panels.push(fractionPanel(runs, 'Dead units', 'fraction passing no gradient', (l) => l.deadFraction));
  for (const r of runs) panels.push(histogramPanel(r, runs.length > 1 ? r.label : 'Histograms of layer outputs'));
  const first = runs[0]?.report;
  const single = runs.length === 1;
  return renderChart({
    title: options.title ?? (single ? `What the initialization does: ${runs[0].label}` : 'What each initialization does'),
    subtitle: options.subtitle ?? (first ? `${first.layers.length} layers, a batch of ${first.batch} samples of N(0, 1), seed ${first.seed}; the gradient is of the loss sum(output · R), R a fixed random projection. A falling std vanishes, a rising one explodes.` : undefined),
    footnote: options.footnote,
    panels, columns: options.columns ?? 2, width: options.width, panelHeight: options.panelHeight, id: options.id ?? 'probe',
  });
}

// ---- the claims experiments ------------------------------------------------------------------------------------------

const ACTIVATION_TITLES: Readonly<Record<string, string>> = { tanh: 'tanh', relu: 'ReLU', selu: 'SELU', sigmoid: 'sigmoid', linear: 'linear (no activation)' };
const titleOf = (activation: string) => ACTIVATION_TITLES[activation] ?? activation;

/** Series of the data drawable on a log axis (not all zero), grouped by activation in the data's order. */
function byActivation(data: Pick<ClaimsData, 'series'>, pick: (s: DepthSeries) => readonly number[]): Map<string, DepthSeries[]> {
  const groups = new Map<string, DepthSeries[]>();
  for (const s of data.series) {
    if (!pick(s).some((v) => v > 0)) continue;
    const list = groups.get(s.activation) ?? [];
    list.push(s);
    groups.set(s.activation, list);
  }
  return groups;
}

/** A series' label, with its depth and width where they differ from the experiments' usual ones. */
const seriesLabel = (s: DepthSeries, settings: ClaimsData['settings']) => {
  const extra = [s.depth !== settings.depth ? `depth ${s.depth}` : '', s.width !== settings.width ? `width ${s.width}` : ''].filter(Boolean).join(', ');
  return extra ? `${s.label}, ${extra}` : s.label;
};

function seedsText(seeds: readonly number[]): string {
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  return seeds.length > 2 && consecutive ? `${seeds[0]}–${seeds.at(-1)}` : seeds.join(', ');
}

/** The experiments probed over other seeds than the settings' ones, as ' (He on ReLU: 1–7)'. */
function otherSeeds(data: ClaimsData): string {
  const key = (seeds: readonly number[]) => seeds.join(',');
  const other = data.series.filter((s) => key(s.seeds) !== key(data.settings.seeds));
  return other.length ? ` (${other.map((s) => `${s.label} on ${titleOf(s.activation)}: ${seedsText(s.seeds)}`).join('; ')})` : '';
}

/** The naive-random presets: their lines fall or rise by many decades, so they get a panel of their own. */
const NAIVE = new Set(['normal-0.01', 'normal-1']);

function depthPlot(data: ClaimsData, pick: (s: DepthSeries) => readonly number[], title: string, subtitle: string, yLabel: string, options: PlotOptions, id: string): string {
  const groups = byActivation(data, pick);
  const left = data.series.filter((s) => !groups.get(s.activation)?.includes(s));
  const panels: LinePanel[] = [];
  for (const [activation, list] of groups) {
    // N(0, 0.01²) on tanh falls to 1e-16: drawn with the rest it would flatten the difference between Xavier with
    // gain 1 and with gain 5/3, which is the point of the tanh panel.
    const naive = list.filter((s) => NAIVE.has(s.initializer)), scaled = list.filter((s) => !NAIVE.has(s.initializer));
    for (const [members, panelTitle] of [[scaled, titleOf(activation)], [naive, `${titleOf(activation)}, naive random weights`]] as const) {
      if (!members.length) continue;
      panels.push({
        kind: 'lines', title: panelTitle,
        x: { label: 'layer', integer: true },
        y: { label: yLabel, type: 'log' },
        series: members.map((s): LineSeries => ({ label: seriesLabel(s, data.settings), key: s.initializer, x: layerNumbers(s.depth), y: pick(s), dashed: dashedKeys.has(s.initializer) })),
      });
    }
  }
  const omitted = left.length ? ` Not drawn (zero at every layer, which a log scale cannot show): ${left.map((s) => `${s.label} on ${s.activation}`).join(', ')}.` : '';
  return renderChart({
    title: options.title ?? title,
    subtitle: options.subtitle ?? subtitle,
    footnote: options.footnote ?? `Generated from docs/claims.json by npm run claims. Every line has its own colour and dash pattern; the naive-random experiments have panels of their own, so the others' scale shows.${omitted}`,
    panels, columns: options.columns ?? 2, width: options.width, panelHeight: options.panelHeight ?? 230, id: options.id ?? id,
  });
}

/** Output std per layer for every experiment of the claims, one panel per activation, log scale. */
export function plotClaimsStd(data: ClaimsData, options: PlotOptions = {}): string {
  const { seeds, width, batch } = data.settings;
  return depthPlot(data, (s) => s.postStdGeomean,
    'Activation std through depth, per initializer',
    `The std of each layer's output on ${batch} samples of N(0, 1), geometric mean over seeds ${seedsText(seeds)}${otherSeeds(data)}; MLPs of square dense layers, width ${width}, zero biases. Flat lines keep the signal; falling ones vanish, rising ones explode.`,
    'std of the layer\'s output', options, 'std');
}

/** The std of the gradient reaching each layer's input, for every experiment, one panel per activation. */
export function plotClaimsGradient(data: ClaimsData, options: PlotOptions = {}): string {
  const { seeds, batch } = data.settings;
  return depthPlot(data, (s) => s.gradientStdGeomean,
    'Gradient std through depth, per initializer',
    `The std of the loss gradient reaching each layer's input (loss: the output dotted with a fixed random projection), ${batch} samples, geometric mean over seeds ${seedsText(seeds)}${otherSeeds(data)}. The gradient flows from the last layer back to the first: a line that falls toward layer 1 vanishes, one that rises explodes.`,
    'std of dL/d(layer input)', options, 'gradient');
}

/** The "colorful dimension" heatmaps of the experiments on one activation: each layer's histogram as a column. */
export function plotClaimsHistograms(data: ClaimsData, activation: string, options: PlotOptions = {}): string {
  const list = data.series.filter((s) => s.activation === activation);
  if (!list.length) throw new RangeError(`nninit.plotClaimsHistograms: the data has no experiment on activation ${JSON.stringify(activation)}`);
  const panels: HeatmapPanel[] = list.map((s) => ({
    kind: 'heatmap', title: `${s.label}, depth ${s.depth}, width ${s.width}`,
    x: { label: 'layer', integer: true },
    y: { label: 'output value' },
    columns: layerNumbers(s.depth), counts: s.histograms.counts, low: s.histograms.low, high: s.histograms.high,
    edges: { zeros: s.histograms.zeros, below: s.histograms.below, above: s.histograms.above },
  }));
  const h = list[0].histograms;
  const bins = h.counts[0]?.length ?? 0;
  return renderChart({
    title: options.title ?? `Histograms of every layer's outputs: ${titleOf(activation)} networks`,
    subtitle: options.subtitle ?? `Each column is one layer's outputs over ${data.settings.batch} samples (seed ${list[0].seeds[0]}), counted in ${bins} bins over [${h.low}, ${h.high}), a range that fits ${titleOf(activation)}; colour is the count on a log scale (fast.ai's "colorful dimension"). Rows set apart count what falls outside the bins: values at or above ${h.high} at the top, below ${h.low} and exact zeros at the bottom. A band that narrows to the middle is a vanishing signal; mass at the edges is saturation or explosion.`,
    footnote: options.footnote ?? 'Generated from docs/claims.json by npm run claims.',
    panels, columns: options.columns ?? 2, width: options.width, panelHeight: options.panelHeight ?? 170, id: options.id ?? `histograms-${activation}`,
  });
}

/** Training runs: the loss before each step (and after the last) of each initializer, per task. */
export interface TrainingCurves {
  readonly task: string;
  readonly activation: string;
  readonly depth: number;
  readonly width: number;
  readonly steps: number;
  readonly learningRate?: number;
  readonly optimizer?: string;
  /** The seeds the curves are medians over (one run per seed); absent for a single run. */
  readonly seeds?: readonly number[];
  readonly runs: readonly {
    readonly initializer: string;
    readonly label: string;
    /** Loss per step (the median over the seeds); null or NaN where it diverged. */
    readonly losses: readonly (number | null)[];
    /** The final loss (default: the mean of the last 20 losses); null or NaN if diverged. */
    readonly final?: number | null;
    /** Per seed: the step it diverged at (-1 if it did not) and the spikes of its loss. */
    readonly seeds?: readonly { readonly divergedAt: number; readonly spikes?: number }[];
  }[];
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const lossText = (v: number) => v.toFixed(3);
const listText = (items: readonly string[]) => (items.length < 3 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** A run's final loss: its own, else the mean of its last 20 losses; NaN if it diverged. */
function finalOf(run: TrainingCurves['runs'][number]): number {
  if (run.final !== undefined) return finite(run.final) ? run.final : NaN;
  const tail = run.losses.slice(-20);
  return tail.every(finite) ? (tail as number[]).reduce((a, b) => a + b, 0) / tail.length : NaN;
}

/**
 * What the curves of one task show, in sentences computed from the numbers: which runs diverge, which stay at
 * chance (final loss within 0.01 of ln 2), which barely learn (within 0.1), which learn (best first, with their
 * final loss), and which seeds' losses spike or diverge where the median does not.
 */
export function describeTraining(t: TrainingCurves): string {
  const sentences: string[] = [];
  const n = t.seeds?.length ?? 1;
  const ofSeeds = (k: number) => (n > 1 ? `${k} of ${n} seeds` : 'its one run');
  const diverged = t.runs.filter((r) => r.losses.some((l) => !finite(l)) || Number.isNaN(finalOf(r)));
  const rest = t.runs.filter((r) => !diverged.includes(r)).map((r) => ({ r, final: finalOf(r) }));
  const chance = rest.filter((x) => x.final >= Math.LN2 - 0.01);
  const barely = rest.filter((x) => x.final < Math.LN2 - 0.01 && x.final >= Math.LN2 - 0.1);
  const learn = rest.filter((x) => x.final < Math.LN2 - 0.1).sort((a, b) => a.final - b.final);
  for (const r of diverged) {
    const at = r.losses.findIndex((l) => !finite(l));
    const count = r.seeds ? r.seeds.filter((s) => s.divergedAt >= 0).length : 1;
    sentences.push(`${r.label} diverges${at >= 0 ? ` by step ${at}` : ''} (${ofSeeds(count)}).`);
  }
  if (chance.length) sentences.push(`${listText(chance.map((x) => x.r.label))} ${chance.length > 1 ? 'stay' : 'stays'} at chance (ln 2) for all ${t.steps} steps.`);
  if (barely.length) sentences.push(`${listText(barely.map((x) => `${x.r.label} at ${lossText(x.final)}`))} barely ${barely.length > 1 ? 'move' : 'moves'} from it.`);
  if (learn.length) sentences.push(`${learn.length > 1 ? 'Learning, lowest final loss first' : 'Learning'}: ${learn.map((x) => `${x.r.label} ${lossText(x.final)}`).join(', ')}.`);
  const unstable = t.runs.filter((r) => !diverged.includes(r)).map((r) => ({
    r, spiky: r.seeds?.filter((s) => (s.spikes ?? 0) > 0).length ?? 0, lost: r.seeds?.filter((s) => s.divergedAt >= 0).length ?? 0,
  })).filter((x) => x.spiky || x.lost);
  if (unstable.length) {
    sentences.push(`Single runs are rougher than the median: ${unstable.map((x) => `${x.r.label} ${[x.spiky ? `spikes in ${ofSeeds(x.spiky)}` : '', x.lost ? `diverges in ${ofSeeds(x.lost)}` : ''].filter(Boolean).join(' and ')}`).join('; ')}.`);
  }
  return sentences.map((t) => t[0].toUpperCase() + t.slice(1)).join(' ');
}

/**
 * Loss curves of the training runs, one panel per task, with chance (ln 2) marked and under each panel what its
 * curves show (describeTraining); diverged runs end where they diverge.
 */
export function plotTraining(training: readonly TrainingCurves[], options: PlotOptions = {}): string {
  const top = 1;
  const panels: LinePanel[] = training.map((t) => {
    const clipped = t.runs.filter((r) => r.losses.some((l) => finite(l) && l > top)).map((r) => r.label);
    const note = `${describeTraining(t)}${clipped.length ? ` Above ${top}, not drawn: the first steps of ${listText(clipped)}.` : ''}`;
    return {
      kind: 'lines', title: `${titleOf(t.activation)}: ${t.depth} hidden layers of ${t.width}, ${t.task}`,
      x: { label: 'training step', integer: true },
      y: { label: 'loss (softmax cross-entropy)', domain: [0, top] },
      rules: [{ y: Math.LN2, label: 'chance (ln 2)' }],
      series: t.runs.map((r) => ({ label: r.label, key: r.initializer, x: r.losses.map((_, i) => i), y: r.losses.map((l) => (finite(l) ? l : null)) })),
      note,
    };
  });
  const first = training[0];
  const how = first ? `${first.optimizer === 'adam' ? 'Adam' : 'SGD with momentum'}${first.learningRate ? `, learning rate ${first.learningRate}` : ''}` : '';
  const seeds = first?.seeds && first.seeds.length > 1 ? first.seeds : undefined;
  const what = seeds ? `Each line is the median over seeds ${seedsText(seeds)} (one network and data set per seed) of the loss at each step; a final loss is the median of the seeds' mean over the last 20 steps.` : 'The same data and seed for every initializer.';
  return renderChart({
    title: options.title ?? 'Training loss per initializer',
    subtitle: options.subtitle ?? `Full-batch ${how} (TensorFlow.js, weights by nninit/tfjs). ${what} Lower is better; a run that stays at ln 2 has learnt nothing.`,
    footnote: options.footnote ?? 'Generated from docs/claims.json by npm run claims.',
    panels, columns: options.columns ?? 2, width: options.width, panelHeight: options.panelHeight ?? 260, id: options.id ?? 'training',
  });
}

/** Re-exported for callers that compose their own figures. */
export type { Chart, Panel };
