// Diagnostics: measure what an initialization does to a network. The probe produces a ProbeReport; warnings,
// LSUV and the claims experiments only read it. No Node built-ins here.

export { probe, type ProbeOptions, type ProbeModel, type WeightValues } from './probe.js';
export { warningsOf, WARNING_THRESHOLDS } from './warnings.js';
export {
  runClaims, mlpSpec, INITIALIZER_PRESETS, INITIALIZER_PRESET_NAMES,
  type ClaimsOptions, type ClaimsData, type ClaimResult, type DepthSeries, type InitializerPreset,
} from './claims.js';
export { lsuv, type LsuvOptions, type LsuvLayer, type LsuvResult } from './lsuv.js';
export type { ProbeReport, LayerReport, Moments, Histogram, SingularValues, ProbeWarning } from './report.js';
export {
  plotProbe, plotClaimsStd, plotClaimsGradient, plotClaimsHistograms, plotTraining, describeTraining, renderChart,
  type ProbeRun, type PlotOptions, type TrainingCurves, type Chart, type Panel, type LinePanel, type HeatmapPanel, type LineSeries, type Axis,
} from './plot/index.js';
