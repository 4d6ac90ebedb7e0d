// ONNX models in and out: readOnnx parses a ModelProto with ONNX's schema (onnx-proto), infers each
// initializer's role from the graph (onnx-graph.ts) and plans the parameters with the model layer's policies;
// writeOnnx writes the model back with the same bytes everywhere but in the re-initialized tensors, whose data is
// re-encoded as raw_data. Pure (bytes in, bytes out), so it runs in browsers too; models whose initializers live
// in external data files are read here and written by the Node helper (formats/node/onnx.ts), which reads and
// writes those files.

import type { Seed } from '../core/seed.js';
import { describeInitializer, explainPlan } from '../model/explain.js';
import { short } from '../model/policies.js';
import { isPlainObject } from '../model/errors.js';
import type { ParameterDescriptor, ParameterPlan } from '../model/types.js';
import { checkKeepsUsed, checkOptions, keepGlobs, planWith, seedOf, shapeText, textTable, type ModelFileOptions } from './model-files.js';
import { inferRoles, type Claim, type Inference } from './onnx-graph.js';
import {
  concat, dataRanges, ELEMENT_TYPES, EXTERNAL, externalDataEntry, integer, lengthDelimitedKey, MAX_PROTOBUF_BYTES, modelRanges, onnx,
  RAW_DATA_FIELD, truncationOf, varint, type DataRanges, type FieldRange, type ModelProto, type TensorProto,
} from './onnx-schema.js';
import { assemble, fileLayout, planBytes, type FileLayout, type Segment } from './segments.js';
import { globPattern } from '../model/rules.js';

export type OnnxReadOptions = ModelFileOptions;

/** Where an initializer's data lives when it is external: a file relative to the model's folder. */
export interface ExternalData {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

/** One initializer of the graph and what nninit makes of it. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  /** TensorProto.DataType name: 'FLOAT', 'INT64', ... */
  readonly type: string;
  /** TensorProto.DataType number: 1 for FLOAT, ... */
  readonly dataType: number;
  /** Bytes of its data. */
  readonly bytes: number;
  /** Re-initialized (a plan entry of the same name in `parameters`), or kept byte for byte. */
  readonly status: 'planned' | 'kept';
  /** What was inferred from the graph, or why it is kept. */
  readonly inferred: string;
  readonly external?: ExternalData;
}

/** A parsed ONNX model, planned: what readOnnx returns and writeOnnx writes. */
export interface OnnxModel {
  readonly format: 'onnx';
  /** The plan of every re-initialized initializer, in graph order (each keeps its element type as its dtype). */
  readonly parameters: readonly ParameterPlan[];
  /** Every initializer of the main graph, in order. */
  readonly initializers: readonly OnnxInitializer[];
  /** explainPlan of the parameters, then the table of what was inferred for every initializer. */
  readonly explain: string;
  readonly seed: Seed;
  readonly policy: string;
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: string;
  /** The file's name in messages. */
  readonly file: string;
}

interface Source {
  readonly bytes: Uint8Array;
  readonly proto: ModelProto;
  readonly ranges: readonly FieldRange[];
  readonly graph: FieldRange;
  readonly tensors: readonly TensorProto[];
}

/** The parsed bytes behind each model readOnnx returned. */
const SOURCES = new WeakMap<OnnxModel, Source>();

const fnRead = 'readOnnx';

function fileError(file: string, message: string, fn = fnRead): RangeError {
  return new RangeError(`nninit.${fn}: ${file}: ${message}`);
}

function asBytes(fn: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`nninit.${fn}: bytes: expected a Uint8Array or ArrayBuffer of an .onnx file, got ${value === null ? 'null' : typeof value}`);
}

/** Element count of dims, or undefined when it overflows 2^53. */
function sizeOf(dims: readonly number[]): number | undefined {
  let size = 1;
  for (const d of dims) {
    size *= d;
    if (!Number.isSafeInteger(size)) return undefined;
  }
  return size;
}

/** The external_data entries of a tensor, checked: a relative location inside the model's folder, offset, length. */
function externalOf(file: string, t: TensorProto, bytes: number): ExternalData {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const where = `initializer "${t.name}": external_data`;
  const location = entries.get('location');
  if (!location) throw fileError(file, `${where} has no location`);
  if (location.startsWith('/') || /^[a-zA-Z]:|\\/.test(location) || location.split('/').some((part) => part === '..')) {
    throw fileError(file, `${where} location ${JSON.stringify(location)} must be a path inside the model's folder`);
  }
  const number = (key: string, fallback: number) => {
    const text = entries.get(key);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw fileError(file, `${where} ${key} ${JSON.stringify(text)} is not a non-negative integer`);
    return Number(text);
  };
  const offset = number('offset', 0), length = number('length', bytes);
  if (length !== bytes) throw fileError(file, `${where} length ${length} disagrees with its dims and type, which take ${bytes} bytes`);
  return { location, offset, length };
}

/** Checks that a tensor stored in the model holds as many elements as its dims say. */
function checkStoredData(file: string, t: TensorProto, size: number, bits: number): void {
  const where = `initializer "${t.name}"`;
  const raw = t.rawData?.length ?? 0;
  const typed = [t.floatData, t.int32Data, t.stringData, t.int64Data, t.doubleData, t.uint64Data].reduce((n, a) => n + (a?.length ?? 0), 0);
  if (raw > 0 && typed > 0) throw fileError(file, `${where} holds both raw_data and typed data`);
  if (raw > 0) {
    const expected = Math.ceil(size * bits / 8);
    if (bits > 0 && raw !== expected) throw fileError(file, `${where}: raw_data holds ${raw} bytes; its dims [${(t.dims ?? []).join(', ')}] of ${ELEMENT_TYPES[t.dataType ?? 0].name} take ${expected}`);
    return;
  }
  // Typed fields: complex numbers take two values, the 4-bit types pack two per int32, the others one.
  const perElement = bits === 128 || ELEMENT_TYPES[t.dataType ?? 0].name === 'COMPLEX64' ? 2 : bits === 4 ? 0.5 : 1;
  const expected = Math.ceil(size * perElement);
  if (typed !== expected && size > 0) throw fileError(file, `${where} holds ${typed} values; its dims [${(t.dims ?? []).join(', ')}] call for ${expected}`);
}

/** What determines a plan entry's values (the contract's call): two entries with the same key hold the same values. */
const valuesKey = (p: ParameterPlan): string => JSON.stringify([
  p.shape, p.initializer, p.options, p.blocks ? [p.blocks.axis, p.blocks.parts.map((part) => [part.initializer, part.options])] : null,
]);

/** A role in a few words, for messages: 'bias of Gemm /self_attn/Gemm'. */
function roleText(claim: Claim): string {
  const d = claim.descriptor;
  const words = d.kind === 'recurrent'
    ? ({ input: 'W', recurrent: 'R', bias: 'B' } as Record<string, string>)[d.role]
    : ({ shift: 'bias', runningMean: 'running mean', runningVariance: 'running variance', embedding: 'embedding table', param: 'slope' } as Record<string, string>)[d.role];
  return `${words ?? d.role} of ${claim.op} ${claim.node}`;
}

/** Initializers that draw without fans: a rule naming one gives every role of a shared tensor the same values. */
const FAN_FREE = new Set(['zeros', 'ones', 'constant', 'uniform', 'normal', 'truncatedNormal']);

/** A rule, in the library's spelling, that gives a shared tensor the values `p` describes, whatever role plans it. */
function ruleFor(name: string, p: ParameterPlan): string {
  const value = (v: unknown) => (typeof v === 'number' ? short(v) : typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
  if (!p.blocks && FAN_FREE.has(p.initializer)) {
    const { layout: _layout, ...options } = p.options;
    return `{ match: ${JSON.stringify(name)}, init: '${p.initializer}'${Object.entries(options).map(([key, v]) => `, ${key}: ${value(v)}`).join('')} }`;
  }
  return `{ match: ${JSON.stringify(name)}, init: 'normal', std: ${value(p.std)} }`;
}

/**
 * An initializer with several roles is planned for each of them: PyTorch's exporter stores equal tensors once
 * (a fresh model's zero biases of a Linear and of LayerNorms, a BatchNorm's scale and running variance), so one
 * initializer may stand for parameters the model keeps apart. Where every role's plan gives the same values, the
 * first role's plan stands; where they differ (the 'pytorch' policy draws a Linear bias that a LayerNorm starts
 * at zero), no one choice is right, and the error names the tensor, its roles and what each would get.
 */
function checkSharedRoles(
  file: string, descriptors: readonly ParameterDescriptor[], planned: readonly ParameterPlan[], shared: ReadonlyMap<string, readonly Claim[]>,
  options: Parameters<typeof planWith>[3],
): void {
  if (shared.size === 0) return;
  const plans = new Map<string, ParameterPlan[]>([...shared.keys()].map((name) => [name, []]));
  descriptors.forEach((d, i) => plans.get(d.name)?.push(planned[i]));
  const rounds = Math.max(...[...shared.values()].map((claims) => claims.length));
  // Round k plans role k of every shared initializer (the first role of the others), so that policies and rules
  // see the whole model as they did.
  for (let k = 1; k < rounds; k++) {
    const variant = descriptors.map((d) => {
      const claims = shared.get(d.name);
      return claims && claims.length > k ? { ...claims[k].descriptor, name: d.name } : d;
    });
    const round = planWith(fnRead, file, variant, options);
    variant.forEach((d, i) => {
      const claims = shared.get(d.name);
      if (claims && claims.length > k) plans.get(d.name)!.push(round[i]);
    });
  }
  for (const [name, claims] of shared) {
    const roles = plans.get(name)!;
    const keys = roles.map(valuesKey);
    if (keys.every((key) => key === keys[0])) continue;
    // Suggest what most roles get (the first of them on a tie).
    const counts = keys.map((key) => keys.filter((other) => other === key).length);
    const suggested = roles[counts.indexOf(Math.max(...counts))];
    // Where two roles' calls read alike, their fans tell them apart.
    const calls = roles.map((p) => describeInitializer(p));
    const listed = claims.map((claim, k) => `${roleText(claim)} -> ${calls[k]}${calls.some((call, j) => call === calls[k] && keys[j] !== keys[k]) ? ` (fans ${roles[k].fanIn}/${roles[k].fanOut})` : ''}`).join('; ');
    throw fileError(file, `initializer "${name}" ${shapeText(roles[0].shape)} has ${claims.length} roles, and the policy gives them different values (${listed}); one initializer is a parameter used twice (tied weights) or, as PyTorch's exporter stores equal tensors once, several parameters the model keeps apart. Choose its values with a rule such as ${ruleFor(name, suggested)}, or keep it (keep: [${JSON.stringify(name)}])`);
  }
}

const describeInference = (inference: Inference): string => {
  switch (inference.kind) {
    case 'parameter': {
      const [first, ...others] = inference.claims;
      return `${first.what}${others.length ? `; also ${others.map((c) => c.what).join('; ')}` : ''}`;
    }
    case 'constant': return `kept: ${inference.why}`;
    case 'unused': return 'kept: no node uses it';
    case 'unknown': return `${inference.why}: no role known`;
  }
};

/**
 * Parses an ONNX model (bytes of a .onnx file, at most 2 GB as protobuf allows), finds what each initializer is
 * from the graph, and plans the parameters: each float initializer with a role gets the policy's initializer
 * (default 'activation': by the activation after its layer), rules apply after the policy, and every other
 * initializer (shape constants, indices, integer and quantized tensors, globs in `keep`) is kept byte for byte.
 * A float initializer whose role is unknown (the input of an op nninit has no table for) is an error naming it,
 * unless a rule or `keep` covers it. Nothing is computed: writeOnnx does that.
 *
 * @example const model = readOnnx(bytes, { seed: 1 });
 *          console.log(model.explain);
 *          const fresh = writeOnnx(model);   // Uint8Array: the same model with fresh weights
 */
export function readOnnx(bytes: Uint8Array | ArrayBuffer, options?: OnnxReadOptions): OnnxModel {
  const input = asBytes(fnRead, bytes);
  const o = checkOptions(fnRead, options);
  const file = o.file ?? 'model.onnx';
  if (o.policy === 'model') {
    throw new RangeError(`nninit.${fnRead}: options.policy: 'model' reproduces the initializers a TF.js model.json configures; an ONNX graph configures none (use 'activation', 'pytorch', 'keras', 'flax' or 'gpt2')`);
  }
  if (input.length > MAX_PROTOBUF_BYTES) {
    throw fileError(file, `${input.length} bytes is beyond protobuf's 2 GB limit; larger models keep their weights in external data files`);
  }
  let proto: ModelProto;
  let ranges: ReturnType<typeof modelRanges>;
  try {
    proto = onnx.ModelProto.decode(input);
    ranges = modelRanges(input);
  } catch (error) {
    // protobufjs says where it stopped in bytes ('index out of range: 552 + 32768 > 5000'); the walk of the fields
    // says what was being read there.
    const message = (error as Error).message;
    const where = truncationOf(input);
    const why = where ? `the file is cut short or damaged: ${where}` : /index out of range/.test(message) ? `the protobuf ends early or is damaged (${message})` : message;
    throw fileError(file, `not a valid ONNX model: ${why}`);
  }
  const graph = proto.graph;
  if (!graph || (!(graph.node?.length) && !(graph.initializer?.length)) || !(proto.opsetImport?.length)) {
    throw fileError(file, 'not a valid ONNX model: it has no graph nodes, initializers or opset imports');
  }
  const tensors = graph.initializer ?? [];
  if (ranges.initializers.length !== tensors.length) throw fileError(file, 'not a valid ONNX model: its initializers could not be located');
  if (tensors.some((t) => t.segment)) throw fileError(file, 'segmented tensors (TensorProto.segment) are not supported');

  // Every initializer's dims, type and data, checked before anything is planned.
  const dims = new Map<string, number[]>();
  const facts = tensors.map((t, index) => {
    const name = t.name ?? '';
    if (!name) throw fileError(file, `initializer ${index} has no name`);
    if (dims.has(name)) throw fileError(file, `two initializers are named "${name}"`);
    const shape = (t.dims ?? []).map((d) => integer(d) ?? -1);
    if (shape.some((d) => d < 0)) throw fileError(file, `initializer "${name}": dims [${(t.dims ?? []).join(', ')}] are not non-negative integers below 2^53`);
    const size = sizeOf(shape);
    if (size === undefined) throw fileError(file, `initializer "${name}": dims [${shape.join(', ')}] hold more than 2^53 elements`);
    const type = ELEMENT_TYPES[t.dataType ?? 0];
    if (!type) throw fileError(file, `initializer "${name}": unknown data_type ${t.dataType}`);
    const byteLength = Math.ceil(size * type.bits / 8);
    const external = t.dataLocation === EXTERNAL ? externalOf(file, t, byteLength) : undefined;
    if (!external) checkStoredData(file, t, size, type.bits);
    dims.set(name, shape);
    return { name, shape, size, type, dataType: t.dataType ?? 0, byteLength, external };
  });

  let inferences: Map<string, Inference>;
  try {
    inferences = inferRoles(graph, dims);
  } catch (error) {
    throw fileError(file, `the graph could not be read: ${(error as Error).message}`);
  }

  const keeps = keepGlobs(o);
  const rules = (o.rules ?? []).map((rule, index) => ({ index, pattern: isPlainObject(rule) && typeof rule.match === 'string' ? globPattern(rule.match) : undefined }));
  const ruled = (name: string) => rules.some((r) => r.pattern?.test(name));
  const descriptors: ParameterDescriptor[] = [];
  /** The roles of each planned initializer, when it has more than one. */
  const shared = new Map<string, readonly Claim[]>();
  const status = new Map<string, { planned: boolean; inferred: string }>();
  const unknown: string[] = [];
  for (const f of facts) {
    const inference = inferences.get(f.name)!;
    const keep = keeps.find((k) => k.pattern.test(f.name));
    if (keep) {
      keep.used = true;
      status.set(f.name, { planned: false, inferred: `kept (keep ${keep.glob}); ${describeInference(inference)}` });
    } else if (!f.type.dtype) {
      status.set(f.name, { planned: false, inferred: `kept: ${f.type.name}, not a float type nninit computes` });
    } else if (inference.kind === 'parameter') {
      descriptors.push({ ...inference.claims[0].descriptor, name: f.name });
      if (inference.claims.length > 1) shared.set(f.name, inference.claims);
      status.set(f.name, { planned: true, inferred: describeInference(inference) });
    } else if (ruled(f.name)) {
      // A rule asks for it: a raw parameter, drawn as the rule says.
      descriptors.push({ name: f.name, shape: f.shape, layout: 'torch', kind: 'param', role: 'param', fanIn: 0, fanOut: 0, layer: '' });
      status.set(f.name, { planned: true, inferred: `${describeInference(inference)}; planned by a rule` });
    } else if (inference.kind === 'unknown') {
      unknown.push(`"${f.name}" ${shapeText(f.shape)} (${inference.why}; ${inference.hint})`);
      status.set(f.name, { planned: false, inferred: describeInference(inference) });
    } else {
      status.set(f.name, { planned: false, inferred: describeInference(inference) });
    }
  }
  checkKeepsUsed(fnRead, file, keeps);
  if (unknown.length) {
    const first = facts.find((f) => inferences.get(f.name)!.kind === 'unknown' && !status.get(f.name)!.planned && !keeps.some((k) => k.pattern.test(f.name)))!;
    throw fileError(file, `cannot tell what ${unknown.length === 1 ? 'initializer' : `${unknown.length} initializers`} ${unknown.slice(0, 6).join(', ')}${unknown.length > 6 ? ', ...' : ''} ${unknown.length === 1 ? 'is' : 'are'}; keep ${unknown.length === 1 ? 'it' : 'them'} (keep: [${JSON.stringify(first.name)}]) or add a rule such as { match: ${JSON.stringify(first.name)}, init: 'zeros' }`);
  }

  const seed = seedOf(fnRead, o);
  const planOptions = { seed, policy: o.policy as Exclude<typeof o.policy, 'model'>, rules: o.rules };
  const planned = planWith(fnRead, file, descriptors, planOptions);
  checkSharedRoles(file, descriptors, planned, shared, planOptions);
  // Each parameter keeps its initializer's element type.
  const typeOf = new Map(facts.map((f) => [f.name, f.type]));
  const parameters = planned.map((p) => ({ ...p, dtype: typeOf.get(p.name)!.dtype! }));
  const policy = parameters[0]?.policy ?? (typeof o.policy === 'string' ? o.policy : o.policy?.name ?? 'activation');

  const initializers: OnnxInitializer[] = facts.map((f) => ({
    name: f.name, dims: f.shape, type: f.type.name, dataType: f.dataType, bytes: f.byteLength,
    status: status.get(f.name)!.planned ? 'planned' : 'kept', inferred: status.get(f.name)!.inferred,
    ...(f.external ? { external: f.external } : {}),
  }));
  const opsets = (proto.opsetImport ?? []).map((opset) => ({ domain: opset.domain ?? '', version: integer(opset.version) ?? 0 }));
  const model: OnnxModel = {
    format: 'onnx', parameters, initializers, seed, policy, file,
    irVersion: integer(proto.irVersion) ?? 0, opsets,
    producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' '),
    explain: '',
  };
  (model as { explain: string }).explain = explainOnnx(model);
  SOURCES.set(model, { bytes: input, proto, ranges: ranges.initializers, graph: ranges.graph, tensors });
  return model;
}

/** explainPlan of the parameters, then every initializer with what was inferred. */
function explainOnnx(model: OnnxModel): string {
  const opsets = model.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const planned = model.initializers.filter((i) => i.status === 'planned').length;
  const table = textTable(['initializer', 'dims', 'type', 'inferred'], model.initializers.map((i) => [
    i.name, shapeText(i.dims), i.type, `${i.inferred}${i.external ? ` (external: ${i.external.location})` : ''}`,
  ]));
  return [
    explainPlan(model.parameters).trimEnd(),
    '',
    `${model.file}: ONNX ir_version ${model.irVersion}, opset ${opsets}${model.producer ? `, produced by ${model.producer}` : ''}; ${model.initializers.length} initializers: ${planned} re-initialized, ${model.initializers.length - planned} kept`,
    '',
    table,
    '',
  ].join('\n');
}

function sourceOf(fn: string, model: OnnxModel): Source {
  const source = isPlainObject(model) ? SOURCES.get(model as OnnxModel) : undefined;
  if (!source) throw new TypeError(`nninit.${fn}: model: expected a model from readOnnx, got ${model === null ? 'null' : typeof model}`);
  return source;
}

/** Options of the file layout: the data file's name, for models with external initializers. */
export interface OnnxLayoutOptions {
  /** The external data file the written model refers to (default 'model.onnx.data'). */
  readonly dataLocation?: string;
  /** The model file's name in the layout (default 'model.onnx'). */
  readonly modelName?: string;
}

/** External tensors start at multiples of this in the data file, so that a reader can map them from disk. */
const EXTERNAL_ALIGNMENT = 4096;

/**
 * The files of the written model as segments: the model file (the input's bytes, with each re-initialized
 * tensor's data replaced by a raw_data field of the new values, and each external tensor's external_data pointing
 * into the new data file), and the data file when the model has external initializers (re-initialized values,
 * and the kept tensors' bytes copied from the input's data files: 'copy' segments naming them).
 */
export function onnxFiles(model: OnnxModel, options: OnnxLayoutOptions = {}): FileLayout[] {
  const source = sourceOf('onnxFiles', model);
  const { bytes } = source;
  const planOf = new Map(model.parameters.map((p) => [p.name, p]));
  const dataLocation = options.dataLocation ?? 'model.onnx.data';
  const copy = (from: number, to: number): Segment => ({ kind: 'bytes', bytes: bytes.subarray(from, to) });

  // The data file: every external initializer, aligned.
  const data: Segment[] = [];
  let dataLength = 0;
  const placed = new Map<string, number>();
  model.initializers.forEach((init) => {
    if (!init.external) return;
    const padding = (EXTERNAL_ALIGNMENT - (dataLength % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
    if (padding && init.bytes > 0) {
      data.push({ kind: 'bytes', bytes: new Uint8Array(padding) });
      dataLength += padding;
    }
    placed.set(init.name, dataLength);
    const p = planOf.get(init.name);
    if (p) data.push({ kind: 'values', plan: p, from: 0, to: planBytes(p) });
    else if (init.bytes > 0) data.push({ kind: 'copy', source: init.external.location, offset: init.external.offset, length: init.external.length });
    dataLength += init.bytes;
  });

  // Each changed TensorProto, as segments of its new content.
  const tensorSegments = (index: number): Segment[] | undefined => {
    const init = model.initializers[index];
    const p = planOf.get(init.name);
    if (!p && !init.external) return undefined;
    const range = source.ranges[index];
    const fields: DataRanges = dataRanges(bytes, range);
    const out: Segment[] = [];
    let cursor = range.contentStart;
    const replace = (ranges: readonly FieldRange[], replacement: Segment[]) => {
      if (ranges.length === 0) {
        out.push(copy(cursor, range.end), ...replacement);
        cursor = range.end;
        return;
      }
      ranges.forEach((field, k) => {
        out.push(copy(cursor, field.start));
        if (k === 0) out.push(...replacement);
        cursor = field.end;
      });
      out.push(copy(cursor, range.end));
      cursor = range.end;
    };
    if (init.external) {
      const entries = concat([
        externalDataEntry('location', dataLocation),
        externalDataEntry('offset', String(placed.get(init.name)!)),
        externalDataEntry('length', String(init.bytes)),
      ]);
      replace(fields.external, [{ kind: 'bytes', bytes: entries }]);
    } else {
      const length = planBytes(p!);
      if (length !== init.bytes) throw new Error(`nninit: ${init.name}: planned ${length} bytes for ${init.bytes}`);
      replace(fields.data, length === 0 ? [] : [
        { kind: 'bytes', bytes: concat([lengthDelimitedKey(RAW_DATA_FIELD), varint(length)]) },
        { kind: 'values', plan: p!, from: 0, to: length },
      ]);
    }
    return out;
  };

  // The graph's content with the changed initializers replaced, then the model around it.
  const graph: Segment[] = [];
  let cursor = source.graph.contentStart;
  source.ranges.forEach((range, index) => {
    const content = tensorSegments(index);
    if (!content) return;
    const length = fileLayout('', content).length;
    graph.push(copy(cursor, range.lengthAt), { kind: 'bytes', bytes: varint(length) }, ...content);
    cursor = range.end;
  });
  graph.push(copy(cursor, source.graph.end));
  const graphLength = fileLayout('', graph).length;
  const modelSegments: Segment[] = [
    copy(0, source.graph.lengthAt), { kind: 'bytes', bytes: varint(graphLength) }, ...graph, copy(source.graph.end, bytes.length),
  ];
  const files = [fileLayout(options.modelName ?? 'model.onnx', modelSegments)];
  if (placed.size) files.push(fileLayout(dataLocation, data));
  return files;
}

/**
 * The model with fresh weights, as the bytes of an .onnx file: the input's bytes, graph, opsets, metadata and
 * kept initializers unchanged, each re-initialized tensor's data replaced by raw_data holding its plan's values
 * (initParameter), in its own element type. Models with external data are written by the Node helper
 * writeOnnxFile (or the nninit command), which reads and writes the data files.
 */
export function writeOnnx(model: OnnxModel): Uint8Array {
  const fn = 'writeOnnx';
  sourceOf(fn, model);
  const external = model.initializers.find((i) => i.external);
  if (external) {
    throw new TypeError(`nninit.${fn}: ${model.file}: initializer "${external.name}" is stored in the external file ${external.external!.location}; write models with external data with writeOnnxFile (nninit/onnx/node) or the nninit command`);
  }
  const [file] = onnxFiles(model);
  const out = assemble(file);
  if (out.length > MAX_PROTOBUF_BYTES) throw new RangeError(`nninit.${fn}: ${model.file}: the written model would take ${out.length} bytes, beyond protobuf's 2 GB limit`);
  return out;
}

/**
 * The stored bytes of a kept initializer, little-endian as raw_data holds them (typed fields converted), for
 * writers of other formats; external ones are described by `external` instead. Undefined for STRING tensors.
 */
export function initializerData(model: OnnxModel, name: string): Uint8Array | undefined {
  const source = sourceOf('initializerData', model);
  const index = model.initializers.findIndex((i) => i.name === name);
  if (index < 0) throw new RangeError(`nninit.initializerData: ${model.file} has no initializer "${name}"`);
  const t = source.tensors[index];
  if (t.rawData?.length) return t.rawData;
  const type = ELEMENT_TYPES[t.dataType ?? 0];
  const count = model.initializers[index].bytes;
  const bytes = new Uint8Array(count);
  const view = new DataView(bytes.buffer);
  switch (type.name) {
    case 'FLOAT': (t.floatData ?? []).forEach((v, i) => view.setFloat32(4 * i, v, true)); return bytes;
    case 'COMPLEX64': (t.floatData ?? []).forEach((v, i) => view.setFloat32(4 * i, v, true)); return bytes;
    case 'DOUBLE': (t.doubleData ?? []).forEach((v, i) => view.setFloat64(8 * i, v, true)); return bytes;
    case 'INT64': (t.int64Data ?? []).forEach((v, i) => view.setBigInt64(8 * i, BigInt(String(v)), true)); return bytes;
    case 'UINT64': (t.uint64Data ?? []).forEach((v, i) => view.setBigUint64(8 * i, BigInt(String(v)), true)); return bytes;
    case 'UINT32': (t.uint64Data ?? []).forEach((v, i) => view.setUint32(4 * i, Number(String(v)), true)); return bytes;
    case 'INT32': (t.int32Data ?? []).forEach((v, i) => view.setInt32(4 * i, v, true)); return bytes;
    case 'INT16': case 'UINT16': case 'FLOAT16': case 'BFLOAT16':
      (t.int32Data ?? []).forEach((v, i) => view.setUint16(2 * i, v & 0xffff, true)); return bytes;
    case 'INT8': case 'UINT8': case 'BOOL': case 'FLOAT8E4M3FN': case 'FLOAT8E4M3FNUZ': case 'FLOAT8E5M2': case 'FLOAT8E5M2FNUZ':
      (t.int32Data ?? []).forEach((v, i) => view.setUint8(i, v & 0xff)); return bytes;
    case 'UINT4': case 'INT4': case 'FLOAT4E2M1':
      (t.int32Data ?? []).forEach((v, i) => view.setUint8(i, v & 0xff)); return bytes;
    default:
      return undefined;
  }
}

