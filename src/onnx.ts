// nninit/onnx: re-initialize ONNX models. readOnnx parses a model and plans its parameters from the graph;
// writeOnnx writes it back with fresh weights. A separate entry point because it depends on ONNX's protobuf
// schema (onnx-proto and protobufjs), which `import 'nninit'` does not load.

import './embedded.js';

export { readOnnx, writeOnnx, onnxFiles, initializerData } from './formats/onnx.js';
export type { OnnxModel, OnnxInitializer, OnnxReadOptions, OnnxLayoutOptions, ExternalData } from './formats/onnx.js';
export type { FileLayout, Segment } from './formats/segments.js';
