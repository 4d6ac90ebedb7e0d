// Plots of the diagnostics: SVG text from probe reports and the claims data, written without a DOM or a charting
// service, so the same functions serve Node (the command, npm run claims) and pages (the explorer).

export { renderChart, heatmapLevel, HEATMAP_LEVELS, type Chart, type Panel, type LinePanel, type HeatmapPanel, type LineSeries, type Axis } from './chart.js';
export { linearScale, logScale, type Scale, type Tick } from './scale.js';
export {
  plotProbe, plotClaimsStd, plotClaimsGradient, plotClaimsHistograms, plotTraining, describeTraining,
  activationStdPanel, gradientStdPanel, histogramPanel, initializersOf,
  type ProbeRun, type PlotOptions, type TrainingCurves,
} from './views.js';
