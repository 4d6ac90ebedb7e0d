#!/usr/bin/env node
/// <reference types="node" />
// The `nninit` executable (package.json "bin"): runs the command line and sets the exit code. Ctrl-C (SIGINT),
// SIGTERM or SIGHUP (the terminal closed) stops a write at its next chunk and removes its temporary files; a second
// one removes them and exits at once. The exit code is 128 + the signal's number, as shells report it.

import { removeTemporaryFiles } from '../formats/node/write.js';
import { removeCreatedFolders } from './output.js';
import { run } from './program.js';

/** 128 + the signal's number. */
const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

const controller = new AbortController();
let signals = 0;
let received: NodeJS.Signals | undefined;
const stop = (signal: NodeJS.Signals) => {
  received = signal;
  if (++signals > 1) {
    removeTemporaryFiles();
    removeCreatedFolders();
    process.exit(SIGNAL_EXIT_CODES[signal]);
  }
  controller.abort(new DOMException(`interrupted by ${signal}`, 'AbortError'));
};
for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.on(signal, stop);
// A reader that stops early (`nninit inspect big.safetensors | head`) closes the pipe: finish quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
// run() reports an interrupted write as 130 whichever signal it was.
process.exitCode = received && code === 130 ? SIGNAL_EXIT_CODES[received] : code;
