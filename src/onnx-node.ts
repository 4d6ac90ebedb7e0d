/// <reference types="node" />
// nninit/onnx/node: ONNX models as files, in Node (external data files included). See nninit/onnx for bytes.

import './embedded.js';

export { readOnnxFile, writeOnnxFile, type OnnxWriteOptions, type OnnxWriteResult } from './formats/node/onnx.js';
