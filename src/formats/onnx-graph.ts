// What each initializer of an ONNX graph is, read from the nodes that use it: the weight and bias of Conv (with
// groups), ConvTranspose, Gemm (with transB), MatMul (and the Add of its bias), the W, R and B of LSTM, GRU and RNN
// (ONNX's gate orders i o f c and z r h), the table of an embedding Gather, the scale and bias of
// LayerNormalization, BatchNormalization (and its running statistics), InstanceNormalization and
// GroupNormalization; and the activation after each layer, found by walking forward through ops that do not
// change which activation the values meet. The result is the model layer's ParameterDescriptor for each
// parameter, so the policies apply unchanged; initializers that feed shape and constant inputs are kept, and
// any other one is reported with the node that uses it. Pure: no Node built-ins.

import type { Activation } from '../model/activations.js';
import type { ParameterDescriptor } from '../model/types.js';
import { integer, type AttributeProto, type GraphProto, type NodeProto, type TensorProto } from './onnx-schema.js';

/** A parameter role read from the graph: the descriptor (without name and shape) and what was inferred, in words. */
export interface Claim {
  readonly descriptor: Omit<ParameterDescriptor, 'name'>;
  readonly node: string;
  readonly op: string;
  /** What was inferred, for explain: 'weight of Conv /conv1/Conv (group 1), fans 27/72, then relu'. */
  readonly what: string;
}

export type Inference =
  /**
   * `claims` holds every role the initializer has, in node order (PyTorch's exporter merges equal tensors, so one
   * initializer may stand for several parameters: a zero bias of a Linear and of two LayerNorms); never empty, and
   * the first one gives the parameter's descriptor.
   */
  | { readonly kind: 'parameter'; readonly claims: readonly Claim[] }
  | { readonly kind: 'constant'; readonly why: string }
  | { readonly kind: 'unused' }
  | { readonly kind: 'unknown'; readonly why: string; readonly node: string; readonly op: string; readonly hint: string };

interface Use {
  readonly node: NodeProto;
  readonly index: number;
}

/** The name nninit gives a node: its own, else `${op}_${k}` with k its position among all nodes. */
const nodeNames = new WeakMap<NodeProto, string>();
const nameOf = (node: NodeProto) => nodeNames.get(node) ?? node.name ?? node.opType ?? '';
const opOf = (node: NodeProto) => node.opType ?? '';

function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a ? integer(a.i) ?? fallback : fallback;
}

/** A FLOAT attribute, as the shortest decimal that rounds to the same float32 (alpha 0.2, not 0.20000000298). */
function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = attribute(node, name);
  if (!a || typeof a.f !== 'number') return fallback;
  for (let digits = 1; digits < 17; digits++) {
    const shortest = Number(a.f.toPrecision(digits));
    if (Math.fround(shortest) === Math.fround(a.f)) return shortest;
  }
  return a.f;
}

function stringAttribute(node: NodeProto, name: string, fallback: string): string {
  const a = attribute(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

function intsAttribute(node: NodeProto, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a?.ints?.length ? a.ints.map((v) => integer(v) ?? NaN) : undefined;
}

/** Every node of a graph and its subgraphs (If, Loop, Scan bodies). */
function allNodes(graph: GraphProto, out: NodeProto[] = []): NodeProto[] {
  for (const node of graph.node ?? []) {
    out.push(node);
    for (const a of node.attribute ?? []) {
      if (a.g) allNodes(a.g, out);
      for (const g of a.graphs ?? []) allNodes(g, out);
    }
  }
  return out;
}

const ACTIVATIONS: Record<string, (node: NodeProto) => Activation> = {
  Relu: () => ({ name: 'relu' }),
  LeakyRelu: (node) => ({ name: 'leaky_relu', slope: floatAttribute(node, 'alpha', 0.01) }),
  Elu: () => ({ name: 'elu' }),
  Selu: () => ({ name: 'selu' }),
  Gelu: () => ({ name: 'gelu' }),
  Sigmoid: () => ({ name: 'sigmoid' }),
  HardSigmoid: () => ({ name: 'sigmoid' }),
  Tanh: () => ({ name: 'tanh' }),
  Softmax: () => ({ name: 'softmax' }),
  LogSoftmax: () => ({ name: 'softmax' }),
  HardSwish: () => ({ name: 'swish' }),
  Mish: () => ({ name: 'mish' }),
  Softsign: () => ({ name: 'softsign' }),
  // Softplus is a smooth ReLU; nninit's table has no entry of its own for it.
  Softplus: () => ({ name: 'relu' }),
  // PRelu's learned slope starts at 0.25 in PyTorch (nn.PReLU), which is what the He gain is computed for.
  PRelu: () => ({ name: 'leaky_relu', slope: 0.25 }),
};

/**
 * Ops the walk passes through when it looks for the activation after a layer: they reshape, reorder, copy,
 * drop out or normalize per channel (BatchNormalization at inference is an affine map per channel), take maxima
 * (which commute with monotone activations), join tensors, or add a bias or a residual branch.
 */
const PASS_THROUGH = new Set(['Identity', 'Cast', 'Reshape', 'Transpose', 'Flatten', 'Squeeze', 'Unsqueeze', 'Dropout', 'BatchNormalization', 'MaxPool', 'Concat', 'Add']);

/** Inputs of these ops (by index) are shapes, indices, bounds and other constants, not parameters. */
const CONSTANT_INPUTS: Record<string, Record<number, string>> = {
  Reshape: { 1: 'shape' }, Expand: { 1: 'shape' }, Tile: { 1: 'repeats' }, Upsample: { 1: 'scales' },
  Slice: { 1: 'starts', 2: 'ends', 3: 'axes', 4: 'steps' }, Pad: { 1: 'pads', 2: 'constant_value', 3: 'axes' },
  Resize: { 1: 'roi', 2: 'scales', 3: 'sizes' }, Clip: { 1: 'min', 2: 'max' }, Squeeze: { 1: 'axes' }, Unsqueeze: { 1: 'axes' },
  ReduceMean: { 1: 'axes' }, ReduceSum: { 1: 'axes' }, ReduceMax: { 1: 'axes' }, ReduceMin: { 1: 'axes' }, ReduceProd: { 1: 'axes' },
  ReduceL1: { 1: 'axes' }, ReduceL2: { 1: 'axes' }, ReduceSumSquare: { 1: 'axes' }, ReduceLogSum: { 1: 'axes' }, ReduceLogSumExp: { 1: 'axes' },
  ConstantOfShape: { 0: 'shape' }, Range: { 0: 'start', 1: 'limit', 2: 'delta' }, Split: { 1: 'split' }, TopK: { 1: 'k' },
  OneHot: { 1: 'depth', 2: 'values' }, CumSum: { 1: 'axis' }, NonMaxSuppression: { 2: 'max_output_boxes_per_class', 3: 'iou_threshold', 4: 'score_threshold' },
  QuantizeLinear: { 1: 'scale', 2: 'zero_point' }, DequantizeLinear: { 1: 'scale', 2: 'zero_point' }, Dropout: { 1: 'ratio', 2: 'training_mode' },
  Trilu: { 1: 'k' }, Where: { 0: 'condition' },
  LSTM: { 4: 'sequence_lens', 5: 'initial_h', 6: 'initial_c' }, GRU: { 4: 'sequence_lens', 5: 'initial_h' }, RNN: { 4: 'sequence_lens', 5: 'initial_h' },
};

/** Element-wise ops: a scalar operand of one of them is a constant (GELU's 1/sqrt 2, an epsilon, a scale). */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Where', 'And', 'Or', 'Xor', 'Sum', 'Mean', 'BitShift']);

/** Recurrent ops: gates in ONNX's order (onnx/defs/rnn/defs.cc: LSTM i o f c, GRU z r h). */
const CELLS = {
  LSTM: { cell: 'lstm', gates: ['i', 'o', 'f', 'c'] },
  GRU: { cell: 'gru', gates: ['z', 'r', 'h'] },
  RNN: { cell: 'rnn', gates: ['h'] },
} as const;

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The inputs of the ops that hold parameters, by index (onnx/defs), and which one is the weight a layer is planned from. */
const LAYER_INPUTS: Record<string, { readonly weight: number; readonly names: Readonly<Record<number, string>> }> = {
  Gemm: { weight: 1, names: { 0: 'input A', 1: 'weight B', 2: 'bias C' } },
  MatMul: { weight: 1, names: { 0: 'input A (the left operand)', 1: 'weight B' } },
  Conv: { weight: 1, names: { 0: 'input X', 1: 'weight W', 2: 'bias B' } },
  ConvTranspose: { weight: 1, names: { 0: 'input X', 1: 'weight W', 2: 'bias B' } },
  LSTM: { weight: 1, names: { 0: 'input X', 1: 'input weights W', 2: 'recurrent weights R', 3: 'bias B' } },
  GRU: { weight: 1, names: { 0: 'input X', 1: 'input weights W', 2: 'recurrent weights R', 3: 'bias B' } },
  RNN: { weight: 1, names: { 0: 'input X', 1: 'input weights W', 2: 'recurrent weights R', 3: 'bias B' } },
  Gather: { weight: 0, names: { 0: 'table (data)', 1: 'indices' } },
};

/** Infers the role of every initializer `dims` names (by its shape); nodes of subgraphs count as uses too. */
export function inferRoles(graph: GraphProto, dims: ReadonlyMap<string, readonly number[]>): Map<string, Inference> {
  const nodes = allNodes(graph);
  nodes.forEach((node, k) => {
    if (!node.name) nodeNames.set(node, `${opOf(node)}_${k}`);
  });
  const consumers = new Map<string, Use[]>();
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) {
    (node.input ?? []).forEach((input, index) => {
      if (!input) return;
      const list = consumers.get(input) ?? [];
      list.push({ node, index });
      consumers.set(input, list);
    });
    for (const output of node.output ?? []) if (output) producer.set(output, node);
  }
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const graphInputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  const initializerValues = new Map<string, TensorProto>((graph.initializer ?? []).map((t) => [t.name ?? '', t]));

  /** The initializer a node input comes from, through Identity, Cast and a 2-D Transpose (which swaps its axes). */
  function sourceOf(tensor: string | undefined, depth = 0): { name: string; transposed: boolean; via: string[] } | undefined {
    if (!tensor || depth > 8) return undefined;
    if (dims.has(tensor)) return { name: tensor, transposed: false, via: [] };
    const node = producer.get(tensor);
    if (!node) return undefined;
    const op = opOf(node);
    if (op === 'Identity' || op === 'Cast') {
      const source = sourceOf(node.input?.[0], depth + 1);
      return source && { ...source, via: [...source.via, op] };
    }
    if (op === 'Transpose') {
      const source = sourceOf(node.input?.[0], depth + 1);
      const perm = intsAttribute(node, 'perm');
      if (!source || dims.get(source.name)!.length !== 2 || (perm && (perm[0] !== 1 || perm[1] !== 0))) return undefined;
      return { ...source, transposed: !source.transposed, via: [...source.via, op] };
    }
    return undefined;
  }

  /** A scalar float a tensor holds, from an initializer or a Constant node; undefined otherwise. */
  function scalarOf(tensor: string | undefined): number | undefined {
    if (!tensor) return undefined;
    const init = initializerValues.get(tensor) ?? (() => {
      const node = producer.get(tensor);
      if (!node || opOf(node) !== 'Constant') return undefined;
      const value = attribute(node, 'value');
      if (value?.t) return value.t;
      const f = attribute(node, 'value_float');
      return f && typeof f.f === 'number' ? { dataType: 1, floatData: [f.f], dims: [] } as TensorProto : undefined;
    })();
    if (!init || init.dataType !== 1 || sizeOf((init.dims ?? []).map((d) => integer(d) ?? NaN)) !== 1) return undefined;
    if (init.floatData?.length) return init.floatData[0];
    const raw = init.rawData;
    return raw && raw.length >= 4 ? new DataView(raw.buffer, raw.byteOffset, 4).getFloat32(0, true) : undefined;
  }

  // ---- the activation after a layer -----------------------------------------------------------------------------

  interface Found {
    readonly activation: Activation;
    /** The ops walked through on the way. */
    readonly via: readonly string[];
    readonly residual: boolean;
    readonly note?: string;
  }

  const memo = new Map<string, Found>();

  function leadsToErf(node: NodeProto): boolean {
    return (consumers.get(node.output?.[0] ?? '') ?? []).some((use) => opOf(use.node) === 'Erf');
  }

  function activationAfter(tensor: string, depth = 0): Found {
    const cached = memo.get(tensor);
    if (cached) return cached;
    const uses = consumers.get(tensor) ?? [];
    let found: Found;
    if (uses.length === 0 || depth > 24) {
      found = { activation: { name: 'linear' }, via: [], residual: false, note: graphOutputs.has(tensor) ? 'a graph output' : undefined };
    } else if (uses.some((use) => (opOf(use.node) === 'Div' || opOf(use.node) === 'Mul') && use.index === 0 && leadsToErf(use.node))) {
      // PyTorch's exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)).
      found = { activation: { name: 'gelu' }, via: [], residual: false, note: 'the Erf pattern of GELU' };
    } else {
      const sigmoid = uses.find((use) => opOf(use.node) === 'Sigmoid');
      const gate = sigmoid && uses.find((use) => opOf(use.node) === 'Mul' && (use.node.input ?? []).includes(sigmoid.node.output?.[0] ?? ''));
      if (sigmoid && gate) {
        found = { activation: { name: 'silu' }, via: [], residual: false, note: 'x * sigmoid(x)' };
      } else {
        const results = uses.map((use): Found => {
          const node = use.node, op = opOf(node);
          const activation = ACTIVATIONS[op];
          if (activation && use.index === 0) return { activation: activation(node), via: [], residual: false };
          if (op === 'Clip' && use.index === 0) {
            const min = scalarOf(node.input?.[1]) ?? (attribute(node, 'min') ? floatAttribute(node, 'min', -Infinity) : -Infinity);
            return { activation: { name: min === 0 ? 'relu' : 'tanh' }, via: [], residual: false, note: min === 0 ? 'Clip at 0 (ReLU6)' : 'Clip (hard tanh)' };
          }
          if (PASS_THROUGH.has(op) && (use.index === 0 || op === 'Concat' || op === 'Add')) {
            const next = activationAfter(node.output?.[0] ?? '', depth + 1);
            const other = op === 'Add' ? node.input?.[1 - use.index] : undefined;
            const residual = op === 'Add' && other !== undefined && !dims.has(other) && producer.get(other) !== undefined && opOf(producer.get(other)!) !== 'Constant';
            return { ...next, via: [op, ...next.via], residual: next.residual || residual };
          }
          return { activation: { name: 'linear' }, via: [], residual: false, note: `feeds ${op}` };
        });
        const names = [...new Set(results.map((r) => `${r.activation.name}${r.activation.slope ?? ''}`))];
        found = names.length === 1 ? results[0]
          : { activation: { name: 'linear' }, via: [], residual: results.some((r) => r.residual), note: `its outputs meet different activations (${results.map((r) => r.activation.name).join(', ')}); taken as linear` };
      }
    }
    memo.set(tensor, found);
    return found;
  }

  function activationText(found: Found): string {
    const slope = found.activation.slope !== undefined ? ` (slope ${found.activation.slope})` : '';
    const via = found.via.length ? ` through ${[...new Set(found.via)].join(', ')}` : '';
    const note = found.note ? ` (${found.note})` : '';
    return `then ${found.activation.name}${slope}${via}${note}`;
  }

  // ---- layer claims -----------------------------------------------------------------------------------------------

  const claims = new Map<string, Claim[]>();
  const claim = (tensor: string, c: Claim) => {
    const list = claims.get(tensor) ?? [];
    list.push(c);
    claims.set(tensor, list);
  };
  const shapeOf = (name: string) => dims.get(name)!;

  /** The bias Add after a MatMul: an Add of the product and an initializer of N elements (broadcast over rows). */
  function biasAdd(output: string, units: number): { node: NodeProto; bias: string } | undefined {
    for (const use of consumers.get(output) ?? []) {
      if (opOf(use.node) !== 'Add') continue;
      const source = sourceOf(use.node.input?.[1 - use.index]);
      if (!source || source.transposed) continue;
      const biasDims = shapeOf(source.name);
      if (sizeOf(biasDims) === units && biasDims[biasDims.length - 1] === units) return { node: use.node, bias: source.name };
    }
    return undefined;
  }

  function dense(node: NodeProto, weight: string, layout: 'torch' | 'keras', fanIn: number, fanOut: number, bias: string | undefined, after: string, what: string) {
    const found = activationAfter(after);
    const base = {
      layout, kind: 'dense', fanIn, fanOut, layer: nameOf(node), layerType: opOf(node).toLowerCase(),
    } as const;
    const biasText = bias ? `, bias ${bias}` : '';
    claim(weight, {
      node: nameOf(node), op: opOf(node),
      descriptor: { ...base, shape: shapeOf(weight), role: 'weight', activation: found.activation, ...(found.residual ? { residualOutput: true } : {}) },
      what: `weight of ${opOf(node)} ${nameOf(node)} (${what}), fans ${fanIn}/${fanOut}${biasText}, ${activationText(found)}`,
    });
    if (bias) {
      claim(bias, {
        node: nameOf(node), op: opOf(node), descriptor: { ...base, shape: shapeOf(bias), role: 'bias' },
        what: `bias of ${opOf(node)} ${nameOf(node)}, fans ${fanIn}/${fanOut}`,
      });
    }
  }

  function norm(node: NodeProto, tensor: string | undefined, role: 'scale' | 'shift' | 'runningMean' | 'runningVariance', layerType: string) {
    const source = sourceOf(tensor);
    if (!source) return;
    const size = sizeOf(shapeOf(source.name));
    const words = { scale: 'scale', shift: 'bias', runningMean: 'running mean', runningVariance: 'running variance' }[role];
    claim(source.name, {
      node: nameOf(node), op: opOf(node),
      descriptor: {
        shape: shapeOf(source.name), layout: 'torch', kind: 'norm', role, fanIn: size, fanOut: size, layer: nameOf(node), layerType,
        ...(role === 'runningMean' || role === 'runningVariance' ? { trainable: false } : {}),
      },
      what: `${words} of ${opOf(node)} ${nameOf(node)}`,
    });
  }

  for (const node of nodes) {
    const op = opOf(node);
    const inputs = node.input ?? [];
    switch (op) {
      case 'Conv':
      case 'ConvTranspose': {
        const weight = sourceOf(inputs[1]);
        if (!weight || weight.transposed) break;
        const w = shapeOf(weight.name);
        if (w.length < 3) break;
        const group = Math.max(1, intAttribute(node, 'group', 1));
        const receptiveField = sizeOf(w.slice(2));
        // Conv: [M, C/group, k...]; ConvTranspose: [C, M/group, k...]. Fans count one group's channels, as a
        // grouped layer's unit sees only its own group (ConvTranspose: in the forward direction, ignoring strides).
        const fanIn = op === 'Conv' ? w[1] * receptiveField : (w[0] / group) * receptiveField;
        const fanOut = op === 'Conv' ? (w[0] / group) * receptiveField : w[1] * receptiveField;
        const found = activationAfter(node.output?.[0] ?? '');
        const layerType = `${op === 'Conv' ? 'conv' : 'convtranspose'}${w.length - 2}d`;
        const base = { layout: 'torch', kind: 'conv', fanIn, fanOut, layer: nameOf(node), layerType } as const;
        const bias = sourceOf(inputs[2]);
        claim(weight.name, {
          node: nameOf(node), op,
          descriptor: { ...base, shape: w, role: 'weight', activation: found.activation, ...(found.residual ? { residualOutput: true } : {}) },
          what: `weight of ${op} ${nameOf(node)} (group ${group}, kernel ${w.slice(2).join('×')}), fans ${fanIn}/${fanOut}${bias ? `, bias ${bias.name}` : ''}, ${activationText(found)}`,
        });
        if (bias) claim(bias.name, { node: nameOf(node), op, descriptor: { ...base, shape: shapeOf(bias.name), role: 'bias' }, what: `bias of ${op} ${nameOf(node)}, fans ${fanIn}/${fanOut}` });
        break;
      }
      case 'Gemm': {
        const weight = sourceOf(inputs[1]);
        if (!weight || shapeOf(weight.name).length !== 2) break;
        const w = shapeOf(weight.name);
        const transB = (intAttribute(node, 'transB', 0) !== 0) !== weight.transposed;
        const [fanIn, fanOut] = transB ? [w[1], w[0]] : [w[0], w[1]];
        const bias = sourceOf(inputs[2]);
        dense(node, weight.name, transB ? 'torch' : 'keras', fanIn, fanOut, bias && !bias.transposed ? bias.name : undefined, node.output?.[0] ?? '',
          `transB ${intAttribute(node, 'transB', 0)}${weight.via.length ? ` through ${weight.via.join(', ')}` : ''}: ${transB ? '[out, in]' : '[in, out]'}`);
        break;
      }
      case 'MatMul': {
        const weight = sourceOf(inputs[1]);
        if (!weight) break;
        const w = shapeOf(weight.name);
        if (w.length === 0) break;
        const torch = weight.transposed;
        const fanIn = w.length === 1 ? w[0] : torch ? w[1] : w[w.length - 2];
        const fanOut = w.length === 1 ? 1 : torch ? w[0] : w[w.length - 1];
        const add = biasAdd(node.output?.[0] ?? '', fanOut);
        dense(node, weight.name, torch ? 'torch' : 'keras', fanIn, fanOut, add?.bias, add ? add.node.output?.[0] ?? '' : node.output?.[0] ?? '',
          `${torch ? `[out, in] through ${weight.via.join(', ')}` : '[in, out]'}`);
        break;
      }
      case 'LSTM':
      case 'GRU':
      case 'RNN': {
        const { cell, gates } = CELLS[op];
        const directions = stringAttribute(node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
        const W = sourceOf(inputs[1]), R = sourceOf(inputs[2]), B = sourceOf(inputs[3]);
        if (!W || !R || W.transposed || R.transposed) break;
        const w = shapeOf(W.name), r = shapeOf(R.name);
        if (w.length !== 3 || r.length !== 3) break;
        const hidden = intAttribute(node, 'hidden_size', r[2]);
        const inputs_ = w[2];
        const count = directions * gates.length;
        if (w[0] !== directions || w[1] !== gates.length * hidden || r[0] !== directions || r[1] !== gates.length * hidden || r[2] !== hidden) break;
        const labels = Array.from({ length: directions }, () => gates).flat();
        const common = { layout: 'torch', kind: 'recurrent', cell, units: hidden, layer: nameOf(node), layerType: cell } as const;
        const structure = `${directions === 2 ? '2 directions × ' : ''}gates ${gates.join(' ')}, hidden ${hidden}`;
        // Planned as the 2-D matrices they are, [directions * gates * hidden, in], so that each gate of each
        // direction is one block (the bytes are the same).
        claim(W.name, {
          node: nameOf(node), op,
          descriptor: { ...common, shape: [count * hidden, inputs_], role: 'input', fanIn: inputs_, fanOut: hidden, blocks: { axis: 0, count, labels } },
          what: `W of ${op} ${nameOf(node)} (${structure}), fans ${inputs_}/${hidden}, planned as [${count * hidden}, ${inputs_}]`,
        });
        claim(R.name, {
          node: nameOf(node), op,
          descriptor: { ...common, shape: [count * hidden, hidden], role: 'recurrent', fanIn: hidden, fanOut: hidden, blocks: { axis: 0, count, labels } },
          what: `R of ${op} ${nameOf(node)} (${structure}), planned as [${count * hidden}, ${hidden}]`,
        });
        if (B && !B.transposed) {
          const b = shapeOf(B.name);
          if (b.length === 2 && b[0] === directions && b[1] === 2 * gates.length * hidden) {
            // Per direction: the input biases (Wb) of every gate, then the recurrent ones (Rb).
            const biasLabels = Array.from({ length: directions }, () => [...gates, ...gates.map((g) => `r${g}`)]).flat();
            claim(B.name, {
              node: nameOf(node), op,
              descriptor: { ...common, shape: [2 * count * hidden], role: 'bias', fanIn: inputs_, fanOut: hidden, blocks: { axis: 0, count: 2 * count, labels: biasLabels } },
              what: `B of ${op} ${nameOf(node)} (${structure}; Wb then Rb), planned as [${2 * count * hidden}]`,
            });
          }
        }
        break;
      }
      case 'Gather': {
        const table = sourceOf(inputs[0]);
        if (!table || table.transposed || intAttribute(node, 'axis', 0) !== 0) break;
        const t = shapeOf(table.name);
        if (t.length !== 2) break;
        claim(table.name, {
          node: nameOf(node), op,
          descriptor: { shape: t, layout: 'torch', kind: 'embedding', role: 'embedding', fanIn: t[1], fanOut: t[0], layer: nameOf(node), layerType: 'embedding' },
          what: `embedding table of Gather ${nameOf(node)} (vocabulary ${t[0]}, dimension ${t[1]})`,
        });
        break;
      }
      case 'LayerNormalization':
        norm(node, inputs[1], 'scale', 'layernorm');
        norm(node, inputs[2], 'shift', 'layernorm');
        break;
      case 'BatchNormalization':
        norm(node, inputs[1], 'scale', 'batchnorm');
        norm(node, inputs[2], 'shift', 'batchnorm');
        norm(node, inputs[3], 'runningMean', 'batchnorm');
        norm(node, inputs[4], 'runningVariance', 'batchnorm');
        break;
      case 'InstanceNormalization':
      case 'GroupNormalization':
        norm(node, inputs[1], 'scale', op === 'GroupNormalization' ? 'groupnorm' : 'instancenorm');
        norm(node, inputs[2], 'shift', op === 'GroupNormalization' ? 'groupnorm' : 'instancenorm');
        break;
      case 'RMSNormalization':
      case 'SimplifiedLayerNormalization':
        norm(node, inputs[1], 'scale', 'rmsnorm');
        break;
      case 'PRelu': {
        const slope = sourceOf(inputs[1]);
        if (!slope) break;
        claim(slope.name, {
          node: nameOf(node), op,
          descriptor: {
            shape: shapeOf(slope.name), layout: 'torch', kind: 'param', role: 'param', fanIn: 0, fanOut: 0, layer: nameOf(node),
            explicit: { initializer: 'constant', options: { value: 0.25 }, why: `slope of PRelu ${nameOf(node)} -> 0.25`, source: "PyTorch's nn.PReLU default" },
          },
          what: `slope of PRelu ${nameOf(node)}`,
        });
        break;
      }
      default:
        break;
    }
  }

  /**
   * Why an input of a layer op has no role: the layer's weight is not an initializer (a graph input, another node's
   * output, or nothing at all), so there is no layer to plan its bias with; or the weight's dims do not fit the op.
   */
  function layerInputHint(use: Use, shape: readonly number[]): string | undefined {
    const op = opOf(use.node);
    const layer = LAYER_INPUTS[op];
    const slot = layer?.names[use.index];
    if (!layer || !slot) return undefined;
    if (use.index === layer.weight) return `its ${slot}, but dims [${shape.join(', ')}] are not those of one`;
    if (op === 'MatMul' && use.index === 0) return `its ${slot}; nninit reads a MatMul's weight as its right operand B`;
    const weight = use.node.input?.[layer.weight] ?? '';
    if (sourceOf(weight)) return undefined;
    const made = producer.get(weight);
    const origin = !weight ? 'is missing'
      : graphInputs.has(weight) ? `"${weight}", is a graph input, not an initializer`
      : made ? `"${weight}", is computed by ${opOf(made)} ${nameOf(made)}, not an initializer`
      : `"${weight}", is made by no node and is no graph input`;
    return `its ${slot}; the ${layer.names[layer.weight]}${weight ? ',' : ''} ${origin}, so there is no layer to plan it with`;
  }

  // ---- every initializer ---------------------------------------------------------------------------------------

  /** Uses of an initializer, forward through Identity, Cast and Transpose. */
  function usesOf(tensor: string, depth = 0): Use[] {
    const out: Use[] = [];
    for (const use of consumers.get(tensor) ?? []) {
      const op = opOf(use.node);
      if ((op === 'Identity' || op === 'Cast' || op === 'Transpose') && use.index === 0 && depth < 8) out.push(...usesOf(use.node.output?.[0] ?? '', depth + 1));
      else out.push(use);
    }
    return out;
  }

  const result = new Map<string, Inference>();
  for (const [name, shape] of dims) {
    const found = claims.get(name);
    if (found?.length) {
      result.set(name, { kind: 'parameter', claims: found });
      continue;
    }
    const uses = usesOf(name);
    if (uses.length === 0) {
      result.set(name, { kind: 'unused' });
      continue;
    }
    let constant: string | undefined, unknown: Use | undefined;
    for (const use of uses) {
      const op = opOf(use.node);
      const slot = CONSTANT_INPUTS[op]?.[use.index];
      if (slot) constant ??= `input ${slot} of ${op} ${nameOf(use.node)}`;
      else if (ELEMENTWISE.has(op) && sizeOf(shape) <= 1) constant ??= `a scalar operand of ${op} ${nameOf(use.node)}`;
      else unknown ??= use;
    }
    if (!unknown) {
      result.set(name, { kind: 'constant', why: constant! });
      continue;
    }
    const op = opOf(unknown.node);
    const hint = ELEMENTWISE.has(op)
      ? `a tensor of ${sizeOf(shape)} values combined element-wise by ${op} may be a parameter (a position embedding, a decomposed norm's scale) or a constant (a mask)`
      : layerInputHint(unknown, shape) ?? `nninit does not know what input ${unknown.index} of ${op} is`;
    result.set(name, { kind: 'unknown', why: `input ${unknown.index} of ${op} ${nameOf(unknown.node)}`, node: nameOf(unknown.node), op, hint });
  }
  return result;
}
