/// <reference types="node" />
// nninit/node: TF.js models as files, in Node (readTfjsModel and writeTfjsModel, exported by nninit, take bytes).

import './embedded.js';

export { readTfjsFile, writeTfjsFiles, type TfjsWriteOptions, type TfjsWriteResult } from './formats/node/tfjs.js';
