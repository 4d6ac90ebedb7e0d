// Training speed per initializer, measured: small real training runs with TensorFlow.js (cpu backend) whose
// layers are initialized by nninit's TF.js adapter (nninit/tfjs). Two spirals, full-batch SGD with momentum,
// softmax cross-entropy; every run is seeded (data, weights) and TF.js's cpu kernels are deterministic, so the
// losses repeat exactly. Used by bench/claims.ts (docs/claims.md) and tests/claims.test.ts.

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
  /** Points per spiral arm (default 128) and the seed of data and weights (default 1). */
  points?: number;
  seed?: number;
}

export interface TrainingRun {
  readonly initializer: InitializerPreset;
  readonly label: string;
  /** Loss before each step and after the last: steps + 1 values. */
  readonly losses: readonly number[];
  /** Training accuracy after the last step. */
  readonly accuracy: number;
}

export interface TrainingTask {
  readonly task: string;
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

/** One task: every preset's run on the two spirals with a `depth`-layer MLP of `activation`. */
export async function runTraining(activation: 'tanh' | 'relu', presets: readonly InitializerPreset[], options: TrainingOptions = {}): Promise<TrainingTask> {
  await tf.setBackend('cpu');
  const depth = options.depth ?? 10, width = options.width ?? 16, steps = options.steps ?? 200;
  const learningRate = options.learningRate ?? 0.02, points = options.points ?? 128, seed = options.seed ?? 1;
  const { x, y } = data(points, seed);
  const runs: TrainingRun[] = [];
  for (const preset of presets) {
    const model = buildModel(preset, activation, depth, width, seed);
    const { losses, accuracy } = train(model, x, y, steps, learningRate, options.optimizer ?? 'momentum');
    runs.push({ initializer: preset, label: LABELS[preset], losses, accuracy });
    model.dispose();
  }
  x.dispose();
  y.dispose();
  return { task: 'two spirals', activation, depth, width, steps, learningRate, optimizer: options.optimizer ?? 'momentum', momentum: MOMENTUM, runs };
}

/**
 * The zero-initialization claim after training: a sigmoid MLP with zero weights and biases, `steps` SGD steps on
 * the two spirals, then probed (its trained weights read back from TF.js): units that start identical get
 * identical updates, so every layer still has one distinct unit, though the weights moved. The arms are of
 * unequal sizes (2:1): with balanced classes the first gradient of a zero network is exactly zero.
 */
export async function zeroAfterTraining(steps = 20, depth = 4, width = 16, seed = 1): Promise<{ distinctUnits: number[]; largestWeight: number; losses: number[] }> {
  await tf.setBackend('cpu');
  const { x, y } = data(128, seed, 64);
  const model = buildModel('zero', 'sigmoid', depth, width, seed);
  const optimizer = tf.train.sgd(0.5);
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
  let largestWeight = 0;
  model.layers.forEach((layer, i) => {
    const [kernel, bias] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    weights.set(`fc${i}.kernel`, kernel);
    weights.set(`fc${i}.bias`, bias);
    for (const v of kernel) largestWeight = Math.max(largestWeight, Math.abs(v));
  });
  const input = uniform([256, 2], { seed, stream: 'zero.probe', low: -1, high: 1 });
  const report = probe({ spec, weights }, { input, seed });
  model.dispose();
  x.dispose();
  y.dispose();
  return { distinctUnits: report.layers.slice(0, depth).map((l) => l.distinctUnits), largestWeight, losses };
}
