// Compiled by `tsc -p tests/types` (npm test): nninit/torch's constructors take the options PyTorch's take, those
// that do not change the parameters included (accepted and ignored at run time). Each @ts-expect-error line must
// be an error. The block between the markers is README's first nninit/torch example, word for word
// (tests/torch-generator.test.ts checks that it is).

import {
  createTorchGenerator as createFromMain, describeTorchModule as describeFromMain, TORCH_DEFAULT_SEED as seedFromMain,
  TORCH_STATE_BYTES as bytesFromMain, type ConvOptions, type LstmOptions, type TorchModuleSpec,
} from 'nninit';

// README:begin
import { createTorchGenerator } from 'nninit/torch';

const g = createTorchGenerator(0);                 // torch.manual_seed(0)
g.rand(5);                                          // torch.rand(5): 0.4963, 0.7682, 0.0885, 0.1320, 0.3074
const conv = g.conv2d(3, 64, 3, { padding: 1 });    // nn.Conv2d(3, 64, 3, padding=1): { weight, bias }
const lstm = g.lstm(64, 128, { numLayers: 2 });     // nn.LSTM(64, 128, num_layers=2): weight_ih_l0, ...
const fc = g.linear(128, 10);                       // nn.Linear(128, 10)
const w = g.truncNormal_([768, 3072], 0, 0.02);     // nn.init.trunc_normal_(torch.empty(768, 3072), std=0.02)
// README:end

const weight: Float32Array = conv.weight;
const tensors: Float32Array[] = [lstm.weight_ih_l0, fc.bias, w];

// Every option PyTorch's constructors take that does not change the parameters.
g.conv1d(3, 8, 5, { stride: 2, padding: 'same', dilation: [2], paddingMode: 'reflect', groups: 1, bias: false });
g.conv3d(3, 8, [3, 3, 3], { stride: [1, 2, 2], padding: [1, 1, 1], dilation: 1, paddingMode: 'zeros' });
g.convTranspose2d(64, 32, 4, { stride: 2, padding: 1, outputPadding: 1, dilation: 1, groups: 2 });
g.lstm(64, 128, { numLayers: 2, dropout: 0.1, batchFirst: true, bidirectional: true, projSize: 32 });
g.gru(64, 128, { dropout: 0.2, batchFirst: false });
g.rnn(64, 128, { nonlinearity: 'relu', dropout: 0 });
g.embedding(1000, 64, { paddingIdx: 0, maxNorm: 1, normType: 2, scaleGradByFreq: true, sparse: false });
g.layerNorm([8, 64], { eps: 1e-6, elementwiseAffine: true });
g.multiheadAttention(64, 8, { dropout: 0.1, batchFirst: true, addZeroAttn: false, kdim: 32, vdim: 32 });

// @ts-expect-error: a misspelled option
g.conv2d(3, 64, 3, { paddding: 1 });
// @ts-expect-error: output padding belongs to the transposed convolutions
g.conv2d(3, 64, 3, { outputPadding: 1 });
// @ts-expect-error: PyTorch's transposed convolutions take no 'same' padding
g.convTranspose2d(64, 32, 4, { padding: 'same' });
// @ts-expect-error: projSize is LSTM's
g.gru(64, 128, { projSize: 32 });
// @ts-expect-error: a padding mode PyTorch does not have
g.conv2d(3, 64, 3, { paddingMode: 'mirror' });

// The main entry exports the same functions, constants and option types.
const fromMain = createFromMain(0).conv2d(3, 64, 3, { padding: 1 } satisfies ConvOptions);
const lstmOptions: LstmOptions = { numLayers: 2, dropout: 0.1 };
const spec: TorchModuleSpec = { type: 'lstm', inputSize: 64, hiddenSize: 128, ...lstmOptions };
const call: string = describeFromMain(spec);
const constants: [bigint, number] = [seedFromMain, bytesFromMain];

export { weight, tensors, fromMain, call, constants };
