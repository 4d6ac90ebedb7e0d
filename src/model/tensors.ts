// Planning without a spec: from parameter descriptors (a graph reader's output), or from a bare list of named
// tensors (a checkpoint), recognized by the naming conventions of PyTorch/Hugging Face and Keras.

import { computeFans, type Layout } from '../core/fans.js';
import type { Dtype } from '../core/output.js';
import type { Seed } from '../core/seed.js';
import { ACTIVATION_NAMES } from './activations.js';
import { checkKeys, isPlainObject, joinPath, pathRangeError, pathTypeError } from './errors.js';
import { planFromDescriptors } from './plan.js';
import type { PolicySetting } from './policies.js';
import { parseRules, type RuleSpec } from './rules.js';
import { freshSeed53 } from './seeds.js';
import { parsePolicy, parseSeed, type PolicySpec } from './spec.js';
import type { BlockStructure, LayerKind, ParameterDescriptor, ParameterPlan, ParameterRole } from './types.js';

/** Options of planTensors and planDescriptors: as planModel's, without a layout (each tensor has its own). */
export interface PlanOptions {
  seed?: Seed | string;
  policy?: PolicySpec;
  rules?: RuleSpec[];
  dtype?: Dtype;
}

/** A tensor of a checkpoint: its name and shape. */
export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
}

const KINDS: readonly LayerKind[] = ['dense', 'conv', 'embedding', 'norm', 'recurrent', 'attention', 'param'];
const ROLES: readonly ParameterRole[] = [
  'weight', 'bias', 'embedding', 'scale', 'shift', 'runningMean', 'runningVariance', 'batchCount',
  'input', 'recurrent', 'recurrentBias', 'inProjection', 'inProjectionBias', 'outProjection', 'outProjectionBias', 'param',
];
const DTYPES: readonly Dtype[] = ['float32', 'float64', 'float16', 'bfloat16'];

function settingsOf(fn: string, options: PlanOptions | undefined): { seed: Seed; policy: PolicySetting; rules: ReturnType<typeof parseRules>; dtype: Dtype } {
  if (options !== undefined && !isPlainObject(options)) throw pathTypeError(fn, 'options', 'an object', options);
  const o: Record<string, unknown> = options ?? {};
  checkKeys(fn, 'options', o, ['seed', 'policy', 'rules', 'dtype']);
  if (o.dtype !== undefined && !DTYPES.includes(o.dtype as Dtype)) throw pathRangeError(fn, 'options.dtype', `one of ${DTYPES.join(', ')}`, o.dtype);
  return {
    seed: o.seed === undefined ? freshSeed53() : parseSeed(fn, 'options.seed', o.seed),
    policy: o.policy === undefined ? { name: 'activation' } : parsePolicy(fn, 'options.policy', o.policy),
    rules: parseRules(fn, o.rules, 'options.rules'),
    dtype: (o.dtype as Dtype | undefined) ?? 'float32',
  };
}

function checkDescriptor(fn: string, path: string, d: unknown): ParameterDescriptor {
  if (!isPlainObject(d)) throw pathTypeError(fn, path, 'a parameter descriptor', d);
  if (typeof d.name !== 'string' || d.name === '') throw pathTypeError(fn, joinPath(path, 'name'), 'a non-empty string', d.name);
  if (!Array.isArray(d.shape) || d.shape.some((n) => typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)) {
    throw pathTypeError(fn, joinPath(path, 'shape'), 'an array of non-negative integers', d.shape);
  }
  if (d.layout !== 'torch' && d.layout !== 'keras') throw pathRangeError(fn, joinPath(path, 'layout'), "'torch' or 'keras'", d.layout);
  if (!KINDS.includes(d.kind as LayerKind)) throw pathRangeError(fn, joinPath(path, 'kind'), `one of ${KINDS.join(', ')}`, d.kind);
  if (!ROLES.includes(d.role as ParameterRole)) throw pathRangeError(fn, joinPath(path, 'role'), `one of ${ROLES.join(', ')}`, d.role);
  for (const key of ['fanIn', 'fanOut'] as const) {
    if (typeof d[key] !== 'number' || !Number.isFinite(d[key]) || (d[key] as number) < 0) throw pathTypeError(fn, joinPath(path, key), 'a non-negative number', d[key]);
  }
  if (d.activation !== undefined) {
    const activation = d.activation as { name?: unknown };
    if (!isPlainObject(activation) || !ACTIVATION_NAMES.includes(activation.name as never)) {
      throw pathRangeError(fn, joinPath(path, 'activation'), `{ name, slope? } with a name among ${ACTIVATION_NAMES.join(', ')}`, d.activation);
    }
  }
  if (d.blocks !== undefined) {
    const blocks = d.blocks as Partial<BlockStructure>;
    const shape = d.shape as number[];
    if (!isPlainObject(blocks) || typeof blocks.axis !== 'number' || typeof blocks.count !== 'number' || !Array.isArray(blocks.labels)
      || blocks.labels.length !== blocks.count || shape[blocks.axis] === undefined || shape[blocks.axis] % blocks.count !== 0) {
      throw pathRangeError(fn, joinPath(path, 'blocks'), '{ axis, count, labels } splitting that axis into count equal blocks', d.blocks);
    }
  }
  return { layer: '', ...d } as unknown as ParameterDescriptor;
}

/**
 * Plans parameters described by a reader (an ONNX or TF.js graph, say) rather than a spec: each descriptor says
 * what the parameter is (kind, role, activation, fans, blocks, layout) and the policy's table picks the call.
 *
 * @example planDescriptors([{ name: 'fc.W', shape: [784, 256], layout: 'keras', kind: 'dense', role: 'weight',
 *            activation: { name: 'relu' }, fanIn: 784, fanOut: 256, layer: 'fc' }], { seed: 1 })
 */
export function planDescriptors(descriptors: readonly ParameterDescriptor[], options?: PlanOptions): ParameterPlan[] {
  const fn = 'planDescriptors';
  if (!Array.isArray(descriptors)) throw pathTypeError(fn, 'descriptors', 'an array of parameter descriptors', descriptors);
  const checked = descriptors.map((d, i) => checkDescriptor(fn, `descriptors[${i}]`, d));
  return planFromDescriptors(fn, checked, settingsOf(fn, options));
}

// ---- recognizing checkpoint tensors -----------------------------------------------------------------------------

interface Named {
  readonly name: string;
  readonly shape: readonly number[];
  readonly parent: string;
  readonly leaf: string;
  /** Last segment of the parent ('c_attn' of 'h.0.attn.c_attn'). */
  readonly module: string;
  /** The segment before it ('attn'). */
  readonly owner: string;
}

function split(tensor: TensorInfo): Named {
  const clean = tensor.name.replace(/:\d+$/, '');
  const cut = Math.max(clean.lastIndexOf('.'), clean.lastIndexOf('/'));
  const parent = cut < 0 ? '' : clean.slice(0, cut);
  const segments = parent.split(/[./]/);
  return { name: tensor.name, shape: tensor.shape, parent, leaf: clean.slice(cut + 1), module: segments[segments.length - 1] ?? '', owner: segments[segments.length - 2] ?? '' };
}

const EMBEDDING = /emb|^wte$|^wpe$|^shared$/i;
/** Modules whose output is added to the residual stream (GPT-2's c_proj, attention out projections, LLaMA's down_proj). */
const RESIDUAL = ['c_proj', 'out_proj', 'o_proj', 'down_proj', 'attention_output'];
const QKV = ['q_proj', 'k_proj', 'v_proj', 'query', 'key', 'value'];
const GATE_LABELS: Record<number, { cell: 'lstm' | 'gru' | 'rnn'; torch: string[]; keras: string[] }> = {
  4: { cell: 'lstm', torch: ['i', 'f', 'g', 'o'], keras: ['i', 'f', 'c', 'o'] },
  3: { cell: 'gru', torch: ['r', 'z', 'n'], keras: ['z', 'r', 'h'] },
  1: { cell: 'rnn', torch: ['h'], keras: ['h'] },
};

type Partial_ = Omit<ParameterDescriptor, 'name' | 'shape' | 'layer'>;

/** Fans of a plain weight in a layout. */
function shapeFans(shape: readonly number[], layout: Layout) {
  const fans = computeFans(shape as number[], layout);
  return { fanIn: fans.fanIn, fanOut: fans.fanOut };
}

function recurrentOf(t: Named, hidden: Named | undefined, layout: Layout, role: ParameterRole, input?: Named): Partial_ | undefined {
  if (!hidden || hidden.shape.length !== 2) return undefined;
  const units = layout === 'torch' ? hidden.shape[1] : hidden.shape[0];
  const total = layout === 'torch' ? hidden.shape[0] : hidden.shape[1];
  const gates = GATE_LABELS[units > 0 ? total / units : 0];
  if (!gates) return undefined;
  const inputs = input ? (layout === 'torch' ? input.shape[1] : input.shape[0]) : units;
  const axis = layout === 'torch' || t.shape.length === 1 ? 0 : t.shape.length - 1;
  const blocks = { axis, count: gates[layout].length, labels: gates[layout] };
  const fans = role === 'recurrent' || role === 'recurrentBias' ? { fanIn: units, fanOut: units } : { fanIn: inputs, fanOut: units };
  return { layout, kind: 'recurrent', role, cell: gates.cell, units, blocks, ...fans };
}

/**
 * What a tensor is, from its name and shape and its siblings'; undefined when no convention applies.
 * - PyTorch / Hugging Face: `*.weight` and `*.bias` of Linear [out, in], Conv [out, in/groups, ...k], Embedding
 *   (module names containing 'emb', GPT-2's wte and wpe), LayerNorm/BatchNorm/RMSNorm (rank 1); running_mean,
 *   running_var, num_batches_tracked; weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (gates from the
 *   shape: 4 LSTM, 3 GRU, 1 RNN); in_proj_weight, in_proj_bias; q_proj/k_proj/v_proj, out_proj/o_proj; GPT-2's
 *   c_attn, c_proj and c_fc, as HF's Conv1D ([in, out], detected by c_attn's [dim, 3 dim]) or nanoGPT's Linear.
 * - Keras: `kernel` (Dense [in, out], Conv [...k, in, out], MultiHeadAttention query/key/value/attention_output),
 *   `recurrent_kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`, `scale`, `embeddings`; names
 *   may use '/' and end in ':0'.
 * Outputs of c_proj, out_proj, o_proj, down_proj and attention_output are residual projections; c_fc is followed
 * by GELU (GPT-2); other activations are unknown (the activation policy then treats the layer as linear).
 */
function recognize(t: Named, siblings: Map<string, Named>, conv1d: boolean): Partial_ | undefined {
  const rank = t.shape.length;
  const residual = RESIDUAL.includes(t.module) ? { residualOutput: true } : {};
  const norm = (role: ParameterRole, trainable = true): Partial_ =>
    ({ layout: 'torch', kind: 'norm', role, fanIn: t.shape[0] ?? 1, fanOut: t.shape[0] ?? 1, ...(trainable ? {} : { trainable: false }) });

  const recurrentLeaf = /^(weight|bias)_(ih|hh)(_l\d+(?:_reverse)?)$/.exec(t.leaf);
  if (recurrentLeaf) {
    const [, kind, which, tag] = recurrentLeaf;
    const role: ParameterRole = kind === 'weight' ? (which === 'ih' ? 'input' : 'recurrent') : which === 'ih' ? 'bias' : 'recurrentBias';
    return recurrentOf(t, siblings.get(`weight_hh${tag}`), 'torch', role, siblings.get(`weight_ih${tag}`));
  }
  switch (t.leaf) {
    case 'weight': {
      if (rank === 1) return norm('scale');
      if (rank >= 3) return { layout: 'torch', kind: 'conv', role: 'weight', ...shapeFans(t.shape, 'torch') };
      if (rank !== 2) return undefined;
      if (EMBEDDING.test(t.module)) return { layout: 'torch', kind: 'embedding', role: 'embedding', fanIn: t.shape[1], fanOut: t.shape[0] };
      const gpt = ['c_attn', 'c_proj', 'c_fc'].includes(t.module);
      const layout: Layout = gpt && conv1d ? 'keras' : 'torch';
      const fans = shapeFans(t.shape, layout);
      const attentionOutput = t.module === 'out_proj' || t.module === 'o_proj' || (t.module === 'c_proj' && /attn|attention/.test(t.owner));
      if (t.module === 'c_attn') {
        return { layout, kind: 'attention', role: 'inProjection', fanIn: fans.fanIn, fanOut: fans.fanOut / 3, blocks: { axis: layout === 'torch' ? 0 : 1, count: 3, labels: ['q', 'k', 'v'] } };
      }
      if (QKV.includes(t.module)) return { layout, kind: 'attention', role: 'inProjection', ...fans };
      if (attentionOutput) return { layout, kind: 'attention', role: 'outProjection', ...fans, residualOutput: true };
      return { layout, kind: 'dense', role: 'weight', ...fans, ...residual, ...(t.module === 'c_fc' ? { activation: { name: 'gelu' } } : {}) };
    }
    case 'kernel': {
      const recurrentKernel = siblings.get('recurrent_kernel');
      if (recurrentKernel) return recurrentOf(t, recurrentKernel, 'keras', 'input', t);
      if (rank === 3 && ['query', 'key', 'value'].includes(t.module)) {
        return { layout: 'keras', kind: 'attention', role: 'inProjection', fanIn: t.shape[0], fanOut: t.shape[0], heads: t.shape[1] };
      }
      if (rank === 3 && t.module === 'attention_output') {
        return { layout: 'keras', kind: 'attention', role: 'outProjection', fanIn: t.shape[2], fanOut: t.shape[2], heads: t.shape[0], residualOutput: true };
      }
      if (rank === 2) return { layout: 'keras', kind: 'dense', role: 'weight', ...shapeFans(t.shape, 'keras'), ...residual };
      if (rank >= 3) return { layout: 'keras', kind: 'conv', role: 'weight', ...shapeFans(t.shape, 'keras') };
      return undefined;
    }
    case 'recurrent_kernel':
      return recurrentOf(t, t, 'keras', 'recurrent');
    case 'bias': {
      const recurrentKernel = siblings.get('recurrent_kernel');
      if (recurrentKernel) return recurrentOf(t, recurrentKernel, 'keras', 'bias', siblings.get('kernel'));
      const weight = siblings.get('weight') ?? siblings.get('kernel');
      const owner = weight && recognize(weight, siblings, conv1d);
      if (!owner) return undefined;
      const role: ParameterRole | undefined = owner.kind === 'norm' ? 'shift'
        : owner.role === 'inProjection' ? 'inProjectionBias' : owner.role === 'outProjection' ? 'outProjectionBias'
        : owner.role === 'weight' ? 'bias' : undefined;
      if (!role) return undefined;
      const { residualOutput: _residual, activation: _activation, blocks, ...rest } = owner;
      const biasBlocks = blocks && t.shape.length === 1 ? { ...blocks, axis: 0 } : undefined;
      return { ...rest, role, ...(biasBlocks ? { blocks: biasBlocks } : {}) };
    }
    case 'in_proj_weight':
      return rank === 2 ? { layout: 'torch', kind: 'attention', role: 'inProjection', fanIn: t.shape[1], fanOut: t.shape[1], blocks: { axis: 0, count: 3, labels: ['q', 'k', 'v'] } } : undefined;
    case 'in_proj_bias':
      return rank === 1 ? { layout: 'torch', kind: 'attention', role: 'inProjectionBias', fanIn: t.shape[0] / 3, fanOut: t.shape[0] / 3, blocks: { axis: 0, count: 3, labels: ['q', 'k', 'v'] } } : undefined;
    case 'running_mean': return rank === 1 ? norm('runningMean', false) : undefined;
    case 'running_var': return rank === 1 ? norm('runningVariance', false) : undefined;
    case 'num_batches_tracked': return rank === 0 ? norm('batchCount', false) : undefined;
    case 'gamma': case 'scale': return rank === 1 ? { ...norm('scale'), layout: 'keras' } : undefined;
    case 'beta': return rank === 1 ? { ...norm('shift'), layout: 'keras' } : undefined;
    case 'moving_mean': return rank === 1 ? { ...norm('runningMean', false), layout: 'keras' } : undefined;
    case 'moving_variance': return rank === 1 ? { ...norm('runningVariance', false), layout: 'keras' } : undefined;
    case 'embeddings': return rank === 2 ? { layout: 'keras', kind: 'embedding', role: 'embedding', fanIn: t.shape[1], fanOut: t.shape[0] } : undefined;
    default: return undefined;
  }
}

/**
 * What each tensor of a checkpoint is, in the order given: a descriptor, or undefined for a tensor no naming
 * convention covers.
 */
export function describeTensors(tensors: readonly TensorInfo[], fn = 'describeTensors'): (ParameterDescriptor | undefined)[] {
  if (!Array.isArray(tensors)) throw pathTypeError(fn, 'tensors', 'an array of { name, shape }', tensors);
  const named = tensors.map((tensor, i) => {
    const path = `tensors[${i}]`;
    if (!isPlainObject(tensor)) throw pathTypeError(fn, path, 'a tensor { name, shape }', tensor);
    if (typeof tensor.name !== 'string' || tensor.name === '') throw pathTypeError(fn, `${path}.name`, 'a non-empty string', tensor.name);
    const shape: unknown = tensor.shape;
    if (!Array.isArray(shape) || shape.some((n) => typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)) {
      throw pathTypeError(fn, `${path}.shape`, 'an array of non-negative integers', shape);
    }
    return split({ name: tensor.name, shape: shape as number[] });
  });
  const byParent = new Map<string, Map<string, Named>>();
  for (const t of named) {
    const group = byParent.get(t.parent) ?? new Map<string, Named>();
    group.set(t.leaf, t);
    byParent.set(t.parent, group);
  }
  // HF's GPT-2 stores c_attn/c_proj/c_fc as Conv1D, [in, out]; nanoGPT as Linear, [out, in].
  const conv1d = named.some((t) => t.module === 'c_attn' && t.leaf === 'weight' && t.shape.length === 2 && t.shape[1] === 3 * t.shape[0]);
  return named.map((t) => {
    const found = recognize(t, byParent.get(t.parent)!, conv1d);
    if (!found) return undefined;
    if (found.kind === 'norm') {
      const siblings = byParent.get(t.parent)!;
      const layerType = siblings.has('running_mean') || siblings.has('moving_mean') ? 'batchnorm' : siblings.has('bias') || siblings.has('beta') ? 'layernorm' : 'rmsnorm';
      return { ...found, layerType, name: t.name, shape: t.shape, layer: t.parent };
    }
    if (found.kind === 'attention' && t.module === 'out_proj') {
      // nn.MultiheadAttention's out_proj sits beside its in_proj_weight; HF's out_proj beside q_proj is a Linear.
      const owner = t.parent.slice(0, Math.max(0, t.parent.length - t.module.length - 1));
      if (byParent.get(owner)?.has('in_proj_weight')) return { ...found, fused: true, name: t.name, shape: t.shape, layer: t.parent };
    }
    return { ...found, name: t.name, shape: t.shape, layer: t.parent };
  });
}

/**
 * Plans a checkpoint's tensors (name and shape, no spec): each is recognized by the naming conventions (see
 * describeTensors) and planned by the policy; rules cover the rest, and a tensor that neither covers is an error
 * naming it. Plan entries keep the input order and names; the stream contract is planModel's.
 *
 * @example planTensors([{ name: 'h.0.mlp.c_fc.weight', shape: [768, 3072] }, ...], { policy: 'gpt2', seed: 1 })
 */
export function planTensors(tensors: readonly TensorInfo[], options?: PlanOptions): ParameterPlan[] {
  const fn = 'planTensors';
  const settings = settingsOf(fn, options);
  const described = describeTensors(tensors, fn);
  const uncovered: string[] = [];
  const descriptors = described.map((d, i): ParameterDescriptor => {
    if (d) return d;
    const { name, shape } = tensors[i];
    if (!settings.rules.some((rule) => rule.pattern.test(name))) uncovered.push(`"${name}" [${shape.join(', ')}]`);
    return { name, shape, layout: 'torch', kind: 'param', role: 'param', fanIn: 0, fanOut: 0, layer: split(tensors[i]).parent };
  });
  if (uncovered.length > 0) {
    throw new RangeError(`nninit.${fn}: no naming convention or rule covers ${uncovered.length === 1 ? 'tensor' : `${uncovered.length} tensors`} ${uncovered.slice(0, 8).join(', ')}${uncovered.length > 8 ? ', ...' : ''}; add a rule such as { match: ${JSON.stringify(tensors[described.indexOf(undefined)].name)}, init: 'zeros' }`);
  }
  return planFromDescriptors(fn, descriptors, settings);
}
