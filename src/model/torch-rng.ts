// rng 'torch': a model's values as PyTorch gives them. torch.manual_seed(seed), then the torch.nn module of each
// spec layer constructed in spec order (repeat and block containers expanded in order), all drawing from the one
// generator nninit/torch reproduces. The 'pytorch' policy names the same distributions; here the values are
// PyTorch's own, and each depends on every module built before it, so the stream contract does not cover them.

import { convertToHalf } from '../core/half.js';
import { planOutput, type OutputOptions, type OutArray } from '../core/output.js';
import type { Seed } from '../core/seed.js';
import { describeTorchModule, planTorchModule, type TorchInit, type TorchModuleSpec } from '../torch/modules.js';
import { runTorchProgram, torchProgramParameter, type TorchProgram, type TorchProgramModule } from '../torch/program.js';
import { joinPath, pathRangeError, pathTypeError, rethrowAt } from './errors.js';
import { LAYER_TYPES, type ModelLayer } from './layers.js';
import { short } from './policies.js';
import { INITIALIZERS, INITIALIZER_NAMES } from './registry.js';
import { scoped, type ModelSpec } from './spec.js';
import type { ParameterPlan, TorchSource } from './types.js';

/** Initializers that draw nothing: the only ones a rule or a param layer may name with rng 'torch'. */
export const TORCH_RNG_FILLS = INITIALIZER_NAMES.filter((name) => !INITIALIZERS[name].random);

const FILLS_TEXT = `an initializer that draws nothing (${TORCH_RNG_FILLS.join(', ')}) with rng 'torch'`;

/** The spec's layers in construction order, containers expanded, each with its full name (as describeSpec names them). */
function* instances(layers: readonly ModelLayer[], scope: string): Generator<[string, ModelLayer]> {
  for (const layer of layers) {
    const full = scoped(scope, layer.name);
    if (layer.type === 'repeat' || layer.type === 'block') {
      for (const instance of LAYER_TYPES[layer.type].scopes!(layer as never)) yield* instances(layer.layers, scoped(full, instance));
    } else {
      yield [full, layer];
    }
  }
}

/**
 * The torch.nn module a spec layer is, or undefined for layers that draw nothing and are fills in the plan:
 * LayerNorm and BatchNorm (ones and zeros), RMSNorm (ones: nn.RMSNorm of PyTorch 2.4, and the usual hand-written
 * `nn.Parameter(torch.ones(dim))` before it) and param layers with a fill. Layers with no torch.nn equivalent are
 * a RangeError naming the JSON path.
 */
function torchModuleOf(fn: string, layer: ModelLayer): TorchModuleSpec | undefined {
  switch (layer.type) {
    case 'dense':
      return { type: 'linear', inFeatures: layer.in, outFeatures: layer.out, bias: layer.bias };
    case 'conv1d': case 'conv2d': case 'conv3d':
      return { type: layer.type, inChannels: layer.in, outChannels: layer.out, kernelSize: layer.kernel, groups: layer.groups, bias: layer.bias };
    case 'embedding':
      return { type: 'embedding', numEmbeddings: layer.vocab, embeddingDim: layer.dim };
    case 'layernorm': case 'batchnorm': case 'rmsnorm':
      return undefined;
    case 'lstm': case 'gru': case 'rnn':
      return {
        type: layer.type, inputSize: layer.in, hiddenSize: layer.units, numLayers: layer.numLayers, bias: layer.bias,
        bidirectional: layer.bidirectional, ...(layer.type === 'rnn' ? { nonlinearity: layer.activation } : {}),
      };
    case 'attention':
      if (!layer.fused) {
        throw pathRangeError(fn, joinPath(layer.path, 'fused'), "true with rng 'torch' (nn.MultiheadAttention keeps q, k and v in one in_proj_weight whenever kdim = vdim = embed_dim)", layer.fused);
      }
      return { type: 'multiheadAttention', embedDim: layer.dim, numHeads: layer.heads, bias: layer.bias };
    case 'param':
      if (INITIALIZERS[layer.init].random) throw pathRangeError(fn, joinPath(layer.path, 'init'), `${FILLS_TEXT} (a param layer is no torch.nn module, so PyTorch defines no draw for it)`, layer.init);
      return undefined;
    default:
      throw pathRangeError(fn, joinPath((layer as ModelLayer).path, 'type'), "a layer with a torch.nn module with rng 'torch'", (layer as ModelLayer).type);
  }
}

interface Owner {
  readonly module: number;
  readonly parameter: string;
  readonly shape: readonly number[];
  readonly steps: readonly TorchInit[];
}

/** A spec's modules that draw, in the order PyTorch builds them, and which module owns each parameter name. */
export interface TorchModel {
  readonly program: TorchProgram;
  readonly calls: readonly string[];
  readonly owners: ReadonlyMap<string, Owner>;
}

/**
 * The torch.nn modules of a parsed spec in construction order. Errors, naming the JSON path, for what rng
 * 'torch' cannot define: rules and param layers that would draw (PyTorch's draws are its modules'), unfused
 * attention, and module arguments PyTorch rejects.
 */
export function torchModel(fn: string, spec: ModelSpec): TorchModel {
  for (const rule of spec.rules) {
    if (INITIALIZERS[rule.init].random) {
      throw pathRangeError(fn, joinPath(rule.path, 'init'), `${FILLS_TEXT} (a fill equals nn.init's after the modules are built; a draw would need an order PyTorch does not define)`, rule.init);
    }
  }
  const modules: TorchProgramModule[] = [];
  const calls: string[] = [];
  const owners = new Map<string, Owner>();
  for (const [name, layer] of instances(spec.layers, '')) {
    const module = torchModuleOf(fn, layer);
    if (module === undefined) continue;
    let plan;
    try {
      plan = planTorchModule(module);
    } catch (error) {
      rethrowAt(fn, layer.path, error);
    }
    const index = modules.length;
    modules.push(Object.freeze({ name, spec: Object.freeze(module) }));
    calls.push(describeTorchModule(module));
    for (const parameter of plan.parameters) {
      const steps = plan.steps.filter((step) => step.parameter === parameter.name).map((step) => Object.freeze(step.init));
      owners.set(scoped(name, parameter.name), { module: index, parameter: parameter.name, shape: parameter.shape, steps });
    }
  }
  return { program: Object.freeze({ modules: Object.freeze(modules) }), calls, owners };
}

/** One init step in nn.init's words: 'kaiming_uniform_(a=√5)', 'uniform_(±0.0625)', 'zeros_'. */
export function describeTorchInit(init: TorchInit): string {
  switch (init.kind) {
    case 'kaimingUniform':
      return `kaiming_uniform_(a=${init.a === Math.sqrt(5) ? '√5' : short(init.a)})`;
    case 'uniform':
      return init.a === -init.b ? `uniform_(±${short(init.b)})` : `uniform_(${short(init.a)}, ${short(init.b)})`;
    case 'normal':
      return `normal_(${short(init.mean)}, ${short(init.std)})`;
    case 'xavierUniform':
      return init.gain === 1 ? 'xavier_uniform_' : `xavier_uniform_(gain=${short(init.gain)})`;
    case 'xavierNormal':
      return init.gain === 1 ? 'xavier_normal_' : `xavier_normal_(gain=${short(init.gain)})`;
    case 'constant':
      return init.value === 0 ? 'zeros_' : init.value === 1 ? 'ones_' : `constant_(${short(init.value)})`;
    case 'zeroRow':
      return `row ${init.row} zeroed`;
  }
}

export const describeTorchSteps = (steps: readonly TorchInit[]) => steps.map(describeTorchInit).join(' then ');

/** The value a nninit fill entry holds, to check it against the constant a module ends with. */
function fillValue(p: ParameterPlan): number | undefined {
  if (p.initializer === 'zeros') return 0;
  if (p.initializer === 'ones') return 1;
  if (p.initializer === 'constant') return p.options.value as number;
  return undefined;
}

/**
 * The pytorch policy's plan with PyTorch's values: every parameter whose module leaves it drawn becomes an
 * initializer 'torch' entry (whole, with its module); parameters the module leaves constant (LayerNorm,
 * MultiheadAttention's biases), parameters with no module (BatchNorm, RMSNorm, param fills) and parameters a
 * rule fills keep their fill. Every entry is marked rng 'torch'.
 */
export function withTorchSources(plan: readonly ParameterPlan[], model: TorchModel): ParameterPlan[] {
  const { program, calls, owners } = model;
  const count = program.modules.length;
  return plan.map((p): ParameterPlan => {
    const owner = owners.get(p.name);
    if (owner === undefined || p.chosenBy !== p.policy) return { ...p, rng: 'torch' };
    if (owner.shape.join() !== p.shape.join()) {
      throw new Error(`nninit: ${p.name} is [${p.shape.join(', ')}] in the spec and [${owner.shape.join(', ')}] in ${calls[owner.module]}`);
    }
    const last = owner.steps[owner.steps.length - 1];
    if (last === undefined || last.kind === 'constant') {
      const value = last?.kind === 'constant' ? last.value : undefined;
      if (value === undefined || fillValue(p) !== value) throw new Error(`nninit: ${p.name}: ${calls[owner.module]} leaves ${describeTorchSteps(owner.steps)}, the pytorch policy ${p.initializer}`);
      return { ...p, rng: 'torch' };
    }
    const { blocks: _blocks, ...rest } = p;
    const source: TorchSource = { program, module: owner.module, parameter: owner.parameter, call: calls[owner.module], steps: owner.steps };
    return {
      ...rest,
      initializer: 'torch',
      options: {},
      whole: true,
      random: true,
      rng: 'torch',
      rule: `${source.call}.${owner.parameter}, drawing module ${owner.module + 1} of ${count} (pytorch policy, rng torch)`,
      torch: source,
    };
  });
}

const torchSeed = (seed: Seed) => (typeof seed === 'number' ? BigInt(seed) : seed);

function checkSource(fn: string, p: ParameterPlan): TorchSource {
  const source = p.torch;
  if (source === undefined || typeof source !== 'object' || !Array.isArray(source.program?.modules) || source.program.modules[source.module] === undefined) {
    throw pathTypeError(fn, 'p.torch', "the module of an initializer 'torch' entry, as planModel gives it", source);
  }
  return source;
}

/** Elements [offset, offset + length) of float32 values in the requested dtype (halves rounded to nearest even). */
function writeSlice(fn: string, values: Float32Array, options: OutputOptions): OutArray {
  const output = planOutput(fn, values.length, options);
  const slice = values.subarray(output.offset, output.offset + output.length);
  const target = output.target();
  if ('bits' in target) convertToHalf(slice, target.bits, target.format);
  else target.set(slice);
  return output.result(target);
}

/** A slice of an initializer 'torch' entry: its module's draw, after passing over the modules before it. */
export function initTorchParameter(p: ParameterPlan, options: OutputOptions): OutArray {
  const source = checkSource('initParameter', p);
  const values = torchProgramParameter(source.program, torchSeed(p.seed), source.module, source.parameter);
  return writeSlice('initParameter', values, options);
}

/**
 * Every initializer 'torch' entry of a plan, from one run of its modules (those whose values are all replaced
 * by fills are passed over, not computed), in the plan's dtype: written into the arrays `outs` holds by name when
 * given (initModel allocates every array first), else new ones.
 */
export function initTorchEntries(plan: readonly ParameterPlan[], outs?: ReadonlyMap<string, OutArray>): Map<string, OutArray> {
  const drawn = plan.filter((p) => p.initializer === 'torch');
  const result = new Map<string, OutArray>();
  if (drawn.length === 0) return result;
  const source = checkSource('initModel', drawn[0]);
  const byName = new Map(drawn.map((p) => [p.name, p]));
  const values = runTorchProgram(source.program, torchSeed(drawn[0].seed), (name) => byName.has(name));
  for (const p of drawn) {
    const array = values.get(p.name)!;
    const out = outs?.get(p.name);
    result.set(p.name, out ? writeSlice('initModel', array, { dtype: p.dtype, out })
      : p.dtype === 'float32' ? array : writeSlice('initModel', array, { dtype: p.dtype }));
  }
  return result;
}
