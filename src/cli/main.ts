#!/usr/bin/env node
/// <reference types="node" />
// The `nninit` executable (package.json "bin"): runs the command line and sets the exit code. Ctrl-C (SIGINT) or
// SIGTERM stops a write at its next chunk and removes its temporary files; a second one removes them and exits at
// once.

import { removeTemporaryFiles } from '../formats/node/write.js';
import { removeCreatedFolders } from './output.js';
import { run } from './program.js';

const controller = new AbortController();
let signals = 0;
let received: NodeJS.Signals | undefined;
const stop = (signal: NodeJS.Signals) => {
  received = signal;
  if (++signals > 1) {
    removeTemporaryFiles();
    removeCreatedFolders();
    process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
  }
  controller.abort(new DOMException(`interrupted by ${signal}`, 'AbortError'));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// A reader that stops early (`nninit inspect big.safetensors | head`) closes the pipe: finish quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
process.exitCode = received === 'SIGTERM' && code === 130 ? 143 : code;
