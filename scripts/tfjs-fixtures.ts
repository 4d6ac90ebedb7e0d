// Writes the TF.js models nninit's TF.js tests read, into tests/fixtures/tfjs/: a Sequential CNN and a functional
// model of two inputs (an embedding into a GRU and an LSTM, and a dense branch), each layer with its own
// configured initializers, saved by TF.js itself as model.json and one weight shard, as the converter names it.
// Deterministic: every initializer has a seed.
//
//   node --import tsx scripts/tfjs-fixtures.ts

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const OUT = fileURLToPath(new URL('../tests/fixtures/tfjs/', import.meta.url));

async function save(model: tf.LayersModel, name: string): Promise<void> {
  const folder = join(OUT, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const shard = 'group1-shard1of1.bin';
    const json = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [shard], weights: artifacts.weightSpecs }],
    };
    writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
    writeFileSync(join(folder, shard), new Uint8Array(artifacts.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  console.log(`${name}: ${model.countParams()} parameters`);
}

function sequential(): tf.Sequential {
  const init = tf.initializers;
  return tf.sequential({
    name: 'cnn',
    layers: [
      tf.layers.conv2d({ name: 'conv', inputShape: [8, 8, 3], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init.heNormal({ seed: 1 }) }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.depthwiseConv2d({ name: 'depthwise', kernelSize: 3, depthMultiplier: 2, depthwiseInitializer: init.glorotUniform({ seed: 2 }) }),
      tf.layers.activation({ name: 'depthwise_act', activation: 'relu' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'hidden', units: 32, activation: 'tanh', kernelInitializer: init.glorotNormal({ seed: 3 }), biasInitializer: init.constant({ value: 0.1 }) }),
      tf.layers.dropout({ name: 'drop', rate: 0.1 }),
      tf.layers.dense({ name: 'feature', units: 16, kernelInitializer: init.randomNormal({ mean: 0, stddev: 0.05, seed: 4 }) }),
      tf.layers.leakyReLU({ name: 'feature_act', alpha: 0.2 }),
      tf.layers.dense({ name: 'logits', units: 10, activation: 'softmax', kernelInitializer: init.leCunUniform({ seed: 5 }), biasInitializer: init.randomUniform({ minval: -0.1, maxval: 0.2, seed: 6 }) }),
    ],
  });
}

function functional(): tf.LayersModel {
  const init = tf.initializers;
  const tokens = tf.input({ name: 'tokens', shape: [6] });
  const extra = tf.input({ name: 'extra', shape: [5] });
  const embedded = tf.layers.embedding({ name: 'embed', inputDim: 40, outputDim: 12, embeddingsInitializer: init.randomUniform({ minval: -0.05, maxval: 0.05, seed: 7 }) }).apply(tokens) as tf.SymbolicTensor;
  const gru = tf.layers.gru({ name: 'gru', units: 10, returnSequences: true, kernelInitializer: init.truncatedNormal({ stddev: 0.1, seed: 8 }), recurrentInitializer: init.orthogonal({ gain: 1, seed: 9 }) }).apply(embedded) as tf.SymbolicTensor;
  const lstm = tf.layers.lstm({ name: 'lstm', units: 14, unitForgetBias: true, kernelInitializer: init.varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: 10 }), recurrentInitializer: init.orthogonal({ gain: 1.5, seed: 11 }) }).apply(gru) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ name: 'side', units: 14, activation: 'relu', kernelInitializer: init.heUniform({ seed: 12 }) }).apply(extra) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: 'join' }).apply([lstm, dense]) as tf.SymbolicTensor;
  const normed = tf.layers.layerNormalization({ name: 'norm' }).apply(joined) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    name: 'out', units: 3, activation: 'sigmoid',
    kernelInitializer: init.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'truncatedNormal', seed: 13 }),
  }).apply(normed) as tf.SymbolicTensor;
  return tf.model({ name: 'two_inputs', inputs: [tokens, extra], outputs: out });
}

await save(sequential(), 'sequential');
await save(functional(), 'functional');
