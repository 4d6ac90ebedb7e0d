// Training speed per initializer, measured: small real training runs with TensorFlow.js (cpu backend) whose
// layers are initialized by nninit's TF.js adapter (nninit/tfjs). Two spirals, full-batch SGD with momentum,
// softmax cross-entropy; every run is seeded (data, weights) and TF.js's cpu kernels are deterministic, so the
// losses repeat exactly. One network is one random draw, and SGD with momentum on a 10-layer net has
// occasional spikes: each initializer is trained once per seed, and the curves and numbers are medians over the
// seeds. Used by bench/claims.ts (docs/claims.md) and tests/claims.test.ts.

import * as tf from '@tensorflow/tfjs';
import { GlorotUniform, HeNormal, LecunNormal, Orthogonal, RandomNormal } from 'nninit/tfjs';
import { calculateGain, normal, probe, uniform, type InitializerPreset, type ModelSpecInput } from 'nninit';

export interface TrainingOptions {
  /** Hidden layers and their width (default 10 of 16), training steps (default 200), learning rate (0.02). */
  depth?: number;
  width?: number;
  steps?: number;
  learningRate?: number;
  /** 'momentum' (SGD with momentum 0.9, the default) or 'adam'. */
  optimizer?: 'momentum' | 'adam';
  /** Points per spiral arm (default 128). */
  points?: number;
  /** Seeds of data and weights, one run per seed (default [1]); `seed` is one seed. */
  seeds?: readonly number[];
  seed?: number;
}

/** The last steps whose mean loss is a run's final loss, so a spike at the very end does not decide it. */
export const FINAL_WINDOW = 20;

/** One seed's run. */
export interface SeedRun {
  readonly seed: number;
  /** Mean loss over the last FINAL_WINDOW values (NaN once the run diverged), and training accuracy at the end. */
  readonly final: number;
  readonly accuracy: number;
  /** The step whose loss was first NaN or infinite, or -1. */
  readonly divergedAt: number;
  /** Steps whose loss rose by more than SPIKE over the step before (SGD with momentum overshooting). */
  readonly spikes: number;
}

/** A rise of the loss from one step to the next that counts as a spike. */
export const SPIKE = 0.1;

export interface TrainingRun {
  readonly initializer: InitializerPreset;
  readonly label: string;
  /**
   * Loss before each step and after the last (steps + 1 values): the median over the seeds, a diverged seed
   * counting as infinite (NaN where most seeds diverged).
   */
  readonly losses: readonly number[];
  /** Median over the seeds of the final loss (mean of the last FINAL_WINDOW losses) and of the accuracy. */
  readonly final: number;
  readonly accuracy: number;
  readonly seeds: readonly SeedRun[];
}

export interface TrainingTask {
  readonly task: string;
  readonly seeds: readonly number[];
  readonly activation: 'tanh' | 'relu';
  readonly depth: number;
  readonly width: number;
  readonly steps: number;
  readonly learningRate: number;
  readonly optimizer: 'momentum' | 'adam';
  /** SGD's momentum (with the 'momentum' optimizer). */
  readonly momentum: number;
  readonly runs: readonly TrainingRun[];
}

const MOMENTUM = 0.9;

/**
 * Two interleaved spirals in the plane (Lang and Witbrock 1988), two turns each, with N(0, 0.05^2) jitter:
 * `points` on the first arm and `second` (default as many) on the second.
 */
export function twoSpirals(points: number, seed: number, second = points): { x: Float32Array; labels: Int32Array } {
  const total = points + second;
  const noise = normal([total, 2], { seed, stream: 'spirals.noise', std: 0.05 });
  const x = new Float32Array(2 * total), labels = new Int32Array(total);
  let n = 0;
  for (const [arm, count] of [[0, points], [1, second]]) {
    for (let i = 0; i < count; i++, n++) {
      const t = (i + 0.5) / count, angle = 4 * Math.PI * t + arm * Math.PI;
      x[2 * n] = t * Math.cos(angle) + noise[2 * n];
      x[2 * n + 1] = t * Math.sin(angle) + noise[2 * n + 1];
      labels[n] = arm;
    }
  }
  return { x, labels };
}

/** The TF.js kernel initializer of a preset for layer `i`, with the gain its activation calls for where it takes one. */
function kernelInitializer(preset: InitializerPreset, activation: 'tanh' | 'relu', seed: number, i: number) {
  const common = { seed, stream: `fc${i}` };
  switch (preset) {
    case 'zero': return tf.initializers.zeros();
    case 'normal-0.01': return new RandomNormal({ ...common, std: 0.01 });
    case 'normal-1': return new RandomNormal({ ...common, std: 1 });
    case 'xavier': return new GlorotUniform(common);
    case 'xavier-tanh': return new GlorotUniform({ ...common, gain: calculateGain('tanh') });
    case 'he': return new HeNormal({ ...common, nonlinearity: 'relu' });
    case 'lecun': return new LecunNormal(common);
    case 'orthogonal': return new Orthogonal({ ...common, gain: calculateGain(activation) });
  }
}

const LABELS: Record<InitializerPreset, string> = {
  zero: 'zero', 'normal-0.01': 'N(0, 0.01²)', 'normal-1': 'N(0, 1)', xavier: 'Xavier (gain 1)', 'xavier-tanh': 'Xavier (gain 5/3)',
  he: 'He', lecun: 'LeCun', orthogonal: 'orthogonal (activation gain)',
};

function buildModel(preset: InitializerPreset, activation: 'tanh' | 'relu' | 'sigmoid', depth: number, width: number, seed: number): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i <= depth; i++) {
    const last = i === depth;
    model.add(tf.layers.dense({
      units: last ? 2 : width,
      ...(i === 0 ? { inputShape: [2] } : {}),
      ...(last ? {} : { activation }),
      kernelInitializer: kernelInitializer(preset, activation === 'sigmoid' ? 'tanh' : activation, seed, i),
      biasInitializer: 'zeros',
      name: `fc${i}`,
    }));
  }
  return model;
}

/** Full-batch SGD with momentum; the loss before every step and after the last. */
function train(model: tf.Sequential, x: tf.Tensor2D, y: tf.Tensor2D, steps: number, learningRate: number, kind: 'momentum' | 'adam'): { losses: number[]; accuracy: number } {
  const optimizer = kind === 'adam' ? tf.train.adam(learningRate) : tf.train.momentum(learningRate, MOMENTUM);
  const lossOf = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor2D) as tf.Scalar;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(lossOf, true)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  const final = tf.tidy(() => {
    const logits = model.apply(x) as tf.Tensor2D;
    const accuracy = logits.argMax(1).equal(y.argMax(1)).mean();
    return [lossOf().dataSync()[0], accuracy.dataSync()[0]];
  });
  losses.push(final[0]);
  optimizer.dispose();
  return { losses, accuracy: final[1] };
}

/** The same data for every run of one seed. */
function data(points: number, seed: number, second = points) {
  const { x, labels } = twoSpirals(points, seed, second);
  return { x: tf.tensor2d(x, [points + second, 2]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat() as tf.Tensor2D };
}

/**
 * The median, NaN counted as +Infinity (and an infinite median returned as NaN): a diverged seed counts as the
 * worst. Not bench/record.ts's plain median, which NaN would leave unordered.
 */
export function medianNaNHigh(values: readonly number[]): number {
  const sorted = values.map((v) => (Number.isNaN(v) ? Infinity : v)).sort((a, b) => a - b);
  const n = sorted.length, middle = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return Number.isFinite(middle) ? middle : NaN;
}

/** One task: every preset's runs, one per seed, on the two spirals with a `depth`-layer MLP of `activation`. */
export async function runTraining(activation: 'tanh' | 'relu', presets: readonly InitializerPreset[], options: TrainingOptions = {}): Promise<TrainingTask> {
  await tf.setBackend('cpu');
  const depth = options.depth ?? 10, width = options.width ?? 16, steps = options.steps ?? 200;
  const learningRate = options.learningRate ?? 0.02, points = options.points ?? 128;
  const seeds = options.seeds ?? [options.seed ?? 1];
  if (!seeds.length) throw new RangeError('runTraining: options.seeds: expected at least one seed, got []');
  const sets = seeds.map((seed) => data(points, seed));
  const runs: TrainingRun[] = [];
  for (const preset of presets) {
    const curves: number[][] = [], perSeed: SeedRun[] = [];
    seeds.forEach((seed, k) => {
      const model = buildModel(preset, activation, depth, width, seed);
      const { losses, accuracy } = train(model, sets[k].x, sets[k].y, steps, learningRate, options.optimizer ?? 'momentum');
      model.dispose();
      const tail = losses.slice(-FINAL_WINDOW);
      const spikes = losses.filter((l, i) => i > 0 && l > losses[i - 1] + SPIKE).length;
      perSeed.push({ seed, final: tail.reduce((a, b) => a + b, 0) / tail.length, accuracy, divergedAt: losses.findIndex((l) => !Number.isFinite(l)), spikes });
      curves.push(losses);
    });
    runs.push({
      initializer: preset, label: LABELS[preset],
      losses: curves[0].map((_, step) => medianNaNHigh(curves.map((c) => c[step]))),
      final: medianNaNHigh(perSeed.map((r) => r.final)), accuracy: medianNaNHigh(perSeed.map((r) => r.accuracy)), seeds: perSeed,
    });
  }
  for (const { x, y } of sets) {
    x.dispose();
    y.dispose();
  }
  return { task: 'two spirals', seeds, activation, depth, width, steps, learningRate, optimizer: options.optimizer ?? 'momentum', momentum: MOMENTUM, runs };
}

/** Learning rate of the zero-initialized training run: large, so the gradient reaches every hidden layer in 20 steps. */
export const ZERO_LEARNING_RATE = 3;

/**
 * The zero-initialization claim after training: a sigmoid MLP with zero weights and biases, `steps` steps of
 * plain SGD, then probed (its trained weights read back from TF.js): units that start identical get identical
 * updates, so every layer still has one distinct unit, though the weights moved. `hiddenMovement` is the
 * largest |w| of each hidden layer's kernel, all 0 at the start. The gradient reaches a layer only through the
 * weights above it, which start at 0 too, so the task is one a single unit could learn (256 points of N(0, I) in
 * the plane, class x0 + x1 > 0.5, a minority): its error depends on the input, and with learning rate
 * ZERO_LEARNING_RATE every hidden layer moves by more than 1e-4 in 20 steps. On the two spirals, which no single
 * unit separates, the best a symmetric network does is the class prior, and the first of 4 layers moves by
 * about 1e-29 (measured with learning rate 0.5). Balanced classes would leave the first gradient of a zero network
 * exactly zero.
 */
export async function zeroAfterTraining(steps = 20, depth = 4, width = 16, seed = 1): Promise<{ distinctUnits: number[]; hiddenMovement: number[]; largestWeight: number; losses: number[] }> {
  await tf.setBackend('cpu');
  const n = 256;
  const points = normal([n, 2], { seed, stream: 'zero.data' });
  const labels = new Int32Array(n).map((_, i) => (points[2 * i] + points[2 * i + 1] > 0.5 ? 1 : 0));
  const x = tf.tensor2d(points, [n, 2]), y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat() as tf.Tensor2D;
  const model = buildModel('zero', 'sigmoid', depth, width, seed);
  const optimizer = tf.train.sgd(ZERO_LEARNING_RATE);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor2D) as tf.Scalar, true)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  // The trained model as nninit sees it: Keras layout, kernels [in, out] and biases by the spec's names.
  const spec: ModelSpecInput = {
    layout: 'keras',
    layers: Array.from({ length: depth + 1 }, (_, i) => ({ type: 'dense', name: `fc${i}`, in: i === 0 ? 2 : width, out: i === depth ? 2 : width, activation: i === depth ? 'linear' : 'sigmoid' }) as never),
  };
  const weights = new Map<string, Float32Array>();
  const movement: number[] = [];
  model.layers.forEach((layer, i) => {
    const [kernel, bias] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    weights.set(`fc${i}.kernel`, kernel);
    weights.set(`fc${i}.bias`, bias);
    movement.push(kernel.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  });
  const input = uniform([256, 2], { seed, stream: 'zero.probe', low: -1, high: 1 });
  const report = probe({ spec, weights }, { input, seed });
  model.dispose();
  x.dispose();
  y.dispose();
  return { distinctUnits: report.layers.slice(0, depth).map((l) => l.distinctUnits), hiddenMovement: movement.slice(0, depth), largestWeight: Math.max(...movement), losses };
}
