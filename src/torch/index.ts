// nninit/torch: PyTorch's default CPU generator, torch.nn.init and torch.nn module construction, reproduced
// bit for bit in JavaScript. Pure TypeScript, with no WebAssembly and no Node built-ins.

export {
  createTorchGenerator, TorchGenerator, TORCH_DEFAULT_SEED, TORCH_STATE_BYTES,
  type TorchSeed, type TorchShape, type UniformArguments, type NormalArguments, type TruncNormalArguments,
  type KaimingArguments, type XavierArguments, type TorchSize, type LinearOptions, type ConvOptions, type ConvTransposeOptions,
  type EmbeddingOptions, type RecurrentOptions, type LstmOptions, type RnnOptions, type LayerNormOptions, type AttentionOptions,
} from './generator.js';
export type { TorchFanMode } from './init.js';
export type { TorchProgram, TorchProgramModule } from './program.js';
export {
  planTorchModule, describeTorchModule,
  type TorchModuleSpec, type TorchModulePlan, type TorchParameterPlan, type TorchInitStep, type TorchInit,
  type TorchParameters, type TorchConvType, type TorchRecurrentType,
} from './modules.js';
