/// <reference types="node" />
// nninit diagnose: probe a model (a spec, initialized here, or a safetensors checkpoint's own weights with the spec
// that says how its layers connect), print each layer's statistics and the warnings, and write the plots (SVG)
// and a Markdown report. Everything is checked and computed before anything is written; the files go to hidden
// temporary names and are renamed together once complete, as `nninit init` writes its files.

import { access, constants, open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import type { Command } from 'commander';
import type { ModelSpecInput } from '../model/spec.js';
import type { RuleSpec } from '../model/rules.js';
import type { ProbeOptions, WeightValues } from '../diagnose/probe.js';
import type { LayerReport, ProbeReport } from '../diagnose/report.js';
import { WARNING_THRESHOLDS } from '../diagnose/warnings.js';
import { readSafetensors, tensorValues } from '../formats/safetensors.js';
import { removeTemporary, renameTemporary, syncFolder, temporaryPath, writeFully } from '../formats/node/write.js';
import { classify, EXIT_OK, InputError, type ErrorContext } from './errors.js';
import { inputFileError } from './inputs.js';
import { parsePolicyFlag, parseRuleFlag, parseSeedFlag } from './options.js';
import { figure, formatTable, type Column } from './table.js';
import type { CliIo } from './program.js';

export interface DiagnoseFlags {
  spec?: string;
  seed?: string;
  policy?: string;
  rule?: string[];
  batch?: string;
  steps?: string;
  spatial?: string;
  bins?: string;
  range?: string;
  singularValues?: string;
  plot?: string;
  report?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Adds `nninit diagnose` to the program; `done` receives the exit code, `setContext` how errors name the input. */
export function addDiagnoseCommand(program: Command, io: CliIo, done: (code: number) => void, setContext: (context: ErrorContext) => void): void {
  program.command('diagnose')
    .description('probe a model: push a batch forward and back, print each layer\'s statistics and warnings, write plots (SVG) and a report (Markdown)')
    .argument('<input>', 'a model spec (.json), or a .safetensors checkpoint with --spec (its weights are probed as they are)')
    .option('--spec <spec.json>', 'with a .safetensors input: the model spec whose layers the tensors belong to (their names are the spec\'s parameter names)')
    .option('--seed <n>', 'seed of the batch, the loss projection and (for a spec) the weights; default: the spec\'s, else a fresh one')
    .option('--policy <policy>', 'policy for initializing a spec: activation, pytorch, keras, flax, gpt2, or NAME(key=value,...)')
    .option('--rule <glob=init>', 'rule applied after the policy and the spec\'s rules, repeatable: \'**.weight=orthogonal\'', collect)
    .option('--batch <n>', 'samples of N(0, 1) in the batch (default 256)')
    .option('--steps <n>', 'time steps a recurrent network is unrolled for (default 16)')
    .option('--spatial <extent>', 'input extent of a convolutional network, e.g. 32, 28x28 or 4x4x4 (default: inferred from a dense layer that flattens the last convolution, else 32, 8x8 or 4x4x4)')
    .option('--bins <n>', 'histogram bins per layer (default 60)')
    .option('--range <low,high>', 'histogram range, e.g. -3,3 (default: one that fits the activations: -1,1 for tanh, 0,1 for sigmoid and softmax, 0,4 for ReLU, else -3,3)')
    .option('--singular-values <side>', 'extreme singular values of square weights up to this side (default 256; 0 for none, all for every one)')
    .option('--plot <out.svg>', 'write the plots: activation and gradient std per layer, saturated and dead units, histograms per layer')
    .option('--report <out.md>', 'write a Markdown report: warnings, plots, a table of every layer (the plots go beside it as out.svg unless --plot names them; an existing out.svg is replaced only if nninit diagnose wrote it)')
    .option('--json', 'print the report as JSON instead of the table')
    .addHelpText('after', '\nExamples:\n  nninit diagnose examples/mlp-mixed.json --plot mlp.svg --report mlp.md\n  nninit diagnose deep.json --rule \'**.weight=glorotUniform\' --batch 128\n  nninit diagnose cnn.json --spatial 28x28 --range -3,3\n  nninit diagnose model.safetensors --spec model.json --report model.md\n')
    .action(async (input: string, flags: DiagnoseFlags) => {
      done(await diagnoseCommand(input, flags, io, setContext));
    });
}

/** --spatial 28x28 (or 28,28): one to three positive integers. */
function spatialFlag(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(/[x×,]/);
  if (parts.length > 3 || !parts.every((p) => /^\d+$/.test(p) && Number(p) >= 1 && Number.isSafeInteger(Number(p)))) {
    throw new InputError(`--spatial: expected one to three positive integers such as 32, 28x28 or 4x4x4, got ${JSON.stringify(text)}`);
  }
  return parts.map(Number);
}

/** --range -3,3: two finite numbers, low < high. */
function rangeFlag(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',');
  const numbers = parts.map((p) => (/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(p) ? Number(p) : NaN));
  if (numbers.length !== 2 || !numbers.every(Number.isFinite) || !(numbers[0] < numbers[1])) {
    throw new InputError(`--range: expected LOW,HIGH with LOW < HIGH, such as -3,3, got ${JSON.stringify(text)}`);
  }
  return [numbers[0], numbers[1]];
}

/** --singular-values 256, 0 or all. */
function singularFlag(text: string | undefined): number | boolean {
  if (text === undefined) return DEFAULT_SINGULAR_SIDE;
  if (text === 'all') return true;
  if (text === '0') return false;
  return positiveIntegerFlag('--singular-values', text, 'a positive integer, 0 or all')!;
}

/**
 * The command computes singular values of square weights up to this side unless told otherwise (the library
 * leaves them off): a 256 x 256 matrix costs about 0.03 s, and the command shows them in its table.
 */
const DEFAULT_SINGULAR_SIDE = 256;

function positiveIntegerFlag(flag: string, text: string | undefined, expected = 'a positive integer'): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !(Number(text) >= 1) || !Number.isSafeInteger(Number(text))) throw new InputError(`${flag}: expected ${expected}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** An output path, checked: the right extension, in an existing writable folder, not a folder itself. */
async function outputPath(flag: string, path: string, extension: string): Promise<string> {
  if (extname(path).toLowerCase() !== extension) throw new InputError(`${flag} ${path}: expected a file name ending in ${extension}`);
  const folder = dirname(path);
  const info = await stat(folder).catch(() => undefined);
  if (!info) throw new InputError(`${flag} ${path}: the folder ${folder} does not exist`);
  if (!info.isDirectory()) throw new InputError(`${flag} ${path}: ${folder} is not a folder`);
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new InputError(`${flag} ${path}: the folder ${folder} is not writable`);
  }
  if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new InputError(`${flag} ${path}: is a folder`);
  return path;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw inputFileError(path, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: ${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Runs a library step, turning its argument errors into the command's (exit 2), naming the input and the flags. */
function checked<T>(context: ErrorContext, step: () => T): T {
  try {
    return step();
  } catch (error) {
    const { code, message } = classify(error, context);
    if (code === 2) throw new InputError(message);
    throw error;
  }
}

interface Probed {
  readonly report: ProbeReport;
  /** What was probed, for the title and the report. */
  readonly description: string;
  /** The initializers the layers use, for the plot's label and the report. */
  readonly initializers: string;
}

async function probeInput(input: string, flags: DiagnoseFlags, setContext: (context: ErrorContext) => void): Promise<Probed> {
  const seed = parseSeedFlag(flags.seed);
  const policy = parsePolicyFlag(flags.policy);
  if (policy === 'model') throw new InputError('--policy model: applies to TF.js model files, whose layers name their initializers; diagnose reads a spec, or a checkpoint with its spec');
  const ruleTexts = flags.rule ?? [];
  const rules = ruleTexts.map(parseRuleFlag);
  const batch = positiveIntegerFlag('--batch', flags.batch);
  const steps = positiveIntegerFlag('--steps', flags.steps);
  const spatial = spatialFlag(flags.spatial);
  const bins = positiveIntegerFlag('--bins', flags.bins);
  const range = rangeFlag(flags.range);
  // The probe and the plots load only when the command runs: the other commands start without them.
  const [{ probe }, { initializersOf }] = await Promise.all([import('../diagnose/probe.js'), import('../diagnose/plot/views.js')]);
  const common: ProbeOptions = {
    ...(seed !== undefined ? { seed } : {}), ...(batch ? { batch } : {}), ...(steps ? { steps } : {}), ...(spatial ? { spatial } : {}),
    ...(bins ? { bins } : {}), ...(range ? { range } : {}), singularValues: singularFlag(flags.singularValues),
  };

  if (input.endsWith('.safetensors')) {
    if (flags.spec === undefined) {
      throw new InputError(`${input}: a checkpoint's tensors do not say how its layers connect or which activations follow them; give --spec model.json, the spec whose parameter names are the tensors' names`);
    }
    if (flags.policy !== undefined || ruleTexts.length) {
      throw new InputError(`${flags.policy !== undefined ? '--policy' : '--rule'}: initializes a spec; ${input} has its weights already, and they are probed as they are`);
    }
    const spec = await readJson(flags.spec, 'the spec');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(input));
    } catch (error) {
      throw inputFileError(input, error);
    }
    const { tensors } = readSafetensors(bytes, { file: input });
    const weights = new Map<string, WeightValues>();
    for (const t of tensors) {
      const values = tensorValues(t);
      if (values !== undefined && /^(F|BF)\d+$/.test(t.dtype)) weights.set(t.name, values as WeightValues);
    }
    const context: ErrorContext = { file: `${input} (with --spec ${flags.spec})` };
    setContext(context);
    const report = checked(context, () => probe({ spec: spec as ModelSpecInput, weights }, common));
    return { report, description: `${basename(input)}'s weights (spec ${basename(flags.spec)})`, initializers: initializersOf(report) };
  }
  if (flags.spec !== undefined) throw new InputError(`--spec: applies to .safetensors inputs; ${input} is a spec itself`);
  if (!input.endsWith('.json')) throw new InputError(`${input}: unknown input type; expected a model spec (.json) or a .safetensors checkpoint with --spec`);
  const spec = await readJson(input, 'the spec');
  // Rules given as flags apply after the spec's own (the last match wins), as nninit init applies them.
  const specRules = spec !== null && typeof spec === 'object' && Array.isArray((spec as { rules?: unknown }).rules) ? (spec as { rules: RuleSpec[] }).rules : [];
  const context: ErrorContext = { file: input, specRules: specRules.length, ruleTexts };
  setContext(context);
  const options: ProbeOptions = { ...common, ...(policy !== undefined ? { policy } : {}), ...(rules.length ? { rules: [...specRules, ...rules] } : {}) };
  const report = checked(context, () => probe(spec as ModelSpecInput, options));
  return { report, description: basename(input), initializers: initializersOf(report) };
}

const percent = (x: number) => (x === 0 ? '0%' : `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`);
/** A statistic: NaN where values overflowed (the table's '–' means not applicable). */
const statistic = (x: number) => (Number.isNaN(x) ? 'NaN' : figure(x));
const ratioTo = (value: number, reference: number) => (reference > 0 ? statistic(value / reference) : '–');

/** One row per layer: what the table and the Markdown report show. */
function layerRows(report: ProbeReport): { columns: Column[]; rows: string[][] } {
  const columns: Column[] = [
    { title: '#', numeric: true }, { title: 'layer' }, { title: 'type' }, { title: 'activation' }, { title: 'initializer' },
    { title: 'units', numeric: true }, { title: 'out mean', numeric: true }, { title: 'out std', numeric: true }, { title: '× input', numeric: true },
    { title: 'grad std', numeric: true }, { title: 'saturated', numeric: true }, { title: 'dead', numeric: true }, { title: 'distinct', numeric: true },
    { title: 'σmax/σmin' },
  ];
  const rows = report.layers.map((l: LayerReport, i) => [
    String(i + 1), l.name, l.type, l.activation, l.initializer ?? '–', String(l.units), statistic(l.post.mean), statistic(l.post.std),
    ratioTo(l.post.std, report.input.std), statistic(l.gradientInputStd), percent(l.saturatedFraction), percent(l.deadFraction),
    String(l.distinctUnits), l.singularValues ? `${figure(l.singularValues.max)}/${figure(l.singularValues.min)}` : '–',
  ]);
  return { columns, rows };
}

function summaryText(input: string, probed: Probed, written: readonly string[]): string {
  const { report } = probed;
  const { columns, rows } = layerRows(report);
  const lines = [
    `nninit diagnose ${input}: ${report.layers.length} layers, batch ${report.batch}, seed ${report.seed}; input std ${figure(report.input.std)}, loss ${figure(report.loss)}`,
    '',
    formatTable(columns, rows),
    '',
    ...(report.warnings.length ? [`${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}:`, ...report.warnings.map((w) => `  ${w.kind}: ${w.message}`)] : ['no warnings: no layer vanishes, explodes, overflows, saturates, or has dead or copied units']),
    ...(written.length ? ['', `wrote ${written.join(', ')}`] : []),
    '',
  ];
  return lines.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The Markdown report: warnings in words, the plots, and the per-layer table. */
export function markdownReport(input: string, probed: Probed, plotLink: string | undefined): string {
  const { report } = probed;
  const { columns, rows } = layerRows(report);
  const T = WARNING_THRESHOLDS;
  const out = [
    `# nninit diagnose: ${input}`,
    '',
    `${probed.description}: ${report.layers.length} layers probed with a batch of ${report.batch} samples${report.layers[0]?.type === 'embedding' ? ' of token ids' : ' of N(0, 1)'} (seed ${report.seed}); `
      + `the backward pass starts from the loss sum(output · R), R a fixed random projection (loss ${figure(report.loss)}). Input std ${figure(report.input.std)}. Initializers: ${probed.initializers}.`,
    '',
    '## Warnings',
    '',
    ...(report.warnings.length
      ? report.warnings.map((w) => `- **${w.kind}** at \`${w.layer}\`: ${w.message}`)
      : [`None: no layer's output std falls below ${T.vanishing} or rises above ${T.exploding} times the input's or grows more than ${T.growth} times in one layer, no gradient falls or rises so against the last layer's, no value overflows float32, and no layer has more than ${100 * T.saturated}% saturated outputs, more than ${100 * T.dead}% dead units, or units that copy one another.`]),
    '',
    ...(plotLink ? ['## Plots', '', `![Activation and gradient std per layer, saturation, dead units and histograms of ${input}](${plotLink})`, ''] : []),
    '## Layers',
    '',
    `Per layer in forward order: output (post-activation) mean and std, its ratio to the input's std, the std of the gradient reaching the layer's input, the fraction of outputs saturated and of units dead, the units that differ over the batch, and for square weights the extreme singular values. NaN marks values that overflowed float32.`,
    '',
    `| ${columns.map((c) => cell(c.title)).join(' | ')} |`,
    `|${columns.map((c) => (c.numeric ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map((value, i) => (i === 1 ? `\`${cell(value)}\`` : cell(value))).join(' | ')} |`),
    '',
  ];
  return out.join('\n');
}

/** What every plot this command writes carries (its title): a file with it may be replaced by a rerun. */
const PLOT_SIGNATURE = 'aria-label="nninit diagnose: ';

/** Writes every file to a temporary name beside it, then renames them all: no output name holds a partial file. */
async function writeTogether(files: readonly { path: string; text: string }[]): Promise<void> {
  const temps = files.map((f) => temporaryPath(f.path));
  try {
    for (const [i, file] of files.entries()) {
      const handle = await open(temps[i], 'wx', 0o644);
      try {
        await writeFully(handle, new TextEncoder().encode(file.text), 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const [i, file] of files.entries()) await renameTemporary(temps[i], file.path);
    for (const folder of new Set(files.map((f) => dirname(f.path)))) await syncFolder(folder);
  } catch (error) {
    for (const temp of temps) await removeTemporary(temp);
    throw error;
  }
}

/** JSON with non-finite numbers as null (a diverged probe's Infinity and NaN). */
const json = (value: unknown) => `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;

export async function diagnoseCommand(input: string, flags: DiagnoseFlags, io: CliIo, setContext: (context: ErrorContext) => void): Promise<number> {
  // Every flag and output path is checked, and the probe run, before anything is written.
  const reportPath = flags.report !== undefined ? await outputPath('--report', flags.report, '.md') : undefined;
  let plotPath = flags.plot !== undefined ? await outputPath('--plot', flags.plot, '.svg') : undefined;
  if (reportPath && !plotPath) {
    // The report's plots go beside it, as NAME.svg: a file of that name is replaced only if it is this command's
    // own plot (a rerun); anything else there is refused rather than overwritten.
    plotPath = join(dirname(reportPath), `${basename(reportPath, extname(reportPath))}.svg`);
    const existing = await readFile(plotPath, 'utf8').catch(() => undefined);
    if (existing !== undefined && !existing.includes(PLOT_SIGNATURE)) {
      throw new InputError(`--report ${reportPath}: its plots would replace ${plotPath}, which exists and is not a plot written by nninit diagnose; name another file with --plot`);
    }
  }
  if (plotPath && reportPath && plotPath === reportPath) throw new InputError(`--plot and --report name the same file, ${plotPath}`);
  const probed = await probeInput(input, flags, setContext);
  const files: { path: string; text: string }[] = [];
  if (plotPath) {
    const { plotProbe } = await import('../diagnose/plot/views.js');
    files.push({ path: plotPath, text: plotProbe({ label: probed.initializers, report: probed.report }, { title: `nninit diagnose: ${probed.description}` }) });
  }
  if (reportPath) {
    const link = plotPath ? relative(dirname(reportPath), plotPath).split('\\').join('/') : undefined;
    files.push({ path: reportPath, text: markdownReport(input, probed, link) });
  }
  io.signal?.throwIfAborted();
  if (files.length) await writeTogether(files);
  const written = files.map((f) => f.path);
  io.stdout.write(flags.json ? json({ input, ...(flags.spec ? { spec: flags.spec } : {}), files: written, report: probed.report }) : summaryText(input, probed, written));
  return EXIT_OK;
}
