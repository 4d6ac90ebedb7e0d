// explain: the plan as an aligned text table, with totals. It only reads the plan.

import type { Dtype } from '../core/output.js';
import { planSpec } from './plan.js';
import { short } from './policies.js';
import type { Options } from './registry.js';
import type { ModelOptions, ModelSpecInput } from './spec.js';
import { describeTorchSteps } from './torch-rng.js';
import type { ParameterPlan } from './types.js';

const BYTES: Record<Dtype, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8 };

const grouped = (n: number) => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function binary(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * The width of each column of a text table: its widest cell or title. A loop, not Math.max(...cells): spreading
 * a column of 125,000 cells as arguments overflows V8's stack.
 */
export function columnWidths(titles: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const widths = titles.map((title) => title.length);
  for (const row of rows) {
    for (let c = 0; c < widths.length; c++) if (row[c].length > widths[c]) widths[c] = row[c].length;
  }
  return widths;
}

/**
 * Rows under titles as aligned text: each column as wide as its widest cell, two spaces apart, trailing spaces
 * trimmed. Columns marked numeric are right-aligned; the others are left-aligned, and the last is not padded.
 */
export function textTable(titles: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = []): string {
  const widths = columnWidths(titles, rows);
  const line = (cells: readonly string[]) => cells
    .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : c === cells.length - 1 ? cell : cell.padEnd(widths[c])))
    .join('  ')
    .trimEnd();
  return [line(titles), ...rows.map(line)].join('\n');
}

/** An option's value in a call's spelling: numbers to four digits, arrays in brackets, long ones cut after four. */
function optionText(value: unknown): string {
  if (typeof value === 'number') return short(value);
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    const values = Array.from(value as ArrayLike<unknown>, optionText);
    return values.length <= 4 ? `[${values.join(', ')}]` : `[${values.slice(0, 3).join(', ')}, … ${values.length} values]`;
  }
  return String(value);
}

/** A compact spelling of one call: `heNormal(nonlinearity=relu)`, `uniform(±0.03608)`, `normal(std=0.02)`. */
export function describeCall(initializer: string, options: Options): string {
  const { layout: _layout, ...rest } = options;
  const keys = Object.keys(rest);
  if (initializer === 'uniform' && keys.length === 2 && typeof rest.low === 'number' && rest.low === -(rest.high as number)) {
    return `uniform(±${short(rest.high as number)})`;
  }
  if (initializer === 'truncatedNormal' && rest.lower === -2 && rest.upper === 2 && keys.length === 3) {
    return `truncatedNormal(std=${short(rest.std as number)}, ±2σ)`;
  }
  if (keys.length === 0) return initializer;
  return `${initializer}(${keys.map((key) => `${key}=${optionText(rest[key])}`).join(', ')})`;
}

/**
 * The initializer column of explain for one entry: `heNormal(nonlinearity=relu)`, `4 blocks × orthogonal(gain=1)`,
 * `torch kaiming_uniform_(a=√5)` (rng 'torch').
 */
export function describeInitializer(p: ParameterPlan): string {
  if (p.torch) return `torch ${describeTorchSteps(p.torch.steps)}`;
  if (!p.blocks) return describeCall(p.initializer, p.options);
  const calls = p.blocks.parts.map((part) => describeCall(part.initializer, part.options));
  const count = calls.length;
  return calls.every((call) => call === calls[0]) ? `${count} blocks × ${calls[0]}` : `${count} blocks: ${calls.join(' | ')}`;
}

/**
 * The plan as an aligned text table (name, shape, initializer, fanIn, fanOut, std, rule), a header with the
 * policy, layout, dtype and seed, and totals: tensors, parameter count (trainable and buffers) and bytes per
 * dtype.
 */
export function explainPlan(plan: readonly ParameterPlan[]): string {
  const first = plan[0];
  const layouts = [...new Set(plan.map((p) => p.layout))];
  const dtype = first?.dtype ?? 'float32';
  const nLayer = plan.find((p) => p.nLayer)?.nLayer;
  const policy = first ? `${first.policy}${nLayer ? ` (n_layer ${nLayer.value}${nLayer.counted ? ', counted from the attention layers' : ''})` : ''}` : '';
  const header = first
    ? `nninit plan: policy ${policy}${first.rng ? `, rng ${first.rng}` : ''}, layout ${layouts.join('+')}, dtype ${dtype}, seed ${first.seed}`
    : 'nninit plan: no parameters';
  const rows = plan.map((p) => [
    p.name, `[${p.shape.join(', ')}]`, describeInitializer(p), String(p.fanIn), String(p.fanOut), short(p.std), p.rule,
  ]);
  const titles = ['name', 'shape', 'initializer', 'fanIn', 'fanOut', 'std', 'rule'];
  const numeric = [false, false, false, true, true, true, false];
  const values = plan.reduce((sum, p) => sum + p.size, 0);
  const trainable = plan.reduce((sum, p) => sum + (p.trainable ? p.size : 0), 0);
  const buffers = values - trainable;
  const bytes = (Object.keys(BYTES) as Dtype[])
    .map((d) => `${d} ${grouped(values * BYTES[d])} (${binary(values * BYTES[d])})${d === dtype ? ' <-' : ''}`)
    .join(', ');
  const program = plan.find((p) => p.torch)?.torch?.program;
  const torchNote = first?.rng === 'torch'
    ? [`values: torch.manual_seed(${first.seed}), then the model's torch.nn modules built in order (${program?.modules.length ?? 0} of them draw) on PyTorch's generator; each drawn value depends on the modules before it`]
    : [];
  return [
    header,
    ...torchNote,
    '',
    textTable(titles, rows, numeric),
    '',
    `${plan.length} tensors, ${grouped(values)} values: ${grouped(trainable)} trainable parameters${buffers ? `, ${grouped(buffers)} in buffers` : ''}`,
    `bytes: ${bytes}`,
    ...streamNotes(plan),
    '',
  ].join('\n');
}

/**
 * What a reader of the plan should know: where a value could change although its own layer did not (the two
 * exceptions to the stream contract a spec controls: an n_layer counted from the attention layers, and layers named
 * by their index), and rules that decide nothing because later rules match all they match.
 */
function streamNotes(plan: readonly ParameterPlan[]): string[] {
  const notes: string[] = [];
  const counted = plan.find((p) => p.nLayer?.counted)?.nLayer;
  if (counted) {
    notes.push(`n_layer ${counted.value} is counted from the attention layers: adding or removing one rescales every residual projection; pin it with policy { name: '${plan[0].policy}', nLayer: ${counted.value} }`);
  }
  const deciding = new Set(plan.map((p) => p.chosenBy));
  const shadowed = new Map<string, string>();
  for (const p of plan) {
    for (const rule of p.overriddenRules ?? []) {
      if (!deciding.has(rule.slice(0, rule.indexOf(' '))) && !shadowed.has(rule)) shadowed.set(rule, `${p.name} goes to ${p.chosenBy}`);
    }
  }
  for (const [rule, example] of shadowed) {
    notes.push(`${rule} decides no parameter: later rules match every parameter it matches (${example}); the last matching rule wins, so remove it or move it after them`);
  }
  const unnamed = [...new Set(plan.flatMap((p) => p.indexNamed ?? []))];
  if (unnamed.length > 0) {
    const listed = unnamed.length > 6 ? `${unnamed.slice(0, 6).join(', ')} and ${unnamed.length - 6} more` : unnamed.join(', ');
    notes.push(`${unnamed.length === 1 ? 'a layer has' : `${unnamed.length} layers have`} no name and ${unnamed.length === 1 ? 'is' : 'are'} named by ${unnamed.length === 1 ? 'its' : 'their'} index (${listed}): inserting a layer before one renames its parameters and so changes their values; give ${unnamed.length === 1 ? 'it a name' : 'them names'}`);
  }
  return notes.length ? ['', 'notes:', ...notes.map((note) => `- ${note}`)] : [];
}

/**
 * explainPlan(planModel(spec, options)): what initModel would do, and why, without computing anything.
 *
 * @example console.log(explainModel(fs.readFileSync('examples/mlp-mixed.json', 'utf8')))
 */
export function explainModel(spec: ModelSpecInput | string, options?: ModelOptions): string {
  return explainPlan(planSpec('explainModel', spec, options).plan);
}

/**
 * A plan as JSON text, with seeds beyond 2^53 (bigints) as decimal strings, which JSON has no other exact
 * spelling for. Each entry of `JSON.parse(planToJSON(plan))` can be passed to initParameter, which reads a
 * decimal-string seed as the bigint: a plan can be sent to workers or other machines as text.
 *
 * @example initParameter(JSON.parse(planToJSON(planModel(spec)))[0])   // the same values as from the plan itself
 */
export function planToJSON(plan: readonly ParameterPlan[], space?: number | string): string {
  return JSON.stringify(plan, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), space);
}
