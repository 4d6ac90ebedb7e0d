// The public API shared by every entry point (index.ts embeds the WebAssembly binary, lean.ts loads it from a URL).

export {
  zeros, ones, constant,
  uniform, normal, truncatedNormal,
  varianceScaling,
  glorotUniform, glorotNormal, xavierUniform, xavierNormal,
  heUniform, heNormal, kaimingUniform, kaimingNormal,
  lecunUniform, lecunNormal,
} from './core/initializers.js';
export type { SeedOptions, RandomOptions, Result } from './core/prepare.js';
export type {
  ConstantOptions, ConstantValueOptions, UniformOptions, NormalOptions, TruncatedNormalOptions,
  FanMode, Distribution, FanOptions, VarianceScalingOptions, GlorotOptions, NormalPresetOptions, HeOptions, LecunOptions,
} from './core/initializers.js';
export { orthogonal, identity, eye, dirac, deltaOrthogonal, sparse, MAX_ORTHOGONAL_ELEMENTS } from './core/structured.js';
export type { OrthogonalOptions, IdentityOptions, DiracOptions, SparseOptions } from './core/structured.js';
export { computeFans, type Fans, type Layout, type Axes, type FanAxesOptions } from './core/fans.js';
export { calculateGain, type Nonlinearity } from './core/gains.js';
export { philox4x32, randomBits, type RandomBitsOptions } from './core/bits.js';
export { createGenerator, type Generator } from './core/generator.js';
export { fnv1a64, type Seed, type Stream } from './core/seed.js';
export { setBackend, getBackend, ready } from './core/runtime.js';
export type { BackendName } from './core/backend.js';
export { float16View, type Dtype, type OutputOptions, type OutArray } from './core/output.js';
export { float16Bits, bfloat16Bits, type HalfFormat } from './core/half.js';
export { TRUNCATED_NORMAL_STDDEV_2 } from './core/distributions.js';
export {
  planModel, initModel, explainModel, explainPlan, initParameter, parseSpec, describeSpec,
  planTensors, planDescriptors, describeTensors,
  POLICIES, POLICY_NAMES, LAYER_TYPES, LAYER_TYPE_NAMES, ACTIVATIONS, ACTIVATION_NAMES, INITIALIZER_NAMES,
} from './model/index.js';
export { planToJSON } from './model/index.js';
export type {
  ModelWeights, SliceOptions, ModelSpec, ModelSpecInput, ModelOptions, LayerSpec, PolicySpec, TensorInfo, PlanOptions,
  PolicyName, PolicySetting, PolicyDefinition, PolicyTable, Choice, ChoiceRule, PolicyContext,
  ModelLayer, LayerType, LayerDefinition, LayerParameter, DenseLayer, ConvLayer, EmbeddingLayer, NormLayer, RecurrentLayer,
  AttentionLayer, RepeatLayer, BlockLayer, ParamLayer, Activation, ActivationName, ActivationFamily, InitializerName,
  Rule, RuleSpec, ParameterPlan, ParameterDescriptor, BlockPlan, BlockStructure, LayerKind, ParameterRole,
} from './model/index.js';
export { RNG_NAMES, type RngName, type TorchSource } from './model/index.js';
export {
  createTorchGenerator, TorchGenerator, planTorchModule,
  type TorchSeed, type TorchShape, type TorchModuleSpec, type TorchModulePlan, type TorchParameters,
} from './torch/index.js';
export { describeTorchModule, TORCH_DEFAULT_SEED, TORCH_STATE_BYTES } from './torch/index.js';
export type {
  UniformArguments, NormalArguments, TruncNormalArguments, KaimingArguments, XavierArguments, TorchSize, LinearOptions,
  ConvOptions, ConvTransposeOptions, EmbeddingOptions, RecurrentOptions, LstmOptions, RnnOptions, LayerNormOptions,
  AttentionOptions, TorchFanMode, TorchProgram, TorchProgramModule, TorchParameterPlan, TorchInitStep, TorchInit,
  TorchConvType, TorchRecurrentType,
} from './torch/index.js';
export {
  encodeSafetensors, safetensorsChunks, readSafetensors, tensorValues, layoutSafetensors, parseSafetensorsHeader,
  safetensorsHeaderLength, planMetadata, planTensorSpecs, SafetensorsError, MAX_HEADER_BYTES, MAX_HEADER_TENSORS, SAFETENSORS_DTYPES, STORED_AS,
  planShards, shardFileName, indexFileName, partOfShard, parseByteSize, indexJson, parseIndex, synchronousProducer, Accumulator,
} from './formats/index.js';
export type {
  SafetensorsErrorCode, SafetensorsTensor, SafetensorsHeader, SafetensorsEntry, ReadOptions, TensorSpec, LaidOutTensor,
  SafetensorsLayout, EncodeOptions, SafetensorsDtype, Shard, ShardIndex, SliceProducer, SliceArray, Summary,
} from './formats/index.js';
export { probe, warningsOf, WARNING_THRESHOLDS, lsuv, runClaims, mlpSpec, INITIALIZER_PRESETS, INITIALIZER_PRESET_NAMES } from './diagnose/index.js';
export type { ClaimsOptions, ClaimsData, ClaimResult, DepthSeries, InitializerPreset, LsuvOptions, LsuvLayer, LsuvResult, ProbeOptions, ProbeModel, WeightValues, ProbeReport, LayerReport, Moments, Histogram, SingularValues, ProbeWarning } from './diagnose/index.js';
export { readTfjsModel, writeTfjsModel, tfjsFiles, TFJS_SHARD_BYTES } from './formats/tfjs.js';
export type { TfjsModel, TfjsWeight, TfjsReadOptions, TfjsLayoutOptions, TfjsFiles } from './formats/tfjs.js';
export { plotProbe, plotClaimsStd, plotClaimsGradient, plotClaimsHistograms, plotTraining, describeTraining, renderChart } from './diagnose/index.js';
export type { ProbeRun, PlotOptions, TrainingCurves, Chart, Panel, LinePanel, HeatmapPanel, LineSeries, Axis } from './diagnose/index.js';
