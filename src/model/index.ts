// The whole-model layer: specs, the layer catalogue, policies, the planner, values and explain. It uses the core's
// initializers, its fans, its allocation rule and its tail functions, and no Node built-ins.

export { planModel } from './plan.js';
export { initModel, initParameter, type ModelWeights, type SliceOptions } from './init.js';
export { explainModel, explainPlan, planToJSON } from './explain.js';
export { parseSpec, describeSpec } from './spec.js';
export type { ModelSpec, ModelSpecInput, ModelOptions, LayerSpec, PolicySpec } from './spec.js';
export { RNG_NAMES, type RngName } from './spec.js';
export type { TorchSource } from './types.js';
export { planTensors, planDescriptors, describeTensors, type TensorInfo, type PlanOptions } from './tensors.js';
export { POLICIES, POLICY_NAMES, type PolicyName, type PolicySetting, type PolicyDefinition, type PolicyTable, type Choice, type ChoiceRule, type PolicyContext } from './policies.js';
export { LAYER_TYPES, LAYER_TYPE_NAMES } from './layers.js';
export type {
  ModelLayer, LayerType, LayerDefinition, LayerParameter, DenseLayer, ConvLayer, EmbeddingLayer, NormLayer, RecurrentLayer,
  AttentionLayer, RepeatLayer, BlockLayer, ParamLayer,
} from './layers.js';
export { ACTIVATIONS, ACTIVATION_NAMES, type Activation, type ActivationName, type ActivationFamily } from './activations.js';
export { INITIALIZER_NAMES, type InitializerName } from './registry.js';
export type { Rule, RuleSpec } from './rules.js';
export type { ParameterPlan, ParameterDescriptor, BlockPlan, BlockStructure, LayerKind, ParameterRole } from './types.js';
