// pool.initModel: the model layer plans on the calling thread (so a bad spec rejects with initModel's own error
// before any work), then every parameter is cut into slices that workers produce with initParameter, the model
// layer's slice function, which gives the bytes of the same elements of initModel's arrays. Entries drawn from
// PyTorch's generator (rng 'torch') come from one sequential run of the model's modules, as in initModel, which
// one worker makes for all of them.

import type { Dtype } from '../core/output.js';
import { initParameter, type ModelWeights } from '../model/init.js';
import { planSpec } from '../model/plan.js';
import { initTorchEntries } from '../model/torch-rng.js';
import type { ModelOptions, ModelSpecInput } from '../model/spec.js';
import type { ParameterPlan } from '../model/types.js';
import { untilKernels } from './check.js';
import { arrayConstructor, type ArrayName, type Output } from './methods.js';
import { MIN_SLICE, SLICE_ALIGN } from './limits.js';
import type { Dispatch, TaskRequest } from './pool.js';
import type { SharedOutput } from './protocol.js';

/**
 * Elements per slice of a large parameter: small enough that the workers' queue stays balanced over a model
 * (GPT-2 small becomes about 130 slices), large enough that a message per slice costs nothing next to its work.
 */
const MODEL_SLICE = 2 ** 20;

const ARRAY_OF: Record<Dtype, ArrayName> = { float32: 'Float32Array', float64: 'Float64Array', float16: 'Uint16Array', bfloat16: 'Uint16Array' };

interface Item {
  readonly index: number;
  readonly offset: number;
  readonly length: number;
}

/** [offset, offset + length) pieces of a parameter: whole for orthogonal (it computes the whole matrix anyway). */
function piecesOf(p: ParameterPlan, index: number): Item[] {
  if (p.whole || p.size <= MODEL_SLICE) return [{ index, offset: 0, length: p.size }];
  const count = Math.round(p.size / MODEL_SLICE);
  const bounds = Array.from({ length: count + 1 }, (_, i) => (i === count ? p.size : Math.round((p.size * i) / count / SLICE_ALIGN) * SLICE_ALIGN));
  return bounds.slice(0, -1).map((offset, i) => ({ index, offset, length: bounds[i + 1] - offset }));
}

const drawnByTorch = (p: ParameterPlan) => p.initializer === 'torch';

/**
 * Items of the entries not drawn by PyTorch's generator, grouped into tasks of at least MIN_SLICE elements where
 * they are small; whole parameters first.
 */
function tasksOf(plan: readonly ParameterPlan[]): Item[][] {
  const whole: Item[][] = [];
  const tasks: Item[][] = [];
  let open: Item[] = [];
  let openElements = 0;
  plan.forEach((p, index) => {
    if (drawnByTorch(p)) return;
    for (const item of piecesOf(p, index)) {
      if (p.whole) whole.push([item]);
      else if (item.length >= MIN_SLICE) tasks.push([item]);
      else {
        open.push(item);
        openElements += item.length;
        if (openElements >= MIN_SLICE) {
          tasks.push(open);
          open = [];
          openElements = 0;
        }
      }
    }
  });
  if (open.length) tasks.push(open);
  return [...whole, ...tasks];
}

function weightsOf(plan: readonly ParameterPlan[], arrays: readonly Output[], seed: ModelWeights['seed']): ModelWeights {
  const weights = new Map(plan.map((p, i) => [p.name, arrays[i] as Float32Array]));
  return Object.defineProperties(weights, {
    seed: { value: seed, enumerable: false },
    plan: { value: plan, enumerable: false },
  }) as ModelWeights;
}

/** initModel through the pool: the same Map, parameters and bytes as initModel(spec, options). */
export async function initModelOn(dispatch: Dispatch, spec: unknown, options: unknown): Promise<ModelWeights> {
  const { plan, seed } = planSpec('initModel', spec as ModelSpecInput, options as ModelOptions);
  // Each parameter's call checks its arguments up to its first kernel, as initModel would before its values.
  for (const p of plan) if (!drawnByTorch(p)) untilKernels(() => initParameter(p, { offset: 0, length: Math.min(1, p.size) }));
  const total = plan.reduce((sum, p) => sum + p.size, 0);
  if (total < MIN_SLICE) {
    const drawn = initTorchEntries(plan);
    return weightsOf(plan, plan.map((p) => (drawn.get(p.name) ?? initParameter(p)) as Output), seed);
  }

  const arrays = plan.map((p) => {
    const ArrayType = arrayConstructor(ARRAY_OF[p.dtype]);
    return dispatch.sharedMemory ? new ArrayType(new SharedArrayBuffer(p.size * ArrayType.BYTES_PER_ELEMENT), 0, p.size) : undefined;
  });
  const output = (item: Item): SharedOutput | undefined => {
    const array = arrays[item.index];
    if (!array) return undefined;
    const bytes = (array as Float32Array).BYTES_PER_ELEMENT;
    return { buffer: array.buffer as SharedArrayBuffer, byteOffset: item.offset * bytes, length: item.length, array: ARRAY_OF[plan[item.index].dtype] };
  };
  const tasks = tasksOf(plan);
  const torchItems = plan.flatMap((p, index) => (drawnByTorch(p) ? [{ index, offset: 0, length: p.size }] : []));
  const torchRequest: TaskRequest | undefined = torchItems.length === 0 ? undefined : {
    type: 'torchEntries', plans: torchItems.map((item) => plan[item.index]), outputs: torchItems.map(output),
  };
  // The sequential run goes first: it is the longest task.
  const results = await Promise.all([
    ...(torchRequest ? [dispatch.submit(torchRequest)] : []),
    ...tasks.map((items) => dispatch.submit({
      type: 'parameters',
      items: items.map((item) => {
        const shared = output(item);
        return { plan: plan[item.index], offset: item.offset, length: item.length, ...(shared ? { output: shared } : {}) };
      }),
    })),
  ]);
  if (dispatch.sharedMemory) return weightsOf(plan, arrays as Output[], seed);

  // Without shared memory: a parameter made in one piece is the worker's array; others are assembled.
  const pieces = plan.map(() => [] as { item: Item; values: Output }[]);
  const taskItems = torchRequest ? [torchItems, ...tasks] : tasks;
  taskItems.forEach((items, t) => items.forEach((item, i) => pieces[item.index].push({ item, values: results[t][i]! })));
  return weightsOf(plan, pieces.map((parts, index) => {
    if (parts.length === 1) return parts[0].values;
    const target = new (arrayConstructor(ARRAY_OF[plan[index].dtype]) as unknown as new (length: number) => Output)(plan[index].size);
    for (const { item, values } of parts) (target as Float32Array).set(values as Float32Array, item.offset);
    return target;
  }), seed);
}
